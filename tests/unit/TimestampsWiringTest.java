import java.util.ArrayList;
import java.util.List;

/**
 * RFC 7323 timestamps inside the connection (the unit itself is TimestampsTest): the handshake
 * offers and accepts them as Linux lays them out, every later segment carries TSval and TSecr,
 * TS.Recent follows rule R3, RTT samples come from TSecr, PAWS drops an old duplicate with an ACK,
 * and --no-timestamps on either side turns it all off.
 *
 * Run from the project directory:
 *   ./test.sh unit TimestampsWiring   (no root needed)
 */
final class TimestampsWiringTest {
    private TimestampsWiringTest() {}

    static final int C = 0x1000_0000; // client ISS
    static final int S = 0x7000_0000; // server ISS
    static final int CLIENT_OFFSET = 1_000_000, SERVER_OFFSET = 5_000_000;

    public static void main(String[] args) {
        Check.suite("TimestampsWiring handshake");
        handshake();
        Check.suite("TimestampsWiring segments");
        segments();
        Check.suite("TimestampsWiring PAWS");
        paws();
        Check.suite("TimestampsWiring TIME-WAIT reopen");
        timeWaitReopen();
        Check.finish();
    }

    static FakeLink link(TcpConfig client, TcpConfig server, long oneWayDelay) {
        FakeLink link = new FakeLink(client, server);
        link.oneWayDelay = oneWayDelay;
        link.client.conn.useTimestampOffset(CLIENT_OFFSET);
        link.server.conn.useTimestampOffset(SERVER_OFFSET);
        return link;
    }

    static FakeLink connected(long oneWayDelay) {
        FakeLink link = link(TcpConfig.defaults(), TcpConfig.defaults(), oneWayDelay);
        link.server.listen(S);
        link.client.open(C);
        link.runUntilQuiet();
        Check.equal(TcpState.ESTABLISHED, link.client.state(), "setup: client");
        Check.equal(TcpState.ESTABLISHED, link.server.state(), "setup: server");
        return link;
    }

    static Packets.Timestamps ts(Packets.Tcp s) { return Timestamps.option(s); }

    /** The option bytes of a segment, as they go on the wire. */
    static String optionBytes(Packets.Tcp s) {
        StringBuilder b = new StringBuilder();
        java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(64);
        int at = 0;
        for (Packets.TcpOption o : s.options()) {
            o.emit(buf, at);
            at += o.length();
        }
        for (int i = 0; i < at; i++) b.append(String.format("%02x", buf.get(i) & 0xff));
        return b.toString();
    }

