import java.util.ArrayList;

/**
 * The sender's scoreboard (RFC 6675 section 3): the data sent and not yet cumulatively
 * acknowledged, in sequence order, cut into pieces that each carry what the receiver's SACK blocks
 * (RFC 2018) said of them, whether they are presumed lost, and whether they were retransmitted.
 *
 * Each piece also remembers when, and in which order, it was last sent: RACK's clock (RFC 8985).
 * RACK's idea, in short: if a segment was sent before another one that has been delivered, and
 * a reordering window has passed, the earlier one is lost. That rule also sees a lost
 * retransmission, which RFC 6675 alone leaves to the retransmission timeout.
 *
 * A peer chooses the SACK edges, so it could cut the board into one piece per byte. Edges inside
 * a piece are therefore moved to its segment boundaries (whole SMSS from the piece's start, as
 * Linux's tcp_match_skb_to_sack does): the board never holds more pieces than segments sent.
 *
 * Sans-I/O: sequence numbers and the caller's clock (milliseconds) in, answers out. The connection
 * calls {@link #sent} for every data segment it transmits, {@link #acked} when SND.UNA advances,
 * {@link #sacked} for each SACK block, {@link #dsackReceived} when the ACK carried a D-SACK, then
 * {@link #detectLosses}; in recovery it retransmits {@link #nextLost} while cwnd - {@link #pipe}
 * allows. RACK's reordering timer: {@link #rackDeadline} says when to call {@link #onRackTimer}.
 */
final class Scoreboard {

    /** RFC 6675 section 2: "DupThresh: The number of duplicate acknowledgments required to trigger a fast retransmission". */
    static final int DUP_THRESH = 3;

    /** {@link #rackDeadline} when the RACK timer is not armed (the connection's NEVER). */
    static final long NO_DEADLINE = Long.MAX_VALUE;

    /** RFC 8985 6.2 step 4: "RACK.reo_wnd_persist = 16": recoveries a widened window lasts. */
    static final int REO_WND_PERSIST = 16;
    /** A bound on RACK.reo_wnd_mult (the window itself is bounded by SRTT), as Linux's 0xFF. */
    static final int REO_WND_MULT_MAX = 255;

    /** A run of sequence numbers [start, end) that were sent together and are judged together. */
    private static final class Piece {
        int start, end;
        long sentAt;   // when it was last sent (the caller's clock)
        long order;    // in which order: a later transmission has a larger number
        boolean sacked, lost, retransmitted;

        Piece(int start, int end, long sentAt, long order) {
            this.start = start;
            this.end = end;
            this.sentAt = sentAt;
            this.order = order;
        }

        Piece split(int at) { // this keeps [start, at); the result is [at, end)
            Piece tail = new Piece(at, end, sentAt, order);
            tail.sacked = sacked;
            tail.lost = lost;
            tail.retransmitted = retransmitted;
            end = at;
            return tail;
        }

        int length() { return end - start; }
    }

    /** A piece to retransmit: [start, end). */
    record Hole(int start, int end) {
        int length() { return end - start; }
    }

    private final ArrayList<Piece> pieces = new ArrayList<>();
    private final int smss;
    private long nextOrder;
    private int sackedBytes;
    /** Bytes the receiver is known to hold, each counted once when first ACKed or SACKed. */
    private long deliveredTotal;

    // RACK (RFC 8985 section 6.2): the most recently sent piece known delivered, and its RTT.
    private long rackOrder = -1;
    private int rackEnd;           // RACK.end_seq: breaks ties between pieces of one transmission
    private long rackSentAt;
    private long rackRtt;
    private boolean fackKnown;
    private int fack;              // RACK.fack: the highest sequence number known delivered
    private boolean reorderingSeen;
    private int lostRetransmissions;
    private long minRtt = -1;      // RACK.min_RTT: the smallest RACK.rtt sample, -1 before the first
    private int reoWndMult = 1;    // RACK.reo_wnd_mult
    private int reoWndPersist;     // RACK.reo_wnd_persist
    private boolean dsackRoundSet; // RACK.dsack_round is not None...
    private int dsackRound;        // ...and is this SND.NXT
    private boolean wasRecovering; // the last detectLosses was told the connection was recovering
    private long rackDeadline = NO_DEADLINE;

    /** @param smss the sender's MSS: SACK edges inside a piece are moved to multiples of it */
    Scoreboard(int smss) {
        if (smss < 1) throw new IllegalArgumentException("smss " + smss);
        this.smss = smss;
    }

    /** A board that takes SACK edges where they fall (for tests of the bookkeeping). */
    Scoreboard() {
        this(1);
    }

