import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The wire format: IPv4 and TCP headers as values, parsed from and emitted to ByteBuffers.
 *
 * <pre>
 * IPv4 header (RFC 791 section 3.1)
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |Version|  IHL  |Type of Service|          Total Length         |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |         Identification        |Flags|      Fragment Offset    |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Time to Live |    Protocol   |         Header Checksum       |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                       Source Address                          |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                    Destination Address                        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * TCP header (RFC 9293 section 3.1)
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |          Source Port          |       Destination Port        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                        Sequence Number                        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                    Acknowledgment Number                      |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Data |       |C|E|U|A|P|R|S|F|                               |
 * | Offset| Rsrvd |W|C|R|C|S|S|Y|I|            Window             |
 * |       |       |R|E|G|K|H|T|N|N|                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |           Checksum            |         Urgent Pointer        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                           [Options]                           |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                             Data                              :
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * Untrusted bytes enter through one checked function, {@link #parse}: first integrity (may these
 * bytes be read as headers at all?), then sanity (do the values make sense?). Every rejection is a
 * {@link Rejected} with a {@link Problem} and a sentence that says what was wrong.
 */
final class Packets {
    private Packets() {}

    static final int IPV4_HEADER_LEN = 20;
    static final int TCP_HEADER_LEN = 20;
    static final int PROTOCOL_TCP = 6;

    // TCP control bits, in the order of the header's flags byte.
    static final int FIN = 0x01, SYN = 0x02, RST = 0x04, PSH = 0x08;
    static final int ACK = 0x10, URG = 0x20, ECE = 0x40, CWR = 0x80;

    // IPv4 flags (in the 16-bit flags/fragment word).
    static final int IP_DONT_FRAGMENT = 0x4000, IP_MORE_FRAGMENTS = 0x2000, IP_FRAGMENT_OFFSET = 0x1fff;

    // ---------------------------------------------------------------- rejections

    /** Why a packet was refused. Integrity problems come first, then sanity problems. */
    enum Problem {
        // integrity: the bytes cannot be read as an IPv4 packet carrying a TCP segment
        TRUNCATED_IP_HEADER, NOT_IPV4, BAD_IHL, BAD_TOTAL_LENGTH, BAD_IP_CHECKSUM, FRAGMENT, NOT_TCP,
        TRUNCATED_TCP_HEADER, BAD_DATA_OFFSET, BAD_TCP_CHECKSUM,
        // sanity: readable, but the values make no sense
        BAD_SOURCE_ADDRESS
    }

    /** A packet that parse refused, with the reason. Cheap: no stack trace. */
    static final class Rejected extends Exception {
        private static final long serialVersionUID = 1L;
        final Problem problem;

        Rejected(Problem problem, String reason) {
            super(reason, null, false, false);
            this.problem = problem;
        }

        String reason() { return getMessage(); }
    }

    // ---------------------------------------------------------------- values

    /** An IPv4 header. Options in received headers are skipped; we emit IHL 5 (no options). */
    record Ipv4(int tos, int totalLength, int identification, int flagsAndFragment, int ttl,
                int protocol, int checksum, int source, int destination, int headerLength) {

        /** A header to send: DF set, no options; length and checksum are filled in by emit. */
        static Ipv4 forTcp(int source, int destination, int identification, int ttl) {
            return forTcp(source, destination, identification, ttl, 0);
        }

        /** The same, with the TOS byte: DSCP in its upper six bits, ECN in the lower two (RFC 2474, 3168). */
        static Ipv4 forTcp(int source, int destination, int identification, int ttl, int tos) {
            return new Ipv4(tos & 0xff, 0, identification & 0xffff, IP_DONT_FRAGMENT, ttl, PROTOCOL_TCP, 0,
                    source, destination, IPV4_HEADER_LEN);
        }
    }

