import java.util.Arrays;
import java.util.List;

/**
 * One TCP connection: the state machine of RFC 9293 section 3.10, with RFC 6298's retransmission
 * timer and RFC 5961's defences against blind attacks.
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
    private int rcvWnd;   // receive window
    private int irs;      // initial receive sequence number
    private boolean ackOwed; // received data or a FIN awaits our ACK (see flushAck)

    // User data not yet acknowledged: sequence numbers [sendQueueSeq, sendQueueSeq + sendQueueLength).
    private byte[] sendQueue = NO_DATA;
    private int sendQueueLength;
    private int sendQueueSeq;
    private boolean closeRequested; // the user called CLOSE: a FIN follows the queued data
    private boolean finSent;
    private int finSeq;             // the sequence number our FIN occupies, once sent

    // Retransmission timer, RFC 6298.
    private final RttEstimator rtt;
    private long rtoDeadline = NEVER;
    private int retries;            // retransmissions of the segment at SND.UNA so far
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
        this.rcvWnd = config.receiveWindow();
        this.rtt = new RttEstimator(config.rtoInitial(), config.rtoMin(), config.rtoMax());
    }

    // ------------------------------------------------------------------ observers

    TcpState state() { return state; }
    int sndUna() { return sndUna; }
    int sndNxt() { return sndNxt; }
    int sndWnd() { return sndWnd; }
    int rcvNxt() { return rcvNxt; }
    int rcvWnd() { return rcvWnd; }
    int iss() { return iss; }
    int irs() { return irs; }
    int sendMss() { return sndMss; }
    long rto() { return rtt.rto(); }
    long srtt() { return rtt.srtt(); }
    long rttvar() { return rtt.rttvar(); }
    boolean isPassive() { return passiveOpen; }
    /** Bytes handed to send() that the peer has not acknowledged yet. */
    int unacknowledgedBytes() { return sendQueueLength; }

    /** When {@link #onTimer} must be called next, or {@link #NEVER}. */
    long nextDeadline() {
        return Math.min(rtoDeadline, Math.min(timeWaitDeadline, finWait2Deadline));
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
     * send it with a piggybacked acknowledgment (acknowledgment value = RCV.NXT)."
     */
    void send(byte[] data, long now, Output out) {
        switch (state) {
            case SYN_SENT, SYN_RECEIVED, ESTABLISHED, CLOSE_WAIT -> { }
            default -> throw new IllegalStateException("send in " + state.rfcName()
                    + (closeRequested ? ": connection closing" : ": connection not open"));
        }
        if (closeRequested) throw new IllegalStateException("send after close: connection closing");
        if (data.length == 0) return;
        if (sendQueueLength + data.length > sendQueue.length) {
            sendQueue = Arrays.copyOf(sendQueue, Math.max(sendQueueLength + data.length, 2 * sendQueue.length));
        }
        System.arraycopy(data, 0, sendQueue, sendQueueLength, data.length);
        sendQueueLength += data.length;
        transmitQueued(now, out);
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
        if (reset) out.transmit(segment(sndNxt, 0, Packets.RST, List.of(), NO_DATA, 0));
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
        if (now >= rtoDeadline) onRetransmissionTimeout(now, out);
    }

    private void onRetransmissionTimeout(long now, Output out) {
        if (retries >= config.maxRetries()) {
            enterClosed(new TcpEvent.Closed(TcpEvent.CloseReason.NO_ANSWER, "no answer after " + (retries + 1) + " tries", retries + 1), out);
            return;
        }
        retries++;
        // (5.5) "The host MUST set RTO <- RTO * 2 ("back off the timer")." The maximum of (2.5)
        // applies, and Karn's algorithm (RFC 6298 section 3) ends the measurement: see RttEstimator.
        rtt.onRetransmit();
        // (5.4) "Retransmit the earliest segment that has not been acknowledged by the TCP receiver."
        retransmitEarliest(now, out);
        // (5.6) "Start the retransmission timer, such that it expires after RTO seconds"
        rtoDeadline = now + rtt.rto();
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
        int dataEnd = sendQueueSeq + sendQueueLength;
        if (Seq.lt(sndUna, dataEnd)) {
            // Data first: the earliest unacknowledged byte is at SND.UNA. When nothing was in flight
            // because the peer's window is zero, this sends one byte past it: a window probe
            // (RFC 9293 section 3.8.6.1).
            int length = Math.min(dataEnd - sndUna, sndMss);
            if (Seq.lt(sndNxt, sndUna + length)) length = Math.max(1, sndNxt - sndUna);
            out.event(new TcpEvent.Retransmitting(length + (length == 1 ? " byte" : " bytes"), attempt, rtt.rto()));
            sendData(sndUna, length, out);
            if (Seq.lt(sndNxt, sndUna + length)) sndNxt = sndUna + length;
        } else if (finSent && Seq.le(sndUna, finSeq)) {
            out.event(new TcpEvent.Retransmitting("FIN", attempt, rtt.rto()));
            out.transmit(segment(finSeq, rcvNxt, Packets.FIN | Packets.ACK, List.of(), NO_DATA, rcvWnd));
        }
    }

    // ------------------------------------------------------------------ SEGMENT ARRIVES (RFC 9293 3.10.7)

    /** An arriving segment for this connection's 4-tuple. */
    void onSegment(Packets.Tcp seg, long now, Output out) {
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
                    out.transmit(segment(seg.ack(), 0, Packets.RST, List.of(), NO_DATA, 0));
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
                    if (rest.payload().length > 0) receiveText(rest, out);
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

        // "First, check sequence number: ... If an incoming segment is not acceptable, an
        // acknowledgment should be sent in reply (unless the RST bit is set, if so drop the segment
        // and return): <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK> After sending the acknowledgment, drop
        // the unacceptable segment and return."
        if (!isAcceptable(seg)) {
            if (seg.isRst()) {
                // RFC 5961 section 3.2: "If the RST bit is set and the sequence number is outside the
                // current receive window, silently drop the segment."
                out.event(new TcpEvent.Dropped(TcpEvent.DropReason.OUTSIDE_WINDOW, "RST with sequence number " + Seq.str(seg.seq())
                        + " outside the window [" + Seq.str(rcvNxt) + ", +" + rcvWnd + "): ignored"));
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
                            + Seq.str(rcvNxt) + ", window " + rcvWnd + "): sent ACK"));
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

        // "Seventh, process the segment text:"
        boolean acknowledge = false;
        if (seg.payload().length > 0) acknowledge = receiveText(seg, out);

        // "Eighth, check the FIN bit:" only when everything before the FIN has arrived.
        if (seg.isFin() && seg.seq() + seg.payload().length == rcvNxt) {
            receiveFin(now, out);
            acknowledge = true;
        }
        // The ACK is owed rather than sent: the application, told of the data or the FIN, may
        // answer at once, and its segment carries the ACK (see flushAck).
        if (acknowledge) ackOwed = true;
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
                // A CLOSE made during the handshake was queued for this moment (RFC 9293 3.10.4).
                if (closeRequested) setState(TcpState.FIN_WAIT_1, out);
            } else {
                // "If the segment acknowledgment is not acceptable, form a reset segment
                // <SEQ=SEG.ACK><CTL=RST> and send it."
                out.transmit(segment(ack, 0, Packets.RST, List.of(), NO_DATA, 0));
                out.event(new TcpEvent.Dropped(TcpEvent.DropReason.UNACCEPTABLE_ACK, "unacceptable ACK " + Seq.str(ack) + " in SYN-RECEIVED (expected "
                        + Seq.str(sndNxt) + "): sent RST"));
                return false;
            }
        }
        // RFC 5961 section 5.2: "the ACK value is acceptable only if it is in the range of
        // ((SND.UNA - MAX.SND.WND) =< SEG.ACK =< SND.NXT). All incoming segments whose ACK value
        // doesn't satisfy the above condition MUST be discarded and an ACK sent back."
        // ESTABLISHED: "If the ACK acks something not yet sent (SEG.ACK > SND.NXT), then send an ACK,
        // drop the segment, and return."
        if (Seq.gt(ack, sndNxt) || Seq.lt(ack, sndUna - maxSndWnd)) {
            boolean answered = allowAckForDroppedSegment(now); // the same budget as challenge ACKs
            if (answered) sendAck(out);
            out.event(new TcpEvent.Dropped(TcpEvent.DropReason.UNACCEPTABLE_ACK, "ACK " + Seq.str(ack) + " outside [" + Seq.str(sndUna - maxSndWnd) + ", "
                    + Seq.str(sndNxt) + "]: " + (answered ? "sent ACK" : "ACK limit reached, dropped silently")));
            return false;
        }
        // "If SND.UNA < SEG.ACK =< SND.NXT, then set SND.UNA <- SEG.ACK. Any segments on the
        // retransmission queue that are thereby entirely acknowledged are removed."
        if (Seq.lt(sndUna, ack)) {
            rtt.onAck(ack, now);
            acknowledgeSent(ack, now);
        } else if (seg.window() == 0 && sndUna != sndNxt) {
            // An answer to a window probe: the peer is alive, so the probes are not "tries" that
            // count toward giving up (RFC 9293 section 3.8.6.1, the connection is kept open
            // while the window is zero).
            retries = 0;
        }
        // "If SND.UNA =< SEG.ACK =< SND.NXT, the send window should be updated. If (SND.WL1 < SEG.SEQ
        // or (SND.WL1 = SEG.SEQ and SND.WL2 =< SEG.ACK)), set SND.WND <- SEG.WND, set SND.WL1 <-
        // SEG.SEQ, and set SND.WL2 <- SEG.ACK."
        if (Seq.le(sndUna, ack) && (Seq.lt(sndWl1, seg.seq()) || (sndWl1 == seg.seq() && Seq.le(sndWl2, ack)))) {
            updateWindow(seg);
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
            case CLOSING -> {
                if (finAcked) enterTimeWait(now, out);
                else return false;
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

    /** "Seventh, process the segment text:". Returns true when an ACK must be sent. */
    private boolean receiveText(Packets.Tcp seg, Output out) {
        switch (state) {
            case ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2 -> { }
            default -> {
                // CLOSE-WAIT, CLOSING, LAST-ACK, TIME-WAIT: "This should not occur since a FIN has
                // been received from the remote side. Ignore the segment text."
                out.event(new TcpEvent.Dropped(TcpEvent.DropReason.AFTER_FIN, "data after the peer's FIN in " + state.rfcName() + ": ignored"));
                return false;
            }
        }
        byte[] payload = seg.payload();
        if (Seq.lt(rcvNxt, seg.seq())) {
            // In the window but not next: we keep no out-of-order data (the RFC's SHLD-31 is a
            // SHOULD); the ACK for RCV.NXT tells the peer where to resume.
            out.event(new TcpEvent.Dropped(TcpEvent.DropReason.OUT_OF_ORDER, "segment " + Seq.str(seg.seq()) + " arrived before " + Seq.str(rcvNxt)
                    + ": not kept, sent ACK"));
            return true;
        }
        // "Once in the ESTABLISHED state, it is possible to deliver segment data to user RECEIVE
        // buffers. ... Once the TCP endpoint takes responsibility for the data, it advances RCV.NXT
        // over the data accepted, and adjusts RCV.WND as appropriate to the current buffer
        // availability." Data past the window is trimmed off.
        int offset = rcvNxt - seg.seq(); // bytes already received, when the segment straddles RCV.NXT
        int length = Math.min(payload.length - offset, rcvWnd);
        if (length > 0) {
            byte[] data = (offset == 0 && length == payload.length) ? payload : Arrays.copyOfRange(payload, offset, offset + length);
            rcvNxt += length;
            out.event(new TcpEvent.DataReceived(data));
        }
        // "Send an acknowledgment of the form: <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>"
        return true;
    }

    /** "Eighth, check the FIN bit:" for a FIN that is next in sequence. */
    private void receiveFin(long now, Output out) {
        // "If the FIN bit is set, signal the user "connection closing" and return any pending
        // RECEIVEs with same message, advance RCV.NXT over the FIN, and send an acknowledgment for
        // the FIN."
        rcvNxt += 1;
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

    /** Sends queued data the window allows, then our FIN once all data went out and CLOSE was called. */
    private void transmitQueued(long now, Output out) {
        switch (state) {
            case ESTABLISHED, CLOSE_WAIT, FIN_WAIT_1, LAST_ACK -> { }
            default -> { return; }
        }
        int dataEnd = sendQueueSeq + sendQueueLength;
        while (Seq.lt(sndNxt, dataEnd)) {
            int usable = sndUna + sndWnd - sndNxt;
            int length = Math.min(Math.min(dataEnd - sndNxt, sndMss), usable);
            if (length <= 0) break;
            sendData(sndNxt, length, out);
            rtt.onSend(sndNxt + length, now, retries > 0);
            sndNxt += length;
            armRetransmissionTimer(now);
        }
        if (Seq.lt(sndNxt, dataEnd) && sndUna == sndNxt) {
            // The peer's window is closed and nothing is in flight: the timer sends a window probe.
            armRetransmissionTimer(now);
        }
        if (closeRequested && !finSent && sndNxt == dataEnd
                && (state == TcpState.FIN_WAIT_1 || state == TcpState.LAST_ACK)) {
            finSeq = sndNxt;
            finSent = true;
            out.transmit(segment(finSeq, rcvNxt, Packets.FIN | Packets.ACK, List.of(), NO_DATA, rcvWnd));
            rtt.onSend(finSeq + 1, now, retries > 0);
            sndNxt = finSeq + 1;
            armRetransmissionTimer(now);
        }
    }

    private void sendData(int seq, int length, Output out) {
        int from = seq - sendQueueSeq;
        byte[] chunk = Arrays.copyOfRange(sendQueue, from, from + length);
        boolean last = seq + length == sendQueueSeq + sendQueueLength;
        out.transmit(segment(seq, rcvNxt, Packets.ACK | (last ? Packets.PSH : 0), List.of(), chunk, rcvWnd));
    }

    /** The SYN (active open) or SYN-ACK (passive open), always from ISS, with our MSS. */
    private void sendSyn(boolean withAck, long now, Output out) {
        int flags = withAck ? Packets.SYN | Packets.ACK : Packets.SYN;
        out.transmit(segment(iss, withAck ? rcvNxt : 0, flags, List.of(new Packets.Mss(config.mss())), NO_DATA, rcvWnd));
        rtt.onSend(iss + 1, now, retries > 0);
        armRetransmissionTimer(now);
    }

    private void sendAck(Output out) {
        out.transmit(segment(sndNxt, rcvNxt, Packets.ACK, List.of(), NO_DATA, rcvWnd));
    }

    private Packets.Tcp segment(int seq, int ack, int flags, List<Packets.TcpOption> options, byte[] payload, int window) {
        if ((flags & Packets.ACK) != 0 && ack == rcvNxt) ackOwed = false; // this segment carries it
        return Packets.Tcp.of(localPort, remotePort, seq, ack, flags, window, options, payload);
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

    /** SND.UNA moves to ack: acknowledged data leaves the queue, the timer restarts or stops. */
    private void acknowledgeSent(int ack, long now) {
        int dataEnd = sendQueueSeq + sendQueueLength;
        int ackedData = Seq.lt(ack, dataEnd) ? ack - sendQueueSeq : sendQueueLength;
        if (ackedData > 0) {
            System.arraycopy(sendQueue, ackedData, sendQueue, 0, sendQueueLength - ackedData);
            sendQueueLength -= ackedData;
            sendQueueSeq += ackedData;
            if (sendQueueLength == 0) sendQueue = NO_DATA; // an idle connection holds no buffer
        }
        sndUna = ack;
        retries = 0;
        // The backoff ends with new acknowledgments, as in Linux: RTO is computed afresh.
        rtt.resetBackoff();
        // (5.2) "When all outstanding data has been acknowledged, turn off the retransmission timer."
        // (5.3) "When an ACK is received that acknowledges new data, restart the retransmission timer
        // so that it will expire after RTO seconds (for the current value of RTO)."
        rtoDeadline = sndUna == sndNxt ? NEVER : now + rtt.rto();
    }

    /** Our SYN (or SYN-ACK) is acknowledged: the handshake's retransmission state ends. */
    private void handshakeAcknowledged(long now) {
        retries = 0;
        rtt.resetBackoff();
        // (5.7) "If the timer expires awaiting the ACK of a SYN segment and the TCP implementation is
        // using an RTO less than 3 seconds, the RTO MUST be re-initialized to 3 seconds when data
        // transmission begins (i.e., after the three-way handshake completes)." (see RttEstimator)
        if (synRetransmitted) rtt.afterHandshakeWithSynRetransmitted();
        rtoDeadline = sndUna == sndNxt ? NEVER : now + rtt.rto();
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
        sendQueueSeq = iss + 1;
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
        if (length == 0) {
            return rcvWnd == 0 ? seg.seq() == rcvNxt : Seq.inWindow(seg.seq(), rcvNxt, rcvWnd);
        }
        if (rcvWnd == 0) return false;
        return Seq.inWindow(seg.seq(), rcvNxt, rcvWnd) || Seq.inWindow(seg.seq() + length - 1, rcvNxt, rcvWnd);
    }

    private void updateWindow(Packets.Tcp seg) {
        sndWnd = seg.window();
        sndWl1 = seg.seq();
        sndWl2 = seg.ack();
        if (sndWnd > maxSndWnd) maxSndWnd = sndWnd;
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
        rtoDeadline = NEVER;
        timeWaitDeadline = NEVER;
        finWait2Deadline = NEVER;
        sendQueue = NO_DATA;
        sendQueueLength = 0;
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

    private static String describeKind(Packets.Tcp seg) {
        if (seg.isFin()) return "FIN";
        if (seg.isSyn()) return seg.isAck() ? "SYN-ACK" : "SYN";
        if (seg.payload().length > 0) return "data (" + seg.payload().length + " bytes)";
        return "ACK";
    }
}
