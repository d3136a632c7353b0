/**
 * RFC 7323 timestamps for one connection: the TSval clock, the negotiation, TS.Recent and
 * Last.ACK.sent (section 4.3), PAWS (section 5) and RTTM samples (section 4).
 *
 * Sans-I/O: the caller passes the time in milliseconds; the clock's offset is chosen outside
 * (Linux draws one per pair of addresses from a keyed hash, secure_tcp_ts_off, so that TSvals say
 * nothing about the host's uptime; a listener that answers with SYN cookies must be able to compute
 * it again from the ACK, see SynCookies).
 *
 * Timestamps are compared as sequence numbers are, through Seq: section 5.2, "the "timestamps" are
 * 32-bit unsigned integers in a modular 32-bit space. Thus, "less than" is defined the same way it
 * is for TCP sequence numbers, and the same implementation techniques apply."
 *
 * Use from a connection (every call is cheap; all do nothing useful until negotiated()):
 * <pre>
 *   sending our SYN                       synOption(now)        -> null, or the TSopt to put in it
 *   a SYN arrives (LISTEN, SYN-SENT)       onSyn(seg, now)
 *   sending our SYN-ACK                   synAckOption(RCV.NXT, now) -> null, or the TSopt
 *   a SYN-ACK arrives (SYN-SENT)           onSynAck(seg, now)    -> null, or why to drop it (Linux resets)
 *   a SYN cookie's ACK made the connection onCookieAck(seg, now)
 *   any later segment arrives, first       check(seg, now)       -> ACCEPT, DROP (silently), or DROP_AND_ACK
 *   ...it passed RFC 9293's sequence test  onAcceptable(seg, now) (R3: may update TS.Recent)
 *   ...its ACK advanced SND.UNA            rttSampleMillis(seg, now) -> R for the RTT estimator, or -1
 *   sending any segment but a SYN          option(seg's ACK field, ACK set?, now) -> null, or the TSopt
 * </pre>
 */
final class Timestamps {
    /**
     * Section 5.5: "We therefore require that an implementation of PAWS include a mechanism to
     * "invalidate" the TS.Recent value when a connection is idle for more than 24 days." The clock of
     * a peer that ticks every millisecond (the fastest section 5.4 allows) moves its sign bit in
     * 2^31 ms, 24.8 days; Linux uses 24 days (TCP_PAWS_24DAYS).
     */
    static final long PAWS_IDLE_LIMIT_MILLIS = 24L * 24 * 60 * 60 * 1000;

    /** What check() says of an arriving segment. */
    enum Verdict {
        /** Go on with RFC 9293's processing. */
        ACCEPT,
        /** Drop it without an answer. */
        DROP,
        /** R1: "Send an acknowledgment in reply as specified in [RFC0793], page 69, and drop the segment." */
        DROP_AND_ACK
    }

    /** A verdict and, unless ACCEPT, the one-line reason for --verbose. */
    record Check(Verdict verdict, String reason) {
        static final Check ACCEPTED = new Check(Verdict.ACCEPT, null);
    }

    private final boolean enabled;   // --no-timestamps turns it off: we neither offer nor accept
    private final int offset;        // added to the clock: TSval = now / tick + offset
    private final long tickMillis;

    private boolean sentInSyn;       // our SYN carried a TSopt
    private int firstTsVal;          // ...with this TSval: a SYN-ACK cannot echo anything older
    private boolean receivedInSyn;   // the peer's SYN (or SYN-ACK) carried a TSopt
    private boolean ok;              // Snd.TS.OK: both SYNs carried it

    // Section 4.3 (1): "TS.Recent holds a timestamp to be echoed in TSecr whenever a segment is
    // sent, and Last.ACK.sent holds the ACK field from the last segment sent."
    private int tsRecent;
    private long tsRecentAt;         // when TS.Recent was recorded (for the 24-day rule)
    private int lastAckSent;

    /** A 1 ms clock, as Linux's (TCP_TS_HZ 1000). */
    Timestamps(boolean enabled, int offset) {
        this(enabled, offset, 1);
    }