    // ------------------------------------------------------------------ what the connection tells it

    /** Data [start, end) went out now: new data, a retransmission, or both. */
    void sent(int start, int end, long now) {
        if (!Seq.lt(start, end)) return;
        long order = nextOrder++;
        if (pieces.isEmpty() || !Seq.lt(start, highEnd())) {
            pieces.add(new Piece(pieces.isEmpty() || Seq.gt(start, highEnd()) ? start : highEnd(), end, now, order));
            return;
        }
        int resentEnd = Seq.lt(end, highEnd()) ? end : highEnd();
        int from = Seq.lt(start, firstStart()) ? firstStart() : start;
        if (Seq.lt(from, resentEnd)) {
            for (int i = splitAt(from), stop = splitAt(resentEnd); i < stop; i++) {
                Piece p = pieces.get(i);
                p.sentAt = now;
                p.order = order;
                p.retransmitted = true;
            }
        }
        if (Seq.gt(end, highEnd())) pieces.add(new Piece(highEnd(), end, now, order));
    }

    /** SND.UNA moved to una: what is below it is delivered and leaves the board. */
    void acked(int una, long now) {
        int drop = 0;
        while (drop < pieces.size() && Seq.le(pieces.get(drop).end, una)) {
            Piece p = pieces.get(drop++);
            if (p.sacked) sackedBytes -= p.length();
            else {
                deliveredTotal += p.length();
                delivered(p, now);
            }
        }
        pieces.subList(0, drop).clear();
        if (!pieces.isEmpty() && Seq.lt(pieces.get(0).start, una)) {
            Piece first = pieces.get(0);
            if (first.sacked) sackedBytes -= una - first.start;
            else {
                deliveredTotal += una - first.start;
                delivered(first, now);
            }
            first.start = una;
        }
    }

    /**
     * One SACK block [left, right). Only what lies on the board counts (a block below SND.UNA is a
     * D-SACK of RFC 2883: {@link DSack} recognises it, {@link #dsackReceived} is told of it).
     * Returns the bytes newly SACKed.
     */
    int sacked(int left, int right, long now) {
        if (pieces.isEmpty() || !Seq.lt(left, right)) return 0;
        if (Seq.lt(left, firstStart())) left = firstStart();
        if (Seq.gt(right, highEnd())) right = highEnd();
        left = segmentBoundary(left, true);
        right = segmentBoundary(right, false);
        if (!Seq.lt(left, right)) return 0;
        int newly = 0;
        for (int i = splitAt(left), stop = splitAt(right); i < stop; i++) {
            Piece p = pieces.get(i);
            if (p.sacked) continue;
            p.sacked = true;
            newly += p.length();
            delivered(p, now);
        }
        sackedBytes += newly;
        deliveredTotal += newly;
        return newly;
    }

    /** [start, end) is presumed lost (RFC 6675 (4.3): the segment at SND.UNA, on entering recovery). */
    void markLost(int start, int end) {
        if (pieces.isEmpty()) return;
        if (Seq.lt(start, firstStart())) start = firstStart();
        if (Seq.gt(end, highEnd())) end = highEnd();
        if (!Seq.lt(start, end)) return;
        for (int i = splitAt(start), stop = splitAt(end); i < stop; i++) {
            if (!pieces.get(i).sacked) pieces.get(i).lost = true;
        }
    }

    /**
     * RFC 2018 section 8: "the data sender ... MUST ignore prior SACK information in determining
     * which data to retransmit" after a retransmission timeout (the receiver may have reneged). The
     * board forgets what SACKs and losses it knew; what arrives after the timeout counts again.
     */
    void forgetSacks() {
        for (Piece p : pieces) {
            p.sacked = false;
            p.lost = false;
            p.retransmitted = false;
        }
        sackedBytes = 0;
        // What the receiver SACKs again after the timeout was delivered long ago, not out of
        // order: RACK.fack starts over, or every repeated block would look like reordering.
        fackKnown = false;
        rackDeadline = NO_DEADLINE;
        merge();
    }

    /** Forgets everything (the connection is closing, or was reset). */
    void clear() {
        pieces.clear();
        sackedBytes = 0;
        rackDeadline = NO_DEADLINE;
    }

