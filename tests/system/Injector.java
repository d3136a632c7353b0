import java.nio.ByteBuffer;
import java.util.List;
import java.util.Random;

/**
 * Crafts TCP/IP packets by hand and throws them at a host: a test tool on the project's own raw
 * socket binding (RawSocket) and wire format (Packets), not part of the product.
 *
 *   probe SRC SPORT DST DPORT FLAGS SEQ ACK     one segment; prints the answer ("reply RST seq=.. ack=..")
 *                                              or "no reply" after 1 s
 *   malformed COUNT SRC DST DPORT SEED DEV      COUNT broken packets of every kind, sent on interface DEV
 *                                              at the link layer (the kernel fixes IP headers we send
 *                                              through a raw IP socket: see raw(7) on IP_HDRINCL)
 *   synflood COUNT SRC DST DPORT SEED [PER_SEC] COUNT SYNs from random source ports, paced
 *   blind COUNT SRC SPORT DST DPORT SEED        a third party's blind attack on a live connection:
 *                                              RSTs, SYNs and data with guessed sequence numbers
 */
final class Injector {
    public static void main(String[] args) throws Exception {
        try (RawSocket socket = RawSocket.open(RstGuard.MARK)) { // marked: test rules let it through
            switch (args[0]) {
                case "probe" -> probe(socket, Packets.parseAddress(args[1]), Integer.parseInt(args[2]),
                        Packets.parseAddress(args[3]), Integer.parseInt(args[4]), parseFlags(args[5]),
                        (int) Long.parseLong(args[6]), (int) Long.parseLong(args[7]));
                case "malformed" -> malformed(Integer.parseInt(args[1]), Packets.parseAddress(args[2]),
                        Packets.parseAddress(args[3]), Integer.parseInt(args[4]), Long.parseLong(args[5]), args[6]);
                case "synflood" -> synflood(socket, Integer.parseInt(args[1]), Packets.parseAddress(args[2]),
                        Packets.parseAddress(args[3]), Integer.parseInt(args[4]), Long.parseLong(args[5]),
                        args.length > 6 ? Integer.parseInt(args[6]) : 0);
                case "blind" -> blind(socket, Integer.parseInt(args[1]), Packets.parseAddress(args[2]), Integer.parseInt(args[3]),
                        Packets.parseAddress(args[4]), Integer.parseInt(args[5]), Long.parseLong(args[6]));
                default -> throw new IllegalArgumentException(args[0]);
            }
        }
    }

    /** Not a TCP flag: asks probe to spoil the TCP checksum of what it sends. */
    static final int BAD_CHECKSUM = 1 << 16;

    static int parseFlags(String names) {
        int flags = 0;
        for (String n : names.split("[,+-]")) {
            switch (n.toUpperCase()) {
                case "FIN" -> flags |= Packets.FIN;
                case "SYN" -> flags |= Packets.SYN;
                case "RST" -> flags |= Packets.RST;
                case "PSH" -> flags |= Packets.PSH;
                case "ACK" -> flags |= Packets.ACK;
                case "URG" -> flags |= Packets.URG;
                case "BADSUM" -> flags |= BAD_CHECKSUM;
                case "NONE", "" -> { }
                default -> throw new IllegalArgumentException("flag " + n);
            }
        }
        return flags;
    }

    static ByteBuffer packet(int src, int sport, int dst, int dport, int flags, int seq, int ack, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocateDirect(RawSocket.MAX_PACKET);
        Packets.emit(b, Packets.Ipv4.forTcp(src, dst, 1, 64),
                Packets.Tcp.of(sport, dport, seq, ack, flags, 65535, List.of(), payload));
        return b.flip();
    }

