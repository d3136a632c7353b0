import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

/**
 * The data path on a {@link FakeLink}, with the REAL defaults (TcpConfig.defaults(): 1 MiB buffers,
 * window scaling, delayed ACKs of 40 ms, Nagle on, RTO 1 s) and variations of them: congestion
 * control (RFC 5681, RFC 6582, RFC 6928), reassembly, flow control and window probes (RFC 9293
 * 3.8.6), silly window syndrome avoidance and Nagle (RFC 9293 3.8.6.2), delayed ACKs (RFC 9293
 * 3.8.6.3, RFC 5681 4.2), window scaling (RFC 7323), bulk transfer over a lossy link, and R2
 * (RFC 9293 3.8.3). Each test's name says the rule it checks.
 *
 * Run from the project directory:
 *   ./test.sh unit TcpDataPath   (no root needed)
 */
final class TcpDataPathTest {
    private TcpDataPathTest() {}

    static final int C = 0x1000_0000; // client ISS
    static final int S = 0x7000_0000; // server ISS
    /** The send MSS: 1460 announced, less the 12 bytes RFC 7323 timestamps take on every segment. */
    static final int SMSS = 1460 - 12;
    static final long NEVER = TcpConnection.NEVER;
    /** Without SACK, recovery is RFC 6582's NewReno (SackTest has RFC 6675's). */
    static final TcpConfig NEW_RENO = TcpConfig.defaults().withSack(false).withCongestionControl("reno");
    /** RFC 5681's numbers are Reno's: the default is CUBIC (RFC 9438), --cc reno pins them. */
    static final TcpConfig RENO = TcpConfig.defaults().withCongestionControl("reno");

    public static void main(String[] args) {
        congestionControl();
        reassembly();
        flowControl();
        sillyWindowAndNagle();
        delayedAcks();
        windowScaling();
        bulk();
        closeWithDataQueued();
        giveUp();
        Check.finish();
    }

    // ================================================================== helpers

    static FakeLink connect(TcpConfig client, TcpConfig server, long oneWayDelay) {
        return connect(client, server, oneWayDelay, C);
    }

    static FakeLink connect(TcpConfig client, TcpConfig server, long oneWayDelay, int clientIss) {
        FakeLink link = new FakeLink(client, server);
        link.oneWayDelay = oneWayDelay;
        link.server.listen(S);
        link.client.open(clientIss);
        link.runUntilQuiet();
        Check.equal(TcpState.ESTABLISHED, link.client.state(), "setup: client state");
        Check.equal(TcpState.ESTABLISHED, link.server.state(), "setup: server state");
        return link;
    }

    static FakeLink connect(long oneWayDelay) {
        return connect(TcpConfig.defaults(), TcpConfig.defaults(), oneWayDelay);
    }

    static byte[] bytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    static boolean isData(Packets.Tcp s) { return s.payload().length > 0 && !s.isSyn(); }

    /** Drops the data segments whose number (1 = the first data segment sent, retransmissions counted) is listed. */
    static Predicate<Packets.Tcp> nthData(Integer... numbers) {
        Set<Integer> set = Set.of(numbers);
        int[] count = {0};
        return s -> isData(s) && set.contains(++count[0]);
    }

    /** The application writing {@code data} as fast as write() takes it, after every step of the link. */
    static final class Writer implements Runnable {
        final FakeLink link;
        final FakeLink.Side side;
        final byte[] data;
        int written;
        int shortWrites;
        int maxUnacknowledged;
        Runnable also = () -> { };

        Writer(FakeLink link, FakeLink.Side side, byte[] data) {
            this.link = link;
            this.side = side;
            this.data = data;
        }

        /** Installs itself as the link's afterEachStep hook and writes what fits now. */
        Writer start() {
            link.afterEachStep(this);
            run();
            return this;
        }

        @Override public void run() {
            while (written < data.length && side.conn.writable() > 0) {
                int want = data.length - written;
                int n = side.conn.write(data, written, want, link.now, side);
                if (n < want) shortWrites++;
                written += n;
                if (n == 0) break;
            }
            maxUnacknowledged = Math.max(maxUnacknowledged, side.conn.unacknowledgedBytes());
            also.run();
        }
    }

    /** Steps the link until done says so; fails when the link goes quiet first or the clock passes limit. */
    static void runUntil(FakeLink link, BooleanSupplier done, long limit, String what) {
        int steps = 0;
        while (!done.getAsBoolean()) {
            if (link.now > limit) throw new Check.Failure(what + ": not done by " + limit + " ms (now " + link.now + ")");
            if (!link.step()) throw new Check.Failure(what + ": the link went quiet at " + link.now + " ms before it was done");
            if (++steps > 5_000_000) throw new Check.Failure(what + ": too many steps");
        }
    }

    /** Runs a whole transfer from the client to the server; returns the writer. */
    static Writer transfer(FakeLink link, byte[] data, long limit) {
        Writer w = new Writer(link, link.client, data).start();
        runUntil(link, () -> link.server.received.size() >= data.length, limit, "transfer of " + data.length + " bytes");
        Check.isTrue(Arrays.equals(data, link.server.receivedBytes()), "the server received exactly the bytes written");
        return w;
    }

    static List<Packets.Tcp> dataSegments(FakeLink.Side side) {
        List<Packets.Tcp> result = new ArrayList<>();
        for (Packets.Tcp s : side.sent) if (isData(s)) result.add(s);
        return result;
    }

    /** How many times a segment with this SEQ and this payload length was sent. */
    static int timesSent(FakeLink.Side side, int seq, int length) {
        int n = 0;
        for (Packets.Tcp s : side.sent) if (isData(s) && s.seq() == seq && s.payload().length == length) n++;
        return n;
    }

    static boolean hasWindowScale(Packets.Tcp s) {
        for (Packets.TcpOption o : s.options()) if (o instanceof Packets.WindowScale) return true;
        return false;
    }

    /** The CongestionChanged event that follows the first FastRetransmit event (entering fast recovery). */
    static TcpEvent.CongestionChanged congestionAfterFirstFastRetransmit(FakeLink.Side side) {
        boolean seen = false;
        for (TcpEvent e : side.events) {
            if (e instanceof TcpEvent.FastRetransmit) seen = true;
            else if (seen && e instanceof TcpEvent.CongestionChanged cc) return cc;
        }
        throw new Check.Failure("expected: a CongestionChanged event after the first FastRetransmit");
    }

    /** How many times the CongestionChanged events show ssthresh changing. */
    static int ssthreshChanges(FakeLink.Side side) {
        int changes = 0, last = Integer.MAX_VALUE;
        for (TcpEvent.CongestionChanged cc : side.eventsOf(TcpEvent.CongestionChanged.class)) {
            if (cc.ssthresh() != last) changes++;
            last = cc.ssthresh();
        }
        return changes;
    }

    static <T> T first(List<T> list, String what) {
        if (list.isEmpty()) throw new Check.Failure("expected: " + what + " (none)");
        return list.get(0);
    }

    // ================================================================== congestion control

