/**
 * A capture file that cannot be read: not a pcap, truncated, or with impossible lengths. The
 * message is one sentence that Ladder prints as it is, so it says what is wrong and where.
 */
final class BadCapture extends Exception {
    private static final long serialVersionUID = 1L;

    BadCapture(String message) {
        super(message, null, false, false); // no stack trace: it is never printed
    }
}
