import java.util.ArrayList;
import java.util.List;

/**
 * The congestion units as the connection composes them, on a {@link FakeLink} that loses
 * segments: CUBIC (RFC 9438) as the default and Reno (RFC 5681) with --cc reno, and PRR (RFC 6937)
 * during SACK recovery (--no-prr turns it off). The units alone are CubicTest's, RenoTest's and
 * ProportionalRateReductionTest's; here the question is whether the connection uses them.
 *
 *   ./test.sh unit CongestionWiring
 */
final class CongestionWiringTest {
    private CongestionWiringTest() {}

    static final int SMSS = 1460;
    static final TcpConfig CUBIC = TcpConfig.defaults();
    static final TcpConfig RENO = TcpConfig.defaults().withCongestionControl("reno");

    public static void main(String[] args) {
        algorithms();
        proportionalRateReduction();
        duplicateSacks();
        undo();
        rackTimer();
        ecn();
        Check.finish();
    }

    /** What the sender did around one loss. */
    record Loss(int flightAtLoss, int cwndAtLoss, int ssthresh, List<Integer> cwndPerRtt) {}

    /**
     * A bulk transfer over a link of oneWayDelay each way that loses the lossAt-th data segment
     * once; cwnd is read every RTT for seconds after the recovery ends.
     */
    static Loss oneLoss(TcpConfig config, long oneWayDelay, int lossAt, int seconds) {
        FakeLink link = TcpDataPathTest.connect(config, config, oneWayDelay);
        link.dropNext(link.client, TcpDataPathTest.nthData(lossAt));
        new TcpDataPathTest.Writer(link, link.client, TcpDataPathTest.bytes(64 << 20, 3)).start();
        TcpConnection c = link.client.conn;
        int flight = 0, cwnd = 0;
        long limit = link.now + 10_000;
        while (link.client.eventsOf(TcpEvent.FastRetransmit.class).isEmpty()) {
            flight = c.sndMax() - c.sndUna();
            cwnd = c.cwnd();
            if (link.now > limit || !link.step()) throw new Check.Failure("no fast retransmit");
        }
        int ssthresh = c.ssthresh();
        TcpDataPathTest.runUntil(link, () -> !c.cc.inRecovery(), link.now + 5000, "the end of the recovery");
        List<Integer> cwnds = new ArrayList<>();
        long rtt = 2 * oneWayDelay;
        for (long t = 0; t <= seconds * 1000L; t += rtt) {
            cwnds.add(c.cwnd());
            link.advance(rtt);
        }
        Check.equal(1, link.client.lost.size(), "one segment lost");
        Check.equal(List.of(), link.client.eventsOf(TcpEvent.Retransmitting.class), "no timeout");
        return new Loss(flight, cwnd, ssthresh, cwnds);
    }