    static void congestionControl() {
        Check.suite("TcpDataPath congestion control");

        Check.test("RFC 8985 7: when the last ACKs of a flight are lost, a tail loss probe recovers long before the RTO", () -> {
            FakeLink link = connect(5);
            FakeLink.Side c = link.client, s = link.server;
            c.send(bytes(4 * SMSS, 40));           // warm up: an RTT sample
            link.runUntilQuiet();
            byte[] data = bytes(6 * SMSS, 41);
            link.dropEvery(s, FakeLink::isPureAck);  // every ACK of this flight is lost...
            long t0 = link.now;
            c.send(data);
            link.advance(60);                        // ...until the probe's time has passed
            List<TcpEvent.FastRetransmit> probes = c.eventsOf(TcpEvent.FastRetransmit.class);
            Check.equal(1, probes.size(), "one probe");
            Check.equal("tail loss probe", probes.get(0).why(), "why");
            Check.isTrue(c.eventsOf(TcpEvent.Retransmitting.class).isEmpty(), "no retransmission timeout yet");
            Check.isTrue(link.now - t0 < c.conn.rto(), "the probe came before the RTO (" + c.conn.rto() + " ms)");
        });

        Check.test("RFC 5681 3.1 + RFC 6928: slow start starts at IW = 10 segments and doubles the segments sent per RTT", () -> {
            FakeLink link = connect(10);
            long t0 = link.now;
            new Writer(link, link.client, bytes(4 << 20, 1)).start();
            runUntil(link, () -> link.now > t0 + 6 * 20, t0 + 1000, "six round trips");
            // Every burst leaves at one instant on the fake clock: count data segments per round trip.
            int[] perRound = new int[6];
            for (int i = 0; i < link.client.sent.size(); i++) {
                if (!isData(link.client.sent.get(i))) continue;
                long dt = link.client.sentAt.get(i) - t0;
                int round = (int) (dt / 20);
                Check.equal(0L, dt % 20, "data segments leave only when ACKs arrive, each RTT (segment at +" + dt + ")");
                if (round < perRound.length) perRound[round]++;
            }
            Check.equal(10, perRound[0], "RFC 6928 initial window: segments in the first round trip " + Arrays.toString(perRound));
            for (int r = 1; r < perRound.length; r++) {
                Check.equal(2L * perRound[r - 1], perRound[r], "segments in round trip " + r + " (slow start doubles) " + Arrays.toString(perRound));
            }
            Check.equal(Integer.MAX_VALUE, link.client.conn.ssthresh(), "ssthresh still infinite (no loss)");
        });

        Check.test("RFC 5681 3.1: congestion avoidance grows cwnd by about 1 SMSS per RTT once cwnd >= ssthresh", () -> {
            FakeLink link = connect(RENO, RENO, 10);
            link.dropNext(link.client, nthData(100));
            long t0 = link.now;
            new Writer(link, link.client, bytes(16 << 20, 2)).start();
            runUntil(link, () -> !link.client.eventsOf(TcpEvent.FastRetransmit.class).isEmpty(), t0 + 5000, "the fast retransmit");
            Check.isTrue(link.client.conn.ssthresh() < Integer.MAX_VALUE, "ssthresh set by the loss");
            link.advance(100); // recovery ends within an RTT; let a few rounds pass
            List<Integer> cwnds = new ArrayList<>();
            for (int i = 0; i <= 10; i++) {
                cwnds.add(link.client.conn.cwnd());
                Check.isTrue(link.client.conn.cwnd() >= link.client.conn.ssthresh(), "in congestion avoidance: cwnd " + cwnds);
                link.advance(20);
            }
            for (int i = 1; i < cwnds.size(); i++) {
                int delta = cwnds.get(i) - cwnds.get(i - 1);
                Check.isTrue(delta >= 0 && delta <= 2 * SMSS, "cwnd grows by at most ~1 SMSS per RTT " + cwnds);
            }
            int total = cwnds.get(10) - cwnds.get(0);
            Check.isTrue(total >= 8 * SMSS && total <= 12 * SMSS, "cwnd grew by about 10 SMSS in 10 RTTs: " + total + " bytes " + cwnds);
            Check.isTrue(link.client.conn.sndMax() - link.client.conn.sndUna() <= link.client.conn.cwnd(), "flight within cwnd");
        });

        Check.test("RFC 5681 3.2: three duplicate ACKs: ssthresh = max(FlightSize/2, 2*SMSS), cwnd = ssthresh + 3*SMSS, one retransmission", () -> {
            FakeLink link = connect(NEW_RENO, NEW_RENO, 10);
            link.dropNext(link.client, nthData(20));
            byte[] data = bytes(400_000, 3);
            transfer(link, data, 10_000);
            FakeLink.Side c = link.client;
            Packets.Tcp lost = first(c.lost, "a lost segment");
            Check.equal(2, timesSent(c, lost.seq(), lost.payload().length), "the lost segment went out twice: once, and retransmitted once");
            Check.equal(List.of(), c.eventsOf(TcpEvent.Retransmitting.class), "no retransmission timeout");
            Check.equal(1, c.eventsOf(TcpEvent.FastRetransmit.class).size(), "one fast retransmit");
            // FlightSize when the third duplicate arrived: everything sent before the retransmission.
            int retransmitAt = -1;
            for (int i = 0; i < c.sent.size(); i++) {
                Packets.Tcp s = c.sent.get(i);
                if (s != lost && isData(s) && s.seq() == lost.seq()) { retransmitAt = i; break; }
            }
            int sndMax = lost.seq();
            for (int i = 0; i < retransmitAt; i++) {
                Packets.Tcp s = c.sent.get(i);
                if (Seq.gt(s.seq() + s.payload().length, sndMax)) sndMax = s.seq() + s.payload().length;
            }
            int flight = sndMax - lost.seq();
            TcpEvent.CongestionChanged cc = congestionAfterFirstFastRetransmit(c);
            Check.equal(Math.max(flight / 2, 2 * SMSS), cc.ssthresh(), "ssthresh (FlightSize " + flight + ")");
            Check.equal(cc.ssthresh() + 3 * SMSS, cc.cwnd(), "cwnd on entering fast recovery");
            // Exactly three duplicate ACKs before it: ACKs of the server with ACK = the lost SEQ, after the first.
            long retransmitTime = c.sentAt.get(retransmitAt);
            int dups = 0;
            FakeLink.Side s = link.server;
            for (int i = 0; i < s.sent.size(); i++) {
                if (s.sent.get(i).ack() == lost.seq() && FakeLink.isPureAck(s.sent.get(i)) && s.sentAt.get(i) + link.oneWayDelay <= retransmitTime) dups++;
            }
            Check.isTrue(dups >= 3, "at least three duplicate ACKs were sent before the retransmission (" + dups + ")");
        });

        Check.test("RFC 6582: two losses in one window: the partial ACK retransmits the second at once, one halving, no timeout", () -> {
            FakeLink link = connect(NEW_RENO, NEW_RENO, 10);
            link.dropEvery(link.client, nthData(20, 25));
            byte[] data = bytes(400_000, 4);
            transfer(link, data, 10_000);
            FakeLink.Side c = link.client;
            Check.equal(2, c.lost.size(), "segments lost");
            for (Packets.Tcp lost : c.lost) {
                Check.equal(2, timesSent(c, lost.seq(), lost.payload().length), "lost segment " + Seq.str(lost.seq()) + " sent twice");
            }
            Check.equal(List.of(), c.eventsOf(TcpEvent.Retransmitting.class), "no retransmission timeout");
            List<TcpEvent.FastRetransmit> fr = c.eventsOf(TcpEvent.FastRetransmit.class);
            Check.equal(2, fr.size(), "fast retransmissions " + fr);
            Check.isTrue(fr.get(1).why().toLowerCase(java.util.Locale.ROOT).contains("partial"), "the second retransmission is for a partial ACK: " + fr.get(1));
            Check.equal(1, ssthreshChanges(c), "ssthresh reduced once for the two losses of one window");
            Packets.Tcp second = c.lost.get(1);
            Check.isTrue(Seq.gt(second.seq(), c.lost.get(0).seq()), "the losses in order");
        });

        Check.test("RFC 5681 3.1 / RFC 6298 5.4: a retransmission timeout brings cwnd to 1 SMSS, ssthresh to max(FlightSize/2, 2*SMSS)", () -> {
            FakeLink link = connect(RENO, RENO, 10);
            long t0 = link.now;
            // Everything the client sends from the 31st data segment on is lost for 1.5 s.
            int[] count = {0};
            link.dropEvery(link.client, s -> isData(s) && ++count[0] > 30 && link.now < t0 + 1500);
            byte[] data = bytes(1_000_000, 5);
            Writer w = new Writer(link, link.client, data).start();
            TcpConnection cc = link.client.conn;
            runUntil(link, () -> !link.client.eventsOf(TcpEvent.Retransmitting.class).isEmpty(), t0 + 5000, "a timeout");
            int flight = cc.sndMax() - cc.sndUna();
            Check.equal(SMSS, cc.cwnd(), "cwnd after the timeout (LW = 1 SMSS)");
            Check.equal(Math.max(flight / 2, 2 * SMSS), cc.ssthresh(), "ssthresh after the timeout (FlightSize " + flight + ")");
            long at = link.now;
            int sentThen = 0;
            for (int i = 0; i < link.client.sent.size(); i++) if (link.client.sentAt.get(i) == at && isData(link.client.sent.get(i))) sentThen++;
            Check.equal(1, sentThen, "data segments sent at the timeout");
            runUntil(link, () -> link.server.received.size() >= data.length, t0 + 60_000, "transfer after the losses");
            Check.isTrue(Arrays.equals(data, link.server.receivedBytes()), "data intact");
            Check.isTrue(w.written == data.length, "all written");
        });
    }

