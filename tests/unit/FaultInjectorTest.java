import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Tests of stack/FaultInjector.java: each option does what its documentation says and nothing
 * more, and the same seed gives the same decisions. Packets here are just numbers, named "SYN"
 * for the first and "ACK" after it, as TcpStack would name them by their flags.
 */
final class FaultInjectorTest {
    private FaultInjectorTest() {}

    /** An injector over numbered packets, with its reports collected. */
    static final class Rig {
        final List<String> reports = new ArrayList<>();
        final FaultInjector<Integer> injector;

        Rig(FaultInjector.Settings settings, long seed) {
            injector = new FaultInjector<>(settings, seed, n -> n == 1 ? "SYN" : "ACK", reports::add);
        }

        /** Sends packets 1..count, one per millisecond from t=0, collecting everything sent in order. */
        List<Integer> sendAll(int count) {
            List<Integer> out = new ArrayList<>();
            for (int n = 1; n <= count; n++) {
                out.addAll(injector.due(n));
                out.addAll(injector.onSend(n, n));
            }
            out.addAll(injector.due(Long.MAX_VALUE - 1));
            return out;
        }

        /** Receives packets 1..count; returns the numbers that were kept. */
        List<Integer> receiveAll(int count) {
            List<Integer> kept = new ArrayList<>();
            for (int n = 1; n <= count; n++) if (injector.onReceive(n, n)) kept.add(n);
            return kept;
        }
    }

    static FaultInjector.Settings settings() {
        return new FaultInjector.Settings();
    }

