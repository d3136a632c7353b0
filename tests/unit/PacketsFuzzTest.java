import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * A seeded, reproducible fuzz of Packets.parse. Whatever the bytes, parse must return a Packet or
 * throw Packets.Rejected (with a problem and a reason); anything else (IndexOutOfBounds,
 * BufferUnderflow, NegativeArraySize, ...) is a failure, printed with its category, iteration and
 * the input's hex. Every input is generated from its own Random(mix(SEED, category, iteration)),
 * so one failing input can be regenerated alone.
 *
 * Besides "no other exception", each input is checked against properties that follow from the
 * formats, not from Packets.java:
 *  - parse leaves the buffer's position and limit alone and reads nothing past the limit;
 *  - verifyTcpChecksum only adds the TCP checksum check: the two results agree otherwise;
 *  - an accepted packet's fields are the input's bytes at the RFC 791 / RFC 9293 offsets, its
 *    checksums verify with this file's own RFC 1071 sum, and it obeys every sanity rule;
 *  - BAD_IP_CHECKSUM / BAD_TCP_CHECKSUM only for checksums that are wrong by this file's own sum;
 *  - a valid packet cut short is refused for its length, and accepted at full length;
 *  - an accepted packet re-emits and re-parses to the same segment (checksum field aside).
 *
 * Usage: java PacketsFuzzTest [count]   (default 100000 inputs)
 */
final class PacketsFuzzTest {
    private PacketsFuzzTest() {}

    static final long SEED = 0x5eed_7c9_2025L;
    static final HexFormat HEX = HexFormat.of();
    static final Set<Packets.Problem> SANITY = EnumSet.of(Packets.Problem.BAD_SOURCE_ADDRESS);

    /** Counts and the first failures of one category of inputs. */
    static final class Stats {
        final String name;
        final int category;
        int inputs, accepted, failures, reemitted;
        final Map<Packets.Problem, Integer> problems = new EnumMap<>(Packets.Problem.class);
        final List<String> firstFailures = new ArrayList<>();

        Stats(String name, int category) { this.name = name; this.category = category; }

        void fail(int iteration, byte[] input, String what) {
            failures++;
            if (firstFailures.size() < 5)
                firstFailures.add(String.format("%n    seed 0x%x category %d (%s) iteration %d: %s%n      input %s",
                        SEED, category, name, iteration, what, HEX.formatHex(input)));
        }

        void report() {
            if (failures > 0)
                throw new Check.Failure(failures + " of " + inputs + " inputs failed:" + String.join("", firstFailures));
        }

        String summary() {
            return inputs + " inputs, " + accepted + " accepted, refused: " + problems;
        }
    }

    // A direct buffer reused for every input (allocating one per input would dominate the run time).
    static final ByteBuffer DIRECT = ByteBuffer.allocateDirect(512);
    static final ByteBuffer EMIT = ByteBuffer.allocate(512);
    static final Stats REEMIT = new Stats("re-emit", 9);

    public static void main(String[] args) {
        int count = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        Check.suite("PacketsFuzz");
        System.out.printf("seed 0x%x, %d inputs%n", SEED, count);
        long started = System.nanoTime();

        int random = count / 4, flips = count * 3 / 10, truncations = count / 10, options = count / 4;
        int ipv6 = count / 10;
        int extremes = count - random - flips - truncations - options - ipv6;

        Stats r = run("random bytes", 1, random, PacketsFuzzTest::randomBytes);
        Check.test(random + " random byte strings of 0..120 bytes: only Packet or Rejected", r::report);

        Stats f = run("flips", 2, flips, PacketsFuzzTest::flipped);
        Check.test(flips + " valid packets with 1-4 byte flips: only Packet or Rejected", f::report);

        Stats t = truncations(truncations);
        Check.test(truncations + " valid packets cut at every length: refused for length, accepted whole", t::report);

        Stats o = run("options", 4, options, PacketsFuzzTest::randomOptions);
        Check.test(options + " valid packets with random option bytes: only Packet or Rejected", o::report);

        Stats e = run("extremes", 5, extremes, PacketsFuzzTest::extremeFields);
        Check.test(extremes + " valid packets with header fields at extreme values: only Packet or Rejected", e::report);

        Stats v6 = run("ipv6", 6, ipv6, PacketsFuzzTest::ipv6Packet);
        Check.test(ipv6 + " IPv6 packets behind random extension headers, some with byte flips: only Packet or Rejected", v6::report);

        List<Stats> all = List.of(r, f, t, o, e, v6);
        Check.test(REEMIT.inputs + " accepted packets re-emit and re-parse to an equal segment", REEMIT::report);

        // Guards the fuzz itself: generators that only ever produce one kind of junk test nothing.
        Check.test("the fuzz reached acceptance and every Packets.Problem", () -> {
            Set<Packets.Problem> reached = EnumSet.noneOf(Packets.Problem.class);
            for (Stats s : all) reached.addAll(s.problems.keySet());
            Set<Packets.Problem> missing = EnumSet.allOf(Packets.Problem.class);
            missing.removeAll(reached);
            Check.isTrue(count < 10_000 || missing.isEmpty(), "inputs refused for " + missing);
            Check.isTrue(count < 10_000 || REEMIT.inputs > count / 20, "at least 5% accepted, got " + REEMIT.inputs);
        });

        for (Stats s : all) System.out.println("  " + s.name + ": " + s.summary());
        System.out.printf("PacketsFuzzTest: %d inputs (x2 parses) in %d ms%n",
                all.stream().mapToInt(s -> s.inputs).sum(), (System.nanoTime() - started) / 1_000_000);
        Check.finish();
    }

