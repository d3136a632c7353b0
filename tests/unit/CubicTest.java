/**
 * CUBIC (RFC 9438) against the RFC's formulas and figures: K and W_cubic(t) (Figures 1 and 2),
 * the multiplicative decrease with beta 0.7 and fast convergence (4.6, 4.7), the Reno-friendly
 * region (4.3), the concave and convex regions with the [cwnd, 1.5 cwnd] bounds on target (4.2,
 * 4.4, 4.5), the timeout (4.8), the undo (4.9.2), and the average windows of its Tables 1 and 2.
 * SMSS 1000, so that 1 segment = 1000 bytes; times in milliseconds.
 *
 * Run from the project directory:
 *   ./test.sh unit Cubic   (no root needed)
 */
final class CubicTest {
    private CubicTest() {}

    static final int SMSS = 1000;
    static final double EPSILON = 1e-9;

    public static void main(String[] args) {
        constantsAndCurve();
        decrease();
        growth();
        timeoutIdleUndo();
        throughCongestionControl();
        rfcTables();
        Check.finish();
    }

    static void near(double expected, double actual, double tolerance, String what) {
        if (!(Math.abs(expected - actual) <= tolerance)) {
            throw new Check.Failure(what + ": expected " + expected + " (+-" + tolerance + ") but was " + actual);
        }
    }

    // ------------------------------------------------------------------ Figures 1 and 2

    static void constantsAndCurve() {
        Check.suite("Cubic curve");

        Check.test("RFC 9438 constants: beta_cubic = 0.7, C = 0.4, alpha_cubic = 3 * (1 - 0.7) / (1 + 0.7) = 0.9 / 1.7", () -> {
            near(0.7, Cubic.BETA, EPSILON, "beta_cubic");
            near(0.4, Cubic.C, EPSILON, "C");
            near(0.9 / 1.7, Cubic.ALPHA, EPSILON, "alpha_cubic = 0.529411...");
        });

        Check.test("Figure 2: K = cubic_root((W_max - cwnd_epoch) / C): W_max 36, cwnd_epoch 25.2 -> cbrt(10.8 / 0.4) = cbrt(27) = 3 s", () ->
                near(3.0, Cubic.k(36, 25.2), 1e-12, "K"));

        Check.test("Figure 2: W_max 100 segments after a loss at 100 (cwnd_epoch = 0.7 * 100 = 70): K = cbrt(30 / 0.4) = cbrt(75) = 4.2172 s", () ->
                near(4.217163326508746, Cubic.k(100, 70), 1e-9, "K"));

        Check.test("Figure 1: W_cubic(t) = C * (t - K)^3 + W_max: starts at cwnd_epoch, flat at W_max when t = K, symmetric around it", () -> {
            double k = 3, wMax = 36;
            near(25.2, Cubic.wCubic(0, k, wMax), 1e-12, "t = 0: 0.4 * (-3)^3 + 36 = -10.8 + 36 = 25.2 = cwnd_epoch");
            near(32.8, Cubic.wCubic(1, k, wMax), 1e-12, "t = 1: 0.4 * (-2)^3 + 36 = -3.2 + 36");
            near(35.6, Cubic.wCubic(2, k, wMax), 1e-12, "t = 2: 0.4 * (-1)^3 + 36 (concave: the steps shrink)");
            near(36.0, Cubic.wCubic(3, k, wMax), 1e-12, "t = K: the plateau at W_max");
            near(36.4, Cubic.wCubic(4, k, wMax), 1e-12, "t = 4: 0.4 * 1^3 + 36 (convex: the steps grow)");
            near(46.8, Cubic.wCubic(6, k, wMax), 1e-12, "t = 2K: 0.4 * 27 + 36, as far above W_max as t = 0 was below");
        });
    }

    // ------------------------------------------------------------------ 4.6, 4.7

