///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//DEPS com.github.jnr:jnr-posix:3.1.20
//JAVA_OPTIONS --enable-native-access=ALL-UNNAMED -Djffi.unsafe.disabled=true
//SOURCES Packets.java tcp/*.java os/*.java app/*.java
//SOURCES stack/TcpStack.java stack/ClientApp.java

import java.net.Inet4Address;
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
            "  --port N            the server's port (default 5000)",
            "  --source-port N     our port (default: a free port the kernel picks)",
            "  --timeout SECONDS   give up when the handshake, or the reply, takes longer (default 10)",
            "  --message TEXT      after the handshake, send TEXT and wait for the reply",
            "  --no-close          keep the connection open until the peer closes or Ctrl-C",
            "  --connections N     open N connections at once, from N ports (default 1)",
            Cli.TCP_USAGE);

    public static void main(String[] args) {
        Program.main("Client", USAGE, args, () -> run(args));
    }

    static int run(String[] args) throws Program.Failure, Cli.UsageException {
        Cli cli = Cli.parse(args,
                Cli.union(Set.of("--port", "--source-port", "--timeout", "--message", "--connections"), Cli.TCP_VALUE_OPTIONS),
                Cli.union(Set.of("--no-close"), Cli.COMMON_FLAGS));
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
        TcpStack.Settings settings = new TcpStack.Settings();
        settings.tcp = cli.tcpConfig();
        settings.spinMicros = cli.integer("--spin-us", settings.spinMicros, 0, 1_000_000);
        settings.injectInternalError = cli.has("--inject-internal-error");
        settings.nameConnections = connections > 1;
        String host = cli.positional.get(0);
        Log log = new Log("Client", cli.has("--verbose"), cli.has("--quiet"));

        try (Program program = Program.open(log)) {
            int server = resolve(host);
            Route.Info route;
            try {
                route = Route.lookup(server);
            } catch (LibC.NativeException e) {
                throw new Program.Failure("no route to " + host + ": " + e.getMessage());
            }
            settings.tcp = settings.tcp.withMss(Route.mssFor(route.mtu()));
            List<Integer> ports = new ArrayList<>();
            for (int i = 0; i < connections; i++) {
                ports.add(program.reservePort(route.sourceAddress(), sourcePort == 0 ? 0 : sourcePort + i));
            }
            program.receiveOnly(ports, settings.receiveBuffer);
            program.guardPorts("client", ports, !cli.has("--no-rst-guard"));
            Pcap pcap = program.openCapture(cli.string("--pcap", null));
            TcpStack stack = new TcpStack(settings, program.socket, log, pcap, Set.copyOf(ports));
            ClientApp app = new ClientApp(stack, log, message, !cli.has("--no-close"), timeout);
            for (int localPort : ports) app.add(stack.connect(route.sourceAddress(), localPort, server, port));
            program.run(stack, app);
            if (program.interrupted()) return Program.EXIT_INTERRUPTED;
            if (connections > 1) log.always(null, app.succeeded() + "/" + app.total() + " connections completed");
            return app.succeeded() == app.total() ? Program.EXIT_OK : Program.EXIT_FAILED;
        }
    }

    private static int resolve(String host) throws Program.Failure {
        try {
            return Packets.parseAddress(host);
        } catch (IllegalArgumentException notDotted) {
            try {
                for (InetAddress a : InetAddress.getAllByName(host)) {
                    if (a instanceof Inet4Address) return Packets.parseAddress(a.getHostAddress());
                }
                throw new Program.Failure(host + " has no IPv4 address");
            } catch (UnknownHostException e) {
                throw new Program.Failure("unknown host " + host);
            }
        }
    }
}
