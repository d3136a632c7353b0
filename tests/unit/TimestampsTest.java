import java.util.ArrayList;
import java.util.List;

/**
 * Timestamps (RFC 7323: negotiation, TS.Recent and Last.ACK.sent, PAWS, RTTM), RttEstimator's
 * timestamp samples (Appendix G) and TimeWaitReopen (RFC 6191), with numbers worked out by hand.
 *
 * Run from the project directory:
 *   ./test.sh unit Timestamps   (no root needed)
 */
final class TimestampsTest {
    private TimestampsTest() {}

    static final int OFFSET = 1_000_000;
    static final long DAY = 24L * 60 * 60 * 1000;

    static Packets.Tcp segment(int seq, int ack, int flags, Packets.Timestamps ts, int dataBytes) {
        List<Packets.TcpOption> options = new ArrayList<>();
        if (ts != null) {
            options.add(new Packets.Nop());
            options.add(new Packets.Nop());
            options.add(ts);
        }
        return Packets.Tcp.of(40000, 5000, seq, ack, flags, 1000, options, new byte[dataBytes]);
    }

    static Packets.Timestamps ts(int value, int echo) {
        return new Packets.Timestamps(value, echo);
    }

    /**
     * A passive open with timestamps: the peer's SYN (seq 0, TSval 100), our SYN-ACK at time 0, the
     * peer's ACK (seq 1, TSval 101). Last.ACK.sent = 1, TS.Recent = 101.
     */
    static Timestamps established() {
        Timestamps t = new Timestamps(true, OFFSET);
        t.onSyn(segment(0, 0, Packets.SYN, ts(100, 0), 0), 0);
        Check.equal(ts(OFFSET, 100), t.synAckOption(1, 0), "SYN-ACK TSopt: our clock, echoing the SYN's TSval");
        Packets.Tcp ack = segment(1, 5001, Packets.ACK, ts(101, OFFSET), 0);
        Check.equal(Timestamps.Verdict.ACCEPT, t.check(ack, 1).verdict(), "the handshake's ACK");
        t.onAcceptable(ack, 1);
        return t;
    }

