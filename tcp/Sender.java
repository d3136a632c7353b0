import java.util.ArrayList;
import java.util.List;

/**
 * What to send now, and every segment we build: the data the windows allow (Nagle's algorithm and
 * the sender's SWS rule through {@link WhenToSend}, RFC 9293 3.7.4 and 3.8.6.2.1), window probes
 * (3.8.6.1), the FIN once the data is out (3.10.4), the SYN, ACKs (delayed as 3.8.6.3 allows) and
 * resets. One place builds each kind of segment.
 */
final class Sender {
    private static final byte[] NO_DATA = new byte[0];

    private final TcpConnection c;
    private final Tcb tcb;

    // User data written and not yet acknowledged: byte k of the send buffer has sequence number
    // sendBufferSeq + k (sendBufferSeq is SND.UNA once the SYN is acknowledged).
    private int sendBufferSeq;
    private boolean closeRequested; // the user called CLOSE: a FIN follows the queued data
    private boolean finSent;
    private int finSeq;             // the sequence number our FIN occupies, once sent
    private boolean probing;        // a zero-window probe is out (RFC 9293 3.8.6.1)
    private long lastDataSentAt;
    private int smallSegmentEnd;    // where the last sub-MSS segment of new data ended (Nagle)

    // The ACK we owe for received data or a FIN (see flushAck), and the full-sized segments
    // received since our last ACK (RFC 9293 3.8.6.3: an ACK for at least every second one).
    private boolean ackOwed;
    private boolean duplicateAckOwed; // the ACK owed answers an out-of-order or duplicate segment (RFC 5681 4.2)
    private int fullSegmentsUnacked;
    private int receiveMss = Tcb.DEFAULT_SEND_MSS; // RMSS: the largest segment received, up to our MSS
    // RFC 2883: data that arrived twice, to report in the first SACK block of the next ACK.
    private boolean dsackPending;
    private int dsackLeft, dsackRight;

    Sender(TcpConnection connection) {
        this.c = connection;
        this.tcb = connection.tcb;
    }

    /** User data starts after the SYN, which takes ISS. */
    void startAt(int iss) {
        sendBufferSeq = iss + 1;
        smallSegmentEnd = iss; // no small segment sent yet: never "after" SND.UNA
    }

    // ------------------------------------------------------------------ the send queue

    /** The sequence number after the last byte written: where the FIN goes. */
    int dataEnd() { return sendBufferSeq + c.sendBuffer.length(); }

    /** SEND is allowed: RFC 9293 3.10.2 queues data in SYN-SENT and SYN-RECEIVED, sends it in
     *  ESTABLISHED and CLOSE-WAIT; not after CLOSE. */
    boolean canWrite() {
        return switch (c.state()) {
            case SYN_SENT, SYN_RECEIVED, ESTABLISHED, CLOSE_WAIT -> !closeRequested;
            default -> false;
        };
    }

    boolean closeRequested() { return closeRequested; }

    /** CLOSE: a FIN follows the data queued so far. */
    void requestClose() { closeRequested = true; }

    boolean finSent() { return finSent; }

    /** Our FIN went out and the peer acknowledged it. */
    boolean finAcknowledged() { return finSent && Seq.gt(tcb.sndUna, finSeq); }

    /** Our FIN went out and is the only thing left unacknowledged, at SND.UNA. */
    boolean onlyFinOutstanding() { return finSent && tcb.sndUna == finSeq; }

    /** Our FIN went out and is not yet acknowledged. */
    boolean finOutstanding() { return finSent && Seq.le(tcb.sndUna, finSeq); }

    boolean probing() { return probing; }

    /** SND.UNA moved to ack: acknowledged data leaves the send buffer. Returns the bytes of data acknowledged. */
    int acknowledged(int ack) {
        int ackedData = Seq.lt(ack, dataEnd()) ? ack - sendBufferSeq : c.sendBuffer.length();
        if (ackedData > 0) {
            c.sendBuffer.acknowledge(ackedData);
            sendBufferSeq += ackedData;
        }
        return ackedData;
    }

