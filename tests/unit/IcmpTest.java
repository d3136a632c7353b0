import java.nio.ByteBuffer;
import java.util.List;

/**
 * ICMP errors about our segments: the wire format (Icmp: what a router's message quotes, and the
 * messages refused with a reason), then what a connection does with each (IcmpArrives: RFC 9293
 * 3.9.2.2, RFC 1122 4.2.3.9, RFC 1191, RFC 5927's sequence check), in memory on a FakeLink.
 */
final class IcmpTest {
    static final int CLIENT = 0xc6120002, SERVER = 0xc6120101, ROUTER = 0xc61201fe; // 198.18.0.2, 198.18.1.1, 198.18.1.254
    static final int C = 1000, S = 5000;

    public static void main(String[] args) {
        Check.suite("Icmp");
        wire();
        connections();
        pathMtu();
        Check.finish();
    }

    /** A SYN from the client to the server, as it left our host: IPv4 + TCP bytes. */
    static ByteBuffer synPacket(int seq) {
        Packets.Tcp syn = Packets.Tcp.of(40000, 5000, seq, 0, Packets.SYN, 64240, List.of(new Packets.Mss(1460)), new byte[0]);
        ByteBuffer out = ByteBuffer.allocate(100);
        Packets.emit(out, Packets.Ipv4.forTcp(CLIENT, SERVER, 7, 64), syn);
        return out.flip();
    }

    static void wire() {
        Check.test("host unreachable from a router quoting our SYN: the 4-tuple, seq and sender read back", () -> {
            ByteBuffer icmp = Icmp.emit(ROUTER, Icmp.DESTINATION_UNREACHABLE, 1, 0, synPacket(0x01020304));
            Check.equal(20 + 8 + 20 + 8, icmp.remaining(), "length: IP + ICMP header + quoted IP header + 8 bytes");
            Icmp.Error e = Icmp.parse(icmp);
            Check.equal(ROUTER, e.from(), "from");
            Check.equal(CLIENT, e.source(), "quoted source");
            Check.equal(SERVER, e.destination(), "quoted destination");
            Check.equal(40000, e.sourcePort(), "quoted source port");
            Check.equal(5000, e.destinationPort(), "quoted destination port");
            Check.equal(0x01020304, e.seq(), "quoted seq");
            Check.equal(44, e.quotedLength(), "quoted datagram's total length");
            Check.equal("host unreachable", e.describe(), "words");
            Check.equal("No route to host", e.errnoText(), "Linux's text (EHOSTUNREACH)");
        });

        Check.test("the bytes of an ICMP error, as RFC 792 lays them out (type, code, checksum, MTU, quote)", () -> {
            ByteBuffer icmp = Icmp.emit(ROUTER, 3, 4, 1280, synPacket(1));
            Check.equal(3, icmp.get(20) & 0xff, "type");
            Check.equal(4, icmp.get(21) & 0xff, "code");
            Check.equal(0, icmp.getShort(24), "unused");
            Check.equal(1280, icmp.getShort(26) & 0xffff, "next-hop MTU");
            Check.equal(0x45, icmp.get(28) & 0xff, "the quoted header starts after 8 bytes");
            Check.equal(0, Packets.Checksum.finish(Packets.Checksum.add(0, icmp, 20, icmp.remaining() - 20)), "ICMP checksum verifies");
            Icmp.Error e = Icmp.parse(icmp);
            Check.isTrue(e.isFragmentationNeeded(), "fragmentation needed");
            Check.equal(1280, e.nextHopMtu(), "MTU");
            Check.equal("fragmentation needed (next-hop MTU 1280)", e.describe(), "words");
        });

        Check.test("every destination-unreachable code has Linux's errno and hardness (icmp_err_convert)", () -> {
            Check.equal("Network is unreachable", Icmp.Unreachable.of(0).text, "net");
            Check.equal("Connection refused", Icmp.Unreachable.of(3).text, "port");
            Check.isTrue(!Icmp.Unreachable.of(0).fatal && !Icmp.Unreachable.of(1).fatal, "net and host are soft");
            Check.isTrue(Icmp.Unreachable.of(2).fatal && Icmp.Unreachable.of(3).fatal, "protocol and port are hard (RFC 1122 codes 2-4)");
            Check.isTrue(Icmp.Unreachable.of(13).fatal, "administratively prohibited is hard, as Linux");
            for (int code = 0; code <= 15; code++) Check.isTrue(Icmp.Unreachable.of(code) != null, "code " + code);
            Check.isTrue(Icmp.Unreachable.of(16) == null, "no code 16");
        });

        Check.test("refused with a reason: bad checksum, source quench, echo, cut-short quote, a quoted UDP packet", () -> {
            refused(corrupt(Icmp.emit(ROUTER, 3, 1, 0, synPacket(1)), 30), "bad ICMP checksum");
            refused(Icmp.emit(ROUTER, Icmp.SOURCE_QUENCH, 0, 0, synPacket(1)), "source quench");
            refused(Icmp.emit(ROUTER, 8, 0, 0, synPacket(1)), "not an error");
            ByteBuffer shortQuote = Icmp.emit(ROUTER, 3, 1, 0, synPacket(1));
            ByteBuffer cut = ByteBuffer.allocate(shortQuote.remaining() - 4).put(shortQuote.duplicate().limit(shortQuote.remaining() - 4)).flip();
            cut.putShort(2, (short) cut.remaining()).putShort(10, (short) 0);
            cut.putShort(10, (short) Packets.Checksum.finish(Packets.Checksum.add(0, cut, 0, 20)));
            cut.putShort(22, (short) 0).putShort(22, (short) Packets.Checksum.finish(Packets.Checksum.add(0, cut, 20, cut.remaining() - 20)));
            refused(cut, "cut short");
            ByteBuffer udp = synPacket(1);
            udp.put(9, (byte) 17);
            refused(Icmp.emit(ROUTER, 3, 3, 0, udp), "not TCP");
            ByteBuffer notIcmp = synPacket(1);
            refused(notIcmp, "not ICMP");
        });
    }

