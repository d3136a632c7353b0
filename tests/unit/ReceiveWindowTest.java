import java.util.Random;

/**
 * ReceiveWindow: receiver SWS avoidance (RFC 9293 3.8.6.2.2), a right edge that does not move
 * back, and RFC 7323 scaling.
 *
 * Run from the project directory:
 *   ./test.sh unit ReceiveWindow   (no root needed)
 */
final class ReceiveWindowTest {
    private ReceiveWindowTest() {}

    static final int MSS = 1460;

    /** A receiver: RCV.NXT, a receive buffer's occupancy, and its window. */
    static final class Receiver {
        final ReceiveWindow window;
        final int buffer;
        int rcvNxt, unread;
        int field;

        Receiver(int buffer, int shift, int irs) {
            this.buffer = buffer;
            window = new ReceiveWindow(buffer);
            window.synWindow(buffer);
            window.useShift(shift);
            rcvNxt = irs + 1;
        }

        int free() { return buffer - unread; }

        /** The peer's data arrives (in order), we answer with an ACK: returns the window in bytes. */
        int receive(int n) {
            rcvNxt += n;
            unread += n;
            return ack();
        }

        int read(int n) {
            unread -= n;
            return ack();
        }

        int ack() {
            field = window.advertise(rcvNxt, free(), MSS);
            return window.advertisedBytes(field);
        }
    }