    interface Generator { byte[] make(Random r) throws Packets.Rejected; }

    static Stats run(String name, int category, int n, Generator generator) {
        Stats stats = new Stats(name, category);
        for (int i = 0; i < n; i++) {
            Random r = new Random(mix(SEED, category, i));
            byte[] input;
            try {
                input = generator.make(r);
            } catch (RuntimeException | Packets.Rejected ex) { // a broken generator must not pass silently
                stats.inputs++;
                stats.fail(i, new byte[0], "generator threw " + ex);
                continue;
            }
            examine(stats, i, input, r);
        }
        return stats;
    }

    /** Each generated valid packet cut at 0, 1, ..., its full length: one input per length. */
    static Stats truncations(int n) {
        Stats stats = new Stats("truncations", 3);
        int i = 0;
        for (int packet = 0; i < n; packet++) {
            Random r = new Random(mix(SEED, 3, packet));
            byte[] whole;
            try {
                whole = validPacket(r);
            } catch (RuntimeException | Packets.Rejected ex) {
                stats.inputs++;
                stats.fail(i++, new byte[0], "generator threw " + ex);
                continue;
            }
            for (int length = 0; length <= whole.length && i < n; length++, i++) {
                byte[] cut = Arrays.copyOf(whole, length);
                Object outcome = examine(stats, i, cut, r);
                int ihl = (whole[0] & 0x0f) * 4;
                Packets.Problem expected = length == whole.length ? null
                        : length < 20 ? Packets.Problem.TRUNCATED_IP_HEADER
                        : length < ihl ? Packets.Problem.BAD_IHL : Packets.Problem.BAD_TOTAL_LENGTH;
                Object got = outcome instanceof Packets.Rejected ? ((Packets.Rejected) outcome).problem
                        : outcome instanceof Packets.Packet ? null : outcome;
                if (got != expected && !"failed".equals(got))
                    stats.fail(i, cut, "cut at " + length + " of " + whole.length + ": expected "
                            + (expected == null ? "a Packet" : expected) + " but got " + (got == null ? "a Packet" : got));
            }
        }
        return stats;
    }

    // ================================================================ the checks, for one input

