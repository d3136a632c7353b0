import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The TPACKET_V2 ring's frame header, read from byte vectors laid out as the kernel writes them
 * (<linux/if_packet.h>, x86-64; tpacket_rcv for a SOCK_RAW socket with PACKET_VNET_HDR: tp_mac 76,
 * tp_net 90, the virtio_net_hdr at 66), and where frames sit in the ring.
 */
final class Tpacket2Test {
    static final int FRAME_SIZE = 2048;

    // A pure ACK, for this host on ifindex 2, its checksum left to offload.
    static final String FRAME =
            "09000000" + "36000000" + "36000000"   // tp_status USER | CSUMNOTREADY, tp_len 54, tp_snaplen 54
            + "4c00" + "5a00"                      // tp_mac 76, tp_net 90
            + "01000000" + "02000000"              // tp_sec, tp_nsec
            + "0000" + "0000" + "00000000"         // vlan tci, tpid, padding
            + "1100" + "0800" + "02000000" + "0100" + "00" + "06" + "aabbccddeeff0000" // sockaddr_ll: ifindex 2, HOST
            + "0000000000000000000000000000"                                        // 52 .. 66
            + "01" + "00" + "0000" + "0000" + "2200" + "1000";                     // virtio_net_hdr: NEEDS_CSUM, no GSO
    static final String ETHERNET = "020000000001" + "020000000002" + "0800";
    static final String ACK =
            "45000028" + "00020000" + "4006" + "0000" + "c6120002" + "c6120001"
            + "9c401388" + "00000064" + "00000001" + "5010ffff" + "00000000";

    // The head of a 64 KB GSO packet cut to the frame, the whole packet on the socket's queue.
    static final String COPY_FRAME =
            "0b010000" + "bafe0000" + "76070000"   // USER | COPY | CSUMNOTREADY | GSO_TCP, tp_len 65210, tp_snaplen 1910
            + "4c00" + "5a00" + "01000000" + "02000000" + "0000" + "0000" + "00000000"
            + "1100" + "0800" + "02000000" + "0100" + "00" + "06" + "aabbccddeeff0000"
            + "0000000000000000000000000000"
            + "01" + "01" + "4200" + "a805" + "2200" + "1000";                     // NEEDS_CSUM, TCPV4, gso_size 1448

    public static void main(String[] args) {
        Check.suite("Tpacket2Test");

        Check.test("a frame: the view starts at the IPv4 header, with flags and the vnet header", () -> {
            ByteBuffer ring = ByteBuffer.allocate(2 * FRAME_SIZE).order(ByteOrder.LITTLE_ENDIAN);
            ring.put(FRAME_SIZE, Check.hex(FRAME + ETHERNET + ACK));
            PacketInfo info = new PacketInfo();
            int net = Tpacket2.readFrame(ring, FRAME_SIZE, FRAME_SIZE, true, info);
            Check.equal(FRAME_SIZE + 90, net, "network header");
            Check.equal(40, info.captured, "captured from the IPv4 header");
            byte[] packet = new byte[info.captured];
            ring.get(net, packet);
            Check.bytes(Check.hex(ACK), packet, "the packet");
            Check.equal(2, info.interfaceIndex, "ifindex");
            Check.equal(PacketInfo.PACKET_HOST, info.packetType, "pkttype");
            Check.isTrue(info.checksumNotReady(), "checksum left to offload");
            Check.equal(0, info.gsoSize, "no GSO");
            Check.equal(34, info.checksumStart, "csum_start");
            Check.isTrue(!info.truncated(), "whole");
            Check.equal(14, Tpacket2.linkHeaderLength(ring, FRAME_SIZE), "Ethernet header");
        });

        Check.test("a packet larger than the frame: cut, marked TP_STATUS_COPY, its length kept", () -> {
            ByteBuffer ring = ByteBuffer.allocate(FRAME_SIZE).order(ByteOrder.LITTLE_ENDIAN);
            ring.put(0, Check.hex(COPY_FRAME));
            PacketInfo info = new PacketInfo();
            Tpacket2.readFrame(ring, 0, FRAME_SIZE, true, info);
            Check.isTrue((info.status & PacketInfo.TP_STATUS_COPY) != 0, "TP_STATUS_COPY");
            Check.equal(65210 - 14, info.length, "whole length from the IPv4 header");
            Check.equal(1910 - 14, info.captured, "captured in the frame");
            Check.isTrue(info.truncated(), "truncated in the ring");
            Check.equal(1448, info.gsoSize, "gso_size");
            Check.equal(45, info.segments(65210 - 14 - 40), "segments it holds");
        });

        Check.test("a snaplen past the frame is refused", () -> {
            ByteBuffer ring = ByteBuffer.allocate(FRAME_SIZE).order(ByteOrder.LITTLE_ENDIAN);
            ring.put(0, Check.hex(FRAME));
            ring.putInt(8, FRAME_SIZE);
            Check.throwsA(Tpacket3.Malformed.class, () -> Tpacket2.readFrame(ring, 0, FRAME_SIZE, true, new PacketInfo()), "snaplen");
        });

        Check.test("frames never straddle blocks: 3 frames of 1360 bytes in a 4096-byte block", () -> {
            Check.equal(0, Tpacket2.frameOffset(0, 4096, 1360), "frame 0");
            Check.equal(2720, Tpacket2.frameOffset(2, 4096, 1360), "frame 2");
            Check.equal(4096, Tpacket2.frameOffset(3, 4096, 1360), "frame 3 opens block 1");
            Check.equal(4096 + 1360, Tpacket2.frameOffset(4, 4096, 1360), "frame 4");
        });

        Check.test("struct tpacket_req, byte for byte", () -> {
            ByteBuffer r = Tpacket2.request(ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN), 262144, 64, 2048);
            Check.bytes(Check.hex("00000400" + "40000000" + "00080000" + "00200000"), r.array(),
                    "tp_block_size 256 KiB, tp_block_nr 64, tp_frame_size 2048, tp_frame_nr 8192");
        });

        Check.finish();
    }
}
