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
                                                              // (the right end's is the last column)

    static String render(List<Conversation> conversations, int skipped) {
        StringBuilder out = new StringBuilder();
        for (Conversation c : conversations) {
            if (out.length() > 0) out.append('\n');
            out.append(c.title(conversations.size())).append('\n');
            out.append(header(c.a(), c.b(), WIDTH)).append('\n');
            int n = 0;
            for (Arrow a : c.arrows()) {
                for (; n < c.notes().size() && c.notes().get(n).frame() < a.frame(); n++) out.append(note(c.notes().get(n), WIDTH)).append('\n');
                out.append(line(a, WIDTH)).append('\n');
            }
            for (; n < c.notes().size(); n++) out.append(note(c.notes().get(n), WIDTH)).append('\n');
        }
        if (skipped > 0) out.append(skippedLine(skipped)).append('\n');
        return out.toString();
    }

    /** The line that names the two ends above their bars: "    time ms  198.18.0.2:40000   ...   198.18.0.1:5000". */
    static String header(Endpoint leftEnd, Endpoint rightEnd, int width) {
        String left = leftEnd.toString(), right = rightEnd.toString();
        return pad("time ms", TIME_WIDTH) + "  " + left
                + " ".repeat(Math.max(1, width - LEFT_BAR - left.length() - right.length())) + right;
    }

    /** One segment: its time, then its arrow between the two bars, width columns in all. */
    static String line(Arrow a, int width) {
        return pad(a.milliseconds(), TIME_WIDTH) + "  |" + arrow(a, width) + "|";
    }

    /**
     * An ICMP error about a segment: a wavy line toward the end that sent the segment, e.g.
     * "|<~~~~ ICMP fragmentation needed (next-hop MTU 1280) from 198.18.10.1 ~~~~|". The router is
     * not a column of its own: its address is in the text.
     */
    static String note(Conversation.IcmpNote note, int width) {
        int columns = width - 1 - LEFT_BAR - 1;
        String label = " " + note.text() + " ";
        if (label.length() > columns - 4) label = label.substring(0, columns - 4);
        int waves = columns - 1 - label.length();
        int before = waves / 2, after = waves - before;
        String line = note.toA() ? "<" + "~".repeat(before) + label + "~".repeat(after)
                                 : "~".repeat(before) + label + "~".repeat(after) + ">";
        return pad(String.format(java.util.Locale.ROOT, "%.3f", note.micros() / 1000.0), TIME_WIDTH) + "  |" + line + "|";
    }

    /** "(3 packets were not TCP over IP and are not drawn)" */
    static String skippedLine(int skipped) {
        return "(" + skipped + (skipped == 1 ? " packet was" : " packets were") + " not TCP over IP and "
                + (skipped == 1 ? "is" : "are") + " not drawn)";
    }

    /** "----- label ----->" or "<----- label -----", exactly the columns between the bars of a 100-column line. */
    static String arrow(Arrow a) {
        return arrow(a, WIDTH);
    }

    /** The same, for a line of the given width. */
    static String arrow(Arrow a, int width) {
        int columns = width - 1 - LEFT_BAR - 1;    // between the two bars
        String label = " " + a.label() + " ";
        if (label.length() > columns - 4) label = label.substring(0, columns - 4);
        int dashes = columns - 1 - label.length();   // one column goes to the head
        int before = dashes / 2, after = dashes - before;
        return a.fromA() ? "-".repeat(before) + label + "-".repeat(after) + ">"
                         : "<" + "-".repeat(after) + label + "-".repeat(before);
    }

    private static String pad(String s, int width) {
        return s.length() >= width ? s : " ".repeat(width - s.length()) + s;
    }
}