    /** Parses the input both ways and checks every property; returns the verifying parse's outcome. */
    static Object examine(Stats stats, int i, byte[] input, Random r) {
        stats.inputs++;
        ByteBuffer buf = place(input, r);
        int position = buf.position(), limit = buf.limit();

        Object verified = parseOrFailure(buf, true);
        if (buf.position() != position || buf.limit() != limit)
            stats.fail(i, input, "parse(true) moved position/limit " + position + "/" + limit + " to "
                    + buf.position() + "/" + buf.limit());
        buf.position(position).limit(limit);
        Object unverified = parseOrFailure(buf, false);
        if (buf.position() != position || buf.limit() != limit)
            stats.fail(i, input, "parse(false) moved position/limit");

        for (Object outcome : new Object[] {verified, unverified}) {
            if (outcome instanceof String) {
                stats.fail(i, input, (String) outcome);
                return "failed";
            }
            if (outcome instanceof Packets.Rejected) {
                Packets.Rejected rej = (Packets.Rejected) outcome;
                if (rej.problem == null || rej.reason() == null || rej.reason().isBlank())
                    stats.fail(i, input, "Rejected without problem or reason: " + rej.problem + " / " + rej.reason());
            }
        }

        // verifyTcpChecksum adds one check, and changes nothing else.
        if (verified instanceof Packets.Packet) {
            if (!verified.equals(unverified))
                stats.fail(i, input, "accepted when verifying, but parse(false) gave " + unverified);
        } else {
            Packets.Problem p = ((Packets.Rejected) verified).problem;
            if (p == Packets.Problem.BAD_TCP_CHECKSUM) {
                if (unverified instanceof Packets.Rejected && !SANITY.contains(((Packets.Rejected) unverified).problem))
                    stats.fail(i, input, "BAD_TCP_CHECKSUM when verifying, but without: " + ((Packets.Rejected) unverified).problem);
            } else if (!(unverified instanceof Packets.Rejected) || ((Packets.Rejected) unverified).problem != p) {
                stats.fail(i, input, p + " when verifying, but without: " + describe(unverified));
            }
        }

        // Checksum verdicts against this file's own RFC 1071 sum.
        if (verified instanceof Packets.Rejected) {
            Packets.Problem p = ((Packets.Rejected) verified).problem;
            stats.problems.merge(p, 1, Integer::sum);
            if (p == Packets.Problem.BAD_IP_CHECKSUM && ipChecksumOk(input))
                stats.fail(i, input, "BAD_IP_CHECKSUM, but the header sums to 0xffff");
            if (p == Packets.Problem.BAD_TCP_CHECKSUM && (isV6(input) ? tcpChecksumOk6(input) : tcpChecksumOk(input)))
                stats.fail(i, input, "BAD_TCP_CHECKSUM, but pseudo-header + segment sum to 0xffff");
        } else {
            stats.accepted++;
            checkAccepted(stats, i, input, (Packets.Packet) verified);
            reemit(i, input, (Packets.Packet) verified);
        }
        if (unverified instanceof Packets.Packet && !(verified instanceof Packets.Packet))
            checkAccepted(stats, i, input, (Packets.Packet) unverified);
        return verified;
    }

    /** A Packet, a Rejected, or a String that says what else happened. */
    static Object parseOrFailure(ByteBuffer buf, boolean verify) {
        try {
            Packets.Packet p = Packets.parse(buf, verify);
            return p == null ? "parse(" + verify + ") returned null" : p;
        } catch (Packets.Rejected rej) {
            return rej;
        } catch (Throwable t) {
            StackTraceElement at = Arrays.stream(t.getStackTrace())    // where in Packets.java, not in java.nio
                    .filter(e -> e.getClassName().startsWith("Packets")).findFirst().orElse(null);
            return "parse(" + verify + ") threw " + t + (at == null ? "" : " at " + at);
        }
    }

    /**
     * The input in a buffer, as parse may meet it: at a position other than 0, garbage past the
     * limit (which parse must not read), in a heap, direct, read-only or sliced buffer.
     */
    static ByteBuffer place(byte[] input, Random r) {
        int offset = r.nextInt(8), after = r.nextInt(8);
        byte[] garbage = new byte[offset + input.length + after];
        r.nextBytes(garbage);
        System.arraycopy(input, 0, garbage, offset, input.length);
        ByteBuffer buf;
        switch (r.nextInt(4)) {
            case 0: buf = ByteBuffer.wrap(garbage); break;
            case 1: buf = DIRECT.clear().put(garbage).clear(); break;
            case 2: buf = ByteBuffer.wrap(garbage).asReadOnlyBuffer(); break;
            default: return ByteBuffer.wrap(garbage).position(offset).slice().limit(input.length); // arrayOffset != 0
        }
        return buf.position(offset).limit(offset + input.length);
    }

