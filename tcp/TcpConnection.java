/**
 * One TCP connection: the state machine of RFC 9293 section 3.10, with RFC 6298's retransmission
 * timer, RFC 5961's defences against blind attacks, and the data path of a real TCP: bounded send
 * and receive buffers (the window we advertise is the receive buffer's free space), out-of-order
 * segments kept until the gap fills, congestion control and loss recovery, delayed ACKs, silly
 * window syndrome avoidance and Nagle's algorithm (RFC 9293 3.8.6), and RFC 7323 window scaling.
 *
 * This class is the front door and the hallway: it holds the connection's state and the parts
 * every room shares, and hands each call to the room of RFC 9293 section 3.10 that handles it.
 * <pre>
 *   the TCB (3.3.1)                      Tcb             sequence variables, acceptability, windows
 *   the timers (3.8.1, 3.10.8)           Timers          every deadline, cleared in one call
 *   OPEN, SEND, RECEIVE, CLOSE, ABORT    UserCalls       3.10.1 to 3.10.5
 *   SEGMENT ARRIVES                      SegmentArrives  3.10.7.1 to 3.10.7.3, and 3.10.7.4's order
 *     fifth, check the ACK field         AckArrives      3.10.7.4 fifth step (and RFC 5961 section 5)
 *     sixth to eighth: URG, text, FIN    TextArrives     3.10.7.4 sixth to eighth steps
 *   USER, RETRANSMISSION, TIME-WAIT TIMEOUT  Timeouts    3.10.8, and the data path's timers
 *   what to send now                     Sender          3.7.4 Nagle, 3.8.6 windows, the FIN, segments
 *   loss recovery                        LossRecovery    RFC 5681, 6582, 6675, 8985, 3042, 5827
 *   challenge ACKs' budget               ChallengeAcks   RFC 5961 section 7
 *   an ICMP error arrives (3.9.2.2)      IcmpArrives     RFC 1122 4.2.3.9, RFC 1191, RFC 5927
 * </pre>
 * Each algorithm is its own unit, composed here: RttEstimator, CongestionControl, Scoreboard,
 * ReassemblyQueue, SendBuffer, ReceiveBuffer, ReceiveWindow, WhenToSend, Timestamps (RFC 7323),
 * KeepAlive (RFC 9293 3.8.4), TimeWaitReopen (RFC 6191); SynCookieHandshake builds on it.
 *
 * The application writes with {@link #write} (which takes what fits in the send buffer) and reads
 * with {@link #read}; {@link TcpEvent.Readable} and {@link TcpEvent.Writable} say when to.
 *
 * Sans-I/O: segments, user calls and the current time go in; segments to send and events come out
 * through an {@link Output} given to each call. No sockets, threads, clocks or randomness here: the
 * initial sequence number is chosen by the caller (RFC 6528, see IsnGenerator), and "now" is a
 * number of milliseconds the caller passes in. {@link #nextDeadline()} says when to call
 * {@link #onTimer} next.
 *
 * Two kinds of error, kept apart: the local program misusing the API throws
 * IllegalStateException; a peer breaking the protocol never throws: its segment is dropped,
 * acknowledged or reset as the RFC says, and a {@link TcpEvent.Dropped} says why.
 */
final class TcpConnection {

    /** Where a connection puts its output. Implementations must not call back into the connection. */
    interface Output {
        void transmit(Packets.Tcp segment);
        void event(TcpEvent event);

        /**
         * A segment whose IP header must carry this ECN field (RFC 3168 section 5: Ecn.ECT_0 on
         * our data once ECN is negotiated); {@link #transmit(Packets.Tcp)} sends Not-ECT.
         */
        default void transmit(Packets.Tcp segment, int ipEcn) { transmit(segment); }

        /**
         * A data segment given as its headers (header carries no payload) and length bytes of the
         * send buffer from offset bytes after SND.UNA. The stack copies them straight into the frame
         * it sends; this default gives the whole segment to {@link #transmit(Packets.Tcp, int)}.
         */
        default void transmitData(Packets.Tcp header, SendBuffer data, int offset, int length, int ipEcn) {
            byte[] payload = new byte[length];
            data.copyOut(offset, payload, 0, length);
            transmit(header.withPayload(payload), ipEcn);
        }
    }

    static final long NEVER = Timers.NEVER;
    static final int DEFAULT_SEND_MSS = Tcb.DEFAULT_SEND_MSS;
    static final int MAX_WINDOW_SHIFT = Tcb.MAX_WINDOW_SHIFT;

