import java.nio.ByteBuffer;
import java.util.List;
import java.util.TreeSet;

/**
 * The BPF program of PortFilter, run by a small classic-BPF interpreter (the subset it uses, with
 * the kernel's rule that a load past the packet rejects it) on packets it must pass or drop.
 */
final class PortFilterTest {
    public static void main(String[] args) {
        Check.suite("PortFilterTest");
        int a = 0xc6120001, b = 0xc6120002;

        Check.test("our port passes; other ports, other protocols and fragments' neighbours do not", () -> {
            int[][] prog = PortFilter.forDestinationPorts(List.of(5000));
            Check.isTrue(run(prog, tcp(a, b, 40000, 5000)) > 0, "TCP to 5000 passes");
            Check.equal(0, run(prog, tcp(a, b, 40000, 5001)), "TCP to 5001");
            Check.equal(0, run(prog, tcp(b, a, 5000, 40000)), "our own SYN-ACK (source port 5000)");
            ByteBuffer udp = tcp(a, b, 40000, 5000);
            udp.put(9, (byte) 17);
            Check.equal(0, run(prog, udp), "UDP to 5000");
        });

        Check.test("several ports listed one by one; many ports as one range", () -> {
            int[][] few = PortFilter.forDestinationPorts(List.of(41000, 42000, 43000));
            for (int port : List.of(41000, 42000, 43000)) Check.isTrue(run(few, tcp(a, b, 5000, port)) > 0, "port " + port);
            Check.equal(0, run(few, tcp(a, b, 5000, 41500)), "port between them");
            TreeSet<Integer> many = new TreeSet<>();
            for (int i = 0; i < 200; i++) many.add(50000 + 7 * i);
            int[][] range = PortFilter.forDestinationPorts(many);
            Check.isTrue(run(range, tcp(a, b, 5000, 50000)) > 0, "lowest port");
            Check.isTrue(run(range, tcp(a, b, 5000, 50000 + 7 * 199)) > 0, "highest port");
            Check.equal(0, run(range, tcp(a, b, 5000, 49999)), "below the range");
            Check.equal(0, run(range, tcp(a, b, 5000, 50000 + 7 * 199 + 1)), "above the range");
        });

        Check.test("IP options: the port is found after a longer IPv4 header", () -> {
            ByteBuffer p = ByteBuffer.allocate(64);
            p.put(0, (byte) 0x46).put(9, (byte) 6).putShort(24 + 2, (short) 5000); // IHL 6
            p.limit(44);
            Check.isTrue(run(PortFilter.forDestinationPorts(List.of(5000)), p) > 0, "IHL 6, port 5000");
        });

        Check.test("packets too broken to show a port are passed on, so the program can say why", () -> {
            int[][] prog = PortFilter.forDestinationPorts(List.of(5000));
            ByteBuffer ihl4 = tcp(a, b, 40000, 5000);
            ihl4.put(0, (byte) 0x44);
            Check.isTrue(run(prog, ihl4) > 0, "IHL 4");
            ByteBuffer ihl15 = tcp(a, b, 40000, 5000);
            ihl15.put(0, (byte) 0x4f); // 60 header bytes in a 40-byte packet
            Check.isTrue(run(prog, ihl15) > 0, "IHL 15 past the end");
            ByteBuffer cut = tcp(a, b, 40000, 5000);
            cut.limit(22);
            Check.isTrue(run(prog, cut) > 0, "cut before the destination port");
        });

        Check.test("IPv6: our port passes; other ports, ICMPv6 and UDP do not; extension headers pass on", () -> {
            int[][] prog = PortFilter.forIpv6DestinationPorts(List.of(5000));
            ByteBuffer syn = ByteBuffer.wrap(Check.hex(PacketsIpv6.SYN_HEX));
            Check.isTrue(run(prog, syn) > 0, "the IPv6 SYN to 5000 passes");
            ByteBuffer other = ByteBuffer.wrap(Check.hex(PacketsIpv6.SYN_HEX));
            other.putShort(42, (short) 5001);
            Check.equal(0, run(prog, other), "TCP to 5001");
            Check.equal(0, run(prog, ByteBuffer.wrap(Check.hex(PacketsIpv6.SYN_ACK_HEX))), "our own SYN-ACK (source port 5000)");
            ByteBuffer icmp = ByteBuffer.wrap(Check.hex(PacketsIpv6.SYN_HEX));
            icmp.put(6, (byte) 58);
            Check.equal(0, run(prog, icmp), "ICMPv6 of type 0x9c (the port's first byte)");
            Check.isTrue(run(prog, ByteBuffer.wrap(Check.hex(PacketsIpv6.EXTENSIONS_HEX))) > 0, "behind extension headers");
            Check.isTrue(run(prog, ByteBuffer.wrap(Check.hex(PacketsIpv6.FRAGMENT_HEX))) > 0, "a fragment (the parse says why it drops it)");
            Check.isTrue(run(prog, ByteBuffer.wrap(Check.hex(PacketsIpv6.SYN_HEX)).limit(43)) > 0, "cut before the port");
            TreeSet<Integer> many = new TreeSet<>();
            for (int i = 0; i < 200; i++) many.add(50000 + 7 * i);
            ByteBuffer high = ByteBuffer.wrap(Check.hex(PacketsIpv6.SYN_HEX));
            high.putShort(42, (short) (50000 + 7 * 199));
            Check.isTrue(run(PortFilter.forIpv6DestinationPorts(many), high) > 0, "range: highest port");
            high.putShort(42, (short) 49999);
            Check.equal(0, run(PortFilter.forIpv6DestinationPorts(many), high), "range: below");
        });

        Check.test("ICMPv6 destination unreachable, packet too big and time exceeded pass; echo and neighbour discovery do not", () -> {
            int[][] prog = PortFilter.forIpv6DestinationPorts(List.of(5000));
            Check.isTrue(run(prog, IcmpTest.hex(IcmpTest.V6_NO_ROUTE)) > 0, "no route to destination");
            Check.isTrue(run(prog, IcmpTest.hex(IcmpTest.V6_TOO_BIG)) > 0, "packet too big");
            Check.isTrue(run(prog, IcmpTest.hex(IcmpTest.V6_TIME_EXCEEDED)) > 0, "time exceeded");
            Check.equal(0, run(prog, IcmpTest.hex(IcmpTest.V6_ECHO)), "echo request");
            Check.equal(0, run(prog, IcmpTest.hex(IcmpTest.V6_NEIGHBOUR_SOLICITATION)), "neighbour solicitation");
            TreeSet<Integer> many = new TreeSet<>();
            for (int i = 0; i < 200; i++) many.add(50000 + 7 * i);
            Check.isTrue(run(PortFilter.forIpv6DestinationPorts(many), IcmpTest.hex(IcmpTest.V6_TOO_BIG)) > 0, "with a port range too");
        });

        Check.test("ICMP destination unreachable and time exceeded pass (their quote names the connection); echo does not", () -> {
            int[][] prog = PortFilter.forDestinationPorts(List.of(5000));
            ByteBuffer quoted = tcp(b, a, 5000, 40000);
            Check.isTrue(run(prog, Icmp.emit(0xc61201fe, 3, 1, 0, quoted)) > 0, "host unreachable");
            Check.isTrue(run(prog, Icmp.emit(0xc61201fe, 3, 4, 1280, quoted)) > 0, "fragmentation needed");
            Check.isTrue(run(prog, Icmp.emit(0xc61201fe, 11, 0, 0, quoted)) > 0, "time exceeded");
            Check.equal(0, run(prog, Icmp.emit(0xc61201fe, 8, 0, 0, quoted)), "echo request");
            Check.equal(0, run(prog, Icmp.emit(0xc61201fe, 5, 0, 0, quoted)), "redirect");
            int[][] many = PortFilter.forDestinationPorts(new TreeSet<>(java.util.stream.IntStream.range(6000, 6100).boxed().toList()));
            Check.isTrue(run(many, Icmp.emit(0xc61201fe, 3, 3, 0, quoted)) > 0, "with a port range too");
        });

        Check.finish();
    }

