/**
 * RFC 6528 (RFC 9293 section 3.4.1): ISN = M + F(localip, localport, remoteip, remoteport,
 * secretkey). M moves with a 4-microsecond clock; F is keyed, so a third party who sees the ISNs of
 * its own connections learns nothing about another 4-tuple's, nor about another run's.
 */
final class IsnGeneratorTest {
    static final int A = 0xc6120001, B = 0xc6120002; // 198.18.0.1, 198.18.0.2

    public static void main(String[] args) {
        Check.suite("IsnGeneratorTest");

        Check.test("SipHash-2-4 reference vector: key 00..0f, message 00..0b -> 0x751e8fbc860ee5fb", () -> {
            // From the SipHash reference vectors (vectors.h, 12-byte entry: fb e5 0e 86 bc 8f 1e 75),
            // checked with an independent Python implementation that also reproduces the paper's
            // 15-byte example (0xa129ca6149be45e5).
            long k0 = 0x0706050403020100L, k1 = 0x0f0e0d0c0b0a0908L; // the key bytes, little-endian words
            Check.equal(0x751e8fbc860ee5fbL, IsnGenerator.sipHash24(k0, k1, 0x0001020304050607L, 0x08090a0bL), "SipHash-2-4");
        });

        Check.test("M: the same 4-tuple 4 microseconds later gets the next number", () -> {
            IsnGenerator g = new IsnGenerator();
            long t = 1_000_000_000L;
            Check.equal(1, g.isn(A, 5000, B, 40000, t + 4_000) - g.isn(A, 5000, B, 40000, t), "ISN step over 4 us");
            Check.equal(250_000, g.isn(A, 5000, B, 40000, t + 1_000_000_000L) - g.isn(A, 5000, B, 40000, t), "ISN step over 1 s");
        });

        Check.test("F: each of the four tuple fields changes the ISN", () -> {
            IsnGenerator g = new IsnGenerator();
            long t = 42;
            int base = g.isn(A, 5000, B, 40000, t);
            Check.isTrue(base != g.isn(A + 1, 5000, B, 40000, t), "local address matters");
            Check.isTrue(base != g.isn(A, 5001, B, 40000, t), "local port matters");
            Check.isTrue(base != g.isn(A, 5000, B + 1, 40000, t), "remote address matters");
            Check.isTrue(base != g.isn(A, 5000, B, 40001, t), "remote port matters");
        });

        Check.test("IPv6: every byte of both 16-byte addresses and each port changes the ISN; M still steps; IPv4 unchanged", () -> {
            IsnGenerator g = new IsnGenerator(0x0706050403020100L, 0x0f0e0d0c0b0a0908L);
            IpAddress a = IpAddress.parse("2001:db8::1"), b = IpAddress.parse("2001:db8::2");
            long t = 42;
            int base = g.isn(a, 5000, b, 40000, t);
            for (int i = 0; i < 16; i++) {
                byte[] changed = a.bytes();
                changed[i] ^= 1;
                Check.isTrue(base != g.isn(IpAddress.of(changed), 5000, b, 40000, t), "local address byte " + i);
                changed = b.bytes();
                changed[i] ^= 1;
                Check.isTrue(base != g.isn(a, 5000, IpAddress.of(changed), 40000, t), "remote address byte " + i);
            }
            Check.isTrue(base != g.isn(a, 5001, b, 40000, t), "local port matters");
            Check.isTrue(base != g.isn(a, 5000, b, 40001, t), "remote port matters");
            Check.isTrue(base != g.isn(b, 5000, a, 40000, t), "the two addresses are not interchangeable");
            Check.equal(1, g.isn(a, 5000, b, 40000, t + 4_000) - base, "ISN step over 4 us");
            Check.equal(g.isn(A, 5000, B, 40000, t), g.isn(IpAddress.v4(A), 5000, IpAddress.v4(B), 40000, t), "IPv4 as before");
        });

        Check.test("F: a secret key per run: two generators disagree on the same tuple and time", () -> {
            int same = 0;
            for (int i = 0; i < 100; i++) {
                if (new IsnGenerator().isn(A, 5000, B, 40000, 0) == new IsnGenerator().isn(A, 5000, B, 40000, 0)) same++;
            }
            Check.isTrue(same == 0, "100 pairs of runs all differ (" + same + " equal)");
        });

        Check.test("F: neighbouring ports give unrelated ISNs (each bit set about half the time)", () -> {
            IsnGenerator g = new IsnGenerator();
            int n = 4096;
            int[] ones = new int[32];
            int previous = g.isn(A, 5000, B, 1024, 0);
            int constantSteps = 0;
            for (int port = 1025; port < 1025 + n; port++) {
                int isn = g.isn(A, 5000, B, port, 0);
                if (isn - previous == 1) constantSteps++;
                previous = isn;
                for (int bit = 0; bit < 32; bit++) if ((isn >>> bit & 1) != 0) ones[bit]++;
            }
            for (int bit = 0; bit < 32; bit++) {
                // 4096 fair coin flips: 2048 +- 5 standard deviations (32)
                Check.isTrue(Math.abs(ones[bit] - n / 2) < 5 * 32, "bit " + bit + " set " + ones[bit] + " times of " + n);
            }
            Check.isTrue(constantSteps < 5, "ISNs of consecutive ports are not consecutive (" + constantSteps + ")");
        });

        Check.finish();
    }
}
