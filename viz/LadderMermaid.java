import java.util.List;

/**
 * The ladder as a Mermaid sequence diagram inside a Markdown code fence, which GitHub draws:
 * https://mermaid.js.org/syntax/sequenceDiagram.html . A retransmission gets a dotted arrow.
 */
final class LadderMermaid {
    private LadderMermaid() {}

    static String render(List<Conversation> conversations, int skipped) {
        StringBuilder out = new StringBuilder();
        for (Conversation c : conversations) {
            if (out.length() > 0) out.append('\n');
            out.append(c.title(conversations.size())).append("\n\n");
            out.append("```mermaid\n");
            out.append("sequenceDiagram\n");
            out.append("    participant A as ").append(c.a()).append('\n');
            out.append("    participant B as ").append(c.b()).append('\n');
            for (Arrow a : c.arrows()) {
                String line = a.retransmission() ? "-->>" : "->>";
                out.append("    ").append(a.fromA() ? "A" + line + "B" : "B" + line + "A")
                   .append(": ").append(a.milliseconds()).append(" ms ").append(a.label()).append('\n');
            }
            out.append("```\n");
        }
        if (skipped > 0) out.append('\n').append(LadderText.skippedLine(skipped)).append('\n');
        return out.toString();
    }
}
