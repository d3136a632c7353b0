import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

/**
 * Tests of app/LiveLadder.java (--ladder): packets handed over one at a time, as the stack sends
 * and receives them, draw the same arrows that Ladder.java draws from a capture of them.
 */
final class LiveLadderTest {
    private LiveLadderTest() {}

    static final int CLIENT = LadderTest.CLIENT, SERVER = LadderTest.SERVER;

    public static void main(String[] args) {
        Check.suite("LiveLadder");

        Check.test("the client's live ladder is Ladder's ladder of the same packets, line for line", () -> {
            List<byte[]> packets = synthetic();
            List<String> live = feed(packets, CLIENT, 100);
            List<String> drawn = lines(LadderTest.ladder(LadderTest.capture(packets)));
            // Ladder prints a title first ("Connection 1 of 1: ..."), then the same lines
            Check.equal(String.join("\n", drawn.subList(1, drawn.size())), String.join("\n", live), "ladder");
            Check.isTrue(live.get(2).contains("retransmission"), "the second SYN is marked: " + live.get(2));
        });

        Check.test("a real capture of our client (retransmitted SYN, window scale) draws as Ladder draws it", () -> {
            byte[] file = Files.readAllBytes(LadderTest.DATA.resolve("retransmitted-syn.pcap"));
            List<byte[]> packets = new ArrayList<>();
            List<Long> times = new ArrayList<>();
            for (PcapReader.Record r : PcapReader.read(file).records()) {
                packets.add(r.data());
                times.add(r.micros());
            }
            int client = ByteBuffer.wrap(packets.get(0)).getInt(12); // the first packet is the client's SYN
            List<String> live = new ArrayList<>();
            LiveLadder ladder = new LiveLadder(live::add, 100);
            for (int i = 0; i < packets.size(); i++) hand(ladder, packets.get(i), client, times.get(i));
            List<String> expected = lines(LadderTest.read("retransmitted-syn.txt"));
            Check.equal(String.join("\n", expected.subList(1, expected.size())), String.join("\n", live), "ladder");
        });

        Check.test("the server's live ladder: the server on the left, the same labels, arrows the other way", () -> {
            List<String> client = feed(synthetic(), CLIENT, 100), server = feed(synthetic(), SERVER, 100);
            Check.isTrue(server.get(0).matches(" +time ms  198\\.18\\.0\\.1:5000 +198\\.18\\.0\\.2:40000"), server.get(0));
            Check.equal(client.size(), server.size(), "lines");
            for (int i = 1; i < client.size(); i++) {
                Check.equal(label(client.get(i)), label(server.get(i)), "label of arrow " + i);
                Check.isTrue(client.get(i).contains("|<-") != server.get(i).contains("|<-"), "opposite directions: "
                        + client.get(i) + " / " + server.get(i));
            }
            Check.isTrue(server.get(1).contains("|<-") && server.get(1).contains(" SYN seq=0 len=0 "), "the SYN comes in: " + server.get(1));
        });

        Check.test("sent() reads the packet without moving the buffer the stack is about to send", () -> {
            byte[] syn = LadderTest.segment(CLIENT, 40000, SERVER, 5000, 77, 0, Packets.SYN, 65535,
                    List.of(new Packets.Mss(1460)), 0);
            ByteBuffer buffer = ByteBuffer.allocate(100);
            buffer.position(10);
            buffer.put(syn).flip().position(10);
            List<String> out = new ArrayList<>();
            new LiveLadder(out::add).sent(buffer, 5_000);
            Check.equal(10, buffer.position(), "position");
            Check.equal(10 + syn.length, buffer.limit(), "limit");
            Check.equal(2, out.size(), "a header and an arrow");
            Check.isTrue(out.get(1).startsWith("      0.000  |") && out.get(1).contains(" SYN seq=0 len=0 win=65535 mss=1460 ")
                    && out.get(1).endsWith("->|"), out.get(1));
        });

        Check.test("two connections at once: the header line comes again whenever the connection changes", () -> {
            int ack = Packets.ACK;
            List<byte[]> packets = List.of(
                    LadderTest.segment(CLIENT, 40001, SERVER, 5000, 100, 0, Packets.SYN, 1000, List.of(), 0),
                    LadderTest.segment(CLIENT, 40002, SERVER, 5000, 200, 0, Packets.SYN, 1000, List.of(), 0),
                    LadderTest.segment(SERVER, 5000, CLIENT, 40002, 900, 201, Packets.SYN | ack, 1000, List.of(), 0),
                    LadderTest.segment(SERVER, 5000, CLIENT, 40001, 500, 101, Packets.SYN | ack, 1000, List.of(), 0),
                    LadderTest.segment(CLIENT, 40001, SERVER, 5000, 101, 501, ack, 1000, List.of(), 0));
            List<String> out = feed(packets, CLIENT, LiveLadder.WIDTH);
            String[] expected = {"198.18.0.2:40001", "SYN seq=0 len=0", "198.18.0.2:40002", "SYN seq=0 len=0",
                    "SYN-ACK seq=0 ack=1 len=0", "198.18.0.2:40001", "SYN-ACK seq=0 ack=1 len=0", "ACK seq=1 ack=1 len=0"};
            Check.equal(expected.length, out.size(), "lines: " + out);
            for (int i = 0; i < expected.length; i++) Check.isTrue(out.get(i).contains(expected[i]), expected[i] + " in " + out.get(i));
            Check.isTrue(out.get(7).startsWith("      4.000  |"), "times count from each connection's first packet: " + out.get(7));
        });

        Check.test("a new SYN on the ports of a connection that ended starts a new ladder from seq=0", () -> {
            int ack = Packets.ACK, fin = Packets.FIN | Packets.ACK;
            List<byte[]> packets = List.of(
                    LadderTest.segment(CLIENT, 40000, SERVER, 5000, 100, 0, Packets.SYN, 1000, List.of(), 0),
                    LadderTest.segment(SERVER, 5000, CLIENT, 40000, 900, 101, Packets.SYN | ack, 1000, List.of(), 0),
                    LadderTest.segment(CLIENT, 40000, SERVER, 5000, 101, 901, fin, 1000, List.of(), 0),
                    LadderTest.segment(SERVER, 5000, CLIENT, 40000, 901, 102, fin, 1000, List.of(), 0),
                    LadderTest.segment(CLIENT, 40000, SERVER, 5000, 102, 902, ack, 1000, List.of(), 0),
                    LadderTest.segment(CLIENT, 40000, SERVER, 5000, 7000, 0, Packets.SYN, 1000, List.of(), 0),
                    LadderTest.segment(CLIENT, 40000, SERVER, 5000, 7000, 0, Packets.SYN, 1000, List.of(), 0));
            List<String> out = feed(packets, CLIENT, LiveLadder.WIDTH);
            Check.equal(9, out.size(), "two headers and seven arrows: " + out);
            Check.isTrue(out.get(6).contains("time ms"), "a new header: " + out.get(6));
            Check.isTrue(out.get(7).startsWith("      0.000  |") && out.get(7).contains(" SYN seq=0 len=0 win=1000 -"), out.get(7));
            Check.isTrue(out.get(8).contains(" SYN seq=0 len=0 win=1000 retransmission "), "its own retransmission: " + out.get(8));
        });

        Check.test("each line fits in 100 columns after the log's \"[Client] \", even with the longest labels", () -> {
            int far = 0xffffff01;
            List<byte[]> packets = List.of(
                    LadderTest.segment(far, 65535, far + 1, 65534, 0x7fffffff, 0, Packets.SYN, 65535,
                            List.of(new Packets.Mss(65495), new Packets.WindowScale(14)), 0),
                    LadderTest.segment(far + 1, 65534, far, 65535, -1, 0x80000000, Packets.SYN | Packets.ACK | Packets.ECE
                            | Packets.CWR, 65535, List.of(new Packets.Mss(65495), new Packets.WindowScale(14)), 0),
                    LadderTest.segment(far, 65535, far + 1, 65534, 0x80000000, 0, Packets.ACK | Packets.PSH | Packets.URG
                            | Packets.FIN, 65535, List.of(), 1400));
            List<String> out = feed(packets, far, LiveLadder.WIDTH);
            for (String line : out) {
                Check.isTrue(("[Client] " + line).length() <= 100, "at most 100 columns: [Client] " + line);
                if (!line.contains("time ms")) Check.equal(LiveLadder.WIDTH, line.length(), "an arrow fills the width: " + line);
            }
        });

        Check.finish();
    }

