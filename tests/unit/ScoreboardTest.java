import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Random;

/**
 * Scoreboard: the sender's SACK scoreboard (RFC 6675) with RACK loss detection (RFC 8985), with
 * numbers worked out by hand in each test and a randomized property test against a byte-level model.
 *
 * Run from the project directory:
 *   ./test.sh unit Scoreboard   (no root needed)
 */
final class ScoreboardTest {
    private ScoreboardTest() {}

    /** The sender's MSS in these tests: (DupThresh - 1) * SMSS = 2000 bytes. */
    static final int SMSS = 1000;

    /** Sends count segments of size bytes from first, each as its own sent() call, all at time now. */
    static void send(Scoreboard sb, int first, int count, int size, long now) {
        for (int i = 0; i < count; i++) sb.sent(first + i * size, first + (i + 1) * size, now);
    }

    /** A board of count 1000-byte segments from 0, all sent at time 0. */
    static Scoreboard board(int count) {
        Scoreboard sb = new Scoreboard();
        send(sb, 0, count, 1000, 0);
        return sb;
    }

    public static void main(String[] args) {
        bookkeeping();
        isLost();
        nextSegAndPipe();
        rack();
        rackWindowAndTimer();
        afterTimeoutAndHelpers();
        property();
        hostile();
        Check.finish();
    }

    // ------------------------------------------------------------------ sent, acked, sacked

    static void bookkeeping() {
        Check.suite("Scoreboard bookkeeping");

        Check.test("sent() of new data appends one piece per segment, contiguous, and toString shows them", () -> {
            Scoreboard sb = new Scoreboard();
            Check.isTrue(sb.isEmpty(), "a new board is empty");
            Check.equal("", sb.toString(), "empty board");
            sb.sent(0, 1000, 0);
            sb.sent(1000, 2000, 1);
            sb.sent(2000, 2500, 2);
            Check.isTrue(!sb.isEmpty(), "not empty");
            Check.equal("[0,1000) [1000,2000) [2000,2500)", sb.toString(), "pieces");
            Check.equal(0, sb.sackedBytes(), "sackedBytes");
            Check.equal(2500, sb.pipe(), "pipe");
        });

        Check.test("sent() over data already on the board marks it retransmitted and appends only what lies beyond SND.NXT", () -> {
            Scoreboard sb = board(2);
            sb.sent(500, 2500, 10);
            Check.equal("[0,500) [500,1000) resent [1000,2000) resent [2000,2500)", sb.toString(), "pieces");
            // SetPipe: [0,500) once, [500,2000) twice (not lost, and retransmitted), [2000,2500) once
            Check.equal(500 + 2 * 1500 + 500, sb.pipe(), "pipe");
        });

        Check.test("acked() (SND.UNA advances) removes the pieces below SND.UNA and trims the one it cuts", () -> {
            Scoreboard sb = board(3);
            sb.acked(1000, 10);
            Check.equal("[1000,2000) [2000,3000)", sb.toString(), "after ACK 1000");
            sb.acked(1500, 11);
            Check.equal("[1500,2000) [2000,3000)", sb.toString(), "after ACK 1500: the first piece trimmed");
            Check.equal(1500, sb.pipe(), "pipe");
            sb.acked(1200, 12);
            Check.equal("[1500,2000) [2000,3000)", sb.toString(), "an old ACK below SND.UNA changes nothing");
            sb.acked(3000, 13);
            Check.isTrue(sb.isEmpty(), "everything acknowledged");
            Check.equal("", sb.toString(), "pieces");
            Check.equal(0, sb.pipe(), "pipe");
        });

        Check.test("sacked() (an RFC 2018 block) splits pieces at the block's edges and returns the bytes newly SACKed", () -> {
            Scoreboard sb = board(3);
            Check.equal(1000, sb.sacked(1500, 2500, 10), "newly SACKed");
            Check.equal("[0,1000) [1000,1500) [1500,2000) sacked [2000,2500) sacked [2500,3000)", sb.toString(), "pieces");
            Check.equal(1000, sb.sackedBytes(), "sackedBytes");
        });

        Check.test("sacked() of a block already known returns 0, and an overlapping block counts only its new bytes", () -> {
            Scoreboard sb = board(3);
            Check.equal(1000, sb.sacked(1000, 2000, 10), "first time");
            Check.equal(0, sb.sacked(1000, 2000, 11), "the same block again");
            Check.equal(0, sb.sacked(1200, 1800, 11), "a block inside it");
            Check.equal(1000, sb.sacked(500, 2500, 12), "500..1000 and 2000..2500 are new");
            Check.equal(2000, sb.sackedBytes(), "sackedBytes");
            // (the repeated inner block [1200,1800) split the SACKed piece too: harmless, the marks agree)
            Check.equal("[0,500) [500,1000) sacked [1000,1200) sacked [1200,1800) sacked [1800,2000) sacked [2000,2500) sacked [2500,3000)",
                    sb.toString(), "pieces");
        });

        Check.test("sacked() clamps a block to the board and ignores one below SND.UNA (a D-SACK, RFC 2883) or beyond SND.NXT", () -> {
            Scoreboard sb = new Scoreboard();
            Check.equal(0, sb.sacked(0, 1000, 0), "an empty board");
            send(sb, 1000, 3, 1000, 0); // [1000,4000)
            Check.equal(0, sb.sacked(0, 1000, 10), "wholly below the board");
            Check.equal(0, sb.sacked(4000, 5000, 10), "starting at SND.NXT");
            Check.equal(0, sb.sacked(5000, 6000, 10), "beyond SND.NXT");
            Check.equal(0, sb.sacked(2000, 2000, 10), "an empty block");
            Check.equal(0, sb.sacked(3000, 2000, 10), "a block whose right edge is below its left");
            Check.equal(0, sb.sackedBytes(), "nothing SACKed yet");
            Check.equal(500, sb.sacked(500, 1500, 10), "clamped to [1000,1500)");
            Check.equal(500, sb.sacked(3500, 9000, 10), "clamped to [3500,4000)");
            Check.equal("[1000,1500) sacked [1500,2000) [2000,3000) [3000,3500) [3500,4000) sacked", sb.toString(), "pieces");
            Check.equal(1000, sb.sackedBytes(), "sackedBytes");
        });

        Check.test("acked() over SACKed data takes its bytes out of sackedBytes, also when it cuts a SACKed piece", () -> {
            Scoreboard sb = board(4);
            sb.sacked(1000, 3000, 10);
            Check.equal(2000, sb.sackedBytes(), "sackedBytes");
            sb.acked(1500, 20);
            Check.equal(1500, sb.sackedBytes(), "[1500,3000) is still SACKed");
            Check.equal("[1500,2000) sacked [2000,3000) sacked [3000,4000)", sb.toString(), "pieces");
            Check.equal(1000, sb.pipe(), "pipe: only [3000,4000)");
            sb.acked(4000, 30);
            Check.equal(0, sb.sackedBytes(), "sackedBytes");
            Check.isTrue(sb.isEmpty(), "empty");
        });

        Check.test("clear() forgets every piece (the connection closes or is reset)", () -> {
            Scoreboard sb = board(3);
            sb.sacked(1000, 2000, 10);
            sb.clear();
            Check.isTrue(sb.isEmpty(), "empty");
            Check.equal(0, sb.sackedBytes(), "sackedBytes");
            Check.equal(0, sb.pipe(), "pipe");
        });
    }

