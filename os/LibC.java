import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import jnr.ffi.LibraryLoader;
import jnr.ffi.Pointer;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;
import jnr.ffi.annotations.SaveError;
import jnr.ffi.types.off_t;
import jnr.ffi.types.size_t;
import jnr.ffi.types.ssize_t;

/**
 * The few libc calls the program needs, declared for jnr-ffi (jnr-posix has no socket()), and
 * errno turned into exceptions that carry strerror's text. Nothing here knows about TCP.
 */
final class LibC {
    private LibC() {}

    /** The C functions, as jnr-ffi binds them. Buffers passed here must be direct. */
    public interface Functions {
        @SaveError int socket(int domain, int type, int protocol);
        @SaveError int setsockopt(int fd, int level, int option, @In ByteBuffer value, int length);
        @SaveError int getsockopt(int fd, int level, int option, @Out ByteBuffer value, @In @Out ByteBuffer length);
        @SaveError int bind(int fd, @In ByteBuffer address, int length);
        @SaveError int connect(int fd, @In ByteBuffer address, int length);
        @SaveError int getsockname(int fd, @Out ByteBuffer address, @In @Out ByteBuffer length);
        @SaveError @ssize_t long sendto(int fd, @In ByteBuffer data, @size_t long length, int flags,
                                        @In ByteBuffer address, int addressLength);
        @SaveError @ssize_t long sendmsg(int fd, Pointer message, int flags);
        @SaveError @ssize_t long recvmsg(int fd, Pointer message, int flags);
        @SaveError int poll(Pointer fds, long count, int timeoutMillis);
        @SaveError int ioctl(int fd, long request, @In @Out ByteBuffer argument);
        @SaveError int close(int fd);
        // With a plain long for the address and the offset, jnr-ffi's call failed with EINVAL here;
        // Pointer and @off_t pass them as C has them.
        @SaveError Pointer mmap(Pointer address, @size_t long length, int protection, int flags, int fd, @off_t long offset);
        @SaveError int munmap(Pointer address, @size_t long length);
        int isatty(int fd);
        String strerror(int errno);
    }

    // <sys/socket.h>, <netinet/in.h>, <linux/if_packet.h>, <linux/if_ether.h>, <poll.h>, <errno.h>
    static final int AF_INET = 2, AF_INET6 = 10, AF_PACKET = 17;
    static final int SOCK_STREAM = 1, SOCK_DGRAM = 2, SOCK_RAW = 3;
    static final int IPPROTO_IP = 0, IPPROTO_RAW = 255;
    static final int IP_HDRINCL = 3, IP_MTU = 14;
    static final int IPPROTO_IPV6 = 41, IPV6_MTU = 24, IPV6_V6ONLY = 26, IPV6_HDRINCL = 36; // <linux/in6.h>
    static final int IP_MTU_DISCOVER = 10, IP_PMTUDISC_PROBE = 3; // <linux/in.h>
    static final int SOL_SOCKET = 1, SO_RCVBUF = 8, SO_ATTACH_FILTER = 26, SO_RCVBUFFORCE = 33, SO_MARK = 36;
    static final int SOL_PACKET = 263, PACKET_RX_RING = 5, PACKET_STATISTICS = 6, PACKET_AUXDATA = 8,
            PACKET_VERSION = 10, PACKET_VNET_HDR = 15;
    static final int PROT_READ = 1, PROT_WRITE = 2, MAP_SHARED = 1; // <sys/mman.h>
    static final int ETH_P_IP = 0x0800, ETH_P_IPV6 = 0x86dd;
    static final int PACKET_OUTGOING = 4;
    static final long SIOCGIFNAME = 0x8910, SIOCGIFMTU = 0x8921; // <linux/sockios.h>
    static final int TP_STATUS_CSUMNOTREADY = 0x8;
    static final int MSG_DONTWAIT = 0x40;
    static final short POLLIN = 0x1;
    static final int EPERM = 1, EINTR = 4, EAGAIN = 11, EACCES = 13, EADDRINUSE = 98;

