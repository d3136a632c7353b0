import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Tests of the wire layer (Packets.java) and of Seq.java.
 *
 * Expected bytes and checksums are derived outside the code under test: by hand (python3
 * arithmetic shown in the comments) and confirmed with tshark. Packets that the rejection tests
 * corrupt get their checksums repaired by this file's own RFC 1071 code (sum16 below), never by
 * Packets.Checksum, so that each test exercises exactly one fault.
 */
final class PacketsTest {
    private PacketsTest() {}

    // 198.18.0.2 (client) and 198.18.0.1 (server), RFC 2544 benchmarking addresses.
    static final int CLIENT = 0xc6120002, SERVER = 0xc6120001;

    /*
     * The four vectors below were laid out field by field with python3's struct.pack and summed by
     * hand (sum of big-endian 16-bit words, carries folded back, complemented), then written to a
     * pcap (magic a1b2c3d4, version 2.4, snaplen 65535, linktype 228 = raw IPv4) and read with
     *   tshark -r vectors.pcap -o tcp.check_checksum:TRUE -o ip.check_checksum:TRUE -V
     * which printed, among others, for each frame:
     *
     * SYN: IPv4 header checksum, words with the checksum field as 0:
     *   4500 + 002c + 1234 + 4000 + 4006 + 0000 + c612 + 0002 + c612 + 0001 = 0x2638d
     *   fold: 0x638d + 0x2 = 0x638f, complement: 0x9c70
     * TCP checksum, pseudo-header (src, dst, 0006, TCP length 0x0018) then the segment:
     *   c612 + 0002 + c612 + 0001 + 0006 + 0018 + 9c40 + 1388 + 0102 + 0304 + 0000 + 0000
     *   + 6002 + ffff + 0000 + 0000 + 0204 + 05b4 = 0x3a7cc, fold 0xa7cf, complement 0x5830
     * tshark, frame 1:
     *   Total Length: 44 / Identification: 0x1234 (4660) / .1.. .... = Don't fragment: Set
     *   Time to Live: 64 / Header Checksum: 0x9c70 [correct] / [Header checksum status: Good]
     *   Source Port: 40000 / Destination Port: 5000 / Sequence Number (raw): 16909060
     *   0110 .... = Header Length: 24 bytes (6) / Flags: 0x002 (SYN) / Window: 65535
     *   Checksum: 0x5830 [correct] / [Checksum Status: Good]
     *   TCP Option - Maximum segment size: 1460 bytes
     */
    static final String SYN_HEX =
            "4500 002c 1234 4000 4006 9c70 c612 0002 c612 0001"    // IPv4: id 0x1234, DF, TTL 64, TCP
            + " 9c40 1388 0102 0304 0000 0000 6002 ffff 5830 0000" // TCP: 40000 > 5000, doff 6, SYN
            + " 0204 05b4";                                         // MSS 1460

    /*
     * SYN-ACK: 198.18.0.1:5000 > 198.18.0.2:40000, seq 0xa0b0c0d0, ack 0x01020305, IP id 0, MSS 1460.
     *   IP:  4500 + 002c + 0000 + 4000 + 4006 + 0000 + c612 + 0001 + c612 + 0002 = 0x25159
     *        fold 0x515b, complement 0xaea4
     *   TCP: c612 + 0001 + c612 + 0002 + 0006 + 0018 + 1388 + 9c40 + a0b0 + c0d0 + 0102 + 0305
     *        + 6012 + ffff + 0000 + 0000 + 0204 + 05b4 = 0x5095d, fold 0x0962, complement 0xf69d
     * tshark, frame 2: Header Checksum: 0xaea4 [correct] / Sequence Number (raw): 2695938256 /
     *   Acknowledgment number (raw): 16909061 / Flags: 0x012 (SYN, ACK) /
     *   Checksum: 0xf69d [correct] / [Checksum Status: Good] / Maximum segment size: 1460 bytes
     */
    static final String SYN_ACK_HEX =
            "4500 002c 0000 4000 4006 aea4 c612 0001 c612 0002"
            + " 1388 9c40 a0b0 c0d0 0102 0305 6012 ffff f69d 0000"
            + " 0204 05b4";

    /*
     * PSH-ACK carrying "hello" (5 bytes: the TCP length 0x19 is odd, so the last word is 6f00).
     *   IP:  4500 + 002d + 1235 + 4000 + 4006 + 0000 + c612 + 0002 + c612 + 0001 = 0x2638f
     *        fold 0x6391, complement 0x9c6e
     *   TCP: c612 + 0002 + c612 + 0001 + 0006 + 0019 + 9c40 + 1388 + 0102 + 0305 + a0b0 + c0d1
     *        + 5018 + ffff + 0000 + 0000 + 6865 + 6c6c + 6f00 = 0x6357e, fold 0x3584, complement 0xca7b
     * tshark, frame 3: Total Length: 45 / Header Checksum: 0x9c6e [correct] / Flags: 0x018 (PSH, ACK) /
     *   Checksum: 0xca7b [correct] / [Checksum Status: Good] / TCP payload (5 bytes)
     */
    static final String ODD_HEX =
            "4500 002d 1235 4000 4006 9c6e c612 0002 c612 0001"
            + " 9c40 1388 0102 0305 a0b0 c0d1 5018 ffff ca7b 0000"
            + " 6865 6c6c 6f";

    /*
     * A SYN as Linux lays out its options: MSS 1460, SACK-permitted, timestamps (TSval 0x5c3e1a2b,
     * TSecr 0), NOP, window scale 7; data offset 10; window 64240; IP id 0xbeef.
     *   IP checksum: sum fold 0x105b, complement 0xefa4. TCP checksum: fold 0x02e8, complement 0xfd17.
     * tshark, frame 4: Header Checksum: 0xefa4 [correct] / Sequence Number (raw): 3735928559 /
     *   1010 .... = Header Length: 40 bytes (10) / Window: 64240 / Checksum: 0xfd17 [correct] /
     *   Options: (20 bytes), Maximum segment size, SACK permitted, Timestamps, No-Operation (NOP),
     *   Window scale / Timestamp value: 1547573803 / Window scale: 7 (multiply by 128)
     */
    static final String LINUX_SYN_HEX =
            "4500 003c beef 4000 4006 efa4 c612 0002 c612 0001"
            + " 9c40 1388 dead beef 0000 0000 a002 faf0 fd17 0000"
            + " 0204 05b4 0402 080a 5c3e 1a2b 0000 0000 0103 0307";

    public static void main(String[] args) {
        Check.suite("Packets");
        long started = System.nanoTime();

        vectors();
        checksums();
        roundTrips();
        rejections();
        parseContract();
        seq();
        printingAndAddresses();
        PacketsIpv6.run();

        // Runs last: every Problem must have been produced by at least one rejection test above.
        Check.test("every Packets.Problem value is produced by some rejection test", () -> {
            Set<Packets.Problem> missing = EnumSet.allOf(Packets.Problem.class);
            missing.removeAll(SEEN);
            Check.isTrue(missing.isEmpty(), "rejection tests for " + missing);
        });
        System.out.printf("PacketsTest took %d ms%n", (System.nanoTime() - started) / 1_000_000);
        Check.finish();
    }

    // ================================================================ byte-exact vectors