    /** SND.NXT was sent back by a timeout: what follows is resent, not new (no limited transmit). */
    boolean resendPending() { return Seq.lt(tcb.sndNxt, tcb.sndMax); }

    // ------------------------------------------------------------------ ACKs owed

    /**
     * Data [left, right) arrived that we had already (below RCV.NXT, or held out of order). RFC
     * 2883 section 4: "If the D-SACK block reports a duplicate contiguous sequence from a
     * (possibly larger) block of data in the receiver's data queue above the cumulative
     * acknowledgement, then the second SACK block in that SACK option should specify that
     * (possibly larger) block of data"; "Each duplicate contiguous sequence of data received is
     * reported in at most one D-SACK block (i.e., the receiver sends two identical D-SACK blocks
     * in subsequent packets only if the receiver receives two duplicate segments)." The ACK goes at
     * once, as Linux sends it (tcp_send_dupack).
     */
    void duplicateReceived(int left, int right) {
        if (!tcb.sackPermitted() || !Seq.lt(left, right)) return;
        dsackPending = true;
        dsackLeft = left;
        dsackRight = right;
        duplicateAckNow();
    }

    /** An ACK is owed at once: it goes when the current call ends, unless our answer carries it. */
    void ackNow() { ackOwed = true; }

    /**
     * RFC 5681 section 4.2: "A TCP receiver SHOULD send an immediate duplicate ACK when an
     * out-of-order segment arrives." The sender counts duplicate ACKs and reads the SACK blocks of
     * each, so this one is not merged with the others of a batch (see owesDuplicateAck).
     */
    void duplicateAckNow() {
        ackOwed = true;
        duplicateAckOwed = true;
    }

    /** The ACK owed is a duplicate ACK, to go before the next segment is processed. */
    boolean owesDuplicateAck() { return ackOwed && duplicateAckOwed; }

    void forgetOwedAck() {
        ackOwed = false;
        duplicateAckOwed = false;
        c.timers.stop(Timers.Kind.DELAYED_ACK);
    }

    /**
     * New data arrived in order: the ACK now or later. RFC 9293 section 3.8.6.3: "an ACK SHOULD be
     * generated for at least every second full-sized segment or 2*RMSS bytes of new data (where
     * RMSS is the MSS specified by the TCP endpoint receiving the segments to be acknowledged, or
     * the default value if not specified) (SHLD-19)" and "the delay MUST be less than 0.5 seconds
     * (MUST-40)". A large packet (the peer's segmentation offload, seen whole on a virtual link)
     * counts as the full-sized segments it holds: "or 2*RMSS bytes of new data".
     * atOnce: a gap was filled, or not all of the data fitted (RFC 5681 section 4.2).
     */
    void dataReceived(int length, boolean atOnce, long now) {
        // RMSS, as the peer's full segments show it: the largest segment seen, up to the MSS we
        // announced (Linux's tcp_measure_rcv_mss). A peer may send less than the MSS either side
        // announced (libslirp sends 1440 of 1460, gVisor 1424): were only our MSS full-sized, no
        // segment of theirs would ever count, and every ACK would wait for the delayed-ACK timer.
        // A coalesced packet says what the peer's segments were (gso_size): that is RMSS, exactly.
        // Without it, a 64 KB packet would pass for one segment of our MSS (1460), and the peer's
        // 1448-byte segments (timestamps on) would never again count as full-sized.
        int segmentSize = c.arrivingSegmentSize;
        if (segmentSize > 0 && segmentSize < length) receiveMss = Math.min(segmentSize, c.config.mss());
        else if (length > receiveMss) receiveMss = Math.min(length, c.config.mss());
        if (length >= receiveMss) fullSegmentsUnacked += Math.max(1, length / receiveMss);
        if (atOnce) {
            duplicateAckNow(); // RFC 5681 4.2: "an immediate ACK" for the segment that fills a gap
        } else if (fullSegmentsUnacked >= 2 || c.config.delayedAck() == 0) {
            ackNow();
        } else {
            c.timers.startIfStopped(Timers.Kind.DELAYED_ACK, now + c.config.delayedAck());
        }
    }