    /** A TCP option. Each kind knows its length, its bytes and how a learner reads it. */
    sealed interface TcpOption permits EndOfList, Nop, Mss, WindowScale, SackPermitted, Sack, Timestamps, Unknown, Malformed {
        int length();
        void emit(ByteBuffer out, int at);
        String describe();
    }
    record EndOfList() implements TcpOption {
        public int length() { return 1; }
        public void emit(ByteBuffer out, int at) { out.put(at, (byte) OPT_EOL); }
        public String describe() { return "EOL"; }
    }
    record Nop() implements TcpOption {
        public int length() { return 1; }
        public void emit(ByteBuffer out, int at) { out.put(at, (byte) OPT_NOP); }
        public String describe() { return "NOP"; }
    }
    record Mss(int value) implements TcpOption {
        public int length() { return 4; }
        public void emit(ByteBuffer out, int at) { out.put(at, (byte) OPT_MSS).put(at + 1, (byte) 4).putShort(at + 2, (short) value); }
        public String describe() { return "MSS " + value; }
    }
    record WindowScale(int shift) implements TcpOption {
        public int length() { return 3; }
        public void emit(ByteBuffer out, int at) { out.put(at, (byte) OPT_WSCALE).put(at + 1, (byte) 3).put(at + 2, (byte) shift); }
        public String describe() { return "WS " + shift; }
    }
    record SackPermitted() implements TcpOption {
        public int length() { return 2; }
        public void emit(ByteBuffer out, int at) { out.put(at, (byte) OPT_SACK_PERMITTED).put(at + 1, (byte) 2); }
        public String describe() { return "SACK_PERM"; }
    }
    /**
     * RFC 2018 section 3: "Kind: 5, Length: Variable", then n blocks of "Left Edge of Block" and
     * "Right Edge of Block", 32 bits each: edges holds left, right, left, right, ... (1 to 4 blocks).
     */
    record Sack(int[] edges) implements TcpOption {
        public Sack {
            if (edges.length < 2 || edges.length > 2 * MAX_SACK_BLOCKS || edges.length % 2 != 0)
                throw new IllegalArgumentException("a SACK option holds 1 to " + MAX_SACK_BLOCKS + " blocks, not " + edges.length / 2.0);
            edges = edges.clone();
        }
        int blocks() { return edges.length / 2; }
        int left(int i) { return edges[2 * i]; }
        int right(int i) { return edges[2 * i + 1]; }
        public int length() { return 2 + 4 * edges.length; }
        public void emit(ByteBuffer out, int at) {
            out.put(at, (byte) OPT_SACK).put(at + 1, (byte) length());
            for (int i = 0; i < edges.length; i++) out.putInt(at + 2 + 4 * i, edges[i]);
        }
        public String describe() {
            StringBuilder text = new StringBuilder("SACK");
            for (int i = 0; i < blocks(); i++) {
                text.append(i == 0 ? " " : ",").append(Integer.toUnsignedString(left(i))).append('-').append(Integer.toUnsignedString(right(i)));
            }
            return text.toString();
        }
        @Override public boolean equals(Object o) { return o instanceof Sack s && Arrays.equals(s.edges, edges); }
        @Override public int hashCode() { return Arrays.hashCode(edges); }
        @Override public String toString() { return describe(); }
    }
    /** RFC 2018 section 3: with 40 bytes of options, "a maximum of 4 SACK blocks". */
    static final int MAX_SACK_BLOCKS = 4;

    record Timestamps(int value, int echoReply) implements TcpOption {
        public int length() { return 10; }
        public void emit(ByteBuffer out, int at) {
            out.put(at, (byte) OPT_TIMESTAMPS).put(at + 1, (byte) 10).putInt(at + 2, value).putInt(at + 6, echoReply);
        }
        public String describe() { return "TS " + Integer.toUnsignedString(value) + "/" + Integer.toUnsignedString(echoReply); }
    }
    /** An option kind we do not implement, skipped by its length (RFC 9293 MUST-6). */
    record Unknown(int kind, byte[] data) implements TcpOption {
        public int length() { return 2 + data.length; }
        public void emit(ByteBuffer out, int at) { out.put(at, (byte) kind).put(at + 1, (byte) length()).put(at + 2, data); }
        public String describe() { return "kind " + kind + " len " + length(); }
        @Override public boolean equals(Object o) {
            return o instanceof Unknown u && u.kind == kind && Arrays.equals(u.data, data);
        }
        @Override public int hashCode() { return 31 * kind + Arrays.hashCode(data); }
        @Override public String toString() { return "Unknown[kind=" + kind + ", length=" + length() + "]"; }
    }

