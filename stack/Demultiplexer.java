import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which connection an arriving packet is for. A packet for none of our ports is not looked at;
 * one for our ports is parsed, then routed in a fixed order: the connection with that exact
 * 4-tuple, then the listener (a server's port), otherwise the answer of a closed port (RST, RFC
 * 9293 section 3.10.7.1). Holds the table of connections, the listener's state (accepting or not,
 * the settings per interface) and its backlog of half-open connections.
 */
final class Demultiplexer {
    private final TcpStack stack;        // hands segments to connections and makes new ones
    private final TcpStack.Settings settings;
    private final Log log;
    private final Wire wire;
    private final BitSet clientPorts = new BitSet(65536);
    private final Map<TcpStack.FourTuple, TcpStack.Connection> connections = new HashMap<>();
    private final LinkedHashSet<TcpStack.Connection> halfOpen = new LinkedHashSet<>(); // SYN-RECEIVED, oldest first
    private final Map<Integer, TcpConfig> configByInterface = new HashMap<>(); // key: index * 2 + (IPv6 ? 1 : 0)
    private boolean accepting = true;
    // The received payloads' arrays, reused packet after packet (none while a ladder draws them).
    private final Packets.PayloadArrays payloads = new Packets.PayloadArrays();
    // RFC 4987 section 3.6: SYN cookies when the backlog is full. Two secrets drawn once, as Linux's.
    private final SynCookies cookies;
    private long lastOverflowAt = -1; // when a cookie was last sent (cookies are checked for 2 minutes after)

    Demultiplexer(TcpStack stack, TcpStack.Settings settings, Log log, Wire wire, Set<Integer> clientPorts) {
        this.stack = stack;
        this.settings = settings;
        this.log = log;
        this.wire = wire;
        for (int port : clientPorts) this.clientPorts.set(port);
        java.security.SecureRandom random = new java.security.SecureRandom();
        this.cookies = new SynCookies(random.nextLong(), random.nextLong(), random.nextLong(), random.nextLong());
    }

    // ------------------------------------------------------------------ the table

    int size() { return connections.size(); }
    List<TcpStack.Connection> all() { return new ArrayList<>(connections.values()); }
    void add(TcpStack.Connection c) { connections.put(c.tuple, c); }

    /** Takes c out of the table and the backlog (the timer queue is the stack's). */
    void remove(TcpStack.Connection c) {
        connections.remove(c.tuple, c);
        halfOpen.remove(c);
    }

    /** The backlog counts the connections in SYN-RECEIVED. */
    void stateChanged(TcpStack.Connection c, TcpEvent.StateChanged s) {
        if (s.to() == TcpState.SYN_RECEIVED) halfOpen.add(c);
        if (s.from() == TcpState.SYN_RECEIVED) halfOpen.remove(c);
    }

    void stopAccepting() { accepting = false; }
    boolean listening() { return settings.listenPort >= 0 && accepting; }

    // ------------------------------------------------------------------ routing

