import java.util.List;

/**
 * The ladder as a standalone SVG: the same arrows as the text ladder, each one sloping down a
 * little because a segment takes time to cross. Retransmissions are red.
 */
final class LadderSvg {
    private LadderSvg() {}

    private static final double LEFT = 130, RIGHT = 830, WIDTH = 900;
    private static final double ROW = 30, SLOPE = 12, TITLE = 30, HEADER = 50;
    private static final String BLACK = "stroke=\"#222\"", RED = "stroke=\"#c0392b\"";

    static String render(List<Conversation> conversations) {
        double height = 20;
        for (Conversation c : conversations) height += TITLE + HEADER + ROW * c.arrows().size() + 20;
        Svg svg = new Svg(WIDTH, height);
        svg.raw("  <defs>\n"
                + "    <marker id=\"head\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"8\" markerHeight=\"8\" orient=\"auto\">"
                + "<path d=\"M0,0 L10,5 L0,10 z\" fill=\"#222\"/></marker>\n"
                + "    <marker id=\"red-head\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"8\" markerHeight=\"8\" orient=\"auto\">"
                + "<path d=\"M0,0 L10,5 L0,10 z\" fill=\"#c0392b\"/></marker>\n"
                + "  </defs>\n");
        double y = 20;
        for (Conversation c : conversations) {
            svg.text(10, y + 14, "start", "font-weight=\"bold\"", c.title(conversations.size()));
            y += TITLE;
            double top = y, bottom = y + HEADER + ROW * c.arrows().size();
            svg.text(LEFT, y + 16, "middle", "font-weight=\"bold\"", c.a().toString());
            svg.text(RIGHT, y + 16, "middle", "font-weight=\"bold\"", c.b().toString());
            svg.text(10, y + 36, "start", "fill=\"#666\"", "time ms");
            svg.line(LEFT, top + 24, LEFT, bottom, BLACK + " stroke-width=\"2\"");
            svg.line(RIGHT, top + 24, RIGHT, bottom, BLACK + " stroke-width=\"2\"");
            y += HEADER;
            for (Arrow a : c.arrows()) {
                String colour = a.retransmission() ? RED : BLACK;
                String marker = a.retransmission() ? "url(#red-head)" : "url(#head)";
                double from = a.fromA() ? LEFT : RIGHT, to = a.fromA() ? RIGHT : LEFT;
                svg.text(10, y + 4, "start", "fill=\"#666\"", a.milliseconds());
                svg.line(from, y, to, y + SLOPE, colour + " stroke-width=\"1.5\" marker-end=\"" + marker + "\"");
                svg.text((LEFT + RIGHT) / 2, y + SLOPE / 2 - 4, "middle",
                        a.retransmission() ? "fill=\"#c0392b\"" : "fill=\"#000\"", a.label());
                y += ROW;
            }
            y += 20;
        }
        return svg.toString();
    }
}
