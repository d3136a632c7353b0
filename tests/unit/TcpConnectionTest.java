import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The connection state machine in memory, two TcpConnections joined by a {@link FakeLink}.
 * Expected values come from RFC 9293 (section 3.10.7 "SEGMENT ARRIVES" above all), RFC 5961 and
 * RFC 6298; each test's name says the rule it checks.
 *
 * Run from the project directory:
 *   ./test.sh unit TcpConnectionTest   (no root needed)
 *
 */
final class TcpConnectionTest {
    private TcpConnectionTest() {}

    static final int C = 0x1000_0000; // client ISS
    static final int S = 0x7000_0000; // server ISS
    static final int FIN = Packets.FIN, SYN = Packets.SYN, RST = Packets.RST, PSH = Packets.PSH, ACK = Packets.ACK, URG = Packets.URG;
    static final long NEVER = TcpConnection.NEVER;

    /**
     * The classic TCB of these tests: a 65535-byte receive buffer without window scaling, ACKs at
     * once (no delayed ACK), no Nagle, giving up on the count of tries alone (5); mss 1460, RTO
     * initial 200 / min 200 / max 60000, MSL 1000, FIN-WAIT-2 timeout 60000, 10 challenge ACKs a
     * second; no ECN (RFC 9293's SYN and SYN-ACK bit for bit: ECN's flags are CongestionWiringTest's).
     * TcpDataPathTest tests the data path with the real defaults.
     */
    static TcpConfig config() {
        return TcpConfig.defaults().withRtoInitial(200).withRtoMin(200).withReceiveBuffer(65535)
                .withWindowScaling(false).withDelayedAck(0).withGiveUpAfter(0).withSynGiveUpAfter(0).withNoDelay(true)
                .withEcn(false) // RFC 9293's SYN and SYN-ACK bit for bit: ECN's flags are CongestionWiringTest's
                .withTimestamps(false); // segments written by hand here carry no TSopt; TimestampsWiringTest has them
    }

    public static void main(String[] args) {
        handshake();
        simultaneousOpenAsFigure8();
        synSent();
        listen();
        resets();
        rfc5961();
        unacceptableSegments();
        data();
        urgent();
        teardown();
        retransmission();
        lossyLink();
        abortAndOwedAcks();
        stateTableCoverage();
        Check.finish();
    }

    /** Runs last: every edge of RFC 9293's diagram that we implement is taken by some test above. */
    static void stateTableCoverage() {
        Check.suite("TcpConnection state table");
        Check.test("every edge of TcpTransitions is taken by at least one test", () -> {
            if (!Check.filtered()) {
                List<String> missing = new ArrayList<>();
                for (TcpTransitions.Edge e : TcpTransitions.edges()) {
                    if (!FakeLink.EDGES_TAKEN.contains(e.from() + "->" + e.to())) missing.add(e.from() + "->" + e.to());
                }
                Check.equal(List.of(), missing, "edges no test takes");
            }
        });
    }

    // ================================================================== ABORT (3.10.5) and owed ACKs (3.8.6.3)

    static void abortAndOwedAcks() {
        Check.suite("TcpConnection ABORT and ACKs");

        Check.test("3.10.5 ABORT in ESTABLISHED: \"Send a reset segment: <SEQ=SND.NXT><CTL=RST>\"", () -> {
            FakeLink link = established();
            int mark = link.client.mark();
            link.client.abort("test");
            expectSegment(onlySegmentSince(link.client, mark, "abort"), C + 1, 0, RST, "reset");
            Check.equal(TcpEvent.CloseReason.ABORTED, link.client.closedEvent().reason(), "Closed reason");
        });

        Check.test("3.10.5 ABORT in CLOSING, LAST-ACK, TIME-WAIT: \"Respond with \"ok\" and delete the TCB\", no RST", () -> {
            for (StateSetup setup : stateSetups()) {
                if (setup.state() != TcpState.CLOSING && setup.state() != TcpState.LAST_ACK
                        && setup.state() != TcpState.TIME_WAIT) continue;
                Target t = reach(setup);
                int mark = t.side().mark();
                t.side().abort("test");
                expectNothingSent(t.side(), mark, "abort in " + setup.state().rfcName());
                Check.equal(TcpState.CLOSED, t.side().state(), "state after abort in " + setup.state().rfcName());
                Check.equal(NEVER, t.side().conn.nextDeadline(), "timers after abort in " + setup.state().rfcName());
            }
        });

        Check.test("RFC 5961 5.2: ACKs for segments acking data never sent share the budget (10 per 1000 ms)", () -> {
            FakeLink link = established();
            FakeLink.Side c = link.client;
            int mark = c.mark();
            for (int i = 0; i < 30; i++) c.inject(c.fromPeer(S + 1, C + 1 + 1000 + i, ACK, 65535, new byte[0]));
            Check.equal(10, c.sentSince(mark).size(), "ACKs for 30 segments acking the future within a second");
            Check.equal(TcpState.ESTABLISHED, c.state(), "state");
        });

        Check.test("3.8.6.3: the ACK owed for data rides on the reply sent before flushAck", () -> {
            FakeLink link = established();
            FakeLink.Side s = link.server;
            int mark = s.mark();
            s.conn.onSegment(s.fromPeer(C + 1, S + 1, ACK | PSH, 65535, text("hello")), link.now, s);
            expectNothingSent(s, mark, "before the application answered");
            s.send("hello");           // the echo, as the server application sends it
            s.conn.flushAck(s);        // then the loop flushes: nothing left to send
            expectSegment(onlySegmentSince(s, mark, "data and echo"), S + 1, C + 6, ACK | PSH, "echo carrying the ACK");
        });

        Check.test("3.8.6.3: with no reply, flushAck sends the owed ACK, once", () -> {
            FakeLink link = established();
            FakeLink.Side s = link.server;
            int mark = s.mark();
            s.conn.onSegment(s.fromPeer(C + 1, S + 1, ACK | PSH, 65535, text("hello")), link.now, s);
            s.conn.flushAck(s);
            s.conn.flushAck(s);
            expectSegment(onlySegmentSince(s, mark, "data, no reply"), S + 1, C + 6, ACK, "bare ACK");
        });

        Check.test("3.8.6.3: a passive close answers the FIN with one FIN-ACK when the application closes at once", () -> {
            FakeLink link = established();
            FakeLink.Side s = link.server;
            int mark = s.mark();
            s.conn.onSegment(s.fromPeer(C + 1, S + 1, FIN | ACK, 65535, new byte[0]), link.now, s);
            Check.equal(TcpState.CLOSE_WAIT, s.state(), "after the FIN");
            s.close();
            s.conn.flushAck(s);
            expectSegment(onlySegmentSince(s, mark, "FIN and close"), S + 1, C + 2, FIN | ACK, "FIN acknowledging the FIN");
            Check.equal(TcpState.LAST_ACK, s.state(), "state");
        });
    }

    // ================================================================== helpers

    static FakeLink link() { return new FakeLink(config()); }

    /** Server in LISTEN, client OPENs, every segment delivered: both ESTABLISHED at time 0. */
    static FakeLink established() {
        FakeLink link = link();
        link.server.listen(S);
        link.client.open(C);
        link.deliverAll();
        Check.equal(TcpState.ESTABLISHED, link.client.state(), "setup: client state");
        Check.equal(TcpState.ESTABLISHED, link.server.state(), "setup: server state");
        return link;
    }

    static byte[] text(String s) { return s.getBytes(StandardCharsets.UTF_8); }

    static byte[] bytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    static String seq(int n) { return Seq.str(n); }

    /** Flags exactly, SEQ, and ACK when the ACK bit is expected. */
    static void expectSegment(Packets.Tcp s, int seq, int ack, int flags, String what) {
        Check.equal(PacketText.flagNames(flags), PacketText.flagNames(s.flags()), what + ": flags of " + s);
        Check.equal(seq(seq), seq(s.seq()), what + ": SEQ of " + s);
        if ((flags & ACK) != 0) Check.equal(seq(ack), seq(s.ack()), what + ": ACK of " + s);
    }

    /** A bare RST the peer of {@code to} might send. */
    static Packets.Tcp rst(FakeLink.Side to, int seq) {
        return to.fromPeer(seq, 0, RST, 0, new byte[0]);
    }

    static void expectNothingSent(FakeLink.Side side, int mark, String what) {
        Check.equal(List.of(), side.sentSince(mark), what + ": segments sent");
    }

    static Packets.Tcp onlySegmentSince(FakeLink.Side side, int mark, String what) {
        List<Packets.Tcp> sent = side.sentSince(mark);
        Check.equal(1, sent.size(), what + ": number of segments sent " + sent);
        return sent.get(0);
    }

    /** True when a segment like {@code lost} (same SEQ, same SYN/FIN bits, same length) was sent again. */
    static boolean resent(FakeLink.Side side, Packets.Tcp lost) {
        int seen = 0;
        for (Packets.Tcp s : side.sent) {
            if (s.seq() == lost.seq() && s.isSyn() == lost.isSyn() && s.isFin() == lost.isFin()
                    && s.payload().length == lost.payload().length) seen++;
        }
        return seen >= 2;
    }

    /**
     * A small application over the link: the client sends a request once ESTABLISHED, the server
     * echoes it once all of it arrived, the client closes once the echo arrived, the server closes
     * once in CLOSE-WAIT. The server "thinks" {@code think} ms before echoing and before closing.
     */
    static final class Conversation {
        final FakeLink link;
        final byte[] request;
        final long think;
        boolean requested, echoScheduled, clientClosed, serverCloseScheduled;

        Conversation(FakeLink link, byte[] request, long think) {
            this.link = link;
            this.request = request;
            this.think = think;
        }

        void react() {
            FakeLink.Side c = link.client, s = link.server;
            if (!requested && c.state() == TcpState.ESTABLISHED) {
                requested = true;
                c.send(request);
            }
            if (!echoScheduled && s.received.size() >= request.length) {
                echoScheduled = true;
                link.at(link.now + think, () -> s.send(s.receivedBytes()));
            }
            if (!clientClosed && c.received.size() >= request.length) {
                clientClosed = true;
                c.close();
            }
            if (!serverCloseScheduled && s.state() == TcpState.CLOSE_WAIT) {
                serverCloseScheduled = true;
                link.at(link.now + think, s::close);
            }
        }

