/**
 * A connection's tunables, built by name: {@code TcpConfig.defaults().withRtoMin(200).withMsl(500)}.
 * Times are in milliseconds. Each value is checked when it is set, so a bad one fails at once with
 * its name (IllegalArgumentException: the program's own mistake, not a peer's).
 */
final class TcpConfig {
    /** RCV.BUFF: the receive buffer, in bytes; the window we advertise is its free space (RFC 9293 3.8.6). */
    final int receiveBuffer;
    /** The send buffer, in bytes: data written and not yet acknowledged. A full buffer makes write() short. */
    final int sendBuffer;
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
    /** Retransmissions of one segment before the connection is given up (with giveUpAfter for data). */
    final int maxRetries;
    /** R2 for data (RFC 9293 3.8.3): retransmit for at least this long before giving up; SHLD-11 asks
     *  for at least 100 seconds. The SYN's limit is maxRetries alone. */
    final long giveUpAfter;
    /** Maximum Segment Lifetime; TIME-WAIT lasts 2 * msl. */
    final long msl;
    /** How long FIN-WAIT-2 waits for the peer's FIN (Linux's tcp_fin_timeout). */
    final long finWait2Timeout;
    /** RFC 5961 section 7's rate limit for challenge ACKs, per second. */
    final int challengeAcksPerSecond;
    /** The longest an ACK for received data waits (RFC 9293 3.8.6.3, MUST-40: under 500 ms); 0 acknowledges
     *  at once. A second full-sized segment, a gap, a FIN, or our own data sends it earlier. */
    final long delayedAck;
    /** Nagle's algorithm off (RFC 9293 3.7.4 lets a program turn it off): small segments go at once. */
    final boolean noDelay;
    /** Offer RFC 7323 window scaling in our SYN (and accept it in the peer's). */
    final boolean windowScaling;
    /** Offer RFC 2018 selective acknowledgments in our SYN (and accept them in the peer's): with both,
     *  our ACKs carry SACK blocks and our sender recovers as RFC 6675 and RFC 8985 say. */
    final boolean sack;
    /** The most data one segment handed to the stack may carry. Above the MSS only when the stack
     *  cuts such a segment into MSS-sized ones on the way out (segmentation offload); 0: the MSS. */
    final int largeSegments;

    private TcpConfig(int receiveBuffer, int sendBuffer, int mss, long rtoInitial, long rtoMin, long rtoMax, int maxRetries, long giveUpAfter, long msl, long finWait2Timeout, int challengeAcksPerSecond, long delayedAck, boolean noDelay, boolean windowScaling, boolean sack, int largeSegments) {
        require(receiveBuffer >= 1 && receiveBuffer <= (1 << 30), "receiveBuffer", receiveBuffer);
        require(sendBuffer >= 1 && sendBuffer <= (1 << 30), "sendBuffer", sendBuffer);
        require(mss >= 1 && mss <= 65535, "mss", mss);
        require(rtoInitial >= 1, "rtoInitial", rtoInitial);
        require(rtoMin >= 1, "rtoMin", rtoMin);
        require(rtoMax >= 1, "rtoMax", rtoMax);
        require(maxRetries >= 0, "maxRetries", maxRetries);
        require(giveUpAfter >= 0, "giveUpAfter", giveUpAfter);
        require(msl >= 0, "msl", msl);
        require(finWait2Timeout >= 0, "finWait2Timeout", finWait2Timeout);
        require(challengeAcksPerSecond >= 0, "challengeAcksPerSecond", challengeAcksPerSecond);
        require(delayedAck >= 0 && delayedAck < 500, "delayedAck", delayedAck);
        this.receiveBuffer = receiveBuffer;
        this.sendBuffer = sendBuffer;
        this.mss = mss;
        this.rtoInitial = rtoInitial;
        this.rtoMin = rtoMin;
        this.rtoMax = rtoMax;
        this.maxRetries = maxRetries;
        this.giveUpAfter = giveUpAfter;
        this.msl = msl;
        this.finWait2Timeout = finWait2Timeout;
        this.challengeAcksPerSecond = challengeAcksPerSecond;
        this.delayedAck = delayedAck;
        this.noDelay = noDelay;
        this.windowScaling = windowScaling;
        this.sack = sack;
        require(largeSegments >= 0 && largeSegments <= 65000, "largeSegments", largeSegments);
        this.largeSegments = largeSegments;
        if (rtoMax < rtoMin) throw new IllegalArgumentException("TcpConfig: rtoMax " + rtoMax + " below rtoMin " + rtoMin);
    }

    /** The RFCs' values, except MSL: 1 s instead of 2 minutes, so a demo's TIME-WAIT takes 2 s. */
    static TcpConfig defaults() {
        return new TcpConfig(1 << 20, 1 << 20, 1460, 1000, 1000, 60_000, 5, 100_000, 1000, 60_000, 10, 40, false, true, true, 0);
    }

