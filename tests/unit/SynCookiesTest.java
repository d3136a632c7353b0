import java.util.ArrayList;
import java.util.List;

/**
 * SipHash-2-4 against the reference vectors, and SynCookies (Linux's encoding): round trips, the
 * MSS table, the minute window, tampered and expired cookies, the options in the TSval.
 *
 * Run from the project directory:
 *   ./test.sh unit SynCookies   (no root needed)
 */
final class SynCookiesTest {
    private SynCookiesTest() {}

    // The reference key 00 01 .. 0f as SipHash's two little-endian words.
    static final long K0 = 0x0706050403020100L, K1 = 0x0f0e0d0c0b0a0908L;

    static final int PEER = 0xc6120002, US = 0xc6120001; // 198.18.0.2 -> 198.18.0.1
    static final int PEER_PORT = 40000, OUR_PORT = 5000;

    static final SynCookies COOKIES = new SynCookies(0x243f6a8885a308d3L, 0x13198a2e03707344L, 0xa4093822299f31d0L, 0x082efa98ec4e6c89L);

    static byte[] counting(int length) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) b[i] = (byte) i;
        return b;
    }

    /** The ACK completing the handshake: SEQ = the peer's ISN + 1, ACK = the cookie + 1. */
    static Packets.Tcp ack(int peerIsn, int cookie, Packets.Timestamps ts) {
        List<Packets.TcpOption> options = new ArrayList<>();
        if (ts != null) options.add(ts);
        return Packets.Tcp.of(PEER_PORT, OUR_PORT, peerIsn + 1, cookie + 1, Packets.ACK, 502, options, null);
    }

    static SynCookies.Checked check(Packets.Tcp ack, int count) {
        return COOKIES.check(PEER, US, PEER_PORT, OUR_PORT, ack, count);
    }

    public static void main(String[] args) {
        Check.suite("SipHash");

        Check.test("reference vectors (vectors.h): key 00..0f, messages 00.., lengths 0, 8, 12, 15, 16", () -> {
            // the vectors' bytes are the little-endian output
            Check.equal(0x726fdb47dd0e0e31L, SipHash.hash(K0, K1, counting(0)), "length 0: 31 0e 0e dd 47 db 6f 72");
            Check.equal(0x93f5f5799a932462L, SipHash.hash(K0, K1, counting(8)), "length 8: 62 24 93 9a 79 f5 f5 93");
            Check.equal(0x751e8fbc860ee5fbL, SipHash.hash(K0, K1, counting(12)), "length 12: fb e5 0e 86 bc 8f 1e 75");
            Check.equal(0xa129ca6149be45e5L, SipHash.hash(K0, K1, counting(15)), "length 15, the paper's example");
            Check.equal(0x3f2acc7f57c29bdbL, SipHash.hash(K0, K1, counting(16)), "length 16: db 9b c2 57 7f cc 2a 3f");
        });

        Check.test("hash4 is the 16-byte message of four little-endian words, as Linux's siphash_4u32", () -> {
            // bytes 00..0f are the words 0x03020100, 0x07060504, 0x0b0a0908, 0x0f0e0d0c
            Check.equal(0x3f2acc7f57c29bdbL, SipHash.hash4(K0, K1, 0x03020100, 0x07060504, 0x0b0a0908, 0x0f0e0d0c), "hash4");
        });

        Check.test("IsnGenerator's SipHash is the same function", () -> {
            Check.equal(0x751e8fbc860ee5fbL, IsnGenerator.sipHash24(K0, K1, 0x0001020304050607L, 0x08090a0bL), "12 bytes");
        });

        Check.suite("SynCookies");

        Check.test("round trip: the ACK of a cookie SYN-ACK gives back the MSS, in the same minute and the next", () -> {
            int peerIsn = 0x12345678, count = 29_000_000;
            SynCookies.Cookie c = COOKIES.isn(PEER, US, PEER_PORT, OUR_PORT, peerIsn, 1460, count);
            Check.equal(1460, c.mss(), "MSS 1460 is in the table");
            Check.equal(new SynCookies.Checked(1460, null), check(ack(peerIsn, c.isn(), null), count), "same minute");
            Check.equal(new SynCookies.Checked(1460, null), check(ack(peerIsn, c.isn(), null), count + 1), "next minute");
        });

        Check.test("the cookie depends on the 4-tuple, the peer's ISN, the minute and the keys, and on nothing else", () -> {
            int count = 0x1234_56ab;
            int isn = COOKIES.isn(PEER, US, PEER_PORT, OUR_PORT, 7, 1460, count).isn();
            Check.equal(isn, COOKIES.isn(PEER, US, PEER_PORT, OUR_PORT, 7, 1460, count).isn(), "same inputs, same cookie");
            Check.isTrue(isn != COOKIES.isn(PEER, US, PEER_PORT + 1, OUR_PORT, 7, 1460, count).isn(), "port");
            Check.isTrue(isn != COOKIES.isn(PEER + 1, US, PEER_PORT, OUR_PORT, 7, 1460, count).isn(), "address");
            Check.isTrue(isn != COOKIES.isn(PEER, US, PEER_PORT, OUR_PORT, 8, 1460, count).isn(), "peer ISN");
            Check.isTrue(isn != COOKIES.isn(PEER, US, PEER_PORT, OUR_PORT, 7, 1460, count + 1).isn(), "minute");
            Check.isTrue(isn != new SynCookies(1, 2, 3, 4).isn(PEER, US, PEER_PORT, OUR_PORT, 7, 1460, count).isn(), "keys");
        });

        Check.test("msstab: the peer's MSS rounded down to 536, 1300, 1440 or 1460 (under 536: 536, as Linux)", () -> {
            int[][] cases = {{1460, 1460}, {9000, 1460}, {1459, 1440}, {1452, 1440}, {1440, 1440}, {1439, 1300},
                    {1300, 1300}, {1299, 536}, {536, 536}, {100, 536}};
            for (int[] c : cases) {
                SynCookies.Cookie cookie = COOKIES.isn(PEER, US, PEER_PORT, OUR_PORT, 99, c[0], 5);
                Check.equal(c[1], cookie.mss(), "MSS " + c[0]);
                Check.equal(c[1], check(ack(99, cookie.isn(), null), 5).mss(), "decoded for MSS " + c[0]);
            }
        });

        Check.test("expired: a cookie 2 minutes old is refused, and one from the future", () -> {
            SynCookies.Cookie c = COOKIES.isn(PEER, US, PEER_PORT, OUR_PORT, 1000, 1460, 500);
            SynCookies.Checked old = check(ack(1000, c.isn(), null), 502);
            Check.isTrue(!old.valid(), "2 minutes later");
            Check.isTrue(old.reason().contains("2 minutes old (at most 1)"), old.reason());
            Check.isTrue(!check(ack(1000, c.isn(), null), 499).valid(), "a minute before it was made");
        });

        Check.test("the counter wraps: made in minute 0xff, checked in 0x100", () -> {
            SynCookies.Cookie c = COOKIES.isn(PEER, US, PEER_PORT, OUR_PORT, 1000, 1300, 0xff);
            Check.equal(1300, check(ack(1000, c.isn(), null), 0x100).mss(), "valid");
        });

        Check.test("tampered: every single-bit change of the cookie (but the 2 MSS bits) is refused", () -> {
            int peerIsn = -5, count = 77;
            SynCookies.Cookie c = COOKIES.isn(PEER, US, PEER_PORT, OUR_PORT, peerIsn, 1440, count);
            for (int bit = 2; bit < 32; bit++) {
                SynCookies.Checked t = check(ack(peerIsn, c.isn() ^ (1 << bit), null), count);
                Check.isTrue(!t.valid(), "bit " + bit + " flipped: " + t);
            }
            // The low 2 bits are the MSS index itself: a change there is another MSS from the table,
            // Linux's design too (the MSS is not secret, and a peer can claim any MSS in its SYN).
            Check.equal(1460, check(ack(peerIsn, c.isn() + 1, null), count).mss(), "index + 1");
        });

        Check.test("IPv6: a cookie over both 16-byte addresses checks, another address byte or port does not; IPv4 as before", () -> {
            IpAddress peer = IpAddress.parse("2001:db8::2"), us = IpAddress.parse("2001:db8::1");
            int peerIsn = 4242, count = 9;
            SynCookies.Cookie c = COOKIES.isn(peer, us, PEER_PORT, OUR_PORT, peerIsn, 1440, count);
            Check.equal(1440, COOKIES.check(peer, us, PEER_PORT, OUR_PORT, ack(peerIsn, c.isn(), null), count).mss(), "valid, MSS 1440");
            for (int i = 0; i < 16; i++) {
                byte[] other = peer.bytes();
                other[i] ^= 0x40;
                Check.isTrue(!COOKIES.check(IpAddress.of(other), us, PEER_PORT, OUR_PORT, ack(peerIsn, c.isn(), null), count).valid(),
                        "peer address byte " + i);
            }
            Check.isTrue(!COOKIES.check(peer, us, PEER_PORT + 1, OUR_PORT, ack(peerIsn, c.isn(), null), count).valid(), "port");
            Check.equal(COOKIES.isn(PEER, US, PEER_PORT, OUR_PORT, peerIsn, 1460, count),
                    COOKIES.isn(IpAddress.v4(PEER), IpAddress.v4(US), PEER_PORT, OUR_PORT, peerIsn, 1460, count), "IPv4 unchanged");
        });

        Check.test("tampered: another peer ISN, port or address makes the cookie worthless", () -> {
            int peerIsn = 4242, count = 9;
            SynCookies.Cookie c = COOKIES.isn(PEER, US, PEER_PORT, OUR_PORT, peerIsn, 1460, count);
            Check.isTrue(!check(ack(peerIsn + 1000, c.isn(), null), count).valid(), "another ISN");
            Check.isTrue(!COOKIES.check(PEER, US, PEER_PORT + 1, OUR_PORT, ack(peerIsn, c.isn(), null), count).valid(), "port");
            Check.isTrue(!COOKIES.check(PEER ^ 0x100, US, PEER_PORT, OUR_PORT, ack(peerIsn, c.isn(), null), count).valid(), "address");
            SynCookies.Checked forged = new SynCookies(1, 2, 3, 4).check(PEER, US, PEER_PORT, OUR_PORT, ack(peerIsn, c.isn(), null), count);
            Check.isTrue(!forged.valid(), "another secret");
            Check.isTrue(forged.reason().contains("refused"), forged.reason());
        });

        Check.test("random guesses: none of 100,000 acknowledgment numbers passes", () -> {
            java.util.Random random = new java.util.Random(1);
            int passed = 0;
            for (int i = 0; i < 100_000; i++) if (check(ack(1, random.nextInt(), null), 1000).valid()) passed++;
            // a guess passes with probability 2 (minutes) * 4 (MSS) / 2^32: about 0.0002 in 100,000
            Check.equal(0, passed, "guesses accepted");
        });

        Check.test("a RST or SYN is no cookie ACK", () -> {
            SynCookies.Cookie c = COOKIES.isn(PEER, US, PEER_PORT, OUR_PORT, 1, 1460, 1);
            Packets.Tcp rst = Packets.Tcp.of(PEER_PORT, OUR_PORT, 2, c.isn() + 1, Packets.ACK | Packets.RST, 0, List.of(), null);
            Check.isTrue(!check(rst, 1).valid(), "RST");
        });

        Check.test("cookie_init_timestamp: options in the low 6 bits, never later than the clock", () -> {
            SynCookies.Options all = new SynCookies.Options(7, true, true); // 7 | SACK 0x10 | ECN 0x20 = 0x37
            Check.equal(0x12345677, SynCookies.timestamp(0x12345678, all), "low bits 0x38 >= 0x37: same 64-block");
            Check.equal(0x123455f7, SynCookies.timestamp(0x12345601, all), "low bits 0x01 < 0x37: the block before");
            Check.equal(0x1234564f, SynCookies.timestamp(0x1234567f, new SynCookies.Options(-1, false, false)), "no window scale: 0xf");
            Check.equal(0xfffffff7, SynCookies.timestamp(5, all), "wraps below 0");
            Check.isTrue(Seq.le(SynCookies.timestamp(5, all), 5), "not later than the clock, modulo 2^32");
            Check.throwsA(IllegalArgumentException.class, () -> SynCookies.timestamp(0, new SynCookies.Options(15, false, false)), "shift 15");
        });

        Check.test("cookie_timestamp_decode: the TSecr of the ACK gives back window scale, SACK and ECN", () -> {
            for (int shift = -1; shift <= 14; shift++) {
                for (int flags = 0; flags < 4; flags++) {
                    SynCookies.Options o = new SynCookies.Options(shift, (flags & 1) != 0, (flags & 2) != 0);
                    int tsval = SynCookies.timestamp(0x40000000 + 1234 * shift + 77 * flags, o);
                    Packets.Tcp a = ack(1, 2, new Packets.Timestamps(555, tsval));
                    Check.equal(o, SynCookies.decodeTimestamp(a, true, true, true, null), "options " + o);
                }
            }
        });

        Check.test("decode: no timestamps, no options; an option that is off here refuses the cookie, as Linux", () -> {
            Check.equal(new SynCookies.Options(-1, false, false), SynCookies.decodeTimestamp(ack(1, 2, null), true, true, true, null), "no TSopt");
            int tsval = SynCookies.timestamp(0x40000000, new SynCookies.Options(7, true, true));
            Packets.Tcp a = ack(1, 2, new Packets.Timestamps(555, tsval));
            StringBuilder why = new StringBuilder();
            Check.equal(null, SynCookies.decodeTimestamp(a, false, true, true, why), "--no-sack");
            Check.isTrue(why.toString().contains("SACK"), why.toString());
            Check.equal(null, SynCookies.decodeTimestamp(a, true, false, true, null), "--no-window-scaling");
            Check.equal(new SynCookies.Options(7, true, false), SynCookies.decodeTimestamp(a, true, true, false, null), "--no-ecn: no ECN, not refused");
        });

        Check.test("cookies are checked only within 2 minutes of the last overflow", () -> {
            Check.isTrue(!SynCookies.cookiesRecentlySent(-1, 0), "never overflowed");
            Check.isTrue(SynCookies.cookiesRecentlySent(1000, 121_000), "120 s later");
            Check.isTrue(!SynCookies.cookiesRecentlySent(1000, 121_001), "later");
            Check.equal(2, SynCookies.counter(179_999), "minute counter");
        });

        Check.test("end to end: a SYN with every option, the stateless SYN-ACK, the ACK, the connection's options back", () -> {
            long now = 3_600_000;
            int count = SynCookies.counter(now);
            Timestamps clock = new Timestamps(true, 0x5000_0000);
            // the peer's SYN: MSS 1460, SACK-permitted, TSval 9999, window scale 7, ECE+CWR
            int peerIsn = 0xdeadbeef;
            Packets.Tcp syn = Packets.Tcp.of(PEER_PORT, OUR_PORT, peerIsn, 0, Packets.SYN | Packets.ECE | Packets.CWR, 64240,
                    TcpOptionLayout.syn(1460, 7, true, new Packets.Timestamps(9999, 0)), null);
            // the backlog is full: nothing is kept
            SynCookies.Cookie c = COOKIES.isn(PEER, US, PEER_PORT, OUR_PORT, syn.seq(), syn.mss(), count);
            SynCookies.Options asked = new SynCookies.Options(7, syn.sackPermitted(), true);
            int tsVal = SynCookies.timestamp(clock.tsVal(now), asked);
            List<Packets.TcpOption> synAckOptions = TcpOptionLayout.syn(1460, 8, true, new Packets.Timestamps(tsVal, 9999));
            Check.equal(20, TcpOptionLayout.length(synAckOptions), "a full SYN-ACK: MSS, SACK_PERM+TS, NOP WS");
            // 40 ms later the peer's ACK echoes the TSval
            Packets.Tcp ack = Packets.Tcp.of(PEER_PORT, OUR_PORT, peerIsn + 1, c.isn() + 1, Packets.ACK, 502,
                    TcpOptionLayout.segment(new Packets.Timestamps(10039, tsVal), new int[0]), null);
            Check.isTrue(SynCookies.cookiesRecentlySent(now, now + 40), "within 2 minutes of the overflow");
            SynCookies.Checked m = COOKIES.check(PEER, US, PEER_PORT, OUR_PORT, ack, SynCookies.counter(now + 40));
            Check.equal(1460, m.mss(), "send MSS");
            SynCookies.Options back = SynCookies.decodeTimestamp(ack, true, true, true, null);
            Check.equal(asked, back, "window scale 7, SACK, ECN");
            Timestamps rebuilt = new Timestamps(true, 0x5000_0000);
            rebuilt.onCookieAck(ack, now + 40);
            Check.isTrue(rebuilt.negotiated(), "timestamps on");
            Check.equal(10039, rebuilt.tsRecent(), "TS.Recent");
            long rtt = rebuilt.rttSampleMillis(ack, now + 40);
            Check.isTrue(rtt >= 40 && rtt < 40 + 64, "RTT from the SYN-ACK, up to 63 ms early by the encoding: " + rtt);
            Ecn ecn = new Ecn(true);
            ecn.onCookieAck(back.ecn());
            Check.isTrue(ecn.negotiated(), "ECN on");
        });

        Check.finish();
    }
}
