/**
 * What a {@link TcpConnection} tells its user, besides the segments it wants sent.
 * Events are data: the log text for a learner is made from them elsewhere (Narrator).
 */
sealed interface TcpEvent {

    /** Every state change, in order. The handshake's log lines are made from these. */
    record StateChanged(TcpState from, TcpState to) implements TcpEvent {}

    /** New in-order data is in the receive buffer: bytes waiting in all. Read them with read(). */
    record Readable(int bytes) implements TcpEvent {}

    /** Acknowledgments freed room in the send buffer: write() takes this many bytes now. */
    record Writable(int bytes) implements TcpEvent {}

    /** Reading opened our receive window enough that a window update went out at once. */
    record WindowUpdate(int before, int after) implements TcpEvent {}

    /**
     * The peer's urgent pointer advanced (RFC 9293 3.8.5, MUST-32): RCV.UP is the sequence number
     * of the octet after the urgent data, and remaining is how many urgent octets the application
     * has still to read (MUST-33). The urgent data itself is read in line, with the rest.
     */
    record Urgent(int pointer, int remaining) implements TcpEvent {}

    /** A segment beyond RCV.NXT: offset bytes past it, kept (newly) in the reassembly queue. */
    record OutOfOrder(int offset, int length, int kept) implements TcpEvent {}

    /** The congestion window changed (RFC 5681): cwnd and ssthresh in bytes, and why. */
    record CongestionChanged(int cwnd, int ssthresh, String why) implements TcpEvent {}

    /**
     * A segment sent again before its timer ran out: fast retransmit or a NewReno partial ACK; or a
     * tail loss probe, which may carry new data instead (sentAgain false: nothing was sent twice).
     */
    record FastRetransmit(String what, String why, boolean sentAgain) implements TcpEvent {
        FastRetransmit(String what, String why) { this(what, why, true); }
    }

    /** A segment sent again after a retransmission timeout (RFC 6298 section 5). */
    record Retransmitting(String what, int attempt, long rtoMillis) implements TcpEvent {}

    /** An arriving segment that was not processed: which rule dropped it, and the details. */
    record Dropped(DropReason why, String reason) implements TcpEvent {}

    /** The rules of RFC 9293 section 3.10.7 (and RFC 5961) that drop a segment. */
    enum DropReason {
        /** No TCB: CLOSED answers with RST, or ignores a RST (3.10.7.1). */
        NO_CONNECTION,
        /** LISTEN takes only a SYN (3.10.7.2). */
        NOT_A_SYN,
        /** SYN-SENT: an ACK for something we never sent, a RST without ACK, neither SYN nor RST (3.10.7.3). */
        BAD_REPLY_TO_SYN,
        /** The sequence number is outside the receive window: answered with an ACK (first check). */
        OUTSIDE_WINDOW,
        /** RFC 5961: a SYN, or a RST that is in the window but not exact, gets a challenge ACK. */
        CHALLENGE,
        /** "if the ACK bit is off, drop the segment and return" (fifth check). */
        NO_ACK,
        /** An ACK of data never sent, or too old (RFC 5961 section 5.2). */
        UNACCEPTABLE_ACK,
        /** Text after the peer's FIN: "Ignore the segment text." (seventh step). */
        AFTER_FIN,
        /** In the window but not next: not kept (yet). */
        OUT_OF_ORDER,
        /** A duplicate SYN during the handshake: the peer started over. */
        NEW_SYN,
        /** RFC 7323 PAWS: an old duplicate (its TSval older than TS.Recent), or no TSopt where one must be. */
        PAWS
    }

    /**
     * An ICMP error about a segment of ours arrived (RFC 9293 3.9.2.2, MUST-54): what it said
     * ("host unreachable"), who sent it (a router or the peer's host), and what we did about it
     * ("ignored: ...", "soft error: reported", "path MTU 1280: MSS 1460 -> 1240, resending").
     * SHLD-25: soft errors are made available to the application this way.
     */
    record IcmpError(String what, String from, String action) implements TcpEvent {}
    /** A keep-alive probe goes out (RFC 9293 3.8.4); why says after how long a silence, and which probe. */
    record KeepAliveProbe(String why) implements TcpEvent {}

    /** The peer's duplicate of an earlier segment, answered without processing it twice. */
    record Duplicate(String what, String answer) implements TcpEvent {}

    /**
     * The connection is over and its TCB deleted. tries: for NO_ANSWER, how many times the last
     * segment was sent (the first time and the retransmissions); 0 otherwise.
     */
    record Closed(CloseReason reason, String detail, int tries) implements TcpEvent {
        Closed(CloseReason reason, String detail) {
            this(reason, detail, 0);
        }
    }

    enum CloseReason {
        /** Both FINs exchanged and acknowledged (or a close before the handshake finished). */
        NORMAL,
        /** A RST answered our SYN: nobody listens on the port. */
        REFUSED,
        /** The peer reset a connection that was open or opening. */
        RESET,
        /** Retransmissions went unanswered until the retry limit. */
        NO_ANSWER,
        /** Retransmissions went on past R2 while the peer kept sending but never acknowledged them. */
        NOT_ACKNOWLEDGED,
        /** FIN-WAIT-2 waited for the peer's FIN until its timer ran out. */
        FIN_TIMEOUT,
        /** We aborted it ourselves, sending a RST. */
        ABORTED,
        /** An ICMP error ended it (RFC 9293 3.9.2.2): a hard error, or any error while opening. */
        UNREACHABLE,
        /** Keep-alive probes went unanswered (RFC 9293 3.8.4): the peer vanished. */
        KEEP_ALIVE
    }
}