    static void decrease() {
        Check.suite("Cubic decrease");

        Check.test("4.6: a loss at cwnd = FlightSize = 36000: ssthresh = 36000 * 0.7 = 25200, W_max = cwnd_prior = 36 segments", () -> {
            Cubic cubic = new Cubic(SMSS);
            Check.equal(25_200, cubic.ssthreshAfterLoss(36_000, 36_000, 0), "ssthresh");
            near(36, cubic.wMax(), EPSILON, "W_max");
            near(36, cubic.cwndPrior(), EPSILON, "cwnd_prior");
        });

        Check.test("4.6: ssthresh = flight_size * 0.7 (of the flight, not cwnd), in whole bytes and at least 2 SMSS", () -> {
            Cubic cubic = new Cubic(SMSS);
            Check.equal(14_000, cubic.ssthreshAfterLoss(36_000, 20_000, 0), "20000 * 0.7 (an application-limited flight)");
            Check.equal(10_499, cubic.ssthreshAfterLoss(36_000, 14_999, 0), "14999 * 7 / 10 = 10499.3, whole bytes");
            Check.equal(2_000, cubic.ssthreshAfterLoss(2_500, 2_500, 0), "max(1750, 2 * 1000)");
        });

        Check.test("4.7 fast convergence: a loss below W_max sets W_max = cwnd * (1 + 0.7) / 2 = 0.85 cwnd", () -> {
            Cubic cubic = new Cubic(SMSS);
            cubic.ssthreshAfterLoss(36_000, 36_000, 0);                // W_max 36
            Check.equal(21_000, cubic.ssthreshAfterLoss(30_000, 30_000, 5000), "ssthresh = 30000 * 0.7");
            near(25.5, cubic.wMax(), EPSILON, "W_max = 30 * 0.85 = 25.5 (below cwnd_prior)");
            near(30, cubic.cwndPrior(), EPSILON, "cwnd_prior = 30");
            cubic.ssthreshAfterLoss(40_000, 40_000, 9000);             // above W_max: remembered as is
            near(40, cubic.wMax(), EPSILON, "W_max = cwnd when cwnd >= W_max");
        });

        Check.test("4.7: without fast convergence (one flow alone), W_max is the cwnd before the reduction", () -> {
            Cubic cubic = new Cubic(SMSS, false);
            cubic.ssthreshAfterLoss(36_000, 36_000, 0);
            cubic.ssthreshAfterLoss(30_000, 30_000, 5000);
            near(30, cubic.wMax(), EPSILON, "W_max");
        });
    }

    // ------------------------------------------------------------------ 4.2 to 4.5

    /** A Cubic after a loss at 36 segments (W_max 36, cwnd_prior 36): cwnd_epoch 25.2 gives K = 3 s. */
    static Cubic afterLossAt36() {
        Cubic cubic = new Cubic(SMSS);
        cubic.ssthreshAfterLoss(36_000, 36_000, 0);
        return cubic;
    }

