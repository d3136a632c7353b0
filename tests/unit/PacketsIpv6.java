import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;

/**
 * IPv6 (RFC 8200) in the wire layer: byte-exact vectors, the pseudo-header checksum, extension
 * headers skipped, malformed packets refused with reasons. Run from PacketsTest (whose last test
 * checks that every Packets.Problem has a rejection test, these included).
 *
 * Every vector below was built by scapy 2.5 (python3-scapy), not by the code under test:
 *   from scapy.all import *
 *   IPv6(src="2001:db8::2", dst="2001:db8::1", hlim=64)/TCP(sport=40000, dport=5000,
 *       seq=0x01020304, flags="S", window=65535, options=[("MSS", 1220)])
 *   bytes(...).hex()
 * and scapy computed each TCP checksum over the IPv6 pseudo-header (RFC 8200 section 8.1).
 */
final class PacketsIpv6 {
    private PacketsIpv6() {}

    static final IpAddress CLIENT = IpAddress.parse("2001:db8::2"), SERVER = IpAddress.parse("2001:db8::1");

    /** The SYN: 2001:db8::2:40000 > 2001:db8::1:5000, seq 0x01020304, MSS 1220, hop limit 64. TCP checksum 0x89d3. */
    static final String SYN_HEX = "6000 0000 0018 0640"                      // version 6, flow 0, payload 24, TCP, hop limit 64
            + " 2001 0db8 0000 0000 0000 0000 0000 0002"                    // source
            + " 2001 0db8 0000 0000 0000 0000 0000 0001"                    // destination
            + " 9c40 1388 0102 0304 0000 0000 6002 ffff 89d3 0000 0204 04c4"; // TCP SYN, MSS 1220

    /** The SYN-ACK with flow label 0x12345: seq 0xa0b0c0d0, ack 0x01020305, MSS 1220. TCP checksum 0x2841. */
    static final String SYN_ACK_HEX = "6001 2345 0018 0640"
            + " 2001 0db8 0000 0000 0000 0000 0000 0001"
            + " 2001 0db8 0000 0000 0000 0000 0000 0002"
            + " 1388 9c40 a0b0 c0d0 0102 0305 6012 ffff 2841 0000 0204 04c4";

    /** Data "hello\n" with PSH, ACK; window 502. An odd payload length: the checksum pads it. TCP checksum 0xf92d. */
    static final String DATA_HEX = "6000 0000 001a 0640"
            + " 2001 0db8 0000 0000 0000 0000 0000 0002"
            + " 2001 0db8 0000 0000 0000 0000 0000 0001"
            + " 9c40 1388 0102 0305 a0b0 c0d1 5018 01f6 f92d 0000 6865 6c6c 6f0a";

    /**
     * The SYN behind three extension headers: hop-by-hop (8 bytes, PadN), routing (type 0, no
     * addresses, segments left 0) and destination options (8 bytes, PadN). The TCP checksum is the
     * SYN's: the pseudo-header's next header is TCP's 6, whatever the chain.
     */
    static final String EXTENSIONS_HEX = "6000 0000 0030 0040"                // payload 48, next header 0 (hop-by-hop)
            + " 2001 0db8 0000 0000 0000 0000 0000 0002"
            + " 2001 0db8 0000 0000 0000 0000 0000 0001"
            + " 2b00 0104 0000 0000"                                        // hop-by-hop: next 43, PadN 4
            + " 3c00 0000 0000 0000"                                        // routing: next 60, type 0, left 0
            + " 0600 0104 0000 0000"                                        // destination options: next 6, PadN 4
            + " 9c40 1388 0102 0304 0000 0000 6002 ffff 89d3 0000 0204 04c4";

