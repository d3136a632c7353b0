/**
 * Spurious retransmissions: D-SACK blocks recognised in an ACK (RFC 2883), the bookkeeping of
 * one loss episode's retransmissions (Linux's undo_marker / undo_retrans), RFC 3522's Eifel
 * comparison of timestamps, and the undo of the window reduction in CongestionControl, for Reno
 * and CUBIC (RFC 9438 4.9.2). SMSS 1000.
 *
 * Run from the project directory:
 *   ./test.sh unit SpuriousRetransmissions   (no root needed)
 */
final class SpuriousRetransmissionsTest {
    private SpuriousRetransmissionsTest() {}

    static final int SMSS = 1000;

    public static void main(String[] args) {
        dsack();
        episode();
        undo();
        Check.finish();
    }

    static Packets.Sack sack(int... edges) {
        return new Packets.Sack(edges);
    }

    // ------------------------------------------------------------------ RFC 2883

    static void dsack() {
        Check.suite("D-SACK");

        Check.test("RFC 2883 4.1.1, a duplicate segment: 3000-3499 arrives again after ACK 4000: SACK 3000-3500 lies below the ACK: a D-SACK", () ->
                Check.equal(new DSack.Block(3000, 3500), DSack.find(4000, sack(3000, 3500)), "D-SACK"));

        Check.test("RFC 2883 4.1.2, an out-of-order segment and a duplicate: ACK 4000, SACK 3000-3500, 4500-5000: the first block is the D-SACK", () ->
                Check.equal(new DSack.Block(3000, 3500), DSack.find(4000, sack(3000, 3500, 4500, 5000)), "D-SACK"));

        Check.test("RFC 2883 4.1.3, a duplicate of an out-of-order segment: ACK 4000, SACK 5000-5500, 4500-5500, 6000-7000: the first block inside the second", () ->
                Check.equal(new DSack.Block(5000, 5500), DSack.find(4000, sack(5000, 5500, 4500, 5500, 6000, 7000)), "D-SACK"));

        Check.test("ordinary SACK blocks are not D-SACKs: above the ACK and not inside the second block, or overlapping it only in part", () -> {
            Check.equal(null, DSack.find(4000, sack(4500, 5000)), "one block above the ACK");
            Check.equal(null, DSack.find(4000, sack(6000, 6500, 4500, 5000)), "the most recent block first (RFC 2018)");
            Check.equal(null, DSack.find(4000, sack(5000, 6000, 4500, 5500)), "overlaps the second block, not inside it");
            Check.equal(null, DSack.find(4000, null), "no SACK option");
        });

        Check.test("an empty or reversed first block is no D-SACK; a block that starts below the ACK and ends above it is one (as Linux's tcp_check_dsack reads it)", () -> {
            Check.equal(null, DSack.find(4000, sack(3000, 3000)), "empty");
            Check.equal(null, DSack.find(4000, sack(3500, 3000)), "reversed");
            Check.equal(new DSack.Block(3500, 4500), DSack.find(4000, sack(3500, 4500)), "straddles the ACK");
        });

        Check.test("RFC 9293 3.4: modulo 2^32: ACK 0x00000100 and a block just before the wrap is below it", () ->
                Check.equal(new DSack.Block(0xFFFF_FE00, 0xFFFF_FF00), DSack.find(0x100, sack(0xFFFF_FE00, 0xFFFF_FF00)), "D-SACK across the wrap"));
    }

    // ------------------------------------------------------------------ one episode

