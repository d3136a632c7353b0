import java.util.List;

/**
 * Keep-alive inside the connection (the unit itself is KeepAliveTest): off by default, probes of
 * <SEQ=SND.NXT-1> with no data after the idle time, answered by the peer's ACK, and a connection
 * whose peer vanished ends with a one-line reason, a RST, and no timer left.
 *
 * Run from the project directory:
 *   ./test.sh unit KeepAliveWiring   (no root needed)
 */
final class KeepAliveWiringTest {
    private KeepAliveWiringTest() {}

    static final KeepAlive.Settings QUICK = new KeepAlive.Settings(30_000, 5_000, 3);

    /** The handshake, 10 ms each way (a link with keep-alive on is never quiet: no runUntilQuiet). */
    static FakeLink connect(TcpConfig client) {
        FakeLink link = new FakeLink(client, TcpConfig.defaults());
        link.oneWayDelay = 10;
        link.server.listen(TcpDataPathTest.S);
        link.client.open(TcpDataPathTest.C);
        link.advanceTo(100);
        Check.equal(TcpState.ESTABLISHED, link.client.state(), "setup: client");
        return link;
    }

    public static void main(String[] args) {
        Check.suite("KeepAliveWiring");

        Check.test("MUST-25: off by default: three idle hours, not one segment, no keep-alive timer", () -> {
            FakeLink link = TcpDataPathTest.connect(0);
            int c = link.client.mark(), s = link.server.mark();
            link.advance(3 * 3600_000L);
            Check.equal(List.of(), link.client.sentSince(c), "client sent");
            Check.equal(List.of(), link.server.sentSince(s), "server sent");
            Check.isTrue(!link.client.conn.timers.running(Timers.Kind.KEEPALIVE), "no keep-alive timer");
            Check.equal(TcpState.ESTABLISHED, link.client.state(), "still open");
        });

        Check.test("SHLD-12 / RFC 1122 4.2.3.6: after the idle time a probe <SEQ=SND.NXT-1><ACK=RCV.NXT> with no data; the peer's ACK keeps it open", () -> {
            FakeLink link = connect(TcpConfig.defaults().withKeepAlive(QUICK));
            link.client.send("hi".getBytes());
            link.advanceTo(link.now + 1000);
            long quietSince = link.now;
            int mark = link.client.mark();
            link.advanceTo(quietSince + 30_000 + 100);
            List<Packets.Tcp> sent = link.client.sentSince(mark);
            Check.equal(1, sent.size(), "one probe " + sent);
            Packets.Tcp probe = sent.get(0);
            Check.equal(link.client.conn.sndNxt() - 1, probe.seq(), "SEG.SEQ = SND.NXT - 1");
            Check.equal(link.client.conn.rcvNxt(), probe.ack(), "SEG.ACK = RCV.NXT");
            Check.equal(Packets.ACK, probe.flags(), "ACK only");
            Check.equal(0, probe.payload().length, "no data");
            Check.isTrue(link.client.sentAt.get(mark) >= quietSince + 29_000, "not before the idle time: at " + link.client.sentAt.get(mark));
            Check.isTrue(link.server.lastSent().ack() == link.client.conn.sndNxt(), "the peer answered with an ACK");
            Check.isTrue(!link.client.eventsOf(TcpEvent.KeepAliveProbe.class).isEmpty(), "a KeepAliveProbe event says why");
            link.advanceTo(link.now + 3 * 60_000);
            Check.equal(TcpState.ESTABLISHED, link.client.state(), "an answering peer keeps it open");
            Check.isTrue(link.client.eventsOf(TcpEvent.KeepAliveProbe.class).size() >= 6, "a probe every 30 s of silence");
        });

        Check.test("MUST-29: a vanished peer: COUNT unanswered probes INTERVAL apart, then RST and Closed(KEEP_ALIVE) with one line; no timer left", () -> {
            FakeLink link = connect(TcpConfig.defaults().withKeepAlive(QUICK));
            link.advanceTo(link.now + 1000);
            long quietSince = link.now;
            link.dropEvery(link.client, x -> true); // the peer is gone: nothing reaches it
            link.advanceTo(quietSince + 30_000 + 3 * 5_000 + 1000);
            TcpEvent.Closed closed = link.client.closedEvent();
            Check.isTrue(closed != null, "closed");
            Check.equal(TcpEvent.CloseReason.KEEP_ALIVE, closed.reason(), "reason");
            Check.isTrue(closed.detail().startsWith("keep-alive: peer did not answer 3 probes"), closed.detail());
            Check.equal(3, link.client.eventsOf(TcpEvent.KeepAliveProbe.class).size(), "three probes");
            Check.isTrue(link.client.lastSent().isRst(), "a RST last, as Linux");
            Check.equal(TcpConnection.NEVER, link.client.conn.nextDeadline(), "no timer outlives it");
        });

        Check.test("MUST-26: no probe while sent data is outstanding (the retransmission timer watches then)", () -> {
            TcpConfig quick = TcpConfig.defaults().withKeepAlive(QUICK).withGiveUpAfter(600_000).withMaxRetries(30);
            FakeLink link = connect(quick);
            link.dropEvery(link.client, x -> true);
            link.client.send("lost".getBytes());
            link.advanceTo(link.now + 120_000);
            Check.equal(List.of(), link.client.eventsOf(TcpEvent.KeepAliveProbe.class), "no keep-alive probe");
        });

        Check.test("MUST-25: TcpConfig.defaults() has keep-alive off", () -> {
            Check.equal(null, TcpConfig.defaults().keepAlive(), "off by default");
        });
        Check.finish();
    }
}
