/**
 * Loss recovery, before the retransmission timer has to: fast retransmit on duplicate ACKs (RFC
 * 5681 section 3.2), early retransmit when too few segments are out for three duplicates (RFC
 * 5827), NewReno's partial ACKs (RFC 6582), and with SACK, RFC 6675's recovery on the scoreboard
 * with RFC 8985's RACK to find lost retransmissions, and RACK-TLP's tail loss probe (RFC 8985
 * section 7). Limited transmit (RFC 3042) is the sender's, through CongestionControl.
 *
 * CongestionControl keeps the windows and counts the duplicates; Scoreboard keeps what the SACK
 * blocks say; this room decides what goes again, and tells.
 */
final class LossRecovery {
    /**
     * Added to 2 * SRTT when more than a segment is in flight, so that the clock's granularity (a
     * millisecond) cannot fire the probe before the ACK could be back: Linux's TCP_TIMEOUT_MIN (two
     * jiffies). RFC 8985 sets no floor; the draft's 10 ms one, which Linux dropped in 2017, made a
     * lost ACK on a sub-millisecond path cost 10 ms instead of 2.
     */
    private static final long PROBE_TIMEOUT_SLACK = 2;
    /** RFC 8985's WCDelAckT: "The RECOMMENDED value for WCDelAckT is 200 ms". */
    private static final long WORST_CASE_DELAYED_ACK = 200;

    /** What an ACK's SACK option told: whether it had blocks, and whether they reported octets not SACKed before. */
    record SackNews(boolean blocks, boolean newlySacked) {
        static final SackNews NO_SACK = new SackNews(false, true);
    }

    private final TcpConnection c;
    private final Tcb tcb;
    private boolean probeOut;            // a tail loss probe went out; none again until an ACK advances
    private boolean finResentInRecovery; // our FIN went again in this SACK recovery

    LossRecovery(TcpConnection connection) {
        this.c = connection;
        this.tcb = connection.tcb;
    }

    /** In RFC 6675's loss recovery: the sender sends the holes first, and counts pipe. */
    boolean inSackRecovery() { return c.scoreboard != null && c.cc.inRecovery(); }

    // ------------------------------------------------------------------ what an ACK tells

    /**
     * RFC 2018 section 4: the blocks say what the receiver holds beyond SEG.ACK. They go on the
     * scoreboard before the ACK is acted on, after what it acknowledges cumulatively (RACK takes
     * newly delivered data in sequence order, RFC 8985 6.2). With SACK, RFC 6675 section 2 counts
     * an ACK as a duplicate only when its SACK blocks report octets not SACKed before: a bare
     * window update is not a sign of loss.
     */
    SackNews takeSack(Packets.Tcp seg, long now, TcpConnection.Output out) {
        Scoreboard board = c.scoreboard;
        if (board == null) return SackNews.NO_SACK;
        if (Seq.lt(tcb.sndUna, seg.ack())) board.acked(seg.ack(), now);
        int sackedBefore = board.sackedBytes();
        boolean any = false;
        for (Packets.TcpOption o : seg.options()) {
            if (!(o instanceof Packets.Sack sack)) continue;
            any = true;
            DSack.Block duplicate = DSack.find(seg.ack(), sack);
            for (int i = 0; i < sack.blocks(); i++) {
                if (i == 0 && duplicate != null) continue; // not data held beyond SEG.ACK: data received twice
                board.sacked(sack.left(i), sack.right(i), now);
            }
            if (duplicate != null) duplicateReported(duplicate, out);
        }
        return new SackNews(any, board.sackedBytes() > sackedBefore);
    }

