/**
 * SYN cookies (RFC 4987 section 3.6), encoded as Linux encodes them (net/ipv4/syncookies.c): when
 * the half-open backlog is full, the listener keeps nothing for a SYN and puts what it must
 * remember into the ISN of its SYN-ACK (and, with timestamps, into the low bits of its TSval); the
 * ACK that completes the handshake brings both back.
 *
 * RFC 4987 section 3.6 describes the idea (D. J. Bernstein's): the listener allocates nothing
 * until the handshake completes, and checks that the ACK's acknowledgment number is a cookie it
 * made; its cost is that the TCP options of the SYN are lost unless they are encoded somewhere.
 * Linux encodes the MSS in the ISN (one of four values) and window scale, SACK-permitted and ECN
 * in the TSval when the SYN had timestamps.
 *
 * The cookie, Linux's secure_tcp_syn_cookie:
 * <pre>
 *   ISN = H0(saddr, daddr, sport, dport) + peer's ISN + (count << 24) + ((H1(saddr, daddr, sport, dport, count) + mssIndex) mod 2^24)
 * </pre>
 * with H0, H1 SipHash-2-4 under two secret keys, count a counter that moves every minute (the top
 * 8 bits carry its low bits, so the check knows the cookie's age) and mssIndex the place of the
 * peer's MSS, rounded down, in a table of four common values. The addresses and ports are the
 * SYN's (and the ACK's): source is the peer, destination is us.
 *
 * Sans-I/O: the keys and the minute counter come from outside (the stack draws the keys once from
 * SecureRandom, and passes counter(now)); nothing here reads a clock or draws a random number.
 *
 * Use from the listener:
 * <pre>
 *   the backlog is full and a SYN arrives   lastOverflowAt = now; c = cookies.isn(..., syn.seq(), syn.mss(), counter(now))
 *                                          SYN-ACK: SEQ = c.isn(), our own MSS option as always (c.mss() is the peer's,
 *                                          rounded down: the send MSS to come); with timestamps (the SYN had them):
 *                                          TSval = timestamp(tsVal(now), options), our window scale and SACK-permitted
 *                                          if the SYN asked for them, ECE if it was ECN-setup; without timestamps only
 *                                          the MSS (Linux clears the other options, which it could not remember)
 *   an ACK arrives for no connection        if (cookiesRecentlySent(lastOverflowAt, now)) m = cookies.check(..., ack, counter(now));
 *                                          accepted: a connection in ESTABLISHED with ISS = ack.ack() - 1,
 *                                          IRS = ack.seq() - 1, send MSS m.mss(), options decodeTimestamp(...)
 *                                          (Timestamps.onCookieAck, Ecn.onCookieAck); rejected: as today (RST)
 * </pre>
 */
final class SynCookies {
    /**
     * Linux's msstab, from a 2011 survey of the MSS values hosts announce (Alcock and Nelson): 1460
     * the most common, 1440 and 1452 behind PPPoE, few under 1300, almost none under 536.
     */
    static final int[] MSS_TABLE = {536, 1300, 1440, 1460};

    /** COOKIEBITS: the low 24 bits carry the keyed hash plus the MSS index, the top 8 the counter. */
    static final int COOKIE_BITS = 24;
    static final int COOKIE_MASK = (1 << COOKIE_BITS) - 1;

    /**
     * Linux's MAX_SYNCOOKIE_AGE and TCP_SYNCOOKIE_PERIOD: a cookie made in minute c is good in
     * minutes c and c + 1, so for between 1 and 2 minutes.
     */
    static final int MAX_AGE = 2;
    static final long PERIOD_MILLIS = 60_000;

    // The low 6 bits of the TSval (Linux's TSBITS): | 31 ... 6 timestamp | 5 ECN | 4 SACK | 3..0 WScale |,
    // where WScale 0xf, not a valid shift, says the SYN had no window scale option.
    static final int TS_BITS = 6;
    private static final int TS_WSCALE_MASK = 0xf, TS_SACK = 1 << 4, TS_ECN = 1 << 5;

    private final long k00, k01, k10, k11; // the two secrets, each a SipHash key

    /** Two independent 128-bit secrets (Linux's syncookie_secret[2]), each as SipHash's k0, k1. */
    SynCookies(long secret0k0, long secret0k1, long secret1k0, long secret1k1) {
        this.k00 = secret0k0;
        this.k01 = secret0k1;
        this.k10 = secret1k0;
        this.k11 = secret1k1;
    }

