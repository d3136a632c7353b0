/**
 * An ICMP error about one of our segments (RFC 9293 section 3.9.2.2; RFC 1122 4.2.3.9; RFC 1191
 * for "fragmentation needed"; RFC 5927 for the checks). The network, not the peer, answers here:
 * a router that has no route, a host with nothing on the port, a hop with a smaller MTU.
 *
 * RFC 9293 3.9.2.2: "A TCP implementation MUST act on an ICMP error message passed up from the IP
 * layer, directing it to the connection that created the error (MUST-54)." The Demultiplexer
 * directs it by the 4-tuple the ICMP quotes; this room checks the quoted sequence number and acts:
 * <pre>
 *   fragmentation needed        lower the path MTU and the effective send MSS, send again (RFC 1191)
 *   SYN-SENT, any other error   give up the connect at once, with the errno's text (as Linux)
 *   SYN-RECEIVED, a hard error  drop the half-open connection (as Linux's tcp_req_err)
 *   otherwise                   soft: reported to the application, the connection goes on
 * </pre>
 */
final class IcmpArrives {
    /**
     * RFC 1191 section 3: "A host MUST never reduce its estimate of the Path MTU below 68 octets."
     * (RFC 791's minimum datagram every module forwards.) The MSS is that less 40 header bytes.
     */
    static final int MIN_PATH_MTU = 68;
    static final int HEADERS = Packets.IPV4_HEADER_LEN + Packets.TCP_HEADER_LEN;
    static final int HEADERS_V6 = Packets.IPV6_HEADER_LEN + Packets.TCP_HEADER_LEN;
    /** RFC 1191 section 7, the plateau table, for routers that send an MTU of 0 (RFC 792's "unused"). */
    static final int[] PLATEAUS = {65535, 32000, 17914, 8166, 4352, 2002, 1492, 1006, 508, 296, 68};

    private final TcpConnection c;
    private final Tcb tcb;

    IcmpArrives(TcpConnection connection) {
        this.c = connection;
        this.tcb = connection.tcb;
    }

    void onIcmp(Icmp.Error e, long now, TcpConnection.Output out) {
        String what = e.describe(), from = e.from().toString();
        TcpState state = c.state();
        if (state == TcpState.CLOSED || state == TcpState.LISTEN || state == TcpState.TIME_WAIT) {
            out.event(new TcpEvent.IcmpError(what, from, "ignored: nothing of ours in flight in " + state.rfcName()));
            return;
        }
        // RFC 5927 section 4.1: "TCP SHOULD check that the TCP sequence number contained in the
        // payload of the ICMP error message is within the range SND.UNA =< SEG.SEQ < SND.NXT."
        // (SND.NXT as the highest sent: after a timeout ours is back at SND.UNA, see Tcb.sndMax.)
        if (!(Seq.le(tcb.sndUna, e.seq()) && Seq.lt(e.seq(), tcb.sndMax))) {
            out.event(new TcpEvent.IcmpError(what, from, "ignored: it quotes seq " + Seq.str(e.seq())
                    + ", not one in flight (" + Seq.str(tcb.sndUna) + " to " + Seq.str(tcb.sndMax) + ", RFC 5927)"));
            return;
        }
        if (e.isFragmentationNeeded()) {
            pathMtuReduced(e, what, from, now, out);
            return;
        }
        boolean hard = e.hard();
        String reason = e.errnoText() + " (ICMP " + what + " from " + from + ")";
        if (state == TcpState.SYN_SENT || (state == TcpState.SYN_RECEIVED && !c.passiveOpen)) {
            // Linux's tcp_v4_err ends a connect on any ICMP error about its SYN: connect() returns
            // the errno at once (EHOSTUNREACH, "No route to host"), rather than after the SYN's
            // retransmissions. RFC 9293 3.9.2.2 leaves soft errors to the application (SHLD-25):
            // ours is TcpClient, which, like curl or nc, gives up on the first.
            out.event(new TcpEvent.IcmpError(what, from, "the connect fails: " + e.errnoText()));
            c.enterClosed(TcpEvent.CloseReason.UNREACHABLE, reason, out);
            return;
        }
        if (state == TcpState.SYN_RECEIVED && hard) {
            // RFC 9293 3.9.2.2: "Destination Unreachable -- codes 2-4. These are hard error
            // conditions, so TCP implementations SHOULD abort the connection (SHLD-26)." A half-open
            // connection is dropped without a word, as Linux's tcp_req_err does.
            out.event(new TcpEvent.IcmpError(what, from, "hard error: the half-open connection is dropped"));
            c.enterClosed(TcpEvent.CloseReason.UNREACHABLE, reason, out);
            return;
        }
        // RFC 9293 3.9.2.2: soft errors: "a TCP implementation MUST NOT abort the connection
        // (MUST-56), and it SHOULD make the information available to the application (SHLD-25)."
        // Hard errors on a synchronized connection are treated as soft too, as Linux does and RFC
        // 5461 recommends: a forged or stale ICMP must not be able to reset an open connection.
        out.event(new TcpEvent.IcmpError(what, from, (hard ? "hard error, treated as soft in " : "soft error in ")
                + state.rfcName() + ": reported, the connection goes on"));
    }

