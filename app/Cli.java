import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Command-line options: "--name value", "--name=value" and "--flag"; anything else is positional. */
final class Cli {
    /** Bad arguments: the program prints the message and its usage and exits with code 2. */
    static final class UsageException extends Exception {
        private static final long serialVersionUID = 1L;
        UsageException(String message) { super(message); }
    }

    private final Map<String, String> values = new HashMap<>();
    private final Set<String> flags = new HashSet<>();
    final List<String> positional = new ArrayList<>();

    static Cli parse(String[] args, Set<String> valueOptions, Set<String> flagOptions) throws UsageException {
        Cli cli = new Cli();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--")) { cli.positional.add(arg); continue; }
            String name = arg, value = null;
            int eq = arg.indexOf('=');
            if (eq > 0) { name = arg.substring(0, eq); value = arg.substring(eq + 1); }
            if (flagOptions.contains(name)) {
                if (value != null) throw new UsageException(name + " takes no value");
                cli.flags.add(name);
            } else if (valueOptions.contains(name)) {
                if (value == null) {
                    if (i + 1 >= args.length) throw new UsageException(name + " needs a value");
                    value = args[++i];
                }
                cli.values.put(name, value);
            } else {
                throw new UsageException("unknown option " + name);
            }
        }
        return cli;
    }

    boolean has(String flag) { return flags.contains(flag) || values.containsKey(flag); }

    String string(String name, String fallback) { return values.getOrDefault(name, fallback); }

    int integer(String name, int fallback, int min, int max) throws UsageException {
        String v = values.get(name);
        if (v == null) return fallback;
        try {
            int n = Integer.parseInt(v);
            if (n < min || n > max) throw new UsageException(name + " must be between " + min + " and " + max + ", not " + v);
            return n;
        } catch (NumberFormatException e) {
            throw new UsageException(name + " needs a whole number, not '" + v + "'");
        }
    }

    /** A duration given in seconds (decimals allowed), returned in milliseconds. */
    long seconds(String name, double fallbackSeconds, double min, double max) throws UsageException {
        String v = values.get(name);
        if (v == null) return Math.round(fallbackSeconds * 1000);
        try {
            double s = Double.parseDouble(v);
            if (!(s >= min && s <= max)) throw new UsageException(name + " must be between " + min + " and " + max + " seconds, not " + v);
            return Math.round(s * 1000);
        } catch (NumberFormatException e) {
            throw new UsageException(name + " needs a number of seconds, not '" + v + "'");
        }
    }

    static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> all = new HashSet<>(a);
        all.addAll(b);
        return all;
    }

    /** The options both programs share for the TCP machinery. */
    static final Set<String> TCP_VALUE_OPTIONS = Set.of("--retries", "--rto-min", "--rto-initial", "--msl", "--pcap", "--spin-us",
            "--receive-buffer", "--send-buffer", "--delayed-ack", "--give-up", "--syn-give-up", "--ttl", "--dscp",
            "--drop-sent", "--drop-received", "--loss-sent", "--loss-received", "--delay", "--duplicate", "--reorder", "--seed",
            "--cc", "--keepalive");
    static final Set<String> COMMON_FLAGS = Set.of("--verbose", "--quiet", "--no-rst-guard", "--help", "--no-delay",
            "--no-window-scaling", "--no-sack", "--ladder", "--no-gso",
            "--inject-internal-error", // tests only, not in the usage: shows that a bug ends the program
            "--no-timestamps", "--no-syn-cookies", "--no-prr", "--no-ecn");

    static final String TCP_USAGE = String.join("\n",
            "  --retries N         retransmissions before giving up (default 5)",
            "  --rto-initial MS    initial retransmission timeout in milliseconds (default 1000, RFC 6298)",
            "  --rto-min MS        lower bound of the retransmission timeout (default 1000, RFC 6298)",
            "  --msl SECONDS       maximum segment lifetime; TIME-WAIT lasts 2 x MSL (default 1)",
            "  --pcap FILE         write every packet sent and received to FILE (pcap, for Wireshark)",
            "  --spin-us N         after traffic, poll N microseconds for the next packet before",
            "                      sleeping (default 30; 0 sleeps at once)",
            "  --receive-buffer N  receive buffer in bytes; our window is its free space (default 1Mi)",
            "  --send-buffer N     send buffer in bytes (default 1Mi)",
            "  --no-delay          turn Nagle's algorithm off: small writes go at once",
            "  --delayed-ack MS    the longest an ACK waits (default 40, under 500; 0: ACK every segment)",
            "  --no-window-scaling do not offer RFC 7323 window scaling (windows up to 64 KiB)",
            "  --no-sack           do not offer RFC 2018 selective acknowledgments (NewReno recovery)",
            "  --give-up SECONDS   retransmit data at least this long before giving up (default 100)",
            "  --syn-give-up SECONDS  retransmit a SYN or SYN-ACK at least this long (default 180,",
            "                      RFC 9293's 3 minutes; a client's --timeout ends its wait sooner)",
            "  --ttl N             the IP time to live of every packet we send (default 64)",
            "  --dscp N            the Differentiated Services codepoint of every packet we send,",
            "                      0 to 63 (default 0; 46 is Expedited Forwarding)",
            "  --ladder            draw each packet as an arrow of a ladder diagram, as it goes",
            "  --no-gso            send MSS-sized segments one by one (no segmentation offload)",
            "  --cc cubic|reno     congestion control: CUBIC (RFC 9438, default, as Linux) or Reno (RFC 5681)",
            "  --no-prr            recover without RFC 6937's proportional rate reduction (cwnd = ssthresh at once)",
            "  --no-ecn            do not negotiate RFC 3168 explicit congestion notification",
            "  --no-timestamps     do not offer RFC 7323 timestamps (no RTT sample per ACK, no PAWS)",
            "  --no-syn-cookies    a full backlog recycles the oldest half-open connection instead of",
            "                      answering with SYN cookies (RFC 4987)",
            "  --keepalive SECONDS[,INTERVAL,COUNT]  keep-alive probes after SECONDS of silence, every",
            "                      INTERVAL s (default 75), COUNT unanswered end it (default 9); off by default",
            "Faults on purpose (packets counted from 1, all connections together):",
            "  --drop-sent N[,N..] do not send our N-th packet    --drop-received N[,N..] ignore the N-th received",
            "  --loss-sent PCT     lose this percentage of what we send (--loss-received: of what we get)",
            "  --delay MS          send each packet MS milliseconds late",
            "  --duplicate PCT     send this percentage of packets twice",
            "  --reorder PCT       hold this percentage back until after the next packet",
            "  --seed N            the seed of the random faults (default 1): the same seed, the same faults",
            "  --verbose           also print each packet's fields, dropped packets and state changes",
            "  --quiet             print only results and errors",
            "  --no-rst-guard      do not add the nftables rule that keeps the kernel's RSTs away",
            "  --help              print this help");

    TcpConfig tcpConfig() throws UsageException {
        TcpConfig d = TcpConfig.defaults();
        int rtoInitial = integer("--rto-initial", (int) d.rtoInitial(), 1, 60_000);
        int rtoMin = integer("--rto-min", (int) Math.min(d.rtoMin(), rtoInitial), 1, 60_000);
        return d.withRtoInitial(rtoInitial).withRtoMin(rtoMin)
                .withMaxRetries(integer("--retries", d.maxRetries(), 0, 100))
                .withMsl(seconds("--msl", d.msl() / 1000.0, 0, 600))
                .withReceiveBuffer((int) byteCount("--receive-buffer", d.receiveBuffer(), 1, 1 << 30))
                .withSendBuffer((int) byteCount("--send-buffer", d.sendBuffer(), 1, 1 << 30))
                .withDelayedAck(integer("--delayed-ack", (int) d.delayedAck(), 0, 499))
                .withGiveUpAfter(seconds("--give-up", d.giveUpAfter() / 1000.0, 0, 86_400))
                .withSynGiveUpAfter(seconds("--syn-give-up", d.synGiveUpAfter() / 1000.0, 0, 86_400))
                .withNoDelay(has("--no-delay"))
                .withWindowScaling(!has("--no-window-scaling"))
                .withSack(!has("--no-sack"))
                .withCongestionControl(congestionControl())
                .withPrr(!has("--no-prr"))
                .withEcn(!has("--no-ecn"))
                .withTimestamps(!has("--no-timestamps"))
                .withKeepAlive(keepAlive());
    }

    /** --cc: a name CongestionControl knows. */
    String congestionControl() throws UsageException {
        String v = values.getOrDefault("--cc", CongestionControl.DEFAULT_ALGORITHM);
        if (!CongestionControl.ALGORITHMS.contains(v)) {
            throw new UsageException("--cc must be one of " + String.join(", ", CongestionControl.ALGORITHMS) + ", not '" + v + "'");
        }
        return v;
    }

    /** --keepalive SECONDS[,INTERVAL,COUNT], or null (off, RFC 9293 MUST-25). */
    KeepAlive.Settings keepAlive() throws UsageException {
        String v = values.get("--keepalive");
        if (v == null) return null;
        try {
            return KeepAlive.Settings.parse(v);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }

    /** A number of bytes: "1500", "64k", "100M", "2G" (powers of 1000; "Ki", "Mi", "Gi" for 1024). */
    long byteCount(String name, long fallback, long min, long max) throws UsageException {
        String v = values.get(name);
        if (v == null) return fallback;
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+)([kKMG]i?)?").matcher(v);
        if (!m.matches()) throw new UsageException(name + " needs a number of bytes such as 1500, 64k or 100M, not '" + v + "'");
        long unit = switch (m.group(2) == null ? "" : m.group(2)) {
            case "k", "K" -> 1000L; case "M" -> 1000_000L; case "G" -> 1000_000_000L;
            case "ki", "Ki" -> 1L << 10; case "Mi" -> 1L << 20; case "Gi" -> 1L << 30;
            default -> 1L;
        };
        try {
            long n = Math.multiplyExact(Long.parseLong(m.group(1)), unit);
            if (n < min || n > max) throw new UsageException(name + " must be between " + min + " and " + max + " bytes, not " + v);
            return n;
        } catch (ArithmeticException | NumberFormatException e) {
            throw new UsageException(name + " is too large: " + v);
        }
    }

    /** A percentage from 0 to 100, decimals allowed. */
    double percent(String name) throws UsageException {
        String v = values.get(name);
        if (v == null) return 0;
        try {
            double p = Double.parseDouble(v);
            if (!(p >= 0 && p <= 100)) throw new UsageException(name + " must be a percentage from 0 to 100, not " + v);
            return p;
        } catch (NumberFormatException e) {
            throw new UsageException(name + " needs a percentage, not '" + v + "'");
        }
    }

    /** The fault options (--drop-sent and the others), for the stack's FaultInjector. */
    FaultInjector.Settings faults() throws UsageException {
        FaultInjector.Settings f = new FaultInjector.Settings();
        try {
            if (values.containsKey("--drop-sent")) f.dropSent = FaultInjector.packetNumbers(values.get("--drop-sent"));
            if (values.containsKey("--drop-received")) f.dropReceived = FaultInjector.packetNumbers(values.get("--drop-received"));
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        f.lossSentPercent = percent("--loss-sent");
        f.lossReceivedPercent = percent("--loss-received");
        f.duplicatePercent = percent("--duplicate");
        f.reorderPercent = percent("--reorder");
        f.delayMillis = integer("--delay", 0, 0, 60_000);
        return f;
    }

    /** The stack's settings that every program takes from the common options. */
    void applyTo(TcpStack.Settings settings) throws UsageException {
        settings.tcp = tcpConfig();
        settings.spinMicros = integer("--spin-us", settings.spinMicros, 0, 1_000_000);
        settings.injectInternalError = has("--inject-internal-error");
        settings.ttl = integer("--ttl", settings.ttl, 1, 255);
        settings.dscp = integer("--dscp", settings.dscp, 0, 63);
        settings.faults = faults();
        settings.synCookies = !has("--no-syn-cookies");
        settings.faultSeed = integer("--seed", 1, 0, Integer.MAX_VALUE);
        // Large segments (cut into MSS-sized ones by the kernel, or by the stack) make bulk data
        // fast; a learner who watches packets (--verbose, --pcap, --ladder, faults) sees the
        // segments one by one instead, as they are on the wire.
        settings.segmentationOffload = !has("--no-gso") && !has("--verbose") && !has("--pcap") && !has("--ladder")
                && !settings.faults.active();
        if (settings.segmentationOffload) settings.tcp = settings.tcp.withLargeSegments(LARGE_SEGMENT);
    }

    /** The most data in one large segment: an IPv4 packet holds 65535 bytes, headers included. */
    static final int LARGE_SEGMENT = 65_000;
}
