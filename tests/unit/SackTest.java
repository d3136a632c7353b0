import java.util.Arrays;
import java.util.List;

/**
 * Selective acknowledgments on a {@link FakeLink}: RFC 2018's negotiation and the receiver's SACK
 * blocks, RFC 6675's loss recovery and RFC 8985's RACK as the sender composes them (the
 * scoreboard alone is ScoreboardTest's). Each test's name says the rule it checks.
 *
 * Run from the project directory:
 *   ./test.sh unit Sack   (no root needed)
 */
final class SackTest {
    private SackTest() {}

    /** The send MSS: 1460 announced, less the 12 bytes RFC 7323 timestamps take on every segment. */
    static final int SMSS = 1460 - 12;
    static final TcpConfig SACK = TcpConfig.defaults();
    static final TcpConfig NO_SACK = TcpConfig.defaults().withSack(false);

    public static void main(String[] args) {
        negotiation();
        receiver();
        sender();
        Check.finish();
    }

    // ================================================================== helpers

    static Packets.Sack sackOf(Packets.Tcp s) {
        for (Packets.TcpOption o : s.options()) if (o instanceof Packets.Sack sack) return sack;
        return null;
    }

    static List<Packets.Sack> sacksSent(FakeLink.Side side) {
        return side.sent.stream().map(SackTest::sackOf).filter(s -> s != null).toList();
    }

    static int countWhy(FakeLink.Side side, String why) {
        int n = 0;
        for (TcpEvent.FastRetransmit f : side.eventsOf(TcpEvent.FastRetransmit.class)) if (f.why().contains(why)) n++;
        return n;
    }

    // ================================================================== RFC 2018 section 2

    static void negotiation() {
        Check.suite("Sack negotiation");
        for (boolean client : new boolean[] {true, false}) {
            for (boolean server : new boolean[] {true, false}) {
                String name = "RFC 2018 2: client " + (client ? "offers" : "does not offer") + " SACK-permitted, server "
                        + (server ? "would" : "would not") + ": SACK holds only when both SYNs carry it";
                Check.test(name, () -> {
                    FakeLink link = TcpDataPathTest.connect(client ? SACK : NO_SACK, server ? SACK : NO_SACK, 10);
                    Packets.Tcp syn = TcpDataPathTest.first(link.client.sent, "the SYN");
                    Packets.Tcp synAck = TcpDataPathTest.first(link.server.sent, "the SYN-ACK");
                    Check.equal(client, syn.sackPermitted(), "the SYN carries SACK-permitted");
                    Check.equal(client && server, synAck.sackPermitted(), "the SYN-ACK carries SACK-permitted");
                    // One lost segment: with SACK the duplicate ACKs carry blocks, without it none do.
                    link.dropNext(link.client, TcpDataPathTest.nthData(5));
                    TcpDataPathTest.transfer(link, TcpDataPathTest.bytes(100_000, 1), 10_000);
                    Check.equal(client && server, !sacksSent(link.server).isEmpty(), "the receiver's ACKs carried SACK blocks");
                    for (Packets.Tcp s : link.client.sent) Check.isTrue(s.isSyn() || !s.sackPermitted(), "SACK-permitted only on a SYN (MUST NOT on others)");
                });
            }
        }
    }

    // ================================================================== RFC 2018 section 4