    static void vectors() {
        Check.test("SYN 198.18.0.2:40000 > 198.18.0.1:5000 emits the 44 derived bytes", () -> {
            byte[] wire = emitBytes(Packets.Ipv4.forTcp(CLIENT, SERVER, 0x1234, 64),
                    Packets.Tcp.of(40000, 5000, 0x01020304, 0, Packets.SYN, 65535,
                            List.of(new Packets.Mss(1460)), null));
            Check.bytes(Check.hex(SYN_HEX), wire, "SYN");
        });

        Check.test("SYN-ACK 198.18.0.1:5000 > 198.18.0.2:40000 emits the 44 derived bytes", () -> {
            byte[] wire = emitBytes(Packets.Ipv4.forTcp(SERVER, CLIENT, 0, 64),
                    Packets.Tcp.of(5000, 40000, 0xa0b0c0d0, 0x01020305, Packets.SYN | Packets.ACK, 65535,
                            List.of(new Packets.Mss(1460)), null));
            Check.bytes(Check.hex(SYN_ACK_HEX), wire, "SYN-ACK");
        });

        Check.test("PSH-ACK with an odd 5-byte payload emits the 45 derived bytes (checksum padding)", () -> {
            byte[] wire = emitBytes(Packets.Ipv4.forTcp(CLIENT, SERVER, 0x1235, 64),
                    Packets.Tcp.of(40000, 5000, 0x01020305, 0xa0b0c0d1, Packets.PSH | Packets.ACK, 65535,
                            List.of(), "hello".getBytes()));
            Check.bytes(Check.hex(ODD_HEX), wire, "PSH-ACK hello");
        });

        Check.test("emit writes at the buffer's position, returns the length and advances by it", () -> {
            for (ByteBuffer out : List.of(ByteBuffer.allocate(100), ByteBuffer.allocateDirect(100))) {
                out.position(7);
                int n = Packets.emit(out, Packets.Ipv4.forTcp(CLIENT, SERVER, 0x1234, 64),
                        Packets.Tcp.of(40000, 5000, 0x01020304, 0, Packets.SYN, 65535,
                                List.of(new Packets.Mss(1460)), null));
                Check.equal(44, n, "returned length");
                Check.equal(51, out.position(), "position after emit");
                byte[] got = new byte[51];
                out.get(0, got);
                byte[] expected = new byte[51];
                System.arraycopy(Check.hex(SYN_HEX), 0, expected, 7, 44); // the 7 bytes before stay 0
                Check.bytes(expected, got, "buffer contents (" + (out.isDirect() ? "direct" : "heap") + ")");
            }
        });

        Check.test("the derived SYN parses to the fields it was built from", () -> {
            Packets.Packet p = parse(Check.hex(SYN_HEX));
            Check.equal(new Packets.Ipv4(0, 44, 0x1234, 0x4000, 64, 6, 0x9c70, CLIENT, SERVER, 20), p.ip(), "ip");
            Check.equal(new Packets.Tcp(40000, 5000, 0x01020304, 0, 6, 0, Packets.SYN, 65535, 0x5830, 0,
                    List.of(new Packets.Mss(1460)), new byte[0]), p.tcp(), "tcp");
            Check.equal(1460, p.tcp().mss(), "mss()");
            Check.equal(1, p.tcp().segmentLength(), "SYN occupies one sequence number");
        });

        Check.test("the derived PSH-ACK with odd payload parses, payload \"hello\"", () -> {
            Packets.Packet p = parse(Check.hex(ODD_HEX));
            Check.equal(new Packets.Tcp(40000, 5000, 0x01020305, 0xa0b0c0d1, 5, 0, Packets.PSH | Packets.ACK,
                    65535, 0xca7b, 0, List.of(), "hello".getBytes()), p.tcp(), "tcp");
            Check.equal(5, p.tcp().segmentLength(), "segment length");
            Check.equal(-1, p.tcp().mss(), "no MSS option");
        });

        Check.test("the receive path's parse reuses its payload array for payloads of one length, and the bytes are the packet's", () -> {
            Packets.PayloadArrays reuse = new Packets.PayloadArrays();
            Packets.Packet first = Packets.parse(ByteBuffer.wrap(Check.hex(ODD_HEX)), true, reuse);
            byte[] array = first.tcp().payload();
            Check.bytes("hello".getBytes(), array, "first payload");
            Packets.Packet second = Packets.parse(ByteBuffer.wrap(Check.hex(ODD_HEX)), true, reuse);
            Check.isTrue(second.tcp().payload() == array, "the same array again: no allocation for the payload");
            Check.bytes("hello".getBytes(), second.tcp().payload(), "second payload");
            Check.isTrue(parse(Check.hex(ODD_HEX)).tcp().payload() != parse(Check.hex(ODD_HEX)).tcp().payload(),
                    "without reuse, each parse has its own array");
        });

        Check.test("the payload arrays serve every length a coalescing kernel sender makes (k x 1448 bytes), each again the second time, and hold little whatever comes", () -> {
            Packets.PayloadArrays reuse = new Packets.PayloadArrays();
            byte[][] first = new byte[46][];
            for (int k = 1; k <= 45; k++) first[k] = reuse.forLength(k * 1448);
            for (int k = 1; k <= 45; k++) {
                byte[] again = reuse.forLength(k * 1448);
                Check.isTrue(again == first[k], "the same array for " + k + " x 1448 bytes");
                Check.equal(k * 1448, again.length, "its length");
            }
            for (int n = 0; n <= 65535; n++) Check.equal(n, reuse.forLength(n).length, "an array of exactly the length asked");
            Check.isTrue(reuse.bytesHeld() <= 65 * 1024 * 33, "bounded: " + reuse.bytesHeld() + " bytes held");
        });

        Check.test("Linux SYN (MSS, SACK_PERM, TS, NOP, WS 7) parses field by field", () -> {
            Packets.Packet p = parse(Check.hex(LINUX_SYN_HEX));
            Packets.Ipv4 ip = p.ipv4();
            Check.equal(0, ip.tos(), "tos");
            Check.equal(60, ip.totalLength(), "total length");
            Check.equal(0xbeef, ip.identification(), "identification");
            Check.equal(0x4000, ip.flagsAndFragment(), "flags and fragment (DF)");
            Check.equal(64, ip.ttl(), "ttl");
            Check.equal(6, ip.protocol(), "protocol");
            Check.equal(0xefa4, ip.checksum(), "ip checksum");
            Check.equal(CLIENT, ip.source(), "source");
            Check.equal(SERVER, ip.destination(), "destination");
            Check.equal(20, ip.headerLength(), "ip header length");
            Packets.Tcp t = p.tcp();
            Check.equal(40000, t.sourcePort(), "source port");
            Check.equal(5000, t.destinationPort(), "destination port");
            Check.equal(0xdeadbeef, t.seq(), "seq");
            Check.equal(0, t.ack(), "ack");
            Check.equal(10, t.dataOffset(), "data offset");
            Check.equal(40, t.headerLength(), "header length");
            Check.equal(0, t.reserved(), "reserved");
            Check.equal(Packets.SYN, t.flags(), "flags");
            Check.equal(64240, t.window(), "window");
            Check.equal(0xfd17, t.checksum(), "tcp checksum");
            Check.equal(0, t.urgentPointer(), "urgent pointer");
            Check.equal(List.of(new Packets.Mss(1460), new Packets.SackPermitted(),
                    new Packets.Timestamps(0x5c3e1a2b, 0), new Packets.Nop(), new Packets.WindowScale(7)),
                    t.options(), "options in wire order");
            Check.equal(0, t.payload().length, "payload length");
            Check.equal(1460, t.mss(), "mss()");
        });

        Check.test("the parsed Linux SYN re-emits byte for byte", () -> {
            Packets.Packet p = parse(Check.hex(LINUX_SYN_HEX));
            Check.bytes(Check.hex(LINUX_SYN_HEX), emitBytes(p.ip(), p.tcp()), "re-emitted");
        });
    }

