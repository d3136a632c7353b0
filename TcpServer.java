///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//DEPS com.github.jnr:jnr-posix:3.1.20
//JAVA_OPTIONS --enable-native-access=ALL-UNNAMED -Djffi.unsafe.disabled=true
//SOURCES Packets.java IpAddress.java Icmp.java tcp/*.java os/*.java app/*.java viz/*.java
//SOURCES stack/TcpStack.java stack/Demultiplexer.java stack/TimerQueue.java stack/Wire.java stack/StreamApp.java stack/FaultInjector.java stack/ServerApp.java

import java.util.List;
import java.util.Set;

/** A TCP server made by hand over raw sockets: handshakes, echoes and closes. Run with sudo. */
public class TcpServer {
    static final String USAGE = String.join("\n",
            "Usage: sudo jbang TcpServer.java [--bind ADDR] [--port N] [--count N] [options]",
            "  --bind ADDR         accept connections to this local address only, IPv4 or IPv6",
            "                      (default, or ::, all addresses of both versions; 0.0.0.0: all IPv4)",
            "  --port N            the port to listen on (default 5000)",
            "  --count N           exit after N connections completed their handshake and closed",
            "                      (default: run until Ctrl-C)",
            "  --no-echo           acknowledge data without sending it back",
            "  --close-after-reply close each connection (send FIN) after the first reply",
            "  --backlog N         at most N half-open (SYN-RECEIVED) connections (default 256)",
            "  --stdio             like nc -l: take one connection; what the peer sends goes to standard",
            "                      output, standard input goes to the peer (log lines go to standard error)",
            "  --discard           only receive: count what arrives, send nothing back (a sink)",
            Cli.TCP_USAGE);

    public static void main(String[] args) {
        Program.main("Server", USAGE, args, () -> run(args));
    }

    static int run(String[] args) throws Program.Failure, Cli.UsageException {
        Cli cli = Cli.parse(args, Cli.union(Set.of("--bind", "--port", "--count", "--backlog"), Cli.TCP_VALUE_OPTIONS),
                Cli.union(Set.of("--no-echo", "--close-after-reply", "--stdio", "--discard"), Cli.COMMON_FLAGS));
        if (cli.has("--help")) {
            System.out.println(USAGE);
            return Program.EXIT_OK;
        }
        if (!cli.positional.isEmpty()) throw new Cli.UsageException("unexpected argument " + cli.positional.get(0));
        TcpStack.Settings settings = new TcpStack.Settings();
        cli.applyTo(settings);
        settings.listenPort = cli.integer("--port", 5000, 1, 65535);
        settings.backlog = cli.integer("--backlog", settings.backlog, 1, 1 << 20);
        String bind = cli.string("--bind", null);
        try {
            // Without --bind, and with --bind ::, both versions (as a kernel listener on :: takes
            // IPv4 too, net.ipv6.bindv6only being 0 by default); --bind 0.0.0.0: IPv4 only.
            IpAddress address = bind == null ? null : IpAddress.parse(bind);
            settings.bindAddress = address != null && address.isV6() && address.isAny() ? null : address;
        } catch (IllegalArgumentException e) {
            throw new Cli.UsageException("--bind needs an IPv4 or IPv6 address, not '" + bind + "'");
        }
        int count = cli.integer("--count", 0, 1, Integer.MAX_VALUE);
        boolean stdio = cli.has("--stdio"), discard = cli.has("--discard");
        if (stdio && discard) throw new Cli.UsageException("--stdio and --discard do not go together");
        if (stdio) count = 1; // like nc -l: one connection

        Log log = new Log("Server", cli.has("--verbose"), cli.has("--quiet"), stdio);
        if (cli.has("--ladder")) settings.ladder = new LiveLadder(line -> log.always(null, line));
        try (Program program = Program.open(log)) {
            if (settings.bindAddress == null || settings.bindAddress.isV6()) program.enableIpv6(bind != null);
            settings.localAddresses = LocalAddresses.read(); // SYNs to the subnets' broadcast addresses: dropped
            program.reservePort(settings.bindAddress, settings.listenPort);
            program.receiveOnly(List.of(settings.listenPort), settings.receiveBuffer);
            program.guardPorts("server", List.of(settings.listenPort), !cli.has("--no-rst-guard"), settings.bindAddress);
            Pcap pcap = program.openCapture(cli.string("--pcap", null));
            TcpStack stack = new TcpStack(settings, program.socket, log, pcap, Set.of());
            StandardStreams io = stdio ? StandardStreams.forProcess() : null;
            TcpStack.Application app;
            if (stdio || discard) {
                Progress progress = new Progress("Server", !cli.has("--quiet") && LibC.isTerminal(2), stack.now());
                app = new StreamApp(stack, log, () -> stdio ? new StreamApp.Stream(StreamApp.from(io), StreamApp.to(io))
                        : new StreamApp.Stream(StreamApp.nothing(), StreamApp.discard()), count, progress);
            } else {
                app = new ServerApp(stack, !cli.has("--no-echo"), cli.has("--close-after-reply"), count);
            }
            if (io != null) io.start();
            // Without --bind the line names IPv4's any address, as it always did, though IPv6 is served too.
            log.info(null, "Listening on " + (bind == null ? IpAddress.ANY_V4 : IpAddress.parse(bind)).withPort(settings.listenPort));
            program.run(stack, app);
            if (io != null) io.finishOutput(10_000);
            if (program.interrupted()) return Program.EXIT_INTERRUPTED;
            return app instanceof StreamApp s && s.failures() > 0 ? Program.EXIT_FAILED : Program.EXIT_OK;
        }
    }
}