    /** An accepted packet is what its bytes say, at the RFC offsets, and it breaks no rule. */
    static void checkAccepted(Stats stats, int i, byte[] in, Packets.Packet p) {
        if (p.ip() instanceof Packets.Ipv6) {
            checkAcceptedIpv6(stats, i, in, p);
            return;
        }
        List<String> wrong = new ArrayList<>();
        Packets.Ipv4 ip = p.ipv4();
        Packets.Tcp tcp = p.tcp();
        int ihl = (in[0] & 0x0f) * 4, total = u16(in, 2), t = ihl;
        expect(wrong, "version", 4, (in[0] & 0xff) >>> 4);
        expect(wrong, "ip header length", ihl, ip.headerLength());
        expect(wrong, "tos", in[1] & 0xff, ip.tos());
        expect(wrong, "total length", total, ip.totalLength());
        expect(wrong, "identification", u16(in, 4), ip.identification());
        expect(wrong, "flags/fragment", u16(in, 6), ip.flagsAndFragment());
        expect(wrong, "ttl", in[8] & 0xff, ip.ttl());
        expect(wrong, "protocol", 6, ip.protocol());
        expect(wrong, "ip checksum", u16(in, 10), ip.checksum());
        expect(wrong, "source", u32(in, 12), ip.source());
        expect(wrong, "destination", u32(in, 16), ip.destination());
        expect(wrong, "fragment bits", 0, ip.flagsAndFragment() & 0x3fff);
        expect(wrong, "source port", u16(in, t), tcp.sourcePort());
        expect(wrong, "destination port", u16(in, t + 2), tcp.destinationPort());
        expect(wrong, "seq", u32(in, t + 4), tcp.seq());
        expect(wrong, "ack", u32(in, t + 8), tcp.ack());
        expect(wrong, "data offset", (in[t + 12] & 0xff) >>> 4, tcp.dataOffset());
        expect(wrong, "reserved", in[t + 12] & 0x0f, tcp.reserved());
        expect(wrong, "flags", in[t + 13] & 0xff, tcp.flags());
        expect(wrong, "window", u16(in, t + 14), tcp.window());
        expect(wrong, "tcp checksum", u16(in, t + 16), tcp.checksum());
        expect(wrong, "urgent pointer", u16(in, t + 18), tcp.urgentPointer());
        int payloadStart = t + tcp.dataOffset() * 4;
        if (tcp.dataOffset() < 5 || payloadStart > total)
            wrong.add("data offset " + tcp.dataOffset() + " outside 5.." + (total - t) / 4);
        else if (!Arrays.equals(Arrays.copyOfRange(in, payloadStart, total), tcp.payload()))
            wrong.add("payload is not bytes " + payloadStart + ".." + total);
        int optionBytes = 0;
        for (Packets.TcpOption o : tcp.options()) optionBytes += o.length();
        if (optionBytes > tcp.dataOffset() * 4 - 20) wrong.add("options longer than the header: " + optionBytes);
        if (!ipChecksumOk(in)) wrong.add("accepted with a wrong IP checksum");
        if ((ip.source() >>> 28) == 0xe || ip.source() == -1) wrong.add("accepted source " + Packets.address(ip.source()));
        if (!wrong.isEmpty()) stats.fail(i, in, "accepted packet differs from its bytes: " + wrong);
    }

    /** emit(ip, tcp) then parse gives the same segment, and the same IPv4 fields emit keeps. */
    static void reemit(int i, byte[] input, Packets.Packet p) {
        REEMIT.inputs++;
        Packets.Tcp tcp = p.tcp();
        try {
            EMIT.clear();
            int n = Packets.emit(EMIT, p.ip(), tcp);
            byte[] wire = Arrays.copyOf(EMIT.array(), n);
            if (p.ip() instanceof Packets.Ipv6 x6) {
                if (!tcpChecksumOk6(wire)) REEMIT.fail(i, input, "emit wrote a wrong IPv6 TCP checksum: " + HEX.formatHex(wire));
                Packets.Packet again = Packets.parse(ByteBuffer.wrap(wire), true);
                Packets.Ipv6 y6 = (Packets.Ipv6) again.ip();
                Packets.Tcp a = again.tcp();
                Packets.Tcp expected = new Packets.Tcp(tcp.sourcePort(), tcp.destinationPort(), tcp.seq(), tcp.ack(),
                        tcp.dataOffset(), tcp.reserved(), tcp.flags(), tcp.window(), 0, tcp.urgentPointer(),
                        upToEol(tcp.options()), tcp.payload());
                Packets.Tcp got = new Packets.Tcp(a.sourcePort(), a.destinationPort(), a.seq(), a.ack(), a.dataOffset(),
                        a.reserved(), a.flags(), a.window(), 0, a.urgentPointer(), upToEol(a.options()), a.payload());
                if (!expected.equals(got)) REEMIT.fail(i, input, "re-parsed " + got + " != " + expected);
                if (x6.trafficClass() != y6.trafficClass() || x6.flowLabel() != y6.flowLabel() || x6.hopLimit() != y6.hopLimit()
                        || !x6.source().equals(y6.source()) || !x6.destination().equals(y6.destination()) || y6.headerLength() != 40)
                    REEMIT.fail(i, input, "re-parsed ip " + y6 + " != " + x6);
                return;
            }
            if (!ipChecksumOk(wire) || !tcpChecksumOk(wire)) {
                REEMIT.fail(i, input, "emit wrote a wrong checksum: " + HEX.formatHex(wire));
                return;
            }
            Packets.Packet again = Packets.parse(ByteBuffer.wrap(wire), true);
            Packets.Tcp a = again.tcp();
            Packets.Tcp expected = new Packets.Tcp(tcp.sourcePort(), tcp.destinationPort(), tcp.seq(), tcp.ack(),
                    tcp.dataOffset(), tcp.reserved(), tcp.flags(), tcp.window(), a.checksum(), tcp.urgentPointer(),
                    upToEol(tcp.options()), tcp.payload());
            Packets.Tcp got = new Packets.Tcp(a.sourcePort(), a.destinationPort(), a.seq(), a.ack(), a.dataOffset(),
                    a.reserved(), a.flags(), a.window(), a.checksum(), a.urgentPointer(), upToEol(a.options()), a.payload());
            if (!expected.equals(got))
                REEMIT.fail(i, input, "re-parsed " + got + " " + got.options() + " != " + expected + " " + expected.options());
            Packets.Ipv4 x = p.ipv4(), y = again.ipv4();
            if (x.tos() != y.tos() || x.identification() != y.identification()
                    || x.flagsAndFragment() != y.flagsAndFragment() || x.ttl() != y.ttl()
                    || x.source() != y.source() || x.destination() != y.destination() || y.headerLength() != 20)
                REEMIT.fail(i, input, "re-parsed ip " + y + " != " + x);
        } catch (Packets.Rejected rej) {
            REEMIT.fail(i, input, "re-emitted packet refused: " + rej.problem + ": " + rej.reason());
        } catch (RuntimeException ex) {
            REEMIT.fail(i, input, "re-emit threw " + ex);
        }
    }