    static void handshake() {
        Check.test("RFC 7323 3.2: the SYN offers TS (TSecr 0) in Linux's layout: MSS, SACK-permitted, TS, NOP, WS", () -> {
            FakeLink link = link(TcpConfig.defaults(), TcpConfig.defaults(), 0);
            link.server.listen(S);
            link.client.open(C);
            Packets.Tcp syn = link.client.lastSent();
            Check.equal("020405b4" + "0402080a" + String.format("%08x", CLIENT_OFFSET) + "00000000" + "01030305", optionBytes(syn),
                    "SYN options at time 0 (window scale 5 for 1 MiB)");
        });

        Check.test("RFC 7323 3.2: the SYN-ACK echoes the SYN's TSval; both sides then have Snd.TS.OK; send MSS 1460 - 12", () -> {
            FakeLink link = link(TcpConfig.defaults(), TcpConfig.defaults(), 10);
            link.server.listen(S);
            link.client.open(C);
            link.runUntilQuiet();
            Packets.Tcp syn = link.client.sent.get(0), synAck = link.server.sent.get(0);
            Check.isTrue(synAck.isSyn() && synAck.isAck(), "the server's first segment is its SYN-ACK");
            Check.equal(ts(syn).value(), ts(synAck).echoReply(), "SYN-ACK TSecr = SYN TSval");
            Check.equal(SERVER_OFFSET + 10, ts(synAck).value(), "SYN-ACK TSval: the server's clock when the SYN arrived");
            Packets.Tcp ack = link.client.sent.get(1);
            Check.equal(ts(synAck).value(), ts(ack).echoReply(), "the handshake's ACK echoes the SYN-ACK's TSval");
            Check.isTrue(link.client.conn.timestampsOn() && link.server.conn.timestampsOn(), "negotiated on both sides");
            Check.equal(1448, link.client.conn.sendMss(), "client send MSS");
            Check.equal(1448, link.server.conn.sendMss(), "server send MSS");
        });

        for (boolean clientOff : new boolean[] {true, false}) {
            String who = clientOff ? "client" : "server";
            Check.test("--no-timestamps on the " + who + ": no TSopt after the SYNs, send MSS 1460, data flows", () -> {
                TcpConfig off = TcpConfig.defaults().withTimestamps(false);
                FakeLink link = link(clientOff ? off : TcpConfig.defaults(), clientOff ? TcpConfig.defaults() : off, 5);
                link.server.listen(S);
                link.client.open(C);
                link.runUntilQuiet();
                Packets.Tcp syn = link.client.sent.get(0), synAck = link.server.sent.get(0);
                if (clientOff) {
                    // Linux's SYN without timestamps: 02 04 05 b4 01 01 04 02 01 03 03 0a
                    Check.equal("020405b4" + "01010402" + "01030305", optionBytes(syn), "SYN without TS");
                } else {
                    Check.isTrue(ts(syn) != null, "the client offers TS");
                }
                Check.equal(null, ts(synAck), "the SYN-ACK carries no TS");
                Check.isTrue(!link.client.conn.timestampsOn() && !link.server.conn.timestampsOn(), "off on both sides");
                Check.equal(1460, link.client.conn.sendMss(), "send MSS");
                link.client.send(TcpDataPathTest.bytes(5000, 1));
                link.runUntilQuiet();
                Check.equal(5000, link.server.received.size(), "data delivered");
                for (FakeLink.Side s : List.of(link.client, link.server)) {
                    for (Packets.Tcp seg : s.sent) if (!seg.isSyn()) Check.equal(null, ts(seg), s + " sent a TSopt: " + seg);
                }
            });
        }

        Check.test("a SYN-ACK whose TSecr no SYN of ours carried is answered with RST, as Linux does", () -> {
            FakeLink link = link(TcpConfig.defaults(), TcpConfig.defaults(), 0);
            link.client.open(C);
            link.clearQueues();
            link.advance(100);
            List<Packets.TcpOption> opts = TcpOptionLayout.syn(1460, 7, true, new Packets.Timestamps(42, 12345));
            link.client.inject(link.client.fromPeer(S, C + 1, Packets.SYN | Packets.ACK, 65535, new byte[0], opts));
            Check.equal(TcpState.SYN_SENT, link.client.state(), "still SYN-SENT");
            Packets.Tcp rst = link.client.lastSent();
            Check.isTrue(rst.isRst() && rst.seq() == C + 1, "RST <SEQ=SEG.ACK>: " + rst);
        });
    }

    static void segments() {
        Check.test("RFC 7323 3.2: every data segment and ACK carries TS; TSecr echoes the peer's TSval (R3, Last.ACK.sent)", () -> {
            FakeLink link = connected(20);
            link.client.send(TcpDataPathTest.bytes(50_000, 2));
            link.runUntilQuiet();
            Check.equal(50_000, link.server.received.size(), "data delivered");
            List<Integer> serverTsVals = new ArrayList<>();
            for (Packets.Tcp s : link.server.sent) serverTsVals.add(ts(s).value());
            for (int i = 1; i < link.client.sent.size(); i++) {
                Packets.Tcp s = link.client.sent.get(i);
                Packets.Timestamps t = ts(s);
                Check.isTrue(t != null, "client segment without TS: " + s);
                Check.equal(CLIENT_OFFSET + (int) (long) link.client.sentAt.get(i), t.value(), "TSval = the clock when sent");
                Check.isTrue(serverTsVals.contains(t.echoReply()), "TSecr " + t.echoReply() + " is a TSval the server sent");
            }
            for (int i = 1; i < link.server.sent.size(); i++) {
                Packets.Tcp s = link.server.sent.get(i);
                Check.isTrue(ts(s) != null, "server segment without TS: " + s);
                Check.equal(12, TcpOptionLayout.length(s.options()), "NOP NOP TS: 12 bytes " + s);
            }
        });

        Check.test("RFC 7323 4.1 RTTM: the RTT estimate comes from TSecr (40 ms round trip)", () -> {
            FakeLink link = connected(20);
            link.client.send(TcpDataPathTest.bytes(200_000, 3));
            link.runUntilQuiet();
            long srtt = link.client.conn.srtt();
            Check.isTrue(srtt >= 40 && srtt <= 90, "SRTT " + srtt + " ms for a 40 ms path (plus delayed ACKs)");
        });

        Check.test("RFC 7323 4.1: an ACK of a retransmission still gives a sample (no Karn ambiguity): the TSecr names the copy", () -> {
            FakeLink link = connected(20); // SRTT 40 ms from the handshake
            link.oneWayDelay = 100;         // the path slows to 200 ms
            int[] n = {0};
            link.dropEvery(link.client, s -> TcpDataPathTest.isData(s) && ++n[0] == 1);
            link.client.send("hello".getBytes());
            link.runUntilQuiet();
            Check.equal(5, link.server.received.size(), "delivered after the retransmission");
            // Without timestamps, Karn's rule takes no sample from the retransmission's ACK and SRTT
            // stays 40; with them, the ACK's TSecr is the retransmission's TSval: R = 200 ms plus
            // the receiver's 40 ms delayed ACK, SRTT = 7/8 x 40 + 1/8 x 240 = 65.
            Check.equal(65L, link.client.conn.srtt(), "SRTT after the retransmission's sample");
        });

        Check.test("RFC 2018 + RFC 7323: an ACK beside a gap carries TS and at most 3 SACK blocks (40 bytes), as Linux", () -> {
            FakeLink link = connected(0);
            FakeLink.Side c = link.client, s = link.server;
            int mss = c.conn.sendMss();
            int base = c.conn.sndNxt();
            int mark = s.mark();
            for (int k = 1; k <= 4; k++) { // four islands, holes between
                int seq = base + 2 * k * mss;
                s.inject(s.fromPeer(seq, s.conn.sndNxt(), Packets.ACK, 1000, new byte[mss],
                        TcpOptionLayout.segment(new Packets.Timestamps(CLIENT_OFFSET + 10 + k, 0), new int[0])));
            }
            Packets.Tcp ack = s.sentSince(mark).get(3);
            Check.equal(40, TcpOptionLayout.length(ack.options()), "option bytes " + ack);
            int blocks = 0;
            for (Packets.TcpOption o : ack.options()) if (o instanceof Packets.Sack sack) blocks = sack.edges().length / 2;
            Check.equal(3, blocks, "SACK blocks beside TS");
            Check.isTrue(ts(ack) != null, "TS first");
        });

        Check.test("RFC 7323 3.2: a segment without TSopt after the handshake is processed (Linux takes it too)", () -> {
            FakeLink link = connected(0);
            FakeLink.Side s = link.server;
            s.inject(s.fromPeer(link.client.conn.sndNxt(), s.conn.sndNxt(), Packets.ACK | Packets.PSH, 1000, "bare".getBytes()));
            Check.equal("bare", s.receivedText(), "data delivered");
        });
    }

