import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.EnumSet;
import java.util.Set;

/**
 * The state table (tcp/TcpTransitions.java) and the diagram in EXPLANATION.md, which is drawn from
 * it. When the two disagree, regenerate the diagram:
 *
 *   ./test.sh unit StateTable && java -cp build/unit StateTableTest --update
 *
 * (Every edge being taken by some test is checked at the end of TcpConnectionTest, which runs them.)
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
        Check.finish();
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
