/**
 * Keep-alives: RFC 9293 section 3.8.4 and RFC 1122 section 4.2.3.6. Off unless the application
 * asks (--keepalive SECONDS[,INTERVAL,COUNT]); then, after SECONDS of silence on an idle
 * connection, a probe every INTERVAL seconds, and after COUNT unanswered probes the connection is
 * declared dead, with a one-line reason.
 *
 * RFC 9293 section 3.8.4: "Implementers MAY include "keep-alives" in their TCP implementations
 * (MAY-5), although this practice is not universally accepted. If keep-alives are included, the
 * application MUST be able to turn them on or off for each TCP connection (MUST-24), and they MUST
 * default to off (MUST-25)."
 *
 * Sans-I/O: the connection passes the time and when it last heard from the peer.
 * <pre>
 *   the connection's deadline              min(..., keepAlive.nextDeadline(lastHeardAt, idle))
 *   a segment arrives from the peer        keepAlive.onHeard()       (and lastHeardAt = now, as today)
 *   the timer fires                        keepAlive.onTimer(now, lastHeardAt, idle):
 *                                            PROBE   send <SEQ=SND.NXT-1><ACK=RCV.NXT><CTL=ACK>, no data
 *                                            GIVE_UP send a RST (as Linux) and close with the reason
 * </pre>
 * idle: no sent data is outstanding and none waits to be sent (Linux's test: nothing in flight and
 * an empty write queue); data in flight has the retransmission timer to find a dead peer.
 * Ask in the synchronized states (Linux's keep-alive timer runs in every state but CLOSED, LISTEN
 * and SYN-SENT).
 */
final class KeepAlive {
    /** Linux's defaults (tcp_keepalive_time, tcp_keepalive_intvl, tcp_keepalive_probes). */
    static final Settings DEFAULTS = new Settings(7200_000, 75_000, 9);

    /**
     * @param idleMillis     silence before the first probe. RFC 9293: "Keep-alive packets MUST only
     *                       be sent when no sent data is outstanding, and no data or acknowledgment
     *                       packets have been received for the connection within an interval
     *                       (MUST-26). This interval MUST be configurable (MUST-27) and MUST default
     *                       to no less than two hours (MUST-28)." The application may set less.
     * @param intervalMillis between unanswered probes
     * @param count          unanswered probes before giving up, at least 2: "if a keep-alive
     *                       mechanism is implemented it MUST NOT interpret failure to respond to any
     *                       specific probe as a dead connection (MUST-29)."
     */
    record Settings(long idleMillis, long intervalMillis, int count) {
        Settings {
            if (idleMillis < 1000 || intervalMillis < 1000)
                throw new IllegalArgumentException("keep-alive times are whole seconds, at least 1");
            if (count < 2)
                throw new IllegalArgumentException("keep-alive count " + count + ": at least 2, since one unanswered probe"
                        + " does not prove the peer dead (RFC 9293 MUST-29)");
        }

        /** "SECONDS[,INTERVAL,COUNT]", as --keepalive takes it; INTERVAL and COUNT default to Linux's. */
        static Settings parse(String text) {
            String[] parts = text.split(",", -1);
            if (parts.length != 1 && parts.length != 3)
                throw new IllegalArgumentException("--keepalive SECONDS[,INTERVAL,COUNT], not '" + text + "'");
            long idle = seconds(parts[0], "SECONDS");
            if (parts.length == 1) return new Settings(idle, DEFAULTS.intervalMillis, DEFAULTS.count);
            long interval = seconds(parts[1], "INTERVAL");
            int count;
            try {
                count = Integer.parseInt(parts[2].trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--keepalive COUNT must be a whole number, not '" + parts[2] + "'");
            }
            return new Settings(idle, interval, count);
        }

        private static long seconds(String text, String name) {
            try {
                long s = Long.parseLong(text.trim());
                if (s < 1 || s > 32_767 * 24 * 3600L) throw new NumberFormatException();
                return s * 1000;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--keepalive " + name + " must be a whole number of seconds, at least 1, not '" + text + "'");
            }
        }
    }

    enum Action { NONE, PROBE, GIVE_UP }

    /** What to do now; reason says it in one line (for GIVE_UP, the connection's closing reason). */
    record Decision(Action action, String reason) {
        static final Decision NONE = new Decision(Action.NONE, null);
    }

    private final Settings settings; // null: off (MUST-25)
    private int unanswered;          // probes sent since we last heard from the peer
    private long lastProbeAt;

    /** @param settings null to keep keep-alives off */
    KeepAlive(Settings settings) {
        this.settings = settings;
    }

    boolean on() { return settings != null; }

    /** Probes sent and not answered yet. */
    int unanswered() { return unanswered; }

    /** The peer sent something: its silence, and the count of unanswered probes, start over. */
    void onHeard() {
        unanswered = 0;
    }

    /** When onTimer has something to do, or Long.MAX_VALUE. */
    long nextDeadline(long lastHeardAt, boolean idle) {
        if (settings == null || !idle) return Long.MAX_VALUE;
        return unanswered == 0 ? lastHeardAt + settings.idleMillis : lastProbeAt + settings.intervalMillis;
    }

    /**
     * The connection's timer fired (for this or another reason).
     * RFC 1122 section 4.2.3.6: "Such a segment generally contains SEG.SEQ = SND.NXT-1 and may or may
     * not contain one garbage octet of data. Note that on a quiet connection SND.NXT = RCV.NXT, so
     * that this SEG.SEQ will be outside the window. Therefore, the probe causes the receiver to return
     * an acknowledgment segment, confirming that the connection is still live." RFC 9293: "An
     * implementation SHOULD send a keep-alive segment with no data (SHLD-12)". Linux sends exactly
     * that (tcp_xmit_probe_skb: SND.UNA - 1, no data).
     */
    Decision onTimer(long now, long lastHeardAt, boolean idle) {
        if (settings == null) return Decision.NONE;
        if (!idle) {
            unanswered = 0; // data in flight: the retransmission timer watches the peer now
            return Decision.NONE;
        }
        if (unanswered == 0) {
            if (now - lastHeardAt < settings.idleMillis) return Decision.NONE;
        } else {
            if (now - lastProbeAt < settings.intervalMillis) return Decision.NONE;
            if (unanswered >= settings.count) {
                return new Decision(Action.GIVE_UP, "keep-alive: peer did not answer " + settings.count + " probes ("
                        + seconds(settings.intervalMillis) + " apart, " + seconds(now - lastHeardAt)
                        + " without a word from it): connection dropped");
            }
        }
        unanswered++;
        lastProbeAt = now;
        return new Decision(Action.PROBE, "keep-alive: " + seconds(now - lastHeardAt) + " without a word from the peer: probe "
                + unanswered + " of " + settings.count);
    }

    /** The sequence number of a probe: SND.NXT - 1, a byte the peer has acknowledged already. */
    static int probeSeq(int sndNxt) {
        return sndNxt - 1;
    }

    private static String seconds(long millis) {
        return millis % 1000 == 0 ? millis / 1000 + " s" : String.format(java.util.Locale.ROOT, "%.3f s", millis / 1000.0);
    }
}
