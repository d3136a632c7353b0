/**
 * Turns a connection's events into the lines a learner reads, e.g. for the handshake:
 *
 *   [Client] Sending SYN to 127.0.0.1:5000
 *   [Server] Received SYN, sending SYN-ACK
 *   [Client] Received SYN-ACK, sending ACK
 *   [Server] Received ACK, handshake completed
 *
 * Each state change has one line; with --verbose the change itself is printed as well.
 */
final class Narrator {
    private final Log log;

    Narrator(Log log) {
        this.log = log;
    }

    /** who names the connection in the log (null for a single connection); peer is "host:port". */
    void narrate(String who, String peer, long msl, TcpEvent event) {
        if (event instanceof TcpEvent.StateChanged s) {
            // A listener's fresh TCB enters LISTEN for every segment to the port: not worth a line.
            if (s.from() != TcpState.CLOSED || s.to() != TcpState.LISTEN) {
                log.detail(who, "State " + s.from().rfcName() + " -> " + s.to().rfcName());
            }
            String line = transitionLine(s.from(), s.to(), peer, msl);
            if (line != null) log.info(who, line);
        } else if (event instanceof TcpEvent.Readable || event instanceof TcpEvent.Writable) {
            // the application says what it reads and writes
        } else if (event instanceof TcpEvent.FastRetransmit f) {
            log.info(who, "Retransmitting " + f.what() + " (" + f.why() + ")");
        } else if (event instanceof TcpEvent.CongestionChanged cc) {
            log.detail(who, "cwnd " + cc.cwnd() + ", ssthresh " + (cc.ssthresh() == Integer.MAX_VALUE ? "unlimited" : cc.ssthresh())
                    + " (" + cc.why() + ")");
        } else if (event instanceof TcpEvent.WindowUpdate w) {
            log.detail(who, "Window update: our window opened from " + w.before() + " to " + w.after() + " bytes");
        } else if (event instanceof TcpEvent.Urgent u) {
            log.detail(who, "Urgent data: " + u.remaining() + (u.remaining() == 1 ? " byte" : " bytes")
                    + " to read before the urgent pointer (seq " + Seq.str(u.pointer()) + "); it is read in line with the rest");
        } else if (event instanceof TcpEvent.OutOfOrder o) {
            log.detail(who, "Received " + o.length() + " bytes out of order, " + o.offset() + " bytes ahead: "
                    + (o.kept() > 0 ? "kept " + o.kept() + " until the gap fills" : "nothing new to keep") + ", sent duplicate ACK");
        } else if (event instanceof TcpEvent.Retransmitting r) {
            log.info(who, "Retransmitting " + r.what() + " (try " + r.attempt() + ", RTO " + r.rtoMillis() + " ms)");
        } else if (event instanceof TcpEvent.Duplicate d) {
            log.info(who, "Received duplicate " + d.what() + ", " + d.answer());
        } else if (event instanceof TcpEvent.Dropped d) {
            log.detail(who, "Dropped segment: " + d.reason());
        } else if (event instanceof TcpEvent.IcmpError e) {
            log.detail(who, "ICMP " + e.what() + " from " + e.from() + ": " + e.action());
        } else if (event instanceof TcpEvent.KeepAliveProbe k) {
            log.info(who, "Sending keep-alive probe (" + k.why() + ")");
        } else if (event instanceof TcpEvent.Closed c) {
            // An abort is our own doing: whoever aborted has already said why.
            if (c.reason() == TcpEvent.CloseReason.ABORTED) log.detail(who, closedLine(c, peer));
            else log.info(who, closedLine(c, peer));
        }
    }

    static String transitionLine(TcpState from, TcpState to, String peer, long msl) {
        switch (to) {
            case SYN_SENT: return "Sending SYN to " + peer;
            case SYN_RECEIVED:
                return from == TcpState.LISTEN ? "Received SYN, sending SYN-ACK"
                        : "Received SYN (simultaneous open), sending SYN-ACK";
            case ESTABLISHED:
                return from == TcpState.SYN_SENT ? "Received SYN-ACK, sending ACK" : "Received ACK, handshake completed";
            case FIN_WAIT_1: case LAST_ACK: return "Sending FIN";
            case CLOSE_WAIT: return "Received FIN, sending ACK";
            case FIN_WAIT_2: return "Received ACK of FIN, waiting for the peer's FIN";
            case CLOSING: return "Received FIN, sending ACK (simultaneous close)";
            case TIME_WAIT:
                String wait = "TIME-WAIT for " + seconds(2 * msl) + " (2 x MSL)";
                return from == TcpState.CLOSING ? "Received ACK of FIN, " + wait : "Received FIN, sending ACK, " + wait;
            default: return null; // LISTEN and CLOSED: the Closed event says why
        }
    }

    static String closedLine(TcpEvent.Closed c, String peer) {
        switch (c.reason()) {
            case NORMAL: return "Connection closed";
            case REFUSED: return "Error: connection refused by " + peer + " (it answered with RST)";
            case RESET: return "Connection reset by peer (" + c.detail() + ")";
            case NO_ANSWER: return "No answer from " + peer + " after " + c.tries() + " tries";
            case FIN_TIMEOUT: return "Connection given up: " + c.detail();
            case NOT_ACKNOWLEDGED: return "Connection given up: " + peer + " still sends but never acknowledged our data ("
                    + c.tries() + " tries)";
            case ABORTED: return "Connection aborted: " + c.detail();
            case UNREACHABLE: return "Error: " + c.detail();
            case KEEP_ALIVE: return "Connection given up: " + c.detail();
        }
        throw new AssertionError(c.reason());
    }

    static String seconds(long millis) {
        return millis % 1000 == 0 ? (millis / 1000) + " s" : String.format("%.1f s", millis / 1000.0);
    }
}
