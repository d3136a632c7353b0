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
        wireV6();
        connectionsV6();
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
            Check.equal(IpAddress.v4(ROUTER), e.from(), "from");
            Check.equal(IpAddress.v4(CLIENT), e.source(), "quoted source");
            Check.equal(IpAddress.v4(SERVER), e.destination(), "quoted destination");
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
        return new Icmp.Error(IpAddress.v4(ROUTER), type, code, mtu, IpAddress.v4(CLIENT), IpAddress.v4(SERVER), side.conn.localPort, side.conn.remotePort, seq, 1500);
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

    // ------------------------------------------------------------------ ICMPv6 (RFC 4443)

    // Built by scapy 2.5 (c = fd00:198:18::2, s = fd00:198:19::1, r = fd00:198:18::fe):
    // IPv6(src=r,dst=c)/ICMPv6DestUnreach(code=0)/IPv6(src=c,dst=s)/TCP(sport=40000,dport=5000,
    //   seq=0x01020304,flags="S",window=64800,options=[("MSS",1440)])
    static final String V6_NO_ROUTE = "6000000000483a40fd0001980018000000000000000000fefd000198001800000000000000000002"
            + "010099e100000000" + "6000000000180640fd000198001800000000000000000002fd000198001900000000000000000001"
            + "9c40138801020304000000006002fd20e9e50000020405a0";
    // IPv6(src=r,dst=c)/ICMPv6PacketTooBig(mtu=1280)/IPv6(src=c,dst=s)/TCP(sport=40000,dport=5000,
    //   seq=0x0a0b0c0d,ack=1,flags="PA",window=500)/(b"x"*24)
    static final String V6_TOO_BIG = "60000000005c3a40fd0001980018000000000000000000fefd000198001800000000000000000002"
            + "020093cd00000500" + "60000000002c0640fd000198001800000000000000000002fd000198001900000000000000000001"
            + "9c4013880a0b0c0d00000001501801f444d40000787878787878787878787878787878787878787878787878";
    // IPv6(src=r,dst=c)/ICMPv6TimeExceeded(code=0)/IPv6(src=c,dst=s)/IPv6ExtHdrHopByHop()/IPv6ExtHdrDestOpt()
    //   /TCP(sport=40000,dport=5000,seq=7,flags="S")
    static final String V6_TIME_EXCEEDED = "6000000000543a40fd0001980018000000000000000000fefd000198001800000000000000000002"
            + "030059bd00000000" + "6000000000240040fd000198001800000000000000000002fd000198001900000000000000000001"
            + "3c00010400000000" + "0600010400000000" + "9c401388000000070000000050022000e2ad0000";
    // IPv6(src=r,dst=c)/ICMPv6EchoRequest() and IPv6(src=r,dst=c)/ICMPv6ND_NS(tgt=c)
    static final String V6_ECHO = "6000000000083a40fd0001980018000000000000000000fefd0001980018000000000000000000028000815b00000000";
    static final String V6_NEIGHBOUR_SOLICITATION = "6000000000183afffd0001980018000000000000000000fefd000198001800000000000000000002"
            + "87007b9800000000fd000198001800000000000000000002";
    static final IpAddress C6 = IpAddress.parse("fd00:198:18::2"), S6 = IpAddress.parse("fd00:198:19::1"), R6 = IpAddress.parse("fd00:198:18::fe");

    static ByteBuffer hex(String h) {
        byte[] b = new byte[h.length() / 2];
        for (int i = 0; i < b.length; i++) b[i] = (byte) Integer.parseInt(h.substring(2 * i, 2 * i + 2), 16);
        return ByteBuffer.wrap(b);
    }

    static String hexOf(ByteBuffer b) {
        StringBuilder s = new StringBuilder();
        for (int i = b.position(); i < b.limit(); i++) s.append(String.format("%02x", b.get(i)));
        return s.toString();
    }

    /** The quoted packet of a scapy vector: what follows the 40-byte IPv6 and 8-byte ICMPv6 headers. */
    static ByteBuffer quoteOf(String vector) { return hex(vector.substring(2 * 48)); }

    static void wireV6() {
        Check.test("ICMPv6 no route to destination (scapy's bytes): router, the quoted 4-tuple and seq; Linux's ENETUNREACH, soft", () -> {
            Check.isTrue(Icmp.isIcmp(hex(V6_NO_ROUTE)), "seen as ICMPv6 (next header 58)");
            Icmp.Error e = Icmp.parse(hex(V6_NO_ROUTE));
            Check.isTrue(e.v6(), "v6");
            Check.equal(R6, e.from(), "from");
            Check.equal(C6, e.source(), "quoted source");
            Check.equal(S6, e.destination(), "quoted destination");
            Check.equal(40000, e.sourcePort(), "quoted source port");
            Check.equal(5000, e.destinationPort(), "quoted destination port");
            Check.equal(0x01020304, e.seq(), "quoted seq");
            Check.equal(64, e.quotedLength(), "quoted packet: 40 + 24");
            Check.equal("no route to destination", e.describe(), "words");
            Check.equal("Network is unreachable", e.errnoText(), "Linux's text (ENETUNREACH)");
            Check.isTrue(!e.hard(), "soft, as icmpv6_err_convert");
            Check.isTrue(!e.isFragmentationNeeded(), "not packet too big");
            Check.equal(V6_NO_ROUTE, hexOf(Icmp.emitV6(R6, 1, 0, 0, quoteOf(V6_NO_ROUTE))), "emitV6 builds scapy's bytes, checksum included");
        });

        Check.test("ICMPv6 packet too big (scapy's bytes): MTU 1280 read from the 32-bit field, the quoted data segment's seq", () -> {
            Icmp.Error e = Icmp.parse(hex(V6_TOO_BIG));
            Check.isTrue(e.isFragmentationNeeded(), "the path MTU message");
            Check.equal(1280, e.nextHopMtu(), "MTU");
            Check.equal(0x0a0b0c0d, e.seq(), "quoted seq");
            Check.equal("packet too big (MTU 1280)", e.describe(), "words");
            Check.isTrue(!e.hard(), "soft");
            Check.equal(V6_TOO_BIG, hexOf(Icmp.emitV6(R6, 2, 0, 1280, quoteOf(V6_TOO_BIG))), "emitV6 builds scapy's bytes");
        });

        Check.test("ICMPv6 time exceeded quoting a SYN behind hop-by-hop and destination options: the chain is walked to TCP", () -> {
            Icmp.Error e = Icmp.parse(hex(V6_TIME_EXCEEDED));
            Check.isTrue(e.isTimeExceeded(), "time exceeded");
            Check.equal(7, e.seq(), "quoted seq");
            Check.equal(40000, e.sourcePort(), "quoted source port");
            Check.equal("hop limit exceeded in transit", e.describe(), "words");
            Check.equal("No route to host", e.errnoText(), "EHOSTUNREACH, as Linux");
        });

        Check.test("every ICMPv6 destination-unreachable code has Linux's errno and hardness (icmpv6_err_convert)", () -> {
            String[] texts = {"Network is unreachable", "Permission denied", "No route to host", "No route to host",
                    "Connection refused", "Permission denied", "Permission denied"};
            boolean[] fatal = {false, true, false, false, true, true, true};
            for (int code = 0; code <= 6; code++) {
                Icmp.Error e = Icmp.parse(Icmp.emitV6(R6, 1, code, 0, quoteOf(V6_NO_ROUTE)));
                Check.equal(texts[code], e.errnoText(), "code " + code);
                Check.equal(fatal[code], e.hard(), "code " + code + " fatal");
            }
            Icmp.Error past = Icmp.parse(Icmp.emitV6(R6, 1, 7, 0, quoteOf(V6_NO_ROUTE)));
            Check.equal("Protocol error", past.errnoText(), "code 7: EPROTO");
            Check.isTrue(past.hard(), "code 7 fatal");
        });

        Check.test("ICMPv6 refused with a reason: echo, neighbour solicitation, bad checksum, cut-short quote, quoted UDP", () -> {
            refused(hex(V6_ECHO), "type 128");
            refused(hex(V6_NEIGHBOUR_SOLICITATION), "type 135");
            refused(corrupt(hex(V6_NO_ROUTE), 60), "bad ICMPv6 checksum");
            ByteBuffer quote = quoteOf(V6_NO_ROUTE);
            refused(Icmp.emitV6(R6, 1, 0, 0, quote.limit(quote.limit() - 20)), "cut short");
            ByteBuffer udp = quoteOf(V6_NO_ROUTE);
            udp.put(6, (byte) 17);
            refused(Icmp.emitV6(R6, 1, 0, 0, udp), "not TCP");
        });

        Check.test("an IPv6 TCP segment from 2001:db8:: (byte 9 is 0x01, ICMP's number in IPv4) is not taken for ICMP", () -> {
            ByteBuffer syn = hex(V6_NO_ROUTE.substring(2 * 48));
            IpAddress.parse("2001:db8::2").put(syn, 8);
            Check.isTrue(!Icmp.isIcmp(syn), "IPv6 TCP is not ICMP");
            Check.isTrue(Icmp.isIcmp(Icmp.emit(ROUTER, 3, 1, 0, synPacket(1))), "IPv4 ICMP is");
            Check.isTrue(!Icmp.isIcmp(synPacket(1)), "IPv4 TCP is not");
        });
    }

    /** An ICMPv6 error from the router about a segment the side sent, quoting seq. */
    static Icmp.Error error6(FakeLink.Side side, int type, int code, int mtu, int seq) {
        return new Icmp.Error(R6, type, code, mtu, C6, S6, side.conn.localPort, side.conn.remotePort, seq, 1500);
    }

    static void connectionsV6() {
        Check.test("IPv6 SYN-SENT, ICMPv6 no route quoting our SYN: the connect fails at once with 'Network is unreachable' (MUST-54)", () -> {
            FakeLink link = new FakeLink(config());
            link.client.open(C);
            deliver(link, link.client, error6(link.client, 1, 0, 0, C));
            Check.equal(TcpState.CLOSED, link.client.state(), "state");
            Check.equal("Network is unreachable (ICMP no route to destination from fd00:198:18::fe)",
                    link.client.closedEvent().detail(), "detail");
        });

        Check.test("IPv6 ESTABLISHED: port unreachable (hard) is reported, the connection goes on; a stale seq is ignored (RFC 5927)", () -> {
            FakeLink link = established();
            link.client.send(new byte[1000]);
            int una = link.client.conn.sndUna();
            deliver(link, link.client, error6(link.client, 1, 4, 0, una));
            deliver(link, link.client, error6(link.client, 1, 4, 0, una - 5000));
            Check.equal(TcpState.ESTABLISHED, link.client.state(), "state");
            Check.isTrue(icmpEvents(link.client).get(0).action().startsWith("hard error, treated as soft"), icmpEvents(link.client).get(0).action());
            Check.isTrue(icmpEvents(link.client).get(1).action().startsWith("ignored: it quotes seq"), icmpEvents(link.client).get(1).action());
        });

        Check.test("IPv6 packet too big (MTU 1280): MSS = 1280 - 60 less options, sent again at once; below 1280 ignored (RFC 8201)", () -> {
            FakeLink link = established();
            int options = 1460 - link.client.conn.sendMss();
            link.client.send(new byte[4000]);
            link.clearQueues();
            int mark = link.client.mark();
            int una = link.client.conn.sndUna();
            deliver(link, link.client, error6(link.client, Icmp.V6_PACKET_TOO_BIG, 0, 1000, una));
            Check.equal(1460 - options, link.client.conn.sendMss(), "MTU 1000 < 1280: ignored");
            Check.isTrue(icmpEvents(link.client).get(0).action().contains("below IPv6's minimum MTU"), icmpEvents(link.client).get(0).action());
            deliver(link, link.client, error6(link.client, Icmp.V6_PACKET_TOO_BIG, 0, 1280, una));
            Check.equal(1220 - options, link.client.conn.sendMss(), "MSS after: 1280 - 60, less the options");
            List<Packets.Tcp> again = link.client.sentSince(mark);
            Check.isTrue(!again.isEmpty(), "sent again at once");
            Check.equal(una, again.get(0).seq(), "from SND.UNA");
            for (Packets.Tcp s : again) Check.isTrue(s.payload().length <= 1220 - options, "segment of " + s.payload().length + " bytes");
            link.runUntilQuiet();
            Check.equal(4000, link.server.receivedBytes().length, "all 4000 bytes arrive");
        });
    }
}
