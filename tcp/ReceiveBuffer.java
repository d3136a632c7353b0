/**
 * The bytes received in order (up to RCV.NXT) that the application has not read yet.
 *
 * A ring of fixed capacity: RCV.BUFF of RFC 9293. {@link #free()} (RCV.BUFF - RCV.USER) is what
 * the advertised window is computed from (see {@link ReceiveWindow}), so a peer that respects our
 * window can never send more than fits; a write that does not fit is cut short and the caller
 * must not advance RCV.NXT past what was taken. The array is allocated at the first write.
 */
final class ReceiveBuffer {
    private static final byte[] NONE = new byte[0];

    private final int capacity;
    private byte[] ring = NONE;
    private int head;   // position of the first unread byte
    private int length; // unread bytes

    ReceiveBuffer(int capacity) {
        if (capacity < 1) throw new IllegalArgumentException("capacity " + capacity);
        this.capacity = capacity;
    }

    /** RCV.BUFF. */
    int capacity() { return capacity; }

    /** RCV.USER: received and not yet read. */
    int length() { return length; }

    /** RCV.BUFF - RCV.USER: what can still be received. */
    int free() { return capacity - length; }

    boolean isEmpty() { return length == 0; }

    /** Appends up to len in-order bytes; returns how many were taken. */
    int write(byte[] src, int off, int len) {
        java.util.Objects.checkFromIndexSize(off, len, src.length);
        int n = Math.min(len, free());
        if (n == 0) return 0;
        if (ring.length == 0) ring = new byte[capacity];
        ByteRing.copyIn(ring, ByteRing.advance(ring, head, length), src, off, n);
        length += n;
        return n;
    }

    /** Moves up to len bytes into dst[off..]; returns how many (0 when empty). */
    int read(byte[] dst, int off, int len) {
        java.util.Objects.checkFromIndexSize(off, len, dst.length);
        int n = Math.min(len, length);
        if (n == 0) return 0;
        ByteRing.copyOut(ring, head, dst, off, n);
        head = ByteRing.advance(ring, head, n);
        length -= n;
        if (length == 0) head = 0;
        return n;
    }

    /** Everything unread, removed from the buffer. */
    byte[] readAll() {
        byte[] all = new byte[length];
        read(all, 0, all.length);
        return all;
    }

    @Override public String toString() {
        return "ReceiveBuffer[" + length + "/" + capacity + "]";
    }
}
