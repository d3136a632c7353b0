/**
 * Segments that arrived out of order, kept until the gap before them is filled.
 *
 * RFC 9293 section 3.10.7.4: "Segments with higher beginning sequence numbers that are not the
 * next expected may be held for later processing (SHLD-31)." RFC 5681 section 4.2 adds that the
 * receiver "SHOULD send an immediate duplicate ACK when an out-of-order segment arrives" (the
 * connection's job) and "an immediate ACK when the incoming segment fills in all or part of a
 * gap in the sequence space".
 *
 * Storage: one ring of {@code capacity} bytes, where the byte at sequence number RCV.NXT + k
 * lives at offset k (as smoltcp stores out-of-order data in place in its receive buffer), and a
 * short sorted list of the ranges held (offsets from RCV.NXT; disjoint, never touching: touching
 * or overlapping ranges are merged). Memory is bounded twice: no byte at or beyond
 * RCV.NXT + min(capacity, window) is kept, so a peer cannot make the queue grow past what the
 * receive window promised; and at most {@link #MAX_RANGES} separate ranges are kept (a segment
 * that would open one more is dropped; the peer sends it again), so a peer sending every other
 * byte cannot make each insertion slow. Overlaps: bytes already held are kept, only the gaps
 * are copied in.
 *
 * FIN: an out-of-order FIN's sequence number is remembered ({@code fin} in {@link #add}); once the
 * data before it is delivered, {@link #finReached} says so and the caller processes the FIN then.
 * No data beyond a remembered FIN is kept. An in-order FIN is the caller's, as ever.
 *
 * All sequence comparisons go through {@link Seq}: the queue works across the 2^32 wrap.
 */
final class ReassemblyQueue {
    /** At most this many separate ranges are held (smoltcp's assembler has a similar fixed limit). */
    static final int MAX_RANGES = 32;
    private static final byte[] NONE = new byte[0];

    private final int capacity;
    private byte[] ring = NONE;      // allocated at the first out-of-order byte kept
    private boolean synced;          // base is known
    private int base;                // the sequence number at ring position head (RCV.NXT at the last call)
    private int head;

    private final int[] starts = new int[MAX_RANGES]; // offsets from base, ascending
    private final int[] ends = new int[MAX_RANGES];   // exclusive
    private int count;
    private int held;

    private boolean finKnown;
    private int finSeq;              // the FIN's sequence number: the byte after the last data byte

    private boolean lastKnown;       // for SACK: a byte of the most recently added segment
    private int lastSeq;

    /** @param capacity the most bytes ever held beyond RCV.NXT (RCV.BUFF is a good value) */
    ReassemblyQueue(int capacity) {
        if (capacity < 1) throw new IllegalArgumentException("capacity " + capacity);
        this.capacity = capacity;
    }

    int capacity() { return capacity; }

    /** Bytes held, all beyond RCV.NXT. */
    int bytesHeld() { return held; }

    boolean isEmpty() { return count == 0; }

    /** Separate ranges held (the holes between them are what is missing). */
    int rangeCount() { return count; }

    /** Adds a segment without FIN, keeping at most capacity bytes beyond rcvNxt. */
    int add(int seq, byte[] data, int off, int len, int rcvNxt) {
        return add(seq, data, off, len, false, rcvNxt, capacity);
    }

    /**
     * Keeps the bytes of a segment that lie in [rcvNxt, rcvNxt + min(capacity, window)), and its
     * FIN. Bytes before rcvNxt (duplicates) and beyond the limit are dropped.
     *
     * @param seq    SEG.SEQ of the first data byte (after the SYN, if the segment had one)
     * @param fin    the segment carries a FIN, at seq + len
     * @param rcvNxt RCV.NXT now
     * @param window how many bytes beyond rcvNxt may be kept: the window we advertised (the right
     *               edge never promised more; see ReceiveWindow.acceptLimit)
     * @return how many bytes were new (not held before); 0 when the segment was dropped
     */
    int add(int seq, byte[] data, int off, int len, boolean fin, int rcvNxt, int window) {
        java.util.Objects.checkFromIndexSize(off, len, data.length);
        sync(rcvNxt);
        long limit = Math.min(capacity, Math.max(window, 0));
        if (finKnown) limit = Math.min(limit, finOffset());
        long start = Seq.compare(seq, rcvNxt);  // signed distance, wrap handled
        long end = start + len;

        if (fin && !finKnown && end >= 0 && end <= limit && end >= (count == 0 ? 0 : ends[count - 1])) {
            finKnown = true;
            finSeq = seq + len;
        }
        if (start < 0) { off += (int) -start; start = 0; }
        if (end > limit) end = limit;
        if (start >= end) return 0;
        return insert((int) start, (int) end, data, off);
    }

