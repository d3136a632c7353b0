/**
 * The sender's congestion window: RFC 5681 slow start and congestion avoidance, RFC 5681 fast
 * retransmit with RFC 6582 NewReno fast recovery, RFC 6928's initial window, and RFC 5681 (4.1)
 * restart after idle. Sans-I/O: numbers in, numbers and one decision out.
 *
 * The connection may send while FlightSize (SND.NXT - SND.UNA) < min(cwnd(), SND.WND). It calls,
 * for every acceptable ACK:
 * <pre>
 *   ACK advances SND.UNA    cc.onNewAck(ack, oldSndUna, sndNxt)                -> NONE or RETRANSMIT
 *   isDuplicateAck(...)     cc.onDuplicateAck(ack, sndNxt, sndNxt - sndUna)    -> NONE or RETRANSMIT
 *   any other ACK           cc.onOtherAck()   (a window update, data: not a duplicate; the count restarts)
 *   retransmission timeout  cc.onRetransmissionTimeout(sndNxt - sndUna, sndNxt)
 *   before sending new data cc.restartAfterIdle(now - lastDataSentAt, rto)
 * </pre>
 * RETRANSMIT means: send the first unacknowledged segment (SND.UNA) again now, then whatever
 * the new cwnd allows.
 *
 * Duplicate ACKs are counted here, because NewReno's rules (which duplicate is the third, what
 * happens to later ones) are about that count; whether one ACK is a duplicate depends on the
 * segment and the connection, so the connection asks {@link #isDuplicateAck}, which is RFC 5681's
 * definition as one pure function.
 *
 * Byte counting (RFC 3465, "Appropriate Byte Counting"): in slow start cwnd grows by the bytes
 * acknowledged, at most L = 2*SMSS per ACK, so that a receiver that acknowledges every other
 * segment (delayed ACKs) still doubles cwnd each round trip; L = 1*SMSS in the slow start that
 * follows a retransmission timeout, until the data outstanding at the timeout is acknowledged
 * (those ACKs may cover segments that left long ago). In congestion avoidance the bytes
 * acknowledged are counted and cwnd grows by SMSS each time they reach cwnd: one SMSS per round
 * trip, exactly.
 *
 * Limited transmit (RFC 3042) is {@link #limitedTransmitAllowance}; early retransmit (RFC 5827) is
 * the threshold of {@link #onDuplicateAck(int, int, int, int)}.
 * With SACK (both SYNs carried SACK-permitted), {@link #useSackRecovery} makes the recovery RFC
 * 6675's: ssthresh = cwnd = FlightSize / 2 on entry, no inflation by duplicates and no deflation by
 * partial ACKs; the connection sends while cwnd - pipe allows (pipe from its Scoreboard).
 * Not done: the RFC 6582 section 4 heuristics, growth limited to a cwnd actually in use (RFC 7661),
 * Proportional Rate Reduction (RFC 6937).
 */
final class CongestionControl {

    /** What the connection must do after an ACK. */
    enum Action {
        /** Nothing beyond sending what the windows allow. */
        NONE,
        /** Retransmit the segment at SND.UNA now (fast retransmit, or a NewReno partial ACK). */
        RETRANSMIT
    }

    /** RFC 5681 section 3.2: "the third duplicate ACK". */
    static final int DUPLICATE_ACK_THRESHOLD = 3;

    private final int smss;
    /** RFC 3465's L above 2*SMSS: a receiver of large segments acknowledges one whole at a time. */
    private int byteCountingLimit;
    private int cwnd;
    private int ssthresh;
    private int duplicateAcks;
    /** Bytes acknowledged in congestion avoidance since cwnd last grew. */
    private int bytesAcked;

    private boolean inRecovery;
    /** RFC 6675 loss recovery instead of NewReno's (see the class comment). */
    private boolean sackRecovery;
    /** RFC 6582 "recover"; none until the first loss (see {@link #coversMoreThanRecover}). */
    private boolean recoverSet;
    private int recover;
    /** The last event was a retransmission timeout: no new data acknowledged since. */
    private boolean timedOut;
    /** A retransmission timeout happened and data outstanding then is not all acknowledged. */
    private boolean afterTimeout;
    private int afterTimeoutRecover;

