import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * An IP address of either version: 4 bytes (IPv4) or 16 bytes (IPv6), most significant byte
 * first. A value: equal when the bytes are equal; an IPv4 address is never equal to an IPv6 one
 * (no IPv4-mapped addresses here: a packet names its version in its header).
 *
 * Text follows RFC 5952 for IPv6 (lowercase hex, no leading zeros, the longest run of two or more
 * zero groups as "::", the first of equal runs) and the dotted quad for IPv4. With a port, an
 * IPv6 address is bracketed as RFC 5952 section 6 recommends: "[::1]:5000".
 */
final class IpAddress {
    private final byte[] bytes;

    private IpAddress(byte[] bytes) {
        this.bytes = bytes;
    }

    static final IpAddress ANY_V4 = v4(0);
    static final IpAddress ANY_V6 = of(new byte[16]);

    /** An IPv4 address held in an int, most significant byte first (the way Packets.Ipv4 holds it). */
    static IpAddress v4(int address) {
        return new IpAddress(new byte[] {(byte) (address >>> 24), (byte) (address >>> 16), (byte) (address >>> 8), (byte) address});
    }

    /** 4 or 16 bytes, copied. */
    static IpAddress of(byte[] bytes) {
        if (bytes.length != 4 && bytes.length != 16)
            throw new IllegalArgumentException("an IP address has 4 or 16 bytes, not " + bytes.length);
        return new IpAddress(bytes.clone());
    }

    /** length (4 or 16) bytes of buf from at. */
    static IpAddress read(ByteBuffer buf, int at, int length) {
        byte[] b = new byte[length];
        buf.get(at, b);
        return of(b);
    }

    /**
     * Dotted-quad or IPv6 text (brackets allowed: "[::1]"); no names. Throws
     * IllegalArgumentException for anything else.
     */
    static IpAddress parse(String text) {
        String t = text.startsWith("[") && text.endsWith("]") ? text.substring(1, text.length() - 1) : text;
        if (t.indexOf(':') < 0) return v4(Packets.parseAddress(t));
        return of(parseV6(t));
    }

    private static byte[] parseV6(String text) {
        String bad = "not an IPv6 address: " + text;
        int doubleColon = text.indexOf("::");
        if (doubleColon >= 0 && text.indexOf("::", doubleColon + 1) >= 0) throw new IllegalArgumentException(bad);
        String head = doubleColon >= 0 ? text.substring(0, doubleColon) : text;
        String tail = doubleColon >= 0 ? text.substring(doubleColon + 2) : "";
        int[] h = groups(head, bad), t = groups(tail, bad);
        if (h == null || t == null) throw new IllegalArgumentException(bad);
        int count = h.length + t.length;
        if (doubleColon < 0 ? count != 8 : count > 7) throw new IllegalArgumentException(bad);
        ByteBuffer b = ByteBuffer.allocate(16);
        for (int g : h) b.putShort((short) g);
        b.position(16 - 2 * t.length);
        for (int g : t) b.putShort((short) g);
        return b.array();
    }

    /** The hex groups of a colon-separated list ("" gives none); an IPv4 tail counts as two groups. */
    private static int[] groups(String text, String bad) {
        if (text.isEmpty()) return new int[0];
        String[] parts = text.split(":", -1);
        boolean dottedTail = parts[parts.length - 1].contains(".");
        int[] g = new int[parts.length + (dottedTail ? 1 : 0)];
        for (int i = 0; i < parts.length; i++) {
            String p = parts[i];
            if (i == parts.length - 1 && dottedTail) {
                int a = Packets.parseAddress(p);
                g[i] = a >>> 16;
                g[i + 1] = a & 0xffff;
                break;
            }
            if (p.isEmpty() || p.length() > 4) throw new IllegalArgumentException(bad);
            try {
                g[i] = Integer.parseInt(p, 16);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(bad);
            }
            if (p.startsWith("+") || p.startsWith("-")) throw new IllegalArgumentException(bad);
        }
        return g;
    }

    boolean isV6() { return bytes.length == 16; }
    int length() { return bytes.length; }
    byte[] bytes() { return bytes.clone(); }

    /** The IPv4 address as an int; only for IPv4. */
    int v4() {
        if (isV6()) throw new IllegalStateException(this + " is an IPv6 address");
        return (bytes[0] & 0xff) << 24 | (bytes[1] & 0xff) << 16 | (bytes[2] & 0xff) << 8 | (bytes[3] & 0xff);
    }

    /** 0.0.0.0 or :: (any local address). */
    boolean isAny() {
        for (byte b : bytes) if (b != 0) return false;
        return true;
    }

    /** No TCP segment comes from these (RFC 1122 4.2.3.10; RFC 4291 2.7: ff00::/8 is multicast). */
    boolean isMulticastOrBroadcast() {
        return isV6() ? (bytes[0] & 0xff) == 0xff : Packets.isMulticastOrBroadcast(v4());
    }

    void put(ByteBuffer out, int at) { out.put(at, bytes); }

    /** The address's 16-bit words summed, unfolded: its part of a checksum's pseudo-header. */
    int wordSum() {
        int sum = 0;
        for (int i = 0; i < bytes.length; i += 2) sum += (bytes[i] & 0xff) << 8 | (bytes[i + 1] & 0xff);
        return sum;
    }

    /** "host:port", bracketed for IPv6: "[::1]:5000". */
    String withPort(int port) {
        return (isV6() ? "[" + this + "]" : toString()) + ":" + port;
    }

    @Override public String toString() {
        if (!isV6()) return Packets.address(v4());
        int[] g = new int[8];
        for (int i = 0; i < 8; i++) g[i] = (bytes[2 * i] & 0xff) << 8 | (bytes[2 * i + 1] & 0xff);
        int bestStart = -1, bestLength = 1; // RFC 5952 4.2.2: "::" never stands for one group
        for (int i = 0; i < 8; ) {
            if (g[i] != 0) { i++; continue; }
            int j = i;
            while (j < 8 && g[j] == 0) j++;
            if (j - i > bestLength) { bestStart = i; bestLength = j - i; }
            i = j;
        }
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                s.append("::");
                i += bestLength - 1;
                continue;
            }
            if (s.length() > 0 && s.charAt(s.length() - 1) != ':') s.append(':');
            s.append(Integer.toHexString(g[i]));
        }
        return s.toString();
    }

    @Override public boolean equals(Object o) {
        return o instanceof IpAddress a && Arrays.equals(a.bytes, bytes);
    }

    @Override public int hashCode() { return Arrays.hashCode(bytes); }
}