    /** A first fragment (more fragments, id 7) of a SYN. */
    static final String FRAGMENT_HEX = "6000 0000 001c 2c40"
            + " 2001 0db8 0000 0000 0000 0000 0000 0002"
            + " 2001 0db8 0000 0000 0000 0000 0000 0001"
            + " 0600 0001 0000 0007"
            + " 9c40 1388 0102 0304 0000 0000 5002 ffff a09f 0000";

    static void run() {
        addresses();
        vectors();
        rejections();
    }

    static void addresses() {
        Check.test("IPv6 addresses: parsed and printed as RFC 5952 says, bracketed with a port", () -> {
            Check.equal("2001:db8::1", SERVER.toString(), "text");
            Check.equal("::1", IpAddress.parse("::1").toString(), "loopback");
            Check.equal("::", IpAddress.parse("::").toString(), "any");
            Check.equal("[::1]:5000", IpAddress.parse("::1").withPort(5000), "with port");
            Check.equal("198.18.0.1:5000", IpAddress.parse("198.18.0.1").withPort(5000), "IPv4 with port");
            Check.equal("fd00:0:1::2", IpAddress.parse("FD00:0000:0001:0000:0000:0000:0000:0002").toString(), "longest zero run");
            Check.equal("2001:db8:0:1:1:1:1:1", IpAddress.parse("2001:db8:0:1:1:1:1:1").toString(), "one zero group stays");
            Check.equal("1:0:0:2::3", IpAddress.parse("1:0:0:2:0:0:0:3").toString(), "the longest run (RFC 5952 4.2.3)");
            Check.equal("1::2:0:0:3:4", IpAddress.parse("1:0:0:2:0:0:3:4").toString(), "the first of equal runs");
            Check.equal(IpAddress.parse("::ffff:c612:1"), IpAddress.parse("::ffff:198.18.0.1"), "dotted tail");
            Check.equal(IpAddress.parse("::1"), IpAddress.parse("[::1]"), "brackets");
            Check.isTrue(IpAddress.parse("::").isAny(), ":: is any");
            Check.isTrue(IpAddress.parse("ff02::1").isMulticastOrBroadcast(), "ff02::1 is multicast");
            Check.isTrue(!IpAddress.parse("::1").equals(IpAddress.parse("0.0.0.1")), "versions differ");
            for (String bad : List.of("1:2:3:4:5:6:7:8:9", "1::2::3", "12345::", "g::1", ":1", "1:2:3:4:5:6:7"))
                Check.throwsA(IllegalArgumentException.class, () -> IpAddress.parse(bad), bad);
        });
    }