    /**
     * @param smss the sender maximum segment size: the MSS the peer announced, capped by our MTU
     *             (RFC 9293 Eff.snd.MSS), without options
     */
    CongestionControl(int smss) {
        if (smss < 1) throw new IllegalArgumentException("smss " + smss);
        this.smss = smss;
        this.cwnd = initialWindow(smss);
        // RFC 5681 section 3.1: "The initial value of ssthresh SHOULD be set arbitrarily high (e.g.,
        // to the size of the largest possible advertised window), but ssthresh MUST be reduced in
        // response to congestion."
        this.ssthresh = Integer.MAX_VALUE;
    }

    /**
     * RFC 6928 section 2: "IW = min (10*MSS, max (2*MSS, 14600))".
     * 536 -> 5360, 1460 -> 14600, 8960 -> 17920.
     */
    static int initialWindow(int smss) {
        long iw = Math.min(10L * smss, Math.max(2L * smss, 14600));
        return (int) Math.min(iw, Integer.MAX_VALUE);
    }

    int smss() { return smss; }

    /**
     * RFC 3465 section 2.3 limits slow start's growth per ACK to L = 2*SMSS, against bursts after a
     * stretch ACK. A sender of large segments (segmentation offload) gets one ACK per large segment
     * from a receiver that sees it whole: L must then cover one large segment, or slow start would
     * crawl. The limit after a timeout stays 1*SMSS.
     */
    void allowGrowthPerAck(int bytes) {
        byteCountingLimit = Math.max(bytes, 0);
    }
    /** Both ends agreed to SACK: recover as RFC 6675 says (call before the first loss). */
    void useSackRecovery() {
        sackRecovery = true;
    }
    int cwnd() { return cwnd; }
    int ssthresh() { return ssthresh; }
    boolean inRecovery() { return inRecovery; }
    int duplicateAcks() { return duplicateAcks; }
    /** RFC 6582 "recover", meaningful once a loss was seen. */
    int recover() { return recover; }
    boolean inSlowStart() { return cwnd < ssthresh; }

    /**
     * Our SYN or SYN-ACK was retransmitted: RFC 5681 section 3.1, "if the SYN or SYN/ACK is lost,
     * the initial window used by a sender after a correctly transmitted SYN MUST be one segment
     * consisting of at most SMSS bytes." Call once, before sending data.
     */
    void synWasRetransmitted() {
        cwnd = Math.min(cwnd, smss);
    }

    /**
     * RFC 5681 section 2: "DUPLICATE ACKNOWLEDGMENT: An acknowledgment is considered a
     * "duplicate" in the following algorithms when (a) the receiver of the ACK has outstanding
     * data, (b) the incoming acknowledgment carries no data, (c) the SYN and FIN bits are both
     * off, (d) the acknowledgment number is equal to the greatest acknowledgment received on the
     * given connection (TCP.UNA from [RFC793]) and (e) the advertised window in the incoming
     * acknowledgment equals the advertised window in the last incoming acknowledgment."
     *
     * @param segWnd the segment's window, scaled (in bytes)
     * @param sndWnd the window of the last ACK, in bytes
     */
    static boolean isDuplicateAck(int segAck, int segLen, boolean synOrFin, int segWnd,
                                  int sndUna, int sndNxt, int sndWnd) {
        return Seq.lt(sndUna, sndNxt)   // (a)
                && segLen == 0          // (b)
                && !synOrFin            // (c)
                && segAck == sndUna     // (d)
                && segWnd == sndWnd;    // (e)
    }

    /**
     * An acceptable ACK that is neither new nor a duplicate (it carries data, or changes the
     * window): the run of duplicates is broken.
     */
    void onOtherAck() {
        if (!inRecovery) duplicateAcks = 0;
    }

    /**
     * A duplicate ACK (see {@link #isDuplicateAck}).
     * @param ack        its acknowledgment number (= SND.UNA)
     * @param sndNxt     SND.NXT now
     * @param flightSize SND.NXT - SND.UNA
     */
    Action onDuplicateAck(int ack, int sndNxt, int flightSize) {
        return onDuplicateAck(ack, sndNxt, flightSize, DUPLICATE_ACK_THRESHOLD);
    }

