import java.util.function.Consumer;

/**
 * A connection's tunables: {@code TcpConfig.defaults().withRtoMin(200).withMsl(500)}, or for any
 * field {@code config.with(b -> b.msl = 500)}. Times are in milliseconds. Every value is checked
 * when a config is made, so a bad one fails at once with its name (IllegalArgumentException: the
 * program's own mistake, not a peer's).
 *
 * A new tunable is one field here, one in {@link Builder} with its default, one line in each
 * copy, and its check.
 */
final class TcpConfig {
    /** RCV.BUFF: the receive buffer, in bytes; the window we advertise is its free space (RFC 9293 3.8.6). */
    final int receiveBuffer;
    /** The send buffer, in bytes: data written and not yet acknowledged. A full buffer makes write() short. */
    final int sendBuffer;
    /** The MSS we announce, from the outgoing interface's MTU. */
    final int mss;
    /** The send MSS when the peer's SYN has no MSS option: RFC 9293 3.7.1 (MUST-15), "536 (576 -
     *  40) for IPv4 or 1220 (1280 - 60) for IPv6": the stack sets 1220 for an IPv6 connection. */
    final int defaultSendMss;
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
    /** R2 for a SYN or SYN-ACK (RFC 9293 3.8.3): "R2 for a SYN segment MUST be set large enough to
     *  provide retransmission of the segment for at least 3 minutes (MUST-23)"; an application may
     *  give up sooner (MUST-21: TcpClient's --timeout does). */
    final long synGiveUpAfter;
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
    /** The congestion control algorithm (--cc): "cubic" (RFC 9438, Linux's default and ours) or
     *  "reno" (RFC 5681 with RFC 6582's NewReno). */
    final String congestionControl;
    /** RFC 6937's Proportional Rate Reduction during SACK loss recovery (--no-prr turns it off:
     *  then RFC 6675's cwnd = ssthresh at once). */
    final boolean prr;
    /** RFC 3168 ECN (--no-ecn turns it off): asked for in our SYN, accepted in the peer's. */
    final boolean ecn;
    /** Offer RFC 7323 timestamps in our SYN (and accept them in the peer's): RTTM on every ACK, PAWS. */
    final boolean timestamps;
    /** Keep-alive probes (RFC 9293 3.8.4, RFC 1122 4.2.3.6), or null: off, as MUST-25 asks. */
    final KeepAlive.Settings keepAlive;

    /** The values of a config being made; its field initialisers are the defaults. */
    static final class Builder {
        int receiveBuffer = 1 << 20;
        int sendBuffer = 1 << 20;
        int mss = 1460;
        int defaultSendMss = Tcb.DEFAULT_SEND_MSS;
        long rtoInitial = 1000;
        long rtoMin = 1000;
        long rtoMax = 60_000;
        int maxRetries = 5;
        long giveUpAfter = 100_000;
        long synGiveUpAfter = 180_000;
        /** Not the RFC's 2 minutes: 1 s, so that a demo's TIME-WAIT takes 2 s. */
        long msl = 1000;
        long finWait2Timeout = 60_000;
        int challengeAcksPerSecond = 10;
        long delayedAck = 40;
        boolean noDelay = false;
        boolean windowScaling = true;
        boolean sack = true;
        int largeSegments = 0;
        String congestionControl = CongestionControl.DEFAULT_ALGORITHM;
        boolean prr = true;
        boolean ecn = true;
        boolean timestamps = true;
        KeepAlive.Settings keepAlive = null;

        private Builder() {}

        private Builder(TcpConfig c) {
            receiveBuffer = c.receiveBuffer;
            sendBuffer = c.sendBuffer;
            mss = c.mss;
            defaultSendMss = c.defaultSendMss;
            rtoInitial = c.rtoInitial;
            rtoMin = c.rtoMin;
            rtoMax = c.rtoMax;
            maxRetries = c.maxRetries;
            giveUpAfter = c.giveUpAfter;
            synGiveUpAfter = c.synGiveUpAfter;
            msl = c.msl;
            finWait2Timeout = c.finWait2Timeout;
            challengeAcksPerSecond = c.challengeAcksPerSecond;
            delayedAck = c.delayedAck;
            noDelay = c.noDelay;
            windowScaling = c.windowScaling;
            sack = c.sack;
            largeSegments = c.largeSegments;
            congestionControl = c.congestionControl;
            prr = c.prr;
            ecn = c.ecn;
            timestamps = c.timestamps;
            keepAlive = c.keepAlive;
        }
    }

