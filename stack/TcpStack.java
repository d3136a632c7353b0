import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Comparator;
import java.util.Set;
import java.util.TreeSet;

/**
 * The I/O around the state machines: one receive loop that reads IPv4 packets from the raw socket,
 * keeps those addressed to our ports, parses them, and hands each to the connection its 4-tuple
 * names; segments the connections want sent are emitted and sent; their timers are run from the
 * same loop. One thread, no locks.
 *
 * Incoming segments are routed in a fixed order: the connection with that exact 4-tuple, then the
 * listener (a server's port), otherwise the answer of a closed port (RST, RFC 9293 section 3.10.7.1).
 */
final class TcpStack {

    /** What the program does with its connections. Callbacks may call the connection's methods. */
    interface Application {
        default void established(Connection c) {}
        /** Data waits in the receive buffer: take it with c.read(). What stays there keeps the
         *  window we advertise smaller, down to zero: that is how a slow reader slows the peer. */
        default void readable(Connection c) {}
        /** Acknowledgments made room in the send buffer: c.write() takes more now. */
        default void writable(Connection c) {}
        /** The peer sent its FIN: after the data still in the receive buffer, nothing more comes. */
        default void peerClosed(Connection c) {}
        default void closed(Connection c, TcpEvent.Closed how) {}
        /** Asked once per turn of the loop (at least every maxSleepMillis()); false ends the loop. */
        boolean keepRunning(long nowMillis);
        /** How long the loop may sleep waiting for packets before asking keepRunning again. */
        default int maxSleepMillis() { return 100; }
    }

    record FourTuple(int localAddress, int localPort, int remoteAddress, int remotePort) {}

    /** Settings of the loop; the connections' own settings are in TcpConfig. */
    static final class Settings {
        TcpConfig tcp = TcpConfig.defaults();
        int bindAddress;                 // 0: any local address
        int listenPort = -1;             // -1: not a server
        int backlog = 256;               // at most this many connections in SYN-RECEIVED
        boolean nameConnections;         // log lines name their connection (several at once)
        int receiveBuffer = 4 << 20;     // bytes of kernel queue for the packet socket
        int spinMicros = 30;             // after activity, poll this long before sleeping (0: never)
        boolean injectInternalError;     // tests only: an exception once a handshake completes
        FaultInjector.Settings faults = new FaultInjector.Settings(); // --drop-sent and the others
        long faultSeed = 1;
        LiveLadder ladder;               // --ladder: each packet drawn as it goes (null: off)
        boolean segmentationOffload;     // large segments go out through GsoSender (or are cut here)
    }

    /** One connection: its 4-tuple, its state machine, and what the program keeps with it. */
    final class Connection implements TcpConnection.Output {
        final FourTuple tuple;
        final TcpConnection tcp;
        final long id = nextConnectionId++; // orders connections with the same deadline
        long scheduledDeadline = TcpConnection.NEVER; // its place in the timer set
        boolean established;             // the handshake completed once
        boolean narrateData = true;      // log each read and write with its bytes (off for bulk data)
        long retransmissions;            // segments sent again, by timeout or fast retransmit
        int interfaceIndex;              // where its packets last came in: where large segments go out
        Object data;                     // the application's own state

        Connection(FourTuple tuple, TcpConnection tcp) {
            this.tuple = tuple;
            this.tcp = tcp;
        }

        /** "host:port" of the other end. */
        String peer() {
            return Packets.address(tuple.remoteAddress()) + ":" + tuple.remotePort();
        }

        /** How log lines name this connection, or null when only one connection is open. */
        String who() {
            if (!settings.nameConnections && connections.size() <= 1) return null;
            return settings.listenPort >= 0 ? peer() : ":" + tuple.localPort();
        }

        @Override public void transmit(Packets.Tcp segment) {
            TcpStack.this.transmit(tuple, segment, this);
        }

        @Override public void event(TcpEvent event) {
            if (event instanceof TcpEvent.Retransmitting || event instanceof TcpEvent.FastRetransmit) retransmissions++;
            if (log.enabled()) narrator.narrate(who(), peer(), settings.tcp.msl(), event);
            pending.add(new Pending(this, event));
        }

