import java.util.ArrayList;
import java.util.List;

/**
 * CongestionControl against RFC 5681, RFC 6582 (NewReno) and RFC 6928, with SMSS 1000 so that
 * the numbers read easily (IW = min(10*1000, max(2*1000, 14600)) = 10000).
 *
 * Run from the project directory:
 *   ./test.sh unit CongestionControl   (no root needed)
 */
final class CongestionControlTest {
    private CongestionControlTest() {}

    static final int SMSS = 1000;
    static final CongestionControl.Action NONE = CongestionControl.Action.NONE;
    static final CongestionControl.Action RETRANSMIT = CongestionControl.Action.RETRANSMIT;

    /** A sender that fills cwnd each round trip and gets every segment acknowledged. */
    static final class Sender {
        final CongestionControl cc = new CongestionControl(SMSS);
        int una, nxt;

        Sender(int iss) { una = iss; nxt = iss; }

        int flight() { return nxt - una; }

        void send(int bytes) { nxt += bytes; }

        /** Sends cwnd's worth of whole segments, then gets one ACK per segmentsPerAck segments. */
        void roundTrip(int segmentsPerAck) {
            int segments = cc.cwnd() / SMSS - flight() / SMSS;
            send(segments * SMSS);
            while (una != nxt) {
                int ack = Seq.lt(una + segmentsPerAck * SMSS, nxt) ? una + segmentsPerAck * SMSS : nxt;
                Check.equal(NONE, cc.onNewAck(ack, una, nxt), "action for a new ACK outside recovery");
                una = ack;
            }
        }

        CongestionControl.Action ack(int ack) {
            CongestionControl.Action action = cc.onNewAck(ack, una, nxt);
            una = ack;
            return action;
        }

        CongestionControl.Action duplicate() {
            return cc.onDuplicateAck(una, nxt, flight());
        }

        /** Three duplicate ACKs; returns their actions. */
        List<CongestionControl.Action> threeDuplicates() {
            List<CongestionControl.Action> actions = new ArrayList<>();
            for (int i = 0; i < 3; i++) actions.add(duplicate());
            return actions;
        }
    }

    public static void main(String[] args) {
        initialWindow();
        slowStartAndAvoidance();
        fastRetransmitAndRecovery();
        sackRecovery();
        timeouts();
        duplicateDefinition();
        algorithms();
        Check.finish();
    }

    static void initialWindow() {
        Check.suite("CongestionControl initial window");

        Check.test("RFC 6928: IW = min(10*MSS, max(2*MSS, 14600)) for MSS 536, 1460, 8960", () -> {
            Check.equal(5360, CongestionControl.initialWindow(536), "MSS 536: 10 segments");
            Check.equal(14600, CongestionControl.initialWindow(1460), "MSS 1460: 10 segments");
            Check.equal(17920, CongestionControl.initialWindow(8960), "MSS 8960: 2 segments");
            Check.equal(14600, new CongestionControl(1460).cwnd(), "a new controller starts at IW");
        });

        Check.test("RFC 5681 3.1: ssthresh starts arbitrarily high, so the connection starts in slow start", () -> {
            CongestionControl cc = new CongestionControl(SMSS);
            Check.equal(Integer.MAX_VALUE, cc.ssthresh(), "ssthresh");
            Check.isTrue(cc.inSlowStart(), "in slow start");
        });

        Check.test("RFC 5681 3.1: after a lost SYN or SYN-ACK the initial window is one segment", () -> {
            CongestionControl cc = new CongestionControl(SMSS);
            cc.synWasRetransmitted();
            Check.equal(SMSS, cc.cwnd(), "cwnd");
        });
    }

