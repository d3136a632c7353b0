import java.util.List;
import java.util.Locale;

/**
 * A time-sequence graph (Stevens' graph, as tcptrace and Wireshark's "Stream Graph" draw it) of
 * the direction of a capture that carries the most data: time runs to the right, sequence numbers
 * up. Each data segment is a vertical bar from its first byte to its last; the ACK line below
 * shows what the receiver has acknowledged, and the window line above it how far the sender may
 * go (ACK + advertised window, scaled). A retransmission is a red bar marked R. The slope of the
 * bars is the throughput; a flat stretch followed by a red bar is a loss and its recovery.
 */
final class TimeSequenceSvg {
    private TimeSequenceSvg() {}

    private static final double WIDTH = 1000, HEIGHT = 640;
    private static final double LEFT = 90, RIGHT = 30, TOP = 70, BOTTOM = 60;
    private static final double PLOT_W = WIDTH - LEFT - RIGHT, PLOT_H = HEIGHT - TOP - BOTTOM;

    /** The direction to draw: a conversation and which end sends the data. */
    record Flow(Conversation conversation, boolean fromA, long bytes) {}

    /** The direction with the most data bytes, or null when no segment carries data. */
    static Flow busiest(List<Conversation> conversations) {
        Flow best = null;
        for (Conversation c : conversations) {
            for (boolean fromA : new boolean[] {true, false}) {
                long bytes = 0;
                for (Arrow a : c.arrows()) if (a.fromA() == fromA && !a.retransmission()) bytes += a.length();
                if (bytes > 0 && (best == null || bytes > best.bytes())) best = new Flow(c, fromA, bytes);
            }
        }
        return best;
    }

    static String render(Flow flow) {
        List<Arrow> arrows = flow.conversation().arrows();
        double tMax = 0, yMax = 0, windowMax = 0;
        for (Arrow a : arrows) {
            if (a.fromA() == flow.fromA() && a.length() > 0) {
                tMax = Math.max(tMax, seconds(a));
                yMax = Math.max(yMax, a.seq() + a.length());
            } else if (a.fromA() != flow.fromA() && a.ack() >= 0) {
                tMax = Math.max(tMax, seconds(a));
                yMax = Math.max(yMax, a.ack());
                windowMax = Math.max(windowMax, a.ack() + a.window());
            }
        }
        // The window line may reach far above the data: show some of it, not all.
        yMax = Math.max(yMax, Math.min(windowMax, yMax * 1.25));
        if (tMax <= 0) tMax = 0.001;
        if (yMax <= 0) yMax = 1;
        Scale x = new Scale(0, tMax, LEFT, LEFT + PLOT_W), y = new Scale(0, yMax, TOP + PLOT_H, TOP);

        Endpoint sender = flow.fromA() ? flow.conversation().a() : flow.conversation().b();
        Endpoint receiver = flow.fromA() ? flow.conversation().b() : flow.conversation().a();
        Svg svg = new Svg(WIDTH, HEIGHT);
        svg.text(LEFT, 24, "start", "font-weight=\"bold\"", "Time-sequence graph: " + sender + " -> " + receiver
                + ", " + flow.bytes() + " bytes of data");
        axes(svg, x, y);
        svg.raw("  <clipPath id=\"plot\"><rect x=\"" + Svg.n(LEFT) + "\" y=\"" + Svg.n(TOP) + "\" width=\"" + Svg.n(PLOT_W)
                + "\" height=\"" + Svg.n(PLOT_H) + "\"/></clipPath>\n  <g clip-path=\"url(#plot)\">\n");

        // The ACK and window lines are steps: each holds until the next ACK moves it.
        double[] ackLine = new double[4 * arrows.size() + 4], windowLine = new double[4 * arrows.size() + 4];
        int ackCount = 0, windowCount = 0;
        for (Arrow a : arrows) {
            if (a.fromA() == flow.fromA() || a.ack() < 0) continue;
            double t = x.at(seconds(a));
            ackCount = step(ackLine, ackCount, t, y.at(a.ack()));
            windowCount = step(windowLine, windowCount, t, y.at(a.ack() + a.window()));
        }
        ackCount = extend(ackLine, ackCount, x.at(tMax));
        windowCount = extend(windowLine, windowCount, x.at(tMax));
        svg.polyline(windowLine, windowCount, "stroke=\"#d4a017\" stroke-width=\"1.2\"");
        svg.polyline(ackLine, ackCount, "stroke=\"#2e8b57\" stroke-width=\"1.2\"");

        for (Arrow a : arrows) {
            if (a.fromA() != flow.fromA() || a.length() == 0) continue;
            double t = x.at(seconds(a)), low = y.at(a.seq()), high = y.at(a.seq() + a.length());
            String colour = a.retransmission() ? "stroke=\"#c0392b\"" : "stroke=\"#1f4e9c\"";
            svg.line(t, low, t, high, colour);
            svg.line(t - 2, low, t + 2, low, colour).line(t - 2, high, t + 2, high, colour);
            if (a.retransmission()) svg.text(t + 3, high - 2, "start", "fill=\"#c0392b\" font-size=\"10\"", "R");
        }
        svg.raw("  </g>\n");
        legend(svg);
        return svg.toString();
    }

