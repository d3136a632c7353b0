/**
 * A bounded first-in first-out queue of bytes: the part that {@link SendBuffer} and
 * {@link ReceiveBuffer} share. A ring of fixed capacity, so memory is bounded and a write beyond
 * it is cut short; dropping bytes from the front is O(1) and moves nothing. The array is allocated
 * at the first write, so an idle connection holds none.
 */
class ByteFifo {
    private static final byte[] NONE = new byte[0];

    private final int capacity;
    private byte[] ring = NONE;
    private int head;   // position of the first byte held
    private int length; // bytes held

    ByteFifo(int capacity) {
        if (capacity < 1) throw new IllegalArgumentException("capacity " + capacity);
        this.capacity = capacity;
    }

    int capacity() { return capacity; }

    /** Bytes held. */
    int length() { return length; }

    /** Room left. */
    int free() { return capacity - length; }

    boolean isEmpty() { return length == 0; }

    /**
     * Appends up to len bytes of src[off..]; returns how many were taken (less than len when the
     * queue fills, 0 when it is full).
     */
    int write(byte[] src, int off, int len) {
        java.util.Objects.checkFromIndexSize(off, len, src.length);
        int n = Math.min(len, free());
        if (n == 0) return 0;
        if (ring.length == 0) ring = new byte[capacity];
        ByteRing.copyIn(ring, ByteRing.advance(ring, head, length), src, off, n);
        length += n;
        return n;
    }

    /** Copies len bytes, from offset bytes after the front, into dst[dstOff..]; they stay held. */
    final void peek(int offset, byte[] dst, int dstOff, int len) {
        java.util.Objects.checkFromIndexSize(dstOff, len, dst.length);
        if (len == 0) return;
        ByteRing.copyOut(ring, ByteRing.advance(ring, head, offset), dst, dstOff, len);
    }

    /** Copies len bytes, from offset bytes after the front, into dst from index at on; they stay held. */
    final void peek(int offset, java.nio.ByteBuffer dst, int at, int len) {
        java.util.Objects.checkFromIndexSize(at, len, dst.limit());
        if (len == 0) return;
        ByteRing.copyOut(ring, ByteRing.advance(ring, head, offset), dst, at, len);
    }

    /** Drops the first n bytes (the caller checked 0 <= n <= length()). */
    final void drop(int n) {
        if (n == 0) return;
        head = ByteRing.advance(ring, head, n);
        length -= n;
        if (length == 0) head = 0; // the next write starts at the array's start: fewer wrapped copies
    }

    @Override public String toString() {
        return getClass().getSimpleName() + "[" + length + "/" + capacity + "]";
    }
}
