import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * Watches a kernel-to-kernel TCP stream to a port through our receive path (the kernel's own TCP
 * does the receiving; we only look), as a system test of RawSocket's receive paths (rings and recvmsg):
 * every payload byte must be seen once the stream is over, and each packet's checksum and
 * segmentation flags are counted.
 *
 *   RingWatch PORT BYTES v2|v3|recvmsg [SECONDS]
 *
 * Prints "ready" once the socket is open, then, when BYTES distinct payload bytes were seen (or
 * the time is up), one line of key=value figures. Exits 0 only when all BYTES were seen.
 */
final class RingWatch {
    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        long bytes = Long.parseLong(args[1]);
        RawSocket.ReceivePath path = RawSocket.ReceivePath.named(args[2]);
        long limitNanos = (args.length > 3 ? Long.parseLong(args[3]) : 60) * 1_000_000_000L;
        try (RawSocket socket = RawSocket.open(0, path)) {
            // We only watch: nothing slows the sender down, so the queue must hold the whole stream
            // (the test gives the ring as many bytes with -Dtbh.ring.blockKiB and -Dtbh.ring.blocks).
            socket.setReceiveBuffer(256 << 20);
            socket.attachReceiveFilter(PortFilter.forDestinationPorts(List.of(port)));
            Tally tally = new Tally(port);
            System.out.println("ready " + path);
            System.out.flush();
            var os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
            long cpuBefore = os.getProcessCpuTime();
            long start = System.nanoTime();
            while (tally.distinct() < bytes && System.nanoTime() - start < limitNanos) {
                if (socket.awaitPacket(100)) socket.receiveBatch(tally, 1024);
            }
            ReceiveRing ring = socket.ring();
            String drops = "n/a";
            if (ring != null) drops = String.valueOf(ring.statistics().drops());
            double cpu = (os.getProcessCpuTime() - cpuBefore) / 1e9;
            System.out.println(tally.report() + " drops=" + drops + String.format(" cpu_s=%.3f", cpu)
                    + (ring instanceof PacketRing blocks ? " blocks=" + blocks.blocksRead() : "")
                    + (ring instanceof FrameRing frames ? " copies=" + frames.copies() : ""));
            System.exit(tally.distinct() == bytes ? 0 : 1);
        }
    }

    /** Counts what the packets of one flow carried. */
    static final class Tally implements PacketHandler {
        final int port;
        long otherPorts;                                   // packets the port filter should have kept away
        long packets, payloadBytes, notReady, verified, needsCsum, dataValid, gsoPackets, otherHost, syns, maxPacket;
        long firstData = -1;                               // the sequence number after the SYN
        final TreeMap<Integer, Long> gsoSizes = new TreeMap<>();
        final TreeMap<Long, Long> ranges = new TreeMap<>(); // start -> end, relative to firstData
        final List<String> checksumPositions = new ArrayList<>();

        Tally(int port) { this.port = port; }

        @Override public void packet(ByteBuffer p, PacketInfo info) {
            int at = p.position();
            int ihl = (p.get(at) & 0x0f) * 4;
            int total = Short.toUnsignedInt(p.getShort(at + 2));
            int tcp = at + ihl;
            if (Short.toUnsignedInt(p.getShort(tcp + 2)) != port) {
                otherPorts++;
                return;
            }
            int flags = p.get(tcp + 13) & 0xff;
            long seq = Integer.toUnsignedLong(p.getInt(tcp + 4));
            int data = total - ihl - ((p.get(tcp + 12) & 0xf0) >> 2);
            packets++;
            maxPacket = Math.max(maxPacket, total);
            if (!info.forThisHost()) otherHost++;
            if ((info.status & PacketInfo.TP_STATUS_CSUMNOTREADY) != 0) notReady++;
            if ((info.status & PacketInfo.TP_STATUS_CSUM_VALID) != 0) verified++;
            if ((info.vnetFlags & PacketInfo.VIRTIO_NET_HDR_F_NEEDS_CSUM) != 0) {
                needsCsum++;
                if (checksumPositions.size() < 1) checksumPositions.add(info.checksumStart + "+" + info.checksumOffset);
            }
            if ((info.vnetFlags & PacketInfo.VIRTIO_NET_HDR_F_DATA_VALID) != 0) dataValid++;
            if (info.gsoSize > 0) {
                gsoPackets++;
                gsoSizes.merge(info.gsoSize, 1L, Long::sum);
            }
            if ((flags & 0x02) != 0) {                     // SYN: the data starts one after it
                syns++;
                firstData = (seq + 1) & 0xffffffffL;
                return;
            }
            if (data <= 0 || firstData < 0) return;
            payloadBytes += data;
            long from = (seq - firstData) & 0xffffffffL;
            add(from, from + data);
        }

        private void add(long from, long to) {
            var before = ranges.floorEntry(from);
            if (before != null && before.getValue() >= from) {
                from = before.getKey();
                to = Math.max(to, before.getValue());
                ranges.remove(before.getKey());
            }
            var after = ranges.ceilingEntry(from);
            while (after != null && after.getKey() <= to) {
                to = Math.max(to, after.getValue());
                ranges.remove(after.getKey());
                after = ranges.ceilingEntry(from);
            }
            ranges.put(from, to);
        }

        /** Payload bytes seen from the first one on, without gaps. */
        long distinct() {
            var first = ranges.firstEntry();
            return first == null || first.getKey() != 0 ? 0 : first.getValue();
        }

        String report() {
            StringBuilder sizes = new StringBuilder();
            gsoSizes.forEach((size, n) -> sizes.append(sizes.length() == 0 ? "" : ",").append(size).append(':').append(n));
            return "packets=" + packets + " syns=" + syns + " payload_bytes=" + payloadBytes + " distinct_bytes=" + distinct()
                    + " ranges=" + ranges.size() + " max_packet=" + maxPacket + " csum_notready=" + notReady
                    + " csum_valid=" + verified + " vnet_needs_csum=" + needsCsum + " vnet_data_valid=" + dataValid
                    + " csum_at=" + String.join(",", checksumPositions) + " gso_packets=" + gsoPackets
                    + " gso_sizes=" + (sizes.length() == 0 ? "none" : sizes) + " not_for_host=" + otherHost + " other_ports=" + otherPorts;
        }
    }
}
