import java.nio.ByteBuffer;

/**
 * The wire format of the ICMPv4 errors that concern a TCP connection (RFC 792, RFC 1191): what a
 * router or the peer's host says about a segment we sent, instead of the peer answering it.
 *
 * <pre>
 * Destination Unreachable (type 3) and Time Exceeded (type 11), RFC 792; with code 4 of type 3
 * ("fragmentation needed and DF set") the next-hop MTU of RFC 1191 section 4 is in bytes 6-7:
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     Type      |     Code      |          Checksum             |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |           unused = 0          |         Next-Hop MTU          |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |      Internet Header + 64 bits of Original Data Datagram      |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 * The 64 bits quoted from a TCP segment are its ports and its sequence number: enough to find the
 * connection (its 4-tuple) and to check the segment was one we sent (RFC 5927 section 4.1).
 *
 * Parsing as Packets does: integrity first (may these bytes be read?), then sanity; every refusal
 * is a {@link Refused} with a sentence. The IPv6 side (ICMPv6) mirrors this unit.
 */
final class Icmp {
    private Icmp() {}

    static final int PROTOCOL_ICMP = 1;
    static final int HEADER_LEN = 8;
    static final int DESTINATION_UNREACHABLE = 3, SOURCE_QUENCH = 4, TIME_EXCEEDED = 11, PARAMETER_PROBLEM = 12;
    static final int CODE_FRAGMENTATION_NEEDED = 4;

    /**
     * What Linux makes of each code of Destination Unreachable (net/ipv4/icmp.c, icmp_err_convert):
     * the errno a connect() gets, its text, and whether the error is fatal (hard) for a connection
     * still opening. RFC 1122 4.2.3.9 names codes 2-4 hard; Linux adds the administrative ones.
     */
    enum Unreachable {
        NET(0, "net unreachable", "ENETUNREACH", "Network is unreachable", false),
        HOST(1, "host unreachable", "EHOSTUNREACH", "No route to host", false),
        PROTOCOL(2, "protocol unreachable", "ENOPROTOOPT", "Protocol not available", true),
        PORT(3, "port unreachable", "ECONNREFUSED", "Connection refused", true),
        FRAGMENTATION_NEEDED(4, "fragmentation needed", "EMSGSIZE", "Message too long", false),
        SOURCE_ROUTE_FAILED(5, "source route failed", "EOPNOTSUPP", "Operation not supported", false),
        NET_UNKNOWN(6, "destination network unknown", "ENETUNREACH", "Network is unreachable", true),
        HOST_UNKNOWN(7, "destination host unknown", "EHOSTDOWN", "Host is down", true),
        HOST_ISOLATED(8, "source host isolated", "ENONET", "Machine is not on the network", true),
        NET_PROHIBITED(9, "network administratively prohibited", "ENETUNREACH", "Network is unreachable", true),
        HOST_PROHIBITED(10, "host administratively prohibited", "EHOSTUNREACH", "No route to host", true),
        NET_UNREACHABLE_FOR_TOS(11, "network unreachable for type of service", "ENETUNREACH", "Network is unreachable", false),
        HOST_UNREACHABLE_FOR_TOS(12, "host unreachable for type of service", "EHOSTUNREACH", "No route to host", false),
        ADMINISTRATIVELY_PROHIBITED(13, "communication administratively prohibited", "EHOSTUNREACH", "No route to host", true),
        HOST_PRECEDENCE_VIOLATION(14, "host precedence violation", "EHOSTUNREACH", "No route to host", true),
        PRECEDENCE_CUTOFF(15, "precedence cutoff in effect", "EHOSTUNREACH", "No route to host", true);

        final int code;
        final String words, errno, text;
        final boolean fatal;

        Unreachable(int code, String words, String errno, String text, boolean fatal) {
            this.code = code;
            this.words = words;
            this.errno = errno;
            this.text = text;
            this.fatal = fatal;
        }

        static Unreachable of(int code) {
            for (Unreachable u : values()) if (u.code == code) return u;
            return null;
        }
    }