    // ================================================================== reassembly

    static void reassembly() {
        Check.suite("TcpDataPath reassembly");

        Check.test("RFC 9293 3.10.7.4 SHLD-31 + RFC 5681 4.2: out-of-order segments are kept, dup ACKed at once; the gap's filler is ACKed at once", () -> {
            FakeLink link = connect(0);
            FakeLink.Side c = link.client, s = link.server;
            byte[] data = bytes(4 * SMSS, 6);
            c.send(data);
            Check.equal(4, c.queued().size(), "four segments in flight");
            int base = c.queued().get(0).seq();
            // Order of arrival: 2, 3, 1, 4.
            link.swapHead(c);                       // 2 1 3 4
            int mark = s.mark();
            link.deliverNext(c);                    // 2: out of order
            List<Packets.Tcp> after2 = s.sentSince(mark);
            Check.equal(1, after2.size(), "an immediate duplicate ACK for segment 2 " + after2);
            Check.equal(Seq.str(base), Seq.str(after2.get(0).ack()), "duplicate ACK number");
            Check.equal(SMSS, s.conn.outOfOrderBytes(), "bytes held out of order");
            Check.equal(0, s.received.size(), "nothing readable yet");
            link.swapHead(c);                       // 3 1 4
            mark = s.mark();
            link.deliverNext(c);                    // 3: out of order
            Check.equal(1, s.sentSince(mark).size(), "an immediate duplicate ACK for segment 3");
            Check.equal(Seq.str(base), Seq.str(s.lastSent().ack()), "duplicate ACK number");
            Check.equal(2 * SMSS, s.conn.outOfOrderBytes(), "bytes held out of order");
            Check.equal(2, s.eventsOf(TcpEvent.OutOfOrder.class).size(), "OutOfOrder events");
            mark = s.mark();
            link.deliverNext(c);                    // 1: fills the gap
            Check.equal(1, s.sentSince(mark).size(), "an immediate ACK when the gap fills");
            Check.equal(Seq.str(base + 3 * SMSS), Seq.str(s.lastSent().ack()), "ACK covers segments 1 to 3");
            Check.equal(0, s.conn.outOfOrderBytes(), "nothing left out of order");
            link.runUntilQuiet();
            Check.bytes(data, s.receivedBytes(), "data reassembled");
        });

        Check.test("RFC 5681 4.2: a segment that fills part of a gap is ACKed at once, not after the delayed-ACK timer", () -> {
            FakeLink link = connect(0);
            FakeLink.Side c = link.client, s = link.server;
            c.send(bytes(4 * SMSS, 7));
            List<Packets.Tcp> q = c.queued();
            int base = q.get(0).seq();
            link.clearQueues();
            s.inject(q.get(2));                     // 3: out of order, the gap is 1 and 2
            int mark = s.mark();
            s.inject(q.get(0));                     // 1: fills part of the gap; 2 is still missing
            List<Packets.Tcp> acks = s.sentSince(mark);
            Check.equal(1, acks.size(), "\"an immediate ACK when the incoming segment fills in all or part of a gap\" " + acks);
            Check.equal(Seq.str(base + SMSS), Seq.str(acks.get(0).ack()), "the ACK covers segment 1");
            Check.equal(SMSS, s.conn.outOfOrderBytes(), "segment 3 still waits");
        });

        Check.test("RFC 5681 4.2: a FIN beyond a gap, without data, is kept and dup ACKed at once; data and FIN ACKed together", () -> {
            FakeLink link = connect(0);
            FakeLink.Side c = link.client, s = link.server;
            c.send(bytes(100, 20));
            c.close();
            Check.equal(2, c.queued().size(), "data, then the FIN");
            int dataSeq = c.queued().get(0).seq();
            link.swapHead(c);                        // the FIN arrives first
            int mark = s.mark();
            link.deliverNext(c);
            Check.equal(1, s.sentSince(mark).size(), "an immediate duplicate ACK for the early FIN");
            Check.equal(Seq.str(dataSeq), Seq.str(s.lastSent().ack()), "duplicate ACK number");
            Check.equal(TcpState.ESTABLISHED, s.state(), "the FIN waits for the data");
            mark = s.mark();
            link.deliverNext(c);                     // the data fills the gap
            Check.equal(TcpState.CLOSE_WAIT, s.state(), "the kept FIN processed");
            Check.equal(Seq.str(dataSeq + 101), Seq.str(s.sentSince(mark).get(0).ack()), "one ACK for data and FIN");
        });

        Check.test("RFC 9293 3.10.7.4 MUST-66: into a zero window, a segment's data is not taken but its ACK is", () -> {
            FakeLink link = connect(TcpConfig.defaults(), TcpConfig.defaults().withReceiveBuffer(2000), 0);
            FakeLink.Side c = link.client, s = link.server;
            s.reading = false;
            c.send(bytes(2000, 21));
            link.runUntilQuiet();
            Check.equal(0, s.conn.rcvWnd(), "the server's window is zero");
            link.clearQueues();
            s.send(bytes(7, 24));                   // the server sends 7 bytes the client never acknowledged...
            int ackOfReply = s.conn.sndNxt();
            link.clearQueues();
            // ...until the client's next segment, with 5 bytes the full window cannot take, does.
            s.inject(s.fromPeer(s.conn.rcvNxt(), ackOfReply, Packets.ACK | Packets.PSH, 2048, bytes(5, 25)));
            Check.equal(Seq.str(ackOfReply), Seq.str(s.conn.sndUna()), "SND.UNA advanced by the ACK of a segment whose data was refused");
            Check.equal(2000, s.conn.readable(), "no byte taken beyond the buffer");
            Check.equal(0, s.lastSent().window(), "our ACK repeats the zero window");
        });

        Check.test("RFC 9293 3.5.3 SHLD-2 + MUST-66: a RST that carries data resets the connection, with the window open and with it zero", () -> {
            for (int buffer : new int[] {65535, 2000}) {
                FakeLink link = connect(TcpConfig.defaults(), TcpConfig.defaults().withReceiveBuffer(buffer), 0);
                FakeLink.Side c = link.client, s = link.server;
                s.reading = false;
                if (buffer == 2000) {
                    c.send(bytes(2000, 21));
                    link.runUntilQuiet();
                    Check.equal(0, s.conn.rcvWnd(), "the server's window is zero");
                }
                link.clearQueues();
                s.inject(s.fromPeer(s.conn.rcvNxt(), s.conn.sndNxt(), Packets.RST | Packets.ACK, 0, bytes(12, 26)));
                Check.equal(TcpState.CLOSED, s.state(), "after a RST with 12 bytes of data, buffer " + buffer);
                Check.equal(TcpEvent.CloseReason.RESET, s.closedEvent().reason(), "reset, buffer " + buffer);
            }
        });

        Check.test("RFC 9293 3.10.7.4: randomly reordered and duplicated segments are reassembled intact", () -> {
            FakeLink link = connect(2);
            link.randomize(7, 0, 0.05, 0.2);
            byte[] data = bytes(2_000_000, 7);
            transfer(link, data, 60_000);
            Check.isTrue(!link.server.eventsOf(TcpEvent.OutOfOrder.class).isEmpty(), "some segments did arrive out of order");
        });
    }

