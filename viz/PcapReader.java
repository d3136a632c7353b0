import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a classic pcap file (https://www.tcpdump.org/manpages/pcap-savefile.5.html):
 *
 * <pre>
 *   file header, 24 bytes: magic, version 2.4, thiszone, sigfigs, snaplen, link type
 *   then per packet: seconds, fraction, captured length, original length (16 bytes), the bytes
 * </pre>
 *
 * The magic says both the byte order (the writer's own) and the time unit: 0xa1b2c3d4 for
 * microseconds, 0xa1b23c4d for nanoseconds. pcapng files (Wireshark's default) start with
 * 0x0a0d0d0a instead; they are refused with a hint to convert them.
 */
final class PcapReader {
    private PcapReader() {}

    static final int MAGIC_MICROSECONDS = 0xa1b2c3d4;
    static final int MAGIC_NANOSECONDS = 0xa1b23c4d;
    static final int MAGIC_PCAPNG = 0x0a0d0d0a;
    static final int FILE_HEADER_LEN = 24;
    static final int RECORD_HEADER_LEN = 16;
    /** Larger than any snapshot length tcpdump uses (262144): a bigger record is a broken file. */
    static final int MAX_RECORD_LEN = 1 << 20;

    /** One record of the file: its number (from 1, as Wireshark counts), time and link-layer bytes. */
    record Record(int number, long micros, byte[] data, int originalLength) {}

    /** The file's link type and its records, in file order. */
    record Capture(int linkType, List<Record> records) {}

    static Capture read(byte[] file) throws BadCapture {
        ByteBuffer b = ByteBuffer.wrap(file);
        if (file.length < 4) throw new BadCapture("not a pcap file: only " + file.length + " bytes");
        int magic = b.order(ByteOrder.BIG_ENDIAN).getInt(0);
        if (magic == MAGIC_PCAPNG)
            throw new BadCapture("this is a pcapng file; convert it first: editcap -F pcap IN.pcapng OUT.pcap");
        boolean nanoseconds;
        if (magic == MAGIC_MICROSECONDS || magic == MAGIC_NANOSECONDS) {
            nanoseconds = magic == MAGIC_NANOSECONDS;
        } else {
            b.order(ByteOrder.LITTLE_ENDIAN);
            magic = b.getInt(0);
            if (magic != MAGIC_MICROSECONDS && magic != MAGIC_NANOSECONDS)
                throw new BadCapture(String.format("not a pcap file: magic number 0x%08x", b.order(ByteOrder.BIG_ENDIAN).getInt(0)));
            nanoseconds = magic == MAGIC_NANOSECONDS;
        }
        if (file.length < FILE_HEADER_LEN)
            throw new BadCapture("truncated pcap file header: " + file.length + " bytes, need " + FILE_HEADER_LEN);
        int major = b.getShort(4) & 0xffff;
        if (major != 2) throw new BadCapture("pcap version " + major + "." + (b.getShort(6) & 0xffff) + ", expected 2.4");
        // The low 16 bits are the link type; the high bits may carry an FCS length (pcap-savefile(5)).
        int linkType = b.getInt(20) & 0xffff;

        List<Record> records = new ArrayList<>();
        int at = FILE_HEADER_LEN;
        while (at < file.length) {
            int number = records.size() + 1;
            if (file.length - at < RECORD_HEADER_LEN)
                throw new BadCapture("truncated pcap: packet " + number + "'s header at byte " + at + " has "
                        + (file.length - at) + " of " + RECORD_HEADER_LEN + " bytes");
            long seconds = Integer.toUnsignedLong(b.getInt(at));
            long fraction = Integer.toUnsignedLong(b.getInt(at + 4));
            long capturedLength = Integer.toUnsignedLong(b.getInt(at + 8));
            long originalLength = Integer.toUnsignedLong(b.getInt(at + 12));
            if (fraction >= (nanoseconds ? 1_000_000_000L : 1_000_000L))
                throw new BadCapture("malformed pcap: packet " + number + " at byte " + at + " has a time fraction of "
                        + fraction + (nanoseconds ? " ns" : " us") + ", more than a second");
            if (capturedLength > MAX_RECORD_LEN)
                throw new BadCapture("malformed pcap: packet " + number + " at byte " + at + " claims "
                        + capturedLength + " bytes");
            at += RECORD_HEADER_LEN;
            if (file.length - at < capturedLength)
                throw new BadCapture("truncated pcap: packet " + number + " needs " + capturedLength
                        + " bytes, the file ends after " + (file.length - at));
            byte[] data = new byte[(int) capturedLength];
            b.get(at, data);
            at += (int) capturedLength;
            long micros = seconds * 1_000_000L + (nanoseconds ? fraction / 1000 : fraction);
            records.add(new Record(number, micros, data, (int) Math.min(originalLength, MAX_RECORD_LEN)));
        }
        return new Capture(linkType, records);
    }
}