    /**
     * An ICMP error about a TCP segment: who sent it (a router, or the peer's host), type and code,
     * the next-hop MTU (code 4 only; 0 when the router did not say, RFC 1191 section 5), and what
     * the quoted headers say: the segment's addresses, ports and sequence number, and the length of
     * the quoted datagram (RFC 1191's plateaus need it when the MTU is 0).
     */
    record Error(int from, int type, int code, int nextHopMtu,
                 int source, int destination, int sourcePort, int destinationPort, int seq, int quotedLength) {

        boolean isUnreachable() { return type == DESTINATION_UNREACHABLE; }
        boolean isFragmentationNeeded() { return type == DESTINATION_UNREACHABLE && code == CODE_FRAGMENTATION_NEEDED; }
        Unreachable unreachable() { return isUnreachable() ? Unreachable.of(code) : null; }

        /** "host unreachable", "fragmentation needed (next-hop MTU 1280)", "time exceeded in transit". */
        String describe() {
            if (type == TIME_EXCEEDED) return code == 0 ? "time exceeded in transit" : "fragment reassembly time exceeded";
            if (isFragmentationNeeded()) return "fragmentation needed (next-hop MTU " + nextHopMtu + ")";
            Unreachable u = unreachable();
            return u == null ? "destination unreachable (code " + code + ")" : u.words;
        }

        /** The errno Linux reports for it (EHOSTUNREACH for time exceeded, as tcp_v4_err). */
        String errnoText() {
            Unreachable u = unreachable();
            return u != null ? u.text : "No route to host";
        }
    }

    /**
     * Parses an IPv4 packet carrying an ICMP error about a TCP segment, from the buffer's position
     * to its limit (the position is not changed). Other ICMP messages (echo, redirects, source
     * quench) are refused with a reason: RFC 9293 3.9.2.2, "TCP implementations MUST silently
     * discard any received ICMP Source Quench messages (MUST-55)".
     */
    static Error parse(ByteBuffer buf) throws Refused {
        int base = buf.position();
        int available = buf.remaining();
        if (available < Packets.IPV4_HEADER_LEN) reject("truncated IPv4 header: " + available + " bytes");
        int ihl = Packets.u8(buf, base) & 0x0f;
        if (Packets.u8(buf, base) >>> 4 != 4) reject("IP version " + (Packets.u8(buf, base) >>> 4) + ", not 4");
        if (ihl < 5 || ihl * 4 > available) reject("IHL " + ihl + " does not fit the " + available + "-byte packet");
        int totalLength = Packets.u16(buf, base + 2);
        if (totalLength < ihl * 4 || totalLength > available)
            reject("total length " + totalLength + " does not fit the " + available + " bytes received");
        if (Packets.Checksum.finish(Packets.Checksum.add(0, buf, base, ihl * 4)) != 0) reject("bad IPv4 header checksum");
        if ((Packets.u16(buf, base + 6) & (Packets.IP_MORE_FRAGMENTS | Packets.IP_FRAGMENT_OFFSET)) != 0)
            reject("IP fragment (fragments are not reassembled)");
        if (Packets.u8(buf, base + 9) != PROTOCOL_ICMP) reject("IP protocol " + Packets.u8(buf, base + 9) + ", not ICMP (1)");
        int from = buf.getInt(base + 12);

        int icmp = base + ihl * 4, icmpLength = totalLength - ihl * 4;
        if (icmpLength < HEADER_LEN) reject("truncated ICMP header: " + icmpLength + " bytes, need " + HEADER_LEN);
        if (Packets.Checksum.finish(Packets.Checksum.add(0, buf, icmp, icmpLength)) != 0)
            reject(String.format("bad ICMP checksum 0x%04x", Packets.u16(buf, icmp + 2)));
        int type = Packets.u8(buf, icmp), code = Packets.u8(buf, icmp + 1);
        if (type == SOURCE_QUENCH) reject("source quench: silently discarded (RFC 9293 MUST-55)");
        if (type != DESTINATION_UNREACHABLE && type != TIME_EXCEEDED) reject("ICMP type " + type + " is not an error about a segment");

        // The quoted datagram: its IPv4 header, then at least 8 bytes of TCP (RFC 792).
        int quoted = icmp + HEADER_LEN, quotedAvailable = icmpLength - HEADER_LEN;
        if (quotedAvailable < Packets.IPV4_HEADER_LEN) reject("the quoted IPv4 header is cut short: " + quotedAvailable + " bytes");
        int quotedIhl = Packets.u8(buf, quoted) & 0x0f;
        if (Packets.u8(buf, quoted) >>> 4 != 4) reject("the quoted packet is not IPv4");
        if (quotedIhl < 5) reject("the quoted IHL " + quotedIhl + " is below the minimum 5");
        if (Packets.u8(buf, quoted + 9) != Packets.PROTOCOL_TCP) reject("the quoted packet is not TCP (protocol " + Packets.u8(buf, quoted + 9) + ")");
        if ((Packets.u16(buf, quoted + 6) & Packets.IP_FRAGMENT_OFFSET) != 0) reject("the quoted packet is a later fragment: no TCP header");
        int tcp = quoted + quotedIhl * 4;
        if (quotedAvailable < quotedIhl * 4 + 8)
            reject("the quoted TCP header is cut short: " + (quotedAvailable - quotedIhl * 4) + " bytes, need 8");
        int nextHopMtu = type == DESTINATION_UNREACHABLE && code == CODE_FRAGMENTATION_NEEDED ? Packets.u16(buf, icmp + 6) : 0;
        return new Error(from, type, code, nextHopMtu, buf.getInt(quoted + 12), buf.getInt(quoted + 16),
                Packets.u16(buf, tcp), Packets.u16(buf, tcp + 2), buf.getInt(tcp + 4), Packets.u16(buf, quoted + 2));
    }

