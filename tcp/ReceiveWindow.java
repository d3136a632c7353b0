/**
 * The window we advertise: RFC 9293 receiver silly window syndrome avoidance, never shrinking
 * the window, and RFC 7323 window scaling. It keeps the right edge we advertised
 * (RCV.NXT + RCV.WND); the connection gives it RCV.NXT and the receive buffer's free space.
 *
 * RFC 9293 section 3.8.6.2.2: "A TCP implementation MUST include a SWS avoidance algorithm in the
 * receiver (MUST-39)." "The suggested SWS avoidance algorithm for the receiver is to keep
 * RCV.NXT+RCV.WND fixed until the reduction satisfies:
 *     RCV.BUFF - RCV.USER - RCV.WND >= min( Fr * RCV.BUFF, Eff.snd.MSS )
 * where Fr is a fraction whose recommended value is 1/2, and Eff.snd.MSS is the effective send
 * MSS for the connection (see Section 3.7.1). When the inequality is satisfied, RCV.WND is set to
 * RCV.BUFF-RCV.USER." Here RCV.BUFF - RCV.USER is {@code free} (ReceiveBuffer.free()).
 *
 * Scaling, and why the window cannot always stay put: with a shift s, the field says
 * window >> s, so an advertised right edge is RCV.NXT + a multiple of 2^s. RFC 7323 section 2.4:
 * "If the sequence number is then updated by a number of bytes smaller than that granularity, the
 * TCP will have to either advertise a new window that is beyond what it previously advertised
 * (and perhaps beyond the buffer) or will have to advertise a smaller window". Our choice, in
 * order:
 *   1. Round the window down (never promise space we do not have) when that keeps the edge;
 *   2. otherwise round up, when the rounded-up window still fits in the free space: the edge
 *      stays or moves right, and never past the buffer;
 *   3. otherwise (the buffer is within 2^s bytes of full) round down: the edge appears to move
 *      back by less than 2^s bytes. Rounding up there would promise space we do not have, and
 *      done at every segment it lets the edge creep right without bound. We keep honouring the
 *      old edge, as RFC 7323 2.4 requires: "The receiver MUST honor, as in window, any segment
 *      that would have been in window for any <ACK> sent by the receiver." {@link #acceptLimit}
 *      gives it, and it always fits in the buffer: an edge is advertised only within
 *      RCV.NXT + free, and that sum never decreases (data arriving moves both ends; reading
 *      frees space).
 * With shift 0, case 3 never happens: the window never shrinks.
 */
final class ReceiveWindow {
    /** Fr = 1/2, as a shift. */
    private static final int FR_SHIFT = 1;

    private final int bufferSize;
    private int shift;

    private int pendingSynWindow = -1; // the window of our SYN, before RCV.NXT was known
    private boolean started;
    private int edge;    // RCV.NXT + RCV.WND as last advertised
    private int maxEdge; // the furthest edge ever advertised

    /** @param bufferSize RCV.BUFF, the receive buffer's capacity */
    ReceiveWindow(int bufferSize) {
        if (bufferSize < 1) throw new IllegalArgumentException("bufferSize " + bufferSize);
        this.bufferSize = bufferSize;
    }

    /**
     * The window scale agreed in the handshake (RFC 7323: both sides sent the option); 0 when
     * not. RFC 7323 section 2.3: "the shift count MUST be limited to 14".
     */
    void useShift(int shift) {
        if (shift < 0 || shift > 14) throw new IllegalArgumentException("window shift " + shift);
        this.shift = shift;
    }

    int shift() { return shift; }

    /**
     * The window field of a SYN or SYN-ACK. RFC 7323 section 2.2: "The window field in a segment
     * where the SYN bit is set (i.e., a <SYN> or <SYN,ACK>) MUST NOT be scaled."
     */
    int synWindow(int free) {
        pendingSynWindow = Math.min(Math.max(free, 0), 0xFFFF);
        return pendingSynWindow;
    }

