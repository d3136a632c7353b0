import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * What TcpServer and TcpClient share around the loop: opening the raw sockets with a clear message
 * when we may not, reserving our ports, the RST guard, the capture file, and cleaning all of it up
 * on every way out (normal end, error, SIGINT, SIGTERM).
 */
final class Program implements AutoCloseable {
    static final int EXIT_OK = 0, EXIT_FAILED = 1, EXIT_USAGE = 2;

    /** A failure the user can act on: printed as one line, no stack trace. */
    static final class Failure extends Exception {
        private static final long serialVersionUID = 1L;
        Failure(String message) { super(message); }
    }

    final Log log;
    final RawSocket socket;
    private final List<PortReservation> reservations = new ArrayList<>();
    // Written by the main thread, closed by whichever of it and the shutdown hook comes first.
    private volatile RstGuard guard;
    private volatile Pcap pcap;
    static final int EXIT_INTERRUPTED = 130;
    private final CountDownLatch finished = new CountDownLatch(1);
    private volatile TcpStack stack;
    private volatile boolean interrupted;

    private Program(Log log, RawSocket socket) {
        this.log = log;
        this.socket = socket;
        Runtime.getRuntime().addShutdownHook(new Thread(this::onSignal, "shutdown"));
    }

    /** True once SIGINT or SIGTERM arrived. */
    boolean interrupted() { return interrupted; }

    /** Opens the raw sockets first, so that a user without the right gets told before anything else. */
    static Program open(Log log) throws Failure {
        try {
            RawSocket socket = RawSocket.open(RstGuard.MARK);
            log.detail(null, socket.describeReceivePath());
            return new Program(log, socket);
        } catch (LibC.NativeException e) {
            if (e.errno == LibC.EPERM || e.errno == LibC.EACCES) {
                throw new Failure("raw sockets need root or CAP_NET_RAW (and CAP_NET_ADMIN): run with sudo");
            }
            throw new Failure("cannot open raw sockets: " + e.getMessage());
        }
    }

    /**
     * Opens the IPv6 sockets beside the IPv4 ones. required: the program cannot work without
     * them (an IPv6 peer or --bind); otherwise (a server on every address) a host without IPv6
     * just serves IPv4.
     */
    void enableIpv6(boolean required) throws Failure {
        try {
            socket.enableIpv6();
        } catch (LibC.NativeException e) {
            if (required) throw new Failure("cannot open IPv6 raw sockets: " + e.getMessage());
            log.detail(null, "IPv4 only: " + e.getMessage());
        }
    }

    /** Holds a port against other programs; port 0 picks a free one. null: every address of both versions. */
    int reservePort(IpAddress address, int port) throws Failure {
        try {
            PortReservation r = PortReservation.reserve(address, port);
            reservations.add(r);
            return r.port;
        } catch (LibC.NativeException e) {
            if (e.errno == LibC.EADDRINUSE) {
                throw new Failure("port " + port + " is already in use by another program on this host");
            }
            throw new Failure("cannot reserve port " + port + ": " + e.getMessage());
        }
    }

    /**
     * Has the kernel deliver only packets for our ports (a BPF filter), into a receive queue large
     * enough for bursts: the program then never wakes for other traffic.
     */
    void receiveOnly(Collection<Integer> ports, int receiveBufferBytes) throws Failure {
        try {
            socket.setReceiveBuffer(receiveBufferBytes);
            socket.attachReceiveFilter(PortFilter.forDestinationPorts(ports));
            socket.attachIpv6ReceiveFilter(PortFilter.forIpv6DestinationPorts(ports));
        } catch (LibC.NativeException e) {
            throw new Failure("cannot set up the packet socket: " + e.getMessage());
        }
    }

    /** Keeps the kernel's RSTs away from our ports, unless the user manages the firewall. */
    void guardPorts(String role, Collection<Integer> ports, boolean enabled) throws Failure {
        guardPorts(role, ports, enabled, null);
    }

