/**
 * Explicit Congestion Notification for one connection, RFC 3168 section 6.1: the negotiation in the
 * SYNs, which segments we send as ECN-capable (ECT(0)), the receiver's echo of a CE mark (ECE until
 * the sender's CWR), and the sender's reaction to an echo (reduce once per window, then CWR).
 *
 * Sans-I/O and IP-free: the connection tells it what arrived (the segment and the ECN field of its
 * IP header) and asks it what to put in what it sends (TCP flags to add, and the ECN field the IP
 * layer must write into the TOS byte of that one packet).
 *
 * RFC 3168 section 5, the ECN field (the two low bits of the IPv4 TOS byte):
 * <pre>
 *   0 0  Not-ECT       0 1  ECT(1)       1 0  ECT(0)       1 1  CE
 * </pre>
 *
 * Use from a connection:
 * <pre>
 *   sending our SYN                        synFlags(retransmission)      -> ECE|CWR or 0, to OR into the flags
 *   a SYN arrives (LISTEN, SYN-SENT)        onSyn(seg)
 *   sending our SYN-ACK                    synAckFlags()                 -> ECE or 0
 *   a SYN-ACK arrives (SYN-SENT)            onSynAck(seg)
 *   a SYN cookie's ACK made the connection  onCookieAck(SynCookies.Options.ecn())
 *   an acceptable segment arrives          onArrival(seg, ipEcnField)    -> true: send the ACK now
 *   ...with an acceptable ACK              onAck(seg, sndMax)            -> true: reduce cwnd now (once per window)
 *   cwnd reduced for a loss (fast           onWindowReduced(sndMax)
 *     retransmit, RTO)
 *   sending any other segment              marks(kind)                   -> Marks(TCP flags to OR in, IP ECN field)
 * </pre>
 * The SYN and SYN-ACK themselves go out Not-ECT: "A host MUST NOT set ECT on SYN or SYN-ACK packets."
 * A new incarnation (from TIME-WAIT) gets a new Ecn: "When a TCP host enters TIME-WAIT or CLOSED
 * state, it should ignore any previous state about the negotiation of ECN for that connection."
 */
final class Ecn {
    static final int NOT_ECT = 0b00, ECT_1 = 0b01, ECT_0 = 0b10, CE = 0b11;

    /** What a segment we send is, for marks(). */
    enum Kind {
        /** Data never sent before (SEG.SEQ at or past the highest sequence number sent). */
        NEW_DATA,
        /** Data sent before: a retransmission, a tail loss probe that repeats data. */
        RETRANSMISSION,
        /** A zero-window probe (RFC 9293 3.8.6.1). */
        WINDOW_PROBE,
        /** No data: a pure ACK, a FIN alone, a keep-alive probe, an RST. */
        NO_DATA
    }

    /** tcpFlags: ECE and/or CWR to OR into the header; ipEcn: the IP header's ECN field. */
    record Marks(int tcpFlags, int ipEcn) {
        static final Marks NONE = new Marks(0, NOT_ECT);
    }

    private final boolean enabled; // --no-ecn turns it off: neither asked for nor accepted

    // Section 6.1.1's four facts about the handshake.
    private boolean sentSetup, sentNonSetup, receivedSetup, receivedNonSetup;

    // The data receiver (section 6.1.3): a CE arrived and no CWR since.
    private boolean echoing;
    // An ACK with ECE went out since the last CE data packet arrived. A CWR ends the echo only then:
    // a CWR that arrives in the same batch as a newer CE mark (before any ACK could carry its echo)
    // answers an older echo, and the new mark must still be echoed once (Linux ACKs at once on CE,
    // tcp_ecn_check_ce; our loop ACKs once per batch, RFC 9293 MUST-59).
    private boolean echoedSinceCe = true;

    // The data sender (section 6.1.2): the window was reduced and no new data carried CWR yet; and
    // the reduction's window: ECE is not acted on again until an ACK passes `recover`.
    private boolean cwrPending;
    private boolean reduced;
    private int recover;