        Conversation run() {
            link.afterEachStep(this::react);
            react();
            link.runUntilQuiet();
            return this;
        }

        /**
         * Empty when the data arrived intact both ways and both sides closed normally; else why not.
         * A client whose TIME-WAIT was ended by an exact RST (RFC 9293 3.10.7.4: TIME-WAIT, "If the
         * RST bit is set, then enter the CLOSED state") has closed normally too: both FINs were
         * exchanged and acknowledged before it.
         */
        String problems() {
            List<String> p = new ArrayList<>();
            if (!Arrays.equals(request, link.server.receivedBytes()))
                p.add("server received " + link.server.received.size() + " bytes, not the " + request.length + " sent");
            if (!Arrays.equals(request, link.client.receivedBytes()))
                p.add("client received " + link.client.received.size() + " bytes of echo, not " + request.length);
            for (FakeLink.Side side : List.of(link.client, link.server)) {
                if (side.state() != TcpState.CLOSED) p.add(side + " ended in " + side.state().rfcName());
                List<TcpEvent.Closed> closed = side.eventsOf(TcpEvent.Closed.class);
                if (closed.size() != 1 || closed.get(0).reason() != TcpEvent.CloseReason.NORMAL)
                    p.add(side + " Closed events " + closed);
            }
            return String.join("; ", p);
        }

        void expectCompleted() {
            Check.equal("", problems(), "conversation problems");
        }
    }

    // ================================================================== handshake (RFC 9293 3.5)

    static void handshake() {
        Check.suite("TcpConnection handshake");

        Check.test("3.5 three-way handshake: client and server both reach ESTABLISHED", () -> {
            FakeLink link = established();
            Check.equal(3, link.client.sent.size() + link.server.sent.size(), "segments exchanged (SYN, SYN-ACK, ACK)");
        });

        Check.test("3.10.1 OPEN sends <SEQ=ISS><CTL=SYN> from the client port to the server port", () -> {
            FakeLink link = link();
            link.client.open(C);
            Packets.Tcp syn = onlySegmentSince(link.client, 0, "open");
            expectSegment(syn, C, 0, SYN, "SYN");
            Check.equal(FakeLink.CLIENT_PORT, syn.sourcePort(), "source port");
            Check.equal(FakeLink.SERVER_PORT, syn.destinationPort(), "destination port");
            Check.equal(TcpState.SYN_SENT, link.client.state(), "state");
            Check.equal(seq(C), seq(link.client.conn.sndUna()), "SND.UNA = ISS");
            Check.equal(seq(C + 1), seq(link.client.conn.sndNxt()), "SND.NXT = ISS+1");
        });

        Check.test("3.10.7.2 LISTEN answers a SYN with <SEQ=ISS><ACK=SEG.SEQ+1><CTL=SYN,ACK>", () -> {
            FakeLink link = link();
            link.server.listen(S);
            link.client.open(C);
            link.deliverNext(link.client);
            expectSegment(onlySegmentSince(link.server, 0, "SYN arrives"), S, C + 1, SYN | ACK, "SYN-ACK");
            Check.equal(TcpState.SYN_RECEIVED, link.server.state(), "server state");
        });

        Check.test("3.10.7.3 SYN-SENT answers the SYN-ACK with <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>", () -> {
            FakeLink link = link();
            link.server.listen(S);
            link.client.open(C);
            link.deliverNext(link.client);
            int mark = link.client.mark();
            link.deliverNext(link.server);
            expectSegment(onlySegmentSince(link.client, mark, "SYN-ACK arrives"), C + 1, S + 1, ACK, "final ACK");
        });

        Check.test("3.7.1 the SYN and the SYN-ACK each carry the sender's MSS option", () -> {
            FakeLink link = new FakeLink(config(), config().withMss(1200));
            link.server.listen(S);
            link.client.open(C);
            link.deliverAll();
            Check.equal(1460, link.client.sent.get(0).mss(), "MSS option in the SYN");
            Check.equal(1200, link.server.sent.get(0).mss(), "MSS option in the SYN-ACK");
            Check.equal(1200, link.client.conn.sendMss(), "client's send MSS (the peer's MSS)");
            Check.equal(1200, link.server.conn.sendMss(), "server's send MSS (its own interface's, the smaller)");
        });

        Check.test("3.2 MUST-65: no segment but a SYN carries the MSS option, through data, SACK, a retransmission and the close", () -> {
            FakeLink link = link();
            link.server.listen(S);
            link.client.open(C);
            link.deliverAll();
            link.client.send("x".repeat(5000));
            link.dropNext(link.client, seg -> seg.payload().length > 0); // a hole: SACK blocks in the ACKs, then a retransmission
            link.runUntilQuiet();
            link.server.send("y".repeat(3000));
            link.client.close();
            link.server.close();
            link.runUntilQuiet();
            int segments = 0;
            for (FakeLink.Side side : List.of(link.client, link.server)) {
                for (Packets.Tcp seg : side.sent) {
                    segments++;
                    if (seg.isSyn()) continue;
                    Check.equal(-1, seg.mss(), "no MSS option on " + seg);
                }
            }
            Check.isTrue(segments > 10, "a whole conversation was checked, " + segments + " segments");
        });

        Check.test("3.7.1 MUST-15: a SYN-ACK without MSS option means a send MSS of 536", () -> {
            FakeLink link = link();
            link.client.open(C);
            link.client.inject(link.client.fromPeer(S, C + 1, SYN | ACK, 65535, new byte[0]));
            Check.equal(TcpState.ESTABLISHED, link.client.state(), "state");
            Check.equal(536, link.client.conn.sendMss(), "send MSS");
        });

        Check.test("3.10.7.3 client after the handshake: ISS, IRS, SND.UNA = SND.NXT = ISS+1, RCV.NXT = IRS+1", () -> {
            TcpConnection c = established().client.conn;
            Check.equal(seq(C), seq(c.iss()), "ISS");
            Check.equal(seq(S), seq(c.irs()), "IRS");
            Check.equal(seq(C + 1), seq(c.sndUna()), "SND.UNA");
            Check.equal(seq(C + 1), seq(c.sndNxt()), "SND.NXT");
            Check.equal(seq(S + 1), seq(c.rcvNxt()), "RCV.NXT");
            Check.equal(65535, c.sndWnd(), "SND.WND from the SYN-ACK's window");
        });

        Check.test("3.10.7.4 server after the handshake: ISS, IRS, SND.UNA = SND.NXT = ISS+1, RCV.NXT = IRS+1", () -> {
            TcpConnection s = established().server.conn;
            Check.equal(seq(S), seq(s.iss()), "ISS");
            Check.equal(seq(C), seq(s.irs()), "IRS");
            Check.equal(seq(S + 1), seq(s.sndUna()), "SND.UNA");
            Check.equal(seq(S + 1), seq(s.sndNxt()), "SND.NXT");
            Check.equal(seq(C + 1), seq(s.rcvNxt()), "RCV.NXT");
            Check.isTrue(s.isPassive(), "server connection is marked passive");
        });

        Check.test("3.5 client StateChanged events: CLOSED->SYN-SENT, SYN-SENT->ESTABLISHED", () -> {
            Check.equal(List.of("CLOSED->SYN-SENT", "SYN-SENT->ESTABLISHED"), established().client.stateChanges(), "client states");
        });

        Check.test("3.5 server StateChanged events: CLOSED->LISTEN, LISTEN->SYN-RECEIVED, SYN-RECEIVED->ESTABLISHED", () -> {
            Check.equal(List.of("CLOSED->LISTEN", "LISTEN->SYN-RECEIVED", "SYN-RECEIVED->ESTABLISHED"),
                    established().server.stateChanges(), "server states");
        });

        Check.test("3.4 sequence numbers wrap modulo 2^32: ISS 0xfffffffe, handshake, data across 2^32, close", () -> {
            int iss = 0xfffffffe;
            FakeLink link = link();
            link.server.listen(iss);
            link.client.open(iss);
            link.deliverAll();
            expectSegment(link.server.sent.get(0), 0xfffffffe, 0xffffffff, SYN | ACK, "SYN-ACK");
            expectSegment(link.client.sent.get(1), 0xffffffff, 0xffffffff, ACK, "final ACK");
            Check.equal(TcpState.ESTABLISHED, link.server.state(), "server state");
            link.client.send("0123456789"); // occupies 0xffffffff, 0, 1, ... 8
            link.deliverAll();
            Check.equal("0123456789", link.server.receivedText(), "data across the wrap");
            Check.equal(seq(9), seq(link.client.conn.sndNxt()), "client SND.NXT after 10 bytes");
            Check.equal(seq(9), seq(link.client.conn.sndUna()), "client SND.UNA: all acknowledged");
            Check.equal(seq(9), seq(link.server.conn.rcvNxt()), "server RCV.NXT");
            link.server.send("abc");
            link.deliverAll();
            Check.equal("abc", link.client.receivedText(), "data the other way");
            link.client.close();
            link.deliverAll();
            link.server.close();
            link.runUntilQuiet();
            Check.equal(TcpEvent.CloseReason.NORMAL, link.client.closedEvent().reason(), "client close");
            Check.equal(TcpEvent.CloseReason.NORMAL, link.server.closedEvent().reason(), "server close");
        });

        Check.test("3.5 Figure 8 simultaneous open: crossing SYNs, both SYN-RECEIVED then ESTABLISHED", () -> {
            FakeLink link = link();
            link.client.open(C);
            link.server.open(S); // both active: the SYNs cross in flight
            link.deliverAll();
            List<String> expected = List.of("CLOSED->SYN-SENT", "SYN-SENT->SYN-RECEIVED", "SYN-RECEIVED->ESTABLISHED");
            Check.equal(expected, link.client.stateChanges(), "client states");
            Check.equal(expected, link.server.stateChanges(), "server states");
            // "SYN-SENT: ... Otherwise, enter SYN-RECEIVED, form a SYN,ACK segment <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>"
            expectSegment(link.client.sent.get(1), C, S + 1, SYN | ACK, "client's SYN-ACK");
            expectSegment(link.server.sent.get(1), S, C + 1, SYN | ACK, "server's SYN-ACK");
            Check.equal(seq(C + 1), seq(link.client.conn.sndUna()), "client SND.UNA");
            Check.equal(seq(S + 1), seq(link.client.conn.rcvNxt()), "client RCV.NXT");
            Check.equal(seq(S + 1), seq(link.server.conn.sndUna()), "server SND.UNA");
            Check.equal(seq(C + 1), seq(link.server.conn.rcvNxt()), "server RCV.NXT");
            link.client.send("ping");
            link.server.send("pong");
            link.deliverAll();
            Check.equal("ping", link.server.receivedText(), "server received");
            Check.equal("pong", link.client.receivedText(), "client received");
        });
    }