    static void growth() {
        Check.suite("Cubic growth");

        Check.test("4.3 + 4.2: the first ACK of an epoch: W_est = cwnd_epoch + alpha * 1 / 25.2; W_cubic(0) = 25.2 < W_est: the Reno-friendly region", () -> {
            Cubic cubic = afterLossAt36();
            // W_est = 25.2 + 0.5294117647 * 1 / 25.2 = 25.2 + 0.0210084 = 25.2210084 segments
            Check.equal(25_221, cubic.growInAvoidance(25_200, SMSS, 10_000, 100), "cwnd = W_est = 25221.008 bytes, whole");
            Check.isTrue(cubic.inEpoch() && cubic.epochStart() == 10_000, "t_epoch = the first ACK in congestion avoidance");
            near(25.2, cubic.cwndEpoch(), EPSILON, "cwnd_epoch");
            near(3.0, cubic.k(), 1e-12, "K = cbrt((36 - 25.2) / 0.4) = 3");
            near(25.2 + Cubic.ALPHA / 25.2, cubic.wEst(), 1e-9, "W_est");
        });

        Check.test("4.4 concave region: t = 1.5 s, cwnd 25221: cwnd += (target - cwnd) / cwnd, target = W_cubic(t + RTT)", () -> {
            Cubic cubic = afterLossAt36();
            cubic.growInAvoidance(25_200, SMSS, 10_000, 100);   // 25221, carry 0.0084 bytes
            // W_est = 25.2210084 + 0.5294117647 / 25.221 = 25.2419993 < W_cubic(1.5) = 0.4 * (-1.5)^3 + 36 = 34.65
            // target = W_cubic(1.5 + 0.1) = 0.4 * (-1.4)^3 + 36 = 0.4 * -2.744 + 36 = 34.9024 (< 1.5 * 25.221)
            // cwnd = 25.221 + (34.9024 - 25.221) / 25.221 = 25.221 + 0.3838627 = 25.6048627 segments
            //      = 25604.8627 bytes + 0.0084 carried = 25604.871 -> 25604
            Check.equal(25_604, cubic.growInAvoidance(25_221, SMSS, 11_500, 100), "cwnd");
            // t = K = 3 s: target = W_cubic(3.1) = 0.4 * 0.1^3 + 36 = 36.0004
            // cwnd = 25.604 + (36.0004 - 25.604) / 25.604 = 25.604 + 0.4060459 = 26.0100459 -> 26010.046 + 0.871 -> 26010
            Check.equal(26_010, cubic.growInAvoidance(25_604, SMSS, 13_000, 100), "cwnd at t = K");
        });

        Check.test("4.2 upper bound: target = 1.5 * cwnd when W_cubic(t + RTT) is above it (t = 6 s: W_cubic(6.1) = 47.9 > 1.5 * 26.01)", () -> {
            Cubic cubic = afterLossAt36();
            cubic.growInAvoidance(25_200, SMSS, 10_000, 100);
            // target = 1.5 * 26.01 = 39.015; cwnd = 26.01 + (39.015 - 26.01) / 26.01 = 26.01 + 0.5 = 26.51
            Check.equal(26_510, cubic.growInAvoidance(26_010, SMSS, 16_000, 100), "cwnd grows by half a segment per segment acknowledged");
        });

        Check.test("4.5 convex region: cwnd 37000 > W_max 36 at t = 5 s: target = W_cubic(5.1) = 0.4 * 2.1^3 + 36 = 39.7044", () -> {
            Cubic cubic = afterLossAt36();
            cubic.growInAvoidance(25_200, SMSS, 10_000, 100);
            // cwnd = 37 + (39.7044 - 37) / 37 = 37 + 0.0730919 = 37.0730919 -> 37073.092 (+ 0.0084 carried) -> 37073
            Check.equal(37_073, cubic.growInAvoidance(37_000, SMSS, 15_000, 100), "cwnd");
        });

        Check.test("4.2 lower bound: target = cwnd when W_cubic(t + RTT) < cwnd: no growth (t = 4 s: W_cubic(4.1) = 36.53 < 37)", () -> {
            Cubic cubic = afterLossAt36();
            cubic.growInAvoidance(25_200, SMSS, 10_000, 100);
            Check.equal(37_000, cubic.growInAvoidance(37_000, SMSS, 14_000, 100), "cwnd");
        });

        Check.test("4.2: target looks one RTT ahead: without an RTT sample target = W_cubic(t), with SRTT 500 ms W_cubic(t + 0.5)", () -> {
            Cubic a = afterLossAt36(), b = afterLossAt36();
            a.growInAvoidance(25_200, SMSS, 10_000, -1);
            b.growInAvoidance(25_200, SMSS, 10_000, 500);
            // t = 1 s, cwnd 30000. RTT 0: target = W_cubic(1) = 32.8; cwnd = 30 + 2.8 / 30 = 30.0933 -> 30093
            Check.equal(30_093, a.growInAvoidance(30_000, SMSS, 11_000, -1), "no RTT: W_cubic(1)");
            // RTT 0.5: target = W_cubic(1.5) = 34.65; cwnd = 30 + 4.65 / 30 = 30.155 -> 30155
            Check.equal(30_155, b.growInAvoidance(30_000, SMSS, 11_000, 500), "SRTT 0.5 s: W_cubic(1.5)");
        });

        Check.test("4.3: segments_acked scales the growth: an ACK of 2 segments (delayed ACK) grows W_est and cwnd twice as much", () -> {
            Cubic one = afterLossAt36(), two = afterLossAt36();
            // t = 0: W_est = 25.2 + 0.5294117647 * 2 / 25.2 = 25.2420168 -> 25242
            one.growInAvoidance(25_200, SMSS, 10_000, 100);
            Check.equal(25_242, two.growInAvoidance(25_200, 2 * SMSS, 10_000, 100), "cwnd after one ACK of 2000 bytes");
        });

        Check.test("4.2: an ACK of a whole window or more (a large segment, a stretch ACK) brings cwnd to target, not past it", () -> {
            Cubic cubic = afterLossAt36();
            cubic.growInAvoidance(25_200, SMSS, 10_000, 100);
            // t = 1.5 s: target = W_cubic(1.6) = 34.9024; 30 segments acknowledged of a 25.221 window
            // would give 25.221 + 9.6814 / 25.221 * 30 = 36.74 > target: cwnd = target = 34902.4 (+ 0.0084) -> 34902
            Check.equal(34_902, cubic.growInAvoidance(25_221, 30 * SMSS, 11_500, 100), "cwnd = target");
        });

        Check.test("4.3: alpha_cubic becomes 1 once W_est >= cwnd_prior: W_est then grows by 1 / cwnd per segment, as Reno", () -> {
            Cubic cubic = new Cubic(SMSS);
            cubic.ssthreshAfterLoss(10_000, 10_000, 0);   // W_max = cwnd_prior = 10, cwnd_epoch 7: K = cbrt(7.5) = 1.957 s
            int cwnd = 7_000;
            int acks = 0;
            while (cwnd < 10_000) {                          // all at t = 0, where W_cubic(0) = 7 < W_est: Reno-friendly
                cwnd = cubic.growInAvoidance(cwnd, SMSS, 0, 100);
                acks++;
            }
            // alpha 0.529: from 7 to 10 segments takes about (10^2 - 7^2) / (2 * 0.529) = 48 ACKs
            Check.isTrue(acks >= 46 && acks <= 50, "ACKs from 7 to 10 segments with alpha 0.529: " + acks);
            double before = cubic.wEst();
            int next = cubic.growInAvoidance(cwnd, SMSS, 0, 100);
            near(before + 1.0 / (cwnd / 1000.0), cubic.wEst(), 1e-9, "W_est += 1 * 1 / cwnd");
            Check.isTrue(next - cwnd >= 99 && next - cwnd <= 100, "cwnd grows by 1000 / 10.0x = ~100 bytes, not 53: " + (next - cwnd));
        });

        Check.test("RFC 9438 Figure 1 over a whole epoch: cwnd climbs back to W_max in K seconds and stays flat near it (concave), then leaves it (convex)", () -> {
            Cubic cubic = new Cubic(SMSS);
            cubic.ssthreshAfterLoss(100_000, 100_000, 0);  // W_max 100, cwnd_epoch 70, K = 4.217 s
            int cwnd = 70_000;
            long now = 0;
            int atK = 0;
            for (; now <= 8_000; now += 100) {             // one round trip of ACKs (one per segment) every 100 ms
                for (int i = cwnd / SMSS; i > 0; i--) cwnd = cubic.growInAvoidance(cwnd, SMSS, now, 100);
                if (now == 4_200) atK = cwnd;
            }
            // By t = K the window is back near W_max (it leads the curve by one RTT: W_cubic(4.3) = 100.0004)
            Check.isTrue(Math.abs(atK - 100_000) <= 300, "cwnd at t = K: " + atK);
            // t = 8.1 s: W_cubic(8.1) = 0.4 * 3.883^3 + 100 = 123.4
            Check.isTrue(Math.abs(cwnd - 123_400) <= 1_000, "cwnd at t = 8 s, convex: " + cwnd);
        });
    }

