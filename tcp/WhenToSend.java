/**
 * How many new bytes to send now: RFC 9293's sender silly window syndrome avoidance
 * (section 3.8.6.2.1, "When to Send Data") with the Nagle algorithm (section 3.7.4).
 *
 * RFC 9293 section 3.8.6.2.1: "The "usable window" is:
 *     U = SND.UNA + SND.WND - SND.NXT
 * i.e., the offered window less the amount of data sent but not acknowledged. If D is the amount
 * of data queued in the sending TCP endpoint but not yet sent, then the following set of rules is
 * recommended.
 * Send data:
 * (1) if a maximum-sized segment can be sent, i.e., if:
 *     min(D,U) >= Eff.snd.MSS;
 * (2) or if the data is pushed and all queued data can be sent now, i.e., if:
 *     [SND.NXT = SND.UNA and] PUSHed and D <= U
 *     (the bracketed condition is imposed by the Nagle algorithm);
 * (3) or if at least a fraction Fs of the maximum window can be sent, i.e., if:
 *     [SND.NXT = SND.UNA and] min(D,U) >= Fs * Max(SND.WND);
 * (4) or if the override timeout occurs.
 * Here Fs is a fraction whose recommended value is 1/2. The override timeout should be in the
 * range 0.1 - 1.0 seconds."
 *
 * Section 3.7.4: "If there is unacknowledged data (i.e., SND.NXT > SND.UNA), then the sending TCP
 * endpoint buffers all user data (regardless of the PSH bit) until the outstanding data has been
 * acknowledged or until the TCP endpoint can send a full-sized segment (Eff.snd.MSS bytes)."
 * "A TCP implementation SHOULD implement the Nagle algorithm to coalesce short segments (SHLD-7).
 * However, there MUST be a way for an application to disable the Nagle algorithm on an individual
 * connection (MUST-17)." That is {@code noDelay}: it drops the bracketed conditions.
 *
 * With congestion control, U is also limited by cwnd: the caller passes
 * usable = min(SND.WND, cwnd) - (SND.NXT - SND.UNA). Call in a loop: send what it says (one
 * segment), update SND.NXT, ask again, until it says 0.
 */
final class WhenToSend {
    private WhenToSend() {}

    /** A suggestion inside the RFC's range of 0.1 - 1.0 seconds. */
    static final long OVERRIDE_TIMEOUT_MILLIS = 200;

    /**
     * @param bytes          how many bytes to put in the next segment now; 0: wait
     * @param overrideTimer  when waiting: true if no ACK may come to wake us (nothing is
     *                       outstanding, or Nagle is off), so the caller arms the override timer
     *                       (OVERRIDE_TIMEOUT_MILLIS) and calls again with overrideTimeout = true
     *                       when it fires. False when an ACK for outstanding data will come, or
     *                       when there is nothing to send or no window (the persist timer's job).
     */
    record Decision(int bytes, boolean overrideTimer) {
        static final Decision WAIT_FOR_ACK = new Decision(0, false);
    }

    /**
     * @param usable          U: what the windows allow beyond SND.NXT (may be 0 or negative)
     * @param queued          D: bytes written by the application and not yet sent
     * @param effSndMss       Eff.snd.MSS
     * @param maxSndWnd       Max(SND.WND): the largest window the peer has offered
     * @param unacknowledged  SND.NXT != SND.UNA (data in flight; a FIN in flight counts too)
     * @param noDelay         Nagle disabled for this connection (MUST-17)
     * @param pushed          the data is pushed (every write, in a sockets-like API; or we are closing)
     * @param overrideTimeout the override timer fired
     */
    static Decision decide(int usable, int queued, int effSndMss, int maxSndWnd, boolean unacknowledged,
                           boolean noDelay, boolean pushed, boolean overrideTimeout) {
        if (effSndMss < 1) throw new IllegalArgumentException("effSndMss " + effSndMss);
        int d = Math.max(queued, 0);
        int u = Math.max(usable, 0);
        int sendable = Math.min(d, u); // min(D,U)
        if (sendable == 0) return Decision.WAIT_FOR_ACK;
        // (1) "if a maximum-sized segment can be sent"
        if (sendable >= effSndMss) return new Decision(effSndMss, false);
        // The bracketed "[SND.NXT = SND.UNA and]" of (2) and (3): the Nagle algorithm.
        boolean nagleAllows = noDelay || !unacknowledged;
        // (2) "or if the data is pushed and all queued data can be sent now"
        if (nagleAllows && pushed && d <= u) return new Decision(d, false);
        // (3) "or if at least a fraction Fs of the maximum window can be sent", Fs = 1/2
        if (nagleAllows && 2L * sendable >= maxSndWnd) return new Decision(sendable, false);
        // (4) "or if the override timeout occurs"
        if (overrideTimeout) return new Decision(sendable, false);
        // Waiting. Held by Nagle: the ACK of the outstanding data will bring us back. Held by SWS
        // avoidance with nothing outstanding: no ACK will come, only the override timer.
        return new Decision(0, nagleAllows);
    }
}