    static void simultaneousOpenAsFigure8() {
        Check.test("3.5 MUST-11: a RST in SYN-RECEIVED reached by an active OPEN is \"connection refused\"; by a passive OPEN, a reset", () -> {
            FakeLink link = link();
            link.client.open(C);
            link.server.open(S);
            link.deliverNext(link.server); // the server's SYN reaches the client in SYN-SENT: SYN-RECEIVED
            Check.equal(TcpState.SYN_RECEIVED, link.client.state(), "client after the crossing SYN");
            link.clearQueues();
            link.client.inject(link.client.fromPeer(S + 1, 0, RST, 0, new byte[0], List.of()));
            Check.equal(TcpState.CLOSED, link.client.state(), "active OPEN, RST in SYN-RECEIVED");
            Check.equal(TcpEvent.CloseReason.REFUSED, link.client.closedEvent().reason(), "active OPEN: refused");

            FakeLink passive = link();
            passive.server.listen(S);
            passive.client.open(C);
            passive.deliverNext(passive.client); // the client's SYN: the server is in SYN-RECEIVED from LISTEN
            Check.equal(TcpState.SYN_RECEIVED, passive.server.state(), "server after the SYN");
            passive.clearQueues();
            passive.server.inject(passive.server.fromPeer(C + 1, 0, RST, 0, new byte[0], List.of()));
            Check.equal(TcpState.CLOSED, passive.server.state(), "passive OPEN, RST in SYN-RECEIVED");
            Check.equal(TcpEvent.CloseReason.RESET, passive.server.closedEvent().reason(), "passive OPEN: reset, not refused");
        });

        Check.test("3.5 Figure 8 line 6: the crossing SYN-ACK alone completes the handshake (as Linux), nothing more sent", () -> {
            FakeLink link = link();
            link.client.open(C);
            link.server.open(S);
            link.deliverNext(link.client); // the SYNs cross: each side answers with its SYN-ACK
            link.deliverNext(link.server);
            Check.equal(TcpState.SYN_RECEIVED, link.client.state(), "client after the crossing SYNs");
            link.clearQueues();
            int mark = link.client.mark();
            // the server's SYN-ACK, <SEQ=S><ACK=C+1><CTL=SYN,ACK>, reaches the client
            link.client.inject(link.client.fromPeer(S, C + 1, SYN | ACK, 65535, new byte[0],
                    List.of(new Packets.Mss(1460))));
            Check.equal(TcpState.ESTABLISHED, link.client.state(), "client after the server's SYN-ACK");
            expectNothingSent(link.client, mark, "answer to the SYN-ACK");
            Check.equal(seq(C + 1), seq(link.client.conn.sndUna()), "client SND.UNA");
            Check.equal(NEVER, link.client.conn.nextDeadline(), "no retransmission timer left");
        });

        Check.test("3.5 Figure 8: a SYN-ACK in SYN-RECEIVED that does not acknowledge exactly our SYN is not acceptable", () -> {
            FakeLink link = link();
            link.client.open(C);
            link.server.open(S);
            link.deliverNext(link.client);
            link.deliverNext(link.server);
            link.clearQueues();
            int mark = link.client.mark();
            link.client.inject(link.client.fromPeer(S, C + 5, SYN | ACK, 65535, new byte[0]));
            Check.equal(TcpState.SYN_RECEIVED, link.client.state(), "client state");
            expectSegment(onlySegmentSince(link.client, mark, "answer"), C + 1, S + 1, ACK, "ACK for an unacceptable segment");
        });
    }

    // ================================================================== SYN-SENT (RFC 9293 3.10.7.3)

    static void synSent() {
        Check.suite("TcpConnection SYN-SENT");

        Check.test("3.10.7.3 RST,ACK acknowledging our SYN: \"connection reset\", CLOSED, Closed(REFUSED)", () -> {
            FakeLink link = link();
            link.client.open(C);
            int mark = link.client.mark();
            link.client.inject(link.client.fromPeer(0, C + 1, RST | ACK, 0, new byte[0]));
            Check.equal(TcpState.CLOSED, link.client.state(), "state");
            Check.equal(TcpEvent.CloseReason.REFUSED, link.client.closedEvent().reason(), "Closed reason");
            expectNothingSent(link.client, mark, "reply to a RST");
            Check.equal(NEVER, link.client.conn.nextDeadline(), "no timer left (TCB deleted)");
        });

        Check.test("3.10.7.3 RST whose ACK is unacceptable (SEG.ACK > SND.NXT): dropped, still SYN-SENT", () -> {
            FakeLink link = link();
            link.client.open(C);
            int mark = link.client.mark();
            link.client.inject(link.client.fromPeer(0, C + 2, RST | ACK, 0, new byte[0]));
            Check.equal(TcpState.SYN_SENT, link.client.state(), "state");
            expectNothingSent(link.client, mark, "reply (\"unless the RST bit is set, if so drop the segment\")");
        });

        Check.test("3.10.7.3 RST whose ACK is unacceptable (SEG.ACK =< ISS): dropped, still SYN-SENT", () -> {
            FakeLink link = link();
            link.client.open(C);
            int mark = link.client.mark();
            link.client.inject(link.client.fromPeer(0, C, RST | ACK, 0, new byte[0]));
            Check.equal(TcpState.SYN_SENT, link.client.state(), "state");
            expectNothingSent(link.client, mark, "reply");
        });

        Check.test("3.10.7.3 RST without ACK in SYN-SENT: \"Otherwise (no ACK), drop the segment\"", () -> {
            FakeLink link = link();
            link.client.open(C);
            int mark = link.client.mark();
            link.client.inject(link.client.fromPeer(12345, 0, RST, 0, new byte[0]));
            Check.equal(TcpState.SYN_SENT, link.client.state(), "state");
            Check.equal(null, link.client.closedEvent(), "Closed event");
            expectNothingSent(link.client, mark, "reply");
        });

        Check.test("3.10.7.3 SEG.ACK =< ISS in SYN-SENT is answered with <SEQ=SEG.ACK><CTL=RST>", () -> {
            FakeLink link = link();
            link.client.open(C);
            int mark = link.client.mark();
            link.client.inject(link.client.fromPeer(S, C, SYN | ACK, 65535, new byte[0]));
            expectSegment(onlySegmentSince(link.client, mark, "bad SYN-ACK"), C, 0, RST, "reset");
            Check.equal(TcpState.SYN_SENT, link.client.state(), "state (segment discarded)");
        });

        Check.test("3.10.7.3 SEG.ACK > SND.NXT in SYN-SENT is answered with <SEQ=SEG.ACK><CTL=RST>", () -> {
            FakeLink link = link();
            link.client.open(C);
            int mark = link.client.mark();
            link.client.inject(link.client.fromPeer(S, C + 100, SYN | ACK, 65535, new byte[0]));
            expectSegment(onlySegmentSince(link.client, mark, "bad SYN-ACK"), C + 100, 0, RST, "reset");
            Check.equal(TcpState.SYN_SENT, link.client.state(), "state (segment discarded)");
        });

        Check.test("3.10.7.3 fifth: acceptable ACK with neither SYN nor RST is dropped in SYN-SENT", () -> {
            FakeLink link = link();
            link.client.open(C);
            int mark = link.client.mark();
            link.client.inject(link.client.fromPeer(S, C + 1, ACK, 65535, new byte[0]));
            Check.equal(TcpState.SYN_SENT, link.client.state(), "state");
            expectNothingSent(link.client, mark, "reply");
        });

        Check.test("3.10.7.3 fourth: text in a SYN-ACK is processed (\"continue processing at the sixth step\")", () -> {
            FakeLink link = link();
            link.client.open(C);
            link.client.inject(link.client.fromPeer(S, C + 1, SYN | ACK, 65535, text("hi"),
                    List.of(new Packets.Mss(1460))));
            Check.equal(TcpState.ESTABLISHED, link.client.state(), "state");
            Check.equal("hi", link.client.receivedText(), "text of the SYN-ACK delivered");
            Check.equal(seq(S + 3), seq(link.client.conn.rcvNxt()), "RCV.NXT past the SYN and the 2 bytes");
            Check.equal(seq(S + 3), seq(link.client.lastSent().ack()), "ACK sent covers the text");
        });
    }

    // ================================================================== LISTEN and CLOSED (RFC 9293 3.10.7.1-2)