    public static void main(String[] args) {
        Check.suite("ReceiveWindow");

        Check.test("RFC 7323 2.2: the SYN's window is not scaled, so at most 65535", () -> {
            ReceiveWindow w = new ReceiveWindow(1 << 20);
            Check.equal(65535, w.synWindow(1 << 20), "SYN window with a 1 MiB buffer");
            Check.equal(1000, new ReceiveWindow(1000).synWindow(1000), "a small buffer");
        });

        Check.test("the first window after the handshake is the whole free buffer", () -> {
            Receiver r = new Receiver(65535, 0, 0x1000);
            Check.equal(65535, r.ack(), "window");
            Check.equal(0x1000 + 1 + 65535, r.window.rightEdge(), "right edge");
        });

        Check.test("3.8.6.2.2: the right edge stays fixed while the room gained is below min(Fr*RCV.BUFF, Eff.snd.MSS)", () -> {
            Receiver r = new Receiver(65535, 0, 0);
            r.ack();
            int edge = r.window.rightEdge();
            Check.equal(64535, r.receive(1000), "data arrives: the window shrinks from the left only");
            Check.equal(edge, r.window.rightEdge(), "edge");
            Check.equal(64535, r.read(1000), "1000 bytes read: 1000 < 1460, the edge stays");
            Check.equal(63535, r.receive(1000), "more data");
            Check.equal(65535, r.read(1000), "2000 bytes of room gained >= 1460: the window opens to all the free space");
        });

        Check.test("3.8.6.2.2: a closed window reopens only once min(Fr*RCV.BUFF, Eff.snd.MSS) is free", () -> {
            Receiver r = new Receiver(4000, 0, 0);
            r.ack();
            Check.equal(0, r.receive(4000), "full: zero window");
            Check.equal(0, r.read(1), "1 byte read: still zero (no silly window)");
            Check.equal(0, r.read(1458), "1459 bytes free: still zero");
            Check.equal(1460, r.read(1), "1460 free: open");
        });

        Check.test("with a buffer smaller than two MSS, Fr*RCV.BUFF (half the buffer) is the step", () -> {
            Receiver r = new Receiver(1000, 0, 0);
            r.ack();
            r.receive(1000);
            Check.equal(0, r.read(499), "499 free");
            Check.equal(500, r.read(1), "500 free: open");
        });

        Check.test("the window never shrinks with shift 0, whatever the order of arrivals and reads", () -> {
            Random random = new Random(3);
            Receiver r = new Receiver(20_000, 0, 0xFFFF_0000);
            r.ack();
            for (int i = 0; i < 20_000; i++) {
                int edge = r.window.rightEdge();
                int current = edge - r.rcvNxt;
                if (random.nextBoolean() && current > 0) r.receive(1 + random.nextInt(Math.min(current, 3000)));
                else if (r.unread > 0) r.read(1 + random.nextInt(r.unread));
                else r.ack();
                Check.isTrue(Seq.ge(r.window.rightEdge(), edge), "the right edge did not move back (step " + i + ")");
                Check.isTrue(r.window.advertisedBytes(r.field) <= r.free(), "never more than the free space");
            }
        });

        Check.test("RFC 7323: the field is the window >> shift, rounded down when opening", () -> {
            Receiver r = new Receiver(100_007, 4, 0);
            Check.equal(100_000, r.ack(), "100007 rounded down to a multiple of 16");
            Check.equal(6250, r.field, "field = 100000 >> 4");
            Receiver big = new Receiver(16 << 20, 7, 0);
            Check.equal(0xFFFF, (big.ack() >> 7), "a window beyond 65535 << 7 is capped");
        });

        Check.test("scaled: when rounding down would pull the edge back, round up if that fits in the buffer", () -> {
            Receiver r = new Receiver(1010, 4, 0);
            Check.equal(1008, r.ack(), "63 units");
            int edge = r.window.rightEdge();
            r.rcvNxt += 10;  // 10 bytes arrive and are read before the next ACK:
            r.ack();         // 998 left, 62 units would pull the edge back; 63 units (1008) fit in 1010 free
            Check.equal(1008, r.window.advertisedBytes(r.field), "rounded up");
            Check.isTrue(Seq.ge(r.window.rightEdge(), edge), "edge not moved back");
        });

        Check.test("scaled: when rounding up would pass the buffer, the edge retracts by less than 2^shift and the old edge is still honoured", () -> {
            Receiver r = new Receiver(1000, 4, 0);
            Check.equal(992, r.ack(), "62 units");
            int edge = r.window.rightEdge();
            Check.equal(976, r.receive(10), "982 would need 62 units = 992 > 990 free: 61 units");
            Check.isTrue(edge - r.window.rightEdge() < 16, "retracted by " + (edge - r.window.rightEdge()) + " < 16");
            Check.isTrue(r.window.acceptLimit(r.rcvNxt) >= edge - r.rcvNxt, "segments up to the old edge are still accepted");
            Check.equal(990, r.window.acceptLimit(r.rcvNxt), "up to the furthest edge ever advertised (the SYN's 1000)");
            Check.isTrue(r.window.acceptLimit(r.rcvNxt) <= r.free(), "and they fit in the buffer");
        });

        Check.test("scaled, random traffic: never beyond the free space, retractions under 2^shift, acceptLimit always fits", () -> {
            Random random = new Random(11);
            for (int shift : new int[] {1, 4, 7}) {
                Receiver r = new Receiver(50_000, shift, random.nextInt());
                r.ack();
                for (int i = 0; i < 20_000; i++) {
                    int edge = r.window.rightEdge();
                    int limit = r.window.acceptLimit(r.rcvNxt);
                    if (random.nextInt(3) > 0 && limit > 0) r.receive(1 + random.nextInt(Math.min(limit, 2000)));
                    else if (r.unread > 0) r.read(1 + random.nextInt(r.unread));
                    else r.ack();
                    Check.isTrue(r.window.advertisedBytes(r.field) <= r.free(), "advertised <= free (shift " + shift + ")");
                    Check.isTrue(Seq.compare(edge, r.window.rightEdge()) < (1 << shift), "retraction < 2^shift");
                    Check.isTrue(r.window.acceptLimit(r.rcvNxt) <= r.free(), "acceptLimit <= free");
                }
            }
        });

        Check.test("shift is limited to 14 (RFC 7323 2.3)", () -> {
            Check.throwsA(IllegalArgumentException.class, () -> new ReceiveWindow(1000).useShift(15), "shift 15");
        });

        Check.finish();
    }
}