    // ================================================================ RFC 1071 checksum

    static void checksums() {
        byte[] rfc = Check.hex("00 01 f2 03 f4 f5 f6 f7");

        Check.test("RFC 1071 3: 00 01 f2 03 f4 f5 f6 f7 sums to 0xddf2, checksum 0x220d", () -> {
            // 0001 + f203 + f4f5 + f6f7 = 0x2ddf0; end-around carry: ddf0 + 2 = ddf2; ~ddf2 = 220d.
            int sum = Packets.Checksum.add(0, ByteBuffer.wrap(rfc), 0, 8);
            Check.equal(0xddf2, sum, "sum");
            Check.equal(0x220d, Packets.Checksum.finish(sum), "checksum");
        });

        Check.test("RFC 1071 sum is the same when added in pieces, from any offset, word by word", () -> {
            ByteBuffer b = ByteBuffer.wrap(rfc);
            Check.equal(0xddf2, Packets.Checksum.add(Packets.Checksum.add(0, b, 0, 4), b, 4, 4), "two pieces");
            ByteBuffer shifted = ByteBuffer.allocate(11);
            shifted.put(3, rfc);
            Check.equal(0xddf2, Packets.Checksum.add(0, shifted, 3, 8), "at offset 3");
            int sum = 0;
            for (int w : new int[] {0x0001, 0xf203, 0xf4f5, 0xf6f7}) sum = Packets.Checksum.add(sum, w);
            Check.equal(0xddf2, sum, "add(sum, word)");
        });

        Check.test("odd length: the last byte is padded with a zero octet", () -> {
            // 0102 + 0300 = 0x0402, checksum ~0x0402 = 0xfbfd; same as with an explicit 00.
            int odd = Packets.Checksum.add(0, ByteBuffer.wrap(Check.hex("01 02 03")), 0, 3);
            Check.equal(0x0402, odd, "sum of 01 02 03");
            Check.equal(0xfbfd, Packets.Checksum.finish(odd), "checksum of 01 02 03");
            // A length that cuts the buffer must not read the following byte.
            Check.equal(0x0402, Packets.Checksum.add(0, ByteBuffer.wrap(Check.hex("01 02 03 ff")), 0, 3),
                    "sum of the first 3 of 01 02 03 ff");
        });

        Check.test("end-around carry folds repeatedly: ffff + ffff + 0001 = 0x0001", () -> {
            // 0x1ffff -> ffff + 1 = 0x10000 -> 0000 + 1 = 0x0001
            Check.equal(0x0001, Packets.Checksum.add(0, ByteBuffer.wrap(Check.hex("ffff ffff 0001")), 0, 6), "sum");
            Check.equal(0x0001, Packets.Checksum.add(0xffff, 0x0001), "add(0xffff, 1): 0x10000 -> 0x0001");
            Check.equal(0x0002, Packets.Checksum.add(0xffff, 0x0002), "add(0xffff, 2): 0x10001 -> 0x0002");
            Check.equal(0xffff, Packets.Checksum.finish(0), "finish(0)");
        });

        Check.test("a buffer holding its own correct checksum verifies to 0", () -> {
            byte[] withSum = Check.hex("00 01 f2 03 f4 f5 f6 f7 22 0d");
            Check.equal(0, Packets.Checksum.finish(Packets.Checksum.add(0, ByteBuffer.wrap(withSum), 0, 10)), "RFC example");
            byte[] syn = Check.hex(SYN_HEX);
            Check.equal(0, Packets.Checksum.finish(Packets.Checksum.add(0, ByteBuffer.wrap(syn), 0, 20)), "SYN IP header");
            int pseudo = Packets.pseudoHeaderSum(CLIENT, SERVER, 24);
            Check.equal(0, Packets.Checksum.finish(Packets.Checksum.add(pseudo, ByteBuffer.wrap(syn), 20, 24)), "SYN TCP");
            byte[] odd = Check.hex(ODD_HEX);
            pseudo = Packets.pseudoHeaderSum(CLIENT, SERVER, 25);
            Check.equal(0, Packets.Checksum.finish(Packets.Checksum.add(pseudo, ByteBuffer.wrap(odd), 20, 25)), "odd TCP");
        });

        Check.test("pseudoHeaderSum(198.18.0.2, 198.18.0.1, 24) folds to c612+0002+c612+0001+0006+0018", () -> {
            // = 0x18c45; folded 0x8c46
            Check.equal(0x8c46, Packets.Checksum.add(Packets.pseudoHeaderSum(CLIENT, SERVER, 24), 0), "folded");
            // all ones: ffff+ffff+ffff+ffff+0006+ffff = 0x50001; folded 0001 + 5 = 0x0006
            Check.equal(0x0006, Packets.Checksum.add(Packets.pseudoHeaderSum(-1, -1, 0xffff), 0), "all ones");
        });
    }

    // ================================================================ round trips

