import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import jnr.ffi.Pointer;

/**
 * Sends and receives whole IPv4 packets. Knows nothing about TCP.
 *
 * Sending goes through an AF_INET/SOCK_RAW socket with IP_HDRINCL: the kernel routes the packet
 * but leaves the IP header as we wrote it. Its packets carry a firewall mark (SO_MARK), so that a
 * rule can tell them from packets the kernel makes itself.
 *
 * Receiving goes through an AF_PACKET/SOCK_DGRAM socket for ETH_P_IP, which sees every IPv4 packet
 * that reaches the host, with PACKET_AUXDATA: its tp_status tells when the kernel left a packet's
 * transport checksum unfinished (TP_STATUS_CSUMNOTREADY, checksum offload on lo and veth), and the
 * address's sll_pkttype tells packets this host sent (PACKET_OUTGOING), which are skipped.
 */
final class RawSocket implements PacketPort, AutoCloseable {
    static final int MAX_PACKET = 65536;

    private int sendFd = -1, receiveFd = -1;

    // Native memory for recvmsg, allocated once: struct msghdr, struct iovec, struct sockaddr_ll,
    // the control buffer for the auxdata message, and the packet itself.
    private static final int MSGHDR = 0, IOVEC = 56, SOCKADDR_LL = 72, CONTROL = 96, CONTROL_SIZE = 64;
    private final ByteBuffer header = LibC.direct(CONTROL + CONTROL_SIZE);
    private final Pointer headerPointer = Pointer.wrap(LibC.RUNTIME, header);
    private final ByteBuffer packet = LibC.direct(MAX_PACKET).order(ByteOrder.BIG_ENDIAN);
    private final ByteBuffer pollFd = LibC.direct(8);
    private final Pointer pollPointer = Pointer.wrap(LibC.RUNTIME, pollFd);
    private final ByteBuffer destination = LibC.sockaddrIn(0, 0);

    // What the last receive() found out about its packet.
    private boolean checksumNotReady;
    private int interfaceIndex;

    private RawSocket() {}

    /**
     * Opens both sockets. Needs CAP_NET_RAW (and CAP_NET_ADMIN for a non-zero mark); without it
     * the NativeException carries EPERM. Nothing stays open when this throws.
     */
    static RawSocket open(int mark) throws LibC.NativeException {
        RawSocket s = new RawSocket();
        try {
            s.sendFd = (int) LibC.check("socket(AF_INET, SOCK_RAW)",
                    LibC.C.socket(LibC.AF_INET, LibC.SOCK_RAW, LibC.IPPROTO_RAW));
            LibC.setIntOption(s.sendFd, LibC.IPPROTO_IP, LibC.IP_HDRINCL, 1, "IP_HDRINCL");
            if (mark != 0) LibC.setIntOption(s.sendFd, LibC.SOL_SOCKET, LibC.SO_MARK, mark, "SO_MARK");

            int protocol = Short.toUnsignedInt(Short.reverseBytes((short) LibC.ETH_P_IP)); // htons
            s.receiveFd = (int) LibC.check("socket(AF_PACKET, SOCK_DGRAM)",
                    LibC.C.socket(LibC.AF_PACKET, LibC.SOCK_DGRAM, protocol));
            LibC.setIntOption(s.receiveFd, LibC.SOL_PACKET, LibC.PACKET_AUXDATA, 1, "PACKET_AUXDATA");
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

    /** Sends the bytes between the buffer's position and limit, an IPv4 packet, to destination. */
    @Override public void send(ByteBuffer ipPacket, int destinationAddress) throws LibC.NativeException {
        destination.order(ByteOrder.BIG_ENDIAN).putInt(4, destinationAddress).order(ByteOrder.nativeOrder());
        int length = ipPacket.remaining();
        ByteBuffer data = ipPacket.position() == 0 ? ipPacket : ipPacket.slice();
        while (true) {
            long sent = LibC.C.sendto(sendFd, data, length, 0, destination, 16);
            if (sent >= 0) return;
            int errno = LibC.errno();
            if (errno != LibC.EINTR) throw new LibC.NativeException("sendto", errno);
        }
    }

    /** Waits until a packet can be read or the timeout passes. False on timeout or a signal. */
    @Override public boolean awaitPacket(int timeoutMillis) throws LibC.NativeException {
        int ready = LibC.C.poll(pollPointer, 1, timeoutMillis);
        if (ready < 0) {
            int errno = LibC.errno();
            if (errno == LibC.EINTR) return false;
            throw new LibC.NativeException("poll", errno);
        }
        return ready > 0;
    }

    /**
     * Reads one packet without waiting. Returns the packet (position 0, limit its length; valid
     * until the next receive) or null when none is queued. Packets this host sent are skipped.
     */
    @Override public ByteBuffer receive() throws LibC.NativeException {
        while (true) {
            header.putInt(MSGHDR + 8, 20);               // msg_namelen: the kernel shortens it
            header.putLong(MSGHDR + 40, CONTROL_SIZE);   // msg_controllen: likewise
            long length = LibC.C.recvmsg(receiveFd, headerPointer, LibC.MSG_DONTWAIT);
            if (length < 0) {
                int errno = LibC.errno();
                if (errno == LibC.EAGAIN) return null;
                if (errno == LibC.EINTR) continue;
                throw new LibC.NativeException("recvmsg", errno);
            }
            int packetType = header.get(SOCKADDR_LL + 10) & 0xff;
            if (packetType == LibC.PACKET_OUTGOING) continue;
            interfaceIndex = header.getInt(SOCKADDR_LL + 4);
            checksumNotReady = (auxStatus() & LibC.TP_STATUS_CSUMNOTREADY) != 0;
            packet.limit((int) Math.min(length, MAX_PACKET)).position(0);
            return packet;
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
    @Override public boolean lastChecksumNotReady() { return checksumNotReady; }

    /** The interface the last packet arrived on. */
    @Override public int lastInterfaceIndex() { return interfaceIndex; }

    /**
     * Attaches a classic BPF program (struct sock_filter[]: code, jt, jf, k) to the receiving socket,
     * so that the kernel wakes us only for packets it lets through.
     */
    void attachReceiveFilter(int[][] program) throws LibC.NativeException {
        ByteBuffer instructions = LibC.direct(program.length * 8);
        for (int i = 0; i < program.length; i++) {
            instructions.putShort(i * 8, (short) program[i][0]).put(i * 8 + 2, (byte) program[i][1])
                    .put(i * 8 + 3, (byte) program[i][2]).putInt(i * 8 + 4, program[i][3]);
        }
        ByteBuffer fprog = LibC.direct(16);                 // struct sock_fprog
        fprog.putShort(0, (short) program.length);
        fprog.putLong(8, Pointer.wrap(LibC.RUNTIME, instructions).address());
        LibC.check("setsockopt(SO_ATTACH_FILTER)",
                LibC.C.setsockopt(receiveFd, LibC.SOL_SOCKET, LibC.SO_ATTACH_FILTER, fprog, 16));
    }

    /** Asks for a larger receive queue, so bursts (a SYN flood, many clients) are not lost. */
    void setReceiveBuffer(int bytes) throws LibC.NativeException {
        LibC.setIntOption(receiveFd, LibC.SOL_SOCKET, LibC.SO_RCVBUFFORCE, bytes, "SO_RCVBUFFORCE");
    }

    @Override
    public void close() {
        LibC.closeQuietly(sendFd);
        LibC.closeQuietly(receiveFd);
        sendFd = receiveFd = -1;
    }
}
