/**
 * The Transmission Control Block's sequence variables (RFC 9293 section 3.3.1, Figures 3 and 4),
 * what the peer's SYN taught us (its MSS, window scale and SACK-permitted), and the checks that
 * only read them: the acceptability test of section 3.10.7.4, the window update rule, scaled
 * windows. Named as the RFC names them, so the code reads beside it; mutable, like Linux's
 * tcp_sock: the rooms of {@link TcpConnection} change it as the RFC's event processing says.
 */
final class Tcb {
    /** RFC 9293 section 3.7.1: "If an MSS Option is not received at connection setup, TCP
     *  implementations MUST assume a default send MSS of 536 (576 - 40) for IPv4 or 1220 (1280 -
     *  60) for IPv6 (MUST-15)." IPv4's; an IPv6 connection's config carries 1220 (defaultSendMss). */
    static final int DEFAULT_SEND_MSS = 536;
    static final int DEFAULT_SEND_MSS_IPV6 = 1220;
    /** RFC 7323 section 2.3: "the maximum scale exponent is limited to 14". */
    static final int MAX_WINDOW_SHIFT = 14;

    // Send sequence variables (Figure 3).
    int sndUna;    // oldest unacknowledged sequence number
    int sndNxt;    // next sequence number to be sent
    int sndWnd;    // send window, as the peer last advertised it (in bytes, scaled)
    int sndWl1;    // segment sequence number used for the last window update
    int sndWl2;    // segment acknowledgment number used for the last window update
    int iss;       // initial send sequence number
    // Sequence numbers sent: SND.NXT goes back to SND.UNA after a retransmission timeout (the
    // segments from there are sent again, as cwnd allows), so the highest sequence number sent is
    // kept apart, as BSD's snd_max: an ACK up to it is for data we did send.
    int sndMax;
    int maxSndWnd; // MAX.SND.WND of RFC 5961: the largest window the peer has advertised
    int sndMss = DEFAULT_SEND_MSS; // the largest segment the peer accepts

    // Receive sequence variables (Figure 4). RCV.WND is the receive window's: what we advertised,
    // as SWS avoidance allows it (see ReceiveWindow).
    int rcvNxt;    // next sequence number expected on an incoming segment
    int irs;       // initial receive sequence number
    int rcvUp;     // receive urgent pointer: the octet after the peer's urgent data
    boolean urgentSeen; // an urgent pointer arrived, so RCV.UP holds one
    final ReceiveWindow receiveWindow;

    // RFC 7323 window scaling: the peer's shift applies to the windows it sends us, ours to the
    // windows we send; both 0 unless both SYNs carried the option.
    int sndWndShift;
    int rcvWndShift;
    boolean peerOfferedWindowScale;
    boolean windowScaling;
    // RFC 2018: the peer's SYN carried SACK-permitted.
    boolean peerOfferedSack;

    private final TcpConfig config;

    Tcb(TcpConfig config) {
        this.config = config;
        this.receiveWindow = new ReceiveWindow(config.receiveBuffer());
        // Our shift: the smallest that lets the 16-bit field say the whole buffer (RFC 7323 2.3).
        int shift = 0;
        while (shift < MAX_WINDOW_SHIFT && (config.receiveBuffer() >> shift) > 65535) shift++;
        this.rcvWndShift = config.windowScaling() ? shift : 0;
    }

    /** RCV.WND: how far beyond RCV.NXT the peer may send (up to the furthest edge we advertised). */
    int rcvWnd() { return receiveWindow.acceptLimit(rcvNxt); }

    /** Both SYNs carried SACK-permitted (RFC 2018): the peer's, and ours, which does when configured. */
    boolean sackPermitted() { return peerOfferedSack && config.sack(); }

    /** "SND.UNA to ISS, SND.NXT to ISS+1": the SYN takes ISS, user data starts after it. */
    void startSending(int initialSequenceNumber) {
        iss = initialSequenceNumber;
        sndUna = iss;
        sndNxt = iss + 1;
        sndMax = iss + 1;
    }

