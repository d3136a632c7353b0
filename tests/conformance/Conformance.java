import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * The conformance runner: plays every scenario of tests/conformance/scenarios against our TCP and
 * the kernel's, side by side, and says per scenario whether ours did the same as the kernel, differs
 * as the scenario documents, or differs. Runs as root in the scripted peer's namespace (the
 * "client" host); the targets run in the other one, started here with "ip netns exec".
 *
 *   Conformance --server-ns NS --java "JAVA COMMAND" --scenarios DIR --logs DIR [--report FILE] [NAME...]
 *
 * Prints "PASS conformance/NAME ..." or "FAIL conformance/NAME ..." per scenario (lib.sh counts
 * them), then the side-by-side report. Exit 0 when no scenario differs without a documented reason.
 */
final class Conformance {
    static final int PEER_ADDRESS = Packets.parseAddress("198.18.0.2");
    static final int TARGET_ADDRESS = Packets.parseAddress("198.18.0.1");
    /** Our TcpServer on the first three, the kernel's listeners on the next three. */
    static final int[] OUR_PORTS = {7001, 7002, 7003}, KERNEL_PORTS = {7101, 7102, 7103};
    /** The scripted peer's ports: scenario i uses FIRST_PEER_PORT + 2i (ours) and + 2i + 1 (kernel). */
    static final int FIRST_PEER_PORT = 20000, LAST_PEER_PORT = 39999;

    private static String serverNs;
    private static List<String> java;
    private static Path logs;
    private static final List<Process> targets = new ArrayList<>();
    private static final List<Path> targetLogs = new ArrayList<>();

    record Outcome(Script script, ScriptedPeer.Result ours, ScriptedPeer.Result kernel) {
        boolean documented() { return !script.differs.isEmpty(); }
        boolean ok() { return ours.passed() && kernel.passed(); }
        String words() {
            if (!ok()) return "differs";
            return documented() ? "differs as documented" : "same as the kernel";
        }
    }