    /**
     * RFC 2883 section 4: the first block is a D-SACK: the receiver got [left, right) twice. RACK
     * widens its reordering window (RFC 8985 6.2 step 4), and when the duplicates cover every
     * retransmission of the loss episode, none was needed: the window cut for it is given back
     * (RFC 2883 section 5's "the sender could "undo" the halving of the congestion window", done
     * as Linux's tcp_try_undo_dsack; RFC 9438 4.9.2 for CUBIC's own state).
     */
    private void duplicateReported(DSack.Block block, TcpConnection.Output out) {
        c.scoreboard.dsackReceived(tcb.sndUna, tcb.sndMax);
        CongestionControl cc = c.cc;
        if (cc == null) return;
        if (cc.onDuplicateSack(block.left(), block.right())) {
            out.event(new TcpEvent.CongestionChanged(cc.cwnd(), cc.ssthresh(), "D-SACK " + block
                    + ": every retransmission of the loss episode reached the receiver twice, so none was needed"
                    + " (reordering or a late ACK): window restored (undo)"));
        } else {
            out.event(new TcpEvent.CongestionChanged(cc.cwnd(), cc.ssthresh(), "D-SACK " + block + ": the peer received that twice"
                    + (cc.episode().active() ? "; " + cc.episode().unprovenBytes() + " retransmitted bytes not reported yet, no undo" : "")));
        }
    }

    /** SND.UNA advanced: the window grows (or recovery goes on: a NewReno partial ACK resends). */
    void onNewAck(int ack, int oldUna, long now, TcpConnection.Output out) {
        CongestionControl cc = c.cc;
        if (cc == null) return;
        String phaseBefore = congestionPhase();
        CongestionControl.Action action = cc.onNewAck(ack, oldUna, tcb.sndMax, now, c.rtt.srtt());
        if (action == CongestionControl.Action.RETRANSMIT) {
            // RFC 6582, a partial ACK: "retransmit the first unacknowledged segment".
            retransmitAtUna("partial ACK", now, out);
            out.event(new TcpEvent.CongestionChanged(cc.cwnd(), cc.ssthresh(), "partial ACK, still in fast recovery"));
        } else if (!congestionPhase().equals(phaseBefore)) {
            out.event(new TcpEvent.CongestionChanged(cc.cwnd(), cc.ssthresh(), phaseBefore + " over, now " + congestionPhase()));
        }
    }

    /**
     * A duplicate ACK. RFC 5681 section 3.2: on the third, "The lost segment starting at SND.UNA
     * MUST be retransmitted". RFC 5827's early retransmit: with fewer than four segments out and
     * nothing new to send, three duplicates can never come; oseg - 1 of them are enough.
     */
    void onDuplicateAck(int ack, long now, TcpConnection.Output out) {
        CongestionControl cc = c.cc;
        int outstandingSegments = (tcb.sndMax - tcb.sndUna + tcb.sndMss - 1) / tcb.sndMss;
        boolean nothingUnsent = !Seq.lt(tcb.sndMax, c.sender.dataEnd());
        int threshold = outstandingSegments < 4 && nothingUnsent ? Math.max(outstandingSegments - 1, 1)
                : CongestionControl.DUPLICATE_ACK_THRESHOLD;
        CongestionControl.Action action = cc.onDuplicateAck(ack, tcb.sndMax, tcb.sndMax - tcb.sndUna, threshold, now);
        if (action != CongestionControl.Action.RETRANSMIT) return;
        if (c.scoreboard != null) {
            startSackRecovery("three duplicate ACKs", now, out);
        } else {
            c.ecn.onWindowReduced(tcb.sndMax); // RFC 3168 6.1.2: "sets the CWR flag ... after the window reduction"
            retransmitAtUna("fast retransmit", now, out);
            out.event(new TcpEvent.CongestionChanged(cc.cwnd(), cc.ssthresh(), "three duplicate ACKs"));
        }
    }

    /**
     * After the scoreboard learnt something: what is lost now (RFC 6675's IsLost, RFC 8985's
     * RACK), and whether that starts a recovery: RFC 6675 section 5, "(2) If DupAcks < DupThresh
     * but IsLost (HighACK + 1) returns true -- indicating at least three segments have arrived
     * above the current cumulative acknowledgment point, which is taken to indicate loss -- go to
     * step (4)." The retransmissions themselves go out in the Sender.
     */
    void detectLosses(int ack, long now, TcpConnection.Output out) {
        Scoreboard board = c.scoreboard;
        CongestionControl cc = c.cc;
        int resentBefore = board.lostRetransmissions();
        board.detectLosses(now, cc.inRecovery(), tcb.sndMss, c.rtt.srtt());
        if (board.lostRetransmissions() > resentBefore) {
            out.event(new TcpEvent.CongestionChanged(cc.cwnd(), cc.ssthresh(), "a retransmission was lost too (RACK): sending it again"));
        }
        if (!cc.inRecovery() && board.isLost(tcb.sndUna) && cc.enterSackRecovery(ack, tcb.sndMax, tcb.sndMax - tcb.sndUna, now)) {
            startSackRecovery("SACK blocks show a loss", now, out);
        }
        armRackTimer();
    }