    /**
     * Sends the ACK that received data or a FIN is owed, unless a segment sent since carried it.
     * RFC 9293 section 3.8.6.3: "A host that is receiving a stream of TCP data segments can
     * increase efficiency in both the network and the hosts by sending fewer than one ACK
     * (acknowledgment) segment per data segment received". The caller calls this after the
     * application reacted to a call's events, so that an answer can carry the ACK.
     */
    void flushAck(TcpConnection.Output out) {
        if (ackOwed) sendAck(out);
    }

    // ------------------------------------------------------------------ what to send now

    /** Sends queued data the windows allow, then our FIN once all data went out and CLOSE was called. */
    void transmitQueued(long now, TcpConnection.Output out) {
        transmitQueued(now, out, false, false);
    }

    /**
     * @param afterTimeout the retransmission timer just sent SND.NXT back to SND.UNA: what follows
     *                     goes out again (and is never timed, Karn's rule)
     * @param override     the SWS override timer fired: one small segment may go
     */
    void transmitQueued(long now, TcpConnection.Output out, boolean afterTimeout, boolean override) {
        switch (c.state()) {
            case ESTABLISHED, CLOSE_WAIT, FIN_WAIT_1, LAST_ACK, CLOSING -> { }
            default -> { return; }
        }
        int dataEnd = dataEnd();
        restartAfterIdle(dataEnd, now, out);
        // RFC 6675: in loss recovery with SACK, the holes go first, and pipe (not SND.NXT - SND.UNA)
        // is what the network holds.
        int pipe = c.recovery.inSackRecovery() ? c.recovery.retransmitHoles(now, out) : -1;
        boolean sentNewData = sendSegments(dataEnd, pipe, afterTimeout, override, now, out);
        // RFC 8985 7.2: the probe timer is (re)armed when new data goes out.
        if (sentNewData) c.recovery.armTailLossProbe(now);
        if (Seq.lt(tcb.sndNxt, dataEnd) && tcb.sndUna == tcb.sndMax && tcb.sndWnd == 0) {
            // Data waits, nothing is in flight, and the peer's window is closed: the retransmission
            // timer, with its backoff, sends the window probes (RFC 9293 section 3.8.6.1).
            c.timeouts.armRetransmissionTimer(now);
        }
        if (!Seq.lt(tcb.sndNxt, dataEnd)) c.timers.stop(Timers.Kind.SWS_OVERRIDE); // nothing waits any more
        if (closeRequested && tcb.sndNxt == dataEnd && c.state() != TcpState.ESTABLISHED && c.state() != TcpState.CLOSE_WAIT) {
            sendFin(dataEnd, afterTimeout, now, out);
        }
    }

    /** RFC 5681 section 4.1: after an idle period, cwnd starts over from the restart window. */
    private void restartAfterIdle(int dataEnd, long now, TcpConnection.Output out) {
        CongestionControl cc = c.cc;
        if (cc != null && tcb.sndUna == tcb.sndMax && Seq.lt(tcb.sndNxt, dataEnd) && lastDataSentAt > 0
                && cc.restartAfterIdle(now - lastDataSentAt, c.rtt.rto())) {
            out.event(new TcpEvent.CongestionChanged(cc.cwnd(), cc.ssthresh(), "restart after idle"));
        }
    }

