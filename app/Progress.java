/**
 * A progress line for long transfers, redrawn in place on standard error: bytes sent and
 * received, the rate, and retransmissions. Only when standard error is a terminal, and only once
 * a transfer has lasted two seconds: short exchanges and logs piped to files stay clean.
 */
final class Progress {
    private static final long FIRST_AFTER_MILLIS = 2000, EVERY_MILLIS = 500;

    private final String role;
    private final boolean enabled;
    private final long startMillis;
    private long lastDrawn = -1;
    private boolean drawn;

    Progress(String role, boolean enabled, long startMillis) {
        this.role = role;
        this.enabled = enabled;
        this.startMillis = startMillis;
    }

    void update(long now, long sent, long received, long retransmissions) {
        if (!enabled || now - startMillis < FIRST_AFTER_MILLIS) return;
        if (lastDrawn >= 0 && now - lastDrawn < EVERY_MILLIS) return;
        lastDrawn = now;
        drawn = true;
        double seconds = (now - startMillis) / 1000.0;
        String line = String.format("[%s] %s sent, %s received, %.1f MB/s, %d retransmission%s", role, bytes(sent),
                bytes(received), (sent + received) / 1e6 / seconds, retransmissions, retransmissions == 1 ? "" : "s");
        System.err.print("\r" + line + "   ");
        System.err.flush();
    }

    /** Ends the line, so that what follows starts on a line of its own. */
    void finish() {
        if (drawn) System.err.println();
        drawn = false;
    }

    static String bytes(long n) {
        if (n < 10_000) return n + " B";
        if (n < 10_000_000) return String.format("%.1f kB", n / 1e3);
        if (n < 10_000_000_000L) return String.format("%.1f MB", n / 1e6);
        return String.format("%.2f GB", n / 1e9);
    }
}
