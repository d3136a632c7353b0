import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import com.kenai.jffi.MemoryIO;
import jnr.ffi.Pointer;

/**
 * Receives IPv4 packets through a memory-mapped TPACKET_V2 ring: fixed-size frames, each handed
 * over the moment its packet is in (TP_STATUS_USER in the frame, and the socket wakes), so the ring
 * adds no latency, while a busy loop still reads every queued packet with no system call.
 *
 * Frames are small (2 KiB: an MTU-sized packet with its headers), so that the ring holds thousands
 * of ordinary packets. A larger one (a 64 KB GSO or GRO packet) is cut to the frame; with
 * PACKET_COPY_THRESH the kernel also queues it whole on the socket and marks the frame
 * TP_STATUS_COPY, and we read it with one recvmsg, in its turn (the queue keeps the frames' order).
 * One system call per 64 KB costs little; one per 1.5 KB packet is what the ring saves.
 *
 * Like PacketRing: SOCK_RAW with PACKET_VNET_HDR, views start at the IPv4 header.
 */
final class FrameRing implements ReceiveRing {
    record Settings(int blockSize, int blockCount, int frameSize, boolean vnetHeader) {
        /**
         * 4 MiB of frames by default (2048 of 2 KiB), the size of the socket queue the recvmsg path
         * asks for: a larger queue is no better. Under a SYN flood a server that falls behind
         * answers from the back of its queue; with 8192 frames a real client's ACK waited behind
         * more flood SYNs than the backlog holds, its half-open connection was recycled meanwhile,
         * and the client was reset (t_hostile's SYN flood test).
         */
        static Settings defaults() {
            return new Settings(Integer.getInteger("tbh.ring.blockKiB", 256) * 1024, Integer.getInteger("tbh.ring.blocks", 16),
                    Integer.getInteger("tbh.ring.frameBytes", 2048), !Boolean.getBoolean("tbh.ring.noVnet"));
        }
    }