    static void vectors() {
        Check.test("IPv6 SYN (scapy's bytes) parses field by field", () -> {
            Packets.Packet p = PacketsTest.parse(Check.hex(SYN_HEX));
            Packets.Ipv6 ip = (Packets.Ipv6) p.ip();
            Check.equal(0, ip.trafficClass(), "traffic class");
            Check.equal(0, ip.flowLabel(), "flow label");
            Check.equal(24, ip.payloadLength(), "payload length");
            Check.equal(6, ip.nextHeader(), "next header");
            Check.equal(64, ip.hopLimit(), "hop limit");
            Check.equal(CLIENT, ip.source(), "source");
            Check.equal(SERVER, ip.destination(), "destination");
            Check.equal(40, ip.headerLength(), "header length");
            Packets.Tcp tcp = p.tcp();
            Check.equal(40000, tcp.sourcePort(), "source port");
            Check.equal(5000, tcp.destinationPort(), "destination port");
            Check.equal(0x01020304, tcp.seq(), "seq");
            Check.equal(Packets.SYN, tcp.flags(), "flags");
            Check.equal(1220, tcp.mss(), "MSS");
            Check.equal(0x89d3, tcp.checksum(), "checksum");
        });

        Check.test("IPv6 SYN, SYN-ACK (flow label 0x12345) and odd-length data emit byte for byte as scapy builds them", () -> {
            Packets.Tcp syn = Packets.Tcp.of(40000, 5000, 0x01020304, 0, Packets.SYN, 65535, List.of(new Packets.Mss(1220)), null);
            Check.bytes(Check.hex(SYN_HEX), PacketsTest.emitBytes(Packets.Ipv6.forTcp(CLIENT, SERVER, 0, 64), syn), "SYN");
            Check.bytes(Check.hex(SYN_HEX), PacketsTest.emitBytes(Packets.headerFor(CLIENT, SERVER, 0, 64), syn), "SYN by headerFor");
            Packets.Tcp synAck = Packets.Tcp.of(5000, 40000, 0xa0b0c0d0, 0x01020305, Packets.SYN | Packets.ACK, 65535,
                    List.of(new Packets.Mss(1220)), null);
            Check.bytes(Check.hex(SYN_ACK_HEX), PacketsTest.emitBytes(Packets.Ipv6.forTcp(SERVER, CLIENT, 0x12345, 64), synAck), "SYN-ACK");
            Packets.Tcp data = Packets.Tcp.of(40000, 5000, 0x01020305, 0xa0b0c0d1, Packets.PSH | Packets.ACK, 502,
                    List.of(), "hello\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            Check.bytes(Check.hex(DATA_HEX), PacketsTest.emitBytes(Packets.Ipv6.forTcp(CLIENT, SERVER, 0, 64), data), "data");
        });

        Check.test("IPv6 vectors re-emit byte for byte after parsing", () -> {
            for (String hex : List.of(SYN_HEX, SYN_ACK_HEX, DATA_HEX)) {
                Packets.Packet p = PacketsTest.parse(Check.hex(hex));
                Check.bytes(Check.hex(hex), PacketsTest.emitBytes(p.ip(), p.tcp()), "re-emitted " + hex.substring(0, 9));
            }
        });

        Check.test("IPv6 pseudo-header sum: addresses, 32-bit length, next header 6 (RFC 8200 8.1)", () -> {
            // By hand (python3: hex(0x2001 + 0xdb8 + 2 + 0x2001 + 0xdb8 + 1 + 0x18 + 6)) = 0x5b93
            Packets.Ipv6 ip = Packets.Ipv6.forTcp(CLIENT, SERVER, 0, 64);
            Check.equal(0x5b93, Packets.pseudoHeaderSum(ip, 24), "sum");
            // A length above 65535 (a jumbogram's) counts its upper 16 bits too.
            Check.equal(0x5b93 + 1, Packets.pseudoHeaderSum(ip, 0x10018), "upper length bits");
        });

        Check.test("IPv6 extension headers (hop-by-hop, routing, destination options) are skipped: the SYN behind them", () -> {
            Packets.Packet p = PacketsTest.parse(Check.hex(EXTENSIONS_HEX));
            Check.equal(64, p.ip().headerLength(), "40 + 3 x 8 bytes before TCP");
            Check.equal(0, ((Packets.Ipv6) p.ip()).nextHeader(), "first next header: hop-by-hop");
            Check.equal(PacketsTest.parse(Check.hex(SYN_HEX)).tcp(), p.tcp(), "the same segment");
            Check.equal(5000, Packets.peekDestinationPort(ByteBuffer.wrap(Check.hex(EXTENSIONS_HEX))), "peeked port");
        });

        Check.test("IPv6 link-layer padding past the payload length is not part of the packet", () -> {
            byte[] padded = Arrays.copyOf(Check.hex(SYN_HEX), 64 + 6);
            Check.equal(PacketsTest.parse(Check.hex(SYN_HEX)).tcp(), PacketsTest.parse(padded).tcp(), "padding ignored");
        });

        Check.test("peekDestinationPort reads IPv6 packets, and a first fragment's port", () -> {
            Check.equal(5000, Packets.peekDestinationPort(ByteBuffer.wrap(Check.hex(SYN_HEX))), "SYN");
            Check.equal(5000, Packets.peekDestinationPort(ByteBuffer.wrap(Check.hex(FRAGMENT_HEX))), "first fragment");
            Check.equal(-1, Packets.peekDestinationPort(ByteBuffer.wrap(Arrays.copyOf(Check.hex(SYN_HEX), 39))), "short");
        });
    }

    static void rejections() {
        byte[] syn = Check.hex(SYN_HEX);
        Check.test("IPv6: a truncated header, a payload length past the packet, are refused", () -> {
            PacketsTest.rejects(Arrays.copyOf(syn, 39), Packets.Problem.TRUNCATED_IP_HEADER);
            PacketsTest.rejects(edit(syn, b -> b[5] = 25), Packets.Problem.BAD_PAYLOAD_LENGTH);
            PacketsTest.rejects(Arrays.copyOf(syn, 63), Packets.Problem.BAD_PAYLOAD_LENGTH);
            PacketsTest.rejects(edit(syn, b -> { b[4] = (byte) 0xff; b[5] = (byte) 0xff; }), Packets.Problem.BAD_PAYLOAD_LENGTH);
        });
        Check.test("IPv6: a payload too short for TCP, a wrong checksum, a multicast source are refused", () -> {
            PacketsTest.rejects(edit(syn, b -> b[5] = 19), Packets.Problem.TRUNCATED_TCP_HEADER);
            PacketsTest.rejects(edit(syn, b -> b[40 + 16] ^= 1), Packets.Problem.BAD_TCP_CHECKSUM);
            // The checksum covers the addresses through the pseudo-header.
            PacketsTest.rejects(edit(syn, b -> b[39] = 3), Packets.Problem.BAD_TCP_CHECKSUM);
            byte[] multicast = PacketsTest.emitBytes(Packets.Ipv6.forTcp(IpAddress.parse("ff02::1"), SERVER, 0, 64),
                    Packets.Tcp.of(40000, 5000, 1, 0, Packets.SYN, 65535, List.of(), null));
            PacketsTest.rejects(multicast, Packets.Problem.BAD_SOURCE_ADDRESS);
        });
        Check.test("IPv6: an extension header chain that runs past the packet is refused", () -> {
            byte[] ext = Check.hex(EXTENSIONS_HEX);
            // The destination options header claims 16 bytes, past the packet's end (8 + 20 + 4 left).
            PacketsTest.rejects(edit(ext, b -> b[40 + 17] = 100), Packets.Problem.BAD_EXTENSION_HEADER);
            // The chain ends in the payload with no room for the next header's first 8 bytes.
            byte[] chainOnly = Arrays.copyOf(ext, 40 + 16);
            chainOnly[5] = 16;
            PacketsTest.rejects(chainOnly, Packets.Problem.BAD_EXTENSION_HEADER);
            // Hop-by-hop anywhere but first (RFC 8200 4.3).
            PacketsTest.rejects(edit(ext, b -> b[40 + 8] = 0), Packets.Problem.BAD_EXTENSION_HEADER);
        });
        Check.test("IPv6: a fragment is refused (not reassembled), and so is a next header that is not TCP", () -> {
            PacketsTest.rejects(Check.hex(FRAGMENT_HEX), Packets.Problem.FRAGMENT);
            PacketsTest.rejects(edit(syn, b -> b[6] = 17), Packets.Problem.NOT_TCP);
            PacketsTest.rejects(edit(syn, b -> b[6] = 59), Packets.Problem.NOT_TCP); // "No Next Header"
            byte[] ext = Check.hex(EXTENSIONS_HEX);
            PacketsTest.rejects(edit(ext, b -> b[40 + 16] = 58), Packets.Problem.NOT_TCP); // ICMPv6 behind the chain
        });
    }

    interface Edit { void apply(byte[] b); }

    static byte[] edit(byte[] packet, Edit e) {
        byte[] b = packet.clone();
        e.apply(b);
        return b;
    }
}
