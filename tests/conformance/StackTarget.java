import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Another TCP implementation, brought up and down by tests/stacks/stack.sh beside the scripted
 * peer's namespace: gVisor's netstack, lwIP, libslirp (slirp4netns) or passt (pasta). The script
 * says where the stack lives ("server 198.18.2.2", "server-peer 198.18.2.1", ...) and its version;
 * its servers listen on ports 7001-7003 with the behaviours of Script.Target.
 */
final class StackTarget extends Target {
    static final List<String> STACKS = List.of("gvisor", "lwip", "slirp", "passt");
    private static final int[] PORTS = {7001, 7002, 7003};

    private final Conformance.Setup setup;
    private String version = "unknown";
    private boolean up;
    private Process servers;
    private Path serverLog;
    private List<Script> scripts;
    private List<Integer> clientPorts;
    private int restarts;

    StackTarget(String name, Conformance.Setup setup) {
        super(name);
        this.setup = setup;
    }

    @Override String version() { return version; }

    @Override void start(List<Script> scripts, List<Integer> clientPorts) throws Exception {
        if (setup.peerNs == null) throw new IllegalStateException(name + " needs --peer-ns (the scripted peer's namespace)");
        this.scripts = scripts;
        this.clientPorts = clientPorts;
        Path log = setup.logs.resolve("target-" + name + "-up" + (restarts > 0 ? "-" + restarts : "") + ".out");
        Process p = command(List.of("up"), clientPorts).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        up = true; // whatever it made before failing, down removes
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0)
            throw new IllegalStateException(name + " did not come up: " + log + "\n" + Files.readString(log));
        Map<String, String> said = new HashMap<>();
        for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
            int space = line.indexOf(' ');
            if (space > 0) said.put(line.substring(0, space), line.substring(space + 1).strip());
        }
        version = said.getOrDefault("version", "unknown");
        serverAddress = IpAddress.parse(said.get("server"));
        serverPeerAddress = IpAddress.parse(said.get("server-peer"));
        clientAddress = IpAddress.parse(said.get("client"));
        clientPeerAddress = IpAddress.parse(said.get("client-peer"));
        if (scripts.stream().anyMatch(s -> s.target.isServer())) {
            serverLog = setup.logs.resolve("target-" + name + (restarts > 0 ? "-" + restarts : "") + ".out");
            servers = command(List.of("servers", "" + PORTS[0], "" + PORTS[1], "" + PORTS[2]), clientPorts)
                    .redirectErrorStream(true).redirectOutput(serverLog.toFile()).start();
            Conformance.waitForLine(serverLog, "listening");
        }
    }

    @Override int serverPort(Script.Target behaviour) { return behaviour.isServer() ? PORTS[behaviour.ordinal()] : -1; }

    @Override boolean canConnect() { return true; }

    @Override Process startClient(int peerPort, String message, Path output) throws IOException {
        return command(List.of("client", "" + peerPort, message), List.of())
                .redirectErrorStream(true).redirectOutput(output.toFile()).start();
    }

    @Override void checkAlive() throws IOException {
        if (servers != null && !servers.isAlive())
            throw new IllegalStateException("the " + name + " servers exited (code " + servers.exitValue() + "); their output: "
                    + serverLog + "\n" + Files.readString(serverLog));
    }

    @Override String trouble() {
        try {
            Process p = command(List.of("alive"), List.of()).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            if (p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0) return null;
            return "its process (" + (name.equals("slirp") ? "slirp4netns" : "pasta") + ") exited; the stack was restarted for the next scenario";
        } catch (IOException | InterruptedException e) {
            return "could not check it: " + e;
        }
    }

    @Override void restart() throws Exception {
        stop();
        restarts++;
        start(scripts, clientPorts);
    }

    @Override void stop() {
        if (servers != null) {
            servers.destroy();
            try {
                if (!servers.waitFor(5, TimeUnit.SECONDS)) servers.destroyForcibly();
            } catch (InterruptedException e) {
                servers.destroyForcibly();
            }
            servers = null;
        }
        if (!up) return;
        up = false;
        try {
            Process p = command(List.of("down"), List.of()).redirectErrorStream(true)
                    .redirectOutput(setup.logs.resolve("target-" + name + "-down.out").toFile()).start();
            if (!p.waitFor(30, TimeUnit.SECONDS)) p.destroyForcibly();
        } catch (IOException | InterruptedException e) {
            System.err.println(name + ": could not take it down: " + e);
        }
    }

    private ProcessBuilder command(List<String> args, List<Integer> clientPorts) {
        List<String> command = new ArrayList<>(List.of("bash", setup.stacks.resolve("stack.sh").toString(), name));
        command.addAll(args);
        ProcessBuilder b = new ProcessBuilder(command);
        b.environment().put("PEER_NS", setup.peerNs);
        b.environment().put("TAG", setup.tag);
        if (setup.stacksBin != null) b.environment().put("STACKS_BIN", setup.stacksBin.toString());
        b.environment().put("CLIENT_PORTS", clientPorts.isEmpty() ? "none"
                : clientPorts.stream().map(String::valueOf).collect(Collectors.joining(",")));
        return b;
    }
}