    static void roundTrips() {
        Packets.Ipv4 ip = Packets.Ipv4.forTcp(CLIENT, SERVER, 0x4242, 64);
        List<Packets.TcpOption> none = List.of();

        Check.test("round trip: no options", () ->
                roundTrip(ip, Packets.Tcp.of(40000, 5000, 1, 2, Packets.ACK, 1000, none, null)));

        Check.test("round trip: MSS", () ->
                roundTrip(ip, Packets.Tcp.of(40000, 5000, 1, 0, Packets.SYN, 1000, List.of(new Packets.Mss(536)), null)));

        Check.test("round trip: every option kind, Unknown included, ending in EOL (28 bytes)", () -> {
            List<Packets.TcpOption> all = List.of(new Packets.Mss(0xffff), new Packets.Nop(),
                    new Packets.WindowScale(14), new Packets.SackPermitted(),
                    new Packets.Timestamps(0xfedcba98, 0x01234567), new Packets.Unknown(30, new byte[] {1, 2, 3}),
                    new Packets.Unknown(253, new byte[0]), new Packets.EndOfList()); // 4+1+3+2+10+5+2+1 = 28
            Packets.Tcp x = Packets.Tcp.of(40000, 5000, 7, 0, Packets.SYN, 29200, all, null);
            Check.equal(12, x.dataOffset(), "data offset 5 + 28/4");
            roundTrip(ip, x);
        });

        Check.test("40 option bytes (data offset 15, the maximum) round trip", () -> {
            Packets.TcpOption ts = new Packets.Timestamps(-1, 0);
            Packets.Tcp x = Packets.Tcp.of(40000, 5000, 7, 0, Packets.SYN, 29200, List.of(ts, ts, ts, ts), null);
            Check.equal(15, x.dataOffset(), "data offset");
            roundTrip(ip, x);
        });

        Check.test("EOL padding: MSS + WS (7 bytes) is padded with one 00, which reads back as EOL", () -> {
            Packets.Tcp x = Packets.Tcp.of(40000, 5000, 7, 0, Packets.SYN, 29200,
                    List.of(new Packets.Mss(1460), new Packets.WindowScale(7)), null);
            Check.equal(7, x.dataOffset(), "data offset 5 + ceil(7/4)");
            byte[] wire = emitBytes(ip, x);
            Check.bytes(Check.hex("020405b4 030307 00"), Arrays.copyOfRange(wire, 40, 48), "option bytes");
            Packets.Tcp parsed = parse(wire).tcp();
            Check.equal(List.of(new Packets.Mss(1460), new Packets.WindowScale(7), new Packets.EndOfList()),
                    parsed.options(), "options");
        });

        Check.test("options after an EOL are padding: emitted, but not read back", () -> {
            Packets.Tcp x = Packets.Tcp.of(40000, 5000, 7, 0, Packets.SYN, 29200,
                    List.of(new Packets.Nop(), new Packets.EndOfList(), new Packets.Mss(1460)), null);
            byte[] wire = emitBytes(ip, x);
            Check.bytes(Check.hex("0100 0204 05b4 0000"), Arrays.copyOfRange(wire, 40, 48), "option bytes");
            Check.equal(List.of(new Packets.Nop(), new Packets.EndOfList()), parse(wire).tcp().options(), "options");
        });

        Check.test("round trip: payloads of 0, 1 and 1460 bytes", () -> {
            for (int n : new int[] {0, 1, 1460}) {
                byte[] payload = new byte[n];
                for (int i = 0; i < n; i++) payload[i] = (byte) (i * 7 + 3);
                roundTrip(ip, Packets.Tcp.of(40000, 5000, 100, 200, Packets.PSH | Packets.ACK, 65535, none, payload));
            }
        });

        Check.test("round trip: all 256 flag bytes, SYN+FIN, SYN+RST and FIN+RST too (what they mean is not the parser's)", () -> {
            for (int flags = 0; flags < 256; flags++) {
                roundTrip(ip, Packets.Tcp.of(40000, 5000, 100, 200, flags, 65535, none, new byte[] {9}));
            }
        });

        Check.test("round trip: seq/ack near 2^32, ports 1 and 65535, extreme window/urgent/reserved", () -> {
            int[] numbers = {0, 1, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff};
            for (int seq : numbers) for (int ack : numbers)
                roundTrip(ip, Packets.Tcp.of(1, 65535, seq, ack, Packets.ACK, 0, none, null));
            roundTrip(ip, Packets.Tcp.of(65535, 1, -1, -1, Packets.ACK, 65535, none, null));
            // reserved bits and urgent pointer are carried as they are
            roundTrip(ip, new Packets.Tcp(65535, 65535, -1, -1, 5, 0xf, 0xff & ~(Packets.SYN | Packets.FIN), 65535, 0,
                    0xffff, List.of(), new byte[] {1, 2, 3}));
        });

        Check.test("round trip: IPv4 fields at their extremes (tos, id, ttl, no DF)", () -> {
            roundTrip(new Packets.Ipv4(0xff, 0, 0xffff, 0, 255, 6, 0, 0x0a000001, 0xdfffffff, 20),
                    Packets.Tcp.of(1, 2, 3, 4, Packets.ACK, 5, none, null));
            roundTrip(new Packets.Ipv4(0, 0, 0, Packets.IP_DONT_FRAGMENT, 1, 6, 0, 0x00000001, 0xffffffff, 20),
                    Packets.Tcp.of(1, 2, 3, 4, Packets.ACK, 5, none, null));
        });
    }

    /**
     * parse(emit(x)) == x, the checksum field excepted (emit computes it). The checksums emit wrote
     * are also verified here with this file's own sum16, so that emit and parse cannot agree on a
     * wrong checksum unnoticed.
     */
    static void roundTrip(Packets.Ipv4 ip, Packets.Tcp x) throws Exception {
        byte[] wire = emitBytes(ip, x);
        String what = PacketText.describe(x);
        Check.equal(20 + x.headerLength() + x.payload().length, wire.length, what + ": length");
        Check.equal(0, ipChecksumOf(wire), what + ": IP checksum by sum16");
        Check.equal(0, tcpChecksumOf(wire), what + ": TCP checksum by sum16");
        Packets.Packet p = parse(wire); // verifyTcpChecksum = true: parse verified it too
        Check.equal(u16(wire, 36), p.tcp().checksum(), what + ": parsed checksum is the wire's");
        Check.equal(x.withChecksum(p.tcp().checksum()), p.tcp(), what + ": tcp");
        Check.equal(new Packets.Ipv4(ip.tos(), wire.length, ip.identification(), ip.flagsAndFragment(), ip.ttl(),
                ip.protocol(), u16(wire, 10), ip.source(), ip.destination(), 20), p.ip(), what + ": ip");
    }

    // ================================================================ rejections