    final TcpConfig config;
    final int localPort, remotePort;
    private TcpState state = TcpState.CLOSED;
    /** Came from LISTEN (RFC 9293 treats RSTs and SYNs in SYN-RECEIVED by this). */
    boolean passiveOpen;

    // What every room shares.
    final Tcb tcb;
    final Timers timers = new Timers();
    final RttEstimator rtt;
    /** RFC 3168 ECN: the negotiation, the echo of CE marks, CWR (--no-ecn turns it off). */
    final Ecn ecn;
    /** The ECN field of the IP header of the segment being processed (Ecn.NOT_ECT when unknown). */
    int arrivingIpEcn;
    /** Congestion control (RFC 5681 and the rest), from the moment the handshake completes. */
    CongestionControl cc;
    /** What was sent and what the peer's SACK blocks say (RFC 6675), while SACK is permitted. */
    Scoreboard scoreboard;
    /** User data written and not yet acknowledged (see Sender for its sequence numbers). */
    final SendBuffer sendBuffer;
    /** Received data in order, not read yet; and data out of order, waiting for a gap to fill. */
    final ReceiveBuffer receiveBuffer;
    final ReassemblyQueue reassembly;

    // The rooms.
    final UserCalls userCalls;
    final SegmentArrives segmentArrives;
    final AckArrives ackArrives;
    final TextArrives textArrives;
    final Timeouts timeouts;
    final Sender sender;
    final LossRecovery recovery;
    final ChallengeAcks challengeAcks;
    final IcmpArrives icmpArrives;
    /** RFC 7323 timestamps (TSval, TS.Recent, PAWS, RTTM); offset 0 until the caller sets one. */
    Timestamps timestamps;
    /** Keep-alive probes (RFC 9293 3.8.4), off unless the application turned them on. */
    final KeepAlive keepAlive;
    /** The time the current call brought in (every call passes "now"): the TSval of what it sends. */
    long now;

    TcpConnection(TcpConfig config, int localPort, int remotePort) {
        this.config = config;
        this.localPort = localPort;
        this.remotePort = remotePort;
        this.tcb = new Tcb(config);
        this.ecn = new Ecn(config.ecn());
        this.rtt = new RttEstimator(config.rtoInitial(), config.rtoMin(), config.rtoMax());
        this.sendBuffer = new SendBuffer(config.sendBuffer());
        this.receiveBuffer = new ReceiveBuffer(config.receiveBuffer());
        this.reassembly = new ReassemblyQueue(config.receiveBuffer());
        this.userCalls = new UserCalls(this);
        this.segmentArrives = new SegmentArrives(this);
        this.ackArrives = new AckArrives(this);
        this.textArrives = new TextArrives(this);
        this.timeouts = new Timeouts(this);
        this.sender = new Sender(this);
        this.recovery = new LossRecovery(this);
        this.challengeAcks = new ChallengeAcks(this);
        this.icmpArrives = new IcmpArrives(this);
        this.timestamps = new Timestamps(config.timestamps(), 0);
        this.keepAlive = new KeepAlive(config.keepAlive());
    }

    /**
     * The offset of our timestamp clock, TSval = now + offset, before open or listen. Linux draws
     * one per pair of addresses from a keyed hash (secure_tcp_ts_off), so that TSvals say nothing
     * of the host's uptime; the caller does the same (tcp/ draws no random numbers).
     */
    void useTimestampOffset(int offset) {
        if (state != TcpState.CLOSED) throw new IllegalStateException("timestamp offset after open");
        timestamps = new Timestamps(config.timestamps(), offset);
    }

    // ------------------------------------------------------------------ the calls (each to its room)

    /** Active OPEN (RFC 9293 section 3.10.1): sends the SYN. */
    void open(int iss, long now, Output out) { this.now = now; userCalls.open(iss, now, out); }

    /** Passive OPEN: wait in LISTEN for a SYN. The caller picks the ISS, as it knows the 4-tuple. */
    void listen(int iss, Output out) { userCalls.listen(iss, out); }

    /** SEND (3.10.2): takes what fits in the send buffer; returns the number of bytes taken. */
    int write(byte[] data, int off, int len, long now, Output out) {
        this.now = now;
        int n = userCalls.write(data, off, len, now, out);
        rearmKeepAlive();
        return n;
    }