    /**
     * Option bytes that break the option syntax (RFC 9293 section 3.1, MUST-7: "be prepared to
     * handle an illegal option length (e.g., zero)"): a known kind with the wrong length, a length
     * below 2, or one that runs past the header. Kept as they came, with the reason, so that the
     * segment is still processed as Linux processes it (tcp_parse_options skips an option whose
     * length does not fit its kind, and stops at a length that cannot be right) and a re-emit gives
     * the same bytes. Nothing of it is used.
     */
    record Malformed(int kind, byte[] raw, String reason) implements TcpOption {
        public Malformed {
            raw = raw.clone();
        }
        public int length() { return raw.length; }
        public void emit(ByteBuffer out, int at) { out.put(at, raw); }
        public String describe() { return "malformed (" + reason + ")"; }
        @Override public boolean equals(Object o) {
            return o instanceof Malformed m && m.kind == kind && Arrays.equals(m.raw, raw) && m.reason.equals(reason);
        }
        @Override public int hashCode() { return 31 * kind + Arrays.hashCode(raw); }
        @Override public String toString() { return "Malformed[kind=" + kind + ", length=" + raw.length + ", " + reason + "]"; }
    }

    static final int OPT_EOL = 0, OPT_NOP = 1, OPT_MSS = 2, OPT_WSCALE = 3, OPT_SACK_PERMITTED = 4, OPT_SACK = 5, OPT_TIMESTAMPS = 8;
    private static final byte[] NO_DATA = new byte[0];

    /**
     * A TCP segment: every header field, the options and the payload.
     * dataOffset is in 32-bit words. checksum is what the wire carried (parse) or 0 (to be sent):
     * emit always writes the correct checksum.
     */
    record Tcp(int sourcePort, int destinationPort, int seq, int ack, int dataOffset, int reserved,
               int flags, int window, int checksum, int urgentPointer, List<TcpOption> options,
               byte[] payload) {

        /** A segment to send; the data offset follows from the options. */
        static Tcp of(int sourcePort, int destinationPort, int seq, int ack, int flags, int window,
                      List<TcpOption> options, byte[] payload) {
            int optionBytes = 0;
            for (TcpOption o : options) optionBytes += o.length();
            // The data offset has 4 bits: at most 15 words, so at most 40 bytes of options.
            if (optionBytes > 40) throw new IllegalArgumentException(optionBytes + " bytes of options, at most 40 fit");
            int dataOffset = 5 + (optionBytes + 3) / 4;
            return new Tcp(sourcePort, destinationPort, seq, ack, dataOffset, 0, flags, window, 0, 0,
                    List.copyOf(options), payload == null ? NO_DATA : payload);
        }

        boolean has(int flag) { return (flags & flag) != 0; }
        boolean isSyn() { return has(SYN); }
        boolean isFin() { return has(FIN); }
        boolean isRst() { return has(RST); }
        boolean isAck() { return has(ACK); }
        int headerLength() { return dataOffset * 4; }

        /** SEG.LEN: "the number of octets occupied by the data in the segment (counting SYN and FIN)". */
        int segmentLength() { return payload.length + (isSyn() ? 1 : 0) + (isFin() ? 1 : 0); }

        /** The MSS option's value, or -1 when the segment carries none. */
        int mss() {
            for (TcpOption o : options) if (o instanceof Mss m) return m.value();
            return -1;
        }

        /** The segment carries the SACK-permitted option (RFC 2018 section 2). */
        boolean sackPermitted() {
            for (TcpOption o : options) if (o instanceof SackPermitted) return true;
            return false;
        }

        Tcp withChecksum(int newChecksum) {
            return new Tcp(sourcePort, destinationPort, seq, ack, dataOffset, reserved, flags, window,
                    newChecksum, urgentPointer, options, payload);
        }

        @Override public boolean equals(Object o) {
            return o instanceof Tcp t && t.sourcePort == sourcePort && t.destinationPort == destinationPort
                    && t.seq == seq && t.ack == ack && t.dataOffset == dataOffset && t.reserved == reserved
                    && t.flags == flags && t.window == window && t.checksum == checksum
                    && t.urgentPointer == urgentPointer && t.options.equals(options)
                    && Arrays.equals(t.payload, payload);
        }
        @Override public int hashCode() { return 31 * (31 * seq + ack) + Arrays.hashCode(payload); }
        @Override public String toString() { return PacketText.describe(this); }
    }