    static void rejections() {
        byte[] syn = Check.hex(SYN_HEX);

        Check.test("rejects a truncated IP header: 0 and 19 bytes", () -> {
            rejects(new byte[0], Packets.Problem.TRUNCATED_IP_HEADER);
            rejects(Arrays.copyOf(syn, 19), Packets.Problem.TRUNCATED_IP_HEADER);
        });

        Check.test("rejects IP versions other than 4 and 6 (7 and 0)", () -> {
            rejects(ipEdit(syn, b -> b[0] = 0x75), Packets.Problem.NOT_IP);
            rejects(ipEdit(syn, b -> b[0] = 0x05), Packets.Problem.NOT_IP);
        });

        Check.test("rejects IHL 4 and IHL 0", () -> {
            rejects(ipEdit(syn, b -> b[0] = 0x44), Packets.Problem.BAD_IHL);
            rejects(ipEdit(syn, b -> b[0] = 0x40), Packets.Problem.BAD_IHL);
        });

        Check.test("rejects IHL past the buffer (IHL 15 = 60 bytes in a 44-byte packet)", () ->
                rejects(ipEdit(syn, b -> b[0] = 0x4f), Packets.Problem.BAD_IHL));

        Check.test("rejects total length shorter than the header (19; 22 with IHL 6)", () -> {
            rejects(ipEdit(syn, b -> put16(b, 2, 19)), Packets.Problem.BAD_TOTAL_LENGTH);
            rejects(ipEdit(withIpOptions(syn), b -> put16(b, 2, 22)), Packets.Problem.BAD_TOTAL_LENGTH);
        });

        Check.test("rejects total length longer than the buffer (45 of 44)", () ->
                rejects(ipEdit(syn, b -> put16(b, 2, 45)), Packets.Problem.BAD_TOTAL_LENGTH));

        Check.test("rejects a bad IP header checksum (one bit off, and the field zeroed)", () -> {
            byte[] b = syn.clone();
            b[11] ^= 0x01;
            rejects(b, Packets.Problem.BAD_IP_CHECKSUM);
            byte[] c = syn.clone();
            c[8] = 63; // TTL changed, checksum not updated
            rejects(c, Packets.Problem.BAD_IP_CHECKSUM);
        });

        Check.test("rejects fragments: MF set; offset 1; offset 0x1fff", () -> {
            rejects(ipEdit(syn, b -> put16(b, 6, 0x2000)), Packets.Problem.FRAGMENT);
            rejects(ipEdit(syn, b -> put16(b, 6, 0x0001)), Packets.Problem.FRAGMENT);
            rejects(ipEdit(syn, b -> put16(b, 6, 0x5fff)), Packets.Problem.FRAGMENT);
        });

        Check.test("accepts DF and the reserved IP flag bit: neither is a fragment", () -> {
            Check.equal(0x4000, parse(syn).ipv4().flagsAndFragment(), "DF");
            Check.equal(0x8000, parse(ipEdit(syn, b -> put16(b, 6, 0x8000))).ipv4().flagsAndFragment(), "reserved");
        });

        Check.test("rejects protocol 17 (UDP)", () ->
                rejects(ipEdit(syn, b -> b[9] = 17), Packets.Problem.NOT_TCP));

        Check.test("rejects a truncated TCP header (19 bytes; 0 bytes)", () -> {
            rejects(ipEdit(Arrays.copyOf(syn, 39), b -> put16(b, 2, 39)), Packets.Problem.TRUNCATED_TCP_HEADER);
            rejects(ipEdit(Arrays.copyOf(syn, 20), b -> put16(b, 2, 20)), Packets.Problem.TRUNCATED_TCP_HEADER);
            // the buffer is long enough, the total length is not: the TCP header is what total length says
            rejects(ipEdit(syn, b -> put16(b, 2, 39)), Packets.Problem.TRUNCATED_TCP_HEADER);
        });

        Check.test("rejects TCP data offset 4 (and 0)", () -> {
            rejects(tcpEdit(syn, b -> b[32] = 0x40), Packets.Problem.BAD_DATA_OFFSET);
            rejects(tcpEdit(syn, b -> b[32] = 0x00), Packets.Problem.BAD_DATA_OFFSET);
        });

        Check.test("rejects a data offset past the segment (7 = 28 bytes in a 24-byte segment; 15)", () -> {
            rejects(tcpEdit(syn, b -> b[32] = 0x70), Packets.Problem.BAD_DATA_OFFSET);
            rejects(tcpEdit(syn, b -> b[32] = (byte) 0xf0), Packets.Problem.BAD_DATA_OFFSET);
        });

        // Options area of 4 (or 8) bytes, filled by hand.
        // MUST-7: "be prepared to handle an illegal option length (e.g., zero)". Handled as Linux
        // handles it: the segment parses, the bad option is kept as Malformed with its reason and
        // nothing of it is used; a length that cannot be right ends the reading of options.
        Check.test("MUST-7: an option with no length byte (kind 2 as the header's last byte) is handled, not fatal", () ->
                handlesMalformed("01 01 01 02", "no length", 3));
        Check.test("MUST-7: option length 0 is handled: the options from there on are ignored", () -> handlesMalformed("02 00 05 b4", "length 0", 0));
        Check.test("MUST-7: option length 1 (unknown kind 30 too) is handled", () -> {
            handlesMalformed("02 01 05 b4", "length 1", 0);
            handlesMalformed("1e 01 01 01", "length 1", 0);
        });
        Check.test("MUST-7: an option whose length runs past the header (TS of 10 at byte 2 of 4) is handled", () ->
                handlesMalformed("01 01 08 0a", "past", 2));
        Check.test("MUST-7: an unknown option whose length runs past the header by one is handled", () ->
                handlesMalformed("1e 05 00 00", "past", 0));
        Check.test("MUST-7: an MSS option of length 3 is skipped (no MSS: the default applies) and the next option read", () -> {
            List<Packets.TcpOption> options = handlesMalformed("02 03 05 01", "MSS", 0);
            Check.equal(new Packets.Nop(), options.get(1), "the option after it");
        });
        Check.test("MUST-7: window scale of length 2, SACK-permitted of 4, timestamps of 8 are skipped", () -> {
            handlesMalformed("03 02 01 01", "window scale", 0);
            handlesMalformed("04 04 00 00", "SACK", 0);
            handlesMalformed("08 08 00 00 00 00 00 00", "timestamps", 0);
        });
        Check.test("SACK option: NOP NOP and two blocks, as Linux sends them, parse and re-emit byte for byte", () -> {
            String hex = "01 01 05 12 00 00 27 10 00 00 2c c0 00 00 13 88 00 00 17 70";
            Packets.Tcp t = parse(withOptions(syn, hex)).tcp();
            Packets.Sack sack = new Packets.Sack(new int[] {10000, 11456, 5000, 6000});
            Check.equal(List.of(new Packets.Nop(), new Packets.Nop(), sack), t.options(), "options");
            Check.equal(2, sack.blocks(), "blocks");
            Check.equal("SACK 10000-11456,5000-6000", sack.describe(), "describe");
            ByteBuffer out = ByteBuffer.allocate(20);
            sack.emit(out, 0);
            Check.bytes(Arrays.copyOfRange(Check.hex(hex), 2, 20), Arrays.copyOf(out.array(), 18), "emitted");
        });
        Check.test("MUST-7: SACK options of 6 and 12 bytes (not 2 + 8 per block) are skipped; 5 blocks cannot be made", () -> {
            handlesMalformed("05 06 00 00 00 00 01 01", "SACK", 0);
            handlesMalformed("05 0c 00 00 00 01 00 00 00 02 01 01", "SACK", 0);
            Check.throwsA(IllegalArgumentException.class, () -> new Packets.Sack(new int[10]), "five blocks");
            Check.throwsA(IllegalArgumentException.class, () -> new Packets.Sack(new int[3]), "one and a half");
        });
        Check.test("accepts an unknown option of length 2 and one that fills the header exactly", () -> {
            Check.equal(List.of(new Packets.Unknown(30, new byte[0]), new Packets.Nop(), new Packets.Nop()),
                    parse(withOptions(syn, "1e 02 01 01")).tcp().options(), "kind 30 len 2");
            Check.equal(List.of(new Packets.Unknown(254, Check.hex("aabb"))),
                    parse(withOptions(syn, "fe 04 aa bb")).tcp().options(), "kind 254 len 4");
        });

        Check.test("rejects a bad TCP checksum; verifyTcpChecksum=false accepts the same bytes", () -> {
            byte[] b = syn.clone();
            put16(b, 36, 0x1234);
            Packets.Rejected r = rejected(b, true);
            Check.equal(Packets.Problem.BAD_TCP_CHECKSUM, r.problem, "problem");
            Check.isTrue(r.reason().contains("0x1234") && r.reason().contains("0x5830"),
                    "reason names the wire value 0x1234 and the correct 0x5830: " + r.reason());
            Packets.Packet p = parse(b, false);
            Check.equal(0x1234, p.tcp().checksum(), "checksum as carried");
            Check.equal(parse(syn).tcp().withChecksum(0x1234), p.tcp(), "otherwise the same segment");
        });

        Check.test("rejects a payload byte changed in transit (odd-length segment)", () -> {
            byte[] b = Check.hex(ODD_HEX);
            b[44] ^= 0x20; // "hellO"
            rejects(b, Packets.Problem.BAD_TCP_CHECKSUM);
            Check.bytes("hellO".getBytes(), parse(b, false).tcp().payload(), "unverified payload");
        });

        Check.test("rejects a checksum that ignores the pseudo-header (destination changed)", () -> {
            rejects(ipEdit(syn, b -> b[19] = 3), Packets.Problem.BAD_TCP_CHECKSUM);
        });

        Check.test("accepts SYN+FIN, SYN+RST, FIN+RST: the listener and the connection judge flags, not the parser", () -> {
            for (int flags : new int[] {0x03, 0x06, 0x05, 0x15, 0x07}) {
                Check.equal(flags, parse(tcpEdit(syn, b -> b[33] = (byte) flags)).tcp().flags(), "flags 0x" + Integer.toHexString(flags));
            }
        });

        Check.test("accepts source port 0 and destination port 0: the Demultiplexer drops them", () -> {
            Check.equal(0, parse(tcpEdit(syn, b -> put16(b, 20, 0))).tcp().sourcePort(), "source port");
            Check.equal(0, parse(tcpEdit(syn, b -> put16(b, 22, 0))).tcp().destinationPort(), "destination port");
        });

        Check.test("rejects multicast source 224.0.0.1 and 239.255.255.255, broadcast 255.255.255.255", () -> {
            rejects(withSource(syn, 0xe0000001), Packets.Problem.BAD_SOURCE_ADDRESS);
            rejects(withSource(syn, 0xefffffff), Packets.Problem.BAD_SOURCE_ADDRESS);
            rejects(withSource(syn, 0xffffffff), Packets.Problem.BAD_SOURCE_ADDRESS);
        });

        Check.test("accepts sources just outside multicast: 223.255.255.255 and 240.0.0.1", () -> {
            Check.equal(0xdfffffff, parse(withSource(syn, 0xdfffffff)).ipv4().source(), "223.255.255.255");
            Check.equal(0xf0000001, parse(withSource(syn, 0xf0000001)).ipv4().source(), "240.0.0.1");
        });

        Check.test("integrity before sanity: a multicast source with a bad checksum is BAD_TCP_CHECKSUM", () -> {
            byte[] b = ipEdit(syn, x -> put32(x, 12, 0xe0000001)); // the IPv4 checksum repaired, not the TCP one
            Check.equal(Packets.Problem.BAD_TCP_CHECKSUM, rejectedBy(b, true), "verified");
            Check.equal(Packets.Problem.BAD_SOURCE_ADDRESS, rejectedBy(b, false), "unverified");
        });
    }

