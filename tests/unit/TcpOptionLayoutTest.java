import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;

/**
 * TcpOptionLayout against the bytes of real Linux segments (kernel 6.18), captured with
 * tests/unit/data/capture-linux-options.sh between two namespaces (198.18.0.2 the client, .1 the
 * server). Each vector is the kernel's option bytes; our layout, given the same values, must
 * produce them byte for byte. Two whole TCP headers are compared too, checksum included (the
 * kernel leaves the pseudo-header sum there on veth, as Packets.emitForOffload does).
 *
 * Run from the project directory:
 *   ./test.sh unit TcpOptionLayout   (no root needed)
 */
final class TcpOptionLayoutTest {
    private TcpOptionLayoutTest() {}

    static byte[] bytes(List<Packets.TcpOption> options) {
        int length = TcpOptionLayout.length(options);
        ByteBuffer out = ByteBuffer.allocate(length);
        int at = 0;
        for (Packets.TcpOption o : options) {
            o.emit(out, at);
            at += o.length();
        }
        return out.array();
    }

    static Packets.Timestamps ts(long value, long echo) {
        return new Packets.Timestamps((int) value, (int) echo);
    }

    /** The TCP header of an IPv4 packet emitted the way our GSO path does (pseudo-header sum). */
    static byte[] tcpHeader(int source, int destination, Packets.Tcp tcp) {
        ByteBuffer out = ByteBuffer.allocate(100);
        Packets.emitForOffload(out, Packets.Ipv4.forTcp(source, destination, 0, 64), tcp);
        return Arrays.copyOfRange(out.array(), Packets.IPV4_HEADER_LEN, Packets.IPV4_HEADER_LEN + tcp.headerLength());
    }

    static final int CLIENT = 0xc6120002, SERVER = 0xc6120001; // 198.18.0.2, 198.18.0.1