    static void slowStartAndAvoidance() {
        Check.suite("CongestionControl slow start and congestion avoidance");

        Check.test("slow start doubles cwnd each round trip, one ACK per segment", () -> {
            Sender s = new Sender(0x1000);
            int[] expected = {20_000, 40_000, 80_000, 160_000};
            for (int e : expected) {
                s.roundTrip(1);
                Check.equal(e, s.cc.cwnd(), "cwnd after a round trip");
            }
        });

        Check.test("slow start doubles cwnd each round trip with delayed ACKs too (byte counting, L = 2*SMSS)", () -> {
            Sender s = new Sender(0x1000);
            s.roundTrip(2);
            Check.equal(20_000, s.cc.cwnd(), "cwnd after one round trip");
            s.roundTrip(2);
            Check.equal(40_000, s.cc.cwnd(), "cwnd after two");
        });

        Check.test("slow start: one ACK grows cwnd by at most L = 2*SMSS (a stretch ACK of 5 segments)", () -> {
            Sender s = new Sender(0);
            s.send(5 * SMSS);
            s.ack(5 * SMSS);
            Check.equal(12_000, s.cc.cwnd(), "cwnd = 10000 + 2000");
        });

        Check.test("congestion avoidance adds one SMSS per round trip", () -> {
            Sender s = enterAvoidance();
            int start = s.cc.cwnd();
            for (int round = 1; round <= 5; round++) {
                s.roundTrip(1);
                Check.equal(start + round * SMSS, s.cc.cwnd(), "cwnd after round " + round);
            }
            Check.isTrue(!s.cc.inSlowStart(), "still in congestion avoidance");
        });

        Check.test("congestion avoidance: cwnd grows by SMSS each time the bytes acknowledged reach cwnd", () -> {
            Sender s = enterAvoidance();
            s.send(100 * SMSS);
            int countedSince = 0, increments = 0;
            while (s.flight() > 0) {
                int before = s.cc.cwnd();
                s.ack(s.una + SMSS);
                countedSince += SMSS;
                if (s.cc.cwnd() != before) {
                    Check.equal(before + SMSS, s.cc.cwnd(), "one SMSS at a time");
                    // the first increment also uses bytes counted before this test began
                    if (increments > 0) Check.equal(before, countedSince, "bytes acknowledged between increments");
                    countedSince = 0;
                    increments++;
                }
            }
            Check.isTrue(increments >= 10, "cwnd grew " + increments + " times");
        });

        Check.test("RFC 5681 4.1: after an idle time longer than RTO, cwnd drops to RW = min(IW, cwnd)", () -> {
            Sender s = new Sender(0);
            s.roundTrip(1);
            s.roundTrip(1);
            Check.equal(40_000, s.cc.cwnd(), "cwnd before the pause");
            Check.isTrue(!s.cc.restartAfterIdle(1000, 1000), "idle exactly one RTO: no change");
            Check.equal(40_000, s.cc.cwnd(), "cwnd");
            Check.isTrue(s.cc.restartAfterIdle(1001, 1000), "idle longer than RTO: restart");
            Check.equal(10_000, s.cc.cwnd(), "cwnd = IW");
            s.cc.onRetransmissionTimeout(0, s.nxt);
            Check.isTrue(!s.cc.restartAfterIdle(5000, 1000), "a cwnd below IW is not raised");
            Check.equal(SMSS, s.cc.cwnd(), "cwnd");
        });
    }

    /** IW 10000, then a loss with 10000 in flight: ssthresh 5000; a full ACK leaves cwnd 2000;
     *  slow start to 5000 (2000 -> 4000 -> 5000+); returns once cwnd >= ssthresh. */
    static Sender enterAvoidance() {
        Sender s = new Sender(0x5000);
        s.send(10_000);
        s.threeDuplicates();
        s.ack(s.nxt);
        Check.equal(5000, s.cc.ssthresh(), "ssthresh");
        while (s.cc.inSlowStart()) s.roundTrip(1);
        Check.equal(5000, s.cc.cwnd(), "cwnd at the end of slow start");
        return s;
    }