    /** An IPv4 packet that carries a TCP segment. */
    record Packet(Ipv4 ip, Tcp tcp) {}

    // ---------------------------------------------------------------- parse

    /**
     * Parses an IPv4 packet carrying TCP from the buffer's position to its limit.
     * verifyTcpChecksum is false only for packets whose checksum the kernel has not computed yet
     * (flagged TP_STATUS_CSUMNOTREADY, see RawSocket): their TCP checksum field holds a partial sum.
     * The buffer's position is not changed.
     */
    static Packet parse(ByteBuffer buf, boolean verifyTcpChecksum) throws Rejected {
        return parse(buf, verifyTcpChecksum, null);
    }

    /**
     * parse() for the receive path: the payload goes into an array from reuse (the one copy of the
     * bytes out of the receive ring), which the next parse of a payload as long may overwrite. The
     * segment must then be done with before the next packet is parsed: the loop hands it to its
     * connection, which copies what it keeps (receive buffer, reassembly queue), and drops it.
     * reuse null: a new array, as parse(buf, verify).
     */
    static Packet parse(ByteBuffer buf, boolean verifyTcpChecksum, PayloadArrays reuse) throws Rejected {
        Ipv4 ip = parseIpv4(buf);
        Tcp tcp = parseTcp(buf, ip, verifyTcpChecksum, reuse);
        checkSanity(ip);
        return new Packet(ip, tcp);
    }

    /**
     * Payload arrays kept from one received packet to the next, one per recent length: a bulk
     * stream's packets come in a few lengths (the MSS, a coalesced packet's 45 segments, the last
     * short one), so the receive path allocates nothing per packet for its payload. Not for
     * segments anyone keeps.
     */
    static final class PayloadArrays {
        private final byte[][] arrays = new byte[8][];
        private int next;

        byte[] forLength(int n) {
            for (byte[] a : arrays) if (a != null && a.length == n) return a;
            byte[] a = new byte[n];
            arrays[next] = a;
            next = (next + 1) % arrays.length;
            return a;
        }
    }

