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
        final ArrayDeque<Integer> segmentSizes = new ArrayDeque<>();
        final List<Packets.Tcp> sent = new ArrayList<>();
        int lastSegmentSize;

        void deliver(Packets.Tcp segment) {
            deliver(Packets.Ipv4.forTcp(CLIENT, SERVER, 1, 64), segment, 0);
        }

        /** A packet as the ring hands over a coalesced one: with its gso_size. */
        void deliver(Packets.Tcp segment, int segmentSize) {
            deliver(Packets.Ipv4.forTcp(CLIENT, SERVER, 1, 64), segment, segmentSize);
        }

        void deliver(Packets.IpHeader ip, Packets.Tcp segment) {
            deliver(ip, segment, 0);
        }

        void deliver(Packets.IpHeader ip, Packets.Tcp segment, int segmentSize) {
            ByteBuffer b = ByteBuffer.allocate(RawSocket.MAX_PACKET).order(ByteOrder.BIG_ENDIAN);
            Packets.emit(b, ip, segment);
            incoming.add(b.flip());
            segmentSizes.add(segmentSize);
        }

        @Override public boolean awaitPacket(int timeoutMillis) { return !incoming.isEmpty(); }
        @Override public ByteBuffer receive() {
            Integer size = segmentSizes.poll();
            lastSegmentSize = size == null ? 0 : size;
            return incoming.poll();
        }
        @Override public int lastSegmentSize() { return lastSegmentSize; }
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
        return server(port, TcpConfig.defaults().withDelayedAck(0)); // every data segment is owed an ACK at once
    }

    static TcpStack server(FakePort port, TcpConfig config) {
        TcpStack.Settings s = new TcpStack.Settings();
        s.listenPort = PORT;
        s.spinMicros = 0;
        s.tcp = config;
        return new TcpStack(s, port, new Log("Server", false, true), null, Set.of());
    }

    /** The handshake with a server on port; returns the server's ISS. */
    static int handshake(TcpStack stack, FakePort port) throws Exception {
        port.deliver(fromClient(CLIENT_ISN, 0, Packets.SYN, new byte[0]));
        runUntilDrained(stack, port);
        int serverIsn = port.sent.get(0).seq();
        port.deliver(fromClient(CLIENT_ISN + 1, serverIsn + 1, Packets.ACK, new byte[0]));
        runUntilDrained(stack, port);
        port.sent.clear();
        return serverIsn;
    }

    static Packets.Tcp fromClient(int seq, int ack, int flags, byte[] data) {
        return Packets.Tcp.of(CLIENT_PORT, PORT, seq, ack, flags, 65535, List.of(), data);
    }

    /** The largest segment our server sends 10,000 bytes in, after a SYN with no MSS option. */
    static int largestSegmentAfterSynWithoutMss(boolean ipv6) throws Exception {
        IpAddress client = IpAddress.parse(ipv6 ? "2001:db8::2" : "198.18.0.2"), server = IpAddress.parse(ipv6 ? "2001:db8::1" : "198.18.0.1");
        Packets.IpHeader ip = Packets.headerFor(client, server, 1, 64);
        FakePort port = new FakePort();
        TcpStack stack = server(port);
        port.deliver(ip, fromClient(CLIENT_ISN, 0, Packets.SYN, new byte[0]));
        runUntilDrained(stack, port);
        int serverIsn = port.sent.get(0).seq();
        Check.equal(1460, port.sent.get(0).mss(), "our SYN-ACK announces our own MSS");
        port.deliver(ip, fromClient(CLIENT_ISN + 1, serverIsn + 1, Packets.ACK, new byte[0]));
        runUntilDrained(stack, port);
        port.sent.clear();
        stack.connections().get(0).send(new byte[10_000]);
        int largest = 0;
        for (Packets.Tcp t : port.sent) largest = Math.max(largest, t.payload().length);
        Check.isTrue(!port.sent.isEmpty(), "data sent");
        return largest;
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

        Check.test("RFC 5681 4.2: out-of-order segments waiting in one batch each get their immediate duplicate ACK, and so does the gap's filler", () -> {
            FakePort port = new FakePort();
            TcpStack stack = server(port);
            int serverIsn = handshake(stack, port);
            int seq = CLIENT_ISN + 1;
            port.deliver(fromClient(seq, serverIsn + 1, Packets.ACK, new byte[100]));          // in order
            for (int i = 2; i <= 5; i++) {                                                      // a hole at 100..200
                port.deliver(fromClient(seq + 100 * i, serverIsn + 1, Packets.ACK, new byte[100]));
            }
            port.deliver(fromClient(seq + 100, serverIsn + 1, Packets.ACK, new byte[100]));    // the filler
            runUntilDrained(stack, port);
            List<Integer> acks = new java.util.ArrayList<>();
            for (Packets.Tcp t : port.sent) acks.add(t.ack() - seq);
            Check.equal(List.of(100, 100, 100, 100, 600), acks, "ACKs (relative): four duplicates for the four out-of-order segments, then one for all: " + port.sent);
        });

        Check.test("RFC 9293 3.8.6.3 SHLD-19: the loop hands a 64 KB GRO packet's gso_size to its connection: 1448-byte segments after it count as full-sized", () -> {
            FakePort port = new FakePort();
            TcpStack stack = server(port, TcpConfig.defaults()); // delayed ACKs of 40 ms
            int serverIsn = handshake(stack, port);
            int seq = CLIENT_ISN + 1;
            port.deliver(fromClient(seq, serverIsn + 1, Packets.ACK, new byte[45 * 1448]), 1448);
            runUntilDrained(stack, port);
            Check.equal(1, port.sent.size(), "one ACK for the 45 segments of the coalesced packet: " + port.sent);
            seq += 45 * 1448;
            for (int i = 0; i < 2; i++) {
                port.sent.clear();
                port.deliver(fromClient(seq + 1448 * i, serverIsn + 1, Packets.ACK, new byte[1448]));
                runUntilDrained(stack, port);
                Check.equal(i, port.sent.size(), "ACKs right after single segment " + (i + 1) + " of 1448: " + port.sent);
            }
        });

        Check.test("the default receive path is the ring: -Dtbh.receive unset means auto (the V2 ring, recvmsg only as the fallback)", () -> {
            Check.isTrue(System.getProperty("tbh.receive") == null, "run without -Dtbh.receive");
            Check.equal(RawSocket.ReceivePath.AUTO, RawSocket.ReceivePath.fromProperty(), "the default path");
            Check.equal(RawSocket.ReceivePath.FRAMES, RawSocket.ReceivePath.named("v2"), "v2");
            Check.equal(RawSocket.ReceivePath.RECVMSG, RawSocket.ReceivePath.named("recvmsg"), "recvmsg");
        });

        // RFC 9293 3.7.1: "If an MSS Option is not received at connection setup, TCP implementations
        // MUST assume a default send MSS of 536 (576 - 40) for IPv4 or 1220 (1280 - 60) for IPv6 (MUST-15)."
        Check.test("RFC 9293 3.7.1 MUST-15: a SYN without MSS gives a send MSS of 1220 over IPv6, 536 over IPv4", () -> {
            Check.equal(1220, largestSegmentAfterSynWithoutMss(true), "IPv6");
            Check.equal(536, largestSegmentAfterSynWithoutMss(false), "IPv4");
        });

        // RFC 4987 section 3.5 without cookies (--no-syn-cookies): the recycled half-open connection
        // is gone, so it must send nothing more. It used to be put back in the timer queue when it
        // had been touched earlier in the same batch (the batch's owed ACKs are settled at its end),
        // and retransmitted its SYN-ACK later, a live object beyond the backlog.
        Check.test("RFC 4987 3.5: a half-open connection recycled in the batch that made it sends no SYN-ACK again", () -> {
            FakePort port = new FakePort();
            TcpStack.Settings s = new TcpStack.Settings();
            s.listenPort = PORT;
            s.spinMicros = 0;
            s.backlog = 2;
            s.synCookies = false;
            s.tcp = TcpConfig.defaults().withRtoInitial(50);
            TcpStack stack = new TcpStack(s, port, new Log("Server", false, true), null, Set.of());
            for (int p = 1; p <= 3; p++) { // one batch: the third SYN recycles the first connection
                port.deliver(Packets.Tcp.of(CLIENT_PORT + p, PORT, CLIENT_ISN, 0, Packets.SYN, 65535, List.of(), new byte[0]));
            }
            long until = stack.now() + 120; // past the first retransmission of the SYN-ACKs
            stack.run(new TcpStack.Application() {
                @Override public boolean keepRunning(long now) { return now < until; }
                @Override public int maxSleepMillis() { return 10; }
            });
            int toRecycled = 0;
            for (Packets.Tcp t : port.sent) if (t.destinationPort() == CLIENT_PORT + 1) toRecycled++;
            Check.equal(1, toRecycled, "SYN-ACKs to the recycled connection's port: " + port.sent);
            Check.equal(2, stack.openConnections(), "connections in the table");
        });

        Check.finish();
    }
}
