import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import jnr.ffi.Pointer;

/**
 * Sends and receives whole IP packets. Knows nothing about TCP.
 *
 * IPv6 (after {@link #enableIpv6}) has sockets of its own beside these: an AF_INET6/SOCK_RAW
 * socket with IPV6_HDRINCL (Linux 4.5 and later) sends packets whose IPv6 header we wrote, marked
 * the same way, and an AF_PACKET socket for ETH_P_IPV6 receives them on the RECVMSG path (the rings
 * stay IPv4 only). Two sockets rather than one for ETH_P_ALL: that one would also be handed a copy
 * of every packet the host sends, and of every ARP and neighbour discovery packet.
 *
 * Sending goes through an AF_INET/SOCK_RAW socket with IP_HDRINCL: the kernel routes the packet
 * but leaves the IP header as we wrote it. Its packets carry a firewall mark (SO_MARK), so that a
 * rule can tell them from packets the kernel makes itself.
 *
 * Receiving takes one of three paths (ReceivePath), all on AF_PACKET sockets for ETH_P_IP, which
 * see every IPv4 packet that reaches the host:
 * - FRAMES: a memory-mapped TPACKET_V2 ring (FrameRing): each packet handed over at once, read
 *   with no system call (one recvmsg for a packet larger than a frame);
 * - BLOCKS: a memory-mapped TPACKET_V3 ring (PacketRing): packets in blocks, no system call each,
 *   but a block waits for its timeout (1 ms at least) unless it fills: for bulk only;
 * - RECVMSG: one recvmsg per packet on a SOCK_DGRAM socket with PACKET_AUXDATA (the fallback).
 * The default (AUTO) is FRAMES (EXPLANATION.md, section 11 "Speed", item 7): it hands each packet
 * over at once, where BLOCKS holds a lone packet for the block's timeout, a millisecond added to
 * every handshake; measured, its median handshake is 2 us shorter than RECVMSG's, and bulk data
 * moved within the noise of a busy machine either way. When the ring cannot be set up (an old kernel,
 * no memory to map), AUTO falls back to RECVMSG and fallbackReason() says why.
 * Either way each packet comes with a PacketInfo: tp_status tells when the kernel left a packet's
 * transport checksum unfinished (TP_STATUS_CSUMNOTREADY, checksum offload on lo and veth),
 * sll_pkttype tells packets this host sent (PACKET_OUTGOING, skipped) and packets for another host
 * (PACKET_OTHERHOST), and the virtio_net_hdr (PACKET_VNET_HDR) gives a coalesced packet's segment size.
 */
final class RawSocket implements PacketPort, AutoCloseable {
    static final int MAX_PACKET = 65536;

    /**
     * How packets are received. The system property tbh.receive (auto, v2, v3 or recvmsg) picks
     * the default; auto is the V2 ring, or recvmsg when the ring cannot be set up.
     */
    enum ReceivePath {
        AUTO, FRAMES, BLOCKS, RECVMSG;

        static ReceivePath named(String name) {
            switch (name.toLowerCase(java.util.Locale.ROOT)) {
                case "auto": case "ring": return AUTO;
                case "v2": case "frames": return FRAMES;
                case "v3": case "blocks": return BLOCKS;
                case "recvmsg": return RECVMSG;
                default: throw new IllegalArgumentException("receive path " + name + ": auto, v2, v3 or recvmsg");
            }
        }

        static ReceivePath fromProperty() {
            return named(System.getProperty("tbh.receive", "auto"));
        }
    }

    private int sendFd = -1, receiveFd = -1;
    private int sendFd6 = -1, receiveFd6 = -1;  // IPv6, after enableIpv6
    private int mark;
    private boolean preferIpv6;                // receive() asks the socket that last had a packet first
    private int streak;                        // ... and the other one first every STREAK-th call
    private ReceiveRing ring;            // the FRAMES or BLOCKS path, or null
    private ReceivePath path;            // the path in use (never AUTO)
    private String fallbackReason;       // why AUTO fell back to RECVMSG, or null

    // Native memory for recvmsg, allocated once: struct msghdr, struct iovec, struct sockaddr_ll,
    // the control buffer for the auxdata message, and the packet itself.
    private static final int MSGHDR = 0, IOVEC = 56, SOCKADDR_LL = 72, CONTROL = 96, CONTROL_SIZE = 64;
    private final ByteBuffer header = LibC.direct(CONTROL + CONTROL_SIZE);
    private final Pointer headerPointer = Pointer.wrap(LibC.RUNTIME, header);
    private final ByteBuffer packet = LibC.direct(MAX_PACKET).order(ByteOrder.BIG_ENDIAN);
    private final ByteBuffer pollFd = LibC.direct(16);   // two struct pollfd: IPv4, then IPv6
    private final Pointer pollPointer = Pointer.wrap(LibC.RUNTIME, pollFd);
    private final ByteBuffer destination = LibC.sockaddrIn(0, 0);
    private final ByteBuffer destination6 = LibC.sockaddrIn6(new byte[16], 0);