    /** Flips a byte's bits and keeps the IPv4 header checksum right (the damage is in the ICMP part). */
    static ByteBuffer corrupt(ByteBuffer b, int at) {
        b.put(at, (byte) ~b.get(at));
        return b;
    }

    static void refused(ByteBuffer packet, String expected) {
        try {
            Icmp.parse(packet);
        } catch (Icmp.Refused r) {
            Check.isTrue(r.reason().contains(expected), "reason containing '" + expected + "', got: " + r.reason());
            return;
        }
        throw new Check.Failure("expected a refusal: " + expected);
    }

    // ------------------------------------------------------------------ what a connection does

    static TcpConfig config() { return TcpConfig.defaults().withReceiveBuffer(65535).withWindowScaling(false); }

    /** An ICMP error from the router about a segment the side sent, quoting seq. */
    static Icmp.Error error(FakeLink.Side side, int type, int code, int mtu, int seq) {
        return new Icmp.Error(ROUTER, type, code, mtu, CLIENT, SERVER, side.conn.localPort, side.conn.remotePort, seq, 1500);
    }

    static void deliver(FakeLink link, FakeLink.Side side, Icmp.Error e) {
        side.conn.onIcmp(e, link.now, side);
        side.settle();
    }

    static List<TcpEvent.IcmpError> icmpEvents(FakeLink.Side side) { return side.eventsOf(TcpEvent.IcmpError.class); }

