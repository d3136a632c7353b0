import java.nio.ByteBuffer;

/**
 * What a stack needs from the link: whole IP packets (version 4 or 6) in and out. RawSocket is the real one; a
 * test can hand the stack packets from memory and collect what it sends.
 */
interface PacketPort {
    /** Waits up to timeoutMillis for a packet; true when one is waiting. */
    boolean awaitPacket(int timeoutMillis) throws LibC.NativeException;

    /** The next waiting packet (a view valid until the next call), or null when none waits. */
    ByteBuffer receive() throws LibC.NativeException;

    /** The last received packet's TCP checksum was left to offload (unfinished, nothing to check). */
    boolean lastChecksumNotReady();

    /** The interface the last received packet came in on. */
    int lastInterfaceIndex();

    /** The last received packet's sll_pkttype: PacketInfo.PACKET_HOST unless a port says otherwise. */
    default int lastPacketType() { return PacketInfo.PACKET_HOST; }
    /**
     * The payload size of the segments the last received packet holds when the link coalesced
     * several into one (GRO; the virtio_net_hdr's gso_size), 0 when it is a single segment or the
     * path cannot tell (recvmsg).
     */
    default int lastSegmentSize() { return 0; }

    /** Sends one IP packet, header included, to the destination its header names. */
    void send(ByteBuffer ipPacket) throws LibC.NativeException;
}