    /** tcp_cookie_time: the minute counter for a monotonic millisecond clock. */
    static int counter(long nowMillis) {
        return (int) (nowMillis / PERIOD_MILLIS);
    }

    /**
     * tcp_synq_no_recent_overflow, turned around: cookies are checked only within 2 minutes of the
     * last time the backlog was full. An ACK for no connection otherwise gets its RST at once, and a
     * blind attacker cannot make us try its guesses when no cookie can be valid.
     */
    static boolean cookiesRecentlySent(long lastOverflowAt, long now) {
        return lastOverflowAt >= 0 && now - lastOverflowAt <= MAX_AGE * PERIOD_MILLIS;
    }

    /** The ISN to send, and the MSS it encodes (the peer's, rounded down to the table). */
    record Cookie(int isn, int mss) {}

    /** An ACK's cookie checked: the MSS it encodes, or 0 and why it was refused. */
    record Checked(int mss, String reason) {
        boolean valid() { return mss > 0; }
    }

    /** The options a TSval encodes, when the SYN carried timestamps. windowShift -1: none asked. */
    record Options(int windowShift, boolean sack, boolean ecn) {}

    /**
     * __cookie_v4_init_sequence: the ISN of a SYN-ACK that keeps no state.
     *
     * @param peerMss the SYN's MSS option (536 without one, RFC 9293 MUST-15); below 536 it
     *                still encodes 536, as Linux's table starts there
     */
    Cookie isn(int saddr, int daddr, int sport, int dport, int peerIsn, int peerMss, int count) {
        return isn((k0, k1, c) -> hash(k0, k1, saddr, daddr, sport, dport, c), peerIsn, peerMss, count);
    }

    /**
     * The same for addresses of either version: IPv4's as above; IPv6's hash both 16-byte addresses
     * whole, as Linux's __cookie_v6_init_sequence does.
     */
    Cookie isn(IpAddress saddr, IpAddress daddr, int sport, int dport, int peerIsn, int peerMss, int count) {
        if (!saddr.isV6()) return isn(saddr.v4(), daddr.v4(), sport, dport, peerIsn, peerMss, count);
        return isn((k0, k1, c) -> hash6(k0, k1, saddr, daddr, sport, dport, c), peerIsn, peerMss, count);
    }

    /** The keyed hash of a connection's addresses and ports, and a count (0 for H0). */
    private interface TupleHash { int of(long k0, long k1, int count); }

    private Cookie isn(TupleHash h, int peerIsn, int peerMss, int count) {
        int index = MSS_TABLE.length - 1;
        while (index > 0 && peerMss < MSS_TABLE[index]) index--;
        int cookie = h.of(k00, k01, 0) + peerIsn + (count << COOKIE_BITS)
                + ((h.of(k10, k11, count) + index) & COOKIE_MASK);
        return new Cookie(cookie, MSS_TABLE[index]);
    }

    /**
     * __cookie_v4_check: is the ACK's acknowledgment number (less one) a cookie we made for this
     * 4-tuple and the peer's ISN (its sequence number less one), at most MAX_AGE - 1 minutes ago?
     */
    Checked check(int saddr, int daddr, int sport, int dport, Packets.Tcp ack, int count) {
        return check((k0, k1, c) -> hash(k0, k1, saddr, daddr, sport, dport, c), ack, count);
    }

    /** The same for addresses of either version (see the IpAddress isn). */
    Checked check(IpAddress saddr, IpAddress daddr, int sport, int dport, Packets.Tcp ack, int count) {
        if (!saddr.isV6()) return check(saddr.v4(), daddr.v4(), sport, dport, ack, count);
        return check((k0, k1, c) -> hash6(k0, k1, saddr, daddr, sport, dport, c), ack, count);
    }

    private Checked check(TupleHash h, Packets.Tcp ack, int count) {
        if (!ack.isAck() || ack.isRst() || ack.isSyn()) return new Checked(0, "not an ACK: no cookie to check");
        int cookie = ack.ack() - 1;
        int peerIsn = ack.seq() - 1;
        // Take off H0 and the peer's ISN: what is left is (count << 24) + (H1 + index mod 2^24)
        int rest = cookie - (h.of(k00, k01, 0) + peerIsn);
        int age = (count - (rest >>> COOKIE_BITS)) & (0xffffffff >>> COOKIE_BITS);
        if (age >= MAX_AGE) {
            return new Checked(0, "SYN cookie " + Seq.str(cookie) + " is " + age + " minutes old (at most " + (MAX_AGE - 1)
                    + "), or forged: refused");
        }
        int index = (rest - h.of(k10, k11, count - age)) & COOKIE_MASK;
        if (index >= MSS_TABLE.length) {
            return new Checked(0, "SYN cookie " + Seq.str(cookie) + " does not match this connection (forged, or for another"
                    + " 4-tuple or ISN): refused");
        }
        return new Checked(MSS_TABLE[index], null);
    }