    /**
     * As {@link #onDuplicateAck(int, int, int)}, with a lower threshold for RFC 5827's early
     * retransmit: "If the number of outstanding segments (oseg) < 4 and there is no unsent data
     * ready for transmission, then ER_thresh = oseg - 1". The caller judges those conditions.
     */
    Action onDuplicateAck(int ack, int sndNxt, int flightSize, int threshold) {
        if (threshold < 1 || threshold > DUPLICATE_ACK_THRESHOLD) throw new IllegalArgumentException("threshold " + threshold);
        duplicateAcks++;
        if (inRecovery && sackRecovery) return Action.NONE; // pipe, not cwnd, counts what left (RFC 6675)
        if (inRecovery) {
            // RFC 5681 section 3.2 step 4: "For each additional duplicate ACK received (after the
            // third), cwnd MUST be incremented by SMSS. This artificially inflates the congestion
            // window in order to reflect the additional segment that has left the network."
            cwnd = saturatingAdd(cwnd, smss);
            return Action.NONE;
        }
        if (duplicateAcks != threshold) return Action.NONE;
        // RFC 6582 section 3.2 step 2: "When the third duplicate ACK is received, the TCP sender
        // first checks the value of recover to see if the Cumulative Acknowledgment field covers
        // more than recover. If so, the value of recover is incremented to the value of the
        // highest sequence number transmitted by the TCP so far. The TCP then enters fast
        // retransmit (step 2 of Section 3.2 of [RFC5681]). If not, the TCP does not enter fast
        // retransmit and does not reset ssthresh."
        if (sackRecovery) return enterSackRecovery(ack, sndNxt, flightSize) ? Action.RETRANSMIT : Action.NONE;
        if (!coversMoreThanRecover(ack)) return Action.NONE;
        recover = sndNxt - 1;
        recoverSet = true;
        // RFC 5681 section 3.2 step 2: "When the third duplicate ACK is received, a TCP MUST set
        // ssthresh to no more than the value given in equation (4)."
        //     ssthresh = max (FlightSize / 2, 2*SMSS)            (4)
        ssthresh = halfFlightSize(flightSize);
        // Step 3: "The lost segment starting at SND.UNA MUST be retransmitted and cwnd set to
        // ssthresh plus 3*SMSS. This artificially "inflates" the congestion window by the number
        // of segments (three) that have left the network and which the receiver has buffered."
        cwnd = saturatingAdd(ssthresh, 3 * smss);
        inRecovery = true;
        bytesAcked = 0;
        return Action.RETRANSMIT;
    }

    /**
     * RFC 6675 section 5, step (4), when the third duplicate ACK comes or the scoreboard shows the
     * segment at SND.UNA lost ("IsLost (HighACK + 1)"): "(4.1) RecoveryPoint = HighData ... (4.2)
     * ssthresh = cwnd = (FlightSize / 2)" (at least 2*SMSS, RFC 5681's equation (4)). Section 5.1,
     * after a timeout: "The new recovery phase ... MUST NOT be initiated until HighACK is greater
     * than or equal to the new value of RecoveryPoint" (HighACK is SEG.ACK - 1, RecoveryPoint is
     * HighData, our recover: SEG.ACK > recover). A loss just past the last recovery is a new one:
     * RFC 6582's stricter "covers more than recover" would leave it to the timer.
     * @return true when recovery began (the caller then retransmits the segment at SND.UNA)
     */
    boolean enterSackRecovery(int ack, int sndNxt, int flightSize) {
        if (!sackRecovery) throw new IllegalStateException("SACK recovery was not agreed");
        if (inRecovery || (recoverSet && !Seq.gt(ack, recover))) return false;
        recover = sndNxt - 1;
        recoverSet = true;
        ssthresh = halfFlightSize(flightSize);
        cwnd = ssthresh;
        inRecovery = true;
        bytesAcked = 0;
        return true;
    }