    static void receiver() {
        Check.suite("Sack receiver");

        Check.test("RFC 2018 4: after a gap, each ACK's first block holds the segment that triggered it; blocks never cover RCV.NXT", () -> {
            FakeLink link = TcpDataPathTest.connect(SACK, SACK, 10);
            link.dropNext(link.client, TcpDataPathTest.nthData(3));
            TcpDataPathTest.transfer(link, TcpDataPathTest.bytes(60_000, 2), 10_000);
            List<Packets.Tcp> acks = link.server.sent.stream().filter(s -> sackOf(s) != null).toList();
            Check.isTrue(acks.size() >= 3, "at least three ACKs with SACK blocks: " + acks.size());
            Packets.Tcp lost = TcpDataPathTest.first(link.client.lost, "the lost segment");
            for (Packets.Tcp ack : acks) {
                Packets.Sack sack = sackOf(ack);
                Check.equal(lost.seq(), ack.ack(), "the ACK stays at the hole");
                for (int i = 0; i < sack.blocks(); i++) {
                    Check.isTrue(Seq.gt(sack.left(i), ack.ack()) && Seq.lt(sack.left(i), sack.right(i)),
                            "block " + i + " lies above the cumulative ACK: " + sack.describe());
                }
            }
            // The client's segments after the loss arrive in order: each one extends the first
            // block's right edge to its own end.
            Packets.Sack first = sackOf(acks.get(0));
            Check.equal(lost.seq() + lost.payload().length, first.left(0), "the first block starts right after the hole");
            for (int i = 1; i < acks.size(); i++) {
                Check.isTrue(Seq.ge(sackOf(acks.get(i)).right(0), sackOf(acks.get(i - 1)).right(0)), "the first block grows with each segment");
            }
        });

        Check.test("RFC 2018 4: with three holes the blocks report the most recent first, at most four, and data segments carry none", () -> {
            FakeLink link = TcpDataPathTest.connect(SACK, SACK, 10);
            link.dropEvery(link.client, TcpDataPathTest.nthData(3, 6, 9));
            TcpDataPathTest.transfer(link, TcpDataPathTest.bytes(200_000, 3), 10_000);
            int most = 0;
            for (Packets.Sack s : sacksSent(link.server)) most = Math.max(most, s.blocks());
            Check.isTrue(most >= 2, "some ACK reported several blocks: " + most);
            Check.isTrue(most <= Packets.MAX_SACK_BLOCKS, "at most four blocks: " + most);
            for (Packets.Tcp s : link.server.sent) {
                if (s.payload().length > 0) Check.isTrue(sackOf(s) == null, "a data segment carries no SACK option");
                int optionBytes = 0;
                for (Packets.TcpOption o : s.options()) optionBytes += o.length();
                Check.isTrue(optionBytes <= 40, "options fit the header: " + optionBytes);
            }
        });
    }

    // ================================================================== RFC 6675, RFC 8985