    // ------------------------------------------------------------------ 4.8, idle, 4.9.2

    static void timeoutIdleUndo() {
        Check.suite("Cubic timeout, idle and undo");

        Check.test("4.8: a timeout sets ssthresh = 0.7 * FlightSize; the next epoch starts with K = 0 and W_max = W_est = cwnd_epoch", () -> {
            Cubic cubic = afterLossAt36();
            Check.equal(14_000, cubic.ssthreshAfterTimeout(30_000, 20_000, 1000), "ssthresh = 20000 * 0.7");
            near(30, cubic.cwndPrior(), EPSILON, "cwnd_prior = cwnd when ssthresh was set");
            Check.equal(14_000, cubic.growInAvoidance(14_000, 0, 5000, 100), "the epoch starts");
            near(0, cubic.k(), EPSILON, "K = 0");
            near(14, cubic.wMax(), EPSILON, "W_max = cwnd_epoch (not the 36 of the earlier loss)");
            near(14, cubic.wEst(), EPSILON, "W_est = cwnd_epoch");
        });

        Check.test("4.2: time spent idle (application-limited) is not counted in t: idle(2000 ms) moves t_epoch by 2000", () -> {
            Cubic cubic = afterLossAt36();
            cubic.growInAvoidance(25_200, SMSS, 10_000, 100);
            cubic.idle(2_000, false);
            Check.equal(12_000, cubic.epochStart(), "t_epoch");
            Cubic fresh = new Cubic(SMSS);
            fresh.idle(2_000, false);
            Check.isTrue(!fresh.inEpoch(), "no epoch to move before congestion avoidance began");
        });

        Check.test("4.9.2: undo gives back W_max, cwnd_prior, K, t_epoch, cwnd_epoch and W_est as they were before the loss", () -> {
            Cubic cubic = afterLossAt36();
            cubic.growInAvoidance(25_200, SMSS, 10_000, 100);
            double wEst = cubic.wEst();
            cubic.rememberForUndo();
            cubic.ssthreshAfterLoss(30_000, 30_000, 12_000);      // fast convergence: W_max 25.5, epoch reset
            Check.isTrue(!cubic.inEpoch(), "the loss ended the epoch");
            cubic.undo();
            near(36, cubic.wMax(), EPSILON, "W_max");
            near(36, cubic.cwndPrior(), EPSILON, "cwnd_prior");
            near(3, cubic.k(), 1e-12, "K");
            Check.equal(10_000, cubic.epochStart(), "t_epoch");
            near(25.2, cubic.cwndEpoch(), EPSILON, "cwnd_epoch");
            near(wEst, cubic.wEst(), EPSILON, "W_est");
        });
    }