    /**
     * RFC 8985 section 6.3: "For timely loss detection, it is RECOMMENDED that the sender install
     * a reordering timer. This timer expires whenever the reordering window for the earliest
     * unacknowledged segment has passed." The Scoreboard says when (or never).
     */
    private void armRackTimer() {
        long deadline = c.scoreboard.rackDeadline();
        if (deadline == Scoreboard.NO_DEADLINE || tcb.sndUna == tcb.sndMax) c.timers.stop(Timers.Kind.RACK_REORDERING);
        else c.timers.start(Timers.Kind.RACK_REORDERING, deadline);
    }

    /**
     * The reordering timer fired (RFC 8985 6.3, "RACK_detect_loss_and_arm_timer()"): what waited
     * out its reordering window is lost; that may start a recovery (RFC 6675 step (4)) and sends
     * what the windows allow, as an ACK would.
     */
    void onRackTimer(long now, TcpConnection.Output out) {
        c.timers.stop(Timers.Kind.RACK_REORDERING);
        if (c.scoreboard == null || c.cc == null || tcb.sndUna == tcb.sndMax || !c.state().isSynchronized()) return;
        int lostBefore = c.scoreboard.lostRetransmissions();
        int marked = c.scoreboard.onRackTimer(now, c.cc.inRecovery(), tcb.sndMss, c.rtt.srtt());
        if (marked > 0) {
            out.event(new TcpEvent.CongestionChanged(c.cc.cwnd(), c.cc.ssthresh(), "RACK reordering timer: "
                    + TcpConnection.bytes(marked) + " waited out the reordering window, marked lost"
                    + (c.scoreboard.lostRetransmissions() > lostBefore ? " (a retransmission among them)" : "")));
            if (!c.cc.inRecovery() && c.scoreboard.isLost(tcb.sndUna)
                    && c.cc.enterSackRecovery(tcb.sndUna, tcb.sndMax, tcb.sndMax - tcb.sndUna, now)) {
                startSackRecovery("RACK reordering timer", now, out);
            }
            if (inSackRecovery()) proportionalRateReduction(0);
            c.sender.transmitQueued(now, out);
        }
        armRackTimer();
    }

    /**
     * RFC 6937 section 3: "On every ACK during recovery (including the one that started
     * recovery)": the scoreboard has taken the ACK and marked what is lost, so pipe is final;
     * cwnd becomes pipe + sndcnt (CongestionControl.onRecoveryAck), and the Sender's "send while
     * cwnd - pipe allows" sends sndcnt. The fast retransmit of the ACK that started the recovery
     * went already (RFC 6675 (4.3)) and is counted in prr_out. Without PRR, cwnd stays.
     */
    void proportionalRateReduction(long deliveredData) {
        c.cc.onRecoveryAck((int) Math.min(deliveredData, Integer.MAX_VALUE), c.scoreboard.pipe());
    }

    /**
     * RFC 3168 section 6.1.2: an ACK with ECE, the first for this window of data (Ecn.onAck):
     * "The indication of congestion should be treated just as a congestion loss in non-ECN-Capable
     * TCP. That is, the TCP source halves the congestion window "cwnd" and reduces the slow start
     * threshold "ssthresh"" (CUBIC: to 0.7, RFC 9438 4.6). In a loss recovery the window came down
     * already, once for this window of data. cwndBefore: cwnd before this ACK ("The sending TCP
     * SHOULD NOT increase the congestion window in response to the receipt of an ECN-Echo ACK").
     */
    void onCongestionEchoed(int cwndBefore, long now, TcpConnection.Output out) {
        CongestionControl cc = c.cc;
        if (cc.inRecovery()) return;
        cc.onCongestionEchoed(cwndBefore, tcb.sndMax - tcb.sndUna, now);
        out.event(new TcpEvent.CongestionChanged(cc.cwnd(), cc.ssthresh(), "ECN echo (ECE): the network marked our data CE,"
                + " the window is reduced as for a loss, once per window of data; CWR on the next new segment"));
    }