    // ================================================================== flow control, zero window

    /** A link whose receiver has a small buffer: the server (passive opener) or the client (active opener). */
    record Pair(FakeLink link, FakeLink.Side sender, FakeLink.Side receiver, String name) {}

    static Pair smallReceiver(int buffer, boolean passiveReceiver, long oneWayDelay, TcpConfig senderConfig) {
        TcpConfig small = TcpConfig.defaults().withReceiveBuffer(buffer);
        FakeLink link = passiveReceiver ? connect(senderConfig, small, oneWayDelay) : connect(small, senderConfig, oneWayDelay);
        return passiveReceiver ? new Pair(link, link.client, link.server, "receiver = server (passive open)")
                : new Pair(link, link.server, link.client, "receiver = client (active open)");
    }

    static void flowControl() {
        Check.suite("TcpDataPath flow control");

        for (boolean passive : new boolean[] {true, false}) {
            String who = passive ? "server receives" : "client receives";

            Check.test("RFC 9293 3.8.6 (" + who + "): the window advertised never promises more than the receive buffer holds", () -> {
                int buffer = 8192;
                Pair p = smallReceiver(buffer, passive, 10, TcpConfig.defaults());
                p.receiver().reading = false;
                int start = p.receiver().conn.rcvNxt(); // IRS + 1: no data yet
                new Writer(p.link(), p.sender(), bytes(40_000, 30)).start();
                p.link().advance(3000);
                for (Packets.Tcp seg : p.receiver().sent) {
                    if (seg.isSyn()) continue;
                    long edge = (long) (seg.ack() - start) + ((long) seg.window() << p.receiver().conn.rcvWndShift());
                    Check.isTrue(edge <= buffer, p.name() + ": right edge " + edge + " bytes past IRS+1 with a "
                            + buffer + "-byte buffer nobody reads: " + seg);
                }
                List<TcpEvent.Dropped> dropped = p.receiver().eventsOf(TcpEvent.Dropped.class);
                Check.equal(0, p.receiver().conn.outOfOrderBytes(), p.name() + ": no in-window data beyond the buffer");
                Check.equal(0, p.receiver().conn.rcvWnd(), p.name() + ": RCV.WND once the buffer is full");
                Check.isTrue(dropped.stream().allMatch(d -> d.why() == TcpEvent.DropReason.OUTSIDE_WINDOW), p.name() + ": only probes refused " + dropped);
            });

            Check.test("RFC 9293 3.8.6.1 (" + who + "): full buffer -> zero window; 1-byte probes back off; reading sends a window update; intact, no extra RTO", () -> {
                Pair p = smallReceiver(8192, passive, 10, TcpConfig.defaults());
                FakeLink link = p.link();
                FakeLink.Side c = p.sender(), s = p.receiver();
                s.reading = false;
                byte[] data = bytes(40_000, 8);
                long t0 = link.now;
                String[] violation = {null};
                Writer w = new Writer(link, c, data);
                w.also = () -> {
                    TcpConnection k = c.conn;
                    if (Seq.gt(k.sndNxt(), k.sndUna() + k.sndWnd()) && violation[0] == null) {
                        violation[0] = "SND.NXT " + Seq.str(k.sndNxt()) + " beyond SND.UNA + SND.WND " + Seq.str(k.sndUna() + k.sndWnd()) + " at " + link.now;
                    }
                };
                w.start();
                long open = t0 + 20_000;
                link.at(open, () -> s.reading = true);
                runUntil(link, () -> s.received.size() >= data.length, t0 + 60_000, "transfer through a zero window");
                long done = link.now;
                Check.equal(null, violation[0], "the sender never sends beyond the window");
                Check.bytes(data, s.receivedBytes(), "data intact");
                boolean zero = false;
                for (Packets.Tcp seg : s.sent) if (seg.window() == 0 && seg.isAck() && !seg.isSyn()) zero = true;
                Check.isTrue(zero, "the receiver advertised a zero window");
                // Probes: 1 byte each, backing off.
                List<Long> probeTimes = new ArrayList<>();
                for (int i = 0; i < c.sent.size(); i++) {
                    long at = c.sentAt.get(i);
                    if (isData(c.sent.get(i)) && c.sent.get(i).payload().length == 1 && at < open) probeTimes.add(at);
                }
                long probeEvents = c.eventsOf(TcpEvent.Retransmitting.class).stream().filter(e -> e.what().contains("probe")).count();
                Check.isTrue(probeTimes.size() >= 3, "at least 3 window probes of 1 byte in 20 s: " + probeTimes);
                Check.equal((long) probeTimes.size(), probeEvents, "Retransmitting(window probe) events");
                for (int i = 2; i < probeTimes.size(); i++) {
                    long before = probeTimes.get(i - 1) - probeTimes.get(i - 2), now = probeTimes.get(i) - probeTimes.get(i - 1);
                    Check.isTrue(now >= 2 * before || now >= TcpConfig.defaults().rtoMax(), "probe intervals double " + probeTimes);
                }
                for (TcpEvent.Dropped d : s.eventsOf(TcpEvent.Dropped.class)) {
                    Check.isTrue(d.why() == TcpEvent.DropReason.OUTSIDE_WINDOW, "only probes are refused: " + d);
                }
                Check.equal(TcpState.ESTABLISHED, c.state(), "the probes do not give up while the peer answers");
                // The window update went out at once, and the rest followed without waiting for a timer.
                Check.isTrue(!s.eventsOf(TcpEvent.WindowUpdate.class).isEmpty(), "a WindowUpdate event");
                int firstAfterOpen = -1;
                for (int i = 0; i < s.sent.size(); i++) if (s.sentAt.get(i) >= open) { firstAfterOpen = i; break; }
                Check.equal(open, (long) s.sentAt.get(firstAfterOpen), "the window update leaves when the reader reads");
                Check.isTrue(s.sent.get(firstAfterOpen).window() > 0, "the window update opens the window");
                Check.isTrue(done - open < 1000, "the transfer completes without another RTO after the window opens: took "
                        + (done - open) + " ms");
            });

            Check.test("RFC 9293 3.8.6.1 (" + who + "): a receiver that does not read for 5 minutes keeps the connection open (probes never give up)", () -> {
                Pair p = smallReceiver(8192, passive, 10, TcpConfig.defaults());
                p.receiver().reading = false;
                byte[] data = bytes(40_000, 31);
                new Writer(p.link(), p.sender(), data).start();
                p.link().advance(300_000);
                Check.equal(null, p.sender().closedEvent(), "the sender did not give up on a slow reader");
                Check.equal(TcpState.ESTABLISHED, p.sender().state(), "sender state");
                p.receiver().reading = true;
                p.link().at(p.link().now, () -> p.receiver().readAll());
                runUntil(p.link(), () -> p.receiver().received.size() >= data.length, p.link().now + 120_000, "transfer after 5 minutes");
                Check.bytes(data, p.receiver().receivedBytes(), "data intact");
            });

            Check.test("RFC 9293 3.8.6.1 (" + who + "): the window opens while a probe is in flight: the probe byte leaves no hole, no extra RTO", () -> {
                Pair p = smallReceiver(8192, passive, 10, TcpConfig.defaults());
                FakeLink link = p.link();
                FakeLink.Side c = p.sender(), s = p.receiver();
                s.reading = false;
                byte[] data = bytes(40_000, 9);
                long t0 = link.now;
                new Writer(link, c, data).start();
                runUntil(link, () -> c.eventsOf(TcpEvent.Retransmitting.class).size() >= 2, t0 + 30_000, "two retransmissions (window probes)");
                Check.equal(1, c.lastSent().payload().length, "the last segment is a 1-byte probe");
                long open = link.now + 5; // the probe is on the wire
                int timeouts = c.eventsOf(TcpEvent.Retransmitting.class).size();
                link.at(open, () -> s.reading = true);
                runUntil(link, () -> s.received.size() >= data.length, t0 + 60_000, "transfer");
                Check.bytes(data, s.receivedBytes(), "no byte lost or duplicated");
                Check.isTrue(link.now - open < 1000, "done within an RTO of the window opening: took " + (link.now - open) + " ms");
                Check.equal(timeouts, c.eventsOf(TcpEvent.Retransmitting.class).size(), "no timeout after the window opened");
            });

            Check.test("RFC 9293 3.8.6.2.2 (" + who + "): a slow reader's window stays shut until min(RCV.BUFF/2, MSS) is free (probes included)", () -> {
                for (int buffer : new int[] {16384, 2000}) {
                    int threshold = Math.min(buffer / 2, SMSS);
                    Pair p = smallReceiver(buffer, passive, 0, TcpConfig.defaults());
                    FakeLink link = p.link();
                    FakeLink.Side c = p.sender(), s = p.receiver();
                    s.reading = false;
                    byte[] data = bytes(buffer + 5000, 10);
                    new Writer(link, c, data).start();
                    runUntil(link, () -> s.conn.readable() == buffer && c.conn.sndUna() == c.conn.sndMax(), 10_000, "buffer " + buffer + ": fill the buffer");
                    Check.equal(0, s.conn.rcvWnd(), "buffer " + buffer + ": RCV.WND when full");
                    byte[] chunk = new byte[100];
                    int freed = 0;
                    int mark = s.mark();
                    while (freed + 100 < threshold) {
                        freed += s.conn.read(chunk, 0, 100, link.now, s);
                        s.received.write(chunk, 0, 100);
                    }
                    Check.equal(List.of(), s.sentSince(mark), "buffer " + buffer + ": no window update with " + freed + " bytes free");
                    // A window probe now gets an ACK that still says zero.
                    link.advance(5000);
                    Check.isTrue(!c.eventsOf(TcpEvent.Retransmitting.class).isEmpty(), "buffer " + buffer + ": the sender probed");
                    for (Packets.Tcp seg : s.sentSince(mark)) Check.equal(0, seg.window(), "buffer " + buffer + ": window in the answer to a probe " + seg);
                    mark = s.mark();
                    int n = s.conn.read(chunk, 0, 100, link.now, s);
                    s.received.write(chunk, 0, n);
                    freed += n;
                    List<Packets.Tcp> update = s.sentSince(mark);
                    Check.equal(1, update.size(), "buffer " + buffer + ": a window update once " + freed + " >= " + threshold + " bytes are free");
                    Check.equal(freed, update.get(0).window() << s.conn.rcvWndShift(), "buffer " + buffer + ": the window advertised");
                    s.reading = true;
                    runUntil(link, () -> s.received.size() >= data.length, link.now + 30_000, "rest of the transfer");
                    Check.bytes(data, s.receivedBytes(), "buffer " + buffer + ": data intact");
                }
            });
        }
    }

