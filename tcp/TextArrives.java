/**
 * SEGMENT ARRIVES, other states, the sixth to eighth steps (RFC 9293 section 3.10.7.4): the URG
 * bit, the segment text (in order into the receive buffer, out of order into the reassembly
 * queue), and the FIN.
 */
final class TextArrives {
    private final TcpConnection c;
    private final Tcb tcb;

    TextArrives(TcpConnection connection) {
        this.c = connection;
        this.tcb = connection.tcb;
    }

    /**
     * "Sixth, check the URG bit: ESTABLISHED STATE, FIN-WAIT-1 STATE, FIN-WAIT-2 STATE: If the URG
     * bit is set, RCV.UP <- max(RCV.UP,SEG.UP), and signal the user that the remote side has urgent
     * data if the urgent pointer (RCV.UP) is in advance of the data consumed. If the user has
     * already been signaled (or is still in the "urgent mode") for this continuous sequence of
     * urgent data, do not signal the user again." (CLOSE-WAIT and later: "This should not occur
     * since a FIN has been received from the remote side. Ignore the URG.") SEG.UP is an offset
     * from SEG.SEQ, and points at the octet after the urgent data (MUST-62). The urgent octets
     * themselves are read in line, in sequence with the rest (RFC 6093's advice).
     */
    void sixthCheckUrg(Packets.Tcp seg, TcpConnection.Output out) {
        if (!seg.has(Packets.URG)) return;
        switch (c.state()) {
            case ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2 -> { }
            default -> { return; }
        }
        int pointer = seg.seq() + seg.urgentPointer();
        // MUST-32: "whenever it receives an urgent pointer and there was previously no pending
        // urgent data, or whenever the urgent pointer advances in the data stream".
        boolean advanced = !tcb.urgentSeen || Seq.gt(pointer, tcb.rcvUp);
        if (!advanced) return;
        tcb.urgentSeen = true;
        tcb.rcvUp = pointer;
        if (urgentRemaining() > 0) out.event(new TcpEvent.Urgent(tcb.rcvUp, urgentRemaining()));
    }

    /** MUST-33: how many urgent octets the application has still to read (0: none). */
    int urgentRemaining() {
        if (!tcb.urgentSeen) return 0;
        int nextRead = tcb.rcvNxt - c.receiveBuffer.length(); // the sequence number of the next octet read()
        return Seq.gt(tcb.rcvUp, nextRead) ? tcb.rcvUp - nextRead : 0;
    }

    /**
     * "Seventh, process the segment text:". A FIN beyond a gap goes the same way: it waits in the
     * reassembly queue, and the gap gets a duplicate ACK at once.
     */
    void seventhProcessText(Packets.Tcp seg, long now, TcpConnection.Output out) {
        if (seg.payload().length == 0 && !(seg.isFin() && Seq.lt(tcb.rcvNxt, seg.seq()))) return;
        switch (c.state()) {
            case ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2 -> { }
            default -> {
                // CLOSE-WAIT, CLOSING, LAST-ACK, TIME-WAIT: "This should not occur since a FIN has
                // been received from the remote side. Ignore the segment text."
                out.event(new TcpEvent.Dropped(TcpEvent.DropReason.AFTER_FIN, "data after the peer's FIN in " + c.state().rfcName() + ": ignored"));
                return;
            }
        }
        if (Seq.lt(tcb.rcvNxt, seg.seq())) {
            outOfOrder(seg, out);
        } else {
            inOrder(seg, now, out);
        }
    }

    /**
     * "Segments with higher beginning sequence numbers that are not the next expected may be held
     * for later processing (SHLD-31)." RFC 5681 section 4.2: "A TCP receiver SHOULD send an
     * immediate duplicate ACK when an out-of-order segment arrives."
     */
    private void outOfOrder(Packets.Tcp seg, TcpConnection.Output out) {
        byte[] payload = seg.payload();
        int kept = c.reassembly.add(seg.seq(), payload, 0, payload.length, seg.isFin(), tcb.rcvNxt, tcb.rcvWnd());
        out.event(new TcpEvent.OutOfOrder(seg.seq() - tcb.rcvNxt, payload.length, kept));
        // Held already, whole and within the window: a duplicate, reported by D-SACK (RFC 2883).
        if (kept == 0 && payload.length > 0 && Seq.le(seg.seq() + payload.length, tcb.rcvNxt + tcb.rcvWnd())) {
            c.sender.duplicateReceived(seg.seq(), seg.seq() + payload.length);
        }
        c.sender.duplicateAckNow();
    }

