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
    static final int IPV6_HEADER_LEN = 40;
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
        // integrity: the bytes cannot be read as an IP packet carrying a TCP segment
        TRUNCATED_IP_HEADER, NOT_IP, BAD_IHL, BAD_TOTAL_LENGTH, BAD_IP_CHECKSUM,
        BAD_PAYLOAD_LENGTH, BAD_EXTENSION_HEADER, FRAGMENT, NOT_TCP,
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

    /** What both IP versions' headers tell TCP: the addresses, and where the segment starts and ends. */
    sealed interface IpHeader permits Ipv4, Ipv6 {
        IpAddress sourceAddress();
        IpAddress destinationAddress();
        /** Bytes before the TCP header: the IP header, with its options or extension headers. */
        int headerLength();
        /** Bytes of the whole packet, headers included (what the length fields say). */
        int packetLength();
        /** IPv4's type of service or IPv6's traffic class: DSCP in the six high bits, ECN in the two low ones. */
        int tos();
    }

    /** An IPv4 header. Options in received headers are skipped; we emit IHL 5 (no options). */
    record Ipv4(int tos, int totalLength, int identification, int flagsAndFragment, int ttl,
                int protocol, int checksum, int source, int destination, int headerLength) implements IpHeader {

        public IpAddress sourceAddress() { return IpAddress.v4(source); }
        public IpAddress destinationAddress() { return IpAddress.v4(destination); }
        public int packetLength() { return totalLength; }

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

    /**
     * An IPv6 header (RFC 8200 section 3). headerLength counts the fixed 40 bytes and the
     * extension headers skipped on receive (we send none); nextHeader is the fixed header's field.
     *
     * <pre>
     * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
     * |Version| Traffic Class |           Flow Label                  |
     * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
     * |         Payload Length        |  Next Header  |   Hop Limit   |
     * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
     * |                  Source Address (128 bits)                    |
     * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
     * |               Destination Address (128 bits)                  |
     * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
     * </pre>
     */
    record Ipv6(int trafficClass, int flowLabel, int payloadLength, int nextHeader, int hopLimit,
                IpAddress source, IpAddress destination, int headerLength) implements IpHeader {

        public int tos() { return trafficClass; }

        /** A header to send: no extension headers; the payload length is filled in by emit. */
        static Ipv6 forTcp(IpAddress source, IpAddress destination, int flowLabel, int hopLimit) {
            return new Ipv6(0, flowLabel & 0xfffff, 0, PROTOCOL_TCP, hopLimit, source, destination, IPV6_HEADER_LEN);
        }

        public IpAddress sourceAddress() { return source; }
        public IpAddress destinationAddress() { return destination; }
        public int packetLength() { return IPV6_HEADER_LEN + payloadLength; }
    }

    /** A header to send from source to destination, of their version (both must be of one). */
    static IpHeader headerFor(IpAddress source, IpAddress destination, int identification, int ttl) {
        return headerFor(source, destination, identification, ttl, 0);
    }

    /** The same with a type of service (IPv4) or traffic class (IPv6): DSCP and ECN bits. ttl is IPv6's hop limit. */
    static IpHeader headerFor(IpAddress source, IpAddress destination, int identification, int ttl, int tos) {
        if (source.isV6() != destination.isV6())
            throw new IllegalArgumentException("addresses of two IP versions: " + source + " and " + destination);
        // RFC 6437 section 2 allows a flow label of 0 ("not labeled"); Linux sets one per
        // connection by default, but nothing on the path needs it for one TCP connection.
        return source.isV6() ? new Ipv6(tos & 0xff, 0, 0, PROTOCOL_TCP, ttl, source, destination, IPV6_HEADER_LEN)
                : Ipv4.forTcp(source.v4(), destination.v4(), identification, ttl, tos);
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
    static final byte[] NO_DATA = new byte[0];

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

        /** The same segment carrying this payload instead. */
        Tcp withPayload(byte[] newPayload) {
            return new Tcp(sourcePort, destinationPort, seq, ack, dataOffset, reserved, flags, window,
                    checksum, urgentPointer, options, newPayload);
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

    /** An IP packet (either version) that carries a TCP segment. */
    record Packet(IpHeader ip, Tcp tcp) {
        /** The IPv4 header; only for a packet known to be IPv4. */
        Ipv4 ipv4() { return (Ipv4) ip; }
    }

    // ---------------------------------------------------------------- parse

    /**
     * Parses an IPv4 or IPv6 packet carrying TCP from the buffer's position to its limit.
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
        if (buf.remaining() < 1) throw new Rejected(Problem.TRUNCATED_IP_HEADER, "empty packet: no IP header");
        IpHeader ip = u8(buf, buf.position()) >>> 4 == 6 ? parseIpv6(buf) : parseIpv4(buf);
        Tcp tcp = parseTcp(buf, ip, verifyTcpChecksum, reuse);
        checkSanity(ip);
        return new Packet(ip, tcp);
    }

    /**
     * Payload arrays kept from one received packet to the next, one per length: a bulk stream's
     * packets come in a few dozen lengths (the MSS, the coalesced packets of 2 to 45 segments that
     * a kernel sender's GRO makes, the last short one), so the receive path allocates nothing per
     * packet for its payload. One slot per KiB of length (a length's slot is n / 1024), so the
     * multiples of any MSS of 1024 bytes or more never share a slot, and what is held stays under
     * 2.1 MiB whatever lengths a peer sends. Not for segments anyone keeps.
     */
    static final class PayloadArrays {
        private final byte[][] arrays = new byte[65536 / 1024 + 1][];

        byte[] forLength(int n) {
            int slot = n >>> 10;
            byte[] a = arrays[slot];
            if (a == null || a.length != n) arrays[slot] = a = new byte[n];
            return a;
        }

        /** Bytes held in all the arrays kept. */
        long bytesHeld() {
            long sum = 0;
            for (byte[] a : arrays) if (a != null) sum += a.length;
            return sum;
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
        if (version != 4) throw new Rejected(Problem.NOT_IP, "IP version " + version + ", neither 4 nor 6");
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

    // IPv6 next-header values (IANA's protocol numbers) of the extension headers skipped on receive.
    static final int IPV6_HOP_BY_HOP = 0, IPV6_ROUTING = 43, IPV6_FRAGMENT = 44, IPV6_DESTINATION_OPTIONS = 60;

    /**
     * Integrity, IPv6 (RFC 8200): a fixed header that can be read, a payload length that fits, a
     * chain of extension headers that ends inside the packet at a TCP header. Hop-by-hop, routing
     * and destination options headers are skipped: RFC 8200 section 4: "extension headers ... are
     * not processed, inserted, or deleted by any node along a packet's delivery path, until the
     * packet reaches the node ... identified in the Destination Address field"; a routing header
     * with segments left would name another node, but a packet that reached us is ours to read
     * here. A fragment is refused: fragments are not reassembled.
     */
    private static Ipv6 parseIpv6(ByteBuffer buf) throws Rejected {
        int base = buf.position();
        int available = buf.remaining();
        if (available < IPV6_HEADER_LEN)
            throw new Rejected(Problem.TRUNCATED_IP_HEADER,
                    "truncated IPv6 header: " + available + " bytes, need " + IPV6_HEADER_LEN);
        int payloadLength = u16(buf, base + 4);
        if (IPV6_HEADER_LEN + payloadLength > available)
            throw new Rejected(Problem.BAD_PAYLOAD_LENGTH, "IPv6 payload length " + payloadLength
                    + " exceeds the " + (available - IPV6_HEADER_LEN) + " bytes after the header");
        // Bytes past the payload (link-layer padding) are not part of the packet.
        int end = base + IPV6_HEADER_LEN + payloadLength;
        int first = u8(buf, base + 6);
        int next = first, at = base + IPV6_HEADER_LEN;
        while (next == IPV6_HOP_BY_HOP || next == IPV6_ROUTING || next == IPV6_DESTINATION_OPTIONS || next == IPV6_FRAGMENT) {
            // RFC 8200 4.3: "The Hop-by-Hop Options header, when present, must immediately follow the IPv6 header."
            if (next == IPV6_HOP_BY_HOP && at != base + IPV6_HEADER_LEN)
                throw new Rejected(Problem.BAD_EXTENSION_HEADER, "hop-by-hop options header not right after the IPv6 header");
            if (at + 8 > end)
                throw new Rejected(Problem.BAD_EXTENSION_HEADER, "extension header " + next + " at byte " + (at - base)
                        + " runs past the packet's " + (end - base) + " bytes");
            if (next == IPV6_FRAGMENT)
                throw new Rejected(Problem.FRAGMENT, "IPv6 fragment header (fragments are not reassembled)");
            int length = (u8(buf, at + 1) + 1) * 8; // "Hdr Ext Len: ... in 8-octet units, not including the first 8 octets"
            if (at + length > end)
                throw new Rejected(Problem.BAD_EXTENSION_HEADER, "extension header " + next + " of " + length + " bytes at byte "
                        + (at - base) + " runs past the packet's " + (end - base) + " bytes");
            next = u8(buf, at);
            at += length;
        }
        if (next != PROTOCOL_TCP)
            throw new Rejected(Problem.NOT_TCP, "IPv6 next header " + next + ", not TCP (6)");
        int word0 = buf.getInt(base);
        return new Ipv6((word0 >>> 20) & 0xff, word0 & 0xfffff, payloadLength, first, u8(buf, base + 7),
                IpAddress.read(buf, base + 8, 16), IpAddress.read(buf, base + 24, 16), at - base);
    }

    /** Integrity, TCP: the segment after ip's header: lengths that fit, options that can be read, the checksum. */
    private static Tcp parseTcp(ByteBuffer buf, IpHeader ip, boolean verifyTcpChecksum, PayloadArrays reuse) throws Rejected {
        int t = buf.position() + ip.headerLength();
        int tcpLength = ip.packetLength() - ip.headerLength();
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
            int sum = Checksum.add(pseudoHeaderSum(ip, tcpLength), buf, t, tcpLength);
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
    private static void checkSanity(IpHeader ip) throws Rejected {
        // RFC 1122 section 4.2.3.10: a SYN from a broadcast or multicast address must be ignored;
        // no TCP segment comes from one (IPv6 has no broadcast; ff00::/8 is multicast, RFC 4291 2.7).
        if (ip.sourceAddress().isMulticastOrBroadcast())
            throw new Rejected(Problem.BAD_SOURCE_ADDRESS, "source address " + ip.sourceAddress()
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
     * The destination port of what looks like an IPv4/TCP or IPv6/TCP packet, or -1. Reads just
     * enough to decide whether a packet is addressed to us before the full parse; it proves nothing
     * about validity. For IPv6 it walks the extension headers (a first fragment's port counts, so
     * that the parse can say why the fragment is dropped).
     */
    static int peekDestinationPort(ByteBuffer buf) {
        int base = buf.position();
        if (buf.remaining() >= 1 && u8(buf, base) >>> 4 == 6) return peekIpv6DestinationPort(buf, base);
        if (buf.remaining() < IPV4_HEADER_LEN || u8(buf, base + 9) != PROTOCOL_TCP) return -1;
        int ipHeaderLen = (u8(buf, base) & 0x0f) * 4;
        if (ipHeaderLen < IPV4_HEADER_LEN || buf.remaining() < ipHeaderLen + 4) return -1;
        return u16(buf, base + ipHeaderLen + 2);
    }

    private static int peekIpv6DestinationPort(ByteBuffer buf, int base) {
        int end = buf.limit();
        if (end - base < IPV6_HEADER_LEN) return -1;
        int next = u8(buf, base + 6), at = base + IPV6_HEADER_LEN;
        for (int hops = 0; hops < 8 && next != PROTOCOL_TCP; hops++) {
            if (at + 8 > end) return -1;
            if (next == IPV6_FRAGMENT) {
                if ((u16(buf, at + 2) & 0xfff8) != 0) return -1; // not the first fragment: no TCP header
                next = u8(buf, at);
                at += 8;
            } else if (next == IPV6_HOP_BY_HOP || next == IPV6_ROUTING || next == IPV6_DESTINATION_OPTIONS) {
                int length = (u8(buf, at + 1) + 1) * 8;
                next = u8(buf, at);
                at += length;
            } else {
                return -1;
            }
        }
        if (next != PROTOCOL_TCP || at + 4 > end) return -1;
        return u16(buf, at + 2);
    }

    // ---------------------------------------------------------------- emit

    /**
     * Writes the packet at the buffer's position: the IPv4 header (IHL 5, total length and header
     * checksum computed), then the TCP segment with its checksum over the pseudo-header, header and
     * data. The ip record's length and checksum fields are ignored. Returns the number of bytes
     * written and advances the position by that much.
     */
    static int emit(ByteBuffer out, IpHeader ip, Tcp tcp) {
        return emit(out, ip, tcp, true);
    }

    /**
     * As {@link #emit(ByteBuffer, IpHeader, Tcp)}, for a segment that the kernel will cut and whose
     * checksums it will finish (segmentation offload): the TCP checksum field holds the sum of the
     * pseudo-header alone, folded and not complemented, the way a network card expects it
     * (CHECKSUM_PARTIAL). The data is not summed here: the kernel sums each piece.
     */
    static int emitForOffload(ByteBuffer out, IpHeader ip, Tcp tcp) {
        return emit(out, ip, tcp, false);
    }

    /**
     * As {@link #emitForOffload}, for a segment whose payload (payloadLength bytes, not in tcp) the
     * caller puts in place: writes the headers, leaves out's position after the whole packet, and
     * returns where the payload goes. The send path copies the payload there straight from the send
     * buffer, so that a large segment is never an array of its own.
     */
    static int emitHeadersForOffload(ByteBuffer out, IpHeader ip, Tcp tcp, int payloadLength) {
        if (tcp.payload().length != 0) throw new IllegalArgumentException("the segment carries its payload already");
        int payloadAt = emitHeaders(out, ip, tcp, payloadLength);
        int tcpLength = tcp.headerLength() + payloadLength;
        int t = payloadAt - tcp.headerLength();
        out.putShort(t + 16, (short) Checksum.add(pseudoHeaderSum(ip, tcpLength), 0));
        out.position(payloadAt + payloadLength);
        return payloadAt;
    }

    private static int emit(ByteBuffer out, IpHeader header, Tcp tcp, boolean fullChecksum) {
        int base = out.position();
        int tcpLength = tcp.headerLength() + tcp.payload().length;
        int at = emitHeaders(out, header, tcp, tcp.payload().length);
        int t = at - tcp.headerLength();
        out.put(at, tcp.payload());
        int pseudo = pseudoHeaderSum(header, tcpLength);
        if (fullChecksum) {
            out.putShort(t + 16, (short) Checksum.finish(Checksum.add(pseudo, out, t, tcpLength)));
        } else {
            out.putShort(t + 16, (short) Checksum.add(pseudo, 0));
        }
        int totalLength = t - base + tcpLength;
        out.position(base + totalLength);
        return totalLength;
    }

    /**
     * The IP header and the TCP header with its options, from out's position, for a segment of
     * payloadLength bytes of data; the checksum field is left 0. Returns where the data goes.
     */
    private static int emitHeaders(ByteBuffer out, IpHeader header, Tcp tcp, int payloadLength) {
        int base = out.position();
        int tcpLength = tcp.headerLength() + payloadLength;
        int ipHeaderLength;
        if (header instanceof Ipv6 ip6) {
            ipHeaderLength = IPV6_HEADER_LEN;
            out.putInt(base, 6 << 28 | (ip6.trafficClass() & 0xff) << 20 | (ip6.flowLabel() & 0xfffff));
            out.putShort(base + 4, (short) tcpLength);  // payload length: no extension headers
            out.put(base + 6, (byte) PROTOCOL_TCP);     // next header
            out.put(base + 7, (byte) ip6.hopLimit());
            ip6.source().put(out, base + 8);
            ip6.destination().put(out, base + 24);
        } else {
            ipHeaderLength = IPV4_HEADER_LEN;
            emitIpv4(out, base, (Ipv4) header, IPV4_HEADER_LEN + tcpLength);
        }
        int t = base + ipHeaderLength;
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
        return at;
    }

    /** The IPv4 header at base: IHL 5, the total length given, the header checksum computed. */
    private static void emitIpv4(ByteBuffer out, int base, Ipv4 ip, int totalLength) {
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
    }

    /**
     * The pseudo-header of ip's version. IPv6's, RFC 8200 section 8.1: source address, destination
     * address, "Upper-Layer Packet Length" (32 bits), 24 zero bits and "Next Header" (6 for TCP,
     * "the Upper-Layer Protocol ... [not] that of the IPv6 header if there are extension headers").
     */
    static int pseudoHeaderSum(IpHeader ip, int tcpLength) {
        if (ip instanceof Ipv4 ip4) return pseudoHeaderSum(ip4.source(), ip4.destination(), tcpLength);
        Ipv6 ip6 = (Ipv6) ip;
        return ip6.source().wordSum() + ip6.destination().wordSum() + (tcpLength >>> 16) + (tcpLength & 0xffff) + PROTOCOL_TCP;
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