    static void algorithms() {
        Check.suite("CongestionWiring algorithms");

        Check.test("--cc: CUBIC (RFC 9438) is the default, as in Linux; reno names RFC 5681's", () -> {
            Check.equal("cubic", TcpDataPathTest.connect(10).client.conn.cc.algorithmName(), "default");
            Check.equal("reno", TcpDataPathTest.connect(RENO, RENO, 10).client.conn.cc.algorithmName(), "--cc reno");
            Check.throwsA(IllegalArgumentException.class, () -> TcpConfig.defaults().withCongestionControl("vegas"), "congestionControl");
        });

        Check.test("RFC 9438 4.6 / RFC 5681 3.2: one loss: CUBIC's ssthresh is 0.7 of the flight, Reno's 0.5", () -> {
            Loss cubic = oneLoss(CUBIC, 10, 200, 0);
            Loss reno = oneLoss(RENO, 10, 200, 0);
            Check.equal(cubic.flightAtLoss(), reno.flightAtLoss(), "the same flight when the loss shows (same link)");
            double c = (double) cubic.ssthresh() / cubic.flightAtLoss(), r = (double) reno.ssthresh() / reno.flightAtLoss();
            Check.isTrue(Math.abs(c - 0.7) < 0.01, "CUBIC: ssthresh " + cubic.ssthresh() + " of flight " + cubic.flightAtLoss() + " = " + c);
            Check.isTrue(Math.abs(r - 0.5) < 0.01, "Reno: ssthresh " + reno.ssthresh() + " of flight " + reno.flightAtLoss() + " = " + r);
        });

        Check.test("RFC 9438 4.2 vs RFC 5681 3.1: after a loss at 100 ms RTT, CUBIC's cwnd climbs a concave curve back to W_max, Reno's a line of 1 SMSS per RTT", () -> {
            Loss cubic = oneLoss(CUBIC, 50, 400, 8);
            Loss reno = oneLoss(RENO, 50, 400, 8);
            List<Integer> cw = cubic.cwndPerRtt(), rw = reno.cwndPerRtt();
            // Reno: +1 SMSS per RTT (between 0.7 and 1.3 per RTT on average over 5 s).
            double renoPerRtt = (double) (rw.get(rw.size() - 1) - rw.get(0)) / SMSS / (rw.size() - 1);
            Check.isTrue(renoPerRtt > 0.7 && renoPerRtt < 1.3, "Reno grows ~1 SMSS per RTT: " + renoPerRtt + " " + segments(rw));
            // CUBIC: starts at 0.7 W_max, is above Reno all along, grows faster in its first second
            // than in its fourth (concave), and is back near W_max after K = cbrt(W_max * 0.3 / 0.4) s.
            double wMax = (double) cubic.cwndAtLoss() / SMSS;
            Check.isTrue(Math.abs(cw.get(0) / (double) SMSS - 0.7 * wMax) < 0.05 * wMax, "CUBIC starts at 0.7 W_max " + wMax + ": " + segments(cw));
            for (int i = 0; i < cw.size(); i++) Check.isTrue(cw.get(i) > rw.get(i), "CUBIC above Reno at RTT " + i + ": " + segments(cw) + " vs " + segments(rw));
            int first = cw.get(10) - cw.get(0), fourth = cw.get(40) - cw.get(30);
            Check.isTrue(first > 2 * Math.max(fourth, 0), "concave: +" + first / SMSS + " segments in the first second, +" + fourth / SMSS + " in the fourth " + segments(cw));
            double k = Math.cbrt(wMax * 0.3 / 0.4);
            int atK = cw.get((int) Math.round(k * 10));
            Check.isTrue(Math.abs(atK / (double) SMSS - wMax) < 0.1 * wMax, "near W_max " + Math.round(wMax) + " at K = " + k + " s: " + atK / SMSS);
        });

        Check.test("RFC 9438 + SACK: 3 MB over a link losing 2% both ways arrives intact with CUBIC and with Reno", () -> {
            for (TcpConfig config : List.of(CUBIC, RENO)) {
                FakeLink link = TcpDataPathTest.connect(config, config, 5);
                link.randomize(11, 0.02, 0, 0.01);
                TcpDataPathTest.transfer(link, TcpDataPathTest.bytes(3_000_000, 10), 3_600_000);
            }
        });
    }

    static List<Integer> segments(List<Integer> bytes) {
        List<Integer> s = new ArrayList<>();
        for (int b : bytes) s.add(b / SMSS);
        return s;
    }

    /** What the sender did in one recovery, ACK by ACK (only ACKs that delivered data are counted). */
    record Recovery(int recoverFs, int ssthresh, List<Integer> sentPerAck, long delivered, long sent, int cwndAtEnd) {
        int sentInFirst(int acks) {
            int n = 0;
            for (int i = 1; i < Math.min(acks, sentPerAck.size()); i++) n += sentPerAck.get(i); // [0]: the fast retransmit's ACK
            return n;
        }
        int largestBurst() {
            int most = 0;
            for (int i = 1; i < sentPerAck.size(); i++) most = Math.max(most, sentPerAck.get(i));
            return most;
        }
    }

