import java.util.List;

/**
 * SEGMENT ARRIVES, RFC 9293 section 3.10.7: what a segment does in each state. CLOSED (3.10.7.1),
 * LISTEN (3.10.7.2, with the Listener's rules) and SYN-SENT (3.10.7.3) are here whole; for the
 * other states (3.10.7.4) the RFC's steps run in its order, each a method named after it: first,
 * check the sequence number; second, the RST bit; third, security; fourth, the SYN bit; fifth, the
 * ACK field (AckArrives); sixth to eighth, the URG bit, the text and the FIN (TextArrives).
 */
final class SegmentArrives {
    private static final byte[] NO_DATA = new byte[0];

    private final TcpConnection c;
    private final Tcb tcb;

    SegmentArrives(TcpConnection connection) {
        this.c = connection;
        this.tcb = connection.tcb;
    }

    /** An arriving segment for this connection's 4-tuple. */
    void onSegment(Packets.Tcp seg, long now, TcpConnection.Output out) {
        c.timeouts.heard(now);
        switch (c.state()) {
            case CLOSED -> closed(seg, out);
            case LISTEN -> listen(seg, now, out);
            case SYN_SENT -> synSent(seg, now, out);
            default -> otherStates(seg, now, out);
        }
    }

    // ------------------------------------------------------------------ 3.10.7.1 CLOSED