    /** "Set RCV.NXT to SEG.SEQ+1, IRS is set to SEG.SEQ": the peer's SYN takes IRS. */
    void startReceiving(Packets.Tcp syn) {
        irs = syn.seq();
        rcvNxt = syn.seq() + 1;
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
    boolean isAcceptable(Packets.Tcp seg) {
        int length = seg.segmentLength();
        int rcvWnd = rcvWnd();
        if (length == 0) {
            return rcvWnd == 0 ? seg.seq() == rcvNxt : Seq.inWindow(seg.seq(), rcvNxt, rcvWnd);
        }
        if (rcvWnd == 0) return false;
        return Seq.inWindow(seg.seq(), rcvNxt, rcvWnd) || Seq.inWindow(seg.seq() + length - 1, rcvNxt, rcvWnd);
    }

    /**
     * RFC 9293 section 3.10.7.4, fifth step: "If SND.UNA =< SEG.ACK =< SND.NXT, the send window
     * should be updated. If (SND.WL1 < SEG.SEQ or (SND.WL1 = SEG.SEQ and SND.WL2 =< SEG.ACK)), set
     * SND.WND <- SEG.WND, set SND.WL1 <- SEG.SEQ, and set SND.WL2 <- SEG.ACK."
     */
    boolean windowUpdateAllowed(Packets.Tcp seg) {
        return Seq.le(sndUna, seg.ack())
                && (Seq.lt(sndWl1, seg.seq()) || (sndWl1 == seg.seq() && Seq.le(sndWl2, seg.ack())));
    }

    /** SND.WND <- SEG.WND, SND.WL1 <- SEG.SEQ, SND.WL2 <- SEG.ACK (and MAX.SND.WND of RFC 5961). */
    void updateWindow(Packets.Tcp seg) {
        sndWnd = scaledWindow(seg);
        sndWl1 = seg.seq();
        sndWl2 = seg.ack();
        if (sndWnd > maxSndWnd) maxSndWnd = sndWnd;
    }

    /** SEG.WND in bytes. RFC 7323 section 2.3: the shift applies to every segment but a SYN. */
    int scaledWindow(Packets.Tcp seg) {
        return seg.isSyn() || !windowScaling ? seg.window() : seg.window() << sndWndShift;
    }

    /** The end of the peer's window: SND.UNA + SND.WND. */
    int sndWindowEnd() { return sndUna + sndWnd; }

    /**
     * What the peer's SYN (or SYN-ACK) tells: its MSS, whether it scales windows, whether it takes
     * SACK. activeOpen: the SYN-ACK answers our SYN, so our SYN's window counts from now.
     */
    void learnFromSyn(Packets.Tcp syn, boolean activeOpen) {
        learnPeerMss(syn);
        learnWindowScale(syn, activeOpen);
        // RFC 2018 section 2: "This two-byte option may be sent in a SYN by a TCP that has been
        // extended to receive (and presumably process) the SACK option once the connection has
        // opened. It MUST NOT be sent on non-SYN segments." SACK holds when both SYNs carried it.
        peerOfferedSack = syn.sackPermitted();
    }

    private void learnPeerMss(Packets.Tcp syn) {
        int peerMss = syn.mss();
        // RFC 9293 section 3.7.1: the effective send MSS is the smaller of what the peer announced
        // (536 for IPv4, 1220 for IPv6, when it did not) and what our own interface can carry.
        sndMss = Math.min(peerMss > 0 ? peerMss : config.defaultSendMss(), config.mss());
    }

    /**
     * RFC 7323 section 2.2: "If a TCP receives a <SYN> segment containing a Window Scale option, it
     * SHOULD send its own Window Scale option in the <SYN,ACK> segment"; "If a Window Scale option
     * is received with a shift.cnt value larger than 14, the TCP SHOULD log the error but MUST use
     * 14 instead of the specified value." Scaling holds when both SYNs carried the option.
     */
    private void learnWindowScale(Packets.Tcp syn, boolean activeOpen) {
        int shift = -1;
        for (Packets.TcpOption o : syn.options()) if (o instanceof Packets.WindowScale w) shift = w.shift();
        peerOfferedWindowScale = shift >= 0;
        windowScaling = peerOfferedWindowScale && config.windowScaling();
        sndWndShift = windowScaling ? Math.min(shift, MAX_WINDOW_SHIFT) : 0;
        if (!windowScaling) rcvWndShift = 0;
        receiveWindow.useShift(rcvWndShift);
        if (activeOpen) receiveWindow.start(rcvNxt); // our SYN's window counts from here
    }
}
