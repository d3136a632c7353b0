import java.util.ArrayList;
import java.util.List;

/**
 * Which options go on a segment, in Linux's order and padding (tcp_options_write in
 * net/ipv4/tcp_output.c), so that our segments look on the wire as the kernel's do.
 *
 * RFC 9293 section 3.1: "An option may begin on any octet boundary", but Linux puts every 4-byte
 * field on a 4-byte boundary, with NOPs, and pairs the 2-byte SACK-permitted with the timestamps'
 * kind and length to save 4 bytes. Measured with tests/unit/data/capture-linux-options.sh (kernel
 * 6.18, two namespaces, python sockets; TSvals vary from run to run):
 * <pre>
 *   SYN, Linux's defaults (MSS 1460, SACK, timestamps, window scale 10), 20 bytes:
 *     02 04 05 b4   04 02 08 0a   fa 39 10 8f   00 00 00 00   01 03 03 0a
 *     MSS 1460      SACK_PERM,TS  TSval         TSecr 0       NOP, WS 10
 *   SYN-ACK to it: 02 04 05 b4 04 02 08 0a cb 2f c2 f7 fa 39 10 8f 01 03 03 0a (TSecr = the SYN's TSval)
 *   SYN without SACK (tcp_sack=0):         02 04 05 b4 01 01 08 0a a3 76 42 a7 00 00 00 00 01 03 03 0a
 *   SYN without timestamps:                02 04 05 b4 01 01 04 02 01 03 03 0a
 *   SYN without window scaling:            02 04 05 b4 04 02 08 0a 84 0c 15 e3 00 00 00 00
 *   every later segment, data or ACK:      01 01 08 0a TSval TSecr                       (12 bytes)
 *   an ACK with 3 SACK blocks beside them: 01 01 08 0a 17 f3 00 11 18 c9 ef 9f
 *                                          01 01 05 1a 11 d9 81 9f 11 d9 87 47 11 d9 70 a7
 *                                          11 d9 7b f7 11 d9 5f af 11 d9 6a ff          (40 bytes)
 * </pre>
 * The SYN-ACK answers the SYN's choices: Linux's SYN-ACK to a SYN without SACK-permitted carries
 * 01 01 08 0a (NOPs instead of it), without window scale it carries none, without timestamps it
 * is 02 04 05 b4 01 01 04 02 01 03 03 0a.
 */
final class TcpOptionLayout {
    private TcpOptionLayout() {}

    /** NOP NOP TS: what the timestamps add to every segment once negotiated. */
    static final int TIMESTAMP_BYTES = 12;

    /**
     * RFC 2018 section 3: "It is expected that SACK will often be used in conjunction with the
     * Timestamp option used for RTTM [Jacobson92], which takes an additional 10 bytes (plus two bytes
     * of padding); thus a maximum of 3 SACK blocks will be allowed in this case." (12 + 2 NOPs +
     * 2 + 3 * 8 = 40 bytes.) Without timestamps, 4.
     */
    static int maxSackBlocks(boolean timestamps) {
        return timestamps ? 3 : Packets.MAX_SACK_BLOCKS;
    }

    /**
     * The options of a SYN or SYN-ACK, as Linux lays them out.
     *
     * @param mss           our MSS (always sent: RFC 9293 section 3.7.1, "TCP implementations SHOULD
     *                      send an MSS Option in every SYN segment when its receive MSS differs from
     *                      the default 536 for IPv4" (SHLD-5), and Linux always does)
     * @param windowShift   our window scale shift, or -1 for no window scale option
     * @param sackPermitted put SACK-permitted in
     * @param timestamps    the TSopt (Timestamps.synOption / synAckOption), or null
     */
    static List<Packets.TcpOption> syn(int mss, int windowShift, boolean sackPermitted, Packets.Timestamps timestamps) {
        List<Packets.TcpOption> options = new ArrayList<>(7);
        options.add(new Packets.Mss(mss));
        if (timestamps != null) {
            // As Linux: SACK-permitted (kind 4, length 2) takes the place of the two NOPs that
            // would put the timestamps' 8-byte values on a 4-byte boundary.
            if (sackPermitted) {
                options.add(new Packets.SackPermitted());
            } else {
                options.add(new Packets.Nop());
                options.add(new Packets.Nop());
            }
            options.add(timestamps);
        } else if (sackPermitted) {
            options.add(new Packets.Nop());
            options.add(new Packets.Nop());
            options.add(new Packets.SackPermitted());
        }
        if (windowShift >= 0) {
            options.add(new Packets.Nop());
            options.add(new Packets.WindowScale(windowShift));
        }
        return options;
    }

    /**
     * The options of any other segment: NOP NOP TS when timestamps were negotiated, then NOP NOP SACK
     * with as many of the blocks as fit (the first blocks: RFC 2018 section 4 wants the most recent
     * first, and ReassemblyQueue.sackBlocks gives them so).
     *
     * @param timestamps Timestamps.option(...), or null
     * @param sackEdges  left, right, left, right... (may be empty)
     */
    static List<Packets.TcpOption> segment(Packets.Timestamps timestamps, int[] sackEdges) {
        if (sackEdges.length % 2 != 0) throw new IllegalArgumentException("SACK edges come in pairs: " + sackEdges.length);
        List<Packets.TcpOption> options = new ArrayList<>(6);
        if (timestamps != null) {
            options.add(new Packets.Nop());
            options.add(new Packets.Nop());
            options.add(timestamps);
        }
        int blocks = Math.min(sackEdges.length / 2, maxSackBlocks(timestamps != null));
        if (blocks > 0) {
            options.add(new Packets.Nop());
            options.add(new Packets.Nop());
            options.add(new Packets.Sack(java.util.Arrays.copyOf(sackEdges, 2 * blocks)));
        }
        return options;
    }

    /** The bytes the options take on the wire, before padding to a multiple of 4. */
    static int length(List<Packets.TcpOption> options) {
        int bytes = 0;
        for (Packets.TcpOption o : options) bytes += o.length();
        return bytes;
    }
}
