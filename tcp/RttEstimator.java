/**
 * The retransmission timeout of RFC 6298: round-trip samples in, RTO out.
 *
 * Sans-I/O: times are milliseconds passed in by the caller. One measurement runs at a time
 * (RFC 6298 section 3: "Traditionally, TCP implementations have taken one RTT measurement at a
 * time (typically, once per RTT)."), and never from a retransmitted segment (Karn).
 *
 * Precision: SRTT and RTTVAR are kept in microseconds, so that the 1/8 and 1/4 gains do not lose
 * everything below a millisecond; every value handed out ({@link #srtt}, {@link #rttvar},
 * {@link #rto}) is rounded UP to whole milliseconds, and every division rounds up, so rounding can
 * only make the timer later, never early.
 *
 * Use from a connection:
 * <pre>
 *   sending a segment that ends at endSeq   rtt.onSend(endSeq, now, isRetransmission)
 *   an ACK arrives                           rtt.onAck(ack, now); if it acknowledged new data, rtt.resetBackoff()
 *   the retransmission timer expires         rtt.onRetransmit()   (then retransmit, with onSend(..., true))
 *   the handshake ends after a SYN was resent rtt.afterHandshakeWithSynRetransmitted()
 *   with RFC 7323 timestamps, instead of onSend/onAck timing: on each ACK that advances SND.UNA,
 *                                            rtt.timestampSample(timestamps.rttSampleMillis(seg, now), flightSize, smss)
 * </pre>
 */
final class RttEstimator {
    /** K in RFC 6298 section 2. */
    private static final long K = 4;
    /** G, the clock granularity: our clock counts milliseconds. In microseconds. */
    private static final long G_MICROS = 1000;

    private final long rtoInitial, rtoMin, rtoMax; // milliseconds

    /** The RTO to use while no sample exists: rtoInitial, or (5.7)'s larger value. */
    private long rtoWithoutSample;
    private long srttMicros = -1, rttvarMicros = -1; // -1: no sample yet
    private long rto;                                 // milliseconds, backoff included

    private boolean timing;    // a measurement is running...
    private int timedSeq;      // ...for the segment that ends here (an ACK >= this covers it)...
    private long timedAt;      // ...sent at this time

    /**
     * @param rtoInitialMs (2.1) "Until a round-trip time (RTT) measurement has been made for a
     *                     segment sent between the sender and receiver, the sender SHOULD set
     *                     RTO <- 1 second"
     * @param rtoMinMs     (2.4) "Whenever RTO is computed, if it is less than 1 second, then the
     *                     RTO SHOULD be rounded up to 1 second."
     * @param rtoMaxMs     (2.5) "A maximum value MAY be placed on RTO provided it is at least 60 seconds."
     */
    RttEstimator(long rtoInitialMs, long rtoMinMs, long rtoMaxMs) {
        if (rtoInitialMs < 1 || rtoMinMs < 1 || rtoMaxMs < rtoMinMs || rtoMaxMs < rtoInitialMs) {
            throw new IllegalArgumentException("RTO bounds: initial " + rtoInitialMs + ", min " + rtoMinMs + ", max " + rtoMaxMs);
        }
        this.rtoInitial = rtoInitialMs;
        this.rtoMin = rtoMinMs;
        this.rtoMax = rtoMaxMs;
        this.rtoWithoutSample = rtoInitialMs;
        this.rto = rtoInitialMs;
    }

    /** The current retransmission timeout in milliseconds, backoff included. */
    long rto() { return rto; }

    /** SRTT in whole milliseconds (rounded up), or -1 before the first sample. */
    long srtt() { return srttMicros < 0 ? -1 : ceilDiv(srttMicros, 1000); }

    /** RTTVAR in whole milliseconds (rounded up), or -1 before the first sample. */
    long rttvar() { return rttvarMicros < 0 ? -1 : ceilDiv(rttvarMicros, 1000); }

    boolean hasSample() { return srttMicros >= 0; }

    /** True while a measurement is running. */
    boolean timing() { return timing; }

    /**
     * A segment ending at endSeq (seq + length, SYN and FIN counted) leaves now.
     *
     * Karn's algorithm, RFC 6298 section 3: "RTT samples MUST NOT be made using segments that
     * were retransmitted (and thus for which it is ambiguous whether the reply was for the first
     * instance of the packet or a later instance)." A retransmission also ends the measurement in
     * flight: the ACK that would end it may have been held back by the hole the retransmission
     * fills, and would then measure the recovery, not the path.
     */
    void onSend(int endSeq, long now, boolean retransmission) {
        if (retransmission) {
            timing = false;
            return;
        }
        if (!timing) {
            timing = true;
            timedSeq = endSeq;
            timedAt = now;
        }
    }

    /**
     * An acceptable ACK arrived. Takes the sample when ack covers the timed segment.
     * @return true when a sample was taken (the RTO was recomputed)
     */
    boolean onAck(int ack, long now) {
        if (!timing || Seq.lt(ack, timedSeq)) return false;
        timing = false;
        sample(Math.max(0, now - timedAt));
        return true;
    }

