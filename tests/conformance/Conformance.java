import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * The conformance runner: plays every scenario of tests/conformance/scenarios against every target
 * (our TCP, the kernel's, and other stacks), all targets of a scenario at the same time, and says
 * per scenario and target: as the RFC, departs (documented), differs, or not run. Runs as root in
 * the scripted peer's namespace; our TCP and the kernel's run in the server namespace, other stacks
 * beside the peer's namespace (tests/stacks/stack.sh).
 *
 *   Conformance --java "JAVA COMMAND" --scenarios DIR --logs DIR [--targets LIST] [--server-ns NS]
 *               [--peer-ns NS] [--stacks DIR] [--stacks-bin DIR] [--tag TAG] [--report FILE]
 *               [--markdown FILE] [--informative LIST] [--ip 4|6] [NAME...]
 *
 * --ip 6 (or --ipv6) plays the scenarios over IPv6 (fd00:198:18::2 to ::1) against ours and kernel
 * only; a scenario with an "ip: 4" line is "not run" there, one with "ip: 6" is not run over IPv4.
 *
 * LIST is comma-separated: ours, kernel, gvisor, lwip, slirp, passt, tcp:ADDRESS:PORT[,PORT,PORT]
 * (default ours,kernel). NAME keeps the scenarios whose name contains it. The stacks of
 * --informative are played and reported, but where they differ the scenario still passes (a stack
 * whose differences are too many to document one by one). Prints
 * "PASS conformance/NAME: ..." or "FAIL conformance/NAME: ..." per scenario (lib.sh counts them),
 * then the report. Each run of a scenario leaves its transcript (NAME.TARGET.log) and its packets
 * (NAME.TARGET.pcap, for Ladder.java) in the logs folder. Exit 0 when no stack differs.
 */
final class Conformance {
    /** The scripted peer's ports: scenario i against the target in slot s uses FIRST_PEER_PORT + 10 i + s. */
    static final int FIRST_PEER_PORT = 20000, LAST_PEER_PORT = 39999;
    /** A fixed slot per kind of target, so a scenario's ports do not depend on what else runs. */
    static final List<String> SLOTS = List.of("ours", "kernel", "gvisor", "lwip", "slirp", "passt", "tcp");

    /** Where things are: what every target needs to start. */
    static final class Setup {
        String serverNs, peerNs;
        List<String> java;
        Path logs, stacks = Path.of("tests/stacks"), stacksBin;
        String tag = "" + ProcessHandle.current().pid();
        /** The IP version the peer speaks: 4, or 6 (ours and kernel only). */
        int ip = 4;
    }

    public static void main(String[] args) throws Exception {
        Setup setup = new Setup();
        Path scenarios = null, report = null, markdown = null;
        String targetList = "ours,kernel";
        List<String> only = new ArrayList<>();
        List<String> informative = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--server-ns" -> setup.serverNs = args[++i];
                case "--peer-ns" -> setup.peerNs = args[++i];
                case "--java" -> setup.java = Arrays.asList(args[++i].trim().split("\\s+"));
                case "--scenarios" -> scenarios = Path.of(args[++i]);
                case "--logs" -> setup.logs = Path.of(args[++i]);
                case "--targets" -> targetList = args[++i];
                case "--stacks" -> setup.stacks = Path.of(args[++i]);
                case "--stacks-bin" -> setup.stacksBin = Path.of(args[++i]);
                case "--tag" -> setup.tag = args[++i];
                case "--ip" -> setup.ip = Integer.parseInt(args[++i]);
                case "--ipv6" -> setup.ip = 6;
                case "--report" -> report = Path.of(args[++i]);
                case "--markdown" -> markdown = Path.of(args[++i]);
                case "--informative" -> informative.addAll(List.of(args[++i].split(",")));
                default -> only.add(args[i]);
            }
        }
        if (setup.java == null || scenarios == null || setup.logs == null || (setup.ip != 4 && setup.ip != 6)) {
            System.err.println("usage: Conformance --java \"JAVA COMMAND\" --scenarios DIR --logs DIR [--targets LIST]"
                    + " [--server-ns NS] [--peer-ns NS] [--stacks DIR] [--stacks-bin DIR] [--tag TAG] [--report FILE]"
                    + " [--markdown FILE] [--ip 4|6] [--informative LIST] [NAME...]");
            System.exit(2);
        }
        Files.createDirectories(setup.logs);
        List<Target> targets = new ArrayList<>();
        for (String spec : targetList.split(",(?=[a-z])")) targets.add(Target.parse(spec.strip(), setup));

        List<String> allNames = new ArrayList<>();
        List<Script> scripts = new ArrayList<>();
        try (var files = Files.list(scenarios)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".script")).sorted().toList()) {
                Script s = Script.read(f);
                allNames.add(s.name);
                if (only.isEmpty() || only.stream().anyMatch(s.name::contains)) scripts.add(s);
            }
        }

        long began = System.nanoTime();
        List<Outcome> outcomes = new ArrayList<>();
        RstGuard guard = RstGuard.installRange("conformance peer", FIRST_PEER_PORT, LAST_PEER_PORT);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> { stopAll(targets); guard.close(); }));
        ExecutorService pool = Executors.newFixedThreadPool(targets.size());
        try {
            startAll(targets, scripts, allNames);
            for (Script s : scripts) {
                int index = allNames.indexOf(s.name); // stable ports for a scenario, whatever is selected
                Outcome o = new Outcome(s, informative);
                Map<String, Future<ScriptedPeer.Result>> running = new LinkedHashMap<>();
                for (Target t : targets) {
                    t.checkAlive();
                    String why = t.cannotRun(s);
                    if (why != null) { o.parts.put(t.name, new Outcome.Part(null, why)); continue; }
                    int port = peerPort(index, t);
                    running.put(t.name, pool.submit(() -> play(s, t, port, setup)));
                }
                for (var e : running.entrySet()) o.parts.put(e.getKey(), new Outcome.Part(e.getValue().get(), null));
                replayWhatDiffered(s, index, targets, o, informative, setup);
                for (Target t : targets) {
                    String trouble = t.trouble();
                    if (trouble == null) continue;
                    o.parts.put(t.name, new Outcome.Part(o.parts.get(t.name).result(), o.parts.get(t.name).notRun(), trouble));
                    t.restart();
                }
                outcomes.add(o);
                System.out.println((o.failed() ? "FAIL" : "PASS") + (setup.ip == 6 ? " conformance-ipv6/" : " conformance/") + s.name + ": " + o.summary());
                System.out.flush();
            }
        } finally {
            pool.shutdownNow();
            stopAll(targets);
            guard.close();
        }
        Report r = new Report(targets, outcomes, informative);
        String text = r.text((System.nanoTime() - began) / 1e9);
        System.out.print(text);
        if (report != null) Files.writeString(report, text, StandardCharsets.UTF_8);
        if (markdown != null) Files.writeString(markdown, r.markdown(), StandardCharsets.UTF_8);
        System.exit(outcomes.stream().anyMatch(Outcome::failed) ? 1 : 0);
    }

    /**
     * Another stack's timing is not ours to fix: a server scenario that another stack (not ours, not
     * informative) broke is played once more, on a port of its own, and the second play is the one
     * counted. The first transcript stays as NAME.STACK.first.log and the output says so; ours is
     * never replayed (a flaky step of ours is our bug).
     */
    private static void replayWhatDiffered(Script s, int index, List<Target> targets, Outcome o,
                                           List<String> informative, Setup setup) throws Exception {
        if (!s.target.isServer()) return; // a client target's peer ports are fixed when it starts
        for (Target t : targets) {
            if (t.name.equals("ours") || informative.contains(t.name)) continue;
            if (o.verdict(t.name) != Outcome.Verdict.DIFFERS || t.trouble() != null) continue;
            Path log = setup.logs.resolve(s.name + "." + t.name + ".log");
            Files.move(log, setup.logs.resolve(s.name + "." + t.name + ".first.log"), StandardCopyOption.REPLACE_EXISTING);
            ScriptedPeer.Result again = play(s, t, replayPort(index, t), setup);
            o.parts.put(t.name, new Outcome.Part(again, null));
            System.out.println("note: conformance/" + s.name + ": " + t.name + " differed, played again: "
                    + (again.passed() ? "followed the script" : "differed again") + " (first play: " + log.getFileName().toString().replace(".log", ".first.log") + ")");
        }
    }

    /** The replay's port: one of the three spare ports of the scenario's ten. */
    static int replayPort(int scenarioIndex, Target t) {
        return FIRST_PEER_PORT + 10 * scenarioIndex + 7 + Math.max(0, SLOTS.indexOf(t.name)) % 3;
    }

    static int peerPort(int scenarioIndex, Target t) {
        int slot = SLOTS.indexOf(t.name);
        return FIRST_PEER_PORT + 10 * scenarioIndex + (slot < 0 ? SLOTS.size() : slot);
    }

    /** Starts every target, each with the peer ports of its client scenarios. */
    private static void startAll(List<Target> targets, List<Script> scripts, List<String> allNames) throws Exception {
        for (Target t : targets) {
            List<Integer> clientPorts = new ArrayList<>();
            for (Script s : scripts)
                if (!s.target.isServer()) clientPorts.add(peerPort(allNames.indexOf(s.name), t));
            t.start(scripts, clientPorts);
        }
    }

    private static synchronized void stopAll(List<Target> targets) {
        for (Target t : targets) t.stop();
    }

    private static ScriptedPeer.Result play(Script s, Target t, int peerPort, Setup setup) throws Exception {
        Process client = null;
        ScriptedPeer.Result r;
        Path pcap = setup.logs.resolve(s.name + "." + t.name + ".pcap");
        try (RawSocket socket = RawSocket.open(RstGuard.MARK); Pcap capture = new Pcap(pcap.toString())) {
            if (setup.ip == 6) socket.enableIpv6();
            ScriptedPeer peer;
            if (s.target.isServer()) {
                peer = new ScriptedPeer(socket, t.name, t.serverPeerAddress, peerPort, t.serverAddress, t.serverPort(s.target), capture);
            } else {
                client = t.startClient(peerPort, "hello", setup.logs.resolve(s.name + "." + t.name + ".client.out"));
                // the target's port is learnt from its SYN
                peer = new ScriptedPeer(socket, t.name, t.clientPeerAddress, peerPort, t.clientAddress, 0, capture);
            }
            r = peer.play(s);
        }
        if (client != null) {
            client.destroy();
            if (!client.waitFor(5, TimeUnit.SECONDS)) client.destroyForcibly();
        }
        List<String> log = new ArrayList<>();
        log.add("scenario " + s.name + " against " + t.name + ": " + (r.passed() ? "passed" : "FAILED: " + r.reason()));
        log.addAll(r.transcript());
        Files.write(setup.logs.resolve(s.name + "." + t.name + ".log"), log, StandardCharsets.UTF_8);
        return r;
    }

    static void waitForLine(Path file, String text) throws Exception {
        long end = System.nanoTime() + 30_000_000_000L;
        while (System.nanoTime() < end) {
            if (Files.exists(file) && Files.readString(file).contains(text)) return;
            Thread.sleep(50);
        }
        throw new IllegalStateException("target did not start: no '" + text + "' in " + file + ":\n" + Files.readString(file));
    }
}
