import java.nio.ByteBuffer;
import java.util.List;

/**
 * Segments with control bits that rarely go together: SYN with FIN, SYN with RST, RST with FIN.
 * The parser takes them (Packets is the wire format, not the protocol's judge); what they mean is
 * decided where RFC 9293 decides it, by the state they arrive in: the Listener for LISTEN, the
 * connection for the others. Each segment here goes through the wire format first (emit, then
 * parse with the checksum checked), so a parser that refused it again would fail these tests.
 *
 *   ./test.sh unit FlagCombination   (no root needed)
 */
final class FlagCombinationTest {
    private FlagCombinationTest() {}

    static final int C = 0x1000_0000; // client ISS
    static final int S = 0x7000_0000; // server ISS
    static final int FIN = Packets.FIN, SYN = Packets.SYN, RST = Packets.RST, ACK = Packets.ACK;
    static final int WINDOW = 65535;  // the receive buffer of config(): our receive window

    public static void main(String[] args) {
        Check.suite("Flag combinations");
        listen();
        synSent();
        established();
        Check.finish();
    }

    // ================================================================== LISTEN (RFC 9293 3.10.7.2)

    static void listen() {
        Check.test("SYN+FIN to LISTEN is dropped with a reason, as Linux does: no reply, no TCB, still LISTEN", () -> {
            FakeLink link = new FakeLink(config());
            FakeLink.Side s = link.server;
            s.listen(S);
            arrive(s, s.fromPeer(1000, 0, SYN | FIN, WINDOW, new byte[0]));
            Check.equal(List.of(), s.sent, "segments sent");
            Check.equal(TcpState.LISTEN, s.state(), "state");
            List<TcpEvent.Dropped> dropped = s.eventsOf(TcpEvent.Dropped.class);
            Check.equal(1, dropped.size(), "Dropped events " + dropped);
            Check.equal(TcpEvent.DropReason.NOT_A_SYN, dropped.get(0).why(), "why");
            Check.isTrue(dropped.get(0).reason().contains("SYN with FIN"), "the reason names it: " + dropped.get(0).reason());
        });

        Check.test("the Listener, as the stack asks it: SYN+FIN dropped, SYN+RST ignored, SYN+FIN+ACK answered with <SEQ=SEG.ACK><CTL=RST>", () -> {
            Listener.Answer synFin = Listener.answer(wire(segment(SYN | FIN, 1000, 0)));
            Check.isTrue(!synFin.accept() && synFin.reset() == null, "SYN+FIN: no TCB, no RST");
            Listener.Answer synRst = Listener.answer(wire(segment(SYN | RST, 1000, 0)));
            Check.isTrue(!synRst.accept() && synRst.reset() == null, "SYN+RST: \"An incoming RST should be ignored\"");
            Listener.Answer synFinAck = Listener.answer(wire(segment(SYN | FIN | ACK, 1000, 4242)));
            Check.isTrue(!synFinAck.accept(), "SYN+FIN+ACK: no TCB");
            Check.equal(RST, synFinAck.reset().flags(), "flags of the answer");
            Check.equal(4242, synFinAck.reset().seq(), "SEQ of the answer = SEG.ACK");
            Check.isTrue(Listener.answer(wire(segment(SYN, 1000, 0))).accept(), "a plain SYN is still accepted");
        });
    }

    // ================================================================== SYN-SENT (RFC 9293 3.10.7.3)

    static void synSent() {
        Check.test("SYN+RST+ACK acknowledging our SYN in SYN-SENT: the RST is checked before the SYN: refused, CLOSED", () -> {
            FakeLink link = new FakeLink(config());
            FakeLink.Side c = link.client;
            c.open(C);
            int mark = c.mark();
            arrive(c, c.fromPeer(S, C + 1, SYN | RST | ACK, WINDOW, new byte[0]));
            Check.equal(TcpState.CLOSED, c.state(), "state");
            Check.isTrue(c.closedEvent() != null, "a Closed event");
            Check.equal(TcpEvent.CloseReason.REFUSED, c.closedEvent().reason(), "Closed reason");
            Check.equal(List.of(), c.sentSince(mark), "segments sent in reply");
        });
    }

    // ================================================================== ESTABLISHED (RFC 9293 3.10.7.4)