    // ------------------------------------------------------------------ RFC 6675 IsLost

    static void isLost() {
        Check.suite("Scoreboard IsLost");

        // All segments are sent at time 0 and SACKed at 100 (RACK.rtt 100), and the loss detection
        // runs outside recovery with SRTT 100 and fewer than DupThresh * SMSS bytes SACKed: RACK's
        // reordering window is then 25 ms, so at time 100 RACK says nothing and IsLost decides alone.

        Check.test("RFC 6675 IsLost: a hole with more than (DupThresh - 1) * SMSS = 2000 SACKed bytes above it is lost", () -> {
            Scoreboard sb = board(5);
            Check.equal(2001, sb.sacked(1000, 3001, 100), "newly SACKed");
            Check.equal(1000, sb.detectLosses(100, false, SMSS, 100), "[0,1000) newly lost");
            Check.equal("[0,1000) lost [1000,2000) sacked [2000,3000) sacked [3000,3001) sacked [3001,4000) [4000,5000)",
                    sb.toString(), "pieces");
            Check.isTrue(sb.isLost(0), "0 is lost");
            Check.isTrue(sb.isLost(999), "999 is lost");
            Check.isTrue(!sb.isLost(3001), "3001: nothing SACKed above");
            Check.isTrue(!sb.isLost(1000), "1000 is SACKed, not lost");
            Check.equal(0, sb.detectLosses(100, false, SMSS, 100), "a second call finds nothing new");
        });

        Check.test("RFC 6675 IsLost: exactly (DupThresh - 1) * SMSS SACKed bytes above a hole, in one or two runs, are not enough", () -> {
            Scoreboard one = board(5);
            one.sacked(1000, 3000, 100);
            Check.equal(0, one.detectLosses(100, false, SMSS, 100), "2000 bytes in one run");
            Check.isTrue(!one.isLost(0), "0 not lost");
            Scoreboard two = board(5);
            two.sacked(1000, 2000, 100);
            two.sacked(3000, 4000, 100);
            Check.equal(0, two.detectLosses(100, false, SMSS, 100), "2000 bytes in two runs");
            Check.isTrue(!two.isLost(0), "0 not lost");
            Check.isTrue(!two.isLost(2000), "2000 not lost");
            Check.equal(3000, two.pipe(), "pipe: the 3000 bytes neither SACKed nor lost");
        });

        Check.test("RFC 6675 IsLost: DupThresh (3) discontiguous SACKed runs above a hole make it lost even with under 2 * SMSS bytes", () -> {
            Scoreboard sb = board(5);
            sb.sacked(1000, 1300, 100);
            sb.sacked(2000, 2300, 100);
            sb.sacked(3000, 3300, 100);
            Check.equal(900, sb.sackedBytes(), "900 bytes SACKed, in three runs");
            Check.equal(1000, sb.detectLosses(100, false, SMSS, 100), "only [0,1000) has three runs above it");
            Check.isTrue(sb.isLost(0), "0 lost");
            Check.isTrue(!sb.isLost(1300), "1300: two runs above");
            Check.isTrue(!sb.isLost(2300), "2300: one run above");
            Check.isTrue(!sb.isLost(3300), "3300: none above");
        });

        Check.test("RFC 6675 IsLost: detectLosses returns only the bytes newly lost as more SACKs arrive, and 0 when nothing changed", () -> {
            Scoreboard sb = board(6);
            sb.sacked(1000, 2000, 100);
            sb.sacked(3000, 3900, 100);
            Check.equal(0, sb.detectLosses(100, false, SMSS, 100), "1900 bytes in two runs above [0,1000): not yet");
            sb.sacked(3900, 4100, 101);
            Check.equal(1000, sb.detectLosses(101, false, SMSS, 100), "[0,1000) has 2100 above; [2000,3000) only 1100");
            sb.sacked(5000, 5100, 101);
            sb.sacked(5500, 5600, 101);
            Check.equal(1000, sb.detectLosses(101, false, SMSS, 100), "now [2000,3000) has three runs above: only it is new");
            Check.isTrue(!sb.isLost(4100), "4100: two runs, 200 bytes above");
            Check.isTrue(!sb.isLost(5100), "5100: one run above");
            Check.equal(0, sb.detectLosses(101, false, SMSS, 100), "a third call: nothing new");
        });
    }

    // ------------------------------------------------------------------ NextSeg and SetPipe

    /** Six segments; [1000,2000) and [3000,6000) SACKed at 100; holes [0,1000) and [2000,3000) lost. */
    static Scoreboard twoHoles() {
        Scoreboard sb = board(6);
        sb.sacked(1000, 2000, 100);
        sb.sacked(3000, 6000, 100);
        Check.equal(2000, sb.detectLosses(100, false, SMSS, 100), "both holes lost");
        return sb;
    }