    /** RFC 5681 section 3.1: after a timeout, cwnd is one segment and what the SACKs said is forgotten. */
    void onRetransmissionTimeout(long now, TcpConnection.Output out) {
        CongestionControl cc = c.cc;
        if (cc != null) {
            cc.onRetransmissionTimeout(tcb.sndMax - tcb.sndUna, tcb.sndMax, now);
            c.ecn.onWindowReduced(tcb.sndMax); // RFC 3168 6.1.2: "because of a retransmit timeout" too
            out.event(new TcpEvent.CongestionChanged(cc.cwnd(), cc.ssthresh(), "retransmission timeout"));
        }
        if (c.scoreboard != null) c.scoreboard.forgetSacks();
        c.timers.stop(Timers.Kind.RACK_REORDERING); // the timeout resends everything from SND.UNA
    }

    // ------------------------------------------------------------------ what goes again

    /**
     * RFC 6675 section 5, step (4): "(4.3) Retransmit the first data segment presumed dropped --
     * the segment starting with sequence number HighACK + 1." It goes even when pipe exceeds the
     * new cwnd; the rest waits for cwnd - pipe (the Sender).
     */
    private void startSackRecovery(String why, long now, TcpConnection.Output out) {
        finResentInRecovery = false;
        c.ecn.onWindowReduced(tcb.sndMax);
        c.scoreboard.markLost(tcb.sndUna, Math.min(c.sender.dataEnd() - tcb.sndUna, tcb.sndMss) + tcb.sndUna);
        retransmitAtUna("fast retransmit", now, out);
        out.event(new TcpEvent.CongestionChanged(c.cc.cwnd(), c.cc.ssthresh(), why + ", SACK recovery to " + Seq.str(c.cc.recover() + 1)));
    }

    /**
     * RFC 6675 section 5, step (C): in loss recovery, "If cwnd - pipe >= 1 SMSS, the sender SHOULD
     * transmit one or more segments": first the holes NextSeg () rule (1) finds, each counted
     * into pipe ("(C.4) The estimate of the amount of data outstanding in the network must be
     * updated by incrementing pipe by the number of octets transmitted"). Returns pipe.
     */
    int retransmitHoles(long now, TcpConnection.Output out) {
        int pipe = c.scoreboard.pipe();
        while (c.cc.cwnd() - pipe >= tcb.sndMss) {
            Scoreboard.Hole hole = c.scoreboard.nextLost(tcb.sndMss);
            if (hole == null) {
                // All data is acknowledged and recovery waits only for our FIN, which is not on the
                // board: sent again once, as NewReno's partial ACK would (RFC 6675's rescue
                // retransmission, NextSeg () rule (4), for the last unacknowledged octet).
                if (c.sender.onlyFinOutstanding() && !finResentInRecovery) {
                    finResentInRecovery = true;
                    retransmitAtUna("SACK recovery", now, out);
                    pipe += 1;
                }
                break;
            }
            c.sender.sendData(hole.start(), hole.length(), now, out);
            c.rtt.onSend(hole.end(), now, true); // Karn: a retransmission is never timed
            c.timeouts.armRetransmissionTimer(now);
            pipe += hole.length();
            out.event(new TcpEvent.FastRetransmit(TcpConnection.bytes(hole.length()), "SACK recovery"));
        }
        return pipe;
    }

    /** Sends the segment at SND.UNA again now: fast retransmit, or a NewReno partial ACK. */
    private void retransmitAtUna(String why, long now, TcpConnection.Output out) {
        int length = Math.min(c.sender.dataEnd() - tcb.sndUna, tcb.sndMss);
        if (length > 0) {
            c.sender.sendData(tcb.sndUna, length, now, out);
            out.event(new TcpEvent.FastRetransmit(TcpConnection.bytes(length), why));
            if (Seq.lt(tcb.sndNxt, tcb.sndUna + length)) tcb.sndNxt = tcb.sndUna + length;
        } else if (c.sender.onlyFinOutstanding()) {
            out.transmit(c.sender.finSegment());
            out.event(new TcpEvent.FastRetransmit("FIN", why));
        }
        c.rtt.onSend(tcb.sndUna + Math.max(length, 1), 0, true); // Karn: no sample from this one
    }

    // ------------------------------------------------------------------ the tail loss probe

