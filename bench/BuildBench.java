import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;

/**
 * The cost of building one SYN, both checksums included, with Packets: the same packet as
 * scapy_build.py builds (198.18.0.2:40000 -> 198.18.0.1:5000, DF, TTL 64, id 1, seq 1000,
 * window 65535, MSS 1460). Warm-up first, then the median of several timed rounds.
 */
final class BuildBench {
    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 7;
        int perRound = args.length > 1 ? Integer.parseInt(args[1]) : 2_000_000;
        int src = Packets.parseAddress("198.18.0.2"), dst = Packets.parseAddress("198.18.0.1");
        ByteBuffer out = ByteBuffer.allocateDirect(2048);
        List<Packets.TcpOption> mss = List.of(new Packets.Mss(1460));
        long sink = 0;
        double[] nsPerPacket = new double[rounds];
        for (int r = -3; r < rounds; r++) { // three rounds of warm-up
            long t0 = System.nanoTime();
            for (int i = 0; i < perRound; i++) {
                out.clear();
                Packets.Tcp syn = Packets.Tcp.of(40000, 5000, 1000 + i, 0, Packets.SYN, 65535, mss, null);
                sink += Packets.emit(out, Packets.Ipv4.forTcp(src, dst, 1, 64), syn);
                sink += out.getShort(36);
            }
            if (r >= 0) nsPerPacket[r] = (System.nanoTime() - t0) / (double) perRound;
        }
        Arrays.sort(nsPerPacket);
        out.clear();
        Packets.emit(out, Packets.Ipv4.forTcp(src, dst, 1, 64), Packets.Tcp.of(40000, 5000, 1000, 0, Packets.SYN, 65535, mss, null));
        byte[] first = new byte[out.position()];
        out.get(0, first);
        System.out.println("packet=" + java.util.HexFormat.of().formatHex(first));
        System.out.printf("build_ns=%.1f (median of %d rounds of %d; checksum %d)%n",
                nsPerPacket[rounds / 2], rounds, perRound, sink & 1);
    }
}