    /** Integrity, IPv4: a header that can be read, whose lengths fit, checksum verifies, not a fragment, carrying TCP. */
    private static Ipv4 parseIpv4(ByteBuffer buf) throws Rejected {
        int base = buf.position();
        int available = buf.remaining();
        if (available < IPV4_HEADER_LEN)
            throw new Rejected(Problem.TRUNCATED_IP_HEADER,
                    "truncated IPv4 header: " + available + " bytes, need " + IPV4_HEADER_LEN);
        int versionIhl = u8(buf, base);
        int version = versionIhl >>> 4, ihl = versionIhl & 0x0f;
        if (version != 4) throw new Rejected(Problem.NOT_IPV4, "IP version " + version + ", not 4");
        if (ihl < 5) throw new Rejected(Problem.BAD_IHL, "IHL " + ihl + " is below the minimum 5");
        int ipHeaderLen = ihl * 4;
        if (ipHeaderLen > available)
            throw new Rejected(Problem.BAD_IHL, "IHL " + ihl + " means " + ipHeaderLen
                    + " header bytes, but the packet has " + available);
        int totalLength = u16(buf, base + 2);
        if (totalLength < ipHeaderLen)
            throw new Rejected(Problem.BAD_TOTAL_LENGTH, "total length " + totalLength
                    + " is shorter than the " + ipHeaderLen + "-byte header");
        if (totalLength > available)
            throw new Rejected(Problem.BAD_TOTAL_LENGTH, "total length " + totalLength
                    + " exceeds the " + available + " bytes received");
        // Bytes past totalLength (link-layer padding) are not part of the packet.
        int ipChecksum = u16(buf, base + 10);
        if (Checksum.finish(Checksum.add(0, buf, base, ipHeaderLen)) != 0)
            throw new Rejected(Problem.BAD_IP_CHECKSUM, String.format(
                    "bad IPv4 header checksum 0x%04x", ipChecksum));
        int flagsAndFragment = u16(buf, base + 6);
        if ((flagsAndFragment & (IP_MORE_FRAGMENTS | IP_FRAGMENT_OFFSET)) != 0)
            throw new Rejected(Problem.FRAGMENT, "IP fragment (fragments are not reassembled)");
        int protocol = u8(buf, base + 9);
        if (protocol != PROTOCOL_TCP)
            throw new Rejected(Problem.NOT_TCP, "IP protocol " + protocol + ", not TCP (6)");
        return new Ipv4(u8(buf, base + 1), totalLength, u16(buf, base + 4), flagsAndFragment,
                u8(buf, base + 8), protocol, ipChecksum, buf.getInt(base + 12), buf.getInt(base + 16), ipHeaderLen);
    }

    /** Integrity, TCP: the segment after ip's header: lengths that fit, options that can be read, the checksum. */
    private static Tcp parseTcp(ByteBuffer buf, Ipv4 ip, boolean verifyTcpChecksum, PayloadArrays reuse) throws Rejected {
        int t = buf.position() + ip.headerLength();
        int tcpLength = ip.totalLength() - ip.headerLength();
        if (tcpLength < TCP_HEADER_LEN)
            throw new Rejected(Problem.TRUNCATED_TCP_HEADER,
                    "truncated TCP header: " + tcpLength + " bytes, need " + TCP_HEADER_LEN);
        int dataOffset = u8(buf, t + 12) >>> 4;
        if (dataOffset < 5)
            throw new Rejected(Problem.BAD_DATA_OFFSET, "data offset " + dataOffset + " is below the minimum 5");
        int tcpHeaderLen = dataOffset * 4;
        if (tcpHeaderLen > tcpLength)
            throw new Rejected(Problem.BAD_DATA_OFFSET, "data offset " + dataOffset + " means "
                    + tcpHeaderLen + " header bytes, but the segment has " + tcpLength);
        List<TcpOption> options = parseOptions(buf, t + TCP_HEADER_LEN, t + tcpHeaderLen);
        int tcpChecksum = u16(buf, t + 16);
        if (verifyTcpChecksum) {
            int sum = Checksum.add(pseudoHeaderSum(ip.source(), ip.destination(), tcpLength), buf, t, tcpLength);
            if (Checksum.finish(sum) != 0) {
                // Taking the field back out of the sum is one's complement subtraction: adding its complement.
                int expected = Checksum.finish(Checksum.add(sum, ~tcpChecksum & 0xffff));
                throw new Rejected(Problem.BAD_TCP_CHECKSUM, String.format(
                        "bad TCP checksum 0x%04x (expected 0x%04x)", tcpChecksum, expected));
            }
        }
        byte[] payload = NO_DATA;
        if (tcpLength > tcpHeaderLen) {
            payload = reuse == null ? new byte[tcpLength - tcpHeaderLen] : reuse.forLength(tcpLength - tcpHeaderLen);
            buf.get(t + tcpHeaderLen, payload);
        }
        return new Tcp(u16(buf, t), u16(buf, t + 2), buf.getInt(t + 4), buf.getInt(t + 8), dataOffset,
                u8(buf, t + 12) & 0x0f, u8(buf, t + 13), u16(buf, t + 14), tcpChecksum, u16(buf, t + 18), options, payload);
    }

