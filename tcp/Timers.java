/**
 * Every deadline of one connection, in one place: RFC 9293 section 3.10.8's timeouts, RFC 6298's
 * retransmission timer, and the timers of the data path. Linux keeps its timers behind one
 * mechanism (inet_csk_reset_xmit_timer), smoltcp keeps one Timer value per socket; here each kind
 * has one slot, and every way out of a connection empties them all with {@link #clear()}, so no
 * deadline outlives its connection.
 *
 * Times are milliseconds on the caller's clock; nothing here reads a clock.
 */
final class Timers {
    static final long NEVER = Long.MAX_VALUE;

    /** The kinds, in the order {@link TcpConnection#onTimer} runs them when several are due at once. */
    enum Kind {
        /** RFC 9293 3.10.8, TIME-WAIT TIMEOUT: 2 x MSL after the last ACK of a FIN. */
        TIME_WAIT,
        /** FIN-WAIT-2 waits this long for the peer's FIN (not in the RFC; Linux's tcp_fin_timeout). */
        FIN_WAIT_2,
        /** A delayed ACK (RFC 9293 3.8.6.3): "the delay MUST be less than 0.5 seconds (MUST-40)". */
        DELAYED_ACK,
        /** The sender's SWS override timeout (RFC 9293 3.8.6.2.1). */
        SWS_OVERRIDE,
        /** RACK-TLP's probe timeout (RFC 8985 section 7). */
        TAIL_LOSS_PROBE,
        /** RACK's reordering timer (RFC 8985 section 6.3): a segment's reordering window passes. */
        RACK_REORDERING,
        /** RFC 6298's retransmission timer (RFC 9293 3.10.8, RETRANSMISSION TIMEOUT); window probes too. */
        RETRANSMISSION,
        /** Keep-alive (RFC 9293 3.8.4), when the application turned it on: the next probe, or the end. */
        KEEPALIVE
    }

    private final long[] deadlines = new long[Kind.values().length];

    Timers() {
        clear();
    }

    /** The earliest deadline of all, or {@link #NEVER}. */
    long next() {
        long next = NEVER;
        for (long d : deadlines) next = Math.min(next, d);
        return next;
    }

    long deadline(Kind kind) { return deadlines[kind.ordinal()]; }

    boolean running(Kind kind) { return deadlines[kind.ordinal()] != NEVER; }

    boolean due(Kind kind, long now) { return now >= deadlines[kind.ordinal()]; }

    /** Starts the timer, or moves it if it runs already. */
    void start(Kind kind, long at) { deadlines[kind.ordinal()] = at; }

    /** Starts the timer only if it is not running (RFC 6298 (5.1): "if the timer is not running"). */
    void startIfStopped(Kind kind, long at) {
        if (!running(kind)) start(kind, at);
    }

    void stop(Kind kind) { deadlines[kind.ordinal()] = NEVER; }

    /** Every timer off: the one call each way out of a connection makes. */
    void clear() {
        java.util.Arrays.fill(deadlines, NEVER);
    }
}
