import java.nio.ByteBuffer;

/**
 * The wire format of the ICMP and ICMPv6 errors that concern a TCP connection (RFC 792, RFC 1191): what a
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
 * is a {@link Refused} with a sentence. ICMPv6 (RFC 4443) is parsed here too, into the same Error.
 */
final class Icmp {
    private Icmp() {}

    static final int PROTOCOL_ICMP = 1;
    static final int HEADER_LEN = 8;
    static final int DESTINATION_UNREACHABLE = 3, SOURCE_QUENCH = 4, TIME_EXCEEDED = 11, PARAMETER_PROBLEM = 12;
    static final int CODE_FRAGMENTATION_NEEDED = 4;
    /** ICMPv6 (RFC 4443): its next header number and the error types that concern a segment. */
    static final int PROTOCOL_ICMPV6 = 58;
    static final int V6_DESTINATION_UNREACHABLE = 1, V6_PACKET_TOO_BIG = 2, V6_TIME_EXCEEDED = 3, V6_PARAMETER_PROBLEM = 4;
    /** RFC 8200 section 5: "IPv6 requires that every link in the Internet have an MTU of 1280 octets or greater." */
    static final int IPV6_MIN_MTU = 1280;

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
     * ICMPv6 Destination Unreachable's codes (RFC 4443 section 3.1) and what Linux makes of each
     * (net/ipv6/icmp.c, icmpv6_err_convert's tab_unreach): the errno, its text, and whether it is
     * fatal for a connection still opening. Codes past the table: EPROTO, fatal.
     */
    enum Unreachable6 {
        NO_ROUTE(0, "no route to destination", "ENETUNREACH", "Network is unreachable", false),
        ADMINISTRATIVELY_PROHIBITED(1, "communication with destination administratively prohibited", "EACCES", "Permission denied", true),
        BEYOND_SCOPE(2, "beyond scope of source address", "EHOSTUNREACH", "No route to host", false),
        ADDRESS(3, "address unreachable", "EHOSTUNREACH", "No route to host", false),
        PORT(4, "port unreachable", "ECONNREFUSED", "Connection refused", true),
        POLICY_FAILED(5, "source address failed ingress/egress policy", "EACCES", "Permission denied", true),
        REJECT_ROUTE(6, "reject route to destination", "EACCES", "Permission denied", true);

        final int code;
        final String words, errno, text;
        final boolean fatal;

        Unreachable6(int code, String words, String errno, String text, boolean fatal) {
            this.code = code;
            this.words = words;
            this.errno = errno;
            this.text = text;
            this.fatal = fatal;
        }

        static Unreachable6 of(int code) {
            for (Unreachable6 u : values()) if (u.code == code) return u;
            return null;
        }
    }

    /**
     * An ICMP or ICMPv6 error about a TCP segment: who sent it (a router, or the peer's host), type
     * and code as on the wire (their numbers differ between the versions: v6() says which), the
     * next-hop MTU (fragmentation needed or packet too big only; 0 when an IPv4 router did not say,
     * RFC 1191 section 5), and what the quoted headers say: the segment's addresses, ports and
     * sequence number, and the length of the quoted datagram (RFC 1191's plateaus need it when the
     * MTU is 0).
     */
    record Error(IpAddress from, int type, int code, int nextHopMtu,
                 IpAddress source, IpAddress destination, int sourcePort, int destinationPort, int seq, int quotedLength) {

        /** An ICMPv6 message (RFC 4443) about an IPv6 segment. */
        boolean v6() { return from.isV6(); }
        boolean isUnreachable() { return type == (v6() ? V6_DESTINATION_UNREACHABLE : DESTINATION_UNREACHABLE); }
        boolean isTimeExceeded() { return type == (v6() ? V6_TIME_EXCEEDED : TIME_EXCEEDED); }
        /** The path MTU is smaller than our packet: IPv4's fragmentation needed, ICMPv6's packet too big. */
        boolean isFragmentationNeeded() {
            return v6() ? type == V6_PACKET_TOO_BIG : type == DESTINATION_UNREACHABLE && code == CODE_FRAGMENTATION_NEEDED;
        }
        Unreachable unreachable() { return isUnreachable() && !v6() ? Unreachable.of(code) : null; }
        Unreachable6 unreachable6() { return isUnreachable() && v6() ? Unreachable6.of(code) : null; }

        /**
         * Whether Linux counts it fatal (icmp_err_convert, icmpv6_err_convert): a hard error in
         * RFC 1122's sense. Time exceeded and the path MTU messages are soft; an ICMPv6 code
         * past RFC 4443's table is fatal (EPROTO).
         */
        boolean hard() {
            if (!isUnreachable()) return false;
            if (v6()) {
                Unreachable6 u = unreachable6();
                return u == null || u.fatal;
            }
            Unreachable u = unreachable();
            return u != null && u.fatal;
        }

        /** "host unreachable", "fragmentation needed (next-hop MTU 1280)", "packet too big (MTU 1280)". */
        String describe() {
            if (v6()) {
                if (type == V6_TIME_EXCEEDED) return code == 0 ? "hop limit exceeded in transit" : "fragment reassembly time exceeded";
                if (type == V6_PACKET_TOO_BIG) return "packet too big (MTU " + nextHopMtu + ")";
                Unreachable6 u = unreachable6();
                return u == null ? "destination unreachable (code " + code + ")" : u.words;
            }
            if (type == TIME_EXCEEDED) return code == 0 ? "time exceeded in transit" : "fragment reassembly time exceeded";
            if (isFragmentationNeeded()) return "fragmentation needed (next-hop MTU " + nextHopMtu + ")";
            Unreachable u = unreachable();
            return u == null ? "destination unreachable (code " + code + ")" : u.words;
        }

        /**
         * The errno Linux reports for it: EHOSTUNREACH for time exceeded (tcp_v4_err,
         * icmpv6_err_convert), EPROTO ("Protocol error") for an ICMPv6 code past the table.
         */
        String errnoText() {
            if (v6()) {
                Unreachable6 u = unreachable6();
                if (u != null) return u.text;
                return isUnreachable() ? "Protocol error" : "No route to host";
            }
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
        if (buf.remaining() >= 1 && Packets.u8(buf, buf.position()) >>> 4 == 6) return parseV6(buf);
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
        IpAddress from = IpAddress.read(buf, base + 12, 4);

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
        return new Error(from, type, code, nextHopMtu, IpAddress.read(buf, quoted + 12, 4), IpAddress.read(buf, quoted + 16, 4),
                Packets.u16(buf, tcp), Packets.u16(buf, tcp + 2), buf.getInt(tcp + 4), Packets.u16(buf, quoted + 2));
    }

    /**
     * Parses an IPv6 packet carrying an ICMPv6 error about a TCP segment (RFC 4443):
     * <pre>
     *  0                   1                   2                   3
     *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
     * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
     * |     Type      |     Code      |          Checksum             |
     * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
     * |            Unused (types 1, 3) or MTU (type 2)                |
     * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
     * |    As much of invoking packet as possible without the ICMPv6  |
     * +    packet exceeding the minimum IPv6 MTU                      +
     * </pre>
     * Destination Unreachable (type 1), Packet Too Big (type 2), Time Exceeded (type 3). The
     * checksum covers the IPv6 pseudo-header with next header 58 (RFC 4443 section 2.3). The quoted
     * packet is an IPv6 header, maybe extension headers (walked as Packets walks them), then TCP.
     * Echo, neighbour discovery and the rest are refused with a reason.
     */
    static Error parseV6(ByteBuffer buf) throws Refused {
        int base = buf.position();
        int available = buf.remaining();
        if (available < Packets.IPV6_HEADER_LEN) reject("truncated IPv6 header: " + available + " bytes");
        int payloadLength = Packets.u16(buf, base + 4);
        if (Packets.IPV6_HEADER_LEN + payloadLength > available)
            reject("IPv6 payload length " + payloadLength + " does not fit the " + available + " bytes received");
        if (Packets.u8(buf, base + 6) != PROTOCOL_ICMPV6) reject("IPv6 next header " + Packets.u8(buf, base + 6) + ", not ICMPv6 (58)");
        IpAddress from = IpAddress.read(buf, base + 8, 16), to = IpAddress.read(buf, base + 24, 16);

        int icmp = base + Packets.IPV6_HEADER_LEN, icmpLength = payloadLength;
        if (icmpLength < HEADER_LEN) reject("truncated ICMPv6 header: " + icmpLength + " bytes, need " + HEADER_LEN);
        // RFC 4443 section 2.3: the checksum of the pseudo-header (RFC 8200 8.1) and the ICMPv6 message.
        int pseudo = from.wordSum() + to.wordSum() + (icmpLength >>> 16) + (icmpLength & 0xffff) + PROTOCOL_ICMPV6;
        if (Packets.Checksum.finish(Packets.Checksum.add(pseudo, buf, icmp, icmpLength)) != 0)
            reject(String.format("bad ICMPv6 checksum 0x%04x", Packets.u16(buf, icmp + 2)));
        int type = Packets.u8(buf, icmp), code = Packets.u8(buf, icmp + 1);
        if (type != V6_DESTINATION_UNREACHABLE && type != V6_PACKET_TOO_BIG && type != V6_TIME_EXCEEDED)
            reject("ICMPv6 type " + type + " is not an error about a segment");

        int quoted = icmp + HEADER_LEN, end = icmp + icmpLength;
        if (end - quoted < Packets.IPV6_HEADER_LEN) reject("the quoted IPv6 header is cut short: " + (end - quoted) + " bytes");
        if (Packets.u8(buf, quoted) >>> 4 != 6) reject("the quoted packet is not IPv6");
        int next = Packets.u8(buf, quoted + 6), at = quoted + Packets.IPV6_HEADER_LEN;
        for (int hops = 0; next != Packets.PROTOCOL_TCP; hops++) {
            boolean extension = next == Packets.IPV6_HOP_BY_HOP || next == Packets.IPV6_ROUTING
                    || next == Packets.IPV6_DESTINATION_OPTIONS || next == Packets.IPV6_FRAGMENT;
            if (!extension || hops == 8) reject("the quoted packet is not TCP (next header " + next + ")");
            if (at + 8 > end) reject("the quoted extension header " + next + " is cut short");
            if (next == Packets.IPV6_FRAGMENT && (Packets.u16(buf, at + 2) & 0xfff8) != 0)
                reject("the quoted packet is a later fragment: no TCP header");
            int length = next == Packets.IPV6_FRAGMENT ? 8 : (Packets.u8(buf, at + 1) + 1) * 8;
            next = Packets.u8(buf, at);
            at += length;
        }
        if (at + 8 > end) reject("the quoted TCP header is cut short: " + Math.max(0, end - at) + " bytes, need 8");
        // RFC 4443 3.2: "MTU: The Maximum Transmission Unit of the next-hop link" (32 bits).
        int mtu = type == V6_PACKET_TOO_BIG ? (int) Math.min(buf.getInt(icmp + 4) & 0xffffffffL, Integer.MAX_VALUE) : 0;
        return new Error(from, type, code, mtu, IpAddress.read(buf, quoted + 8, 16), IpAddress.read(buf, quoted + 24, 16),
                Packets.u16(buf, at), Packets.u16(buf, at + 2), buf.getInt(at + 4),
                Packets.IPV6_HEADER_LEN + Packets.u16(buf, quoted + 4));
    }

    /**
     * Whether a packet is ICMP (IPv4 protocol 1) or ICMPv6 (IPv6 next header 58 right after the
     * fixed header: routers put no extension headers in front of their errors). Byte 9 is the
     * protocol only in IPv4: in IPv6 it is the source address's second byte (0x01 in 2001:db8::).
     */
    static boolean isIcmp(ByteBuffer buf) {
        int base = buf.position();
        if (buf.remaining() < 1) return false;
        if (Packets.u8(buf, base) >>> 4 == 6)
            return buf.remaining() >= Packets.IPV6_HEADER_LEN && Packets.u8(buf, base + 6) == PROTOCOL_ICMPV6;
        return buf.remaining() >= Packets.IPV4_HEADER_LEN && Packets.u8(buf, base) >>> 4 == 4 && Packets.u8(buf, base + 9) == PROTOCOL_ICMP;
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

    /**
     * Builds an ICMPv6 error as a router would (tests): an IPv6 packet from 'from' to the quoted
     * packet's source, hop limit 64, quoting as much of the packet as fits in 1280 bytes
     * (RFC 4443 section 2.4 (c)). mtuOrUnused goes in the second word (the MTU of packet too big).
     */
    static ByteBuffer emitV6(IpAddress from, int type, int code, int mtuOrUnused, ByteBuffer quotedPacket) {
        int q = quotedPacket.position();
        int quotedLength = Math.min(quotedPacket.remaining(), IPV6_MIN_MTU - Packets.IPV6_HEADER_LEN - HEADER_LEN);
        int icmpLength = HEADER_LEN + quotedLength, total = Packets.IPV6_HEADER_LEN + icmpLength;
        IpAddress to = IpAddress.read(quotedPacket, q + 8, 16);
        ByteBuffer out = ByteBuffer.allocate(total);
        out.putInt(0, 0x60000000).putShort(4, (short) icmpLength).put(6, (byte) PROTOCOL_ICMPV6).put(7, (byte) 64);
        from.put(out, 8);
        to.put(out, 24);
        int icmp = Packets.IPV6_HEADER_LEN;
        out.put(icmp, (byte) type).put(icmp + 1, (byte) code).putInt(icmp + 4, mtuOrUnused);
        for (int i = 0; i < quotedLength; i++) out.put(icmp + HEADER_LEN + i, quotedPacket.get(q + i));
        int pseudo = from.wordSum() + to.wordSum() + icmpLength + PROTOCOL_ICMPV6;
        out.putShort(icmp + 2, (short) Packets.Checksum.finish(Packets.Checksum.add(pseudo, out, icmp, icmpLength)));
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