    /**
     * Sanity: readable, but do the values make sense? What a combination of flags means (SYN with
     * FIN, RST with FIN) is not the wire format's to say: the Listener and the connection decide, by
     * RFC 9293's rules for their state. Port 0 is the Demultiplexer's: no connection has it.
     */
    private static void checkSanity(Ipv4 ip) throws Rejected {
        // RFC 1122 section 4.2.3.10: a SYN from a broadcast or multicast address must be ignored;
        // no TCP segment comes from one.
        if (isMulticastOrBroadcast(ip.source()))
            throw new Rejected(Problem.BAD_SOURCE_ADDRESS, "source address " + address(ip.source())
                    + " is multicast or broadcast");
    }

    /**
     * The options, in order. A malformed one never rejects the segment (MUST-7 asks that it be
     * handled; Linux goes on with the segment): an option whose length does not fit its kind is
     * kept as {@link Malformed} and skipped, as Linux skips it; a length below 2, or one past the
     * header, makes the rest of the options unreadable: they become one Malformed, and reading
     * stops there, as Linux's does.
     */
    private static List<TcpOption> parseOptions(ByteBuffer buf, int at, int end) {
        if (at == end) return List.of();
        List<TcpOption> options = new ArrayList<>(4);
        while (at < end) {
            int kind = u8(buf, at);
            if (kind == OPT_EOL) { options.add(new EndOfList()); break; } // the rest is padding
            if (kind == OPT_NOP) { options.add(new Nop()); at++; continue; }
            String unreadable = at + 1 >= end ? "option kind " + kind + " has no length byte"
                    : u8(buf, at + 1) < 2 ? "option kind " + kind + " has length " + u8(buf, at + 1) + " (minimum 2)"
                    : at + u8(buf, at + 1) > end ? "option kind " + kind + " of length " + u8(buf, at + 1) + " runs past the end of the header"
                    : null;
            if (unreadable != null) {
                options.add(new Malformed(kind, bytes(buf, at, end - at), unreadable + ": the options from here on are ignored"));
                break;
            }
            int len = u8(buf, at + 1);
            options.add(option(buf, at, kind, len));
            at += len;
        }
        return options;
    }

    /** One option of a readable length: its value, or Malformed when the length does not fit the kind. */
    private static TcpOption option(ByteBuffer buf, int at, int kind, int len) {
        String wrongLength = switch (kind) {
            case OPT_MSS -> wrongLength("MSS", len, 4);
            case OPT_WSCALE -> wrongLength("window scale", len, 3);
            case OPT_SACK_PERMITTED -> wrongLength("SACK-permitted", len, 2);
            case OPT_TIMESTAMPS -> wrongLength("timestamps", len, 10);
            // RFC 2018 section 3: "Length: Variable", 8 bytes per block after kind and length.
            case OPT_SACK -> (len - 2) % 8 != 0 || len < 10 || len > 2 + 8 * MAX_SACK_BLOCKS
                    ? "SACK option (kind 5) has length " + len + ", must be 2 + 8 per block, 1 to " + MAX_SACK_BLOCKS + " blocks"
                    : null;
            default -> null;
        };
        if (wrongLength != null) return new Malformed(kind, bytes(buf, at, len), wrongLength + ": ignored");
        return switch (kind) {
            case OPT_MSS -> new Mss(u16(buf, at + 2));
            case OPT_WSCALE -> new WindowScale(u8(buf, at + 2));
            case OPT_SACK_PERMITTED -> new SackPermitted();
            case OPT_SACK -> {
                int[] edges = new int[(len - 2) / 4];
                for (int i = 0; i < edges.length; i++) edges[i] = buf.getInt(at + 2 + 4 * i);
                yield new Sack(edges);
            }
            case OPT_TIMESTAMPS -> new Timestamps(buf.getInt(at + 2), buf.getInt(at + 6));
            default -> new Unknown(kind, bytes(buf, at + 2, len - 2));
        };
    }

