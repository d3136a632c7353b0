/**
 * CUBIC (RFC 9438): after a loss, cwnd follows a cubic function of the time since congestion
 * avoidance began, flat around the window where the loss happened (W_max) and steep away from
 * it, instead of Reno's one segment per round trip; and it never grows slower than Reno would
 * (the Reno-friendly region). ssthresh falls to 0.7 of the flight, not half.
 *
 * Units as in the RFC: windows in segments (doubles) inside, times in seconds; the caller's
 * windows are bytes and its clock milliseconds. "Implementations can use bytes to express window
 * sizes, which would require factoring in the maximum segment size wherever necessary and
 * replacing segments_acked with the number of bytes acknowledged" (4.1).
 */
final class Cubic implements CongestionAlgorithm {

    /** RFC 9438 4.6: "The parameter beta_cubic SHOULD be set to 0.7"; as a fraction, exactly. */
    static final int BETA_NUMERATOR = 7, BETA_DENOMINATOR = 10;
    static final double BETA = (double) BETA_NUMERATOR / BETA_DENOMINATOR;
    /** RFC 9438 5.1: "Therefore, C SHOULD be set to 0.4." Segments per second cubed. */
    static final double C = 0.4;
    /** RFC 9438 4.3: alpha_cubic = 3 * (1 - beta_cubic) / (1 + beta_cubic) = 0.9 / 1.7. */
    static final double ALPHA = 3 * (1 - BETA) / (1 + BETA);

    private static final long NO_EPOCH = Long.MIN_VALUE;

    private final int smss;
    private final boolean fastConvergence;

    // The RFC's variables (4.1.2), windows in segments.
    private double wMax;           // 0 until the first congestion event
    private double cwndPrior;
    private double k;              // seconds
    private long epochStart = NO_EPOCH;  // t_epoch, the caller's milliseconds
    private double cwndEpoch;
    private double wEst;
    /** The first congestion avoidance after a timeout starts with K = 0 (RFC 9438 4.8). */
    private boolean afterTimeout;
    /** The part of a byte of growth not yet added to cwnd (cwnd is whole bytes). */
    private double carry;

    private Saved saved;

    /** RFC 9438 4.9's undo_ variables. */
    private record Saved(double wMax, double cwndPrior, double k, long epochStart, double cwndEpoch,
                         double wEst, boolean afterTimeout, double carry) { }

    Cubic(int smss) {
        this(smss, true);
    }

    /**
     * @param fastConvergence RFC 9438 4.7: "the following "Fast Convergence" mechanism SHOULD be
     *                        implemented"; "In network environments with only a single CUBIC flow
     *                        and without any other traffic, Fast Convergence SHOULD be disabled."
     */
    Cubic(int smss, boolean fastConvergence) {
        if (smss < 1) throw new IllegalArgumentException("smss " + smss);
        this.smss = smss;
        this.fastConvergence = fastConvergence;
    }

    @Override public String name() { return "cubic"; }

    // ------------------------------------------------------------------ the RFC's functions

    /** RFC 9438 Figure 2: K = cubic_root((W_max - cwnd_epoch) / C), in seconds (windows in segments). */
    static double k(double wMax, double cwndEpoch) {
        return Math.cbrt((wMax - cwndEpoch) / C);
    }

    /** RFC 9438 Figure 1: W_cubic(t) = C * (t - K)^3 + W_max, in segments (t and K in seconds). */
    static double wCubic(double t, double k, double wMax) {
        double d = t - k;
        return C * d * d * d + wMax;
    }

    // ------------------------------------------------------------------ congestion events

    /**
     * RFC 9438 4.6, on a congestion event:
     * <pre>
     *   ssthresh = flight_size * beta_cubic      new ssthresh
     *   cwnd_prior = cwnd                        save cwnd
     *   ssthresh = max(ssthresh, 2)              ssthresh is at least 2 MSS
     * </pre>
     * (cwnd itself is the caller's to set: RFC 6675, NewReno or PRR.) Before that, 4.7's fast
     * convergence: "W_max = cwnd * (1 + beta_cubic) / 2 if cwnd < W_max and fast convergence
     * enabled, further reduce W_max; cwnd otherwise, remember cwnd before reduction".
     */
    @Override public int ssthreshAfterLoss(int cwnd, int flightSize, long now) {
        double segments = (double) cwnd / smss;
        wMax = fastConvergence && segments < wMax ? segments * (1 + BETA) / 2 : segments;
        cwndPrior = segments;
        epochStart = NO_EPOCH; // a new congestion avoidance stage begins after recovery
        afterTimeout = false;
        return reducedThreshold(flightSize);
    }

    /**
     * RFC 9438 4.8: "In case of a timeout, CUBIC follows Reno to reduce cwnd [RFC5681], but sets
     * ssthresh using beta_cubic (same as in Section 4.6) in a way that is different from Reno
     * TCP". "During the first congestion avoidance stage after a timeout, CUBIC increases its
     * congestion window size using Figure 1, where t is the elapsed time since the beginning of
     * the current congestion avoidance stage, K is set to 0, and W_max is set to the congestion
     * window size at the beginning of the current congestion avoidance stage."
     */
    @Override public int ssthreshAfterTimeout(int cwnd, int flightSize, long now) {
        cwndPrior = (double) cwnd / smss; // "at the time of setting ssthresh most recently"
        epochStart = NO_EPOCH;
        afterTimeout = true;
        return reducedThreshold(flightSize);
    }