        /** True when the connection may still send data (SEND is allowed in this state). */
        boolean canSend() {
            TcpState s = tcp.state();
            return s == TcpState.ESTABLISHED || s == TcpState.CLOSE_WAIT;
        }

        /** Writes what fits in the send buffer, returns how many bytes; logs them when narrating. */
        int write(byte[] bytes, int off, int len) {
            int n = Math.min(len, tcp.writable());
            if (n > 0 && narrateData && log.enabled()) { // said before the segments it makes
                byte[] shown = off == 0 && n == bytes.length ? bytes : java.util.Arrays.copyOfRange(bytes, off, off + n);
                log.info(who(), "Sending " + n + (n == 1 ? " byte: " : " bytes: ") + Log.quote(shown));
            }
            n = tcp.write(bytes, off, n, now(), this);
            afterCall(this);
            return n;
        }

        /** Writes all of bytes, which must fit in the send buffer (short messages). */
        void send(byte[] bytes) {
            if (tcp.writable() < bytes.length) throw new IllegalStateException("send buffer full");
            write(bytes, 0, bytes.length);
        }

        /** Reads up to len bytes received; returns how many (0: none waiting). */
        int read(byte[] dst, int off, int len) {
            int n = tcp.read(dst, off, len, now(), this);
            if (n > 0 && narrateData && log.enabled()) {
                log.info(who(), "Received " + n + (n == 1 ? " byte: " : " bytes: ") + Log.quote(java.util.Arrays.copyOfRange(dst, off, off + n)));
            }
            afterCall(this);
            return n;
        }

        int readable() { return tcp.readable(); }
        int writable() { return tcp.writable(); }
        /** The peer's FIN came and every byte before it was read. */
        boolean atEndOfStream() { return tcp.atEndOfStream(); }

        void close() {
            tcp.close(now(), this);
            afterCall(this);
        }

        void abort(String why) {
            tcp.abort(why, this);
            afterCall(this);
        }
    }

    private record Pending(Connection connection, TcpEvent event) {}
    private static final int BATCH = 256; // packets handled per turn of the loop

    private final Settings settings;
    private final RawSocket socket;
    private final Log log;
    private final Narrator narrator;
    private final IsnGenerator isns = new IsnGenerator();
    private final Pcap pcap;
    private final FaultInjector<ByteBuffer> faults; // null without fault options
    private GsoSender gso;                          // opened at the first large segment
    private boolean gsoUnavailable;
    private final BitSet clientPorts = new BitSet(65536);
    private final Map<FourTuple, Connection> connections = new HashMap<>();
    /** Connections with a timer, earliest deadline first; each appears once, under its current deadline. */
    private final TreeSet<Connection> timers = new TreeSet<>(
            Comparator.comparingLong((Connection c) -> c.scheduledDeadline).thenComparingLong(c -> c.id));
    private long nextConnectionId;
    private final ArrayDeque<Pending> pending = new ArrayDeque<>();
    private final List<Connection> touched = new ArrayList<>(); // connections of the events being delivered
    private final Map<Integer, TcpConfig> configByInterface = new HashMap<>();
    private final LinkedHashSet<Connection> halfOpen = new LinkedHashSet<>(); // SYN-RECEIVED, oldest first
    private final ByteBuffer outgoing = ByteBuffer.allocateDirect(RawSocket.MAX_PACKET).order(ByteOrder.BIG_ENDIAN);
    private final long startNanos = System.nanoTime();
    private final long startEpochMicros = System.currentTimeMillis() * 1000;
    private Application application;
    private boolean draining;
    private boolean accepting = true;
    private volatile boolean stopRequested;
    private String internalError;        // the first bug seen: it ends the loop
    private int ipIdentification;
    private long lastActivityNanos;      // the last packet sent or received

    TcpStack(Settings settings, RawSocket socket, Log log, Pcap pcap, Set<Integer> clientPorts) {
        this.settings = settings;
        this.socket = socket;
        this.log = log;
        this.narrator = new Narrator(log);
        this.pcap = pcap;
        for (int port : clientPorts) this.clientPorts.set(port);
        this.ipIdentification = (int) (startNanos & 0xffff);
        this.faults = settings.faults.active()
                ? new FaultInjector<>(settings.faults, settings.faultSeed, PacketText::summary, line -> log.always(null, line))
                : null;
    }