    static void listen() {
        Check.suite("TcpConnection LISTEN");

        Check.test("3.1 MUST-7: a SYN whose MSS option has length 3 is answered, as Linux does: the option skipped, send MSS 536", () -> {
            FakeLink link = link();
            link.server.listen(S);
            Packets.TcpOption bad = new Packets.Malformed(2, new byte[] {2, 3, 5}, "MSS option has length 3, must be 4: ignored");
            link.server.inject(link.server.fromPeer(C, 0, SYN, 65535, new byte[0], List.of(bad, new Packets.Nop())));
            Check.equal(TcpState.SYN_RECEIVED, link.server.state(), "state");
            expectSegment(link.server.lastSent(), S, C + 1, SYN | ACK, "SYN-ACK");
            Check.equal(536, link.server.conn.sendMss(), "send MSS: the default of MUST-15, as no MSS option was read");
        });

        Check.test("3.10.7.2 first: a RST in LISTEN is ignored", () -> {
            FakeLink link = link();
            link.server.listen(S);
            link.server.inject(rst(link.server, 777));
            Check.equal(TcpState.LISTEN, link.server.state(), "state");
            expectNothingSent(link.server, 0, "reply");
        });

        Check.test("3.10.7.2 second: an ACK in LISTEN is answered with <SEQ=SEG.ACK><CTL=RST>", () -> {
            FakeLink link = link();
            link.server.listen(S);
            link.server.inject(link.server.fromPeer(1000, 424242, ACK, 65535, text("x")));
            expectSegment(onlySegmentSince(link.server, 0, "ACK to LISTEN"), 424242, 0, RST, "reset");
            Check.equal(TcpState.LISTEN, link.server.state(), "state");
        });

        Check.test("3.10.7.2 fourth: a segment with neither SYN, ACK nor RST is dropped in LISTEN", () -> {
            FakeLink link = link();
            link.server.listen(S);
            link.server.inject(link.server.fromPeer(1000, 0, FIN | PSH, 65535, text("data")));
            Check.equal(TcpState.LISTEN, link.server.state(), "state");
            expectNothingSent(link.server, 0, "reply");
            Check.equal("", link.server.receivedText(), "data delivered");
        });

        Check.test("3.10.7.1 resetFor an ACK segment: <SEQ=SEG.ACK><CTL=RST>, ports swapped", () -> {
            Packets.Tcp seg = Packets.Tcp.of(1111, 2222, 5000, 9000, ACK | PSH, 100, List.of(), text("abc"));
            Packets.Tcp r = TcpConnection.resetFor(seg);
            expectSegment(r, 9000, 0, RST, "reset");
            Check.equal(2222, r.sourcePort(), "source port");
            Check.equal(1111, r.destinationPort(), "destination port");
            Check.equal(0, r.payload().length, "payload");
        });

        Check.test("3.10.7.1 resetFor a non-ACK segment: <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>", () -> {
            Packets.Tcp seg = Packets.Tcp.of(1111, 2222, 5000, 0, SYN, 100, List.of(), new byte[0]);
            expectSegment(TcpConnection.resetFor(seg), 0, 5001, RST | ACK, "reset for a SYN (SEG.LEN 1)");
            Packets.Tcp fin = Packets.Tcp.of(1111, 2222, 0xfffffffd, 0, FIN | PSH, 100, List.of(), text("abcde"));
            expectSegment(TcpConnection.resetFor(fin), 0, 3, RST | ACK, "reset for 5 bytes + FIN (SEG.LEN 6, wraps)");
        });

        Check.test("3.10.7.1 resetFor a RST: nothing (\"An incoming segment containing a RST is discarded\")", () -> {
            Check.equal(null, TcpConnection.resetFor(Packets.Tcp.of(1, 2, 3, 4, RST | ACK, 0, List.of(), new byte[0])), "reset");
        });

        Check.test("3.10.7.1 a CLOSED connection answers a data segment with <SEQ=SEG.ACK><CTL=RST>", () -> {
            FakeLink link = link();
            link.server.inject(link.server.fromPeer(100, 200, ACK, 65535, text("late")));
            expectSegment(onlySegmentSince(link.server, 0, "segment to CLOSED"), 200, 0, RST, "reset");
            Check.equal("", link.server.receivedText(), "data delivered");
        });
    }

    // ================================================================== RST in each state (3.10.7.4 second, RFC 5961 3.2)

    record Target(FakeLink link, FakeLink.Side side) {}

    record StateSetup(TcpState state, Supplier<Target> make, TcpEvent.CloseReason reason) {}

    static List<StateSetup> stateSetups() {
        List<StateSetup> setups = new ArrayList<>();
        setups.add(new StateSetup(TcpState.SYN_RECEIVED, () -> {
            FakeLink link = link();
            link.server.listen(S);
            link.client.open(C);
            link.deliverNext(link.client);
            link.clearQueues();
            return new Target(link, link.server);
        }, TcpEvent.CloseReason.RESET));
        setups.add(new StateSetup(TcpState.ESTABLISHED, () -> {
            FakeLink link = established();
            return new Target(link, link.client);
        }, TcpEvent.CloseReason.RESET));
        setups.add(new StateSetup(TcpState.FIN_WAIT_1, () -> {
            FakeLink link = established();
            link.client.close();
            link.clearQueues();
            return new Target(link, link.client);
        }, TcpEvent.CloseReason.RESET));
        setups.add(new StateSetup(TcpState.FIN_WAIT_2, () -> {
            FakeLink link = established();
            link.client.close();
            link.deliverAll();
            return new Target(link, link.client);
        }, TcpEvent.CloseReason.RESET));
        setups.add(new StateSetup(TcpState.CLOSE_WAIT, () -> {
            FakeLink link = established();
            link.client.close();
            link.deliverAll();
            return new Target(link, link.server);
        }, TcpEvent.CloseReason.RESET));
        setups.add(new StateSetup(TcpState.CLOSING, () -> {
            FakeLink link = established();
            link.client.close();
            link.server.close();
            link.deliverNext(link.server); // the server's FIN reaches the client, which has not had its FIN ACKed
            link.clearQueues();
            return new Target(link, link.client);
        }, null));
        setups.add(new StateSetup(TcpState.LAST_ACK, () -> {
            FakeLink link = established();
            link.client.close();
            link.deliverAll();
            link.server.close();
            link.clearQueues();
            return new Target(link, link.server);
        }, null));
        setups.add(new StateSetup(TcpState.TIME_WAIT, () -> {
            FakeLink link = established();
            link.client.close();
            link.deliverAll();
            link.server.close();
            link.deliverNext(link.server);
            link.clearQueues();
            return new Target(link, link.client);
        }, TcpEvent.CloseReason.NORMAL)); // both FINs were acknowledged: the RST only ends the wait
        return setups;
    }

    static Target reach(StateSetup setup) {
        Target t = setup.make().get();
        Check.equal(setup.state(), t.side().state(), "setup: state of the " + t.side());
        return t;
    }

    static void resets() {
        Check.suite("TcpConnection RST");

        for (StateSetup setup : stateSetups()) {
            String state = setup.state().rfcName();

            Check.test("RFC 5961 3.2 (2): RST with SEQ = RCV.NXT in " + state + " closes the connection"
                    + (setup.reason() != null ? " with Closed(" + setup.reason() + ")" : ""), () -> {
                Target t = reach(setup);
                TcpConnection conn = t.side().conn;
                int mark = t.side().mark();
                t.side().inject(rst(t.side(), conn.rcvNxt()));
                Check.equal(TcpState.CLOSED, t.side().state(), "state");
                TcpEvent.Closed closed = t.side().closedEvent();
                Check.isTrue(closed != null, "a Closed event");
                if (setup.reason() != null) Check.equal(setup.reason(), closed.reason(), "Closed reason");
                expectNothingSent(t.side(), mark, "reply to the RST");
                Check.equal(NEVER, conn.nextDeadline(), "no timer left (TCB deleted)");
            });

            Check.test("RFC 5961 3.2 (3): in-window RST with SEQ != RCV.NXT in " + state
                    + " draws a challenge ACK <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>", () -> {
                Target t = reach(setup);
                TcpConnection conn = t.side().conn;
                int mark = t.side().mark();
                t.side().inject(rst(t.side(), conn.rcvNxt() + 1000));
                expectSegment(onlySegmentSince(t.side(), mark, "in-window RST"), conn.sndNxt(), conn.rcvNxt(), ACK, "challenge ACK");
                Check.equal(setup.state(), t.side().state(), "state unchanged");
                Check.equal(null, t.side().closedEvent(), "Closed event");
            });

            Check.test("RFC 5961 3.2 (1): RST outside the window in " + state + " is silently dropped", () -> {
                Target t = reach(setup);
                TcpConnection conn = t.side().conn;
                int mark = t.side().mark();
                t.side().inject(rst(t.side(), conn.rcvNxt() + conn.rcvWnd())); // first number past the window
                t.side().inject(rst(t.side(), conn.rcvNxt() - 1));              // just before it
                expectNothingSent(t.side(), mark, "reply");
                Check.equal(setup.state(), t.side().state(), "state unchanged");
            });
        }
    }

    // ================================================================== RFC 5961 sections 4, 5, 7