    /**
     * A sample from RFC 7323 timestamps (Timestamps.rttSampleMillis), taken on every ACK that
     * advanced SND.UNA, retransmissions included. With timestamps, call this instead of timing
     * segments with onSend/onAck (it ends any such measurement, so no sample counts twice).
     *
     * Many samples per RTT would shorten the history RFC 6298 means to keep, so the gains shrink as
     * RFC 7323 Appendix G suggests:
     *   "ExpectedSamples = ceiling(FlightSize / (SMSS * 2))
     *    alpha' = alpha / ExpectedSamples
     *    beta' = beta / ExpectedSamples"
     * (the 2: one ACK for every two segments, delayed ACKs), then
     *   "RTTVAR <- (1 - beta') * RTTVAR + beta' * |SRTT - R'|
     *    SRTT <- (1 - alpha') * SRTT + alpha' * R'"
     * With one segment in flight this is RFC 6298's (2.3) exactly.
     *
     * @param flightSize the bytes that were in flight when the ACK arrived
     * @param smss       the sender's MSS
     */
    void timestampSample(long rMillis, long flightSize, int smss) {
        if (smss < 1) throw new IllegalArgumentException("SMSS " + smss);
        timing = false;
        long expectedSamples = Math.max(1, ceilDiv(Math.max(flightSize, 0), 2L * smss));
        sample(rMillis, expectedSamples);
    }

    private void sample(long rMillis) {
        sample(rMillis, 1);
    }

    private void sample(long rMillis, long expectedSamples) {
        long r = rMillis * 1000;
        if (srttMicros < 0) {
            // (2.2) "When the first RTT measurement R is made, the host MUST set
            //        SRTT <- R
            //        RTTVAR <- R/2
            //        RTO <- SRTT + max (G, K*RTTVAR)"
            srttMicros = r;
            rttvarMicros = ceilDiv(r, 2);
        } else {
            // (2.3) "When a subsequent RTT measurement R' is made, a host MUST set
            //        RTTVAR <- (1 - beta) * RTTVAR + beta * |SRTT - R'|
            //        SRTT <- (1 - alpha) * SRTT + alpha * R'"
            // "The value of SRTT used in the update to RTTVAR is its value before updating SRTT itself
            // using the second assignment." "The above SHOULD be computed using alpha=1/8 and beta=1/4"
            // (divided by expectedSamples for timestamp samples, see timestampSample)
            long betaInverse = 4 * expectedSamples, alphaInverse = 8 * expectedSamples;
            rttvarMicros = ceilDiv((betaInverse - 1) * rttvarMicros + Math.abs(srttMicros - r), betaInverse);
            srttMicros = ceilDiv((alphaInverse - 1) * srttMicros + r, alphaInverse);
        }
        rto = computedRto();
    }

    /**
     * RTO <- SRTT + max (G, K*RTTVAR), clamped to [rtoMin, rtoMax] by (2.4) and (2.5); before any
     * sample, the initial RTO (2.1).
     */
    private long computedRto() {
        if (srttMicros < 0) return rtoWithoutSample;
        long micros = srttMicros + Math.max(G_MICROS, K * rttvarMicros);
        return Math.min(Math.max(ceilDiv(micros, 1000), rtoMin), rtoMax);
    }

    /**
     * The retransmission timer expired (not a fast retransmit: report that with
     * onSend(..., true), which stops the measurement without backing off).
     *
     * (5.5) "The host MUST set RTO <- RTO * 2 ("back off the timer"). The maximum value discussed
     * in (2.5) above may be used to provide an upper bound to this doubling operation."
     * And Karn: the measurement in flight is discarded.
     */
    void onRetransmit() {
        rto = Math.min(rto * 2, rtoMax);
        timing = false;
    }

    /**
     * New data was acknowledged: the backoff ends and RTO is computed again from SRTT and RTTVAR
     * (as the connection did before). RFC 6298 section 5 only requires it on a new sample: "Note that
     * after retransmitting, once a new RTT measurement is obtained (which can only happen when new
     * data has been sent and acknowledged), the computations outlined in Section 2 are performed,
     * including the computation of RTO, which may result in "collapsing" RTO back down after it has
     * been subject to exponential back off (rule 5.5)." Resetting on any new ACK is earlier than
     * that, and is what the brief asks; a caller wanting the strict rule calls this only when
     * {@link #onAck} returned true (onAck already recomputes RTO then).
     */
    void resetBackoff() {
        rto = computedRto();
    }

    /**
     * The three-way handshake completed after our SYN (or SYN-ACK) was retransmitted.
     *
     * (5.7) "If the timer expires awaiting the ACK of a SYN segment and the TCP implementation is
     * using an RTO less than 3 seconds, the RTO MUST be re-initialized to 3 seconds when data
     * transmission begins (i.e., after the three-way handshake completes)."
     * The 3 seconds are scaled with the configured initial RTO (3 * rtoInitial, 3 s with the RFC's
     * 1 s), capped at rtoMax, and apply only while no sample exists: a sample (from a segment sent
     * once) is better knowledge than the rule.
     */
    void afterHandshakeWithSynRetransmitted() {
        if (srttMicros >= 0) return;
        rtoWithoutSample = Math.min(Math.max(rtoInitial, 3 * rtoInitial), rtoMax);
        rto = rtoWithoutSample;
    }

    @Override public String toString() {
        return "RttEstimator[srtt=" + srtt() + "ms rttvar=" + rttvar() + "ms rto=" + rto + "ms"
                + (timing ? " timing " + Seq.str(timedSeq) : "") + "]";
    }

    private static long ceilDiv(long a, long b) {
        return -Math.floorDiv(-a, b);
    }
}