    /** Puts bytes [start, end) (offsets from base) from data[off..] into the ring and the range list. */
    private int insert(int start, int end, byte[] data, int off) {
        // The ranges that overlap or touch [start, end) are first..last; they merge into one.
        int first = 0;
        while (first < count && ends[first] < start) first++;
        int last = first - 1;
        while (last + 1 < count && starts[last + 1] <= end) last++;
        boolean merges = last >= first;
        if (!merges && count == MAX_RANGES) return 0; // one range too many: dropped, sent again later

        if (ring.length == 0) ring = new byte[capacity];
        // Copy only the gaps between the ranges already held, so held bytes are never overwritten.
        int added = 0, at = start;
        for (int i = first; i <= last && at < end; i++) {
            if (starts[i] > at) { added += copyGap(at, Math.min(starts[i], end), data, off + (at - start)); }
            at = Math.max(at, ends[i]);
        }
        if (at < end) added += copyGap(at, end, data, off + (at - start));

        int mergedStart = merges ? Math.min(start, starts[first]) : start;
        int mergedEnd = merges ? Math.max(end, ends[last]) : end;
        int removed = merges ? last - first + 1 : 0;
        // Replace ranges first..last by the merged one (or insert it at first).
        int shift = 1 - removed;
        if (shift != 0) {
            System.arraycopy(starts, first + removed, starts, first + 1, count - first - removed);
            System.arraycopy(ends, first + removed, ends, first + 1, count - first - removed);
        }
        starts[first] = mergedStart;
        ends[first] = mergedEnd;
        count += shift;
        held += added;
        lastKnown = true;
        lastSeq = base + start;
        return added;
    }

    private int copyGap(int from, int to, byte[] data, int off) {
        int n = to - from;
        if (n > 0) ByteRing.copyIn(ring, ByteRing.advance(ring, head, from), data, off, n);
        return Math.max(n, 0);
    }

    /**
     * The bytes that now follow rcvNxt, removed from the queue (empty when the gap at rcvNxt is
     * still open). The caller appends them to the receive buffer and advances RCV.NXT by their
     * length.
     */
    byte[] takeContiguous(int rcvNxt) {
        sync(rcvNxt);
        if (count == 0 || starts[0] != 0) return NONE;
        int n = ends[0];
        byte[] out = new byte[n];
        ByteRing.copyOut(ring, head, out, 0, n);
        removeFirstRange();
        advanceBase(n);
        return out;
    }

    /** True when a FIN was received out of order and everything before it is now delivered. */
    boolean finReached(int rcvNxt) {
        return finKnown && rcvNxt == finSeq;
    }

    /** The sequence number of a FIN received out of order, if {@link #hasFin()}. */
    int finSeq() { return finSeq; }

    boolean hasFin() { return finKnown; }

    /**
     * The ranges held, as sequence numbers {left0, right0, left1, right1, ...} (right exclusive,
     * RFC 2018's "Right Edge of Block: This is the sequence number immediately following the last
     * sequence number of this block."), at most maxBlocks of them. RFC 2018 section 4: "The first
     * SACK block (i.e., the one immediately following the kind and length fields in the option)
     * MUST specify the contiguous block of data containing the segment which triggered this ACK";
     * the rest follow highest first.
     */
    int[] sackBlocks(int rcvNxt, int maxBlocks) {
        sync(rcvNxt);
        int n = Math.min(count, Math.max(maxBlocks, 0));
        int[] blocks = new int[2 * n];
        int k = 0;
        int recent = -1;
        if (lastKnown) {
            for (int i = 0; i < count; i++) {
                if (Seq.inWindow(lastSeq, base + starts[i], ends[i] - starts[i])) { recent = i; break; }
            }
        }
        if (recent >= 0 && n > 0) {
            blocks[k++] = base + starts[recent];
            blocks[k++] = base + ends[recent];
        }
        for (int i = count - 1; i >= 0 && k < 2 * n; i--) {
            if (i == recent) continue;
            blocks[k++] = base + starts[i];
            blocks[k++] = base + ends[i];
        }
        return blocks;
    }

    /** Forgets everything (the connection is closing, or was reset). */
    void clear() {
        count = 0;
        held = 0;
        finKnown = false;
        lastKnown = false;
    }

    /** Moves base to rcvNxt, dropping whatever now lies before it. */
    private void sync(int rcvNxt) {
        if (!synced) {
            synced = true;
            base = rcvNxt;
            head = 0;
            return;
        }
        int d = Seq.compare(rcvNxt, base);
        if (d == 0) return;
        if (d < 0) throw new IllegalArgumentException("RCV.NXT went back from " + Seq.str(base) + " to " + Seq.str(rcvNxt));
        // The caller delivered in-order data itself: drop what is now behind RCV.NXT.
        while (count > 0 && ends[0] <= d) removeFirstRange();
        if (count > 0 && starts[0] < d) {
            held -= d - starts[0];
            starts[0] = d;
        }
        advanceBase(d);
    }

    private void removeFirstRange() {
        held -= ends[0] - starts[0];
        count--;
        System.arraycopy(starts, 1, starts, 0, count);
        System.arraycopy(ends, 1, ends, 0, count);
    }

    /** base += n; offsets shift down by n (all ranges are at or beyond n). */
    private void advanceBase(int n) {
        for (int i = 0; i < count; i++) {
            starts[i] -= n;
            ends[i] -= n;
        }
        base += n;
        head = ring.length == 0 ? 0 : (int) (((long) head + n) % ring.length);
        if (count == 0) head = 0; // empty: no data to keep in place
    }

    private long finOffset() {
        return Seq.compare(finSeq, base);
    }

    @Override public String toString() {
        StringBuilder s = new StringBuilder("ReassemblyQueue[" + held + " bytes");
        for (int i = 0; i < count; i++) {
            s.append(' ').append(Seq.str(base + starts[i])).append("..").append(Seq.str(base + ends[i]));
        }
        if (finKnown) s.append(" FIN at ").append(Seq.str(finSeq));
        return s.append(']').toString();
    }
}