    public static void main(String[] args) {
        Check.suite("TcpOptionLayout");

        Check.test("Linux SYN, defaults: MSS, SACK_PERM+TS, NOP WS (captured: 02 04 05 b4 04 02 08 0a ...)", () -> {
            Check.bytes(Check.hex("020405b4 0402080a fa39108f 00000000 0103030a"),
                    bytes(TcpOptionLayout.syn(1460, 10, true, ts(0xfa39108fL, 0))), "SYN options");
        });

        Check.test("Linux SYN-ACK to it: the same layout, TSecr = the SYN's TSval", () -> {
            Check.bytes(Check.hex("020405b4 0402080a cb2fc2f7 fa39108f 0103030a"),
                    bytes(TcpOptionLayout.syn(1460, 10, true, ts(0xcb2fc2f7L, 0xfa39108fL))), "SYN-ACK options");
        });

        Check.test("Linux SYN without SACK (tcp_sack=0): NOP NOP TS, NOP WS", () -> {
            Check.bytes(Check.hex("020405b4 0101080a a37642a7 00000000 0103030a"),
                    bytes(TcpOptionLayout.syn(1460, 10, false, ts(0xa37642a7L, 0))), "SYN options");
        });

        Check.test("Linux SYN without timestamps: NOP NOP SACK_PERM, NOP WS", () -> {
            Check.bytes(Check.hex("020405b4 01010402 0103030a"),
                    bytes(TcpOptionLayout.syn(1460, 10, true, null)), "SYN options");
        });

        Check.test("Linux SYN without window scaling: MSS, SACK_PERM+TS, nothing after", () -> {
            Check.bytes(Check.hex("020405b4 0402080a 840c15e3 00000000"),
                    bytes(TcpOptionLayout.syn(1460, -1, true, ts(0x840c15e3L, 0))), "SYN options");
            Check.bytes(Check.hex("020405b4"), bytes(TcpOptionLayout.syn(1460, -1, false, null)), "MSS alone");
        });

        Check.test("Linux data and ACK segments: NOP NOP TS (12 bytes)", () -> {
            Check.bytes(Check.hex("0101080a fa39108f cb2fc2f7"),
                    bytes(TcpOptionLayout.segment(ts(0xfa39108fL, 0xcb2fc2f7L), new int[0])), "ACK options");
            Check.equal(TcpOptionLayout.TIMESTAMP_BYTES, TcpOptionLayout.length(TcpOptionLayout.segment(ts(1, 2), new int[0])), "12 bytes");
            Check.equal(List.of(), TcpOptionLayout.segment(null, new int[0]), "nothing without timestamps or SACK");
        });

        Check.test("Linux ACK with 3 SACK blocks beside timestamps: NOP NOP TS NOP NOP SACK, 40 bytes", () -> {
            int[] edges = {0x11d9819f, 0x11d98747, 0x11d970a7, 0x11d97bf7, 0x11d95faf, 0x11d96aff};
            byte[] expected = Check.hex("0101080a 17f30011 18c9ef9f 0101051a 11d9819f 11d98747 11d970a7 11d97bf7 11d95faf 11d96aff");
            List<Packets.TcpOption> options = TcpOptionLayout.segment(ts(0x17f30011L, 0x18c9ef9fL), edges);
            Check.bytes(expected, bytes(options), "ACK options");
            Check.equal(40, TcpOptionLayout.length(options), "the whole option space");
        });

        Check.test("RFC 2018: a 4th block does not fit beside timestamps, and does without them", () -> {
            int[] four = {10, 20, 30, 40, 50, 60, 70, 80};
            List<Packets.TcpOption> withTs = TcpOptionLayout.segment(ts(1, 2), four);
            Check.equal(new Packets.Sack(new int[] {10, 20, 30, 40, 50, 60}), withTs.get(withTs.size() - 1), "the first 3 blocks");
            List<Packets.TcpOption> without = TcpOptionLayout.segment(null, four);
            Check.equal(new Packets.Sack(four), without.get(without.size() - 1), "4 blocks");
            Check.equal(36, TcpOptionLayout.length(without), "NOP NOP + 2 + 4 * 8");
            Check.equal(3, TcpOptionLayout.maxSackBlocks(true), "max with timestamps");
            Check.equal(4, TcpOptionLayout.maxSackBlocks(false), "max without");
        });

        Check.test("the kernel's whole SYN header, byte for byte (client 198.18.0.2:47192 -> .1:5001)", () -> {
            // captured: b858 1389 ea6d37a1 00000000 a002 faf0 8c56 0000 + the 20 option bytes
            Packets.Tcp syn = Packets.Tcp.of(0xb858, 5001, 0xea6d37a1, 0, Packets.SYN, 64240,
                    TcpOptionLayout.syn(1460, 10, true, ts(0xfa39108fL, 0)), null);
            Check.bytes(Check.hex("b8581389 ea6d37a1 00000000 a002faf0 8c560000 020405b4 0402080a fa39108f 00000000 0103030a"),
                    tcpHeader(CLIENT, SERVER, syn), "SYN header");
        });

        Check.test("the kernel's whole SACK ACK header, byte for byte (server .1:5001 -> .2:57204)", () -> {
            // captured: 1389 df74 c1e08ff4 11d95a07 f010 004b 8c6a 0000 + the 40 option bytes
            int[] edges = {0x11d9819f, 0x11d98747, 0x11d970a7, 0x11d97bf7, 0x11d95faf, 0x11d96aff};
            Packets.Tcp ack = Packets.Tcp.of(5001, 0xdf74, 0xc1e08ff4, 0x11d95a07, Packets.ACK, 0x4b,
                    TcpOptionLayout.segment(ts(0x17f30011L, 0x18c9ef9fL), edges), null);
            Check.bytes(Check.hex("1389df74 c1e08ff4 11d95a07 f010004b 8c6a0000 0101080a 17f30011 18c9ef9f 0101051a"
                    + "11d9819f 11d98747 11d970a7 11d97bf7 11d95faf 11d96aff"), tcpHeader(SERVER, CLIENT, ack), "ACK header");
        });

        Check.test("a SYN without timestamps takes 12 bytes of options: data offset 8, as the kernel's (0x80)", () -> {
            Packets.Tcp syn = Packets.Tcp.of(0xdf58, 5001, 0xe4053671, 0, Packets.SYN, 64240,
                    TcpOptionLayout.syn(1460, 10, true, null), null);
            Check.bytes(Check.hex("df581389 e4053671 00000000 8002faf0 8c4e0000 020405b4 01010402 0103030a"),
                    tcpHeader(CLIENT, SERVER, syn), "SYN header");
        });

        Check.finish();
    }
}