    private static final VarHandle INT = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.nativeOrder());
    private static final int PACKET_COPY_THRESH = 7, TP_STATUS_COPY = 0x2, VNET = 10;
    private static final int MSGHDR = 0, IOVECS = 56, SOCKADDR_LL = 88, MESSAGE = 112;

    private final Settings settings;
    private final int fd, frames;
    private final Pointer mapped;
    private final long length;
    private final ByteBuffer ring, packets;
    private final PacketInfo info = new PacketInfo();
    private final ByteBuffer pollFd = LibC.direct(8);
    private final Pointer pollPointer = Pointer.wrap(LibC.RUNTIME, pollFd);
    // recvmsg for TP_STATUS_COPY frames: msghdr, iov[0] the virtio_net_hdr, iov[1] the packet
    private final ByteBuffer message = LibC.direct(MESSAGE);
    private final Pointer messagePointer = Pointer.wrap(LibC.RUNTIME, message);
    private final ByteBuffer whole = LibC.direct(VNET + 65536 + 64);
    private final ByteBuffer wholeView = whole.duplicate().order(ByteOrder.BIG_ENDIAN);
    private int current, handedOut = -1;  // the frame to read next; the frame next() handed out last
    private long packetsRead, copies, cut;

    private FrameRing(Settings settings, int fd, Pointer mapped, long length) {
        this.settings = settings;
        this.fd = fd;
        this.mapped = mapped;
        this.length = length;
        this.frames = settings.blockSize() / settings.frameSize() * settings.blockCount();
        this.ring = MemoryIO.getInstance().newDirectByteBuffer(mapped.address(), (int) length).order(ByteOrder.nativeOrder());
        this.packets = ring.duplicate().order(ByteOrder.BIG_ENDIAN);
        pollFd.putInt(0, fd).putShort(4, LibC.POLLIN);
        long base = messagePointer.address();
        message.putLong(MSGHDR, base + SOCKADDR_LL).putLong(MSGHDR + 16, base + IOVECS).putLong(MSGHDR + 24, 2);
        long wholeAddress = LibC.address(whole);
        message.putLong(IOVECS, wholeAddress).putLong(IOVECS + 8, VNET);
        message.putLong(IOVECS + 16, wholeAddress + VNET).putLong(IOVECS + 24, whole.capacity() - VNET);
    }

    static FrameRing open(Settings s) throws LibC.NativeException {
        if (s.blockSize() % 4096 != 0 || s.blockSize() % s.frameSize() != 0 || s.frameSize() % 16 != 0) {
            throw new IllegalArgumentException("blocks must be whole pages and hold whole frames of a multiple of 16 bytes");
        }
        int protocol = Short.toUnsignedInt(Short.reverseBytes((short) LibC.ETH_P_IP)); // htons
        int fd = (int) LibC.check("socket(AF_PACKET, SOCK_RAW)", LibC.C.socket(LibC.AF_PACKET, LibC.SOCK_RAW, protocol));
        long length = (long) s.blockSize() * s.blockCount();
        try {
            LibC.setIntOption(fd, LibC.SOL_PACKET, LibC.PACKET_VERSION, Tpacket2.TPACKET_V2, "PACKET_VERSION");
            if (s.vnetHeader()) LibC.setIntOption(fd, LibC.SOL_PACKET, LibC.PACKET_VNET_HDR, 1, "PACKET_VNET_HDR");
            // A packet larger than a frame also goes whole to the socket's queue (while it has room).
            LibC.setIntOption(fd, LibC.SOL_PACKET, PACKET_COPY_THRESH, 1, "PACKET_COPY_THRESH");
            LibC.setIntOption(fd, LibC.SOL_SOCKET, LibC.SO_RCVBUFFORCE, 8 << 20, "SO_RCVBUFFORCE");
            ByteBuffer request = Tpacket2.request(LibC.direct(16), s.blockSize(), s.blockCount(), s.frameSize());
            LibC.check("setsockopt(PACKET_RX_RING)", LibC.C.setsockopt(fd, LibC.SOL_PACKET, LibC.PACKET_RX_RING, request, 16));
            Pointer mapped = LibC.C.mmap(null, length, LibC.PROT_READ | LibC.PROT_WRITE, LibC.MAP_SHARED, fd, 0);
            if (mapped == null || mapped.address() == -1) throw new LibC.NativeException("mmap(PACKET_RX_RING)", LibC.errno());
            return new FrameRing(s, fd, mapped, length);
        } catch (LibC.NativeException | RuntimeException e) {
            LibC.closeQuietly(fd);
            throw e;
        }
    }

    private int offset(int frame) { return Tpacket2.frameOffset(frame, settings.blockSize(), settings.frameSize()); }

    private boolean ours(int frame) {
        return ((int) INT.getAcquire(ring, offset(frame) + Tpacket2.FRAME_STATUS) & Tpacket2.TP_STATUS_USER) != 0;
    }

    private void release(int frame) {
        INT.setRelease(ring, offset(frame) + Tpacket2.FRAME_STATUS, Tpacket2.TP_STATUS_KERNEL);
    }

    @Override public boolean ready() { return ours(current); }

    @Override public boolean awaitPacket(int timeoutMillis) throws LibC.NativeException {
        if (ready()) return true;
        int n = LibC.C.poll(pollPointer, 1, timeoutMillis);
        if (n < 0) {
            int errno = LibC.errno();
            if (errno == LibC.EINTR) return false;
            throw new LibC.NativeException("poll", errno);
        }
        return ready();
    }

    /** The packet in the current frame (or its whole copy from the queue), or null to skip it. */
    private ByteBuffer take(int frame) throws LibC.NativeException {
        int at = offset(frame);
        int net = Tpacket2.readFrame(ring, at, settings.frameSize(), settings.vnetHeader(), info);
        if ((info.status & TP_STATUS_COPY) != 0) return takeCopy(Tpacket2.linkHeaderLength(ring, at));
        if (info.packetType == PacketInfo.PACKET_OUTGOING) return null;
        if (info.truncated()) { cut++; return null; } // cut, no copy: lost
        return packets.limit(net + info.captured).position(net);
    }

    /** The whole packet of a TP_STATUS_COPY frame, from the socket's queue. */
    private ByteBuffer takeCopy(int linkHeader) throws LibC.NativeException {
        message.putInt(MSGHDR + 8, 20);
        long n;
        while ((n = LibC.C.recvmsg(fd, messagePointer, LibC.MSG_DONTWAIT)) < 0) {
            int errno = LibC.errno();
            if (errno == LibC.EAGAIN) return null; // the queue had no room for it: lost, TCP sends it again
            if (errno != LibC.EINTR) throw new LibC.NativeException("recvmsg (a packet larger than a frame)", errno);
        }
        copies++;
        if (settings.vnetHeader()) Tpacket3.readVnetHeader(whole.order(ByteOrder.LITTLE_ENDIAN), 0, info);
        int start = VNET + linkHeader;
        int end = (int) Math.min(n, whole.capacity());
        if (end < start) return null;
        info.captured = info.length = end - start;
        info.packetType = message.get(SOCKADDR_LL + 10) & 0xff;
        if (info.packetType == PacketInfo.PACKET_OUTGOING) return null;
        return wholeView.limit(end).position(start);
    }

    @Override public int receiveBatch(PacketHandler handler) throws LibC.NativeException {
        releaseHandedOut();
        int handed = 0;
        for (int i = 0; i < frames && ours(current); i++) {
            int frame = current;
            current = (current + 1) % frames;
            try {
                ByteBuffer p = take(frame);
                if (p == null) continue;
                handed++;
                handler.packet(p, info);
            } finally {
                release(frame);
            }
        }
        packetsRead += handed;
        return handed;
    }

    @Override public ByteBuffer next() throws LibC.NativeException {
        releaseHandedOut();
        while (ours(current)) {
            int frame = current;
            current = (current + 1) % frames;
            ByteBuffer p = take(frame);
            if (p == null) {
                release(frame);
                continue;
            }
            handedOut = frame; // given back at the next call, so the view stays valid until then
            packetsRead++;
            return p;
        }
        return null;
    }

    private void releaseHandedOut() {
        if (handedOut >= 0) release(handedOut);
        handedOut = -1;
    }

    @Override public PacketInfo last() { return info; }
    @Override public long packetsRead() { return packetsRead; }

    /** Packets larger than a frame that came cut, with no whole copy queued (the queue was full): lost. */
    long packetsCut() { return cut; }
    /** Packets that were larger than a frame and came whole through recvmsg. */
    long copies() { return copies; }

    @Override public Statistics statistics() throws LibC.NativeException {
        ByteBuffer v = LibC.direct(8); // struct tpacket_stats: tp_packets, tp_drops
        ByteBuffer size = LibC.direct(4).putInt(0, 8);
        LibC.check("getsockopt(PACKET_STATISTICS)", LibC.C.getsockopt(fd, LibC.SOL_PACKET, LibC.PACKET_STATISTICS, v, size));
        return new Statistics(v.getInt(0), v.getInt(4), 0);
    }

    @Override public void attachReceiveFilter(int[][] program) throws LibC.NativeException {
        RawSocket.attachFilter(fd, PortFilter.fromNetworkHeader(program));
    }

    @Override public int fd() { return fd; }

    @Override public void close() {
        LibC.C.munmap(mapped, length);
        LibC.closeQuietly(fd);
    }
}
