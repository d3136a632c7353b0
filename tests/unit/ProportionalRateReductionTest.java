import java.util.ArrayList;
import java.util.List;

/**
 * Proportional Rate Reduction (RFC 6937) against its pseudocode and the examples of its section
 * 3.1: cwnd = FlightSize = pipe = 20 segments when segment 0 (or segments 0 to 14) are lost,
 * ssthresh 10 (Reno) or 14 (CUBIC), limited transmit sending one new segment on each of the
 * first two duplicate ACKs. SMSS 1000: one segment = 1000 bytes.
 *
 * Run from the project directory:
 *   ./test.sh unit ProportionalRateReduction   (no root needed)
 */
final class ProportionalRateReductionTest {
    private ProportionalRateReductionTest() {}

    static final int SMSS = 1000;

    public static void main(String[] args) {
        rfcExamples();
        properties();
        inCongestionControl();
        Check.finish();
    }

    /**
     * The section 3.1 set-up after the first two duplicate ACKs, counted in segments as the RFC's
     * figures are (PRR with an MSS of 1): 20 segments in flight, pipe 20 (19 + one
     * limited-transmit segment each time). On the third duplicate ACK (segment 3 arrives) the lost
     * segments leave pipe (IsLost). Returns, per ACK from the third on, the segments PRR lets out
     * ("sndcnt"); pipes gets pipe as each ACK left it, before sending.
     */
    static List<Integer> recovery(int ssthresh, int lostOnEntry, int acks, ProportionalRateReduction.Bound bound, List<Integer> pipes) {
        ProportionalRateReduction prr = new ProportionalRateReduction(1, bound);
        int pipe = 20;                    // after the two limited-transmit segments
        List<Integer> sent = new ArrayList<>();
        for (int k = 0; k < acks; k++) {
            pipe -= 1;                    // DeliveredData: the segment this ACK SACKs
            if (k == 0) {
                pipe -= lostOnEntry;      // IsLost: out of pipe
                prr.start(ssthresh, 20);  // RecoverFS = snd.nxt - snd.una = 20 segments
            }
            pipes.add(pipe);
            int sndcnt = prr.onAck(1, pipe);
            prr.onSent(sndcnt);
            pipe += sndcnt;
            sent.add(sndcnt);
        }
        return sent;
    }

