import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * The TPACKET_V3 ring's block and frame headers, read from byte vectors laid out as the kernel
 * writes them (<linux/if_packet.h>, x86-64, little-endian; tpacket_rcv in net/packet/af_packet.c
 * for a SOCK_RAW socket with PACKET_VNET_HDR: tp_mac 92, tp_net 106, the virtio_net_hdr at 82).
 */
final class Tpacket3Test {
    // One block of 512 bytes holding two frames.
    static final String BLOCK_HEADER =
            "02000000" + "30000000"            // version TPACKET_V3, offset_to_priv 48
            + "01000000" + "02000000"          // block_status TP_STATUS_USER, num_pkts 2
            + "30000000" + "00010000"          // offset_to_first_pkt 48, blk_len 256
            + "0700000000000000"               // seq_num 7
            + "0000000000000000" + "0000000000000000"; // ts_first_pkt, ts_last_pkt

    // Frame 1: a SYN with 10 bytes of data, for this host, checksum left to offload, part of a GSO packet.
    static final String FRAME1_HEADER =
            "a0000000" + "01000000" + "02000000" // tp_next_offset 160, tp_sec, tp_nsec
            + "40000000" + "40000000"          // tp_snaplen 64, tp_len 64 (from the link header)
            + "09010000"                       // tp_status USER | CSUMNOTREADY | GSO_TCP
            + "5c00" + "6a00"                  // tp_mac 92, tp_net 106
            + "00000000" + "00000000" + "00000000" + "0000000000000000" // rxhash, vlan, padding
            + "1100" + "0800" + "03000000" + "0100" + "00" + "06" + "aabbccddeeff0000" // sockaddr_ll: ifindex 3, PACKET_HOST
            + "0000000000000000000000000000"   // up to tp_mac - 10
            + "01" + "01" + "4200" + "a805" + "2200" + "1000"; // virtio_net_hdr: NEEDS_CSUM, TCPV4, 66, 1448, 34, 16
    static final String ETHERNET = "020000000001" + "020000000002" + "0800";
    static final String SYN_WITH_DATA =
            "45000032" + "00010000" + "4006" + "0000" + "c6120002" + "c6120001"      // IPv4, 50 bytes
            + "9c401388" + "00000064" + "00000000" + "5002ffff" + "00000000"        // TCP 40000 -> 5000, SYN
            + "68656c6c6f776f726c64";                                               // "helloworld"

    // Frame 2, the last: a pure ACK for another host, checksum already verified.
    static final String FRAME2_HEADER =
            "00000000" + "01000000" + "03000000" // tp_next_offset 0: the last frame
            + "36000000" + "36000000"          // tp_snaplen 54, tp_len 54
            + "81000000"                       // tp_status USER | CSUM_VALID
            + "5c00" + "6a00"
            + "00000000" + "00000000" + "00000000" + "0000000000000000"
            + "1100" + "0800" + "04000000" + "0100" + "03" + "06" + "aabbccddeeff0000" // ifindex 4, PACKET_OTHERHOST
            + "0000000000000000000000000000"
            + "02" + "00" + "0000" + "0000" + "0000" + "0000"; // virtio_net_hdr: DATA_VALID, no GSO
    static final String PURE_ACK =
            "45000028" + "00020000" + "4006" + "0000" + "c6120005" + "c6120006"
            + "9c411388" + "00000064" + "00000001" + "5010ffff" + "00000000";

    static final int BLOCK_SIZE = 512;

