/**
 * What a {@link TcpConnection} tells its user, besides the segments it wants sent.
 * Events are data: the log text for a learner is made from them elsewhere (Narrator).
 */
sealed interface TcpEvent {

    /** Every state change, in order. The handshake's log lines are made from these. */
    record StateChanged(TcpState from, TcpState to) implements TcpEvent {}

    /** In-order data the peer sent, delivered once. */
    record DataReceived(byte[] data) implements TcpEvent {}

    /** A segment sent again after a retransmission timeout (RFC 6298 section 5). */
    record Retransmitting(String what, int attempt, long rtoMillis) implements TcpEvent {}

    /** An arriving segment that was not processed, and why (RFC 9293 section 3.10.7). */
    record Dropped(String reason) implements TcpEvent {}

    /** The peer's duplicate of an earlier segment, answered without processing it twice. */
    record Duplicate(String what, String answer) implements TcpEvent {}

    /** The connection is over and its TCB deleted. */
    record Closed(CloseReason reason, String detail) implements TcpEvent {
        /** How a TIMED_OUT detail begins when retransmissions went unanswered ("... 6 tries"). */
        static final String NO_ANSWER_AFTER = "no answer after ";
    }

    enum CloseReason {
        /** Both FINs exchanged and acknowledged (or a close before the handshake finished). */
        NORMAL,
        /** A RST answered our SYN: nobody listens on the port. */
        REFUSED,
        /** The peer reset a connection that was open or opening. */
        RESET,
        /** Retransmissions went unanswered until the retry limit. */
        TIMED_OUT,
        /** We aborted it ourselves, sending a RST. */
        ABORTED
    }
}
