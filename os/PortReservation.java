import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Holds a TCP port with a kernel socket that is bound but never listens or connects, so that no
 * other program (nor the kernel's own port allocator) takes the port while we use it by hand.
 * Binding port 0 lets the kernel pick a free ephemeral port for a client.
 * A bound socket that does not listen does not answer anything: the kernel still replies RST to
 * segments for the port, which is what RstGuard deals with.
 */
final class PortReservation implements AutoCloseable {
    final int port;
    private int fd;

    private PortReservation(int fd, int port) {
        this.fd = fd;
        this.port = port;
    }

    /** Reserves port on address (0 = all addresses); port 0 picks a free one. */
    static PortReservation reserve(int address, int port) throws LibC.NativeException {
        int fd = (int) LibC.check("socket(AF_INET, SOCK_STREAM)", LibC.C.socket(LibC.AF_INET, LibC.SOCK_STREAM, 0));
        try {
            LibC.check("bind port " + port, LibC.C.bind(fd, LibC.sockaddrIn(address, port), 16));
            ByteBuffer bound = LibC.direct(16);
            ByteBuffer length = LibC.direct(4).putInt(0, 16);
            LibC.check("getsockname", LibC.C.getsockname(fd, bound, length));
            return new PortReservation(fd, bound.order(ByteOrder.BIG_ENDIAN).getShort(2) & 0xffff);
        } catch (LibC.NativeException e) {
            LibC.closeQuietly(fd);
            throw e;
        }
    }

    @Override
    public void close() {
        LibC.closeQuietly(fd);
        fd = -1;
    }
}