    static void rfc5961() {
        Check.suite("TcpConnection RFC 5961");

        Check.test("RFC 5961 7: at most challengeAcksPerSecond (10) challenge ACKs within 1000 ms", () -> {
            FakeLink link = established();
            FakeLink.Side c = link.client;
            int mark = c.mark();
            for (int i = 0; i < 11; i++) c.inject(rst(c, c.conn.rcvNxt() + 1 + i));
            Check.equal(10, c.sentSince(mark).size(), "challenge ACKs sent for 11 in-window RSTs");
            Check.equal(TcpState.ESTABLISHED, c.state(), "state");
        });

        Check.test("RFC 5961 7: the challenge ACK budget renews once 1000 ms of fake time have passed", () -> {
            FakeLink link = established();
            FakeLink.Side c = link.client;
            for (int i = 0; i < 11; i++) c.inject(rst(c, c.conn.rcvNxt() + 1 + i));
            link.advance(1000);
            int mark = c.mark();
            c.inject(rst(c, c.conn.rcvNxt() + 500));
            expectSegment(onlySegmentSince(c, mark, "in-window RST a second later"),
                    c.conn.sndNxt(), c.conn.rcvNxt(), ACK, "challenge ACK");
        });

        Check.test("RFC 5961 4.2: in-window SYN in ESTABLISHED draws a challenge ACK, state unchanged", () -> {
            FakeLink link = established();
            FakeLink.Side s = link.server;
            int mark = s.mark();
            s.inject(s.fromPeer(s.conn.rcvNxt() + 100, 0, SYN, 65535, new byte[0]));
            expectSegment(onlySegmentSince(s, mark, "SYN"), S + 1, C + 1, ACK, "challenge ACK");
            Check.equal(TcpState.ESTABLISHED, s.state(), "state");
            Check.equal(null, s.closedEvent(), "Closed event");
        });

        Check.test("RFC 5961 4.2: SYN outside the window in ESTABLISHED is ACKed, state unchanged", () -> {
            FakeLink link = established();
            FakeLink.Side s = link.server;
            int mark = s.mark();
            s.inject(s.fromPeer(C - 5000, 0, SYN, 65535, new byte[0]));
            expectSegment(onlySegmentSince(s, mark, "old SYN"), S + 1, C + 1, ACK, "ACK");
            Check.equal(TcpState.ESTABLISHED, s.state(), "state");
        });

        Check.test("RFC 5961 4.2: SYNs at any sequence number share the challenge ACK budget (10 per 1000 ms)", () -> {
            FakeLink link = established();
            FakeLink.Side s = link.server;
            int mark = s.mark();
            // "If the SYN bit is set, irrespective of the sequence number, TCP MUST send an ACK
            // (also referred to as challenge ACK)": far-off guesses and in-window ones alike.
            for (int i = 0; i < 12; i++) s.inject(s.fromPeer(C + 1 + i * 0x10000000, 0, SYN, 65535, new byte[0]));
            List<Packets.Tcp> sent = s.sentSince(mark);
            Check.equal(10, sent.size(), "challenge ACKs for 12 SYNs within a second");
            for (Packets.Tcp ack : sent) expectSegment(ack, S + 1, C + 1, ACK, "challenge ACK");
            Check.equal(TcpState.ESTABLISHED, s.state(), "state");
        });

        Check.test("RFC 5961 7: ACKs for unacceptable segments are limited too (a blind stream of guesses)", () -> {
            FakeLink link = established();
            FakeLink.Side c = link.client;
            int mark = c.mark();
            for (int i = 0; i < 30; i++) c.inject(c.fromPeer(S + 1 + 100_000 + i * 1000, C + 1, ACK | PSH, 65535, text("guess")));
            Check.equal(10, c.sentSince(mark).size(), "ACKs for 30 out-of-window data segments within a second");
            Check.equal("", c.receivedText(), "data of the guesses");
            link.advance(1000);
            int later = c.mark();
            c.inject(c.fromPeer(S + 1 + 100_000, C + 1, ACK | PSH, 65535, text("guess")));
            Check.equal(1, c.sentSince(later).size(), "ACKs a second later");
        });

        Check.test("3.10.7.4 fifth: ACK of something not yet sent (SEG.ACK > SND.NXT): ACK sent, segment dropped", () -> {
            FakeLink link = established();
            FakeLink.Side c = link.client;
            int mark = c.mark();
            c.inject(c.fromPeer(S + 1, C + 11, ACK | PSH, 65535, text("zzz")));
            expectSegment(onlySegmentSince(c, mark, "ACK from the future"), C + 1, S + 1, ACK, "ACK");
            Check.equal("", c.receivedText(), "data of the dropped segment");
            Check.equal(seq(S + 1), seq(c.conn.rcvNxt()), "RCV.NXT");
            Check.equal(seq(C + 1), seq(c.conn.sndUna()), "SND.UNA");
        });

        Check.test("RFC 5961 5.2: SEG.ACK < SND.UNA - MAX.SND.WND: segment discarded and an ACK sent", () -> {
            FakeLink link = established();
            FakeLink.Side c = link.client;
            int mark = c.mark();
            c.inject(c.fromPeer(S + 1, C + 1 - 65535 - 1, ACK | PSH, 65535, text("old")));
            expectSegment(onlySegmentSince(c, mark, "ancient ACK"), C + 1, S + 1, ACK, "ACK");
            Check.equal("", c.receivedText(), "data of the discarded segment");
            Check.equal(seq(S + 1), seq(c.conn.rcvNxt()), "RCV.NXT");
        });

        Check.test("RFC 5961 5.2: SEG.ACK = SND.UNA - MAX.SND.WND is still acceptable (data delivered)", () -> {
            FakeLink link = established();
            FakeLink.Side c = link.client;
            int mark = c.mark();
            c.inject(c.fromPeer(S + 1, C + 1 - 65535, ACK | PSH, 65535, text("ok")));
            Check.equal("ok", c.receivedText(), "data");
            expectSegment(onlySegmentSince(c, mark, "edge ACK"), C + 1, S + 3, ACK, "ACK of the data");
        });
    }

    // ================================================================== unacceptable segments (3.10.7.4 first)

    static void unacceptableSegments() {
        Check.suite("TcpConnection sequence check");

        Check.test("3.10.7.4 first: data past RCV.NXT+RCV.WND is not delivered and draws <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>", () -> {
            FakeLink link = established();
            FakeLink.Side s = link.server;
            int mark = s.mark();
            s.inject(s.fromPeer(s.conn.rcvNxt() + s.conn.rcvWnd(), S + 1, ACK | PSH, 65535, text("far")));
            expectSegment(onlySegmentSince(s, mark, "out-of-window data"), S + 1, C + 1, ACK, "ACK");
            Check.equal("", s.receivedText(), "data delivered");
            Check.equal(seq(C + 1), seq(s.conn.rcvNxt()), "RCV.NXT");
        });

        Check.test("3.10.7.4 first: a segment straddling RCV.NXT delivers only the new part", () -> {
            FakeLink link = established();
            FakeLink.Side s = link.server;
            link.client.send("hello");
            link.deliverAll();
            int mark = s.mark();
            s.inject(s.fromPeer(C + 1 + 2, S + 1, ACK | PSH, 65535, text("lloworld"))); // "llo" is old
            Check.equal("helloworld", s.receivedText(), "data delivered");
            Check.equal(seq(C + 11), seq(s.conn.rcvNxt()), "RCV.NXT");
            expectSegment(onlySegmentSince(s, mark, "straddling segment"), S + 1, C + 11, ACK, "ACK");
        });

        Check.test("3.10.7.4 first: out-of-order data is not delivered and draws a duplicate ACK for RCV.NXT", () -> {
            FakeLink link = established();
            FakeLink.Side s = link.server;
            int mark = s.mark();
            s.inject(s.fromPeer(C + 1 + 10, S + 1, ACK | PSH, 65535, text("later")));
            Check.equal("", s.receivedText(), "data delivered");
            Check.equal(seq(C + 1), seq(s.conn.rcvNxt()), "RCV.NXT");
            expectSegment(onlySegmentSince(s, mark, "out-of-order segment"), S + 1, C + 1, ACK, "duplicate ACK");
        });

        Check.test("3.10.7.4 first: duplicate data is delivered once and ACKed again", () -> {
            FakeLink link = established();
            link.client.send("once");
            link.duplicateHead(link.client);
            int mark = link.server.mark();
            link.deliverAll();
            Check.equal("once", link.server.receivedText(), "data delivered");
            List<Packets.Tcp> acks = link.server.sentSince(mark);
            Check.equal(2, acks.size(), "ACKs sent for the segment and its duplicate");
            for (Packets.Tcp a : acks) expectSegment(a, S + 1, C + 5, ACK, "ACK");
        });
    }

    // ================================================================== data (RFC 9293 3.10.2, 3.8)

    static void urgent() {
        Check.suite("TcpConnection urgent data");

        Check.test("3.8.5 MUST-32/33: an urgent pointer is signalled once, with how much urgent data remains to read", () -> {
            FakeLink link = established();
            FakeLink.Side s = link.server;
            s.reading = false;
            s.inject(withUrgentPointer(s.fromPeer(C + 1, S + 1, URG | ACK | PSH, 65535, text("hello"), List.of()), 5));
            List<TcpEvent.Urgent> urgent = s.eventsOf(TcpEvent.Urgent.class);
            Check.equal(1, urgent.size(), "Urgent events");
            Check.equal(seq(C + 6), seq(urgent.get(0).pointer()), "RCV.UP: the octet after the urgent data");
            Check.equal(5, urgent.get(0).remaining(), "urgent octets to read");
            Check.equal(5, s.conn.urgentRemaining(), "urgentRemaining() before reading");
            Check.equal(5, s.readAll(), "read in line");
            Check.equal("hello", s.receivedText(), "the urgent octets are ordinary data, in sequence");
            Check.equal(0, s.conn.urgentRemaining(), "urgentRemaining() after reading");
        });

        Check.test("3.10.7.4 sixth: the same pointer again is not signalled; a pointer that advances is", () -> {
            FakeLink link = established();
            FakeLink.Side s = link.server;
            s.reading = false;
            s.inject(withUrgentPointer(s.fromPeer(C + 1, S + 1, URG | ACK, 65535, text("abc"), List.of()), 10));
            s.inject(withUrgentPointer(s.fromPeer(C + 4, S + 1, URG | ACK, 65535, text("def"), List.of()), 7)); // RCV.UP stays C+11
            Check.equal(1, s.eventsOf(TcpEvent.Urgent.class).size(), "Urgent events while the pointer stays");
            Check.equal(10, s.conn.urgentRemaining(), "urgent octets to read: up to RCV.UP, some not yet arrived");
            s.inject(withUrgentPointer(s.fromPeer(C + 7, S + 1, URG | ACK, 65535, text("ghi"), List.of()), 9)); // RCV.UP C+16
            Check.equal(2, s.eventsOf(TcpEvent.Urgent.class).size(), "Urgent events after the pointer advanced");
            Check.equal(15, s.conn.urgentRemaining(), "urgent octets to read");
        });

        Check.test("3.10.7.4 sixth, CLOSE-WAIT: \"Ignore the URG\"", () -> {
            FakeLink link = established();
            FakeLink.Side s = link.server;
            s.inject(s.fromPeer(C + 1, S + 1, FIN | ACK, 65535, new byte[0]));
            Check.equal(TcpState.CLOSE_WAIT, s.state(), "state");
            s.inject(withUrgentPointer(s.fromPeer(C + 2, S + 1, URG | ACK, 65535, new byte[0], List.of()), 3));
            Check.equal(0, s.eventsOf(TcpEvent.Urgent.class).size(), "Urgent events");
        });
    }

    /** The segment with its urgent pointer field set (SEG.UP, an offset from SEG.SEQ). */
    static Packets.Tcp withUrgentPointer(Packets.Tcp t, int up) {
        return new Packets.Tcp(t.sourcePort(), t.destinationPort(), t.seq(), t.ack(), t.dataOffset(), t.reserved(),
                t.flags(), t.window(), t.checksum(), up, t.options(), t.payload());
    }