    static void nextSegAndPipe() {
        Check.suite("Scoreboard NextSeg and SetPipe");

        Check.test("RFC 6675 NextSeg (1): nextLost is null when nothing is presumed lost", () -> {
            Check.isTrue(new Scoreboard().nextLost(1000) == null, "empty board");
            Scoreboard sb = board(3);
            sb.sacked(2000, 3000, 100);
            Check.equal(0, sb.detectLosses(100, false, SMSS, 100), "nothing lost");
            Check.isTrue(sb.nextLost(1000) == null, "nothing to retransmit");
        });

        Check.test("RFC 6675 NextSeg (1): nextLost(maxLength) gives the first lost, unSACKed, unretransmitted hole, capped at maxLength; a retransmission moves it on", () -> {
            Scoreboard sb = twoHoles();
            Check.equal(new Scoreboard.Hole(0, 600), sb.nextLost(600), "first hole, capped at 600");
            Check.equal(new Scoreboard.Hole(0, 1000), sb.nextLost(5000), "first hole, whole");
            sb.sent(0, 600, 110);
            Check.equal(new Scoreboard.Hole(600, 1000), sb.nextLost(600), "the rest of the first hole");
            sb.sent(600, 1000, 110);
            Check.equal(new Scoreboard.Hole(2000, 3000), sb.nextLost(1000), "the second hole");
            sb.sent(2000, 3000, 111);
            Check.isTrue(sb.nextLost(1000) == null, "every lost byte was retransmitted");
            Check.equal("[0,600) lost resent [600,1000) lost resent [1000,2000) sacked [2000,3000) lost resent [3000,4000) sacked [4000,5000) sacked [5000,6000) sacked",
                    sb.toString(), "pieces");
        });

        Check.test("RFC 6675 (4.3): markLost(start, end) presumes the segment at SND.UNA lost, clamped to the board, SACKed bytes untouched", () -> {
            Scoreboard empty = new Scoreboard();
            empty.markLost(0, 1000);
            Check.isTrue(empty.isEmpty(), "an empty board stays empty");
            Scoreboard sb = board(3);
            sb.sacked(500, 800, 100);
            sb.markLost(-1000, 1000); // clamped to [0,1000)
            Check.equal("[0,500) lost [500,800) sacked [800,1000) lost [1000,2000) [2000,3000)", sb.toString(), "pieces");
            Check.equal(300, sb.sackedBytes(), "sackedBytes unchanged");
            Check.equal(2000, sb.pipe(), "pipe: 3000 - 300 SACKed - 700 lost");
            Check.equal(new Scoreboard.Hole(0, 500), sb.nextLost(1000), "NextSeg (1) offers it");
            sb.markLost(2500, 9000); // clamped to [2500,3000)
            Check.isTrue(sb.isLost(2500) && !sb.isLost(2000), "only [2500,3000) of the last segment");
            Check.equal(1500, sb.pipe(), "pipe");
            Check.equal(0, sb.detectLosses(100, false, SMSS, 100), "detectLosses does not count them again");
        });

        Check.test("RFC 6675 SetPipe: with nothing lost pipe equals the bytes outstanding, and SACKed bytes count zero", () -> {
            Scoreboard sb = board(4);
            Check.equal(4000, sb.pipe(), "no SACK, no loss: all outstanding");
            sb.sacked(1000, 2000, 100);
            Check.equal(0, sb.detectLosses(100, false, SMSS, 100), "nothing lost");
            Check.equal(3000, sb.pipe(), "the 1000 SACKed bytes left the pipe");
        });

        Check.test("RFC 6675 SetPipe: a lost octet counts 0, once retransmitted it counts 1 (rule b)", () -> {
            Scoreboard sb = twoHoles();
            Check.equal(0, sb.pipe(), "6000 outstanding - 4000 SACKed - 2000 lost");
            sb.sent(0, 1000, 110);
            Check.equal(1000, sb.pipe(), "[0,1000) retransmitted");
            sb.sent(2000, 3000, 110);
            Check.equal(2000, sb.pipe(), "both holes retransmitted");
            sb.sent(6000, 7000, 110);
            Check.equal(3000, sb.pipe(), "new data counts once");
        });

        Check.test("RFC 6675 SetPipe: a retransmitted octet not presumed lost counts twice (rules a and b)", () -> {
            Scoreboard sb = board(3);
            sb.sent(0, 1000, 50); // retransmitted without a loss mark, as after a timeout
            Check.equal(2000 + 2000, sb.pipe(), "[0,1000) twice, the rest once");
        });
    }

    // ------------------------------------------------------------------ RACK

    /**
     * Two segments sent at 0 and 10 that reach the receiver out of order: the first one is ACKed
     * after the second was SACKed, so reordering was seen. Then [2000,3000) and [3000,4000) go out
     * at 200 (in that order) and [3000,4000) is SACKed at 300: RACK.rtt 100.
     */
    static Scoreboard reorderedThenSacked() {
        Scoreboard sb = new Scoreboard();
        sb.sent(0, 1000, 0);
        sb.sent(1000, 2000, 10);
        sb.sacked(1000, 2000, 110);
        Check.isTrue(!sb.reorderingSeen(), "not yet: [0,1000) may be lost");
        sb.acked(2000, 120);
        Check.isTrue(sb.reorderingSeen(), "[0,1000) delivered below RACK.fack 2000");
        sb.sent(2000, 3000, 200);
        sb.sent(3000, 4000, 200);
        Check.equal(1000, sb.sacked(3000, 4000, 300), "newly SACKed");
        return sb;
    }