    // ================================================================ parse: the rest of its contract

    static void parseContract() {
        byte[] syn = Check.hex(SYN_HEX);

        Check.test("bytes past the total length (Ethernet padding) are ignored", () -> {
            byte[] padded = Arrays.copyOf(syn, 60); // a minimum Ethernet frame's worth
            Arrays.fill(padded, 44, 60, (byte) 0xa5);
            Packets.Packet p = parse(padded);
            Check.equal(parse(syn), p, "same packet");
            Check.equal(44, p.ipv4().totalLength(), "total length");
            Check.equal(0, p.tcp().payload().length, "no payload from the padding");
        });

        Check.test("IP options are skipped: IHL 6 gives the same TCP segment", () -> {
            Packets.Packet p = parse(withIpOptions(syn));
            Check.equal(24, p.ip().headerLength(), "ip header length");
            Check.equal(48, p.ipv4().totalLength(), "total length");
            Check.equal(parse(syn).tcp(), p.tcp(), "tcp");
        });

        Check.test("parse reads from position to limit and moves neither (accepted and refused)", () -> {
            byte[] odd = Check.hex(ODD_HEX); // with a payload, which parse copies out
            for (boolean direct : new boolean[] {false, true}) {
                ByteBuffer b = direct ? ByteBuffer.allocateDirect(64) : ByteBuffer.allocate(64);
                for (int i = 0; i < 64; i++) b.put(i, (byte) 0xee); // garbage around the packet
                b.put(5, odd);
                b.position(5).limit(50);
                Check.equal(parse(odd), Packets.parse(b, true), "packet at position 5");
                Check.equal(5, b.position(), "position after accept");
                Check.equal(50, b.limit(), "limit after accept");
                b.limit(49); // one byte short of the total length
                Check.equal(Packets.Problem.BAD_TOTAL_LENGTH, rejected(b, true).problem, "limit respected");
                Check.equal(5, b.position(), "position after reject");
                Check.equal(49, b.limit(), "limit after reject");
                ByteBuffer ro = b.limit(50).asReadOnlyBuffer();
                Check.equal(parse(odd), Packets.parse(ro, true), "read-only buffer");
                Check.equal(parse(odd), Packets.parse(b.slice(), true), "slice (array offset 5)");
            }
        });

        Check.test("peekDestinationPort: 5000, 40000, with IP options, at a position; -1 when it can't tell", () -> {
            Check.equal(5000, Packets.peekDestinationPort(ByteBuffer.wrap(syn)), "SYN");
            Check.equal(40000, Packets.peekDestinationPort(ByteBuffer.wrap(Check.hex(SYN_ACK_HEX))), "SYN-ACK");
            Check.equal(5000, Packets.peekDestinationPort(ByteBuffer.wrap(withIpOptions(syn))), "IHL 6");
            ByteBuffer shifted = ByteBuffer.allocate(50);
            shifted.put(3, syn).position(3);
            Check.equal(5000, Packets.peekDestinationPort(shifted), "at position 3");
            Check.equal(3, shifted.position(), "position unchanged");
            Check.equal(5000, Packets.peekDestinationPort(ByteBuffer.wrap(syn, 0, 24)), "just enough bytes");
            Check.equal(-1, Packets.peekDestinationPort(ByteBuffer.wrap(syn, 0, 23)), "one byte short");
            Check.equal(-1, Packets.peekDestinationPort(ByteBuffer.wrap(syn, 0, 19)), "19 bytes");
            Check.equal(-1, Packets.peekDestinationPort(ByteBuffer.wrap(new byte[0])), "empty");
            byte[] udp = syn.clone();
            udp[9] = 17;
            Check.equal(-1, Packets.peekDestinationPort(ByteBuffer.wrap(udp)), "UDP");
            byte[] ihl4 = syn.clone();
            ihl4[0] = 0x44;
            Check.equal(-1, Packets.peekDestinationPort(ByteBuffer.wrap(ihl4)), "IHL 4");
        });

        Check.test("segmentLength counts SYN and FIN; headerLength is 4 x data offset", () -> {
            Packets.Tcp finAck = Packets.Tcp.of(1, 2, 0, 0, Packets.FIN | Packets.ACK, 0, List.of(), new byte[3]);
            Check.equal(4, finAck.segmentLength(), "3 bytes + FIN");
            Check.equal(0, Packets.Tcp.of(1, 2, 0, 0, Packets.ACK, 0, List.of(), null).segmentLength(), "bare ACK");
            Check.equal(20, finAck.headerLength(), "header length");
        });
    }

    // ================================================================ Seq