    static void fastRetransmitAndRecovery() {
        Check.suite("CongestionControl fast retransmit and NewReno");

        Check.test("RFC 5681 3.2: the third duplicate ACK retransmits, ssthresh = max(FlightSize/2, 2*SMSS), cwnd = ssthresh + 3*SMSS", () -> {
            Sender s = new Sender(0x1000);
            s.send(10_000);
            Check.equal(List.of(NONE, NONE, RETRANSMIT), s.threeDuplicates(), "actions for three duplicates");
            Check.equal(5000, s.cc.ssthresh(), "ssthresh = 10000/2");
            Check.equal(8000, s.cc.cwnd(), "cwnd = 5000 + 3*1000");
            Check.isTrue(s.cc.inRecovery(), "in fast recovery");
            Check.equal(0x1000 + 10_000 - 1, s.cc.recover(), "recover = highest sequence number sent");
        });

        Check.test("equation (4): ssthresh is at least 2*SMSS with a small FlightSize", () -> {
            Sender s = new Sender(0);
            s.send(3000);
            s.threeDuplicates();
            Check.equal(2000, s.cc.ssthresh(), "ssthresh = max(1500, 2000)");
            Check.equal(5000, s.cc.cwnd(), "cwnd = 2000 + 3000");
        });

        Check.test("the 4th and 5th duplicate ACKs do not retransmit again, each inflates cwnd by SMSS", () -> {
            Sender s = new Sender(0);
            s.send(10_000);
            s.threeDuplicates();
            Check.equal(NONE, s.duplicate(), "4th duplicate");
            Check.equal(9000, s.cc.cwnd(), "cwnd after the 4th");
            Check.equal(NONE, s.duplicate(), "5th duplicate");
            Check.equal(10_000, s.cc.cwnd(), "cwnd after the 5th");
            Check.equal(5000, s.cc.ssthresh(), "ssthresh unchanged");
        });

        Check.test("a run of duplicates broken by another ACK starts counting again", () -> {
            Sender s = new Sender(0);
            s.send(10_000);
            s.duplicate();
            s.duplicate();
            s.cc.onOtherAck(); // a window update
            Check.equal(NONE, s.duplicate(), "1st of the new run");
            Check.equal(NONE, s.duplicate(), "2nd of the new run");
            Check.equal(RETRANSMIT, s.duplicate(), "3rd of the new run");
        });

        Check.test("RFC 6582 partial ACK: retransmit, deflate by the bytes acknowledged, add back SMSS, stay in recovery", () -> {
            Sender s = new Sender(0x1000);
            s.send(10_000);
            s.threeDuplicates();
            s.duplicate();
            s.duplicate(); // cwnd 10000
            Check.equal(RETRANSMIT, s.ack(s.una + 3000), "a partial ACK of 3000");
            Check.equal(8000, s.cc.cwnd(), "cwnd = 10000 - 3000 + 1000");
            Check.isTrue(s.cc.inRecovery(), "still in recovery");
            Check.equal(RETRANSMIT, s.ack(s.una + 500), "a partial ACK of 500");
            Check.equal(7500, s.cc.cwnd(), "cwnd = 8000 - 500, no SMSS added back for less than SMSS");
            Check.equal(NONE, s.duplicate(), "a duplicate after a partial ACK inflates, no retransmission");
            Check.equal(8500, s.cc.cwnd(), "cwnd");
        });

        Check.test("RFC 6582 full ACK: exit recovery, cwnd = min(ssthresh, max(FlightSize, SMSS) + SMSS)", () -> {
            Sender s = new Sender(0x1000);
            s.send(10_000);
            s.threeDuplicates();
            for (int i = 0; i < 4; i++) s.duplicate(); // cwnd 12000, new data may go out
            s.send(4000);                              // sent during recovery: beyond recover
            Check.equal(NONE, s.ack(0x1000 + 10_000), "the full ACK");
            Check.isTrue(!s.cc.inRecovery(), "recovery over");
            Check.equal(5000, s.cc.cwnd(), "cwnd = min(5000, 4000 + 1000)");

            Sender idle = new Sender(0x1000);
            idle.send(10_000);
            idle.threeDuplicates();
            Check.equal(NONE, idle.ack(idle.nxt), "a full ACK with nothing left outstanding");
            Check.equal(2000, idle.cc.cwnd(), "cwnd = min(5000, max(0, 1000) + 1000)");
        });

        Check.test("RFC 6582: duplicates that do not cover more than recover do not start a second recovery", () -> {
            Sender s = new Sender(0x1000);
            s.send(10_000);
            s.threeDuplicates();
            s.ack(s.nxt);               // full ACK, una = recover + 1
            s.send(5000);
            // duplicates of an ACK at recover + 1: ack - 1 = recover, not more
            Check.equal(List.of(NONE, NONE, NONE), s.threeDuplicates(), "no fast retransmit");
            Check.equal(5000, s.cc.ssthresh(), "ssthresh not reset");
            s.ack(s.una + 1000);        // now past recover
            Check.equal(List.of(NONE, NONE, RETRANSMIT), s.threeDuplicates(), "a new loss is recovered");
        });

        Check.test("fast recovery across the 2^32 wrap", () -> {
            Sender s = new Sender(0xFFFF_F000);
            s.send(10_000);              // wraps past zero
            Check.equal(RETRANSMIT, s.threeDuplicates().get(2), "third duplicate");
            Check.equal(0xFFFF_F000 + 9999, s.cc.recover(), "recover after the wrap");
            Check.equal(RETRANSMIT, s.ack(0xFFFF_F000 + 5000), "partial ACK past zero");
            Check.equal(NONE, s.ack(0xFFFF_F000 + 10_000), "full ACK");
            Check.isTrue(!s.cc.inRecovery(), "recovery over");
        });
    }