    /**
     * The ACK just taken carried a D-SACK (see {@link DSack}): the receiver got something twice,
     * so our losses may have been reordering. RFC 8985 6.2 step 4:
     * <pre>
     *   If RACK.dsack_round is not None AND SND.UNA >= RACK.dsack_round:
     *       RACK.dsack_round = None
     *   If RACK.dsack_round is None AND any DSACK option is present on latest received ACK:
     *       RACK.dsack_round = SND.NXT
     *       RACK.reo_wnd_mult += 1
     *       RACK.reo_wnd_persist = 16
     * </pre>
     * "Grow the reordering window per round that sees DSACK."
     */
    void dsackReceived(int sndUna, int sndNxt) {
        if (dsackRoundSet && Seq.ge(sndUna, dsackRound)) dsackRoundSet = false;
        if (dsackRoundSet) return;
        dsackRoundSet = true;
        dsackRound = sndNxt;
        reoWndMult = Math.min(reoWndMult + 1, REO_WND_MULT_MAX);
        reoWndPersist = REO_WND_PERSIST;
    }

    // ------------------------------------------------------------------ loss detection

    /**
     * Marks what is now presumed lost; returns the bytes newly marked. Two rules:
     * <ul>
     * <li>RFC 6675 section 4, IsLost (SeqNum): "returns true when either DupThresh discontiguous
     *     SACKed sequences have arrived above 'SeqNum' or more than (DupThresh - 1) * SMSS bytes
     *     with sequence numbers greater than 'SeqNum' have been SACKed."</li>
     * <li>RFC 8985 section 6.2, step 5, RACK_detect_loss():
     *     <pre>
     *     For each segment, Segment, not acknowledged yet:
     *         If RACK_sent_after(RACK.xmit_ts, RACK.end_seq, Segment.xmit_ts, Segment.end_seq):
     *             remaining = Segment.xmit_ts + RACK.rtt + RACK.reo_wnd - Now()
     *             If remaining &lt;= 0:
     *                 Segment.lost = TRUE
     *             Else:
     *                 timeout = max(remaining, timeout)
     *     </pre>
     *     A retransmission found lost this way may be sent again. The timeout arms the reordering
     *     timer ({@link #rackDeadline}): "For timely loss detection, it is RECOMMENDED that the
     *     sender install a reordering timer", RACK_detect_loss_and_arm_timer().</li>
     * </ul>
     * @param recovering the connection is in loss recovery (RACK's reordering window is then 0
     *                   until reordering is seen; leaving recovery ages a widened window)
     * @param smss       the sender's MSS
     * @param srtt       the smoothed RTT, the bound of the reordering window
     */
    int detectLosses(long now, boolean recovering, int smss, long srtt) {
        if (wasRecovering && !recovering) recoveryEnded();
        wasRecovering = recovering;
        int newly = 0;
        long reorderWindow = reorderWindow(recovering, smss, srtt);
        long timeout = 0;
        int sackedAbove = 0;
        int runsAbove = 0;
        boolean inRun = false;
        for (int i = pieces.size() - 1; i >= 0; i--) {
            Piece p = pieces.get(i);
            if (p.sacked) {
                sackedAbove += p.length();
                if (!inRun) runsAbove++;
                inRun = true;
                continue;
            }
            inRun = false;
            boolean candidate = sentBeforeRack(p) && (p.retransmitted || !p.lost);
            long remaining = p.sentAt + rackRtt + reorderWindow - now;
            boolean rackSaysLost = candidate && remaining <= 0;
            if (candidate && remaining > 0) timeout = Math.max(timeout, remaining);
            if (p.retransmitted) {
                if (rackSaysLost) {
                    // The retransmission was lost too: send it again (RFC 8985 detects this case).
                    p.retransmitted = false;
                    p.lost = true;
                    lostRetransmissions++;
                    newly += p.length();
                }
                continue;
            }
            if (p.lost) continue;
            if (rackSaysLost || runsAbove >= DUP_THRESH || sackedAbove > (DUP_THRESH - 1) * smss) {
                p.lost = true;
                newly += p.length();
            }
        }
        // "If timeout != 0: Arm the RACK timer to call RACK_detect_loss_and_arm_timer() after timeout"
        rackDeadline = timeout > 0 ? now + timeout : NO_DEADLINE;
        return newly;
    }

    /**
     * When the RACK reordering timer should fire, in the caller's milliseconds: the moment the
     * last segment sent before the most recently delivered one has waited RACK.rtt + reo_wnd; or
     * {@link #NO_DEADLINE}. Each {@link #detectLosses} sets it anew.
     */
    long rackDeadline() { return rackDeadline; }

    /**
     * The RACK reordering timer fired: RFC 8985 6.2, "RACK_detect_loss_and_arm_timer()" again,
     * with no new ACK. Returns the bytes newly marked lost (the caller then retransmits them, and
     * may enter recovery, as after an ACK); {@link #rackDeadline} is armed again if some segment
     * is still within its reordering window.
     */
    int onRackTimer(long now, boolean recovering, int smss, long srtt) {
        return detectLosses(now, recovering, smss, srtt);
    }