    static void rfcExamples() {
        Check.suite("PRR RFC 6937 examples");

        Check.test("3.1, 15 of 20 segments lost, PRR-CRB: pipe 4, 4, 4 on the ACKs of segments 17, 18, 19 and one retransmission each (\"b\": prr_delivered - prr_out)", () -> {
            List<Integer> pipes = new ArrayList<>();
            // ack 17: pipe = 20 - 1 - 15 = 4 <= ssthresh 10: limit = prr_delivered - prr_out = 1 - 0; sndcnt = min(10 - 4, 1) = 1
            // ack 18: pipe = 4 + 1 - 1 = 4;                     limit = 2 - 1 = 1; ack 19 likewise
            Check.equal(List.of(1, 1, 1), recovery(10, 15, 3, ProportionalRateReduction.Bound.CONSERVATIVE, pipes), "segments sent");
            Check.equal(List.of(4, 4, 4), pipes, "pipe");
        });

        Check.test("3.1, 15 of 20 segments lost, PRR-SSRB: pipe 4, 5, 6 and two retransmissions per ACK (\"d\": DeliveredData + MSS)", () -> {
            List<Integer> pipes = new ArrayList<>();
            // ack 17: limit = max(1 - 0, 1) + 1 = 2; sndcnt = min(10 - 4, 2) = 2 ("bd")
            // ack 18: pipe = 4 + 2 - 1 = 5; limit = max(2 - 2, 1) + 1 = 2; sndcnt = min(5, 2) = 2
            // ack 19: pipe = 5 + 2 - 1 = 6; likewise 2
            Check.equal(List.of(2, 2, 2), recovery(10, 15, 3, ProportionalRateReduction.Bound.SLOW_START, pipes), "segments sent");
            Check.equal(List.of(4, 5, 6), pipes, "pipe");
        });

        Check.test("3.1, one segment lost, Reno (ssthresh 10 of 20): one segment out for every two delivered, from the fast retransmit on", () -> {
            List<Integer> pipes = new ArrayList<>();
            // ack 3: pipe = 20 - 1 - 1 (lost) = 18 > 10: sndcnt = CEIL(1 * 10 / 20) - 0 = 1 (the retransmission)
            // ack 4: pipe 18: CEIL(2 * 10 / 20) - 1 = 0;  ack 5: pipe 17: CEIL(3 * 10 / 20) - 1 = 2 - 1 = 1
            // ... every other ACK until ack 17: pipe 11: CEIL(15 * 10 / 20) - 7 = 8 - 7 = 1
            // ack 18: pipe 11: CEIL(16 * 10 / 20) - 8 = 0;  ack 19: pipe 10 <= ssthresh: MIN(10 - 10, limit) = 0
            List<Integer> sent = recovery(10, 1, 17, ProportionalRateReduction.Bound.SLOW_START, pipes);
            Check.equal(List.of(1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 0), sent, "segments sent on the ACKs of segments 3 to 19");
            Check.equal(List.of(18, 18, 17, 17, 16, 16, 15, 15, 14, 14, 13, 13, 12, 12, 11, 11, 10), pipes, "pipe before sending");
            // The RFC's figure shows the same pipe and sends through ack 16; its last three columns
            // (sends on acks 18 and 19, not 17) do not follow from its own pseudocode.
        });

        Check.test("3.1 with CUBIC (ssthresh 14 of 20): seven segments out for every ten delivered", () -> {
            List<Integer> pipes = new ArrayList<>();
            // ack 3..5: CEIL(k * 14 / 20) - prr_out for k = 1, 2, 3: 1 - 0, 2 - 1, 3 - 2 = 1, 1, 1
            // ack 6: CEIL(4 * 14 / 20) = CEIL(2.8) = 3 - 3 = 0; ... ten ACKs (3..12) send 7
            List<Integer> sent = recovery(14, 1, 10, ProportionalRateReduction.Bound.SLOW_START, pipes);
            Check.equal(List.of(1, 1, 1, 0, 1, 1, 0, 1, 1, 0), sent, "segments sent on the ACKs of segments 3 to 12");
            Check.equal(7, sent.stream().mapToInt(Integer::intValue).sum(), "7 of 10");
        });

        Check.test("3.1: \"For less extreme events, where the total losses are smaller than the difference between FlightSize and ssthresh, PRR-CRB and PRR-SSRB have identical behaviors\"", () -> {
            Check.equal(recovery(10, 1, 17, ProportionalRateReduction.Bound.CONSERVATIVE, new ArrayList<>()),
                    recovery(10, 1, 17, ProportionalRateReduction.Bound.SLOW_START, new ArrayList<>()), "the two bounds");
        });
    }

