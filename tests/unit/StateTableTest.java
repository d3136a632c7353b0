import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The state table (tcp/TcpTransitions.java) and the diagram in EXPLANATION.md, which is drawn from
 * it. When the two disagree, regenerate the diagram:
 *
 *   ./test.sh unit StateTable && java -cp build/unit StateTableTest --update
 *
 * Every edge being taken by some test is checked at the end of TcpConnectionTest, which runs them;
 * the last two tests here run TcpConnectionTest in a second JVM to show that this check can fail,
 * and that a test filter makes it say SKIP rather than pass unchecked.
 */
final class StateTableTest {
    private StateTableTest() {}

    static final Path DOC = Path.of("EXPLANATION.md");
    static final String BEGIN = "<!-- state-diagram: generated from tcp/TcpTransitions.java by StateTableTest --update -->\n";
    static final String END = "<!-- end of state-diagram -->\n";

    public static void main(String[] args) throws Exception {
        if (args.length == 1 && args[0].equals("--update")) {
            update();
            return;
        }
        Check.suite("State table (RFC 9293 Figure 5)");

        Check.test("EXPLANATION.md's diagram is the one drawn from the table", () -> {
            String doc = Files.readString(DOC, StandardCharsets.UTF_8);
            int begin = doc.indexOf(BEGIN), end = doc.indexOf(END);
            Check.isTrue(begin >= 0 && end > begin, "EXPLANATION.md has the state-diagram markers");
            Check.equal(TcpTransitions.mermaid(), doc.substring(begin + BEGIN.length(), end),
                    "the diagram (run: java -cp build/unit StateTableTest --update)");
        });

        Check.test("every state is reachable from CLOSED", () -> {
            Check.equal(EnumSet.allOf(TcpState.class), reachableFrom(TcpState.CLOSED), "reachable states");
        });

        Check.test("CLOSED is reachable from every state (RST, ABORT and timers end any connection)", () -> {
            for (TcpState s : TcpState.values()) {
                if (s != TcpState.CLOSED) Check.isTrue(reachableFrom(s).contains(TcpState.CLOSED), s + " reaches CLOSED");
            }
        });

        Check.test("edges the diagram does not have are refused", () -> {
            Check.isTrue(!TcpTransitions.isLegal(TcpState.CLOSED, TcpState.ESTABLISHED), "CLOSED -> ESTABLISHED refused");
            Check.isTrue(!TcpTransitions.isLegal(TcpState.TIME_WAIT, TcpState.ESTABLISHED), "TIME-WAIT -> ESTABLISHED refused");
            Check.isTrue(!TcpTransitions.isLegal(TcpState.FIN_WAIT_2, TcpState.FIN_WAIT_1), "FIN-WAIT-2 -> FIN-WAIT-1 refused");
            Check.isTrue(!TcpTransitions.isLegal(TcpState.LISTEN, TcpState.ESTABLISHED), "LISTEN -> ESTABLISHED refused");
            Check.isTrue(TcpTransitions.isLegal(TcpState.SYN_SENT, TcpState.ESTABLISHED), "SYN-SENT -> ESTABLISHED allowed");
        });

        Check.test("every state has a way out but CLOSED's self; no state changes to itself", () -> {
            for (TcpState s : TcpState.values()) {
                Check.isTrue(!TcpTransitions.isLegal(s, s), s + " -> itself is not a change");
                Check.isTrue(!TcpTransitions.next(s).isEmpty(), s + " has a way out");
            }
        });

        Check.test("the coverage test fails when no test takes an edge (TcpConnectionTest, one edge forgotten)", () -> {
            TcpTransitions.Edge e = TcpTransitions.edges().get(0);
            String edge = e.from() + "->" + e.to();
            String out = runTcpConnectionTest(Map.of("FAKELINK_FORGET_EDGE", edge, "CHECK_FILTER", ""));
            String line = lineStarting(out, "FAIL " + COVERAGE);
            Check.isTrue(line != null, "a FAIL line for the coverage test; the output ends: " + tail(out));
            Check.isTrue(line.contains(edge), "the FAIL line names " + edge + ": " + line);
        });

        Check.test("under a test filter the coverage test says SKIP: it never passes unchecked", () -> {
            String out = runTcpConnectionTest(Map.of("CHECK_FILTER", "TcpTransitions"));
            Check.isTrue(lineStarting(out, "SKIP " + COVERAGE) != null, "a SKIP line; the output ends: " + tail(out));
            Check.equal(null, lineStarting(out, "PASS "), "a PASS line");
        });
        Check.finish();
    }

    /** The name under which TcpConnectionTest reports its coverage test. */
    static final String COVERAGE = "TcpConnection state table: every edge of TcpTransitions is taken by at least one test";

    /** Runs TcpConnectionTest in another JVM (same class path) with these variables; returns what it printed. */
    static String runTcpConnectionTest(Map<String, String> environment) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder b = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), "TcpConnectionTest")
                .redirectErrorStream(true);
        b.environment().putAll(environment);
        Process p = b.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS)) p.destroyForcibly();
        return out;
    }

    static String lineStarting(String text, String prefix) {
        for (String line : text.split("\n")) if (line.startsWith(prefix)) return line;
        return null;
    }

    static String tail(String text) {
        return text.length() <= 600 ? text : "..." + text.substring(text.length() - 600);
    }

    static Set<TcpState> reachableFrom(TcpState start) {
        Set<TcpState> seen = EnumSet.of(start);
        ArrayDeque<TcpState> todo = new ArrayDeque<>(seen);
        while (!todo.isEmpty()) {
            for (TcpState n : TcpTransitions.next(todo.poll())) if (seen.add(n)) todo.add(n);
        }
        return seen;
    }

    static void update() throws Exception {
        String doc = Files.readString(DOC, StandardCharsets.UTF_8);
        int begin = doc.indexOf(BEGIN), end = doc.indexOf(END);
        if (begin < 0 || end < begin) throw new IllegalStateException("EXPLANATION.md lacks the state-diagram markers");
        Files.writeString(DOC, doc.substring(0, begin + BEGIN.length()) + TcpTransitions.mermaid() + doc.substring(end),
                StandardCharsets.UTF_8);
        System.out.println("EXPLANATION.md: state diagram updated");
    }
}