    Ecn(boolean enabled) {
        this.enabled = enabled;
    }

    // ------------------------------------------------------------------ the handshake

    /**
     * The flags of our SYN. Section 6.1.1: "Before a TCP connection can use ECN, Host A sends an
     * ECN-setup SYN packet, and Host B sends an ECN-setup SYN-ACK packet." "We call a SYN packet with
     * the ECE and CWR flags set an "ECN-setup SYN packet", and we call a SYN packet with at least one
     * of the ECE and CWR flags not set a "non-ECN-setup SYN packet"."
     *
     * A retransmitted SYN goes without them, as Linux sends it (tcp_ecn_clear_syn, sysctl
     * tcp_ecn_fallback=1). Section 6.1.1.1 allows it, for middleboxes that drop ECN-setup SYNs: "A
     * host that receives no reply to an ECN-setup SYN within the normal SYN retransmission timeout
     * interval MAY resend the SYN and any subsequent SYN retransmissions with CWR and ECE cleared."
     * Our data then goes Not-ECT (see negotiated(): "has sent no non-ECN-setup SYN"), which Linux
     * does not obey when the SYN-ACK is ECN-setup; we do. We still echo CE (see echoesCe()).
     */
    int synFlags(boolean retransmission) {
        if (!enabled) return 0;
        if (retransmission) {
            sentNonSetup = true;
            return 0;
        }
        sentSetup = true;
        return Packets.ECE | Packets.CWR;
    }

    /** A SYN arrived (passive open, or a simultaneous open). */
    void onSyn(Packets.Tcp syn) {
        if (syn.has(Packets.ECE) && syn.has(Packets.CWR)) receivedSetup = true;
        else receivedNonSetup = true;
    }

    /**
     * The flags of our SYN-ACK. Section 6.1.1: "we call a SYN-ACK packet with only the ECE flag set
     * but the CWR flag not set an "ECN-setup SYN-ACK packet"". "If a host has received an ECN-setup
     * SYN packet, then it MAY send an ECN-setup SYN-ACK packet. Otherwise, it MUST NOT send an
     * ECN-setup SYN-ACK packet." A retransmitted SYN-ACK says the same again.
     */
    int synAckFlags() {
        if (enabled && receivedSetup && !receivedNonSetup) {
            sentSetup = true;
            return Packets.ECE;
        }
        sentNonSetup = true;
        return 0;
    }

    /** A SYN-ACK arrived in SYN-SENT. */
    void onSynAck(Packets.Tcp synAck) {
        if (synAck.has(Packets.ECE) && !synAck.has(Packets.CWR)) receivedSetup = true;
        else receivedNonSetup = true;
    }

    /**
     * We send data ECN-capable (ECT(0)) and react to ECE. Section 6.1.1: "A host MUST NOT set ECT on
     * data packets unless it has sent at least one ECN-setup SYN or ECN-setup SYN-ACK packet, and
     * has received at least one ECN-setup SYN or ECN-setup SYN-ACK packet, and has sent no
     * non-ECN-setup SYN or non-ECN-setup SYN-ACK packet. If a host has received at least one
     * non-ECN-setup SYN or non-ECN-setup SYN-ACK packet, then it SHOULD NOT set ECT on data packets."
     */
    boolean negotiated() {
        return enabled && sentSetup && receivedSetup && !sentNonSetup && !receivedNonSetup;
    }

    /**
     * We echo CE marks. Section 6.1.1: "If a host has sent at least one ECN-setup SYN or ECN-setup
     * SYN-ACK packet, and has received no non-ECN-setup SYN or non-ECN-setup SYN-ACK packet, then if
     * that host receives TCP data packets with ECT and CE codepoints set in the IP header, then that
     * host MUST process these packets as specified for an ECN-capable connection." ("the commitment
     * to respond appropriately to incoming packets with the CE codepoint set remains even if the TCP
     * sender in a later transmission, within this TCP connection, sends a SYN packet without ECE
     * and CWR set.")
     */
    boolean echoesCe() {
        return enabled && sentSetup && !receivedNonSetup;
    }