    /** The same for the ports on one local address only (null: all of them): a server's --bind. */
    void guardPorts(String role, Collection<Integer> ports, boolean enabled, IpAddress localAddress) throws Failure {
        if (!enabled) return;
        try {
            guard = RstGuard.install(role, Set.copyOf(ports), localAddress);
            log.detail(null, "nftables table " + guard.tableName() + " keeps the kernel's TCP off port"
                    + (ports.size() == 1 ? " " : "s ") + summarize(ports)
                    + (localAddress == null || localAddress.isAny() ? "" : " of " + localAddress + " (other addresses' SYNs get the kernel's RST)"));
        } catch (RstGuard.GuardException e) {
            throw new Failure(e.getMessage());
        }
    }

    Pcap openCapture(String path) throws Failure {
        if (path == null) return null;
        try {
            pcap = new Pcap(path);
            return pcap;
        } catch (IOException e) {
            throw new Failure("cannot write the capture file " + path + ": " + e.getMessage());
        }
    }

    /**
     * Runs the stack until the application is done. SIGINT and SIGTERM stop the loop, which resets
     * open connections; then every resource is released before the JVM exits.
     */
    void run(TcpStack stack, TcpStack.Application app) throws Failure {
        this.stack = stack;
        if (interrupted) return;
        try {
            stack.run(app);
        } catch (LibC.NativeException e) {
            throw new Failure("network error: " + e.getMessage());
        }
        if (stack.internalError() != null) throw new Failure("internal error: " + stack.internalError());
    }

    private void onSignal() {
        interrupted = true;
        TcpStack s = stack;
        if (s != null) s.requestStop();
        try {
            if (finished.await(3, TimeUnit.SECONDS)) { // the loop resets connections and closes
                // The main thread halts with 130 in a moment. Were this hook to end first, the JVM
                // would end the process itself, with 128 + the signal (143 after SIGTERM): a race
                // seen under load. So the hook outlasts it, and halts with 130 if it must.
                Thread.sleep(2000);
                System.out.flush();
                Runtime.getRuntime().halt(EXIT_INTERRUPTED);
            }
        } catch (InterruptedException ignored) {
            Thread.currentThread().interrupt();
        }
        close();
    }

    /** Releases everything; safe to call twice (main thread, then shutdown hook). */
    @Override
    public synchronized void close() {
        if (guard != null) guard.close();
        for (PortReservation r : reservations) r.close();
        reservations.clear();
        socket.close();
        if (pcap != null) {
            try {
                pcap.close();
            } catch (IOException ignored) {
                // the capture is flushed after every packet
            }
            pcap = null;
        }
        finished.countDown();
    }

    /** Runs main's body and turns every outcome into an exit code with at most one line of text. */
    interface Body {
        int run() throws Failure, Cli.UsageException;
    }

    static void main(String role, String usage, String[] args, Body body) {
        int code;
        try {
            code = body.run();
        } catch (Cli.UsageException e) {
            System.err.println(role + ": " + e.getMessage());
            System.err.println(usage);
            code = EXIT_USAGE;
        } catch (Failure e) {
            System.out.flush();
            System.err.println("[" + role + "] Error: " + e.getMessage());
            code = EXIT_FAILED;
        } catch (RuntimeException e) {
            // A bug, not a situation the user caused: still one line, and still an orderly exit.
            StackTraceElement at = e.getStackTrace().length > 0 ? e.getStackTrace()[0] : null;
            System.out.flush();
            System.err.println("[" + role + "] Internal error: " + e + (at == null ? "" : " at " + at));
            code = EXIT_FAILED;
        }
        System.out.flush();
        // halt, not exit: after a signal the JVM is already shutting down, and exit would wait for
        // the hook, which waits for us. Everything was closed by the body's try-with-resources.
        Runtime.getRuntime().halt(code);
    }

    private static String summarize(Collection<Integer> ports) {
        List<Integer> sorted = new ArrayList<>(ports);
        sorted.sort(null);
        if (sorted.size() <= 4) return sorted.toString().replaceAll("[\\[\\]]", "");
        return sorted.get(0) + ", ..., " + sorted.get(sorted.size() - 1) + " (" + sorted.size() + " ports)";
    }
}
