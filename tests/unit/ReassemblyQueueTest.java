import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * ReassemblyQueue: out-of-order segments held, merged, bounded and delivered in order.
 *
 * Run from the project directory:
 *   ./test.sh unit ReassemblyQueue   (no root needed)
 */
final class ReassemblyQueueTest {
    private ReassemblyQueueTest() {}

    /** The byte at sequence number seq of every stream in these tests: easy to check. */
    static byte at(int seq) {
        return (byte) (seq * 31 + (seq >>> 8) * 7);
    }

    static byte[] stream(int seq, int len) {
        byte[] b = new byte[len];
        for (int i = 0; i < len; i++) b[i] = at(seq + i);
        return b;
    }

    /** Adds the stream's bytes [seq, seq+len). */
    static int add(ReassemblyQueue q, int seq, int len, int rcvNxt) {
        return q.add(seq, stream(seq, len), 0, len, rcvNxt);
    }

    public static void main(String[] args) {
        ordering();
        overlaps();
        bounds();
        finAndSack();
        property();
        Check.finish();
    }

    static void ordering() {
        Check.suite("ReassemblyQueue ordering");

        Check.test("a segment at RCV.NXT is delivered at once", () -> {
            ReassemblyQueue q = new ReassemblyQueue(1000);
            Check.equal(100, add(q, 5000, 100, 5000), "new bytes");
            Check.bytes(stream(5000, 100), q.takeContiguous(5000), "delivered");
            Check.isTrue(q.isEmpty(), "empty");
            Check.equal(0, q.bytesHeld(), "held");
        });

        Check.test("segments in reverse order are held until the first arrives, then delivered together", () -> {
            ReassemblyQueue q = new ReassemblyQueue(1000);
            int rcvNxt = 1000;
            add(q, 1200, 100, rcvNxt);
            add(q, 1100, 100, rcvNxt);
            Check.equal(0, q.takeContiguous(rcvNxt).length, "nothing while 1000..1100 is missing");
            Check.equal(200, q.bytesHeld(), "held");
            Check.equal(1, q.rangeCount(), "1100..1200 and 1200..1300 touch: one range");
            add(q, 1000, 100, rcvNxt);
            Check.bytes(stream(1000, 300), q.takeContiguous(rcvNxt), "all 300 bytes in order");
            Check.equal(0, q.bytesHeld(), "held");
        });

        Check.test("a hole in the middle filled joins the ranges on both sides", () -> {
            ReassemblyQueue q = new ReassemblyQueue(1000);
            add(q, 110, 10, 100);
            add(q, 130, 10, 100);
            Check.equal(2, q.rangeCount(), "two ranges");
            Check.equal(10, add(q, 120, 10, 100), "the middle");
            Check.equal(1, q.rangeCount(), "one range 110..140");
            Check.equal(0, q.takeContiguous(100).length, "100..110 still missing");
            add(q, 100, 10, 100);
            Check.bytes(stream(100, 40), q.takeContiguous(100), "100..140");
        });

        Check.test("across the 2^32 wrap (RCV.NXT 0xFFFFFFF0)", () -> {
            int rcvNxt = 0xFFFF_FFF0;
            ReassemblyQueue q = new ReassemblyQueue(1000);
            add(q, 0x0000_0008, 16, rcvNxt);   // after zero
            add(q, 0xFFFF_FFF8, 16, rcvNxt);   // across zero
            Check.equal(0, q.takeContiguous(rcvNxt).length, "the first 8 bytes are missing");
            add(q, rcvNxt, 8, rcvNxt);
            byte[] out = q.takeContiguous(rcvNxt);
            Check.bytes(stream(rcvNxt, 40), out, "40 bytes from 0xFFFFFFF0 to 0x18");
        });

        Check.test("RCV.NXT moved by in-order data delivered directly: bytes now behind it are dropped", () -> {
            ReassemblyQueue q = new ReassemblyQueue(1000);
            add(q, 150, 100, 100);             // 150..250 held
            Check.equal(100, q.bytesHeld(), "held");
            // the caller received 100..200 in order itself and advanced RCV.NXT to 200
            Check.bytes(stream(200, 50), q.takeContiguous(200), "200..250");
            Check.equal(0, q.bytesHeld(), "held");
            Check.throwsA(IllegalArgumentException.class, () -> q.takeContiguous(150), "RCV.NXT going back");
        });
    }