    static List<Packets.TcpOption> upToEol(List<Packets.TcpOption> options) {
        List<Packets.TcpOption> kept = new ArrayList<>();
        for (Packets.TcpOption o : options) {
            kept.add(o);
            if (o instanceof Packets.EndOfList) break;
        }
        return kept;
    }

    static void expect(List<String> wrong, String field, long expected, long actual) {
        if (expected != actual) wrong.add(field + " " + actual + " (bytes say " + expected + ")");
    }

    static String describe(Object outcome) {
        if (outcome instanceof Packets.Rejected) return ((Packets.Rejected) outcome).problem.toString();
        return outcome instanceof Packets.Packet ? "accepted" : String.valueOf(outcome);
    }

    // ================================================================ generators

    /** Random bytes; half of them steered past the first checks (version/IHL, length, protocol, checksum). */
    static byte[] randomBytes(Random r) {
        byte[] b = new byte[r.nextInt(121)];
        r.nextBytes(b);
        if (r.nextBoolean() && b.length >= 20) {
            b[0] = (byte) (0x40 | 5 + r.nextInt(3));
            if (r.nextInt(4) != 0) put16(b, 2, b.length - r.nextInt(3));
            if (r.nextInt(4) != 0) b[9] = 6;
            if (r.nextInt(4) != 0) put16(b, 6, 0x4000);
            if (r.nextInt(4) != 0) repair(b);
        }
        return b;
    }

    /** A valid packet with 1 to 4 bytes changed; checksums repaired half the time to reach deeper. */
    static byte[] flipped(Random r) throws Packets.Rejected {
        byte[] b = validPacket(r);
        int flips = 1 + r.nextInt(4);
        for (int k = 0; k < flips; k++) b[r.nextInt(b.length)] ^= (byte) (1 + r.nextInt(255));
        if (r.nextBoolean()) repair(b);
        return b;
    }

    /** A valid packet whose TCP options area (1 to 10 words) is refilled with option-like bytes. */
    static byte[] randomOptions(Random r) throws Packets.Rejected {
        byte[] base = validPacket(r);
        int ihl = (base[0] & 0x0f) * 4, t = ihl, words = 1 + r.nextInt(10);
        int oldHeader = ((base[t + 12] & 0xff) >>> 4) * 4;
        int payload = base.length - t - oldHeader;
        byte[] b = new byte[t + 20 + words * 4 + payload];
        System.arraycopy(base, 0, b, 0, t + 20);
        System.arraycopy(base, t + oldHeader, b, t + 20 + words * 4, payload);
        int[] likely = {0, 1, 2, 3, 4, 8, 0, 1, 2, 3, 4, 5, 8, 10, 40, 255};
        for (int k = t + 20; k < t + 20 + words * 4; k++)
            b[k] = (byte) (r.nextInt(3) == 0 ? r.nextInt(256) : likely[r.nextInt(likely.length)]);
        b[t + 12] = (byte) ((5 + words) << 4 | (b[t + 12] & 0x0f));
        put16(b, 2, b.length);
        repair(b);
        return b;
    }