    static void rack() {
        Check.suite("Scoreboard RACK");

        Check.test("RFC 8985 6.2 step 5: a segment sent before a SACKed one is lost once now - xmit_ts >= RACK.rtt + RACK.reo_wnd (SRTT/4 = 25 outside recovery)", () -> {
            Scoreboard sb = new Scoreboard();
            sb.sent(0, 1000, 0);
            sb.sent(1000, 2000, 10);
            sb.sacked(1000, 2000, 110); // RACK.rtt = 110 - 10 = 100
            Check.equal(0, sb.detectLosses(110, false, SMSS, 100), "at 110: 110 < 100 + 25");
            Check.equal(0, sb.detectLosses(124, false, SMSS, 100), "at 124: 124 < 125");
            Check.equal(1000, sb.detectLosses(125, false, SMSS, 100), "at 125: 125 >= 125");
            Check.isTrue(sb.isLost(0), "0 lost");
            Check.equal(new Scoreboard.Hole(0, 1000), sb.nextLost(1000), "to retransmit");
        });

        Check.test("RFC 8985 6.2 step 5: a segment sent after the last one delivered is never lost by RACK, however long it waits", () -> {
            Scoreboard sb = new Scoreboard();
            sb.sent(0, 1000, 0);
            sb.sent(1000, 2000, 10);
            sb.sacked(0, 1000, 100);
            Check.equal(0, sb.detectLosses(10_000, true, SMSS, 100), "[1000,2000) was sent after [0,1000)");
        });

        Check.test("RFC 8985 6.2 step 4: in recovery with no reordering seen RACK.reo_wnd is 0", () -> {
            Scoreboard sb = new Scoreboard();
            sb.sent(0, 1000, 0);
            sb.sent(1000, 2000, 0); // sent after [0,1000), at the same millisecond
            sb.sacked(1000, 2000, 100); // RACK.rtt 100
            Check.equal(0, sb.detectLosses(100, false, SMSS, 100), "outside recovery: 100 < 100 + 25");
            Check.equal(1000, sb.detectLosses(100, true, SMSS, 100), "in recovery: 100 >= 100 + 0");
            Check.isTrue(!sb.reorderingSeen(), "no reordering");
        });

        Check.test("RFC 8985 6.2 step 4: outside recovery RACK.reo_wnd is also 0 once DupThresh * SMSS bytes are SACKed", () -> {
            Scoreboard sb = board(4);
            sb.sacked(1000, 4000, 100);
            Check.equal(1000, sb.detectLosses(100, false, SMSS, 100), "[0,1000) by IsLost");
            sb.sent(0, 1000, 100);    // retransmitted
            sb.sent(4000, 5000, 100); // new data after it
            sb.sacked(4000, 5000, 200); // RACK.rtt 100; 4000 bytes SACKed
            // With SMSS 2000, 4000 < 3 * 2000: the window is 25 and the retransmission is not lost at 200.
            Check.equal(0, sb.detectLosses(200, false, 2000, 100), "window 25");
            // With SMSS 1000, 4000 >= 3 * 1000: window 0, and the retransmission is lost.
            Check.equal(1000, sb.detectLosses(200, false, SMSS, 100), "window 0");
            Check.equal("[0,1000) lost [1000,2000) sacked [2000,3000) sacked [3000,4000) sacked [4000,5000) sacked",
                    sb.toString(), "pieces");
        });

        Check.test("RFC 8985: a lost retransmission is found lost again when data sent after it is SACKed; nextLost offers it again and lostRetransmissions() counts it", () -> {
            Scoreboard sb = board(5);
            sb.sacked(1000, 4000, 100);
            Check.equal(1000, sb.detectLosses(100, true, SMSS, 100), "[0,1000) lost");
            Check.equal(1000, sb.pipe(), "only [4000,5000) in the pipe");
            sb.sent(0, 1000, 100);
            Check.equal(2000, sb.pipe(), "plus the retransmission");
            sb.sent(5000, 6000, 100);
            Check.equal(3000, sb.pipe(), "plus new data");
            Check.equal(0, sb.detectLosses(150, true, SMSS, 100), "nothing sent after the retransmission was delivered yet");
            Check.isTrue(sb.nextLost(1000) == null, "nothing to retransmit");
            sb.sacked(4000, 6000, 200); // [5000,6000) sent at 100 with the retransmission: RACK.rtt 100
            Check.equal(1000, sb.pipe(), "only the retransmission in the pipe");
            Check.equal(1000, sb.detectLosses(200, true, SMSS, 100), "the retransmission is lost");
            Check.equal(1, sb.lostRetransmissions(), "lostRetransmissions");
            Check.equal(0, sb.pipe(), "pipe: it left the network");
            Check.isTrue(sb.isLost(0), "0 lost");
            Check.equal(new Scoreboard.Hole(0, 1000), sb.nextLost(1000), "to retransmit again");
            sb.sent(0, 1000, 210);
            Check.equal(1000, sb.pipe(), "the second retransmission");
            Check.isTrue(sb.nextLost(1000) == null, "nothing else");
            Check.equal(0, sb.detectLosses(210, true, SMSS, 100), "the second retransmission is not lost");
            Check.equal(1, sb.lostRetransmissions(), "still 1");
        });

        Check.test("RFC 8985 6.2 step 2: the delivery of a retransmitted piece is ambiguous and does not move RACK.xmit_ts or RACK.rtt", () -> {
            Scoreboard sb = new Scoreboard();
            sb.sent(0, 1000, 0);
            sb.sent(1000, 2000, 10);
            sb.sent(2000, 3000, 20);
            sb.sent(2000, 3000, 500); // retransmitted
            Check.equal(1000, sb.sacked(2000, 3000, 510), "newly SACKed");
            // Taken as a sample of the retransmission, RACK.rtt would be 10 and [0,2000) lost at 510.
            Check.equal(0, sb.detectLosses(510, true, SMSS, 100), "no RACK loss");
            Check.equal(0, sb.detectLosses(5000, true, SMSS, 100), "not even much later");
            Check.isTrue(!sb.reorderingSeen(), "no reordering");
            Check.equal(2000, sb.pipe(), "pipe: [0,2000)");
        });

        Check.test("RFC 8985 6.2 step 3: an original transmission delivered below RACK.fack sets reorderingSeen(); a retransmitted one does not", () -> {
            Scoreboard sb = new Scoreboard();
            sb.sent(0, 1000, 0);
            sb.sent(1000, 2000, 10);
            sb.sacked(1000, 2000, 110);
            Check.isTrue(!sb.reorderingSeen(), "not yet");
            sb.acked(2000, 120);
            Check.isTrue(sb.reorderingSeen(), "[0,1000), sent once, arrived after [1000,2000)");

            Scoreboard retransmitted = new Scoreboard();
            retransmitted.sent(0, 1000, 0);
            retransmitted.sent(1000, 2000, 10);
            retransmitted.sacked(1000, 2000, 110);
            Check.equal(1000, retransmitted.detectLosses(110, true, SMSS, 100), "lost by RACK in recovery");
            retransmitted.sent(0, 1000, 110);
            retransmitted.acked(2000, 210);
            Check.isTrue(!retransmitted.reorderingSeen(), "the retransmission filled the hole: no reordering");
            Check.isTrue(retransmitted.isEmpty(), "empty");
        });

        Check.test("RFC 8985 6.2 step 4: with reordering seen RACK.reo_wnd = min(RACK.reo_wnd_mult * RACK.min_RTT / 4, SRTT), at least 1 ms, even in recovery", () -> {
            Scoreboard bounded = reorderedThenSacked();             // RACK.min_RTT 100
            Check.equal(0, bounded.detectLosses(301, true, SMSS, 2), "SRTT 2: window min(100 / 4, 2) = 2; 301 - 200 < 100 + 2");
            Check.equal(1000, bounded.detectLosses(302, true, SMSS, 2), "at 302");
            Scoreboard floor = reorderedThenSacked();
            Check.equal(1000, floor.detectLosses(301, true, SMSS, 0), "SRTT 0: window max(1, min(25, 0)) = 1: lost at 301");
            Scoreboard sb = reorderedThenSacked();
            Check.equal(0, sb.detectLosses(300, true, SMSS, 100), "SRTT 100: window min(25, 100) = 25");
            Check.equal(0, sb.detectLosses(324, true, SMSS, 100), "at 324: 124 < 125");
            Check.equal(1000, sb.detectLosses(325, true, SMSS, 100), "at 325: 125 >= 125");
            Check.isTrue(sb.isLost(2000), "2000 lost");
        });
    }