    static ByteBuffer block() {
        ByteBuffer b = ByteBuffer.allocate(BLOCK_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        b.put(Check.hex(BLOCK_HEADER));
        b.put(48, Check.hex(FRAME1_HEADER + ETHERNET + SYN_WITH_DATA));
        b.put(208, Check.hex(FRAME2_HEADER + ETHERNET + PURE_ACK));
        return b;
    }

    public static void main(String[] args) {
        Check.suite("Tpacket3Test");

        Check.test("block header: status, packet count, first frame, sequence", () -> {
            ByteBuffer b = block();
            Check.equal(Tpacket3.TP_STATUS_USER, Tpacket3.blockStatus(b, 0), "block_status");
            Check.equal(2, Tpacket3.packetCount(b, 0), "num_pkts");
            Check.equal(48, Tpacket3.firstFrame(b, 0, BLOCK_SIZE), "first frame");
            Check.equal(7L, Tpacket3.sequence(b, 0), "seq_num");
        });

        Check.test("first frame: the view starts at the IPv4 header, with the vnet header and flags", () -> {
            ByteBuffer b = block();
            PacketInfo info = new PacketInfo();
            int net = Tpacket3.readFrame(b, 0, BLOCK_SIZE, 48, true, info);
            Check.equal(48 + 106, net, "network header offset");
            Check.equal(50, info.captured, "captured bytes from the IPv4 header");
            Check.equal(50, info.length, "length from the IPv4 header");
            byte[] packet = new byte[info.captured];
            b.get(net, packet);
            Check.bytes(Check.hex(SYN_WITH_DATA), packet, "the packet");
            Check.equal(3, info.interfaceIndex, "ifindex");
            Check.equal(PacketInfo.PACKET_HOST, info.packetType, "pkttype");
            Check.isTrue(info.forThisHost(), "for this host");
            Check.isTrue(info.checksumNotReady(), "checksum left to offload");
            Check.isTrue(!info.checksumVerified(), "not verified");
            Check.isTrue((info.status & PacketInfo.TP_STATUS_GSO_TCP) != 0, "TP_STATUS_GSO_TCP");
            Check.equal(1, info.vnetFlags, "vnet flags NEEDS_CSUM");
            Check.equal(PacketInfo.VIRTIO_NET_HDR_GSO_TCPV4, info.gsoType, "gso_type");
            Check.equal(66, info.headerLength, "hdr_len");
            Check.equal(1448, info.gsoSize, "gso_size");
            Check.equal(34, info.checksumStart, "csum_start (from the Ethernet header)");
            Check.equal(16, info.checksumOffset, "csum_offset");
            Check.equal(48 + 160, Tpacket3.nextFrame(b, 48), "next frame");
        });

        Check.test("last frame: another host's packet, checksum verified, no next frame", () -> {
            ByteBuffer b = block();
            PacketInfo info = new PacketInfo();
            int net = Tpacket3.readFrame(b, 0, BLOCK_SIZE, 208, true, info);
            Check.equal(208 + 106, net, "network header offset");
            Check.equal(40, info.captured, "captured");
            Check.equal(4, info.interfaceIndex, "ifindex");
            Check.equal(PacketInfo.PACKET_OTHERHOST, info.packetType, "pkttype");
            Check.isTrue(!info.forThisHost(), "not for this host");
            Check.isTrue(info.checksumVerified(), "CSUM_VALID / DATA_VALID");
            Check.isTrue(!info.checksumNotReady(), "checksum ready");
            Check.equal(0, info.gsoSize, "no gso_size");
            Check.equal(-1, Tpacket3.nextFrame(b, 208), "no next frame");
        });

        Check.test("without a vnet header the fields stay zero and the flags come from tp_status", () -> {
            PacketInfo info = new PacketInfo();
            info.gsoSize = 99; // left from an earlier packet: must be cleared
            Tpacket3.readFrame(block(), 0, BLOCK_SIZE, 48, false, info);
            Check.isTrue(!info.hasVnetHeader, "no vnet header");
            Check.equal(0, info.gsoSize, "gso_size cleared");
            Check.isTrue(info.checksumNotReady(), "CSUMNOTREADY from tp_status");
        });

        Check.test("segments a coalesced packet holds, for delayed ACKs", () -> {
            PacketInfo info = new PacketInfo();
            Check.equal(1, info.segments(60000), "no gso_size: one segment");
            info.gsoSize = 1448;
            Check.equal(1, info.segments(1448), "one full segment");
            Check.equal(2, info.segments(1449), "a segment and one byte");
            Check.equal(45, info.segments(65160), "45 segments of 1448 = 65160 bytes");
        });

        Check.test("offsets outside the block are refused, not read", () -> {
            PacketInfo info = new PacketInfo();
            ByteBuffer b = block();
            Check.throwsA(Tpacket3.Malformed.class, () -> Tpacket3.readFrame(b, 0, BLOCK_SIZE, 500, true, info), "frame past the end");
            ByteBuffer longSnap = block();
            longSnap.putInt(48 + 12, 1000);                        // tp_snaplen past the block
            Check.throwsA(Tpacket3.Malformed.class, () -> Tpacket3.readFrame(longSnap, 0, BLOCK_SIZE, 48, true, info), "snaplen");
            ByteBuffer badFirst = block();
            badFirst.putInt(16, 8);                                // offset_to_first_pkt inside the block header
            Check.throwsA(Tpacket3.Malformed.class, () -> Tpacket3.firstFrame(badFirst, 0, BLOCK_SIZE), "first frame");
            ByteBuffer backwards = block();
            backwards.putInt(48, 4);                               // tp_next_offset that does not move on
            Check.throwsA(Tpacket3.Malformed.class, () -> Tpacket3.nextFrame(backwards, 48), "next offset");
            ByteBuffer netBeforeMac = block();
            netBeforeMac.putShort(48 + 26, (short) 80);            // tp_net before tp_mac
            Check.throwsA(Tpacket3.Malformed.class, () -> Tpacket3.readFrame(netBeforeMac, 0, BLOCK_SIZE, 48, true, info), "tp_net");
        });

        Check.test("a second block at an offset in the ring reads the same", () -> {
            ByteBuffer ring = ByteBuffer.allocate(2 * BLOCK_SIZE).order(ByteOrder.LITTLE_ENDIAN);
            ring.put(BLOCK_SIZE, block().array());
            PacketInfo info = new PacketInfo();
            int first = Tpacket3.firstFrame(ring, BLOCK_SIZE, BLOCK_SIZE);
            Check.equal(BLOCK_SIZE + 48, first, "first frame of block 1");
            Check.equal(BLOCK_SIZE + 48 + 106, Tpacket3.readFrame(ring, BLOCK_SIZE, BLOCK_SIZE, first, true, info), "its packet");
            Check.throwsA(Tpacket3.Malformed.class, () -> Tpacket3.readFrame(ring, BLOCK_SIZE, BLOCK_SIZE, 48, true, info),
                    "a frame of block 0 is not in block 1");
        });

        Check.test("struct tpacket_req3, byte for byte", () -> {
            ByteBuffer r = Tpacket3.request(ByteBuffer.allocate(28).order(ByteOrder.LITTLE_ENDIAN), 1 << 20, 64, 2048, 1);
            Check.bytes(Check.hex("00001000" + "40000000" + "00080000" + "00800000" + "01000000" + "00000000" + "00000000"),
                    r.array(), "tp_block_size 1 MiB, tp_block_nr 64, tp_frame_size 2048, tp_frame_nr 32768, tov 1 ms");
        });

        Check.test("a port filter moved onto the network header for a SOCK_RAW socket", () -> {
            int[][] dgram = PortFilter.forDestinationPorts(List.of(5000));
            int[][] raw = PortFilter.fromNetworkHeader(dgram);
            Check.equal(dgram.length, raw.length, "same length");
            for (int i = 0; i < dgram.length; i++) {
                int code = dgram[i][0];
                boolean packetLoad = code == 0x30 || code == 0x48 || code == 0x50 || code == 0xb1; // ldb [k], ldh [x+k], ldb [x+k], ldxb 4*([k]&0xf)
                Check.equal(packetLoad ? dgram[i][3] - 0x100000 : dgram[i][3], raw[i][3], "k of instruction " + i);
                Check.equal(code, raw[i][0], "code of instruction " + i);
                Check.equal(dgram[i][1], raw[i][1], "jt of instruction " + i);
                Check.equal(dgram[i][2], raw[i][2], "jf of instruction " + i);
            }
        });

        Check.finish();
    }
}
