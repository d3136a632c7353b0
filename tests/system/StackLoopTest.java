import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The stack's loop with a link in memory (no root, no socket): packets go in through a fake
 * PacketPort, what the stack sends is collected and parsed. Needs the full build (jnr on the class
 * path for the os/ classes the stack names), so test.sh runs it with the system tests' build.
 */
final class StackLoopTest {
    static final int SERVER = Packets.parseAddress("198.18.0.1"), CLIENT = Packets.parseAddress("198.18.0.2");
    static final int PORT = 5000, CLIENT_PORT = 40000, CLIENT_ISN = 1000;

    /** Packets in from a queue, packets out into a list. */
    static final class FakePort implements PacketPort {
        final ArrayDeque<ByteBuffer> incoming = new ArrayDeque<>();
        final List<Packets.Tcp> sent = new ArrayList<>();

        void deliver(Packets.Tcp segment) {
            ByteBuffer b = ByteBuffer.allocate(RawSocket.MAX_PACKET).order(ByteOrder.BIG_ENDIAN);
            Packets.emit(b, Packets.Ipv4.forTcp(CLIENT, SERVER, 1, 64), segment);
            incoming.add(b.flip());
        }

        @Override public boolean awaitPacket(int timeoutMillis) { return !incoming.isEmpty(); }
        @Override public ByteBuffer receive() { return incoming.poll(); }
        @Override public boolean lastChecksumNotReady() { return false; }
        @Override public int lastInterfaceIndex() { return 0; }

        @Override public void send(ByteBuffer ipPacket) {
            try {
                sent.add(Packets.parse(ipPacket.duplicate(), true).tcp());
            } catch (Packets.Rejected r) {
                throw new AssertionError("the stack sent a packet that does not parse: " + r.reason());
            }
        }
    }

    /** Runs the loop until every packet handed in was taken. */
    static void runUntilDrained(TcpStack stack, FakePort port) throws Exception {
        stack.run(new TcpStack.Application() {
            @Override public boolean keepRunning(long now) { return !port.incoming.isEmpty(); }
        });
    }

    static TcpStack server(FakePort port) {
        TcpStack.Settings s = new TcpStack.Settings();
        s.listenPort = PORT;
        s.spinMicros = 0;
        s.tcp = TcpConfig.defaults().withDelayedAck(0); // every data segment is owed an ACK at once
        return new TcpStack(s, port, new Log("Server", false, true), null, Set.of());
    }

    static Packets.Tcp fromClient(int seq, int ack, int flags, byte[] data) {
        return Packets.Tcp.of(CLIENT_PORT, PORT, seq, ack, flags, 65535, List.of(), data);
    }

    public static void main(String[] args) throws Exception {
        Check.suite("TcpStack loop");

        Check.test("RFC 9293 3.10.7.4 MUST-59: ten segments waiting at once get one ACK, sent after all ten", () -> {
            FakePort port = new FakePort();
            TcpStack stack = server(port);
            port.deliver(fromClient(CLIENT_ISN, 0, Packets.SYN, new byte[0]));
            runUntilDrained(stack, port);
            Check.equal(1, port.sent.size(), "segments after the SYN: the SYN-ACK");
            int serverIsn = port.sent.get(0).seq();
            port.sent.clear();
            port.deliver(fromClient(CLIENT_ISN + 1, serverIsn + 1, Packets.ACK, new byte[0]));
            for (int i = 0; i < 10; i++) {
                port.deliver(fromClient(CLIENT_ISN + 1 + 100 * i, serverIsn + 1, Packets.ACK | Packets.PSH, new byte[100]));
            }
            runUntilDrained(stack, port);
            Check.equal(1, port.sent.size(), "ACKs sent for the batch: " + port.sent);
            Check.equal(CLIENT_ISN + 1 + 1000, port.sent.get(0).ack(), "the ACK covers all ten segments");
        });

        Check.finish();
    }
}