    /** cookie_hash: SipHash-2-4 of (saddr, daddr, sport << 16 | dport, count), the low 32 bits. */
    private static int hash(long k0, long k1, int saddr, int daddr, int sport, int dport, int count) {
        return (int) SipHash.hash4(k0, k1, saddr, daddr, (sport & 0xffff) << 16 | (dport & 0xffff), count);
    }

    /** For IPv6: SipHash-2-4 of saddr, daddr (16 bytes each), sport << 16 | dport, count; the low 32 bits. */
    private static int hash6(long k0, long k1, IpAddress saddr, IpAddress daddr, int sport, int dport, int count) {
        byte[] message = java.nio.ByteBuffer.allocate(40).put(saddr.bytes()).put(daddr.bytes())
                .putInt((sport & 0xffff) << 16 | (dport & 0xffff)).putInt(count).array();
        return (int) SipHash.hash(k0, k1, message);
    }

    /**
     * cookie_init_timestamp: the TSval of the cookie SYN-ACK, tsNow with its low 6 bits replaced by
     * the options, never later than tsNow (64 earlier when the bits would make it later), so the
     * connection's later TSvals, read from its clock, never go back in time.
     *
     * Linux puts the bits into the TSval before it adds the connection's offset, and subtracts the
     * offset from the ACK's TSecr before it reads them. Ours go into the TSval as sent, so decoding
     * needs no offset; the rebuilt connection must still use the same clock offset as the SYN-ACK
     * did, so the stack's offset must be computable again from the ACK (a keyed hash of the
     * addresses, as Linux's secure_tcp_ts_off, or one offset for the whole stack).
     */
    static int timestamp(int tsNow, Options options) {
        if (options.windowShift() > 14) throw new IllegalArgumentException("window shift " + options.windowShift() + ": at most 14");
        int bits = options.windowShift() < 0 ? TS_WSCALE_MASK : options.windowShift();
        if (options.sack()) bits |= TS_SACK;
        if (options.ecn()) bits |= TS_ECN;
        int ts = (tsNow & -(1 << TS_BITS)) | bits;
        if ((ts & ((1 << TS_BITS) - 1)) > (tsNow & ((1 << TS_BITS) - 1))) ts -= 1 << TS_BITS;
        return ts;
    }

    /**
     * cookie_timestamp_decode: the options in the TSecr of a valid cookie ACK, or null with a reason
     * in refusal when one of them is turned off here (Linux refuses the cookie then: it would not
     * have offered it). An ACK without timestamps decodes to no options at all (Linux's
     * tcp_clear_options).
     */
    static Options decodeTimestamp(Packets.Tcp ack, boolean sackEnabled, boolean windowScalingEnabled, boolean ecnEnabled,
                                   StringBuilder refusal) {
        Packets.Timestamps ts = Timestamps.option(ack);
        if (ts == null) return new Options(-1, false, false);
        int bits = ts.echoReply();
        boolean sack = (bits & TS_SACK) != 0;
        int shift = (bits & TS_WSCALE_MASK) == TS_WSCALE_MASK ? -1 : bits & TS_WSCALE_MASK;
        boolean ecn = (bits & TS_ECN) != 0;
        if (sack && !sackEnabled) return refuse(refusal, "the cookie's TSecr says SACK, which is off here");
        if (shift >= 0 && !windowScalingEnabled) return refuse(refusal, "the cookie's TSecr says window scale, which is off here");
        if (shift > 14) return refuse(refusal, "the cookie's TSecr says window shift " + shift + " (at most 14)");
        // cookie_ecn_ok: ECN is used only if the bit is set and ECN is on here (not a refusal).
        return new Options(shift, sack, ecn && ecnEnabled);
    }

    private static Options refuse(StringBuilder refusal, String why) {
        if (refusal != null) refusal.append(why).append(": refused");
        return null;
    }
}