    // ------------------------------------------------------------------ composed

    static void throughCongestionControl() {
        Check.suite("Cubic in CongestionControl");

        Check.test("named(\"cubic\"): a SACK recovery at cwnd 36000 leaves ssthresh = cwnd = 25200; after it the byte-exact CUBIC sequence", () -> {
            CongestionControl cc = CongestionControl.named("cubic", SMSS);
            cc.useSackRecovery();
            int una = 0, nxt = 0;
            while (cc.cwnd() < 36_000) { // slow start from IW 10000, 2000 bytes per ACK (L = 2 SMSS): 13 ACKs
                nxt = una + 2000;
                cc.onNewAck(nxt, una, nxt, 0, 100);
                una = nxt;
            }
            Check.equal(36_000, cc.cwnd(), "cwnd at the loss");
            nxt = una + 36_000;
            Check.isTrue(cc.enterSackRecovery(una, nxt, 36_000, 1_000), "recovery");
            Check.equal(25_200, cc.ssthresh(), "ssthresh = 36000 * 0.7");
            Check.equal(25_200, cc.cwnd(), "RFC 6675: cwnd = ssthresh");
            cc.onNewAck(nxt, una, nxt, 1_100, 100);  // RecoveryPoint acknowledged
            una = nxt;
            Check.isTrue(!cc.inRecovery() && !cc.inSlowStart(), "congestion avoidance");
            int[] expected = {25_221, 25_604, 26_010, 26_510};   // as in "Cubic growth" above
            long[] at = {10_000, 11_500, 13_000, 16_000};
            for (int i = 0; i < expected.length; i++) {
                nxt = una + SMSS;
                cc.onNewAck(nxt, una, nxt + 50_000, at[i], 100);
                una = nxt;
                Check.equal(expected[i], cc.cwnd(), "cwnd after the ACK at " + at[i] + " ms");
            }
        });

        Check.test("the untimed forms are Reno's: CUBIC refuses them (its window depends on the time)", () -> {
            CongestionControl cc = CongestionControl.named("cubic", SMSS);
            Check.throwsA(IllegalStateException.class, () -> cc.onNewAck(1000, 0, 5000), "onNewAck without now");
            Check.throwsA(IllegalStateException.class, () -> cc.onRetransmissionTimeout(5000, 5000), "onRetransmissionTimeout without now");
        });

        Check.test("a timeout with CUBIC: cwnd = 1 SMSS (as Reno), ssthresh = 0.7 * FlightSize", () -> {
            CongestionControl cc = CongestionControl.named("cubic", SMSS);
            cc.onRetransmissionTimeout(10_000, 10_000, 500);
            Check.equal(SMSS, cc.cwnd(), "cwnd");
            Check.equal(7_000, cc.ssthresh(), "ssthresh");
        });

        Check.test("restartAfterIdle tells CUBIC the idle time: t_epoch moves by it", () -> {
            Cubic cubic = new Cubic(SMSS);
            CongestionControl cc = new CongestionControl(SMSS, cubic);
            cc.onRetransmissionTimeout(10_000, 10_000, 0); // ssthresh 7000, cwnd 1000
            int una = 10_000;
            while (cc.inSlowStart()) { cc.onNewAck(una + 1000, una, una + 1000, 100, 50); una += 1000; }
            cc.onNewAck(una + 1000, una, una + 1000, 200, 50);  // the first ACK in congestion avoidance
            Check.equal(200, cubic.epochStart(), "t_epoch");
            Check.isTrue(!cc.restartAfterIdle(400, 1000), "idle shorter than RTO: cwnd kept");
            Check.equal(600, cubic.epochStart(), "t_epoch moved by 400 ms");
        });
    }