    /**
     * RFC 3042 section 2: "a TCP sender SHOULD send a segment of previously unsent data in
     * response to each of the first two duplicate acknowledgments that arrive at the sender",
     * provided "the total FlightSize would remain less than or equal to cwnd plus 2*SMSS". The
     * bytes the sender may have in flight beyond cwnd now: one SMSS per duplicate, at most two,
     * outside recovery. "The congestion window (cwnd) MUST NOT be changed when these new segments
     * are transmitted."
     */
    int limitedTransmitAllowance() {
        if (inRecovery || duplicateAcks == 0 || duplicateAcks >= DUPLICATE_ACK_THRESHOLD) return 0;
        return duplicateAcks * smss;
    }

    /**
     * RFC 6582 section 3.2 (note): "Because the acknowledgment field contains the sequence number
     * that the sender next expects to receive, the acknowledgment "ack_number" covers more than
     * recover when ack_number - 1 > recover".
     *
     * The RFC initialises recover to the ISS; we start with none, which lets a loss of the very
     * first data segment (whose duplicate ACKs carry ISS+1, not more than ISS) be fast-retransmitted.
     */
    private boolean coversMoreThanRecover(int ack) {
        return !recoverSet || Seq.gt(ack - 1, recover);
    }

    /**
     * An ACK that advances SND.UNA.
     * @param ack       its acknowledgment number
     * @param sndUna    SND.UNA before this ACK
     * @param sndNxt    SND.NXT
     */
    Action onNewAck(int ack, int sndUna, int sndNxt) {
        int acked = ack - sndUna;
        if (acked <= 0) throw new IllegalArgumentException("not a new ACK: " + Seq.str(ack) + " at SND.UNA " + Seq.str(sndUna));
        duplicateAcks = 0;
        timedOut = false;
        boolean coversOldData = afterTimeout; // this ACK still covers data sent before the timeout
        if (afterTimeout && Seq.gt(ack, afterTimeoutRecover)) afterTimeout = false;

        if (inRecovery && sackRecovery) {
            // RFC 6675 section 5: "(1) the cumulative ACK ... covers RecoveryPoint: ... the loss
            // recovery ... terminates"; cwnd stays at the ssthresh it was set to. A partial ACK
            // changes nothing here: the scoreboard and pipe say what to send.
            if (Seq.gt(ack, recover)) inRecovery = false;
            return Action.NONE;
        }
        if (inRecovery) {
            int flightSize = sndNxt - ack; // "the amount of data presently outstanding"
            if (Seq.gt(ack, recover)) {
                // RFC 6582 section 3.2 step 3, full acknowledgments: "If this ACK acknowledges all
                // of the data up to and including recover, then the ACK acknowledges all the
                // intermediate segments sent between the original transmission of the lost segment
                // and the receipt of the third duplicate ACK. Set cwnd to either (1) min
                // (ssthresh, max(FlightSize, SMSS) + SMSS) or (2) ssthresh, where ssthresh is the
                // value set when fast retransmit was entered, and where FlightSize in (1) is the
                // amount of data presently outstanding. This is termed "deflating" the window. ...
                // Exit the fast recovery procedure." We take (1), which avoids a burst.
                cwnd = Math.min(ssthresh, Math.max(flightSize, smss) + smss);
                inRecovery = false;
                return Action.NONE;
            }
            // Partial acknowledgments: "If this ACK does *not* acknowledge all of the data up to
            // and including recover, then this is a partial ACK. In this case, retransmit the
            // first unacknowledged segment. Deflate the congestion window by the amount of new
            // data acknowledged by the Cumulative Acknowledgment field. If the partial ACK
            // acknowledges at least one SMSS of new data, then add back SMSS bytes to the
            // congestion window. ... Do not exit the fast recovery procedure". The timer: "For the
            // first partial ACK that arrives during fast recovery, also reset the retransmit
            // timer"; a connection restarting it on every new ACK (RFC 6298 5.3) does so (the
            // "Slow-but-Steady" variant of RFC 6582 section 4).
            cwnd = Math.max(cwnd - acked, 0);
            if (acked >= smss) cwnd = saturatingAdd(cwnd, smss);
            cwnd = Math.max(cwnd, smss);
            return Action.RETRANSMIT;
        }

        if (cwnd < ssthresh) {
            // RFC 5681 section 3.1: "During slow start, a TCP increments cwnd by at most SMSS
            // bytes for each ACK received that cumulatively acknowledges new data." We count bytes
            // with RFC 3465's limit L = 2*SMSS instead (see the class comment), 1*SMSS after a
            // timeout.
            int limit = coversOldData ? smss : Math.max(2 * smss, byteCountingLimit);
            cwnd = saturatingAdd(cwnd, Math.min(acked, limit));
            bytesAcked = 0;
        } else {
            // RFC 5681 section 3.1: "The RECOMMENDED way to increase cwnd during congestion
            // avoidance is to count the number of bytes that have been acknowledged by ACKs for new
            // data. ... When the number of bytes acknowledged reaches cwnd, then cwnd can be
            // incremented by up to SMSS bytes."
            bytesAcked = saturatingAdd(bytesAcked, acked);
            if (bytesAcked >= cwnd) {
                bytesAcked -= cwnd;
                cwnd = saturatingAdd(cwnd, smss);
            }
        }
        return Action.NONE;
    }