    static void sackRecovery() {
        Check.suite("CongestionControl with SACK (RFC 6675)");

        Check.test("RFC 6675 (4.2): the third duplicate ACK sets ssthresh = cwnd = FlightSize/2, without RFC 5681's inflation", () -> {
            Sender s = new Sender(0x1000);
            s.cc.useSackRecovery();
            s.send(10_000);
            Check.equal(List.of(NONE, NONE, RETRANSMIT), s.threeDuplicates(), "actions for three duplicates");
            Check.equal(5000, s.cc.ssthresh(), "ssthresh = 10000/2");
            Check.equal(5000, s.cc.cwnd(), "cwnd = ssthresh");
            Check.equal(0x1000 + 10_000 - 1, s.cc.recover(), "RecoveryPoint = HighData (recover + 1)");
            Check.equal(NONE, s.duplicate(), "a 4th duplicate");
            Check.equal(5000, s.cc.cwnd(), "no inflation: pipe counts what left the network");
        });

        Check.test("RFC 6675 5: a partial ACK changes neither cwnd nor the phase; the ACK of RecoveryPoint ends recovery at cwnd = ssthresh", () -> {
            Sender s = new Sender(0);
            s.cc.useSackRecovery();
            s.send(10_000);
            s.threeDuplicates();
            Check.equal(NONE, s.ack(4000), "partial ACK: the scoreboard says what to send");
            Check.equal(5000, s.cc.cwnd(), "cwnd after a partial ACK");
            Check.isTrue(s.cc.inRecovery(), "still in recovery");
            Check.equal(NONE, s.ack(10_000), "the ACK of RecoveryPoint");
            Check.isTrue(!s.cc.inRecovery(), "recovery over");
            Check.equal(5000, s.cc.cwnd(), "cwnd = ssthresh");
        });

        Check.test("RFC 6675 5: enterSackRecovery (IsLost at SND.UNA) starts recovery once; again only when SEG.ACK reaches RecoveryPoint", () -> {
            Sender s = new Sender(0);
            s.cc.useSackRecovery();
            s.send(8000);
            Check.isTrue(s.cc.enterSackRecovery(0, 8000, 8000), "the scoreboard's loss starts recovery");
            Check.equal(4000, s.cc.cwnd(), "cwnd = FlightSize/2");
            Check.isTrue(!s.cc.enterSackRecovery(0, 8000, 8000), "not twice");
            s.ack(8000);
            s.send(8000);
            // A loss of the first segment after RecoveryPoint: SEG.ACK = RecoveryPoint = recover + 1.
            // RFC 6582's "covers more than recover" would refuse it; RFC 6675 5.1 allows it.
            Check.isTrue(s.cc.enterSackRecovery(8000, 16_000, 8000), "a new loss just past RecoveryPoint is a new recovery");
        });

        Check.test("RFC 6675 5.1: after a timeout, no recovery until SEG.ACK reaches the RecoveryPoint set then", () -> {
            Sender s = new Sender(0);
            s.cc.useSackRecovery();
            s.send(10_000);
            s.cc.onRetransmissionTimeout(10_000, 10_000);
            Check.isTrue(!s.cc.enterSackRecovery(2000, 10_000, 8000), "SEG.ACK 2000 below RecoveryPoint 10000");
            Check.equal(List.of(NONE, NONE, NONE), s.threeDuplicates(), "three duplicates below RecoveryPoint do not retransmit");
            Check.isTrue(s.cc.enterSackRecovery(10_000, 20_000, 10_000), "SEG.ACK = RecoveryPoint: allowed");
        });

        Check.test("enterSackRecovery without useSackRecovery is the caller's mistake", () ->
                Check.throwsA(IllegalStateException.class, () -> new CongestionControl(SMSS).enterSackRecovery(0, 1000, 1000), "no SACK agreed"));
    }