    /** LadderTest's connection with every kind of retransmission, as IPv4 packets. */
    static List<byte[]> synthetic() throws Exception {
        List<byte[]> packets = new ArrayList<>();
        for (PcapReader.Record r : PcapReader.read(LadderTest.synthetic()).records()) packets.add(r.data());
        return packets;
    }

    /** The live ladder of packets one millisecond apart, as the end at address `us` draws it. */
    static List<String> feed(List<byte[]> packets, int us, int width) throws Exception {
        List<String> out = new ArrayList<>();
        LiveLadder ladder = new LiveLadder(out::add, width);
        for (int i = 0; i < packets.size(); i++) hand(ladder, packets.get(i), us, 1_000_000 + i * 1000L);
        return out;
    }

    /** Hands one packet over as TcpStack does: sent() when it comes from us, received() otherwise. */
    static void hand(LiveLadder ladder, byte[] packet, int us, long micros) throws Exception {
        ByteBuffer b = ByteBuffer.wrap(packet);
        if (b.getInt(12) == us) ladder.sent(b, micros);
        else ladder.received(Packets.parse(b, false), micros);
    }

    static List<String> lines(String text) {
        return List.of(text.split("\n"));
    }

    /** The text on an arrow, without its dashes and head. */
    static String label(String line) {
        return line.substring(line.indexOf('|')).replaceAll("[-<>|]{2,}|\\|", "").trim();
    }
}