    /** A valid packet with 1 to 3 header fields set to 0, 1, the maximum, or a sign-bit value. */
    static byte[] extremeFields(Random r) throws Packets.Rejected {
        byte[] b = validPacket(r);
        int t = (b[0] & 0x0f) * 4;
        // {offset, width in bytes}; width 0 means a nibble: high (offset) or low (offset + 1000)
        int[][] fields = {{0, 0}, {1000, 0}, {1, 1}, {2, 2}, {4, 2}, {6, 2}, {8, 1}, {9, 1}, {10, 2}, {12, 4}, {16, 4},
                {t, 2}, {t + 2, 2}, {t + 4, 4}, {t + 8, 4}, {t + 12, 0}, {t + 1012, 0}, {t + 13, 1}, {t + 14, 2},
                {t + 16, 2}, {t + 18, 2}};
        long[] values = {0, 1, 0xffffffffL, 0xfffffffeL, 0x80000000L, 0x7fffffffL, 0x8000, 0x7fff, 0x80, 0x7f, 0xf, 0x8};
        int changes = 1 + r.nextInt(3);
        for (int k = 0; k < changes; k++) {
            int[] f = fields[r.nextInt(fields.length)];
            long v = values[r.nextInt(values.length)];
            if (f[1] == 0) {
                int at = f[0] % 1000;
                b[at] = f[0] >= 1000 ? (byte) (b[at] & 0xf0 | v & 0x0f) : (byte) (b[at] & 0x0f | (v & 0x0f) << 4);
            } else {
                for (int j = 0; j < f[1]; j++) b[f[0] + j] = (byte) (v >>> 8 * (f[1] - 1 - j));
            }
        }
        if (r.nextBoolean()) repair(b);
        return b;
    }

    /** A random packet that parse must accept, emitted by Packets.emit, sometimes with IP options. */
    static byte[] validPacket(Random r) throws Packets.Rejected {
        int source;
        do source = r.nextInt(); while ((source >>> 28) == 0xe || source == -1);
        int flags = r.nextInt(256); // every combination: what flags mean is not the parser's to judge
        List<Packets.TcpOption> options = new ArrayList<>();
        int optionBytes = 0;
        for (int k = r.nextInt(8); k > 0; k--) {
            Packets.TcpOption o = randomOption(r);
            if (optionBytes + o.length() > 40) break;
            options.add(o);
            optionBytes += o.length();
        }
        if (optionBytes < 40 && r.nextInt(4) == 0) { options.add(new Packets.EndOfList()); optionBytes++; }
        int dataOffset = 5 + (optionBytes + 3) / 4;
        if (dataOffset < 15 && r.nextInt(5) == 0) dataOffset += 1 + r.nextInt(15 - dataOffset); // zero padding words
        byte[] payload = new byte[r.nextInt(3) == 0 ? 0 : r.nextInt(80)];
        r.nextBytes(payload);
        Packets.Ipv4 ip = new Packets.Ipv4(r.nextInt(256), 0, r.nextInt(65536), r.nextBoolean() ? 0x4000 : 0,
                r.nextInt(256), 6, 0, source, r.nextInt(), 20);
        Packets.Tcp tcp = new Packets.Tcp(r.nextInt(65536), r.nextInt(65536), r.nextInt(), r.nextInt(),
                dataOffset, r.nextInt(4) == 0 ? r.nextInt(16) : 0, flags, r.nextInt(65536), 0,
                r.nextInt(4) == 0 ? r.nextInt(65536) : 0, options, payload);
        ByteBuffer out = ByteBuffer.allocate(256);
        byte[] b = Arrays.copyOf(out.array(), Packets.emit(out, ip, tcp));
        if (r.nextInt(5) == 0) b = withIpOptions(b, 1 + r.nextInt(10), r);
        Packets.parse(ByteBuffer.wrap(b), true); // must be valid: a Rejected here is a generator failure
        return b;
    }

    static Packets.TcpOption randomOption(Random r) {
        switch (r.nextInt(8)) {
            case 0: return new Packets.Mss(r.nextInt(65536));
            case 1: return new Packets.Nop();
            case 2: return new Packets.WindowScale(r.nextInt(256));
            case 3: return new Packets.SackPermitted();
            case 4: return new Packets.Timestamps(r.nextInt(), r.nextInt());
            case 5: {
                int[] edges = new int[2 * (1 + r.nextInt(3))];
                for (int i = 0; i < edges.length; i++) edges[i] = r.nextInt();
                return new Packets.Sack(edges);
            }
            default:
                int[] kinds = {6, 7, 9, 28, 29, 30, 34, 253, 254};
                byte[] data = new byte[r.nextInt(9)];
                r.nextBytes(data);
                return new Packets.Unknown(kinds[r.nextInt(kinds.length)], data);
        }
    }

