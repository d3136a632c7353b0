import java.util.List;

/**
 * One TCP connection found in a capture: its two ends and its segments in capture order.
 * a is the end that sent the first SYN (the client), or the sender of the first segment seen.
 * notes: the ICMP errors about its segments (a router's or a host's answer instead of the peer's).
 */
record Conversation(int number, Endpoint a, Endpoint b, List<Arrow> arrows, List<IcmpNote> notes) {

    Conversation(int number, Endpoint a, Endpoint b, List<Arrow> arrows) {
        this(number, a, b, arrows, List.of());
    }

    /**
     * An ICMP error in the capture, about a segment of this connection: drawn between the arrows, as
     * a wavy line toward the end that sent the segment ("toA").
     */
    record IcmpNote(int frame, long micros, boolean toA, String text) {}

    /** "198.18.0.2:40000 <-> 198.18.0.1:5000" */
    String ends() {
        return a + " <-> " + b;
    }

    long retransmissions() {
        return arrows.stream().filter(Arrow::retransmission).count();
    }

    /** "Connection 1 of 2: 198.18.0.2:40000 <-> 198.18.0.1:5000, 10 segments, 1 retransmission" */
    String title(int of) {
        long r = retransmissions();
        return "Connection " + number + " of " + of + ": " + ends() + ", " + arrows.size()
                + (arrows.size() == 1 ? " segment" : " segments")
                + (r == 0 ? "" : ", " + r + (r == 1 ? " retransmission" : " retransmissions"));
    }
}