    /** One loss, at the 200th data segment, 10 ms each way; the recovery seen ACK by ACK. */
    static Recovery recovery(TcpConfig config) {
        FakeLink link = TcpDataPathTest.connect(config, config, 10);
        link.dropNext(link.client, TcpDataPathTest.nthData(200));
        new TcpDataPathTest.Writer(link, link.client, TcpDataPathTest.bytes(16 << 20, 4)).start();
        TcpConnection c = link.client.conn;
        TcpDataPathTest.runUntil(link, () -> c.cc.inRecovery(), link.now + 5000, "recovery");
        int recoverFs = c.sndMax() - c.sndUna(), ssthresh = c.ssthresh();
        List<Integer> sentPerAck = new ArrayList<>();
        sentPerAck.add(1);
        long deliveredAtStart = c.scoreboard.deliveredBytes();
        long sentBytes = SMSS;
        while (c.cc.inRecovery()) {
            long delivered = c.scoreboard.deliveredBytes();
            int sentBefore = link.client.sent.size();
            if (!link.step()) throw new Check.Failure("link went quiet in recovery");
            int n = 0;
            for (Packets.Tcp s : link.client.sent.subList(sentBefore, link.client.sent.size())) {
                if (TcpDataPathTest.isData(s)) { n++; sentBytes += s.payload().length; }
            }
            if (c.scoreboard.deliveredBytes() > delivered) sentPerAck.add(n);
            else if (n > 0) throw new Check.Failure("sent " + n + " segments on a step that delivered nothing");
        }
        return new Recovery(recoverFs, ssthresh, sentPerAck, c.scoreboard.deliveredBytes() - deliveredAtStart, sentBytes, c.cwnd());
    }

    static void proportionalRateReduction() {
        Check.suite("CongestionWiring PRR");

        for (TcpConfig config : List.of(RENO, CUBIC)) {
            String name = config.congestionControl();
            Check.test("RFC 6937 with " + name + ": in recovery the sender sends ssthresh/RecoverFS of what is delivered, from the first ACKs on, never a burst", () -> {
                Recovery r = recovery(config);
                double ratio = (double) r.ssthresh() / r.recoverFs();
                double sentRatio = (double) r.sent() / r.delivered();
                Check.isTrue(Math.abs(sentRatio - ratio) < 0.1, "sent " + r.sent() + " for " + r.delivered() + " delivered = " + sentRatio
                        + ", ssthresh/RecoverFS = " + ratio);
                int quarter = r.sentPerAck().size() / 4;
                Check.isTrue(r.sentInFirst(quarter) >= quarter * ratio * 0.7, "sending in the first quarter of the ACKs: "
                        + r.sentInFirst(quarter) + " segments for " + quarter + " ACKs " + r.sentPerAck());
                Check.isTrue(r.largestBurst() <= 2, "at most 2 segments per ACK: " + r.sentPerAck());
                Check.equal(r.ssthresh(), r.cwndAtEnd(), "cwnd = ssthresh when the recovery ends (RFC 6937)");
            });
        }

        Check.test("--no-prr: RFC 6675 sets cwnd = ssthresh at once: nothing but the fast retransmit in the first quarter of the ACKs", () -> {
            Recovery r = recovery(RENO.withPrr(false));
            int quarter = r.sentPerAck().size() / 4;
            Check.equal(0, r.sentInFirst(quarter), "segments in the first quarter of the ACKs " + r.sentPerAck());
            Recovery prr = recovery(RENO);
            Check.isTrue(prr.sentInFirst(quarter) > 0, "with PRR: " + prr.sentInFirst(quarter));
        });
    }

    static Packets.Sack sackOf(Packets.Tcp s) {
        for (Packets.TcpOption o : s.options()) if (o instanceof Packets.Sack sack) return sack;
        return null;
    }