    public static void main(String[] args) throws Exception {
        Path scenarios = null;
        Path report = null;
        List<String> only = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--server-ns" -> serverNs = args[++i];
                case "--java" -> java = Arrays.asList(args[++i].trim().split("\\s+"));
                case "--scenarios" -> scenarios = Path.of(args[++i]);
                case "--logs" -> logs = Path.of(args[++i]);
                case "--report" -> report = Path.of(args[++i]);
                default -> only.add(args[i]);
            }
        }
        if (serverNs == null || java == null || scenarios == null || logs == null) {
            System.err.println("usage: Conformance --server-ns NS --java \"JAVA COMMAND\" --scenarios DIR --logs DIR [--report FILE] [NAME...]");
            System.exit(2);
        }
        Files.createDirectories(logs);
        List<Script> scripts = new ArrayList<>();
        try (var files = Files.list(scenarios)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".script")).sorted().toList()) {
                Script s = Script.read(f);
                if (only.isEmpty() || only.stream().anyMatch(s.name::contains)) scripts.add(s);
            }
        }
        long began = System.nanoTime();
        List<Outcome> outcomes = new ArrayList<>();
        RstGuard guard = RstGuard.installRange("conformance peer", FIRST_PEER_PORT, LAST_PEER_PORT);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> { stopTargets(); guard.close(); }));
        try {
            startServers(scripts);
            ExecutorService pool = Executors.newFixedThreadPool(2);
            List<String> allNames = new ArrayList<>();
            try (var files = Files.list(scenarios)) {
                files.filter(p -> p.toString().endsWith(".script")).sorted()
                     .forEach(p -> allNames.add(p.getFileName().toString().replaceFirst("\\.script$", "")));
            }
            for (Script s : scripts) {
                checkTargetsAlive();
                int index = allNames.indexOf(s.name); // stable ports for a scenario, whatever is selected
                Future<ScriptedPeer.Result> ours = pool.submit(() -> play(s, "ours", FIRST_PEER_PORT + 2 * index));
                Future<ScriptedPeer.Result> kernel = pool.submit(() -> play(s, "kernel", FIRST_PEER_PORT + 2 * index + 1));
                Outcome o = new Outcome(s, ours.get(), kernel.get());
                outcomes.add(o);
                System.out.println((o.ok() ? "PASS" : "FAIL") + " conformance/" + s.name + ": " + o.words());
                System.out.flush();
            }
            pool.shutdown();
        } finally {
            stopTargets();
            guard.close();
        }
        String text = report(outcomes, (System.nanoTime() - began) / 1e9);
        System.out.print(text);
        if (report != null) Files.writeString(report, text, StandardCharsets.UTF_8);
        System.exit(outcomes.stream().allMatch(Outcome::ok) ? 0 : 1);
    }

    private static ScriptedPeer.Result play(Script s, String target, int peerPort) throws Exception {
        Process client = null;
        ScriptedPeer.Result r;
        try (RawSocket socket = RawSocket.open(RstGuard.MARK)) {
            int targetPort;
            if (s.target.isServer()) {
                targetPort = (target.equals("ours") ? OUR_PORTS : KERNEL_PORTS)[s.target.ordinal()];
            } else {
                targetPort = 0; // learnt from the target's SYN
                List<String> command = target.equals("ours")
                        ? List.of("TcpClient", "198.18.0.2", "--port", "" + peerPort, "--message", "hello", "--timeout", "4", "--verbose")
                        : List.of("KernelTarget", "client", "198.18.0.2", "" + peerPort, "hello");
                client = launch(command, logs.resolve(s.name + "." + target + ".client.out"));
            }
            ScriptedPeer peer = new ScriptedPeer(socket, target, PEER_ADDRESS, peerPort, TARGET_ADDRESS, targetPort);
            r = peer.play(s);
        }
        if (client != null) {
            client.destroy();
            if (!client.waitFor(5, TimeUnit.SECONDS)) client.destroyForcibly();
        }
        List<String> log = new ArrayList<>();
        log.add("scenario " + s.name + " against " + target + ": " + (r.passed() ? "passed" : "FAILED: " + r.reason()));
        log.addAll(r.transcript());
        Files.write(logs.resolve(s.name + "." + target + ".log"), log, StandardCharsets.UTF_8);
        return r;
    }

    // ------------------------------------------------------------------ targets

    private static void startServers(List<Script> scripts) throws Exception {
        if (scripts.stream().noneMatch(s -> s.target.isServer())) return;
        Path ours1 = logs.resolve("target-ours-echo.out"), ours2 = logs.resolve("target-ours-no-echo.out"),
             ours3 = logs.resolve("target-ours-close.out"), kernel = logs.resolve("target-kernel.out");
        targets.add(launch(List.of("TcpServer", "--port", "" + OUR_PORTS[0], "--verbose"), ours1));
        targets.add(launch(List.of("TcpServer", "--port", "" + OUR_PORTS[1], "--no-echo", "--verbose"), ours2));
        targets.add(launch(List.of("TcpServer", "--port", "" + OUR_PORTS[2], "--close-after-reply", "--verbose"), ours3));
        targets.add(launch(List.of("KernelTarget", "servers", "" + KERNEL_PORTS[0], "" + KERNEL_PORTS[1], "" + KERNEL_PORTS[2]), kernel));
        targetLogs.addAll(List.of(ours1, ours2, ours3, kernel));
        for (Path p : List.of(ours1, ours2, ours3)) waitForLine(p, "Listening on");
        waitForLine(kernel, "listening");
    }

    /** A target that died (a crash, a build of ours that does not run) makes every later result meaningless. */
    private static void checkTargetsAlive() throws IOException {
        for (int i = 0; i < targets.size(); i++) {
            if (!targets.get(i).isAlive()) {
                throw new IllegalStateException("a target server exited (code " + targets.get(i).exitValue() + "); its output: "
                        + targetLogs.get(i) + "\n" + Files.readString(targetLogs.get(i)));
            }
        }
    }

    private static Process launch(List<String> programAndArgs, Path output) throws IOException {
        List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", serverNs));
        command.addAll(java);
        command.addAll(programAndArgs);
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
    }

    private static void waitForLine(Path file, String text) throws Exception {
        long end = System.nanoTime() + 30_000_000_000L;
        while (System.nanoTime() < end) {
            if (Files.exists(file) && Files.readString(file).contains(text)) return;
            Thread.sleep(50);
        }
        throw new IllegalStateException("target did not start: no '" + text + "' in " + file + ":\n" + Files.readString(file));
    }

    private static synchronized void stopTargets() {
        for (Process p : targets) p.destroy(); // SIGTERM: our servers remove their nftables tables
        for (Process p : targets) {
            try {
                if (!p.waitFor(10, TimeUnit.SECONDS)) p.destroyForcibly();
            } catch (InterruptedException e) {
                p.destroyForcibly();
            }
        }
        targets.clear();
    }

    // ------------------------------------------------------------------ the report

    static String report(List<Outcome> outcomes, double seconds) {
        StringBuilder b = new StringBuilder();
        int width = 8;
        for (Outcome o : outcomes) width = Math.max(width, o.script().name.length());
        String row = "%-" + width + "s  %-6s  %-6s  %s%n";
        b.append(String.format("%nConformance: our TCP and the kernel's, scenario by scenario (%d scenarios, %.0f s)%n",
                outcomes.size(), seconds));
        b.append(String.format(row, "scenario", "ours", "kernel", "outcome"));
        int same = 0, documented = 0, differs = 0;
        for (Outcome o : outcomes) {
            b.append(String.format(row, o.script().name, o.ours().passed() ? "as RFC" : "FAIL",
                    o.kernel().passed() ? "as RFC" : "FAIL", o.words()));
            if (!o.ok()) differs++; else if (o.documented()) documented++; else same++;
        }
        b.append(String.format("%d same as the kernel, %d differ as documented, %d differ%n", same, documented, differs));
        boolean header = false;
        for (Outcome o : outcomes) {
            if (o.ok() && !o.documented() && o.script().kernelNotes.isEmpty()) continue;
            if (!header) { b.append(String.format("%nDetails:%n")); header = true; }
            b.append("  ").append(o.script().name).append(" (").append(o.script().title).append(")").append(System.lineSeparator());
            o.script().differs.forEach((who, why) -> b.append("    documented, ").append(who).append(": ").append(why).append(System.lineSeparator()));
            for (String note : o.script().kernelNotes) b.append("    the kernel and the RFC: ").append(note).append(System.lineSeparator());
            if (!o.ours().passed()) b.append("    ours failed at line ").append(o.ours().failedLine()).append(": ").append(o.ours().reason()).append(System.lineSeparator());
            if (!o.kernel().passed()) b.append("    kernel failed at line ").append(o.kernel().failedLine()).append(": ").append(o.kernel().reason()).append(System.lineSeparator());
        }
        return b.toString();
    }

}