    private static String wrongLength(String name, int len, int expected) {
        return len == expected ? null : name + " option has length " + len + ", must be " + expected;
    }

    private static byte[] bytes(ByteBuffer buf, int at, int length) {
        byte[] b = new byte[length];
        buf.get(at, b);
        return b;
    }

    /**
     * The destination port of what looks like an IPv4/TCP packet, or -1. Reads just enough to decide
     * whether a packet is addressed to us before the full parse; it proves nothing about validity.
     */
    static int peekDestinationPort(ByteBuffer buf) {
        int base = buf.position();
        if (buf.remaining() < IPV4_HEADER_LEN || u8(buf, base + 9) != PROTOCOL_TCP) return -1;
        int ipHeaderLen = (u8(buf, base) & 0x0f) * 4;
        if (ipHeaderLen < IPV4_HEADER_LEN || buf.remaining() < ipHeaderLen + 4) return -1;
        return u16(buf, base + ipHeaderLen + 2);
    }

    // ---------------------------------------------------------------- emit

    /**
     * Writes the packet at the buffer's position: the IPv4 header (IHL 5, total length and header
     * checksum computed), then the TCP segment with its checksum over the pseudo-header, header and
     * data. The ip record's length and checksum fields are ignored. Returns the number of bytes
     * written and advances the position by that much.
     */
    static int emit(ByteBuffer out, Ipv4 ip, Tcp tcp) {
        return emit(out, ip, tcp, true);
    }

    /**
     * As {@link #emit(ByteBuffer, Ipv4, Tcp)}, for a segment that the kernel will cut and whose
     * checksums it will finish (segmentation offload): the TCP checksum field holds the sum of the
     * pseudo-header alone, folded and not complemented, the way a network card expects it
     * (CHECKSUM_PARTIAL). The data is not summed here: the kernel sums each piece.
     */
    static int emitForOffload(ByteBuffer out, Ipv4 ip, Tcp tcp) {
        return emit(out, ip, tcp, false);
    }

    private static int emit(ByteBuffer out, Ipv4 ip, Tcp tcp, boolean fullChecksum) {
        int base = out.position();
        int tcpLength = tcp.headerLength() + tcp.payload().length;
        int totalLength = IPV4_HEADER_LEN + tcpLength;

        out.put(base, (byte) 0x45);                    // version 4, IHL 5
        out.put(base + 1, (byte) ip.tos());
        out.putShort(base + 2, (short) totalLength);
        out.putShort(base + 4, (short) ip.identification());
        out.putShort(base + 6, (short) ip.flagsAndFragment());
        out.put(base + 8, (byte) ip.ttl());
        out.put(base + 9, (byte) ip.protocol());
        out.putShort(base + 10, (short) 0);            // checksum, computed below
        out.putInt(base + 12, ip.source());
        out.putInt(base + 16, ip.destination());
        out.putShort(base + 10, (short) Checksum.finish(Checksum.add(0, out, base, IPV4_HEADER_LEN)));

        int t = base + IPV4_HEADER_LEN;
        out.putShort(t, (short) tcp.sourcePort());
        out.putShort(t + 2, (short) tcp.destinationPort());
        out.putInt(t + 4, tcp.seq());
        out.putInt(t + 8, tcp.ack());
        out.put(t + 12, (byte) (tcp.dataOffset() << 4 | (tcp.reserved() & 0x0f)));
        out.put(t + 13, (byte) tcp.flags());
        out.putShort(t + 14, (short) tcp.window());
        out.putShort(t + 16, (short) 0);               // checksum, computed below
        out.putShort(t + 18, (short) tcp.urgentPointer());
        int at = t + TCP_HEADER_LEN;
        for (TcpOption option : tcp.options()) {
            option.emit(out, at);
            at += option.length();
        }
        while (at < t + tcp.headerLength()) out.put(at++, (byte) 0); // pad to the data offset with zeros (EOL)
        out.put(at, tcp.payload());
        if (fullChecksum) {
            int sum = Checksum.add(pseudoHeaderSum(ip.source(), ip.destination(), tcpLength), out, t, tcpLength);
            out.putShort(t + 16, (short) Checksum.finish(sum));
        } else {
            out.putShort(t + 16, (short) Checksum.add(pseudoHeaderSum(ip.source(), ip.destination(), tcpLength), 0));
        }

        out.position(base + totalLength);
        return totalLength;
    }