    /** flight_size * 7 / 10 in whole bytes (integer arithmetic: 0.7 has no exact double), at least 2 SMSS. */
    private int reducedThreshold(int flightSize) {
        return (int) Math.max((long) flightSize * BETA_NUMERATOR / BETA_DENOMINATOR, 2L * smss);
    }

    // ------------------------------------------------------------------ congestion avoidance

    /**
     * One ACK of new data in congestion avoidance (RFC 9438 4.2 to 4.5): W_est grows as Reno's
     * window would (4.3, Figure 4); if the cubic curve W_cubic(t) is below W_est, "CUBIC is in the
     * Reno-friendly region and cwnd SHOULD be set to W_est"; otherwise cwnd grows toward
     * target = W_cubic(t + RTT), held within [cwnd, 1.5 * cwnd], by (target - cwnd) / cwnd per
     * segment acknowledged (the concave region below W_max, the convex one above it).
     */
    @Override public int growInAvoidance(int cwnd, int acked, long now, long srtt) {
        double window = (double) cwnd / smss;
        if (epochStart == NO_EPOCH) startEpoch(window, now);
        double t = Math.max(0, now - epochStart) / 1000.0;
        double rtt = Math.max(0, srtt) / 1000.0;
        double segmentsAcked = (double) acked / smss;

        // 4.3: "Once W_est has grown to reach the cwnd at the time of most recently setting
        // ssthresh -- that is, W_est >= cwnd_prior -- the sender SHOULD set alpha_cubic to 1"
        double alpha = wEst >= cwndPrior ? 1 : ALPHA;
        wEst += alpha * segmentsAcked / window;                       // Figure 4

        double next;
        if (wCubic(t, k, wMax) < wEst) {
            next = Math.max(window, wEst);                            // Reno-friendly region
        } else {
            // 4.2: "target = cwnd if W_cubic(t + RTT) < cwnd; 1.5 * cwnd if W_cubic(t + RTT) > 1.5 * cwnd"
            double target = Math.min(Math.max(wCubic(t + rtt, k, wMax), window), 1.5 * window);
            // 4.4 and 4.5; a stretch ACK of a window or more (a large segment) reaches target, not beyond
            next = Math.min(target, window + (target - window) / window * segmentsAcked);
        }
        double bytes = next * smss + carry;
        long whole = (long) Math.floor(bytes);
        carry = bytes - whole;
        return (int) Math.max(cwnd, Math.min(whole, Integer.MAX_VALUE));
    }

    /**
     * The start of a congestion avoidance stage: "W_est is set equal to cwnd_epoch at the start of
     * the congestion avoidance stage" (4.3), and K from Figure 2. Without a W_max above cwnd_epoch
     * (after a timeout, 4.8; before any loss, as after HyStart++, 4.10; or after fast convergence
     * or an undo left W_max lower) the curve starts flat at cwnd_epoch: K = 0, W_max = cwnd_epoch,
     * as Linux's bictcp_update does.
     */
    private void startEpoch(double window, long now) {
        epochStart = now;
        cwndEpoch = window;
        wEst = window;
        carry = 0;
        if (afterTimeout || wMax <= window) {
            wMax = window;
            k = 0;
        } else {
            k = k(wMax, window);
        }
        afterTimeout = false;
    }

    /** Linux's cubictcp_cwnd_event (CA_EVENT_TX_START): the epoch moves by the idle time. */
    @Override public void idle(long idleMillis, boolean cwndReduced) {
        if (epochStart != NO_EPOCH && idleMillis > 0) epochStart += idleMillis;
    }

    // ------------------------------------------------------------------ undo (RFC 9438 4.9.2)

    /**
     * "When a packet loss is detected via acknowledgments, a CUBIC implementation MAY save the
     * current value of the following variables before the congestion window is reduced."
     */
    @Override public void rememberForUndo() {
        saved = new Saved(wMax, cwndPrior, k, epochStart, cwndEpoch, wEst, afterTimeout, carry);
    }

    /**
     * "Once the previously declared packet loss is confirmed to be spurious, CUBIC MAY restore the
     * original values of the above-mentioned variables" (the caller checks "if the current cwnd
     * is lower than cwnd_prior").
     */
    @Override public void undo() {
        if (saved == null) return;
        wMax = saved.wMax();
        cwndPrior = saved.cwndPrior();
        k = saved.k();
        epochStart = saved.epochStart();
        cwndEpoch = saved.cwndEpoch();
        wEst = saved.wEst();
        afterTimeout = saved.afterTimeout();
        carry = saved.carry();
        saved = null;
    }

    // ------------------------------------------------------------------ observers (tests, log)

    /** W_max in segments (0 before the first congestion event). */
    double wMax() { return wMax; }
    /** cwnd_prior in segments. */
    double cwndPrior() { return cwndPrior; }
    /** K in seconds, of the current congestion avoidance stage. */
    double k() { return k; }
    /** W_est in segments. */
    double wEst() { return wEst; }
    /** cwnd_epoch in segments. */
    double cwndEpoch() { return cwndEpoch; }
    /** t_epoch in the caller's milliseconds; false before the first congestion avoidance stage. */
    boolean inEpoch() { return epochStart != NO_EPOCH; }
    long epochStart() { return epochStart; }

    @Override public String toString() {
        return String.format(java.util.Locale.ROOT, "cubic W_max=%.2f K=%.3fs W_est=%.2f cwnd_prior=%.2f", wMax, k, wEst, cwndPrior);
    }
}