    /** A server in TIME-WAIT (it closed first), the client gone. */
    static FakeLink serverInTimeWait(TcpConfig config) {
        FakeLink link = link(config, config, 5);
        link.server.listen(S);
        link.client.open(C);
        link.runUntilQuiet();
        link.client.send("hi".getBytes());
        link.runUntilQuiet();
        link.server.close();
        link.deliverAll();
        link.client.close();
        link.deliverAll();
        Check.equal(TcpState.TIME_WAIT, link.server.state(), "setup: server in TIME-WAIT");
        return link;
    }

    static Packets.Tcp syn(FakeLink.Side s, int seq, Packets.Timestamps ts) {
        return s.fromPeer(seq, 0, Packets.SYN, 65535, new byte[0], TcpOptionLayout.syn(1460, 7, true, ts));
    }

    static void timeWaitReopen() {
        Check.test("RFC 6191 / MAY-2: a SYN in TIME-WAIT with a newer TSval ends the old incarnation; the new ISS is past SND.NXT", () -> {
            FakeLink link = serverInTimeWait(TcpConfig.defaults());
            FakeLink.Side s = link.server;
            int recent = s.conn.timestamps.tsRecent();
            int sndMax = s.conn.sndMax();
            // an even older sequence number: the timestamp decides
            TimeWaitReopen.Decision d = s.conn.synInTimeWait(syn(s, s.conn.rcvNxt() - 1000, new Packets.Timestamps(recent + 1, 0)), link.now, s);
            Check.isTrue(d.reopen(), "reopen: " + d.reason());
            Check.equal(sndMax + 65537, d.newIss(), "ISS = SND.NXT + 65535 + 2, as Linux");
            Check.equal(TcpState.CLOSED, s.state(), "the old incarnation is closed");
            Check.isTrue(s.closedEvent().reason() == TcpEvent.CloseReason.NORMAL && s.closedEvent().detail().contains("newer"),
                    "closed normally, with the reason: " + s.closedEvent());
        });

        Check.test("RFC 6191: a SYN in TIME-WAIT with an older TSval stays (the SYN then draws an ACK, as Linux's TCP_TW_ACK)", () -> {
            FakeLink link = serverInTimeWait(TcpConfig.defaults());
            FakeLink.Side s = link.server;
            int recent = s.conn.timestamps.tsRecent();
            Packets.Tcp old = syn(s, s.conn.rcvNxt() + 100_000, new Packets.Timestamps(recent - 1, 0));
            TimeWaitReopen.Decision d = s.conn.synInTimeWait(old, link.now, s);
            Check.isTrue(!d.reopen(), "stay: " + d.reason());
            Check.equal(TcpState.TIME_WAIT, s.state(), "still TIME-WAIT");
            int mark = s.mark();
            s.inject(old);
            Check.equal(1, s.sentSince(mark).size(), "one ACK");
            Check.equal(Packets.ACK, s.lastSent().flags(), "an ACK");
        });

        Check.test("RFC 6191 without timestamps (--no-timestamps): a SYN past RCV.NXT reopens, one at or before it stays", () -> {
            FakeLink link = serverInTimeWait(TcpConfig.defaults().withTimestamps(false));
            FakeLink.Side s = link.server;
            TimeWaitReopen.Decision before = s.conn.synInTimeWait(syn(s, s.conn.rcvNxt(), null), link.now, s);
            Check.isTrue(!before.reopen(), "at RCV.NXT: stay: " + before.reason());
            TimeWaitReopen.Decision after = s.conn.synInTimeWait(syn(s, s.conn.rcvNxt() + 1, null), link.now, s);
            Check.isTrue(after.reopen(), "past RCV.NXT: reopen: " + after.reason());
        });
    }

