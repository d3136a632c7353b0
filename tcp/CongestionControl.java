/**
 * The sender's congestion window: RFC 5681 slow start and congestion avoidance, RFC 5681 fast
 * retransmit with RFC 6582 NewReno fast recovery, RFC 6928's initial window, and RFC 5681 (4.1)
 * restart after idle. Sans-I/O: numbers in, numbers and one decision out.
 *
 * The algorithm proper, how far ssthresh falls and how cwnd grows in congestion avoidance, is a
 * {@link CongestionAlgorithm} composed here, as Linux's tcp_congestion_ops: {@link Reno} (RFC 5681,
 * what {@code new CongestionControl(smss)} gives) or {@link Cubic} (RFC 9438, Linux's default and
 * ours: {@link #named}). Everything else is shared: slow start, duplicate ACKs, fast recovery,
 * {@link ProportionalRateReduction} during SACK recovery, the timeout, and the undo of a reduction
 * that retransmissions proven unneeded show to have been a mistake ({@link SpuriousRetransmissions}).
 *
 * The connection may send while FlightSize (SND.NXT - SND.UNA) < min(cwnd(), SND.WND). It calls,
 * for every acceptable ACK:
 * <pre>
 *   ACK advances SND.UNA    cc.onNewAck(ack, oldSndUna, sndNxt, now, srtt)         -> NONE or RETRANSMIT
 *   isDuplicateAck(...)     cc.onDuplicateAck(ack, sndNxt, sndNxt - sndUna, threshold, now) -> NONE or RETRANSMIT
 *   any other ACK           cc.onOtherAck()   (a window update, data: not a duplicate; the count restarts)
 *   retransmission timeout  cc.onRetransmissionTimeout(sndNxt - sndUna, sndNxt, now)
 *   before sending new data cc.restartAfterIdle(now - lastDataSentAt, rto)
 * </pre>
 * The forms without now and srtt are Reno's (they use the time of the last timed call; an
 * algorithm that needs a clock refuses them). RETRANSMIT means: send the first unacknowledged
 * segment (SND.UNA) again now, then whatever the new cwnd allows.
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
 * (those ACKs may cover segments that left long ago). In congestion avoidance the algorithm
 * decides (Reno counts the bytes acknowledged and grows cwnd by SMSS each time they reach cwnd:
 * one SMSS per round trip, exactly).
 *
 * Limited transmit (RFC 3042) is {@link #limitedTransmitAllowance}; early retransmit (RFC 5827) is
 * the threshold of {@link #onDuplicateAck(int, int, int, int)}.
 * With SACK (both SYNs carried SACK-permitted), {@link #useSackRecovery} makes the recovery RFC
 * 6675's: ssthresh from the algorithm and cwnd = ssthresh on entry, no inflation by duplicates and
 * no deflation by partial ACKs; the connection sends while cwnd - pipe allows (pipe from its
 * Scoreboard). {@link #useProportionalRateReduction} adds RFC 6937 to that recovery: see
 * {@link #onRecoveryAck}.
 * Not done: the RFC 6582 section 4 heuristics, growth limited to a cwnd actually in use (RFC 7661),
 * PRR in the NewReno (non-SACK) recovery.
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

    /** Linux's default, and ours once the connection names it (--cc). */
    static final String DEFAULT_ALGORITHM = "cubic";

    private final int smss;
    private final CongestionAlgorithm algorithm;
    /** RFC 3465's L above 2*SMSS: a receiver of large segments acknowledges one whole at a time. */
    private int byteCountingLimit;
    private int cwnd;
    private int ssthresh;
    private int duplicateAcks;

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

    /** RFC 6937 in SACK recovery, when asked for ({@link #useProportionalRateReduction}). */
    private ProportionalRateReduction prr;
    /** The retransmissions of the current loss episode, for the undo. */
    private final SpuriousRetransmissions episode = new SpuriousRetransmissions();
    private int undoCount;
    /** The time of the last call that brought one, for the untimed forms. */
    private long lastNow;
    private long lastSrtt = -1;

    /**
     * Reno (RFC 5681 and 6582), as before the algorithms were separate.
     * @param smss the sender maximum segment size: the MSS the peer announced, capped by our MTU
     *             (RFC 9293 Eff.snd.MSS), without options
     */
    CongestionControl(int smss) {
        this(smss, new Reno(Math.max(smss, 1))); // an smss below 1 is refused there
    }

    /** With the given algorithm (built for the same SMSS). */
    CongestionControl(int smss, CongestionAlgorithm algorithm) {
        if (smss < 1) throw new IllegalArgumentException("smss " + smss);
        this.smss = smss;
        this.algorithm = java.util.Objects.requireNonNull(algorithm, "algorithm");
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

    /**
     * The factory --cc uses: "reno" (RFC 5681/6582) or "cubic" (RFC 9438), as Linux names them.
     * @throws IllegalArgumentException for any other name (the message lists the known ones)
     */
    static CongestionControl named(String name, int smss) {
        if (smss < 1) throw new IllegalArgumentException("smss " + smss);
        return new CongestionControl(smss, algorithm(name, smss));
    }

    /** The algorithm of that name, for {@link #named}. */
    static CongestionAlgorithm algorithm(String name, int smss) {
        return switch (name == null ? "" : name.toLowerCase(java.util.Locale.ROOT)) {
            case "reno" -> new Reno(smss);
            case "cubic" -> new Cubic(smss);
            default -> throw new IllegalArgumentException("unknown congestion control \"" + name + "\" (known: " + String.join(", ", ALGORITHMS) + ")");
        };
    }

    /** The names {@link #named} knows. */
    static final java.util.List<String> ALGORITHMS = java.util.List.of("cubic", "reno");

    int smss() { return smss; }
    /** The algorithm's name: "reno", "cubic". */
    String algorithmName() { return algorithm.name(); }
    CongestionAlgorithm algorithm() { return algorithm; }

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

    /**
     * RFC 6937's Proportional Rate Reduction in SACK recovery (call after {@link #useSackRecovery},
     * before the first loss): the connection then calls {@link #onRecoveryAck} on every ACK in
     * recovery and {@link #onDataSent} for every segment sent.
     */
    void useProportionalRateReduction() {
        useProportionalRateReduction(ProportionalRateReduction.Bound.SLOW_START);
    }

    /** The same with the chosen Reduction Bound (PRR-SSRB is the RFC's recommendation). */
    void useProportionalRateReduction(ProportionalRateReduction.Bound bound) {
        if (!sackRecovery) throw new IllegalStateException("PRR needs SACK recovery (pipe)");
        prr = new ProportionalRateReduction(smss, bound);
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
        return onDuplicateAck(ack, sndNxt, flightSize, threshold, untimed());
    }

    /** As {@link #onDuplicateAck(int, int, int, int)}, at time now (milliseconds). */
    Action onDuplicateAck(int ack, int sndNxt, int flightSize, int threshold, long now) {
        if (threshold < 1 || threshold > DUPLICATE_ACK_THRESHOLD) throw new IllegalArgumentException("threshold " + threshold);
        lastNow = now;
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
        if (sackRecovery) return enterSackRecovery(ack, sndNxt, flightSize, now) ? Action.RETRANSMIT : Action.NONE;
        if (!coversMoreThanRecover(ack)) return Action.NONE;
        recover = sndNxt - 1;
        recoverSet = true;
        beginLossEpisode(ack);
        // RFC 5681 section 3.2 step 2: "When the third duplicate ACK is received, a TCP MUST set
        // ssthresh to no more than the value given in equation (4)" (Reno; CUBIC's is 0.7 of it).
        ssthresh = algorithm.ssthreshAfterLoss(cwnd, flightSize, now);
        // Step 3: "The lost segment starting at SND.UNA MUST be retransmitted and cwnd set to
        // ssthresh plus 3*SMSS. This artificially "inflates" the congestion window by the number
        // of segments (three) that have left the network and which the receiver has buffered."
        cwnd = saturatingAdd(ssthresh, 3 * smss);
        inRecovery = true;
        return Action.RETRANSMIT;
    }

    /**
     * RFC 6675 section 5, step (4), when the third duplicate ACK comes or the scoreboard shows the
     * segment at SND.UNA lost ("IsLost (HighACK + 1)"): "(4.1) RecoveryPoint = HighData ... (4.2)
     * ssthresh = cwnd = (FlightSize / 2)" (at least 2*SMSS, RFC 5681's equation (4); CUBIC's
     * ssthresh is 0.7 of FlightSize). Section 5.1, after a timeout: "The new recovery phase ...
     * MUST NOT be initiated until HighACK is greater than or equal to the new value of
     * RecoveryPoint" (HighACK is SEG.ACK - 1, RecoveryPoint is HighData, our recover: SEG.ACK >
     * recover). A loss just past the last recovery is a new one: RFC 6582's stricter "covers more
     * than recover" would leave it to the timer.
     * @return true when recovery began (the caller then retransmits the segment at SND.UNA)
     */
    boolean enterSackRecovery(int ack, int sndNxt, int flightSize) {
        return enterSackRecovery(ack, sndNxt, flightSize, untimed());
    }

    /** As {@link #enterSackRecovery(int, int, int)}, at time now (milliseconds). */
    boolean enterSackRecovery(int ack, int sndNxt, int flightSize, long now) {
        if (!sackRecovery) throw new IllegalStateException("SACK recovery was not agreed");
        lastNow = now;
        if (inRecovery || (recoverSet && !Seq.gt(ack, recover))) return false;
        recover = sndNxt - 1;
        recoverSet = true;
        beginLossEpisode(ack);
        ssthresh = algorithm.ssthreshAfterLoss(cwnd, flightSize, now);
        cwnd = ssthresh;
        inRecovery = true;
        if (prr != null) prr.start(ssthresh, flightSize);
        return true;
    }

    /**
     * RFC 6937, on every ACK while {@link #inRecovery} in SACK recovery with PRR (the one that
     * started the recovery included), after the scoreboard took the ACK and marked what is lost
     * (its pipe is final), and before anything goes out in answer to it, the fast retransmit
     * included: returns sndcnt, the bytes the sender may send now, and sets cwnd = pipe + sndcnt
     * (as Linux's tcp_cwnd_reduction does), so that the sender's "send while cwnd - pipe allows"
     * sends exactly that. Without PRR, or outside recovery, it only answers cwnd - pipe.
     * @param deliveredData bytes this ACK newly acknowledged, cumulatively or by SACK
     *                      (the Scoreboard's deliveredBytes() after, minus before)
     * @param pipe          the Scoreboard's pipe() after this ACK
     */
    int onRecoveryAck(int deliveredData, int pipe) {
        if (!inRecovery || prr == null || !prr.active()) return Math.max(0, cwnd - pipe);
        int sndcnt = prr.onAck(deliveredData, pipe);
        // RFC 6675 (4.3) retransmits the first segment on entering recovery whatever pipe says;
        // Linux's tcp_cwnd_reduction: "Force a fast retransmit upon entering fast recovery".
        if (prr.prrOut() == 0) sndcnt = Math.max(sndcnt, smss);
        cwnd = saturatingAdd(Math.max(pipe, 0), sndcnt);
        return sndcnt;
    }

    /**
     * The connection sent [start, end): new data or a retransmission. PRR counts it into prr_out
     * ("On any data transmission or retransmission: prr_out += (data sent)"), and a retransmission
     * is kept for the undo (D-SACK). With timestamps, use the form with the segment's TSval.
     */
    void onDataSent(int start, int end, boolean retransmission) {
        if (!Seq.lt(start, end)) return;
        if (prr != null && inRecovery) prr.onSent(end - start);
        if (retransmission) episode.retransmitted(start, end);
    }

    /** As {@link #onDataSent(int, int, boolean)}, for a segment that carried TSval tsVal (RFC 7323). */
    void onDataSent(int start, int end, boolean retransmission, int tsVal) {
        if (!Seq.lt(start, end)) return;
        if (prr != null && inRecovery) prr.onSent(end - start);
        if (retransmission) episode.retransmitted(start, end, tsVal);
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
        return onNewAck(ack, sndUna, sndNxt, untimed(), lastSrtt);
    }

    /**
     * As {@link #onNewAck(int, int, int)}, at time now, with the smoothed RTT (milliseconds, -1
     * before the first sample), which CUBIC's growth needs.
     */
    Action onNewAck(int ack, int sndUna, int sndNxt, long now, long srtt) {
        int acked = ack - sndUna;
        if (acked <= 0) throw new IllegalArgumentException("not a new ACK: " + Seq.str(ack) + " at SND.UNA " + Seq.str(sndUna));
        lastNow = now;
        lastSrtt = srtt;
        duplicateAcks = 0;
        timedOut = false;
        boolean coversOldData = afterTimeout; // this ACK still covers data sent before the timeout
        if (afterTimeout && Seq.gt(ack, afterTimeoutRecover)) afterTimeout = false;

        if (inRecovery && sackRecovery) {
            // RFC 6675 section 5: "(1) the cumulative ACK ... covers RecoveryPoint: ... the loss
            // recovery ... terminates"; cwnd stays at the ssthresh it was set to. A partial ACK
            // changes nothing here: the scoreboard and pipe say what to send.
            if (Seq.gt(ack, recover)) endSackRecovery();
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
        } else {
            // Congestion avoidance: the algorithm's (RFC 5681 3.1's byte counting, RFC 9438's curve).
            cwnd = Math.max(cwnd, algorithm.growInAvoidance(cwnd, acked, now, srtt));
        }
        return Action.NONE;
    }

    /**
     * RFC 6675 recovery is over. With PRR, cwnd = ssthresh, as Linux's tcp_end_cwnd_reduction
     * leaves it (unless the reduction was undone); without, cwnd stays at the ssthresh it was set to.
     */
    private void endSackRecovery() {
        inRecovery = false;
        if (prr != null && prr.active()) {
            prr.stop();
            cwnd = ssthresh;
        }
    }

    /**
     * The retransmission timer expired.
     * @param flightSize SND.NXT - SND.UNA when it expired
     * @param sndNxt     SND.NXT (the highest sequence number sent, plus one)
     */
    void onRetransmissionTimeout(int flightSize, int sndNxt) {
        onRetransmissionTimeout(flightSize, sndNxt, untimed());
    }

    /** As {@link #onRetransmissionTimeout(int, int)}, at time now (milliseconds). */
    void onRetransmissionTimeout(int flightSize, int sndNxt, long now) {
        lastNow = now;
        // RFC 5681 section 3.1: "When a TCP sender detects segment loss using the retransmission
        // timer and the given segment has not yet been resent by way of the retransmission timer,
        // the value of ssthresh MUST be set to no more than the value given in equation (4)";
        // "when a TCP sender detects segment loss using the retransmission timer and the given
        // segment has already been retransmitted by way of the retransmission timer at least once,
        // the value of ssthresh is held constant." Held while no new data was acknowledged since
        // the last timeout: the segment at SND.UNA is then the one the timer already resent.
        if (!timedOut) {
            // A timeout during a recovery continues its episode: what to undo is what was before it.
            if (!(inRecovery && episode.active())) beginLossEpisode(sndNxt - flightSize);
            ssthresh = algorithm.ssthreshAfterTimeout(cwnd, flightSize, now);
        }
        timedOut = true;
        // "Furthermore, upon a timeout (as specified in [RFC2988]) cwnd MUST be set to no more than
        // the loss window, LW, which equals 1 full-sized segment (regardless of the value of IW)."
        cwnd = smss;
        duplicateAcks = 0;
        // RFC 6582 section 3.2 step 4: "After a retransmit timeout, record the highest sequence
        // number transmitted in the variable recover, and exit the fast recovery procedure if
        // applicable."
        recover = sndNxt - 1;
        recoverSet = true;
        inRecovery = false;
        if (prr != null) prr.stop();
        afterTimeout = true;
        afterTimeoutRecover = recover;
    }

    /**
     * Before sending new data. RFC 5681 section 4.1: "a TCP SHOULD set cwnd to no more than RW
     * before beginning transmission if the TCP has not sent data in an interval exceeding the
     * retransmission timeout", where "RW = min(IW,cwnd)". The algorithm hears of the idle time
     * either way (CUBIC moves its epoch by it).
     * @return true when cwnd was reduced
     */
    boolean restartAfterIdle(long idleMillis, long rtoMillis) {
        boolean reduced = false;
        if (idleMillis > rtoMillis) {
            int rw = Math.min(initialWindow(smss), cwnd);
            reduced = rw != cwnd;
            cwnd = rw;
        }
        algorithm.idle(idleMillis, reduced);
        return reduced;
    }

    /**
     * RFC 3168 section 6.1.2, an ECN-Echo: "the TCP source halves the congestion window "cwnd" and
     * reduces the slow start threshold "ssthresh"" (the algorithm's reduction: Reno halves, CUBIC
     * keeps 0.7). No retransmission, no recovery; and nothing to undo later: a CE mark is no
     * spurious loss (Linux's tcp_enter_cwr clears undo_marker too).
     * @param cwndBefore cwnd before the ACK that carried ECE
     */
    void onCongestionEchoed(int cwndBefore, int flightSize, long now) {
        lastNow = now;
        episode.end();
        ssthresh = algorithm.ssthreshAfterLoss(cwndBefore, flightSize, now);
        cwnd = Math.max(Math.min(cwnd, ssthresh), smss);
    }

    // ------------------------------------------------------------------ spurious retransmissions

    /**
     * A loss episode starts: cwnd and ssthresh before the reduction are kept, with the algorithm's
     * own state, so that a reduction proven spurious can be undone (Linux's tcp_init_undo).
     */
    private void beginLossEpisode(int sndUna) {
        episode.begin(sndUna, cwnd, ssthresh);
        algorithm.rememberForUndo();
    }

    /**
     * A D-SACK block of an ACK ({@link DSack#find}): the receiver got [left, right) twice. When
     * that proves every retransmission of the current loss episode unneeded, the reduction is
     * undone (Linux's tcp_try_undo_dsack; RFC 9438 4.9.2). Returns true when it was.
     */
    boolean onDuplicateSack(int left, int right) {
        return episode.duplicateReported(left, right) && undoReduction();
    }

    /**
     * An acceptable ACK carrying timestamps (RFC 7323): RFC 3522's Eifel detection. When it
     * acknowledges every byte the episode retransmitted and echoes a timestamp older than the
     * first retransmission, every retransmission was spurious and the reduction is undone
     * (Linux's tcp_packet_delayed and tcp_try_undo_recovery/loss). Returns true when it was.
     * @param ack   SEG.ACK
     * @param tsEcr the ACK's Timestamp Echo Reply
     */
    boolean onAckTimestamp(int ack, int tsEcr) {
        return episode.acknowledgedWithTimestamp(ack, tsEcr) && undoReduction();
    }

    /**
     * RFC 9438 4.9.2: "CUBIC MAY restore the original values of the above-mentioned variables as
     * follows if the current cwnd is lower than cwnd_prior"; "In rare cases, when the detection
     * happens long after a spurious loss event and the current cwnd is already higher than
     * cwnd_prior, CUBIC SHOULD continue to use the current and the most recent values of these
     * variables." The same rule for Reno (Linux: cwnd = max(cwnd, prior_cwnd), ssthresh =
     * max(ssthresh, prior_ssthresh)). A SACK recovery under way goes on repairing what is still
     * marked lost, without PRR's reduction; NewReno's ends, as Linux's tcp_try_to_open.
     */
    private boolean undoReduction() {
        int priorCwnd = episode.priorCwnd(), priorSsthresh = episode.priorSsthresh();
        episode.end();
        if (cwnd >= priorCwnd) return false;
        cwnd = priorCwnd;
        ssthresh = Math.max(ssthresh, priorSsthresh);
        algorithm.undo();
        if (prr != null) prr.stop();
        if (inRecovery && !sackRecovery) inRecovery = false;
        timedOut = false;
        afterTimeout = false;
        undoCount++;
        return true;
    }

    /** How many reductions were undone since the start. */
    int undoCount() { return undoCount; }
    /** The current loss episode's bookkeeping (for tests and the log). */
    SpuriousRetransmissions episode() { return episode; }
    /** PRR's state, or null when not in use. */
    ProportionalRateReduction prr() { return prr; }

    /** The time for an untimed call: refused by an algorithm that needs a clock. */
    private long untimed() {
        if (algorithm.needsClock()) {
            throw new IllegalStateException(algorithm.name() + " needs the time: use the form that takes now");
        }
        return lastNow;
    }

    static int saturatingAdd(int a, int b) {
        long sum = (long) a + b;
        return sum > Integer.MAX_VALUE ? Integer.MAX_VALUE : (int) sum;
    }

    @Override public String toString() {
        return "cwnd=" + cwnd + " ssthresh=" + (ssthresh == Integer.MAX_VALUE ? "inf" : String.valueOf(ssthresh))
                + (inRecovery ? " recovering to " + Seq.str(recover) : "")
                + (duplicateAcks > 0 ? " dupacks=" + duplicateAcks : "");
    }
}