    /** write() for data that must fit whole (tests, short messages); throws when it does not. */
    void send(byte[] data, long now, Output out) { this.now = now; userCalls.send(data, now, out); rearmKeepAlive(); }

    /** RECEIVE (3.10.3): copies up to len received bytes to dst; returns how many (0: none waiting). */
    int read(byte[] dst, int off, int len, long now, Output out) { this.now = now; return userCalls.read(dst, off, len, now, out); }

    /** CLOSE (3.10.4). */
    void close(long now, Output out) { this.now = now; userCalls.close(now, out); }

    /** ABORT (3.10.5). */
    void abort(String why, Output out) { userCalls.abort(why, out); }

    /** SEGMENT ARRIVES (3.10.7): an arriving segment for this connection's 4-tuple. */
    void onSegment(Packets.Tcp seg, long now, Output out) { onSegment(seg, Ecn.NOT_ECT, 0, now, out); }

    /** The same, with the ECN field of the segment's IP header (RFC 3168: CE marks are echoed). */
    void onSegment(Packets.Tcp seg, int ipEcn, long now, Output out) { onSegment(seg, ipEcn, 0, now, out); }

    /**
     * The same, for a packet that the link coalesced (GRO) from segments of segmentSize payload
     * bytes each (the virtio_net_hdr's gso_size), 0 when unknown or not coalesced. The peer's
     * segment size is then known, not guessed: it is RMSS for the delayed-ACK count.
     */
    void onSegment(Packets.Tcp seg, int ipEcn, int segmentSize, long now, Output out) {
        arrivingIpEcn = ipEcn & 3;
        this.now = now;
        keepAlive.onHeard();
        arrivingSegmentSize = segmentSize;
        try {
            segmentArrives.onSegment(seg, now, out);
        } finally {
            arrivingSegmentSize = 0;
        }
        rearmKeepAlive();
    }

    /** An ICMP error that quotes this connection's 4-tuple (3.9.2.2, MUST-54; RFC 1191). */
    void onIcmp(Icmp.Error error, long now, Output out) { icmpArrives.onIcmp(error, now, out); }
    /** gso_size of the packet being processed (see onSegment), 0 when it was one segment. */
    int arrivingSegmentSize;

    /** Runs every timer whose deadline has come (3.10.8). */
    void onTimer(long now, Output out) {
        this.now = now;
        timeouts.onTimer(now, out);
        if (timers.due(Timers.Kind.KEEPALIVE, now)) keepAliveTimeout(now, out);
        rearmKeepAlive();
    }

    /**
     * Sends the ACK that received data or a FIN is owed, unless a segment sent since carried it.
     * The caller calls this after the application has reacted to the events of a call, within the
     * same turn of its loop (see Sender.flushAck).
     */
    void flushAck(Output out) { sender.flushAck(out); }

    /** The ACK owed is a duplicate ACK (RFC 5681 4.2): it goes at once, not at the end of a batch. */
    boolean owesDuplicateAck() { return sender.owesDuplicateAck(); }

    /**
     * A SYN (no ACK, no RST) for this connection while it is in TIME-WAIT, at a port that listens:
     * may it open a new incarnation at once? RFC 9293 section 3.6.1 (MAY-2, SHLD-4) with RFC 6191's
     * rules, as Linux (tcp_timewait_state_process, TCP_TW_SYN): see TimeWaitReopen. On REOPEN this
     * incarnation ends here (CLOSED, with the reason) and the caller hands the SYN to a new
     * connection in LISTEN whose ISS is decision.newIss(); on STAY the caller hands the SYN to
     * onSegment as usual (a challenge ACK, RFC 5961 section 4, as Linux's TCP_TW_ACK).
     */
    TimeWaitReopen.Decision synInTimeWait(Packets.Tcp syn, long now, Output out) {
        this.now = now;
        requireState("a SYN in TIME-WAIT", TcpState.TIME_WAIT);
        TimeWaitReopen.Decision decision = TimeWaitReopen.decide(syn,
                new TimeWaitReopen.Previous(tcb.rcvNxt, tcb.sndMax, timestamps.negotiated(), timestamps.tsRecent()),
                config.timestamps());
        if (decision.reopen()) enterClosed(TcpEvent.CloseReason.NORMAL, decision.reason(), out);
        return decision;
    }

    // ------------------------------------------------------------------ keep-alive (RFC 9293 3.8.4)