    static void paws() {
        Check.test("RFC 7323 5.3 R1: an old duplicate (TSval < TS.Recent) is dropped and answered with an ACK; the reason is told", () -> {
            FakeLink link = connected(0);
            link.advance(1000);
            link.client.send("new".getBytes());
            link.runUntilQuiet();
            FakeLink.Side s = link.server;
            int recent = s.conn.timestamps.tsRecent();
            int mark = s.mark();
            int events = s.events.size();
            // An old segment for the very next sequence number: in the window, but its TSval is older.
            List<Packets.TcpOption> old = TcpOptionLayout.segment(new Packets.Timestamps(recent - 500, 0), new int[0]);
            s.inject(s.fromPeer(link.client.conn.sndNxt(), s.conn.sndNxt(), Packets.ACK | Packets.PSH, 1000, "OLD".getBytes(), old));
            Check.equal("new", s.receivedText(), "the old segment's data is not delivered");
            List<Packets.Tcp> answers = s.sentSince(mark);
            Check.equal(1, answers.size(), "one ACK in reply " + answers);
            Check.isTrue(answers.get(0).flags() == Packets.ACK && answers.get(0).payload().length == 0, "a bare ACK: " + answers.get(0));
            Check.equal(recent, ts(answers.get(0)).echoReply(), "TS.Recent unchanged, echoed");
            boolean told = s.events.subList(events, s.events.size()).stream().anyMatch(e -> e instanceof TcpEvent.Dropped d
                    && d.why() == TcpEvent.DropReason.PAWS && d.reason().contains("PAWS"));
            Check.isTrue(told, "a Dropped(PAWS) event says why: " + s.events.subList(events, s.events.size()));
            // The same segment with a current TSval is taken.
            List<Packets.TcpOption> fresh = TcpOptionLayout.segment(new Packets.Timestamps(recent + 1, 0), new int[0]);
            s.inject(s.fromPeer(link.client.conn.sndNxt(), s.conn.sndNxt(), Packets.ACK | Packets.PSH, 1000, "NOW".getBytes(), fresh));
            Check.equal("newNOW", s.receivedText(), "a current TSval is accepted");
        });

        Check.test("RFC 7323 5.2: an RST is never subjected to PAWS", () -> {
            FakeLink link = connected(0);
            link.advance(1000);
            link.client.send("x".getBytes());
            link.runUntilQuiet();
            FakeLink.Side s = link.server;
            int recent = s.conn.timestamps.tsRecent();
            List<Packets.TcpOption> old = TcpOptionLayout.segment(new Packets.Timestamps(recent - 500, 0), new int[0]);
            s.inject(s.fromPeer(s.conn.rcvNxt(), 0, Packets.RST, 0, new byte[0], old));
            Check.equal(TcpState.CLOSED, s.state(), "reset taken");
        });

        Check.test("--no-timestamps: the same old TSval means nothing (no PAWS)", () -> {
            TcpConfig off = TcpConfig.defaults().withTimestamps(false);
            FakeLink link = link(TcpConfig.defaults(), off, 0);
            link.server.listen(S);
            link.client.open(C);
            link.runUntilQuiet();
            FakeLink.Side s = link.server;
            List<Packets.TcpOption> old = TcpOptionLayout.segment(new Packets.Timestamps(1, 0), new int[0]);
            s.inject(s.fromPeer(link.client.conn.sndNxt(), s.conn.sndNxt(), Packets.ACK | Packets.PSH, 1000, "ok".getBytes(), old));
            Check.equal("ok", s.receivedText(), "taken");
        });
    }
}
