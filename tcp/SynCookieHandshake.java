import java.util.ArrayList;
import java.util.List;

/**
 * The two ends of a handshake that keeps no state (RFC 4987 section 3.6), built from the
 * connection's own rooms so that a cookie SYN-ACK is the SYN-ACK a TCB would have sent, and a
 * connection rebuilt from its ACK is the one that TCB would have become. SynCookies makes and
 * checks the numbers; the listener (the stack's Demultiplexer) decides when:
 * <pre>
 *   the half-open backlog is full, a SYN arrives   synAck(config, ports, offset, syn, cookie ISN, now) -> the SYN-ACK to send
 *   an ACK with a valid cookie arrives             accept(connection, ack, MSS, options, now, out)
 * </pre>
 * As Linux (cookie_v4_check, tcp_clear_options): without timestamps the SYN-ACK carries only the
 * MSS, since nothing else could be remembered; with them, the peer's window scale and SACK-permitted
 * ride in the low bits of our TSval (SynCookies.timestamp) and come back in the ACK's TSecr.
 */
final class SynCookieHandshake {
    private SynCookieHandshake() {}

    /** Collects what a connection sends and says, for a call whose output is not the wire's. */
    private static final class Capture implements TcpConnection.Output {
        final List<Packets.Tcp> sent = new ArrayList<>();
        final TcpConnection.Output events; // null: events dropped too

        Capture(TcpConnection.Output events) { this.events = events; }

        @Override public void transmit(Packets.Tcp segment) { sent.add(segment); }
        @Override public void event(TcpEvent event) { if (events != null) events.event(event); }
    }

    /**
     * The SYN-ACK for a SYN answered with a cookie: what a fresh TCB in LISTEN would send, with
     * ISS = the cookie, and its options cut down to what the cookie remembers. The TCB is dropped.
     */
    static Packets.Tcp synAck(TcpConfig config, int localPort, int remotePort, int tsOffset, Packets.Tcp syn, int cookieIsn, long now) {
        TcpConnection scratch = new TcpConnection(config, localPort, remotePort);
        scratch.useTimestampOffset(tsOffset);
        Capture capture = new Capture(null);
        scratch.listen(cookieIsn, capture);
        scratch.onSegment(syn, now, capture);
        Packets.Tcp full = capture.sent.stream().filter(s -> s.isSyn() && s.isAck()).findFirst()
                .orElseThrow(() -> new IllegalStateException("no SYN-ACK for " + syn));
        Packets.Timestamps ts = Timestamps.option(full);
        List<Packets.TcpOption> options;
        if (ts == null) {
            options = List.of(new Packets.Mss(config.mss()));
        } else {
            Tcb tcb = scratch.tcb;
            int peerShift = tcb.windowScaling ? tcb.sndWndShift : -1;
            int tsVal = SynCookies.timestamp(ts.value(), new SynCookies.Options(peerShift, tcb.sackPermitted(), false));
            options = TcpOptionLayout.syn(config.mss(), tcb.windowScaling ? tcb.rcvWndShift : -1, tcb.sackPermitted(),
                    new Packets.Timestamps(tsVal, ts.echoReply()));
        }
        return Packets.Tcp.of(full.sourcePort(), full.destinationPort(), full.seq(), full.ack(), full.flags(), full.window(),
                options, new byte[0]);
    }

    /**
     * A connection made from a valid cookie ACK: in LISTEN it takes the SYN the cookie remembers
     * (IRS = SEG.SEQ - 1, the peer's MSS from the cookie, its window scale and SACK-permitted from
     * the TSecr, its TSval), answering nothing (our SYN-ACK went already); then the ACK itself is
     * processed as in SYN-RECEIVED, which makes it ESTABLISHED (and takes any data it carries).
     *
     * @param connection new, CLOSED, with the timestamp offset the SYN-ACK used
     */
    static void accept(TcpConnection connection, Packets.Tcp ack, int peerMss, SynCookies.Options options, long now,
                       TcpConnection.Output out) {
        Capture quiet = new Capture(out); // the state changes go to the caller, the SYN-ACK nowhere
        connection.listen(ack.ack() - 1, quiet);
        List<Packets.TcpOption> synOptions = new ArrayList<>(5);
        synOptions.add(new Packets.Mss(peerMss));
        if (options.windowShift() >= 0) synOptions.add(new Packets.WindowScale(options.windowShift()));
        if (options.sack()) synOptions.add(new Packets.SackPermitted());
        Packets.Timestamps ts = Timestamps.option(ack);
        if (ts != null) synOptions.add(new Packets.Timestamps(ts.value(), 0));
        Packets.Tcp syn = Packets.Tcp.of(ack.sourcePort(), ack.destinationPort(), ack.seq() - 1, 0, Packets.SYN,
                ack.window(), synOptions, new byte[0]);
        connection.onSegment(syn, now, quiet);
        // The SYN-ACK left long ago, at a time nobody kept: its ACK is no RTT sample (Karn, as for a
        // retransmitted SYN-ACK).
        connection.rtt.onSend(connection.tcb.iss + 1, now, true);
        connection.onSegment(ack, now, out);
    }
}
