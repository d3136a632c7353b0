import java.util.Locale;

/**
 * One segment of a connection as a ladder draws it: which way it goes, when, and the fields a
 * learner reads. seq is relative to the sender's first sequence number (its SYN's, when the
 * capture has it), ack relative to the receiver's, as Wireshark shows them. window is in bytes:
 * already multiplied by the window scale that the two SYNs agreed on.
 *
 * @param frame  the packet's number in the capture file, from 1
 * @param micros time since the connection's first segment
 * @param fromA  true when the segment goes from the connection's first end (the left column) to the second
 * @param ack    the relative acknowledgment number, or -1 when the ACK flag is off
 * @param mss    the MSS option's value, or -1
 * @param windowScale the window scale option's shift, or -1
 * @param sackPermitted a SYN with the SACK-permitted option (RFC 2018)
 * @param sack   the SACK blocks, relative like ack ("2921-4381,5841-7301"), or "" for none
 * @param timestamps RFC 7323's option, relative to each side's first TSval ("ts=40/12"), or "" for none
 * @param ipEcn  the ECN field of the packet's IP header (RFC 3168 section 5): 0 not-ECT, 2 ECT(0), 1 ECT(1), 3 CE
 */
record Arrow(int frame, long micros, boolean fromA, int flags, long seq, long ack, int length, long window,
             int mss, int windowScale, boolean sackPermitted, String sack, String timestamps, int ipEcn,
             boolean retransmission) {

    /**
     * The text on the arrow: "SYN-ACK seq=0 ack=1 len=0 win=65535 mss=1460 sackok", "ACK seq=1
     * ack=2921 len=0 win=65535 sack=4381-5841 ts=40/12", "ACK seq=1 ack=1 len=1448 win=65535 ect0", then "retransmission".
     */
    String label() {
        StringBuilder s = new StringBuilder(PacketText.flagNames(flags)).append(" seq=").append(seq);
        if (ack >= 0) s.append(" ack=").append(ack);
        s.append(" len=").append(length).append(" win=").append(window);
        if (mss >= 0) s.append(" mss=").append(mss);
        if (windowScale >= 0) s.append(" ws=").append(windowScale);
        if (sackPermitted) s.append(" sackok");
        if (!sack.isEmpty()) s.append(" sack=").append(sack);
        if (!timestamps.isEmpty()) s.append(' ').append(timestamps);
        // RFC 3168 section 5: "ECT(0)" and "ECT(1)" mark an ECN-capable packet, "CE" one that a
        // router marked instead of dropping it.
        if (ipEcn != 0) s.append(' ').append(ipEcn == 3 ? "ce" : ipEcn == 2 ? "ect0" : "ect1");
        if (retransmission) s.append(" retransmission");
        return s.toString();
    }

    /** Milliseconds since the connection's first segment, to the microsecond: "24.834". */
    String milliseconds() {
        return String.format(Locale.ROOT, "%.3f", micros / 1000.0);
    }

    boolean has(int flag) { return (flags & flag) != 0; }
}