    static final Functions C = LibraryLoader.create(Functions.class).load("c");
    static final jnr.ffi.Runtime RUNTIME = jnr.ffi.Runtime.getRuntime(C);

    /** A failed system call: the call, errno and strerror's words. */
    static final class NativeException extends java.io.IOException {
        private static final long serialVersionUID = 1L;
        final int errno;

        NativeException(String call, int errno) {
            super(call + ": " + C.strerror(errno) + " (errno " + errno + ")");
            this.errno = errno;
        }
    }

    static int errno() {
        return RUNTIME.getLastError();
    }

    /** Throws for a -1 result, with the errno of the call that just returned. */
    static long check(String call, long result) throws NativeException {
        if (result < 0) throw new NativeException(call, errno());
        return result;
    }

    /** The native address of a direct buffer's first byte (for structures that point at it). */
    static long address(ByteBuffer direct) {
        return Pointer.wrap(RUNTIME, direct).address();
    }

    static ByteBuffer direct(int size) {
        return ByteBuffer.allocateDirect(size).order(ByteOrder.nativeOrder());
    }

    static void setIntOption(int fd, int level, int option, int value, String name) throws NativeException {
        ByteBuffer v = direct(4).putInt(0, value);
        check("setsockopt(" + name + ")", C.setsockopt(fd, level, option, v, 4));
    }

    static int getIntOption(int fd, int level, int option, String name) throws NativeException {
        ByteBuffer v = direct(4);
        ByteBuffer length = direct(4).putInt(0, 4);
        check("getsockopt(" + name + ")", C.getsockopt(fd, level, option, v, length));
        return v.getInt(0);
    }

    /** struct sockaddr_in for an IPv4 address and port (both in host order here). */
    static ByteBuffer sockaddrIn(int address, int port) {
        ByteBuffer sa = direct(16);
        sa.putShort(0, (short) AF_INET);                 // sin_family, host order
        sa.order(ByteOrder.BIG_ENDIAN).putShort(2, (short) port).putInt(4, address); // network order
        return sa.order(ByteOrder.nativeOrder());
    }

    /** struct sockaddr_in6 (28 bytes) for an IPv6 address and port; flow info and scope id 0. */
    static ByteBuffer sockaddrIn6(byte[] address, int port) {
        ByteBuffer sa = direct(28);
        sa.putShort(0, (short) AF_INET6);                // sin6_family, host order
        sa.order(ByteOrder.BIG_ENDIAN).putShort(2, (short) port); // sin6_port, network order
        sa.put(8, address);                              // sin6_addr
        return sa.order(ByteOrder.nativeOrder());
    }

    /** The socket address of either version, with its length in sockaddrLength. */
    static ByteBuffer sockaddr(IpAddress address, int port) {
        return address.isV6() ? sockaddrIn6(address.bytes(), port) : sockaddrIn(address.v4(), port);
    }

    static int sockaddrLength(IpAddress address) { return address.isV6() ? 28 : 16; }

    /** True when the file descriptor is a terminal (a progress line is then worth drawing). */
    static boolean isTerminal(int fd) {
        try {
            return C.isatty(fd) == 1;
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }

    /** struct sockaddr_ll for sending out of an interface to a link-layer (MAC) address. */
    static ByteBuffer sockaddrLl(int interfaceIndex, byte[] mac) {
        return sockaddrLl(interfaceIndex, mac, ETH_P_IP);
    }

    /** The same for frames of another protocol (ETH_P_IPV6). */
    static ByteBuffer sockaddrLl(int interfaceIndex, byte[] mac, int protocol) {
        ByteBuffer sa = direct(20);
        sa.putShort(0, (short) AF_PACKET);                                   // sll_family
        sa.putShort(2, Short.reverseBytes((short) protocol));                // sll_protocol, network order
        sa.putInt(4, interfaceIndex);                                        // sll_ifindex
        sa.put(11, (byte) mac.length);                                       // sll_halen
        for (int i = 0; i < mac.length; i++) sa.put(12 + i, mac[i]);         // sll_addr
        return sa;
    }

    static void closeQuietly(int fd) {
        if (fd >= 0) C.close(fd);
    }
}