    public static void main(String[] args) {
        Check.suite("Timestamps");

        Check.test("5.4 the TSval clock: milliseconds plus the offset, wrapping modulo 2^32; a 10 ms tick", () -> {
            Timestamps t = new Timestamps(true, OFFSET);
            Check.equal(OFFSET + 1234, t.tsVal(1234), "1 ms tick");
            Check.equal((int) (0x1_0000_0005L + OFFSET), new Timestamps(true, OFFSET).tsVal(0x1_0000_0005L), "wraps");
            Check.equal(OFFSET + 123, new Timestamps(true, OFFSET, 10).tsVal(1234), "10 ms tick");
            Check.throwsA(IllegalArgumentException.class, () -> new Timestamps(true, 0, 1001), "a tick over 1 s");
            Check.throwsA(IllegalArgumentException.class, () -> new Timestamps(true, 0, 0), "a tick of 0");
        });

        Check.test("3.2 active open: TSopt in the SYN with TSecr 0; a SYN-ACK with one turns Snd.TS.OK on", () -> {
            Timestamps t = new Timestamps(true, OFFSET);
            Check.equal(ts(OFFSET + 5, 0), t.synOption(5), "SYN TSopt");
            Check.isTrue(!t.negotiated(), "not before the SYN-ACK");
            Check.equal(null, t.onSynAck(segment(7000, 1, Packets.SYN | Packets.ACK, ts(9000, OFFSET + 5), 0), 20), "SYN-ACK taken");
            Check.isTrue(t.negotiated(), "negotiated");
            Check.equal(9000, t.tsRecent(), "TS.Recent from the SYN-ACK");
            Check.equal(ts(OFFSET + 21, 9000), t.option(7001, true, 21), "the ACK echoes it");
            Check.equal(7001, t.lastAckSent(), "Last.ACK.sent");
        });

        Check.test("3.2 a SYN-ACK without TSopt: no timestamps on the connection, later TSopts ignored", () -> {
            Timestamps t = new Timestamps(true, OFFSET);
            t.synOption(0);
            Check.equal(null, t.onSynAck(segment(7000, 1, Packets.SYN | Packets.ACK, null, 0), 1), "SYN-ACK taken");
            Check.isTrue(!t.negotiated(), "not negotiated");
            Check.equal(null, t.option(7001, true, 2), "no TSopt on our segments");
            Check.equal(Timestamps.Verdict.ACCEPT, t.check(segment(7001, 1, Packets.ACK, ts(1, 0), 0), 3).verdict(),
                    "\"the TSopt MUST be ignored and the packet processed normally\"");
            Check.equal(-1L, t.rttSampleMillis(segment(7001, 1, Packets.ACK, ts(1, OFFSET), 0), 3), "no RTT sample");
        });

        Check.test("--no-timestamps: no TSopt in our SYN or SYN-ACK, and the peer's ignored", () -> {
            Timestamps t = new Timestamps(false, OFFSET);
            Check.equal(null, t.synOption(0), "SYN");
            t.onSyn(segment(0, 0, Packets.SYN, ts(100, 0), 0), 0);
            Check.equal(null, t.synAckOption(1, 0), "SYN-ACK");
            Check.isTrue(!t.negotiated(), "not negotiated");
        });

        Check.test("3.2 passive open: TSopt in the SYN-ACK only if the SYN carried one", () -> {
            Timestamps without = new Timestamps(true, OFFSET);
            without.onSyn(segment(0, 0, Packets.SYN, null, 0), 0);
            Check.equal(null, without.synAckOption(1, 0), "a SYN without TSopt");
            Check.isTrue(!without.negotiated(), "not negotiated");
            Timestamps with = established();
            Check.isTrue(with.negotiated(), "negotiated");
            Check.equal(101, with.tsRecent(), "TS.Recent from the ACK at Last.ACK.sent");
        });

        Check.test("a SYN-ACK whose TSecr no SYN of ours carried is dropped (Linux: PAWSACTIVEREJECTED)", () -> {
            Timestamps t = new Timestamps(true, OFFSET);
            t.synOption(100);   // TSval OFFSET + 100
            t.synOption(1100);  // retransmitted: OFFSET + 1100
            String future = t.onSynAck(segment(7000, 1, Packets.SYN | Packets.ACK, ts(9, OFFSET + 1201), 0), 1200);
            Check.isTrue(future != null && future.contains("TSecr " + (OFFSET + 1201)), "an echo from the future: " + future);
            String past = t.onSynAck(segment(7000, 1, Packets.SYN | Packets.ACK, ts(9, OFFSET + 99), 0), 1200);
            Check.isTrue(past != null, "an echo older than our first SYN");
            Check.isTrue(!t.negotiated(), "not negotiated by a rejected SYN-ACK");
            Check.equal(null, t.onSynAck(segment(7000, 1, Packets.SYN | Packets.ACK, ts(9, OFFSET + 100), 0), 1200), "the first SYN's echo");
            Check.isTrue(t.negotiated(), "negotiated");
            Timestamps zero = new Timestamps(true, OFFSET);
            zero.synOption(100);
            Check.equal(null, zero.onSynAck(segment(7000, 1, Packets.SYN | Packets.ACK, ts(9, 0), 0), 200), "TSecr 0 is let through, as Linux");
        });

        Check.test("5.3 R1 PAWS: an old duplicate (TSval older than TS.Recent) is dropped with an ACK and a reason", () -> {
            Timestamps t = established(); // TS.Recent 101
            Packets.Tcp data = segment(1, 5001, Packets.ACK, ts(150, OFFSET), 100);
            Check.equal(Timestamps.Verdict.ACCEPT, t.check(data, 50).verdict(), "newer TSval");
            t.onAcceptable(data, 50);
            t.option(101, true, 60); // our ACK: Last.ACK.sent = 101
            Check.equal(150, t.tsRecent(), "TS.Recent");
            // the same bytes, sent long ago (after a wrap of the sequence space): TSval 120
            Timestamps.Check old = t.check(segment(1, 5001, Packets.ACK, ts(120, OFFSET), 100), 70);
            Check.equal(Timestamps.Verdict.DROP_AND_ACK, old.verdict(), "R1");
            Check.equal("PAWS: TSval 120 is older than TS.Recent 150 (an old duplicate): sent ACK, dropped", old.reason(), "reason");
            Check.equal(Timestamps.Verdict.ACCEPT, t.check(segment(101, 5001, Packets.ACK, ts(150, OFFSET), 0), 70).verdict(),
                    "an equal TSval is not older");
        });

        Check.test("5.2 PAWS exceptions: an RST is never checked, nor does it change TS.Recent", () -> {
            Timestamps t = established();
            Packets.Tcp rst = segment(1, 5001, Packets.RST, ts(50, 0), 0);
            Check.equal(Timestamps.Verdict.ACCEPT, t.check(rst, 10).verdict(), "old TSval on an RST");
            t.onAcceptable(segment(1, 5001, Packets.RST, ts(5000, 0), 0), 10);
            Check.equal(101, t.tsRecent(), "TS.Recent unchanged by an RST");
        });

        Check.test("3.2 a non-RST segment without TSopt is processed normally, as Linux does (not the RFC's SHOULD drop)", () -> {
            Timestamps.Check c = established().check(segment(1, 5001, Packets.ACK, null, 10), 10);
            Check.equal(Timestamps.Verdict.ACCEPT, c.verdict(), "verdict");
        });

        Check.test("a SYN is left to the SYN rules (challenge ACK, TimeWaitReopen), even without TSopt or with an old TSval", () -> {
            Timestamps t = established();
            Check.equal(Timestamps.Verdict.ACCEPT, t.check(segment(9, 0, Packets.SYN, ts(5, 0), 0), 10).verdict(), "old TSval");
            Check.equal(Timestamps.Verdict.ACCEPT, t.check(segment(9, 0, Packets.SYN, null, 0), 10).verdict(), "no TSopt");
        });

        Check.test("a SYN cookie's ACK with timestamps: negotiated, TS.Recent from it, Last.ACK.sent its SEQ", () -> {
            Timestamps t = new Timestamps(true, OFFSET);
            t.onCookieAck(segment(5001, 777, Packets.ACK, ts(4242, OFFSET - 3), 0), 100);
            Check.isTrue(t.negotiated(), "negotiated");
            Check.equal(4242, t.tsRecent(), "TS.Recent");
            Check.equal(5001, t.lastAckSent(), "Last.ACK.sent");
            Check.equal(103L, t.rttSampleMillis(segment(5001, 777, Packets.ACK, ts(4243, OFFSET - 3), 0), 100), "RTT from the cookie SYN-ACK's TSval");
            Timestamps without = new Timestamps(true, OFFSET);
            without.onCookieAck(segment(5001, 777, Packets.ACK, null, 0), 100);
            Check.isTrue(!without.negotiated(), "an ACK without TSopt: none");
            Timestamps off = new Timestamps(false, OFFSET);
            off.onCookieAck(segment(5001, 777, Packets.ACK, ts(4242, 1), 0), 100);
            Check.isTrue(!off.negotiated(), "--no-timestamps");
        });

        Check.test("PAWS compares modulo 2^32: after TSval wraps, 0x10 is newer than 0xffffff00", () -> {
            Timestamps t = new Timestamps(true, 0);
            t.onSyn(segment(0, 0, Packets.SYN, ts(0xffffff00, 0), 0), 0);
            t.synAckOption(1, 0);
            Check.equal(Timestamps.Verdict.ACCEPT, t.check(segment(1, 1, Packets.ACK, ts(0x10, 0), 0), 1).verdict(), "wrapped, newer");
            Check.equal(Timestamps.Verdict.DROP_AND_ACK, t.check(segment(1, 1, Packets.ACK, ts(0xfffffe00, 0), 0), 1).verdict(), "older");
        });

        Check.test("5.5 after 24 days idle TS.Recent is invalid: the old TSval is taken and R3 records it", () -> {
            Timestamps t = established(); // TS.Recent 101, recorded at time 1
            Packets.Tcp wrapped = segment(1, 5001, Packets.ACK, ts(-5, OFFSET), 0); // the peer's clock moved its sign bit
            Check.equal(Timestamps.Verdict.DROP_AND_ACK, t.check(wrapped, 1 + 24 * DAY).verdict(), "exactly 24 days: still valid");
            Check.equal(Timestamps.Verdict.ACCEPT, t.check(wrapped, 2 + 24 * DAY).verdict(), "more than 24 days");
            t.onAcceptable(wrapped, 2 + 24 * DAY);
            Check.equal(-5, t.tsRecent(), "R3 recorded the new TSval");
        });

        Check.test("TS.Recent 0 is not valid (as Linux): a peer whose SYN carried TSval 0", () -> {
            Timestamps t = new Timestamps(true, 0);
            t.onSyn(segment(0, 0, Packets.SYN, ts(0, 0), 0), 0);
            t.synAckOption(1, 0);
            Check.equal(Timestamps.Verdict.ACCEPT, t.check(segment(1, 1, Packets.ACK, ts(0x90000000, 0), 0), 1).verdict(),
                    "a TSval 'older' than 0 is accepted");
        });

        Check.test("4.3 case A, delayed ACKs: TSecr echoes the earliest segment the ACK covers", () -> {
            Timestamps t = established(); // Last.ACK.sent 1
            Packets.Tcp a = segment(1, 5001, Packets.ACK, ts(200, OFFSET), 100);
            Packets.Tcp b = segment(101, 5001, Packets.ACK, ts(201, OFFSET), 100);
            t.onAcceptable(a, 10);
            t.onAcceptable(b, 11); // SEG.SEQ 101 > Last.ACK.sent 1: not recorded
            Check.equal(ts(OFFSET + 40, 200), t.option(201, true, 40), "one ACK for both echoes A's TSval");
            Check.equal(201, t.lastAckSent(), "Last.ACK.sent");
        });

        Check.test("4.3 case C, a hole filled: TSecr echoes the segment that filled it", () -> {
            Timestamps t = established();
            Packets.Tcp a = segment(1, 5001, Packets.ACK, ts(200, OFFSET), 100);
            t.onAcceptable(a, 10);
            t.option(101, true, 10); // ACK(A), TSecr 200
            // B (101..201, TSval 201) is lost; C arrives out of order
            t.onAcceptable(segment(201, 5001, Packets.ACK, ts(202, OFFSET), 100), 12);
            Check.equal(ts(OFFSET + 12, 200), t.option(101, true, 12), "the duplicate ACK still echoes A's");
            // B again (retransmitted, TSval 260): it fills the hole
            t.onAcceptable(segment(101, 5001, Packets.ACK, ts(260, OFFSET), 100), 70);
            Check.equal(ts(OFFSET + 70, 260), t.option(301, true, 70), "ACK(C) echoes the retransmission's TSval");
        });

        Check.test("3.2 TSecr is 0 on a segment without ACK; TSopt on every segment once negotiated", () -> {
            Timestamps t = established();
            Check.equal(ts(OFFSET + 9, 0), t.option(0, false, 9), "no ACK bit: TSecr 0");
            Check.equal(1, t.lastAckSent(), "Last.ACK.sent unchanged without an ACK field");
        });

        Check.test("4.1 RTTM: R = now - TSecr, only from the echo; none for TSecr 0 or an echo from the future", () -> {
            Timestamps t = established();
            Check.equal(37L, t.rttSampleMillis(segment(1, 5001, Packets.ACK, ts(300, OFFSET + 100), 0), 137), "R");
            Check.equal(-1L, t.rttSampleMillis(segment(1, 5001, Packets.ACK, ts(300, 0), 0), 137), "TSecr 0");
            Check.equal(-1L, t.rttSampleMillis(segment(1, 5001, Packets.ACK, ts(300, OFFSET + 200), 0), 137), "future");
            Timestamps coarse = new Timestamps(true, 0, 10);
            coarse.onSyn(segment(0, 0, Packets.SYN, ts(100, 0), 0), 0);
            coarse.synAckOption(1, 0);
            Check.equal(50L, coarse.rttSampleMillis(segment(1, 1, Packets.ACK, ts(101, coarse.tsVal(1000)), 0), 1050), "10 ms ticks");
        });

        Check.test("4.1 no Karn ambiguity: the ACK of a retransmission measures from the retransmission", () -> {
            Timestamps t = established();
            int first = t.option(1, true, 0).value();       // data sent at 0 ...
            int again = t.option(1, true, 1000).value();    // ... and again at 1000 (RTO)
            Check.isTrue(first != again, "two TSvals");
            // the peer echoes the TSval of the copy it got: the retransmission
            Check.equal(30L, t.rttSampleMillis(segment(1, 5101, Packets.ACK, ts(400, again), 0), 1030), "R from the copy that arrived");
            // or the first copy after all (the retransmission was spurious): measured from the first
            Check.equal(1030L, t.rttSampleMillis(segment(1, 5101, Packets.ACK, ts(400, first), 0), 1030), "R from the first copy");
        });

        Check.test("Appendix G: many samples per RTT shrink the gains by ExpectedSamples = ceil(FlightSize / 2 SMSS)", () -> {
            RttEstimator many = new RttEstimator(1000, 200, 60_000);
            many.timestampSample(100, 10_000, 1000);   // first sample: SRTT 100, RTTVAR 50
            Check.equal(100, many.srtt(), "SRTT");
            Check.equal(50, many.rttvar(), "RTTVAR");
            many.timestampSample(200, 10_000, 1000);   // ExpectedSamples 5: beta' 1/20, alpha' 1/40
            // RTTVAR = 19/20*50 + 1/20*100 = 52.5 -> 53; SRTT = 39/40*100 + 1/40*200 = 102.5 -> 103
            Check.equal(53, many.rttvar(), "RTTVAR with beta' = 1/20");
            Check.equal(103, many.srtt(), "SRTT with alpha' = 1/40");
            Check.equal(313, many.rto(), "RTO = ceil(102.5 + 4*52.5)");
            RttEstimator one = new RttEstimator(1000, 200, 60_000);
            one.timestampSample(100, 1000, 1000);
            one.timestampSample(200, 2000, 1000);      // ExpectedSamples 1: RFC 6298's gains
            Check.equal(63, one.rttvar(), "RTTVAR 62.5");
            Check.equal(113, one.srtt(), "SRTT 112.5");
        });

        Check.test("a timestamp sample ends a segment timing, so no sample counts twice", () -> {
            RttEstimator rtt = new RttEstimator(1000, 200, 60_000);
            rtt.onSend(1000, 0, false);
            rtt.timestampSample(100, 1000, 1000);
            Check.isTrue(!rtt.timing(), "timing stopped");
            Check.isTrue(!rtt.onAck(1000, 100), "no second sample from onAck");
        });

        timeWait();
        Check.finish();
    }