    /** Data from SND.NXT, segment by segment, while the windows allow. True when new data went out. */
    private boolean sendSegments(int dataEnd, int pipe, boolean afterTimeout, boolean override, long now, TcpConnection.Output out) {
        boolean sentNewData = false;
        while (Seq.lt(tcb.sndNxt, dataEnd)) {
            boolean resend = Seq.lt(tcb.sndNxt, tcb.sndMax);
            if (resend && skipSacked()) continue;
            int usable = usableWindow(pipe);
            int length = resend ? resendLength(usable, dataEnd) : newDataLength(usable, dataEnd, override, now);
            if (length <= 0) break;
            override = false;
            if (!resend && length < tcb.sndMss) smallSegmentEnd = tcb.sndNxt + length;
            sendData(tcb.sndNxt, length, now, out);
            c.rtt.onSend(tcb.sndNxt + length, now, resend || afterTimeout || c.timeouts.retries() > 0);
            tcb.sndNxt += length;
            if (Seq.gt(tcb.sndNxt, tcb.sndMax)) tcb.sndMax = tcb.sndNxt;
            if (pipe >= 0) pipe += length;
            lastDataSentAt = now;
            c.timeouts.armRetransmissionTimer(now);
            if (!resend) sentNewData = true;
        }
        return sentNewData;
    }

    /**
     * Going back (after a timeout, or to a window probe's byte): what the receiver SACKed since is
     * not sent again. True when SND.NXT moved past SACKed data.
     */
    private boolean skipSacked() {
        if (c.scoreboard == null) return false;
        int past = c.scoreboard.skipSacked(tcb.sndNxt);
        if (past == tcb.sndNxt) return false;
        tcb.sndNxt = past;
        return true;
    }

    /**
     * RFC 5681 section 2: the sender may send while in flight < min(cwnd, rwnd); RFC 3042's limited
     * transmit lets the first two duplicate ACKs each send one more new segment. In SACK recovery,
     * pipe (RFC 6675) is what is in flight.
     */
    private int usableWindow(int pipe) {
        int inFlight = tcb.sndNxt - tcb.sndUna;
        int usable = tcb.sndWnd - inFlight;
        if (c.cc != null) {
            int allowance = resendPending() ? 0 : c.cc.limitedTransmitAllowance();
            usable = Math.min(usable, c.cc.cwnd() + allowance - (pipe >= 0 ? pipe : inFlight));
        }
        return usable;
    }

    /** A segment sent again: up to the MSS, and not into data the receiver SACKed. */
    private int resendLength(int usable, int dataEnd) {
        int available = dataEnd - tcb.sndNxt;
        if (c.scoreboard != null && c.scoreboard.sackedBytes() > 0) {
            available = Math.min(available, c.scoreboard.nextSackedStart(tcb.sndNxt) - tcb.sndNxt);
        }
        return Math.min(Math.min(available, tcb.sndMss), usable);
    }

    /**
     * New data: how much goes now. Nagle, as Linux and Minshall's variant apply it: a small segment
     * waits only while an earlier small segment is unacknowledged, so the tail of a long write is
     * not held back behind full-sized segments (RFC 9293 section 3.7.4 allows variants).
     */
    private int newDataLength(int usable, int dataEnd, boolean override, long now) {
        int available = dataEnd - tcb.sndNxt;
        boolean smallOutstanding = Seq.gt(smallSegmentEnd, tcb.sndUna);
        WhenToSend.Decision decision = WhenToSend.decide(usable, available, tcb.sndMss, tcb.maxSndWnd, smallOutstanding,
                c.config.noDelay(), true, override);
        int length = decision.bytes();
        if (length == 0 && decision.overrideTimer()) {
            c.timers.startIfStopped(Timers.Kind.SWS_OVERRIDE, now + WhenToSend.OVERRIDE_TIMEOUT_MILLIS);
        }
        int mss = tcb.sndMss;
        if (length == mss && c.config.largeSegments() > mss) {
            // Several full segments in one, for a stack that cuts them apart on the way out
            // (segmentation offload): whole MSS multiples, or everything that is left.
            int most = Math.min(Math.min(available, usable), c.config.largeSegments());
            length = most == available ? most : Math.max(mss, most / mss * mss);
        }
        return length;
    }

