import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a capture into connections: the TCP segments are grouped by their two ends (either way
 * round), in the order each connection first appears, and each segment becomes an {@link Arrow}.
 *
 * Two passes per connection. The first finds, for each direction, the first sequence number
 * (the SYN's, else the first seen) and the window scale option. The second numbers every segment
 * relative to those and marks retransmissions: a segment whose data starts below the highest
 * sequence number its sender has already sent, or a SYN or FIN sent a second time.
 */
final class Conversations {
    private Conversations() {}

    /** The connections, and how many packets were not TCP over IPv4 or IPv6 (ARP, ICMP, ...). */
    record Result(List<Conversation> conversations, int skipped) {}

    private record Seen(int frame, long micros, Endpoint from, Packets.Tcp tcp, int ipEcn) {}

    /** The two ends in a fixed order, so that both directions find the same connection. */
    private record Key(Endpoint low, Endpoint high) {
        static Key of(Endpoint x, Endpoint y) {
            int c = Arrays.compareUnsigned(x.address().bytes(), y.address().bytes());
            if (c == 0) c = Integer.compare(x.port(), y.port());
            return c <= 0 ? new Key(x, y) : new Key(y, x);
        }
    }

    static Result of(PcapReader.Capture capture) throws BadCapture {
        if (!LinkLayer.supported(capture.linkType()))
            throw new BadCapture("link type " + capture.linkType() + " is not supported (readable: 101 and 12 raw IP, "
                    + "as our programs write, 228 raw IPv4, 1 Ethernet, 113 and 276 Linux cooked as tcpdump -i any writes)");
        Map<Key, List<Seen>> byEnds = new LinkedHashMap<>();
        Map<Key, List<Icmp.Error>> icmpByEnds = new LinkedHashMap<>();
        Map<Icmp.Error, long[]> icmpWhen = new java.util.IdentityHashMap<>(); // frame, micros
        int skipped = 0;
        for (PcapReader.Record r : capture.records()) {
            byte[] ip = LinkLayer.ip(capture.linkType(), r.data(), r.originalLength());
            Packets.Packet p = null;
            if (ip != null) {
                try {
                    // Checksums are not checked: the kernel leaves them to the network card (offload),
                    // so captures hold unfinished ones.
                    p = Packets.parse(ByteBuffer.wrap(ip), false);
                } catch (Packets.Rejected e) {
                    p = null;
                }
            }
            if (p == null && ip != null && Icmp.isIcmp(ByteBuffer.wrap(ip))) {
                try {
                    Icmp.Error e = Icmp.parse(ByteBuffer.wrap(ip));
                    Key k = Key.of(new Endpoint(e.source(), e.sourcePort()), new Endpoint(e.destination(), e.destinationPort()));
                    icmpByEnds.computeIfAbsent(k, x -> new ArrayList<>()).add(e);
                    icmpWhen.put(e, new long[] {r.number(), r.micros()});
                    continue;
                } catch (Icmp.Refused notAnError) {
                    // counted as skipped below
                }
            }
            if (p == null) { skipped++; continue; }
            Endpoint from = new Endpoint(p.ip().sourceAddress(), p.tcp().sourcePort());
            Endpoint to = new Endpoint(p.ip().destinationAddress(), p.tcp().destinationPort());
            byEnds.computeIfAbsent(Key.of(from, to), k -> new ArrayList<>()).add(new Seen(r.number(), r.micros(), from, p.tcp(), p.ip().tos() & 3));
        }
        List<Conversation> conversations = new ArrayList<>();
        for (Map.Entry<Key, List<Seen>> e : byEnds.entrySet()) {
            Conversation c = analyse(conversations.size() + 1, e.getKey(), e.getValue());
            List<Icmp.Error> errors = icmpByEnds.remove(e.getKey());
            if (errors != null) c = withNotes(c, errors, icmpWhen, e.getValue().get(0).micros());
            conversations.add(c);
        }
        for (List<Icmp.Error> unmatched : icmpByEnds.values()) skipped += unmatched.size();
        return new Result(conversations, skipped);
    }

    /**
     * What one end has sent so far, as far as the capture shows: what numbering its arrows needs.
     * Also used one segment at a time, as the segments happen (app/LiveLadder.java).
     */
    static final class Sender {
        int base;              // the sequence number that shows as 0
        boolean hasBase, baseFromSyn;
        int windowScale = -1;  // the shift of its SYN's window scale option, -1 without
        boolean sentSyn, sentFin;
        int highestEnd;        // one past the highest sequence number it has sent
        boolean hasSent;
        long tsBase = -1;      // its first TSval (RFC 7323), which shows as 0; -1 before one is seen

        /** Learns the first sequence number (its SYN's, else the first seen), the window scale and the first TSval. */
        void learnBase(Packets.Tcp t) {
            Packets.Timestamps ts = timestamps(t);
            if (ts != null && tsBase < 0) tsBase = Integer.toUnsignedLong(ts.value());
            if (t.isSyn() && !baseFromSyn) {
                baseFromSyn = true;
                base = t.seq();
                windowScale = windowScale(t);
            } else if (!hasBase) {
                base = t.seq();
            }
            hasBase = true;
        }
    }

    /** The ICMP errors about a conversation's segments, as notes at their place in time. */
    private static Conversation withNotes(Conversation c, List<Icmp.Error> errors, Map<Icmp.Error, long[]> when, long start) {
        List<Conversation.IcmpNote> notes = new ArrayList<>();
        for (Icmp.Error e : errors) {
            long[] at = when.get(e);
            boolean toA = e.source().equals(c.a().address()) && e.sourcePort() == c.a().port();
            notes.add(new Conversation.IcmpNote((int) at[0], at[1] - start, toA,
                    (e.v6() ? "ICMPv6 " : "ICMP ") + e.describe() + " from " + e.from()));
        }
        return new Conversation(c.number(), c.a(), c.b(), c.arrows(), notes);
    }

    private static Conversation analyse(int number, Key key, List<Seen> segments) {
        Endpoint a = clientOf(segments);
        Endpoint b = a.equals(key.low()) ? key.high() : key.low();
        Sender fromA = new Sender(), fromB = new Sender();

        // Pass 1: each direction's first sequence number and window scale.
        for (Seen s : segments) (s.from().equals(a) ? fromA : fromB).learnBase(s.tcp());

        // Pass 2: the arrows.
        long start = segments.get(0).micros();
        List<Arrow> arrows = new ArrayList<>();
        for (Seen s : segments) {
            boolean isA = s.from().equals(a);
            arrows.add(arrow(s.frame(), s.micros() - start, isA, s.tcp(), s.ipEcn(), isA ? fromA : fromB, isA ? fromB : fromA));
        }
        return new Conversation(number, a, b, arrows);
    }

    /**
     * The arrow of segment t from sender to receiver: seq relative to the sender's base, ack to the
     * receiver's, the window scaled when both SYNs agreed on it; ipEcn is the ECN field of its IP
     * header (RFC 3168: 0 not ECT, 2 ECT(0), 1 ECT(1), 3 CE). Records what t sent.
     */
    static Arrow arrow(int frame, long micros, boolean fromA, Packets.Tcp t, int ipEcn, Sender sender, Sender receiver) {
        // RFC 7323 section 2.2: scaling is on only when both SYNs carried the option.
        int shift = sender.windowScale >= 0 && receiver.windowScale >= 0 ? sender.windowScale : 0;
        return new Arrow(frame, micros, fromA, t.flags(),
                Integer.toUnsignedLong(t.seq() - sender.base),
                t.isAck() ? Integer.toUnsignedLong(t.ack() - receiver.base) : -1,
                t.payload().length,
                // RFC 7323 section 2.2: "The window field in a segment where the SYN bit is set
                // MUST NOT be scaled."
                t.isSyn() ? t.window() : (long) t.window() << shift,
                t.isSyn() ? t.mss() : -1, t.isSyn() ? windowScale(t) : -1,
                t.isSyn() && t.sackPermitted(),
                sackBlocks(t, receiver.base),
                timestampsText(t, sender, receiver), ipEcn,
                isRetransmission(sender, t));
    }

    private static Packets.Timestamps timestamps(Packets.Tcp t) {
        for (Packets.TcpOption o : t.options()) if (o instanceof Packets.Timestamps ts) return ts;
        return null;
    }

    /**
     * RFC 7323's option as "ts=TSval/TSecr", each relative to the first TSval its clock's owner sent
     * (the sender's for TSval, the receiver's for TSecr), as seq and ack are: "ts=40/12". A TSecr of
     * 0 (a SYN's) stays 0. "" without the option.
     */
    private static String timestampsText(Packets.Tcp t, Sender sender, Sender receiver) {
        Packets.Timestamps ts = timestamps(t);
        if (ts == null) return "";
        long value = (Integer.toUnsignedLong(ts.value()) - sender.tsBase) & 0xffffffffL;
        long echo = ts.echoReply() == 0 || receiver.tsBase < 0 ? Integer.toUnsignedLong(ts.echoReply())
                : (Integer.toUnsignedLong(ts.echoReply()) - receiver.tsBase) & 0xffffffffL;
        return "ts=" + value + "/" + echo;
    }

    /** The SACK blocks of t, relative to the base of the data they acknowledge: "2921-4381,5841-7301". */
    private static String sackBlocks(Packets.Tcp t, int base) {
        StringBuilder text = new StringBuilder();
        for (Packets.TcpOption o : t.options()) {
            if (!(o instanceof Packets.Sack sack)) continue;
            for (int i = 0; i < sack.blocks(); i++) {
                if (!text.isEmpty()) text.append(',');
                text.append(Integer.toUnsignedLong(sack.left(i) - base)).append('-').append(Integer.toUnsignedLong(sack.right(i) - base));
            }
        }
        return text.toString();
    }

    /** True when t repeats data, a SYN or a FIN its sender already sent; then records what t sent. */
    private static boolean isRetransmission(Sender sender, Packets.Tcp t) {
        int dataStart = t.seq() + (t.isSyn() ? 1 : 0);
        boolean repeated = (t.isSyn() && sender.sentSyn)
                || (t.isFin() && sender.sentFin)
                || (t.payload().length > 0 && sender.hasSent && Seq.lt(dataStart, sender.highestEnd));
        int end = t.seq() + t.segmentLength();
        if (!sender.hasSent || Seq.gt(end, sender.highestEnd)) sender.highestEnd = end;
        sender.hasSent = true;
        sender.sentSyn |= t.isSyn();
        sender.sentFin |= t.isFin();
        return repeated;
    }

    /** The end that sent the first SYN without ACK, or else the sender of the first segment. */
    private static Endpoint clientOf(List<Seen> segments) {
        for (Seen s : segments) if (s.tcp().isSyn() && !s.tcp().isAck()) return s.from();
        return segments.get(0).from();
    }

    private static int windowScale(Packets.Tcp t) {
        for (Packets.TcpOption o : t.options()) if (o instanceof Packets.WindowScale w) return w.shift();
        return -1;
    }
}
