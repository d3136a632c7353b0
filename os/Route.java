import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * What the kernel's routing table says about a destination: the source address it would use and
 * the MTU of the path. Asked the way ip(8) would not need a process for it: connect() a UDP socket
 * to the destination (which sends nothing) and read back getsockname() and IP_MTU.
 */
final class Route {
    private Route() {}

    /** The local address and path MTU for packets to destination. */
    record Info(IpAddress sourceAddress, int mtu) {}

    /** For IPv4 or IPv6 (IPV6_MTU on an AF_INET6 socket, as IP_MTU on an AF_INET one). */
    static Info lookup(IpAddress destination) throws LibC.NativeException {
        boolean v6 = destination.isV6();
        int fd = (int) LibC.check(v6 ? "socket(AF_INET6, SOCK_DGRAM)" : "socket(AF_INET, SOCK_DGRAM)",
                LibC.C.socket(v6 ? LibC.AF_INET6 : LibC.AF_INET, LibC.SOCK_DGRAM, 0));
        try {
            LibC.check("connect to " + destination,
                    LibC.C.connect(fd, LibC.sockaddr(destination, 9), LibC.sockaddrLength(destination)));
            ByteBuffer local = LibC.direct(28);
            ByteBuffer length = LibC.direct(4).putInt(0, 28);
            LibC.check("getsockname", LibC.C.getsockname(fd, local, length));
            IpAddress source = v6 ? IpAddress.read(local, 8, 16) : IpAddress.v4(local.order(ByteOrder.BIG_ENDIAN).getInt(4));
            int mtu = v6 ? LibC.getIntOption(fd, LibC.IPPROTO_IPV6, LibC.IPV6_MTU, "IPV6_MTU")
                    : LibC.getIntOption(fd, LibC.IPPROTO_IP, LibC.IP_MTU, "IP_MTU");
            return new Info(source, mtu);
        } finally {
            LibC.closeQuietly(fd);
        }
    }

    /**
     * The next hop toward destination: the gateway of the longest matching route of the main table
     * (/proc/net/route), or the destination itself when it is on a link (or nothing matches). The
     * segmentation offload path (GsoSender) addresses its Ethernet frames to this hop's MAC, so that
     * large segments go out on routed paths too.
     */
    static IpAddress nextHop(IpAddress destination) {
        // IPv6: the destination itself (its neighbour entry); a routed IPv6 path is not looked up
        // here, so GsoSender finds no neighbour for an off-link address and the segments are cut by us.
        return destination.isV6() ? destination : IpAddress.v4(nextHop(destination.v4()));
    }

    static int nextHop(int destination) {
        int bestGateway = destination, bestLength = -1;
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc/net/route"));
            for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
                // Iface Destination Gateway Flags RefCnt Use Metric Mask ...; addresses in hex, in
                // the host's byte order (little-endian here)
                String[] f = line.trim().split("\\s+");
                if (f.length < 8 || (Integer.parseInt(f[3], 16) & 0x1) == 0) continue; // RTF_UP
                int net = Integer.reverseBytes((int) Long.parseLong(f[1], 16));
                int mask = Integer.reverseBytes((int) Long.parseLong(f[7], 16));
                int gateway = Integer.reverseBytes((int) Long.parseLong(f[2], 16));
                int length = Integer.bitCount(mask);
                if ((destination & mask) == net && length > bestLength) {
                    bestLength = length;
                    bestGateway = gateway == 0 ? destination : gateway;
                }
            }
        } catch (IOException | RuntimeException e) {
            return destination;
        }
        return bestGateway;
    }

    /**
     * The MTU of the interface with this index, asked of the kernel with two ioctls (index to
     * name, name to MTU) on a throwaway socket, so the answer is this network namespace's.
     */
    static int interfaceMtu(int interfaceIndex) throws LibC.NativeException {
        int fd = (int) LibC.check("socket(AF_INET, SOCK_DGRAM)", LibC.C.socket(LibC.AF_INET, LibC.SOCK_DGRAM, 0));
        try {
            ByteBuffer ifreq = LibC.direct(40);               // struct ifreq: name[16], then a union
            ifreq.putInt(16, interfaceIndex);                 // ifr_ifindex
            LibC.check("ioctl(SIOCGIFNAME)", LibC.C.ioctl(fd, LibC.SIOCGIFNAME, ifreq));
            LibC.check("ioctl(SIOCGIFMTU)", LibC.C.ioctl(fd, LibC.SIOCGIFMTU, ifreq));
            return ifreq.getInt(16);                          // ifr_mtu
        } finally {
            LibC.closeQuietly(fd);
        }
    }

    /** The name of the interface with this index (SIOCGIFNAME), in this network namespace. */
    static String interfaceName(int interfaceIndex) throws LibC.NativeException {
        int fd = (int) LibC.check("socket(AF_INET, SOCK_DGRAM)", LibC.C.socket(LibC.AF_INET, LibC.SOCK_DGRAM, 0));
        try {
            ByteBuffer ifreq = LibC.direct(40);
            ifreq.putInt(16, interfaceIndex);
            LibC.check("ioctl(SIOCGIFNAME)", LibC.C.ioctl(fd, LibC.SIOCGIFNAME, ifreq));
            byte[] name = new byte[16];
            ifreq.get(0, name);
            int length = 0;
            while (length < name.length && name[length] != 0) length++;
            return new String(name, 0, length, java.nio.charset.StandardCharsets.US_ASCII);
        } finally {
            LibC.closeQuietly(fd);
        }
    }

    /**
     * The MSS to announce for a path: its MTU less the 20-byte IPv4 and 20-byte TCP headers. An
     * IPv4 packet is at most 65535 bytes (its total length has 16 bits), whatever the MTU says:
     * lo's MTU of 65536 gives 65495, as Linux announces there.
     */
    static int mssFor(int mtu) {
        return Math.max(536, Math.min(65535, mtu) - 40);
    }

    /**
     * The same for either version: IPv6's header is 40 bytes, so the MSS is the MTU less 60 (RFC
     * 9293 3.7.1: "1220 (1280 - 60) for IPv6"), at least 1220 (IPv6's minimum MTU is 1280, RFC
     * 8200 section 5), at most 65535 - 40 (a payload length of 16 bits, no jumbograms).
     */
    static int mssFor(int mtu, boolean ipv6) {
        if (!ipv6) return mssFor(mtu);
        return Math.max(1220, Math.min(65535 + 40, mtu) - 60);
    }
}
