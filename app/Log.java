import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * Standard output, one line per event, flushed at once: "[Server] Received SYN, sending SYN-ACK".
 * Verbose lines (packet fields, dropped packets, state changes) only with --verbose.
 */
final class Log {
    private final String role;
    private final boolean verbose;
    private final boolean quiet;
    private final PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), false, StandardCharsets.UTF_8);

    Log(String role, boolean verbose, boolean quiet) {
        this.role = role;
        this.verbose = verbose && !quiet;
        this.quiet = quiet;
    }

    boolean verbose() { return verbose; }

    /** False with --quiet: then no info or detail line is printed, and none need be built. */
    boolean enabled() { return !quiet; }

    /** A line for everyone; who names the connection, or is null. */
    void info(String who, String line) {
        if (!quiet) print(who, line);
    }

    /** A line only --verbose shows. */
    void detail(String who, String line) {
        if (verbose) print(who, line);
    }

    /** A line that is always shown, even with --quiet: results and errors. */
    void always(String who, String line) {
        print(who, line);
    }

    private void print(String who, String line) {
        synchronized (out) {
            out.print(who == null ? "[" + role + "] " : "[" + role + " " + who + "] ");
            out.println(line);
            out.flush();
        }
    }

    /** Payload as text for a log line: printable ASCII kept, the rest escaped, long data cut. */
    static String quote(byte[] data) {
        StringBuilder s = new StringBuilder("\"");
        int shown = Math.min(data.length, 120);
        for (int i = 0; i < shown; i++) {
            int b = data[i] & 0xff;
            if (b == '"' || b == '\\') s.append('\\').append((char) b);
            else if (b >= 0x20 && b < 0x7f) s.append((char) b);
            else if (b == '\n') s.append("\\n");
            else if (b == '\r') s.append("\\r");
            else if (b == '\t') s.append("\\t");
            else s.append(String.format("\\x%02x", b));
        }
        s.append('"');
        if (shown < data.length) s.append("... (").append(data.length - shown).append(" more bytes)");
        return s.toString();
    }
}