    /**
     * One packet from the socket; checksumNotReady: the kernel left its TCP checksum to offload;
     * packetType: the frame's sll_pkttype (PacketInfo.PACKET_HOST for a frame addressed to us);
     * segmentSize: the gso_size of a packet that holds several segments (GRO), else 0.
     */
    void packetArrived(ByteBuffer packet, boolean checksumNotReady, int interfaceIndex, int packetType, int segmentSize) {
        if (Icmp.isIcmp(packet)) {
            icmpArrived(packet);
            return;
        }
        int port = Packets.peekDestinationPort(packet);
        if (port < 0 || !(port == settings.listenPort || clientPorts.get(port))) return; // not ours
        wire.captureReceived(packet);
        Packets.Packet p;
        try {
            p = Packets.parse(packet, !checksumNotReady, settings.ladder == null ? payloads : null);
        } catch (Packets.Rejected r) {
            if (log.verbose()) log.detail(null, "Dropped packet " + sourceOf(packet) + ": " + r.reason());
            return;
        }
        Packets.IpHeader ip = p.ip();
        Packets.Tcp seg = p.tcp();
        if (seg.sourcePort() == 0) {
            // Port 0 is reserved (IANA's port registry): no connection has it, so nothing could
            // answer. (The destination port is one of ours, so never 0.)
            if (log.verbose()) log.detail(null, "Dropped packet " + sourceOf(packet) + ": port 0 (source 0, destination " + port + ")");
            return;
        }
        IpAddress source = ip.sourceAddress(), destination = ip.destinationAddress();
        if (!forThisListenerOrClient(seg, source, destination, port, packetType)) return;
        if (!wire.survivesFaults(packet)) return; // --drop-received, --loss-received
        wire.draw(p);
        TcpStack.FourTuple tuple = new TcpStack.FourTuple(destination, seg.destinationPort(), source, seg.sourcePort());
        TcpStack.Connection c = connections.get(tuple);
        if (log.verbose()) {
            log.detail(c != null ? c.who() : null, "<- " + PacketText.describe(seg) + (checksumNotReady ? " (checksum left to offload)" : "")
                    + " from " + source.withPort(seg.sourcePort()) + Wire.ecnText(ip.tos()));
            for (Packets.TcpOption o : seg.options()) {
                if (o instanceof Packets.Malformed m) {
                    log.detail(c != null ? c.who() : null, "Malformed TCP option from " + source + ": "
                            + m.reason() + "; the segment is processed without it, as Linux does (RFC 9293 MUST-7)");
                }
            }
        }
        if (c != null && port == settings.listenPort && accepting && c.tcp.state() == TcpState.TIME_WAIT
                && seg.isSyn() && !seg.isAck() && !seg.isRst() && stack.synInTimeWait(c, seg)) {
            // RFC 6191: a newer SYN ended the old incarnation; the listener takes it, with the ISS
            // RFC 9293's MAY-2 asks for (past anything the old one sent).
            newConnection(tuple, seg, interfaceIndex, stack.reopenIss());
        } else if (c != null) {
            c.interfaceIndex = interfaceIndex;
            stack.segmentArrived(c, seg, ip.tos() & 3, segmentSize); // the IP header's ECN field (RFC 3168), GRO's gso_size
        } else if (port == settings.listenPort) {
            listen(tuple, seg, interfaceIndex);
        } else {
            closedPort(tuple, seg);
        }
    }

    /**
     * An ICMP error (RawSocket's filter passes destination unreachable and time exceeded). RFC 9293
     * 3.9.2.2: "A TCP implementation MUST act on an ICMP error message passed up from the IP layer,
     * directing it to the connection that created the error (MUST-54)": the connection is the one
     * whose 4-tuple the quoted segment carries (it went from us, so its source is our side). The
     * connection checks the quoted sequence number (IcmpArrives). ICMP about other programs'
     * traffic is none of ours and is not looked at further.
     */
    private void icmpArrived(ByteBuffer packet) {
        Icmp.Error e;
        try {
            e = Icmp.parse(packet);
        } catch (Icmp.Refused r) {
            if (log.verbose()) log.detail(null, "Ignored " + (Packets.u8(packet, packet.position()) >>> 4 == 6 ? "ICMPv6 " : "ICMP ") + sourceOf(packet) + ": " + r.reason());
            return;
        }
        boolean ourPort = e.sourcePort() == settings.listenPort || clientPorts.get(e.sourcePort());
        if (!ourPort) return;
        TcpStack.FourTuple tuple = new TcpStack.FourTuple(e.source(), e.sourcePort(), e.destination(), e.destinationPort());
        TcpStack.Connection c = connections.get(tuple);
        wire.captureReceived(packet);
        if (c == null) {
            if (log.verbose()) {
                log.detail(null, (e.v6() ? "ICMPv6 " : "ICMP ") + e.describe() + " from " + e.from() + " about " + e.source().withPort(e.sourcePort())
                        + " -> " + e.destination().withPort(e.destinationPort())
                        + ": no such connection, ignored");
            }
            return;
        }
        stack.icmpArrived(c, e);
    }

    /**
     * RFC 9293 section 3.10.7.1: "If the state is CLOSED (i.e., TCB does not exist) ... An incoming
     * segment not containing a RST causes a RST to be sent in response."
     */
    private void closedPort(TcpStack.FourTuple tuple, Packets.Tcp seg) {
        Packets.Tcp reset = TcpConnection.resetFor(seg);
        if (log.verbose()) {
            log.detail(null, "Segment for no connection from " + tuple.remoteAddress().withPort(seg.sourcePort())
                    + (reset != null ? ": sent RST" : ": RST ignored"));
        }
        if (reset != null) wire.transmit(tuple, reset, null);
    }