    static void properties() {
        Check.suite("PRR properties");

        Check.test("4: with no further loss, once RecoverFS is delivered prr_out reaches exactly ssthresh (Reno 10000, CUBIC 14000 of 20000)", () -> {
            for (int ssthresh : new int[] {10_000, 14_000}) {
                ProportionalRateReduction prr = new ProportionalRateReduction(SMSS);
                prr.start(ssthresh, 20_000);
                int pipe = 19_000;
                for (int k = 0; k < 20; k++) {
                    pipe -= SMSS;
                    int sndcnt = prr.onAck(SMSS, Math.max(pipe, ssthresh + 1)); // pipe stays above ssthresh: PRR proper
                    prr.onSent(sndcnt);
                    pipe += sndcnt;
                }
                Check.equal(ssthresh, prr.prrOut(), "prr_out after 20 segments delivered with ssthresh " + ssthresh);
                Check.equal(20_000, prr.prrDelivered(), "prr_delivered");
            }
        });

        Check.test("CEIL rounds up: 1 byte delivered of RecoverFS 20000 with ssthresh 10000 allows CEIL(0.5) = 1 byte", () -> {
            ProportionalRateReduction prr = new ProportionalRateReduction(SMSS);
            prr.start(10_000, 20_000);
            Check.equal(1, prr.onAck(1, 19_000), "sndcnt");
        });

        Check.test("sndcnt is never negative: sent more than allowed (a forced retransmission) leaves 0 until deliveries catch up", () -> {
            ProportionalRateReduction prr = new ProportionalRateReduction(SMSS);
            prr.start(10_000, 20_000);
            prr.onSent(3 * SMSS);
            Check.equal(0, prr.onAck(SMSS, 19_000), "CEIL(1000 * 10000 / 20000) - 3000 < 0");
        });

        Check.test("PRR-SSRB below ssthresh: limit = MAX(prr_delivered - prr_out, DeliveredData) + MSS, capped by ssthresh - pipe", () -> {
            ProportionalRateReduction prr = new ProportionalRateReduction(SMSS);
            prr.start(10_000, 20_000);
            Check.equal(5_000, prr.onAck(4_000, 3_000), "MIN(10000 - 3000, MAX(4000 - 0, 4000) + 1000) = 5000");
            prr.onSent(5_000);
            Check.equal(1_000, prr.onAck(0, 9_000), "MIN(10000 - 9000, MAX(-1000, 0) + 1000) = 1000");
        });

        Check.test("the caller's mistakes: onAck outside recovery, a negative DeliveredData", () -> {
            ProportionalRateReduction prr = new ProportionalRateReduction(SMSS);
            Check.throwsA(IllegalStateException.class, () -> prr.onAck(SMSS, 5000), "not started");
            prr.start(10_000, 20_000);
            Check.throwsA(IllegalArgumentException.class, () -> prr.onAck(-1, 5000), "negative");
        });
    }