    /** Milliseconds since the stack started: the state machines' clock. */
    long now() {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }

    int openConnections() { return connections.size(); }
    List<Connection> connections() { return new ArrayList<>(connections.values()); }

    /** A server stops taking new connections (SYNs to its port are then ignored). */
    void stopAccepting() { accepting = false; }

    /** A server that still takes new connections. */
    boolean listening() { return settings.listenPort >= 0 && accepting; }

    /** Asks the loop to end (from a signal handler's thread): open connections are reset. */
    void requestStop() { stopRequested = true; }

    /** Opens a connection from our port to the peer: sends the SYN. */
    Connection connect(int localAddress, int localPort, int remoteAddress, int remotePort) {
        FourTuple tuple = new FourTuple(localAddress, localPort, remoteAddress, remotePort);
        Connection c = new Connection(tuple, new TcpConnection(settings.tcp, localPort, remotePort));
        connections.put(tuple, c);
        int iss = isns.isn(localAddress, localPort, remoteAddress, remotePort, System.nanoTime());
        c.tcp.open(iss, now(), c);
        afterCall(c);
        return c;
    }

    /** Runs until the application says stop or a stop is requested; then resets what is still open. */
    void run(Application app) throws LibC.NativeException {
        this.application = app;
        while (!stopRequested && internalError == null && app.keepRunning(now())) {
            runDueTimers(now());
            if (faults != null) for (ByteBuffer p : faults.due(now())) sendNow(p, null);
            long nextTimer = timers.isEmpty() ? Long.MAX_VALUE : timers.first().scheduledDeadline;
            if (faults != null) nextTimer = Math.min(nextTimer, faults.nextDeadline());
            int wait = (int) Math.max(0, Math.min(app.maxSleepMillis(), nextTimer - now()));
            ByteBuffer packet = spinForPacket();
            if (packet == null && socket.awaitPacket(wait)) packet = socket.receive();
            // A bounded batch: under a steady stream, timers and stop requests still get their turn.
            for (int handled = 0; packet != null; packet = ++handled < BATCH ? socket.receive() : null) {
                lastActivityNanos = System.nanoTime();
                handlePacket(packet, socket.lastChecksumNotReady(), socket.lastInterfaceIndex());
            }
        }
        if ((stopRequested || internalError != null) && !connections.isEmpty()) {
            log.always(null, (stopRequested ? "Interrupted" : "Stopping after an internal error") + ": resetting "
                    + connections.size() + " open connection" + (connections.size() == 1 ? "" : "s"));
            for (Connection c : connections()) {
                try {
                    c.abort(stopRequested ? "interrupted" : "internal error");
                } catch (RuntimeException e) {
                    // resetting is all we can still do for it
                }
            }
        }
        if (faults != null) for (ByteBuffer p : faults.due(Long.MAX_VALUE)) sendNow(p, null); // held packets, RSTs included
    }

    /**
     * Shortly after traffic, an answer usually follows within microseconds: polling for it costs
     * less than going to sleep and being woken (which alone takes several microseconds, twice per
     * round trip). Idle, the loop sleeps at once. Returns a packet, or null when none came in time.
     */
    private ByteBuffer spinForPacket() throws LibC.NativeException {
        if (settings.spinMicros <= 0) return null;
        long until = lastActivityNanos + settings.spinMicros * 1_000L;
        while (System.nanoTime() < until) {
            ByteBuffer packet = socket.receive();
            if (packet != null) return packet;
        }
        return null;
    }

    // ------------------------------------------------------------------ receiving