    // ------------------------------------------------------------------ timeout, helpers, wrap

    static void afterTimeoutAndHelpers() {
        Check.suite("Scoreboard timeout and helpers");

        Check.test("RFC 2018 section 8: forgetSacks() after a timeout clears the SACKed, lost and retransmitted marks; pipe equals the bytes outstanding", () -> {
            Scoreboard sb = board(5);
            sb.sacked(1500, 4000, 100);
            Check.equal(1500, sb.detectLosses(100, false, SMSS, 100), "[0,1500) lost (2500 SACKed above)");
            sb.sent(0, 600, 100);
            Check.equal("[0,600) lost resent [600,1000) lost [1000,1500) lost [1500,2000) sacked [2000,3000) sacked [3000,4000) sacked [4000,5000)",
                    sb.toString(), "before the timeout");
            sb.forgetSacks();
            Check.equal(0, sb.sackedBytes(), "sackedBytes");
            Check.equal(5000, sb.pipe(), "pipe: all outstanding");
            Check.isTrue(!sb.isLost(0), "nothing lost");
            Check.isTrue(sb.nextLost(1000) == null, "nothing to retransmit by NextSeg");
            // The two halves of [1000,2000) are one segment again; [0,600) went out again apart.
            Check.equal("[0,600) [600,1000) [1000,2000) [2000,3000) [3000,4000) [4000,5000)", sb.toString(), "after");
            Check.equal(1000, sb.sacked(1000, 2000, 200), "a SACK after the timeout counts again");
            Check.equal(1000, sb.sackedBytes(), "sackedBytes");
        });

        Check.test("skipSacked(seq) jumps over the SACKed run that holds seq, and leaves seq alone otherwise", () -> {
            Scoreboard sb = board(5);
            sb.sacked(1000, 2000, 100);
            sb.sacked(2000, 3000, 100);
            sb.sacked(4000, 4500, 100);
            Check.equal(0, sb.skipSacked(0), "0 not SACKed");
            Check.equal(3000, sb.skipSacked(1000), "1000: two SACKed pieces in a row");
            Check.equal(3000, sb.skipSacked(1500), "1500");
            Check.equal(3000, sb.skipSacked(3000), "3000 not SACKed");
            Check.equal(4500, sb.skipSacked(4200), "4200");
            Check.equal(4700, sb.skipSacked(4700), "4700 not SACKed");
            Check.equal(9000, sb.skipSacked(9000), "off the board");
        });

        Check.test("nextSackedStart(seq) gives the first SACKed sequence number at or after seq, or the board's end when none", () -> {
            Check.equal(77, new Scoreboard().nextSackedStart(77), "empty board");
            Scoreboard sb = board(5);
            Check.equal(5000, sb.nextSackedStart(0), "nothing SACKed");
            sb.sacked(1000, 2000, 100);
            sb.sacked(4000, 4500, 100);
            Check.equal(1000, sb.nextSackedStart(0), "from 0");
            Check.equal(1500, sb.nextSackedStart(1500), "inside a SACKed piece");
            Check.equal(4000, sb.nextSackedStart(2000), "from 2000");
            Check.equal(5000, sb.nextSackedStart(4500), "none after 4500");
        });

        Check.test("RFC 9293 3.4: across the 2^32 wrap (first byte 0xFFFFF000) sacked, acked, detectLosses and the helpers use modulo arithmetic", () -> {
            int base = 0xFFFF_F000; // 4294963200: base + 4096 is 0
            Scoreboard sb = new Scoreboard();
            send(sb, base, 6, 1000, 0);
            Check.equal("[4294963200,4294964200) [4294964200,4294965200) [4294965200,4294966200)"
                    + " [4294966200,4294967200) [4294967200,904) [904,1904)", sb.toString(), "pieces");
            Check.equal(4000, sb.sacked(base + 1000, base + 5000, 100), "newly SACKed, across 0");
            Check.equal(0, sb.sacked(base - 1000, base, 100), "below the board");
            Check.equal(0, sb.sacked(1904, 2904, 100), "beyond the board");
            Check.equal(1000, sb.detectLosses(100, false, SMSS, 100), "the first hole is lost");
            Check.isTrue(sb.isLost(base), "base lost");
            Check.isTrue(!sb.isLost(904), "904 not lost");
            Check.equal(new Scoreboard.Hole(base, base + 1000), sb.nextLost(1000), "nextLost");
            Check.equal(904, sb.skipSacked(base + 1000), "skipSacked across 0");
            Check.equal(base + 1000, sb.nextSackedStart(base), "nextSackedStart");
            Check.equal(1000, sb.pipe(), "pipe: [904,1904)");
            sb.acked(base + 1500, 110);
            Check.equal(3500, sb.sackedBytes(), "sackedBytes after ACK base+1500");
            sb.acked(904, 120);
            Check.equal(0, sb.sackedBytes(), "sackedBytes after ACK 904");
            Check.equal("[904,1904)", sb.toString(), "what is left");
        });
    }

    // ------------------------------------------------------------------ RACK's window and timer

