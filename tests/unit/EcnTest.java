import java.util.List;

/**
 * Ecn against RFC 3168 section 6.1, and against what Linux 6.18 did in a capture
 * (tests/unit/data/capture-linux-options.sh, case "ecn": the client with net.ipv4.tcp_ecn=1, the
 * server's input hook marking one data segment CE):
 * <pre>
 *   .2 -> .1  SYN with ECE and CWR ("Flags [SEW]"), IP ECN Not-ECT
 *   .1 -> .2  SYN-ACK with ECE only ("[S.E]"), Not-ECT
 *   .2 -> .1  ACK, Not-ECT; then every data segment ECT(0) ("tos 0x2,ECT(0)"), ACKs Not-ECT
 *             data 28961:30409 marked CE on arrival at .1
 *   .1 -> .2  ACK 30409 with ECE, ACK 31857 with ECE (the echo holds until CWR)
 *   .2 -> .1  data 50681:52129 with CWR ("[.W]"): the first new data sent after the ECE arrived
 *             (31857..50681 were in flight already, sent before it)
 *   .1 -> .2  ACK 52129 without ECE: the CWR ended the echo; no ECE to the end of the transfer
 * </pre>
 *
 * Run from the project directory:
 *   ./test.sh unit Ecn   (no root needed)
 */
final class EcnTest {
    private EcnTest() {}

    static Packets.Tcp seg(int seq, int ack, int flags, int dataBytes) {
        return Packets.Tcp.of(40000, 5001, seq, ack, flags, 1000, List.of(), new byte[dataBytes]);
    }

    /** An active open that negotiated ECN. */
    static Ecn client() {
        Ecn e = new Ecn(true);
        Check.equal(Packets.ECE | Packets.CWR, e.synFlags(false), "SYN flags");
        e.onSynAck(seg(0, 1, Packets.SYN | Packets.ACK | Packets.ECE, 0));
        Check.isTrue(e.negotiated(), "negotiated");
        return e;
    }

    /** A passive open that negotiated ECN. */
    static Ecn server() {
        Ecn e = new Ecn(true);
        e.onSyn(seg(0, 0, Packets.SYN | Packets.ECE | Packets.CWR, 0));
        Check.equal(Packets.ECE, e.synAckFlags(), "SYN-ACK flags");
        Check.isTrue(e.negotiated(), "negotiated");
        return e;
    }

