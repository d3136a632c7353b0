import java.util.ArrayList;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * A classic BPF program (see Documentation/networking/filter.rst in Linux) for the packet socket:
 * the kernel passes us IPv4/TCP packets addressed to our ports, and the ICMP errors that may be
 * about our segments (destination unreachable, time exceeded: the Demultiplexer finds their
 * connection by the 4-tuple they quote), and drops the rest (other ports, other protocols, other
 * ICMP, our own outgoing packets) before they wake the program.
 *
 * Packets too broken to show a destination port (IHL below 5, or shorter than the port field) are
 * passed too, so that the program can say why it drops them.
 * The program reads the packet from its IPv4 header (SOCK_DGRAM packet sockets start there).
 */
final class PortFilter {
    private PortFilter() {}

    // Opcodes (linux/bpf_common.h): class | size | mode.
    private static final int LD_H_ABS = 0x28, LD_B_ABS = 0x30, LD_B_IND = 0x50, LD_H_IND = 0x48, LD_W_LEN = 0x80, LDX_B_MSH = 0xb1;
    private static final int JEQ_K = 0x15, JGE_K = 0x35, JGT_K = 0x25, JGE_X = 0x3d;
    private static final int ADD_K = 0x04, TAX = 0x07, TXA = 0x87, RET_K = 0x06;
    private static final int ACCEPT_BYTES = 0x40000, REJECT = 0;

    /** Individual ports up to this many; beyond, one range from the lowest to the highest. */
    static final int MAX_LISTED_PORTS = 32;

    /** The program, as {code, jt, jf, k} rows for RawSocket.attachReceiveFilter. */
    static int[][] forDestinationPorts(SortedSet<Integer> ports) {
        List<int[]> p = new ArrayList<>();
        boolean range = ports.size() > MAX_LISTED_PORTS;
        int portChecks = range ? 2 : ports.size();
        // Instructions 0-10 load the destination port; the port checks follow from 11, then REJECT
        // and ACCEPT; then the ICMP check, with its own REJECT and ACCEPT (jumps go forward only).
        int reject = 11 + portChecks, accept = reject + 1, icmp = accept + 1, icmpReject = icmp + 5, icmpAccept = icmp + 6;
        p.add(op(LD_B_ABS, 0, 0, 9));                            // 0: A = protocol
        p.add(op(JEQ_K, 0, jump(1, icmp), 6));                   // 1: TCP? else see whether ICMP
        p.add(op(LDX_B_MSH, 0, 0, 0));                           // 2: X = IHL * 4
        p.add(op(TXA, 0, 0, 0));                                 // 3: A = X
        p.add(op(JGE_K, 0, jump(4, accept), 20));                // 4: IHL < 5: broken, pass it on
        p.add(op(ADD_K, 0, 0, 4));                               // 5: A = IHL * 4 + 4 (end of the ports)
        p.add(op(TAX, 0, 0, 0));                                 // 6: X = A
        p.add(op(LD_W_LEN, 0, 0, 0));                            // 7: A = packet length
        p.add(op(JGE_X, 0, jump(8, accept), 0));                 // 8: too short for ports: pass it on
        p.add(op(LDX_B_MSH, 0, 0, 0));                           // 9: X = IHL * 4 again
        p.add(op(LD_H_IND, 0, 0, 2));                            // 10: A = destination port
        if (range) {
            p.add(op(JGE_K, 0, jump(11, reject), ports.first()));
            p.add(op(JGT_K, jump(12, reject), jump(12, accept), ports.last()));
        } else {
            int at = 11;
            for (int port : ports) {
                p.add(op(JEQ_K, jump(at, accept), 0, port));
                at++;
            }
        }
        p.add(op(RET_K, 0, 0, REJECT));
        p.add(op(RET_K, 0, 0, ACCEPT_BYTES));
        p.add(op(JEQ_K, 0, jump(icmp, icmpReject), Icmp.PROTOCOL_ICMP));                   // ICMP? else reject
        p.add(op(LDX_B_MSH, 0, 0, 0));                                                       // X = IHL * 4
        p.add(op(LD_B_IND, 0, 0, 0));                                                        // A = ICMP type
        p.add(op(JEQ_K, jump(icmp + 3, icmpAccept), 0, Icmp.DESTINATION_UNREACHABLE));
        p.add(op(JEQ_K, jump(icmp + 4, icmpAccept), jump(icmp + 4, icmpReject), Icmp.TIME_EXCEEDED));
        p.add(op(RET_K, 0, 0, REJECT));
        p.add(op(RET_K, 0, 0, ACCEPT_BYTES));
        return p.toArray(new int[0][]);
    }

