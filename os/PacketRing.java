import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import com.kenai.jffi.MemoryIO;
import jnr.ffi.Pointer;

/**
 * Receives IPv4 packets in batches through a memory-mapped TPACKET_V3 ring (PACKET_RX_RING on an
 * AF_PACKET socket; Documentation/networking/packet_mmap.rst): the kernel writes packets into
 * blocks that we share with it, and one wake-up hands over a whole block of them, with no system
 * call per packet and no copy out of the ring (the handler gets a view into it).
 *
 * The socket is SOCK_RAW so that PACKET_VNET_HDR applies (the kernel writes a virtio_net_hdr only
 * there): a coalesced (GRO) or not-yet-cut (GSO) packet of up to 64 KB then arrives whole, with its
 * segment size. Frames start at the link header; tp_net says where the IPv4 header is, so the
 * handler never sees the link header. A BPF program sees the link header too: attachReceiveFilter
 * moves a program written for SOCK_DGRAM (offsets from the IPv4 header) onto the network header.
 *
 * The price of blocks: the kernel hands a block over (and wakes us) only when the next packet does
 * not fit or when its timeout (tp_retire_blk_tov, whole milliseconds, at least 1) passes, and the
 * timer restarts with each new block. A lone packet, a SYN say, waits for it: measured here, a
 * kernel client's handshake with our server took a median of 967 us with 1 ms, 1976 us with 2,
 * 3950 us with 4 (recvmsg: 75-90 us on the same busy machine). So this ring suits bulk receivers
 * only; FrameRing (TPACKET_V2) hands each packet over at once.
 */
final class PacketRing implements ReceiveRing {
    /** The ring's shape: blockSize * blockCount bytes of kernel memory shared with us. */
    record Settings(int blockSize, int blockCount, int blockTimeoutMillis, boolean vnetHeader) {
        static Settings defaults() {
            return new Settings(Integer.getInteger("tbh.ring.blockKiB", 256) * 1024, Integer.getInteger("tbh.ring.blocks", 64),
                    Integer.getInteger("tbh.ring.timeoutMs", 1), !Boolean.getBoolean("tbh.ring.noVnet"));
        }
    }

