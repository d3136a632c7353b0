import java.nio.ByteBuffer;

/**
 * The TPACKET_V2 receive ring's frame header (<linux/if_packet.h>), read from the mapped bytes; no
 * system calls, so it is tested on byte vectors. Fields are in the machine's byte order.
 *
 * V2 is the ring for latency: every frame has its own status word, set to TP_STATUS_USER and
 * announced (the socket wakes) as soon as its packet is in, where TPACKET_V3 hands over whole
 * blocks only when full or after tp_retire_blk_tov milliseconds. Frames have one fixed size, so a
 * packet larger than a frame (a 64 KB GSO or GRO packet) is cut; with PACKET_COPY_THRESH the kernel
 * then also queues it whole on the socket and marks the frame TP_STATUS_COPY: read it with recvmsg.
 *
 *   struct tpacket2_hdr (32 bytes at each frame's start), then struct sockaddr_ll at +32
 *     0 tp_status   4 tp_len   8 tp_snaplen   12 tp_mac (u16)   14 tp_net (u16)   16 tp_sec
 *    20 tp_nsec    24 tp_vlan_tci (u16)   26 tp_vlan_tpid (u16)   28 tp_padding[4]
 *   struct sockaddr_ll: +4 sll_ifindex, +10 sll_pkttype
 *   struct virtio_net_hdr (10 bytes, little-endian) at tp_mac - 10 with PACKET_VNET_HDR.
 */
final class Tpacket2 {
    private Tpacket2() {}

    static final int TPACKET_V2 = 1;
    static final int TP_STATUS_KERNEL = 0, TP_STATUS_USER = 1;
    static final int FRAME_STATUS = 0, FRAME_LEN = 4, FRAME_SNAPLEN = 8, FRAME_MAC = 12, FRAME_NET = 14,
            FRAME_HEADER = 32, SLL_IFINDEX = FRAME_HEADER + 4, SLL_PKTTYPE = FRAME_HEADER + 10;

    /** Where frame number 'index' starts in the ring: frames never straddle two blocks. */
    static int frameOffset(int index, int blockSize, int frameSize) {
        int perBlock = blockSize / frameSize;
        return (index / perBlock) * blockSize + (index % perBlock) * frameSize;
    }

    /**
     * Reads the frame at 'frame' into info (status included) and returns the offset of its
     * packet's network header; info.captured bytes from there are in the frame. When the status
     * has TP_STATUS_COPY, the whole packet (info.length bytes) waits on the socket's queue.
     */
    static int readFrame(ByteBuffer ring, int frame, int frameSize, boolean vnetHeader, PacketInfo info) {
        info.clear();
        info.status = ring.getInt(frame + FRAME_STATUS);
        int length = ring.getInt(frame + FRAME_LEN);
        int snaplen = ring.getInt(frame + FRAME_SNAPLEN);
        int mac = Short.toUnsignedInt(ring.getShort(frame + FRAME_MAC));
        int net = Short.toUnsignedInt(ring.getShort(frame + FRAME_NET));
        info.interfaceIndex = ring.getInt(frame + SLL_IFINDEX);
        info.packetType = ring.get(frame + SLL_PKTTYPE) & 0xff;
        if (net < mac || mac < FRAME_HEADER + 20 || snaplen < 0 || mac + snaplen > frameSize) {
            throw new Tpacket3.Malformed("packet at " + mac + " with " + snaplen + " bytes outside a frame of " + frameSize);
        }
        info.captured = Math.max(0, snaplen - (net - mac));
        info.length = Math.max(0, length - (net - mac));
        if (vnetHeader) Tpacket3.readVnetHeader(ring, frame + mac - Tpacket3.VNET_HEADER, info);
        return frame + net;
    }

    /** The link header's length in this frame (tp_net - tp_mac): what recvmsg's copy starts with. */
    static int linkHeaderLength(ByteBuffer ring, int frame) {
        return Short.toUnsignedInt(ring.getShort(frame + FRAME_NET)) - Short.toUnsignedInt(ring.getShort(frame + FRAME_MAC));
    }

    /** struct tpacket_req, for setsockopt(PACKET_RX_RING). */
    static ByteBuffer request(ByteBuffer into, int blockSize, int blockCount, int frameSize) {
        return into.putInt(0, blockSize).putInt(4, blockCount).putInt(8, frameSize)
                .putInt(12, blockSize / frameSize * blockCount);
    }
}
