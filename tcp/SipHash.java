/**
 * SipHash-2-4 (Aumasson and Bernstein, 2012): a keyed 64-bit hash made for short messages, the one
 * Linux uses for its SYN cookies (siphash_4u32 in net/ipv4/syncookies.c) and ISNs. Whoever lacks
 * the 128-bit key can neither compute nor predict it, so a cookie cannot be forged.
 *
 * Chosen over HmacSHA256 (javax.crypto) for the cookies: a SYN flood makes us hash every SYN and
 * every cookie ACK, and SipHash on 16 bytes is a few dozen additions and rotations, without the
 * Mac object, its synchronization or its allocations; its security goal (a PRF under a secret key)
 * is exactly what a cookie needs, and it is what the kernel does.
 *
 * The key is two 64-bit words, k0 from key bytes 0-7 and k1 from bytes 8-15, both little-endian,
 * as the reference implementation reads them.
 */
final class SipHash {
    private SipHash() {}

    /** SipHash-2-4 of any message. */
    static long hash(long k0, long k1, byte[] message) {
        long[] v = init(k0, k1);
        int whole = message.length & ~7;
        for (int i = 0; i < whole; i += 8) compress(v, littleEndian(message, i, 8));
        // The last block: the remaining bytes, and the message length (mod 256) in the top byte.
        long last = littleEndian(message, whole, message.length - whole) | ((long) message.length << 56);
        compress(v, last);
        return finish(v);
    }

    /**
     * SipHash-2-4 of the four 32-bit words a, b, c, d, taken as Linux's siphash_4u32 takes them: the
     * 16-byte message whose 64-bit little-endian words are b:a and d:c.
     */
    static long hash4(long k0, long k1, int a, int b, int c, int d) {
        long[] v = init(k0, k1);
        compress(v, (long) b << 32 | (a & 0xffffffffL));
        compress(v, (long) d << 32 | (c & 0xffffffffL));
        compress(v, 16L << 56);
        return finish(v);
    }

    private static long[] init(long k0, long k1) {
        return new long[] {k0 ^ 0x736f6d6570736575L, k1 ^ 0x646f72616e646f6dL, k0 ^ 0x6c7967656e657261L, k1 ^ 0x7465646279746573L};
    }

    private static long littleEndian(byte[] bytes, int at, int count) {
        long word = 0;
        for (int i = count - 1; i >= 0; i--) word = word << 8 | (bytes[at + i] & 0xff);
        return word;
    }

    /** One message word, with c = 2 rounds. */
    private static void compress(long[] v, long m) {
        v[3] ^= m;
        round(v);
        round(v);
        v[0] ^= m;
    }

    /** d = 4 rounds. */
    private static long finish(long[] v) {
        v[2] ^= 0xff;
        for (int i = 0; i < 4; i++) round(v);
        return v[0] ^ v[1] ^ v[2] ^ v[3];
    }

    private static void round(long[] v) {
        v[0] += v[1]; v[1] = Long.rotateLeft(v[1], 13); v[1] ^= v[0]; v[0] = Long.rotateLeft(v[0], 32);
        v[2] += v[3]; v[3] = Long.rotateLeft(v[3], 16); v[3] ^= v[2];
        v[0] += v[3]; v[3] = Long.rotateLeft(v[3], 21); v[3] ^= v[0];
        v[2] += v[1]; v[1] = Long.rotateLeft(v[1], 17); v[1] ^= v[2]; v[2] = Long.rotateLeft(v[2], 32);
    }
}
