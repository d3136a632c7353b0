import java.util.Locale;

/**
 * A few SVG elements as text: enough for two diagrams, with no library. Numbers are written with
 * a dot and at most two decimals whatever the machine's locale, and text is escaped for XML.
 */
final class Svg {
    private final StringBuilder body = new StringBuilder();
    private final double width, height;

    Svg(double width, double height) {
        this.width = width;
        this.height = height;
    }

    Svg line(double x1, double y1, double x2, double y2, String style) {
        body.append("  <line x1=\"").append(n(x1)).append("\" y1=\"").append(n(y1)).append("\" x2=\"").append(n(x2))
            .append("\" y2=\"").append(n(y2)).append("\" ").append(style).append("/>\n");
        return this;
    }

    /** anchor: start, middle or end. */
    Svg text(double x, double y, String anchor, String style, String text) {
        body.append("  <text x=\"").append(n(x)).append("\" y=\"").append(n(y)).append("\" text-anchor=\"").append(anchor)
            .append("\" ").append(style).append('>').append(escape(text)).append("</text>\n");
        return this;
    }

    /** A polyline through x0,y0,x1,y1,... */
    Svg polyline(double[] points, int count, String style) {
        if (count < 4) return this;
        body.append("  <polyline fill=\"none\" points=\"");
        for (int i = 0; i < count; i += 2) body.append(i == 0 ? "" : " ").append(n(points[i])).append(',').append(n(points[i + 1]));
        body.append("\" ").append(style).append("/>\n");
        return this;
    }

    /** Raw markup, for the few elements used once (markers, clip paths, groups). */
    Svg raw(String markup) {
        body.append(markup);
        return this;
    }

    @Override public String toString() {
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                + "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + n(width) + "\" height=\"" + n(height)
                + "\" viewBox=\"0 0 " + n(width) + " " + n(height) + "\" font-family=\"monospace\" font-size=\"12\">\n"
                + "  <rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
                + body + "</svg>\n";
    }

    static String n(double v) {
        String s = String.format(Locale.ROOT, "%.2f", v);
        if (s.contains(".")) s = s.replaceAll("0+$", "").replaceAll("\\.$", "");
        return s.equals("-0") ? "0" : s;
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
