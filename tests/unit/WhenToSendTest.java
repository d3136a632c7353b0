/**
 * WhenToSend: sender SWS avoidance (RFC 9293 3.8.6.2.1) and the Nagle algorithm (3.7.4).
 *
 * Run from the project directory:
 *   ./test.sh unit WhenToSend   (no root needed)
 */
final class WhenToSendTest {
    private WhenToSendTest() {}

    static final int MSS = 1000;
    static final int MAX_WND = 64_000;

    static WhenToSend.Decision decide(int usable, int queued, boolean unacknowledged, boolean noDelay,
                                      boolean pushed, boolean overrideTimeout) {
        return WhenToSend.decide(usable, queued, MSS, MAX_WND, unacknowledged, noDelay, pushed, overrideTimeout);
    }

    public static void main(String[] args) {
        Check.suite("WhenToSend");

        Check.test("(1) a full-sized segment is sent whenever it can be, Nagle or not", () -> {
            Check.equal(new WhenToSend.Decision(MSS, false), decide(10_000, 5000, true, false, false, false), "with data in flight");
            Check.equal(new WhenToSend.Decision(MSS, false), decide(MSS, MSS, false, false, false, false), "exactly one MSS");
        });

        Check.test("(2) pushed data that all fits is sent at once when nothing is in flight", () -> {
            Check.equal(new WhenToSend.Decision(10, false), decide(10_000, 10, false, false, true, false), "10 pushed bytes");
        });

        Check.test("(2) without PUSH, a small amount waits (for more data, or the override timer)", () -> {
            Check.equal(new WhenToSend.Decision(0, true), decide(10_000, 10, false, false, false, false), "10 unpushed bytes");
        });

        Check.test("3.7.4 Nagle: with data in flight, small pushed data waits for the ACK (no timer)", () -> {
            Check.equal(new WhenToSend.Decision(0, false), decide(10_000, 10, true, false, true, false), "10 bytes, data in flight");
        });

        Check.test("MUST-17: with Nagle disabled, small pushed data goes out even with data in flight", () -> {
            Check.equal(new WhenToSend.Decision(10, false), decide(10_000, 10, true, true, true, false), "TCP_NODELAY");
        });

        Check.test("(3) a send of at least Fs = 1/2 of the largest window offered is allowed", () -> {
            // D = 40000 > U = 500 < MSS: (1) and (2) fail; 500 >= 1/2 * 1000 (max window 1000)
            Check.equal(new WhenToSend.Decision(500, false),
                    WhenToSend.decide(500, 40_000, MSS, 1000, false, false, true, false), "half of a 1000-byte max window");
            Check.equal(new WhenToSend.Decision(0, true),
                    WhenToSend.decide(499, 40_000, MSS, 1000, false, false, true, false), "just under half");
        });

        Check.test("SWS: a small usable window with more queued waits, and asks for the override timer", () -> {
            // the peer opened 100 bytes of a 64000 window: sending 100 would be a silly segment
            Check.equal(new WhenToSend.Decision(0, true), decide(100, 5000, false, false, true, false), "100 of 5000 queued");
        });

        Check.test("(4) when the override timer fires, what the window allows is sent", () -> {
            Check.equal(new WhenToSend.Decision(100, false), decide(100, 5000, false, false, true, true), "100 bytes");
            Check.equal(new WhenToSend.Decision(10, false), decide(10_000, 10, false, false, false, true), "unpushed 10 bytes");
        });

        Check.test("nothing to send, or no window: 0, and no override timer (the persist timer's job)", () -> {
            Check.equal(new WhenToSend.Decision(0, false), decide(10_000, 0, false, false, true, false), "no data");
            Check.equal(new WhenToSend.Decision(0, false), decide(0, 5000, false, false, true, false), "zero window");
            Check.equal(new WhenToSend.Decision(0, false), decide(-300, 5000, true, false, true, true), "window shrunk below SND.NXT");
        });

        Check.finish();
    }
}
