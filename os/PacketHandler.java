import java.nio.ByteBuffer;

/**
 * Takes the packets of one batch, one call each. The buffer is a view into the receive ring (or the
 * recvmsg buffer): the IPv4 header at its position, the captured bytes up to its limit, valid only
 * during the call (the ring's block goes back to the kernel after the batch). Copy what must stay.
 */
@FunctionalInterface
interface PacketHandler {
    void packet(ByteBuffer ipPacket, PacketInfo info);
}