    static void overlaps() {
        Check.suite("ReassemblyQueue overlaps");

        Check.test("a segment overlapping a held range on both sides adds only the new bytes", () -> {
            ReassemblyQueue q = new ReassemblyQueue(1000);
            add(q, 110, 10, 100);
            Check.equal(10, add(q, 105, 20, 100), "105..110 and 120..125 are new");
            Check.equal(20, q.bytesHeld(), "held");
            Check.equal(1, q.rangeCount(), "one range");
            add(q, 100, 5, 100);
            Check.bytes(stream(100, 25), q.takeContiguous(100), "100..125");
        });

        Check.test("a segment spanning several held ranges fills every gap and merges them all", () -> {
            ReassemblyQueue q = new ReassemblyQueue(1000);
            add(q, 110, 5, 100);
            add(q, 120, 5, 100);
            add(q, 130, 5, 100);
            Check.equal(3, q.rangeCount(), "three ranges");
            Check.equal(20, add(q, 105, 35, 100), "105..140 (35 bytes) minus the 15 held");
            Check.equal(1, q.rangeCount(), "one range");
            Check.equal(35, q.bytesHeld(), "held");
        });

        Check.test("bytes already held are kept: a different copy of them does not overwrite", () -> {
            ReassemblyQueue q = new ReassemblyQueue(1000);
            byte[] first = new byte[10];
            Arrays.fill(first, (byte) 'A');
            byte[] second = new byte[20];
            Arrays.fill(second, (byte) 'B');
            q.add(110, first, 0, 10, 100);
            q.add(105, second, 0, 20, 100);
            q.add(100, new byte[5], 0, 5, 100);
            byte[] out = q.takeContiguous(100);
            byte[] expected = new byte[25];
            Arrays.fill(expected, 5, 10, (byte) 'B');
            Arrays.fill(expected, 10, 20, (byte) 'A');
            Arrays.fill(expected, 20, 25, (byte) 'B');
            Check.bytes(expected, out, "delivered");
        });

        Check.test("duplicates add nothing: the same segment twice, and data before RCV.NXT", () -> {
            ReassemblyQueue q = new ReassemblyQueue(1000);
            Check.equal(50, add(q, 150, 50, 100), "first copy");
            Check.equal(0, add(q, 150, 50, 100), "second copy");
            Check.equal(0, add(q, 160, 10, 100), "a piece of it");
            Check.equal(0, add(q, 50, 50, 100), "entirely before RCV.NXT");
            Check.equal(10, add(q, 90, 20, 100), "partly before RCV.NXT: only 100..110 kept");
            Check.equal(60, q.bytesHeld(), "held");
        });
    }

    static void bounds() {
        Check.suite("ReassemblyQueue bounds");

        Check.test("nothing at or beyond RCV.NXT + capacity is kept", () -> {
            ReassemblyQueue q = new ReassemblyQueue(100);
            Check.equal(50, add(q, 1050, 100, 1000), "1050..1100 of 1050..1150");
            Check.equal(0, add(q, 1100, 10, 1000), "at the limit");
            Check.equal(0, add(q, 5000, 10, 1000), "far beyond");
            Check.equal(50, q.bytesHeld(), "held");
        });

        Check.test("the window passed in limits further than capacity", () -> {
            ReassemblyQueue q = new ReassemblyQueue(1000);
            Check.equal(20, q.add(1010, stream(1010, 50), 0, 50, false, 1000, 30), "1010..1030 within a window of 30");
            Check.equal(0, q.add(1040, stream(1040, 10), 0, 10, false, 1000, 0), "a zero window keeps nothing");
        });

        Check.test("a peer cannot make it grow past capacity, whatever it sends", () -> {
            Random random = new Random(99);
            ReassemblyQueue q = new ReassemblyQueue(500);
            int rcvNxt = 0x7FFF_FF00;
            for (int i = 0; i < 20_000; i++) {
                int seq = rcvNxt + random.nextInt(3000) - 1000;
                int len = random.nextInt(200);
                if (seq == rcvNxt) continue; // keep the gap at RCV.NXT open: everything stays queued
                add(q, seq, len, rcvNxt);
                Check.isTrue(q.bytesHeld() <= 500, "held " + q.bytesHeld() + " <= capacity");
                Check.isTrue(q.rangeCount() <= ReassemblyQueue.MAX_RANGES, "ranges " + q.rangeCount());
            }
        });

        Check.test("a segment that would open one range more than MAX_RANGES is dropped; one that merges is not", () -> {
            ReassemblyQueue q = new ReassemblyQueue(10_000);
            for (int i = 0; i < ReassemblyQueue.MAX_RANGES; i++) add(q, 100 + 1 + 2 * i, 1, 100);
            Check.equal(ReassemblyQueue.MAX_RANGES, q.rangeCount(), "ranges");
            Check.equal(0, add(q, 1000, 10, 100), "a new separate range is refused");
            Check.equal(1, add(q, 102, 1, 100), "a byte joining two ranges is taken");
            Check.equal(ReassemblyQueue.MAX_RANGES - 1, q.rangeCount(), "ranges after the join");
        });
    }

