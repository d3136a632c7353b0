import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The stack's side of the wire: segments become IP packets (version 4 or 6) and go out through the raw socket,
 * and what the wire carries either way is shown and, on request, spoiled on purpose. Here are the
 * emitting of each segment, segmentation offload (GsoSender, or the same segments cut here), the
 * fault options (FaultInjector), the capture file (--pcap), the live ladder (--ladder) and the
 * --verbose line of each segment sent.
 */
final class Wire {
    private final TcpStack.Settings settings;
    private final PacketPort socket;
    private final Log log;
    private final Pcap pcap;                        // null without --pcap
    private final FaultInjector<ByteBuffer> faults; // null without fault options
    private GsoSender gso;                          // opened at the first large segment
    private boolean gsoUnavailable;
    private final java.util.Map<IpAddress, IpAddress> nextHops = new java.util.HashMap<>(); // remote address -> next hop
    private final ByteBuffer outgoing = ByteBuffer.allocateDirect(RawSocket.MAX_PACKET).order(ByteOrder.BIG_ENDIAN);
    private final long startNanos;                  // the stack's start: TcpStack.now() counts from it too
    private final long startEpochMicros = System.currentTimeMillis() * 1000;
    private int ipIdentification;
    private long lastActivityNanos;                 // the last packet sent or received

    Wire(TcpStack.Settings settings, PacketPort socket, Log log, Pcap pcap, long startNanos) {
        this.settings = settings;
        this.socket = socket;
        this.log = log;
        this.pcap = pcap;
        this.startNanos = startNanos;
        this.ipIdentification = (int) (startNanos & 0xffff);
        this.faults = settings.faults.active()
                ? new FaultInjector<>(settings.faults, settings.faultSeed, PacketText::summary, line -> log.always(null, line))
                : null;
    }

    private long millis() { return (System.nanoTime() - startNanos) / 1_000_000; }
    private long micros() { return (System.nanoTime() - startNanos) / 1000; }

    /** When a packet last went out or came in: the loop polls for a while after it. */
    long lastActivityNanos() { return lastActivityNanos; }

    // ------------------------------------------------------------------ receiving

    /** A packet came in (ours or not). */
    void noteActivity() { lastActivityNanos = System.nanoTime(); }

    /** A packet for one of our ports came in: into the capture, as the wire carried it. */
    void captureReceived(ByteBuffer packet) { capture(packet); }

    /** False when --drop-received or --loss-received loses this packet: it is as if it never came. */
    boolean survivesFaults(ByteBuffer packet) {
        return faults == null || faults.onReceive(packet, millis());
    }

    /** A received packet that the stack takes: an arrow of the live ladder. */
    void draw(Packets.Packet p) {
        if (settings.ladder != null) settings.ladder.received(p, micros());
    }

    // ------------------------------------------------------------------ sending

    /**
     * The IP header of what we send. RFC 9293 section 3.9.2: "The TTL value used to send TCP
     * segments MUST be configurable" (MUST-49); section 3.9.1.9: "The application layer MUST be able
     * to specify the Differentiated Services field for segments that are sent on a connection" (MUST-48).
     */
    private Packets.IpHeader ipHeader(TcpStack.FourTuple tuple, int identification, int ipEcn) {
        // The TOS byte (IPv6: the traffic class, RFC 8200 section 3; the TTL is its hop limit): DSCP
        // in its six high bits, RFC 3168's ECN field in the two low ones.
        return Packets.headerFor(tuple.localAddress(), tuple.remoteAddress(), identification, settings.ttl, settings.dscp << 2 | ipEcn & 3);
    }

    /** Emits and sends a segment; c names the connection in log lines (null for none). */
    void transmit(TcpStack.FourTuple tuple, Packets.Tcp segment, TcpStack.Connection c) {
        transmit(tuple, segment, c, 0);
    }

    /** The same, with this ECN field in the IP header (RFC 3168 section 5: ECT(0) on our data once negotiated). */
    void transmit(TcpStack.FourTuple tuple, Packets.Tcp segment, TcpStack.Connection c, int ipEcn) {
        if (c != null && segment.payload().length > c.tcp.sendMss()) {
            transmitLarge(tuple, segment, c, c.tcp.sendMss(), ipEcn);
            return;
        }
        outgoing.clear();
        Packets.IpHeader ip = ipHeader(tuple, ipIdentification++, ipEcn);
        Packets.emit(outgoing, ip, segment);
        outgoing.flip();
        if (log.verbose()) {
            int checksum = Packets.u16(outgoing, ip.headerLength() + 16);
            log.detail(c == null ? null : c.who(), "-> " + PacketText.describe(segment.withChecksum(checksum)) + " to "
                    + tuple.remoteAddress().withPort(tuple.remotePort()) + ecnText(ipEcn));
        }
        if (faults == null) {
            sendNow(outgoing, c);
        } else {
            // The injector may hold the packet back, so it gets a copy (outgoing is reused).
            ByteBuffer copy = ByteBuffer.allocate(outgoing.remaining()).put(outgoing.duplicate()).flip();
            for (ByteBuffer p : faults.onSend(copy, millis())) sendNow(p, c);
        }
    }