    /** The protocol of an IPv4 packet, or -1 when it is too short to say. */
    static int peekProtocol(ByteBuffer buf) {
        return buf.remaining() < Packets.IPV4_HEADER_LEN ? -1 : Packets.u8(buf, buf.position() + 9);
    }

    /**
     * Builds an ICMP error as a router would (tests): an IPv4 packet from 'from' to the quoted
     * packet's source, quoting its IPv4 header and the first 8 bytes after it.
     */
    static ByteBuffer emit(int from, int type, int code, int nextHopMtu, ByteBuffer quotedPacket) {
        int q = quotedPacket.position();
        int quotedIhl = (Packets.u8(quotedPacket, q) & 0x0f) * 4;
        int quotedLength = Math.min(quotedIhl + 8, quotedPacket.remaining());
        int total = Packets.IPV4_HEADER_LEN + HEADER_LEN + quotedLength;
        ByteBuffer out = ByteBuffer.allocate(total);
        out.put(0, (byte) 0x45).putShort(2, (short) total).put(8, (byte) 64).put(9, (byte) PROTOCOL_ICMP)
                .putInt(12, from).putInt(16, quotedPacket.getInt(q + 12));
        out.putShort(10, (short) Packets.Checksum.finish(Packets.Checksum.add(0, out, 0, Packets.IPV4_HEADER_LEN)));
        int icmp = Packets.IPV4_HEADER_LEN;
        out.put(icmp, (byte) type).put(icmp + 1, (byte) code).putShort(icmp + 6, (short) nextHopMtu);
        for (int i = 0; i < quotedLength; i++) out.put(icmp + HEADER_LEN + i, quotedPacket.get(q + i));
        out.putShort(icmp + 2, (short) Packets.Checksum.finish(Packets.Checksum.add(0, out, icmp, total - icmp)));
        return out;
    }

    /** An ICMP message we do not act on, and why. Cheap: no stack trace. */
    static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;

        Refused(String reason) { super(reason, null, false, false); }

        String reason() { return getMessage(); }
    }

    private static void reject(String reason) throws Refused {
        throw new Refused(reason);
    }
}