    /**
     * "form a FIN segment and send it" (CLOSE, RFC 9293 3.10.4), once all data went out; again
     * after a timeout sent SND.NXT back (the FIN occupies the number after the data).
     */
    private void sendFin(int dataEnd, boolean afterTimeout, long now, TcpConnection.Output out) {
        boolean resend = finSent;
        finSeq = dataEnd;
        finSent = true;
        out.transmit(finSegment());
        c.rtt.onSend(finSeq + 1, now, resend || afterTimeout || c.timeouts.retries() > 0);
        tcb.sndNxt = finSeq + 1;
        if (Seq.gt(tcb.sndNxt, tcb.sndMax)) tcb.sndMax = tcb.sndNxt;
        c.timeouts.armRetransmissionTimer(now);
    }

    // ------------------------------------------------------------------ window probes

    /**
     * RFC 9293 section 3.8.6.1: "The sending TCP peer must regularly transmit at least one octet of
     * new data (if available), or retransmit to the receiving TCP peer even if the send window is
     * zero, in order to "probe" the window." One byte at SND.UNA, with the timer's backoff. It does
     * not count as in flight: SND.NXT stays, so our ACKs keep a sequence number the peer accepts.
     */
    void sendWindowProbe(long now, TcpConnection.Output out) {
        probing = true;
        sendData(tcb.sndUna, 1, now, out);
        if (Seq.lt(tcb.sndMax, tcb.sndUna + 1)) tcb.sndMax = tcb.sndUna + 1;
    }

    /** A zero-window probe would be the segment to send now: the window is closed and data waits. */
    boolean windowProbeDue() {
        return tcb.sndWnd == 0 && Seq.lt(tcb.sndUna, dataEnd()) && (probing || tcb.sndUna == tcb.sndMax);
    }

    /**
     * The window opened. A probe byte the peer did not take is sent again with the rest: SND.NXT
     * goes back to it (it never moved past it, see sendWindowProbe).
     */
    void windowOpened() {
        probing = false;
        if (Seq.lt(tcb.sndNxt, tcb.sndUna)) tcb.sndNxt = tcb.sndUna;
    }

    // ------------------------------------------------------------------ the segments

    /** Data from the send buffer, seq to seq + length, with PSH on the last segment of what was written. */
    void sendData(int seq, int length, long now, TcpConnection.Output out) {
        if (c.scoreboard != null) c.scoreboard.sent(seq, seq + length, now);
        // PRR's prr_out, and the retransmissions an undo must see reported (CongestionControl).
        if (c.cc != null) c.cc.onDataSent(seq, seq + length, Seq.lt(seq, tcb.sndMax));
        boolean last = seq + length == dataEnd();
        // RFC 3168 6.1.1 / 6.1.2: new data goes ECT(0) (with CWR after a reduction), what is sent
        // again and window probes go Not-ECT (Ecn.marks).
        Ecn.Kind kind = probing && seq == tcb.sndUna && length == 1 ? Ecn.Kind.WINDOW_PROBE
                : Seq.lt(seq, tcb.sndMax) ? Ecn.Kind.RETRANSMISSION : Ecn.Kind.NEW_DATA;
        Ecn.Marks marks = c.ecn.marks(kind);
        // The segment goes out without its data; the bytes stay in the send buffer, whence the
        // stack copies them straight into the frame (Output.transmitData).
        Packets.Tcp header = segment(seq, tcb.rcvNxt, Packets.ACK | (last ? Packets.PSH : 0) | marks.tcpFlags(), List.of(), length);
        out.transmitData(header, c.sendBuffer, seq - sendBufferSeq, length, marks.ipEcn());
    }

    /** Our FIN: <SEQ=the number after the data><ACK=RCV.NXT><CTL=FIN,ACK>. The one place it is built. */
    Packets.Tcp finSegment() {
        return segment(finSeq, tcb.rcvNxt, Packets.FIN | Packets.ACK, List.of(), NO_DATA);
    }

