import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Initial sequence numbers as RFC 9293 section 3.4.1 (from RFC 6528) asks:
 *
 *   "ISN = M + F(localip, localport, remoteip, remoteport, secretkey)
 *    where M is the 4 microsecond timer, and F() is a pseudorandom function (PRF) of the
 *    connection's identifying parameters ("localip, localport, remoteip, remoteport") and a secret
 *    key ("secretkey") (SHLD-1). F() MUST NOT be computable from the outside (MUST-9)"
 *
 * F is HMAC-SHA-256 under a 128-bit key drawn from SecureRandom when the program starts, cut to 32
 * bits. Lives outside the state machine, which takes the ISN as a parameter.
 */
final class IsnGenerator {
    private final Mac prf;
    private final byte[] tuple = new byte[12];

    IsnGenerator() {
        byte[] secretKey = new byte[16];
        new SecureRandom().nextBytes(secretKey);
        try {
            prf = Mac.getInstance("HmacSHA256");
            prf.init(new SecretKeySpec(secretKey, "HmacSHA256"));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every Java runtime", e);
        }
    }

    /** The ISN for a connection, at time nowNanos (any monotonic nanosecond clock). */
    int isn(int localAddress, int localPort, int remoteAddress, int remotePort, long nowNanos) {
        int m = (int) (nowNanos / 4_000); // the 4-microsecond timer, wrapping modulo 2^32
        putInt(0, localAddress);
        putInt(4, localPort << 16 | remotePort);
        putInt(8, remoteAddress);
        byte[] digest = prf.doFinal(tuple);
        int f = (digest[0] & 0xff) << 24 | (digest[1] & 0xff) << 16 | (digest[2] & 0xff) << 8 | (digest[3] & 0xff);
        return m + f;
    }

    private void putInt(int at, int value) {
        tuple[at] = (byte) (value >>> 24);
        tuple[at + 1] = (byte) (value >>> 16);
        tuple[at + 2] = (byte) (value >>> 8);
        tuple[at + 3] = (byte) value;
    }
}
