/**
 * Sequence-number arithmetic modulo 2^32 (RFC 9293 section 3.4).
 *
 * "It is essential to remember that the actual sequence number space is finite, though large.
 * This space ranges from 0 to 2^32 - 1. Since the space is finite, all arithmetic dealing with
 * sequence numbers must be performed modulo 2^32."
 *
 * Sequence numbers live in Java ints; every ordering question goes through {@link #compare}, which
 * looks at the signed 32-bit distance between two numbers, as Linux's before()/after() do.
 * Never compare sequence numbers with a bare {@code <}.
 */
final class Seq {
    private Seq() {}

    /** Negative if a comes before b, zero if equal, positive if a comes after b (modulo 2^32). */
    static int compare(int a, int b) {
        return a - b; // the wrapped difference, read as a signed 32-bit number
    }

    static boolean lt(int a, int b) { return compare(a, b) < 0; }
    static boolean le(int a, int b) { return compare(a, b) <= 0; }
    static boolean gt(int a, int b) { return compare(a, b) > 0; }
    static boolean ge(int a, int b) { return compare(a, b) >= 0; }

    /** True when start =< x < start + size, modulo 2^32 (size treated as unsigned, up to 2^31). */
    static boolean inWindow(int x, int start, int size) {
        return Integer.compareUnsigned(x - start, size) < 0;
    }

    /** The number as the RFC prints it: unsigned decimal. */
    static String str(int seq) {
        return Integer.toUnsignedString(seq);
    }
}
