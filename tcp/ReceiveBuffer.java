/**
 * The bytes received in order (up to RCV.NXT) that the application has not read yet.
 *
 * A bounded ring (ByteFifo) of RFC 9293's RCV.BUFF bytes. {@link #free()} (RCV.BUFF - RCV.USER)
 * is what the advertised window is computed from (see {@link ReceiveWindow}), so a peer that
 * respects our window can never send more than fits; a write that does not fit is cut short and
 * the caller must not advance RCV.NXT past what was taken.
 */
final class ReceiveBuffer extends ByteFifo {

    ReceiveBuffer(int capacity) {
        super(capacity);
    }

    /** Moves up to len bytes into dst[off..]; returns how many (0 when empty). */
    int read(byte[] dst, int off, int len) {
        java.util.Objects.checkFromIndexSize(off, len, dst.length);
        int n = Math.min(len, length());
        peek(0, dst, off, n);
        drop(n);
        return n;
    }

    /** Everything unread, removed from the buffer. */
    byte[] readAll() {
        byte[] all = new byte[length()];
        read(all, 0, all.length);
        return all;
    }
}
