/**
 * What one congestion control algorithm decides, behind one interface, as Linux's
 * tcp_congestion_ops and smoltcp's congestion/ do: how far ssthresh falls on a loss, and how cwnd
 * grows in congestion avoidance. Everything the algorithms share (slow start, duplicate ACKs,
 * fast recovery, PRR, the retransmission timeout, undo) is {@link CongestionControl}'s, which
 * composes the one chosen.
 *
 * Windows are in bytes; time is the caller's clock in milliseconds, passed in (no clock inside).
 * An algorithm keeps its own state (CUBIC's W_max, K, epoch); cwnd and ssthresh are the caller's.
 */
interface CongestionAlgorithm {

    /** Linux's name for it ("reno", "cubic"), as --cc takes it. */
    String name();

    /** False when no decision depends on time, so that callers without a clock may use it (Reno). */
    default boolean needsClock() { return true; }

    /**
     * A loss detected by acknowledgments (fast retransmit, or RFC 6675 recovery), or an ECN echo
     * when that comes: the new ssthresh. cwnd is the window just before the reduction.
     */
    int ssthreshAfterLoss(int cwnd, int flightSize, long now);

    /**
     * The retransmission timer expired for data not retransmitted by the timer before: the new
     * ssthresh (cwnd itself becomes one segment, whatever the algorithm).
     */
    int ssthreshAfterTimeout(int cwnd, int flightSize, long now);

    /**
     * An ACK of new data in congestion avoidance (cwnd >= ssthresh, outside recovery): the new
     * cwnd, never less than cwnd.
     * @param acked bytes this ACK acknowledged for the first time
     * @param srtt  the smoothed RTT in milliseconds, or -1 before the first sample
     */
    int growInAvoidance(int cwnd, int acked, long now, long srtt);

    /**
     * Nothing was in flight for idleMillis before new data goes out: time spent idle is not time
     * in congestion avoidance (RFC 9438 4.2: "The elapsed time t in Figure 1 MUST NOT include
     * periods during which cwnd has not been updated due to application-limited behavior").
     * @param cwndReduced the caller cut cwnd to the restart window (RFC 5681 4.1)
     */
    void idle(long idleMillis, boolean cwndReduced);

    /** Keeps what {@link #undo} would give back: called at the start of a loss episode, before the reduction. */
    void rememberForUndo();

    /**
     * The episode's reductions were spurious (D-SACK or timestamps showed every retransmission
     * unneeded): the state {@link #rememberForUndo} kept comes back.
     */
    void undo();
}
