import java.util.ArrayList;

/**
 * What one loss episode retransmitted, and whether every one of those retransmissions has been
 * proven unneeded: the receiver reported each of them as a duplicate (D-SACK, RFC 2883), or the
 * first ACK that covers them echoes a timestamp older than the first retransmission (Eifel, RFC
 * 3522). The window reduction of such an episode was a mistake (reordering, a late ACK), and
 * {@link CongestionControl} undoes it.
 *
 * Linux's model (tcp_input.c): undo_marker is SND.UNA when the episode began, undo_retrans the
 * retransmissions not yet D-SACKed; tcp_try_undo_dsack undoes when that count reaches zero,
 * tcp_packet_delayed is the timestamp test. Here the retransmitted ranges are kept (with how many
 * times each was sent again), so that a D-SACK is matched to what it covers, a range sent twice
 * needs two duplicates reported, and a block repeated by the receiver is not counted twice.
 *
 * Sans-I/O: sequence numbers and timestamp values in, answers out.
 */
final class SpuriousRetransmissions {

    /** Beyond this many distinct retransmitted ranges the episode is not tracked (no undo). */
    static final int MAX_RANGES = 4096;

    /** Bytes [start, end) retransmitted count times, not yet reported as duplicates. */
    private static final class Range {
        int start, end, count;
        Range(int start, int end, int count) { this.start = start; this.end = end; this.count = count; }
    }

    private final ArrayList<Range> unproven = new ArrayList<>();
    private boolean active;
    private boolean untrackable;
    private int marker;                 // undo_marker: SND.UNA when the episode began
    private int priorCwnd, priorSsthresh;
    private boolean anyRetransmission;
    private int highestRetransmitted;   // the end of the highest byte retransmitted
    private boolean retransmitTsKnown;
    private int retransmitTs;           // RFC 3522's RetransmitTS: TSval of the first retransmission

    /**
     * A loss episode begins (recovery entered, or the first retransmission timeout): what cwnd and
     * ssthresh were before the reduction.
     */
    void begin(int sndUna, int cwnd, int ssthresh) {
        unproven.clear();
        active = true;
        untrackable = false;
        marker = sndUna;
        priorCwnd = cwnd;
        priorSsthresh = ssthresh;
        anyRetransmission = false;
        retransmitTsKnown = false;
    }

    /** The episode is over: undone, or replaced, or given up. */
    void end() {
        active = false;
        unproven.clear();
    }

    boolean active() { return active; }
    int marker() { return marker; }
    int priorCwnd() { return priorCwnd; }
    int priorSsthresh() { return priorSsthresh; }
    /** Bytes retransmitted in this episode and not yet reported as duplicates (each copy counted). */
    long unprovenBytes() {
        long sum = 0;
        for (Range r : unproven) sum += (long) (r.end - r.start) * r.count;
        return sum;
    }

    /** [start, end) was sent again, without timestamps. */
    void retransmitted(int start, int end) {
        if (!active || !Seq.lt(start, end)) return;
        if (!anyRetransmission || Seq.gt(end, highestRetransmitted)) highestRetransmitted = end;
        anyRetransmission = true;
        if (untrackable) return;
        int i = splitAt(start), stop = splitAt(end);
        // The parts already on the list count one more copy; the gaps between them are new.
        int at = start;
        ArrayList<Range> added = new ArrayList<>();
        for (int j = i; j < stop; j++) {
            Range r = unproven.get(j);
            if (Seq.lt(at, r.start)) added.add(new Range(at, r.start, 1));
            r.count++;
            at = r.end;
        }
        if (Seq.lt(at, end)) added.add(new Range(at, end, 1));
        for (Range r : added) insert(r);
        if (unproven.size() > MAX_RANGES) {
            untrackable = true;
            unproven.clear();
        }
    }

    /**
     * [start, end) was sent again carrying TSval tsVal (RFC 7323). RFC 3522 section 3.2, step (1):
     * the TSval of the first retransmission is kept as RetransmitTS.
     */
    void retransmitted(int start, int end, int tsVal) {
        if (!active) return;
        if (!retransmitTsKnown) {
            retransmitTsKnown = true;
            retransmitTs = tsVal;
        }
        retransmitted(start, end);
    }

    /**
     * A D-SACK block [left, right): one copy of the retransmitted bytes it covers is proven
     * unneeded. Returns true when every retransmission of the episode now is (Linux's
     * tcp_try_undo_dsack: "undo_marker && !undo_retrans").
     */
    boolean duplicateReported(int left, int right) {
        if (!active || untrackable || !anyRetransmission || !Seq.lt(left, right)) return false;
        // Linux's tcp_check_dsack: a D-SACK at or below undo_marker is of an older episode.
        if (!Seq.gt(right, marker)) return false;
        int i = splitAt(left), stop = splitAt(right);
        for (int j = i; j < stop; j++) unproven.get(j).count--;
        unproven.removeIf(r -> r.count <= 0);
        return unproven.isEmpty();
    }

    /**
     * RFC 3522 (Eifel detection) with the comparison only: section 3.2, step (3), the
     * retransmission was spurious when the Timestamp Echo Reply of the first acceptable ACK after
     * it is smaller than RetransmitTS, the TSval the retransmission carried: that ACK answers a
     * segment sent before the retransmission, the original. Timestamps are compared modulo 2^32,
     * as RFC 7323 section 5.2 compares them.
     */
    static boolean retransmissionWasSpurious(int tsEcr, int retransmitTsVal) {
        return tsEcr - retransmitTsVal < 0;
    }

    /**
     * An ACK carrying timestamps. Returns true when it proves the whole episode spurious: it
     * acknowledges every byte retransmitted (so no retransmission is still to be heard of), and
     * echoes a timestamp older than the first retransmission (so no retransmission arrived before
     * the data it acknowledges did: Linux's tcp_packet_delayed).
     */
    boolean acknowledgedWithTimestamp(int ack, int tsEcr) {
        if (!active || !anyRetransmission || !retransmitTsKnown) return false;
        if (Seq.lt(ack, highestRetransmitted)) return false;
        return retransmissionWasSpurious(tsEcr, retransmitTs);
    }

    // ------------------------------------------------------------------ the sorted list of ranges

    /** Index of the first range that starts at or after seq, splitting the one that holds seq. */
    private int splitAt(int seq) {
        for (int i = 0; i < unproven.size(); i++) {
            Range r = unproven.get(i);
            if (!Seq.lt(r.start, seq)) return i;
            if (Seq.lt(seq, r.end)) {
                Range tail = new Range(seq, r.end, r.count);
                r.end = seq;
                unproven.add(i + 1, tail);
                return i + 1;
            }
        }
        return unproven.size();
    }

    private void insert(Range range) {
        int i = 0;
        while (i < unproven.size() && Seq.lt(unproven.get(i).start, range.start)) i++;
        unproven.add(i, range);
    }

    @Override public String toString() {
        if (!active) return "no loss episode";
        StringBuilder text = new StringBuilder("episode from " + Seq.str(marker) + ", unproven:");
        for (Range r : unproven) text.append(" [").append(Seq.str(r.start)).append(',').append(Seq.str(r.end)).append(")x").append(r.count);
        return text.toString();
    }
}
