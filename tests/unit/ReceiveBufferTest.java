import java.util.Arrays;
import java.util.Random;

/**
 * ReceiveBuffer: the ring of in-order bytes the application has not read.
 *
 * Run from the project directory:
 *   ./test.sh unit ReceiveBuffer   (no root needed)
 */
final class ReceiveBufferTest {
    private ReceiveBufferTest() {}

    static byte[] bytes(int from, int count) {
        byte[] b = new byte[count];
        for (int i = 0; i < count; i++) b[i] = (byte) (from + i);
        return b;
    }

    public static void main(String[] args) {
        Check.suite("ReceiveBuffer");

        Check.test("bytes come out in the order they went in; free = RCV.BUFF - RCV.USER", () -> {
            ReceiveBuffer b = new ReceiveBuffer(10);
            Check.equal(10, b.free(), "free when empty");
            Check.equal(6, b.write(bytes(0, 6), 0, 6), "written");
            Check.equal(4, b.free(), "free");
            byte[] out = new byte[4];
            Check.equal(4, b.read(out, 0, 4), "read");
            Check.bytes(bytes(0, 4), out, "first 4");
            Check.equal(8, b.free(), "reading frees room");
            Check.bytes(bytes(4, 2), b.readAll(), "the rest");
            Check.isTrue(b.isEmpty(), "empty");
        });

        Check.test("a full buffer takes what fits; an empty one reads 0", () -> {
            ReceiveBuffer b = new ReceiveBuffer(4);
            Check.equal(4, b.write(bytes(0, 9), 0, 9), "4 of 9 taken");
            Check.equal(0, b.write(bytes(0, 1), 0, 1), "nothing more");
            Check.equal(0, b.free(), "no room: a zero window");
            b.readAll();
            Check.equal(0, b.read(new byte[3], 0, 3), "nothing to read");
        });

        Check.test("the ring wraps: data across the end of the array reads back in order", () -> {
            ReceiveBuffer b = new ReceiveBuffer(8);
            b.write(bytes(0, 7), 0, 7);
            b.read(new byte[6], 0, 6);           // head at position 6
            Check.equal(7, b.write(bytes(7, 7), 0, 7), "7 more fit");
            byte[] out = new byte[10];
            Check.equal(8, b.read(out, 2, 8), "read all 8 into the middle of dst");
            Check.bytes(bytes(6, 8), Arrays.copyOfRange(out, 2, 10), "in order");
        });

        Check.test("random writes and reads agree with a plain byte list", () -> {
            Random random = new Random(7);
            for (int capacity : new int[] {1, 5, 100}) {
                ReceiveBuffer b = new ReceiveBuffer(capacity);
                byte[] held = new byte[0];
                int next = 0;
                for (int step = 0; step < 5000; step++) {
                    if (random.nextBoolean()) {
                        int len = random.nextInt(capacity + 2);
                        int taken = b.write(bytes(next, len), 0, len);
                        Check.equal(Math.min(len, capacity - held.length), taken, "taken");
                        byte[] grown = Arrays.copyOf(held, held.length + taken);
                        System.arraycopy(bytes(next, taken), 0, grown, held.length, taken);
                        held = grown;
                        next += taken;
                    } else {
                        int len = random.nextInt(capacity + 2);
                        byte[] out = new byte[len];
                        int n = b.read(out, 0, len);
                        Check.equal(Math.min(len, held.length), n, "read");
                        Check.bytes(Arrays.copyOf(held, n), Arrays.copyOf(out, n), "bytes read");
                        held = Arrays.copyOfRange(held, n, held.length);
                    }
                    Check.equal(held.length, b.length(), "length");
                    Check.equal(capacity - held.length, b.free(), "free");
                }
            }
        });

        Check.finish();
    }
}