    private static final int FRAME_SIZE = 2048; // V3 packs frames of any size; this only has to divide blockSize
    private static final VarHandle INT = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.nativeOrder());

    private final Settings settings;
    private final int fd;
    private final Pointer mapped;
    private final long length;
    private final ByteBuffer ring;      // native order: the kernel's headers
    private final ByteBuffer packets;   // big-endian view of the same bytes: the packets
    private final PacketInfo info = new PacketInfo();
    private final ByteBuffer pollFd = LibC.direct(8);
    private final Pointer pollPointer = Pointer.wrap(LibC.RUNTIME, pollFd);
    private int current;                 // the block we read next (or are reading)
    // The block next() is handing out one packet at a time, or -1.
    private int openBlock = -1, nextFrame, remaining;
    private long blocksRead, packetsRead;

    private PacketRing(Settings settings, int fd, Pointer mapped, long length) {
        this.settings = settings;
        this.fd = fd;
        this.mapped = mapped;
        this.length = length;
        this.ring = MemoryIO.getInstance().newDirectByteBuffer(mapped.address(), (int) length).order(ByteOrder.nativeOrder());
        this.packets = ring.duplicate().order(ByteOrder.BIG_ENDIAN);
        pollFd.putInt(0, fd).putShort(4, LibC.POLLIN);
    }

    /** Opens the socket and maps its ring. Needs CAP_NET_RAW; nothing stays open when this throws. */
    static PacketRing open(Settings s) throws LibC.NativeException {
        if (s.blockSize() % 4096 != 0 || s.blockSize() < 65536 + 4096 || s.blockCount() < 2) {
            throw new IllegalArgumentException("blocks must be whole pages, large enough for a 64 KB packet, and at least two");
        }
        int protocol = Short.toUnsignedInt(Short.reverseBytes((short) LibC.ETH_P_IP)); // htons
        int fd = (int) LibC.check("socket(AF_PACKET, SOCK_RAW)", LibC.C.socket(LibC.AF_PACKET, LibC.SOCK_RAW, protocol));
        long length = (long) s.blockSize() * s.blockCount();
        try {
            LibC.setIntOption(fd, LibC.SOL_PACKET, LibC.PACKET_VERSION, Tpacket3.TPACKET_V3, "PACKET_VERSION");
            // Before the ring: the kernel refuses PACKET_VNET_HDR on a socket that has one (EBUSY).
            if (s.vnetHeader()) LibC.setIntOption(fd, LibC.SOL_PACKET, LibC.PACKET_VNET_HDR, 1, "PACKET_VNET_HDR");
            ByteBuffer request = Tpacket3.request(LibC.direct(28), s.blockSize(), s.blockCount(), FRAME_SIZE, s.blockTimeoutMillis());
            LibC.check("setsockopt(PACKET_RX_RING)", LibC.C.setsockopt(fd, LibC.SOL_PACKET, LibC.PACKET_RX_RING, request, 28));
            Pointer mapped = LibC.C.mmap(null, length, LibC.PROT_READ | LibC.PROT_WRITE, LibC.MAP_SHARED, fd, 0);
            if (mapped == null || mapped.address() == -1) throw new LibC.NativeException("mmap(PACKET_RX_RING)", LibC.errno());
            return new PacketRing(s, fd, mapped, length);
        } catch (LibC.NativeException | RuntimeException e) {
            LibC.closeQuietly(fd);
            throw e;
        }
    }

    Settings settings() { return settings; }

    private int blockOffset(int block) { return block * settings.blockSize(); }

    /** True when the kernel has handed the block to us (TP_STATUS_USER), read with acquire order. */
    private boolean ours(int block) {
        return ((int) INT.getAcquire(ring, blockOffset(block) + Tpacket3.BLOCK_STATUS) & Tpacket3.TP_STATUS_USER) != 0;
    }

    /** Gives a block back to the kernel: after this, nothing in it may be read. */
    private void release(int block) {
        INT.setRelease(ring, blockOffset(block) + Tpacket3.BLOCK_STATUS, Tpacket3.TP_STATUS_KERNEL);
        current = (block + 1) % settings.blockCount();
        blocksRead++;
    }

    @Override public boolean ready() {
        return (openBlock >= 0 && remaining > 0) || ours(openBlock >= 0 ? (openBlock + 1) % settings.blockCount() : current);
    }

    /** Waits until a block is handed over or the timeout passes. False on timeout or a signal. */
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

    /**
     * Hands every packet of the blocks the kernel has handed over (at most maxBlocks of them) to
     * the handler, giving each block back after its last packet. Does not wait. Returns how many
     * packets were handed over (packets this host sent are skipped, as RawSocket does).
     */
    int receiveBatch(PacketHandler handler, int maxBlocks) {
        if (openBlock >= 0) { // next() left a block half read: finish it first
            int n = drainOpenBlock(handler);
            return n + receiveBatch(handler, maxBlocks - 1);
        }
        int handed = 0;
        for (int i = 0; i < maxBlocks && ours(current); i++) {
            int block = current;
            int base = blockOffset(block);
            try {
                int count = Tpacket3.packetCount(ring, base);
                int frame = count > 0 ? Tpacket3.firstFrame(ring, base, settings.blockSize()) : -1;
                for (int p = 0; p < count && frame >= 0; p++) {
                    int net = Tpacket3.readFrame(ring, base, settings.blockSize(), frame, settings.vnetHeader(), info);
                    frame = Tpacket3.nextFrame(ring, frame);
                    if (info.packetType == PacketInfo.PACKET_OUTGOING) continue;
                    packets.limit(net + info.captured).position(net);
                    handed++;
                    handler.packet(packets, info);
                }
            } finally {
                release(block);
            }
        }
        packetsRead += handed;
        return handed;
    }

    /** All the blocks that are ready now, one pass round the ring at most. */
    @Override public int receiveBatch(PacketHandler handler) {
        return receiveBatch(handler, settings.blockCount());
    }

    private int drainOpenBlock(PacketHandler handler) {
        int handed = 0;
        ByteBuffer p;
        int block = openBlock;
        while (openBlock == block && (p = nextInBlock()) != null) {
            handed++;
            handler.packet(p, info);
        }
        if (openBlock >= 0) closeOpenBlock();
        return handed;
    }

    /**
     * One packet at a time, for a caller that reads packet by packet (RawSocket.receive): the view
     * and last() stay valid until the next call, which gives the block back once it is read.
     * Null when no packet is ready.
     */
    @Override public ByteBuffer next() {
        while (true) {
            if (openBlock >= 0) {
                ByteBuffer p = nextInBlock();
                if (p != null) return p;
                closeOpenBlock();
            }
            if (!ours(current)) return null;
            openBlock = current;
            int base = blockOffset(openBlock);
            remaining = Tpacket3.packetCount(ring, base);
            nextFrame = remaining > 0 ? Tpacket3.firstFrame(ring, base, settings.blockSize()) : -1;
        }
    }

    private ByteBuffer nextInBlock() {
        int base = blockOffset(openBlock);
        while (remaining > 0 && nextFrame >= 0) {
            int frame = nextFrame;
            remaining--;
            int net = Tpacket3.readFrame(ring, base, settings.blockSize(), frame, settings.vnetHeader(), info);
            nextFrame = Tpacket3.nextFrame(ring, frame);
            if (info.packetType == PacketInfo.PACKET_OUTGOING) continue;
            packetsRead++;
            return packets.limit(net + info.captured).position(net);
        }
        return null;
    }

    private void closeOpenBlock() {
        int block = openBlock;
        openBlock = -1;
        remaining = 0;
        release(block);
    }

    /** What the kernel said about the packet next() returned last. */
    @Override public PacketInfo last() { return info; }

    long blocksRead() { return blocksRead; }
    @Override public long packetsRead() { return packetsRead; }

    /** The kernel's counters since the last call: packets queued, dropped for lack of room, freezes. */
    @Override public Statistics statistics() throws LibC.NativeException {
        ByteBuffer v = LibC.direct(12);
        ByteBuffer size = LibC.direct(4).putInt(0, 12);
        LibC.check("getsockopt(PACKET_STATISTICS)", LibC.C.getsockopt(fd, LibC.SOL_PACKET, LibC.PACKET_STATISTICS, v, size));
        return new Statistics(v.getInt(0), v.getInt(4), v.getInt(8));
    }

    /**
     * Attaches a classic BPF program written for a SOCK_DGRAM socket, whose offsets count from the
     * IPv4 header. Here the filter sees the link header first, so each absolute load is moved
     * onto the network header (SKF_NET_OFF), whatever the link header's length.
     */
    @Override public void attachReceiveFilter(int[][] program) throws LibC.NativeException {
        RawSocket.attachFilter(fd, PortFilter.fromNetworkHeader(program));
    }

    @Override public int fd() { return fd; }

    @Override public void close() {
        LibC.C.munmap(mapped, length);
        LibC.closeQuietly(fd);
    }
}