    /**
     * @param tickMillis section 5.4: "we choose a timestamp clock frequency in the range 1 ms to 1
     *                   sec per tick"
     */
    Timestamps(boolean enabled, int offset, long tickMillis) {
        if (tickMillis < 1 || tickMillis > 1000) throw new IllegalArgumentException("timestamp tick " + tickMillis + " ms: 1 to 1000");
        this.enabled = enabled;
        this.offset = offset;
        this.tickMillis = tickMillis;
    }

    /** Snd.TS.OK: both SYNs carried a TSopt, so every segment now carries one. */
    boolean negotiated() { return ok; }

    /** TS.Recent, the value our TSecr echoes. */
    int tsRecent() { return tsRecent; }

    /** Last.ACK.sent. */
    int lastAckSent() { return lastAckSent; }

    /** The timestamp clock now: "the current value of the timestamp clock" (section 3.2). */
    int tsVal(long now) {
        return (int) (now / tickMillis) + offset;
    }

    // ------------------------------------------------------------------ the handshake

    /**
     * The TSopt of our SYN, or null. Section 3.2: "A TCP MAY send the TSopt in an initial <SYN>
     * segment (i.e., segment containing a SYN bit and no ACK bit)"; "If the ACK bit is not set in
     * the outgoing TCP header, the sender of that segment SHOULD set the TSecr field to zero."
     */
    Packets.Timestamps synOption(long now) {
        if (!enabled) return null;
        int value = tsVal(now);
        if (!sentInSyn) firstTsVal = value; // a retransmitted SYN keeps the first one as the floor
        sentInSyn = true;
        ok = sentInSyn && receivedInSyn; // a simultaneous open: the peer's SYN came first
        return new Packets.Timestamps(value, 0);
    }

    /** A SYN arrived (passive open, or a simultaneous open): remember its TSopt. */
    void onSyn(Packets.Tcp syn, long now) {
        Packets.Timestamps ts = option(syn);
        if (!enabled || ts == null) return;
        receivedInSyn = true;
        record(ts.value(), now);
        ok = sentInSyn;
    }

    /**
     * The TSopt of our SYN-ACK, or null. Section 3.2: "and MAY send a TSopt in <SYN,ACK> only if it
     * received a TSopt in the initial <SYN> segment for the connection." And "In the case of
     * crossing <SYN> segments where one <SYN> contains a TSopt and the other doesn't, both sides MAY
     * send a TSopt in the <SYN,ACK> segment": we do not (Linux does not either), so Snd.TS.OK stays
     * off on both sides. Records Last.ACK.sent: the SYN-ACK's ACK field, RCV.NXT = IRS + 1.
     */
    Packets.Timestamps synAckOption(int ack, long now) {
        if (!enabled || !receivedInSyn) return null;
        ok = true;
        lastAckSent = ack;
        return new Packets.Timestamps(tsVal(now), tsRecent);
    }

    /**
     * A SYN-ACK arrived in SYN-SENT. Snd.TS.OK when our SYN and it both carried a TSopt. Returns null,
     * or why the SYN-ACK must be dropped: as Linux (tcp_rcv_synsent_state_process, the
     * LINUX_MIB_PAWSACTIVEREJECTED counter), a TSecr that is neither zero nor a TSval we could have
     * sent since our first SYN proves the SYN-ACK answers another SYN. Linux resets it.
     */
    String onSynAck(Packets.Tcp synAck, long now) {
        Packets.Timestamps ts = option(synAck);
        if (!enabled || !sentInSyn || ts == null) return null; // no TSopt: Snd.TS.OK stays off
        int echo = ts.echoReply();
        if (echo != 0 && (Seq.lt(echo, firstTsVal) || Seq.gt(echo, tsVal(now)))) {
            return "SYN-ACK echoes TSecr " + Integer.toUnsignedString(echo) + ", which no SYN of ours carried (ours: "
                    + Integer.toUnsignedString(firstTsVal) + " to " + Integer.toUnsignedString(tsVal(now)) + "): dropped";
        }
        receivedInSyn = true;
        ok = true;
        record(ts.value(), now);
        lastAckSent = synAck.seq() + 1; // our ACK of the SYN-ACK acknowledges IRS + 1
        return null;
    }