    static void duplicateSacks() {
        Check.suite("CongestionWiring D-SACK");

        Check.test("RFC 2883 4: data received twice (below RCV.NXT): the ACK's first SACK block reports it", () -> {
            FakeLink link = TcpDataPathTest.connect(10);
            link.client.send(TcpDataPathTest.bytes(3000, 1));
            link.runUntilQuiet();
            Packets.Tcp first = TcpDataPathTest.dataSegments(link.client).get(0);
            int mark = link.server.mark();
            link.server.inject(first);
            List<Packets.Tcp> answer = link.server.sentSince(mark);
            Check.equal(1, answer.size(), "one ACK at once " + answer);
            Packets.Sack sack = sackOf(answer.get(0));
            Check.isTrue(sack != null, "a SACK option in " + answer.get(0));
            Check.equal(first.seq(), sack.left(0), "D-SACK left edge");
            Check.equal(first.seq() + first.payload().length, sack.right(0), "D-SACK right edge");
            Check.equal(1, sack.blocks(), "nothing held out of order: one block");
            Check.equal(link.server.conn.rcvNxt(), answer.get(0).ack(), "the cumulative ACK");
            // "Each duplicate contiguous sequence of data received is reported in at most one D-SACK block"
            link.client.send(TcpDataPathTest.bytes(10, 2));
            link.runUntilQuiet();
            for (Packets.Tcp s : link.server.sentSince(mark + 1)) Check.equal(null, sackOf(s), "no D-SACK again: " + s);
        });

        Check.test("RFC 2883 4: a duplicate of data held out of order: D-SACK first, then the block that holds it", () -> {
            FakeLink link = TcpDataPathTest.connect(10);
            link.dropNext(link.client, TcpDataPathTest.nthData(1));
            link.client.send(TcpDataPathTest.bytes(3 * SMSS, 1));
            link.deliverNext(link.client); // the second and third arrive, the first is lost
            link.deliverNext(link.client);
            List<Packets.Tcp> data = TcpDataPathTest.dataSegments(link.client);
            Packets.Tcp second = data.get(1);
            int mark = link.server.mark();
            link.server.inject(second);
            Packets.Sack sack = sackOf(link.server.sentSince(mark).get(0));
            Check.equal(2, sack.blocks(), "two blocks: " + sack);
            Check.equal(second.seq(), sack.left(0), "D-SACK left");
            Check.equal(second.seq() + second.payload().length, sack.right(0), "D-SACK right");
            Check.isTrue(Seq.le(sack.left(1), sack.left(0)) && Seq.le(sack.right(0), sack.right(1)), "the second block contains the first: " + sack);
        });

        Check.test("RFC 2883 without SACK permitted: no SACK option", () -> {
            FakeLink link = TcpDataPathTest.connect(TcpDataPathTest.NEW_RENO, TcpDataPathTest.NEW_RENO, 10);
            link.client.send(TcpDataPathTest.bytes(1000, 1));
            link.runUntilQuiet();
            int mark = link.server.mark();
            link.server.inject(TcpDataPathTest.dataSegments(link.client).get(0));
            Check.equal(null, sackOf(link.server.sentSince(mark).get(0)), "SACK option");
        });
    }

    /**
     * A spurious fast retransmit: the nth data segment is held (not lost) until the retransmission
     * has gone, then delivered; the retransmission arrives second, and the receiver's D-SACK says so.
     */
    static FakeLink spuriousRetransmission(TcpConfig config, int[] cwndBefore) {
        FakeLink link = TcpDataPathTest.connect(config, config, 10);
        link.dropNext(link.client, TcpDataPathTest.nthData(200));
        new TcpDataPathTest.Writer(link, link.client, TcpDataPathTest.bytes(16 << 20, 5)).start();
        TcpConnection c = link.client.conn;
        long limit = link.now + 5000;
        while (link.client.eventsOf(TcpEvent.FastRetransmit.class).isEmpty()) {
            cwndBefore[0] = c.cwnd();
            if (link.now > limit || !link.step()) throw new Check.Failure("no fast retransmit");
        }
        link.server.inject(link.client.lost.get(0)); // the "lost" one was only late: it arrives before the retransmission
        TcpDataPathTest.runUntil(link, () -> !c.cc.inRecovery() || c.cc.undoCount() > 0, link.now + 2000, "the D-SACK");
        return link;
    }