    private static double seconds(Arrow a) {
        return a.micros() / 1e6;
    }

    /** Adds a step to (t, v): across at the old value, then up. */
    private static int step(double[] line, int count, double t, double v) {
        if (count >= 2) {
            double previous = line[count - 1];
            line[count++] = t;
            line[count++] = previous;
        }
        line[count++] = t;
        line[count++] = v;
        return count;
    }

    /** Carries the line's last value to the end of the time axis. */
    private static int extend(double[] line, int count, double tEnd) {
        if (count < 2) return count;
        line[count] = tEnd;
        line[count + 1] = line[count - 1];
        return count + 2;
    }

    private static void axes(Svg svg, Scale x, Scale y) {
        String axis = "stroke=\"#222\"", grid = "stroke=\"#ddd\"";
        double bottom = TOP + PLOT_H;
        svg.line(LEFT, TOP, LEFT, bottom, axis).line(LEFT, bottom, LEFT + PLOT_W, bottom, axis);
        double dx = niceStep(x.max - x.min);
        for (double t = 0; t <= x.max + dx / 1e6; t += dx) {
            svg.line(x.at(t), TOP, x.at(t), bottom, grid);
            svg.text(x.at(t), bottom + 16, "middle", "", trim(t, dx));
        }
        double dy = niceStep(y.max - y.min);
        for (double v = 0; v <= y.max + dy / 1e6; v += dy) {
            svg.line(LEFT, y.at(v), LEFT + PLOT_W, y.at(v), grid);
            svg.text(LEFT - 6, y.at(v) + 4, "end", "", bytes(v, dy));
        }
        svg.text(LEFT + PLOT_W / 2, HEIGHT - 20, "middle", "", "time (s) since the connection's first segment");
        svg.raw("  <text x=\"18\" y=\"" + Svg.n(TOP + PLOT_H / 2) + "\" text-anchor=\"middle\" transform=\"rotate(-90 18 "
                + Svg.n(TOP + PLOT_H / 2) + ")\">relative sequence number (bytes)</text>\n");
    }

    private static void legend(Svg svg) {
        double x = LEFT, y = 48;
        svg.line(x, y - 4, x + 20, y - 4, "stroke=\"#1f4e9c\" stroke-width=\"2\"").text(x + 24, y, "start", "", "data");
        svg.line(x + 70, y - 4, x + 90, y - 4, "stroke=\"#c0392b\" stroke-width=\"2\"").text(x + 94, y, "start", "", "retransmitted");
        svg.line(x + 200, y - 4, x + 220, y - 4, "stroke=\"#2e8b57\" stroke-width=\"2\"").text(x + 224, y, "start", "", "ACK");
        svg.line(x + 260, y - 4, x + 280, y - 4, "stroke=\"#d4a017\" stroke-width=\"2\"").text(x + 284, y, "start", "", "window");
    }

    /** 1, 2 or 5 times a power of ten, giving about 8 ticks over the range. */
    static double niceStep(double range) {
        double raw = range / 8, power = Math.pow(10, Math.floor(Math.log10(raw)));
        double f = raw / power;
        return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * power;
    }

    private static String trim(double v, double step) {
        int decimals = Math.max(0, (int) Math.ceil(-Math.log10(step)));
        return String.format(Locale.ROOT, "%." + decimals + "f", v);
    }

    /** A tick's value in bytes, kB or MB, with as many decimals as the step between ticks needs. */
    private static String bytes(double v, double step) {
        if (step >= 1e5) return trim(v / 1e6, step / 1e6) + " MB";
        if (step >= 1e3) return trim(v / 1e3, step / 1e3) + " kB";
        return trim(v, Math.max(1, step));
    }

    /** A linear map from data values to picture coordinates. */
    private record Scale(double min, double max, double from, double to) {
        double at(double v) { return from + (v - min) / (max - min) * (to - from); }
    }
}
