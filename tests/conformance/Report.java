import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The side-by-side report: a table for the terminal, and docs/conformance-report.md (one row per
 * scenario, one column per stack, each cell linked to the reason). The Markdown holds no times or
 * dates, so that it changes only when a stack's behaviour does.
 */
final class Report {
    /** The names the reader knows the stacks by. */
    static final Map<String, String> DISPLAY = Map.of("ours", "ours", "kernel", "Linux", "gvisor", "gVisor",
            "lwip", "lwIP", "slirp", "libslirp", "passt", "passt", "tcp", "tcp");

    private final List<Target> targets;
    private final List<Outcome> outcomes;
    private final List<String> informative;

    Report(List<Target> targets, List<Outcome> outcomes, List<String> informative) {
        this.targets = targets;
        this.outcomes = outcomes;
        this.informative = informative;
    }

    static String display(String target) { return DISPLAY.getOrDefault(target, target); }

    /** Text for Markdown: the RFC's <SEQ=...><CTL=...> would be taken for HTML tags and vanish. */
    static String md(String text) { return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"); }

    private static String shortWords(Outcome.Verdict v) {
        return switch (v) {
            case AS_RFC -> "RFC";
            case DEPARTS -> "departs";
            case DIFFERS -> "DIFFERS";
            case NOT_RUN -> "-";
        };
    }

    // ------------------------------------------------------------------ the terminal

    String text(double seconds) {
        StringBuilder b = new StringBuilder();
        int width = 8;
        for (Outcome o : outcomes) width = Math.max(width, o.script.name.length());
        b.append(String.format("%nConformance: %d scenarios against %d stacks (%.0f s)%n", outcomes.size(), targets.size(), seconds));
        b.append(String.format("%-" + width + "s", "scenario"));
        for (Target t : targets) b.append(String.format("  %-8s", display(t.name)));
        b.append(System.lineSeparator());
        int[] counts = new int[Outcome.Verdict.values().length];
        for (Outcome o : outcomes) {
            b.append(String.format("%-" + width + "s", o.script.name));
            for (Target t : targets) {
                Outcome.Verdict v = o.verdict(t.name);
                counts[v.ordinal()]++;
                b.append(String.format("  %-8s", shortWords(v)));
            }
            b.append(System.lineSeparator());
        }
        b.append(String.format("cells: %d as the RFC, %d depart (documented), %d differ, %d not run%n",
                counts[0], counts[1], counts[2], counts[3]));
        for (Target t : targets) b.append(String.format("  %-8s %s%n", display(t.name), t.version()));
        boolean header = false;
        for (Outcome o : outcomes) {
            if (!o.interesting()) continue;
            if (!header) { b.append(String.format("%nDetails:%n")); header = true; }
            b.append("  ").append(o.script.name).append(" (").append(o.script.title).append(")").append(System.lineSeparator());
            o.script.reasons.forEach((who, why) -> b.append("    ").append(who).append(": ").append(why).append(System.lineSeparator()));
            o.script.departures.forEach((who, notes) -> notes.forEach(
                    n -> b.append("    ").append(who).append(" and the RFC: ").append(n).append(System.lineSeparator())));
            for (Target t : targets) {
                Outcome.Part p = o.parts.get(t.name);
                if (p != null && p.trouble() != null) b.append("    ").append(t.name).append(": ").append(p.trouble()).append(System.lineSeparator());
                if (p != null && p.result() != null && !p.result().passed())
                    b.append("    ").append(t.name).append(" failed at line ").append(p.result().failedLine()).append(": ")
                     .append(p.result().reason()).append(System.lineSeparator());
            }
        }
        return b.toString();
    }

    // ------------------------------------------------------------------ docs/conformance-report.md

    String markdown() {
        StringBuilder b = new StringBuilder();
        b.append("# Conformance report: every scenario against every TCP\n\n");
        b.append("Written by the conformance runner (`sudo ./test.sh conformance`, tests/conformance/Conformance.java);\n");
        b.append("do not edit by hand. Each [scenario](../tests/conformance/scenarios/) is a short conversation between\n");
        b.append("a scripted peer and a stack, written in RFC 9293's terms ([how](../tests/conformance/README.md)). A cell says:\n\n");
        b.append("- **as the RFC**: the stack did what the script says, on the common steps or on a branch of its own that\n");
        b.append("  the RFC also allows (the branch's reason is in the scenario's section below);\n");
        b.append("- **departs (documented)**: the stack did what its branch says, and the script notes where that departs\n");
        b.append("  from the RFC;\n");
        b.append("- **differs**: the stack broke the script: a behaviour nobody has explained yet (the test fails, unless\n");
        b.append("  the stack is informative);\n");
        b.append("- **not run**: the stack cannot take that role (the reason is in the section).\n\n");
        b.append("| stack | implementation and version |\n|---|---|\n");
        for (Target t : targets) b.append("| ").append(display(t.name)).append(" | ").append(t.version())
                .append(informative.contains(t.name) ? " (informative: where it differs, the test does not fail)" : "").append(" |\n");
        b.append("\n| scenario |");
        for (Target t : targets) b.append(' ').append(display(t.name)).append(" |");
        b.append("\n|---|");
        for (int i = 0; i < targets.size(); i++) b.append("---|");
        b.append('\n');
        int[] counts = new int[Outcome.Verdict.values().length];
        for (Outcome o : outcomes) {
            String anchor = "#" + o.script.name;
            b.append("| ").append(o.interesting() ? "[" + o.script.name + "](" + anchor + ")" : o.script.name).append(" |");
            for (Target t : targets) {
                Outcome.Verdict v = o.verdict(t.name);
                counts[v.ordinal()]++;
                boolean explained = v != Outcome.Verdict.AS_RFC || o.script.reasons.containsKey(t.name);
                b.append(' ').append(explained && o.interesting() ? "[" + v.words + "](" + anchor + ")" : v.words).append(" |");
            }
            b.append('\n');
        }
        b.append(String.format("%n%d scenarios, %d stacks: %d cells as the RFC, %d depart (documented), %d differ, %d not run.%n",
                outcomes.size(), targets.size(), counts[0], counts[1], counts[2], counts[3]));
        b.append("\n## Where the stacks part\n\n");
        b.append("Each scenario below has a branch for some stack, a note where a stack departs from the RFC, or a\n");
        b.append("failure. \"The RFC supports\" lists the stacks that did what the RFC says (the sections are those of the\n");
        b.append("scenario's `rfc:` line); the others depart for the reason given.\n");
        for (Outcome o : outcomes) if (o.interesting()) section(b, o);
        return b.toString();
    }

    private void section(StringBuilder b, Outcome o) {
        Script s = o.script;
        b.append("\n### ").append(s.name).append("\n\n");
        b.append(md(s.title)).append(" ([script](../tests/conformance/scenarios/").append(s.name).append(".script)).\n");
        b.append("RFC: ").append(md(String.join("; ", s.rfc))).append(".\n\n");
        List<String> asRfc = new ArrayList<>(), departs = new ArrayList<>(), differs = new ArrayList<>(), notRun = new ArrayList<>();
        for (Target t : targets) {
            switch (o.verdict(t.name)) {
                case AS_RFC -> asRfc.add(display(t.name));
                case DEPARTS -> departs.add(display(t.name));
                case DIFFERS -> differs.add(display(t.name));
                case NOT_RUN -> notRun.add(display(t.name));
            }
        }
        if (!departs.isEmpty() || !differs.isEmpty())
            b.append("- **The RFC supports** ").append(asRfc.isEmpty() ? "none of the stacks run" : String.join(", ", asRfc)).append(".\n");
        s.reasons.forEach((who, why) -> b.append("- **").append(display(who)).append("** (its own steps): ").append(md(why)).append('\n'));
        s.departures.forEach((who, notes) -> notes.forEach(
                n -> b.append("- **").append(display(who)).append(" departs**: ").append(md(n)).append('\n')));
        for (Target t : targets) {
            Outcome.Part p = o.parts.get(t.name);
            if (p == null) continue;
            if (p.trouble() != null) b.append("- **").append(display(t.name)).append("**: ").append(md(p.trouble())).append('\n');
            if (p.result() == null) b.append("- **").append(display(t.name)).append("** not run: ").append(md(p.notRun())).append('\n');
            else if (!p.result().passed())
                b.append("- **").append(display(t.name)).append(" differs** at line ").append(p.result().failedLine()).append(": ")
                 .append(md(p.result().reason())).append('\n');
        }
    }
}