    /** SND.UNA advanced: a new probe may go (RFC 8985 7.2), and its timer starts over. */
    void ackAdvanced(long now) {
        probeOut = false;
        c.timers.stop(Timers.Kind.TAIL_LOSS_PROBE);
        armTailLossProbe(now);
    }

    /** Arms the tail loss probe while data is in flight and no probe is out (RFC 8985 7.2). */
    void armTailLossProbe(long now) {
        if (tcb.sndUna == tcb.sndMax || probeOut || c.cc == null || c.cc.inRecovery() || !c.rtt.hasSample()) {
            if (tcb.sndUna == tcb.sndMax) c.timers.stop(Timers.Kind.TAIL_LOSS_PROBE);
            return;
        }
        // RFC 8985 7.2: "PTO = 2 * SRTT". "If FlightSize is one segment, ... PTO += WCDelAckT": a
        // lone segment's ACK may be a delayed one, so it gets the worst-case delayed ACK time on top.
        long pto = 2 * c.rtt.srtt();
        pto += tcb.sndMax - tcb.sndUna <= tcb.sndMss ? WORST_CASE_DELAYED_ACK : PROBE_TIMEOUT_SLACK;
        // The probe only helps before the retransmission timer: otherwise that timer does the job.
        long rto = c.timers.deadline(Timers.Kind.RETRANSMISSION);
        if (rto != Timers.NEVER && now + pto >= rto) c.timers.stop(Timers.Kind.TAIL_LOSS_PROBE);
        else c.timers.start(Timers.Kind.TAIL_LOSS_PROBE, now + pto);
    }

    /**
     * RFC 8985 section 7 (Tail Loss Probe): "The goal of the TLP is to send a probe segment to
     * trigger an ACK ... so that the loss can be detected" sooner than by the retransmission
     * timeout. When the last ACKs of a flight are lost (a receiver that coalesces segments sends
     * few of them), or the last segments are, no duplicate ACKs come, and without a probe only the
     * RTO (200 ms at least, and doubling) would tell. PTO = 2 * SRTT, plus 2 ms. "If a
     * previously unsent segment exists AND the receive window allows new data to be sent: Send
     * that segment"; otherwise "Retransmit the last segment". At most one probe until an ACK
     * advances SND.UNA; cwnd is not changed.
     */
    void sendTailLossProbe(long now, TcpConnection.Output out) {
        c.timers.stop(Timers.Kind.TAIL_LOSS_PROBE);
        if (c.cc == null || c.cc.inRecovery() || tcb.sndUna == tcb.sndMax || probeOut || !c.state().isSynchronized()) return;
        int dataEnd = c.sender.dataEnd();
        probeOut = true;
        int unsent = dataEnd - tcb.sndMax;
        if (unsent > 0 && tcb.sndNxt == tcb.sndMax && tcb.sndMax - tcb.sndUna + Math.min(unsent, tcb.sndMss) <= tcb.sndWnd) {
            int length = Math.min(unsent, tcb.sndMss);
            c.sender.sendData(tcb.sndNxt, length, now, out);
            tcb.sndNxt += length;
            tcb.sndMax = tcb.sndNxt;
            out.event(new TcpEvent.FastRetransmit(length + " new bytes", "tail loss probe", false));
        } else if (Seq.lt(tcb.sndUna, dataEnd)) {
            int end = Seq.lt(tcb.sndMax, dataEnd) ? tcb.sndMax : dataEnd;
            int length = Math.min(end - tcb.sndUna, tcb.sndMss);
            c.sender.sendData(end - length, length, now, out);
            out.event(new TcpEvent.FastRetransmit(length + " bytes", "tail loss probe"));
        } else if (c.sender.finOutstanding()) {
            out.transmit(c.sender.finSegment());
            out.event(new TcpEvent.FastRetransmit("FIN", "tail loss probe"));
        }
        c.rtt.onSend(tcb.sndMax, now, true); // Karn: no sample from the probe
    }

    /**
     * The phase of congestion control, for the log: a change of cwnd is told when the phase
     * changes (and on each loss), not on every ACK that grows it.
     */
    private String congestionPhase() {
        CongestionControl cc = c.cc;
        return cc.inRecovery() ? "fast recovery" : cc.inSlowStart() ? "slow start" : "congestion avoidance";
    }
}