    // ================================================================== sender SWS and Nagle

    static void sillyWindowAndNagle() {
        Check.suite("TcpDataPath Nagle");

        Check.test("RFC 9293 3.7.4 Nagle (defaults): small writes while data is unacknowledged wait for the ACK, then go as one", () -> {
            FakeLink link = connect(10);
            FakeLink.Side c = link.client;
            long t0 = link.now;
            int mark = c.mark();
            c.send(bytes(100, 11));
            c.send(bytes(100, 12));
            c.send(bytes(100, 13));
            List<Packets.Tcp> now = c.sentSince(mark);
            Check.equal(1, now.size(), "segments sent at once: the first small write only");
            Check.equal(100, now.get(0).payload().length, "first segment length");
            link.runUntilQuiet();
            List<Packets.Tcp> all = c.sentSince(mark);
            List<Long> at = c.sentAt.subList(mark, c.sentAt.size());
            Check.equal(300, link.server.received.size(), "bytes received");
            List<Packets.Tcp> data = all.stream().filter(TcpDataPathTest::isData).toList();
            Check.equal(2, data.size(), "data segments " + data);
            Check.equal(200, data.get(1).payload().length, "the held writes go as one segment");
            long ackArrives = -1;
            for (int i = 0; i < link.server.sent.size(); i++) {
                if (link.server.sent.get(i).ack() == data.get(0).seq() + 100) { ackArrives = link.server.sentAt.get(i) + link.oneWayDelay; break; }
            }
            Check.equal(ackArrives, (long) at.get(all.indexOf(data.get(1))), "the second segment leaves when the ACK arrives");
            Check.isTrue(ackArrives > t0, "after t0");
        });

        Check.test("RFC 9293 3.7.4: Nagle lets the first small write go at once, whatever half of the sequence space the ISN is in", () -> {
            for (int iss : new int[] {0x1000_0000, 0x9000_0000, 0xFFFF_FFF0}) {
                FakeLink link = connect(TcpConfig.defaults(), TcpConfig.defaults(), 10, iss);
                FakeLink.Side c = link.client;
                int mark = c.mark();
                c.send(bytes(8, 30));
                Check.equal(1, c.sentSince(mark).size(), "segments sent at once with ISS " + Seq.str(iss));
            }
        });

        Check.test("RFC 9293 3.7.4: with noDelay, small writes go at once, each in its own segment", () -> {
            TcpConfig cfg = TcpConfig.defaults().withNoDelay(true);
            FakeLink link = connect(cfg, TcpConfig.defaults(), 10);
            FakeLink.Side c = link.client;
            int mark = c.mark();
            c.send(bytes(100, 11));
            c.send(bytes(100, 12));
            c.send(bytes(100, 13));
            List<Packets.Tcp> now = c.sentSince(mark);
            Check.equal(3, now.size(), "segments sent at once");
            for (Packets.Tcp s : now) Check.equal(100, s.payload().length, "segment length");
            link.runUntilQuiet();
            Check.equal(300, link.server.received.size(), "bytes received");
        });

        Check.test("RFC 9293 3.8.6.2.1: the sender does not send a sub-MSS segment into a small usable window while data is in flight", () -> {
            // The server's window is 3000 bytes (not reading), Nagle off: the sender sends 2 full segments
            // (2 x 1448 with timestamps), and must not send the 104-byte sliver that is left.
            TcpConfig server = TcpConfig.defaults().withReceiveBuffer(3000);
            FakeLink link = connect(TcpConfig.defaults().withNoDelay(true), server, 10);
            FakeLink.Side c = link.client, s = link.server;
            s.reading = false;
            byte[] data = bytes(20_000, 14);
            new Writer(link, c, data).start();
            List<Packets.Tcp> first = c.sentSince(0).stream().filter(TcpDataPathTest::isData).toList();
            Check.equal(2, first.size(), "segments sent into a 3000-byte window " + first);
            link.advance(WhenToSend.OVERRIDE_TIMEOUT_MILLIS - 50);
            for (Packets.Tcp seg : dataSegments(c)) {
                Check.isTrue(seg.payload().length == SMSS || seg.payload().length == 1, "no silly segment: " + seg.payload().length + " bytes");
            }
            // "(4) or if the override timeout occurs": then the sliver may go, once.
            link.advance(100);
            long slivers = dataSegments(c).stream().filter(seg -> seg.payload().length == 3000 - 2 * SMSS).count();
            Check.equal(1L, slivers, "the " + (3000 - 2 * SMSS) + " bytes after the override timeout");
            s.reading = true;
            link.at(link.now, () -> s.readAll());
            runUntil(link, () -> s.received.size() >= data.length, link.now + 30_000, "transfer");
            Check.bytes(data, s.receivedBytes(), "data intact");
        });
    }