    private void handlePacket(ByteBuffer packet, boolean checksumNotReady, int interfaceIndex) {
        int port = Packets.peekDestinationPort(packet);
        if (port < 0 || !(port == settings.listenPort || clientPorts.get(port))) return; // not ours
        capture(packet);
        Packets.Packet p;
        try {
            p = Packets.parse(packet, !checksumNotReady);
        } catch (Packets.Rejected r) {
            if (log.verbose()) log.detail(null, "Dropped packet " + sourceOf(packet) + ": " + r.reason());
            return;
        }
        Packets.Ipv4 ip = p.ip();
        Packets.Tcp seg = p.tcp();
        if (!isOurAddress(ip.destination(), port)) return;
        if (faults != null && !faults.onReceive(packet, now())) return; // --drop-received, --loss-received
        if (settings.ladder != null) settings.ladder.received(p, (System.nanoTime() - startNanos) / 1000);
        FourTuple tuple = new FourTuple(ip.destination(), seg.destinationPort(), ip.source(), seg.sourcePort());
        Connection c = connections.get(tuple);
        if (log.verbose()) {
            log.detail(c != null ? c.who() : null, "<- " + PacketText.describe(seg) + (checksumNotReady ? " (checksum left to offload)" : "")
                    + " from " + Packets.address(ip.source()) + ":" + seg.sourcePort());
        }
        if (c != null) {
            c.interfaceIndex = interfaceIndex;
            try {
                c.tcp.onSegment(seg, now(), c);
                afterCall(c);
            } catch (RuntimeException e) {
                internalError(c, e);
            }
        } else if (port == settings.listenPort) {
            listen(tuple, seg, interfaceIndex);
        } else {
            // RFC 9293 section 3.10.7.1: "If the state is CLOSED (i.e., TCB does not exist) ...
            // An incoming segment not containing a RST causes a RST to be sent in response."
            Packets.Tcp reset = TcpConnection.resetFor(seg);
            if (log.verbose()) {
                log.detail(null, "Segment for no connection from " + Packets.address(ip.source()) + ":" + seg.sourcePort()
                        + (reset != null ? ": sent RST" : ": RST ignored"));
            }
            if (reset != null) transmit(tuple, reset, null);
        }
    }

    /**
     * A segment for the listening port and no connection: LISTEN processing (RFC 9293 3.10.7.2),
     * whose rules are the Listener's. Only a SYN gets a TCB; a RST is ignored, an ACK is answered
     * with a RST, anything else is dropped, and nothing is kept for those.
     */
    private void listen(FourTuple tuple, Packets.Tcp seg, int interfaceIndex) {
        Listener.Answer answer = Listener.answer(seg);
        if (!answer.accept()) {
            if (log.verbose()) {
                log.detail(null, PacketText.flagNames(seg.flags()) + " from " + Packets.address(tuple.remoteAddress())
                        + ":" + tuple.remotePort() + ": " + answer.dropped().reason());
            }
            if (answer.reset() != null) transmit(tuple, answer.reset(), null);
            return;
        }
        if (!accepting) {
            if (log.verbose()) {
                log.detail(null, "SYN from " + Packets.address(tuple.remoteAddress()) + ":" + tuple.remotePort()
                        + " ignored: not accepting new connections");
            }
            return;
        }
        if (halfOpen.size() >= settings.backlog) recycleOldestHalfOpen();
        Connection c = new Connection(tuple, new TcpConnection(configFor(interfaceIndex), tuple.localPort(), tuple.remotePort()));
        c.interfaceIndex = interfaceIndex;
        int iss = isns.isn(tuple.localAddress(), tuple.localPort(), tuple.remoteAddress(), tuple.remotePort(), System.nanoTime());
        connections.put(tuple, c);
        try {
            c.tcp.listen(iss, c);
            c.tcp.onSegment(seg, now(), c);
            afterCall(c);
        } catch (RuntimeException e) {
            internalError(c, e);
        }
    }

    /**
     * A bug showed (an exception from the state machine or the application). Never expected: the
     * loop ends, the other connections are reset, and the program exits non-zero with the reason in
     * one line (Program.run). A test failing on this line is a test that found a bug.
     */
    private void internalError(Connection c, RuntimeException e) {
        pending.clear();
        draining = false;
        StackTraceElement at = e.getStackTrace().length > 0 ? e.getStackTrace()[0] : null;
        if (internalError == null) internalError = e + (at == null ? "" : " at " + at);
        try {
            connections.remove(c.tuple, c);
            halfOpen.remove(c);
            unschedule(c);
            c.tcp.abort("internal error", c);
        } catch (RuntimeException again) {
            // the connection is gone from the table either way
        }
        pending.clear(); // its Closed event goes nowhere: the program is ending
    }

    /** The first internal error, or null: then the program must exit non-zero. */
    String internalError() { return internalError; }