    /**
     * RFC 1191 section 6.1: "When a Datagram Too Big message is received, it MUST reduce its estimate
     * of the PMTU for the relevant path, based on the value of the Next-Hop MTU field in the
     * message." RFC 9293 3.7.2: the effective send MSS follows the path MTU. RFC 1191 section 6.4
     * ("TCP MSS option"): what was lost in the too-large packets is sent again at once, in segments
     * of the new size (Linux's tcp_simple_retransmit), rather than after the retransmission timeout.
     */
    private void pathMtuReduced(Icmp.Error e, String what, String from, long now, TcpConnection.Output out) {
        int mtu = e.nextHopMtu();
        if (e.v6() && mtu < Icmp.IPV6_MIN_MTU) {
            // RFC 8201 section 4: "A node MUST NOT reduce its estimate of the Path MTU below the
            // IPv6 minimum link MTU." Linux's tcp_v6_err ignores such a Packet Too Big altogether.
            out.event(new TcpEvent.IcmpError(what, from, "ignored: below IPv6's minimum MTU " + Icmp.IPV6_MIN_MTU));
            return;
        }
        if (mtu == 0) mtu = plateauBelow(e.quotedLength()); // RFC 1191 section 5: an old router
        mtu = Math.max(mtu, MIN_PATH_MTU);
        // The MSS counts no options (RFC 6691): with timestamps on every segment, 12 bytes less data.
        // IPv6: the 40-byte header, so MTU - 60 (1220 at IPv6's minimum 1280).
        int headers = e.v6() ? HEADERS_V6 : HEADERS;
        int mss = Math.max(1, mtu - headers - (c.timestamps.negotiated() ? TcpOptionLayout.TIMESTAMP_BYTES : 0));
        int before = tcb.sndMss;
        if (mss >= before) {
            out.event(new TcpEvent.IcmpError(what, from, "ignored: the MSS is " + before + " already"));
            return;
        }
        tcb.sndMss = mss;
        boolean resend = c.state().isSynchronized() && Seq.lt(tcb.sndUna, tcb.sndMax);
        out.event(new TcpEvent.IcmpError(what, from, "path MTU " + mtu + ": send MSS " + before + " -> " + mss
                + (resend ? ", sending " + TcpConnection.bytes(tcb.sndMax - tcb.sndUna) + " again from " + Seq.str(tcb.sndUna) : "")));
        if (!resend) return;
        tcb.sndNxt = tcb.sndUna;
        c.sender.transmitQueued(now, out, true, false);
        c.timeouts.armRetransmissionTimer(now);
    }

    /** RFC 1191 section 5: the largest plateau below the size of the datagram that was too big. */
    static int plateauBelow(int datagramLength) {
        for (int p : PLATEAUS) if (p < datagramLength) return p;
        return MIN_PATH_MTU;
    }
}