    /** Inserts words*4 bytes of IP options (random: parse skips them) after the 20-byte IPv4 header. */
    static byte[] withIpOptions(byte[] packet, int words, Random r) {
        byte[] b = new byte[packet.length + words * 4];
        System.arraycopy(packet, 0, b, 0, 20);
        byte[] options = new byte[words * 4];
        r.nextBytes(options);
        System.arraycopy(options, 0, b, 20, options.length);
        System.arraycopy(packet, 20, b, 20 + options.length, packet.length - 20);
        b[0] = (byte) (0x40 | 5 + words);
        put16(b, 2, b.length);
        repair(b);
        return b;
    }

    // ================================================================ RFC 1071, this file's own

    /** Recomputes both checksums where the (possibly garbage) header lets one locate them. */
    static void repair(byte[] b) {
        if (b.length < 20) return;
        int ihl = (b[0] & 0x0f) * 4;
        if (ihl < 20 || ihl > b.length) return;
        put16(b, 10, 0);
        put16(b, 10, ~sum16(b, 0, ihl, 0) & 0xffff);
        int total = Math.min(u16(b, 2), b.length);
        if (total < ihl + 18) return;
        put16(b, ihl + 16, 0);
        put16(b, ihl + 16, ~sum16(b, ihl, total, pseudo(b, total - ihl)) & 0xffff);
    }

    // ================================================================ IPv6

    /**
     * An IPv6 packet: a valid IPv4 packet's segment moved behind an IPv6 header (random addresses,
     * traffic class, flow label, hop limit) and 0 to 3 extension headers (hop-by-hop first, then
     * routing or destination options, 8 to 24 bytes each); half of them get 1 to 3 byte flips in
     * the headers, and half of those their TCP checksum repaired.
     */
    static byte[] ipv6Packet(Random r) throws Packets.Rejected {
        Packets.Tcp tcp = Packets.parse(ByteBuffer.wrap(validPacket(r)), true).tcp();
        byte[] src = new byte[16], dst = new byte[16];
        r.nextBytes(src);
        r.nextBytes(dst);
        if ((src[0] & 0xff) == 0xff) src[0] = 0x20;
        Packets.Ipv6 ip = new Packets.Ipv6(r.nextInt(256), r.nextInt(1 << 20), 0, 6, r.nextInt(256),
                IpAddress.of(src), IpAddress.of(dst), 40);
        ByteBuffer out = ByteBuffer.allocate(512);
        byte[] plain = Arrays.copyOf(out.array(), Packets.emit(out, ip, tcp));
        int headers = r.nextInt(4);
        byte[] chain = new byte[0];
        int[] kinds = new int[headers];
        for (int k = 0; k < headers; k++) {
            kinds[k] = k == 0 && r.nextBoolean() ? 0 : r.nextBoolean() ? 43 : 60;
            int units = r.nextInt(3);
            byte[] h = new byte[8 * (units + 1)];
            r.nextBytes(h);
            h[1] = (byte) units;
            chain = concat(chain, h);
        }
        byte[] b = concat(Arrays.copyOf(plain, 40), chain, Arrays.copyOfRange(plain, 40, plain.length));
        int at = 40;
        int next = 6;
        for (int k = headers - 1; k >= 0; k--) { // each header names the one after it
            int offset = 40;
            for (int j = 0; j < k; j++) offset += ((b[offset + 1] & 0xff) + 1) * 8;
            b[offset] = (byte) next;
            next = kinds[k];
        }
        b[6] = (byte) next;
        put16(b, 4, b.length - at);
        if (r.nextBoolean()) {
            for (int k = 1 + r.nextInt(3); k > 0; k--) b[r.nextInt(Math.min(b.length, 40 + chain.length + 20))] ^= (byte) (1 + r.nextInt(255));
            if (r.nextBoolean()) repair6(b);
        }
        return b;
    }