    static void seq() {
        Check.test("Seq lt/le/gt/ge across the 2^32 wrap: 0xfffffff0 comes before 0x10", () -> {
            int before = 0xfffffff0, after = 0x10;
            Check.isTrue(Seq.lt(before, after), "0xfffffff0 < 0x10");
            Check.isTrue(Seq.le(before, after), "0xfffffff0 <= 0x10");
            Check.isTrue(!Seq.gt(before, after), "!(0xfffffff0 > 0x10)");
            Check.isTrue(!Seq.ge(before, after), "!(0xfffffff0 >= 0x10)");
            Check.isTrue(Seq.gt(after, before), "0x10 > 0xfffffff0");
            Check.isTrue(Seq.ge(after, before), "0x10 >= 0xfffffff0");
            Check.isTrue(!Seq.lt(after, before) && !Seq.le(after, before), "not 0x10 <(=) 0xfffffff0");
            Check.isTrue(Seq.lt(0xffffffff, 0), "0xffffffff < 0");
            Check.isTrue(Seq.lt(0x7fffffff, 0x80000000), "0x7fffffff < 0x80000000 (signed overflow point)");
            Check.isTrue(Seq.gt(0x80000000, 0x7fffffff), "0x80000000 > 0x7fffffff");
            Check.isTrue(Seq.lt(5, 0x80000004), "5 < 5 + 2^31 - 1");
            Check.isTrue(Seq.gt(5, 0x80000006), "5 > 5 + 2^31 + 1 (more than half the space ahead is behind)");
        });

        Check.test("Seq equal numbers: le and ge, not lt or gt; compare 0", () -> {
            for (int x : new int[] {0, 1, 0x7fffffff, 0x80000000, 0xffffffff}) {
                Check.isTrue(Seq.le(x, x) && Seq.ge(x, x) && !Seq.lt(x, x) && !Seq.gt(x, x), "x = " + Seq.str(x));
                Check.equal(0, Seq.compare(x, x), "compare " + Seq.str(x));
            }
            Check.isTrue(Seq.compare(0xfffffff0, 0x10) < 0 && Seq.compare(0x10, 0xfffffff0) > 0, "compare sign");
        });

        Check.test("Seq.inWindow at the edges, across the wrap", () -> {
            int start = 0xfffffff0, size = 0x20; // [0xfffffff0, 0x10)
            Check.isTrue(Seq.inWindow(start, start, size), "start is in");
            Check.isTrue(Seq.inWindow(0xffffffff, start, size), "0xffffffff is in");
            Check.isTrue(Seq.inWindow(0, start, size), "0 is in");
            Check.isTrue(Seq.inWindow(0x0f, start, size), "start + size - 1 is in");
            Check.isTrue(!Seq.inWindow(0x10, start, size), "start + size is out");
            Check.isTrue(!Seq.inWindow(0xffffffef, start, size), "start - 1 is out");
            Check.isTrue(!Seq.inWindow(start, start, 0), "empty window holds nothing");
            Check.isTrue(Seq.inWindow(start, start, 1) && !Seq.inWindow(start + 1, start, 1), "window of 1");
            Check.isTrue(Seq.inWindow(start + 0x7fffffff, start, 0x80000000), "window of 2^31, last");
            Check.isTrue(!Seq.inWindow(start + 0x80000000, start, 0x80000000), "window of 2^31, just past");
        });

        Check.test("Seq.str is unsigned decimal", () -> {
            Check.equal("4294967295", Seq.str(-1), "0xffffffff");
            Check.equal("2147483648", Seq.str(0x80000000), "0x80000000");
            Check.equal("0", Seq.str(0), "0");
        });
    }

    // ================================================================ printing, addresses

    static void printingAndAddresses() {
        Check.test("flagNames: SYN-ACK, PSH-ACK, FIN-ACK, RST-ACK, (no flags), each single flag", () -> {
            Check.equal("SYN-ACK", PacketText.flagNames(0x12), "0x12");
            Check.equal("PSH-ACK", PacketText.flagNames(0x18), "0x18");
            Check.equal("FIN-ACK", PacketText.flagNames(0x11), "0x11");
            Check.equal("RST-ACK", PacketText.flagNames(0x14), "0x14");
            Check.equal("(no flags)", PacketText.flagNames(0), "0");
            // the order the javadoc gives: SYN, RST, FIN, PSH, URG, ACK, ECE, CWR
            Check.equal("URG-ACK", PacketText.flagNames(0x30), "0x30");
            Check.equal("FIN-PSH-ACK", PacketText.flagNames(0x19), "0x19");
            Check.equal("SYN-ECE-CWR", PacketText.flagNames(0xc2), "0xc2, an ECN-setup SYN (RFC 3168)");
            String[] single = {"FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR"};
            for (int i = 0; i < 8; i++) Check.equal(single[i], PacketText.flagNames(1 << i), "bit " + i);
        });

        Check.test("describe shows seq and ack as unsigned decimals", () -> {
            String d = PacketText.describe(Packets.Tcp.of(1, 2, 0xfffffffe, 0x80000000, Packets.SYN | Packets.ACK,
                    65535, List.of(new Packets.Mss(1460)), null));
            Check.isTrue(d.contains("seq=4294967294"), "seq=4294967294 in " + d);
            Check.isTrue(d.contains("ack=2147483648"), "ack=2147483648 in " + d);
            Check.isTrue(d.startsWith("SYN-ACK"), "starts with the flags: " + d);
            Check.isTrue(d.contains("MSS 1460"), "options: " + d);
            Check.isTrue(!d.contains("-2"), "no negative numbers: " + d);
            Check.equal(d, Packets.Tcp.of(1, 2, 0xfffffffe, 0x80000000, Packets.SYN | Packets.ACK, 65535,
                    List.of(new Packets.Mss(1460)), null).toString(), "toString is describe");
        });

        Check.test("address prints dotted quads, most significant byte first", () -> {
            Check.equal("198.18.0.2", Packets.address(CLIENT), "client");
            Check.equal("255.255.255.255", Packets.address(-1), "broadcast");
            Check.equal("0.0.0.0", Packets.address(0), "zero");
            Check.equal("128.0.0.1", Packets.address(0x80000001), "high bit");
        });

        Check.test("parseAddress reads dotted quads (inverse of address)", () -> {
            Check.equal(CLIENT, Packets.parseAddress("198.18.0.2"), "198.18.0.2");
            Check.equal(-1, Packets.parseAddress("255.255.255.255"), "255.255.255.255");
            Check.equal(0, Packets.parseAddress("0.0.0.0"), "0.0.0.0");
            Check.equal(0x7f000001, Packets.parseAddress("127.0.0.1"), "127.0.0.1");
            for (int a : new int[] {0x01020304, 0x80000001, 0xe0000001, 0xfffffffe})
                Check.equal(a, Packets.parseAddress(Packets.address(a)), Packets.address(a));
        });

        Check.test("parseAddress rejects \"1.2.3\", \"256.1.1.1\", \"a.b.c.d\", \"1.2.3.4.5\", \"\" and friends", () -> {
            for (String bad : new String[] {"1.2.3", "256.1.1.1", "a.b.c.d", "1.2.3.4.5", "", "1..3.4", "1.2.3.",
                    ".1.2.3", "1.2.3.-4", "1.2.3.+4", " 1.2.3.4", "1.2.3.4 ", "1000.1.1.1", "0x1.2.3.4"})
                Check.throwsA(IllegalArgumentException.class, () -> Packets.parseAddress(bad), "\"" + bad + "\"");
        });

        // "throws IllegalArgumentException for anything else": digits other than ASCII 0-9 are not dotted-quad
        // text (inet_aton refuses them), but Character.isDigit and Integer.parseInt accept them.
        Check.test("parseAddress rejects non-ASCII digits (Arabic-Indic, fullwidth)", () -> {
            for (String bad : new String[] {"\u0661\u0662\u0667.0.0.1", "\uff11.2.3.4"})
                Check.throwsA(IllegalArgumentException.class, () -> Packets.parseAddress(bad), "\"" + bad + "\"");
        });
    }

