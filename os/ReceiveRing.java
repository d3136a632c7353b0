import java.nio.ByteBuffer;

/**
 * A memory-mapped receive ring of an AF_PACKET socket, as RawSocket uses it: TPACKET_V3's blocks
 * (PacketRing) or TPACKET_V2's frames (FrameRing). Packets are handed over as views into the ring
 * (the IPv4 header at the position) with a PacketInfo; packets this host sent are skipped.
 */
interface ReceiveRing extends AutoCloseable {
    /** Counters of the kernel for the socket (PACKET_STATISTICS; reading them resets them). */
    record Statistics(int packets, int drops, int freezes) {}

    /** True when a packet can be read now, without a system call. */
    boolean ready();

    /** Waits (poll) until a packet can be read or the timeout passes; false on timeout or a signal. */
    boolean awaitPacket(int timeoutMillis) throws LibC.NativeException;

    /**
     * Hands every packet that is ready now to the handler, at most one pass round the ring, giving
     * each part of the ring back after its packets; does not wait. Returns how many were handed over.
     */
    int receiveBatch(PacketHandler handler) throws LibC.NativeException;

    /** One packet, valid (with last()) until the next call; null when none is ready. */
    ByteBuffer next() throws LibC.NativeException;

    PacketInfo last();

    long packetsRead();

    Statistics statistics() throws LibC.NativeException;

    /** A classic BPF program written for offsets from the IPv4 header (PortFilter's). */
    void attachReceiveFilter(int[][] program) throws LibC.NativeException;

    int fd();

    @Override void close();
}
