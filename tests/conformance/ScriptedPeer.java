import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Plays one Script against one target: the scripted peer's segments go out through the project's
 * raw socket (marked, so the runner's RST guard lets its own RSTs through), the target's segments
 * are read from the packet socket and checked against the script's expectations.
 *
 * Sequence numbers in a script are relative: the peer's to its ISN (chosen here at random), the
 * target's to the ISN it shows in its first SYN or SYN-ACK.
 */
final class ScriptedPeer {
    /** What happened: passed, or the step that failed and why; the transcript is for the log. */
    record Result(boolean passed, int failedLine, String reason, List<String> transcript) {}

    private static final class Failure extends Exception {
        private static final long serialVersionUID = 1L;
        Failure(String message) { super(message); }
    }

    private final RawSocket socket;
    private final Pcap capture;          // what the peer sent and received, for Ladder.java
    private final long epochMicros = System.currentTimeMillis() * 1000, epochNanos = System.nanoTime();
    private final String targetName;     // "ours", "kernel", "gvisor"...: the branches it takes
    private final IpAddress peerAddress, targetAddress;
    /** What opts=mss:link expects: the MSS of a 1500-octet link, 1460 over IPv4, 1440 over IPv6 (MTU - 40 or - 60). */
    private final int linkMss;
    private final int peerPort;
    private int targetPort;              // 0 until the target's first segment (client scenarios)
    private int peerIsn;
    private int peerNext;                // relative: the peer's next sequence number
    private Integer targetIsn;           // null until the target's SYN
    private int targetNext;              // relative: one past the target's highest sequence number seen
    private long start, last;            // nanoTime of the start and of the previous step
    private final List<String> transcript = new ArrayList<>();
    private Packets.Tcp pending;         // received while a 'maybe' step looked for something else
    private long pendingAt;
    private final ByteBuffer out = ByteBuffer.allocateDirect(RawSocket.MAX_PACKET);
    /** The MTU of the links the runner makes (veth, taps): what mss:link is computed from. */
    static final int LINK_MTU = 1500;

    ScriptedPeer(RawSocket socket, String targetName, IpAddress peerAddress, int peerPort, IpAddress targetAddress, int targetPort, Pcap capture) {
        this.socket = socket;
        this.capture = capture;
        this.targetName = targetName;
        this.peerAddress = peerAddress;
        this.peerPort = peerPort;
        this.targetAddress = targetAddress;
        this.targetPort = targetPort;
        this.linkMss = LINK_MTU - (targetAddress.isV6() ? 60 : 40);
        this.peerIsn = ThreadLocalRandom.current().nextInt();
    }

    Result play(Script script) {
        start = last = System.nanoTime();
        Script.Step current = null;
        try {
            for (Script.Step step : script.steps) {
                if (!step.appliesTo(targetName)) continue;
                current = step;
                if (step.kind() == Script.Kind.END) break;
                switch (step.kind()) {
                    case SEND -> send(step);
                    case EXPECT -> expect(step);
                    case NOTHING -> nothing(step);
                    case WAIT -> { sleepUntil(System.nanoTime() + (long) (step.seconds() * 1e9)); last = System.nanoTime(); }
                    case RECONNECT -> reconnect(step);
                    case END -> { }
                }
            }
            return new Result(true, 0, "", transcript);
        } catch (Failure e) {
            log("FAILED at line " + current.line() + " (" + current.text() + "): " + e.getMessage());
            return new Result(false, current.line(), e.getMessage(), transcript);
        } catch (Exception e) {
            log("ERROR: " + e);
            return new Result(false, current == null ? 0 : current.line(), e.toString(), transcript);
        } finally {
            cleanUp();
        }
    }

    /** Ends whatever is left of the connection with an exact RST, so that no target keeps retrying. */
    private void cleanUp() {
        if (targetPort == 0 || targetIsn == null) return;
        try {
            transmit(Packets.RST | Packets.ACK, peerIsn + peerNext, targetIsn + targetNext, 0, 0, new byte[0], new byte[0]);
            transmit(Packets.RST, peerIsn + peerNext + 1, 0, 0, 0, new byte[0], new byte[0]); // after a FIN of ours
        } catch (LibC.NativeException e) {
            log("clean-up RST not sent: " + e.getMessage());
        }
    }

    // ------------------------------------------------------------------ steps

    private void send(Script.Step step) throws Failure, LibC.NativeException {
        if (targetPort == 0) throw new Failure("the target's port is not known yet: a client scenario starts with 'expect SYN'");
        Map<String, String> f = step.fields();
        byte[] payload = payload(f);
        int seq = f.containsKey("seq") ? peerSeq(f.get("seq")) : peerIsn + peerNext;
        int ack = 0;
        if (f.containsKey("ack")) ack = targetSeq(f.get("ack"));
        else if ((step.flags() & Packets.ACK) != 0) {
            if (targetIsn == null) throw new Failure("ack= needed: the target's ISN is not known yet");
            ack = targetIsn + targetNext;
        }
        int window = f.containsKey("win") ? Integer.parseInt(f.get("win")) : 65535;
        int urgent = f.containsKey("urg") ? Integer.parseInt(f.get("urg")) : 0;
        byte[] options = Script.options(f.getOrDefault("opts", ""), targetIsn == null ? 0 : targetIsn);
        tos = Script.ecnField(f.getOrDefault("ecn", "not"));
        transmit(step.flags(), seq, ack, window, urgent, options, payload);
        tos = 0;
        int length = payload.length + ((step.flags() & Packets.SYN) != 0 ? 1 : 0) + ((step.flags() & Packets.FIN) != 0 ? 1 : 0);
        int endRel = seq + length - peerIsn;
        if (Seq.gt(endRel, peerNext) && (step.flags() & Packets.RST) == 0) peerNext = endRel;
        last = System.nanoTime();
        log(String.format("%7.3f  -> %s seq=%s ack=%s win=%d%s%s", elapsed(), PacketText.flagNames(step.flags()),
                relPeer(seq), (step.flags() & Packets.ACK) != 0 ? relTarget(ack) : "-", window,
                options.length > 0 ? " opts=" + HexFormat.of().formatHex(options) : "",
                payload.length > 0 ? " len=" + payload.length : ""));
    }

    private void expect(Script.Step step) throws Failure, LibC.NativeException {
        // A client target is a program that starts now: its first SYN may take a JVM's start-up.
        double within = targetPort == 0 ? Math.max(step.within(), 10) : step.within();
        long deadline = last + (long) (within * 1e9);
        Packets.Tcp t = receive(deadline);
        if (t == null) {
            if (step.maybe()) return;
            throw new Failure("nothing arrived within " + within + " s");
        }
        long now = pendingAt != 0 ? pendingAt : System.nanoTime();
        pendingAt = 0;
        String problem = mismatch(step, t);
        if (problem != null && step.maybe()) {
            pending = t;              // not this optional segment: the next step looks at it
            pendingAt = now;
            return;
        }
        if (problem != null) throw new Failure("got " + describe(t) + ": " + problem);
        if (step.after() >= 0 && (now - last) < step.after() * 1e9)
            throw new Failure(String.format("%s arrived after %.3f s, expected no sooner than %.3f s", describe(t),
                    (now - last) / 1e9, step.after()));
        last = now;
    }

    private void nothing(Script.Step step) throws Failure, LibC.NativeException {
        long deadline = System.nanoTime() + (long) (step.seconds() * 1e9);
        Packets.Tcp t = receive(deadline);
        if (t != null) throw new Failure("expected silence for " + step.seconds() + " s, got " + describe(t));
        last = System.nanoTime();
    }

    /** A new incarnation on the same ports: a new peer ISN (isn=+N: N past the old one's next number). */
    private void reconnect(Script.Step step) {
        String isn = step.fields().getOrDefault("isn", "+100000");
        int delta = Integer.parseInt(isn.replace("+", ""));
        peerIsn = isn.startsWith("+") ? peerIsn + peerNext + delta : ThreadLocalRandom.current().nextInt();
        peerNext = 0;
        targetIsn = null;
        targetNext = 0;
        log(String.format("%7.3f  (new connection, same ports)", elapsed()));
    }

    // ------------------------------------------------------------------ checking a segment

    private String mismatch(Script.Step step, Packets.Tcp t) {
        Map<String, String> f = step.fields();
        if ((t.flags() & ~step.optionalFlags()) != step.flags())
            return "flags " + PacketText.flagNames(t.flags()) + ", expected " + PacketText.flagNames(step.flags())
                    + (step.optionalFlags() != 0 ? " (optional " + PacketText.flagNames(step.optionalFlags()) + ")" : "");
        if (targetIsn == null && t.isSyn()) {
            // The target's ISN: its SYN's sequence number is the script's seq (0 unless said otherwise).
            String s = f.getOrDefault("seq", "0");
            targetIsn = t.seq() - (s.startsWith("abs:") ? 0 : Integer.parseInt(s));
        }
        if (f.containsKey("seq")) {
            if (targetIsn == null && !f.get("seq").startsWith("abs:")) return "seq= given before the target's ISN is known";
            int want = targetSeq(f.get("seq"));
            if (t.seq() != want) return "seq " + relTarget(t.seq()) + ", expected " + relTarget(want);
        }
        if (f.containsKey("ack")) {
            int want = peerSeq(f.get("ack"));
            if (t.ack() != want) return "ack " + relPeer(t.ack()) + ", expected " + relPeer(want);
        }
        if (f.containsKey("win") && !Script.range(f.get("win"), t.window()))
            return "window " + t.window() + ", expected " + f.get("win");
        if (f.containsKey("urg") && !Script.range(f.get("urg"), t.urgentPointer()))
            return "urgent pointer " + t.urgentPointer() + ", expected " + f.get("urg");
        String len = f.get("len");
        if (f.containsKey("data")) {
            byte[] want = f.get("data").getBytes(StandardCharsets.UTF_8);
            if (!java.util.Arrays.equals(want, t.payload()))
                return "data \"" + printable(t.payload()) + "\", expected \"" + f.get("data") + "\"";
        } else if (len == null) {
            if (t.payload().length != 0) return t.payload().length + " bytes of data, expected none";
        } else if (!Script.range(len, t.payload().length)) {
            return t.payload().length + " bytes of data, expected " + len;
        }
        if (f.containsKey("opts")) {
            String problem = checkOptions(t.options(), f.get("opts").replace("mss:link", "mss:" + linkMss), true, t.ack());
            if (problem != null) return problem;
        }
        if (f.containsKey("noopts")) {
            String problem = checkOptions(t.options(), f.get("noopts"), false, t.ack());
            if (problem != null) return problem;
        }
        if (targetIsn != null) {
            int end = t.seq() + t.segmentLength() - targetIsn;
            if (Seq.gt(end, targetNext)) targetNext = end;
        }
        return null;
    }

    /** Data as text, with bytes that are not printable ASCII written \\xNN (a stack may send any bytes). */
    static String printable(byte[] data) {
        StringBuilder b = new StringBuilder();
        for (byte x : data) {
            int c = x & 0xff;
            if (c >= 0x20 && c < 0x7f && c != '\\') b.append((char) c);
            else b.append(String.format("\\x%02x", c));
        }
        return b.toString();
    }

    /** opts=mss:1460,ws:*,sackok,ts (present, with these values) or opts=none; noopts=ws,ts (absent). */
    private static String checkOptions(List<Packets.TcpOption> have, String spec, boolean present, int segAck) {
        List<Packets.TcpOption> real = new ArrayList<>();
        for (Packets.TcpOption o : have) if (!(o instanceof Packets.Nop) && !(o instanceof Packets.EndOfList)) real.add(o);
        if (spec.equals("none")) return real.isEmpty() ? null : "options " + PacketText.describeOptions(have) + ", expected none";
        for (String item : spec.split(",")) {
            String[] kv = item.split(":", 2);
            String value = kv.length > 1 ? kv[1] : "*";
            Packets.TcpOption found = null;
            for (Packets.TcpOption o : real) {
                boolean kind = switch (kv[0]) {
                    case "mss" -> o instanceof Packets.Mss;
                    case "ws" -> o instanceof Packets.WindowScale;
                    case "sackok" -> o instanceof Packets.SackPermitted;
                    case "ts" -> o instanceof Packets.Timestamps;
                    case "sack" -> o instanceof Packets.Sack;
                    // RFC 2883: a first SACK block below SEG.ACK, or inside the second block
                    case "dsack" -> o instanceof Packets.Sack s && DSack.find(segAck, s) != null;
                    default -> false;
                };
                if (kind) found = o;
            }
            if (present && found == null) return "options " + PacketText.describeOptions(have) + " lack " + kv[0];
            if (!present && found != null) return "options " + PacketText.describeOptions(have) + " have " + kv[0] + ", expected it absent";
            if (present && found instanceof Packets.Mss m && !Script.range(value, m.value())) return "MSS " + m.value() + ", expected " + value;
            if (present && found instanceof Packets.WindowScale w && !Script.range(value, w.shift())) return "window scale " + w.shift() + ", expected " + value;
            if (present && kv[0].equals("dsack") && found instanceof Packets.Sack s && !Script.range(value, DSack.find(segAck, s).length()))
                return "D-SACK block of " + DSack.find(segAck, s).length() + " octets, expected " + value;
            if (present && found instanceof Packets.Timestamps t) {
                // ts:VAL:ECR, each a number or *: the TSecr is what a scenario can know (the peer's own TSval)
                String[] vals = value.split(":", 2);
                if (!Script.range(vals[0], t.value())) return "TSval " + Integer.toUnsignedString(t.value()) + ", expected " + vals[0];
                if (vals.length > 1 && !Script.range(vals[1], t.echoReply())) {
                    return "TSecr " + Integer.toUnsignedString(t.echoReply()) + ", expected " + vals[1];
                }
            }
        }
        return null;
    }

    // ------------------------------------------------------------------ packets

    /** The next segment from the target on our 4-tuple, or null at the deadline. */
    private Packets.Tcp receive(long deadline) throws LibC.NativeException {
        if (pending != null) {
            Packets.Tcp t = pending;
            pending = null;
            return t;
        }
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) return null;
            if (!socket.awaitPacket((int) Math.max(1, Math.min(left / 1_000_000, 50)))) continue;
            ByteBuffer p;
            while ((p = socket.receive()) != null) {
                Packets.Packet packet;
                try {
                    packet = Packets.parse(p, !socket.lastChecksumNotReady());
                } catch (Packets.Rejected e) {
                    continue;
                }
                Packets.Tcp t = packet.tcp();
                if (!packet.ip().sourceAddress().equals(targetAddress) || !packet.ip().destinationAddress().equals(peerAddress)
                        || t.destinationPort() != peerPort) continue;
                if (targetPort == 0) targetPort = t.sourcePort();   // a client target: its port shows now
                if (t.sourcePort() != targetPort) continue;
                record(p);
                log(String.format("%7.3f  <- %s", elapsed(), describe(t)));
                return t;
            }
        }
    }

    /** The TOS byte of the next packet sent: a send step's ecn= (RFC 3168's ECN field), else 0. */
    private int tos;

    private void transmit(int flags, int seq, int ack, int window, int urgent, byte[] options, byte[] payload)
            throws LibC.NativeException {
        byte[] padded = java.util.Arrays.copyOf(options, (options.length + 3) / 4 * 4); // EOL padding
        // The options go out byte for byte as the script wrote them (malformed ones too): one raw "option".
        List<Packets.TcpOption> raw = padded.length == 0 ? List.of() : List.of(new Packets.Malformed(0, padded, "as scripted"));
        Packets.Tcp segment = new Packets.Tcp(peerPort, targetPort, seq, ack, 5 + padded.length / 4, 0, flags, window, 0, urgent,
                raw, payload);
        // IPv4: identification 1, DF, TTL 64; IPv6: hop limit 64, flow label 0. tos is the ECN field (traffic class in IPv6).
        out.clear();
        Packets.emit(out, Packets.headerFor(peerAddress, targetAddress, 1, 64, tos), segment);
        out.flip();
        socket.send(out);
        record(out);
    }

    /** Adds a packet to the capture; a capture that cannot be written is not worth a failed scenario. */
    private void record(ByteBuffer packet) {
        if (capture == null) return;
        try {
            capture.write(packet, epochMicros + (System.nanoTime() - epochNanos) / 1000);
        } catch (java.io.IOException e) {
            log("capture not written: " + e.getMessage());
        }
    }

    private static byte[] payload(Map<String, String> f) {
        if (f.containsKey("data")) return f.get("data").getBytes(StandardCharsets.UTF_8);
        if (f.containsKey("len")) {
            byte[] b = new byte[Integer.parseInt(f.get("len"))];
            for (int i = 0; i < b.length; i++) b[i] = (byte) ('a' + i % 26);
            return b;
        }
        return new byte[0];
    }

    /** A peer sequence number: relative to the peer's ISN, or abs:N. */
    private int peerSeq(String s) { return s.startsWith("abs:") ? (int) Long.parseLong(s.substring(4)) : peerIsn + Integer.parseInt(s); }

    private int targetSeq(String s) {
        if (s.startsWith("abs:")) return (int) Long.parseLong(s.substring(4));
        return (targetIsn == null ? 0 : targetIsn) + Integer.parseInt(s);
    }

    private String relPeer(int seq) { return Integer.toString(seq - peerIsn); }
    private String relTarget(int seq) { return targetIsn == null ? "abs:" + Seq.str(seq) : Integer.toString(seq - targetIsn); }

    private String describe(Packets.Tcp t) {
        return PacketText.flagNames(t.flags()) + " seq=" + relTarget(t.seq()) + (t.isAck() ? " ack=" + relPeer(t.ack()) : "")
                + " win=" + t.window() + (t.urgentPointer() != 0 ? " urg=" + t.urgentPointer() : "")
                + (t.options().isEmpty() ? "" : " opts=" + PacketText.describeOptions(t.options()))
                + (t.payload().length > 0 ? " len=" + t.payload().length : "");
    }

    private double elapsed() { return (System.nanoTime() - start) / 1e9; }

    private void log(String line) { transcript.add(line); }

    private static void sleepUntil(long deadline) {
        long left;
        while ((left = deadline - System.nanoTime()) > 0) {
            try {
                Thread.sleep(Math.max(1, left / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