    /**
     * RCV.NXT became known (the peer's SYN arrived): the window our SYN or SYN-ACK offered counts
     * from here. Must be called then, before any data moves RCV.NXT, or the first edge would be
     * measured from a later RCV.NXT and promise more than the buffer holds. Idempotent.
     */
    void start(int rcvNxt) {
        if (started) return;
        started = true;
        edge = rcvNxt + Math.max(pendingSynWindow, 0);
        maxEdge = edge;
    }

    /**
     * The window field for a segment without SYN, sent now.
     * @param rcvNxt    RCV.NXT
     * @param free      RCV.BUFF - RCV.USER: what the receive buffer can still take
     * @param effSndMss Eff.snd.MSS
     * @return the 16-bit field (window >> shift)
     */
    int advertise(int rcvNxt, int free, int effSndMss) {
        if (!started) start(rcvNxt);
        free = Math.max(free, 0);
        int current = Seq.gt(edge, rcvNxt) ? edge - rcvNxt : 0; // RCV.WND, the edge kept fixed
        int window = current;
        int threshold = Math.min(bufferSize >> FR_SHIFT, effSndMss);
        if ((long) free - current >= Math.max(threshold, 1)) window = free; // the window opens
        window = (int) Math.min(window, 0xFFFFL << shift);

        int field = window >>> shift;                         // 1. round down
        if (((long) field << shift) < current) {
            long up = ((long) current + (1L << shift) - 1) >>> shift;
            if ((up << shift) <= free && up <= 0xFFFF) field = (int) up; // 2. round up, if it fits
            // 3. else keep the rounded-down field: a retraction of less than 2^shift bytes
        }
        edge = rcvNxt + (field << shift);
        if (Seq.gt(edge, maxEdge)) maxEdge = edge;
        return field;
    }

    /**
     * True when, with this much free space, the SWS rule would open the window now (so a window
     * update is worth sending at once). Changes nothing.
     */
    boolean wouldOpen(int rcvNxt, int free, int effSndMss) {
        if (!started) return false;
        int current = Seq.gt(edge, rcvNxt) ? edge - rcvNxt : 0;
        int threshold = Math.min(bufferSize >> FR_SHIFT, effSndMss);
        return (long) Math.max(free, 0) - current >= Math.max(threshold, 1);
    }

    /**
     * The field for the right edge already advertised, unchanged (rounded as advertise would).
     * For duplicate ACKs: RFC 5681 counts an ACK as a duplicate only if "the advertised window in
     * the incoming acknowledgment equals the advertised window in the last incoming
     * acknowledgment", so a window that opened in a duplicate ACK would hide it from the sender's
     * fast retransmit.
     */
    int advertiseSameEdge(int rcvNxt) {
        if (!started) start(rcvNxt);
        int current = Seq.gt(edge, rcvNxt) ? edge - rcvNxt : 0;
        int field = (int) Math.min(((long) current + (1L << shift) - 1) >>> shift, 0xFFFF);
        if (((long) field << shift) > current && field > 0 && Seq.gt(rcvNxt + (field << shift), maxEdge)) field--;
        return field;
    }

    /** The window in bytes that the last {@link #advertise} field means. */
    int advertisedBytes(int field) {
        return field << shift;
    }

    /**
     * How many bytes beyond rcvNxt the peer may send: up to the furthest edge we ever advertised
     * (RFC 7323 2.4), which is what segment acceptability (RFC 9293 3.10.7.4) should use as
     * RCV.WND, and the ReassemblyQueue as its window.
     */
    int acceptLimit(int rcvNxt) {
        if (!started) return Math.max(pendingSynWindow, 0);
        return Seq.gt(maxEdge, rcvNxt) ? maxEdge - rcvNxt : 0;
    }

    /** RCV.NXT + RCV.WND as last advertised. */
    int rightEdge() { return edge; }

    @Override public String toString() {
        return "ReceiveWindow[edge " + Seq.str(edge) + ", furthest " + Seq.str(maxEdge) + ", shift " + shift + "]";
    }
}