    public static void main(String[] args) {
        Check.suite("Ecn");

        Check.test("6.1.1 active open: ECN-setup SYN (ECE+CWR), ECN-setup SYN-ACK (ECE only) -> negotiated", () -> {
            client();
        });

        Check.test("6.1.1 a SYN-ACK with ECE and CWR, or without ECE, is non-ECN-setup: no ECN", () -> {
            Ecn both = new Ecn(true);
            both.synFlags(false);
            both.onSynAck(seg(0, 1, Packets.SYN | Packets.ACK | Packets.ECE | Packets.CWR, 0));
            Check.isTrue(!both.negotiated(), "ECE+CWR on the SYN-ACK");
            Ecn none = new Ecn(true);
            none.synFlags(false);
            none.onSynAck(seg(0, 1, Packets.SYN | Packets.ACK, 0));
            Check.isTrue(!none.negotiated(), "no ECE");
            Check.equal(Ecn.Marks.NONE, none.marks(Ecn.Kind.NEW_DATA), "data then goes Not-ECT");
        });

        Check.test("6.1.1 passive open: ECN-setup SYN-ACK only in reply to an ECN-setup SYN", () -> {
            server();
            Ecn onlyEce = new Ecn(true);
            onlyEce.onSyn(seg(0, 0, Packets.SYN | Packets.ECE, 0));
            Check.equal(0, onlyEce.synAckFlags(), "SYN with ECE alone is non-ECN-setup: MUST NOT answer ECN-setup");
            Check.isTrue(!onlyEce.negotiated(), "not negotiated");
            Ecn plain = new Ecn(true);
            plain.onSyn(seg(0, 0, Packets.SYN, 0));
            Check.equal(0, plain.synAckFlags(), "plain SYN");
        });

        Check.test("--no-ecn: no ECE/CWR in our SYN, no ECE in our SYN-ACK, never negotiated", () -> {
            Ecn off = new Ecn(false);
            Check.equal(0, off.synFlags(false), "SYN");
            off.onSyn(seg(0, 0, Packets.SYN | Packets.ECE | Packets.CWR, 0));
            Check.equal(0, off.synAckFlags(), "SYN-ACK");
            Check.isTrue(!off.negotiated(), "not negotiated");
            Check.isTrue(!off.onArrival(seg(1, 1, Packets.ACK, 100), Ecn.CE), "CE not echoed");
            Check.equal(Ecn.Marks.NONE, off.marks(Ecn.Kind.NO_DATA), "no ECE");
        });

        Check.test("a retransmitted SYN goes without ECE/CWR (Linux's fallback), and then no ECN (6.1.1's MUST)", () -> {
            Ecn e = new Ecn(true);
            Check.equal(Packets.ECE | Packets.CWR, e.synFlags(false), "first SYN");
            Check.equal(0, e.synFlags(true), "retransmitted SYN");
            e.onSynAck(seg(0, 1, Packets.SYN | Packets.ACK | Packets.ECE, 0));
            Check.isTrue(!e.negotiated(), "has sent a non-ECN-setup SYN");
            Check.equal(new Ecn.Marks(0, Ecn.NOT_ECT), e.marks(Ecn.Kind.NEW_DATA), "our data Not-ECT");
            Check.isTrue(e.echoesCe(), "6.1.1: the commitment to answer CE remains");
            Check.isTrue(e.onArrival(seg(1, 1, Packets.ACK, 100), Ecn.CE), "CE echoed");
            Check.equal(new Ecn.Marks(Packets.ECE, Ecn.NOT_ECT), e.marks(Ecn.Kind.NO_DATA), "ECE on the ACK");
        });

        Check.test("a cookie's ACK: ECN as the cookie says", () -> {
            Ecn yes = new Ecn(true);
            yes.onCookieAck(true);
            Check.isTrue(yes.negotiated(), "ECN bit in the cookie");
            Ecn no = new Ecn(true);
            no.onCookieAck(false);
            Check.isTrue(!no.negotiated() && !no.echoesCe(), "no ECN bit");
            Ecn off = new Ecn(false);
            off.onCookieAck(true);
            Check.isTrue(!off.negotiated(), "--no-ecn here");
        });

        Check.test("simultaneous open: both ECN-setup SYNs, then our SYN-ACK says ECE", () -> {
            Ecn e = new Ecn(true);
            e.synFlags(false);
            e.onSyn(seg(0, 0, Packets.SYN | Packets.ECE | Packets.CWR, 0));
            Check.equal(Packets.ECE, e.synAckFlags(), "SYN-ACK");
            Check.isTrue(e.negotiated(), "negotiated");
        });

        Check.test("6.1.4-6.1.6 ECT(0) on new data only: not on retransmissions, window probes or pure ACKs", () -> {
            Ecn e = client();
            Check.equal(new Ecn.Marks(0, Ecn.ECT_0), e.marks(Ecn.Kind.NEW_DATA), "new data");
            Check.equal(new Ecn.Marks(0, Ecn.NOT_ECT), e.marks(Ecn.Kind.RETRANSMISSION), "retransmission");
            Check.equal(new Ecn.Marks(0, Ecn.NOT_ECT), e.marks(Ecn.Kind.WINDOW_PROBE), "window probe");
            Check.equal(new Ecn.Marks(0, Ecn.NOT_ECT), e.marks(Ecn.Kind.NO_DATA), "pure ACK");
        });

        Check.test("6.1.3 receiver: CE on data -> ACK now, ECE on every segment until a CWR arrives", () -> {
            Ecn r = server();
            Check.isTrue(!r.onArrival(seg(1, 1, Packets.ACK, 1448), Ecn.ECT_0), "ECT(0): nothing to echo");
            Check.isTrue(r.onArrival(seg(1449, 1, Packets.ACK, 1448), Ecn.CE), "CE: ACK at once");
            Check.equal(new Ecn.Marks(Packets.ECE, Ecn.NOT_ECT), r.marks(Ecn.Kind.NO_DATA), "ACK with ECE");
            Check.isTrue(!r.onArrival(seg(2897, 1, Packets.ACK, 1448), Ecn.ECT_0), "later data");
            Check.equal(new Ecn.Marks(Packets.ECE, Ecn.NOT_ECT), r.marks(Ecn.Kind.NO_DATA), "still ECE");
            Check.equal(new Ecn.Marks(Packets.ECE, Ecn.ECT_0), r.marks(Ecn.Kind.NEW_DATA), "ECE on our data too");
            Check.isTrue(!r.onArrival(seg(4345, 1, Packets.ACK, 1448), Ecn.CE), "a second CE while echoing: no hurry");
            r.echoSent(); // our ACK with ECE went out
            Check.isTrue(r.onArrival(seg(5793, 1, Packets.ACK | Packets.CWR, 1448), Ecn.ECT_0), "CWR with data: ACK at once");
            Check.isTrue(!r.echoing(), "echo ended");
            Check.equal(new Ecn.Marks(0, Ecn.NOT_ECT), r.marks(Ecn.Kind.NO_DATA), "no ECE after CWR");
        });

        Check.test("6.1.3 a CE mark and then a CWR in one batch, before any ACK: the CE is still echoed once", () -> {
            Ecn r = server();
            r.onArrival(seg(1, 1, Packets.ACK, 1448), Ecn.CE);
            r.echoSent();                                        // the first mark echoed
            r.onArrival(seg(1449, 1, Packets.ACK, 1448), Ecn.CE); // a new mark...
            r.onArrival(seg(2897, 1, Packets.ACK | Packets.CWR, 1448), Ecn.ECT_0); // ...and the CWR for the first
            Check.isTrue(r.echoing(), "the new mark not yet echoed: still echoing");
            Check.equal(new Ecn.Marks(Packets.ECE, Ecn.NOT_ECT), r.marks(Ecn.Kind.NO_DATA), "the batch's ACK carries ECE");
            r.echoSent();
            r.onArrival(seg(4345, 1, Packets.ACK | Packets.CWR, 1448), Ecn.ECT_0);
            Check.isTrue(!r.echoing(), "the next CWR ends it");
        });

        Check.test("6.1.3 a CWR packet that is itself CE starts a new echo; CE on a pure ACK is not echoed", () -> {
            Ecn r = server();
            r.onArrival(seg(1, 1, Packets.ACK, 100), Ecn.CE);
            Check.isTrue(r.onArrival(seg(101, 1, Packets.ACK | Packets.CWR, 100), Ecn.CE), "CWR+CE");
            Check.isTrue(r.echoing(), "echoing again");
            Ecn p = server();
            Check.isTrue(!p.onArrival(seg(1, 1, Packets.ACK, 0), Ecn.CE), "pure ACK with CE");
            Check.isTrue(!p.echoing(), "no echo");
        });

        Check.test("6.1.2 sender: ECE -> reduce once; CWR on the next new data only, once", () -> {
            Ecn s = client();
            Check.isTrue(!s.onAck(seg(1, 1449, Packets.ACK, 0), 14481), "no ECE");
            Check.isTrue(s.onAck(seg(1, 2897, Packets.ACK | Packets.ECE, 0), 14481), "ECE: reduce");
            Check.equal(new Ecn.Marks(0, Ecn.NOT_ECT), s.marks(Ecn.Kind.RETRANSMISSION), "no CWR on a retransmission");
            Check.equal(new Ecn.Marks(0, Ecn.NOT_ECT), s.marks(Ecn.Kind.NO_DATA), "nor on a pure ACK");
            Check.equal(new Ecn.Marks(0, Ecn.NOT_ECT), s.marks(Ecn.Kind.WINDOW_PROBE), "nor on a window probe");
            Check.isTrue(s.cwrPending(), "CWR still waits");
            Check.equal(new Ecn.Marks(Packets.CWR, Ecn.ECT_0), s.marks(Ecn.Kind.NEW_DATA), "CWR on new data");
            Check.equal(new Ecn.Marks(0, Ecn.ECT_0), s.marks(Ecn.Kind.NEW_DATA), "once");
        });

        Check.test("6.1.2 once per window: ECE on ACKs up to the reduction's SND.NXT is the same congestion", () -> {
            Ecn s = client();
            Check.isTrue(s.onAck(seg(1, 2897, Packets.ACK | Packets.ECE, 0), 14481), "first ECE");
            Check.isTrue(!s.onAck(seg(1, 4345, Packets.ACK | Packets.ECE, 0), 14481), "same window");
            Check.isTrue(!s.onAck(seg(1, 14481, Packets.ACK | Packets.ECE, 0), 14481), "up to SND.NXT of the reduction");
            s.marks(Ecn.Kind.NEW_DATA); // CWR on 14481:15929
            Check.isTrue(s.onAck(seg(1, 15929, Packets.ACK | Packets.ECE, 0), 20000), "past it: new congestion");
        });

        Check.test("6.1.2 a loss reduction also sets CWR, and an ECE in its window does not reduce again", () -> {
            Ecn s = client();
            s.onWindowReduced(10_000); // fast retransmit
            Check.isTrue(!s.onAck(seg(1, 5000, Packets.ACK | Packets.ECE, 0), 12_000), "ECE for the same window");
            Check.equal(new Ecn.Marks(Packets.CWR, Ecn.ECT_0), s.marks(Ecn.Kind.NEW_DATA), "CWR on the next new data");
            Ecn off = new Ecn(true); // not negotiated: nothing to set
            off.onWindowReduced(10_000);
            Check.equal(Ecn.Marks.NONE, off.marks(Ecn.Kind.NEW_DATA), "no CWR without ECN");
        });

        Check.test("ECE on a SYN-ACK is negotiation, not congestion; no reaction before negotiation", () -> {
            Ecn s = client();
            Check.isTrue(!s.onAck(seg(0, 1, Packets.SYN | Packets.ACK | Packets.ECE, 0), 1), "SYN-ACK");
            Ecn n = new Ecn(true);
            Check.isTrue(!n.onAck(seg(1, 1, Packets.ACK | Packets.ECE, 0), 1), "not negotiated");
        });

        Check.test("the captured Linux exchange, ours on both ends: CE on 28961 -> ECE on 30409, 31857 -> CWR on 50681 -> ECE stops", () -> {
            Ecn sender = client(), receiver = server();
            // segments up to 50681 were sent before any ECE came back (all new data, ECT(0), no CWR)
            for (int seq = 1; seq < 50681; seq += 1448) {
                Check.equal(new Ecn.Marks(0, Ecn.ECT_0), sender.marks(Ecn.Kind.NEW_DATA), "segment " + seq);
            }
            Check.isTrue(!receiver.onArrival(seg(27513, 1, Packets.ACK, 1448), Ecn.ECT_0), "27513");
            Check.isTrue(receiver.onArrival(seg(28961, 1, Packets.ACK, 1448), Ecn.CE), "28961 marked CE on the way");
            int ack1 = receiver.marks(Ecn.Kind.NO_DATA).tcpFlags();
            receiver.onArrival(seg(30409, 1, Packets.ACK, 1448), Ecn.ECT_0);
            int ack2 = receiver.marks(Ecn.Kind.NO_DATA).tcpFlags();
            receiver.echoSent(); // the two ACKs with ECE went out
            Check.equal(Packets.ECE, ack1, "ACK 30409 has ECE");
            Check.equal(Packets.ECE, ack2, "ACK 31857 has ECE");
            Check.isTrue(sender.onAck(seg(1, 30409, Packets.ACK | ack1, 0), 50681), "the sender reduces on ACK 30409");
            Check.isTrue(!sender.onAck(seg(1, 31857, Packets.ACK | ack2, 0), 50681), "not again on ACK 31857");
            Ecn.Marks next = sender.marks(Ecn.Kind.NEW_DATA);
            Check.equal(new Ecn.Marks(Packets.CWR, Ecn.ECT_0), next, "50681:52129 carries CWR");
            receiver.onArrival(seg(50681, 1, Packets.ACK | next.tcpFlags(), 1448), next.ipEcn());
            Check.equal(0, receiver.marks(Ecn.Kind.NO_DATA).tcpFlags(), "ACK 52129 without ECE");
        });

        Check.finish();
    }
}