    /**
     * A connection rebuilt from a SYN cookie's ACK (SynCookies): the cookie says whether the SYN was
     * ECN-setup, and then our cookie SYN-ACK was ECN-setup too (synAckFlags() when it was sent).
     */
    void onCookieAck(boolean ecnInCookie) {
        if (enabled && ecnInCookie) {
            receivedSetup = true;
            sentSetup = true;
        } else {
            receivedNonSetup = true;
        }
    }

    // ------------------------------------------------------------------ the data receiver

    /**
     * A segment passed RFC 9293's acceptability test (section 6.1.5: "the TCP data receiver SHOULD
     * ignore the ECN field on arriving data packets that are outside of the receiver's current
     * window"), or is a window probe into our zero window (section 6.1.6: "if a window probe arrives
     * with the CE codepoint set, then the receiver SHOULD respond to the ECN indications"); ipEcn is
     * the ECN field of its IP header. Returns true when the ACK should go at once.
     *
     * Section 6.1.3: "When TCP receives a CE data packet at the destination end-system, the TCP data
     * receiver sets the ECN-Echo flag in the TCP header of the subsequent ACK packet." "After a TCP
     * receiver sends an ACK packet with the ECN-Echo bit set, that TCP receiver continues to set the
     * ECN-Echo flag in all the ACK packets it sends (whether they acknowledge CE data packets or
     * non-CE data packets) until it receives a CWR packet (a packet with the CWR flag set). After the
     * receipt of the CWR packet, acknowledgments for subsequent non-CE data packets do not have the
     * ECN-Echo flag set. If another CE packet is received by the data receiver, the receiver would
     * once again send ACK packets with the ECN-Echo flag set."
     * So CWR is taken first, then CE: a CWR packet that was itself marked CE starts a new echo.
     * As Linux (tcp_ecn_check_ce, tcp_ecn_accept_cwr), the ACK goes at once when the echo starts and
     * when data comes with CWR: the sender's window may be down to one segment, and a delayed ACK
     * would stall it.
     */
    boolean onArrival(Packets.Tcp seg, int ipEcn) {
        if (!echoesCe() || seg.isSyn()) return false;
        boolean ackNow = false;
        if (seg.has(Packets.CWR)) {
            if (echoedSinceCe) echoing = false;
            ackNow = seg.payload().length > 0;
        }
        // "a CE data packet": pure ACKs go Not-ECT (section 6.1.4), a CE on one is no data to echo.
        if (ipEcn == CE && seg.payload().length > 0) {
            if (!echoing) ackNow = true;
            echoing = true;
            echoedSinceCe = false;
        }
        return ackNow;
    }

    /** An ACK with ECE was sent: the CE marks that arrived so far have been echoed. */
    void echoSent() { echoedSinceCe = true; }

    /** The receiver is echoing a CE mark (our segments carry ECE). */
    boolean echoing() { return echoing; }

    // ------------------------------------------------------------------ the data sender

