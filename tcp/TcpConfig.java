/**
 * A connection's tunables, built by name: {@code TcpConfig.defaults().withRtoMin(200).withMsl(500)}.
 * Times are in milliseconds. Each value is checked when it is set, so a bad one fails at once with
 * its name (IllegalArgumentException: the program's own mistake, not a peer's).
 */
final class TcpConfig {
    /** RCV.WND we advertise (no window scaling yet, so at most 65535). */
    final int receiveWindow;
    /** The MSS we announce, from the outgoing interface's MTU. */
    final int mss;
    /** RFC 6298 (2.1): "Until a round-trip time (RTT) measurement has been made for a segment sent
     *  between the sender and receiver, the sender SHOULD set RTO <- 1 second". */
    final long rtoInitial;
    /** RFC 6298 (2.4): "Whenever RTO is computed, if it is less than 1 second, then the RTO SHOULD
     *  be rounded up to 1 second." */
    final long rtoMin;
    /** RFC 6298 (2.5): "A maximum value MAY be placed on RTO provided it is at least 60 seconds." */
    final long rtoMax;
    /** Retransmissions of one segment before the connection is given up. */
    final int maxRetries;
    /** Maximum Segment Lifetime; TIME-WAIT lasts 2 * msl. */
    final long msl;
    /** How long FIN-WAIT-2 waits for the peer's FIN (Linux's tcp_fin_timeout). */
    final long finWait2Timeout;
    /** RFC 5961 section 7's rate limit for challenge ACKs, per second. */
    final int challengeAcksPerSecond;

    private TcpConfig(int receiveWindow, int mss, long rtoInitial, long rtoMin, long rtoMax, int maxRetries,
                      long msl, long finWait2Timeout, int challengeAcksPerSecond) {
        require(receiveWindow >= 1 && receiveWindow <= 65535, "receiveWindow", receiveWindow);
        require(mss >= 1 && mss <= 65535, "mss", mss);
        require(rtoInitial >= 1, "rtoInitial", rtoInitial);
        require(rtoMin >= 1, "rtoMin", rtoMin);
        require(rtoMax >= rtoMin, "rtoMax (at least rtoMin)", rtoMax);
        require(maxRetries >= 0, "maxRetries", maxRetries);
        require(msl >= 0, "msl", msl);
        require(finWait2Timeout >= 0, "finWait2Timeout", finWait2Timeout);
        require(challengeAcksPerSecond >= 0, "challengeAcksPerSecond", challengeAcksPerSecond);
        this.receiveWindow = receiveWindow;
        this.mss = mss;
        this.rtoInitial = rtoInitial;
        this.rtoMin = rtoMin;
        this.rtoMax = rtoMax;
        this.maxRetries = maxRetries;
        this.msl = msl;
        this.finWait2Timeout = finWait2Timeout;
        this.challengeAcksPerSecond = challengeAcksPerSecond;
    }

    /** The RFCs' values, except MSL: 1 s instead of 2 minutes, so a demo's TIME-WAIT takes 2 s. */
    static TcpConfig defaults() {
        return new TcpConfig(65535, 1460, 1000, 1000, 60_000, 5, 1000, 60_000, 10);
    }

    TcpConfig withReceiveWindow(int v) { return new TcpConfig(v, mss, rtoInitial, rtoMin, rtoMax, maxRetries, msl, finWait2Timeout, challengeAcksPerSecond); }
    TcpConfig withMss(int v) { return new TcpConfig(receiveWindow, v, rtoInitial, rtoMin, rtoMax, maxRetries, msl, finWait2Timeout, challengeAcksPerSecond); }
    TcpConfig withRtoInitial(long v) { return new TcpConfig(receiveWindow, mss, v, rtoMin, rtoMax, maxRetries, msl, finWait2Timeout, challengeAcksPerSecond); }
    TcpConfig withRtoMin(long v) { return new TcpConfig(receiveWindow, mss, rtoInitial, v, rtoMax, maxRetries, msl, finWait2Timeout, challengeAcksPerSecond); }
    TcpConfig withRtoMax(long v) { return new TcpConfig(receiveWindow, mss, rtoInitial, rtoMin, v, maxRetries, msl, finWait2Timeout, challengeAcksPerSecond); }
    TcpConfig withMaxRetries(int v) { return new TcpConfig(receiveWindow, mss, rtoInitial, rtoMin, rtoMax, v, msl, finWait2Timeout, challengeAcksPerSecond); }
    TcpConfig withMsl(long v) { return new TcpConfig(receiveWindow, mss, rtoInitial, rtoMin, rtoMax, maxRetries, v, finWait2Timeout, challengeAcksPerSecond); }
    TcpConfig withFinWait2Timeout(long v) { return new TcpConfig(receiveWindow, mss, rtoInitial, rtoMin, rtoMax, maxRetries, msl, v, challengeAcksPerSecond); }
    TcpConfig withChallengeAcksPerSecond(int v) { return new TcpConfig(receiveWindow, mss, rtoInitial, rtoMin, rtoMax, maxRetries, msl, finWait2Timeout, v); }

    // Accessors named like the fields, so call sites read the same as before.
    int receiveWindow() { return receiveWindow; }
    int mss() { return mss; }
    long rtoInitial() { return rtoInitial; }
    long rtoMin() { return rtoMin; }
    long rtoMax() { return rtoMax; }
    int maxRetries() { return maxRetries; }
    long msl() { return msl; }
    long finWait2Timeout() { return finWait2Timeout; }
    int challengeAcksPerSecond() { return challengeAcksPerSecond; }

    private static void require(boolean ok, String name, long value) {
        if (!ok) throw new IllegalArgumentException("TcpConfig: bad " + name + ": " + value);
    }
}