    static void undo() {
        Check.suite("CongestionWiring undo");

        for (TcpConfig config : List.of(RENO, CUBIC)) {
            Check.test("RFC 2883 5 / RFC 9438 4.9.2 with " + config.congestionControl() + ": a D-SACK proves the only retransmission unneeded: cwnd and ssthresh come back", () -> {
                int[] before = new int[1];
                FakeLink link = spuriousRetransmission(config, before);
                TcpConnection c = link.client.conn;
                Check.equal(1, c.cc.undoCount(), "undone once");
                Check.isTrue(c.cwnd() >= before[0], "cwnd " + c.cwnd() + " back to at least " + before[0]);
                Check.equal(Integer.MAX_VALUE, c.ssthresh(), "ssthresh back to what it was (infinite: slow start)");
                List<TcpEvent.CongestionChanged> undone = new ArrayList<>();
                for (TcpEvent.CongestionChanged e : link.client.eventsOf(TcpEvent.CongestionChanged.class)) if (e.why().contains("undo")) undone.add(e);
                Check.equal(1, undone.size(), "one event says why: " + undone);
                Check.isTrue(undone.get(0).why().contains("D-SACK"), "the reason names the D-SACK: " + undone.get(0));
                TcpDataPathTest.runUntil(link, () -> link.server.received.size() >= 4_000_000, link.now + 20_000, "the transfer goes on");
            });
        }

        Check.test("RFC 2883: a real loss (the D-SACK never comes) is not undone", () -> {
            FakeLink link = TcpDataPathTest.connect(10);
            link.dropNext(link.client, TcpDataPathTest.nthData(200));
            new TcpDataPathTest.Writer(link, link.client, TcpDataPathTest.bytes(8 << 20, 5)).start();
            TcpDataPathTest.runUntil(link, () -> link.server.received.size() >= 4_000_000, link.now + 20_000, "the transfer");
            Check.equal(0, link.client.conn.cc.undoCount(), "undone");
        });
    }

    static void rackTimer() {
        Check.suite("CongestionWiring RACK timer");

        Check.test("RFC 8985 6.3: a segment sent before one SACKed is lost when its reordering window passes, by the timer, before any probe", () -> {
            FakeLink link = TcpDataPathTest.connect(10);
            FakeLink.Side c = link.client;
            c.send(TcpDataPathTest.bytes(20 * SMSS, 6)); // 10 go (the initial window), 10 wait: no early retransmit
            link.clearQueues();
            List<Packets.Tcp> data = TcpDataPathTest.dataSegments(c);
            Packets.Tcp one = data.get(0), two = data.get(1);
            long sentAt = link.now;
            link.advance(20); // one RTT: the SACK of the second segment comes, not the first
            Check.equal(10, TcpDataPathTest.dataSegments(c).size(), "nothing sent again yet");
            int window = link.server.conn.rcvWnd() >> link.server.conn.rcvWndShift();
            c.inject(c.fromPeer(link.server.conn.sndNxt(), one.seq(), Packets.ACK, window, null,
                    List.of(new Packets.Nop(), new Packets.Nop(), new Packets.Sack(new int[] {two.seq(), two.seq() + two.payload().length}))));
            Check.equal(1, TcpDataPathTest.timesSent(c, one.seq(), one.payload().length), "one duplicate ACK: nothing sent again at once");
            long deadline = c.conn.timers.deadline(Timers.Kind.RACK_REORDERING);
            Check.isTrue(deadline > link.now && deadline <= link.now + 20, "the reordering timer is armed within the RTT: at +" + (deadline - sentAt));
            while (c.eventsOf(TcpEvent.FastRetransmit.class).isEmpty() && link.now < sentAt + 1000) link.step();
            Check.isTrue(link.now <= deadline, "retransmitted at +" + (link.now - sentAt) + " by the timer (armed for +" + (deadline - sentAt) + ")");
            Check.equal(2, TcpDataPathTest.timesSent(c, one.seq(), one.payload().length), "the first segment sent again");
            Check.isTrue(c.eventsOf(TcpEvent.CongestionChanged.class).stream().anyMatch(e -> e.why().contains("RACK reordering timer")), "told why");
        });

        Check.test("RFC 8985 6.3: the reordering timer is off when the connection ends", () -> {
            FakeLink link = TcpDataPathTest.connect(10);
            FakeLink.Side c = link.client;
            c.send(TcpDataPathTest.bytes(20 * SMSS, 6));
            link.clearQueues();
            List<Packets.Tcp> data = TcpDataPathTest.dataSegments(c);
            link.advance(20);
            int window = link.server.conn.rcvWnd() >> link.server.conn.rcvWndShift();
            c.inject(c.fromPeer(link.server.conn.sndNxt(), data.get(0).seq(), Packets.ACK, window, null,
                    List.of(new Packets.Nop(), new Packets.Nop(), new Packets.Sack(new int[] {data.get(1).seq(), data.get(1).seq() + SMSS}))));
            Check.isTrue(c.conn.timers.running(Timers.Kind.RACK_REORDERING), "armed");
            c.abort("test");
            Check.isTrue(!c.conn.timers.running(Timers.Kind.RACK_REORDERING), "cleared by ABORT");
        });
    }

