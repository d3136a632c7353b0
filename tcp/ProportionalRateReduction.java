/**
 * Proportional Rate Reduction (RFC 6937): how much the sender may send on each ACK during loss
 * recovery, so that the window comes down to ssthresh smoothly over one round trip (one segment
 * out for every two delivered with Reno, seven for ten with CUBIC) instead of all at once (RFC
 * 6675: nothing until half the flight has drained) or after a burst (RFC 5681's inflation), and
 * ends the recovery with about ssthresh in flight. Sans-I/O: byte counts in, byte counts out.
 *
 * Use: {@link #start} when recovery begins; per ACK in recovery {@link #onAck} returns "sndcnt"
 * and the sender may have pipe + sndcnt in flight; {@link #onSent} for every byte (re)transmitted
 * while recovering.
 */
final class ProportionalRateReduction {

    /** RFC 6937's two Reduction Bounds, used once pipe has fallen to ssthresh or below. */
    enum Bound {
        /** PRR-CRB: "strictly packet conserving": no more out than delivered over the recovery. */
        CONSERVATIVE,
        /** PRR-SSRB (the RFC's recommendation): one more segment per ACK, like slow start. */
        SLOW_START
    }

    private final int smss;
    private final Bound bound;

    private boolean active;
    private int ssthresh;
    /** "RecoverFS = snd.nxt-snd.una // FlightSize at the start of recovery" */
    private int recoverFs;
    /** "prr_delivered = 0 // Total bytes delivered during recovery" */
    private long prrDelivered;
    /** "prr_out = 0 // Total bytes sent during recovery" */
    private long prrOut;

    ProportionalRateReduction(int smss) {
        this(smss, Bound.SLOW_START);
    }

    ProportionalRateReduction(int smss, Bound bound) {
        if (smss < 1) throw new IllegalArgumentException("smss " + smss);
        this.smss = smss;
        this.bound = bound;
    }

    /**
     * RFC 6937 section 3: "At the beginning of recovery, initialize PRR state. This assumes a
     * modern congestion control algorithm, CongCtrlAlg(), that might set ssthresh to something
     * other than FlightSize/2":
     * <pre>
     *   ssthresh = CongCtrlAlg()      // Target cwnd after recovery
     *   prr_delivered = 0             // Total bytes delivered during recovery
     *   prr_out = 0                   // Total bytes sent during recovery
     *   RecoverFS = snd.nxt-snd.una   // FlightSize at the start of recovery
     * </pre>
     */
    void start(int ssthresh, int recoverFs) {
        if (ssthresh < 0 || recoverFs < 0) throw new IllegalArgumentException("ssthresh " + ssthresh + ", RecoverFS " + recoverFs);
        this.ssthresh = ssthresh;
        this.recoverFs = Math.max(recoverFs, 1); // never divided by zero
        this.prrDelivered = 0;
        this.prrOut = 0;
        this.active = true;
    }

    /**
     * RFC 6937 section 3, "On every ACK during recovery compute:"
     * <pre>
     *   DeliveredData = change_in(snd.una) + change_in(SACKd)
     *   prr_delivered += DeliveredData
     *   pipe = (RFC 6675 pipe algorithm)
     *   if (pipe > ssthresh) {
     *      // Proportional Rate Reduction
     *      sndcnt = CEIL(prr_delivered * ssthresh / RecoverFS) - prr_out
     *   } else {
     *      // Two versions of the Reduction Bound
     *      if (conservative) {    // PRR-CRB
     *        limit = prr_delivered - prr_out
     *      } else {               // PRR-SSRB
     *        limit = MAX(prr_delivered - prr_out, DeliveredData) + MSS
     *      }
     *      // Attempt to catch up, as permitted by limit
     *      sndcnt = MIN(ssthresh - pipe, limit)
     *   }
     * </pre>
     * @param deliveredData bytes this ACK newly acknowledged, cumulatively or by SACK
     * @param pipe          RFC 6675's pipe after this ACK was taken
     * @return sndcnt, at least 0: the bytes the sender may send now
     */
    int onAck(int deliveredData, int pipe) {
        if (!active) throw new IllegalStateException("PRR outside recovery");
        if (deliveredData < 0) throw new IllegalArgumentException("DeliveredData " + deliveredData);
        prrDelivered += deliveredData;
        long sndcnt;
        if (pipe > ssthresh) {
            sndcnt = ceilDiv(prrDelivered * ssthresh, recoverFs) - prrOut;
        } else {
            long limit = bound == Bound.CONSERVATIVE
                    ? prrDelivered - prrOut
                    : Math.max(prrDelivered - prrOut, deliveredData) + smss;
            sndcnt = Math.min((long) ssthresh - pipe, limit);
        }
        return (int) Math.max(0, Math.min(sndcnt, Integer.MAX_VALUE));
    }

    /** "On any data transmission or retransmission: prr_out += (data sent)". */
    void onSent(int bytes) {
        if (active && bytes > 0) prrOut += bytes;
    }

    /** Recovery is over (or was undone). */
    void stop() { active = false; }

    boolean active() { return active; }
    long prrDelivered() { return prrDelivered; }
    long prrOut() { return prrOut; }
    int recoverFs() { return recoverFs; }
    int ssthresh() { return ssthresh; }

    private static long ceilDiv(long a, long b) {
        return -Math.floorDiv(-a, b);
    }

    @Override public String toString() {
        return active ? "PRR delivered=" + prrDelivered + " out=" + prrOut + " RecoverFS=" + recoverFs + " ssthresh=" + ssthresh : "PRR idle";
    }
}
