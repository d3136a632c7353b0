import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Large segments for segmentation offload: the connection hands out whole MSS multiples, and the
 * wire format writes them with the checksum field a network card (or the kernel's GSO) expects.
 */
final class OffloadTest {
    private OffloadTest() {}

    public static void main(String[] args) {
        Check.suite("Segmentation offload");

        Check.test("emitForOffload: the TCP checksum field holds the pseudo-header sum, folded, not complemented", () -> {
            byte[] data = new byte[30_000];
            for (int i = 0; i < data.length; i++) data[i] = (byte) (i * 7);
            Packets.Tcp seg = Packets.Tcp.of(40000, 5000, 1000, 2000, Packets.ACK, 512, List.of(), data);
            Packets.Ipv4 ip = Packets.Ipv4.forTcp(Packets.parseAddress("198.18.0.2"), Packets.parseAddress("198.18.0.1"), 7, 64);
            ByteBuffer out = ByteBuffer.allocate(40_000);
            int length = Packets.emitForOffload(out, ip, seg);
            int tcpLength = length - Packets.IPV4_HEADER_LEN;
            int pseudo = Packets.pseudoHeaderSum(ip.source(), ip.destination(), tcpLength);
            int folded = Packets.Checksum.add(pseudo, 0);
            Check.equal(folded, Packets.u16(out, Packets.IPV4_HEADER_LEN + 16), "checksum field");
            // The rest is what emit writes: only the TCP checksum differs.
            ByteBuffer full = ByteBuffer.allocate(40_000);
            Packets.emit(full, ip, seg);
            for (int i = 0; i < length; i++) {
                if (i == Packets.IPV4_HEADER_LEN + 16 || i == Packets.IPV4_HEADER_LEN + 17) continue;
                Check.equal(full.get(i), out.get(i), "byte " + i);
            }
        });

        Check.test("with largeSegments, data goes in large segments (MSS multiples, or all that is queued), never above the limit, intact", () -> {
            TcpConfig cfg = TcpConfig.defaults().withLargeSegments(64_000);
            FakeLink link = new FakeLink(cfg, TcpConfig.defaults());
            link.oneWayDelay = 1;
            link.server.listen(0x7000_0000);
            link.client.open(0x1000_0000);
            link.runUntilQuiet();
            byte[] data = new byte[3_000_000];
            for (int i = 0; i < data.length; i++) data[i] = (byte) (i % 251);
            int written = 0;
            long limit = link.now + 60_000;
            while ((written < data.length || link.server.received.size() < data.length) && link.now < limit) {
                if (written < data.length) {
                    written += link.client.conn.write(data, written, data.length - written, link.now, link.client);
                }
                if (!link.step()) break;
            }
            Check.bytes(data, link.server.receivedBytes(), "data");
            int mss = link.client.conn.sendMss();
            List<Integer> large = new ArrayList<>();
            for (Packets.Tcp s : link.client.sent) {
                int n = s.payload().length;
                Check.isTrue(n <= 64_000, "segment of " + n + " bytes");
                if (n > mss) large.add(n);
            }
            Check.isTrue(large.size() > 10, "large segments were sent: " + large.size());
            // Whole MSS multiples, except where a large segment took all that was queued then.
            long multiples = large.stream().filter(n -> n % mss == 0).count();
            Check.isTrue(multiples * 10 >= large.size() * 8, multiples + " of " + large.size() + " large segments are MSS multiples");
        });

        Check.finish();
    }
}