    private TcpConfig(Builder b) {
        require(b.receiveBuffer >= 1 && b.receiveBuffer <= (1 << 30), "receiveBuffer", b.receiveBuffer);
        require(b.sendBuffer >= 1 && b.sendBuffer <= (1 << 30), "sendBuffer", b.sendBuffer);
        require(b.mss >= 1 && b.mss <= 65535, "mss", b.mss);
        require(b.defaultSendMss >= 1 && b.defaultSendMss <= 65535, "defaultSendMss", b.defaultSendMss);
        require(b.rtoInitial >= 1, "rtoInitial", b.rtoInitial);
        require(b.rtoMin >= 1, "rtoMin", b.rtoMin);
        require(b.rtoMax >= 1, "rtoMax", b.rtoMax);
        require(b.maxRetries >= 0, "maxRetries", b.maxRetries);
        require(b.giveUpAfter >= 0, "giveUpAfter", b.giveUpAfter);
        require(b.synGiveUpAfter >= 0, "synGiveUpAfter", b.synGiveUpAfter);
        require(b.msl >= 0, "msl", b.msl);
        require(b.finWait2Timeout >= 0, "finWait2Timeout", b.finWait2Timeout);
        require(b.challengeAcksPerSecond >= 0, "challengeAcksPerSecond", b.challengeAcksPerSecond);
        require(b.delayedAck >= 0 && b.delayedAck < 500, "delayedAck", b.delayedAck);
        require(b.largeSegments >= 0 && b.largeSegments <= 65000, "largeSegments", b.largeSegments);
        if (!CongestionControl.ALGORITHMS.contains(b.congestionControl)) {
            throw new IllegalArgumentException("TcpConfig: bad congestionControl: " + b.congestionControl
                    + " (known: " + String.join(", ", CongestionControl.ALGORITHMS) + ")");
        }
        if (b.rtoMax < b.rtoMin) throw new IllegalArgumentException("TcpConfig: rtoMax " + b.rtoMax + " below rtoMin " + b.rtoMin);
        receiveBuffer = b.receiveBuffer;
        sendBuffer = b.sendBuffer;
        mss = b.mss;
        defaultSendMss = b.defaultSendMss;
        rtoInitial = b.rtoInitial;
        rtoMin = b.rtoMin;
        rtoMax = b.rtoMax;
        maxRetries = b.maxRetries;
        giveUpAfter = b.giveUpAfter;
        synGiveUpAfter = b.synGiveUpAfter;
        msl = b.msl;
        finWait2Timeout = b.finWait2Timeout;
        challengeAcksPerSecond = b.challengeAcksPerSecond;
        delayedAck = b.delayedAck;
        noDelay = b.noDelay;
        windowScaling = b.windowScaling;
        sack = b.sack;
        largeSegments = b.largeSegments;
        congestionControl = b.congestionControl;
        prr = b.prr;
        ecn = b.ecn;
        timestamps = b.timestamps;
        keepAlive = b.keepAlive;
    }

    /** The RFCs' values, except MSL: 1 s instead of 2 minutes, so a demo's TIME-WAIT takes 2 s. */
    static TcpConfig defaults() {
        return new TcpConfig(new Builder());
    }

    /** A copy with what change sets: {@code config.with(b -> b.msl = 500)}. */
    TcpConfig with(Consumer<Builder> change) {
        Builder b = new Builder(this);
        change.accept(b);
        return new TcpConfig(b);
    }

    TcpConfig withReceiveBuffer(int v) { return with(b -> b.receiveBuffer = v); }
    TcpConfig withSendBuffer(int v) { return with(b -> b.sendBuffer = v); }
    TcpConfig withMss(int v) { return with(b -> b.mss = v); }
    TcpConfig withDefaultSendMss(int v) { return with(b -> b.defaultSendMss = v); }
    TcpConfig withRtoInitial(long v) { return with(b -> b.rtoInitial = v); }
    TcpConfig withRtoMin(long v) { return with(b -> b.rtoMin = v); }
    TcpConfig withRtoMax(long v) { return with(b -> b.rtoMax = v); }
    TcpConfig withMaxRetries(int v) { return with(b -> b.maxRetries = v); }
    TcpConfig withGiveUpAfter(long v) { return with(b -> b.giveUpAfter = v); }
    TcpConfig withSynGiveUpAfter(long v) { return with(b -> b.synGiveUpAfter = v); }
    TcpConfig withMsl(long v) { return with(b -> b.msl = v); }
    TcpConfig withFinWait2Timeout(long v) { return with(b -> b.finWait2Timeout = v); }
    TcpConfig withChallengeAcksPerSecond(int v) { return with(b -> b.challengeAcksPerSecond = v); }
    TcpConfig withDelayedAck(long v) { return with(b -> b.delayedAck = v); }
    TcpConfig withNoDelay(boolean v) { return with(b -> b.noDelay = v); }
    TcpConfig withWindowScaling(boolean v) { return with(b -> b.windowScaling = v); }
    TcpConfig withSack(boolean v) { return with(b -> b.sack = v); }
    TcpConfig withLargeSegments(int v) { return with(b -> b.largeSegments = v); }
    TcpConfig withCongestionControl(String v) { return with(b -> b.congestionControl = v); }
    TcpConfig withPrr(boolean v) { return with(b -> b.prr = v); }
    TcpConfig withEcn(boolean v) { return with(b -> b.ecn = v); }
    TcpConfig withTimestamps(boolean v) { return with(b -> b.timestamps = v); }
    TcpConfig withKeepAlive(KeepAlive.Settings v) { return with(b -> b.keepAlive = v); }

    // Accessors named like the fields, so call sites read the same as before.
    int receiveBuffer() { return receiveBuffer; }
    int sendBuffer() { return sendBuffer; }
    int mss() { return mss; }
    int defaultSendMss() { return defaultSendMss; }
    long rtoInitial() { return rtoInitial; }
    long rtoMin() { return rtoMin; }
    long rtoMax() { return rtoMax; }
    int maxRetries() { return maxRetries; }
    long giveUpAfter() { return giveUpAfter; }
    long synGiveUpAfter() { return synGiveUpAfter; }
    long msl() { return msl; }
    long finWait2Timeout() { return finWait2Timeout; }
    int challengeAcksPerSecond() { return challengeAcksPerSecond; }
    long delayedAck() { return delayedAck; }
    boolean noDelay() { return noDelay; }
    boolean windowScaling() { return windowScaling; }
    boolean sack() { return sack; }
    int largeSegments() { return largeSegments; }
    String congestionControl() { return congestionControl; }
    boolean prr() { return prr; }
    boolean ecn() { return ecn; }
    boolean timestamps() { return timestamps; }
    KeepAlive.Settings keepAlive() { return keepAlive; }

    private static void require(boolean ok, String name, long value) {
        if (!ok) throw new IllegalArgumentException("TcpConfig: bad " + name + ": " + value);
    }
}