    // What the last receive() found out about its packet.
    private final PacketInfo info = new PacketInfo();

    private RawSocket() {}

    /**
     * Opens both sockets. Needs CAP_NET_RAW (and CAP_NET_ADMIN for a non-zero mark); without it
     * the NativeException carries EPERM. Nothing stays open when this throws.
     */
    static RawSocket open(int mark) throws LibC.NativeException {
        return open(mark, ReceivePath.fromProperty());
    }

    static RawSocket open(int mark, ReceivePath path) throws LibC.NativeException {
        RawSocket s = new RawSocket();
        s.mark = mark;
        try {
            s.sendFd = (int) LibC.check("socket(AF_INET, SOCK_RAW)",
                    LibC.C.socket(LibC.AF_INET, LibC.SOCK_RAW, LibC.IPPROTO_RAW));
            LibC.setIntOption(s.sendFd, LibC.IPPROTO_IP, LibC.IP_HDRINCL, 1, "IP_HDRINCL");
            if (mark != 0) LibC.setIntOption(s.sendFd, LibC.SOL_SOCKET, LibC.SO_MARK, mark, "SO_MARK");
            // Path MTU is our stack's business (RFC 1191, IcmpArrives): IP_PMTUDISC_PROBE has the
            // kernel ignore the path MTU its route cache learned (from its own connections' ICMP),
            // so it neither refuses nor fragments our packets by it. We set DF on every packet.
            LibC.setIntOption(s.sendFd, LibC.IPPROTO_IP, LibC.IP_MTU_DISCOVER, LibC.IP_PMTUDISC_PROBE, "IP_MTU_DISCOVER");

            if (path == ReceivePath.AUTO) {
                try {
                    s.ring = FrameRing.open(FrameRing.Settings.defaults());
                    s.path = ReceivePath.FRAMES;
                    s.receiveFd = s.ring.fd();
                    s.prepareMessageHeader(); // poll and recvmsg for the IPv6 socket, if it is opened
                    return s;
                } catch (LibC.NativeException e) {
                    if (e.errno == LibC.EPERM || e.errno == LibC.EACCES) throw e; // no right: say so, not fall back
                    s.fallbackReason = e.getMessage();
                }
            } else if (path != ReceivePath.RECVMSG) {
                s.ring = path == ReceivePath.FRAMES ? FrameRing.open(FrameRing.Settings.defaults())
                        : PacketRing.open(PacketRing.Settings.defaults());
                s.path = path;
                s.receiveFd = s.ring.fd();
                s.prepareMessageHeader();
                return s;
            }
            s.path = ReceivePath.RECVMSG;
            int protocol = Short.toUnsignedInt(Short.reverseBytes((short) LibC.ETH_P_IP)); // htons
            s.receiveFd = (int) LibC.check("socket(AF_PACKET, SOCK_DGRAM)",
                    LibC.C.socket(LibC.AF_PACKET, LibC.SOCK_DGRAM, protocol));
            LibC.setIntOption(s.receiveFd, LibC.SOL_PACKET, LibC.PACKET_AUXDATA, 1, "PACKET_AUXDATA");
            // No PACKET_VNET_HDR here: the kernel allows it on SOCK_RAW sockets only (EINVAL on
            // SOCK_DGRAM), and this path stays as it was. A large packet's segment size is unknown.
            s.prepareMessageHeader();
            return s;
        } catch (LibC.NativeException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    private void prepareMessageHeader() {
        long base = headerPointer.address();
        long packetAddress = Pointer.wrap(LibC.RUNTIME, packet).address();
        header.putLong(MSGHDR, base + SOCKADDR_LL);      // msg_name
        header.putLong(MSGHDR + 16, base + IOVEC);       // msg_iov
        header.putLong(MSGHDR + 24, 1);                  // msg_iovlen
        header.putLong(MSGHDR + 32, base + CONTROL);     // msg_control
        header.putLong(IOVEC, packetAddress);            // iov_base
        header.putLong(IOVEC + 8, MAX_PACKET);           // iov_len
        pollFd.putInt(0, receiveFd).putShort(4, LibC.POLLIN);
    }

    /**
     * Opens the IPv6 sockets (once). Fails where the kernel has no IPv6. With a receive ring, IPv4
     * keeps the ring and IPv6 is read with recvmsg when the ring has nothing ready.
     */
    void enableIpv6() throws LibC.NativeException {
        if (sendFd6 >= 0) return;
        try {
            sendFd6 = (int) LibC.check("socket(AF_INET6, SOCK_RAW)",
                    LibC.C.socket(LibC.AF_INET6, LibC.SOCK_RAW, LibC.IPPROTO_RAW));
            LibC.setIntOption(sendFd6, LibC.IPPROTO_IPV6, LibC.IPV6_HDRINCL, 1, "IPV6_HDRINCL");
            if (mark != 0) LibC.setIntOption(sendFd6, LibC.SOL_SOCKET, LibC.SO_MARK, mark, "SO_MARK");
            int protocol = Short.toUnsignedInt(Short.reverseBytes((short) LibC.ETH_P_IPV6)); // htons
            receiveFd6 = (int) LibC.check("socket(AF_PACKET, SOCK_DGRAM, ETH_P_IPV6)",
                    LibC.C.socket(LibC.AF_PACKET, LibC.SOCK_DGRAM, protocol));
            LibC.setIntOption(receiveFd6, LibC.SOL_PACKET, LibC.PACKET_AUXDATA, 1, "PACKET_AUXDATA");
            pollFd.putInt(8, receiveFd6).putShort(12, LibC.POLLIN);
        } catch (LibC.NativeException e) {
            LibC.closeQuietly(sendFd6);
            LibC.closeQuietly(receiveFd6);
            sendFd6 = receiveFd6 = -1;
            throw e;
        }
    }

    boolean ipv6Enabled() { return sendFd6 >= 0; }

    /** Sends an IP packet to the destination its header names: the IPv4 or the IPv6 socket. */
    @Override public void send(ByteBuffer ipPacket) throws LibC.NativeException {
        int at = ipPacket.position();
        if ((ipPacket.get(at) & 0xf0) != 0x60) {
            send(ipPacket, ipPacket.getInt(at + 16));
            return;
        }
        if (sendFd6 < 0) throw new LibC.NativeException("sendto (IPv6 not enabled)", 97); // EAFNOSUPPORT
        for (int i = 0; i < 16; i++) destination6.put(8 + i, ipPacket.get(at + 24 + i));
        sendTo(sendFd6, ipPacket, destination6, 28);
    }

    /** Sends the bytes between the buffer's position and limit, an IPv4 packet, to destination. */
    void send(ByteBuffer ipPacket, int destinationAddress) throws LibC.NativeException {
        destination.order(ByteOrder.BIG_ENDIAN).putInt(4, destinationAddress).order(ByteOrder.nativeOrder());
        sendTo(sendFd, ipPacket, destination, 16);
    }

    private static void sendTo(int fd, ByteBuffer ipPacket, ByteBuffer address, int addressLength) throws LibC.NativeException {
        int length = ipPacket.remaining();
        ByteBuffer data = ipPacket.position() == 0 ? ipPacket : ipPacket.slice();
        while (true) {
            long sent = LibC.C.sendto(fd, data, length, 0, address, addressLength);
            if (sent >= 0) return;
            int errno = LibC.errno();
            if (errno != LibC.EINTR) throw new LibC.NativeException("sendto", errno);
        }
    }

    /** Waits until a packet can be read or the timeout passes. False on timeout or a signal. */
    @Override public boolean awaitPacket(int timeoutMillis) throws LibC.NativeException {
        if (ring != null && receiveFd6 < 0) return ring.awaitPacket(timeoutMillis);
        if (ring != null && ring.ready()) return true;
        int ready = LibC.C.poll(pollPointer, receiveFd6 >= 0 ? 2 : 1, timeoutMillis);
        if (ready < 0) {
            int errno = LibC.errno();
            if (errno == LibC.EINTR) return false;
            throw new LibC.NativeException("poll", errno);
        }
        return ready > 0;
    }

    /**
     * Reads one packet without waiting. Returns the packet (the IPv4 header at its position, its
     * end at the limit; valid until the next receive) or null when none is queued. Packets this
     * host sent are skipped. lastInfo() tells the rest.
     */
    @Override public ByteBuffer receive() throws LibC.NativeException {
        if (ring != null) {
            // IPv4 through the ring; IPv6 (its own socket, recvmsg) when the ring has nothing now.
            ByteBuffer p = ring.next();
            if (p != null) copyInfo(ring.last());
            return p != null || receiveFd6 < 0 ? p : receiveFrom(receiveFd6);
        }
        if (receiveFd6 < 0) return receiveFrom(receiveFd);
        // The socket that had the last packet is asked first, so a stream of one version costs one
        // recvmsg per packet, not two; every STREAK-th call the other goes first, so that a steady
        // stream of one version cannot starve the other.
        boolean v6 = preferIpv6;
        if (++streak >= STREAK) {
            streak = 0;
            v6 = !v6;
        }
        ByteBuffer p = receiveFrom(v6 ? receiveFd6 : receiveFd);
        if (p == null) {
            v6 = !v6;
            p = receiveFrom(v6 ? receiveFd6 : receiveFd);
        }
        if (p != null) preferIpv6 = v6;
        return p;
    }

    private static final int STREAK = 32;

    private ByteBuffer receiveFrom(int fd) throws LibC.NativeException {
        while (true) {
            header.putInt(MSGHDR + 8, 20);               // msg_namelen: the kernel shortens it
            header.putLong(MSGHDR + 40, CONTROL_SIZE);   // msg_controllen: likewise
            long length = LibC.C.recvmsg(fd, headerPointer, LibC.MSG_DONTWAIT);
            if (length < 0) {
                int errno = LibC.errno();
                if (errno == LibC.EAGAIN) return null;
                if (errno == LibC.EINTR) continue;
                throw new LibC.NativeException("recvmsg", errno);
            }
            int packetType = header.get(SOCKADDR_LL + 10) & 0xff;
            if (packetType == LibC.PACKET_OUTGOING) continue;
            info.clear();
            info.packetType = packetType;
            info.interfaceIndex = header.getInt(SOCKADDR_LL + 4);
            info.status = auxStatus();
            info.length = info.captured = (int) Math.min(Math.max(length, 0), MAX_PACKET);
            packet.limit(info.captured).position(0);
            return packet;
        }
    }

    private void copyInfo(PacketInfo from) {
        info.interfaceIndex = from.interfaceIndex;
        info.packetType = from.packetType;
        info.status = from.status;
        info.length = from.length;
        info.captured = from.captured;
        info.hasVnetHeader = from.hasVnetHeader;
        info.vnetFlags = from.vnetFlags;
        info.gsoType = from.gsoType;
        info.headerLength = from.headerLength;
        info.gsoSize = from.gsoSize;
        info.checksumStart = from.checksumStart;
        info.checksumOffset = from.checksumOffset;
    }

    /**
     * Hands every packet that is ready now to the handler, without waiting: on a ring all the
     * frames or blocks the kernel has handed over (each given back after its packets), on the
     * RECVMSG path up to maxPackets packets, one recvmsg each. Returns how many were handed over.
     * The handler's buffer and info are valid only during its call.
     */
    int receiveBatch(PacketHandler handler, int maxPackets) throws LibC.NativeException {
        if (ring != null) return ring.receiveBatch(handler);
        int n = 0;
        ByteBuffer p;
        while (n < maxPackets && (p = receive()) != null) {
            n++;
            handler.packet(p, info);
        }
        return n;
    }

    /** The receive ring, or null on the RECVMSG path. */
    ReceiveRing ring() { return ring; }

    /** The receive path in use: FRAMES, BLOCKS or RECVMSG. */
    ReceivePath receivePath() { return path; }

    /** Why the default path fell back to RECVMSG (the ring's error), or null when it did not. */
    String fallbackReason() { return fallbackReason; }

    /** One line for --verbose: how packets are received, and why when it is not the ring. */
    String describeReceivePath() {
        switch (path) {
            case FRAMES: return "Receiving through a TPACKET_V2 ring (memory-mapped, no system call per packet)";
            case BLOCKS: return "Receiving through a TPACKET_V3 ring of blocks (memory-mapped; a block waits up to its timeout)";
            default: return "Receiving with one recvmsg per packet" + (fallbackReason == null ? " (-Dtbh.receive=recvmsg)"
                    : ": the receive ring could not be set up (" + fallbackReason + ")");
        }
    }

    /** tp_status from the PACKET_AUXDATA control message, or 0 when there is none. */
    private int auxStatus() {
        long controlLength = header.getLong(MSGHDR + 40);
        int at = CONTROL;
        while (controlLength >= 16 && at + 20 <= CONTROL + CONTROL_SIZE) {
            long cmsgLength = header.getLong(at);
            int level = header.getInt(at + 8), type = header.getInt(at + 12);
            if (level == LibC.SOL_PACKET && type == LibC.PACKET_AUXDATA) return header.getInt(at + 16);
            if (cmsgLength < 16) break;
            long step = (cmsgLength + 7) & ~7L; // CMSG_ALIGN
            at += (int) step;
            controlLength -= step;
        }
        return 0;
    }

    /** True when the kernel left the last packet's transport checksum to be finished by hardware. */
    @Override public boolean lastChecksumNotReady() { return info.checksumNotReady(); }

    /** Who the last packet's frame was for (sll_pkttype): this host, broadcast, multicast, another host. */
    @Override public int lastPacketType() { return info.packetType; }

    /** The interface the last packet arrived on. */
    @Override public int lastInterfaceIndex() { return info.interfaceIndex; }

    /** gso_size of the last packet when it holds several segments (GRO or GSO), else 0. */
    @Override public int lastSegmentSize() {
        return info.hasVnetHeader && info.gsoType != PacketInfo.VIRTIO_NET_HDR_GSO_NONE ? info.gsoSize : 0;
    }

    /** All the kernel said about the last packet receive() returned (reused: read, do not keep). */
    PacketInfo lastInfo() { return info; }

    /**
     * Attaches a classic BPF program (struct sock_filter[]: code, jt, jf, k) to the receiving socket,
     * so that the kernel wakes us only for packets it lets through.
     */
    void attachReceiveFilter(int[][] program) throws LibC.NativeException {
        if (ring != null) ring.attachReceiveFilter(program);
        else attachFilter(receiveFd, program);
    }

    /** The same for the IPv6 socket (PortFilter.forIpv6DestinationPorts), when IPv6 is enabled. */
    void attachIpv6ReceiveFilter(int[][] program) throws LibC.NativeException {
        if (receiveFd6 >= 0) attachFilter(receiveFd6, program);
    }

    /** SO_ATTACH_FILTER with the program's {code, jt, jf, k} rows as struct sock_filter[]. */
    static void attachFilter(int fd, int[][] program) throws LibC.NativeException {
        ByteBuffer instructions = LibC.direct(program.length * 8);
        for (int i = 0; i < program.length; i++) {
            instructions.putShort(i * 8, (short) program[i][0]).put(i * 8 + 2, (byte) program[i][1])
                    .put(i * 8 + 3, (byte) program[i][2]).putInt(i * 8 + 4, program[i][3]);
        }
        ByteBuffer fprog = LibC.direct(16);                 // struct sock_fprog
        fprog.putShort(0, (short) program.length);
        fprog.putLong(8, Pointer.wrap(LibC.RUNTIME, instructions).address());
        LibC.check("setsockopt(SO_ATTACH_FILTER)",
                LibC.C.setsockopt(fd, LibC.SOL_SOCKET, LibC.SO_ATTACH_FILTER, fprog, 16));
    }

    /** Bytes of kernel queue for whole packets beside the FRAMES ring (see setReceiveBuffer). */
    static final int WHOLE_PACKET_QUEUE = 32 << 20;

    /** Asks for a larger receive queue, so bursts (a SYN flood, many clients) are not lost. */
    void setReceiveBuffer(int bytes) throws LibC.NativeException {
        // On the FRAMES ring, only packets larger than a frame (coalesced, up to 64 KB) are charged
        // to this queue, each at about twice its length; when it is full the kernel hands us such
        // a packet cut, and it is lost. Ten bulk connections overflowed 4 MiB (63 packets of 64 KB
        // cut in 1 GB), so the ring's queue is at least WHOLE_PACKET_QUEUE.
        if (ring instanceof FrameRing) bytes = Math.max(bytes, WHOLE_PACKET_QUEUE);
        LibC.setIntOption(receiveFd, LibC.SOL_SOCKET, LibC.SO_RCVBUFFORCE, bytes, "SO_RCVBUFFORCE");
        if (receiveFd6 >= 0) LibC.setIntOption(receiveFd6, LibC.SOL_SOCKET, LibC.SO_RCVBUFFORCE, bytes, "SO_RCVBUFFORCE");
    }

    @Override
    public void close() {
        LibC.closeQuietly(sendFd);
        LibC.closeQuietly(sendFd6);
        LibC.closeQuietly(receiveFd6);
        sendFd6 = receiveFd6 = -1;
        if (ring != null && Boolean.getBoolean("tbh.ring.stats")) {
            try {
                System.err.println("receive ring: " + ring.packetsRead() + " packets read"
                        + (ring instanceof FrameRing f ? ", " + f.packetsCut() + " cut (no room in the queue)" : "")
                        + ", kernel counters " + ring.statistics());
            } catch (LibC.NativeException e) {
                System.err.println("receive ring: " + e.getMessage());
            }
        }
        if (ring != null) ring.close();
        else LibC.closeQuietly(receiveFd);
        ring = null;
        sendFd = receiveFd = -1;
    }
}
