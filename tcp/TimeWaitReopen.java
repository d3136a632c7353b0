/**
 * A SYN that arrives for a connection in TIME-WAIT: may it open a new incarnation at once?
 *
 * RFC 9293 section 3.6.1: "When a connection is closed actively, it MUST linger in the TIME-WAIT
 * state for a time 2xMSL (Maximum Segment Lifetime) (MUST-13). However, it MAY accept a new SYN
 * from the remote TCP endpoint to reopen the connection directly from TIME-WAIT state (MAY-2), if
 * it: (1) assigns its initial sequence number for the new connection to be larger than the largest
 * sequence number it used on the previous connection incarnation, and (2) returns to TIME-WAIT
 * state if the SYN turns out to be an old duplicate." And: "When the TCP Timestamp options are
 * available, an improved algorithm is described in [40] in order to support higher connection
 * establishment rates. This algorithm for reducing TIME-WAIT is a Best Current Practice that SHOULD
 * be implemented since Timestamp options are commonly used, and using them to reduce TIME-WAIT
 * provides benefits for busy Internet servers (SHLD-4)." [40] is RFC 6191, whose rules decide()
 * follows.
 *
 * The connection calls decide() for a SYN (without ACK and RST) in TIME-WAIT, before RFC 5961's
 * challenge ACK. On REOPEN it ends the old incarnation and handles the SYN as LISTEN would, with
 * the ISS given here; on STAY it answers as it does today (Linux answers such a SYN with an ACK
 * too, tcp_timewait_state_process's TCP_TW_ACK) and stays in TIME-WAIT.
 */
final class TimeWaitReopen {
    private TimeWaitReopen() {}

    /** What the old incarnation knew when it entered TIME-WAIT. */
    record Previous(int rcvNxt, int sndNxt, boolean usedTimestamps, int tsRecent) {}

    /** REOPEN with newIss, or STAY; reason is the line for --verbose. */
    record Decision(boolean reopen, int newIss, String reason) {}

    /**
     * @param syn              a SYN without ACK or RST, for the 4-tuple in TIME-WAIT
     * @param timestampsForNew our side would use timestamps on the new incarnation (they are not
     *                         turned off); they then are "enabled for the new incarnation" when the
     *                         SYN carries a TSopt
     */
    static Decision decide(Packets.Tcp syn, Previous previous, boolean timestampsForNew) {
        if (!syn.isSyn() || syn.isAck() || syn.isRst()) throw new IllegalArgumentException("not a SYN: " + syn);
        Packets.Timestamps ts = Timestamps.option(syn);
        boolean tsNew = timestampsForNew && ts != null;
        // "greater than the last sequence number seen on the previous incarnation": as Linux, after
        // RCV.NXT, past everything the old incarnation could still deliver (its FIN included).
        boolean seqNewer = Seq.gt(syn.seq(), previous.rcvNxt());
        String seq = "SYN seq " + Seq.str(syn.seq()) + (seqNewer ? " is past " : " is not past ") + "RCV.NXT " + Seq.str(previous.rcvNxt());
        if (previous.usedTimestamps()) {
            // RFC 6191 section 2: "If the previous incarnation of the connection used Timestamps, then:"
            if (tsNew) {
                String tsText = "SYN TSval " + Integer.toUnsignedString(ts.value()) + " vs the last one seen, "
                        + Integer.toUnsignedString(previous.tsRecent());
                // "If TCP Timestamps would be enabled for the new incarnation of the connection, and the
                // timestamp contained in the incoming SYN segment is greater than the last timestamp seen
                // on the previous incarnation of the connection (for that direction of the data transfer),
                // honor the connection request (creating a connection in the SYN-RECEIVED state)."
                if (Seq.gt(ts.value(), previous.tsRecent())) return reopen(previous, tsText + ": newer");
                // "If TCP Timestamps would be enabled for the new incarnation of the connection, the
                // timestamp contained in the incoming SYN segment is equal to the last timestamp seen on
                // the previous incarnation of the connection (for that direction of the data transfer),
                // and the Sequence Number of the incoming SYN segment is greater than the last sequence
                // number seen on the previous incarnation of the connection (for that direction of the
                // data transfer), honor the connection request"
                if (ts.value() == previous.tsRecent() && seqNewer) return reopen(previous, tsText + ": equal, and " + seq);
                return stay(tsText + (ts.value() == previous.tsRecent() ? ": equal, and " + seq : ": older (an old duplicate)"));
            }
            // "If TCP Timestamps would not be enabled for the new incarnation of the connection, but the
            // Sequence Number of the incoming SYN segment is greater than the last sequence number seen
            // on the previous incarnation of the connection (for the same direction of the data
            // transfer), honor the connection request"
            if (seqNewer) return reopen(previous, "no timestamps for the new connection, and " + seq);
            // "Otherwise, silently drop the incoming SYN segment, thus leaving the previous
            // incarnation of the connection in the TIME-WAIT state."
            return stay("no timestamps for the new connection, and " + seq);
        }
        // "If the previous incarnation of the connection did not use Timestamps, then:"
        // "If TCP Timestamps would be enabled for the new incarnation of the connection, honor the
        // incoming connection request."
        if (tsNew) return reopen(previous, "the old connection had no timestamps, the new one will");
        // "If TCP Timestamps would not be enabled for the new incarnation of the connection, but the
        // Sequence Number of the incoming SYN segment is greater than the last sequence number seen on
        // the previous incarnation of the connection (for the same direction of the data transfer),
        // honor the incoming connection request."
        if (seqNewer) return reopen(previous, "no timestamps, and " + seq);
        // "Otherwise, silently drop the incoming SYN segment, thus leaving the previous incarnation
        // of the connection in the TIME-WAIT state."
        return stay("no timestamps, and " + seq);
    }

    /**
     * MAY-2's "(1) assigns its initial sequence number for the new connection to be larger than the
     * largest sequence number it used on the previous connection incarnation": as Linux
     * (tcp_timewait_state_process), SND.NXT + 65535 + 2, past anything the old connection sent and
     * any window the peer offered it; never 0.
     */
    static int reopenIss(int oldSndNxt) {
        int iss = oldSndNxt + 65535 + 2;
        return iss == 0 ? 1 : iss;
    }

    private static Decision reopen(Previous previous, String why) {
        int iss = reopenIss(previous.sndNxt());
        return new Decision(true, iss, "SYN in TIME-WAIT: " + why + ": new connection, ISS " + Seq.str(iss));
    }

    private static Decision stay(String why) {
        return new Decision(false, 0, "SYN in TIME-WAIT: " + why + ": staying in TIME-WAIT");
    }
}