    static void probe(RawSocket socket, int src, int sport, int dst, int dport, int flags, int seq, int ack) throws Exception {
        ByteBuffer out = packet(src, sport, dst, dport, flags & 0xff, seq, ack, null);
        if ((flags & BAD_CHECKSUM) != 0) out.putShort(36, (short) (out.getShort(36) ^ 0x5555));
        socket.send(out, dst);
        long end = System.nanoTime() + 1_000_000_000L;
        while (System.nanoTime() < end) {
            if (!socket.awaitPacket(50)) continue;
            ByteBuffer p;
            while ((p = socket.receive()) != null) {
                try {
                    Packets.Packet reply = Packets.parse(p, !socket.lastChecksumNotReady());
                    if (reply.ip() instanceof Packets.Ipv4 ip && ip.source() == dst && reply.tcp().sourcePort() == dport && reply.tcp().destinationPort() == sport) {
                        Packets.Tcp t = reply.tcp();
                        System.out.println("reply " + PacketText.flagNames(t.flags()) + " seq=" + Seq.str(t.seq()) + " ack=" + Seq.str(t.ack()));
                        return;
                    }
                } catch (Packets.Rejected ignored) {
                    // not the answer we wait for
                }
            }
        }
        System.out.println("no reply");
    }

    /** Every kind of broken packet the parser (or, for port 0, the demultiplexer) must refuse, in turn,
     *  with random details; and a soup of flags, which parses and is for the listener to judge. */
    static void malformed(int count, int src, int dst, int dport, long seed, String device) throws Exception {
        Random random = new Random(seed);
        LinkSender link = new LinkSender(device);
        int[] kinds = new int[16];
        for (int i = 0; i < count; i++) {
            int sport = 1024 + random.nextInt(60000);
            byte[] payload = new byte[4 + random.nextInt(36)]; // room for the option attack
            random.nextBytes(payload);
            ByteBuffer b = packet(src, sport, dst, dport, Packets.ACK | Packets.PSH, random.nextInt(), random.nextInt(), payload);
            int length = b.remaining();
            int kind = i % 13;
            kinds[kind]++;
            switch (kind) {
                case 0 -> b.limit(20 + random.nextInt(20));                       // TCP header cut short
                case 1 -> b.put(32, (byte) (random.nextInt(5) << 4));               // data offset 0..4
                case 2 -> b.put(32, (byte) (15 << 4));                             // data offset past the segment
                case 3 -> b.putShort(36, (short) (b.getShort(36) ^ 0x0101));       // bad TCP checksum
                case 4 -> { b.putShort(2, (short) (length + 1 + random.nextInt(100))); fixIpChecksum(b); } // total length lies
                case 5 -> { b.putShort(2, (short) (20 + random.nextInt(20))); fixIpChecksum(b); }          // total length too short
                case 6 -> { b.putShort(6, (short) (Packets.IP_MORE_FRAGMENTS | random.nextInt(2))); fixIpChecksum(b); } // a fragment
                case 7 -> { b.put(0, (byte) (random.nextBoolean() ? 0x55 : 0x65)); fixIpChecksum(b); } // IP version 5 or 6
                case 8 -> { b.put(33, (byte) random.nextInt(256)); fixTcpChecksum(b, src, dst); }          // flags soup: for the listener
                case 9 -> { optionsAttack(b, random); fixTcpChecksum(b, src, dst); } // option lengths 0, 1, too long
                case 10 -> b.putShort(10, (short) (b.getShort(10) ^ 0x00ff));      // bad IP checksum
                case 11 -> { b.put(0, (byte) 0x4f); fixIpChecksum(b); }            // IHL 15: past the packet
                case 12 -> { b.putShort(20, (short) 0); fixTcpChecksum(b, src, dst); } // source port 0: the demultiplexer's
            }
            link.send(b);
        }
        link.close();
        System.out.println("sent " + count + " malformed packets");
    }

    /** Sends IPv4 packets as they are, in Ethernet frames to INJECT_DST_MAC (or broadcast), on one interface. */
    static final class LinkSender implements AutoCloseable {
        private final int fd;
        private final ByteBuffer address = LibC.direct(20);