    static void timeouts() {
        Check.suite("CongestionControl retransmission timeout");

        Check.test("RFC 5681 3.1: a timeout sets ssthresh = max(FlightSize/2, 2*SMSS) and cwnd = 1 SMSS", () -> {
            Sender s = new Sender(0);
            s.roundTrip(1); // cwnd 20000
            s.send(20_000);
            s.cc.onRetransmissionTimeout(s.flight(), s.nxt);
            Check.equal(10_000, s.cc.ssthresh(), "ssthresh");
            Check.equal(SMSS, s.cc.cwnd(), "cwnd = loss window");
        });

        Check.test("RFC 5681 3.1: a second timeout of the same segment holds ssthresh constant", () -> {
            Sender s = new Sender(0);
            s.send(20_000);
            s.cc.onRetransmissionTimeout(s.flight(), s.nxt);
            s.cc.onRetransmissionTimeout(2000, s.nxt);
            Check.equal(10_000, s.cc.ssthresh(), "ssthresh held");
            s.ack(s.una + 1000);
            s.cc.onRetransmissionTimeout(s.flight(), s.nxt);
            Check.equal(9500, s.cc.ssthresh(), "after new data was acknowledged a timeout halves again");
        });

        Check.test("a timeout ends fast recovery, and duplicates of data sent before it start no new one", () -> {
            Sender s = new Sender(0);
            s.send(10_000);
            s.threeDuplicates();
            s.cc.onRetransmissionTimeout(s.flight(), s.nxt);
            Check.isTrue(!s.cc.inRecovery(), "recovery over");
            Check.equal(SMSS, s.cc.cwnd(), "cwnd");
            s.ack(s.una + 1000); // the timer's retransmission arrives
            Check.equal(List.of(NONE, NONE, NONE), s.threeDuplicates(), "no fast retransmit below recover");
        });

        Check.test("slow start after a timeout grows by at most 1 SMSS per ACK until recover is passed", () -> {
            Sender s = new Sender(0);
            s.send(10_000);
            s.cc.onRetransmissionTimeout(s.flight(), s.nxt); // ssthresh 5000, cwnd 1000
            s.ack(2000);
            Check.equal(2000, s.cc.cwnd(), "cwnd = 1000 + min(2000, 1000)");
            s.ack(10_000);
            Check.equal(3000, s.cc.cwnd(), "the ACK passing recover still counts 1 SMSS");
            s.send(4000);
            s.ack(s.una + 2000);
            Check.equal(5000, s.cc.cwnd(), "afterwards L = 2*SMSS again");
        });
    }

