import java.security.SecureRandom;

/**
 * Initial sequence numbers as RFC 9293 section 3.4.1 (from RFC 6528) asks:
 *
 *   "ISN = M + F(localip, localport, remoteip, remoteport, secretkey)
 *    where M is the 4 microsecond timer, and F() is a pseudorandom function (PRF) of the
 *    connection's identifying parameters ("localip, localport, remoteip, remoteport") and a secret
 *    key ("secretkey") (SHLD-1). F() MUST NOT be computable from the outside (MUST-9)"
 *
 * F is SipHash-2-4 (Aumasson and Bernstein, 2012), a keyed PRF made for short inputs, the one Linux
 * uses for its ISNs, under a 128-bit key drawn from SecureRandom when the program starts; the low 32
 * bits of its output are used. Lives outside the state machine, which takes the ISN as a parameter.
 */
final class IsnGenerator {
    private final long k0, k1;

    IsnGenerator() {
        SecureRandom random = new SecureRandom();
        k0 = random.nextLong();
        k1 = random.nextLong();
    }

    /** For tests: a fixed key. */
    IsnGenerator(long k0, long k1) {
        this.k0 = k0;
        this.k1 = k1;
    }

    /** The ISN for a connection, at time nowNanos (any monotonic nanosecond clock). */
    int isn(int localAddress, int localPort, int remoteAddress, int remotePort, long nowNanos) {
        int m = (int) (nowNanos / 4_000); // the 4-microsecond timer, wrapping modulo 2^32
        long tuple0 = (localAddress & 0xffffffffL) << 32 | (remoteAddress & 0xffffffffL);
        long tuple1 = (long) (localPort & 0xffff) << 16 | (remotePort & 0xffff);
        return m + (int) sipHash24(k0, k1, tuple0, tuple1);
    }

    /**
     * The same for addresses of either version. An IPv4 connection's ISN is the int version's;
     * an IPv6 one's hashes a 36-byte message: local address, remote address (16 bytes each), the
     * two ports (2 bytes each), as Linux's secure_tcpv6_seq hashes both addresses and the ports.
     */
    int isn(IpAddress localAddress, int localPort, IpAddress remoteAddress, int remotePort, long nowNanos) {
        if (!localAddress.isV6() && !remoteAddress.isV6())
            return isn(localAddress.v4(), localPort, remoteAddress.v4(), remotePort, nowNanos);
        int m = (int) (nowNanos / 4_000);
        byte[] message = java.nio.ByteBuffer.allocate(36).put(localAddress.bytes()).put(remoteAddress.bytes())
                .putShort((short) localPort).putShort((short) remotePort).array();
        return m + (int) SipHash.hash(k0, k1, message);
    }

    /**
     * SipHash-2-4 of a 12-byte message: the first word m0 as 8 bytes, then the low 4 bytes of m1
     * (the two ports), most significant byte first.
     */
    static long sipHash24(long k0, long k1, long m0, long m1) {
        byte[] message = java.nio.ByteBuffer.allocate(12).putLong(m0).putInt((int) m1).array();
        return SipHash.hash(k0, k1, message);
    }
}
