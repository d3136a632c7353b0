import java.util.List;

/**
 * A handshake through SYN cookies (RFC 4987 section 3.6), in memory: our client's SYN, a cookie
 * SYN-ACK from a server that keeps nothing (SynCookieHandshake.synAck), the client's ACK checked
 * (SynCookies.check) and the server's connection rebuilt from it (SynCookieHandshake.accept); then
 * data both ways. SynCookiesTest tests the numbers themselves.
 *
 * Run from the project directory:
 *   ./test.sh unit SynCookieHandshake   (no root needed)
 */
final class SynCookieHandshakeTest {
    private SynCookieHandshakeTest() {}

    static final int CLIENT_IP = 0xc6120002, SERVER_IP = 0xc6120001;
    static final int SERVER_TS_OFFSET = 77_000;
    static final SynCookies COOKIES = new SynCookies(1, 2, 3, 4);

    /** What the handshake gave: the link (server side rebuilt) and the segments seen. */
    record Result(FakeLink link, Packets.Tcp synAck, Packets.Tcp ack, SynCookies.Checked checked) {}

    static Result handshake(TcpConfig client, TcpConfig server, boolean forge) {
        FakeLink link = new FakeLink(client, server);
        link.oneWayDelay = 5;
        link.server.conn.useTimestampOffset(SERVER_TS_OFFSET);
        link.client.open(TcpDataPathTest.C);
        Packets.Tcp syn = link.client.queued().get(0);
        link.clearQueues();
        link.advance(5);
        int count = SynCookies.counter(link.now);
        SynCookies.Cookie cookie = COOKIES.isn(CLIENT_IP, SERVER_IP, syn.sourcePort(), syn.destinationPort(), syn.seq(), syn.mss(), count);
        Packets.Tcp synAck = SynCookieHandshake.synAck(server, FakeLink.SERVER_PORT, FakeLink.CLIENT_PORT, SERVER_TS_OFFSET, syn,
                cookie.isn(), link.now);
        link.advance(5);
        link.client.inject(synAck);
        Packets.Tcp ack = link.client.queued().get(0);
        link.clearQueues();
        if (forge) ack = Packets.Tcp.of(ack.sourcePort(), ack.destinationPort(), ack.seq(), ack.ack() + 1, ack.flags(), ack.window(),
                ack.options(), ack.payload());
        link.advance(5);
        SynCookies.Checked checked = COOKIES.check(CLIENT_IP, SERVER_IP, ack.sourcePort(), ack.destinationPort(), ack, SynCookies.counter(link.now));
        if (checked.valid()) {
            SynCookies.Options options = SynCookies.decodeTimestamp(ack, server.sack(), server.windowScaling(), false, null);
            SynCookieHandshake.accept(link.server.conn, ack, checked.mss(), options, link.now, link.server);
        }
        return new Result(link, synAck, ack, checked);
    }

    public static void main(String[] args) {
        Check.suite("SynCookieHandshake");

        Check.test("RFC 4987 3.6 with timestamps: the cookie SYN-ACK keeps Linux's options, WS and SACK ride in the TSval; the rebuilt connection has them", () -> {
            Result r = handshake(TcpConfig.defaults(), TcpConfig.defaults(), false);
            Packets.Timestamps ts = Timestamps.option(r.synAck());
            Check.isTrue(ts != null, "TS in the SYN-ACK " + r.synAck());
            Check.isTrue(r.synAck().sackPermitted(), "SACK-permitted in the SYN-ACK");
            Check.equal(5 | 1 << 4, ts.value() & 0x3f, "TSval's low 6 bits: the client's shift 5 and SACK");
            Check.isTrue(r.checked().valid(), "cookie valid: " + r.checked().reason());
            FakeLink link = r.link();
            TcpConnection s = link.server.conn;
            Check.equal(TcpState.ESTABLISHED, s.state(), "server rebuilt into ESTABLISHED");
            Check.equal(TcpState.ESTABLISHED, link.client.state(), "client");
            Check.equal(r.synAck().seq(), s.iss(), "ISS = the cookie");
            Check.equal(link.client.conn.rcvWndShift(), s.sndWndShift(), "the client's window shift, from the TSecr");
            Check.equal(link.client.conn.sndWndShift(), s.rcvWndShift(), "our own shift, as the SYN-ACK said");
            Check.isTrue(s.sackPermitted(), "SACK");
            Check.isTrue(s.timestampsOn(), "timestamps");
            Check.equal(1460 - 12, s.sendMss(), "send MSS: 1460 from the cookie, less the timestamps");
            byte[] up = TcpDataPathTest.bytes(200_000, 1), down = TcpDataPathTest.bytes(150_000, 2);
            link.client.send(up);
            link.server.send(down);
            link.runUntilQuiet();
            Check.bytes(up, link.server.receivedBytes(), "client to server intact");
            Check.bytes(down, link.client.receivedBytes(), "server to client intact");
            Check.equal(List.of(), link.server.eventsOf(TcpEvent.Dropped.class), "the server dropped nothing (PAWS, windows)");
        });

        Check.test("RFC 4987 3.6 without timestamps: the cookie SYN-ACK carries only the MSS (as Linux), and the connection works without WS and SACK", () -> {
            Result r = handshake(TcpConfig.defaults().withTimestamps(false), TcpConfig.defaults(), false);
            Check.equal(List.of(new Packets.Mss(1460)), r.synAck().options(), "options");
            Check.isTrue(r.checked().valid(), "cookie valid");
            FakeLink link = r.link();
            TcpConnection s = link.server.conn;
            Check.equal(TcpState.ESTABLISHED, s.state(), "server");
            Check.isTrue(!s.sackPermitted() && s.sndWndShift() == 0 && s.rcvWndShift() == 0 && !s.timestampsOn(), "no options");
            byte[] up = TcpDataPathTest.bytes(100_000, 3);
            link.client.send(up);
            link.runUntilQuiet();
            Check.bytes(up, link.server.receivedBytes(), "intact");
        });

        Check.test("a forged ACK (acknowledgment number off by one) is no cookie: nothing is made", () -> {
            Result r = handshake(TcpConfig.defaults(), TcpConfig.defaults(), true);
            Check.isTrue(!r.checked().valid(), "refused");
            Check.equal(TcpState.CLOSED, r.link().server.state(), "no connection");
        });
        Check.finish();
    }
}
