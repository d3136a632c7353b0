/**
 * The bytes the application wrote and the peer has not acknowledged yet, from SND.UNA on: both
 * the data in flight (kept for retransmission) and the data not sent yet.
 *
 * A bounded ring (ByteFifo): writes beyond its capacity are refused (the application sees a short
 * write and waits), and acknowledging drops bytes from the front in O(1) without moving the rest.
 *
 * Offsets are counted from SND.UNA: byte k of the buffer is sequence number SND.UNA + k. The
 * buffer knows nothing of sequence numbers; the connection keeps SND.UNA and SND.NXT.
 */
final class SendBuffer extends ByteFifo {

    SendBuffer(int capacity) {
        super(capacity);
    }

    /**
     * Copies len bytes starting offsetFromUna bytes after SND.UNA into dst[dstOff..], for a first
     * transmission or a retransmission. The bytes stay in the buffer.
     */
    void copyOut(int offsetFromUna, byte[] dst, int dstOff, int len) {
        checkHeld(offsetFromUna, len);
        peek(offsetFromUna, dst, dstOff, len);
    }

    /**
     * The same into dst from index at on: how a large segment's data goes straight into the frame
     * that carries it (Wire), with no array of its own.
     */
    void copyOut(int offsetFromUna, java.nio.ByteBuffer dst, int at, int len) {
        checkHeld(offsetFromUna, len);
        peek(offsetFromUna, dst, at, len);
    }

    /** The len bytes from offsetFromUna on are all in the buffer. */
    private void checkHeld(int offsetFromUna, int len) {
        if (offsetFromUna < 0 || len < 0 || offsetFromUna > length() - len) {
            throw new IndexOutOfBoundsException("bytes " + offsetFromUna + ".." + ((long) offsetFromUna + len)
                    + " of a send buffer holding " + length());
        }
    }

    /** The peer acknowledged the first n bytes: they are dropped. */
    void acknowledge(int n) {
        if (n < 0 || n > length()) throw new IllegalArgumentException("acknowledge " + n + " of " + length() + " bytes held");
        drop(n);
    }
}
