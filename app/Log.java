import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Standard output, one line per event, flushed at once: "[Server] Received SYN, sending SYN-ACK".
 * Verbose lines (packet fields, dropped packets, state changes) only with --verbose. With --stdio,
 * standard output carries the data, so the log goes to standard error instead.
 *
 * Each line, prefix included, goes out in one write(2): two programs sharing a terminal or a pipe
 * (the demo) then never tear each other's lines (a pipe keeps writes of up to 4096 bytes whole).
 */
final class Log {
    private final String role;
    private final boolean verbose;
    private final boolean quiet;
    private final FileOutputStream out;

    Log(String role, boolean verbose, boolean quiet) {
        this(role, verbose, quiet, false);
    }

    /** toStandardError: log lines go to standard error (standard output carries data). */
    Log(String role, boolean verbose, boolean quiet, boolean toStandardError) {
        this.role = role;
        this.out = new FileOutputStream(toStandardError ? FileDescriptor.err : FileDescriptor.out);
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
        String prefix = who == null ? "[" + role + "] " : "[" + role + " " + who + "] ";
        byte[] bytes = (prefix + line + "\n").getBytes(StandardCharsets.UTF_8);
        synchronized (out) {
            try {
                out.write(bytes);
            } catch (IOException e) {
                // The reader of our log went away (a closed pipe): nothing is left to tell it.
            }
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