    static void data() {
        Check.suite("TcpConnection data");

        Check.test("3.10.2 SEND segmentizes by the peer's MSS: 3000 bytes, MSS 500 -> 6 ACK segments, PSH on the last", () -> {
            FakeLink link = new FakeLink(config(), config().withMss(500));
            link.server.listen(S);
            link.client.open(C);
            link.deliverAll();
            byte[] message = bytes(3000, 1);
            int mark = link.client.mark();
            link.client.send(message);
            List<Packets.Tcp> segments = link.client.sentSince(mark);
            Check.equal(6, segments.size(), "segments");
            int next = C + 1;
            for (int i = 0; i < segments.size(); i++) {
                Packets.Tcp s = segments.get(i);
                Check.isTrue(s.payload().length <= 500, "segment " + i + " within the MSS: " + s);
                Check.isTrue(s.isAck(), "ACK bit on segment " + i);
                Check.equal(seq(S + 1), seq(s.ack()), "ACK field of segment " + i);
                Check.equal(seq(next), seq(s.seq()), "SEQ of segment " + i);
                next += s.payload().length;
            }
            Check.isTrue(segments.get(5).has(PSH), "PSH on the last segment (3.9.1)");
            link.deliverAll();
            Check.bytes(message, link.server.receivedBytes(), "data received");
            Check.equal(0, link.client.conn.unacknowledgedBytes(), "unacknowledged bytes");
        });

        Check.test("3.10.2 SYN-SENT: data sent before the handshake is queued and sent after ESTABLISHED", () -> {
            FakeLink link = link();
            link.server.listen(S);
            link.client.open(C);
            link.client.send("early");
            Check.equal(1, link.client.sent.size(), "segments before the SYN-ACK (only the SYN)");
            link.deliverAll();
            Check.equal("early", link.server.receivedText(), "data received");
            Packets.Tcp data = null;
            for (Packets.Tcp s : link.client.sent) if (s.payload().length > 0) data = s;
            Check.isTrue(data != null && !data.isSyn(), "the data went in a segment after the SYN");
            Check.equal(seq(C + 1), seq(data.seq()), "data SEQ = ISS+1");
        });

        Check.test("3.10.4 SEND after CLOSE throws IllegalStateException (\"connection closing\")", () -> {
            FakeLink link = established();
            link.client.close();
            Check.throwsA(IllegalStateException.class, () -> link.client.send("late"), "send after close");
        });

        Check.test("3.8.6 the peer's window is honoured: window 100 -> at most 100 unacknowledged bytes in flight", () -> {
            FakeLink link = link();
            FakeLink.Side c = link.client;
            c.open(C);
            c.inject(c.fromPeer(S, C + 1, SYN | ACK, 100, new byte[0], List.of(new Packets.Mss(1460))));
            int mark = c.mark();
            c.send(bytes(300, 2));
            List<Packets.Tcp> sent = c.sentSince(mark);
            int total = 0;
            for (Packets.Tcp s : sent) total += s.payload().length;
            Check.equal(100, total, "bytes sent");
            Check.equal(100, c.conn.sndNxt() - c.conn.sndUna(), "SND.NXT - SND.UNA");
        });

        Check.test("3.10.7.4 fifth: a window update (SND.WL1 < SEG.SEQ) releases more data", () -> {
            FakeLink link = link();
            FakeLink.Side c = link.client;
            c.open(C);
            c.inject(c.fromPeer(S, C + 1, SYN | ACK, 100, new byte[0], List.of(new Packets.Mss(1460))));
            byte[] message = bytes(300, 3);
            c.send(message);
            int mark = c.mark();
            c.inject(c.fromPeer(S + 1, C + 1, ACK, 300, new byte[0])); // nothing new acknowledged, window 300
            Check.equal(300, c.conn.sndWnd(), "SND.WND");
            List<Packets.Tcp> sent = c.sentSince(mark);
            int total = 0;
            for (Packets.Tcp s : sent) total += s.payload().length;
            Check.equal(200, total, "bytes released by the update");
            Check.equal(seq(C + 101), seq(sent.get(0).seq()), "first released byte");
            Check.equal(300, c.conn.sndNxt() - c.conn.sndUna(), "in flight");
        });

        Check.test("3.10.7.4 seventh: data received is ACKed with <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>", () -> {
            FakeLink link = established();
            link.client.send("abc");
            int mark = link.server.mark();
            link.deliverNext(link.client);
            expectSegment(onlySegmentSince(link.server, mark, "data"), S + 1, C + 4, ACK, "ACK");
            Check.equal("abc", link.server.receivedText(), "data");
        });
    }

    // ================================================================== teardown (RFC 9293 3.6)

    /** Established, then the client closes; its FIN is in flight. */
    static FakeLink clientClosing() {
        FakeLink link = established();
        link.client.close();
        return link;
    }

    static void teardown() {
        Check.suite("TcpConnection teardown");

        Check.test("3.10.4 CLOSE in ESTABLISHED sends <SEQ=SND.NXT><ACK=RCV.NXT><CTL=FIN,ACK> and enters FIN-WAIT-1", () -> {
            FakeLink link = clientClosing();
            expectSegment(link.client.lastSent(), C + 1, S + 1, FIN | ACK, "FIN");
            Check.equal(TcpState.FIN_WAIT_1, link.client.state(), "state");
            Check.equal(seq(C + 2), seq(link.client.conn.sndNxt()), "SND.NXT past the FIN");
        });

        Check.test("3.6 client closes first: FIN-WAIT-1 -> FIN-WAIT-2 -> TIME-WAIT", () -> {
            FakeLink link = clientClosing();
            link.deliverNext(link.client);  // FIN -> server
            link.deliverNext(link.server);  // ACK of FIN -> client
            Check.equal(TcpState.FIN_WAIT_2, link.client.state(), "after the ACK of our FIN");
            link.server.close();
            link.deliverNext(link.server);  // server FIN -> client
            Check.equal(TcpState.TIME_WAIT, link.client.state(), "after the peer's FIN");
            expectSegment(link.client.lastSent(), C + 2, S + 2, ACK, "ACK of the peer's FIN");
            Check.equal(List.of("CLOSED->SYN-SENT", "SYN-SENT->ESTABLISHED", "ESTABLISHED->FIN-WAIT-1",
                    "FIN-WAIT-1->FIN-WAIT-2", "FIN-WAIT-2->TIME-WAIT"), link.client.stateChanges(), "client states");
        });

        Check.test("3.6 TIME-WAIT lasts exactly 2*MSL of fake time, then CLOSED with Closed(NORMAL)", () -> {
            FakeLink link = clientClosing();
            link.deliverAll();
            link.advanceTo(100);
            link.server.close();
            link.deliverNext(link.server);
            Check.equal(TcpState.TIME_WAIT, link.client.state(), "state");
            long entered = link.now;
            Check.equal(entered + 2000, link.client.conn.nextDeadline(), "deadline = entry + 2*MSL");
            link.deliverAll();
            link.advanceTo(entered + 1999);
            Check.equal(TcpState.TIME_WAIT, link.client.state(), "state 1 ms before 2*MSL");
            link.advanceTo(entered + 2000);
            Check.equal(TcpState.CLOSED, link.client.state(), "state at 2*MSL");
            Check.equal(TcpEvent.CloseReason.NORMAL, link.client.closedEvent().reason(), "Closed reason");
            Check.equal(NEVER, link.client.conn.nextDeadline(), "timers after CLOSED");
        });

        Check.test("3.6 the passive side sees CLOSE-WAIT, then LAST-ACK, then CLOSED with Closed(NORMAL)", () -> {
            FakeLink link = clientClosing();
            link.deliverAll();
            Check.equal(TcpState.CLOSE_WAIT, link.server.state(), "after the client's FIN");
            link.server.close();
            Check.equal(TcpState.LAST_ACK, link.server.state(), "after CLOSE");
            expectSegment(link.server.lastSent(), S + 1, C + 2, FIN | ACK, "server FIN");
            link.deliverAll();
            Check.equal(TcpState.CLOSED, link.server.state(), "after the ACK of its FIN");
            Check.equal(TcpEvent.CloseReason.NORMAL, link.server.closedEvent().reason(), "Closed reason");
            Check.equal(List.of("CLOSED->LISTEN", "LISTEN->SYN-RECEIVED", "SYN-RECEIVED->ESTABLISHED",
                    "ESTABLISHED->CLOSE-WAIT", "CLOSE-WAIT->LAST-ACK", "LAST-ACK->CLOSED"), link.server.stateChanges(), "server states");
        });

        Check.test("3.6 server closes first: server FIN-WAIT-1/FIN-WAIT-2/TIME-WAIT, client CLOSE-WAIT/LAST-ACK", () -> {
            FakeLink link = established();
            link.server.close();
            link.deliverAll();
            Check.equal(TcpState.FIN_WAIT_2, link.server.state(), "server");
            Check.equal(TcpState.CLOSE_WAIT, link.client.state(), "client");
            link.client.close();
            link.deliverAll();
            Check.equal(TcpState.TIME_WAIT, link.server.state(), "server");
            Check.equal(TcpState.CLOSED, link.client.state(), "client");
            link.runUntilQuiet();
            Check.equal(TcpState.CLOSED, link.server.state(), "server after 2*MSL");
            Check.equal(TcpEvent.CloseReason.NORMAL, link.client.closedEvent().reason(), "client Closed");
            Check.equal(TcpEvent.CloseReason.NORMAL, link.server.closedEvent().reason(), "server Closed");
        });

        Check.test("3.6 Figure 13 simultaneous close: CLOSING on both sides, then TIME-WAIT on both", () -> {
            FakeLink link = established();
            link.client.close();
            link.server.close();
            link.deliverAll();
            List<String> expected = List.of("ESTABLISHED->FIN-WAIT-1", "FIN-WAIT-1->CLOSING", "CLOSING->TIME-WAIT");
            Check.equal(expected, link.client.stateChanges().subList(2, 5), "client states");
            Check.equal(expected, link.server.stateChanges().subList(3, 6), "server states");
            link.runUntilQuiet();
            Check.equal(TcpEvent.CloseReason.NORMAL, link.client.closedEvent().reason(), "client Closed");
            Check.equal(TcpEvent.CloseReason.NORMAL, link.server.closedEvent().reason(), "server Closed");
        });

        Check.test("3.10.7.4 seventh+eighth: FIN with data in one segment: data delivered, CLOSE-WAIT, one ACK for both", () -> {
            FakeLink link = established();
            FakeLink.Side s = link.server;
            int mark = s.mark();
            s.inject(s.fromPeer(C + 1, S + 1, FIN | PSH | ACK, 65535, text("bye")));
            Check.equal("bye", s.receivedText(), "data");
            Check.equal(TcpState.CLOSE_WAIT, s.state(), "state");
            expectSegment(onlySegmentSince(s, mark, "data+FIN"), S + 1, C + 1 + 3 + 1, ACK, "ACK");
        });

        Check.test("3.10.7.4 TIME-WAIT: a retransmitted FIN is ACKed and the 2*MSL timeout restarts", () -> {
            FakeLink link = clientClosing();
            link.deliverAll();
            link.server.close();
            link.deliverNext(link.server); // client now in TIME-WAIT at time 0
            Packets.Tcp serverFin = link.server.lastSent();
            link.deliverAll();             // the server gets its ACK and closes
            link.dropEvery(link.client, seg -> true); // from here on, the closed server hears nothing
            link.advanceTo(1500);
            int mark = link.client.mark();
            link.client.inject(serverFin);
            expectSegment(onlySegmentSince(link.client, mark, "FIN again"), C + 2, S + 2, ACK, "ACK");
            Check.equal(1500 + 2000, link.client.conn.nextDeadline(), "TIME-WAIT deadline restarted");
            link.advanceTo(3499);
            Check.equal(TcpState.TIME_WAIT, link.client.state(), "state at 3499");
            link.advanceTo(3500);
            Check.equal(TcpState.CLOSED, link.client.state(), "state at 3500");
        });

        Check.test("3.10.4 CLOSE in SYN-SENT deletes the TCB: CLOSED, nothing sent, no timer", () -> {
            FakeLink link = link();
            link.client.open(C);
            link.client.close();
            Check.equal(TcpState.CLOSED, link.client.state(), "state");
            Check.equal(1, link.client.sent.size(), "segments (only the SYN)");
            Check.equal(NEVER, link.client.conn.nextDeadline(), "timers");
            Check.isTrue(link.client.closedEvent() != null, "a Closed event");
        });

        Check.test("3.10.4 CLOSE in LISTEN deletes the TCB: CLOSED, nothing sent", () -> {
            FakeLink link = link();
            link.server.listen(S);
            link.server.close();
            Check.equal(TcpState.CLOSED, link.server.state(), "state");
            Check.equal(0, link.server.sent.size(), "segments");
            Check.equal(NEVER, link.server.conn.nextDeadline(), "timers");
        });

        Check.test("3.10.4 a second CLOSE is a no-op: one FIN, state unchanged", () -> {
            FakeLink link = clientClosing();
            int mark = link.client.mark();
            link.client.close();
            expectNothingSent(link.client, mark, "second close");
            Check.equal(TcpState.FIN_WAIT_1, link.client.state(), "state");
            link.deliverAll();
            link.client.close();
            Check.equal(TcpState.FIN_WAIT_2, link.client.state(), "state after a close in FIN-WAIT-2");
            expectNothingSent(link.client, mark, "close in FIN-WAIT-2");
        });

        Check.test("3.10.7.4 LAST-ACK: the ACK of our FIN closes the connection and is not answered", () -> {
            FakeLink link = clientClosing();
            link.deliverAll();
            link.server.close();
            link.deliverNext(link.server);
            int mark = link.server.mark();
            link.deliverNext(link.client);
            Check.equal(TcpState.CLOSED, link.server.state(), "state");
            expectNothingSent(link.server, mark, "reply to the last ACK");
        });
    }