    public static void main(String[] args) {
        Check.suite("FaultInjector");

        Check.test("with no option every packet passes at once, and nothing is held", () -> {
            FaultInjector.Settings s = settings();
            Check.isTrue(!s.active(), "the defaults inject nothing");
            Rig rig = new Rig(s, 1);
            for (int n = 1; n <= 50; n++) Check.equal(List.of(n), rig.injector.onSend(n, n), "packet " + n);
            Check.equal(Long.MAX_VALUE, rig.injector.nextDeadline(), "nothing held");
            Check.equal(List.of(1, 2, 3), rig.receiveAll(3), "received");
            Check.equal(List.of(), rig.reports, "no reports");
        });

        Check.test("--drop-sent 1,3 drops exactly the first and third packets sent", () -> {
            FaultInjector.Settings s = settings();
            s.dropSent = FaultInjector.packetNumbers("1,3");
            Check.isTrue(s.active(), "active");
            Rig rig = new Rig(s, 1);
            Check.equal(List.of(2, 4, 5), rig.sendAll(5), "sent");
            Check.equal(List.of("Dropping our SYN (--drop-sent 1)", "Dropping our ACK (--drop-sent 3)"), rig.reports, "reports");
        });

        Check.test("--drop-received 2 drops exactly the second packet received, and no packet sent", () -> {
            FaultInjector.Settings s = settings();
            s.dropReceived = FaultInjector.packetNumbers("2");
            Rig rig = new Rig(s, 1);
            Check.equal(List.of(1, 3, 4), rig.receiveAll(4), "kept");
            Check.equal(List.of(1, 2, 3), rig.sendAll(3), "sent untouched");
            Check.equal(List.of("Dropping the received ACK (--drop-received 2)"), rig.reports, "reports");
        });

        Check.test("--loss-sent 0 and 100 drop nothing and everything; 25 drops about a quarter", () -> {
            FaultInjector.Settings s = settings();
            s.lossSentPercent = 100;
            Check.equal(List.of(), new Rig(s, 1).sendAll(100), "100%");
            s.lossSentPercent = 0;
            Check.equal(100, new Rig(s, 1).sendAll(100).size(), "0%");
            s.lossSentPercent = 25;
            Rig rig = new Rig(s, 1);
            int sent = rig.sendAll(10_000).size();
            Check.isTrue(sent > 7_300 && sent < 7_700, "about 7500 of 10000 sent, not " + sent);
            Check.equal("Dropping our ACK (--loss-sent 25%)", rig.reports.get(0).replace("SYN", "ACK"), "report");
            Check.equal(10_000 - sent, rig.reports.size(), "one report per drop");
        });

        Check.test("--loss-received 10 drops about a tenth of what is received, nothing sent", () -> {
            FaultInjector.Settings s = settings();
            s.lossReceivedPercent = 10;
            Rig rig = new Rig(s, 3);
            int kept = rig.receiveAll(10_000).size();
            Check.isTrue(kept > 8_800 && kept < 9_200, "about 9000 kept, not " + kept);
            Check.equal(1000, rig.sendAll(1000).size(), "sent untouched");
            Check.isTrue(rig.reports.get(0).matches("Dropping the received (SYN|ACK) \\(--loss-received 10%\\)"), rig.reports.get(0));
        });

        Check.test("--delay 200 holds each packet sent for exactly 200 ms, in order", () -> {
            FaultInjector.Settings s = settings();
            s.delayMillis = 200;
            Rig rig = new Rig(s, 1);
            Check.equal(List.of(), rig.injector.onSend(1, 1000), "held");
            Check.equal(List.of(), rig.injector.onSend(2, 1010), "held");
            Check.equal(1200, rig.injector.nextDeadline(), "deadline");
            Check.equal(List.of(), rig.injector.due(1199), "not yet");
            Check.equal(List.of(1), rig.injector.due(1200), "on time");
            Check.equal(1210, rig.injector.nextDeadline(), "the next");
            Check.equal(List.of(2), rig.injector.due(5000), "the second");
            Check.equal(Long.MAX_VALUE, rig.injector.nextDeadline(), "nothing left");
            Check.isTrue(rig.injector.onReceive(9, 1000), "received packets are not delayed");
            Check.equal("Delaying our SYN by 200 ms (--delay 200)", rig.reports.get(0), "report");
        });

        Check.test("--duplicate 100 sends each packet twice, the copy right after; 0 never", () -> {
            FaultInjector.Settings s = settings();
            s.duplicatePercent = 100;
            Rig rig = new Rig(s, 1);
            Check.equal(List.of(1, 1, 2, 2, 3, 3), rig.sendAll(3), "sent");
            Check.equal("Duplicating our SYN (--duplicate 100%)", rig.reports.get(0), "report");
            s.delayMillis = 50;
            Rig delayed = new Rig(s, 1);
            Check.equal(List.of(), delayed.injector.onSend(1, 0), "held");
            Check.equal(List.of(1, 1), delayed.injector.due(50), "both copies after the delay");
        });

        Check.test("--reorder: a held packet goes out right after the next one, or after 100 ms alone", () -> {
            FaultInjector.Settings s = settings();
            s.reorderPercent = 100;
            Rig rig = new Rig(s, 1);
            Check.equal(List.of(), rig.injector.onSend(1, 0), "held");
            Check.equal(FaultInjector.REORDER_HOLD_MILLIS, rig.injector.nextDeadline(), "deadline");
            Check.equal(List.of(1), rig.injector.due(FaultInjector.REORDER_HOLD_MILLIS), "alone at the deadline");
            Check.equal("Holding back our SYN to send it after the next packet (--reorder 100%)", rig.reports.get(0), "report");

            // 30 %: every packet arrives once; exactly the held ones come after a later packet
            s.reorderPercent = 30;
            Rig some = new Rig(s, 5);
            List<Integer> out = some.sendAll(2000);
            Check.equal(2000, out.size(), "none lost");
            Check.equal(2000, new HashSet<>(out).size(), "none twice");
            int late = 0, highest = 0;
            for (int n : out) { if (n < highest) late++; highest = Math.max(highest, n); }
            long held = some.reports.stream().filter(r -> r.startsWith("Holding back")).count();
            Check.isTrue(held > 500 && held < 700, "about 600 of 2000 held, not " + held);
            Check.equal(held, late, "packets that come after a later one");
        });

        Check.test("the same seed decides the same way; another seed does not", () -> {
            FaultInjector.Settings s = settings();
            s.lossSentPercent = 20;
            s.duplicatePercent = 10;
            s.reorderPercent = 10;
            s.lossReceivedPercent = 20;
            Rig one = new Rig(s, 42), two = new Rig(s, 42), other = new Rig(s, 43);
            Check.equal(one.sendAll(500), two.sendAll(500), "sent");
            Check.equal(one.receiveAll(500), two.receiveAll(500), "received");
            Check.equal(one.reports, two.reports, "reports");
            Check.isTrue(!one.sendAll(500).equals(other.sendAll(500)), "another seed, other decisions");
        });

        Check.test("each option draws on its own: adding --duplicate and --reorder keeps --loss-sent's drops", () -> {
            FaultInjector.Settings lossOnly = settings();
            lossOnly.lossSentPercent = 20;
            FaultInjector.Settings more = settings();
            more.lossSentPercent = 20;
            more.duplicatePercent = 30;
            more.reorderPercent = 30;
            more.lossReceivedPercent = 50;
            Check.equal(dropped(new Rig(lossOnly, 9)), dropped(new Rig(more, 9)), "the same packets dropped");
        });

        Check.test("packet numbers: '3' and '1,4,7'; zero, words and empty parts are refused", () -> {
            Check.equal(new TreeSet<>(List.of(3)), FaultInjector.packetNumbers("3"), "one");
            Check.equal(new TreeSet<>(List.of(1, 4, 7)), FaultInjector.packetNumbers("7,1,4"), "three");
            for (String bad : new String[] {"0", "-1", "x", "", "1,,2", "1,"}) {
                Check.throwsA(IllegalArgumentException.class, () -> FaultInjector.packetNumbers(bad), "'" + bad + "'");
            }
        });

        Check.finish();
    }

    /** The numbers of the packets that --loss-sent dropped, from the reports, over 1000 packets. */
    static Set<Integer> dropped(Rig rig) {
        Set<Integer> dropped = new TreeSet<>();
        for (int n = 1; n <= 1000; n++) {
            int before = rig.reports.size();
            rig.injector.onSend(n, n);
            rig.injector.onReceive(n, n);
            for (String r : rig.reports.subList(before, rig.reports.size())) if (r.contains("--loss-sent")) dropped.add(n);
        }
        return dropped;
    }
}