    static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) n += p.length;
        byte[] b = new byte[n];
        int at = 0;
        for (byte[] p : parts) { System.arraycopy(p, 0, b, at, p.length); at += p.length; }
        return b;
    }

    static boolean isV6(byte[] b) { return b.length > 0 && (b[0] & 0xf0) == 0x60; }

    /** Where the TCP header starts behind the extension headers, by this file's own walk, or -1. */
    static int tcpStart6(byte[] b) {
        if (b.length < 40) return -1;
        int end = Math.min(b.length, 40 + u16(b, 4)), next = b[6] & 0xff, at = 40;
        while (next == 0 || next == 43 || next == 60) {
            if (at + 8 > end) return -1;
            next = b[at] & 0xff;
            at += ((b[at + 1] & 0xff) + 1) * 8;
        }
        return next == 6 && at <= end ? at : -1;
    }

    static boolean tcpChecksumOk6(byte[] b) {
        int t = tcpStart6(b);
        if (t < 0) return false;
        int end = 40 + u16(b, 4);
        return sum16(b, t, end, pseudo6(b, end - t)) == 0xffff;
    }

    static long pseudo6(byte[] b, int tcpLength) {
        long s = 6 + tcpLength;
        for (int i = 8; i < 40; i += 2) s += u16(b, i);
        return s;
    }

    static void repair6(byte[] b) {
        int t = tcpStart6(b);
        int end = 40 + u16(b, 4);
        if (t < 0 || end > b.length || end < t + 18) return;
        put16(b, t + 16, 0);
        put16(b, t + 16, ~sum16(b, t, end, pseudo6(b, end - t)) & 0xffff);
    }

    static void checkAcceptedIpv6(Stats stats, int i, byte[] in, Packets.Packet p) {
        List<String> wrong = new ArrayList<>();
        Packets.Ipv6 ip = (Packets.Ipv6) p.ip();
        Packets.Tcp tcp = p.tcp();
        int t = tcpStart6(in), end = 40 + u16(in, 4);
        expect(wrong, "version", 6, (in[0] & 0xff) >>> 4);
        expect(wrong, "traffic class", u32(in, 0) >>> 20 & 0xff, ip.trafficClass());
        expect(wrong, "flow label", u32(in, 0) & 0xfffff, ip.flowLabel());
        expect(wrong, "payload length", u16(in, 4), ip.payloadLength());
        expect(wrong, "hop limit", in[7] & 0xff, ip.hopLimit());
        expect(wrong, "header length (own walk)", t, ip.headerLength());
        if (!Arrays.equals(Arrays.copyOfRange(in, 8, 24), ip.source().bytes())) wrong.add("source");
        if (!Arrays.equals(Arrays.copyOfRange(in, 24, 40), ip.destination().bytes())) wrong.add("destination");
        if (t >= 0) {
            expect(wrong, "source port", u16(in, t), tcp.sourcePort());
            expect(wrong, "destination port", u16(in, t + 2), tcp.destinationPort());
            expect(wrong, "seq", u32(in, t + 4), tcp.seq());
            expect(wrong, "tcp checksum", u16(in, t + 16), tcp.checksum());
            int payloadStart = t + tcp.dataOffset() * 4;
            if (payloadStart > end || !Arrays.equals(Arrays.copyOfRange(in, payloadStart, end), tcp.payload()))
                wrong.add("payload is not bytes " + payloadStart + ".." + end);
        }
        if ((in[8] & 0xff) == 0xff) wrong.add("accepted a multicast source");
        if (!wrong.isEmpty()) stats.fail(i, in, "accepted IPv6 packet differs from its bytes: " + wrong);
    }

    static boolean ipChecksumOk(byte[] b) {
        if (b.length < 20) return false;
        int ihl = (b[0] & 0x0f) * 4;
        return ihl >= 20 && ihl <= b.length && sum16(b, 0, ihl, 0) == 0xffff;
    }

    /** The TCP checksum of the segment that the IP header's total length delimits. */
    static boolean tcpChecksumOk(byte[] b) {
        if (b.length < 20) return false;
        int ihl = (b[0] & 0x0f) * 4, total = u16(b, 2);
        return total <= b.length && total >= ihl && sum16(b, ihl, total, pseudo(b, total - ihl)) == 0xffff;
    }

    static long pseudo(byte[] b, int tcpLength) {
        return u16(b, 12) + u16(b, 14) + u16(b, 16) + u16(b, 18) + 6 + tcpLength;
    }

    static int sum16(byte[] b, int from, int to, long start) {
        long s = start;
        for (int i = from; i < to; i += 2) s += (b[i] & 0xff) << 8 | (i + 1 < to ? b[i + 1] & 0xff : 0);
        while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
        return (int) s;
    }

    static int u16(byte[] b, int at) { return (b[at] & 0xff) << 8 | (b[at + 1] & 0xff); }

    static int u32(byte[] b, int at) { return u16(b, at) << 16 | u16(b, at + 2); }

    static void put16(byte[] b, int at, int v) { b[at] = (byte) (v >>> 8); b[at + 1] = (byte) v; }

    /** SplitMix64 of (seed, category, iteration): independent, reproducible streams per input. */
    static long mix(long seed, int category, int iteration) {
        long z = seed + 0x9e3779b97f4a7c15L * ((long) category << 32 | iteration & 0xffffffffL);
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