    /**
     * The retransmission timer expired.
     * @param flightSize SND.NXT - SND.UNA when it expired
     * @param sndNxt     SND.NXT (the highest sequence number sent, plus one)
     */
    void onRetransmissionTimeout(int flightSize, int sndNxt) {
        // RFC 5681 section 3.1: "When a TCP sender detects segment loss using the retransmission
        // timer and the given segment has not yet been resent by way of the retransmission timer,
        // the value of ssthresh MUST be set to no more than the value given in equation (4)";
        // "when a TCP sender detects segment loss using the retransmission timer and the given
        // segment has already been retransmitted by way of the retransmission timer at least once,
        // the value of ssthresh is held constant." Held while no new data was acknowledged since
        // the last timeout: the segment at SND.UNA is then the one the timer already resent.
        if (!timedOut) ssthresh = halfFlightSize(flightSize);
        timedOut = true;
        // "Furthermore, upon a timeout (as specified in [RFC2988]) cwnd MUST be set to no more than
        // the loss window, LW, which equals 1 full-sized segment (regardless of the value of IW)."
        cwnd = smss;
        bytesAcked = 0;
        duplicateAcks = 0;
        // RFC 6582 section 3.2 step 4: "After a retransmit timeout, record the highest sequence
        // number transmitted in the variable recover, and exit the fast recovery procedure if
        // applicable."
        recover = sndNxt - 1;
        recoverSet = true;
        inRecovery = false;
        afterTimeout = true;
        afterTimeoutRecover = recover;
    }

    /**
     * Before sending new data. RFC 5681 section 4.1: "a TCP SHOULD set cwnd to no more than RW
     * before beginning transmission if the TCP has not sent data in an interval exceeding the
     * retransmission timeout", where "RW = min(IW,cwnd)".
     * @return true when cwnd was reduced
     */
    boolean restartAfterIdle(long idleMillis, long rtoMillis) {
        if (idleMillis <= rtoMillis) return false;
        int rw = Math.min(initialWindow(smss), cwnd);
        if (rw == cwnd) return false;
        cwnd = rw;
        bytesAcked = 0;
        return true;
    }

    /** Equation (4): max (FlightSize / 2, 2*SMSS). */
    private int halfFlightSize(int flightSize) {
        return Math.max(flightSize / 2, 2 * smss);
    }

    private static int saturatingAdd(int a, int b) {
        long sum = (long) a + b;
        return sum > Integer.MAX_VALUE ? Integer.MAX_VALUE : (int) sum;
    }

    @Override public String toString() {
        return "cwnd=" + cwnd + " ssthresh=" + (ssthresh == Integer.MAX_VALUE ? "inf" : String.valueOf(ssthresh))
                + (inRecovery ? " recovering to " + Seq.str(recover) : "")
                + (duplicateAcks > 0 ? " dupacks=" + duplicateAcks : "");
    }
}