    static void rackWindowAndTimer() {
        Check.suite("Scoreboard RACK window and timer");

        Check.test("RFC 8985 6.2 step 1: RACK.min_RTT is the smallest RACK.rtt, and the window is a quarter of it (not of SRTT)", () -> {
            Scoreboard sb = reorderedThenSacked();                  // samples 100 and 100
            sb.sent(4000, 5000, 400);
            sb.sacked(4000, 5000, 700);                             // RACK.rtt 300
            Check.equal(100L, sb.minRtt(), "RACK.min_RTT");
            Check.equal(25L, sb.reorderWindowFor(false, SMSS, 160), "min(1 * 100 / 4, 160) = 25, where SRTT/4 would be 40");
            Check.equal(-1L, new Scoreboard().minRtt(), "no sample yet");
        });

        Check.test("RFC 8985 6.2 step 4: a D-SACK raises RACK.reo_wnd_mult once per round (until SND.UNA passes the SND.NXT of the raise)", () -> {
            Scoreboard sb = reorderedThenSacked();                  // min_RTT 100, reordering seen
            sb.dsackReceived(2000, 4000);
            Check.equal(2, sb.reorderWindowMultiplier(), "RACK.reo_wnd_mult += 1");
            Check.equal(Scoreboard.REO_WND_PERSIST, sb.reorderWindowPersist(), "RACK.reo_wnd_persist = 16");
            Check.equal(50L, sb.reorderWindowFor(true, SMSS, 100), "2 * 100 / 4 = 50");
            sb.dsackReceived(3000, 5000);
            Check.equal(2, sb.reorderWindowMultiplier(), "SND.UNA 3000 < RACK.dsack_round 4000: the same round");
            sb.dsackReceived(4000, 6000);
            Check.equal(3, sb.reorderWindowMultiplier(), "SND.UNA 4000 >= 4000: a new round");
            Check.equal(75L, sb.reorderWindowFor(true, SMSS, 100), "3 * 100 / 4 = 75");
            for (int i = 0; i < 10; i++) sb.dsackReceived(10_000 * (i + 1), 10_000 * (i + 2));
            Check.equal(100L, sb.reorderWindowFor(true, SMSS, 100), "13 * 100 / 4 = 325, bounded by SRTT 100");
        });

        Check.test("RFC 8985 6.2 step 4: the widened window lasts 16 recoveries without a D-SACK, then RACK.reo_wnd_mult is 1 again", () -> {
            Scoreboard sb = reorderedThenSacked();
            sb.dsackReceived(2000, 4000);
            for (int recovery = 1; recovery <= 16; recovery++) {
                Check.equal(2, sb.reorderWindowMultiplier(), "before the end of recovery " + recovery);
                sb.detectLosses(1000 + recovery, true, SMSS, 100);   // in recovery
                sb.detectLosses(1000 + recovery, false, SMSS, 100);  // "exiting Fast or RTO recovery"
            }
            Check.equal(1, sb.reorderWindowMultiplier(), "after 16");
            Check.equal(0, sb.reorderWindowPersist(), "persist");
        });

        Check.test("RFC 8985 6.2: the reordering timer: a segment sent before a delivered one, not yet lost, arms it for xmit_ts + RACK.rtt + reo_wnd; at that time it is lost", () -> {
            Scoreboard sb = new Scoreboard();
            sb.sent(0, 1000, 0);
            sb.sent(1000, 2000, 10);
            sb.sacked(1000, 2000, 110);                             // RACK.rtt 100
            Check.equal(Scoreboard.NO_DEADLINE, sb.rackDeadline(), "not armed before detectLosses");
            Check.equal(0, sb.detectLosses(110, false, SMSS, 100), "within the window (0 + 100 + 25 > 110)");
            Check.equal(125L, sb.rackDeadline(), "remaining = 0 + 100 + 25 - 110 = 15: the timer fires at 125");
            Check.equal(0, sb.onRackTimer(124, false, SMSS, 100), "early: nothing");
            Check.equal(125L, sb.rackDeadline(), "armed again for the same moment");
            Check.equal(1000, sb.onRackTimer(125, false, SMSS, 100), "at 125: RACK_detect_loss marks it lost");
            Check.isTrue(sb.isLost(0), "[0,1000) lost");
            Check.equal(Scoreboard.NO_DEADLINE, sb.rackDeadline(), "nothing left to wait for");
        });

        Check.test("RFC 8985 6.2: timeout = max(remaining): with two segments waiting the timer is set for the later one", () -> {
            Scoreboard sb = new Scoreboard();
            sb.sent(0, 1000, 10);
            sb.sent(1000, 2000, 20);
            sb.sent(2000, 3000, 30);
            sb.sacked(2000, 3000, 130);                             // RACK.rtt 100, reo_wnd 25
            Check.equal(0, sb.detectLosses(130, false, SMSS, 100), "10 + 125 and 20 + 125 are both after 130");
            Check.equal(145L, sb.rackDeadline(), "max(135 - 130, 145 - 130) = 15: at 145");
            Check.equal(2000, sb.onRackTimer(145, false, SMSS, 100), "both lost when it fires");
        });

        Check.test("RFC 8985 6.2: a retransmission waits for its window too: the timer finds it lost without a new ACK", () -> {
            Scoreboard sb = reorderedThenSacked();                  // reordering seen: reo_wnd 25 even in recovery
            Check.equal(1000, sb.detectLosses(325, true, SMSS, 100), "[2000,3000) lost at 200 + 100 + 25");
            sb.sent(2000, 3000, 330);                               // retransmitted
            sb.sent(4000, 5000, 340);                               // new data after it
            sb.sacked(4000, 5000, 440);                             // RACK.rtt 100
            Check.equal(0, sb.detectLosses(440, true, SMSS, 100), "the retransmission: 330 + 100 + 25 > 440");
            Check.equal(455L, sb.rackDeadline(), "armed for 455");
            Check.equal(1000, sb.onRackTimer(455, true, SMSS, 100), "lost again");
            Check.equal(1, sb.lostRetransmissions(), "a lost retransmission");
            Check.equal(new Scoreboard.Hole(2000, 3000), sb.nextLost(1000), "to send once more");
        });

        Check.test("forgetSacks() and clear() disarm the timer", () -> {
            Scoreboard sb = new Scoreboard();
            sb.sent(0, 1000, 0);
            sb.sent(1000, 2000, 10);
            sb.sacked(1000, 2000, 110);
            sb.detectLosses(110, false, SMSS, 100);
            Check.isTrue(sb.rackDeadline() != Scoreboard.NO_DEADLINE, "armed");
            sb.forgetSacks();
            Check.equal(Scoreboard.NO_DEADLINE, sb.rackDeadline(), "after a timeout");
            sb.sacked(1000, 2000, 120);
            sb.detectLosses(120, false, SMSS, 100);
            sb.clear();
            Check.equal(Scoreboard.NO_DEADLINE, sb.rackDeadline(), "after clear");
        });

        Check.test("RFC 6937 DeliveredData: deliveredBytes() counts each byte once, when first SACKed or cumulatively acknowledged", () -> {
            Scoreboard sb = board(5);
            Check.equal(0L, sb.deliveredBytes(), "nothing yet");
            sb.sacked(2000, 4000, 10);
            Check.equal(2000L, sb.deliveredBytes(), "SACKed");
            sb.sacked(2000, 3000, 11);
            Check.equal(2000L, sb.deliveredBytes(), "SACKed again: not counted twice");
            sb.acked(3000, 12);
            Check.equal(4000L, sb.deliveredBytes(), "[0,2000) newly by the cumulative ACK, [2000,3000) already counted");
            sb.acked(5000, 13);
            Check.equal(5000L, sb.deliveredBytes(), "[4000,5000)");
        });
    }

