///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//DEPS com.github.jnr:jnr-posix:3.1.20
//JAVA_OPTIONS --enable-native-access=ALL-UNNAMED -Djffi.unsafe.disabled=true
//SOURCES Packets.java tcp/*.java os/*.java app/*.java
//SOURCES stack/TcpStack.java stack/ServerApp.java

import java.util.List;
import java.util.Set;

/** A TCP server made by hand over raw sockets: handshakes, echoes and closes. Run with sudo. */
public class TcpServer {
    static final String USAGE = String.join("\n",
            "Usage: sudo jbang TcpServer.java [--bind ADDR] [--port N] [--count N] [options]",
            "  --bind ADDR         accept connections to this local address only (default: all)",
            "  --port N            the port to listen on (default 5000)",
            "  --count N           exit after N connections completed their handshake and closed",
            "                      (default: run until Ctrl-C)",
            "  --no-echo           acknowledge data without sending it back",
            "  --close-after-reply close each connection (send FIN) after the first reply",
            "  --backlog N         at most N half-open (SYN-RECEIVED) connections (default 256)",
            Cli.TCP_USAGE);

    public static void main(String[] args) {
        Program.main("Server", USAGE, args, () -> run(args));
    }

    static int run(String[] args) throws Program.Failure, Cli.UsageException {
        Cli cli = Cli.parse(args, Cli.union(Set.of("--bind", "--port", "--count", "--backlog"), Cli.TCP_VALUE_OPTIONS),
                Cli.union(Set.of("--no-echo", "--close-after-reply"), Cli.COMMON_FLAGS));
        if (cli.has("--help")) {
            System.out.println(USAGE);
            return Program.EXIT_OK;
        }
        if (!cli.positional.isEmpty()) throw new Cli.UsageException("unexpected argument " + cli.positional.get(0));
        TcpStack.Settings settings = new TcpStack.Settings();
        settings.tcp = cli.tcpConfig();
        settings.spinMicros = cli.integer("--spin-us", settings.spinMicros, 0, 1_000_000);
        settings.injectInternalError = cli.has("--inject-internal-error");
        settings.listenPort = cli.integer("--port", 5000, 1, 65535);
        settings.backlog = cli.integer("--backlog", settings.backlog, 1, 1 << 20);
        String bind = cli.string("--bind", "0.0.0.0");
        try {
            settings.bindAddress = Packets.parseAddress(bind);
        } catch (IllegalArgumentException e) {
            throw new Cli.UsageException("--bind needs an IPv4 address, not '" + bind + "'");
        }
        int count = cli.integer("--count", 0, 1, Integer.MAX_VALUE);

        Log log = new Log("Server", cli.has("--verbose"), cli.has("--quiet"));
        try (Program program = Program.open(log)) {
            program.reservePort(settings.bindAddress, settings.listenPort);
            program.receiveOnly(List.of(settings.listenPort), settings.receiveBuffer);
            program.guardPorts("server", List.of(settings.listenPort), !cli.has("--no-rst-guard"));
            Pcap pcap = program.openCapture(cli.string("--pcap", null));
            TcpStack stack = new TcpStack(settings, program.socket, log, pcap, Set.of());
            ServerApp app = new ServerApp(stack, !cli.has("--no-echo"), cli.has("--close-after-reply"), count);
            log.info(null, "Listening on " + bind + ":" + settings.listenPort);
            program.run(stack, app);
            return program.interrupted() ? Program.EXIT_INTERRUPTED : Program.EXIT_OK;
        }
    }
}
