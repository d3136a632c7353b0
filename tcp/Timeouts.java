/**
 * RFC 9293 section 3.10.8, the timeouts: USER TIMEOUT (R2: giving up), RETRANSMISSION TIMEOUT
 * (with RFC 6298's timer rules), TIME-WAIT TIMEOUT; and the data path's own timers: the delayed
 * ACK, the sender's SWS override, the tail loss probe, and FIN-WAIT-2's wait for the peer's FIN.
 * The deadlines themselves live in {@link Timers}; this room says what happens when each expires,
 * and keeps the retransmission count that R2 needs.
 */
final class Timeouts {
    private final TcpConnection c;
    private final Tcb tcb;
    private int retries;            // retransmissions of the segment at SND.UNA so far
    private long firstRetransmitAt; // when the first of those went out (R2 counts from there)
    private long lastHeardAt = -1;  // when the peer last sent us anything
    private boolean synRetransmitted;

    Timeouts(TcpConnection connection) {
        this.c = connection;
        this.tcb = connection.tcb;
    }

    int retries() { return retries; }

    boolean synRetransmitted() { return synRetransmitted; }

    /** A segment arrived: the peer is alive (giving up tells a silent peer from a deaf one). */
    void heard(long now) { lastHeardAt = now; }

    /** When the peer last sent us anything (keep-alive counts its silence from here). */
    long lastHeardAt() { return lastHeardAt; }

    /** Runs every timer whose deadline has come, in the order of {@link Timers.Kind}. */
    void onTimer(long now, TcpConnection.Output out) {
        Timers timers = c.timers;
        if (timers.due(Timers.Kind.TIME_WAIT, now)) {
            // "If the time-wait timeout expires on a connection, delete the TCB, enter the CLOSED
            // state, and return."
            c.enterClosed(TcpEvent.CloseReason.NORMAL, "TIME-WAIT over", out);
            return;
        }
        if (timers.due(Timers.Kind.FIN_WAIT_2, now)) {
            c.enterClosed(TcpEvent.CloseReason.FIN_TIMEOUT, "the peer never sent its FIN", out);
            return;
        }
        if (timers.due(Timers.Kind.DELAYED_ACK, now)) {
            // The delayed ACK's time is up: "the delay MUST be less than 0.5 seconds (MUST-40)".
            c.sender.sendAck(out);
        }
        if (timers.due(Timers.Kind.SWS_OVERRIDE, now)) {
            // Data waits that the sender's SWS rule held back, and no ACK is coming to wake us:
            // RFC 9293 section 3.8.6.2.1, "(4) or if the override timeout occurs". Send what fits.
            timers.stop(Timers.Kind.SWS_OVERRIDE);
            c.sender.transmitQueued(now, out, false, true);
        }
        if (timers.due(Timers.Kind.TAIL_LOSS_PROBE, now)) c.recovery.sendTailLossProbe(now, out);
        if (timers.due(Timers.Kind.RACK_REORDERING, now)) c.recovery.onRackTimer(now, out);
        if (timers.due(Timers.Kind.RETRANSMISSION, now)) onRetransmissionTimeout(now, out);
    }

    // ------------------------------------------------------------------ the retransmission timer (RFC 6298 section 5)

    /** (5.1) "Every time a packet containing data is sent (including a retransmission), if the timer
     *  is not running, start it running so that it will expire after RTO seconds". */
    void armRetransmissionTimer(long now) {
        c.timers.startIfStopped(Timers.Kind.RETRANSMISSION, now + c.rtt.rto());
    }

    /**
     * SND.UNA advanced. The backoff ends with new acknowledgments, as in Linux: RTO is computed
     * afresh. (5.2) "When all outstanding data has been acknowledged, turn off the retransmission
     * timer." (5.3) "When an ACK is received that acknowledges new data, restart the retransmission
     * timer so that it will expire after RTO seconds (for the current value of RTO)."
     */
    void newDataAcknowledged(long now) {
        retries = 0;
        c.rtt.resetBackoff();
        restartOrStop(now);
    }

    /** Our SYN (or SYN-ACK) is acknowledged: the handshake's retransmission state ends. */
    void handshakeAcknowledged(long now) {
        retries = 0;
        c.rtt.resetBackoff();
        // (5.7) "If the timer expires awaiting the ACK of a SYN segment and the TCP implementation is
        // using an RTO less than 3 seconds, the RTO MUST be re-initialized to 3 seconds when data
        // transmission begins (i.e., after the three-way handshake completes)." (see RttEstimator)
        if (synRetransmitted) c.rtt.afterHandshakeWithSynRetransmitted();
        restartOrStop(now);
    }

    private void restartOrStop(long now) {
        if (tcb.sndUna == tcb.sndMax) c.timers.stop(Timers.Kind.RETRANSMISSION);
        else c.timers.start(Timers.Kind.RETRANSMISSION, now + c.rtt.rto());
    }

