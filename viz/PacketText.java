import java.nio.ByteBuffer;
import java.util.List;

/**
 * Packets as a learner reads them, in one line: the flags as people say them ("SYN-ACK"), the
 * fields of a segment for --verbose, the options, and the short name of a raw packet in a fault's
 * log line. Packets.java is the wire format; this is how it is printed.
 */
final class PacketText {
    private PacketText() {}

    /** Flags as people say them: SYN, SYN-ACK, ACK, PSH-ACK, FIN-ACK, RST, RST-ACK, ... */
    static String flagNames(int flags) {
        StringBuilder s = new StringBuilder();
        String[] names = {"FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR"};
        int[] order = {1, 2, 0, 3, 5, 4, 6, 7}; // SYN, RST, FIN, PSH, URG, ACK, ECE, CWR
        for (int i : order) {
            if ((flags & (1 << i)) != 0) s.append(s.length() == 0 ? "" : "-").append(names[i]);
        }
        return s.length() == 0 ? "(no flags)" : s.toString();
    }

    /** One line with every field a learner looks at. */
    static String describe(Packets.Tcp t) {
        StringBuilder s = new StringBuilder(flagNames(t.flags()))
                .append(" seq=").append(Seq.str(t.seq()))
                .append(" ack=").append(Seq.str(t.ack()))
                .append(" win=").append(t.window())
                .append(" len=").append(t.payload().length);
        if (!t.options().isEmpty()) s.append(" opts=").append(describeOptions(t.options()));
        s.append(String.format(" csum=0x%04x", t.checksum()));
        if (t.urgentPointer() != 0) s.append(" urg=").append(t.urgentPointer());
        return s.toString();
    }

    /** "[MSS 1460,NOP,WS 7]": each option as it describes itself. */
    static String describeOptions(List<Packets.TcpOption> options) {
        StringBuilder s = new StringBuilder("[");
        for (Packets.TcpOption o : options) {
            if (s.length() > 1) s.append(",");
            s.append(o.describe());
        }
        return s.append("]").toString();
    }

    /**
     * How a fault's log line names an IPv4 packet that is already bytes: "SYN", "PSH-ACK (1448
     * bytes)". The packet was emitted by us, so its header lengths can be trusted.
     */
    static String summary(ByteBuffer p) {
        int at = p.position();
        int ipHeader = (Packets.u8(p, at) & 0x0f) * 4;
        int total = Packets.u16(p, at + 2);
        int tcpHeader = (Packets.u8(p, at + ipHeader + 12) >> 4) * 4;
        int data = total - ipHeader - tcpHeader;
        String flags = flagNames(Packets.u8(p, at + ipHeader + 13));
        return data > 0 ? flags + " (" + data + " bytes)" : flags;
    }
}