    static void finAndSack() {
        Check.suite("ReassemblyQueue FIN and SACK blocks");

        Check.test("an out-of-order FIN is remembered and reached once the data before it is delivered", () -> {
            ReassemblyQueue q = new ReassemblyQueue(1000);
            q.add(110, stream(110, 10), 0, 10, true, 100, 1000);
            Check.isTrue(q.hasFin(), "FIN remembered");
            Check.equal(120, q.finSeq(), "FIN at 120");
            Check.isTrue(!q.finReached(100), "not reached at 100");
            add(q, 100, 10, 100);
            byte[] out = q.takeContiguous(100);
            Check.equal(20, out.length, "delivered");
            Check.isTrue(q.finReached(100 + out.length), "reached at 120");
        });

        Check.test("no data beyond a remembered FIN is kept", () -> {
            ReassemblyQueue q = new ReassemblyQueue(1000);
            q.add(110, new byte[0], 0, 0, true, 100, 1000);
            Check.equal(0, add(q, 115, 10, 100), "data after the FIN");
            Check.equal(5, add(q, 105, 10, 100), "105..110 before the FIN");
        });

        Check.test("RFC 2018: the first block holds the latest segment, the others follow highest first", () -> {
            ReassemblyQueue q = new ReassemblyQueue(1000);
            add(q, 110, 10, 100);
            add(q, 150, 10, 100);
            add(q, 130, 10, 100);
            add(q, 170, 10, 100);
            add(q, 135, 10, 100); // latest: joins 130..140 into 130..145
            int[] blocks = q.sackBlocks(100, 3);
            Check.equal(List.of(130, 145, 170, 180, 150, 160), toList(blocks), "3 blocks");
            Check.equal(List.of(130, 145, 170, 180, 150, 160, 110, 120), toList(q.sackBlocks(100, 4)), "4 blocks");
        });
    }

    static List<Integer> toList(int[] values) {
        List<Integer> list = new ArrayList<>();
        for (int v : values) list.add(v);
        return list;
    }

    static void property() {
        Check.suite("ReassemblyQueue property");

        Check.test("random overlapping segments in random order deliver exactly the stream (seeded, across the wrap)", () -> {
            for (int trial = 0; trial < 200; trial++) {
                Random random = new Random(trial);
                int isn = trial % 2 == 0 ? 0xFFFF_FFF0 - random.nextInt(2000) : random.nextInt();
                int total = 1 + random.nextInt(5000);
                int capacity = 1 + random.nextInt(trial % 3 == 0 ? 300 : 8000);
                List<int[]> segments = new ArrayList<>();      // {offset, length}
                for (int offset = 0; offset < total; ) {        // a cover of the stream
                    int len = Math.min(1 + random.nextInt(400), total - offset);
                    segments.add(new int[] {offset, len});
                    offset += len - (offset + len < total ? random.nextInt(Math.max(len / 2, 1)) : 0);
                }
                int extra = random.nextInt(segments.size() + 1);
                for (int i = 0; i < extra; i++) {               // duplicates and odd overlaps
                    int offset = random.nextInt(total);
                    segments.add(new int[] {offset, 1 + random.nextInt(Math.min(400, total - offset))});
                }
                Collections.shuffle(segments, random);

                ReassemblyQueue q = new ReassemblyQueue(capacity);
                ByteArrayOutputStream delivered = new ByteArrayOutputStream();
                int rcvNxt = isn;
                // The peer sends every segment, in random order, again and again until all is
                // delivered (what it would do with retransmissions): a small queue drops bytes
                // beyond its capacity, which come back in a later pass.
                for (int pass = 0; delivered.size() < total; pass++) {
                    Check.isTrue(pass < 10_000, "finished within 10000 passes");
                    for (int[] s : segments) {
                        q.add(isn + s[0], stream(isn + s[0], s[1]), 0, s[1], rcvNxt);
                        Check.isTrue(q.bytesHeld() <= capacity, "held <= capacity");
                        byte[] out = q.takeContiguous(rcvNxt);
                        delivered.write(out, 0, out.length);
                        rcvNxt += out.length;
                    }
                    Collections.shuffle(segments, random);
                }
                Check.bytes(stream(isn, total), delivered.toByteArray(), "trial " + trial + " stream");
                Check.equal(0, q.bytesHeld(), "trial " + trial + " held at the end");
            }
        });
    }
}
