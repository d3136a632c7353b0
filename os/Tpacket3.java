import java.nio.ByteBuffer;

/**
 * The TPACKET_V3 receive ring's structures (<linux/if_packet.h>, Documentation/networking/
 * packet_mmap.rst), read from the mapped bytes. No system calls here, so it is tested on byte
 * vectors. All fields are in the machine's byte order; the caller's buffer must be in that order.
 *
 * The ring is a row of blocks. The kernel fills one block at a time with packets of any size and
 * hands it over whole ("retires" it) when the next packet does not fit or the block timeout
 * passes; user space reads every packet in it and gives the block back.
 *
 *   struct tpacket_block_desc (48 bytes at each block's start)
 *     0 version   4 offset_to_priv   8 block_status   12 num_pkts   16 offset_to_first_pkt
 *    20 blk_len  24 seq_num (u64)   32 ts_first_pkt   40 ts_last_pkt
 *   struct tpacket3_hdr (48 bytes at each frame's start), then struct sockaddr_ll at +48
 *     0 tp_next_offset   4 tp_sec   8 tp_nsec   12 tp_snaplen   16 tp_len   20 tp_status
 *    24 tp_mac (u16)   26 tp_net (u16)   28 tp_rxhash   32 tp_vlan_tci   36 tp_vlan_tpid ...
 *   struct sockaddr_ll: +4 sll_ifindex, +10 sll_pkttype
 *   struct virtio_net_hdr (10 bytes, little-endian) just before the link header, at tp_mac - 10,
 *     when PACKET_VNET_HDR is on (SOCK_RAW only): 0 flags  1 gso_type  2 hdr_len  4 gso_size
 *     6 csum_start  8 csum_offset
 */
final class Tpacket3 {
    private Tpacket3() {}

    static final int TPACKET_V3 = 2;
    static final int TP_STATUS_KERNEL = 0, TP_STATUS_USER = 1, TP_STATUS_BLK_TMO = 0x20;

    static final int BLOCK_VERSION = 0, BLOCK_STATUS = 8, BLOCK_NUM_PKTS = 12, BLOCK_FIRST_PACKET = 16,
            BLOCK_LENGTH = 20, BLOCK_SEQUENCE = 24, BLOCK_HEADER = 48;
    static final int FRAME_NEXT = 0, FRAME_SNAPLEN = 12, FRAME_LEN = 16, FRAME_STATUS = 20, FRAME_MAC = 24,
            FRAME_NET = 26, FRAME_HEADER = 48, SLL_IFINDEX = FRAME_HEADER + 4, SLL_PKTTYPE = FRAME_HEADER + 10;
    static final int VNET_HEADER = 10;

    /** A field the kernel wrote that cannot be right: a frame outside its block, or the like. */
    static final class Malformed extends RuntimeException {
        private static final long serialVersionUID = 1L;
        Malformed(String message) { super(message); }
    }

    static int blockStatus(ByteBuffer ring, int block) { return ring.getInt(block + BLOCK_STATUS); }
    static int packetCount(ByteBuffer ring, int block) { return ring.getInt(block + BLOCK_NUM_PKTS); }
    static long sequence(ByteBuffer ring, int block) { return ring.getLong(block + BLOCK_SEQUENCE); }

    /** The offset (in the ring) of the block's first frame. */
    static int firstFrame(ByteBuffer ring, int block, int blockSize) {
        int first = ring.getInt(block + BLOCK_FIRST_PACKET);
        if (first < BLOCK_HEADER || first > blockSize - FRAME_HEADER) {
            throw new Malformed("offset_to_first_pkt " + first + " outside a block of " + blockSize + " bytes");
        }
        return block + first;
    }

    /**
     * Reads the frame at 'frame' (an offset in the ring) into info and returns the offset of its
     * packet's network header; info.captured bytes from there are the packet. Checks every offset
     * against the block, so a bad value throws Malformed instead of reading another packet's bytes.
     */
    static int readFrame(ByteBuffer ring, int block, int blockSize, int frame, boolean vnetHeader, PacketInfo info) {
        int end = block + blockSize;
        if (frame < block + BLOCK_HEADER || frame + FRAME_HEADER + 12 > end) {
            throw new Malformed("frame at " + (frame - block) + " outside a block of " + blockSize + " bytes");
        }
        info.clear();
        info.captured = ring.getInt(frame + FRAME_SNAPLEN);
        info.length = ring.getInt(frame + FRAME_LEN);
        info.status = ring.getInt(frame + FRAME_STATUS);
        int mac = Short.toUnsignedInt(ring.getShort(frame + FRAME_MAC));
        int net = Short.toUnsignedInt(ring.getShort(frame + FRAME_NET));
        info.interfaceIndex = ring.getInt(frame + SLL_IFINDEX);
        info.packetType = ring.get(frame + SLL_PKTTYPE) & 0xff;
        if (net < mac || mac < FRAME_HEADER || info.captured < 0 || (long) frame + mac + info.captured > end) {
            throw new Malformed("packet at " + mac + " with " + info.captured + " bytes outside its block");
        }
        // tp_snaplen and tp_len count from the link header; the view starts at the network header
        info.captured = Math.max(0, info.captured - (net - mac));
        info.length = Math.max(0, info.length - (net - mac));
        if (vnetHeader) {
            if (mac - VNET_HEADER < FRAME_HEADER) throw new Malformed("no room for virtio_net_hdr before tp_mac " + mac);
            readVnetHeader(ring, frame + mac - VNET_HEADER, info);
        }
        return frame + net;
    }

    /** The next frame's offset in the ring, or -1 after the block's last frame. */
    static int nextFrame(ByteBuffer ring, int frame) {
        int next = ring.getInt(frame + FRAME_NEXT);
        if (next == 0) return -1;
        if (next < FRAME_HEADER) throw new Malformed("tp_next_offset " + next + " would not move past the frame");
        return frame + next;
    }

    /** struct virtio_net_hdr at 'at' (little-endian, as the kernel writes it for a packet socket). */
    static void readVnetHeader(ByteBuffer ring, int at, PacketInfo info) {
        info.hasVnetHeader = true;
        info.vnetFlags = ring.get(at) & 0xff;
        info.gsoType = ring.get(at + 1) & 0xff;
        info.headerLength = littleEndianU16(ring, at + 2);
        info.gsoSize = littleEndianU16(ring, at + 4);
        info.checksumStart = littleEndianU16(ring, at + 6);
        info.checksumOffset = littleEndianU16(ring, at + 8);
    }

    private static int littleEndianU16(ByteBuffer b, int at) {
        return (b.get(at) & 0xff) | (b.get(at + 1) & 0xff) << 8;
    }

    /** struct tpacket_req3, for setsockopt(PACKET_RX_RING). */
    static ByteBuffer request(ByteBuffer into, int blockSize, int blockCount, int frameSize, int blockTimeoutMillis) {
        int framesPerBlock = blockSize / frameSize;
        into.putInt(0, blockSize).putInt(4, blockCount).putInt(8, frameSize).putInt(12, framesPerBlock * blockCount)
                .putInt(16, blockTimeoutMillis).putInt(20, 0).putInt(24, 0); // tp_sizeof_priv, tp_feature_req_word
        return into;
    }
}