    // ------------------------------------------------------------------ RFC 9438 Tables 1 and 2

    /**
     * RFC 9438 section 5.1 derives CUBIC's average window under a deterministic loss rate p (one
     * loss every 1/p packets): with beta 0.7 and C 0.4, AVG_W = 1.054 * RTT^0.75 / p^0.75
     * (Figure 7), and Table 1 lists it for RTT 0.1 s. Its derivation (Appendix A): in the steady
     * state an epoch runs from 0.7 * W_max back to W_max in K seconds, the average over it is
     * W_max * (3 + beta) / 4, and it carries 1/p packets. So: start an epoch with the W_max that
     * Table 1's average gives, send one window per RTT, one ACK per segment, until t = K, and the
     * window must average the table's figure and the epoch carry 1/p packets.
     */
    static void oneEpoch(double rttSeconds, double p, double tableAverage) {
        long rtt = Math.round(rttSeconds * 1000);
        double wMax = tableAverage * 4 / (3 + Cubic.BETA);       // segments
        Cubic cubic = new Cubic(SMSS, false);
        int lossWindow = (int) Math.round(wMax * SMSS);
        int cwnd = cubic.ssthreshAfterLoss(lossWindow, lossWindow, 0);
        long packets = 0;
        double windowTime = 0, time = 0;
        for (long now = 0; ; now += rtt) {
            if (cubic.inEpoch() && now - cubic.epochStart() >= cubic.k() * 1000) break;
            int segments = cwnd / SMSS;
            windowTime += (double) cwnd / SMSS * rtt;
            time += rtt;
            for (int i = 1; i <= segments; i++) {
                cwnd = cubic.growInAvoidance(cwnd, SMSS, now + rtt * i / segments, rtt);
                packets++;
            }
        }
        double average = windowTime / time;
        near(tableAverage, average, tableAverage * 0.02, "average window over the epoch (RTT " + rttSeconds + " s, p " + p + ")");
        near(1 / p, packets, 0.03 / p, "packets in the epoch = 1/p");
    }