    /**
     * RFC 9293 section 3.8.4: "Keep-alive packets MUST only be sent when no sent data is
     * outstanding, and no data or acknowledgment packets have been received for the connection
     * within an interval (MUST-26)." Idle: nothing in flight, nothing waiting to be sent. The timer
     * runs in the synchronized states but TIME-WAIT (whose own timer ends everything), as Linux's
     * keep-alive timer; every way out clears it with the others (Timers.clear).
     */
    private void rearmKeepAlive() {
        if (!keepAlive.on()) return;
        boolean watched = state.isSynchronized() && state != TcpState.TIME_WAIT;
        long at = watched ? keepAlive.nextDeadline(timeouts.lastHeardAt(), idleForKeepAlive()) : NEVER;
        if (at == NEVER) timers.stop(Timers.Kind.KEEPALIVE);
        else timers.start(Timers.Kind.KEEPALIVE, at);
    }

    private boolean idleForKeepAlive() {
        return tcb.sndUna == tcb.sndMax && sendBuffer.length() == 0;
    }

    /**
     * The keep-alive timer fired: a probe, or the end. RFC 1122 4.2.3.6: "Such a segment generally
     * contains SEG.SEQ = SND.NXT-1 and may or may not contain one garbage octet of data"; RFC 9293:
     * "An implementation SHOULD send a keep-alive segment with no data (SHLD-12)", as Linux does.
     * After COUNT unanswered probes, Linux sends a RST and reports the error (tcp_keepalive_timer):
     * so do we, with the reason in one line.
     */
    private void keepAliveTimeout(long now, Output out) {
        timers.stop(Timers.Kind.KEEPALIVE);
        KeepAlive.Decision d = keepAlive.onTimer(now, timeouts.lastHeardAt(), idleForKeepAlive());
        switch (d.action()) {
            case NONE -> { }
            case PROBE -> {
                out.event(new TcpEvent.KeepAliveProbe(d.reason()));
                sender.sendKeepAliveProbe(out);
            }
            case GIVE_UP -> {
                sender.sendReset(tcb.sndNxt, out);
                enterClosed(new TcpEvent.Closed(TcpEvent.CloseReason.KEEP_ALIVE, d.reason(), keepAlive.unanswered()), out);
            }
        }
    }

    /** When {@link #onTimer} must be called next, or {@link #NEVER}. */
    long nextDeadline() { return timers.next(); }

    /** The answer of a host with no connection for a segment (3.10.7.1); null for a RST. */
    static Packets.Tcp resetFor(Packets.Tcp seg) { return SegmentArrives.resetFor(seg); }

    // ------------------------------------------------------------------ observers (STATUS, 3.10.6)

    TcpState state() { return state; }
    int sndUna() { return tcb.sndUna; }
    int sndNxt() { return tcb.sndNxt; }
    int sndWnd() { return tcb.sndWnd; }
    int rcvNxt() { return tcb.rcvNxt; }
    /** RCV.WND: how far beyond RCV.NXT the peer may send (up to the furthest edge we advertised). */
    int rcvWnd() { return tcb.rcvWnd(); }
    int iss() { return tcb.iss; }
    int irs() { return tcb.irs; }
    int sendMss() { return tcb.sndMss; }
    long rto() { return rtt.rto(); }
    long srtt() { return rtt.srtt(); }
    long rttvar() { return rtt.rttvar(); }
    boolean isPassive() { return passiveOpen; }
    /** Bytes handed to write() that the peer has not acknowledged yet. */
    int unacknowledgedBytes() { return sendBuffer.length(); }
    /** Bytes received in order that the application has not read yet. */
    int readable() { return receiveBuffer.length(); }
    /** Bytes write() would take now. */
    int writable() { return sender.canWrite() ? sendBuffer.free() : 0; }
    /** Urgent octets the application has still to read (RFC 9293 3.8.5, MUST-33); they are read in line. */
    int urgentRemaining() { return textArrives.urgentRemaining(); }
    /** Bytes received out of order, waiting for a gap to fill. */
    int outOfOrderBytes() { return reassembly.bytesHeld(); }
    int cwnd() { return cc == null ? 0 : cc.cwnd(); }
    /** Both SYNs carried SACK-permitted (RFC 2018): the peer's SYN, and ours, which does when configured. */
    boolean sackPermitted() { return tcb.sackPermitted(); }
    /** RFC 3168: both SYNs agreed to ECN, our data goes ECT(0). */
    boolean ecnNegotiated() { return ecn.negotiated(); }
    /** RACK saw data arrive out of order (RFC 8985 6.2): its reordering window is then never 0. */
    boolean reorderingSeen() { return scoreboard != null && scoreboard.reorderingSeen(); }
    int ssthresh() { return cc == null ? 0 : cc.ssthresh(); }
    int sndMax() { return tcb.sndMax; }
    int sndWndShift() { return tcb.sndWndShift; }
    int rcvWndShift() { return tcb.rcvWndShift; }
    /** Both SYNs carried RFC 7323 timestamps: every segment now carries them. */
    boolean timestampsOn() { return timestamps.negotiated(); }
    /** True once the peer's FIN arrived and every byte before it was read: the end of its stream. */
    boolean atEndOfStream() { return finReceived() && receiveBuffer.isEmpty(); }