    /**
     * An acceptable ACK arrived. Returns true when it asks the congestion control to reduce its
     * window now, as for a loss: section 6.1.2, "If the sender receives an ECN-Echo (ECE) ACK packet
     * (that is, an ACK packet with the ECN-Echo flag set in the TCP header), then the sender knows
     * that congestion was encountered in the network on the path from the sender to the receiver.
     * The indication of congestion should be treated just as a congestion loss in non-ECN-Capable
     * TCP. That is, the TCP source halves the congestion window "cwnd" and reduces the slow start
     * threshold "ssthresh"." (The congestion control also must not grow cwnd on this ACK: "The sending
     * TCP SHOULD NOT increase the congestion window in response to the receipt of an ECN-Echo ACK
     * packet."; and with cwnd at one segment, "the sending TCP MUST reset the retransmit timer on
     * receiving the ECN-Echo packet when the congestion window is one. The sending TCP will then be
     * able to send a new packet only when the retransmit timer expires.")
     * "TCP should not react to congestion indications more than once every window of data (or more
     * loosely, more than once every round-trip time). That is, the TCP sender's congestion window
     * should be reduced only once in response to a series of dropped and/or CE packets from a single
     * window of data."
     *
     * The window of a reduction ends with `recover`, the highest sequence number sent when it was
     * made; the first new data after it carries CWR and starts at `recover`. The receiver echoes
     * until that CWR arrives, so ECE on an ACK up to `recover` is the same congestion; only an ACK
     * past it (of data sent after the reduction) can tell of new congestion.
     *
     * @param sndMax the highest sequence number sent so far (SND.NXT, or more after a timeout pulled
     *               SND.NXT back)
     */
    boolean onAck(Packets.Tcp seg, int sndMax) {
        if (!negotiated() || seg.isSyn() || !seg.isAck()) return false;
        if (reduced && Seq.gt(seg.ack(), recover)) reduced = false;
        if (!seg.has(Packets.ECE) || reduced) return false;
        onWindowReduced(sndMax);
        return true;
    }

    /**
     * The congestion window was reduced: by an ECE (onAck), or for a loss. Section 6.1.2: "When an
     * ECN-Capable TCP sender reduces its congestion window for any reason (because of a retransmit
     * timeout, a Fast Retransmit, or in response to an ECN Notification), the TCP sender sets the CWR
     * flag in the TCP header of the first new data packet sent after the window reduction." And an
     * ECE for the same window of data is not acted on again.
     */
    void onWindowReduced(int sndMax) {
        if (!negotiated()) return;
        cwrPending = true;
        if (!reduced || Seq.gt(sndMax, recover)) recover = sndMax;
        reduced = true;
    }

    /** CWR waits for the next new data segment. */
    boolean cwrPending() { return cwrPending; }

    // ------------------------------------------------------------------ what we send

    /**
     * The marks of a segment we send (not a SYN or SYN-ACK). Takes the pending CWR when the segment
     * is new data: call once per segment, as it goes out.
     *
     * ECT(0): section 6.1.1 allows ECT on data packets once negotiated. Not on retransmissions
     * (section 6.1.5: "This document specifies ECN-capable TCP implementations MUST NOT set either
     * ECT codepoint (ECT(0) or ECT(1)) in the IP header for retransmitted data packets"), nor on
     * window probes (section 6.1.6: "the TCP data sender MUST NOT set either an ECT codepoint or the
     * CWR bit on window probe packets"), nor on segments without data (section 6.1.4: "pure
     * acknowledgement packets (e.g., packets that do not contain any accompanying data) MUST be sent
     * with the not-ECT codepoint"). Linux marks just the same (tcp_ecn_send).
     * ECE: on every segment while the receiver echoes (each of them acknowledges).
     * CWR: "the CWR bit in the TCP header SHOULD NOT be set on retransmitted packets." "When the TCP
     * data sender is ready to set the CWR bit after reducing the congestion window, it SHOULD set the
     * CWR bit only on the first new data packet that it transmits."
     */
    Marks marks(Kind kind) {
        int flags = echoing ? Packets.ECE : 0;
        if (!negotiated() || kind != Kind.NEW_DATA) return new Marks(flags, NOT_ECT);
        if (cwrPending) {
            cwrPending = false;
            flags |= Packets.CWR;
        }
        return new Marks(flags, ECT_0);
    }

    @Override public String toString() {
        return "Ecn[" + (negotiated() ? "on" : enabled ? "not negotiated" : "off") + (echoing ? " echoing CE" : "")
                + (cwrPending ? " CWR pending" : "") + (reduced ? " reduced until " + Seq.str(recover) : "") + "]";
    }
}
