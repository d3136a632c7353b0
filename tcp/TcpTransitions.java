import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The legal state changes of a connection, as data: RFC 9293's Figure 5 ("TCP Connection State
 * Diagram"), plus the ways to CLOSED that section 3.10 adds (RST, ABORT, giving up after
 * retransmissions, the FIN-WAIT-2 timer). Every change goes through {@link TcpConnection}'s one
 * setState, which refuses an edge that is not here: that is a bug of ours, never a peer's fault.
 * EXPLANATION.md's state diagram is drawn from this table ({@link #mermaid()}), and a test fails
 * when the two disagree.
 *
 * Three edges of Figure 5 are not taken by this implementation, on purpose:
 * - LISTEN -> SYN-SENT (SEND on a listening connection): our listener never sends first.
 * - SYN-RECEIVED -> FIN-WAIT-1 (CLOSE): section 3.10.4 allows to "queue for processing after
 *   entering ESTABLISHED state", which we do, so the SYN-ACK stays the segment retransmitted.
 * - SYN-RECEIVED -> LISTEN (RST after a passive OPEN): the listener is the port itself, which
 *   stays; the half-open connection's TCB goes to CLOSED.
 * And FIN-WAIT-1 -> TIME-WAIT (a FIN that also acknowledges ours) is taken in two steps,
 * FIN-WAIT-1 -> FIN-WAIT-2 -> TIME-WAIT, as section 3.10.7.4 processes the ACK before the FIN.
 */
final class TcpTransitions {
    private TcpTransitions() {}

    /** One edge of the diagram; label says what causes it and what is sent, as Figure 5 does. */
    record Edge(TcpState from, TcpState to, String label) {}

    private static final List<Edge> EDGES = List.of(
            new Edge(TcpState.CLOSED, TcpState.LISTEN, "passive OPEN"),
            new Edge(TcpState.CLOSED, TcpState.SYN_SENT, "active OPEN / snd SYN"),
            new Edge(TcpState.LISTEN, TcpState.SYN_RECEIVED, "rcv SYN / snd SYN,ACK"),
            new Edge(TcpState.LISTEN, TcpState.CLOSED, "CLOSE"),
            new Edge(TcpState.SYN_SENT, TcpState.SYN_RECEIVED, "rcv SYN / snd SYN,ACK (simultaneous open)"),
            new Edge(TcpState.SYN_SENT, TcpState.ESTABLISHED, "rcv SYN,ACK / snd ACK"),
            new Edge(TcpState.SYN_SENT, TcpState.CLOSED, "CLOSE, rcv RST, or no answer"),
            new Edge(TcpState.SYN_RECEIVED, TcpState.ESTABLISHED, "rcv ACK of SYN"),
            new Edge(TcpState.SYN_RECEIVED, TcpState.CLOSED, "rcv RST, ABORT, or no answer"),
            new Edge(TcpState.ESTABLISHED, TcpState.FIN_WAIT_1, "CLOSE / snd FIN"),
            new Edge(TcpState.ESTABLISHED, TcpState.CLOSE_WAIT, "rcv FIN / snd ACK"),
            new Edge(TcpState.ESTABLISHED, TcpState.CLOSED, "rcv RST, ABORT, or no answer"),
            new Edge(TcpState.FIN_WAIT_1, TcpState.FIN_WAIT_2, "rcv ACK of FIN"),
            new Edge(TcpState.FIN_WAIT_1, TcpState.CLOSING, "rcv FIN / snd ACK"),
            new Edge(TcpState.FIN_WAIT_1, TcpState.CLOSED, "rcv RST, ABORT, or no answer"),
            new Edge(TcpState.FIN_WAIT_2, TcpState.TIME_WAIT, "rcv FIN / snd ACK"),
            new Edge(TcpState.FIN_WAIT_2, TcpState.CLOSED, "rcv RST, ABORT, or FIN-WAIT-2 timeout"),
            new Edge(TcpState.CLOSE_WAIT, TcpState.LAST_ACK, "CLOSE / snd FIN"),
            new Edge(TcpState.CLOSE_WAIT, TcpState.CLOSED, "rcv RST, ABORT, or no answer"),
            new Edge(TcpState.CLOSING, TcpState.TIME_WAIT, "rcv ACK of FIN"),
            new Edge(TcpState.CLOSING, TcpState.CLOSED, "rcv RST, ABORT, or no answer"),
            new Edge(TcpState.LAST_ACK, TcpState.CLOSED, "rcv ACK of FIN, rcv RST, ABORT, or no answer"),
            new Edge(TcpState.TIME_WAIT, TcpState.CLOSED, "2 MSL timeout, rcv RST, or ABORT"));

    private static final Map<TcpState, Set<TcpState>> LEGAL = new EnumMap<>(TcpState.class);
    static {
        for (TcpState s : TcpState.values()) LEGAL.put(s, EnumSet.noneOf(TcpState.class));
        for (Edge e : EDGES) {
            if (!LEGAL.get(e.from()).add(e.to())) throw new ExceptionInInitializerError("edge twice: " + e);
        }
    }

    /** Every edge, in the order of the table. */
    static List<Edge> edges() {
        return EDGES;
    }

    static boolean isLegal(TcpState from, TcpState to) {
        return LEGAL.get(from).contains(to);
    }

    /** The states reachable from one state in one step. */
    static Set<TcpState> next(TcpState from) {
        return Collections.unmodifiableSet(LEGAL.get(from));
    }

    /** The table as a Mermaid stateDiagram-v2 block (GitHub draws it), for EXPLANATION.md. */
    static String mermaid() {
        List<String> lines = new ArrayList<>();
        lines.add("```mermaid");
        lines.add("stateDiagram-v2");
        for (TcpState s : TcpState.values()) {
            if (!s.rfcName().equals(id(s))) lines.add("    state \"" + s.rfcName() + "\" as " + id(s));
        }
        lines.add("    [*] --> CLOSED");
        for (Edge e : EDGES) {
            lines.add("    " + id(e.from()) + " --> " + id(e.to()) + " : " + e.label());
        }
        lines.add("```");
        return String.join("\n", lines) + "\n";
    }

    /** Mermaid ids cannot hold '-': SYN_SENT, with the RFC's name shown through a state label. */
    private static String id(TcpState s) {
        return s.name();
    }
}