    static void inCongestionControl() {
        Check.suite("PRR in CongestionControl");

        Check.test("PRR needs SACK recovery (pipe); without useProportionalRateReduction() the RFC 6675 recovery is as before", () -> {
            CongestionControl cc = new CongestionControl(SMSS);
            Check.throwsA(IllegalStateException.class, cc::useProportionalRateReduction, "no SACK");
            cc.useSackRecovery();
            cc.enterSackRecovery(0, 20_000, 20_000);
            Check.equal(10_000, cc.cwnd(), "cwnd = ssthresh");
            Check.equal(1_000, cc.onRecoveryAck(SMSS, 9_000), "without PRR: cwnd - pipe");
            Check.equal(10_000, cc.cwnd(), "cwnd unchanged");
        });

        Check.test("onRecoveryAck sets cwnd = pipe + sndcnt; the ACK that starts recovery may always send the fast retransmit (Linux's rule)", () -> {
            CongestionControl cc = new CongestionControl(SMSS);
            cc.useSackRecovery();
            cc.useProportionalRateReduction();
            cc.enterSackRecovery(0, 40_000, 40_000);      // ssthresh 20000, RecoverFS 40000
            // CEIL(1000 * 20000 / 40000) = 500 bytes: less than the segment RFC 6675 (4.3) must resend
            Check.equal(1_000, cc.onRecoveryAck(SMSS, 36_000), "sndcnt forced up to one SMSS");
            Check.equal(37_000, cc.cwnd(), "cwnd = pipe + sndcnt");
            cc.onDataSent(0, SMSS, true);
            Check.equal(0, cc.onRecoveryAck(SMSS, 36_000), "CEIL(2000 * 20000 / 40000) - 1000 = 0");
            Check.equal(36_000, cc.cwnd(), "cwnd = pipe");
            Check.equal(500, cc.onRecoveryAck(SMSS, 35_000), "CEIL(3000 * 20000 / 40000) - 1000 = 500 bytes (banked until a whole segment)");
        });

        Check.test("the end of recovery leaves cwnd = ssthresh (Linux's tcp_end_cwnd_reduction); CUBIC's ssthresh is 0.7 FlightSize", () -> {
            CongestionControl cc = CongestionControl.named("cubic", SMSS);
            cc.useSackRecovery();
            cc.useProportionalRateReduction();
            cc.enterSackRecovery(0, 20_000, 20_000, 0);
            Check.equal(14_000, cc.ssthresh(), "ssthresh");
            cc.onRecoveryAck(SMSS, 18_000);
            cc.onNewAck(20_000, 0, 25_000, 100, 50);      // RecoveryPoint acknowledged
            Check.isTrue(!cc.inRecovery(), "recovery over");
            Check.equal(14_000, cc.cwnd(), "cwnd = ssthresh");
            Check.isTrue(!cc.prr().active(), "PRR stopped");
        });

        Check.test("with a Scoreboard: 20 segments, segment 0 lost; recovery on the third SACK; PRR sends the hole first, one new segment per two delivered, and brings pipe to ssthresh", () -> {
            CongestionControl cc = new CongestionControl(SMSS);
            cc.useSackRecovery();
            cc.useProportionalRateReduction();
            Scoreboard board = new Scoreboard(SMSS);
            int nxt = 0;
            for (; nxt < 20 * SMSS; nxt += SMSS) board.sent(nxt, nxt + SMSS, 0);
            int sentInRecovery = 0, resent = 0;
            for (int seg = 1; seg < 20; seg++) {                  // segment 0 never arrives
                long before = board.deliveredBytes();
                board.sacked(SMSS, (seg + 1) * SMSS, 10 + seg);   // the receiver's SACK block grows
                board.detectLosses(10 + seg, cc.inRecovery(), SMSS, 100);
                if (!cc.inRecovery() && board.isLost(0)) cc.enterSackRecovery(0, nxt, nxt);
                if (!cc.inRecovery()) continue;                   // (limited transmit is not modelled)
                cc.onRecoveryAck((int) (board.deliveredBytes() - before), board.pipe());
                while (cc.cwnd() - board.pipe() >= SMSS) {
                    Scoreboard.Hole hole = board.nextLost(SMSS);
                    int start = hole != null ? hole.start() : nxt;
                    board.sent(start, start + SMSS, 10 + seg);
                    cc.onDataSent(start, start + SMSS, hole != null);
                    if (hole != null) resent++;
                    else nxt += SMSS;
                    sentInRecovery++;
                }
            }
            // Recovery began on the ACK of segment 3 (three segments SACKed above the hole: IsLost),
            // pipe 16000, ssthresh 10000, RecoverFS 20000; the k-th ACK of the recovery (k = 1..17)
            // brings prr_delivered = 1000 k, and whole segments go out when sndcnt >= 1000:
            //   k = 1: CEIL(1000 * 10000 / 20000) = 500, forced up to 1000: the hole        (pipe 17000)
            //   k = 2..12: pipe = 17000 - 1000 (k - 1) + sent > 10000: CEIL(500 k) - prr_out, a
            //              segment on k = 4, 6, 8, 10, 12 (prr_out 6000)
            //   k = 13: pipe 10000 <= ssthresh: MIN(10000 - 10000, ...) = 0
            //   k = 14..17: pipe 9000: MIN(10000 - 9000, MAX(1000 k - prr_out, 1000) + 1000) = 1000
            // 1 + 5 + 4 = 10 segments, and pipe ends at ssthresh.
            Check.equal(1, resent, "the hole, once");
            Check.equal(10, sentInRecovery, "segments sent in recovery");
            Check.equal(10_000, board.pipe(), "pipe = ssthresh at the end of the round trip");
            board.acked(nxt, 100);                                // the retransmission arrives
            cc.onNewAck(nxt, 0, nxt);
            Check.isTrue(!cc.inRecovery(), "recovery over");
            Check.equal(10_000, cc.cwnd(), "cwnd = ssthresh = 20000 / 2");
        });
    }
}