    // ================================================================== delayed ACKs

    static void delayedAcks() {
        Check.suite("TcpDataPath delayed ACK");

        Check.test("RFC 9293 3.8.6.3 MUST-40: a lone small segment is ACKed after delayedAck (40 ms, and 200 ms), not before", () -> {
            for (long delay : new long[] {40, 200}) {
                FakeLink link = connect(TcpConfig.defaults(), TcpConfig.defaults().withDelayedAck(delay), 10);
                int mark = link.server.mark();
                long t0 = link.now;
                link.client.send(bytes(100, 15));
                link.runUntilQuiet();
                List<Packets.Tcp> acks = link.server.sentSince(mark);
                Check.equal(1, acks.size(), "one ACK " + acks);
                long sentAt = link.server.sentAt.get(mark);
                Check.equal(t0 + 10 + delay, sentAt, "ACK time with delayedAck " + delay);
                Check.isTrue(sentAt - (t0 + 10) < 500, "under 0.5 s");
            }
        });

        Check.test("RFC 9293 3.8.6.3 MUST-40: a delayed ACK of 500 ms or more is refused by TcpConfig", () -> {
            Check.throwsA(IllegalArgumentException.class, () -> TcpConfig.defaults().withDelayedAck(500), "delayedAck 500");
        });

        Check.test("RFC 9293 3.8.6.3 SHLD-19: two full-sized segments get an immediate ACK", () -> {
            FakeLink link = connect(10);
            int mark = link.server.mark();
            long t0 = link.now;
            link.client.send(bytes(2 * SMSS, 16));
            link.runUntilQuiet();
            List<Packets.Tcp> acks = link.server.sentSince(mark);
            Check.equal(1, acks.size(), "one ACK for two segments " + acks);
            Check.equal(t0 + 10, (long) link.server.sentAt.get(mark), "sent when the second arrived");
            Check.equal(Seq.str(link.client.conn.sndMax()), Seq.str(acks.get(0).ack()), "it acknowledges both");
        });

        Check.test("RFC 9293 3.8.6.3 SHLD-19: a peer that announced MSS 1460 but sends 1440-byte segments (as libslirp) gets an ACK every second one", () -> {
            // RMSS is what the peer sends in full segments, which may be less than the MSS either
            // side announced (its options, its own rounding): as Linux (tcp_measure_rcv_mss) we take
            // the largest segment seen as full-sized, or no segment would ever count as one and
            // every ACK would wait for the delayed-ACK timer.
            FakeLink link = connect(10);
            FakeLink.Side s = link.server;
            int mark = s.mark();
            int seq = link.client.conn.sndNxt(), ack = link.server.conn.sndNxt();
            for (int i = 0; i < 4; i++) {
                s.inject(s.fromPeer(seq + 1440 * i, ack, Packets.ACK, 65535, bytes(1440, 17 + i)));
                Check.equal(i % 2 == 1 ? 1 : 0, s.sentSince(mark).size(), "ACKs right after segment " + (i + 1) + " of 1440");
                mark = s.mark();
            }
        });

        Check.test("RFC 9293 3.8.6.3 SHLD-19: a 64 KB GRO packet counts as the 45 segments it holds, and its gso_size (1448) is RMSS after it", () -> {
            // The receive ring hands over a coalesced packet whole, with the peer's segment size in
            // the virtio_net_hdr (gso_size). Taken as one segment of our MSS (1460), it would leave
            // the peer's own 1448-byte segments forever short of "full-sized": every later ACK would
            // wait for the delayed-ACK timer.
            FakeLink link = connect(10);
            FakeLink.Side s = link.server;
            int seq = link.client.conn.sndNxt(), ack = link.server.conn.sndNxt();
            int mark = s.mark();
            s.inject(s.fromPeer(seq, ack, Packets.ACK, 65535, bytes(45 * 1448, 18)), 1448);
            Check.equal(1, s.sentSince(mark).size(), "an ACK at once for the coalesced packet");
            seq += 45 * 1448;
            for (int i = 0; i < 4; i++) {
                mark = s.mark();
                s.inject(s.fromPeer(seq + 1448 * i, ack, Packets.ACK, 65535, bytes(1448, 19 + i)));
                Check.equal(i % 2 == 1 ? 1 : 0, s.sentSince(mark).size(), "ACKs right after single segment " + (i + 1) + " of 1448");
            }
        });

        Check.test("RFC 9293 3.8.6.3 SHLD-19: in steady state (after 1 MB went through) two full-sized segments still get one ACK", () -> {
            FakeLink link = connect(10);
            transfer(link, bytes(1_000_000, 40), 60_000);
            link.runUntilQuiet();
            link.afterEachStep(() -> { });
            int mark = link.server.mark();
            long t0 = link.now;
            link.client.send(bytes(2 * SMSS, 41));
            link.runUntilQuiet();
            List<Packets.Tcp> acks = link.server.sentSince(mark);
            Check.equal(1, acks.size(), "ACKs for two full-sized segments " + acks);
            Check.equal(t0 + 10, (long) link.server.sentAt.get(mark), "sent when the second arrived");
        });

        Check.test("RFC 5681 4.2 + RFC 9293 3.8.6.3 SHLD-18/19: a bulk transfer is ACKed about once per two full-sized segments", () -> {
            FakeLink link = connect(10);
            transfer(link, bytes(4_000_000, 42), 60_000);
            link.runUntilQuiet();
            int data = dataSegments(link.client).size();
            long acks = link.server.sent.stream().filter(FakeLink::isPureAck).count();
            long updates = link.server.eventsOf(TcpEvent.WindowUpdate.class).size();
            Check.isTrue(acks <= data * 6L / 10, "pure ACKs " + acks + " for " + data + " data segments (window updates on read: "
                    + updates + "): delayed ACKs should halve them");
        });

        Check.test("RFC 9293 3.8.6.3: the application's reply carries the ACK (no separate ACK)", () -> {
            FakeLink link = connect(10);
            FakeLink.Side c = link.client, s = link.server;
            s.reading = false;
            link.afterEachStep(() -> {
                byte[] buf = new byte[4096];
                int n = s.conn.read(buf, 0, buf.length, link.now, s);
                if (n > 0) {
                    s.received.write(buf, 0, n);
                    s.conn.write(buf, 0, n, link.now, s);     // echo
                }
            });
            int mark = s.mark();
            for (int i = 0; i < 5; i++) {
                c.send(bytes(200, 100 + i));
                link.runUntilQuiet();
            }
            List<Packets.Tcp> replies = s.sentSince(mark);
            Check.equal(5, replies.size(), "server segments " + replies);
            for (Packets.Tcp r : replies) {
                Check.isTrue(isData(r) && r.isAck(), "each server segment is an echo carrying the ACK: " + r);
            }
            Check.equal(1000, c.received.size(), "echoed bytes");
        });
    }

