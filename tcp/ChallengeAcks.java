/**
 * RFC 5961's challenge ACKs and their budget. Section 7: "An implementation SHOULD include an ACK
 * throttling mechanism to be conservative." The ACKs we send for unacceptable segments share the
 * same budget (as Linux limits both, tcp_invalid_ratelimit): a blind attacker's stream of guesses
 * must not turn into a stream of our ACKs.
 */
final class ChallengeAcks {
    private final TcpConnection c;
    private long windowStart;
    private int sentInWindow;

    ChallengeAcks(TcpConnection connection) {
        this.c = connection;
    }

    /**
     * A challenge ACK, <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>, within the budget: "Note that RFC 5961
     * and Errata ID 4772 [99] contain additional considerations for ACK throttling in an
     * implementation." (RFC 9293 section 3.10.7.4; RFC 5961 section 7 asks for the throttling.)
     */
    void send(String why, long now, TcpConnection.Output out) {
        if (allow(now)) {
            c.sender.sendAck(out);
            out.event(new TcpEvent.Dropped(TcpEvent.DropReason.CHALLENGE, why + ": sent challenge ACK"));
        } else {
            out.event(new TcpEvent.Dropped(TcpEvent.DropReason.CHALLENGE, why + ": challenge ACK limit reached, dropped silently"));
        }
    }

    /** Counts an ACK in reply to a dropped segment against the per-second budget; false when spent. */
    boolean allow(long now) {
        if (sentInWindow == 0 || now - windowStart >= 1000) {
            windowStart = now;
            sentInWindow = 0;
        }
        if (sentInWindow >= c.config.challengeAcksPerSecond()) return false;
        sentInWindow++;
        return true;
    }
}