    static void episode() {
        Check.suite("Spurious retransmissions bookkeeping");

        Check.test("every retransmitted byte reported as a duplicate proves the episode spurious (Linux: undo_retrans reaches 0)", () -> {
            SpuriousRetransmissions e = new SpuriousRetransmissions();
            e.begin(1000, 20_000, Integer.MAX_VALUE);
            e.retransmitted(1000, 2000);
            e.retransmitted(5000, 6000);
            Check.equal(2000L, e.unprovenBytes(), "two segments unproven");
            Check.isTrue(!e.duplicateReported(1000, 2000), "one of two");
            Check.equal(1000L, e.unprovenBytes(), "one left");
            Check.isTrue(e.duplicateReported(5000, 6000), "both: spurious");
        });

        Check.test("a D-SACK covering part of a retransmission proves that part only; the rest needs its own", () -> {
            SpuriousRetransmissions e = new SpuriousRetransmissions();
            e.begin(0, 20_000, 10_000);
            e.retransmitted(0, 3000);
            Check.isTrue(!e.duplicateReported(1000, 2000), "the middle");
            Check.equal(2000L, e.unprovenBytes(), "[0,1000) and [2000,3000) left");
            Check.isTrue(!e.duplicateReported(0, 1000), "the start");
            Check.isTrue(e.duplicateReported(1500, 3000), "the end (overlapping what is proven already)");
        });

        Check.test("a range sent again twice needs two duplicates reported; the same D-SACK repeated counts for one copy only", () -> {
            SpuriousRetransmissions e = new SpuriousRetransmissions();
            e.begin(0, 20_000, 10_000);
            e.retransmitted(0, 1000);
            e.retransmitted(0, 1000);        // RACK found the retransmission lost and sent it again
            e.retransmitted(1000, 2000);
            Check.equal(3000L, e.unprovenBytes(), "three copies");
            Check.isTrue(!e.duplicateReported(0, 1000), "one copy of [0,1000)");
            Check.isTrue(!e.duplicateReported(1000, 2000), "[1000,2000)");
            Check.isTrue(!e.duplicateReported(1000, 2000), "the receiver repeats the same block: nothing more is proven");
            Check.isTrue(e.duplicateReported(0, 1000), "the second copy of [0,1000)");
        });

        Check.test("nothing to undo: no retransmission yet, no episode, or a D-SACK at or below undo_marker (an older episode's)", () -> {
            SpuriousRetransmissions e = new SpuriousRetransmissions();
            Check.isTrue(!e.duplicateReported(0, 1000), "no episode");
            e.begin(5000, 20_000, 10_000);
            Check.isTrue(!e.duplicateReported(5000, 6000), "no retransmission yet");
            e.retransmitted(5000, 6000);
            Check.isTrue(!e.duplicateReported(4000, 5000), "at or below undo_marker 5000");
            Check.equal(1000L, e.unprovenBytes(), "still unproven");
        });

        Check.test("beyond MAX_RANGES distinct ranges the episode is not tracked: no undo, however many duplicates", () -> {
            SpuriousRetransmissions e = new SpuriousRetransmissions();
            e.begin(0, 20_000, 10_000);
            for (int i = 0; i <= SpuriousRetransmissions.MAX_RANGES; i++) e.retransmitted(i * 2000, i * 2000 + 1000);
            Check.equal(0L, e.unprovenBytes(), "list dropped");
            Check.isTrue(!e.duplicateReported(0, 1000), "no undo");
        });

        Check.test("RFC 3522 3.2: the retransmission was spurious when the ACK's TSecr is smaller than RetransmitTS (the TSval it carried), modulo 2^32", () -> {
            Check.isTrue(SpuriousRetransmissions.retransmissionWasSpurious(499, 500), "TSecr 499 < 500: the original was acknowledged");
            Check.isTrue(!SpuriousRetransmissions.retransmissionWasSpurious(500, 500), "TSecr = RetransmitTS: the retransmission was");
            Check.isTrue(!SpuriousRetransmissions.retransmissionWasSpurious(501, 500), "later");
            Check.isTrue(SpuriousRetransmissions.retransmissionWasSpurious(0xFFFF_FFF0, 5), "across the wrap: 0xFFFFFFF0 comes before 5");
        });

        Check.test("Eifel on the episode: an ACK covering every retransmitted byte with TSecr older than the first retransmission proves it spurious", () -> {
            SpuriousRetransmissions e = new SpuriousRetransmissions();
            e.begin(0, 20_000, 10_000);
            e.retransmitted(0, 1000, 700);     // RetransmitTS = 700
            e.retransmitted(3000, 4000, 705);
            Check.isTrue(!e.acknowledgedWithTimestamp(2000, 600), "the ACK does not cover [3000,4000) yet");
            Check.isTrue(!e.acknowledgedWithTimestamp(4000, 700), "TSecr 700: the first retransmission itself was echoed");
            Check.isTrue(e.acknowledgedWithTimestamp(4000, 699), "TSecr 699 < 700 and every retransmitted byte acknowledged");
            SpuriousRetransmissions untimed = new SpuriousRetransmissions();
            untimed.begin(0, 20_000, 10_000);
            untimed.retransmitted(0, 1000);
            Check.isTrue(!untimed.acknowledgedWithTimestamp(1000, 1), "no RetransmitTS without timestamps");
        });
    }

    // ------------------------------------------------------------------ in CongestionControl