    static void duplicateDefinition() {
        Check.suite("CongestionControl duplicate ACK definition");

        // (a) outstanding data, (b) no data, (c) no SYN or FIN, (d) ack == SND.UNA, (e) same window
        Check.test("RFC 5681 2: a duplicate needs (a) outstanding data, (b) no data, (c) no SYN/FIN, (d) ack = SND.UNA, (e) same window", () -> {
            int una = 0xFFFF_FF00, nxt = una + 5000;
            Check.isTrue(CongestionControl.isDuplicateAck(una, 0, false, 8000, una, nxt, 8000), "all five hold");
            Check.isTrue(!CongestionControl.isDuplicateAck(una, 0, false, 8000, una, una, 8000), "(a) nothing outstanding");
            Check.isTrue(!CongestionControl.isDuplicateAck(una, 100, false, 8000, una, nxt, 8000), "(b) carries data");
            Check.isTrue(!CongestionControl.isDuplicateAck(una, 0, true, 8000, una, nxt, 8000), "(c) FIN set");
            Check.isTrue(!CongestionControl.isDuplicateAck(una - 1, 0, false, 8000, una, nxt, 8000), "(d) an older ACK");
            Check.isTrue(!CongestionControl.isDuplicateAck(una, 0, false, 9000, una, nxt, 8000), "(e) window changed");
        });

        Check.test("onNewAck refuses an ACK that acknowledges nothing (a caller bug)", () -> {
            CongestionControl cc = new CongestionControl(SMSS);
            Check.throwsA(IllegalArgumentException.class, () -> cc.onNewAck(100, 100, 200), "ack = SND.UNA");
        });
    }

    static void algorithms() {
        Check.suite("CongestionControl algorithms");

        Check.test("named(): \"reno\" and \"cubic\" as Linux names them (any case); CUBIC is the default; an unknown name lists the known ones", () -> {
            Check.equal("reno", CongestionControl.named("reno", SMSS).algorithmName(), "reno");
            Check.equal("cubic", CongestionControl.named("CUBIC", SMSS).algorithmName(), "cubic");
            Check.equal("cubic", CongestionControl.DEFAULT_ALGORITHM, "the default, as in Linux");
            Check.equal("reno", new CongestionControl(SMSS).algorithmName(), "the one-argument constructor keeps today's Reno");
            IllegalArgumentException e = Check.throwsA(IllegalArgumentException.class, () -> CongestionControl.named("bbr", SMSS), "unknown");
            Check.isTrue(e.getMessage().contains("cubic, reno"), "the message lists the names: " + e.getMessage());
        });

        Check.test("Reno through named() and through the timed forms gives the same cwnd and ssthresh, step by step, as the constructor and the untimed forms", () -> {
            CongestionControl a = new CongestionControl(SMSS), b = CongestionControl.named("reno", SMSS);
            List<String> traceA = new ArrayList<>(), traceB = new ArrayList<>();
            int una = 0x7000, nxt = una;
            for (int step = 0; step < 400; step++) {
                int flight = nxt - una;
                switch (step % 40) {
                    case 13, 14, 15 -> { // three duplicates: fast retransmit and recovery
                        a.onDuplicateAck(una, nxt, flight);
                        b.onDuplicateAck(una, nxt, flight, CongestionControl.DUPLICATE_ACK_THRESHOLD, step * 10L);
                    }
                    case 37 -> { a.onRetransmissionTimeout(flight, nxt); b.onRetransmissionTimeout(flight, nxt, step * 10L); }
                    case 39 -> { a.restartAfterIdle(5000, 1000); b.restartAfterIdle(5000, 1000); }
                    default -> {
                        if (flight < a.cwnd()) nxt += a.cwnd() - flight;
                        int ack = una + Math.min(1500, nxt - una);
                        if (ack != una) {
                            a.onNewAck(ack, una, nxt);
                            b.onNewAck(ack, una, nxt, step * 10L, 100);
                            una = ack;
                        }
                    }
                }
                traceA.add(a.cwnd() + "/" + a.ssthresh() + "/" + a.inRecovery());
                traceB.add(b.cwnd() + "/" + b.ssthresh() + "/" + b.inRecovery());
            }
            Check.equal(traceA, traceB, "the two traces");
            Check.isTrue(traceA.stream().distinct().count() > 40, "the trace went through many states: " + traceA.stream().distinct().count());
        });
    }
}
