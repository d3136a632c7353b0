import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import jnr.ffi.Pointer;

/**
 * Sends one large IPv4 or IPv6 packet that the kernel cuts into segments for us (generic segmentation
 * offload), the trick virtual machines use: an AF_PACKET/SOCK_RAW socket with PACKET_VNET_HDR,
 * where each frame starts with a 10-byte virtio_net_hdr that says "TCP over IPv4, cut into pieces
 * of gso_size bytes, finish each checksum". One system call then carries up to 64 KB. Knows
 * nothing about TCP beyond where the header's checksum sits (shared notes, section 9).
 *
 * The frame needs an Ethernet header, so this works on Ethernet-like interfaces (veth, not lo),
 * once the kernel has resolved the next hop's MAC address (its neighbour table, /proc/net/arp,
 * filled when our first packets went out through the raw IP socket). Where that is not so,
 * {@link #canSend} says no and the caller sends MSS-sized packets the usual way.
 *
 * IPv6 the same way, with gso_type TCPV6 and the EtherType 0x86dd; its neighbour table has no
 * file in /proc, so `ip -6 neigh show` is asked, once per next hop (and again at most once a
 * second while it has no complete entry).
 */
final class GsoSender implements AutoCloseable {
    static final int VNET_HEADER = 10, ETHERNET_HEADER = 14;
    private static final int PACKET_VNET_HDR = 15;
    private static final int ARPHRD_ETHER = 1;
    private static final byte VIRTIO_NET_HDR_F_NEEDS_CSUM = 1, VIRTIO_NET_HDR_GSO_TCPV4 = 1, VIRTIO_NET_HDR_GSO_TCPV6 = 4;

    private final int fd;
    // A frame goes out in two pieces that sendmsg gathers: our 24 bytes of virtio_net_hdr and
    // Ethernet header, then the caller's IPv4 packet where it lies. Copying 64 KB into one frame
    // buffer first would cost as much as the kernel's own copy.
    private final ByteBuffer head = LibC.direct(VNET_HEADER + ETHERNET_HEADER);
    // struct msghdr (56 bytes), then two struct iovec (16 bytes each); allocated once.
    private static final int MSGHDR = 0, IOVECS = 56;
    private final ByteBuffer message = LibC.direct(IOVECS + 2 * 16);
    private final Pointer messagePointer = Pointer.wrap(LibC.RUNTIME, message);
    private final Map<Integer, Link> links = new HashMap<>();   // by interface index
    private final Map<NeighbourKey, Neighbour> neighbours = new HashMap<>(); // by interface and next hop, once found
    private final Map<NeighbourKey, Long> missing = new HashMap<>();  // IPv6 next hops not found: when asked last (ns)

    private record NeighbourKey(int index, IpAddress nextHop) {}

    /** A next hop on a link: its MAC, and the sockaddr_ll that sends to it (made once, not per frame). */
    private record Neighbour(byte[] mac, ByteBuffer address) {}

    /** What an interface needs for a frame: its index, its MAC, and its neighbours' MACs. */
    private record Link(int index, byte[] mac, String name, boolean ethernet) {}

    private GsoSender(int fd) {
        this.fd = fd;
        message.putLong(MSGHDR + 16, messagePointer.address() + IOVECS); // msg_iov
        message.putLong(MSGHDR + 24, 2);                                 // msg_iovlen
        message.putLong(IOVECS, LibC.address(head));                     // iov[0]: our headers
        message.putLong(IOVECS + 8, head.capacity());
    }

    static GsoSender open() throws LibC.NativeException {
        int fd = (int) LibC.check("socket(AF_PACKET, SOCK_RAW)", LibC.C.socket(LibC.AF_PACKET, LibC.SOCK_RAW, 0));
        try {
            LibC.setIntOption(fd, LibC.SOL_PACKET, PACKET_VNET_HDR, 1, "PACKET_VNET_HDR");
            return new GsoSender(fd);
        } catch (LibC.NativeException | RuntimeException e) {
            LibC.closeQuietly(fd);
            throw e;
        }
    }

    /** True when a frame to this next hop can go out of this interface now. */
    boolean canSend(int interfaceIndex, IpAddress nextHop) {
        Link link = link(interfaceIndex);
        return link != null && link.ethernet() && neighbour(link, nextHop) != null;
    }