    /**
     * The backlog is full: the oldest half-open connection makes room, as RFC 4987 section 3.5
     * ("Recycling the Oldest Half-Open TCB") describes. Under a SYN flood a real client's handshake
     * completes within one round trip, long before its half-open entry becomes the oldest.
     */
    private void recycleOldestHalfOpen() {
        if (halfOpen.isEmpty()) return;
        Connection oldest = halfOpen.iterator().next();
        halfOpen.remove(oldest);
        if (log.verbose()) {
            log.detail(oldest.who(), "Backlog of " + settings.backlog + " half-open connections full: dropping the oldest, from " + oldest.peer());
        }
        connections.remove(oldest.tuple);
        unschedule(oldest);
    }

    private boolean isOurAddress(int destination, int port) {
        if (port == settings.listenPort) return settings.bindAddress == 0 || destination == settings.bindAddress;
        return true; // a client port: the 4-tuple lookup checks the address
    }

    /** The settings for connections that arrive on an interface: its MTU gives the MSS we announce. */
    private TcpConfig configFor(int interfaceIndex) {
        return configByInterface.computeIfAbsent(interfaceIndex, index -> {
            try {
                return settings.tcp.withMss(Route.mssFor(Route.interfaceMtu(index)));
            } catch (LibC.NativeException e) {
                return settings.tcp;
            }
        });
    }

    // ------------------------------------------------------------------ after each call

    /**
     * Delivers the events of the last call to the application; then each connection involved sends
     * the ACK it still owes (when the application's answer did not carry it) and re-arms its timer.
     */
    private void afterCall(Connection first) {
        if (draining) return; // the outer call delivers them
        draining = true;
        try {
            touched.add(first);
            Pending p;
            while ((p = pending.poll()) != null) {
                deliver(p.connection(), p.event());
                if (!touched.contains(p.connection())) touched.add(p.connection());
            }
            // Only now, after every event: data and a FIN in one segment give the application two
            // events, and the answer to the second (our FIN) can still carry the owed ACK.
            for (Connection c : touched) settle(c);
        } finally {
            touched.clear();
            draining = false;
        }
    }

    private void settle(Connection c) {
        c.tcp.flushAck(c);
        reschedule(c);
    }

    private void deliver(Connection c, TcpEvent event) {
        if (event instanceof TcpEvent.StateChanged s) {
            if (s.to() == TcpState.SYN_RECEIVED) halfOpen.add(c);
            if (s.from() == TcpState.SYN_RECEIVED) halfOpen.remove(c);
            if (s.to() == TcpState.ESTABLISHED && !c.established) {
                c.established = true;
                if (settings.injectInternalError) throw new IllegalStateException("injected by --inject-internal-error");
                application.established(c);
            }
            if (s.to() == TcpState.CLOSE_WAIT) application.peerClosed(c);
        } else if (event instanceof TcpEvent.Readable) {
            application.readable(c);
        } else if (event instanceof TcpEvent.Writable) {
            application.writable(c);
        } else if (event instanceof TcpEvent.Closed closed) {
            connections.remove(c.tuple, c);
            halfOpen.remove(c);
            unschedule(c);
            application.closed(c, closed);
        }
    }

    private void reschedule(Connection c) {
        long deadline = c.tcp.nextDeadline();
        if (deadline == c.scheduledDeadline) return;
        unschedule(c);
        if (deadline == TcpConnection.NEVER) return;
        c.scheduledDeadline = deadline;
        timers.add(c);
    }

    private void unschedule(Connection c) {
        if (c.scheduledDeadline == TcpConnection.NEVER) return;
        timers.remove(c); // found under its current deadline, so remove before changing it
        c.scheduledDeadline = TcpConnection.NEVER;
    }

    private void runDueTimers(long now) {
        while (!timers.isEmpty() && timers.first().scheduledDeadline <= now) {
            Connection c = timers.pollFirst();
            c.scheduledDeadline = TcpConnection.NEVER;
            try {
                c.tcp.onTimer(now, c);
                afterCall(c);
            } catch (RuntimeException e) {
                internalError(c, e);
            }
        }
    }

    // ------------------------------------------------------------------ sending