    /**
     * The same for the IPv6 packet socket: TCP right after the fixed 40-byte header passes when
     * its destination port is ours; a packet with an extension header first (hop-by-hop, routing,
     * fragment, destination options) passes too, for the program to walk the chain (rare: BPF has
     * no loops to do it here); ICMPv6 destination unreachable, packet too big and time exceeded
     * (RFC 4443 types 1-3) pass, for the Demultiplexer to find their connection by the quote;
     * anything else (echo, neighbour discovery, UDP) is dropped.
     */
    static int[][] forIpv6DestinationPorts(Iterable<Integer> portList) {
        SortedSet<Integer> ports = new TreeSet<>();
        for (int port : portList) ports.add(port);
        List<int[]> p = new ArrayList<>();
        boolean range = ports.size() > MAX_LISTED_PORTS;
        int portChecks = range ? 2 : ports.size();
        // Instructions 0-8 look at the next header and load the port, the port checks follow from
        // 9, then REJECT and ACCEPT; then the ICMPv6 check with its own REJECT and ACCEPT.
        int reject = 9 + portChecks, accept = reject + 1, icmp = accept + 1, icmpReject = icmp + 5, icmpAccept = icmp + 6;
        p.add(op(LD_B_ABS, 0, 0, 6));                            // 0: A = next header
        p.add(op(JEQ_K, jump(1, 6), 0, 6));                      // 1: TCP: to the port
        p.add(op(JEQ_K, jump(2, accept), 0, 0));                 // 2: hop-by-hop
        p.add(op(JEQ_K, jump(3, accept), 0, 43));                // 3: routing
        p.add(op(JEQ_K, jump(4, accept), 0, 44));                // 4: fragment
        p.add(op(JEQ_K, jump(5, accept), jump(5, icmp), 60));    // 5: destination options; else see whether ICMPv6
        p.add(op(LD_W_LEN, 0, 0, 0));                            // 6: A = packet length
        p.add(op(JGE_K, 0, jump(7, accept), 44));                // 7: too short for ports: pass it on
        p.add(op(LD_H_ABS, 0, 0, 42));                           // 8: A = destination port
        if (range) {
            p.add(op(JGE_K, 0, jump(9, reject), ports.first()));
            p.add(op(JGT_K, jump(10, reject), jump(10, accept), ports.last()));
        } else {
            int at = 9;
            for (int port : ports) {
                p.add(op(JEQ_K, jump(at, accept), 0, port));
                at++;
            }
        }
        p.add(op(RET_K, 0, 0, REJECT));
        p.add(op(RET_K, 0, 0, ACCEPT_BYTES));
        p.add(op(JEQ_K, 0, jump(icmp, icmpReject), Icmp.PROTOCOL_ICMPV6));                  // ICMPv6? else reject
        p.add(op(LD_B_ABS, 0, 0, 40));                                                       // A = ICMPv6 type
        p.add(op(JEQ_K, jump(icmp + 2, icmpAccept), 0, Icmp.V6_DESTINATION_UNREACHABLE));
        p.add(op(JEQ_K, jump(icmp + 3, icmpAccept), 0, Icmp.V6_PACKET_TOO_BIG));
        p.add(op(JEQ_K, jump(icmp + 4, icmpAccept), jump(icmp + 4, icmpReject), Icmp.V6_TIME_EXCEEDED));
        p.add(op(RET_K, 0, 0, REJECT));
        p.add(op(RET_K, 0, 0, ACCEPT_BYTES));
        return p.toArray(new int[0][]);
    }

    static int[][] forDestinationPorts(Iterable<Integer> ports) {
        SortedSet<Integer> sorted = new TreeSet<>();
        for (int port : ports) sorted.add(port);
        return forDestinationPorts(sorted);
    }

    private static final int SKF_NET_OFF = -0x100000; // <linux/filter.h>: a load relative to the network header

    /**
     * The same program for a socket whose packets start with the link header (SOCK_RAW, as the
     * receive ring's socket is): each load from the packet (BPF_ABS, BPF_IND, BPF_MSH) counts from
     * the network header instead, whatever the link header's length. Loads of the packet's length
     * still count the link header, so "too short for the ports" is judged a little later there.
     */
    static int[][] fromNetworkHeader(int[][] program) {
        int[][] moved = new int[program.length][];
        for (int i = 0; i < program.length; i++) {
            int[] op = program[i].clone();
            int cls = op[0] & 0x07, mode = op[0] & 0xe0;
            boolean load = cls == 0x00 || cls == 0x01;                  // BPF_LD, BPF_LDX
            if (load && (mode == 0x20 || mode == 0x40 || mode == 0xa0)) op[3] += SKF_NET_OFF; // ABS, IND, MSH
            moved[i] = op;
        }
        return moved;
    }

    private static int[] op(int code, int jt, int jf, int k) {
        return new int[] {code, jt, jf, k};
    }

    /** A jump from instruction 'from' to 'to' counts the instructions skipped after 'from'. */
    private static int jump(int from, int to) {
        int offset = to - from - 1;
        if (offset < 0 || offset > 255) throw new IllegalStateException("BPF jump " + from + " -> " + to);
        return offset;
    }
}
