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

    /**
     * Reserves port on address; port 0 picks a free one. A null address means every address of
     * both versions: an AF_INET6 socket on :: with IPV6_V6ONLY off holds the port for IPv4 too (as a
     * kernel listener on :: takes both), or an AF_INET socket on 0.0.0.0 where IPv6 is absent.
     */
    static PortReservation reserve(IpAddress address, int port) throws LibC.NativeException {
        if (address == null) {
            try {
                return reserve(IpAddress.ANY_V6, port, false);
            } catch (LibC.NativeException noIpv6) {
                if (noIpv6.errno == LibC.EADDRINUSE) throw noIpv6;
                return reserve(IpAddress.ANY_V4, port, false);
            }
        }
        return reserve(address, port, true);
    }

    private static PortReservation reserve(IpAddress address, int port, boolean v6Only) throws LibC.NativeException {
        boolean v6 = address.isV6();
        int fd = (int) LibC.check(v6 ? "socket(AF_INET6, SOCK_STREAM)" : "socket(AF_INET, SOCK_STREAM)",
                LibC.C.socket(v6 ? LibC.AF_INET6 : LibC.AF_INET, LibC.SOCK_STREAM, 0));
        try {
            if (v6) LibC.setIntOption(fd, LibC.IPPROTO_IPV6, LibC.IPV6_V6ONLY, v6Only ? 1 : 0, "IPV6_V6ONLY");
            LibC.check("bind port " + port, LibC.C.bind(fd, LibC.sockaddr(address, port), LibC.sockaddrLength(address)));
            ByteBuffer bound = LibC.direct(28);
            ByteBuffer length = LibC.direct(4).putInt(0, 28);
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