    /**
     * RFC 8985 6.2 step 4, RACK_update_reo_wnd():
     * <pre>
     *   Else if exiting Fast or RTO recovery:
     *       RACK.reo_wnd_persist -= 1
     *       If RACK.reo_wnd_persist &lt;= 0:
     *           RACK.reo_wnd_mult = 1
     * </pre>
     * "Reset the window after 16 DSACK-free recoveries".
     */
    private void recoveryEnded() {
        reoWndPersist--;
        if (reoWndPersist <= 0) {
            reoWndPersist = 0;
            reoWndMult = 1;
        }
    }

    /**
     * RFC 8985 section 6.2, step 4:
     * <pre>
     *   If RACK.reordering_seen is FALSE:
     *       If in Fast or RTO recovery:
     *           Return 0
     *       Else if RACK.segs_sacked >= DupThresh:
     *           Return 0
     *   Return min(RACK.reo_wnd_mult * RACK.min_RTT / 4, SRTT)
     * </pre>
     * RACK.min_RTT is the smallest RACK.rtt measured (a global minimum: the RFC's "SHOULD track a
     * windowed min-filtered estimate" is not done); before any, SRTT stands in. Our clock counts
     * milliseconds, so the window is at least one.
     */
    private long reorderWindow(boolean recovering, int smss, long srtt) {
        if (!reorderingSeen && (recovering || sackedBytes >= DUP_THRESH * smss)) return 0;
        long base = minRtt >= 0 ? minRtt : Math.max(srtt, 0);
        long window = reoWndMult * base / 4;
        if (srtt >= 0) window = Math.min(window, srtt);
        return Math.max(1, window);
    }

    /** RACK.reo_wnd as the next {@link #detectLosses} would use it (for tests and the log). */
    long reorderWindowFor(boolean recovering, int smss, long srtt) {
        return reorderWindow(recovering, smss, srtt);
    }

    /**
     * RFC 6675 section 4, NextSeg (), rule (1): "the first octet [not SACKed] ... such that
     * IsLost (S2) returns true" and not yet retransmitted. At most maxLength bytes; null when none.
     */
    Hole nextLost(int maxLength) {
        for (Piece p : pieces) {
            if (p.lost && !p.sacked && !p.retransmitted) {
                return new Hole(p.start, p.start + Math.min(p.length(), maxLength));
            }
        }
        return null;
    }

    /**
     * RFC 6675 section 4, SetPipe (): for each octet not SACKed, "(a) If IsLost (S1) returns false:
     * pipe is incremented by 1 octet. (b) If S1 is retransmitted (...): pipe is incremented by 1
     * octet." The data the sender believes is still in the network.
     */
    int pipe() {
        long pipe = 0;
        for (Piece p : pieces) {
            if (p.sacked) continue;
            if (!p.lost) pipe += p.length();
            if (p.retransmitted) pipe += p.length();
        }
        return (int) Math.min(pipe, Integer.MAX_VALUE);
    }

    // ------------------------------------------------------------------ observers

    boolean isEmpty() { return pieces.isEmpty(); }
    /** How many pieces the board holds (bounded by the segments sent, whatever the SACK edges). */
    int pieceCount() { return pieces.size(); }
    int sackedBytes() { return sackedBytes; }
    /**
     * Bytes known delivered since the start, each counted once, when first cumulatively
     * acknowledged or SACKed: RFC 6937's DeliveredData of an ACK is this after the ACK minus
     * this before it ("DeliveredData = change_in(snd.una) + change_in(SACKd)"). After a timeout
     * forgot the SACKs, what is acknowledged again counts again.
     */
    long deliveredBytes() { return deliveredTotal; }
    /** Retransmissions that RACK found lost again, since the start. */
    int lostRetransmissions() { return lostRetransmissions; }
    boolean reorderingSeen() { return reorderingSeen; }
    /** RACK.min_RTT in milliseconds, -1 before the first sample. */
    long minRtt() { return minRtt; }
    /** RACK.reo_wnd_mult. */
    int reorderWindowMultiplier() { return reoWndMult; }
    /** RACK.reo_wnd_persist. */
    int reorderWindowPersist() { return reoWndPersist; }
    /** True when seq, which is on the board, was presumed lost. */
    boolean isLost(int seq) {
        int i = indexOf(seq);
        return i >= 0 && pieces.get(i).lost && !pieces.get(i).sacked;
    }

    /** If seq lies in SACKed data, the end of that SACKed run; otherwise seq. */
    int skipSacked(int seq) {
        int i = indexOf(seq);
        while (i >= 0 && i < pieces.size() && pieces.get(i).sacked) seq = pieces.get(i++).end;
        return seq;
    }

