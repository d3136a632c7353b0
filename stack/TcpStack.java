import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The I/O around the state machines: one receive loop that reads IPv4 packets from the raw socket
 * and hands each to the Demultiplexer, which finds the connection its 4-tuple names (or the
 * listener); the segments the connections want sent go out through the Wire; their timers wait in
 * the TimerQueue and are run from the same loop. After each call into a connection, its events go
 * to the Application. One thread, no locks.
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

    /** Addresses of one version, IPv4 or IPv6. */
    record FourTuple(IpAddress localAddress, int localPort, IpAddress remoteAddress, int remotePort) {
        boolean ipv6() { return localAddress.isV6(); }
    }

    /** Settings of the loop; the connections' own settings are in TcpConfig. */
    static final class Settings {
        TcpConfig tcp = TcpConfig.defaults();
        IpAddress bindAddress;           // null: any address of both versions; 0.0.0.0 or ::, any of one
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
        LocalAddresses localAddresses = new LocalAddresses(java.util.Map.of()); // broadcast addresses: no connection to them
        int ttl = 64;                    // --ttl: the IP time to live of what we send (RFC 9293 MUST-49)
        int dscp;                        // --dscp: the Differentiated Services codepoint (MUST-48)
        boolean synCookies = true;       // a full backlog answers with SYN cookies (RFC 4987); --no-syn-cookies
    }

    /** One connection: its 4-tuple, its state machine, and what the program keeps with it. */
    final class Connection implements TcpConnection.Output {
        final FourTuple tuple;
        final TcpConnection tcp;
        final long id = nextConnectionId++; // orders connections with the same deadline
        long scheduledDeadline = TcpConnection.NEVER; // its place in the TimerQueue
        boolean established;             // the handshake completed once
        boolean narrateData = true;      // log each read and write with its bytes (off for bulk data)
        long retransmissions;            // segments sent again, by timeout or fast retransmit
        int interfaceIndex;              // where its packets last came in: where large segments go out
        Object data;                     // the application's own state
        boolean forgotten;               // out of the table (forget): nothing may put it back in the timer queue

        Connection(FourTuple tuple, TcpConnection tcp) {
            this.tuple = tuple;
            this.tcp = tcp;
        }

        /** "host:port" of the other end ("[host]:port" for IPv6). */
        String peer() {
            return tuple.remoteAddress().withPort(tuple.remotePort());
        }

        /** How log lines name this connection, or null when only one connection is open. */
        String who() {
            if (!settings.nameConnections && demux.size() <= 1) return null;
            return settings.listenPort >= 0 ? peer() : ":" + tuple.localPort();
        }

        @Override public void transmit(Packets.Tcp segment, int ipEcn) {
            wire.transmit(tuple, segment, this, ipEcn);
        }

        @Override public void transmit(Packets.Tcp segment) {
            wire.transmit(tuple, segment, this);
        }

        @Override public void transmitData(Packets.Tcp header, SendBuffer data, int offset, int length, int ipEcn) {
            if (!wire.transmitStraight(tuple, header, data, offset, length, this, ipEcn)) {
                TcpConnection.Output.super.transmitData(header, data, offset, length, ipEcn);
            }
        }

        @Override public void event(TcpEvent event) {
            // Sent again: not a loss probe's new bytes, which go for the first time.
            if (event instanceof TcpEvent.Retransmitting
                    || event instanceof TcpEvent.FastRetransmit f && f.sentAgain()) retransmissions++;
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
    private final PacketPort socket;
    private final Log log;
    private final Narrator narrator;
    private final IsnGenerator isns = new IsnGenerator();
    private final IsnGenerator tsOffsets = new IsnGenerator(); // another key: TSval offsets per 4-tuple
    private final long startNanos = System.nanoTime();
    private final Wire wire;
    private final Demultiplexer demux;
    private final TimerQueue timers = new TimerQueue();
    private long nextConnectionId;
    private final ArrayDeque<Pending> pending = new ArrayDeque<>();
    private final List<Connection> touched = new ArrayList<>(); // connections of the events being delivered
    private Application application;
    private boolean draining;
    private boolean batching;            // packets already waiting are being handled (receiveBatch)
    private int handled;                 // how many of them so far
    private final java.util.LinkedHashSet<Connection> owingAcks = new java.util.LinkedHashSet<>();
    private volatile boolean stopRequested;
    private String internalError;        // the first bug seen: it ends the loop

    TcpStack(Settings settings, PacketPort socket, Log log, Pcap pcap, Set<Integer> clientPorts) {
        this.settings = settings;
        this.socket = socket;
        this.log = log;
        this.narrator = new Narrator(log);
        this.wire = new Wire(settings, socket, log, pcap, startNanos);
        this.demux = new Demultiplexer(this, settings, log, wire, clientPorts);
    }

    /** Milliseconds since the stack started: the state machines' clock. */
    long now() {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }

    int openConnections() { return demux.size(); }
    List<Connection> connections() { return demux.all(); }

    /** A server stops taking new connections (SYNs to its port are then ignored). */
    void stopAccepting() { demux.stopAccepting(); }

    /** A server that still takes new connections. */
    boolean listening() { return demux.listening(); }

    /** Asks the loop to end (from a signal handler's thread): open connections are reset. */
    void requestStop() { stopRequested = true; }

    /** Opens a connection from our port to the peer: sends the SYN. */
    Connection connect(IpAddress localAddress, int localPort, IpAddress remoteAddress, int remotePort) {
        Connection c = newConnection(new FourTuple(localAddress, localPort, remoteAddress, remotePort), settings.tcp);
        demux.add(c);
        c.tcp.open(isn(c.tuple), now(), c);
        afterCall(c);
        return c;
    }

    /** Runs until the application says stop or a stop is requested; then resets what is still open. */
    void run(Application app) throws LibC.NativeException {
        this.application = app;
        while (!stopRequested && internalError == null && app.keepRunning(now())) {
            runDueTimers(now());
            wire.sendHeld(now());
            long nextTimer = Math.min(timers.nextDeadline(), wire.nextHeldDeadline());
            int wait = (int) Math.max(0, Math.min(app.maxSleepMillis(), nextTimer - now()));
            ByteBuffer packet = spinForPacket();
            if (packet == null && socket.awaitPacket(wait)) packet = socket.receive();
            receiveBatch(packet);
        }
        if ((stopRequested || internalError != null) && demux.size() > 0) resetAll();
        wire.sendHeld(Long.MAX_VALUE); // held packets, RSTs included
    }

    /**
     * Every packet already waiting, then the ACKs they are owed. RFC 9293 section 3.10.7.4: "if the
     * TCP endpoint is processing a series of queued segments, it MUST process them all before
     * sending any ACK segments (MUST-59)": a connection that received ten segments in one batch
     * sends one ACK for them, not ten (an answer the application sends meanwhile still carries
     * it). A bounded batch: under a steady stream, timers and stop requests still get their turn.
     */
    private void receiveBatch(ByteBuffer first) throws LibC.NativeException {
        batching = true;
        try {
            for (ByteBuffer packet = first; packet != null; packet = ++handled < BATCH ? socket.receive() : null) {
                wire.noteActivity();
                demux.packetArrived(packet, socket.lastChecksumNotReady(), socket.lastInterfaceIndex(), socket.lastPacketType(),
                        socket.lastSegmentSize());
            }
        } finally {
            handled = 0;
            batching = false;
        }
        for (Connection c : owingAcks) settle(c);
        owingAcks.clear();
    }

    private void resetAll() {
        log.always(null, (stopRequested ? "Interrupted" : "Stopping after an internal error") + ": resetting "
                + demux.size() + " open connection" + (demux.size() == 1 ? "" : "s"));
        for (Connection c : connections()) {
            try {
                c.abort(stopRequested ? "interrupted" : "internal error");
            } catch (RuntimeException e) {
                // resetting is all we can still do for it
            }
        }
    }

    /**
     * Shortly after traffic, an answer usually follows within microseconds: polling for it costs
     * less than going to sleep and being woken (which alone takes several microseconds, twice per
     * round trip). Idle, the loop sleeps at once. Returns a packet, or null when none came in time.
     */
    private ByteBuffer spinForPacket() throws LibC.NativeException {
        if (settings.spinMicros <= 0) return null;
        long until = wire.lastActivityNanos() + settings.spinMicros * 1_000L;
        while (System.nanoTime() < until) {
            ByteBuffer packet = socket.receive();
            if (packet != null) return packet;
        }
        return null;
    }

    // ------------------------------------------------------------------ calls into the connections

    /** A connection (not yet in the table) for a 4-tuple, with these settings. */
    Connection newConnection(FourTuple tuple, TcpConfig config) {
        if (tuple.ipv6() && config.defaultSendMss() == Tcb.DEFAULT_SEND_MSS) config = config.withDefaultSendMss(Tcb.DEFAULT_SEND_MSS_IPV6);
        TcpConnection tcp = new TcpConnection(config, tuple.localPort(), tuple.remotePort());
        tcp.useTimestampOffset(tsOffset(tuple));
        return new Connection(tuple, tcp);
    }

    /**
     * The offset of a connection's timestamp clock. RFC 7323 section 5.4 leaves the clock's start
     * free; as Linux (secure_tcp_ts_off), a keyed hash of the 4-tuple, so that our TSvals say
     * nothing about how long the program has run, and a SYN cookie's connection finds the offset
     * its SYN-ACK used.
     */
    int tsOffset(FourTuple tuple) {
        return tsOffsets.isn(tuple.localAddress(), tuple.localPort(), tuple.remoteAddress(), tuple.remotePort(), 0);
    }

    /** An ACK that brought back a valid SYN cookie: c, new in the table, is rebuilt from it (SynCookieHandshake). */
    void cookieAckArrived(Connection c, Packets.Tcp ack, int peerMss, SynCookies.Options options) {
        try {
            SynCookieHandshake.accept(c.tcp, ack, peerMss, options, now(), c);
            afterCall(c);
        } catch (RuntimeException e) {
            internalError(c, e);
        }
    }

    private int isn(FourTuple t) {
        return isns.isn(t.localAddress(), t.localPort(), t.remoteAddress(), t.remotePort(), System.nanoTime());
    }

    /** The Demultiplexer found c for a segment. */
    void segmentArrived(Connection c, Packets.Tcp seg, int ipEcn, int segmentSize) {
        try {
            c.tcp.onSegment(seg, ipEcn, segmentSize, now(), c);
            afterCall(c);
        } catch (RuntimeException e) {
            internalError(c, e);
        }
    }

    /** The Demultiplexer found c for an ICMP error about one of its segments. */
    void icmpArrived(Connection c, Icmp.Error error) {
        try {
            c.tcp.onIcmp(error, now(), c);
            afterCall(c);
        } catch (RuntimeException e) {
            internalError(c, e);
        }
    }

    /**
     * A SYN for c, in TIME-WAIT, at the listening port: true when it ended c to open a new
     * connection (RFC 6191, see TcpConnection.synInTimeWait), whose ISS is then reopenIss.
     */
    boolean synInTimeWait(Connection c, Packets.Tcp syn) {
        try {
            TimeWaitReopen.Decision d = c.tcp.synInTimeWait(syn, now(), c);
            if (log.verbose()) log.detail(c.who(), d.reason());
            afterCall(c);
            reopenIss = d.newIss();
            return d.reopen();
        } catch (RuntimeException e) {
            internalError(c, e);
            return false;
        }
    }

    private int reopenIss;

    int reopenIss() { return reopenIss; }

    /** A SYN the listener accepted: c, new in the table, starts in LISTEN and takes it. */
    void synArrived(Connection c, Packets.Tcp syn) {
        synArrived(c, syn, isn(c.tuple));
    }

    /** The same, with the ISS given: the one RFC 6191 chose for a connection reopened from TIME-WAIT. */
    void synArrived(Connection c, Packets.Tcp syn, int iss) {
        try {
            c.tcp.listen(iss, c);
            c.tcp.onSegment(syn, now(), c);
            afterCall(c);
        } catch (RuntimeException e) {
            internalError(c, e);
        }
    }

    private void runDueTimers(long now) {
        for (Connection c; (c = timers.pollDue(now)) != null; ) {
            try {
                c.tcp.onTimer(now, c);
                afterCall(c);
            } catch (RuntimeException e) {
                internalError(c, e);
            }
        }
    }

    /** Takes c out of the table, the backlog and the timer queue, without a word to the application. */
    void forget(Connection c) {
        c.forgotten = true;
        demux.remove(c);
        timers.unschedule(c);
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
            forget(c);
            c.tcp.abort("internal error", c);
        } catch (RuntimeException again) {
            // the connection is gone from the table either way
        }
        pending.clear(); // its Closed event goes nowhere: the program is ending
    }

    /** The first internal error, or null: then the program must exit non-zero. */
    String internalError() { return internalError; }

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

    /** The ACK a connection still owes goes now, or at the end of the batch being received. */
    private void settle(Connection c) {
        // A connection recycled (RFC 4987 3.5) after it was touched in this batch is gone: settled
        // at the end of the batch, it would go back in the timer queue and send its SYN-ACK again.
        if (c.forgotten) return;
        // RFC 9293 MUST-59: the ACKs of a batch go after it; but RFC 5681 4.2's "immediate
        // duplicate ACK when an out-of-order segment arrives" goes at once: the sender counts
        // duplicate ACKs and reads each one's SACK blocks, and one ACK for a batch of out-of-order
        // segments left its loss recovery starved (1% loss: 20 MB/s where it had 200).
        if (batching && !c.tcp.owesDuplicateAck()) {
            owingAcks.add(c);
        } else {
            c.tcp.flushAck(c);
        }
        timers.reschedule(c);
    }

    private void deliver(Connection c, TcpEvent event) {
        if (event instanceof TcpEvent.StateChanged s) {
            demux.stateChanged(c, s);
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
            forget(c);
            application.closed(c, closed);
        }
    }
}