    /**
     * A connection rebuilt from a SYN cookie's ACK (SynCookies): the SYN had timestamps if the ACK
     * has them (a peer sends them after the handshake only if both SYNs had them; Linux reasons the
     * same), and TS.Recent starts from the ACK, whose SEG.SEQ is what our SYN-ACK acknowledged. The clock's offset must be the one the SYN-ACK used.
     */
    void onCookieAck(Packets.Tcp ack, long now) {
        Packets.Timestamps ts = option(ack);
        if (!enabled || ts == null) return;
        sentInSyn = receivedInSyn = ok = true;
        record(ts.value(), now);
        lastAckSent = ack.seq();
    }

    // ------------------------------------------------------------------ arriving segments

    /**
     * The PAWS test, RFC 7323 section 5.3 R1, for every arriving segment once synchronized; call it
     * before RFC 9293's sequence test ("R2) If the segment is outside the window, reject it (normal
     * TCP processing)" comes after R1). A SYN passes: its own rules decide (SYN-RECEIVED answers a
     * retransmitted SYN, the synchronized states send a challenge ACK whatever its TSval, as Linux
     * does for a SYN that fails PAWS, and TIME-WAIT asks TimeWaitReopen).
     */
    Check check(Packets.Tcp seg, long now) {
        if (seg.isSyn()) return Check.ACCEPTED;
        // Section 3.2: "If a TSopt is received on a connection where TSopt was not negotiated in the
        // initial three-way handshake, the TSopt MUST be ignored and the packet processed normally."
        if (!ok) return Check.ACCEPTED;
        // Section 5.2: "When an <RST> segment is received, it MUST NOT be subjected to the PAWS check
        // by verifying an acceptable value in SEG.TSval"
        if (seg.isRst()) return Check.ACCEPTED;
        Packets.Timestamps ts = option(seg);
        if (ts == null) {
            // Section 3.2: "If a non-<RST> segment is received without a TSopt, a TCP SHOULD silently
            // drop the segment. A TCP MUST NOT abort a TCP connection because any segment lacks an
            // expected TSopt." We take it, as Linux does (tcp_validate_incoming applies PAWS only
            // when a TSopt came): a middlebox that strips options, or a peer's odd segment, then
            // costs nothing, where a silent drop would stall the connection until a timeout.
            return Check.ACCEPTED;
        }
        // "R1) If there is a Timestamps option in the arriving segment, SEG.TSval < TS.Recent,
        // TS.Recent is valid (see later discussion), and if the RST bit is not set, then treat the
        // arriving segment as not acceptable: Send an acknowledgment in reply as specified in
        // [RFC0793], page 69, and drop the segment."
        if (Seq.lt(ts.value(), tsRecent) && tsRecentValid(now)) {
            return new Check(Verdict.DROP_AND_ACK, "PAWS: TSval " + Integer.toUnsignedString(ts.value())
                    + " is older than TS.Recent " + Integer.toUnsignedString(tsRecent) + " (an old duplicate): sent ACK, dropped");
        }
        return Check.ACCEPTED;
    }

    /**
     * Section 5.5: the 24-day rule: "The validity of TS.Recent needs to be checked only if the basic
     * PAWS timestamp check fails, i.e., only if SEG.TSval < TS.Recent. If TS.Recent is found to be
     * invalid, then the segment is accepted, regardless of the failure of the timestamp check, and
     * rule R3 updates TS.Recent with the TSval from the new segment."
     * Also as Linux (tcp_paws_check): a TS.Recent of 0 is not valid, for the stacks whose SYN or
     * SYN-ACK carries TSval 0 and whose later segments carry their real clock.
     */
    private boolean tsRecentValid(long now) {
        return tsRecent != 0 && now - tsRecentAt <= PAWS_IDLE_LIMIT_MILLIS;
    }