    /**
     * The peer answered a window probe (with its window still zero): it is alive, so the probes
     * are not "tries" that count toward giving up (RFC 9293 section 3.8.6.1: the connection is
     * kept open while the window is zero).
     */
    void windowProbeAnswered() { retries = 0; }

    /** The window opened after probes: they are over, and so is their timer. */
    void windowOpened() {
        retries = 0;
        c.timers.stop(Timers.Kind.RETRANSMISSION);
    }

    /** RETRANSMISSION TIMEOUT (RFC 9293 3.10.8; RFC 6298 (5.4) to (5.6)). */
    private void onRetransmissionTimeout(long now, TcpConnection.Output out) {
        c.timers.stop(Timers.Kind.RETRANSMISSION);
        c.timers.stop(Timers.Kind.TAIL_LOSS_PROBE);
        if (retries >= c.config.maxRetries() && now - firstRetransmitAt >= r2()) {
            giveUp(out);
            return;
        }
        if (retries == 0) firstRetransmitAt = now;
        retries++;
        // (5.5) "The host MUST set RTO <- RTO * 2 ("back off the timer")." The maximum of (2.5)
        // applies, and Karn's algorithm (RFC 6298 section 3) ends the measurement: see RttEstimator.
        c.rtt.onRetransmit();
        // (5.4) "Retransmit the earliest segment that has not been acknowledged by the TCP receiver."
        retransmitEarliest(now, out);
        // (5.6) "Start the retransmission timer, such that it expires after RTO seconds"
        c.timers.start(Timers.Kind.RETRANSMISSION, now + c.rtt.rto());
    }

    /**
     * RFC 9293 section 3.8.3: "R2 for a SYN segment MUST be set large enough to provide
     * retransmission of the segment for at least 3 minutes (MUST-23)"; for data, "the threshold R2
     * SHOULD correspond to at least 100 seconds (SHLD-11)". Both are times here, and the
     * retransmissions also reach maxRetries before we give up.
     */
    private long r2() {
        TcpState state = c.state();
        boolean handshake = state == TcpState.SYN_SENT || state == TcpState.SYN_RECEIVED;
        return handshake ? c.config.synGiveUpAfter() : c.config.giveUpAfter();
    }

    /**
     * USER TIMEOUT, as RFC 9293 section 3.8.3 puts it: "if the retransmissions of the same segment
     * reach a threshold R2 ..., close the connection". The reason tells a silent peer from one that
     * still sends but never acknowledges what we send.
     */
    private void giveUp(TcpConnection.Output out) {
        int tries = retries + 1;
        boolean heard = lastHeardAt >= 0 && retries > 0 && lastHeardAt >= firstRetransmitAt;
        if (heard && c.state().isSynchronized()) {
            c.enterClosed(new TcpEvent.Closed(TcpEvent.CloseReason.NOT_ACKNOWLEDGED, "the peer still sends but has not"
                    + " acknowledged our data after " + tries + " tries", tries), out);
        } else {
            c.enterClosed(new TcpEvent.Closed(TcpEvent.CloseReason.NO_ANSWER, "no answer after " + tries + " tries", tries), out);
        }
    }

    /** The SYN, the SYN-ACK, a window probe, or the data (and FIN) from SND.UNA. */
    private void retransmitEarliest(long now, TcpConnection.Output out) {
        int attempt = retries + 1;
        switch (c.state()) {
            case SYN_SENT -> {
                out.event(new TcpEvent.Retransmitting("SYN", attempt, c.rtt.rto()));
                synRetransmitted = true;
                c.sender.sendSyn(false, now, out);
                return;
            }
            case SYN_RECEIVED -> {
                out.event(new TcpEvent.Retransmitting("SYN-ACK", attempt, c.rtt.rto()));
                synRetransmitted = true;
                c.sender.sendSyn(true, now, out);
                return;
            }
            default -> { }
        }
        if (c.sender.windowProbeDue()) {
            out.event(new TcpEvent.Retransmitting("window probe (1 byte)", attempt, c.rtt.rto()));
            c.sender.sendWindowProbe(now, out);
            return;
        }
        if (Seq.lt(tcb.sndUna, tcb.sndMax)) {
            // RFC 5681 section 3.1: after a timeout, cwnd is one segment and the sender starts over
            // from SND.UNA (the segments after it were probably lost too), in slow start.
            c.recovery.onRetransmissionTimeout(now, out);
            tcb.sndNxt = tcb.sndUna;
            int length = Math.min(Math.max(c.sender.dataEnd() - tcb.sndUna, 0), tcb.sndMss);
            String what = length > 0 ? TcpConnection.bytes(length) : "FIN";
            out.event(new TcpEvent.Retransmitting(what, attempt, c.rtt.rto()));
            c.sender.transmitQueued(now, out, true, false);
        }
    }
}