    /**
     * A segment for the listening port and no connection: LISTEN processing (RFC 9293 3.10.7.2),
     * whose rules are the Listener's. Only a SYN gets a TCB; a RST is ignored, an ACK is answered
     * with a RST, anything else is dropped, and nothing is kept for those.
     */
    private void listen(TcpStack.FourTuple tuple, Packets.Tcp seg, int interfaceIndex) {
        if (cookieAck(tuple, seg, interfaceIndex)) return;
        Listener.Answer answer = Listener.answer(seg);
        if (!answer.accept()) {
            if (log.verbose()) {
                log.detail(null, PacketText.flagNames(seg.flags()) + " from " + tuple.remoteAddress().withPort(tuple.remotePort())
                        + ": " + answer.dropped().reason());
            }
            if (answer.reset() != null) wire.transmit(tuple, answer.reset(), null);
            return;
        }
        if (!accepting) {
            if (log.verbose()) {
                log.detail(null, "SYN from " + tuple.remoteAddress().withPort(tuple.remotePort())
                        + " ignored: not accepting new connections");
            }
            return;
        }
        if (halfOpen.size() >= settings.backlog) {
            if (settings.synCookies) {
                answerWithCookie(tuple, seg, interfaceIndex);
                return;
            }
            recycleOldestHalfOpen();
        }
        TcpStack.Connection c = stack.newConnection(tuple, configFor(interfaceIndex, tuple.ipv6()));
        c.interfaceIndex = interfaceIndex;
        add(c);
        stack.synArrived(c, seg);
    }

    /**
     * RFC 4987 section 3.6, SYN cookies: "the server ... encodes [the state] into the sequence
     * number of the SYN-ACK"; nothing is kept, so a flood cannot push out a real client's half-open
     * connection (the oldest-first recycling of 3.5 did, under a flood fast enough).
     */
    private void answerWithCookie(TcpStack.FourTuple tuple, Packets.Tcp syn, int interfaceIndex) {
        long now = stack.now();
        lastOverflowAt = now;
        TcpConfig config = configFor(interfaceIndex, tuple.ipv6());
        SynCookies.Cookie cookie = cookies.isn(tuple.remoteAddress(), tuple.localAddress(), tuple.remotePort(), tuple.localPort(),
                syn.seq(), syn.mss() > 0 ? syn.mss() : Tcb.DEFAULT_SEND_MSS, SynCookies.counter(now));
        Packets.Tcp synAck = SynCookieHandshake.synAck(config, tuple.localPort(), tuple.remotePort(), stack.tsOffset(tuple),
                syn, cookie.isn(), now);
        if (log.verbose()) {
            log.detail(null, "SYN from " + tuple.remoteAddress().withPort(tuple.remotePort()) + ": backlog of "
                    + settings.backlog + " full, answering with a SYN cookie (ISN " + Seq.str(cookie.isn()) + ", MSS " + cookie.mss() + ")");
        }
        wire.transmit(tuple, synAck, null);
    }

    /**
     * An ACK for the listening port and no connection, within 2 minutes of a cookie: if it brings a
     * valid cookie back, the connection is made from it (SynCookies.check, SynCookieHandshake). False:
     * not a cookie's ACK; LISTEN's rules answer it (a RST).
     */
    private boolean cookieAck(TcpStack.FourTuple tuple, Packets.Tcp seg, int interfaceIndex) {
        if (!seg.isAck() || seg.isSyn() || seg.isRst() || !accepting) return false;
        long now = stack.now();
        if (!SynCookies.cookiesRecentlySent(lastOverflowAt, now)) return false;
        SynCookies.Checked checked = cookies.check(tuple.remoteAddress(), tuple.localAddress(), tuple.remotePort(), tuple.localPort(),
                seg, SynCookies.counter(now));
        TcpConfig config = configFor(interfaceIndex, tuple.ipv6());
        StringBuilder refusal = new StringBuilder();
        SynCookies.Options options = checked.valid()
                ? SynCookies.decodeTimestamp(seg, config.sack(), config.windowScaling(), false, refusal) : null;
        if (options == null) {
            if (log.verbose()) {
                log.detail(null, "ACK from " + tuple.remoteAddress().withPort(tuple.remotePort()) + ": "
                        + (checked.valid() ? refusal : checked.reason()));
            }
            return false;
        }
        if (log.verbose()) {
            log.detail(null, "ACK from " + tuple.remoteAddress().withPort(tuple.remotePort())
                    + " brings back a valid SYN cookie (MSS " + checked.mss() + "): connection made from it");
        }
        TcpStack.Connection c = stack.newConnection(tuple, config);
        c.interfaceIndex = interfaceIndex;
        add(c);
        stack.cookieAckArrived(c, seg, checked.mss(), options);
        return true;
    }

    /** A SYN that reopens a connection from TIME-WAIT: a new TCB in LISTEN takes it, with this ISS. */
    private void newConnection(TcpStack.FourTuple tuple, Packets.Tcp seg, int interfaceIndex, int iss) {
        TcpStack.Connection c = stack.newConnection(tuple, configFor(interfaceIndex, tuple.ipv6()));
        c.interfaceIndex = interfaceIndex;
        add(c);
        stack.synArrived(c, seg, iss);
    }