    static void established() {
        Check.test("RST+FIN at RCV.NXT in ESTABLISHED: \"second, check the RST bit\" comes before the FIN: reset, CLOSED", () -> {
            for (int flags : new int[] {RST | FIN, RST | FIN | ACK}) {
                FakeLink link = establishedLink();
                FakeLink.Side c = link.client;
                int mark = c.mark();
                arrive(c, c.fromPeer(S + 1, C + 1, flags, WINDOW, new byte[0]));
                String what = PacketText.flagNames(flags) + ": ";
                Check.equal(TcpState.CLOSED, c.state(), what + "state");
                Check.isTrue(c.closedEvent() != null, what + "a Closed event");
                Check.equal(TcpEvent.CloseReason.RESET, c.closedEvent().reason(), what + "Closed reason");
                Check.equal(List.of(), c.sentSince(mark), what + "segments sent in reply");
                Check.equal(TcpConnection.NEVER, c.conn.nextDeadline(), what + "no timer left");
                Check.isTrue(!c.stateChanges().contains("ESTABLISHED->CLOSE-WAIT"), what + "the FIN was not taken first");
            }
        });

        Check.test("RST+FIN in the window but not at RCV.NXT in ESTABLISHED: RFC 5961 3.2 challenge ACK, still ESTABLISHED", () -> {
            FakeLink link = establishedLink();
            FakeLink.Side c = link.client;
            int mark = c.mark();
            arrive(c, c.fromPeer(S + 1 + 1000, C + 1, RST | FIN | ACK, WINDOW, new byte[0]));
            expectOnly(c, mark, ACK, C + 1, S + 1, "challenge ACK <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>");
            Check.equal(TcpState.ESTABLISHED, c.state(), "state");
        });

        Check.test("RST+FIN outside the window in ESTABLISHED: ignored (no reply, still ESTABLISHED)", () -> {
            FakeLink link = establishedLink();
            FakeLink.Side c = link.client;
            int mark = c.mark();
            arrive(c, c.fromPeer(S + 1 + WINDOW, C + 1, RST | FIN | ACK, WINDOW, new byte[0])); // first number past the window
            arrive(c, c.fromPeer(S, C + 1, RST | FIN, WINDOW, new byte[0]));                     // just before it
            Check.equal(List.of(), c.sentSince(mark), "segments sent in reply");
            Check.equal(TcpState.ESTABLISHED, c.state(), "state");
            Check.equal(null, c.closedEvent(), "Closed event");
        });

        Check.test("SYN+FIN in ESTABLISHED: RFC 5961 4.2 challenge ACK, the FIN not taken, still ESTABLISHED", () -> {
            FakeLink link = establishedLink();
            FakeLink.Side s = link.server;
            int mark = s.mark();
            arrive(s, s.fromPeer(C + 1, S + 1, SYN | FIN | ACK, WINDOW, new byte[0]));
            expectOnly(s, mark, ACK, S + 1, C + 1, "challenge ACK <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>");
            Check.equal(TcpState.ESTABLISHED, s.state(), "state");
            Check.equal(TcpEvent.DropReason.CHALLENGE, s.eventsOf(TcpEvent.Dropped.class).get(0).why(), "why it was dropped");
        });
    }

    // ================================================================== helpers

    /** ACKs at once, no window scaling: RCV.WND is the whole 65535-byte buffer. */
    static TcpConfig config() {
        return TcpConfig.defaults().withRtoInitial(200).withRtoMin(200).withReceiveBuffer(WINDOW)
                .withWindowScaling(false).withDelayedAck(0).withNoDelay(true);
    }

    /** Client ISS C, server ISS S, the handshake done: both sides ESTABLISHED at time 0. */
    static FakeLink establishedLink() {
        FakeLink link = new FakeLink(config());
        link.server.listen(S);
        link.client.open(C);
        link.deliverAll();
        Check.equal(TcpState.ESTABLISHED, link.client.state(), "setup: client state");
        Check.equal(TcpState.ESTABLISHED, link.server.state(), "setup: server state");
        return link;
    }

    /** A segment from the client's port to the server's. */
    static Packets.Tcp segment(int flags, int seq, int ack) {
        return Packets.Tcp.of(FakeLink.CLIENT_PORT, FakeLink.SERVER_PORT, seq, ack, flags, WINDOW, List.of(), new byte[0]);
    }

    /** The segment as the stack hands it over: emitted, then parsed with its checksum checked. */
    static Packets.Tcp wire(Packets.Tcp seg) throws Packets.Rejected {
        ByteBuffer b = ByteBuffer.allocate(2048);
        int client = Packets.parseAddress("198.18.0.2"), server = Packets.parseAddress("198.18.0.1");
        Packets.emit(b, Packets.Ipv4.forTcp(client, server, 1, 64), seg);
        b.flip();
        Packets.Tcp parsed = Packets.parse(b, true).tcp();
        Check.equal(seg.flags(), parsed.flags(), "flags through the wire format");
        return parsed;
    }

    /** seg arrives at side through the wire format. */
    static void arrive(FakeLink.Side side, Packets.Tcp seg) throws Packets.Rejected {
        side.inject(wire(seg));
    }

    static void expectOnly(FakeLink.Side side, int mark, int flags, int seq, int ack, String what) {
        List<Packets.Tcp> sent = side.sentSince(mark);
        Check.equal(1, sent.size(), what + ": segments sent " + sent);
        Packets.Tcp t = sent.get(0);
        Check.equal(PacketText.flagNames(flags), PacketText.flagNames(t.flags()), what + ": flags");
        Check.equal(Seq.str(seq), Seq.str(t.seq()), what + ": SEQ");
        Check.equal(Seq.str(ack), Seq.str(t.ack()), what + ": ACK");
    }
}