    /** A keep-alive probe: <SEQ=SND.NXT-1><ACK=RCV.NXT><CTL=ACK>, no data (see TcpConnection.keepAliveTimeout). */
    void sendKeepAliveProbe(TcpConnection.Output out) {
        out.transmit(segment(KeepAlive.probeSeq(tcb.sndNxt), tcb.rcvNxt, Packets.ACK, List.of(), NO_DATA));
    }

    /** <SEQ=seq><CTL=RST>. */
    void sendReset(int seq, TcpConnection.Output out) {
        out.transmit(segment(seq, 0, Packets.RST, List.of(), NO_DATA));
    }

    /**
     * The SYN (active open) or SYN-ACK (passive open), always from ISS, with our MSS and, where RFC
     * 7323 section 2.2 allows, our window scale: "A TCP MAY send the Window Scale option in a <SYN>
     * segment"; "a TCP MUST NOT send a Window Scale option in a <SYN,ACK> segment unless it
     * received one in the initial <SYN>" (our SYN-ACK after a simultaneous open answers a SYN too).
     */
    void sendSyn(boolean withAck, long now, TcpConnection.Output out) {
        int flags = withAck ? Packets.SYN | Packets.ACK : Packets.SYN;
        // RFC 3168 6.1.1: ECE and CWR in an ECN-setup SYN, ECE alone in an ECN-setup SYN-ACK (see Ecn).
        flags |= withAck ? c.ecn.synAckFlags() : c.ecn.synFlags(c.timeouts.retries() > 0);
        int windowShift = c.config.windowScaling() && (!withAck || tcb.peerOfferedWindowScale) ? tcb.rcvWndShift : -1;
        boolean sackPermitted = c.config.sack() && (!withAck || tcb.peerOfferedSack);
        // RFC 7323 section 3.2: our SYN offers timestamps; the SYN-ACK carries them only if the
        // peer's SYN did. Laid out as Linux lays them out (TcpOptionLayout): MSS, SACK-permitted
        // beside the timestamps, window scale last.
        Packets.Timestamps ts = withAck ? c.timestamps.synAckOption(tcb.rcvNxt, now) : c.timestamps.synOption(now);
        List<Packets.TcpOption> options = TcpOptionLayout.syn(c.config.mss(), windowShift, sackPermitted, ts);
        out.transmit(segment(tcb.iss, withAck ? tcb.rcvNxt : 0, flags, options, NO_DATA));
        c.rtt.onSend(tcb.iss + 1, now, c.timeouts.retries() > 0);
        c.timeouts.armRetransmissionTimer(now);
    }

    /**
     * <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>. Two refinements, as BSD and Linux make them: after a
     * timeout sent SND.NXT back, an ACK carries the highest number sent (sndMax), so the peer does not
     * take it for an old duplicate; and it never carries a number beyond the peer's window (after a
     * window probe into a zero window), where a peer would drop it as unacceptable.
     */
    void sendAck(TcpConnection.Output out) {
        int seq = tcb.sndMax;
        int windowEnd = tcb.sndWindowEnd();
        if (c.state().isSynchronized() && Seq.gt(seq, windowEnd)) seq = Seq.gt(tcb.sndNxt, windowEnd) ? tcb.sndNxt : windowEnd;
        out.transmit(segment(seq, tcb.rcvNxt, Packets.ACK, List.of(), NO_DATA));
    }

    /** Every segment we send: its ACK, if any, acknowledges everything, so no ACK stays owed. */
    private Packets.Tcp segment(int seq, int ack, int flags, List<Packets.TcpOption> options, byte[] payload) {
        Packets.Tcp header = segment(seq, ack, flags, options, payload.length);
        return payload.length == 0 ? header : header.withPayload(payload);
    }

