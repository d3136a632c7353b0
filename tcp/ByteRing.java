/**
 * Copying into and out of a circular byte array, the one piece of index arithmetic that
 * {@link ByteFifo} (under SendBuffer and ReceiveBuffer) and {@link ReassemblyQueue} share.
 *
 * A position is an index into the array; a run of len bytes starting at a position continues at
 * index 0 when it reaches the end. Each copy is at most two System.arraycopy calls: no byte is
 * ever shifted, so the cost is O(bytes copied) whatever the ring holds.
 */
final class ByteRing {
    private ByteRing() {}

    /** Copies len bytes from src[srcOff..] into ring starting at position pos (wrapping). */
    static void copyIn(byte[] ring, int pos, byte[] src, int srcOff, int len) {
        check(ring, pos, len);
        int first = Math.min(len, ring.length - pos);
        System.arraycopy(src, srcOff, ring, pos, first);
        System.arraycopy(src, srcOff + first, ring, 0, len - first);
    }

    /** Copies len bytes of ring starting at position pos (wrapping) into dst[dstOff..]. */
    static void copyOut(byte[] ring, int pos, byte[] dst, int dstOff, int len) {
        check(ring, pos, len);
        int first = Math.min(len, ring.length - pos);
        System.arraycopy(ring, pos, dst, dstOff, first);
        System.arraycopy(ring, 0, dst, dstOff + first, len - first);
    }

    /** Copies len bytes of ring starting at position pos (wrapping) into dst from index at on. */
    static void copyOut(byte[] ring, int pos, java.nio.ByteBuffer dst, int at, int len) {
        check(ring, pos, len);
        int first = Math.min(len, ring.length - pos);
        dst.put(at, ring, pos, first);
        dst.put(at + first, ring, 0, len - first);
    }

    /** The position offset bytes after pos. */
    static int advance(byte[] ring, int pos, int offset) {
        if (ring.length == 0) return 0;
        return (int) (((long) pos + offset) % ring.length);
    }

    private static void check(byte[] ring, int pos, int len) {
        if (pos < 0 || pos >= Math.max(ring.length, 1) || len < 0 || len > ring.length) {
            throw new IndexOutOfBoundsException("position " + pos + ", length " + len + " in a ring of " + ring.length);
        }
    }
}