    /**
     * Table 2 (RTT 0.01 s), where CUBIC stays in the Reno-friendly region: a long run of
     * deterministic losses settles on Reno's average window. The table gives it as 1.2 / sqrt(p)
     * (120 at 1e-4, 379 at 1e-5), rounded from Figure 3: AVG_AIMD(1, 0.5) = sqrt(1 * 1.5 / (2 * 0.5
     * * p)) = sqrt(1.5 / p) = 122.5 and 387.3, which AIMD(alpha_cubic, 0.7) matches: sqrt(0.5294 *
     * 1.7 / (2 * 0.3 * p)) = sqrt(1.5 / p). The run must land within 2% of it.
     */
    static void steadyState(double rttSeconds, double p, double tableAverage) {
        long rtt = Math.round(rttSeconds * 1000);
        long every = Math.round(1 / p);
        CongestionControl cc = CongestionControl.named("cubic", SMSS);
        cc.useSackRecovery();
        int una = 0;
        long now = 0, sent = 0, nextLoss = every;
        int losses = 0;
        double windowTime = 0, time = 0;
        while (losses < 40) {
            int segments = Math.max(1, cc.cwnd() / SMSS);
            if (losses >= 10) {
                windowTime += (double) segments * rtt;
                time += rtt;
            }
            for (int i = 1; i <= segments; i++) {
                long t = now + rtt * i / segments;
                int flight = cc.cwnd();
                if (++sent >= nextLoss || (losses == 0 && flight >= 20 * SMSS)) {
                    // this segment is lost: a recovery that the next ACK ends
                    nextLoss = sent + every;
                    losses++;
                    cc.enterSackRecovery(una, una + SMSS, flight, t);
                }
                cc.onNewAck(una + SMSS, una, una + SMSS, t, rtt);
                una += SMSS;
            }
            now += rtt;
        }
        double aimd = Math.sqrt(1.5 / p);
        near(tableAverage, aimd, tableAverage * 0.025, "the table's figure is Reno's AIMD average, rounded");
        near(aimd, windowTime / time, aimd * 0.02, "average window (RTT " + rttSeconds + " s, p " + p + ")");
    }

    static void rfcTables() {
        Check.suite("Cubic RFC 9438 tables");

        Check.test("Table 1 (RTT 0.1 s, C = 0.4): p = 1e-4 averages 187 segments, and the epoch carries 1/p = 10000 packets", () ->
                oneEpoch(0.1, 1e-4, 187));
        Check.test("Table 1 (RTT 0.1 s, C = 0.4): p = 1e-5 averages 1054 segments, 100000 packets per epoch", () ->
                oneEpoch(0.1, 1e-5, 1054));
        Check.test("Table 1 (RTT 0.1 s, C = 0.4): p = 1e-6 averages 5926 segments, 1000000 packets per epoch", () ->
                oneEpoch(0.1, 1e-6, 5926));
        Check.test("Table 2 (RTT 0.01 s): p = 1e-4, the Reno-friendly region: 120 segments (sqrt(1.5 / p) = 122.5), as Reno", () ->
                steadyState(0.01, 1e-4, 120));
        Check.test("Table 2 (RTT 0.01 s): p = 1e-5, the Reno-friendly region: 379 segments (sqrt(1.5 / p) = 387.3), as Reno", () ->
                steadyState(0.01, 1e-5, 379));
    }
}