    // ------------------------------------------------------------------ what several rooms do

    /** True once the peer's FIN was processed (RCV.NXT is past it). */
    boolean finReceived() {
        return switch (state) {
            case CLOSE_WAIT, CLOSING, LAST_ACK, TIME_WAIT -> true;
            case CLOSED -> true; // nothing more will come either way
            default -> false;
        };
    }

    /**
     * Every state change goes through here, so every one is seen, and each is checked against
     * {@link TcpTransitions}: an edge that is not in RFC 9293's diagram is a bug of ours.
     */
    void setState(TcpState next, Output out) {
        TcpState previous = state;
        if (!TcpTransitions.isLegal(previous, next)) {
            throw new IllegalStateException("internal error: no state change " + previous.rfcName() + " -> "
                    + next.rfcName() + " in RFC 9293's diagram");
        }
        state = next;
        if (previous == TcpState.FIN_WAIT_2) timers.stop(Timers.Kind.FIN_WAIT_2);
        out.event(new TcpEvent.StateChanged(previous, next));
    }

    /** Our SYN (or SYN-ACK) is acknowledged: the handshake's retransmission state ends, data may flow. */
    void handshakeAcknowledged(long now) {
        timeouts.handshakeAcknowledged(now);
        // RFC 7323 section 3.2 / RFC 6691: the MSS counts no options, so the data of a full segment
        // shrinks by the 12 bytes the timestamps take on every segment (Linux's mss_cache does so).
        if (timestamps.negotiated()) tcb.sndMss = Math.max(1, tcb.sndMss - TcpOptionLayout.TIMESTAMP_BYTES);
        // --cc: CUBIC (RFC 9438) unless the configuration names Reno (RFC 5681/6582).
        cc = CongestionControl.named(config.congestionControl(), tcb.sndMss);
        if (config.largeSegments() > tcb.sndMss) cc.allowGrowthPerAck(config.largeSegments());
        // RFC 5681 section 3.1: after a lost SYN or SYN-ACK, the initial window is one segment.
        if (timeouts.synRetransmitted()) cc.synWasRetransmitted();
        if (tcb.sackPermitted()) {
            cc.useSackRecovery();
            // RFC 6937 section 1: "PRR ... determines the number of segments to be sent in
            // response to each ACK ... during recovery"; with SACK, as Linux (--no-prr: RFC 6675's).
            if (config.prr()) cc.useProportionalRateReduction();
            scoreboard = new Scoreboard(tcb.sndMss);
        }
    }

    /** "Enter the TIME-WAIT state. Start the time-wait timer, turn off the other timers." */
    void enterTimeWait(long now, Output out) {
        setState(TcpState.TIME_WAIT, out);
        timers.clear();
        timers.start(Timers.Kind.TIME_WAIT, now + 2 * config.msl());
    }

    void enterClosed(TcpEvent.CloseReason reason, String detail, Output out) {
        enterClosed(new TcpEvent.Closed(reason, detail), out);
    }

    /** "Delete the TCB, enter CLOSED state": every way out ends here, and no timer outlives it. */
    void enterClosed(TcpEvent.Closed closed, Output out) {
        setState(TcpState.CLOSED, out);
        sender.forgetOwedAck();
        timers.clear();
        out.event(closed);
    }

    void requireState(String call, TcpState expected) {
        if (state != expected) throw new IllegalStateException(call + " in " + state.rfcName() + ", needs " + expected.rfcName());
    }

    /** "1 byte", "1460 bytes": how the events count what goes again. */
    static String bytes(int n) {
        return n + (n == 1 ? " byte" : " bytes");
    }
}
