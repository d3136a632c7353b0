/**
 * SEGMENT ARRIVES, other states, "Fifth, check the ACK field" (RFC 9293 section 3.10.7.4): the
 * handshake's last ACK in SYN-RECEIVED, RFC 5961 section 5's range of acceptable ACKs, SND.UNA
 * advancing (with what that means for the retransmission timer, congestion control and loss
 * recovery), the send window update, and the ACK of our FIN in FIN-WAIT-1, CLOSING and LAST-ACK.
 */
final class AckArrives {
    private final TcpConnection c;
    private final Tcb tcb;

    AckArrives(TcpConnection connection) {
        this.c = connection;
        this.tcb = connection.tcb;
    }

    /** "Fifth, check the ACK field:". Returns false when the segment must not be processed further. */
    boolean fifthCheckAck(Packets.Tcp seg, long now, TcpConnection.Output out) {
        // "if the ACK bit is off, drop the segment and return"
        if (!seg.isAck()) {
            out.event(new TcpEvent.Dropped(TcpEvent.DropReason.NO_ACK, "no ACK bit in " + c.state().rfcName() + ": dropped"));
            return false;
        }
        if (c.state() == TcpState.SYN_RECEIVED && !synReceived(seg, now, out)) return false;
        if (!inAcceptableRange(seg, now, out)) return false;
        int windowBefore = tcb.sndWnd;
        takeAck(seg, now, out);
        // "If SND.UNA =< SEG.ACK =< SND.NXT, the send window should be updated. If (SND.WL1 < SEG.SEQ
        // or (SND.WL1 = SEG.SEQ and SND.WL2 =< SEG.ACK)), set SND.WND <- SEG.WND, set SND.WL1 <-
        // SEG.SEQ, and set SND.WL2 <- SEG.ACK."
        if (tcb.windowUpdateAllowed(seg)) tcb.updateWindow(seg);
        if (c.sender.probing() && windowBefore == 0 && tcb.sndWnd > 0) {
            c.timeouts.windowOpened();
            c.sender.windowOpened();
        }
        return ourFinAcknowledged(now, out);
    }

    /**
     * SYN-RECEIVED: "If SND.UNA < SEG.ACK =< SND.NXT, then enter ESTABLISHED state and continue
     * processing with the variables below set to: SND.WND <- SEG.WND, SND.WL1 <- SEG.SEQ, SND.WL2
     * <- SEG.ACK". "If the segment acknowledgment is not acceptable, form a reset segment
     * <SEQ=SEG.ACK><CTL=RST> and send it."
     */
    private boolean synReceived(Packets.Tcp seg, long now, TcpConnection.Output out) {
        int ack = seg.ack();
        if (!Seq.lt(tcb.sndUna, ack) || !Seq.le(ack, tcb.sndNxt)) {
            c.sender.sendReset(ack, out);
            out.event(new TcpEvent.Dropped(TcpEvent.DropReason.UNACCEPTABLE_ACK, "unacceptable ACK " + Seq.str(ack)
                    + " in SYN-RECEIVED (expected " + Seq.str(tcb.sndNxt) + "): sent RST"));
            return false;
        }
        ourSynAcknowledged(seg, now, out);
        return true;
    }

    /**
     * SYN-RECEIVED, with an acceptable ACK: "enter ESTABLISHED state and continue processing with
     * the variables below set to: SND.WND <- SEG.WND, SND.WL1 <- SEG.SEQ, SND.WL2 <- SEG.ACK".
     * Also the end of a simultaneous open by the peer's SYN-ACK (SegmentArrives.crossingSynAck).
     */
    void ourSynAcknowledged(Packets.Tcp seg, long now, TcpConnection.Output out) {
        c.rtt.onAck(seg.ack(), now);
        tcb.sndUna = seg.ack();
        tcb.updateWindow(seg);
        c.handshakeAcknowledged(now);
        c.setState(TcpState.ESTABLISHED, out);
        out.event(new TcpEvent.Writable(c.writable()));
        // A CLOSE made during the handshake was queued for this moment (RFC 9293 3.10.4).
        if (c.sender.closeRequested()) c.setState(TcpState.FIN_WAIT_1, out);
    }

    /**
     * RFC 5961 section 5.2: "the ACK value is acceptable only if it is in the range of ((SND.UNA -
     * MAX.SND.WND) =< SEG.ACK =< SND.NXT). All incoming segments whose ACK value doesn't satisfy
     * the above condition MUST be discarded and an ACK sent back." ESTABLISHED: "If the ACK acks
     * something not yet sent (SEG.ACK > SND.NXT), then send an ACK, drop the segment, and return."
     * What was sent reaches to SND.MAX (see Tcb).
     */
    private boolean inAcceptableRange(Packets.Tcp seg, long now, TcpConnection.Output out) {
        int ack = seg.ack();
        int oldest = tcb.sndUna - tcb.maxSndWnd;
        if (!Seq.gt(ack, tcb.sndMax) && !Seq.lt(ack, oldest)) return true;
        boolean answered = c.challengeAcks.allow(now); // the same budget as challenge ACKs
        if (answered) c.sender.sendAck(out);
        out.event(new TcpEvent.Dropped(TcpEvent.DropReason.UNACCEPTABLE_ACK, "ACK " + Seq.str(ack) + " outside ["
                + Seq.str(oldest) + ", " + Seq.str(tcb.sndMax) + "]: "
                + (answered ? "sent ACK" : "ACK limit reached, dropped silently")));
        return false;
    }

