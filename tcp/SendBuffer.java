/**
 * The bytes the application wrote and the peer has not acknowledged yet, from SND.UNA on: both
 * the data in flight (kept for retransmission) and the data not sent yet.
 *
 * A ring of fixed capacity: memory is bounded, writes beyond it are refused (the application
 * sees a short write and waits), and acknowledging drops bytes from the front in O(1) without
 * moving the rest. The array is allocated at the first write, so an idle connection that never
 * sends holds none.
 *
 * Offsets are counted from SND.UNA: byte k of the buffer is sequence number SND.UNA + k. The
 * buffer knows nothing of sequence numbers; the connection keeps SND.UNA and SND.NXT.
 */
final class SendBuffer {
    private static final byte[] NONE = new byte[0];

    private final int capacity;
    private byte[] ring = NONE;
    private int head;   // position of the byte at SND.UNA
    private int length; // bytes held

    SendBuffer(int capacity) {
        if (capacity < 1) throw new IllegalArgumentException("capacity " + capacity);
        this.capacity = capacity;
    }

    int capacity() { return capacity; }

    /** Bytes held: written and not yet acknowledged. */
    int length() { return length; }

    /** Room left for the application. */
    int free() { return capacity - length; }

    boolean isEmpty() { return length == 0; }

    /**
     * Appends up to len bytes of src[off..]; returns how many were taken (less than len when the
     * buffer fills, 0 when it is full).
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

    /**
     * Copies len bytes starting offsetFromUna bytes after SND.UNA into dst[dstOff..], for a first
     * transmission or a retransmission. The bytes stay in the buffer.
     */
    void copyOut(int offsetFromUna, byte[] dst, int dstOff, int len) {
        if (offsetFromUna < 0 || len < 0 || offsetFromUna > length - len) {
            throw new IndexOutOfBoundsException("bytes " + offsetFromUna + ".." + ((long) offsetFromUna + len)
                    + " of a send buffer holding " + length);
        }
        java.util.Objects.checkFromIndexSize(dstOff, len, dst.length);
        if (len == 0) return;
        ByteRing.copyOut(ring, ByteRing.advance(ring, head, offsetFromUna), dst, dstOff, len);
    }

    /** The peer acknowledged the first n bytes: they are dropped. */
    void acknowledge(int n) {
        if (n < 0 || n > length) throw new IllegalArgumentException("acknowledge " + n + " of " + length + " bytes held");
        if (n == 0) return;
        head = ByteRing.advance(ring, head, n);
        length -= n;
        if (length == 0) head = 0; // the next write starts at the array's start: fewer wrapped copies
    }

    @Override public String toString() {
        return "SendBuffer[" + length + "/" + capacity + "]";
    }
}