    /**
     * "Once in the ESTABLISHED state, it is possible to deliver segment data to user RECEIVE
     * buffers. ... Once the TCP endpoint takes responsibility for the data, it advances RCV.NXT over
     * the data accepted, and adjusts RCV.WND as appropriate to the current buffer availability."
     * Data past the window (or past the buffer's room) is trimmed off. Then: "Send an
     * acknowledgment of the form: <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>", delayed as the Sender
     * allows (RFC 9293 section 3.8.6.3).
     */
    private void inOrder(Packets.Tcp seg, long now, TcpConnection.Output out) {
        byte[] payload = seg.payload();
        int offset = tcb.rcvNxt - seg.seq(); // bytes already received, when the segment straddles RCV.NXT
        if (offset > 0) c.sender.duplicateReceived(seg.seq(), tcb.rcvNxt); // D-SACK of the part we had (RFC 2883)
        int length = Math.min(payload.length - offset, tcb.rcvWnd());
        int taken = length > 0 ? c.receiveBuffer.write(payload, offset, length) : 0;
        tcb.rcvNxt += taken;
        boolean filledGap = false;
        if (!c.reassembly.isEmpty()) {
            // RFC 5681 section 4.2: "A TCP receiver SHOULD send an immediate ACK when the incoming
            // segment fills in all or part of a gap in the sequence space." In-order bytes while
            // others wait out of order fill part of the gap at least, even when they do not reach
            // the bytes held: the sender's recovery waits for this ACK to send the rest.
            filledGap = taken > 0;
            byte[] more = c.reassembly.takeContiguous(tcb.rcvNxt);
            if (more.length > 0) {
                tcb.rcvNxt += c.receiveBuffer.write(more, 0, more.length);
                filledGap = true;
            }
        }
        if (c.receiveBuffer.length() > 0) out.event(new TcpEvent.Readable(c.receiveBuffer.length()));
        c.sender.dataReceived(payload.length, filledGap || taken < payload.length - offset, now);
    }

    /**
     * "Eighth, check the FIN bit:" only when everything before the FIN has arrived; a FIN that came
     * early waits in the reassembly queue until the data before it is in.
     */
    void eighthCheckFin(Packets.Tcp seg, long now, TcpConnection.Output out) {
        if (c.finReceived()) return;
        if ((seg.isFin() && seg.seq() + seg.payload().length == tcb.rcvNxt) || c.reassembly.finReached(tcb.rcvNxt)) {
            receiveFin(now, out);
        }
    }

    /** "Eighth, check the FIN bit:" for a FIN that is next in sequence. */
    void receiveFin(long now, TcpConnection.Output out) {
        // "If the FIN bit is set, signal the user "connection closing" and return any pending
        // RECEIVEs with same message, advance RCV.NXT over the FIN, and send an acknowledgment for
        // the FIN."
        tcb.rcvNxt += 1;
        c.sender.ackNow();
        switch (c.state()) {
            // "SYN-RECEIVED STATE, ESTABLISHED STATE: Enter the CLOSE-WAIT state."
            case SYN_RECEIVED, ESTABLISHED -> c.setState(TcpState.CLOSE_WAIT, out);
            // "FIN-WAIT-1 STATE: If our FIN has been ACKed (perhaps in this segment), then enter
            // TIME-WAIT, start the time-wait timer, turn off the other timers; otherwise, enter the
            // CLOSING state." An ACK of our FIN in this segment already moved us to FIN-WAIT-2
            // (fifth step), whose case follows; still in FIN-WAIT-1, our FIN is not ACKed.
            case FIN_WAIT_1 -> c.setState(TcpState.CLOSING, out);
            // "FIN-WAIT-2 STATE: Enter the TIME-WAIT state. Start the time-wait timer, turn off the
            // other timers."
            case FIN_WAIT_2 -> c.enterTimeWait(now, out);
            // CLOSE-WAIT, CLOSING, LAST-ACK: "Remain in the ... state."
            default -> { }
        }
    }
}