    // ================================================================ helpers (independent of Packets)

    static final Set<Packets.Problem> SEEN = EnumSet.noneOf(Packets.Problem.class);

    interface Edit { void apply(byte[] b); }

    static byte[] emitBytes(Packets.IpHeader ip, Packets.Tcp tcp) {
        ByteBuffer out = ByteBuffer.allocate(70_000);
        Arrays.fill(out.array(), (byte) 0xa5); // emit must write every byte it counts, padding included
        int n = Packets.emit(out, ip, tcp);
        Check.equal(n, out.position(), "emit's return value equals the advance");
        return Arrays.copyOf(out.array(), n);
    }

    static Packets.Packet parse(byte[] b) throws Packets.Rejected { return parse(b, true); }

    static Packets.Packet parse(byte[] b, boolean verify) throws Packets.Rejected {
        return Packets.parse(ByteBuffer.wrap(b), verify);
    }

    static Packets.Rejected rejected(ByteBuffer b, boolean verify) {
        Packets.Rejected r = Check.throwsA(Packets.Rejected.class, () -> Packets.parse(b, verify), "parse");
        Check.isTrue(r.problem != null, "a problem");
        Check.isTrue(r.reason() != null && !r.reason().isBlank(), "a non-empty reason for " + r.problem);
        SEEN.add(r.problem);
        return r;
    }

    static Packets.Rejected rejected(byte[] b, boolean verify) { return rejected(ByteBuffer.wrap(b), verify); }

    static Packets.Problem rejectedBy(byte[] b, boolean verify) { return rejected(b, verify).problem; }

    /** parse refuses b with this problem, whether or not it verifies the TCP checksum. */
    static void rejects(byte[] b, Packets.Problem expected) {
        Check.equal(expected, rejectedBy(b, true), "problem (verifying TCP checksum)");
        if (expected != Packets.Problem.BAD_TCP_CHECKSUM)
            Check.equal(expected, rejectedBy(b, false), "problem (not verifying TCP checksum)");
    }

    /**
     * The SYN with these option bytes parses: exactly one option is Malformed, after `before`
     * options that were read, with a reason that mentions reasonMentions; no MSS, window scale,
     * SACK or timestamps value comes out of it; and emitting the segment again gives the same bytes.
     */
    static List<Packets.TcpOption> handlesMalformed(String optionHex, String reasonMentions, int before) throws Exception {
        byte[] input = withOptions(Check.hex(SYN_HEX), optionHex);
        Packets.Packet p = parse(input);
        List<Packets.TcpOption> options = p.tcp().options();
        List<Packets.TcpOption> malformed = options.stream().filter(o -> o instanceof Packets.Malformed).toList();
        Check.equal(1, malformed.size(), "malformed options in " + options);
        Check.equal(before, options.indexOf(malformed.get(0)), "options read before it: " + options);
        String reason = ((Packets.Malformed) malformed.get(0)).reason();
        Check.isTrue(reason.contains(reasonMentions), "reason mentions \"" + reasonMentions + "\": " + reason);
        Check.isTrue(options.stream().noneMatch(o -> o instanceof Packets.Mss || o instanceof Packets.WindowScale
                || o instanceof Packets.SackPermitted || o instanceof Packets.Sack || o instanceof Packets.Timestamps), "no value used: " + options);
        Check.bytes(input, emitBytes(p.ip(), p.tcp()), "re-emitted");
        return options;
    }

    /** A copy of the SYN (20 + 20 bytes of headers) with these option bytes; lengths and checksums fixed. */
    static byte[] withOptions(byte[] syn, String optionHex) {
        byte[] options = Check.hex(optionHex);
        byte[] b = Arrays.copyOf(syn, 40 + options.length);
        System.arraycopy(options, 0, b, 40, options.length);
        put16(b, 2, b.length);
        b[32] = (byte) ((5 + options.length / 4) << 4);
        fixIp(b);
        fixTcp(b);
        return b;
    }

    /** The packet with 4 bytes of IP options (four NOPs, RFC 791 type 1) after its IPv4 header: IHL 6. */
    static byte[] withIpOptions(byte[] packet) {
        byte[] b = new byte[packet.length + 4];
        System.arraycopy(packet, 0, b, 0, 20);
        Arrays.fill(b, 20, 24, (byte) 1);
        System.arraycopy(packet, 20, b, 24, packet.length - 20);
        b[0] = 0x46;
        put16(b, 2, b.length);
        fixIp(b);
        return b;
    }

    static byte[] withSource(byte[] packet, int source) {
        byte[] b = packet.clone();
        put32(b, 12, source);
        fixIp(b);
        fixTcp(b);
        return b;
    }

    /** A copy, edited, with the IPv4 header checksum repaired (IHL as edited, within the buffer). */
    static byte[] ipEdit(byte[] packet, Edit edit) {
        byte[] b = packet.clone();
        edit.apply(b);
        fixIp(b);
        return b;
    }

    /** A copy of an IHL-5 packet, its TCP bytes edited, the TCP checksum repaired. */
    static byte[] tcpEdit(byte[] packet, Edit edit) {
        byte[] b = packet.clone();
        edit.apply(b);
        fixTcp(b);
        return b;
    }

    static void fixIp(byte[] b) {
        if (b.length < 20) return;
        int len = Math.min((b[0] & 0x0f) * 4, b.length);
        put16(b, 10, 0);
        put16(b, 10, ~sum16(b, 0, len, 0) & 0xffff);
    }

    /** Repairs the TCP checksum of an IHL-5 packet whose TCP segment is the rest of the array. */
    static void fixTcp(byte[] b) {
        put16(b, 36, 0);
        put16(b, 36, ~sum16(b, 20, b.length, pseudo(b)) & 0xffff);
    }

    /** 0 when the IPv4 header checksum is right. */
    static int ipChecksumOf(byte[] b) { return ~sum16(b, 0, 20, 0) & 0xffff; }

    /** 0 when the TCP checksum of an IHL-5 packet is right. */
    static int tcpChecksumOf(byte[] b) { return ~sum16(b, 20, b.length, pseudo(b)) & 0xffff; }

    /** Source, destination, zero + protocol 6, TCP length (RFC 9293 3.1), as 16-bit words. */
    static long pseudo(byte[] b) {
        return u16(b, 12) + u16(b, 14) + u16(b, 16) + u16(b, 18) + 6 + (b.length - 20);
    }

    /** RFC 1071, written out again: big-endian words, an odd last byte padded with zero, folded. */
    static int sum16(byte[] b, int from, int to, long start) {
        long s = start;
        for (int i = from; i < to; i += 2) s += (b[i] & 0xff) << 8 | (i + 1 < to ? b[i + 1] & 0xff : 0);
        return fold(s);
    }

    static int fold(long s) {
        while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
        return (int) s;
    }

    static int u16(byte[] b, int at) { return (b[at] & 0xff) << 8 | (b[at + 1] & 0xff); }

    static void put16(byte[] b, int at, int v) { b[at] = (byte) (v >>> 8); b[at + 1] = (byte) v; }

    static void put32(byte[] b, int at, int v) { put16(b, at, v >>> 16); put16(b, at + 2, v); }
}
