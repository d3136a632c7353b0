/**
 * RttEstimator against RFC 6298, with exact numbers worked out by hand in each test.
 *
 * Run from the project directory:
 *   ./test.sh unit RttEstimator   (no root needed)
 */
final class RttEstimatorTest {
    private RttEstimatorTest() {}

    /** The RFC's values: RTO 1 s initially, at least 200 ms (Linux's floor), at most 60 s. */
    static RttEstimator estimator() {
        return new RttEstimator(1000, 200, 60_000);
    }

    /** Sends a segment ending at endSeq at time sent, acknowledges it at time acked. */
    static void roundTrip(RttEstimator rtt, int endSeq, long sent, long acked) {
        rtt.onSend(endSeq, sent, false);
        Check.isTrue(rtt.onAck(endSeq, acked), "a sample from the ACK of " + endSeq);
    }

    public static void main(String[] args) {
        Check.suite("RttEstimator");

        Check.test("(2.1) before any measurement RTO is the initial value and SRTT, RTTVAR are unknown", () -> {
            RttEstimator rtt = estimator();
            Check.equal(1000, rtt.rto(), "RTO");
            Check.equal(-1, rtt.srtt(), "SRTT");
            Check.equal(-1, rtt.rttvar(), "RTTVAR");
            Check.isTrue(!rtt.hasSample(), "no sample");
        });

        Check.test("(2.2) first sample R: SRTT <- R, RTTVAR <- R/2, RTO <- SRTT + max(G, K*RTTVAR)", () -> {
            RttEstimator rtt = estimator();
            roundTrip(rtt, 1000, 5000, 5100); // R = 100
            Check.equal(100, rtt.srtt(), "SRTT");
            Check.equal(50, rtt.rttvar(), "RTTVAR");
            Check.equal(300, rtt.rto(), "RTO = 100 + 4*50");
        });

        Check.test("(2.3) later samples with alpha 1/8, beta 1/4, RTTVAR updated with the old SRTT", () -> {
            RttEstimator rtt = estimator();
            roundTrip(rtt, 1000, 0, 100);   // R = 100: SRTT 100, RTTVAR 50
            roundTrip(rtt, 2000, 100, 300); // R' = 200
            // RTTVAR = 3/4*50 + 1/4*|100-200| = 62.5 -> 63; SRTT = 7/8*100 + 1/8*200 = 112.5 -> 113
            Check.equal(63, rtt.rttvar(), "RTTVAR after 200");
            Check.equal(113, rtt.srtt(), "SRTT after 200");
            Check.equal(363, rtt.rto(), "RTO = ceil(112.5 + 4*62.5)");
            roundTrip(rtt, 3000, 300, 400); // R' = 100
            // RTTVAR = 3/4*62.5 + 1/4*|112.5-100| = 50; SRTT = 7/8*112.5 + 1/8*100 = 110.9375 -> 111
            Check.equal(50, rtt.rttvar(), "RTTVAR after 100");
            Check.equal(111, rtt.srtt(), "SRTT after 100");
            Check.equal(311, rtt.rto(), "RTO = ceil(110.9375 + 200)");
        });

        Check.test("rounding goes up: SRTT 1.125 ms reads 2, RTTVAR 0.5 ms reads 1, RTO ceil(3.625) = 4", () -> {
            RttEstimator rtt = new RttEstimator(1000, 1, 60_000);
            roundTrip(rtt, 10, 0, 1); // R = 1: SRTT 1, RTTVAR 0.5
            Check.equal(1, rtt.srtt(), "SRTT");
            Check.equal(1, rtt.rttvar(), "RTTVAR 0.5 rounded up");
            Check.equal(3, rtt.rto(), "RTO = 1 + max(1, 4*0.5)");
            roundTrip(rtt, 20, 1, 3); // R' = 2: RTTVAR = 0.625, SRTT = 1.125
            Check.equal(2, rtt.srtt(), "SRTT 1.125 rounded up");
            Check.equal(1, rtt.rttvar(), "RTTVAR 0.625 rounded up");
            Check.equal(4, rtt.rto(), "RTO = ceil(1.125 + 2.5)");
            RttEstimator odd = new RttEstimator(1000, 1, 60_000);
            roundTrip(odd, 10, 0, 3); // R = 3: RTTVAR = 1.5
            Check.equal(2, odd.rttvar(), "RTTVAR = ceil(3/2)");
            Check.equal(9, odd.rto(), "RTO = 3 + 4*1.5");
        });

        Check.test("(2.4) a computed RTO below the minimum is raised to the minimum", () -> {
            RttEstimator rtt = estimator();
            roundTrip(rtt, 1000, 0, 10); // 10 + 4*5 = 30
            Check.equal(200, rtt.rto(), "RTO");
            Check.equal(10, rtt.srtt(), "SRTT is not clamped");
        });

        Check.test("G: RTO is at least SRTT + G (1 ms) when RTTVAR is zero", () -> {
            RttEstimator rtt = new RttEstimator(1000, 1, 60_000);
            roundTrip(rtt, 10, 0, 0); // R = 0
            Check.equal(1, rtt.rto(), "RTO = 0 + max(1, 0)");
        });

        Check.test("(5.5) each retransmission timeout doubles RTO, capped at the maximum (2.5)", () -> {
            RttEstimator rtt = estimator();
            long[] expected = {2000, 4000, 8000, 16000, 32000, 60000, 60000};
            for (long e : expected) {
                rtt.onRetransmit();
                Check.equal(e, rtt.rto(), "RTO after a timeout");
            }
            RttEstimator measured = estimator();
            roundTrip(measured, 1000, 0, 100); // RTO 300
            measured.onRetransmit();
            Check.equal(600, measured.rto(), "300 backed off once");
        });

        Check.test("new data acknowledged ends the backoff: RTO computed again from SRTT", () -> {
            RttEstimator rtt = estimator();
            roundTrip(rtt, 1000, 0, 100); // RTO 300
            rtt.onRetransmit();
            rtt.onRetransmit();
            Check.equal(1200, rtt.rto(), "backed off twice");
            rtt.resetBackoff();
            Check.equal(300, rtt.rto(), "RTO after resetBackoff");
            RttEstimator fresh = estimator();
            fresh.onRetransmit();
            fresh.resetBackoff();
            Check.equal(1000, fresh.rto(), "without a sample: the initial RTO");
        });

        Check.test("a new sample after a backoff collapses RTO back down (section 5 note)", () -> {
            RttEstimator rtt = estimator();
            roundTrip(rtt, 1000, 0, 100);
            rtt.onRetransmit();
            rtt.onRetransmit();
            roundTrip(rtt, 2000, 5000, 5100); // R' = 100: RTTVAR 37.5, SRTT 100
            Check.equal(250, rtt.rto(), "RTO = 100 + 4*37.5");
        });

        Check.test("Karn: no sample from a segment retransmitted after a timeout", () -> {
            RttEstimator rtt = estimator();
            rtt.onSend(1000, 0, false);
            rtt.onRetransmit();
            rtt.onSend(1000, 2000, true);
            Check.isTrue(!rtt.onAck(1000, 2050), "no sample");
            Check.equal(-1, rtt.srtt(), "SRTT still unknown");
            Check.equal(2000, rtt.rto(), "RTO keeps its backoff");
        });

        Check.test("Karn: a fast retransmit (onSend with retransmission) discards the measurement in flight", () -> {
            RttEstimator rtt = estimator();
            rtt.onSend(2000, 0, false);      // timed
            rtt.onSend(1000, 300, true);     // an earlier segment is sent again
            Check.isTrue(!rtt.timing(), "measurement discarded");
            Check.isTrue(!rtt.onAck(2000, 400), "no sample");
            Check.equal(1000, rtt.rto(), "RTO unchanged");
        });

        Check.test("Karn: a segment first sent after a retransmission is timed again", () -> {
            RttEstimator rtt = estimator();
            rtt.onSend(1000, 0, false);
            rtt.onRetransmit();
            rtt.onSend(1000, 2000, true);
            rtt.onSend(2000, 2010, false); // new data, sent once
            Check.isTrue(rtt.onAck(2000, 2090), "sample from the new segment");
            Check.equal(80, rtt.srtt(), "SRTT");
        });

        Check.test("one measurement at a time: a later segment does not restart the clock", () -> {
            RttEstimator rtt = estimator();
            rtt.onSend(1000, 0, false);
            rtt.onSend(2000, 50, false);
            Check.isTrue(!rtt.onAck(900, 60), "an ACK short of the timed segment takes no sample");
            Check.isTrue(rtt.onAck(2000, 120), "the cumulative ACK covers the timed segment");
            Check.equal(120, rtt.srtt(), "R measured from the first segment");
            Check.isTrue(!rtt.onAck(2000, 130), "no second sample without a new measurement");
        });

        Check.test("the timed sequence number is compared modulo 2^32", () -> {
            RttEstimator rtt = estimator();
            rtt.onSend(0x0000_0010, 0, false); // the segment crosses 2^32
            Check.isTrue(!rtt.onAck(0xFFFF_FFF0, 10), "an ACK before the wrap does not cover it");
            Check.isTrue(rtt.onAck(0x0000_0020, 40), "an ACK after it does");
            Check.equal(40, rtt.srtt(), "SRTT");
        });

        Check.test("(5.7) SYN retransmitted, no sample: RTO at least 3 x initial after the handshake", () -> {
            RttEstimator rtt = estimator();
            rtt.onSend(1, 0, false);
            rtt.onRetransmit();
            rtt.onSend(1, 1000, true);
            rtt.onAck(1, 1100);
            rtt.afterHandshakeWithSynRetransmitted();
            Check.equal(3000, rtt.rto(), "RTO 3 s");
            rtt.resetBackoff();
            Check.equal(3000, rtt.rto(), "still 3 s when new data is acknowledged before any sample");
            RttEstimator capped = new RttEstimator(200, 200, 500);
            capped.afterHandshakeWithSynRetransmitted();
            Check.equal(500, capped.rto(), "capped at the maximum");
        });

        Check.test("(5.7) does not override a real sample", () -> {
            RttEstimator rtt = estimator();
            roundTrip(rtt, 1, 0, 100);
            rtt.afterHandshakeWithSynRetransmitted();
            Check.equal(300, rtt.rto(), "RTO from the sample");
        });

        Check.test("the constructor refuses bounds that make no sense", () -> {
            Check.throwsA(IllegalArgumentException.class, () -> new RttEstimator(1000, 2000, 1000), "min > max");
            Check.throwsA(IllegalArgumentException.class, () -> new RttEstimator(0, 1, 1000), "initial 0");
        });

        Check.finish();
    }
}