    // ------------------------------------------------------------------ property

    /** One piece of the board as toString shows it, in offsets from the test's base. */
    record Shown(long start, long end, boolean sacked, boolean lost, boolean resent) {}

    static List<Shown> parse(Scoreboard sb, int base) {
        List<Shown> out = new ArrayList<>();
        String text = sb.toString();
        if (text.isEmpty()) return out;
        String[] words = text.split(" ");
        for (int i = 0; i < words.length; ) {
            String range = words[i++];
            Check.isTrue(range.startsWith("[") && range.endsWith(")"), "a range, not " + range);
            String[] edges = range.substring(1, range.length() - 1).split(",");
            long start = (Integer.parseUnsignedInt(edges[0]) - base) & 0xFFFF_FFFFL;
            long end = (Integer.parseUnsignedInt(edges[1]) - base) & 0xFFFF_FFFFL;
            boolean sacked = false, lost = false, resent = false;
            while (i < words.length && !words[i].startsWith("[")) {
                switch (words[i++]) {
                    case "sacked" -> sacked = true;
                    case "lost" -> lost = true;
                    case "resent" -> resent = true;
                    default -> throw new Check.Failure("unknown flag in " + text);
                }
            }
            out.add(new Shown(start, end, sacked, lost, resent));
        }
        return out;
    }

    /** The bytes (offsets) that are lost and not retransmitted: those NextSeg (1) may send. */
    static BitSet toResend(List<Shown> pieces) {
        BitSet bits = new BitSet();
        for (Shown p : pieces) if (p.lost() && !p.resent() && !p.sacked()) bits.set((int) p.start(), (int) p.end());
        return bits;
    }

    /** Checks the board against the model; returns the pieces. */
    static List<Shown> invariants(Scoreboard sb, int base, long una, long nxt, BitSet sacked, String where) {
        List<Shown> pieces = parse(sb, base);
        Check.equal(una == nxt, sb.isEmpty(), where + ": isEmpty");
        if (una == nxt) {
            Check.equal(0, pieces.size(), where + ": no pieces");
        } else {
            Check.equal(una, pieces.get(0).start(), where + ": the board starts at SND.UNA");
            Check.equal(nxt, pieces.get(pieces.size() - 1).end(), where + ": the board ends at SND.NXT");
        }
        long expectPipe = 0;
        for (int i = 0; i < pieces.size(); i++) {
            Shown p = pieces.get(i);
            Check.isTrue(p.start() < p.end(), where + ": piece " + p + " not empty");
            if (i > 0) Check.equal(pieces.get(i - 1).end(), p.start(), where + ": pieces contiguous");
            int from = (int) p.start(), to = (int) p.end();
            int sackedIn = sacked.get(from, to).cardinality();
            Check.equal(p.sacked() ? to - from : 0, sackedIn, where + ": piece " + p + " agrees with the SACKs sent");
            // RFC 6675 SetPipe, computed from the marks
            if (!p.sacked()) {
                if (!p.lost()) expectPipe += to - from;
                if (p.resent()) expectPipe += to - from;
            }
            Check.equal(p.lost() && !p.sacked(), sb.isLost(base + from), where + ": isLost(" + from + ")");
            if (p.sacked()) {
                int runEnd = (int) Math.min(nxt, sacked.nextClearBit(from));
                Check.equal(base + runEnd, sb.skipSacked(base + from), where + ": skipSacked(" + from + ")");
            }
        }
        Check.equal(sacked.get((int) una, (int) nxt).cardinality(), sb.sackedBytes(), where + ": sackedBytes");
        Check.equal(expectPipe, sb.pipe(), where + ": pipe");
        int firstSacked = sacked.nextSetBit((int) una);
        long expectNext = firstSacked < 0 || firstSacked >= nxt ? nxt : firstSacked;
        if (una != nxt) Check.equal(base + (int) expectNext, sb.nextSackedStart(base + (int) una), where + ": nextSackedStart");
        return pieces;
    }

    /** RFC 6675 IsLost for an unSACKed piece, from the SACKs sent (the model). */
    static boolean isLostByModel(BitSet sacked, long end, long nxt, int smss) {
        int sackedAbove = sacked.get((int) end, (int) nxt).cardinality();
        int runs = 0;
        for (int i = sacked.nextSetBit((int) end); i >= 0 && i < nxt; i = sacked.nextSetBit(sacked.nextClearBit(i))) runs++;
        return runs >= Scoreboard.DUP_THRESH || sackedAbove > (Scoreboard.DUP_THRESH - 1) * smss;
    }