    static ByteBuffer tcp(int src, int dst, int sport, int dport) {
        ByteBuffer p = ByteBuffer.allocate(40);
        p.put(0, (byte) 0x45).putShort(2, (short) 40).put(8, (byte) 64).put(9, (byte) 6).putInt(12, src).putInt(16, dst);
        p.putShort(20, (short) sport).putShort(22, (short) dport).put(32, (byte) 0x50);
        return p;
    }

    /** Classic BPF, as the kernel runs it on a SOCK_DGRAM packet socket (data from the IP header). */
    static int run(int[][] prog, ByteBuffer p) {
        int acc = 0, x = 0, pc = 0, len = p.limit();
        for (int steps = 0; steps < 10_000; steps++) {
            int[] i = prog[pc];
            int code = i[0], jt = i[1], jf = i[2], k = i[3];
            pc++;
            switch (code) {
                case 0x28 -> { if (k + 2 > len) return 0; acc = p.getShort(k) & 0xffff; }             // ld h [k]
                case 0x30 -> { if (k + 1 > len) return 0; acc = p.get(k) & 0xff; }                  // ld b [k]
                case 0x50 -> { if (x + k + 1 > len) return 0; acc = p.get(x + k) & 0xff; }            // ld b [x+k]
                case 0x48 -> { if (x + k + 2 > len) return 0; acc = p.getShort(x + k) & 0xffff; }     // ld h [x+k]
                case 0x80 -> acc = len;                                                               // ld len
                case 0xb1 -> { if (k + 1 > len) return 0; x = 4 * (p.get(k) & 0x0f); }               // ldx 4*([k]&0xf)
                case 0x04 -> acc += k;                                                                // add #k
                case 0x07 -> x = acc;                                                                 // tax
                case 0x87 -> acc = x;                                                                 // txa
                case 0x15 -> pc += acc == k ? jt : jf;                                                // jeq #k
                case 0x35 -> pc += Integer.compareUnsigned(acc, k) >= 0 ? jt : jf;                    // jge #k
                case 0x25 -> pc += Integer.compareUnsigned(acc, k) > 0 ? jt : jf;                     // jgt #k
                case 0x3d -> pc += Integer.compareUnsigned(acc, x) >= 0 ? jt : jf;                    // jge x
                case 0x06 -> { return k; }                                                            // ret #k
                default -> throw new IllegalStateException("opcode 0x" + Integer.toHexString(code));
            }
        }
        throw new IllegalStateException("no return");
    }
}