    /**
     * An acceptable ACK: new, a duplicate, an answer to a window probe, or another. RFC 5681's
     * duplicate ACK is judged before this segment updates the window, with one deviation: its
     * condition (e), "the advertised window in the incoming acknowledgment equals the advertised
     * window in the last incoming acknowledgment", is left out. Linux receivers move their window in
     * the very duplicates that signal a loss (they read while the gap waits; they rely on SACK), and
     * with (e) those go uncounted and a timeout follows.
     */
    private void takeAck(Packets.Tcp seg, long now, TcpConnection.Output out) {
        int ack = seg.ack();
        boolean duplicate = c.cc != null && CongestionControl.isDuplicateAck(ack, seg.payload().length,
                seg.isSyn() || seg.isFin(), tcb.sndWnd, tcb.sndUna, tcb.sndMax, tcb.sndWnd);
        long deliveredBefore = c.scoreboard == null ? 0 : c.scoreboard.deliveredBytes();
        int cwndBefore = c.cc == null ? 0 : c.cc.cwnd();
        boolean congestionEchoed = c.cc != null && c.ecn.onAck(seg, tcb.sndMax); // RFC 3168 6.1.2
        LossRecovery.SackNews sack = c.recovery.takeSack(seg, now, out);
        if (!sack.newlySacked()) duplicate = false;
        if (Seq.lt(tcb.sndUna, ack)) {
            int oldUna = tcb.sndUna;
            measureRtt(seg, now);
            advanceSndUna(ack, now, out);
            c.recovery.onNewAck(ack, oldUna, now, out);
        } else if (seg.window() == 0 && (c.sender.probing() || tcb.sndUna != tcb.sndNxt)) {
            c.timeouts.windowProbeAnswered();
        } else if (duplicate) {
            c.recovery.onDuplicateAck(ack, now, out);
        } else if (c.cc != null) {
            c.cc.onOtherAck();
        }
        if (c.scoreboard != null && (sack.blocks() || c.cc.inRecovery())) c.recovery.detectLosses(ack, now, out);
        if (c.recovery.inSackRecovery()) c.recovery.proportionalRateReduction(c.scoreboard.deliveredBytes() - deliveredBefore);
        if (congestionEchoed) c.recovery.onCongestionEchoed(cwndBefore, now, out);
    }

    /**
     * An ACK that advances SND.UNA: an RTT sample. RFC 7323 section 4.1: "A TSecr value received in
     * a segment MAY be used to update the averaged RTT measurement only if the segment advances the
     * left edge of the send window, i.e., SND.UNA is increased." With timestamps every such ACK
     * gives one (a retransmission's too: the TSecr names the copy that arrived); without, RFC 6298's
     * one timed segment at a time.
     */
    private void measureRtt(Packets.Tcp seg, long now) {
        long sample = c.timestamps.rttSampleMillis(seg, now);
        if (sample >= 0) {
            c.rtt.timestampSample(sample, tcb.sndMax - tcb.sndUna, tcb.sndMss);
        } else {
            c.rtt.onAck(seg.ack(), now);
        }
    }

    /**
     * "If SND.UNA < SEG.ACK =< SND.NXT, then set SND.UNA <- SEG.ACK. Any segments on the
     * retransmission queue that are thereby entirely acknowledged are removed." The retransmission
     * timer restarts or stops; the scoreboard took this ACK already, before its SACK blocks.
     */
    private void advanceSndUna(int ack, long now, TcpConnection.Output out) {
        int ackedData = c.sender.acknowledged(ack);
        tcb.sndUna = ack;
        if (Seq.lt(tcb.sndNxt, tcb.sndUna)) tcb.sndNxt = tcb.sndUna; // the peer had more than we resent since a timeout
        c.timeouts.newDataAcknowledged(now);
        c.recovery.ackAdvanced(now);
        if (ackedData > 0 && c.sender.canWrite()) out.event(new TcpEvent.Writable(c.writable()));
    }

    /** What the ACK of our FIN does in each state. False when processing ends here. */
    private boolean ourFinAcknowledged(long now, TcpConnection.Output out) {
        boolean finAcked = c.sender.finAcknowledged();
        switch (c.state()) {
            // FIN-WAIT-1: "if the FIN segment is now acknowledged, then enter FIN-WAIT-2 and continue
            // processing in that state."
            case FIN_WAIT_1 -> {
                if (finAcked) {
                    c.setState(TcpState.FIN_WAIT_2, out);
                    c.timers.start(Timers.Kind.FIN_WAIT_2, now + c.config.finWait2Timeout());
                }
            }
            // CLOSING: "if the ACK acknowledges our FIN, then enter the TIME-WAIT state; otherwise,
            // ignore the segment." "In addition to the processing for the ESTABLISHED state": our
            // CLOSE entered FIN-WAIT-1 with data still queued (RFC 9293 3.10.4, the FIN follows the
            // data), so the peer's FIN may come first; what ACKs open must still be sent, then our FIN.
            case CLOSING -> {
                if (finAcked) {
                    c.enterTimeWait(now, out);
                } else {
                    c.sender.transmitQueued(now, out);
                    return false;
                }
            }
            // LAST-ACK: "If our FIN is now acknowledged, delete the TCB, enter the CLOSED state, and return."
            case LAST_ACK -> {
                if (finAcked) {
                    c.enterClosed(TcpEvent.CloseReason.NORMAL, "FIN acknowledged", out);
                    return false;
                }
            }
            default -> { }
        }
        return true;
    }
}
