import java.io.BufferedOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A pcap capture file, written by hand: a 24-byte file header, then a 16-byte record header and
 * the bytes of each packet. Link type 101 (LINKTYPE_RAW): each record is an IPv4 or IPv6 packet
 * (its version field says which), with no link-layer header, exactly as our raw sockets see it.
 * (Link type 228, LINKTYPE_IPV4, which we wrote before IPv6, cannot hold IPv6 packets.) Wireshark and tshark open it as it is.
 * Format: https://www.tcpdump.org/manpages/pcap-savefile.5.html
 */
final class Pcap implements AutoCloseable {
    static final int MAGIC_MICROSECONDS = 0xa1b2c3d4;
    static final int LINKTYPE_RAW = 101;
    static final int SNAPLEN = 65535;

    private final OutputStream out;
    private final ByteBuffer recordHeader = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
    private byte[] copy = new byte[2048];

    Pcap(String path) throws IOException {
        out = new BufferedOutputStream(new FileOutputStream(path), 1 << 16);
        ByteBuffer h = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        h.putInt(MAGIC_MICROSECONDS)      // magic: microsecond timestamps, this byte order
         .putShort((short) 2).putShort((short) 4) // version 2.4
         .putInt(0)                       // thiszone: timestamps are UTC
         .putInt(0)                       // sigfigs
         .putInt(SNAPLEN)                 // snaplen
         .putInt(LINKTYPE_RAW);           // network
        out.write(h.array());
        out.flush();
    }

    /** Writes the packet between the buffer's position and limit, seen at epochMicros. */
    void write(ByteBuffer packet, long epochMicros) throws IOException {
        int length = packet.remaining();
        if (copy.length < length) copy = new byte[Math.max(length, 2 * copy.length)];
        packet.get(packet.position(), copy, 0, length);
        recordHeader.clear();
        recordHeader.putInt((int) (epochMicros / 1_000_000)).putInt((int) (epochMicros % 1_000_000))
                    .putInt(length).putInt(length);
        out.write(recordHeader.array());
        out.write(copy, 0, length);
        out.flush(); // a capture must be readable while the program runs and after Ctrl-C
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
