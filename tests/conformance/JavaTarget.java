import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Our TCP (TcpServer, TcpClient) or the kernel's (KernelTarget, through java.net), started in the
 * server namespace with the same application behaviour: the two stacks every scenario was first
 * written for. Their servers share the address 198.18.0.1, on different ports; with --ip 6,
 * fd00:198:18::1 (the peer at ::2), as tests/system/t_ipv6.sh sets the namespaces up. Our TcpServer
 * without --bind and the kernel's listeners on :: take both versions on one port.
 */
final class JavaTarget extends Target {
    static final IpAddress ADDRESS = IpAddress.parse("198.18.0.1"), PEER = IpAddress.parse("198.18.0.2");
    static final IpAddress ADDRESS6 = IpAddress.parse("fd00:198:18::1"), PEER6 = IpAddress.parse("fd00:198:18::2");
    private final Conformance.Setup setup;
    private final int[] ports;
    private final List<Process> servers = new ArrayList<>();
    private final List<Path> serverLogs = new ArrayList<>();

    JavaTarget(String name, Conformance.Setup setup) {
        super(name);
        this.setup = setup;
        this.ports = name.equals("ours") ? new int[] {7001, 7002, 7003} : new int[] {7101, 7102, 7103};
        serverAddress = clientAddress = setup.ip == 6 ? ADDRESS6 : ADDRESS;
        serverPeerAddress = clientPeerAddress = setup.ip == 6 ? PEER6 : PEER;
    }

    @Override String version() {
        return name.equals("ours") ? "TCP by hand (this checkout)" : "Linux " + kernelRelease() + " (through java.net)";
    }

    static String kernelRelease() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/osrelease")).strip();
        } catch (IOException e) {
            return "unknown";
        }
    }

    @Override void start(List<Script> scripts, List<Integer> clientPorts) throws Exception {
        if (setup.serverNs == null) throw new IllegalStateException(name + " needs --server-ns");
        if (scripts.stream().noneMatch(s -> s.target.isServer())) return;
        if (name.equals("ours")) {
            String[][] modes = {{}, {"--no-echo"}, {"--close-after-reply"}};
            String[] words = {"echo", "no-echo", "close"};
            for (int i = 0; i < 3; i++) {
                List<String> command = new ArrayList<>(List.of("TcpServer", "--port", "" + ports[i], "--verbose"));
                command.addAll(List.of(modes[i]));
                Path log = setup.logs.resolve("target-ours-" + words[i] + ".out");
                servers.add(launch(command, log));
                serverLogs.add(log);
            }
            for (Path log : serverLogs) Conformance.waitForLine(log, "Listening on");
        } else {
            Path log = setup.logs.resolve("target-kernel.out");
            servers.add(launch(List.of("KernelTarget", "servers", "" + ports[0], "" + ports[1], "" + ports[2]), log));
            serverLogs.add(log);
            Conformance.waitForLine(log, "listening");
        }
    }

    @Override int serverPort(Script.Target behaviour) { return behaviour.isServer() ? ports[behaviour.ordinal()] : -1; }

    @Override boolean canConnect() { return true; }

    @Override Process startClient(int peerPort, String message, Path output) throws IOException {
        List<String> command = name.equals("ours")
                ? List.of("TcpClient", clientPeerAddress.toString(), "--port", "" + peerPort, "--message", message, "--timeout", "4", "--verbose")
                : List.of("KernelTarget", "client", clientPeerAddress.toString(), "" + peerPort, message);
        return launch(command, output);
    }

    @Override void checkAlive() throws IOException {
        for (int i = 0; i < servers.size(); i++) {
            if (!servers.get(i).isAlive())
                throw new IllegalStateException("a " + name + " server exited (code " + servers.get(i).exitValue() + "); its output: "
                        + serverLogs.get(i) + "\n" + Files.readString(serverLogs.get(i)));
        }
    }

    @Override void stop() {
        for (Process p : servers) p.destroy(); // SIGTERM: our servers remove their nftables tables
        for (Process p : servers) {
            try {
                if (!p.waitFor(10, TimeUnit.SECONDS)) p.destroyForcibly();
            } catch (InterruptedException e) {
                p.destroyForcibly();
            }
        }
        servers.clear();
    }

    private Process launch(List<String> programAndArgs, Path output) throws IOException {
        List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", setup.serverNs));
        command.addAll(setup.java);
        command.addAll(programAndArgs);
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
    }
}