    /** The pseudo-header's contribution to the TCP checksum (RFC 9293 section 3.1). */
    static int pseudoHeaderSum(int source, int destination, int tcpLength) {
        int sum = (source >>> 16) + (source & 0xffff) + (destination >>> 16) + (destination & 0xffff);
        return sum + PROTOCOL_TCP + tcpLength;
    }

    // ---------------------------------------------------------------- addresses

    /** Dotted-quad text of an address held in an int (network order, most significant byte first). */
    static String address(int a) {
        return (a >>> 24) + "." + ((a >>> 16) & 0xff) + "." + ((a >>> 8) & 0xff) + "." + (a & 0xff);
    }

    /** Parses dotted-quad text; throws IllegalArgumentException for anything else. */
    static int parseAddress(String text) {
        String[] parts = text.split("\\.", -1);
        if (parts.length != 4) throw new IllegalArgumentException("not an IPv4 address: " + text);
        int a = 0;
        for (String p : parts) {
            if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(c -> c >= '0' && c <= '9'))
                throw new IllegalArgumentException("not an IPv4 address: " + text);
            int v = Integer.parseInt(p);
            if (v > 255) throw new IllegalArgumentException("not an IPv4 address: " + text);
            a = a << 8 | v;
        }
        return a;
    }

    static boolean isMulticastOrBroadcast(int a) {
        return (a >>> 28) == 0xe || a == 0xffffffff;
    }

    static int u8(ByteBuffer b, int at) { return b.get(at) & 0xff; }
    static int u16(ByteBuffer b, int at) { return b.getShort(at) & 0xffff; }

    // ---------------------------------------------------------------- checksum

    /**
     * The Internet checksum (RFC 1071). RFC 9293 section 3.1: "The checksum field is the 16-bit
     * ones' complement of the ones' complement sum of all 16-bit words in the header and text."
     * A running sum is kept folded to 16 bits between calls.
     */
    static final class Checksum {
        private Checksum() {}

        /** Adds the bytes [at, at+length) of buf, as big-endian 16-bit words, to a running sum. */
        static int add(int sum, ByteBuffer buf, int at, int length) {
            long acc = sum;
            int end = at + length;
            while (at + 1 < end) {
                acc += buf.getShort(at) & 0xffff;
                at += 2;
            }
            // "If a segment contains an odd number of header and text octets, alignment can be
            // achieved by padding the last octet with zeros on its right to form a 16-bit word for
            // checksum purposes."
            if (at < end) acc += (buf.get(at) & 0xff) << 8;
            return fold(acc);
        }

        static int add(int sum, int word) { return fold((long) sum + word); }

        /** Ones' complement addition on a two's complement machine: the carries out of the top bit
         *  are added back into the low 16 bits (RFC 1071's "end around carry"). */
        private static int fold(long acc) {
            while ((acc >>> 16) != 0) acc = (acc & 0xffff) + (acc >>> 16);
            return (int) acc;
        }

        /** Folds and complements: the value that goes in the header (or 0 when verifying). */
        static int finish(int sum) {
            return ~fold(sum & 0xffffffffL) & 0xffff;
        }
    }
}
