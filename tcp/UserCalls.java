/**
 * The user calls of RFC 9293 sections 3.10.1 to 3.10.5: OPEN, SEND, RECEIVE, CLOSE and ABORT, as
 * the application makes them. A call the state does not allow is the program's own mistake and
 * throws IllegalStateException; the RFC's "error: ..." answers that a program can act on become
 * short writes and no-ops, as with a non-blocking socket.
 */
final class UserCalls {
    /** A window under this may hold the peer back: reading that opens it is worth an ACK at once. */
    private static final int SMALL_WINDOW = 16 * 1024;

    private final TcpConnection c;
    private final Tcb tcb;

    UserCalls(TcpConnection connection) {
        this.c = connection;
        this.tcb = connection.tcb;
    }

    /**
     * Active OPEN (RFC 9293 section 3.10.1, CLOSED STATE): "An initial send sequence number (ISS) is
     * selected. A SYN segment of the form <SEQ=ISS><CTL=SYN> is sent. Set SND.UNA to ISS, SND.NXT to
     * ISS+1, enter SYN-SENT state, and return."
     */
    void open(int iss, long now, TcpConnection.Output out) {
        c.requireState("open", TcpState.CLOSED);
        startSending(iss);
        c.setState(TcpState.SYN_SENT, out);
        c.sender.sendSyn(false, now, out);
    }

    /** Passive OPEN: wait in LISTEN for a SYN. The caller picks the ISS, as it knows the 4-tuple. */
    void listen(int iss, TcpConnection.Output out) {
        c.requireState("listen", TcpState.CLOSED);
        startSending(iss);
        c.passiveOpen = true;
        c.setState(TcpState.LISTEN, out);
    }

    private void startSending(int iss) {
        tcb.startSending(iss);
        c.sender.startAt(iss);
    }

    /**
     * SEND (RFC 9293 section 3.10.2). In SYN-SENT and SYN-RECEIVED: "Queue the data for transmission
     * after entering ESTABLISHED state." In ESTABLISHED and CLOSE-WAIT: "Segmentize the buffer and
     * send it with a piggybacked acknowledgment (acknowledgment value = RCV.NXT)." The buffer is
     * bounded: "If there is insufficient space to remember this buffer, simply return "error:
     * insufficient resources"" becomes a short write, as with a non-blocking socket; the rest goes
     * once {@link TcpEvent.Writable} says there is room. Returns the number of bytes taken.
     */
    int write(byte[] data, int off, int len, long now, TcpConnection.Output out) {
        if (!c.sender.canWrite()) {
            throw new IllegalStateException("send in " + c.state().rfcName()
                    + (c.sender.closeRequested() ? ": connection closing" : ": connection not open"));
        }
        int taken = c.sendBuffer.write(data, off, len);
        if (taken > 0) c.sender.transmitQueued(now, out);
        return taken;
    }

    /** write() for data that must fit whole (tests, short messages); throws when it does not. */
    void send(byte[] data, long now, TcpConnection.Output out) {
        if (c.writable() < data.length && c.sender.canWrite()) {
            throw new IllegalStateException("send buffer full: " + data.length + " bytes, room for " + c.writable());
        }
        write(data, 0, data.length, now, out);
    }

    /**
     * RECEIVE (RFC 9293 section 3.10.3): copies up to len received bytes to dst and returns how many
     * (0 when none are waiting). Reading frees buffer space, so the window may open: when it opens
     * enough to matter (the receiver's SWS rule, see ReceiveWindow), a window update
     * goes out at once, so a peer that waits on a closed window resumes without its probe timer.
     */
    int read(byte[] dst, int off, int len, long now, TcpConnection.Output out) {
        int n = c.receiveBuffer.read(dst, off, len);
        int before = tcb.rcvWnd();
        if (n > 0 && windowUpdateWorthAnAck(before)) {
            c.sender.sendAck(out);
            out.event(new TcpEvent.WindowUpdate(before, tcb.rcvWnd()));
        }
        return n;
    }

    /**
     * Worth an ACK of its own only when the window was small enough to hold the peer back (under two
     * segments, 16 KiB, or half the buffer) and would at least double, much as Linux judges it
     * (tcp_cleanup_rbuf); otherwise the next ACK carries the larger window, and delayed ACKs keep
     * their one ACK per two segments.
     */
    private boolean windowUpdateWorthAnAck(int before) {
        ReceiveBuffer buffer = c.receiveBuffer;
        int mss = c.config.mss();
        return c.state().isSynchronized() && !c.finReceived()
                && before < Math.min(buffer.capacity() / 2, Math.min(2 * mss, SMALL_WINDOW))
                && buffer.free() >= 2L * before && tcb.receiveWindow.wouldOpen(tcb.rcvNxt, buffer.free(), mss);
    }

    /**
     * CLOSE (RFC 9293 section 3.10.4). A second CLOSE, or a CLOSE after the connection ended, does
     * nothing: the RFC's "error: connection closing" has no use to a program that already closed.
     */
    void close(long now, TcpConnection.Output out) {
        switch (c.state()) {
            // LISTEN, SYN-SENT: "Delete the TCB, enter CLOSED state, and return."
            case LISTEN, SYN_SENT -> c.enterClosed(TcpEvent.CloseReason.NORMAL, "closed before the handshake completed", out);
            // SYN-RECEIVED: "If no SENDs have been issued and there is no pending data to send, then
            // form a FIN segment and send it, and enter FIN-WAIT-1 state; otherwise, queue for
            // processing after entering ESTABLISHED state." We always queue: until the peer
            // acknowledges our SYN, the SYN-ACK must stay the segment that is retransmitted.
            case SYN_RECEIVED -> c.sender.requestClose();
            // ESTABLISHED: "Queue this until all preceding SENDs have been segmentized, then form a FIN
            // segment and send it. In any case, enter FIN-WAIT-1 state."
            case ESTABLISHED -> {
                c.sender.requestClose();
                c.setState(TcpState.FIN_WAIT_1, out);
                c.sender.transmitQueued(now, out);
            }
            // CLOSE-WAIT: "Queue this request until all preceding SENDs have been segmentized; then
            // send a FIN segment, enter LAST-ACK state."
            case CLOSE_WAIT -> {
                c.sender.requestClose();
                c.setState(TcpState.LAST_ACK, out);
                c.sender.transmitQueued(now, out);
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
    void abort(String why, TcpConnection.Output out) {
        if (c.state() == TcpState.CLOSED) return;
        boolean reset = switch (c.state()) {
            case CLOSED, LISTEN, SYN_SENT, CLOSING, LAST_ACK, TIME_WAIT -> false;
            case SYN_RECEIVED, ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2, CLOSE_WAIT -> true;
        };
        if (reset) c.sender.sendReset(tcb.sndNxt, out);
        c.enterClosed(TcpEvent.CloseReason.ABORTED, reset ? why + ", sent RST" : why, out);
    }
}