    // ================================================================== window scaling

    static void windowScaling() {
        Check.suite("TcpDataPath window scaling");

        Check.test("RFC 7323 2.2/2.3: the four combinations: shifts only when both SYNs offered, SYN-ACK carries WS only after a WS SYN", () -> {
            for (boolean cOn : new boolean[] {true, false}) {
                for (boolean sOn : new boolean[] {true, false}) {
                    String what = "client " + (cOn ? "on" : "off") + ", server " + (sOn ? "on" : "off");
                    FakeLink link = connect(TcpConfig.defaults().withWindowScaling(cOn), TcpConfig.defaults().withWindowScaling(sOn), 5);
                    FakeLink.Side c = link.client, s = link.server;
                    Packets.Tcp syn = c.sent.get(0), synAck = s.sent.get(0);
                    Check.isTrue(FakeLink.isSyn(syn) && FakeLink.isSynAck(synAck), what + ": handshake segments");
                    Check.equal(cOn, hasWindowScale(syn), what + ": SYN carries WS");
                    Check.equal(cOn && sOn, hasWindowScale(synAck), what + ": SYN-ACK carries WS");
                    Check.equal(65535, syn.window(), what + ": SYN window never scaled (min(buffer, 65535))");
                    Check.equal(65535, synAck.window(), what + ": SYN-ACK window never scaled");
                    int shift = cOn && sOn ? 5 : 0; // 1 MiB >> 5 = 32768 fits in 16 bits, >> 4 does not
                    Check.equal(shift, c.conn.rcvWndShift(), what + ": client Rcv.Wind.Shift");
                    Check.equal(shift, c.conn.sndWndShift(), what + ": client Snd.Wind.Shift");
                    Check.equal(shift, s.conn.rcvWndShift(), what + ": server Rcv.Wind.Shift");
                    Check.equal(shift, s.conn.sndWndShift(), what + ": server Snd.Wind.Shift");
                    // Non-SYN segments: window field << shift is the window the peer uses.
                    byte[] data = bytes(300_000, 17);
                    transfer(link, data, 30_000);
                    link.runUntilQuiet();
                    Packets.Tcp lastFromServer = s.lastSent();
                    Check.equal((long) lastFromServer.window() << shift, c.conn.sndWnd(), what + ": client SND.WND from the server's last window field");
                    // An empty 1 MiB buffer: the whole buffer (65535 unscaled), less what receiver SWS
                    // avoidance keeps back (the right edge moves only by min(RCV.BUFF/2, MSS) or more).
                    int full = shift == 0 ? 65535 : 1 << 20;
                    Check.isTrue(c.conn.sndWnd() <= full && c.conn.sndWnd() > full - SMSS, what + ": window of an empty buffer: " + c.conn.sndWnd());
                    Packets.Tcp lastFromClient = c.lastSent();
                    Check.equal((long) lastFromClient.window() << shift, s.conn.sndWnd(), what + ": server SND.WND from the client's last window field");
                    for (Packets.Tcp seg : s.sent) {
                        if (!seg.isSyn()) Check.isTrue(((long) seg.window() << shift) <= (1 << 20), what + ": scaled window within the buffer");
                    }
                }
            }
        });

        Check.test("RFC 7323 1.1: with a 4 MiB receive buffer and scaling, more than 64 KiB is in flight; without, never", () -> {
            for (boolean on : new boolean[] {true, false}) {
                TcpConfig server = TcpConfig.defaults().withReceiveBuffer(4 << 20).withWindowScaling(on);
                FakeLink link = connect(TcpConfig.defaults(), server, 20);
                if (on) Check.equal(7, link.server.conn.rcvWndShift(), "server shift for 4 MiB");
                Writer w = new Writer(link, link.client, bytes(6 << 20, 18));
                int[] maxFlight = {0};
                w.also = () -> maxFlight[0] = Math.max(maxFlight[0], link.client.conn.sndMax() - link.client.conn.sndUna());
                w.start();
                runUntil(link, () -> link.server.received.size() >= w.data.length, 60_000, "transfer");
                Check.bytes(w.data, link.server.receivedBytes(), "data intact");
                if (on) Check.isTrue(maxFlight[0] > 65535, "scaling on: bytes in flight exceeded 64 KiB: " + maxFlight[0]);
                else Check.isTrue(maxFlight[0] <= 65535, "scaling off: bytes in flight never exceed 65535: " + maxFlight[0]);
            }
        });
    }

    // ================================================================== bulk transfer

