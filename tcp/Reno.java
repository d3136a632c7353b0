/**
 * Reno's window decisions (RFC 5681): ssthresh = max(FlightSize / 2, 2*SMSS) on any loss, and
 * one SMSS more per round trip in congestion avoidance, counted in bytes acknowledged. Time plays
 * no part.
 */
final class Reno implements CongestionAlgorithm {

    private final int smss;
    /** Bytes acknowledged in congestion avoidance since cwnd last grew. */
    private int bytesAcked;
    private int bytesAckedBeforeLoss;

    Reno(int smss) {
        if (smss < 1) throw new IllegalArgumentException("smss " + smss);
        this.smss = smss;
    }

    @Override public String name() { return "reno"; }

    @Override public boolean needsClock() { return false; }

    /**
     * RFC 5681 section 3.2: "When the third duplicate ACK is received, a TCP MUST set ssthresh to
     * no more than the value given in equation (4)": ssthresh = max (FlightSize / 2, 2*SMSS).
     */
    @Override public int ssthreshAfterLoss(int cwnd, int flightSize, long now) {
        bytesAcked = 0;
        return halfFlightSize(flightSize);
    }

    /**
     * RFC 5681 section 3.1: "When a TCP sender detects segment loss using the retransmission timer
     * and the given segment has not yet been resent by way of the retransmission timer, the value
     * of ssthresh MUST be set to no more than the value given in equation (4)".
     */
    @Override public int ssthreshAfterTimeout(int cwnd, int flightSize, long now) {
        bytesAcked = 0;
        return halfFlightSize(flightSize);
    }

    /**
     * RFC 5681 section 3.1: "The RECOMMENDED way to increase cwnd during congestion avoidance is
     * to count the number of bytes that have been acknowledged by ACKs for new data. ... When the
     * number of bytes acknowledged reaches cwnd, then cwnd can be incremented by up to SMSS bytes."
     */
    @Override public int growInAvoidance(int cwnd, int acked, long now, long srtt) {
        bytesAcked = CongestionControl.saturatingAdd(bytesAcked, acked);
        if (bytesAcked >= cwnd) {
            bytesAcked -= cwnd;
            return CongestionControl.saturatingAdd(cwnd, smss);
        }
        return cwnd;
    }

    /** After idle the count starts over only when cwnd was cut (RFC 5681 4.1's restart window). */
    @Override public void idle(long idleMillis, boolean cwndReduced) {
        if (cwndReduced) bytesAcked = 0;
    }

    @Override public void rememberForUndo() { bytesAckedBeforeLoss = bytesAcked; }

    @Override public void undo() { bytesAcked = bytesAckedBeforeLoss; }

    /** Equation (4): max (FlightSize / 2, 2*SMSS). */
    private int halfFlightSize(int flightSize) {
        return Math.max(flightSize / 2, 2 * smss);
    }
}