    /**
     * Sends the IPv4 packet between ip's position and limit (headers already written, the TCP
     * checksum field holding the pseudo-header sum, not complemented) as segments of segmentSize
     * bytes of TCP data each. The buffer must be direct: the kernel reads the packet where it lies.
     */
    void send(ByteBuffer ip, int interfaceIndex, IpAddress nextHop, int segmentSize) throws LibC.NativeException {
        if (!ip.isDirect()) throw new IllegalArgumentException("the packet must be in a direct buffer");
        Link link = link(interfaceIndex);
        Neighbour neighbour = link == null ? null : neighbour(link, nextHop);
        if (neighbour == null) throw new IllegalStateException("no neighbour entry for the next hop");
        int at = ip.position();
        boolean v6 = nextHop.isV6();
        int ipHeader = v6 ? Packets.IPV6_HEADER_LEN : (ip.get(at) & 0x0f) * 4;
        int tcpHeader = ((ip.get(at + ipHeader + 12) & 0xff) >> 4) * 4;
        // struct virtio_net_hdr, little-endian: flags, gso_type, hdr_len, gso_size, csum_start, csum_offset
        head.order(ByteOrder.LITTLE_ENDIAN);
        head.put(0, VIRTIO_NET_HDR_F_NEEDS_CSUM).put(1, v6 ? VIRTIO_NET_HDR_GSO_TCPV6 : VIRTIO_NET_HDR_GSO_TCPV4);
        head.putShort(2, (short) (ETHERNET_HEADER + ipHeader + tcpHeader));
        head.putShort(4, (short) segmentSize);
        head.putShort(6, (short) (ETHERNET_HEADER + ipHeader));
        head.putShort(8, (short) 16); // the TCP checksum's offset in its header
        head.order(ByteOrder.BIG_ENDIAN);
        head.position(VNET_HEADER);
        head.put(neighbour.mac()).put(link.mac()).putShort((short) (v6 ? LibC.ETH_P_IPV6 : LibC.ETH_P_IP));
        sendGathered(ip, neighbour.address());
    }

    /** One sendmsg of our headers followed by the packet between ip's position and limit. */
    private void sendGathered(ByteBuffer ip, ByteBuffer address) throws LibC.NativeException {
        message.putLong(MSGHDR, LibC.address(address));                  // msg_name: the sockaddr_ll
        message.putInt(MSGHDR + 8, address.capacity());                  // msg_namelen
        message.putLong(IOVECS + 16, LibC.address(ip) + ip.position());  // iov[1]: the IPv4 packet
        message.putLong(IOVECS + 24, ip.remaining());
        while (true) {
            long sent = LibC.C.sendmsg(fd, messagePointer, 0);
            if (sent >= 0) return;
            int errno = LibC.errno();
            if (errno != LibC.EINTR) throw new LibC.NativeException("sendmsg (GSO frame)", errno);
        }
    }

    private Link link(int index) {
        return links.computeIfAbsent(index, i -> {
            try {
                String name = Route.interfaceName(i);
                Path dir = Path.of("/sys/class/net", name);
                boolean ethernet = Integer.parseInt(Files.readString(dir.resolve("type")).trim()) == ARPHRD_ETHER;
                return new Link(i, parseMac(Files.readString(dir.resolve("address")).trim()), name, ethernet);
            } catch (IOException | RuntimeException e) { // LibC.NativeException is an IOException
                return new Link(i, new byte[6], "?", false);
            }
        });
    }

    private Neighbour neighbour(Link link, IpAddress nextHop) {
        NeighbourKey key = new NeighbourKey(link.index(), nextHop);
        Neighbour known = neighbours.get(key);
        if (known == null) {
            byte[] mac;
            if (nextHop.isV6()) {
                Long asked = missing.get(key);
                if (asked != null && System.nanoTime() - asked < 1_000_000_000L) return null;
                mac = readIpv6NeighbourMac(link, nextHop);
                if (mac == null) missing.put(key, System.nanoTime());
            } else {
                mac = readNeighbourMac(link, nextHop.v4());
            }
            if (mac == null) return null;
            known = new Neighbour(mac, LibC.sockaddrLl(link.index(), mac, nextHop.isV6() ? LibC.ETH_P_IPV6 : LibC.ETH_P_IP));
            neighbours.put(key, known);
        }
        return known;
    }

    /**
     * An IPv6 next hop's MAC, from `ip -6 neigh show to ADDRESS dev NAME`: a line such as
     * "fd00::1 lladdr 02:00:00:00:00:01 REACHABLE" (STALE, DELAY and PROBE still name a usable
     * address; INCOMPLETE and FAILED have none).
     */
    private static byte[] readIpv6NeighbourMac(Link link, IpAddress nextHop) {
        try {
            Process p = new ProcessBuilder("ip", "-6", "neigh", "show", "to", nextHop.toString(), "dev", link.name())
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII);
            if (!p.waitFor(2, java.util.concurrent.TimeUnit.SECONDS)) p.destroyForcibly();
            for (String line : out.split("\n")) {
                String[] f = line.trim().split("\\s+");
                for (int i = 0; i + 1 < f.length; i++) if (f[i].equals("lladdr")) return parseMac(f[i + 1]);
            }
        } catch (IOException | RuntimeException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
        return null;
    }

    /** The next hop's MAC from the kernel's neighbour table, or null when it has none (yet). */
    private static byte[] readNeighbourMac(Link link, int nextHop) {
        String address = Packets.address(nextHop);
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc/net/arp"));
            for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
                String[] f = line.trim().split("\\s+");
                // IP address, HW type, Flags (0x2: complete), HW address, Mask, Device
                if (f.length >= 6 && f[0].equals(address) && f[5].equals(link.name()) && !f[2].equals("0x0")) {
                    return parseMac(f[3]);
                }
            }
        } catch (IOException | RuntimeException e) {
            return null;
        }
        return null;
    }

    private static byte[] parseMac(String text) {
        String[] parts = text.split(":");
        if (parts.length != 6) throw new IllegalArgumentException("not a MAC address: " + text);
        byte[] mac = new byte[6];
        for (int i = 0; i < 6; i++) mac[i] = (byte) Integer.parseInt(parts[i], 16);
        return mac;
    }

    @Override public void close() {
        LibC.closeQuietly(fd);
    }
}