        LinkSender(String device) throws Exception {
            int ifindex = Integer.parseInt(java.nio.file.Files.readString(java.nio.file.Path.of("/sys/class/net", device, "ifindex")).trim());
            int protocol = Short.toUnsignedInt(Short.reverseBytes((short) LibC.ETH_P_IP));
            fd = (int) LibC.check("socket(AF_PACKET)", LibC.C.socket(LibC.AF_PACKET, LibC.SOCK_DGRAM, protocol));
            address.putShort(0, (short) LibC.AF_PACKET).putShort(2, (short) protocol).putInt(4, ifindex)
                   .put(11, (byte) 6);                                   // sll_halen
            // sll_addr: the peer's MAC (INJECT_DST_MAC, "aa:bb:cc:dd:ee:ff"), else broadcast. A stack
            // drops TCP in broadcast frames (RFC 9293 MUST-57, as Linux's tcp_v4_rcv), so packets
            // meant to reach its parser go to its own MAC.
            String mac = System.getenv("INJECT_DST_MAC");
            String[] octets = mac == null || mac.isBlank() ? null : mac.trim().split(":");
            for (int i = 0; i < 6; i++) address.put(12 + i, octets == null ? (byte) 0xff : (byte) Integer.parseInt(octets[i], 16));
        }

        void send(ByteBuffer packet) throws LibC.NativeException {
            LibC.check("sendto", LibC.C.sendto(fd, packet, packet.remaining(), 0, address, 20));
        }

        @Override public void close() { LibC.closeQuietly(fd); }
    }

    /** A data offset of 6 with one option whose length is 0, 1 or runs past the header. */
    private static void optionsAttack(ByteBuffer b, Random random) {
        b.put(32, (byte) (6 << 4));
        b.put(40, (byte) 2);
        b.put(41, (byte) new int[] {0, 1, 9}[random.nextInt(3)]);
    }

    private static void fixIpChecksum(ByteBuffer b) {
        b.putShort(10, (short) 0);
        b.putShort(10, (short) Packets.Checksum.finish(Packets.Checksum.add(0, b, 0, 20)));
    }

    private static void fixTcpChecksum(ByteBuffer b, int src, int dst) {
        int tcpLength = b.limit() - 20;
        b.putShort(36, (short) 0);
        int sum = Packets.Checksum.add(Packets.pseudoHeaderSum(src, dst, tcpLength), b, 20, tcpLength);
        b.putShort(36, (short) Packets.Checksum.finish(sum));
    }

    static void synflood(RawSocket socket, int count, int src, int dst, int dport, long seed, int perSecond) throws Exception {
        Random random = new Random(seed);
        long start = System.nanoTime();
        for (int i = 0; i < count; i++) {
            if (perSecond > 0) {
                long due = start + i * 1_000_000_000L / perSecond;
                while (System.nanoTime() < due) Thread.onSpinWait();
            }
            int sport = 1024 + random.nextInt(64000);
            socket.send(packet(src, sport, dst, dport, Packets.SYN, random.nextInt(), 0, null), dst);
        }
        long ms = (System.nanoTime() - start) / 1_000_000;
        System.out.println("sent " + count + " SYNs in " + ms + " ms");
    }

    /** Segments a third party could send knowing the 4-tuple but not the sequence numbers. */
    static void blind(RawSocket socket, int count, int src, int sport, int dst, int dport, long seed) throws Exception {
        Random random = new Random(seed);
        byte[] evil = "EVIL".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        for (int i = 0; i < count; i++) {
            int seq = random.nextInt(), ack = random.nextInt();
            ByteBuffer b = switch (i % 4) {
                case 0 -> packet(src, sport, dst, dport, Packets.RST, seq, 0, null);
                case 1 -> packet(src, sport, dst, dport, Packets.RST | Packets.ACK, seq, ack, null);
                case 2 -> packet(src, sport, dst, dport, Packets.SYN, seq, 0, null);
                default -> packet(src, sport, dst, dport, Packets.PSH | Packets.ACK, seq, ack, evil);
            };
            socket.send(b, dst);
        }
        System.out.println("sent " + count + " blind segments");
    }
}
