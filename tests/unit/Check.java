import java.util.Arrays;
import java.util.HexFormat;

/**
 * The smallest test harness that does the job: named tests, assertions that say what differed,
 * and one line per test ("PASS Suite: name" or "FAIL Suite: name: why") that test.sh counts.
 */
final class Check {
    private Check() {}

    private static String suite = "tests";
    private static int passed, failed;

    interface Body { void run() throws Exception; }

    static void suite(String name) { suite = name; }

    /** CHECK_FILTER="word ...": only tests whose "suite: name" contains one of the words run. */
    private static final String[] FILTER = System.getenv().getOrDefault("CHECK_FILTER", "").isBlank()
            ? new String[0] : System.getenv("CHECK_FILTER").toLowerCase(java.util.Locale.ROOT).trim().split("\\s+");

    /** Set when the running test learnt that a filter left out what it needs. */
    private static boolean skipped;

    /**
     * True when a CHECK_FILTER leaves tests out, so a test that needs all the others cannot check
     * what it says. Such a test is then reported as SKIP, which test.sh does not count: it never
     * passes without having checked anything.
     */
    static boolean filtered() {
        if (FILTER.length > 0) skipped = true;
        return FILTER.length > 0;
    }

    private static boolean selected(String fullName) {
        if (FILTER.length == 0) return true;
        String lower = fullName.toLowerCase(java.util.Locale.ROOT);
        for (String word : FILTER) if (lower.contains(word)) return true;
        return false;
    }

    static void test(String name, Body body) {
        if (!selected(suite + ": " + name)) return;
        skipped = false;
        try {
            body.run();
            if (skipped) {
                System.out.println("SKIP " + suite + ": " + name + " (it needs every test: run it without a filter)");
            } else {
                passed++;
                System.out.println("PASS " + suite + ": " + name);
            }
        } catch (Throwable t) {
            failed++;
            StackTraceElement where = Arrays.stream(t.getStackTrace())
                    .filter(e -> !e.getClassName().equals(Check.class.getName()))
                    .findFirst().orElse(null);
            System.out.println("FAIL " + suite + ": " + name + ": " + t
                    + (where == null ? "" : " (at " + where.getFileName() + ":" + where.getLineNumber() + ")"));
        }
        System.out.flush();
    }

    /** Exits 1 when a test failed, so the runner notices even without reading the lines. */
    static void finish() {
        System.out.flush();
        System.exit(failed == 0 ? 0 : 1);
    }

    static final class Failure extends AssertionError {
        private static final long serialVersionUID = 1L;
        Failure(String message) { super(message); }
        @Override public String toString() { return getMessage(); }
    }

    static void isTrue(boolean condition, String what) {
        if (!condition) throw new Failure("expected: " + what);
    }

    static void equal(Object expected, Object actual, String what) {
        if (!java.util.Objects.equals(expected, actual)) {
            throw new Failure(what + ": expected <" + expected + "> but was <" + actual + ">");
        }
    }

    static void equal(long expected, long actual, String what) {
        if (expected != actual) throw new Failure(what + ": expected " + expected + " but was " + actual);
    }

    static void bytes(byte[] expected, byte[] actual, String what) {
        if (!Arrays.equals(expected, actual)) {
            throw new Failure(what + ":\n  expected " + HexFormat.of().formatHex(expected)
                    + "\n  actual   " + HexFormat.of().formatHex(actual));
        }
    }

    /** Runs body, which must throw a T; returns it for more checks. */
    static <T extends Throwable> T throwsA(Class<T> type, Body body, String what) {
        try {
            body.run();
        } catch (Throwable t) {
            if (type.isInstance(t)) return type.cast(t);
            throw new Failure(what + ": expected " + type.getSimpleName() + " but got " + t);
        }
        throw new Failure(what + ": expected " + type.getSimpleName() + " but nothing was thrown");
    }

    static byte[] hex(String text) {
        return HexFormat.of().parseHex(text.replaceAll("\\s", ""));
    }
}