    /** The segment's headers, for payloadLength bytes of data that it does not carry yet. */
    private Packets.Tcp segment(int seq, int ack, int flags, List<Packets.TcpOption> options, int payloadLength) {
        if ((flags & Packets.ACK) != 0 && ack == tcb.rcvNxt) {
            forgetOwedAck();
            fullSegmentsUnacked = 0;
        }
        int window = (flags & Packets.RST) != 0 ? 0 : windowField((flags & Packets.SYN) != 0);
        if ((flags & (Packets.SYN | Packets.RST)) == 0) options = segmentOptions(ack, flags, payloadLength);
        // RFC 3168 6.1.3: "that TCP receiver continues to set the ECN-Echo flag in all the ACK
        // packets it sends ... until it receives a CWR packet".
        if ((flags & (Packets.SYN | Packets.RST)) == 0 && (flags & Packets.ACK) != 0 && c.ecn.echoing()) {
            flags |= Packets.ECE;
            c.ecn.echoSent();
        }
        return Packets.Tcp.of(c.localPort, c.remotePort, seq, ack, flags, window, options, Packets.NO_DATA);
    }

    /**
     * The options of a segment other than a SYN or RST: the timestamps once negotiated, RFC 7323
     * section 3.2: "Once TSopt has been successfully negotiated, that is both <SYN> and <SYN,ACK>
     * contain TSopt, the TSopt MUST be sent in every non-<RST> segment for the duration of the
     * connection" (an RST goes without, as Linux's do: "SHOULD be sent in an <RST> segment"), then
     * SACK blocks.
     * RFC 2018 section 4: "If sent at all, SACK options SHOULD be included in all ACKs which do not
     * ACK the highest sequence number in the data receiver's queue." "The first SACK block ...
     * MUST specify the contiguous block of data containing the segment which triggered this ACK"
     * (ReassemblyQueue keeps that order). Four blocks fit beside no timestamps, three beside them
     * (TcpOptionLayout); only pure ACKs carry them, so that a full-sized data segment never grows
     * past the MSS.
     */
    private List<Packets.TcpOption> segmentOptions(int ack, int flags, int payloadLength) {
        Packets.Timestamps ts = c.timestamps.option(ack, (flags & Packets.ACK) != 0, c.now);
        int[] edges = NO_EDGES;
        if (tcb.sackPermitted() && payloadLength == 0 && flags == Packets.ACK && (!c.reassembly.isEmpty() || dsackPending)) {
            // RFC 2883 section 4: "If the data receiver has received a duplicate segment, the first
            // block of the SACK option should be a D-SACK block specifying the sequence numbers for
            // the duplicate segment that triggers the acknowledgement."
            int[] dsack = dsackPending ? new int[] {dsackLeft, dsackRight} : NO_EDGES;
            dsackPending = false;
            int[] held = c.reassembly.sackBlocks(tcb.rcvNxt, TcpOptionLayout.maxSackBlocks(ts != null) - dsack.length / 2);
            edges = java.util.Arrays.copyOf(dsack, dsack.length + held.length);
            System.arraycopy(held, 0, edges, dsack.length, held.length);
        }
        if (ts == null && edges.length == 0) return List.of();
        return TcpOptionLayout.segment(ts, edges);
    }

    private static final int[] NO_EDGES = new int[0];

    /** The window field of a segment we send: see ReceiveWindow (SWS avoidance, scaling, no shrinking). */
    private int windowField(boolean syn) {
        ReceiveWindow window = tcb.receiveWindow;
        if (syn) {
            int field = window.synWindow(c.receiveBuffer.free());
            // A SYN-ACK: RCV.NXT is known, so its window counts from here (a SYN's starts when
            // the SYN-ACK arrives, in Tcb.learnFromSyn).
            if (c.state() == TcpState.SYN_RECEIVED) window.start(tcb.rcvNxt);
            return field;
        }
        // While a gap waits to be filled, our ACKs are duplicates: they keep the window they had,
        // or the sender would not count them (RFC 5681 section 2, condition (e)).
        if (!c.reassembly.isEmpty()) return window.advertiseSameEdge(tcb.rcvNxt);
        return window.advertise(tcb.rcvNxt, c.receiveBuffer.free(), c.config.mss());
    }
}
