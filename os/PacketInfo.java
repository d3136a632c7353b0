/**
 * What the kernel says about one received packet besides its bytes: the interface, who it was for
 * (sll_pkttype), the ring's tp_status bits, and, with PACKET_VNET_HDR, the virtio_net_hdr that
 * tells how many segments a coalesced (GRO) or not-yet-cut (GSO) packet holds. One object is
 * reused for every packet: read it inside the handler, do not keep it.
 */
final class PacketInfo {
    // <linux/if_packet.h>: sll_pkttype
    static final int PACKET_HOST = 0, PACKET_BROADCAST = 1, PACKET_MULTICAST = 2, PACKET_OTHERHOST = 3, PACKET_OUTGOING = 4;
    // <linux/if_packet.h>: tp_status bits of a received frame
    static final int TP_STATUS_COPY = 0x2, TP_STATUS_LOSING = 0x4, TP_STATUS_CSUMNOTREADY = 0x8,
            TP_STATUS_CSUM_VALID = 0x80, TP_STATUS_GSO_TCP = 0x100;
    // <linux/virtio_net.h>
    static final int VIRTIO_NET_HDR_F_NEEDS_CSUM = 1, VIRTIO_NET_HDR_F_DATA_VALID = 2;
    static final int VIRTIO_NET_HDR_GSO_NONE = 0, VIRTIO_NET_HDR_GSO_TCPV4 = 1, VIRTIO_NET_HDR_GSO_TCPV6 = 4,
            VIRTIO_NET_HDR_GSO_ECN = 0x80;

    int interfaceIndex;
    int packetType;
    int status;          // tp_status (0 on the recvmsg path except CSUMNOTREADY from PACKET_AUXDATA)
    int length;          // tp_len: the packet's length on the wire (more than captured when cut short)
    int captured;        // tp_snaplen: bytes in the view handed over
    boolean hasVnetHeader;
    int vnetFlags, gsoType, headerLength, gsoSize, checksumStart, checksumOffset;

    /** The kernel left the transport checksum unfinished (checksum offload): nothing to verify yet. */
    boolean checksumNotReady() {
        return (status & TP_STATUS_CSUMNOTREADY) != 0 || (vnetFlags & VIRTIO_NET_HDR_F_NEEDS_CSUM) != 0;
    }

    /** The device or GRO already verified the checksum (CHECKSUM_UNNECESSARY). */
    boolean checksumVerified() {
        return (status & TP_STATUS_CSUM_VALID) != 0 || (vnetFlags & VIRTIO_NET_HDR_F_DATA_VALID) != 0;
    }

    /** Addressed to this host (not another host's, seen in promiscuous mode, nor our own outgoing). */
    boolean forThisHost() {
        return packetType == PACKET_HOST || packetType == PACKET_BROADCAST || packetType == PACKET_MULTICAST;
    }

    /** The packet was cut short (the ring's frame or block was smaller than the packet). */
    boolean truncated() { return captured < length; }

    /**
     * How many segments of at most gsoSize payload bytes a packet of payloadBytes holds: the count
     * for RFC 9293 3.8.6.3 (SHLD-19): "An ACK SHOULD be generated for at least every second
     * full-sized segment or 2*RMSS bytes of new data". 1 for a packet that was never coalesced.
     */
    int segments(int payloadBytes) {
        if (gsoSize <= 0 || payloadBytes <= gsoSize) return 1;
        return (payloadBytes + gsoSize - 1) / gsoSize;
    }

    void clear() {
        interfaceIndex = packetType = status = length = captured = 0;
        hasVnetHeader = false;
        vnetFlags = gsoType = headerLength = gsoSize = checksumStart = checksumOffset = 0;
    }

    @Override public String toString() {
        return "ifindex=" + interfaceIndex + " pkttype=" + packetType + " status=0x" + Integer.toHexString(status)
                + " len=" + length + " snaplen=" + captured
                + (hasVnetHeader ? " vnet{flags=" + vnetFlags + " gso_type=" + gsoType + " hdr_len=" + headerLength
                        + " gso_size=" + gsoSize + " csum_start=" + checksumStart + " csum_offset=" + checksumOffset + "}" : "");
    }
}