    static void undo() {
        Check.suite("Undo in CongestionControl");

        Check.test("NewReno: a fast retransmit whose segment is D-SACKed after the recovery restores cwnd and ssthresh", () -> {
            CongestionControl cc = new CongestionControl(SMSS);
            int una = 0, nxt = 20_000;
            growTo(cc, 20_000);                                     // cwnd 20000, ssthresh infinite
            for (int i = 0; i < 3; i++) cc.onDuplicateAck(una, nxt, nxt - una);
            Check.equal(13_000, cc.cwnd(), "cwnd = 10000 + 3 * 1000");
            cc.onDataSent(0, 1000, true);                             // the fast retransmit
            cc.onNewAck(20_000, 0, 20_000);                           // segment 0 was only late: everything arrives
            Check.equal(2_000, cc.cwnd(), "the full ACK deflated cwnd to min(10000, max(0, 1000) + 1000)");
            Check.isTrue(cc.onDuplicateSack(0, 1000), "then the receiver reports segment 0 twice: undone");
            Check.equal(1, cc.undoCount(), "undo count");
            Check.equal(20_000, cc.cwnd(), "cwnd as before the loss");
            Check.equal(Integer.MAX_VALUE, cc.ssthresh(), "ssthresh as before the loss");
        });

        Check.test("NewReno: a D-SACK during the recovery ends it, with cwnd and ssthresh as before (Linux's tcp_try_undo_dsack, then tcp_try_to_open)", () -> {
            CongestionControl cc = new CongestionControl(SMSS);
            growTo(cc, 20_000);
            for (int i = 0; i < 3; i++) cc.onDuplicateAck(0, 20_000, 20_000);
            cc.onDataSent(0, 1000, true);
            Check.isTrue(cc.onDuplicateSack(0, 1000), "undone");
            Check.isTrue(!cc.inRecovery(), "no more partial-ACK retransmissions or deflation");
            Check.equal(20_000, cc.cwnd(), "cwnd");
        });

        Check.test("SACK recovery with PRR: the D-SACK of the only retransmission, during the recovery, gives back cwnd 20000; recovery goes on, its end leaves cwnd", () -> {
            CongestionControl cc = new CongestionControl(SMSS);
            cc.useSackRecovery();
            cc.useProportionalRateReduction();
            growTo(cc, 20_000);
            cc.enterSackRecovery(0, 20_000, 20_000);
            cc.onRecoveryAck(SMSS, 16_000);
            cc.onDataSent(0, 1000, true);
            Check.equal(10_000, cc.ssthresh(), "ssthresh halved");
            Check.isTrue(cc.onDuplicateSack(0, 1000), "the receiver had segment 0 already: undone");
            Check.equal(20_000, cc.cwnd(), "cwnd");
            Check.equal(Integer.MAX_VALUE, cc.ssthresh(), "ssthresh");
            Check.isTrue(cc.inRecovery(), "the SACK recovery goes on (what is marked lost is still repaired)");
            Check.equal(4_000, cc.onRecoveryAck(SMSS, 16_000), "no PRR any more: cwnd - pipe");
            cc.onNewAck(20_000, 0, 20_000);
            Check.isTrue(!cc.inRecovery(), "over");
            Check.equal(20_000, cc.cwnd(), "cwnd kept (not set to ssthresh)");
        });

        Check.test("CUBIC: the undo gives back cwnd, ssthresh and W_max, K, t_epoch, W_est (RFC 9438 4.9.2)", () -> {
            Cubic cubic = new Cubic(SMSS);
            CongestionControl cc = new CongestionControl(SMSS, cubic);
            cc.useSackRecovery();
            cc.onRetransmissionTimeout(40_000, 40_000, 0);            // ssthresh 28000 (an earlier episode)
            int una = 40_000;
            while (cc.cwnd() < 30_000) { cc.onNewAck(una + 1000, una, una + 1000, 100, 100); una += 1000; }
            int cwndBefore = cc.cwnd(), ssthreshBefore = cc.ssthresh();
            double wMax = cubic.wMax(), k = cubic.k();
            long epoch = cubic.epochStart();
            cc.enterSackRecovery(una, una + 30_000, 30_000, 200);
            Check.equal(21_000, cc.ssthresh(), "0.7 * 30000");
            cc.onDataSent(una, una + 1000, true);
            Check.isTrue(cc.onDuplicateSack(una, una + 1000), "undone");
            Check.equal(cwndBefore, cc.cwnd(), "cwnd");
            Check.equal(ssthreshBefore, cc.ssthresh(), "ssthresh");
            Check.equal(wMax, cubic.wMax(), "W_max");
            Check.equal(k, cubic.k(), "K");
            Check.equal(epoch, cubic.epochStart(), "t_epoch");
        });

        Check.test("RFC 9438 4.9.2: no undo when cwnd already grew back to cwnd_prior (\"SHOULD continue to use the current ... values\")", () -> {
            CongestionControl cc = new CongestionControl(SMSS);
            growTo(cc, 20_000);
            for (int i = 0; i < 3; i++) cc.onDuplicateAck(0, 20_000, 20_000);
            cc.onDataSent(0, 1000, true);
            cc.onNewAck(20_000, 0, 20_000);
            int una = 20_000;
            while (cc.cwnd() < 20_000) { cc.onNewAck(una + 1000, una, una + 30_000); una += 1000; }
            Check.isTrue(!cc.onDuplicateSack(0, 1000), "late: nothing restored");
            Check.equal(0, cc.undoCount(), "no undo");
        });

        Check.test("a spurious timeout (Eifel): the ACK of the original echoes a TSval older than the retransmission: cwnd, ssthresh and the slow start limit come back", () -> {
            CongestionControl cc = new CongestionControl(SMSS);
            growTo(cc, 20_000);
            cc.onRetransmissionTimeout(20_000, 20_000);
            Check.equal(SMSS, cc.cwnd(), "cwnd = 1 SMSS");
            cc.onDataSent(0, 1000, true, 900);                         // the timer's retransmission, TSval 900
            cc.onNewAck(20_000, 0, 20_000);                           // the delayed ACK of the flight
            Check.isTrue(cc.onAckTimestamp(20_000, 850), "TSecr 850 < RetransmitTS 900: the original arrived");
            Check.equal(20_000, cc.cwnd(), "cwnd restored");
            Check.equal(Integer.MAX_VALUE, cc.ssthresh(), "ssthresh restored");
            cc.onNewAck(22_000, 20_000, 40_000);
            Check.equal(22_000, cc.cwnd(), "slow start with L = 2 SMSS again, not 1 SMSS as after a timeout");
        });

        Check.test("a timeout that was needed: the ACK echoes the retransmission's TSval: nothing undone", () -> {
            CongestionControl cc = new CongestionControl(SMSS);
            growTo(cc, 20_000);
            cc.onRetransmissionTimeout(20_000, 20_000);
            cc.onDataSent(0, 1000, true, 900);
            cc.onNewAck(1000, 0, 20_000);
            Check.isTrue(!cc.onAckTimestamp(1000, 900), "TSecr = RetransmitTS");
            Check.equal(2 * SMSS, cc.cwnd(), "cwnd = 1000 + 1000 (slow start after a timeout)");
        });

        Check.test("a timeout during a recovery continues its episode: the undo gives back what was before the recovery", () -> {
            CongestionControl cc = new CongestionControl(SMSS);
            cc.useSackRecovery();
            growTo(cc, 20_000);
            cc.enterSackRecovery(0, 20_000, 20_000);
            cc.onDataSent(0, 1000, true);
            cc.onRetransmissionTimeout(20_000, 20_000);
            cc.onDataSent(0, 1000, true);                             // the timer sent it once more
            Check.isTrue(!cc.onDuplicateSack(0, 1000), "one duplicate of two copies");
            Check.isTrue(cc.onDuplicateSack(0, 1000), "the second: undone");
            Check.equal(20_000, cc.cwnd(), "cwnd from before the recovery");
        });

        Check.test("a new loss episode replaces the old: a late D-SACK of the old episode's retransmission undoes nothing", () -> {
            CongestionControl cc = new CongestionControl(SMSS);
            cc.useSackRecovery();
            growTo(cc, 20_000);
            cc.enterSackRecovery(0, 20_000, 20_000);
            cc.onDataSent(0, 1000, true);
            cc.onNewAck(20_000, 0, 20_000);
            cc.enterSackRecovery(20_000, 30_000, 10_000);            // a real loss later
            Check.isTrue(!cc.onDuplicateSack(0, 1000), "below the new undo_marker");
            Check.equal(5_000, cc.cwnd(), "cwnd of the new episode");
        });
    }

    /** Slow start from IW 10000 to cwnd, by ACKs of 2000 bytes (L = 2 SMSS). */
    static void growTo(CongestionControl cc, int cwnd) {
        int una = 0x40_0000;
        while (cc.cwnd() < cwnd) {
            cc.onNewAck(una + 2000, una, una + 2000);
            una += 2000;
        }
        Check.equal(cwnd, cc.cwnd(), "cwnd grown");
    }
}