    /**
     * A segment larger than the MSS (TcpConfig.largeSegments): one frame that the kernel cuts into
     * MSS-sized segments (GsoSender), or, where that cannot be done, the same segments cut here.
     */
    private void transmitLarge(FourTuple tuple, Packets.Tcp segment, Connection c, int mss) {
        if (gso == null && !gsoUnavailable) {
            try {
                gso = GsoSender.open();
            } catch (LibC.NativeException e) {
                gsoUnavailable = true;
            }
        }
        if (gso != null && c.interfaceIndex > 0 && gso.canSend(c.interfaceIndex, tuple.remoteAddress())) {
            outgoing.clear();
            Packets.Ipv4 ip = Packets.Ipv4.forTcp(tuple.localAddress(), tuple.remoteAddress(), ipIdentification, 64);
            ipIdentification += (segment.payload().length + mss - 1) / mss; // one ID per segment the kernel makes
            Packets.emitForOffload(outgoing, ip, segment); // the kernel finishes each piece's checksum
            outgoing.flip();
            lastActivityNanos = System.nanoTime();
            try {
                gso.send(outgoing, c.interfaceIndex, tuple.remoteAddress(), mss);
                return;
            } catch (LibC.NativeException | RuntimeException e) {
                gsoUnavailable = true;
                gso.close();
                gso = null;
                log.detail(c.who(), "Segmentation offload failed (" + e.getMessage() + "): cutting segments ourselves");
            }
        }
        byte[] data = segment.payload();
        for (int off = 0; off < data.length; off += mss) {
            int n = Math.min(mss, data.length - off);
            boolean last = off + n == data.length;
            int flags = last ? segment.flags() : segment.flags() & ~(Packets.PSH | Packets.FIN);
            transmit(tuple, Packets.Tcp.of(segment.sourcePort(), segment.destinationPort(), segment.seq() + off, segment.ack(),
                    flags, segment.window(), segment.options(), java.util.Arrays.copyOfRange(data, off, off + n)), c);
        }
    }

    /** Emits and sends a segment; c names the connection in log lines (null for none). */
    private void transmit(FourTuple tuple, Packets.Tcp segment, Connection c) {
        if (c != null && segment.payload().length > c.tcp.sendMss()) {
            transmitLarge(tuple, segment, c, c.tcp.sendMss());
            return;
        }
        outgoing.clear();
        Packets.Ipv4 ip = Packets.Ipv4.forTcp(tuple.localAddress(), tuple.remoteAddress(), ipIdentification++, 64);
        Packets.emit(outgoing, ip, segment);
        outgoing.flip();
        if (log.verbose()) {
            int checksum = Packets.u16(outgoing, Packets.IPV4_HEADER_LEN + 16);
            log.detail(c == null ? null : c.who(), "-> " + PacketText.describe(segment.withChecksum(checksum)) + " to "
                    + Packets.address(tuple.remoteAddress()) + ":" + tuple.remotePort());
        }
        if (faults == null) {
            sendNow(outgoing, c);
        } else {
            // The injector may hold the packet back, so it gets a copy (outgoing is reused).
            ByteBuffer copy = ByteBuffer.allocate(outgoing.remaining()).put(outgoing.duplicate()).flip();
            for (ByteBuffer p : faults.onSend(copy, now())) sendNow(p, c);
        }
    }

    /** Puts a packet on the wire (and in the capture, which so shows the wire as it was). */
    private void sendNow(ByteBuffer packet, Connection c) {
        capture(packet);
        if (settings.ladder != null) settings.ladder.sent(packet, (System.nanoTime() - startNanos) / 1000);
        lastActivityNanos = System.nanoTime();
        int destination = packet.getInt(packet.position() + 16);
        try {
            socket.send(packet, destination);
        } catch (LibC.NativeException e) {
            log.always(c == null ? null : c.who(), "Could not send a packet of " + packet.remaining() + " bytes to "
                    + Packets.address(destination) + ": " + e.getMessage());
        }
    }

    private void capture(ByteBuffer packet) {
        if (pcap == null) return;
        try {
            pcap.write(packet, startEpochMicros + (System.nanoTime() - startNanos) / 1000);
        } catch (IOException e) {
            log.always(null, "Could not write the capture: " + e.getMessage());
        }
    }

    private static String sourceOf(ByteBuffer packet) {
        if (packet.remaining() < Packets.IPV4_HEADER_LEN) return "(too short to say where from)";
        return "from " + Packets.address(packet.getInt(packet.position() + 12));
    }
}
