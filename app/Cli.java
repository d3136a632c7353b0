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
    static final Set<String> TCP_VALUE_OPTIONS = Set.of("--retries", "--rto-min", "--rto-initial", "--msl", "--pcap", "--spin-us");
    static final Set<String> COMMON_FLAGS = Set.of("--verbose", "--quiet", "--no-rst-guard", "--help",
            "--inject-internal-error"); // tests only, not in the usage: shows that a bug ends the program

    static final String TCP_USAGE = String.join("\n",
            "  --retries N         retransmissions before giving up (default 5)",
            "  --rto-initial MS    initial retransmission timeout in milliseconds (default 1000, RFC 6298)",
            "  --rto-min MS        lower bound of the retransmission timeout (default 1000, RFC 6298)",
            "  --msl SECONDS       maximum segment lifetime; TIME-WAIT lasts 2 x MSL (default 1)",
            "  --pcap FILE         write every packet sent and received to FILE (pcap, for Wireshark)",
            "  --spin-us N         after traffic, poll N microseconds for the next packet before",
            "                      sleeping (default 30; 0 sleeps at once)",
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
                .withMsl(seconds("--msl", d.msl() / 1000.0, 0, 600));
    }
}