    // ================================================================== retransmission (RFC 6298)

    static byte[] request() { return bytes(1000, 42); }

    /** Handshake + request + echo + close with drops arranged first; returns the finished conversation. */
    static Conversation converse(Consumer<FakeLink> arrange, long think) {
        FakeLink link = link();
        arrange.accept(link);
        link.server.listen(S);
        link.client.open(C);
        return new Conversation(link, request(), think).run();
    }

    static Packets.Tcp onlyLost(FakeLink.Side side) {
        Check.equal(1, side.lost.size(), side + " segments lost " + side.lost);
        return side.lost.get(0);
    }

    static void expectRetransmitting(FakeLink.Side side, String what) {
        for (TcpEvent.Retransmitting r : side.eventsOf(TcpEvent.Retransmitting.class)) if (r.what().equals(what)) return;
        throw new Check.Failure(side + " never reported Retransmitting(" + what + "): " + side.eventsOf(TcpEvent.Retransmitting.class));
    }

    static void retransmission() {
        Check.suite("TcpConnection retransmission");

        Check.test("RFC 6298 lost SYN: the client retransmits it, the conversation completes", () -> {
            Conversation conv = converse(l -> l.dropNext(l.client, FakeLink::isSyn), 0);
            conv.expectCompleted();
            Check.isTrue(resent(conv.link.client, onlyLost(conv.link.client)), "the SYN was sent again");
            expectRetransmitting(conv.link.client, "SYN");
        });

        Check.test("RFC 6298 lost SYN-ACK: it is sent again, the conversation completes", () -> {
            Conversation conv = converse(l -> l.dropNext(l.server, FakeLink::isSynAck), 0);
            conv.expectCompleted();
            Check.isTrue(resent(conv.link.server, onlyLost(conv.link.server)), "the SYN-ACK was sent again");
        });

        Check.test("RFC 6298 lost final ACK: the server retransmits its SYN-ACK, the client re-ACKs it", () -> {
            FakeLink link = link();
            link.dropNext(link.client, FakeLink::isPureAck);
            link.server.listen(S);
            link.client.open(C);
            link.runUntilQuiet();
            Check.equal(TcpState.ESTABLISHED, link.server.state(), "server state");
            Check.equal(List.of(new TcpEvent.Retransmitting("SYN-ACK", 2, 400)),
                    link.server.eventsOf(TcpEvent.Retransmitting.class), "server retransmissions");
            Check.equal(2, link.client.sent.stream().filter(FakeLink::isPureAck).count(),
                    "client ACKs (the lost one and the re-ACK)");
            expectSegment(link.client.lastSent(), C + 1, S + 1, ACK, "re-ACK");
            Check.equal(200, (long) link.client.sentAt.get(2), "re-ACK time (RTO 200 after the SYN-ACK)");
            Conversation conv = new Conversation(link, request(), 0).run();
            conv.expectCompleted();
        });

        Check.test("RFC 6298 lost data: the client retransmits it, data intact, conversation completes", () -> {
            Conversation conv = converse(l -> l.dropNext(l.client, FakeLink::hasData), 0);
            conv.expectCompleted();
            Check.isTrue(resent(conv.link.client, onlyLost(conv.link.client)), "the data was sent again");
        });

        Check.test("RFC 6298 lost ACK of data: the client retransmits, the server ACKs the duplicate and delivers once", () -> {
            Conversation conv = converse(l -> l.dropNext(l.server, FakeLink::isPureAck), 1000);
            conv.expectCompleted();
            onlyLost(conv.link.server);
            Check.isTrue(conv.link.client.sent.stream().filter(FakeLink::hasData).count() == 2,
                    "the client sent its data twice");
            Check.isTrue(!conv.link.server.eventsOf(TcpEvent.Duplicate.class).isEmpty(), "the server saw a duplicate");
        });

        Check.test("RFC 6298 lost FIN of the client: retransmitted from FIN-WAIT-1, conversation completes", () -> {
            Conversation conv = converse(l -> l.dropNext(l.client, FakeLink::isFin), 0);
            conv.expectCompleted();
            Check.isTrue(resent(conv.link.client, onlyLost(conv.link.client)), "the FIN was sent again");
            expectRetransmitting(conv.link.client, "FIN");
        });

        Check.test("RFC 6298 lost ACK of the client's FIN: the FIN is retransmitted and ACKed from CLOSE-WAIT", () -> {
            Conversation conv = converse(l -> l.dropNext(l.server,
                    s -> FakeLink.isPureAck(s) && l.server.state() == TcpState.CLOSE_WAIT), 1000);
            conv.expectCompleted();
            onlyLost(conv.link.server);
            expectRetransmitting(conv.link.client, "FIN");
        });

        Check.test("RFC 6298 lost FIN of the server: retransmitted from LAST-ACK, conversation completes", () -> {
            Conversation conv = converse(l -> l.dropNext(l.server, FakeLink::isFin), 0);
            conv.expectCompleted();
            Check.isTrue(resent(conv.link.server, onlyLost(conv.link.server)), "the FIN was sent again");
            expectRetransmitting(conv.link.server, "FIN");
        });

        Check.test("RFC 6298 lost last ACK: the server retransmits its FIN, TIME-WAIT ACKs it again", () -> {
            Conversation conv = converse(l -> l.dropNext(l.client,
                    s -> FakeLink.isPureAck(s) && l.client.state() == TcpState.TIME_WAIT), 0);
            conv.expectCompleted();
            onlyLost(conv.link.client);
            expectRetransmitting(conv.link.server, "FIN");
            Check.isTrue(!conv.link.client.eventsOf(TcpEvent.Duplicate.class).isEmpty(), "the client saw the FIN again");
        });

        Check.test("RFC 6298 (5.5) backoff: SYN retransmitted at +200, +400, +800 ms, attempts 2,3,4, RTO doubled", () -> {
            FakeLink link = link();
            link.dropEvery(link.client, s -> true);
            link.client.open(C);
            link.advanceTo(1400);
            Check.equal(List.of(0L, 200L, 600L, 1400L), link.client.sentAt, "SYN transmission times");
            for (Packets.Tcp s : link.client.sent) expectSegment(s, C, 0, SYN, "retransmitted SYN");
            Check.equal(List.of(new TcpEvent.Retransmitting("SYN", 2, 400), new TcpEvent.Retransmitting("SYN", 3, 800),
                    new TcpEvent.Retransmitting("SYN", 4, 1600)), link.client.eventsOf(TcpEvent.Retransmitting.class), "events");
        });

        Check.test("RFC 6298 (5.5) backoff applies to data: retransmitted at +200, +400, +800 ms", () -> {
            FakeLink link = established();
            link.dropEvery(link.client, FakeLink::hasData);
            link.client.send("lost forever");
            link.advanceTo(1400);
            Check.equal(List.of(0L, 200L, 600L, 1400L), link.client.sentAt.subList(2, 6), "data transmission times");
            List<Long> rtos = new ArrayList<>();
            List<Integer> attempts = new ArrayList<>();
            for (TcpEvent.Retransmitting r : link.client.eventsOf(TcpEvent.Retransmitting.class)) {
                rtos.add(r.rtoMillis());
                attempts.add(r.attempt());
            }
            Check.equal(List.of(2, 3, 4), attempts, "attempts");
            Check.equal(List.of(400L, 800L, 1600L), rtos, "RTOs");
        });

        Check.test("after maxRetries (5) unanswered retransmissions: Closed(NO_ANSWER, \"no answer after 6 tries\", 6)", () -> {
            FakeLink link = link();
            link.dropEvery(link.client, s -> true);
            link.client.open(C);
            link.runUntilQuiet();
            Check.equal(6, link.client.sent.size(), "SYNs sent (1 + 5 retransmissions)");
            Check.equal(TcpState.CLOSED, link.client.state(), "state");
            Check.equal(new TcpEvent.Closed(TcpEvent.CloseReason.NO_ANSWER, "no answer after 6 tries", 6),
                    link.client.closedEvent(), "Closed event");
            Check.equal(12600, link.now, "given up when the last RTO (6400 ms after 6200) expired");
        });

        Check.test("3.8.3 MUST-23: with the defaults, an unanswered SYN is retransmitted for at least 3 minutes, then given up", () -> {
            FakeLink link = new FakeLink(TcpConfig.defaults());
            link.dropEvery(link.client, s -> true);
            link.client.open(C);
            link.runUntilQuiet();
            // RTO 1, 2, 4, 8, 16, 32, 60 (RFC 6298 (2.5)'s maximum), 60 s: the SYN goes at 0, 1, 3, 7, 15,
            // 31, 63 and 123 s; the timer after the last, at 183 s, is the first past 3 minutes.
            Check.equal(List.of(0L, 1000L, 3000L, 7000L, 15_000L, 31_000L, 63_000L, 123_000L), link.client.sentAt, "SYN times");
            Check.equal(183_000L, link.now, "given up 183 s after the first SYN, not before 180 s");
            Check.equal(TcpEvent.CloseReason.NO_ANSWER, link.client.closedEvent().reason(), "Closed reason");
        });

        Check.test("RFC 6298 3 Karn: no RTT sample from a retransmitted SYN; RTO after the handshake = max(RTO, 3*rtoInitial)", () -> {
            FakeLink link = link();
            link.dropNext(link.client, FakeLink::isSyn);
            link.server.listen(S);
            link.client.open(C);
            link.runUntilQuiet();
            Check.equal(TcpState.ESTABLISHED, link.client.state(), "client state");
            Check.equal(-1, link.client.conn.srtt(), "client SRTT");
            Check.equal(600, link.client.conn.rto(), "client RTO (5.7)");
        });

        Check.test("RFC 6298 3 Karn: no RTT sample when the SYN-ACK was sent again for a duplicate SYN", () -> {
            FakeLink link = link();
            link.server.listen(S);
            link.client.open(C);
            link.deliverNext(link.client);        // t=0: SYN-ACK #1 sent...
            link.dropHead(link.server);           // ...and lost
            link.advanceTo(150);
            link.oneWayDelay = 5;
            link.server.inject(link.client.sent.get(0)); // t=150: the SYN again: SYN-ACK #2
            link.deliverNext(link.server);        // t=155
            link.deliverNext(link.client);        // t=160: the ACK, for #1 or #2? Ambiguous.
            Check.equal(TcpState.ESTABLISHED, link.server.state(), "server state");
            Check.equal(-1, link.server.conn.srtt(), "server SRTT");
        });

        Check.test("RFC 6298 2.2: a clean 50 ms RTT gives SRTT 50, RTTVAR 25, RTO = max(rtoMin 100, 50+4*25) = 150", () -> {
            TcpConfig cfg = config().withRtoMin(100);
            FakeLink link = new FakeLink(cfg);
            link.oneWayDelay = 25;
            link.server.listen(S);
            link.client.open(C);
            link.runUntilQuiet();
            for (FakeLink.Side side : List.of(link.client, link.server)) {
                Check.equal(50, side.conn.srtt(), side + " SRTT");
                Check.equal(25, side.conn.rttvar(), side + " RTTVAR");
                Check.equal(150, side.conn.rto(), side + " RTO");
            }
        });

        Check.test("RFC 6298 2.4: with a 50 ms RTT and rtoMin 200, RTO = max(200, 150) = 200", () -> {
            FakeLink link = link();
            link.oneWayDelay = 25;
            link.server.listen(S);
            link.client.open(C);
            link.runUntilQuiet();
            Check.equal(50, link.client.conn.srtt(), "SRTT");
            Check.equal(200, link.client.conn.rto(), "RTO");
        });

        Check.test("RFC 6298 (5.3): an ACK of new data restarts the timer at now + RTO", () -> {
            FakeLink link = new FakeLink(config(), config().withMss(500));
            link.oneWayDelay = 50;
            link.server.listen(S);
            link.client.open(C);
            link.runUntilQuiet();                     // handshake: RTT 100
            long t0 = link.now;
            link.client.send(bytes(1000, 5));         // two segments
            link.deliverNext(link.client);
            link.deliverNext(link.client);
            link.deliverNext(link.server);            // ACK of the first segment only, at t0+100
            Check.equal(t0 + 100, link.now, "time of the first ACK");
            Check.equal(seq(C + 501), seq(link.client.conn.sndUna()), "SND.UNA");
            Check.equal(link.now + link.client.conn.rto(), link.client.conn.nextDeadline(), "retransmission deadline");
        });

        Check.test("RFC 6298 (5.2)+backoff end: after a retransmission, a new ACK turns the timer off and RTO returns to 200", () -> {
            FakeLink link = established();
            link.dropNext(link.client, FakeLink::hasData);
            link.client.send("again");
            link.runUntilQuiet();
            List<TcpEvent.Retransmitting> r = link.client.eventsOf(TcpEvent.Retransmitting.class);
            Check.equal(1, r.size(), "retransmissions " + r);
            Check.equal(2, r.get(0).attempt(), "attempt");
            Check.equal(400, r.get(0).rtoMillis(), "backed-off RTO");
            Check.equal("again", link.server.receivedText(), "data");
            Check.equal(200, link.client.conn.rto(), "RTO after the new ACK");
            Check.equal(NEVER, link.client.conn.nextDeadline(), "timer off: all data acknowledged");
        });

        Check.test("a duplicate SYN in SYN-RECEIVED makes the server send its SYN-ACK again and nothing else", () -> {
            FakeLink link = link();
            link.server.listen(S);
            link.client.open(C);
            link.deliverNext(link.client);
            int mark = link.server.mark();
            int events = link.server.events.size();
            link.server.inject(link.client.sent.get(0));
            expectSegment(onlySegmentSince(link.server, mark, "duplicate SYN"), S, C + 1, SYN | ACK, "SYN-ACK again");
            Check.equal(TcpState.SYN_RECEIVED, link.server.state(), "state");
            Check.equal(List.of(), link.server.stateChanges().subList(2, link.server.stateChanges().size()),
                    "state changes after the duplicate");
            Check.equal(0, link.server.eventsOf(TcpEvent.Closed.class).size(), "Closed events");
            Check.isTrue(link.server.events.size() <= events + 1, "at most one (informational) event");
            link.deliverAll();
            Check.equal(TcpState.ESTABLISHED, link.server.state(), "server state");
            Check.equal(TcpState.ESTABLISHED, link.client.state(), "client state");
            Check.equal(3, link.server.stateChanges().size(), "server state changes in all");
            Check.equal(2, link.client.stateChanges().size(), "client state changes in all (one ESTABLISHED)");
        });

        Check.test("3.10.7.4 first: a retransmitted SYN-ACK at an ESTABLISHED client is ACKed, no second ESTABLISHED", () -> {
            FakeLink link = established();
            int mark = link.client.mark();
            link.client.inject(link.server.sent.get(0));
            expectSegment(onlySegmentSince(link.client, mark, "old SYN-ACK"), C + 1, S + 1, ACK, "ACK");
            Check.equal(List.of("CLOSED->SYN-SENT", "SYN-SENT->ESTABLISHED"), link.client.stateChanges(), "client states");
        });
    }