    static void ecn() {
        Check.suite("CongestionWiring ECN");
        int ece = Packets.ECE, cwr = Packets.CWR;

        Check.test("RFC 3168 6.1.1: ECN-setup SYN (ECE+CWR) and SYN-ACK (ECE); data ECT(0), SYNs and pure ACKs Not-ECT", () -> {
            FakeLink link = TcpDataPathTest.connect(10);
            Packets.Tcp syn = link.client.sent.get(0), synAck = link.server.sent.get(0);
            Check.equal(Packets.SYN | ece | cwr, syn.flags(), "SYN flags");
            Check.equal(Packets.SYN | Packets.ACK | ece, synAck.flags(), "SYN-ACK flags");
            Check.equal(Ecn.NOT_ECT, (int) link.client.sentEcn.get(0), "SYN Not-ECT (\"A host MUST NOT set ECT on SYN or SYN-ACK packets\")");
            Check.equal(Ecn.NOT_ECT, (int) link.server.sentEcn.get(0), "SYN-ACK Not-ECT");
            Check.isTrue(link.client.conn.ecnNegotiated() && link.server.conn.ecnNegotiated(), "negotiated both ways");
            link.client.send(TcpDataPathTest.bytes(5 * SMSS, 1));
            link.runUntilQuiet();
            for (int i = 0; i < link.client.sent.size(); i++) {
                Packets.Tcp s = link.client.sent.get(i);
                int expected = TcpDataPathTest.isData(s) ? Ecn.ECT_0 : Ecn.NOT_ECT;
                Check.equal(expected, (int) link.client.sentEcn.get(i), "ECN field of " + s);
                Check.isTrue(s.isSyn() || !s.has(ece) && !s.has(cwr), "no ECE or CWR without a mark: " + s);
            }
            for (int i = 1; i < link.server.sent.size(); i++) Check.equal(Ecn.NOT_ECT, (int) link.server.sentEcn.get(i), "pure ACK Not-ECT");
        });

        Check.test("RFC 3168 6.1.1: --no-ecn on either side: no ECN-setup SYN-ACK, data Not-ECT", () -> {
            for (boolean clientOn : new boolean[] {true, false}) {
                FakeLink link = TcpDataPathTest.connect(CUBIC.withEcn(clientOn), CUBIC.withEcn(!clientOn), 10);
                Check.equal(clientOn ? Packets.SYN | ece | cwr : Packets.SYN, link.client.sent.get(0).flags(), "SYN flags");
                Check.equal(Packets.SYN | Packets.ACK, link.server.sent.get(0).flags(), "SYN-ACK flags (client ECN " + clientOn + ")");
                Check.isTrue(!link.client.conn.ecnNegotiated() && !link.server.conn.ecnNegotiated(), "not negotiated");
                link.client.send(TcpDataPathTest.bytes(3 * SMSS, 1));
                link.server.send(TcpDataPathTest.bytes(3 * SMSS, 1));
                link.runUntilQuiet();
                for (int e : link.client.sentEcn) Check.equal((long) Ecn.NOT_ECT, e, "client's ECN fields");
                for (int e : link.server.sentEcn) Check.equal((long) Ecn.NOT_ECT, e, "server's ECN fields");
            }
        });

        Check.test("RFC 3168 6.1.2/6.1.3: a CE mark: ECE on the ACKs until CWR, the sender reduces once, CWR on the next new segment, nothing resent", () -> {
            FakeLink link = TcpDataPathTest.connect(10);
            int[] n = {0};
            link.client.markCe = s -> TcpDataPathTest.isData(s) && ++n[0] == 100;
            new TcpDataPathTest.Writer(link, link.client, TcpDataPathTest.bytes(4 << 20, 7)).start();
            TcpDataPathTest.runUntil(link, () -> link.server.received.size() >= 4 << 20, link.now + 20_000, "the transfer");
            List<TcpEvent.CongestionChanged> echoes = new ArrayList<>();
            for (TcpEvent.CongestionChanged e : link.client.eventsOf(TcpEvent.CongestionChanged.class)) if (e.why().contains("ECE")) echoes.add(e);
            Check.equal(1, echoes.size(), "one reduction " + echoes);
            Check.isTrue(echoes.get(0).ssthresh() < Integer.MAX_VALUE, "ssthresh set");
            Check.equal(List.of(), link.client.eventsOf(TcpEvent.FastRetransmit.class), "no retransmission");
            List<Packets.Tcp> cwrs = new ArrayList<>();
            for (Packets.Tcp s : link.client.sent) if (s.has(cwr) && !s.isSyn()) cwrs.add(s);
            Check.equal(1, cwrs.size(), "one segment with CWR " + cwrs);
            Check.isTrue(TcpDataPathTest.isData(cwrs.get(0)), "CWR on new data");
            // The receiver: ECE from the ACK of the marked segment until CWR arrived, never after.
            int firstEce = -1, lastEce = -1, eceCount = 0;
            for (int i = 0; i < link.server.sent.size(); i++) {
                if (!link.server.sent.get(i).has(ece) || link.server.sent.get(i).isSyn()) continue;
                if (firstEce < 0) firstEce = i;
                lastEce = i;
                eceCount++;
            }
            Check.isTrue(firstEce > 0, "ECE echoed");
            Check.equal(lastEce - firstEce + 1, eceCount, "ECE on every ACK in between");
            for (int i = lastEce + 1; i < link.server.sent.size(); i++) {
                Check.isTrue(Seq.ge(link.server.sent.get(i).ack(), cwrs.get(0).seq() + 1), "after the echo ends, CWR was received: " + link.server.sent.get(i));
            }
        });

        Check.test("RFC 3168 6.1.2: CE on many segments of one window: one reduction per window", () -> {
            FakeLink link = TcpDataPathTest.connect(RENO, RENO, 10);
            int[] n = {0};
            link.client.markCe = s -> TcpDataPathTest.isData(s) && ++n[0] >= 100 && n[0] < 110;
            new TcpDataPathTest.Writer(link, link.client, TcpDataPathTest.bytes(2 << 20, 7)).start();
            TcpDataPathTest.runUntil(link, () -> link.server.received.size() >= 2 << 20, link.now + 20_000, "the transfer");
            List<TcpEvent.CongestionChanged> echoes = new ArrayList<>();
            for (TcpEvent.CongestionChanged e : link.client.eventsOf(TcpEvent.CongestionChanged.class)) if (e.why().contains("ECE")) echoes.add(e);
            Check.equal(1, echoes.size(), "one reduction for ten marks in one window " + echoes);
        });

        Check.test("RFC 3168 6.1.5: retransmissions go Not-ECT", () -> {
            FakeLink link = TcpDataPathTest.connect(10);
            link.dropNext(link.client, TcpDataPathTest.nthData(20));
            TcpDataPathTest.transfer(link, TcpDataPathTest.bytes(200_000, 8), 10_000);
            Packets.Tcp lost = link.client.lost.get(0);
            int copies = 0;
            for (int i = 0; i < link.client.sent.size(); i++) {
                Packets.Tcp s = link.client.sent.get(i);
                if (s.seq() != lost.seq() || !TcpDataPathTest.isData(s)) continue;
                Check.equal(copies == 0 ? Ecn.ECT_0 : Ecn.NOT_ECT, (int) link.client.sentEcn.get(i), "copy " + copies);
                copies++;
            }
            Check.equal(2, copies, "sent twice");
        });
    }
}
