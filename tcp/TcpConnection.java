import java.util.ArrayList;
import java.util.List;

/**
 * One TCP connection: the state machine of RFC 9293 section 3.10, with RFC 6298's retransmission
 * timer, RFC 5961's defences against blind attacks, and the data path of a real TCP: bounded send
 * and receive buffers (the window we advertise is the receive buffer's free space), out-of-order
 * segments kept until the gap fills, RFC 5681/6582 congestion control, delayed ACKs, silly window
 * syndrome avoidance and Nagle's algorithm (RFC 9293 3.8.6), and RFC 7323 window scaling.
 *
 * Each algorithm is its own unit: RttEstimator, CongestionControl, ReassemblyQueue, SendBuffer,
 * ReceiveBuffer. This class composes them and keeps RFC 9293's own rules.
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
    }

    static final long NEVER = Long.MAX_VALUE;
    /** RFC 9293 section 3.7.1: "If an MSS Option is not received at connection setup, TCP
     *  implementations MUST assume a default send MSS of 536 (576 - 40) for IPv4 ... (MUST-15)." */
    static final int DEFAULT_SEND_MSS = 536;
    private static final byte[] NO_DATA = new byte[0];
    /** RFC 7323 section 2.3: "the maximum scale exponent is limited to 14". */
    static final int MAX_WINDOW_SHIFT = 14;
    /** A window under this may hold the peer back: reading that opens it is worth an ACK at once. */
    private static final int SMALL_WINDOW = 16 * 1024;
    /** The tail loss probe's least timeout: a delayed ACK or a slow clock must not trigger it. */
    private static final long MIN_PROBE_TIMEOUT = 10;
    /** RFC 8985's WCDelAckT: "The RECOMMENDED value for WCDelAckT is 200 ms". */
    private static final long WORST_CASE_DELAYED_ACK = 200;

    private final TcpConfig config;
    final int localPort, remotePort;
    private TcpState state = TcpState.CLOSED;
    private boolean passiveOpen; // came from LISTEN (RFC 9293 treats RSTs in SYN-RECEIVED by this)

    // Send sequence variables (RFC 9293 section 3.3.1, Figure 3).
    private int sndUna;   // oldest unacknowledged sequence number
    private int sndNxt;   // next sequence number to be sent
    private int sndWnd;   // send window, as the peer last advertised it
    private int sndWl1;   // segment sequence number used for the last window update
    private int sndWl2;   // segment acknowledgment number used for the last window update
    private int iss;      // initial send sequence number
    private int maxSndWnd; // MAX.SND.WND of RFC 5961: the largest window the peer has advertised
    private int sndMss = DEFAULT_SEND_MSS; // the largest segment the peer accepts

    // Receive sequence variables (RFC 9293 section 3.3.1, Figure 4).
    private int rcvNxt;   // next sequence number expected on an incoming segment
    // RCV.WND is the receiveWindow's (below): what we advertised, as SWS avoidance allows it.
    private int irs;      // initial receive sequence number
    private boolean ackOwed; // received data or a FIN awaits our ACK (see flushAck)

    // Sequence numbers sent: SND.NXT goes back to SND.UNA after a retransmission timeout (the
    // segments from there are sent again, as cwnd allows), so the highest sequence number sent is
    // kept apart, as BSD's snd_max: an ACK up to it is for data we did send.
    private int sndMax;

    // RFC 7323 window scaling: the peer's shift applies to the windows it sends us, ours to the
    // windows we send; both 0 unless both SYNs carried the option.
    private int sndWndShift;
    private int rcvWndShift;
    private boolean peerOfferedWindowScale;
    private boolean windowScaling;  // both SYNs carried the option: the shifts apply

    // RFC 2018 selective acknowledgments: both SYNs carried SACK-permitted. Our ACKs then carry
    // SACK blocks, and what the peer's blocks say goes on the scoreboard (RFC 6675, RFC 8985).
    private boolean peerOfferedSack;
    private Scoreboard scoreboard;  // while sackPermitted and data flows
    private boolean finResentInRecovery; // our FIN went again in this SACK recovery

    // User data written and not yet acknowledged: byte k of the buffer has sequence number
    // sendBufferSeq + k (sendBufferSeq is SND.UNA once the SYN is acknowledged).
    private SendBuffer sendBuffer;
    private int sendBufferSeq;
    private boolean closeRequested; // the user called CLOSE: a FIN follows the queued data
    private boolean finSent;
    private int finSeq;             // the sequence number our FIN occupies, once sent
    private boolean probing;        // a zero-window probe is out (RFC 9293 3.8.6.1)

    // Received data: in order and not read yet (the receive buffer), and out of order (the queue).
    private ReceiveBuffer receiveBuffer;
    private ReassemblyQueue reassembly;
    private final ReceiveWindow receiveWindow; // RCV.WND: SWS avoidance, scaling, no shrinking

    // Congestion control (RFC 5681, RFC 6582), from the moment the handshake completes.
    private CongestionControl cc;
    private long lastDataSentAt;

    // Delayed ACK (RFC 9293 3.8.6.3, RFC 5681 4.2).
    private long ackDeadline = NEVER;
    private long overrideDeadline = NEVER; // the sender's SWS override timer (WhenToSend)
    private long probeDeadline = NEVER;    // the tail loss probe's timer (RFC 8985)
    private boolean probeOut;              // a tail loss probe went out; none again until an ACK advances
    private int smallSegmentEnd;           // where the last sub-MSS segment of new data ended (Nagle)
    private int fullSegmentsUnacked; // full-sized segments received since our last ACK

    // Retransmission timer, RFC 6298.
    private final RttEstimator rtt;
    private long rtoDeadline = NEVER;
    private int retries;            // retransmissions of the segment at SND.UNA so far
    private long firstRetransmitAt; // when the first of those went out (R2 counts from there)
    private long lastHeardAt = -1;  // when the peer last sent us anything
    private boolean synRetransmitted;

    private long timeWaitDeadline = NEVER;
    private long finWait2Deadline = NEVER;

    // RFC 5961 section 7: challenge ACKs are rate limited.
    private long challengeWindowStart;
    private int challengeAcksInWindow;

    TcpConnection(TcpConfig config, int localPort, int remotePort) {
        this.config = config;
        this.localPort = localPort;
        this.remotePort = remotePort;
        this.sendBuffer = new SendBuffer(config.sendBuffer());
        this.receiveBuffer = new ReceiveBuffer(config.receiveBuffer());
        this.reassembly = new ReassemblyQueue(config.receiveBuffer());
        this.receiveWindow = new ReceiveWindow(config.receiveBuffer());
        // Our shift: the smallest that lets the 16-bit field say the whole buffer (RFC 7323 2.3).
        int shift = 0;
        while (shift < MAX_WINDOW_SHIFT && (config.receiveBuffer() >> shift) > 65535) shift++;
        this.rcvWndShift = config.windowScaling() ? shift : 0;

        this.rtt = new RttEstimator(config.rtoInitial(), config.rtoMin(), config.rtoMax());
    }

    // ------------------------------------------------------------------ observers

    TcpState state() { return state; }
    int sndUna() { return sndUna; }
    int sndNxt() { return sndNxt; }
    int sndWnd() { return sndWnd; }
    int rcvNxt() { return rcvNxt; }
    /** RCV.WND: how far beyond RCV.NXT the peer may send (up to the furthest edge we advertised). */
    int rcvWnd() { return receiveWindow.acceptLimit(rcvNxt); }
    int iss() { return iss; }
    int irs() { return irs; }
    int sendMss() { return sndMss; }
    long rto() { return rtt.rto(); }
    long srtt() { return rtt.srtt(); }
    long rttvar() { return rtt.rttvar(); }
    boolean isPassive() { return passiveOpen; }
    /** Bytes handed to write() that the peer has not acknowledged yet. */
    int unacknowledgedBytes() { return sendBuffer.length(); }
    /** Bytes received in order that the application has not read yet. */
    int readable() { return receiveBuffer.length(); }
    /** Bytes write() would take now. */
    int writable() { return canWrite() ? sendBuffer.free() : 0; }
    /** Bytes received out of order, waiting for a gap to fill. */
    int outOfOrderBytes() { return reassembly.bytesHeld(); }
    int cwnd() { return cc == null ? 0 : cc.cwnd(); }
    /** Both SYNs carried SACK-permitted (RFC 2018): the peer's SYN, and ours, which does when configured. */
    boolean sackPermitted() { return peerOfferedSack && config.sack(); }
    /** RACK saw data arrive out of order (RFC 8985 6.2): its reordering window is then never 0. */
    boolean reorderingSeen() { return scoreboard != null && scoreboard.reorderingSeen(); }
    int ssthresh() { return cc == null ? 0 : cc.ssthresh(); }
    int sndMax() { return sndMax; }
    int sndWndShift() { return sndWndShift; }
    int rcvWndShift() { return rcvWndShift; }
    /** True once the peer's FIN arrived and every byte before it was read: the end of its stream. */
    boolean atEndOfStream() { return finReceived() && receiveBuffer.isEmpty(); }

    /** When {@link #onTimer} must be called next, or {@link #NEVER}. */
    long nextDeadline() {
        return Math.min(Math.min(Math.min(rtoDeadline, ackDeadline), Math.min(overrideDeadline, probeDeadline)),
                Math.min(timeWaitDeadline, finWait2Deadline));
    }

    // ------------------------------------------------------------------ user calls (RFC 9293 3.10.1-3.10.5)

    /**
     * Active OPEN (RFC 9293 section 3.10.1, CLOSED STATE): "An initial send sequence number (ISS) is
     * selected. A SYN segment of the form <SEQ=ISS><CTL=SYN> is sent. Set SND.UNA to ISS, SND.NXT to
     * ISS+1, enter SYN-SENT state, and return."
     */
    void open(int iss, long now, Output out) {
        requireState("open", TcpState.CLOSED);
        startSending(iss);
        setState(TcpState.SYN_SENT, out);
        sendSyn(false, now, out);
    }

    /** Passive OPEN: wait in LISTEN for a SYN. The caller picks the ISS, as it knows the 4-tuple. */
    void listen(int iss, Output out) {
        requireState("listen", TcpState.CLOSED);
        startSending(iss);
        passiveOpen = true;
        setState(TcpState.LISTEN, out);
    }

    /**
     * SEND (RFC 9293 section 3.10.2). In SYN-SENT and SYN-RECEIVED: "Queue the data for transmission
     * after entering ESTABLISHED state." In ESTABLISHED and CLOSE-WAIT: "Segmentize the buffer and
     * send it with a piggybacked acknowledgment (acknowledgment value = RCV.NXT)." The buffer is
     * bounded: "If there is insufficient space to remember this buffer, simply return "error:
     * insufficient resources"" becomes a short write, as with a non-blocking socket; the rest goes
     * once {@link TcpEvent.Writable} says there is room. Returns the number of bytes taken.
     */
    int write(byte[] data, int off, int len, long now, Output out) {
        if (!canWrite()) {
            throw new IllegalStateException("send in " + state.rfcName()
                    + (closeRequested ? ": connection closing" : ": connection not open"));
        }
        int taken = sendBuffer.write(data, off, len);
        if (taken > 0) transmitQueued(now, out);
        return taken;
    }

    /** write() for data that must fit whole (tests, short messages); throws when it does not. */
    void send(byte[] data, long now, Output out) {
        if (writable() < data.length && canWrite()) {
            throw new IllegalStateException("send buffer full: " + data.length + " bytes, room for " + writable());
        }
        write(data, 0, data.length, now, out);
    }

    private boolean canWrite() {
        return switch (state) {
            case SYN_SENT, SYN_RECEIVED, ESTABLISHED, CLOSE_WAIT -> !closeRequested;
            default -> false;
        };
    }

    /**
     * RECEIVE (RFC 9293 section 3.10.3): copies up to len received bytes to dst and returns how many
     * (0 when none are waiting). Reading frees buffer space, so the window may open: when it opens
     * enough to matter (the receiver's SWS rule, see ReceiveWindow), a window update
     * goes out at once, so a peer that waits on a closed window resumes without its probe timer.
     */
    int read(byte[] dst, int off, int len, long now, Output out) {
        int n = receiveBuffer.read(dst, off, len);
        int before = rcvWnd();
        // Worth an ACK of its own only when the window was small enough to hold the peer back
        // (under two segments, 16 KiB, or half the buffer) and would at least double, much as
        // Linux judges it (tcp_cleanup_rbuf); otherwise the next ACK carries the larger window,
        // and delayed ACKs keep their one ACK per two segments.
        if (n > 0 && state.isSynchronized() && !finReceived() && before < Math.min(receiveBuffer.capacity() / 2, Math.min(2 * config.mss(), SMALL_WINDOW))
                && receiveBuffer.free() >= 2L * before && receiveWindow.wouldOpen(rcvNxt, receiveBuffer.free(), config.mss())) {
            sendAck(out);
            out.event(new TcpEvent.WindowUpdate(before, rcvWnd()));
        }
        return n;
    }

    /**
     * CLOSE (RFC 9293 section 3.10.4). A second CLOSE, or a CLOSE after the connection ended, does
     * nothing: the RFC's "error: connection closing" has no use to a program that already closed.
     */
    void close(long now, Output out) {
        switch (state) {
            // LISTEN, SYN-SENT: "Delete the TCB, enter CLOSED state, and return."
            case LISTEN, SYN_SENT -> enterClosed(TcpEvent.CloseReason.NORMAL, "closed before the handshake completed", out);
            // SYN-RECEIVED: "If no SENDs have been issued and there is no pending data to send, then
            // form a FIN segment and send it, and enter FIN-WAIT-1 state; otherwise, queue for
            // processing after entering ESTABLISHED state." We always queue: until the peer
            // acknowledges our SYN, the SYN-ACK must stay the segment that is retransmitted.
            case SYN_RECEIVED -> closeRequested = true;
            // ESTABLISHED: "Queue this until all preceding SENDs have been segmentized, then form a FIN
            // segment and send it. In any case, enter FIN-WAIT-1 state."
            case ESTABLISHED -> {
                closeRequested = true;
                setState(TcpState.FIN_WAIT_1, out);
                transmitQueued(now, out);
            }
            // CLOSE-WAIT: "Queue this request until all preceding SENDs have been segmentized; then
            // send a FIN segment, enter LAST-ACK state."
            case CLOSE_WAIT -> {
                closeRequested = true;
                setState(TcpState.LAST_ACK, out);
                transmitQueued(now, out);
            }
            case CLOSED, FIN_WAIT_1, FIN_WAIT_2, CLOSING, LAST_ACK, TIME_WAIT -> { }
        }
    }

    /**
     * ABORT (RFC 9293 section 3.10.5). SYN-RECEIVED, ESTABLISHED, FIN-WAIT-1, FIN-WAIT-2 and
     * CLOSE-WAIT: "Send a reset segment: <SEQ=SND.NXT><CTL=RST>". LISTEN and SYN-SENT: nothing to
     * send. CLOSING, LAST-ACK, TIME-WAIT: "Respond with "ok" and delete the TCB, enter CLOSED state,
     * and return." (both sides have sent their FIN: nothing is left to reset).
     */
    void abort(String why, Output out) {
        boolean reset;
        switch (state) {
            case CLOSED -> { return; }
            case LISTEN, SYN_SENT, CLOSING, LAST_ACK, TIME_WAIT -> reset = false;
            case SYN_RECEIVED, ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2, CLOSE_WAIT -> reset = true;
            default -> throw new AssertionError(state);
        }
        if (reset) out.transmit(segment(sndNxt, 0, Packets.RST, List.of(), NO_DATA));
        enterClosed(TcpEvent.CloseReason.ABORTED, reset ? why + ", sent RST" : why, out);
    }

    // ------------------------------------------------------------------ timers (RFC 9293 3.10.8, RFC 6298 5)

    /** Runs every timer whose deadline has come. */
    void onTimer(long now, Output out) {
        if (now >= timeWaitDeadline) {
            // "If the time-wait timeout expires on a connection, delete the TCB, enter the CLOSED
            // state, and return."
            enterClosed(TcpEvent.CloseReason.NORMAL, "TIME-WAIT over", out);
            return;
        }
        if (now >= finWait2Deadline) {
            enterClosed(TcpEvent.CloseReason.FIN_TIMEOUT, "the peer never sent its FIN", out);
            return;
        }
        if (now >= ackDeadline) {
            // The delayed ACK's time is up: "the delay MUST be less than 0.5 seconds (MUST-40)".
            sendAck(out);
        }
        if (now >= overrideDeadline) {
            // Data waits that the sender's SWS rule held back, and no ACK is coming to wake us:
            // RFC 9293 section 3.8.6.2.1, "(4) or if the override timeout occurs". Send what fits.
            overrideDeadline = NEVER;
            transmitQueued(now, out, false, true);
        }
        if (now >= probeDeadline) sendTailLossProbe(now, out);
        if (now >= rtoDeadline) onRetransmissionTimeout(now, out);
    }

    /**
     * RFC 8985 section 7 (Tail Loss Probe): "The goal of the TLP is to send a probe segment to
     * trigger an ACK ... so that the loss can be detected" sooner than by the retransmission
     * timeout. When the last ACKs of a flight are lost (a receiver that coalesces segments sends
     * few of them), or the last segments are, no duplicate ACKs come, and without a probe only the
     * RTO (200 ms at least, and doubling) would tell. PTO = 2 * SRTT, at least 10 ms. "If a
     * previously unsent segment exists AND the receive window allows new data to be sent: Send
     * that segment"; otherwise "Retransmit the last segment". At most one probe until an ACK
     * advances SND.UNA; cwnd is not changed.
     */
    private void sendTailLossProbe(long now, Output out) {
        probeDeadline = NEVER;
        if (cc == null || cc.inRecovery() || sndUna == sndMax || probeOut || !state.isSynchronized()) return;
        int dataEnd = sendBufferSeq + sendBuffer.length();
        probeOut = true;
        int unsent = dataEnd - sndMax;
        if (unsent > 0 && sndNxt == sndMax && sndMax - sndUna + Math.min(unsent, sndMss) <= sndWnd) {
            int length = Math.min(unsent, sndMss);
            sendData(sndNxt, length, now, out);
            sndNxt += length;
            sndMax = sndNxt;
            out.event(new TcpEvent.FastRetransmit(length + " new bytes", "tail loss probe"));
        } else if (Seq.lt(sndUna, dataEnd)) {
            int end = Seq.lt(sndMax, dataEnd) ? sndMax : dataEnd;
            int length = Math.min(end - sndUna, sndMss);
            sendData(end - length, length, now, out);
            out.event(new TcpEvent.FastRetransmit(length + " bytes", "tail loss probe"));
        } else if (finSent && Seq.le(sndUna, finSeq)) {
            out.transmit(segment(finSeq, rcvNxt, Packets.FIN | Packets.ACK, List.of(), NO_DATA));
            out.event(new TcpEvent.FastRetransmit("FIN", "tail loss probe"));
        }
        rtt.onSend(sndMax, now, true); // Karn: no sample from the probe
    }

    /** Arms the tail loss probe while data is in flight and no probe is out (RFC 8985 7.2). */
    private void armTailLossProbe(long now) {
        if (sndUna == sndMax || probeOut || cc == null || cc.inRecovery() || !rtt.hasSample()) {
            if (sndUna == sndMax) probeDeadline = NEVER;
            return;
        }
        long pto = Math.max(2 * rtt.srtt(), MIN_PROBE_TIMEOUT);
        // "If FlightSize is one segment, ... PTO += WCDelAckT": a lone segment's ACK may be a
        // delayed one (RFC 8985 7.2), so it gets the worst-case delayed ACK time on top.
        if (sndMax - sndUna <= sndMss) pto += WORST_CASE_DELAYED_ACK;
        // The probe only helps before the retransmission timer: otherwise that timer does the job.
        probeDeadline = rtoDeadline != NEVER && now + pto >= rtoDeadline ? NEVER : now + pto;
    }

    private void onRetransmissionTimeout(long now, Output out) {
        rtoDeadline = NEVER;
        probeDeadline = NEVER;
        boolean handshake = state == TcpState.SYN_SENT || state == TcpState.SYN_RECEIVED;
        if (retries >= config.maxRetries() && (handshake || now - firstRetransmitAt >= config.giveUpAfter())) {
            giveUp(now, out);
            return;
        }
        if (retries == 0) firstRetransmitAt = now;
        retries++;
        // (5.5) "The host MUST set RTO <- RTO * 2 ("back off the timer")." The maximum of (2.5)
        // applies, and Karn's algorithm (RFC 6298 section 3) ends the measurement: see RttEstimator.
        rtt.onRetransmit();
        // (5.4) "Retransmit the earliest segment that has not been acknowledged by the TCP receiver."
        retransmitEarliest(now, out);
        // (5.6) "Start the retransmission timer, such that it expires after RTO seconds"
        rtoDeadline = now + rtt.rto();
    }

    /**
     * RFC 9293 section 3.8.3: "if the retransmissions of the same segment reach a threshold R2
     * ..., close the connection". The reason tells a silent peer from one that still sends but
     * never acknowledges what we send.
     */
    private void giveUp(long now, Output out) {
        int tries = retries + 1;
        boolean heard = lastHeardAt >= 0 && retries > 0 && lastHeardAt >= firstRetransmitAt;
        if (heard && state.isSynchronized()) {
            enterClosed(new TcpEvent.Closed(TcpEvent.CloseReason.NOT_ACKNOWLEDGED, "the peer still sends but has not"
                    + " acknowledged our data after " + tries + " tries", tries), out);
        } else {
            enterClosed(new TcpEvent.Closed(TcpEvent.CloseReason.NO_ANSWER, "no answer after " + tries + " tries", tries), out);
        }
    }

    private void retransmitEarliest(long now, Output out) {
        int attempt = retries + 1;
        switch (state) {
            case SYN_SENT -> {
                out.event(new TcpEvent.Retransmitting("SYN", attempt, rtt.rto()));
                synRetransmitted = true;
                sendSyn(false, now, out);
                return;
            }
            case SYN_RECEIVED -> {
                out.event(new TcpEvent.Retransmitting("SYN-ACK", attempt, rtt.rto()));
                synRetransmitted = true;
                sendSyn(true, now, out);
                return;
            }
            default -> { }
        }
        int dataEnd = sendBufferSeq + sendBuffer.length();
        if (sndWnd == 0 && Seq.lt(sndUna, dataEnd) && (probing || sndUna == sndMax)) {
            // RFC 9293 section 3.8.6.1: "The sending TCP peer must regularly transmit at least one
            // octet of new data (if available), or retransmit to the receiving TCP peer even if the
            // send window is zero, in order to "probe" the window." One byte at SND.UNA, with the
            // timer's backoff. It does not count as in flight: SND.NXT stays, so our ACKs keep a
            // sequence number the peer accepts.
            probing = true;
            out.event(new TcpEvent.Retransmitting("window probe (1 byte)", attempt, rtt.rto()));
            sendData(sndUna, 1, now, out);
            if (Seq.lt(sndMax, sndUna + 1)) sndMax = sndUna + 1;
            return;
        }
        if (Seq.lt(sndUna, sndMax)) {
            // RFC 5681 section 3.1: after a timeout, cwnd is one segment and the sender starts over
            // from SND.UNA (the segments after it were probably lost too), in slow start.
            if (cc != null) {
                cc.onRetransmissionTimeout(sndMax - sndUna, sndMax);
                out.event(new TcpEvent.CongestionChanged(cc.cwnd(), cc.ssthresh(), "retransmission timeout"));
            }
            sndNxt = sndUna;
            if (scoreboard != null) scoreboard.forgetSacks();
            int length = Math.min(Math.max(dataEnd - sndUna, 0), sndMss);
            String what = length > 0 ? bytes(length) : "FIN";
            out.event(new TcpEvent.Retransmitting(what, attempt, rtt.rto()));
            transmitQueued(now, out, true, false);
        }
    }

    // ------------------------------------------------------------------ SEGMENT ARRIVES (RFC 9293 3.10.7)

    /** An arriving segment for this connection's 4-tuple. */
    void onSegment(Packets.Tcp seg, long now, Output out) {
        lastHeardAt = now;
        switch (state) {
            case CLOSED -> {
                Packets.Tcp reset = resetFor(seg);
                if (reset != null) out.transmit(reset);
                out.event(new TcpEvent.Dropped(TcpEvent.DropReason.NO_CONNECTION, "connection is closed" + (reset != null ? ": sent RST" : "")));
            }
            case LISTEN -> onSegmentInListen(seg, now, out);
            case SYN_SENT -> onSegmentInSynSent(seg, now, out);
            default -> onSegmentInOtherStates(seg, now, out);
        }
    }

    /**
     * The answer of a host with no connection for a segment (RFC 9293 section 3.10.7.1, CLOSED):
     * "An incoming segment containing a RST is discarded. An incoming segment not containing a RST
     * causes a RST to be sent in response." Returns null for a RST.
     */
    static Packets.Tcp resetFor(Packets.Tcp seg) {
        if (seg.isRst()) return null;
        // "If the ACK bit is off, sequence number zero is used,
        //  <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>"
        if (!seg.isAck()) {
            return Packets.Tcp.of(seg.destinationPort(), seg.sourcePort(), 0, seg.seq() + seg.segmentLength(),
                    Packets.RST | Packets.ACK, 0, List.of(), NO_DATA);
        }
        // "If the ACK bit is on, <SEQ=SEG.ACK><CTL=RST>"
        return Packets.Tcp.of(seg.destinationPort(), seg.sourcePort(), seg.ack(), 0, Packets.RST, 0, List.of(), NO_DATA);
    }

    // RFC 9293 section 3.10.7.2: the first, second and fourth checks are the Listener's.
    private void onSegmentInListen(Packets.Tcp seg, long now, Output out) {
        Listener.Answer answer = Listener.answer(seg);
        if (!answer.accept()) {
            if (answer.reset() != null) out.transmit(answer.reset());
            out.event(answer.dropped());
            return;
        }
        // "Third, check for a SYN: ... Set RCV.NXT to SEG.SEQ+1, IRS is set to SEG.SEQ, and any other
        // control or text should be queued for processing later. ISS should be selected and a SYN
        // segment sent of the form: <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>. SND.NXT is set to ISS+1 and
        // SND.UNA to ISS. The connection state should be changed to SYN-RECEIVED."
        // (Text in a SYN is not kept: it is not acknowledged, so the peer sends it again.)
        irs = seg.seq();
        rcvNxt = seg.seq() + 1;
        learnPeerMss(seg);
        learnWindowScale(seg);
        learnSack(seg);
        updateWindow(seg);
        setState(TcpState.SYN_RECEIVED, out);
        sendSyn(true, now, out);
    }

    // RFC 9293 section 3.10.7.3
    private void onSegmentInSynSent(Packets.Tcp seg, long now, Output out) {
        boolean ackAcceptable = false;
        // "First, check the ACK bit: If the ACK bit is set, If SEG.ACK =< ISS or SEG.ACK > SND.NXT,
        // send a reset (unless the RST bit is set, if so drop the segment and return)
        // <SEQ=SEG.ACK><CTL=RST> and discard the segment. Return."
        if (seg.isAck()) {
            if (Seq.le(seg.ack(), iss) || Seq.gt(seg.ack(), sndNxt)) {
                if (seg.isRst()) {
                    out.event(new TcpEvent.Dropped(TcpEvent.DropReason.BAD_REPLY_TO_SYN, "RST with an unacceptable ACK " + Seq.str(seg.ack()) + " in SYN-SENT: ignored"));
                } else {
                    out.transmit(segment(seg.ack(), 0, Packets.RST, List.of(), NO_DATA));
                    out.event(new TcpEvent.Dropped(TcpEvent.DropReason.BAD_REPLY_TO_SYN, "unacceptable ACK " + Seq.str(seg.ack()) + " in SYN-SENT (expected "
                            + Seq.str(sndNxt) + "): sent RST"));
                }
                return;
            }
            // "If SND.UNA < SEG.ACK =< SND.NXT, then the ACK is acceptable." In SYN-SENT, SND.UNA is
            // ISS, so every ACK that passed the test above is.
            ackAcceptable = true;
        }
        // "Second, check the RST bit: ... If the ACK was acceptable, then signal to the user "error:
        // connection reset", drop the segment, enter CLOSED state, delete TCB, and return.
        // Otherwise (no ACK), drop the segment and return."
        if (seg.isRst()) {
            if (ackAcceptable) {
                enterClosed(TcpEvent.CloseReason.REFUSED, "connection refused", out);
            } else {
                out.event(new TcpEvent.Dropped(TcpEvent.DropReason.BAD_REPLY_TO_SYN, "RST without ACK in SYN-SENT: ignored"));
            }
            return;
        }
        // "Fourth, check the SYN bit: ... If the SYN bit is on and the security/compartment is
        // acceptable, then RCV.NXT is set to SEG.SEQ+1, IRS is set to SEG.SEQ. SND.UNA should be
        // advanced to equal SEG.ACK (if there is an ACK), and any segments on the retransmission
        // queue that are thereby acknowledged should be removed."
        if (seg.isSyn()) {
            irs = seg.seq();
            rcvNxt = seg.seq() + 1;
            learnPeerMss(seg);
            learnWindowScale(seg);
            learnSack(seg);
            if (ackAcceptable) {
                rtt.onAck(seg.ack(), now);
                sndUna = seg.ack();
            }
            // "If SND.UNA > ISS (our SYN has been ACKed), change the connection state to ESTABLISHED,
            // form an ACK segment <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK> and send it."
            if (Seq.gt(sndUna, iss)) {
                // "Set the variables: SND.WND <- SEG.WND, SND.WL1 <- SEG.SEQ, SND.WL2 <- SEG.ACK"
                updateWindow(seg);
                handshakeAcknowledged(now);
                setState(TcpState.ESTABLISHED, out);
                // "If there are other controls or text in the segment, then continue processing at the
                // sixth step under Section 3.10.7.4 where the URG bit is checked". The idealized
                // segment begins at RCV.NXT: the text after the SYN.
                if (seg.payload().length > 0 || seg.isFin()) {
                    Packets.Tcp rest = Packets.Tcp.of(seg.sourcePort(), seg.destinationPort(), seg.seq() + 1, seg.ack(),
                            seg.flags() & ~Packets.SYN, seg.window(), List.of(), seg.payload());
                    if (rest.payload().length > 0) receiveText(rest, now, out);
                    if (rest.isFin() && rest.seq() + rest.payload().length == rcvNxt) receiveFin(now, out);
                }
                sendAck(out);
                transmitQueued(now, out);
            } else {
                // "Otherwise, enter SYN-RECEIVED, form a SYN,ACK segment <SEQ=ISS><ACK=RCV.NXT>
                // <CTL=SYN,ACK> and send it." (simultaneous open)
                updateWindow(seg);
                setState(TcpState.SYN_RECEIVED, out);
                sendSyn(true, now, out);
            }
            return;
        }
        // "Fifth, if neither of the SYN or RST bits is set, then drop the segment and return."
        out.event(new TcpEvent.Dropped(TcpEvent.DropReason.BAD_REPLY_TO_SYN, "neither SYN nor RST in SYN-SENT: dropped"));
    }

    // RFC 9293 section 3.10.7.4: SYN-RECEIVED and the synchronized states.
    private void onSegmentInOtherStates(Packets.Tcp seg, long now, Output out) {
        // Not in the RFC, as Linux does: the peer sent its SYN again because our SYN-ACK was lost.
        // The sequence check below would answer with a bare ACK; a SYN-ACK finishes the handshake
        // at once. It is the same connection: no second one is created.
        if (state == TcpState.SYN_RECEIVED && seg.isSyn() && !seg.isAck() && seg.seq() == irs) {
            out.event(new TcpEvent.Duplicate("SYN", "sent SYN-ACK again"));
            sendSyn(true, now, out);
            // Karn (RFC 6298 section 3): the SYN-ACK went out twice, so the ACK to come is no RTT sample.
            rtt.onSend(iss + 1, now, true);
            return;
        }
        // TIME-WAIT: "The only thing that can arrive in this state is a retransmission of the remote
        // FIN. Acknowledge it, and restart the 2 MSL timeout."
        if (state == TcpState.TIME_WAIT && seg.isFin() && !seg.isRst() && !seg.isSyn()
                && seg.seq() + seg.payload().length + 1 == rcvNxt) {
            out.event(new TcpEvent.Duplicate("FIN", "sent ACK, TIME-WAIT restarted"));
            sendAck(out);
            timeWaitDeadline = now + 2 * config.msl();
            return;
        }

        // Fourth step, synchronized states: "RFC 5961 recommends that in these synchronized states,
        // if the SYN bit is set, irrespective of the sequence number, TCP endpoints MUST send a
        // "challenge ACK" to the remote peer: <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK> After sending the
        // acknowledgment, TCP implementations MUST drop the unacceptable segment and stop
        // processing further." Irrespective of the sequence number, so before the sequence check.
        // (SYN-RECEIVED is not synchronized: its SYNs are handled in the fourth step below.)
        if (seg.isSyn() && !seg.isRst() && state.isSynchronized()) {
            challengeAck("SYN in " + state.rfcName(), now, out);
            return;
        }

        // "If the RCV.WND is zero, no segments will be acceptable, but special allowance should be
        // made to accept valid ACKs, URGs, and RSTs." A segment at RCV.NXT with data is taken
        // without its data (and FIN): its ACK, window and RST still count, and our ACK repeats
        // that the window is zero.
        if (rcvWnd() == 0 && seg.seq() == rcvNxt && (seg.payload().length > 0 || seg.isFin()) && !seg.isSyn()) {
            out.event(new TcpEvent.Dropped(TcpEvent.DropReason.OUTSIDE_WINDOW, seg.payload().length
                    + " bytes into our zero window: not taken, its ACK processed"));
            seg = Packets.Tcp.of(seg.sourcePort(), seg.destinationPort(), seg.seq(), seg.ack(),
                    seg.flags() & ~(Packets.FIN | Packets.PSH), seg.window(), seg.options(), null);
            ackNow();
        }

        // "First, check sequence number: ... If an incoming segment is not acceptable, an
        // acknowledgment should be sent in reply (unless the RST bit is set, if so drop the segment
        // and return): <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK> After sending the acknowledgment, drop
        // the unacceptable segment and return."
        if (!isAcceptable(seg)) {
            if (seg.isRst()) {
                // RFC 5961 section 3.2: "If the RST bit is set and the sequence number is outside the
                // current receive window, silently drop the segment."
                out.event(new TcpEvent.Dropped(TcpEvent.DropReason.OUTSIDE_WINDOW, "RST with sequence number " + Seq.str(seg.seq())
                        + " outside the window [" + Seq.str(rcvNxt) + ", +" + rcvWnd() + "): ignored"));
            } else if (!allowAckForDroppedSegment(now)) {
                // The ACKs for unacceptable segments share the challenge ACKs' limit (RFC 5961 section
                // 7), as Linux limits them (tcp_invalid_ratelimit): a blind attacker's stream of
                // guesses must not turn into a stream of our ACKs.
                out.event(new TcpEvent.Dropped(TcpEvent.DropReason.OUTSIDE_WINDOW, "sequence number " + Seq.str(seg.seq()) + " not acceptable (expected "
                        + Seq.str(rcvNxt) + "): ACK limit reached, dropped silently"));
            } else {
                sendAck(out);
                if (Seq.lt(seg.seq(), rcvNxt)) {
                    out.event(new TcpEvent.Duplicate(describeKind(seg), "sent ACK " + Seq.str(rcvNxt)));
                } else {
                    out.event(new TcpEvent.Dropped(TcpEvent.DropReason.OUTSIDE_WINDOW, "sequence number " + Seq.str(seg.seq()) + " not acceptable (expected "
                            + Seq.str(rcvNxt) + ", window " + rcvWnd() + "): sent ACK"));
                }
            }
            return;
        }

        // "Second, check the RST bit:"
        if (seg.isRst()) {
            // RFC 5961 section 3.2: "If the RST bit is set and the sequence number does not exactly
            // match the next expected sequence value, yet is within the current receive window, TCP
            // endpoints MUST send an acknowledgment (challenge ACK)"
            if (seg.seq() != rcvNxt) {
                challengeAck("in-window RST with sequence number " + Seq.str(seg.seq()) + " (expected exactly "
                        + Seq.str(rcvNxt) + ")", now, out);
                return;
            }
            if (state == TcpState.SYN_RECEIVED) {
                // "If this connection was initiated with a passive OPEN (i.e., came from the LISTEN
                // state), then return this connection to LISTEN state and return. ... If this
                // connection was initiated with an active OPEN (i.e., came from SYN-SENT state), then
                // the connection was refused; signal the user "connection refused"."
                // Our listener is the receive loop, which stays; this connection's TCB goes.
                enterClosed(passiveOpen ? TcpEvent.CloseReason.RESET : TcpEvent.CloseReason.REFUSED,
                        passiveOpen ? "reset by the peer during the handshake" : "connection refused", out);
                return;
            }
            // ESTABLISHED, FIN-WAIT-1, FIN-WAIT-2, CLOSE-WAIT: "Users should also receive an
            // unsolicited general "connection reset" signal. Enter the CLOSED state, delete the TCB,
            // and return." CLOSING, LAST-ACK, TIME-WAIT: "If the RST bit is set, then enter the
            // CLOSED state, delete the TCB, and return." In TIME-WAIT both FINs were exchanged and
            // acknowledged already: the connection ended normally, the RST only shortens the wait.
            if (state == TcpState.TIME_WAIT) enterClosed(TcpEvent.CloseReason.NORMAL, "RST in TIME-WAIT", out);
            else enterClosed(TcpEvent.CloseReason.RESET, "connection reset by peer", out);
            return;
        }

        // "Fourth, check the SYN bit:" in SYN-RECEIVED, "If the connection was initiated with a
        // passive OPEN, then return this connection to the LISTEN state and return. Otherwise, handle
        // per the directions for synchronized states below."
        if (seg.isSyn()) {
            if (state == TcpState.SYN_RECEIVED && passiveOpen) {
                out.event(new TcpEvent.Dropped(TcpEvent.DropReason.NEW_SYN, "new SYN in the window during the handshake: connection dropped"));
                enterClosed(TcpEvent.CloseReason.RESET, "peer started over with a new SYN", out);
                return;
            }
            // SYN-RECEIVED after an active OPEN (simultaneous open): "handle per the directions for
            // synchronized states", that is, RFC 5961's challenge ACK.
            challengeAck("SYN in " + state.rfcName(), now, out);
            return;
        }

        // "Fifth, check the ACK field: ... if the ACK bit is off, drop the segment and return"
        if (!seg.isAck()) {
            out.event(new TcpEvent.Dropped(TcpEvent.DropReason.NO_ACK, "no ACK bit in " + state.rfcName() + ": dropped"));
            return;
        }
        if (!processAck(seg, now, out)) return;
        if (state == TcpState.CLOSED) return; // LAST-ACK ended

        // "Seventh, process the segment text:" (a FIN beyond a gap goes the same way: it waits in
        // the reassembly queue, and the gap gets a duplicate ACK at once)
        if (seg.payload().length > 0 || (seg.isFin() && Seq.lt(rcvNxt, seg.seq()))) receiveText(seg, now, out);

        // "Eighth, check the FIN bit:" only when everything before the FIN has arrived; a FIN that
        // came early waits in the reassembly queue until the data before it is in.
        if (seg.isFin() && seg.seq() + seg.payload().length == rcvNxt && !finReceived()) {
            receiveFin(now, out);
        } else if (reassembly.finReached(rcvNxt) && !finReceived()) {
            receiveFin(now, out);
        }
        transmitQueued(now, out);
    }

    /**
     * Sends the ACK that received data or a FIN is owed, unless a segment sent since carried it.
     * The caller calls this after the application has reacted to the events of a call, within the
     * same turn of its loop. RFC 9293 section 3.8.6.3: "A host that is receiving a stream of TCP
     * data segments can increase efficiency in both the network and the hosts by sending fewer
     * than one ACK (acknowledgment) segment per data segment received" ... "the delay MUST be less
     * than 0.5 seconds (MUST-40)". Ours is the time the application takes to answer.
     */
    void flushAck(Output out) {
        if (ackOwed) sendAck(out);
    }

    /** True once the peer's FIN was processed (RCV.NXT is past it). */
    private boolean finReceived() {
        return switch (state) {
            case CLOSE_WAIT, CLOSING, LAST_ACK, TIME_WAIT -> true;
            case CLOSED -> receiveBuffer != null; // nothing more will come either way
            default -> false;
        };
    }

    /**
     * "Fifth, check the ACK field:". Returns false when the segment must not be processed further.
     */
    private boolean processAck(Packets.Tcp seg, long now, Output out) {
        int ack = seg.ack();
        if (state == TcpState.SYN_RECEIVED) {
            // "If SND.UNA < SEG.ACK =< SND.NXT, then enter ESTABLISHED state and continue processing
            // with the variables below set to: SND.WND <- SEG.WND, SND.WL1 <- SEG.SEQ, SND.WL2 <- SEG.ACK"
            if (Seq.lt(sndUna, ack) && Seq.le(ack, sndNxt)) {
                rtt.onAck(ack, now);
                sndUna = ack;
                updateWindow(seg);
                handshakeAcknowledged(now);
                setState(TcpState.ESTABLISHED, out);
                out.event(new TcpEvent.Writable(writable()));
                // A CLOSE made during the handshake was queued for this moment (RFC 9293 3.10.4).
                if (closeRequested) setState(TcpState.FIN_WAIT_1, out);
            } else {
                // "If the segment acknowledgment is not acceptable, form a reset segment
                // <SEQ=SEG.ACK><CTL=RST> and send it."
                out.transmit(segment(ack, 0, Packets.RST, List.of(), NO_DATA));
                out.event(new TcpEvent.Dropped(TcpEvent.DropReason.UNACCEPTABLE_ACK, "unacceptable ACK " + Seq.str(ack) + " in SYN-RECEIVED (expected "
                        + Seq.str(sndNxt) + "): sent RST"));
                return false;
            }
        }
        // RFC 5961 section 5.2: "the ACK value is acceptable only if it is in the range of
        // ((SND.UNA - MAX.SND.WND) =< SEG.ACK =< SND.NXT). All incoming segments whose ACK value
        // doesn't satisfy the above condition MUST be discarded and an ACK sent back."
        // ESTABLISHED: "If the ACK acks something not yet sent (SEG.ACK > SND.NXT), then send an ACK,
        // drop the segment, and return." What was sent reaches to sndMax (see its comment).
        if (Seq.gt(ack, sndMax) || Seq.lt(ack, sndUna - maxSndWnd)) {
            boolean answered = allowAckForDroppedSegment(now); // the same budget as challenge ACKs
            if (answered) sendAck(out);
            out.event(new TcpEvent.Dropped(TcpEvent.DropReason.UNACCEPTABLE_ACK, "ACK " + Seq.str(ack) + " outside ["
                    + Seq.str(sndUna - maxSndWnd) + ", " + Seq.str(sndMax) + "]: "
                    + (answered ? "sent ACK" : "ACK limit reached, dropped silently")));
            return false;
        }
        int windowBefore = sndWnd;
        // RFC 5681's duplicate ACK, judged before this segment updates the window, with one
        // deviation: its condition (e), "the advertised window in the incoming acknowledgment
        // equals the advertised window in the last incoming acknowledgment", is left out. Linux
        // receivers move their window in the very duplicates that signal a loss (they read while
        // the gap waits; they rely on SACK), and with (e) those go uncounted and a timeout follows.
        boolean duplicate = cc != null && CongestionControl.isDuplicateAck(ack, seg.payload().length,
                seg.isSyn() || seg.isFin(), sndWnd, sndUna, sndMax, sndWnd);
        // RFC 2018 section 4: the blocks say what the receiver holds beyond SEG.ACK. They go on the
        // scoreboard before the ACK is acted on, after what it acknowledges cumulatively (RACK
        // takes newly delivered data in sequence order, RFC 8985 6.2). With SACK, RFC 6675 section
        // 2 counts an ACK as a duplicate only when its SACK blocks report octets not SACKed
        // before: a bare window update is not a sign of loss.
        boolean sackBlocks = false;
        if (scoreboard != null) {
            if (Seq.lt(sndUna, ack)) scoreboard.acked(ack, now);
            int sackedBefore = scoreboard.sackedBytes();
            sackBlocks = takeSackBlocks(seg, now);
            if (scoreboard.sackedBytes() <= sackedBefore) duplicate = false;
        }
        // "If SND.UNA < SEG.ACK =< SND.NXT, then set SND.UNA <- SEG.ACK. Any segments on the
        // retransmission queue that are thereby entirely acknowledged are removed."
        if (Seq.lt(sndUna, ack)) {
            int oldUna = sndUna;
            rtt.onAck(ack, now);
            acknowledgeSent(ack, now, out);
            if (cc != null) {
                String phaseBefore = congestionPhase();
                CongestionControl.Action action = cc.onNewAck(ack, oldUna, sndMax);
                if (action == CongestionControl.Action.RETRANSMIT) {
                    // RFC 6582, a partial ACK: "retransmit the first unacknowledged segment".
                    retransmitAtUna("partial ACK", now, out);
                    out.event(new TcpEvent.CongestionChanged(cc.cwnd(), cc.ssthresh(), "partial ACK, still in fast recovery"));
                } else if (!congestionPhase().equals(phaseBefore)) {
                    out.event(new TcpEvent.CongestionChanged(cc.cwnd(), cc.ssthresh(), phaseBefore + " over, now " + congestionPhase()));
                }
            }
        } else if (seg.window() == 0 && (probing || sndUna != sndNxt)) {
            // An answer to a window probe: the peer is alive, so the probes are not "tries" that
            // count toward giving up (RFC 9293 section 3.8.6.1, the connection is kept open
            // while the window is zero).
            retries = 0;
        } else if (duplicate) {
            // RFC 5827's early retransmit: with fewer than four segments out and nothing new to
            // send, three duplicates can never come; oseg - 1 of them are enough.
            int outstandingSegments = (sndMax - sndUna + sndMss - 1) / sndMss;
            boolean nothingUnsent = !Seq.lt(sndMax, sendBufferSeq + sendBuffer.length());
            int threshold = outstandingSegments < 4 && nothingUnsent ? Math.max(outstandingSegments - 1, 1)
                    : CongestionControl.DUPLICATE_ACK_THRESHOLD;
            CongestionControl.Action action = cc.onDuplicateAck(ack, sndMax, sndMax - sndUna, threshold);
            if (action == CongestionControl.Action.RETRANSMIT && scoreboard != null) {
                startSackRecovery("three duplicate ACKs", now, out);
            } else if (action == CongestionControl.Action.RETRANSMIT) {
                // RFC 5681 section 3.2: "The lost segment starting at SND.UNA MUST be retransmitted"
                retransmitAtUna("fast retransmit", now, out);
                out.event(new TcpEvent.CongestionChanged(cc.cwnd(), cc.ssthresh(), "three duplicate ACKs"));
            }
        } else if (cc != null) {
            cc.onOtherAck();
        }
        if (scoreboard != null && (sackBlocks || cc.inRecovery())) detectLosses(ack, now, out);
        // "If SND.UNA =< SEG.ACK =< SND.NXT, the send window should be updated. If (SND.WL1 < SEG.SEQ
        // or (SND.WL1 = SEG.SEQ and SND.WL2 =< SEG.ACK)), set SND.WND <- SEG.WND, set SND.WL1 <-
        // SEG.SEQ, and set SND.WL2 <- SEG.ACK."
        if (Seq.le(sndUna, ack) && (Seq.lt(sndWl1, seg.seq()) || (sndWl1 == seg.seq() && Seq.le(sndWl2, ack)))) {
            updateWindow(seg);
        }
        if (probing && windowBefore == 0 && sndWnd > 0) {
            // The window opened. A probe byte the peer did not take is sent again with the rest:
            // SND.NXT goes back to it (it never moved past it, see retransmitEarliest).
            probing = false;
            retries = 0;
            rtoDeadline = NEVER;
            if (Seq.lt(sndNxt, sndUna)) sndNxt = sndUna;
        }
        boolean finAcked = finSent && Seq.gt(sndUna, finSeq);
        switch (state) {
            // FIN-WAIT-1: "if the FIN segment is now acknowledged, then enter FIN-WAIT-2 and continue
            // processing in that state."
            case FIN_WAIT_1 -> {
                if (finAcked) {
                    setState(TcpState.FIN_WAIT_2, out);
                    finWait2Deadline = now + config.finWait2Timeout();
                }
            }
            // CLOSING: "if the ACK acknowledges our FIN, then enter the TIME-WAIT state; otherwise,
            // ignore the segment."
            // "In addition to the processing for the ESTABLISHED state": our CLOSE entered
            // FIN-WAIT-1 with data still queued (RFC 9293 3.10.4, the FIN follows the data), so
            // the peer's FIN may come first; what ACKs open must still be sent, then our FIN.
            case CLOSING -> {
                if (finAcked) {
                    enterTimeWait(now, out);
                } else {
                    transmitQueued(now, out);
                    return false;
                }
            }
            // LAST-ACK: "If our FIN is now acknowledged, delete the TCB, enter the CLOSED state, and return."
            case LAST_ACK -> {
                if (finAcked) {
                    enterClosed(TcpEvent.CloseReason.NORMAL, "FIN acknowledged", out);
                    return false;
                }
            }
            default -> { }
        }
        return true;
    }

    /** "Seventh, process the segment text:" */
    private void receiveText(Packets.Tcp seg, long now, Output out) {
        switch (state) {
            case ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2 -> { }
            default -> {
                // CLOSE-WAIT, CLOSING, LAST-ACK, TIME-WAIT: "This should not occur since a FIN has
                // been received from the remote side. Ignore the segment text."
                out.event(new TcpEvent.Dropped(TcpEvent.DropReason.AFTER_FIN, "data after the peer's FIN in " + state.rfcName() + ": ignored"));
                return;
            }
        }
        byte[] payload = seg.payload();
        if (Seq.lt(rcvNxt, seg.seq())) {
            // "Segments with higher beginning sequence numbers that are not the next expected may be
            // held for later processing (SHLD-31)." RFC 5681 section 4.2: "A TCP receiver SHOULD
            // send an immediate duplicate ACK when an out-of-order segment arrives."
            int kept = reassembly.add(seg.seq(), payload, 0, payload.length, seg.isFin(), rcvNxt, rcvWnd());
            out.event(new TcpEvent.OutOfOrder(seg.seq() - rcvNxt, payload.length, kept));
            ackNow();
            return;
        }
        // "Once in the ESTABLISHED state, it is possible to deliver segment data to user RECEIVE
        // buffers. ... Once the TCP endpoint takes responsibility for the data, it advances RCV.NXT
        // over the data accepted, and adjusts RCV.WND as appropriate to the current buffer
        // availability." Data past the window (or past the buffer's room) is trimmed off.
        int offset = rcvNxt - seg.seq(); // bytes already received, when the segment straddles RCV.NXT
        int length = Math.min(payload.length - offset, rcvWnd());
        int taken = length > 0 ? receiveBuffer.write(payload, offset, length) : 0;
        rcvNxt += taken;
        boolean filledGap = false;
        if (!reassembly.isEmpty()) {
            // RFC 5681 section 4.2: "A TCP receiver SHOULD send an immediate ACK when the incoming
            // segment fills in all or part of a gap in the sequence space."
            byte[] more = reassembly.takeContiguous(rcvNxt);
            if (more.length > 0) {
                rcvNxt += receiveBuffer.write(more, 0, more.length);
                filledGap = true;
            }
        }
        if (receiveBuffer.length() > 0) out.event(new TcpEvent.Readable(receiveBuffer.length()));
        // "Send an acknowledgment of the form: <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>", delayed as
        // RFC 9293 section 3.8.6.3 allows: "an ACK SHOULD be generated for at least every second
        // full-sized segment or 2*RMSS bytes of new data (where RMSS is the MSS specified by the TCP
        // endpoint receiving the segments to be acknowledged, or the default value if not
        // specified) (SHLD-19)" and "the delay MUST be less than 0.5 seconds (MUST-40)".
        // A large packet (the peer's segmentation offload, seen whole on a virtual link) counts
        // as the full-sized segments it holds: "or 2*RMSS bytes of new data".
        if (payload.length >= Math.min(config.mss(), sndMss)) fullSegmentsUnacked += Math.max(1, payload.length / config.mss());
        if (filledGap || fullSegmentsUnacked >= 2 || config.delayedAck() == 0 || taken < payload.length - offset) {
            ackNow();
        } else if (ackDeadline == NEVER) {
            ackDeadline = now + config.delayedAck();
        }
    }

    /** An ACK is owed at once: it goes when the current call ends, unless our answer carries it. */
    private void ackNow() {
        ackOwed = true;
    }

    /** "Eighth, check the FIN bit:" for a FIN that is next in sequence. */
    private void receiveFin(long now, Output out) {
        // "If the FIN bit is set, signal the user "connection closing" and return any pending
        // RECEIVEs with same message, advance RCV.NXT over the FIN, and send an acknowledgment for
        // the FIN."
        rcvNxt += 1;
        ackNow();
        switch (state) {
            // "SYN-RECEIVED STATE, ESTABLISHED STATE: Enter the CLOSE-WAIT state."
            case SYN_RECEIVED, ESTABLISHED -> setState(TcpState.CLOSE_WAIT, out);
            // "FIN-WAIT-1 STATE: If our FIN has been ACKed (perhaps in this segment), then enter
            // TIME-WAIT, start the time-wait timer, turn off the other timers; otherwise, enter the
            // CLOSING state." An ACK of our FIN in this segment already moved us to FIN-WAIT-2
            // (fifth step), whose case follows; still in FIN-WAIT-1, our FIN is not ACKed.
            case FIN_WAIT_1 -> setState(TcpState.CLOSING, out);
            // "FIN-WAIT-2 STATE: Enter the TIME-WAIT state. Start the time-wait timer, turn off the
            // other timers."
            case FIN_WAIT_2 -> enterTimeWait(now, out);
            // CLOSE-WAIT, CLOSING, LAST-ACK: "Remain in the ... state."
            default -> { }
        }
    }

    // ------------------------------------------------------------------ sending

    /** Sends queued data the windows allow, then our FIN once all data went out and CLOSE was called. */
    private void transmitQueued(long now, Output out) {
        transmitQueued(now, out, false, false);
    }

    /**
     * @param afterTimeout the retransmission timer just sent SND.NXT back to SND.UNA: what follows
     *                     goes out again (and is never timed, Karn's rule)
     * @param override     the SWS override timer fired: one small segment may go
     */
    private void transmitQueued(long now, Output out, boolean afterTimeout, boolean override) {
        switch (state) {
            case ESTABLISHED, CLOSE_WAIT, FIN_WAIT_1, LAST_ACK, CLOSING -> { }
            default -> { return; }
        }
        int dataEnd = sendBufferSeq + sendBuffer.length();
        if (cc != null && sndUna == sndMax && Seq.lt(sndNxt, dataEnd) && lastDataSentAt > 0
                && cc.restartAfterIdle(now - lastDataSentAt, rtt.rto())) {
            out.event(new TcpEvent.CongestionChanged(cc.cwnd(), cc.ssthresh(), "restart after idle"));
        }
        boolean sentNewData = false;
        // RFC 6675: in loss recovery with SACK, the holes go first, and pipe (not SND.NXT - SND.UNA)
        // is what the network holds.
        int pipe = -1;
        if (scoreboard != null && cc.inRecovery()) pipe = retransmitHoles(scoreboard.pipe(), now, out);
        while (Seq.lt(sndNxt, dataEnd)) {
            int inFlight = sndNxt - sndUna;
            // RFC 5681 section 2: the sender may send while in flight < min(cwnd, rwnd); RFC 3042's
            // limited transmit lets the first two duplicate ACKs each send one more new segment.
            int usable = sndWnd - inFlight;
            if (cc != null) {
                int allowance = resendPending() ? 0 : cc.limitedTransmitAllowance();
                usable = Math.min(usable, cc.cwnd() + allowance - (pipe >= 0 ? pipe : inFlight));
            }
            int available = dataEnd - sndNxt;
            boolean resend = Seq.lt(sndNxt, sndMax);
            if (resend && scoreboard != null) {
                // Going back (after a timeout, or to a window probe's byte): what the receiver
                // SACKed since is not sent again.
                int past = scoreboard.skipSacked(sndNxt);
                if (past != sndNxt) {
                    sndNxt = past;
                    continue;
                }
                if (scoreboard.sackedBytes() > 0) available = Math.min(available, scoreboard.nextSackedStart(sndNxt) - sndNxt);
            }
            int length;
            if (resend) {
                length = Math.min(Math.min(available, sndMss), usable);
            } else {
                // Nagle, as Linux and Minshall's variant apply it: a small segment waits only while
                // an earlier small segment is unacknowledged, so the tail of a long write is not
                // held back behind full-sized segments (RFC 9293 section 3.7.4 allows variants).
                boolean smallOutstanding = Seq.gt(smallSegmentEnd, sndUna);
                WhenToSend.Decision decision = WhenToSend.decide(usable, available, sndMss, maxSndWnd, smallOutstanding,
                        config.noDelay(), true, override);
                length = decision.bytes();
                if (length == 0 && decision.overrideTimer() && overrideDeadline == NEVER) {
                    overrideDeadline = now + WhenToSend.OVERRIDE_TIMEOUT_MILLIS;
                }
                if (length == sndMss && config.largeSegments() > sndMss) {
                    // Several full segments in one, for a stack that cuts them apart on the way out
                    // (segmentation offload): whole MSS multiples, or everything that is left.
                    int most = Math.min(Math.min(available, usable), config.largeSegments());
                    length = most == available ? most : Math.max(sndMss, most / sndMss * sndMss);
                }
            }
            if (length <= 0) break;
            override = false;
            if (!resend && length < sndMss) smallSegmentEnd = sndNxt + length;
            sendData(sndNxt, length, now, out);
            rtt.onSend(sndNxt + length, now, resend || afterTimeout || retries > 0);
            sndNxt += length;
            if (Seq.gt(sndNxt, sndMax)) sndMax = sndNxt;
            if (pipe >= 0) pipe += length;
            lastDataSentAt = now;
            armRetransmissionTimer(now);
            if (!resend) sentNewData = true;
        }
        // RFC 8985 7.2: the probe timer is (re)armed when new data goes out.
        if (sentNewData) armTailLossProbe(now);
        if (Seq.lt(sndNxt, dataEnd) && sndUna == sndMax && sndWnd == 0) {
            // Data waits, nothing is in flight, and the peer's window is closed: the retransmission
            // timer, with its backoff, sends the window probes (RFC 9293 section 3.8.6.1).
            armRetransmissionTimer(now);
        }
        if (!Seq.lt(sndNxt, dataEnd)) overrideDeadline = NEVER; // nothing waits any more
        if (closeRequested && sndNxt == dataEnd && state != TcpState.ESTABLISHED && state != TcpState.CLOSE_WAIT) {
            // "form a FIN segment and send it" (CLOSE, RFC 9293 3.10.4), once all data went out;
            // again after a timeout sent SND.NXT back (the FIN occupies the number after the data).
            boolean resend = finSent;
            finSeq = dataEnd;
            finSent = true;
            out.transmit(segment(finSeq, rcvNxt, Packets.FIN | Packets.ACK, List.of(), NO_DATA));
            rtt.onSend(finSeq + 1, now, resend || afterTimeout || retries > 0);
            sndNxt = finSeq + 1;
            if (Seq.gt(sndNxt, sndMax)) sndMax = sndNxt;
            armRetransmissionTimer(now);
        }
    }

    /** SND.NXT was sent back by a timeout: what follows is resent, not new (no limited transmit). */
    private boolean resendPending() {
        return Seq.lt(sndNxt, sndMax);
    }

    /**
     * The phase of congestion control, for the log: a change of cwnd is told when the phase
     * changes (and on each loss), not on every ACK that grows it.
     */
    private String congestionPhase() {
        return cc.inRecovery() ? "fast recovery" : cc.inSlowStart() ? "slow start" : "congestion avoidance";
    }

    /** Sends the segment at SND.UNA again now: fast retransmit, or a NewReno partial ACK. */
    private void retransmitAtUna(String why, long now, Output out) {
        int dataEnd = sendBufferSeq + sendBuffer.length();
        int length = Math.min(dataEnd - sndUna, sndMss);
        if (length > 0) {
            sendData(sndUna, length, now, out);
            out.event(new TcpEvent.FastRetransmit(bytes(length), why));
            if (Seq.lt(sndNxt, sndUna + length)) sndNxt = sndUna + length;
        } else if (finSent && sndUna == finSeq) {
            out.transmit(segment(finSeq, rcvNxt, Packets.FIN | Packets.ACK, List.of(), NO_DATA));
            out.event(new TcpEvent.FastRetransmit("FIN", why));
        }
        rtt.onSend(sndUna + Math.max(length, 1), 0, true); // Karn: no sample from this one
    }

    /** The SACK options of an ACK, block by block, onto the scoreboard. True when there was one. */
    private boolean takeSackBlocks(Packets.Tcp seg, long now) {
        boolean any = false;
        for (Packets.TcpOption o : seg.options()) {
            if (!(o instanceof Packets.Sack sack)) continue;
            any = true;
            for (int i = 0; i < sack.blocks(); i++) scoreboard.sacked(sack.left(i), sack.right(i), now);
        }
        return any;
    }

    /**
     * After the scoreboard learnt something: what is lost now (RFC 6675's IsLost, RFC 8985's
     * RACK), and whether that starts a recovery: RFC 6675 section 5, "(2) If DupAcks < DupThresh
     * but IsLost (HighACK + 1) returns true -- indicating at least three segments have arrived
     * above the current cumulative acknowledgment point, which is taken to indicate loss -- go to
     * step (4)." The retransmissions themselves go out in transmitQueued.
     */
    private void detectLosses(int ack, long now, Output out) {
        int resentBefore = scoreboard.lostRetransmissions();
        scoreboard.detectLosses(now, cc.inRecovery(), sndMss, rtt.srtt());
        if (scoreboard.lostRetransmissions() > resentBefore) {
            out.event(new TcpEvent.CongestionChanged(cc.cwnd(), cc.ssthresh(), "a retransmission was lost too (RACK): sending it again"));
        }
        if (!cc.inRecovery() && scoreboard.isLost(sndUna) && cc.enterSackRecovery(ack, sndMax, sndMax - sndUna)) {
            startSackRecovery("SACK blocks show a loss", now, out);
        }
    }

    /**
     * RFC 6675 section 5, step (4): "(4.3) Retransmit the first data segment presumed dropped --
     * the segment starting with sequence number HighACK + 1." It goes even when pipe exceeds the
     * new cwnd; the rest waits for cwnd - pipe (transmitQueued).
     */
    private void startSackRecovery(String why, long now, Output out) {
        finResentInRecovery = false;
        int dataEnd = sendBufferSeq + sendBuffer.length();
        scoreboard.markLost(sndUna, Math.min(dataEnd - sndUna, sndMss) + sndUna);
        retransmitAtUna("fast retransmit", now, out);
        out.event(new TcpEvent.CongestionChanged(cc.cwnd(), cc.ssthresh(), why + ", SACK recovery to " + Seq.str(cc.recover() + 1)));
    }

    /**
     * RFC 6675 section 5, step (C): in loss recovery, "If cwnd - pipe >= 1 SMSS, the sender SHOULD
     * transmit one or more segments": first the holes NextSeg () rule (1) finds, each counted
     * into pipe ("(C.4) The estimate of the amount of data outstanding in the network must be
     * updated by incrementing pipe by the number of octets transmitted"). Returns pipe.
     */
    private int retransmitHoles(int pipe, long now, Output out) {
        while (cc.cwnd() - pipe >= sndMss) {
            Scoreboard.Hole hole = scoreboard.nextLost(sndMss);
            if (hole == null) {
                // All data is acknowledged and recovery waits only for our FIN, which is not on the
                // board: sent again once, as NewReno's partial ACK would (RFC 6675's rescue
                // retransmission, NextSeg () rule (4), for the last unacknowledged octet).
                if (finSent && sndUna == finSeq && !finResentInRecovery) {
                    finResentInRecovery = true;
                    retransmitAtUna("SACK recovery", now, out);
                    pipe += 1;
                }
                break;
            }
            sendData(hole.start(), hole.length(), now, out);
            rtt.onSend(hole.end(), now, true); // Karn: a retransmission is never timed
            armRetransmissionTimer(now);
            pipe += hole.length();
            out.event(new TcpEvent.FastRetransmit(bytes(hole.length()), "SACK recovery"));
        }
        return pipe;
    }

    private void sendData(int seq, int length, long now, Output out) {
        if (scoreboard != null) scoreboard.sent(seq, seq + length, now);
        byte[] chunk = new byte[length];
        sendBuffer.copyOut(seq - sendBufferSeq, chunk, 0, length);
        boolean last = seq + length == sendBufferSeq + sendBuffer.length();
        out.transmit(segment(seq, rcvNxt, Packets.ACK | (last ? Packets.PSH : 0), List.of(), chunk));
    }

    /**
     * The SYN (active open) or SYN-ACK (passive open), always from ISS, with our MSS and, where RFC
     * 7323 section 2.2 allows, our window scale: "A TCP MAY send the Window Scale option in a <SYN>
     * segment"; "a TCP MUST NOT send a Window Scale option in a <SYN,ACK> segment unless it
     * received one in the initial <SYN>" (our SYN-ACK after a simultaneous open answers a SYN too).
     */
    private void sendSyn(boolean withAck, long now, Output out) {
        int flags = withAck ? Packets.SYN | Packets.ACK : Packets.SYN;
        List<Packets.TcpOption> options = new ArrayList<>(6);
        options.add(new Packets.Mss(config.mss()));
        if (config.windowScaling() && (!withAck || peerOfferedWindowScale)) {
            options.add(new Packets.Nop());
            options.add(new Packets.WindowScale(rcvWndShift));
        }
        if (config.sack() && (!withAck || peerOfferedSack)) {
            // As Linux lays it out: two NOPs keep the next option on a 4-byte boundary.
            options.add(new Packets.Nop());
            options.add(new Packets.Nop());
            options.add(new Packets.SackPermitted());
        }
        out.transmit(segment(iss, withAck ? rcvNxt : 0, flags, options, NO_DATA));
        rtt.onSend(iss + 1, now, retries > 0);
        armRetransmissionTimer(now);
    }

    /**
     * <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>. Two refinements, as BSD and Linux make them: after a
     * timeout sent SND.NXT back, an ACK carries the highest number sent (sndMax), so the peer does not
     * take it for an old duplicate; and it never carries a number beyond the peer's window (after a
     * window probe into a zero window), where a peer would drop it as unacceptable.
     */
    private void sendAck(Output out) {
        int seq = sndMax;
        if (state.isSynchronized() && Seq.gt(seq, sndUna + sndWnd)) seq = Seq.gt(sndNxt, sndUna + sndWnd) ? sndNxt : sndUna + sndWnd;
        out.transmit(segment(seq, rcvNxt, Packets.ACK, List.of(), NO_DATA));
    }

    /** Every segment we send: its ACK, if any, acknowledges everything, so no ACK stays owed. */
    private Packets.Tcp segment(int seq, int ack, int flags, List<Packets.TcpOption> options, byte[] payload) {
        if ((flags & Packets.ACK) != 0 && ack == rcvNxt) {
            ackOwed = false;
            ackDeadline = NEVER;
            fullSegmentsUnacked = 0;
        }
        int window = (flags & Packets.RST) != 0 ? 0 : windowField((flags & Packets.SYN) != 0);
        if (sackPermitted() && options.isEmpty() && payload.length == 0 && (flags & (Packets.SYN | Packets.RST | Packets.ACK)) == Packets.ACK
                && !reassembly.isEmpty()) {
            options = sackOption();
        }
        return Packets.Tcp.of(localPort, remotePort, seq, ack, flags, window, options, payload);
    }

    /**
     * RFC 2018 section 4: "If sent at all, SACK options SHOULD be included in all ACKs which do not
     * ACK the highest sequence number in the data receiver's queue." "The first SACK block ...
     * MUST specify the contiguous block of data containing the segment which triggered this ACK"
     * (ReassemblyQueue keeps that order). Four blocks fit beside no timestamps; only pure ACKs carry
     * them, so that a full-sized data segment never grows past the MSS.
     */
    private List<Packets.TcpOption> sackOption() {
        int[] edges = reassembly.sackBlocks(rcvNxt, Packets.MAX_SACK_BLOCKS);
        if (edges.length == 0) return List.of();
        return List.of(new Packets.Nop(), new Packets.Nop(), new Packets.Sack(edges));
    }

    /** The window field of a segment we send: see ReceiveWindow (SWS avoidance, scaling, no shrinking). */
    private int windowField(boolean syn) {
        if (syn) {
            int window = receiveWindow.synWindow(receiveBuffer.free());
            // A SYN-ACK: RCV.NXT is known, so its window counts from here (a SYN's starts when
            // the SYN-ACK arrives, in learnWindowScale).
            if (state == TcpState.SYN_RECEIVED) receiveWindow.start(rcvNxt);
            return window;
        }
        // While a gap waits to be filled, our ACKs are duplicates: they keep the window they had,
        // or the sender would not count them (RFC 5681 section 2, condition (e)).
        if (!reassembly.isEmpty()) return receiveWindow.advertiseSameEdge(rcvNxt);
        return receiveWindow.advertise(rcvNxt, receiveBuffer.free(), config.mss());
    }

    /**
     * A challenge ACK, <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>, within the budget: "Note that RFC 5961
     * and Errata ID 4772 [99] contain additional considerations for ACK throttling in an
     * implementation." (RFC 9293 section 3.10.7.4; RFC 5961 section 7 asks for the throttling.)
     */
    private void challengeAck(String why, long now, Output out) {
        if (allowAckForDroppedSegment(now)) {
            sendAck(out);
            out.event(new TcpEvent.Dropped(TcpEvent.DropReason.CHALLENGE, why + ": sent challenge ACK"));
        } else {
            out.event(new TcpEvent.Dropped(TcpEvent.DropReason.CHALLENGE, why + ": challenge ACK limit reached, dropped silently"));
        }
    }

    /** Counts an ACK in reply to a dropped segment against the per-second budget; false when spent. */
    private boolean allowAckForDroppedSegment(long now) {
        if (challengeAcksInWindow == 0 || now - challengeWindowStart >= 1000) {
            challengeWindowStart = now;
            challengeAcksInWindow = 0;
        }
        if (challengeAcksInWindow >= config.challengeAcksPerSecond()) return false;
        challengeAcksInWindow++;
        return true;
    }

    // ------------------------------------------------------------------ acknowledgments and timers

    /** SND.UNA moves to ack: acknowledged data leaves the send buffer, the timer restarts or stops. */
    private void acknowledgeSent(int ack, long now, Output out) {
        int dataEnd = sendBufferSeq + sendBuffer.length();
        int ackedData = Seq.lt(ack, dataEnd) ? ack - sendBufferSeq : sendBuffer.length();
        if (ackedData > 0) {
            sendBuffer.acknowledge(ackedData);
            sendBufferSeq += ackedData;
        }
        sndUna = ack; // the scoreboard took this ACK already, before its SACK blocks (processAck)
        if (Seq.lt(sndNxt, sndUna)) sndNxt = sndUna; // the peer had more than we resent since a timeout
        retries = 0;
        // The backoff ends with new acknowledgments, as in Linux: RTO is computed afresh.
        rtt.resetBackoff();
        // (5.2) "When all outstanding data has been acknowledged, turn off the retransmission timer."
        // (5.3) "When an ACK is received that acknowledges new data, restart the retransmission timer
        // so that it will expire after RTO seconds (for the current value of RTO)."
        rtoDeadline = sndUna == sndMax ? NEVER : now + rtt.rto();
        probeOut = false;
        probeDeadline = NEVER;
        armTailLossProbe(now);
        if (ackedData > 0 && canWrite()) out.event(new TcpEvent.Writable(writable()));
    }

    /** Our SYN (or SYN-ACK) is acknowledged: the handshake's retransmission state ends. */
    private void handshakeAcknowledged(long now) {
        retries = 0;
        rtt.resetBackoff();
        // (5.7) "If the timer expires awaiting the ACK of a SYN segment and the TCP implementation is
        // using an RTO less than 3 seconds, the RTO MUST be re-initialized to 3 seconds when data
        // transmission begins (i.e., after the three-way handshake completes)." (see RttEstimator)
        if (synRetransmitted) rtt.afterHandshakeWithSynRetransmitted();
        rtoDeadline = sndUna == sndMax ? NEVER : now + rtt.rto();
        cc = new CongestionControl(sndMss);
        if (config.largeSegments() > sndMss) cc.allowGrowthPerAck(config.largeSegments());
        // RFC 5681 section 3.1: after a lost SYN or SYN-ACK, the initial window is one segment.
        if (synRetransmitted) cc.synWasRetransmitted();
        if (sackPermitted()) {
            cc.useSackRecovery();
            scoreboard = new Scoreboard(sndMss);
        }
    }

    /** (5.1) "Every time a packet containing data is sent (including a retransmission), if the timer
     *  is not running, start it running so that it will expire after RTO seconds". */
    private void armRetransmissionTimer(long now) {
        if (rtoDeadline == NEVER) rtoDeadline = now + rtt.rto();
    }

    // ------------------------------------------------------------------ helpers

    /** "SND.UNA to ISS, SND.NXT to ISS+1": the SYN takes ISS, user data starts after it. */
    private void startSending(int initialSequenceNumber) {
        iss = initialSequenceNumber;
        sndUna = iss;
        sndNxt = iss + 1;
        sndMax = iss + 1;
        sendBufferSeq = iss + 1;
        smallSegmentEnd = iss; // no small segment sent yet: never "after" SND.UNA
    }

    /**
     * The acceptability test of RFC 9293 section 3.10.7.4:
     * <pre>
     * Segment Length  Receive Window  Test
     * 0               0               SEG.SEQ = RCV.NXT
     * 0               >0              RCV.NXT =< SEG.SEQ < RCV.NXT+RCV.WND
     * >0              0               not acceptable
     * >0              >0              RCV.NXT =< SEG.SEQ < RCV.NXT+RCV.WND
     *                              or RCV.NXT =< SEG.SEQ+SEG.LEN-1 < RCV.NXT+RCV.WND
     * </pre>
     */
    private boolean isAcceptable(Packets.Tcp seg) {
        int length = seg.segmentLength();
        int rcvWnd = rcvWnd();
        if (length == 0) {
            return rcvWnd == 0 ? seg.seq() == rcvNxt : Seq.inWindow(seg.seq(), rcvNxt, rcvWnd);
        }
        if (rcvWnd == 0) return false;
        return Seq.inWindow(seg.seq(), rcvNxt, rcvWnd) || Seq.inWindow(seg.seq() + length - 1, rcvNxt, rcvWnd);
    }

    private void updateWindow(Packets.Tcp seg) {
        sndWnd = scaledWindow(seg);
        sndWl1 = seg.seq();
        sndWl2 = seg.ack();
        if (sndWnd > maxSndWnd) maxSndWnd = sndWnd;
    }

    /** SEG.WND in bytes. RFC 7323 section 2.3: the shift applies to every segment but a SYN. */
    private int scaledWindow(Packets.Tcp seg) {
        return seg.isSyn() || !windowScaling ? seg.window() : seg.window() << sndWndShift;
    }

    /**
     * The peer's SYN (or SYN-ACK) says whether it scales windows. RFC 7323 section 2.2: "If a TCP
     * receives a <SYN> segment containing a Window Scale option, it SHOULD send its own Window
     * Scale option in the <SYN,ACK> segment"; "If a Window Scale option is received with a
     * shift.cnt value larger than 14, the TCP SHOULD log the error but MUST use 14 instead of the
     * specified value." Scaling holds when both SYNs carried the option.
     */
    private void learnWindowScale(Packets.Tcp syn) {
        int shift = -1;
        for (Packets.TcpOption o : syn.options()) if (o instanceof Packets.WindowScale w) shift = w.shift();
        peerOfferedWindowScale = shift >= 0;
        windowScaling = peerOfferedWindowScale && config.windowScaling();
        sndWndShift = windowScaling ? Math.min(shift, MAX_WINDOW_SHIFT) : 0;
        if (!windowScaling) rcvWndShift = 0;
        receiveWindow.useShift(rcvWndShift);
        if (state == TcpState.SYN_SENT) receiveWindow.start(rcvNxt); // our SYN's window counts from here
    }

    /**
     * RFC 2018 section 2: "This two-byte option may be sent in a SYN by a TCP that has been
     * extended to receive (and presumably process) the SACK option once the connection has
     * opened. It MUST NOT be sent on non-SYN segments." SACK holds when both SYNs carried it.
     */
    private void learnSack(Packets.Tcp syn) {
        peerOfferedSack = syn.sackPermitted();
    }

    private void learnPeerMss(Packets.Tcp syn) {
        int peerMss = syn.mss();
        // RFC 9293 section 3.7.1: the effective send MSS is the smaller of what the peer announced
        // (536 when it did not) and what our own interface can carry.
        sndMss = Math.min(peerMss > 0 ? peerMss : DEFAULT_SEND_MSS, config.mss());
    }

    private void enterTimeWait(long now, Output out) {
        setState(TcpState.TIME_WAIT, out);
        // "start the time-wait timer, turn off the other timers"
        rtoDeadline = NEVER;
        finWait2Deadline = NEVER;
        timeWaitDeadline = now + 2 * config.msl();
    }

    private void enterClosed(TcpEvent.CloseReason reason, String detail, Output out) {
        enterClosed(new TcpEvent.Closed(reason, detail), out);
    }

    private void enterClosed(TcpEvent.Closed closed, Output out) {
        setState(TcpState.CLOSED, out);
        ackOwed = false;
        ackDeadline = NEVER;
        rtoDeadline = NEVER;
        timeWaitDeadline = NEVER;
        finWait2Deadline = NEVER;
        out.event(closed);
    }

    /**
     * Every state change goes through here, so every one is seen, and each is checked against
     * {@link TcpTransitions}: an edge that is not in RFC 9293's diagram is a bug of ours.
     */
    private void setState(TcpState next, Output out) {
        TcpState previous = state;
        if (!TcpTransitions.isLegal(previous, next)) {
            throw new IllegalStateException("internal error: no state change " + previous.rfcName() + " -> "
                    + next.rfcName() + " in RFC 9293's diagram");
        }
        state = next;
        if (previous == TcpState.FIN_WAIT_2) finWait2Deadline = NEVER;
        out.event(new TcpEvent.StateChanged(previous, next));
    }

    private void requireState(String call, TcpState expected) {
        if (state != expected) throw new IllegalStateException(call + " in " + state.rfcName() + ", needs " + expected.rfcName());
    }

    /** "1 byte", "1460 bytes": how the events count what goes again. */
    private static String bytes(int n) {
        return n + (n == 1 ? " byte" : " bytes");
    }

    private static String describeKind(Packets.Tcp seg) {
        if (seg.isFin()) return "FIN";
        if (seg.isSyn()) return seg.isAck() ? "SYN-ACK" : "SYN";
        if (seg.payload().length > 0) return "data (" + seg.payload().length + " bytes)";
        return "ACK";
    }
}