    private void closed(Packets.Tcp seg, TcpConnection.Output out) {
        Packets.Tcp reset = resetFor(seg);
        if (reset != null) out.transmit(reset);
        out.event(new TcpEvent.Dropped(TcpEvent.DropReason.NO_CONNECTION, "connection is closed" + (reset != null ? ": sent RST" : "")));
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

    // ------------------------------------------------------------------ 3.10.7.2 LISTEN

    /** The first, second and fourth checks are the Listener's; the third, for a SYN, is here. */
    private void listen(Packets.Tcp seg, long now, TcpConnection.Output out) {
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
        tcb.startReceiving(seg);
        tcb.learnFromSyn(seg, false);
        c.ecn.onSyn(seg); // RFC 3168 6.1.1: an ECN-setup SYN has ECE and CWR
        c.timestamps.onSyn(seg, now);
        tcb.updateWindow(seg);
        c.setState(TcpState.SYN_RECEIVED, out);
        c.sender.sendSyn(true, now, out);
    }

    // ------------------------------------------------------------------ 3.10.7.3 SYN-SENT

    private void synSent(Packets.Tcp seg, long now, TcpConnection.Output out) {
        // "First, check the ACK bit:"
        if (seg.isAck() && !synSentAckAcceptable(seg, out)) return;
        // "If SND.UNA < SEG.ACK =< SND.NXT, then the ACK is acceptable." In SYN-SENT, SND.UNA is
        // ISS, so every ACK that passed the first check is.
        boolean ackAcceptable = seg.isAck();
        // "Second, check the RST bit: ... If the ACK was acceptable, then signal to the user "error:
        // connection reset", drop the segment, enter CLOSED state, delete TCB, and return.
        // Otherwise (no ACK), drop the segment and return."
        if (seg.isRst()) {
            if (ackAcceptable) {
                c.enterClosed(TcpEvent.CloseReason.REFUSED, "connection refused", out);
            } else {
                out.event(new TcpEvent.Dropped(TcpEvent.DropReason.BAD_REPLY_TO_SYN, "RST without ACK in SYN-SENT: ignored"));
            }
            return;
        }
        // "Third, check the security:" we use no IP security compartments, so there is nothing to match.
        // "Fourth, check the SYN bit:"
        if (seg.isSyn()) {
            synSentSyn(seg, ackAcceptable, now, out);
            return;
        }
        // "Fifth, if neither of the SYN or RST bits is set, then drop the segment and return."
        out.event(new TcpEvent.Dropped(TcpEvent.DropReason.BAD_REPLY_TO_SYN, "neither SYN nor RST in SYN-SENT: dropped"));
    }

    /**
     * "If the ACK bit is set, If SEG.ACK =< ISS or SEG.ACK > SND.NXT, send a reset (unless the RST
     * bit is set, if so drop the segment and return) <SEQ=SEG.ACK><CTL=RST> and discard the
     * segment. Return."
     */
    private boolean synSentAckAcceptable(Packets.Tcp seg, TcpConnection.Output out) {
        if (!Seq.le(seg.ack(), tcb.iss) && !Seq.gt(seg.ack(), tcb.sndNxt)) return true;
        if (seg.isRst()) {
            out.event(new TcpEvent.Dropped(TcpEvent.DropReason.BAD_REPLY_TO_SYN, "RST with an unacceptable ACK "
                    + Seq.str(seg.ack()) + " in SYN-SENT: ignored"));
        } else {
            c.sender.sendReset(seg.ack(), out);
            out.event(new TcpEvent.Dropped(TcpEvent.DropReason.BAD_REPLY_TO_SYN, "unacceptable ACK " + Seq.str(seg.ack())
                    + " in SYN-SENT (expected " + Seq.str(tcb.sndNxt) + "): sent RST"));
        }
        return false;
    }

    /**
     * "If the SYN bit is on and the security/compartment is acceptable, then RCV.NXT is set to
     * SEG.SEQ+1, IRS is set to SEG.SEQ. SND.UNA should be advanced to equal SEG.ACK (if there is an
     * ACK), and any segments on the retransmission queue that are thereby acknowledged should be
     * removed."
     */
    private void synSentSyn(Packets.Tcp seg, boolean ackAcceptable, long now, TcpConnection.Output out) {
        if (ackAcceptable && !synAckTimestampsAcceptable(seg, now, out)) return;
        if (!ackAcceptable) c.timestamps.onSyn(seg, now); // simultaneous open: the peer's SYN
        tcb.startReceiving(seg);
        tcb.learnFromSyn(seg, true);
        if (seg.isAck()) c.ecn.onSynAck(seg); // RFC 3168 6.1.1: an ECN-setup SYN-ACK has ECE, not CWR
        else c.ecn.onSyn(seg);                 // simultaneous open: the peer's SYN
        if (ackAcceptable) {
            c.rtt.onAck(seg.ack(), now);
            tcb.sndUna = seg.ack();
        }
        // "If SND.UNA > ISS (our SYN has been ACKed), change the connection state to ESTABLISHED,
        // form an ACK segment <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK> and send it."
        if (Seq.gt(tcb.sndUna, tcb.iss)) {
            // "Set the variables: SND.WND <- SEG.WND, SND.WL1 <- SEG.SEQ, SND.WL2 <- SEG.ACK"
            tcb.updateWindow(seg);
            c.handshakeAcknowledged(now);
            c.setState(TcpState.ESTABLISHED, out);
            textAfterSyn(seg, now, out);
            c.sender.sendAck(out);
            c.sender.transmitQueued(now, out);
        } else {
            // "Otherwise, enter SYN-RECEIVED, form a SYN,ACK segment <SEQ=ISS><ACK=RCV.NXT>
            // <CTL=SYN,ACK> and send it." (simultaneous open)
            tcb.updateWindow(seg);
            c.setState(TcpState.SYN_RECEIVED, out);
            c.sender.sendSyn(true, now, out);
        }
    }

    /**
     * RFC 7323 section 3.2: a SYN-ACK with a TSopt after our SYN with one: both now send it. As
     * Linux (tcp_rcv_synsent_state_process), a TSecr that no SYN of ours carried shows the SYN-ACK
     * answers another SYN: Linux answers with a reset, <SEQ=SEG.ACK><CTL=RST>, and so do we.
     */
    private boolean synAckTimestampsAcceptable(Packets.Tcp seg, long now, TcpConnection.Output out) {
        String bad = c.timestamps.onSynAck(seg, now);
        if (bad == null) return true;
        c.sender.sendReset(seg.ack(), out);
        out.event(new TcpEvent.Dropped(TcpEvent.DropReason.BAD_REPLY_TO_SYN, bad + ", sent RST"));
        return false;
    }

    /**
     * "If there are other controls or text in the segment, then continue processing at the sixth
     * step under Section 3.10.7.4 where the URG bit is checked". The idealized segment begins at
     * RCV.NXT: the text after the SYN.
     */
    private void textAfterSyn(Packets.Tcp seg, long now, TcpConnection.Output out) {
        if (seg.payload().length == 0 && !seg.isFin()) return;
        Packets.Tcp rest = Packets.Tcp.of(seg.sourcePort(), seg.destinationPort(), seg.seq() + 1, seg.ack(),
                seg.flags() & ~Packets.SYN, seg.window(), List.of(), seg.payload());
        if (rest.payload().length > 0) c.textArrives.seventhProcessText(rest, now, out);
        if (rest.isFin() && rest.seq() + rest.payload().length == tcb.rcvNxt) c.textArrives.receiveFin(now, out);
    }

    // ------------------------------------------------------------------ 3.10.7.4 Other states

    /** SYN-RECEIVED and the synchronized states: the RFC's steps, in its order. */
    private void otherStates(Packets.Tcp seg, long now, TcpConnection.Output out) {
        if (crossingSynAck(seg, now, out)) return;
        if (duplicateSynInSynReceived(seg, now, out)) return;
        if (retransmittedFinInTimeWait(seg, now, out)) return;
        if (synInSynchronizedState(seg, now, out)) return;
        if (!pawsCheck(seg, now, out)) return;
        seg = withoutTextIfWindowClosed(seg, out);
        if (!firstCheckSequenceNumber(seg, now, out)) return;
        // RFC 3168 6.1.3: a CE mark on acceptable data is echoed with ECE until the sender's CWR.
        if (!seg.isRst() && c.ecn.onArrival(seg, c.arrivingIpEcn)) c.sender.ackNow();
        c.timestamps.onAcceptable(seg, now);
        if (!secondCheckRst(seg, now, out)) return;
        // "Third, check security": we use no IP security compartments, so every segment matches.
        if (!fourthCheckSyn(seg, now, out)) return;
        if (!c.ackArrives.fifthCheckAck(seg, now, out)) return;
        if (c.state() == TcpState.CLOSED) return;
        c.textArrives.sixthCheckUrg(seg, out);
        c.textArrives.seventhProcessText(seg, now, out);
        c.textArrives.eighthCheckFin(seg, now, out);
        c.sender.transmitQueued(now, out);
    }

    /**
     * Simultaneous open as RFC 9293's Figure 8 draws it, line 6: in SYN-RECEIVED after an active
     * OPEN, the peer's SYN-ACK "<SEQ=300><ACK=101><CTL=SYN,ACK>" takes us to ESTABLISHED. The text
     * of 3.10.7.4 disagrees: that segment's SEQ is IRS, below RCV.NXT, so the first step finds it
     * "not acceptable" and answers with an ACK, and the handshake would wait for a retransmitted
     * SYN-ACK to be acknowledged. We follow the figure, as Linux does (tcp_validate_incoming lets a
     * SYN-ACK through in SYN_RECV when it carries the peer's ISN, no data, and acknowledges
     * exactly our SYN); TCP hole punching through NATs relies on it. The SYN-ACK is taken as the
     * ACK of our SYN; its SYN was taken already, so nothing else is owed.
     */
    private boolean crossingSynAck(Packets.Tcp seg, long now, TcpConnection.Output out) {
        if (c.state() != TcpState.SYN_RECEIVED || c.passiveOpen || !seg.isSyn() || !seg.isAck() || seg.isRst()
                || seg.isFin() || seg.payload().length > 0 || seg.seq() != tcb.irs || seg.ack() != tcb.sndNxt) {
            return false;
        }
        out.event(new TcpEvent.Duplicate("SYN-ACK", "its ACK completes the simultaneous open (RFC 9293 Figure 8)"));
        c.ackArrives.ourSynAcknowledged(seg, now, out);
        c.sender.transmitQueued(now, out);
        return true;
    }

    /**
     * Not in the RFC, as Linux does: the peer sent its SYN again because our SYN-ACK was lost. The
     * sequence check would answer with a bare ACK; a SYN-ACK finishes the handshake at once. It is
     * the same connection: no second one is created.
     */
    private boolean duplicateSynInSynReceived(Packets.Tcp seg, long now, TcpConnection.Output out) {
        if (c.state() != TcpState.SYN_RECEIVED || !seg.isSyn() || seg.isAck() || seg.seq() != tcb.irs) return false;
        out.event(new TcpEvent.Duplicate("SYN", "sent SYN-ACK again"));
        c.sender.sendSyn(true, now, out);
        // Karn (RFC 6298 section 3): the SYN-ACK went out twice, so the ACK to come is no RTT sample.
        c.rtt.onSend(tcb.iss + 1, now, true);
        return true;
    }

    /**
     * TIME-WAIT: "The only thing that can arrive in this state is a retransmission of the remote
     * FIN. Acknowledge it, and restart the 2 MSL timeout."
     */
    private boolean retransmittedFinInTimeWait(Packets.Tcp seg, long now, TcpConnection.Output out) {
        if (c.state() != TcpState.TIME_WAIT || !seg.isFin() || seg.isRst() || seg.isSyn()
                || seg.seq() + seg.payload().length + 1 != tcb.rcvNxt) {
            return false;
        }
        out.event(new TcpEvent.Duplicate("FIN", "sent ACK, TIME-WAIT restarted"));
        c.sender.sendAck(out);
        c.timers.start(Timers.Kind.TIME_WAIT, now + 2 * c.config.msl());
        return true;
    }

    /**
     * Fourth step, synchronized states: "RFC 5961 recommends that in these synchronized states, if
     * the SYN bit is set, irrespective of the sequence number, TCP endpoints MUST send a "challenge
     * ACK" to the remote peer: <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK> After sending the
     * acknowledgment, TCP implementations MUST drop the unacceptable segment and stop processing
     * further." Irrespective of the sequence number, so before the sequence check. (SYN-RECEIVED is
     * not synchronized: its SYNs are handled in the fourth step itself.)
     */
    private boolean synInSynchronizedState(Packets.Tcp seg, long now, TcpConnection.Output out) {
        if (!seg.isSyn() || seg.isRst() || !c.state().isSynchronized()) return false;
        c.challengeAcks.send("SYN in " + c.state().rfcName(), now, out);
        return true;
    }

    /**
     * RFC 7323 section 5.3, before the sequence check: "R1) If there is a Timestamps option in the
     * arriving segment, SEG.TSval < TS.Recent, TS.Recent is valid (see later discussion), and if the
     * RST bit is not set, then treat the arriving segment as not acceptable: Send an acknowledgment
     * in reply as specified in [RFC0793], page 69, and drop the segment." "R2) If the segment is
     * outside the window, reject it (normal TCP processing)". The ACK shares the challenge ACKs'
     * budget, as the first check's ACKs do (Linux rate-limits it too, tcp_oow_rate_limited).
     */
    private boolean pawsCheck(Packets.Tcp seg, long now, TcpConnection.Output out) {
        Timestamps.Check check = c.timestamps.check(seg, now);
        switch (check.verdict()) {
            case ACCEPT -> { return true; }
            case DROP -> out.event(new TcpEvent.Dropped(TcpEvent.DropReason.PAWS, check.reason()));
            case DROP_AND_ACK -> {
                if (c.challengeAcks.allow(now)) {
                    c.sender.sendAck(out);
                    out.event(new TcpEvent.Dropped(TcpEvent.DropReason.PAWS, check.reason()));
                } else {
                    out.event(new TcpEvent.Dropped(TcpEvent.DropReason.PAWS, check.reason().replace("sent ACK", "ACK limit reached")));
                }
            }
        }
        return false;
    }

    /**
     * "If the RCV.WND is zero, no segments will be acceptable, but special allowance should be made
     * to accept valid ACKs, URGs, and RSTs." A segment at RCV.NXT with data is taken without its
     * data (and FIN): its ACK, window and RST still count, and our ACK repeats that the window is zero.
     */
    private Packets.Tcp withoutTextIfWindowClosed(Packets.Tcp seg, TcpConnection.Output out) {
        if (tcb.rcvWnd() != 0 || seg.seq() != tcb.rcvNxt || (seg.payload().length == 0 && !seg.isFin()) || seg.isSyn()) {
            return seg;
        }
        out.event(new TcpEvent.Dropped(TcpEvent.DropReason.OUTSIDE_WINDOW, seg.payload().length
                + " bytes into our zero window: not taken, its ACK processed"));
        c.sender.ackNow();
        return Packets.Tcp.of(seg.sourcePort(), seg.destinationPort(), seg.seq(), seg.ack(),
                seg.flags() & ~(Packets.FIN | Packets.PSH), seg.window(), seg.options(), null);
    }

    /**
     * "First, check sequence number: ... If an incoming segment is not acceptable, an
     * acknowledgment should be sent in reply (unless the RST bit is set, if so drop the segment and
     * return): <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK> After sending the acknowledgment, drop the
     * unacceptable segment and return."
     */
    private boolean firstCheckSequenceNumber(Packets.Tcp seg, long now, TcpConnection.Output out) {
        if (tcb.isAcceptable(seg)) return true;
        if (seg.isRst()) {
            // RFC 5961 section 3.2: "If the RST bit is set and the sequence number is outside the
            // current receive window, silently drop the segment."
            out.event(new TcpEvent.Dropped(TcpEvent.DropReason.OUTSIDE_WINDOW, "RST with sequence number " + Seq.str(seg.seq())
                    + " outside the window [" + Seq.str(tcb.rcvNxt) + ", +" + tcb.rcvWnd() + "): ignored"));
        } else if (!c.challengeAcks.allow(now)) {
            // The ACKs for unacceptable segments share the challenge ACKs' limit (ChallengeAcks).
            out.event(new TcpEvent.Dropped(TcpEvent.DropReason.OUTSIDE_WINDOW, "sequence number " + Seq.str(seg.seq())
                    + " not acceptable (expected " + Seq.str(tcb.rcvNxt) + "): ACK limit reached, dropped silently"));
        } else {
            if (Seq.lt(seg.seq(), tcb.rcvNxt) && seg.payload().length > 0) {
                // Data we had: RFC 2883's D-SACK tells the sender its copy was not needed.
                int end = seg.seq() + seg.payload().length;
                c.sender.duplicateReceived(seg.seq(), Seq.lt(end, tcb.rcvNxt) ? end : tcb.rcvNxt);
            }
            c.sender.sendAck(out);
            if (Seq.lt(seg.seq(), tcb.rcvNxt)) {
                out.event(new TcpEvent.Duplicate(describeKind(seg), "sent ACK " + Seq.str(tcb.rcvNxt)));
            } else {
                out.event(new TcpEvent.Dropped(TcpEvent.DropReason.OUTSIDE_WINDOW, "sequence number " + Seq.str(seg.seq())
                        + " not acceptable (expected " + Seq.str(tcb.rcvNxt) + ", window " + tcb.rcvWnd() + "): sent ACK"));
            }
        }
        return false;
    }

    /** "Second, check the RST bit:" */
    private boolean secondCheckRst(Packets.Tcp seg, long now, TcpConnection.Output out) {
        if (!seg.isRst()) return true;
        // RFC 5961 section 3.2: "If the RST bit is set and the sequence number does not exactly
        // match the next expected sequence value, yet is within the current receive window, TCP
        // endpoints MUST send an acknowledgment (challenge ACK)"
        if (seg.seq() != tcb.rcvNxt) {
            c.challengeAcks.send("in-window RST with sequence number " + Seq.str(seg.seq()) + " (expected exactly "
                    + Seq.str(tcb.rcvNxt) + ")", now, out);
            return false;
        }
        switch (c.state()) {
            // "If this connection was initiated with a passive OPEN (i.e., came from the LISTEN
            // state), then return this connection to LISTEN state and return. ... If this connection
            // was initiated with an active OPEN (i.e., came from SYN-SENT state), then the connection
            // was refused; signal the user "connection refused"." Our listener is the receive loop,
            // which stays; this connection's TCB goes.
            case SYN_RECEIVED -> c.enterClosed(c.passiveOpen ? TcpEvent.CloseReason.RESET : TcpEvent.CloseReason.REFUSED,
                    c.passiveOpen ? "reset by the peer during the handshake" : "connection refused", out);
            // CLOSING, LAST-ACK, TIME-WAIT: "If the RST bit is set, then enter the CLOSED state,
            // delete the TCB, and return." In TIME-WAIT both FINs were exchanged and acknowledged
            // already: the connection ended normally, the RST only shortens the wait.
            case TIME_WAIT -> c.enterClosed(TcpEvent.CloseReason.NORMAL, "RST in TIME-WAIT", out);
            // ESTABLISHED, FIN-WAIT-1, FIN-WAIT-2, CLOSE-WAIT: "Users should also receive an
            // unsolicited general "connection reset" signal. Enter the CLOSED state, delete the TCB,
            // and return."
            default -> c.enterClosed(TcpEvent.CloseReason.RESET, "connection reset by peer", out);
        }
        return false;
    }

    /**
     * "Fourth, check the SYN bit:" in SYN-RECEIVED, "If the connection was initiated with a passive
     * OPEN, then return this connection to the LISTEN state and return. Otherwise, handle per the
     * directions for synchronized states below." (The synchronized states' SYNs were challenged
     * before the first step.)
     */
    private boolean fourthCheckSyn(Packets.Tcp seg, long now, TcpConnection.Output out) {
        if (!seg.isSyn()) return true;
        if (c.state() == TcpState.SYN_RECEIVED && c.passiveOpen) {
            out.event(new TcpEvent.Dropped(TcpEvent.DropReason.NEW_SYN, "new SYN in the window during the handshake: connection dropped"));
            c.enterClosed(TcpEvent.CloseReason.RESET, "peer started over with a new SYN", out);
            return false;
        }
        // SYN-RECEIVED after an active OPEN (simultaneous open): "handle per the directions for
        // synchronized states", that is, RFC 5961's challenge ACK.
        c.challengeAcks.send("SYN in " + c.state().rfcName(), now, out);
        return false;
    }

    private static String describeKind(Packets.Tcp seg) {
        if (seg.isFin()) return "FIN";
        if (seg.isSyn()) return seg.isAck() ? "SYN-ACK" : "SYN";
        if (seg.payload().length > 0) return "data (" + seg.payload().length + " bytes)";
        return "ACK";
    }
}
