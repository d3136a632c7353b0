import java.util.List;

/**
 * The ladder as plain text, at most 100 columns: a time column, then the two ends as vertical
 * bars, and one arrow per segment between them with its label in the middle.
 *
 * <pre>
 *     time ms  198.18.0.2:40000                                                   198.18.0.1:5000
 *       0.000  |-------------------- SYN seq=0 len=0 win=65535 mss=1460 ------------------->|
 *      24.834  |<--------------- SYN-ACK seq=0 ack=1 len=0 win=65535 mss=1460 --------------|
 * </pre>
 */
final class LadderText {
    private LadderText() {}

    static final int WIDTH = 100;
    private static final int TIME_WIDTH = 11;                 // "   1234.567"
    private static final int LEFT_BAR = TIME_WIDTH + 2;       // the column of the left end's bar
    private static final int RIGHT_BAR = WIDTH - 1;           // the column of the right end's bar
    private static final int ARROW = RIGHT_BAR - LEFT_BAR - 1; // the columns between the bars

    static String render(List<Conversation> conversations, int skipped) {
        StringBuilder out = new StringBuilder();
        for (Conversation c : conversations) {
            if (out.length() > 0) out.append('\n');
            out.append(c.title(conversations.size())).append('\n');
            out.append(pad("time ms", TIME_WIDTH)).append("  ");
            String left = c.a().toString(), right = c.b().toString();
            out.append(left).append(" ".repeat(Math.max(1, RIGHT_BAR + 1 - LEFT_BAR - left.length() - right.length())))
               .append(right).append('\n');
            for (Arrow a : c.arrows()) {
                out.append(pad(a.milliseconds(), TIME_WIDTH)).append("  |").append(arrow(a)).append("|\n");
            }
        }
        if (skipped > 0) out.append(skippedLine(skipped)).append('\n');
        return out.toString();
    }

    /** "(3 packets were not TCP over IPv4 and are not drawn)" */
    static String skippedLine(int skipped) {
        return "(" + skipped + (skipped == 1 ? " packet was" : " packets were") + " not TCP over IPv4 and "
                + (skipped == 1 ? "is" : "are") + " not drawn)";
    }

    /** "----- label ----->" or "<----- label -----", exactly ARROW columns. */
    static String arrow(Arrow a) {
        String label = " " + a.label() + " ";
        if (label.length() > ARROW - 4) label = label.substring(0, ARROW - 4);
        int dashes = ARROW - 1 - label.length();   // one column goes to the head
        int before = dashes / 2, after = dashes - before;
        return a.fromA() ? "-".repeat(before) + label + "-".repeat(after) + ">"
                         : "<" + "-".repeat(after) + label + "-".repeat(before);
    }

    private static String pad(String s, int width) {
        return s.length() >= width ? s : " ".repeat(width - s.length()) + s;
    }
}
