/**
 * KeepAlive against RFC 9293 section 3.8.4 (MUST-24..29, SHLD-12) and RFC 1122 4.2.3.6, with the
 * timer driven by hand.
 *
 * Run from the project directory:
 *   ./test.sh unit KeepAlive   (no root needed)
 */
final class KeepAliveTest {
    private KeepAliveTest() {}

    static final long S = 1000;

    public static void main(String[] args) {
        Check.suite("KeepAlive");

        Check.test("MUST-25 off by default: no deadline, no probe however long the silence", () -> {
            KeepAlive k = new KeepAlive(null);
            Check.isTrue(!k.on(), "off");
            Check.equal(Long.MAX_VALUE, k.nextDeadline(0, true), "deadline");
            Check.equal(KeepAlive.Decision.NONE, k.onTimer(365 * 24 * 3600 * S, 0, true), "a year later");
        });

        Check.test("MUST-28 the defaults are Linux's: 2 hours, then 9 probes 75 s apart", () -> {
            Check.equal(new KeepAlive.Settings(7200 * S, 75 * S, 9), KeepAlive.DEFAULTS, "defaults");
        });

        Check.test("--keepalive SECONDS[,INTERVAL,COUNT] parses; bad values say what is wrong", () -> {
            Check.equal(new KeepAlive.Settings(600 * S, 75 * S, 9), KeepAlive.Settings.parse("600"), "SECONDS alone");
            Check.equal(new KeepAlive.Settings(30 * S, 5 * S, 3), KeepAlive.Settings.parse("30,5,3"), "all three");
            for (String bad : new String[] {"", "0", "-5", "x", "30,5", "30,5,3,1", "30,0,3", "30,5,x"}) {
                Check.throwsA(IllegalArgumentException.class, () -> KeepAlive.Settings.parse(bad), "'" + bad + "'");
            }
            IllegalArgumentException one = Check.throwsA(IllegalArgumentException.class, () -> KeepAlive.Settings.parse("30,5,1"), "COUNT 1");
            Check.isTrue(one.getMessage().contains("MUST-29"), one.getMessage());
        });

        Check.test("MUST-26 first probe after the idle time since the peer was last heard, not before", () -> {
            KeepAlive k = new KeepAlive(new KeepAlive.Settings(60 * S, 10 * S, 3));
            Check.equal(1000 + 60 * S, k.nextDeadline(1000, true), "deadline: last heard + 60 s");
            Check.equal(KeepAlive.Action.NONE, k.onTimer(1000 + 60 * S - 1, 1000, true).action(), "1 ms early");
            KeepAlive.Decision d = k.onTimer(1000 + 60 * S, 1000, true);
            Check.equal(KeepAlive.Action.PROBE, d.action(), "probe");
            Check.equal("keep-alive: 60 s without a word from the peer: probe 1 of 3", d.reason(), "reason");
            Check.equal(1000 + 70 * S, k.nextDeadline(1000, true), "next: 10 s later");
        });

        Check.test("MUST-26 no probe while data is outstanding: the retransmission timer watches then", () -> {
            KeepAlive k = new KeepAlive(new KeepAlive.Settings(60 * S, 10 * S, 3));
            Check.equal(Long.MAX_VALUE, k.nextDeadline(0, false), "no deadline");
            Check.equal(KeepAlive.Action.NONE, k.onTimer(3600 * S, 0, false).action(), "no probe");
        });

        Check.test("MUST-29 COUNT unanswered probes, INTERVAL apart, then give up with one line", () -> {
            KeepAlive k = new KeepAlive(new KeepAlive.Settings(60 * S, 10 * S, 3));
            long heard = 0;
            Check.equal(KeepAlive.Action.PROBE, k.onTimer(60 * S, heard, true).action(), "probe 1");
            Check.equal(KeepAlive.Action.NONE, k.onTimer(65 * S, heard, true).action(), "between probes");
            Check.equal(KeepAlive.Action.PROBE, k.onTimer(70 * S, heard, true).action(), "probe 2: one lost probe is no verdict");
            Check.equal(KeepAlive.Action.PROBE, k.onTimer(80 * S, heard, true).action(), "probe 3");
            Check.equal(3, k.unanswered(), "unanswered");
            KeepAlive.Decision end = k.onTimer(90 * S, heard, true);
            Check.equal(KeepAlive.Action.GIVE_UP, end.action(), "after the 3rd probe's interval");
            Check.equal("keep-alive: peer did not answer 3 probes (10 s apart, 90 s without a word from it): connection dropped",
                    end.reason(), "reason");
        });

        Check.test("an answer resets the count: the peer is alive, silence starts over", () -> {
            KeepAlive k = new KeepAlive(new KeepAlive.Settings(60 * S, 10 * S, 3));
            k.onTimer(60 * S, 0, true);
            k.onTimer(70 * S, 0, true);
            k.onHeard(); // the peer's ACK to probe 2 arrives at 70.5 s
            long heard = 70 * S + 500;
            Check.equal(0, k.unanswered(), "count reset");
            Check.equal(heard + 60 * S, k.nextDeadline(heard, true), "a full idle time again");
            Check.equal(KeepAlive.Action.NONE, k.onTimer(80 * S, heard, true).action(), "no probe at the old interval");
            Check.equal(KeepAlive.Action.PROBE, k.onTimer(heard + 60 * S, heard, true).action(), "probe after the idle time");
        });

        Check.test("data outstanding forgets earlier probes; the count starts over when idle again", () -> {
            KeepAlive k = new KeepAlive(new KeepAlive.Settings(60 * S, 10 * S, 2));
            k.onTimer(60 * S, 0, true);
            k.onTimer(61 * S, 0, false);
            Check.equal(0, k.unanswered(), "reset while busy");
        });

        Check.test("SHLD-12 / RFC 1122: the probe is SND.NXT - 1, with no data (as Linux)", () -> {
            Check.equal(999, KeepAlive.probeSeq(1000), "SND.NXT - 1");
            Check.equal(-1, KeepAlive.probeSeq(0), "modulo 2^32");
        });

        Check.finish();
    }
}
