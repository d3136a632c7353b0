/**
 * What a listening port does with a segment for which no connection exists: RFC 9293 section
 * 3.10.7.2, "If the state is LISTEN, then". The one place where these rules live: the stack asks it
 * before it makes a connection for a SYN, and a TcpConnection in LISTEN asks it too.
 */
final class Listener {
    private Listener() {}

    /** accept: a SYN, for which a connection is made. Otherwise: a RST to send (or null) and why. */
    record Answer(boolean accept, Packets.Tcp reset, TcpEvent.Dropped dropped) {}

    private static final Answer ACCEPT = new Answer(true, null, null);

    static Answer answer(Packets.Tcp seg) {
        // "First, check for a RST: An incoming RST segment could not be valid since it could not have
        // been sent in response to anything sent by this incarnation of the connection. An incoming
        // RST should be ignored. Return."
        if (seg.isRst()) return drop(null, "RST to a listening port: ignored");
        // "Second, check for an ACK: Any acknowledgment is bad if it arrives on a connection still in
        // the LISTEN state. An acceptable reset segment should be formed for any arriving ACK-bearing
        // segment. The RST should be formatted as follows: <SEQ=SEG.ACK><CTL=RST>"
        if (seg.isAck()) return drop(TcpConnection.resetFor(seg), "ACK to a listening port with no connection: sent RST");
        // "Third, check for a SYN:" (what follows is the connection's: TcpConnection.onSegmentInListen)
        // Not the RFC, which would open a connection and queue the FIN "for processing later": a
        // segment that opens and closes at once is no real peer's opening, and Linux discards it
        // (tcp_rcv_state_process, LISTEN: "if (th->syn) { if (th->fin) goto discard;").
        if (seg.isSyn() && seg.isFin()) return drop(null, "SYN with FIN to a listening port: dropped");
        if (seg.isSyn()) return ACCEPT;
        // "Fourth, other data or control: This should not be reached. Drop the segment and return."
        return drop(null, "neither SYN, ACK nor RST to a listening port: dropped");
    }

    private static Answer drop(Packets.Tcp reset, String reason) {
        return new Answer(false, reset, new TcpEvent.Dropped(TcpEvent.DropReason.NOT_A_SYN, reason));
    }
}
