///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//DEPS com.github.jnr:jnr-posix:3.1.20
//JAVA_OPTIONS --enable-native-access=ALL-UNNAMED -Djffi.unsafe.disabled=true -XX:TieredStopAtLevel=1
//SOURCES Packets.java IpAddress.java Icmp.java tcp/*.java os/*.java app/*.java viz/*.java
//SOURCES stack/TcpStack.java stack/Demultiplexer.java stack/TimerQueue.java stack/Wire.java stack/StreamApp.java stack/FaultInjector.java stack/ClientApp.java

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** A TCP client made by hand over raw sockets: handshake, message, close. Run with sudo. */
public class TcpClient {
    static final String USAGE = String.join("\n",
            "Usage: sudo jbang TcpClient.java HOST [--port N] [--source-port N] [--timeout SECONDS] [options]",
            "  HOST                an IPv4 or IPv6 address (198.18.0.1, ::1), or a name (IPv4 first)",
            "  --port N            the server's port (default 5000)",
            "  --source-port N     our port (default: a free port the kernel picks)",
            "  --timeout SECONDS   give up when the handshake, or the reply, takes longer (default 10)",
            "  --message TEXT      after the handshake, send TEXT and wait for the reply",
            "  --no-close          keep the connection open until the peer closes or Ctrl-C",
            "  --connections N     open N connections at once, from N ports (default 1)",
            "  --stdio             like nc -N: standard input goes to the peer, then our FIN; what the",
            "                      peer sends goes to standard output (log lines go to standard error)",
            "  --send-bytes N      send N bytes (e.g. 100M), then close; what comes back is counted",
            Cli.TCP_USAGE);

    public static void main(String[] args) {
        Program.main("Client", USAGE, args, () -> run(args));
    }

    static int run(String[] args) throws Program.Failure, Cli.UsageException {
        Cli cli = Cli.parse(args,
                Cli.union(Set.of("--port", "--source-port", "--timeout", "--message", "--connections", "--send-bytes"), Cli.TCP_VALUE_OPTIONS),
                Cli.union(Set.of("--no-close", "--stdio"), Cli.COMMON_FLAGS));
        if (cli.has("--help")) {
            System.out.println(USAGE);
            return Program.EXIT_OK;
        }
        if (cli.positional.size() != 1) {
            throw new Cli.UsageException(cli.positional.isEmpty() ? "HOST is missing" : "unexpected argument " + cli.positional.get(1));
        }
        int port = cli.integer("--port", 5000, 1, 65535);
        int connections = cli.integer("--connections", 1, 1, 20_000);
        int sourcePort = cli.integer("--source-port", 0, 1, 65535 - connections + 1);
        long timeout = cli.seconds("--timeout", 10, 0.001, 86_400);
        String text = cli.string("--message", null);
        byte[] message = text == null ? null : text.getBytes(StandardCharsets.UTF_8);
        if (message != null && message.length == 0) throw new Cli.UsageException("--message needs some text");
        boolean stdio = cli.has("--stdio");
        long sendBytes = cli.byteCount("--send-bytes", -1, 0, Long.MAX_VALUE / 2);
        int modes = (stdio ? 1 : 0) + (sendBytes >= 0 ? 1 : 0) + (message != null ? 1 : 0);
        if (modes > 1) throw new Cli.UsageException("choose one of --stdio, --send-bytes and --message");
        if (modes == 1 && connections > 1 && stdio) throw new Cli.UsageException("--stdio takes one connection");
        TcpStack.Settings settings = new TcpStack.Settings();
        cli.applyTo(settings);
        settings.nameConnections = connections > 1;
        String host = cli.positional.get(0);
        Log log = new Log("Client", cli.has("--verbose"), cli.has("--quiet"), stdio);
        if (cli.has("--ladder")) settings.ladder = new LiveLadder(line -> log.always(null, line));

        try (Program program = Program.open(log)) {
            IpAddress server = resolve(host);
            if (server.isV6()) program.enableIpv6(true);
            settings.localAddresses = LocalAddresses.read();
            String notUnicast = settings.localAddresses.notUnicast(server);
            if (notUnicast != null) {
                // RFC 9293 3.9.1.1: "A TCP implementation MUST reject as an error a local OPEN call
                // for an invalid remote IP address (e.g., a broadcast or multicast address) (MUST-46)."
                // The kernel's connect() says ENETUNREACH; we say why.
                throw new Program.Failure("cannot connect to " + server + ": it is " + notUnicast
                        + ", not one host (RFC 9293 MUST-46; the kernel's connect says \"Network is unreachable\")");
            }
            Route.Info route;
            try {
                route = Route.lookup(server);
            } catch (LibC.NativeException e) {
                throw new Program.Failure("no route to " + host + ": " + e.getMessage());
            }
            settings.tcp = settings.tcp.withMss(Route.mssFor(route.mtu(), server.isV6()));
            List<Integer> ports = new ArrayList<>();
            for (int i = 0; i < connections; i++) {
                ports.add(program.reservePort(route.sourceAddress(), sourcePort == 0 ? 0 : sourcePort + i));
            }
            program.receiveOnly(ports, settings.receiveBuffer);
            program.guardPorts("client", ports, !cli.has("--no-rst-guard"));
            Pcap pcap = program.openCapture(cli.string("--pcap", null));
            TcpStack stack = new TcpStack(settings, program.socket, log, pcap, Set.copyOf(ports));
            if (stdio || sendBytes >= 0) {
                StandardStreams io = stdio ? StandardStreams.forProcess() : null;
                Progress progress = new Progress("Client", !cli.has("--quiet") && LibC.isTerminal(2), stack.now());
                StreamApp app = new StreamApp(stack, log, () -> stdio ? new StreamApp.Stream(StreamApp.from(io), StreamApp.to(io))
                        : new StreamApp.Stream(StreamApp.generated(sendBytes), StreamApp.discard()), 0, progress);
                app.handshakeTimeout(timeout);
                if (io != null) io.start();
                for (int localPort : ports) app.add(stack.connect(route.sourceAddress(), localPort, server, port));
                program.run(stack, app);
                if (io != null) io.finishOutput(10_000);
                if (program.interrupted()) return Program.EXIT_INTERRUPTED;
                return app.failures() == 0 ? Program.EXIT_OK : Program.EXIT_FAILED;
            }
            ClientApp app = new ClientApp(stack, log, message, !cli.has("--no-close"), timeout);
            for (int localPort : ports) app.add(stack.connect(route.sourceAddress(), localPort, server, port));
            program.run(stack, app);
            if (program.interrupted()) return Program.EXIT_INTERRUPTED;
            if (connections > 1) log.always(null, app.succeeded() + "/" + app.total() + " connections completed");
            return app.succeeded() == app.total() ? Program.EXIT_OK : Program.EXIT_FAILED;
        }
    }

    /** An IPv4 or IPv6 address, or a name: its first IPv4 address, else its first IPv6 one. */
    private static IpAddress resolve(String host) throws Program.Failure {
        try {
            return IpAddress.parse(host);
        } catch (IllegalArgumentException notAnAddress) {
            if (host.indexOf(':') >= 0) throw new Program.Failure(notAnAddress.getMessage());
            try {
                InetAddress[] all = InetAddress.getAllByName(host);
                for (InetAddress a : all) if (a instanceof Inet4Address) return IpAddress.of(a.getAddress());
                for (InetAddress a : all) if (a instanceof Inet6Address) return IpAddress.of(a.getAddress());
                throw new Program.Failure(host + " has no IP address");
            } catch (UnknownHostException e) {
                throw new Program.Failure("unknown host " + host);
            }
        }
    }
}