    static void property() {
        Check.suite("Scoreboard property");

        Check.test("random sends, SACK blocks, cumulative ACKs, loss detection and retransmissions (seed 6675, across 2^32): the board stays contiguous, sackedBytes and SetPipe exact, IsLost applied", () -> {
            Random random = new Random(6675);
            final int base = 0xFFFF_0000; // the stream crosses 0 after 65536 bytes
            Scoreboard sb = new Scoreboard();
            BitSet sacked = new BitSet(); // by offset from base: bytes the receiver SACKed
            long una = 0, nxt = 0, now = 0;
            int losses = 0, retransmissions = 0, forgets = 0;
            for (int step = 0; step < 4000; step++) {
                now += random.nextInt(4);
                int what = random.nextInt(100);
                if (nxt - una > 60_000) what = 90; // keep the board under 2^31 and the test quick
                String where;
                if (what < 35) {
                    int length = 1 + random.nextInt(1460);
                    sb.sent(base + (int) nxt, base + (int) (nxt + length), now);
                    where = "step " + step + " sent [" + nxt + "," + (nxt + length) + ")";
                    nxt += length;
                } else if (what < 70) {
                    long left = una - 300 + random.nextInt((int) (nxt - una) + 600);
                    long right = left + 1 + random.nextInt(3000);
                    long from = Math.max(left, una), to = Math.min(right, nxt);
                    int expect = 0;
                    if (from < to) {
                        expect = (int) (to - from) - sacked.get((int) from, (int) to).cardinality();
                        sacked.set((int) from, (int) to);
                    }
                    where = "step " + step + " SACK [" + left + "," + right + ")";
                    Check.equal(expect, sb.sacked(base + (int) left, base + (int) right, now), where + ": newly SACKed");
                } else if (what < 85) {
                    boolean recovering = random.nextBoolean();
                    long srtt = 1 + random.nextInt(200);
                    BitSet before = toResend(parse(sb, base));
                    int newly = sb.detectLosses(now, recovering, SMSS, srtt);
                    List<Shown> after = parse(sb, base);
                    BitSet added = toResend(after);
                    added.andNot(before);
                    where = "step " + step + " detectLosses";
                    Check.equal(added.cardinality(), newly, where + ": the bytes newly lost");
                    losses += newly;
                    for (Shown p : after) {
                        if (p.sacked() || p.resent()) continue;
                        if (isLostByModel(sacked, p.end(), nxt, SMSS)) Check.isTrue(p.lost(), where + ": IsLost says " + p + " is lost");
                    }
                    Shown first = after.stream().filter(p -> p.lost() && !p.resent() && !p.sacked()).findFirst().orElse(null);
                    Scoreboard.Hole hole = sb.nextLost(Integer.MAX_VALUE);
                    Check.equal(first == null ? null : new Scoreboard.Hole(base + (int) first.start(), base + (int) first.end()),
                            hole, where + ": nextLost");
                    for (int n = random.nextInt(4); n > 0; n--) { // retransmit what NextSeg offers
                        Scoreboard.Hole next = sb.nextLost(1 + random.nextInt(1460));
                        if (next == null) break;
                        long offset = (next.start() - base) & 0xFFFF_FFFFL;
                        Check.isTrue(offset >= una && offset + next.length() <= nxt, where + ": the hole " + next + " is on the board");
                        Check.equal(0, sacked.get((int) offset, (int) offset + next.length()).cardinality(), where + ": the hole is not SACKed");
                        sb.sent(next.start(), next.end(), now);
                        retransmissions++;
                    }
                } else if (what < 97) {
                    long newUna = una + random.nextInt((int) (nxt - una) + 1);
                    sb.acked(base + (int) newUna, now);
                    where = "step " + step + " ACK " + newUna;
                    una = newUna;
                } else if (what < 98) {
                    sb.markLost(base + (int) una, base + (int) (una + 1000)); // (4.3): the segment at SND.UNA
                    where = "step " + step + " markLost at " + una;
                } else {
                    sb.forgetSacks();
                    sacked.clear();
                    where = "step " + step + " forgetSacks";
                    forgets++;
                    for (Shown p : parse(sb, base)) Check.isTrue(!p.sacked() && !p.lost() && !p.resent(), where + ": no marks on " + p);
                }
                invariants(sb, base, una, nxt, sacked, where);
            }
            Check.isTrue(nxt > 0x1_0000, "the stream crossed 2^32 (" + nxt + " bytes)");
            Check.isTrue(losses > 0 && retransmissions > 0 && forgets > 0,
                    "the run exercised losses (" + losses + "), retransmissions (" + retransmissions + ") and timeouts (" + forgets + ")");
        });
    }

    static void hostile() {
        Check.suite("Scoreboard against a hostile or careless peer");

        Check.test("SACK edges inside a segment move to its boundaries: 100,000 one-byte blocks leave the board at one piece per segment", () -> {
            int mss = 1460, segments = 700;
            Scoreboard b = new Scoreboard(mss);
            send(b, 0, segments, mss, 0);
            java.util.Random r = new java.util.Random(1);
            int newly = 0;
            for (int k = 0; k < 100_000; k++) {
                int at = r.nextInt(segments * mss - 2);
                if (at % mss == 0) at++;            // never a block that starts on a boundary
                newly += b.sacked(at, at + 1, 1);
            }
            Check.isTrue(b.pieceCount() <= segments, "pieces " + b.pieceCount());
            Check.equal(0, newly, "a byte inside a segment SACKs nothing");
            Check.equal(2 * mss, b.sacked(mss - 5, 3 * mss + 7, 1), "a block over segments 1 and 2 and parts of 0 and 3 SACKs 1 and 2 only");
            Check.isTrue(b.pieceCount() <= segments, "still " + b.pieceCount());
        });

        Check.test("RFC 8985 RACK_sent_after: pieces of one transmission (a large segment) are ordered by sequence number", () -> {
            Scoreboard b = new Scoreboard(1000);
            b.sent(0, 3000, 0);                     // one large segment of three
            b.sacked(2000, 3000, 5);
            // in recovery with no reordering seen, RACK's window is 0: both earlier pieces are lost
            Check.equal(2000, b.detectLosses(5, true, 1000, 4), "newly lost bytes");
        });

        Check.test("RFC 8985 6.2: a cumulative ACK taken before the SACK block of the same ACK is no sign of reordering", () -> {
            Scoreboard b = new Scoreboard(1000);
            send(b, 0, 4, 1000, 0);
            b.acked(2000, 10);
            b.sacked(3000, 4000, 10);
            Check.isTrue(!b.reorderingSeen(), "no reordering");
        });

        Check.test("RFC 8985 6.2 after a timeout: blocks SACKed again once forgetSacks() cleared them are no sign of reordering", () -> {
            Scoreboard b = new Scoreboard(1000);
            send(b, 0, 6, 1000, 0);
            b.sacked(4000, 6000, 10);   // RACK.fack = 6000
            b.forgetSacks();             // the timeout
            b.sacked(1000, 3000, 20);   // the receiver repeats what it holds, lower blocks first
            b.sacked(4000, 6000, 20);
            Check.isTrue(!b.reorderingSeen(), "no reordering");
        });
    }
}
