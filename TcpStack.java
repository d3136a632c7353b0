import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.ArrayList;
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
        default void received(Connection c, byte[] data) {}
        default void peerClosed(Connection c) {}
        default void closed(Connection c, TcpEvent.Closed how) {}
        /** Asked once per turn of the loop (at least every 100 ms); false ends the loop. */
        boolean keepRunning(long nowMillis);
    }

    record FourTuple(int localAddress, int localPort, int remoteAddress, int remotePort) {}

    /** Settings of the loop; the connections' own settings are in TcpConnection.Config. */
    static final class Settings {
        TcpConnection.Config tcp = TcpConnection.Config.defaults();
        int bindAddress;                 // 0: any local address
        int listenPort = -1;             // -1: not a server
        int backlog = 256;               // at most this many connections in SYN-RECEIVED
        boolean nameConnections;         // log lines name their connection (several at once)
        int receiveBuffer = 4 << 20;     // bytes of kernel queue for the packet socket
        int spinMicros = 30;             // after activity, poll this long before sleeping (0: never)
    }

    /** One connection: its 4-tuple, its state machine, and what the program keeps with it. */
    final class Connection implements TcpConnection.Output {
        final FourTuple tuple;
        final TcpConnection tcp;
        final long id = nextConnectionId++; // orders connections with the same deadline
        long scheduledDeadline = TcpConnection.NEVER; // its place in the timer set
        boolean established;             // the handshake completed once
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
            TcpStack.this.transmit(tuple, segment, who());
        }

        @Override public void event(TcpEvent event) {
            if (log.enabled()) narrator.narrate(who(), peer(), settings.tcp.msl(), event);
            pending.add(new Pending(this, event));
        }

        void send(byte[] bytes) {
            if (log.enabled()) log.info(who(), "Sending " + bytes.length + (bytes.length == 1 ? " byte: " : " bytes: ") + Log.quote(bytes));
            tcp.send(bytes, now(), this);
            afterCall(this);
        }

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

    private final Settings settings;
    private final RawSocket socket;
    private final Log log;
    private final Narrator narrator;
    private final IsnGenerator isns = new IsnGenerator();
    private final Pcap pcap;
    private final Set<Integer> clientPorts;
    private final Map<FourTuple, Connection> connections = new HashMap<>();
    /** Connections with a timer, earliest deadline first; each appears once, under its current deadline. */
    private final TreeSet<Connection> timers = new TreeSet<>(
            Comparator.comparingLong((Connection c) -> c.scheduledDeadline).thenComparingLong(c -> c.id));
    private long nextConnectionId;
    private final ArrayDeque<Pending> pending = new ArrayDeque<>();
    private final Map<Integer, TcpConnection.Config> configByPeer = new HashMap<>();
    private final LinkedHashSet<Connection> halfOpen = new LinkedHashSet<>(); // SYN-RECEIVED, oldest first
    private final ByteBuffer outgoing = ByteBuffer.allocateDirect(RawSocket.MAX_PACKET).order(ByteOrder.BIG_ENDIAN);
    private final long startNanos = System.nanoTime();
    private final long startEpochMicros = System.currentTimeMillis() * 1000;
    private Application application;
    private boolean draining;
    private boolean accepting = true;
    private volatile boolean stopRequested;
    private int ipIdentification;
    private long lastActivityNanos;      // the last packet sent or received

    TcpStack(Settings settings, RawSocket socket, Log log, Pcap pcap, Set<Integer> clientPorts) {
        this.settings = settings;
        this.socket = socket;
        this.log = log;
        this.narrator = new Narrator(log);
        this.pcap = pcap;
        this.clientPorts = Set.copyOf(clientPorts);
        this.ipIdentification = (int) (startNanos & 0xffff);
    }

    /** Milliseconds since the stack started: the state machines' clock. */
    long now() {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }

    int openConnections() { return connections.size(); }
    List<Connection> connections() { return new ArrayList<>(connections.values()); }
    int halfOpenConnections() { return halfOpen.size(); }

    /** A server stops taking new connections (SYNs to its port are then ignored). */
    void stopAccepting() { accepting = false; }

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
        while (!stopRequested && app.keepRunning(now())) {
            runDueTimers(now());
            long nextTimer = timers.isEmpty() ? Long.MAX_VALUE : timers.first().scheduledDeadline;
            int wait = (int) Math.max(0, Math.min(100, nextTimer - now()));
            ByteBuffer packet = spinForPacket();
            if (packet == null && socket.awaitPacket(wait)) packet = socket.receive();
            while (packet != null) {
                lastActivityNanos = System.nanoTime();
                handlePacket(packet, socket.lastChecksumNotReady());
                packet = socket.receive();
            }
        }
        if (stopRequested && !connections.isEmpty()) {
            log.always(null, "Interrupted: resetting " + connections.size() + " open connection"
                    + (connections.size() == 1 ? "" : "s"));
            for (Connection c : connections()) c.abort("interrupted");
        }
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

    private void handlePacket(ByteBuffer packet, boolean checksumNotReady) {
        int port = Packets.peekDestinationPort(packet);
        if (port < 0 || !(port == settings.listenPort || clientPorts.contains(port))) return; // not ours
        capture(packet);
        Packets.Packet p;
        try {
            p = Packets.parse(packet, !checksumNotReady);
        } catch (Packets.Rejected r) {
            log.detail(null, "Dropped packet " + sourceOf(packet) + ": " + r.reason());
            return;
        }
        Packets.Ipv4 ip = p.ip();
        Packets.Tcp seg = p.tcp();
        if (!isOurAddress(ip.destination(), port)) return;
        FourTuple tuple = new FourTuple(ip.destination(), seg.destinationPort(), ip.source(), seg.sourcePort());
        Connection c = connections.get(tuple);
        String who = c != null ? c.who() : null;
        if (log.verbose()) {
            log.detail(who, "<- " + Packets.describe(seg) + (checksumNotReady ? " (checksum left to offload)" : "")
                    + " from " + Packets.address(ip.source()) + ":" + seg.sourcePort());
        }
        if (c != null) {
            c.tcp.onSegment(seg, now(), c);
            afterCall(c);
        } else if (port == settings.listenPort) {
            listen(tuple, seg);
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

    /** A segment for the listening port and no connection: LISTEN processing (RFC 9293 3.10.7.2). */
    private void listen(FourTuple tuple, Packets.Tcp seg) {
        if (seg.isSyn() && !seg.isAck() && !seg.isRst()) {
            if (!accepting) {
                log.detail(null, "SYN from " + Packets.address(tuple.remoteAddress()) + ":" + tuple.remotePort()
                        + " ignored: not accepting new connections");
                return;
            }
            if (halfOpen.size() >= settings.backlog) recycleOldestHalfOpen();
        }
        TcpConnection.Config config = configFor(tuple.remoteAddress());
        Connection c = new Connection(tuple, new TcpConnection(config, tuple.localPort(), tuple.remotePort()));
        int iss = isns.isn(tuple.localAddress(), tuple.localPort(), tuple.remoteAddress(), tuple.remotePort(), System.nanoTime());
        // Only a SYN makes the connection live; for anything else it answers and is forgotten.
        connections.put(tuple, c);
        c.tcp.listen(iss, c);
        c.tcp.onSegment(seg, now(), c);
        if (c.tcp.state() == TcpState.LISTEN) connections.remove(tuple);
        afterCall(c);
    }

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

    private TcpConnection.Config configFor(int remoteAddress) {
        return configByPeer.computeIfAbsent(remoteAddress, address -> {
            try {
                return settings.tcp.withMss(Route.mssFor(Route.lookup(address).mtu()));
            } catch (LibC.NativeException e) {
                return settings.tcp;
            }
        });
    }

    // ------------------------------------------------------------------ after each call

    /** Delivers the events of the last call to the application, then re-arms the timer. */
    private void afterCall(Connection first) {
        reschedule(first);
        if (draining) return; // the outer call delivers them
        draining = true;
        try {
            Pending p;
            while ((p = pending.poll()) != null) {
                deliver(p.connection(), p.event());
                reschedule(p.connection());
            }
        } finally {
            draining = false;
        }
    }

    private void deliver(Connection c, TcpEvent event) {
        if (event instanceof TcpEvent.StateChanged s) {
            if (s.to() == TcpState.SYN_RECEIVED) halfOpen.add(c);
            if (s.from() == TcpState.SYN_RECEIVED) halfOpen.remove(c);
            if (s.to() == TcpState.ESTABLISHED && !c.established) {
                c.established = true;
                application.established(c);
            }
            if (s.to() == TcpState.CLOSE_WAIT) application.peerClosed(c);
        } else if (event instanceof TcpEvent.DataReceived d) {
            application.received(c, d.data());
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
            c.tcp.onTimer(now, c);
            afterCall(c);
        }
    }

    // ------------------------------------------------------------------ sending

    private void transmit(FourTuple tuple, Packets.Tcp segment, String who) {
        outgoing.clear();
        Packets.Ipv4 ip = Packets.Ipv4.forTcp(tuple.localAddress(), tuple.remoteAddress(), ipIdentification++, 64);
        int length = Packets.emit(outgoing, ip, segment);
        outgoing.flip();
        if (log.verbose()) {
            int checksum = Packets.u16(outgoing, Packets.IPV4_HEADER_LEN + 16);
            log.detail(who, "-> " + Packets.describe(segment.withChecksum(checksum)) + " to "
                    + Packets.address(tuple.remoteAddress()) + ":" + tuple.remotePort());
        }
        capture(outgoing);
        lastActivityNanos = System.nanoTime();
        try {
            socket.send(outgoing, tuple.remoteAddress());
        } catch (LibC.NativeException e) {
            log.always(who, "Could not send a " + Packets.flagNames(segment.flags()) + " of " + length + " bytes: " + e.getMessage());
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