    /**
     * A segment larger than the MSS (TcpConfig.largeSegments): one frame that the kernel cuts into
     * MSS-sized segments (GsoSender), or, where that cannot be done, the same segments cut here.
     */
    private void transmitLarge(TcpStack.FourTuple tuple, Packets.Tcp segment, TcpStack.Connection c, int mss, int ipEcn) {
        if (offload(tuple, segment, c, mss, ipEcn)) return;
        byte[] data = segment.payload();
        for (int off = 0; off < data.length; off += mss) {
            int n = Math.min(mss, data.length - off);
            boolean last = off + n == data.length;
            int flags = last ? segment.flags() : segment.flags() & ~(Packets.PSH | Packets.FIN);
            if (off > 0) flags &= ~Packets.CWR; // RFC 3168: CWR on the first new segment only, as the kernel's GSO cuts
            transmit(tuple, Packets.Tcp.of(segment.sourcePort(), segment.destinationPort(), segment.seq() + off, segment.ack(),
                    flags, segment.window(), segment.options(), java.util.Arrays.copyOfRange(data, off, off + n)), c, ipEcn);
        }
    }

    /**
     * A data segment whose bytes are still in the send buffer (TcpConnection.Output.transmitData):
     * when it is larger than the MSS and the kernel can cut it, its headers and then its data,
     * copied straight from the send buffer, go into the one frame, with no array in between;
     * false when it must go the usual way (smaller, no offload here, or --pcap, --ladder or faults,
     * which see each packet).
     */
    boolean transmitStraight(TcpStack.FourTuple tuple, Packets.Tcp header, SendBuffer data, int offset, int length,
                             TcpStack.Connection c, int ipEcn) {
        int mss = c.tcp.sendMss();
        if (length <= mss || faults != null || pcap != null || settings.ladder != null) return false;
        IpAddress nextHop = offloadNextHop(tuple, c);
        if (nextHop == null) return false;
        outgoing.clear();
        Packets.IpHeader ip = ipHeader(tuple, ipIdentification, ipEcn);
        int payloadAt = Packets.emitHeadersForOffload(outgoing, ip, header, length);
        data.copyOut(offset, outgoing, payloadAt, length);
        outgoing.flip();
        ipIdentification += (length + mss - 1) / mss; // one ID per segment the kernel makes
        return sendOffloaded(nextHop, c, mss);
    }

    /** The next hop a frame for the kernel to cut goes to, or null when offload cannot be done now. */
    private IpAddress offloadNextHop(TcpStack.FourTuple tuple, TcpStack.Connection c) {
        if (gso == null && !gsoUnavailable) {
            try {
                gso = GsoSender.open();
            } catch (LibC.NativeException e) {
                gsoUnavailable = true;
            }
        }
        IpAddress nextHop = nextHops.computeIfAbsent(tuple.remoteAddress(), Route::nextHop); // a router on a routed path
        if (gso == null || c.interfaceIndex <= 0 || !gso.canSend(c.interfaceIndex, nextHop)) return null;
        return nextHop;
    }

    /** Hands a large segment to the kernel to cut (GsoSender); false when that cannot be done. */
    private boolean offload(TcpStack.FourTuple tuple, Packets.Tcp segment, TcpStack.Connection c, int mss, int ipEcn) {
        IpAddress nextHop = offloadNextHop(tuple, c);
        if (nextHop == null) return false;
        outgoing.clear();
        Packets.IpHeader ip = ipHeader(tuple, ipIdentification, ipEcn);
        ipIdentification += (segment.payload().length + mss - 1) / mss; // one ID per segment the kernel makes
        Packets.emitForOffload(outgoing, ip, segment); // the kernel finishes each piece's checksum
        outgoing.flip();
        return sendOffloaded(nextHop, c, mss);
    }

    /** Gives the frame in outgoing to GsoSender; on failure, offload is off from then on. */
    private boolean sendOffloaded(IpAddress nextHop, TcpStack.Connection c, int mss) {
        lastActivityNanos = System.nanoTime();
        try {
            gso.send(outgoing, c.interfaceIndex, nextHop, mss);
            return true;
        } catch (LibC.NativeException | RuntimeException e) {
            gsoUnavailable = true;
            gso.close();
            gso = null;
            log.detail(c.who(), "Segmentation offload failed (" + e.getMessage() + "): cutting segments ourselves");
            return false;
        }
    }

    /** The IP header's ECN field in a --verbose line (RFC 3168 section 5), nothing for Not-ECT. */
    static String ecnText(int ipEcn) {
        return switch (ipEcn & 3) {
            case 1 -> " (IP: ECT(1))";
            case 2 -> " (IP: ECT(0))";
            case 3 -> " (IP: CE, congestion experienced)";
            default -> "";
        };
    }

    /** Sends the packets that --delay or --reorder held back and whose time came (all: Long.MAX_VALUE). */
    void sendHeld(long until) {
        if (faults != null) for (ByteBuffer p : faults.due(until)) sendNow(p, null);
    }

    /** When a held packet is due, or Long.MAX_VALUE. */
    long nextHeldDeadline() {
        return faults == null ? Long.MAX_VALUE : faults.nextDeadline();
    }

    /** Puts a packet on the wire (and in the capture, which so shows the wire as it was). */
    private void sendNow(ByteBuffer packet, TcpStack.Connection c) {
        capture(packet);
        if (settings.ladder != null) settings.ladder.sent(packet, micros());
        lastActivityNanos = System.nanoTime();
        try {
            socket.send(packet);
        } catch (LibC.NativeException e) {
            int at = packet.position();
            String destination = (packet.get(at) & 0xf0) == 0x60 ? IpAddress.read(packet, at + 24, 16).toString()
                    : Packets.address(packet.getInt(at + 16));
            log.always(c == null ? null : c.who(), "Could not send a packet of " + packet.remaining() + " bytes to "
                    + destination + ": " + e.getMessage());
        }
    }

    private void capture(ByteBuffer packet) {
        if (pcap == null) return;
        try {
            pcap.write(packet, startEpochMicros + micros());
        } catch (IOException e) {
            log.always(null, "Could not write the capture: " + e.getMessage());
        }
    }
}