    static Packets.Tcp syn(int seq, Packets.Timestamps ts) {
        return segment(seq, 0, Packets.SYN, ts, 0);
    }

    static void timeWait() {
        Check.suite("TimeWaitReopen");
        // The old incarnation: RCV.NXT 1000 (past the peer's FIN), SND.NXT 7000, last TSval seen 5000.
        TimeWaitReopen.Previous withTs = new TimeWaitReopen.Previous(1000, 7000, true, 5000);
        TimeWaitReopen.Previous noTs = new TimeWaitReopen.Previous(1000, 7000, false, 0);

        Check.test("RFC 6191: a newer timestamp reopens, whatever the sequence number; ISS = SND.NXT + 65537", () -> {
            TimeWaitReopen.Decision d = TimeWaitReopen.decide(syn(500, ts(5001, 0)), withTs, true);
            Check.isTrue(d.reopen(), d.reason());
            Check.equal(7000 + 65537, d.newIss(), "ISS past the old connection's numbers (MAY-2 (1))");
            Check.equal("SYN in TIME-WAIT: SYN TSval 5001 vs the last one seen, 5000: newer: new connection, ISS 72537", d.reason(), "reason");
        });

        Check.test("RFC 6191: an older timestamp stays in TIME-WAIT even with a newer sequence number", () -> {
            TimeWaitReopen.Decision d = TimeWaitReopen.decide(syn(2000, ts(4999, 0)), withTs, true);
            Check.isTrue(!d.reopen(), d.reason());
            Check.isTrue(d.reason().contains("older (an old duplicate)"), d.reason());
        });

        Check.test("RFC 6191: an equal timestamp reopens only with a newer sequence number", () -> {
            Check.isTrue(TimeWaitReopen.decide(syn(1001, ts(5000, 0)), withTs, true).reopen(), "seq 1001 > RCV.NXT 1000");
            Check.isTrue(!TimeWaitReopen.decide(syn(1000, ts(5000, 0)), withTs, true).reopen(), "seq 1000 = RCV.NXT");
            Check.isTrue(!TimeWaitReopen.decide(syn(999, ts(5000, 0)), withTs, true).reopen(), "seq 999");
        });

        Check.test("RFC 6191: without timestamps for the new connection, the sequence number decides", () -> {
            Check.isTrue(TimeWaitReopen.decide(syn(1001, null), withTs, true).reopen(), "SYN without TSopt, newer seq");
            Check.isTrue(!TimeWaitReopen.decide(syn(1, null), withTs, true).reopen(), "SYN without TSopt, older seq");
            Check.isTrue(!TimeWaitReopen.decide(syn(1, ts(9999, 0)), withTs, false).reopen(), "--no-timestamps here: TSopt ignored");
            Check.isTrue(TimeWaitReopen.decide(syn(1001, ts(1, 0)), withTs, false).reopen(), "--no-timestamps here, newer seq");
        });

        Check.test("RFC 6191: the old connection had no timestamps: a SYN with them reopens, else the sequence number", () -> {
            Check.isTrue(TimeWaitReopen.decide(syn(1, ts(1, 0)), noTs, true).reopen(), "new connection with timestamps");
            Check.isTrue(TimeWaitReopen.decide(syn(1001, null), noTs, true).reopen(), "newer seq");
            Check.isTrue(!TimeWaitReopen.decide(syn(999, null), noTs, true).reopen(), "older seq");
        });

        Check.test("timestamps and sequence numbers compare modulo 2^32; the ISS is never 0", () -> {
            TimeWaitReopen.Previous late = new TimeWaitReopen.Previous(0xfffffff0, -65537, true, 0xfffffff0);
            TimeWaitReopen.Decision d = TimeWaitReopen.decide(syn(5, ts(5, 0)), late, true);
            Check.isTrue(d.reopen(), "TSval 5 is newer than 0xfffffff0");
            Check.equal(1, d.newIss(), "SND.NXT + 65537 wrapped to 0: 1");
            Check.throwsA(IllegalArgumentException.class,
                    () -> TimeWaitReopen.decide(segment(5, 1, Packets.SYN | Packets.ACK, null, 0), late, true), "a SYN-ACK");
        });
    }
}