    /**
     * The backlog is full: the oldest half-open connection makes room, as RFC 4987 section 3.5
     * ("Recycling the Oldest Half-Open TCB") describes. Under a SYN flood a real client's handshake
     * completes within one round trip, long before its half-open entry becomes the oldest.
     */
    private void recycleOldestHalfOpen() {
        if (halfOpen.isEmpty()) return;
        TcpStack.Connection oldest = halfOpen.iterator().next();
        if (log.verbose()) {
            log.detail(oldest.who(), "Backlog of " + settings.backlog + " half-open connections full: dropping the oldest, from " + oldest.peer());
        }
        stack.forget(oldest);
    }

    /**
     * Whether a segment is this host's, and our listener's or client's to take: not to a
     * broadcast or multicast address or in such a frame (MUST-57), and to our --bind address.
     */
    private boolean forThisListenerOrClient(Packets.Tcp seg, IpAddress source, IpAddress destination, int port, int packetType) {
        String notForUs = notForThisHost(destination, packetType);
        if (notForUs != null) {
            // RFC 9293 3.9.2.3: "A TCP implementation MUST silently discard an incoming SYN segment
            // that is addressed to a broadcast or multicast address (MUST-57)." Linux's tcp_v4_rcv
            // discards every TCP segment not in a frame for this host, and tcp_v4_conn_request a
            // SYN to a broadcast or multicast route: no answer at all (the --verbose line is ours).
            if (log.verbose()) {
                log.detail(null, "Dropped " + PacketText.flagNames(seg.flags()) + " from " + source.withPort(seg.sourcePort())
                        + " to " + destination.withPort(port) + ": " + notForUs
                        + " (RFC 9293 MUST-57: silently discarded, as the kernel does)");
            }
            return false;
        }
        if (!isOurAddress(destination, port)) {
            if (log.verbose()) {
                log.detail(null, PacketText.flagNames(seg.flags()) + " from " + source.withPort(seg.sourcePort())
                        + " to " + destination.withPort(port) + ": not our address (--bind "
                        + settings.bindAddress + "), the kernel answers it");
            }
            return false;
        }
        return true;
    }

    /** Why a segment is not for this one host (a broadcast or multicast address or frame), or null. */
    private String notForThisHost(IpAddress destination, int packetType) {
        String address = settings.localAddresses.notUnicast(destination);
        if (address != null) return destination + " is " + address;
        return switch (packetType) {
            case PacketInfo.PACKET_BROADCAST -> "it came in a link-layer broadcast frame";
            case PacketInfo.PACKET_MULTICAST -> "it came in a link-layer multicast frame";
            case PacketInfo.PACKET_OTHERHOST -> "its frame was for another host";
            default -> null;
        };
    }

    /**
     * The listener's port takes packets to its bound address; without --bind (null) to any address
     * of either version, as a kernel listener on :: does; bound to 0.0.0.0 or ::, to any address of
     * that version.
     */
    private boolean isOurAddress(IpAddress destination, int port) {
        if (port != settings.listenPort) return true; // a client port: the 4-tuple lookup checks the address
        IpAddress bound = settings.bindAddress;
        if (bound == null) return true;
        if (bound.isV6() != destination.isV6()) return false;
        return bound.isAny() || destination.equals(bound);
    }

    /**
     * The settings for connections that arrive on an interface: its MTU gives the MSS we announce,
     * less 40 bytes of headers for IPv4 and 60 for IPv6.
     */
    private TcpConfig configFor(int interfaceIndex, boolean ipv6) {
        return configByInterface.computeIfAbsent(interfaceIndex * 2 + (ipv6 ? 1 : 0), key -> {
            try {
                return settings.tcp.withMss(Route.mssFor(Route.interfaceMtu(interfaceIndex), ipv6));
            } catch (LibC.NativeException e) {
                return settings.tcp;
            }
        });
    }

    private static String sourceOf(ByteBuffer packet) {
        int at = packet.position();
        boolean v6 = packet.remaining() > 0 && (packet.get(at) & 0xf0) == 0x60;
        if (packet.remaining() < (v6 ? Packets.IPV6_HEADER_LEN : Packets.IPV4_HEADER_LEN)) return "(too short to say where from)";
        return "from " + (v6 ? IpAddress.read(packet, at + 8, 16) : Packets.address(packet.getInt(at + 12)));
    }
}