    static void sender() {
        Check.suite("Sack sender");

        Check.test("RFC 6675 5: three losses in one window are each retransmitted once, in one recovery, with one halving and no timeout", () -> {
            FakeLink link = TcpDataPathTest.connect(SACK, SACK, 10);
            link.dropEvery(link.client, TcpDataPathTest.nthData(20, 24, 28));
            byte[] data = TcpDataPathTest.bytes(400_000, 4);
            TcpDataPathTest.transfer(link, data, 10_000);
            FakeLink.Side c = link.client;
            Check.equal(3, c.lost.size(), "segments lost");
            for (Packets.Tcp lost : c.lost) {
                Check.equal(2, TcpDataPathTest.timesSent(c, lost.seq(), lost.payload().length), "lost segment " + Seq.str(lost.seq()) + " sent twice");
            }
            Check.equal(List.of(), c.eventsOf(TcpEvent.Retransmitting.class), "no retransmission timeout");
            Check.equal(3, c.eventsOf(TcpEvent.FastRetransmit.class).size(), "three retransmissions: " + c.eventsOf(TcpEvent.FastRetransmit.class));
            Check.equal(1, TcpDataPathTest.ssthreshChanges(c), "ssthresh reduced once for the three losses of one window");
            TcpEvent.CongestionChanged entry = TcpDataPathTest.congestionAfterFirstFastRetransmit(c);
            Check.equal(entry.ssthresh(), entry.cwnd(), "(4.2) ssthresh = cwnd on entering recovery, no inflation");
        });

        Check.test("RFC 6675 5: the holes go out within one round trip of each other, not one per partial ACK as NewReno would", () -> {
            long[] spread = new long[2];
            for (int run = 0; run < 2; run++) {
                // Reno's halving: with CUBIC's gentler 0.7 neither needs a timeout on this link.
                TcpConfig config = (run == 0 ? SACK : NO_SACK).withCongestionControl("reno");
                FakeLink link = TcpDataPathTest.connect(config, config, 10);
                link.dropEvery(link.client, TcpDataPathTest.nthData(20, 24, 28, 32));
                TcpDataPathTest.transfer(link, TcpDataPathTest.bytes(400_000, 5), 10_000);
                FakeLink.Side c = link.client;
                long firstResend = -1, lastResend = -1;
                for (Packets.Tcp lost : c.lost) {
                    for (int i = c.sent.size() - 1; i >= 0; i--) {
                        Packets.Tcp s = c.sent.get(i);
                        if (s != lost && s.seq() == lost.seq() && s.payload().length > 0) {
                            long at = c.sentAt.get(i);
                            if (firstResend < 0 || at < firstResend) firstResend = at;
                            lastResend = Math.max(lastResend, at);
                            break;
                        }
                    }
                }
                spread[run] = lastResend - firstResend;
            }
            Check.isTrue(spread[0] <= 20, "with SACK the four retransmissions span at most one RTT (20 ms): " + spread[0] + " ms");
            Check.isTrue(spread[1] >= 3 * 20, "NewReno needs a round trip per hole: " + spread[1] + " ms");
        });

        Check.test("RFC 6675 5 (2): IsLost (HighACK + 1) starts recovery before three duplicate ACKs came (every other one lost)", () -> {
            FakeLink link = TcpDataPathTest.connect(SACK, SACK, 10);
            link.dropNext(link.client, TcpDataPathTest.nthData(20));
            int[] sackAcks = {0};
            link.dropEvery(link.server, s -> sackOf(s) != null && ++sackAcks[0] <= 6 && sackAcks[0] % 2 == 1);
            byte[] data = TcpDataPathTest.bytes(400_000, 6);
            TcpDataPathTest.transfer(link, data, 10_000);
            FakeLink.Side c = link.client;
            Check.equal(List.of(), c.eventsOf(TcpEvent.Retransmitting.class), "no retransmission timeout");
            Check.equal(1, c.eventsOf(TcpEvent.FastRetransmit.class).size(), "one fast retransmit");
            TcpEvent.CongestionChanged entry = TcpDataPathTest.congestionAfterFirstFastRetransmit(c);
            Check.isTrue(entry.why().contains("SACK blocks show a loss"), "recovery started by the scoreboard: " + entry.why());
        });

        Check.test("RFC 8985 6.2: a lost retransmission is seen when data sent after it is SACKed, and sent again without a timeout", () -> {
            FakeLink link = TcpDataPathTest.connect(SACK, SACK, 10);
            int[] firstLostSeq = {0};
            int[] dataCount = {0};
            boolean[] droppedAgain = {false};
            link.dropEvery(link.client, s -> {
                if (!TcpDataPathTest.isData(s)) return false;
                if (++dataCount[0] == 20) {
                    firstLostSeq[0] = s.seq();
                    return true;
                }
                // the first retransmission of that segment is lost too
                if (dataCount[0] > 20 && !droppedAgain[0] && s.seq() == firstLostSeq[0]) {
                    droppedAgain[0] = true;
                    return true;
                }
                return false;
            });
            byte[] data = TcpDataPathTest.bytes(600_000, 7);
            TcpDataPathTest.transfer(link, data, 10_000);
            FakeLink.Side c = link.client;
            Check.isTrue(droppedAgain[0], "the retransmission was dropped");
            Check.equal(List.of(), c.eventsOf(TcpEvent.Retransmitting.class), "no retransmission timeout");
            Check.equal(3, TcpDataPathTest.timesSent(c, firstLostSeq[0], SMSS), "the segment went out three times");
            boolean told = c.eventsOf(TcpEvent.CongestionChanged.class).stream().anyMatch(e -> e.why().contains("RACK"));
            Check.isTrue(told, "the log says RACK found the retransmission lost");
        });

        Check.test("RFC 2018 8 / RFC 6675 5.1: after a timeout, SACKed data is forgotten, then what is SACKed again is not resent", () -> {
            FakeLink link = TcpDataPathTest.connect(SACK, SACK, 10);
            long t0 = link.now;
            // Segment 20 is lost, and so is every ACK of the server for 1.5 s: the timer must fire.
            link.dropNext(link.client, TcpDataPathTest.nthData(20));
            link.dropEvery(link.server, s -> FakeLink.isPureAck(s) && link.now > t0 && link.now < t0 + 1500 && sackOf(s) != null);
            byte[] data = TcpDataPathTest.bytes(300_000, 8);
            TcpDataPathTest.transfer(link, data, 60_000);
            Check.isTrue(Arrays.equals(data, link.server.receivedBytes()), "intact");
        });

        Check.test("RFC 8985 6.2: a delayed ACK that acknowledges two segments and SACKs the fourth is no sign of reordering", () -> {
            for (int n = 4; n <= 12; n += 2) {
                FakeLink link = TcpDataPathTest.connect(SACK, SACK, 10);
                link.dropNext(link.client, TcpDataPathTest.nthData(n));
                TcpDataPathTest.transfer(link, TcpDataPathTest.bytes(200_000, n), 10_000);
                Check.isTrue(link.client.conn.sackPermitted(), "SACK agreed");
                Check.isTrue(!link.client.conn.reorderingSeen(), "data segment " + n + " lost on a link that never reorders: no reordering seen");
            }
        });

        Check.test("RFC 6675 NextSeg (4): a FIN lost in a SACK recovery goes again within a round trip, not after the 1 s timer", () -> {
            FakeLink link = TcpDataPathTest.connect(SACK, SACK, 10);
            link.dropNext(link.client, TcpDataPathTest.nthData(2));
            link.dropNext(link.client, FakeLink::isFin);
            byte[] data = TcpDataPathTest.bytes(8 * SMSS, 11);
            long t0 = link.now;
            link.client.conn.write(data, 0, data.length, link.now, link.client);
            link.client.conn.close(link.now, link.client);
            TcpDataPathTest.runUntil(link, () -> link.server.state() == TcpState.CLOSE_WAIT, 10_000, "the server gets the FIN");
            Check.isTrue(link.now - t0 < 200, "the FIN arrived after " + (link.now - t0) + " ms");
            Check.equal(List.of(), link.client.eventsOf(TcpEvent.Retransmitting.class), "no retransmission timeout");
            Check.isTrue(Arrays.equals(data, link.server.receivedBytes()), "intact");
        });

        Check.test("RFC 6675 2: ACKs at SND.UNA that only move the window (no new SACK information) do not start a recovery", () -> {
            FakeLink link = TcpDataPathTest.connect(SACK, SACK, 10);
            FakeLink.Side c = link.client;
            byte[] data = TcpDataPathTest.bytes(10 * SMSS, 12);
            c.conn.write(data, 0, data.length, link.now, c);
            link.clearQueues(); // the data is "in flight": nothing of it arrives
            int una = c.conn.sndUna();
            for (int window = 60_000; window > 59_000; window -= 200) {
                c.inject(c.fromPeer(link.server.conn.sndNxt(), una, Packets.ACK, window >> link.server.conn.rcvWndShift(), null));
            }
            Check.equal(List.of(), c.eventsOf(TcpEvent.FastRetransmit.class), "no fast retransmit");
        });

        for (double loss : new double[] {0.02, 0.10}) {
            Check.test("RFC 6675 + RFC 8985: 5 MB over a link losing " + (int) (loss * 100) + "% both ways, with reordering, arrives intact", () -> {
                FakeLink link = TcpDataPathTest.connect(SACK, SACK, 5);
                link.randomize(7 + (long) (loss * 100), loss, 0.01, 0.02);
                byte[] data = TcpDataPathTest.bytes(5_000_000, 9);
                TcpDataPathTest.transfer(link, data, 3_600_000);
                Check.equal(TcpState.ESTABLISHED, link.client.state(), "still connected");
                Check.isTrue(countWhy(link.client, "SACK recovery") + countWhy(link.client, "fast retransmit") > 0, "recovered by SACK");
            });
        }

        Check.test("RFC 6675: with 3% loss SACK recovery needs fewer timeouts than NewReno on the same link (same seed)", () -> {
            int[] timeouts = new int[2];
            for (int run = 0; run < 2; run++) {
                // Reno's halving: with CUBIC's gentler 0.7 neither needs a timeout on this link.
                TcpConfig config = (run == 0 ? SACK : NO_SACK).withCongestionControl("reno");
                FakeLink link = TcpDataPathTest.connect(config, config, 5);
                link.randomize(11, 0.03, 0, 0);
                TcpDataPathTest.transfer(link, TcpDataPathTest.bytes(3_000_000, 10), 3_600_000);
                timeouts[run] = link.client.eventsOf(TcpEvent.Retransmitting.class).size();
            }
            Check.isTrue(timeouts[0] < timeouts[1], "timeouts with SACK " + timeouts[0] + ", without " + timeouts[1]);
        });
    }
}