    static void bulk() {
        Check.suite("TcpDataPath bulk transfer");

        for (double loss : new double[] {0.01, 0.05}) {
            Check.test("RFC 9293 3.8 + RFC 5681: 20 MB over a link losing " + (int) (loss * 100) + "% both ways arrives intact, send buffer bounded", () -> {
                TcpConfig cfg = TcpConfig.defaults();
                // The client's ISS is near the wrap, so the transfer crosses 2^32.
                FakeLink link = connect(cfg, cfg, 5, 0xFFFF_0000);
                link.randomize(42 + (long) (loss * 100), loss, 0, 0);
                byte[] data = bytes(20_000_000, 19);
                int[] maxHeld = {0};
                Writer w = new Writer(link, link.client, data);
                w.also = () -> maxHeld[0] = Math.max(maxHeld[0], link.server.conn.readable() + link.server.conn.outOfOrderBytes());
                w.start();
                runUntil(link, () -> link.server.received.size() >= data.length, 3_600_000, "20 MB");
                Check.isTrue(Arrays.equals(data, link.server.receivedBytes()), "the 20 MB arrived intact");
                Check.isTrue(w.maxUnacknowledged <= cfg.sendBuffer(), "unacknowledged bytes within the send buffer: " + w.maxUnacknowledged);
                Check.isTrue(w.shortWrites > 0, "write() returned short when the send buffer was full");
                Check.isTrue(maxHeld[0] <= cfg.receiveBuffer(), "the receiver holds at most its buffer: " + maxHeld[0]);
                Check.isTrue(!link.client.lost.isEmpty() && !link.server.lost.isEmpty(), "segments were lost both ways");
                Check.equal(TcpState.ESTABLISHED, link.client.state(), "client still connected");
            });
        }
    }

    static void closeWithDataQueued() {
        Check.suite("TcpDataPath close with data queued");

        Check.test("RFC 9293 3.10.4 + 3.10.7.4 CLOSING: CLOSE with 200 KB queued, the peer's FIN first: the data still goes, then our FIN", () -> {
            FakeLink link = connect(20);
            byte[] data = bytes(200_000, 21);
            FakeLink.Side c = link.client;
            int taken = c.conn.write(data, 0, data.length, link.now, c);
            Check.equal(data.length, taken, "write took it all");
            c.conn.close(link.now, c);                   // FIN-WAIT-1, the FIN waits behind the data
            link.server.conn.close(link.now, link.server); // the server's FIN crosses it
            runUntil(link, () -> c.state() == TcpState.TIME_WAIT || c.state() == TcpState.CLOSED, 60_000, "the client closes");
            Check.isTrue(Arrays.equals(data, link.server.receivedBytes()), "the server received all 200 KB");
            List<String> edges = new ArrayList<>();
            for (TcpEvent e : c.events) if (e instanceof TcpEvent.StateChanged sc) edges.add(sc.from().rfcName() + "->" + sc.to().rfcName());
            Check.isTrue(edges.contains("CLOSING->TIME-WAIT"), "through CLOSING to TIME-WAIT: " + edges);
        });
    }

    // ================================================================== R2

    static void giveUp() {
        Check.suite("TcpDataPath giving up");

        Check.test("RFC 9293 3.8.3 R2: unanswered data is given up (NO_ANSWER) only after giveUpAfter, not at maxRetries", () -> {
            TcpConfig cfg = TcpConfig.defaults().withGiveUpAfter(100_000);
            FakeLink link = connect(cfg, TcpConfig.defaults(), 10);
            link.dropEvery(link.client, TcpDataPathTest::isData);
            long t0 = link.now;
            link.client.send(bytes(1000, 20));
            runUntil(link, () -> link.client.closedEvent() != null, t0 + 1_000_000, "giving up");
            TcpEvent.Closed closed = link.client.closedEvent();
            Check.equal(TcpEvent.CloseReason.NO_ANSWER, closed.reason(), "reason " + closed);
            long firstRetransmit = -1;
            int sends = 0;
            for (int i = 0; i < link.client.sent.size(); i++) {
                if (!isData(link.client.sent.get(i))) continue;
                if (++sends == 2) firstRetransmit = link.client.sentAt.get(i);
            }
            Check.isTrue(link.now - firstRetransmit >= 100_000, "gave up " + (link.now - firstRetransmit) + " ms after the first retransmission");
            Check.isTrue(link.now - firstRetransmit < 100_000 + cfg.rtoMax() + 1, "but not much later");
            Check.isTrue(sends > cfg.maxRetries() + 1, "more tries than maxRetries + 1: " + sends);
            // One of the sends is RFC 8985's tail loss probe, which is not a try of the timer.
            Check.equal(1, link.client.eventsOf(TcpEvent.FastRetransmit.class).size(), "one tail loss probe");
            Check.equal(sends - 1, closed.tries(), "tries in the Closed event");
        });

        Check.test("RFC 9293 3.8.3 R2: with giveUpAfter short, unanswered data is given up after exactly maxRetries retransmissions", () -> {
            TcpConfig cfg = TcpConfig.defaults().withGiveUpAfter(5000).withMaxRetries(4);
            FakeLink link = connect(cfg, TcpConfig.defaults(), 10);
            link.dropEvery(link.client, TcpDataPathTest::isData);
            long t0 = link.now;
            link.client.send(bytes(1000, 21));
            runUntil(link, () -> link.client.closedEvent() != null, t0 + 1_000_000, "giving up");
            TcpEvent.Closed closed = link.client.closedEvent();
            Check.equal(TcpEvent.CloseReason.NO_ANSWER, closed.reason(), "reason " + closed);
            Check.equal(6, dataSegments(link.client).size(), "the segment sent once, probed once (RFC 8985), retransmitted 4 times");
            Check.equal(5, closed.tries(), "tries");
            // RTO 1 s, backing off: retransmissions at +1, +3, +7, +15 s, given up at +31 s.
            Check.equal(t0 + 31_000, link.now, "time given up");
        });

        Check.test("RFC 9293 3.8.3 R2: a peer that keeps sending but never acknowledges our data: NOT_ACKNOWLEDGED after giveUpAfter", () -> {
            TcpConfig cfg = TcpConfig.defaults().withGiveUpAfter(60_000);
            FakeLink link = connect(cfg, TcpConfig.defaults(), 10);
            FakeLink.Side c = link.client, s = link.server;
            link.dropEvery(c, TcpDataPathTest::isData);
            long t0 = link.now;
            c.send(bytes(1000, 22));
            for (long t = t0 + 500; t < t0 + 400_000; t += 2000) {
                link.at(t, () -> { if (s.conn.writable() > 0 && c.closedEvent() == null) s.conn.write(new byte[10], 0, 10, link.now, s); });
            }
            runUntil(link, () -> c.closedEvent() != null, t0 + 1_000_000, "giving up");
            TcpEvent.Closed closed = c.closedEvent();
            Check.equal(TcpEvent.CloseReason.NOT_ACKNOWLEDGED, closed.reason(), "reason " + closed);
            long firstRetransmit = c.sentAt.get(c.sent.indexOf(dataSegments(c).get(1)));
            Check.isTrue(link.now - firstRetransmit >= 60_000, "gave up " + (link.now - firstRetransmit) + " ms after the first retransmission");
            Check.isTrue(c.received.size() > 0, "the client did receive the peer's data meanwhile");
        });
    }
}
