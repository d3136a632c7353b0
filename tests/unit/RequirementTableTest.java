import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Checks docs/rfc9293.md, the table of RFC 9293's Appendix B requirements: every row is well formed,
 * each of the 119 IDs has exactly one row, every code reference names a method that exists, every
 * test it names exists, and every MUST is either met with a test that shows it or says why not.
 * Run from the project root.
 */
final class RequirementTableTest {
    record Row(int line, String id, String feature, String words, String status, String code, String test) {}

    static final Path TABLE = Path.of("docs/rfc9293.md");
    private static final Pattern TICKED = Pattern.compile("`([^`]+)`");

    public static void main(String[] args) throws IOException {
        Check.suite("RequirementTableTest");
        List<Row> rows = rows();
        String unitSources = read(Path.of("tests/unit"), ".java");
        String systemSources = read(Path.of("tests/system"), ".sh");
        String systemJavaSources = read(Path.of("tests/system"), ".java");

        Check.test("docs/rfc9293.md has one row per requirement, at least 100, each with an ID like MUST-7", () -> {
            Check.isTrue(rows.size() >= 100, "at least 100 rows, found " + rows.size());
            for (Row r : rows) Check.isTrue(r.id().matches("(MUST|SHLD|MAY|REC)-\\d+"), "line " + r.line() + ": an ID, not '" + r.id() + "'");
        });

        Check.test("each ID has exactly one row, and all 119 IDs of Appendix B are there (MUST-1..69, SHLD-1..31, MAY-1..18, REC-1)", () -> {
            Set<String> seen = new HashSet<>();
            List<String> repeated = new ArrayList<>();
            for (Row r : rows) if (!seen.add(r.id())) repeated.add("line " + r.line() + ": " + r.id());
            Check.isTrue(repeated.isEmpty(), "no ID twice: " + repeated);
            Set<String> expected = appendixBIds();
            Check.isTrue(expected.size() == 119, "119 IDs expected, the list has " + expected.size());
            List<String> missing = new ArrayList<>();
            for (String id : expected) if (!seen.contains(id)) missing.add(id);
            Check.isTrue(missing.isEmpty(), "every Appendix B ID has a row, missing: " + missing);
            List<String> unknown = new ArrayList<>();
            for (String id : seen) if (!expected.contains(id)) unknown.add(id);
            Check.isTrue(unknown.isEmpty(), "no ID that Appendix B does not have: " + unknown);
        });

        Check.test("every row's status is met, met with a deviation, not applicable or not met", () -> {
            for (Row r : rows) {
                Check.isTrue(r.status().matches("(met|not met|not applicable)\\b.*"),
                        "line " + r.line() + " (" + r.id() + "): status '" + r.status() + "'");
            }
        });

        Check.test("a MUST that is not met or not applicable says why", () -> {
            for (Row r : rows) {
                if (!r.id().startsWith("MUST-") || !r.status().startsWith("not ")) continue;
                String reason = r.status().replaceFirst("^not (met|applicable)", "").replaceFirst("^[:,]\\s*", "").strip();
                Check.isTrue(reason.length() >= 10, "line " + r.line() + " (" + r.id() + "): a reason after '" + r.status() + "'");
            }
        });

        Check.test("a MUST that is met names a test", () -> {
            for (Row r : rows) {
                if (!r.id().startsWith("MUST-") || !r.status().startsWith("met")) continue;
                if (r.id().equals("MUST-25") || r.id().equals("MUST-55") || r.id().equals("MUST-56")) {
                    // met by the absence of a feature: keep-alives "MUST default to off" (MUST-25), and with
                    // no ICMP read, Source Quench is discarded (MUST-55) and no soft error aborts (MUST-56)
                    continue;
                }
                Check.isTrue(!ticked(r.test()).isEmpty(), "line " + r.line() + " (" + r.id() + "): a test");
            }
        });

        Check.test("every test a row names exists (scenario, t_*.sh function, unit suite or unit test)", () -> {
            List<String> missing = new ArrayList<>();
            for (Row r : rows) {
                for (String t : ticked(r.test())) {
                    boolean found = Files.exists(Path.of("tests/conformance/scenarios", t + ".script"))
                            || Pattern.compile("(?m)^" + Pattern.quote(t) + "\\(\\)").matcher(systemSources).find()
                            || Files.exists(Path.of("tests/unit", t + ".java"))
                            || unitSources.contains("test(\"" + t + "\"")
                            || systemJavaSources.contains("test(\"" + t + "\"");
                    if (!found) missing.add("line " + r.line() + " (" + r.id() + "): " + t);
                }
            }
            Check.isTrue(missing.isEmpty(), "these tests exist: " + missing);
        });

        Check.test("every code reference names a file that exists and a method it declares", () -> {
            List<String> missing = new ArrayList<>();
            for (Row r : rows) {
                for (String ref : ticked(r.code())) {
                    int colon = ref.lastIndexOf(':');
                    if (colon < 0) { missing.add("line " + r.line() + ": " + ref + " (write file:method)"); continue; }
                    Path file = Path.of(ref.substring(0, colon));
                    String method = ref.substring(colon + 1);
                    boolean found = Files.exists(file) && Pattern.compile("\\b" + Pattern.quote(method) + "\\s*\\(")
                            .matcher(Files.readString(file, StandardCharsets.UTF_8)).find();
                    if (!found) missing.add("line " + r.line() + " (" + r.id() + "): " + ref);
                }
            }
            Check.isTrue(missing.isEmpty(), "these methods exist: " + missing);
        });

        Check.test("every conformance scenario is listed in the table or documents its RFC section", () -> {
            Path dir = Path.of("tests/conformance/scenarios");
            if (!Files.isDirectory(dir)) return;
            try (Stream<Path> files = Files.list(dir)) {
                for (Path f : files.filter(p -> p.toString().endsWith(".script")).toList()) {
                    Check.isTrue(Files.readString(f, StandardCharsets.UTF_8).contains("\nrfc:"), f + " has an 'rfc:' line");
                }
            }
        });

        Check.finish();
    }