    TcpConfig withReceiveBuffer(int v) { return new TcpConfig(v, sendBuffer, mss, rtoInitial, rtoMin, rtoMax, maxRetries, giveUpAfter, msl, finWait2Timeout, challengeAcksPerSecond, delayedAck, noDelay, windowScaling, sack, largeSegments); }
    TcpConfig withSendBuffer(int v) { return new TcpConfig(receiveBuffer, v, mss, rtoInitial, rtoMin, rtoMax, maxRetries, giveUpAfter, msl, finWait2Timeout, challengeAcksPerSecond, delayedAck, noDelay, windowScaling, sack, largeSegments); }
    TcpConfig withMss(int v) { return new TcpConfig(receiveBuffer, sendBuffer, v, rtoInitial, rtoMin, rtoMax, maxRetries, giveUpAfter, msl, finWait2Timeout, challengeAcksPerSecond, delayedAck, noDelay, windowScaling, sack, largeSegments); }
    TcpConfig withRtoInitial(long v) { return new TcpConfig(receiveBuffer, sendBuffer, mss, v, rtoMin, rtoMax, maxRetries, giveUpAfter, msl, finWait2Timeout, challengeAcksPerSecond, delayedAck, noDelay, windowScaling, sack, largeSegments); }
    TcpConfig withRtoMin(long v) { return new TcpConfig(receiveBuffer, sendBuffer, mss, rtoInitial, v, rtoMax, maxRetries, giveUpAfter, msl, finWait2Timeout, challengeAcksPerSecond, delayedAck, noDelay, windowScaling, sack, largeSegments); }
    TcpConfig withRtoMax(long v) { return new TcpConfig(receiveBuffer, sendBuffer, mss, rtoInitial, rtoMin, v, maxRetries, giveUpAfter, msl, finWait2Timeout, challengeAcksPerSecond, delayedAck, noDelay, windowScaling, sack, largeSegments); }
    TcpConfig withMaxRetries(int v) { return new TcpConfig(receiveBuffer, sendBuffer, mss, rtoInitial, rtoMin, rtoMax, v, giveUpAfter, msl, finWait2Timeout, challengeAcksPerSecond, delayedAck, noDelay, windowScaling, sack, largeSegments); }
    TcpConfig withGiveUpAfter(long v) { return new TcpConfig(receiveBuffer, sendBuffer, mss, rtoInitial, rtoMin, rtoMax, maxRetries, v, msl, finWait2Timeout, challengeAcksPerSecond, delayedAck, noDelay, windowScaling, sack, largeSegments); }
    TcpConfig withMsl(long v) { return new TcpConfig(receiveBuffer, sendBuffer, mss, rtoInitial, rtoMin, rtoMax, maxRetries, giveUpAfter, v, finWait2Timeout, challengeAcksPerSecond, delayedAck, noDelay, windowScaling, sack, largeSegments); }
    TcpConfig withFinWait2Timeout(long v) { return new TcpConfig(receiveBuffer, sendBuffer, mss, rtoInitial, rtoMin, rtoMax, maxRetries, giveUpAfter, msl, v, challengeAcksPerSecond, delayedAck, noDelay, windowScaling, sack, largeSegments); }
    TcpConfig withChallengeAcksPerSecond(int v) { return new TcpConfig(receiveBuffer, sendBuffer, mss, rtoInitial, rtoMin, rtoMax, maxRetries, giveUpAfter, msl, finWait2Timeout, v, delayedAck, noDelay, windowScaling, sack, largeSegments); }
    TcpConfig withDelayedAck(long v) { return new TcpConfig(receiveBuffer, sendBuffer, mss, rtoInitial, rtoMin, rtoMax, maxRetries, giveUpAfter, msl, finWait2Timeout, challengeAcksPerSecond, v, noDelay, windowScaling, sack, largeSegments); }
    TcpConfig withNoDelay(boolean v) { return new TcpConfig(receiveBuffer, sendBuffer, mss, rtoInitial, rtoMin, rtoMax, maxRetries, giveUpAfter, msl, finWait2Timeout, challengeAcksPerSecond, delayedAck, v, windowScaling, sack, largeSegments); }
    TcpConfig withWindowScaling(boolean v) { return new TcpConfig(receiveBuffer, sendBuffer, mss, rtoInitial, rtoMin, rtoMax, maxRetries, giveUpAfter, msl, finWait2Timeout, challengeAcksPerSecond, delayedAck, noDelay, v, sack, largeSegments); }

    TcpConfig withSack(boolean v) { return new TcpConfig(receiveBuffer, sendBuffer, mss, rtoInitial, rtoMin, rtoMax, maxRetries, giveUpAfter, msl, finWait2Timeout, challengeAcksPerSecond, delayedAck, noDelay, windowScaling, v, largeSegments); }
    TcpConfig withLargeSegments(int v) { return new TcpConfig(receiveBuffer, sendBuffer, mss, rtoInitial, rtoMin, rtoMax, maxRetries, giveUpAfter, msl, finWait2Timeout, challengeAcksPerSecond, delayedAck, noDelay, windowScaling, sack, v); }

    // Accessors named like the fields, so call sites read the same as before.
    int receiveBuffer() { return receiveBuffer; }
    int sendBuffer() { return sendBuffer; }
    int mss() { return mss; }
    long rtoInitial() { return rtoInitial; }
    long rtoMin() { return rtoMin; }
    long rtoMax() { return rtoMax; }
    int maxRetries() { return maxRetries; }
    long giveUpAfter() { return giveUpAfter; }
    long msl() { return msl; }
    long finWait2Timeout() { return finWait2Timeout; }
    int challengeAcksPerSecond() { return challengeAcksPerSecond; }
    long delayedAck() { return delayedAck; }
    boolean noDelay() { return noDelay; }
    boolean windowScaling() { return windowScaling; }
    boolean sack() { return sack; }
    int largeSegments() { return largeSegments; }

    private static void require(boolean ok, String name, long value) {
        if (!ok) throw new IllegalArgumentException("TcpConfig: bad " + name + ": " + value);
    }
}