    // ================================================================== a lossy link

    static void lossyLink() {
        Check.suite("TcpConnection lossy link");

        Check.test("200 seeded runs, 20% loss + 5% duplicates + 5% reordering: handshake, 1000 bytes, echo, close", () -> {
            // maxRetries 10 so that 20% loss does not give up; MSL 30 s of fake time so that the
            // 2*MSL of TIME-WAIT outlasts the peer's backed-off FIN retransmissions.
            TcpConfig cfg = config().withMaxRetries(10).withMsl(30000);
            List<String> failures = new ArrayList<>();
            for (int seed = 0; seed < 200; seed++) {
                Random r = new Random(seed);
                FakeLink link = new FakeLink(cfg).randomize(seed, 0.20, 0.05, 0.05);
                link.server.listen(r.nextInt());
                link.client.open(r.nextInt());
                Conversation conv = new Conversation(link, bytes(1000, seed), 0);
                String problems;
                try {
                    conv.run();
                    // A duplicate of the client's last ACK that reaches the server after it closed
                    // draws a RST (3.10.7.1, <SEQ=SEG.ACK>) whose SEQ is exactly the client's RCV.NXT,
                    // which ends its TIME-WAIT early (RFC 1337's hazard, legal under RFC 9293): a
                    // normal end, as problems() counts it.
                    problems = conv.problems();
                } catch (RuntimeException e) {
                    problems = "threw " + e;
                }
                if (!problems.isEmpty()) failures.add("seed " + seed + ": " + problems);
            }
            Check.equal(List.of(), failures.size() > 5 ? failures.subList(0, 5) : failures,
                    failures.size() + " of 200 runs failed; first ones");
        });
    }
}