    /** The table's rows: lines that start with "| " and an ID (the header and the rule are skipped). */
    static List<Row> rows() throws IOException {
        List<Row> rows = new ArrayList<>();
        List<String> lines = Files.readAllLines(TABLE, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (!line.startsWith("| ") || line.startsWith("| Req ")) continue;
            String[] cells = line.substring(1, line.length() - (line.endsWith("|") ? 1 : 0)).split("\\|", -1);
            if (cells.length != 6) throw new IllegalStateException(TABLE + ":" + (i + 1) + ": 6 cells expected, found " + cells.length);
            rows.add(new Row(i + 1, cells[0].strip(), cells[1].strip(), cells[2].strip(), cells[3].strip(), cells[4].strip(), cells[5].strip()));
        }
        return rows;
    }

    /** RFC 9293 Appendix B's IDs: MUST-1..69, SHLD-1..31, MAY-1..18 and REC-1, 119 in all. */
    static Set<String> appendixBIds() {
        Set<String> ids = new LinkedHashSet<>();
        for (int i = 1; i <= 69; i++) ids.add("MUST-" + i);
        for (int i = 1; i <= 31; i++) ids.add("SHLD-" + i);
        for (int i = 1; i <= 18; i++) ids.add("MAY-" + i);
        ids.add("REC-1");
        return ids;
    }

    static List<String> ticked(String cell) {
        List<String> items = new ArrayList<>();
        Matcher m = TICKED.matcher(cell);
        while (m.find()) items.add(m.group(1));
        return items;
    }

    private static String read(Path dir, String suffix) throws IOException {
        StringBuilder all = new StringBuilder();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.toString().endsWith(suffix)).sorted().toList()) {
                all.append(Files.readString(f, StandardCharsets.UTF_8)).append('\n');
            }
        }
        return all.toString();
    }
}