    /**
     * The segment passed RFC 9293's acceptability test. Section 5.3: "R3) If an arriving segment
     * satisfies SEG.TSval >= TS.Recent and SEG.SEQ <= Last.ACK.sent (see Section 4.3), then record
     * its timestamp in TS.Recent." The sequence condition makes TS.Recent the TSval of the segment
     * our next ACK acknowledges first: the earliest of a delayed ACK's segments (section 4.3 case
     * A), and the one that filled a hole (case C), so the peer's RTT sample counts the wait.
     */
    void onAcceptable(Packets.Tcp seg, long now) {
        if (!ok || seg.isRst()) return; // section 5.2: an RST's "information from the Timestamps option
        Packets.Timestamps ts = option(seg); // MUST NOT be used to update connection state information"
        if (ts == null || !Seq.le(seg.seq(), lastAckSent)) return;
        if (Seq.ge(ts.value(), tsRecent) || !tsRecentValid(now)) record(ts.value(), now);
    }

    private void record(int tsVal, long now) {
        tsRecent = tsVal;
        tsRecentAt = now;
    }

    /**
     * An RTT sample in milliseconds from the TSecr of an ACK that advanced SND.UNA, or -1.
     * Section 4.1 (RTTM): "A TSecr value received in a segment MAY be used to update the averaged RTT
     * measurement only if the segment advances the left edge of the send window, i.e., SND.UNA is
     * increased." Call it only then. The TSecr names the transmission the peer answered, so the
     * sample is good even when the data went twice: no Karn ambiguity (RFC 6298 section 3), and a
     * sample on every such ACK. Feed it to RttEstimator.timestampSample, which keeps RFC 6298's
     * history with many samples per RTT (RFC 7323 Appendix G).
     * A TSecr of 0 gives no sample (as Linux: 0 is what a peer echoes before it has a TSval), nor does
     * one from the future (a broken or forged echo).
     */
    long rttSampleMillis(Packets.Tcp seg, long now) {
        if (!ok || !seg.isAck()) return -1;
        Packets.Timestamps ts = option(seg);
        if (ts == null || ts.echoReply() == 0) return -1;
        int ticks = tsVal(now) - ts.echoReply();
        if (ticks < 0) return -1;
        return ticks * tickMillis;
    }

    // ------------------------------------------------------------------ segments we send

    /**
     * The TSopt of a segment we send other than a SYN or SYN-ACK, or null before negotiation.
     * Section 3.2: "Once TSopt has been successfully negotiated, that is both <SYN> and <SYN,ACK>
     * contain TSopt, the TSopt MUST be sent in every non-<RST> segment for the duration of the
     * connection, and SHOULD be sent in an <RST> segment". "When the ACK bit is set in an outgoing
     * segment, the sender MUST echo a recently received TSval sent by the remote TCP in the TSecr
     * field." Section 4.3: "(3) When a TSopt is sent, its TSecr field is set to the current TS.Recent
     * value." Records Last.ACK.sent (section 4.3 (1)).
     *
     * @param ack     the segment's acknowledgment field
     * @param ackFlag the segment has ACK set (an RST in reply to a segment without ACK may not)
     */
    Packets.Timestamps option(int ack, boolean ackFlag, long now) {
        if (!ok) return null;
        if (!ackFlag) return new Packets.Timestamps(tsVal(now), 0);
        lastAckSent = ack;
        return new Packets.Timestamps(tsVal(now), tsRecent);
    }

    /** The TSopt of a segment, or null. */
    static Packets.Timestamps option(Packets.Tcp seg) {
        for (Packets.TcpOption o : seg.options()) if (o instanceof Packets.Timestamps t) return t;
        return null;
    }

    @Override public String toString() {
        return "Timestamps[" + (ok ? "on" : enabled ? "offered" : "off") + " TS.Recent=" + Integer.toUnsignedString(tsRecent)
                + " Last.ACK.sent=" + Integer.toUnsignedString(lastAckSent) + "]";
    }
}
