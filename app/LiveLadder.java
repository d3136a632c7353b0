import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * --ladder: each packet we send or receive becomes one line of a ladder diagram as it happens,
 * drawn as Ladder.java draws a capture (viz/LadderText.java), with our end on the left:
 *
 * <pre>
 *     time ms  127.0.0.1:40000                                                  127.0.0.1:5000
 *       0.000  |------------------ SYN seq=0 len=0 win=65535 mss=65495 ws=5 ------------------>|
 *       0.112  |<------------ SYN-ACK seq=0 ack=1 len=0 win=65535 mss=65495 ws=5 -------------|
 * </pre>
 *
 * Sequence and acknowledgment numbers are relative to each end's first SYN (or the first segment
 * seen, for a connection whose SYN we never saw), windows are scaled once both SYNs agreed on it,
 * and a segment that repeats data, a SYN or a FIN is marked "retransmission". Times are
 * milliseconds since the connection's first packet.
 *
 * No I/O: each line goes to the consumer given (the program's Log). The header line that names
 * the two ends comes before a connection's first arrow, and again whenever the arrows switch
 * from one connection to another. A SYN on the ports of a connection that ended (RST, or a FIN
 * each way) starts a new ladder; the last {@link #REMEMBERED} connections are remembered.
 */
final class LiveLadder {
    /** Columns of a line: with the log's "[Client] " in front, at most 100. */
    static final int WIDTH = 91;
    /** Connections remembered at most (a server may see any number); the oldest is forgotten. */
    static final int REMEMBERED = 10_000;

    /** One connection as the ladder numbers it: our end and the peer's, and when it began. */
    private static final class Ends {
        final Endpoint local, remote;
        final long startMicros;
        final Conversations.Sender us = new Conversations.Sender(), peer = new Conversations.Sender();
        boolean reset;

        boolean ended() { return reset || (us.sentFin && peer.sentFin); }

        Ends(Endpoint local, Endpoint remote, long startMicros) {
            this.local = local;
            this.remote = remote;
            this.startMicros = startMicros;
        }
    }

    private record Key(Endpoint local, Endpoint remote) {}

    private final Consumer<String> out;
    private final int width;
    private final Map<Key, Ends> connections = new LinkedHashMap<>(16, 0.75f, false) {
        private static final long serialVersionUID = 1L;
        @Override protected boolean removeEldestEntry(Map.Entry<Key, Ends> eldest) { return size() > REMEMBERED; }
    };
    private Ends lastDrawn;

    /** Lines of {@link #WIDTH} columns go to out, one call per line, without a newline. */
    LiveLadder(Consumer<String> out) {
        this(out, WIDTH);
    }

    LiveLadder(Consumer<String> out, int width) {
        this.out = out;
        this.width = width;
    }

    /** An IP packet we are sending (as it goes on the wire); micros is any clock in microseconds. */
    void sent(ByteBuffer ipPacket, long micros) {
        Packets.Packet p;
        try {
            p = Packets.parse(ipPacket, false);
        } catch (Packets.Rejected e) {
            return; // we built it; nothing we send fails to parse, and a picture is no place to complain
        }
        arrow(p.tcp(), p.ip().tos() & 3, true, micros, new Endpoint(p.ip().sourceAddress(), p.tcp().sourcePort()),
                new Endpoint(p.ip().destinationAddress(), p.tcp().destinationPort()));
    }

    /** A packet we received and are about to process. */
    void received(Packets.Packet p, long micros) {
        arrow(p.tcp(), p.ip().tos() & 3, false, micros, new Endpoint(p.ip().destinationAddress(), p.tcp().destinationPort()),
                new Endpoint(p.ip().sourceAddress(), p.tcp().sourcePort()));
    }

    /** One arrow: seg went from local to remote (sent) or the other way, at micros, with its IP header's ECN field. */
    void arrow(Packets.Tcp seg, int ipEcn, boolean sent, long micros, Endpoint local, Endpoint remote) {
        Key key = new Key(local, remote);
        Ends c = connections.get(key);
        if (c == null || (c.ended() && seg.isSyn() && !seg.isAck())) {
            c = new Ends(local, remote, micros);
            connections.remove(key); // a new one goes to the end of the order, as the newest
            connections.put(key, c);
        }
        if (c != lastDrawn) {
            out.accept(LadderText.header(c.local, c.remote, width));
            lastDrawn = c;
        }
        Conversations.Sender sender = sent ? c.us : c.peer, receiver = sent ? c.peer : c.us;
        sender.learnBase(seg);
        c.reset |= seg.isRst();
        out.accept(LadderText.line(Conversations.arrow(0, micros - c.startMicros, sent, seg, ipEcn, sender, receiver), width));
    }
}