    /** The first SACKed sequence number at or after seq, or the end of the board when none. */
    int nextSackedStart(int seq) {
        for (Piece p : pieces) {
            if (p.sacked && Seq.gt(p.end, seq)) return Seq.lt(p.start, seq) ? seq : p.start;
        }
        return pieces.isEmpty() ? seq : highEnd();
    }

    /** The pieces, for tests and the log: "[0,1448) [1448,2896) sacked ...". */
    @Override public String toString() {
        StringBuilder text = new StringBuilder();
        for (Piece p : pieces) {
            if (!text.isEmpty()) text.append(' ');
            text.append('[').append(Seq.str(p.start)).append(',').append(Seq.str(p.end)).append(')');
            if (p.sacked) text.append(" sacked");
            if (p.lost) text.append(" lost");
            if (p.retransmitted) text.append(" resent");
        }
        return text.toString();
    }

    // ------------------------------------------------------------------ inside

    private int firstStart() { return pieces.get(0).start; }
    private int highEnd() { return pieces.get(pieces.size() - 1).end; }

    /**
     * RFC 8985 section 6.2, steps 2 and 3, for a piece the receiver now has. Only a piece sent
     * once can tell the time ("if the ACK ... could be for the original transmission", the sample
     * is ambiguous), and one delivered below RACK.fack arrived out of order: reordering.
     */
    private void delivered(Piece p, long now) {
        if (!p.retransmitted && fackKnown && Seq.lt(p.end, fack)) reorderingSeen = true;
        if (!fackKnown || Seq.gt(p.end, fack)) {
            fack = p.end;
            fackKnown = true;
        }
        if (p.retransmitted) return;
        if (p.order > rackOrder || (p.order == rackOrder && Seq.gt(p.end, rackEnd))) {
            rackOrder = p.order;
            rackEnd = p.end;
            rackSentAt = p.sentAt;
            rackRtt = now - p.sentAt;
            // Step 1, RACK.min_RTT (here from RACK's own samples, which are never ambiguous).
            if (minRtt < 0 || rackRtt < minRtt) minRtt = rackRtt;
        }
    }

    /**
     * A SACK edge moved to a segment boundary of the piece that holds it: whole SMSS from the
     * piece's start (up for a left edge, down for a right one), or the piece's end.
     */
    private int segmentBoundary(int edge, boolean up) {
        int i = indexOf(edge);
        if (i < 0) return edge;
        Piece p = pieces.get(i);
        int offset = edge - p.start;
        if (offset % smss == 0) return edge;
        int aligned = p.start + (up ? (offset / smss + 1) * smss : offset / smss * smss);
        return up && !Seq.lt(aligned, p.end) ? p.end : aligned;
    }

    /**
     * RFC 8985's RACK_sent_after, turned round: p went out before the most recently sent piece
     * known delivered; within one transmission (pieces of one large segment), by sequence.
     */
    private boolean sentBeforeRack(Piece p) {
        return rackOrder >= 0 && (p.order < rackOrder || (p.order == rackOrder && Seq.lt(p.end, rackEnd)));
    }

    /** The index of the piece that holds seq, or -1. Pieces are in order: a binary search. */
    private int indexOf(int seq) {
        if (pieces.isEmpty() || Seq.lt(seq, firstStart()) || !Seq.lt(seq, highEnd())) return -1;
        int low = 0, high = pieces.size() - 1;
        while (low < high) {
            int mid = (low + high + 1) >>> 1;
            if (Seq.le(pieces.get(mid).start, seq)) low = mid;
            else high = mid - 1;
        }
        return low;
    }

    /**
     * Makes seq the start of a piece (splitting the one that holds it) and returns that piece's
     * index; the end of the board gives the number of pieces.
     */
    private int splitAt(int seq) {
        if (!Seq.lt(seq, highEnd())) return pieces.size();
        int i = indexOf(seq);
        if (i < 0) return 0;
        Piece p = pieces.get(i);
        if (p.start == seq) return i;
        pieces.add(i + 1, p.split(seq));
        return i + 1;
    }

    /** Joins neighbours that nothing tells apart any more, so that the board stays short. */
    private void merge() {
        ArrayList<Piece> merged = new ArrayList<>(pieces.size());
        for (Piece p : pieces) {
            Piece last = merged.isEmpty() ? null : merged.get(merged.size() - 1);
            if (last != null && last.end == p.start && last.order == p.order && last.sentAt == p.sentAt) last.end = p.end;
            else merged.add(p);
        }
        pieces.clear();
        pieces.addAll(merged);
    }
}
