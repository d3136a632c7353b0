import java.util.Arrays;

/**
 * Finds the IP packet (version 4 or 6) inside a captured frame, by the file's link type
 * (https://www.tcpdump.org/linktypes.html). Frames that carry anything else give null.
 */
final class LinkLayer {
    private LinkLayer() {}

    static final int ETHERNET = 1;        // 14-byte header; ours on a veth when tcpdump listens there
    static final int RAW_BSD = 12;        // raw IP, the number some BSDs used for LINKTYPE_RAW
    static final int RAW = 101;           // raw IP, version 4 or 6
    static final int LINUX_SLL = 113;     // tcpdump -i any, 16-byte "cooked" header
    static final int IPV4 = 228;          // raw IPv4: what our programs write
    static final int LINUX_SLL2 = 276;    // tcpdump -i any since libpcap 1.10, 20-byte header

    static final int ETHERTYPE_IPV4 = 0x0800;
    static final int ETHERTYPE_IPV6 = 0x86dd;
    static final int ETHERTYPE_VLAN = 0x8100;

    static boolean supported(int linkType) {
        return switch (linkType) {
            case ETHERNET, RAW_BSD, RAW, LINUX_SLL, IPV4, LINUX_SLL2 -> true;
            default -> false;
        };
    }

    /**
     * The IP bytes (IPv4 or IPv6) of a frame, or null. A frame cut short by the capture's snapshot length is
     * padded with zeros to its original length: the headers are what we draw, and the length of
     * the data still counts.
     */
    static byte[] ip(int linkType, byte[] frame, int originalLength) {
        int start;
        switch (linkType) {
            case RAW_BSD, RAW, IPV4 -> start = 0;
            case ETHERNET -> {
                start = 12;
                int type = u16(frame, start);
                while (type == ETHERTYPE_VLAN) { start += 4; type = u16(frame, start); } // 802.1Q tags
                if (!isIp(type)) return null;
                start += 2;
            }
            case LINUX_SLL -> {
                if (!isIp(u16(frame, 14))) return null;
                start = 16;
            }
            case LINUX_SLL2 -> {
                if (!isIp(u16(frame, 0))) return null;
                start = 20;
            }
            default -> { return null; }
        }
        if (frame.length <= start) return null;
        int version = (frame[start] & 0xf0) >>> 4;
        if (version != 4 && version != 6) return null;
        if (linkType == IPV4 && version != 4) return null;
        int length = Math.max(frame.length, originalLength) - start;
        return Arrays.copyOfRange(frame, start, start + length);
    }

    private static boolean isIp(int etherType) {
        return etherType == ETHERTYPE_IPV4 || etherType == ETHERTYPE_IPV6;
    }

    /** A 16-bit big-endian field, or -1 past the end of the frame. */
    private static int u16(byte[] b, int at) {
        if (at + 2 > b.length) return -1;
        return (b[at] & 0xff) << 8 | (b[at + 1] & 0xff);
    }
}