    static void connections() {
        Check.test("SYN-SENT, host unreachable quoting our SYN: the connect fails at once with 'No route to host' (MUST-54)", () -> {
            FakeLink link = new FakeLink(config());
            link.client.open(C);
            deliver(link, link.client, error(link.client, 3, 1, 0, C));
            Check.equal(TcpState.CLOSED, link.client.state(), "state");
            TcpEvent.Closed closed = link.client.closedEvent();
            Check.equal(TcpEvent.CloseReason.UNREACHABLE, closed.reason(), "reason");
            Check.equal("No route to host (ICMP host unreachable from 198.18.1.254)", closed.detail(), "detail");
            Check.equal(TcpConnection.NEVER, link.client.conn.nextDeadline(), "no timer left");
        });

        Check.test("SYN-SENT, port unreachable: 'Connection refused', as a kernel connect()", () -> {
            FakeLink link = new FakeLink(config());
            link.client.open(C);
            deliver(link, link.client, error(link.client, 3, 3, 0, C));
            Check.equal("Connection refused (ICMP port unreachable from 198.18.1.254)", link.client.closedEvent().detail(), "detail");
        });

        Check.test("RFC 5927: an ICMP quoting a sequence number we never sent is ignored, the connect goes on", () -> {
            FakeLink link = new FakeLink(config());
            link.client.open(C);
            deliver(link, link.client, error(link.client, 3, 1, 0, C + 1));
            deliver(link, link.client, error(link.client, 3, 1, 0, C - 1));
            Check.equal(TcpState.SYN_SENT, link.client.state(), "state");
            Check.equal(2, icmpEvents(link.client).size(), "two reports");
            Check.isTrue(icmpEvents(link.client).get(0).action().startsWith("ignored: it quotes seq"), "reason: " + icmpEvents(link.client).get(0).action());
        });

        Check.test("ESTABLISHED: port unreachable (hard) and net unreachable (soft) are reported, the connection goes on (MUST-56, SHLD-25)", () -> {
            FakeLink link = established();
            link.client.send(new byte[1000]);
            int inFlight = link.client.conn.sndUna();
            deliver(link, link.client, error(link.client, 3, 3, 0, inFlight));
            deliver(link, link.client, error(link.client, 3, 0, 0, inFlight));
            deliver(link, link.client, error(link.client, Icmp.TIME_EXCEEDED, 0, 0, inFlight));
            Check.equal(TcpState.ESTABLISHED, link.client.state(), "state");
            List<TcpEvent.IcmpError> events = icmpEvents(link.client);
            Check.equal(3, events.size(), "three reports");
            Check.isTrue(events.get(0).action().startsWith("hard error, treated as soft"), events.get(0).action());
            Check.isTrue(events.get(1).action().startsWith("soft error"), events.get(1).action());
            link.deliverAll();
            Check.equal(1000, link.server.receivedBytes().length, "the data still arrives");
        });

        Check.test("SYN-RECEIVED: a hard error (port unreachable) drops the half-open connection; a soft one does not", () -> {
            FakeLink link = new FakeLink(config());
            link.server.listen(S);
            link.client.open(C);
            link.deliverNext(link.client);
            Check.equal(TcpState.SYN_RECEIVED, link.server.state(), "server state");
            deliver(link, link.server, error(link.server, 3, 1, 0, S));
            Check.equal(TcpState.SYN_RECEIVED, link.server.state(), "after host unreachable");
            deliver(link, link.server, error(link.server, 3, 3, 0, S));
            Check.equal(TcpState.CLOSED, link.server.state(), "after port unreachable");
            Check.equal(TcpEvent.CloseReason.UNREACHABLE, link.server.closedEvent().reason(), "reason");
        });
    }

    static FakeLink established() {
        FakeLink link = new FakeLink(config());
        link.server.listen(S);
        link.client.open(C);
        link.deliverAll();
        Check.equal(TcpState.ESTABLISHED, link.client.state(), "client established");
        return link;
    }

    static void pathMtu() {
        Check.test("fragmentation needed (MTU 1280) while 1460-byte segments fly: MSS 1240, the data goes again at once in 1240-byte segments (RFC 1191)", () -> {
            FakeLink link = established();
            int options = 1460 - link.client.conn.sendMss(); // 12 with timestamps (RFC 7323), else 0
            link.client.send(new byte[4000]);
            List<Packets.Tcp> first = link.client.queued();
            Check.isTrue(first.get(0).payload().length == 1460 - options, "first segment full-sized");
            link.clearQueues(); // the router dropped them all
            int mark = link.client.mark();
            int una = link.client.conn.sndUna();
            deliver(link, link.client, error(link.client, 3, 4, 1280, una));
            Check.equal(1240 - options, link.client.conn.sendMss(), "MSS after: 1280 - 40, less the options");
            List<Packets.Tcp> again = link.client.sentSince(mark);
            Check.isTrue(!again.isEmpty(), "segments sent at once, before any timer");
            Check.equal(una, again.get(0).seq(), "from SND.UNA");
            for (Packets.Tcp s : again) Check.isTrue(s.payload().length <= 1240 - options, "segment of " + s.payload().length + " bytes");
            link.runUntilQuiet();
            Check.equal(4000, link.server.receivedBytes().length, "all 4000 bytes arrive");
            Check.isTrue(icmpEvents(link.client).get(0).action().contains("path MTU 1280: send MSS " + (1460 - options) + " -> " + (1240 - options)),
                    icmpEvents(link.client).get(0).action());
        });

        Check.test("fragmentation needed: a larger MTU never raises the MSS; MTU 0 uses RFC 1191's plateaus; never below 68 bytes", () -> {
            FakeLink link = established();
            link.client.send(new byte[100]);
            int una = link.client.conn.sndUna();
            int options = 1460 - link.client.conn.sendMss();
            deliver(link, link.client, error(link.client, 3, 4, 9000, una));
            Check.equal(1460 - options, link.client.conn.sendMss(), "after MTU 9000");
            deliver(link, link.client, error(link.client, 3, 4, 0, una)); // the quoted datagram was 1500 bytes
            Check.equal(1492 - 40 - options, link.client.conn.sendMss(), "after MTU 0: the plateau below 1500");
            deliver(link, link.client, error(link.client, 3, 4, 40, una));
            Check.equal(68 - 40 - options, link.client.conn.sendMss(), "after MTU 40: 68 at least");
            Check.equal(TcpState.ESTABLISHED, link.client.state(), "state");
        });
    }
}
