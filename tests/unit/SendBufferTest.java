import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.Random;

/**
 * SendBuffer: the ring of bytes written and not yet acknowledged.
 *
 * Run from the project directory:
 *   ./test.sh unit SendBuffer   (no root needed)
 */
final class SendBufferTest {
    private SendBufferTest() {}

    static byte[] bytes(int from, int count) {
        byte[] b = new byte[count];
        for (int i = 0; i < count; i++) b[i] = (byte) (from + i);
        return b;
    }

    static byte[] copyOut(SendBuffer buffer, int offset, int len) {
        byte[] out = new byte[len];
        buffer.copyOut(offset, out, 0, len);
        return out;
    }

    public static void main(String[] args) {
        Check.suite("SendBuffer");

        Check.test("written bytes can be copied out from any offset, as often as needed (retransmission)", () -> {
            SendBuffer b = new SendBuffer(16);
            Check.equal(10, b.write(bytes(0, 10), 0, 10), "accepted");
            Check.equal(10, b.length(), "length");
            Check.equal(6, b.free(), "free");
            Check.bytes(bytes(3, 4), copyOut(b, 3, 4), "bytes 3..7");
            Check.bytes(bytes(3, 4), copyOut(b, 3, 4), "the same bytes again");
            Check.equal(10, b.length(), "copying out keeps the bytes");
        });

        Check.test("a full buffer takes what fits and then nothing (bounded memory)", () -> {
            SendBuffer b = new SendBuffer(8);
            Check.equal(8, b.write(bytes(0, 12), 0, 12), "8 of 12 taken");
            Check.equal(0, b.free(), "free");
            Check.equal(0, b.write(bytes(0, 1), 0, 1), "nothing more");
            Check.bytes(bytes(0, 8), copyOut(b, 0, 8), "the first 8 bytes");
        });

        Check.test("acknowledge drops bytes from the front; offsets count from the new SND.UNA", () -> {
            SendBuffer b = new SendBuffer(16);
            b.write(bytes(0, 10), 0, 10);
            b.acknowledge(4);
            Check.equal(6, b.length(), "length");
            Check.equal(10, b.free(), "free");
            Check.bytes(bytes(4, 6), copyOut(b, 0, 6), "what is left");
            b.acknowledge(6);
            Check.isTrue(b.isEmpty(), "empty");
        });

        Check.test("the ring wraps: data written across the end of the array comes out in order", () -> {
            SendBuffer b = new SendBuffer(8);
            b.write(bytes(0, 6), 0, 6);
            b.acknowledge(5);                      // head at position 5
            Check.equal(7, b.write(bytes(6, 7), 0, 7), "7 more fit");
            Check.equal(8, b.length(), "full");
            Check.bytes(bytes(5, 8), copyOut(b, 0, 8), "all of it, across the end");
            Check.bytes(bytes(8, 3), copyOut(b, 3, 3), "a piece after the wrap");
        });

        Check.test("copying out beyond what is held, or acknowledging more, is a caller bug", () -> {
            SendBuffer b = new SendBuffer(8);
            b.write(bytes(0, 4), 0, 4);
            Check.throwsA(IndexOutOfBoundsException.class, () -> copyOut(b, 2, 3), "bytes 2..5 of 4");
            Check.throwsA(IndexOutOfBoundsException.class, () -> copyOut(b, -1, 1), "negative offset");
            Check.throwsA(IllegalArgumentException.class, () -> b.acknowledge(5), "acknowledge 5 of 4");
            Check.throwsA(IllegalArgumentException.class, () -> new SendBuffer(0), "capacity 0");
        });

        Check.test("random writes, copies and acknowledgments agree with a plain byte list", () -> {
            Random random = new Random(20240601);
            for (int capacity : new int[] {1, 7, 64, 1000}) {
                SendBuffer b = new SendBuffer(capacity);
                ByteArrayOutputStream reference = new ByteArrayOutputStream();
                byte[] held = new byte[0];
                int next = 0;
                for (int step = 0; step < 5000; step++) {
                    switch (random.nextInt(3)) {
                        case 0 -> {
                            int len = random.nextInt(capacity + 3);
                            byte[] data = bytes(next, len);
                            int taken = b.write(data, 0, len);
                            Check.equal(Math.min(len, capacity - held.length), taken, "taken");
                            next += taken;
                            reference.reset();
                            reference.write(held, 0, held.length);
                            reference.write(data, 0, taken);
                            held = reference.toByteArray();
                        }
                        case 1 -> {
                            if (held.length == 0) break;
                            int off = random.nextInt(held.length);
                            int len = random.nextInt(held.length - off + 1);
                            Check.bytes(Arrays.copyOfRange(held, off, off + len), copyOut(b, off, len), "copy " + off + "+" + len);
                        }
                        default -> {
                            int n = random.nextInt(held.length + 1);
                            b.acknowledge(n);
                            held = Arrays.copyOfRange(held, n, held.length);
                        }
                    }
                    Check.equal(held.length, b.length(), "length");
                    Check.equal(capacity - held.length, b.free(), "free");
                }
            }
        });

        Check.finish();
    }
}
