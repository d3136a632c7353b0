import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Every conformance scenario (tests/conformance/scenarios/*.script) read with the conformance
 * runner's own parser, Script.read, which knows nothing of sockets: a script that the runner would
 * refuse, or one whose values the scripted peer could not read, fails here, in seconds and without
 * root, instead of in the middle of a conformance run.
 */
final class ConformanceScriptsTest {
    private ConformanceScriptsTest() {}

    static final Path SCENARIOS = Path.of("tests/conformance/scenarios");

    public static void main(String[] args) {
        Check.suite("Conformance scripts");

        Check.test("every scenario script parses with the runner's parser (Script.read), values included", () -> {
            List<Path> scripts = scripts();
            Check.isTrue(!scripts.isEmpty(), "scripts in " + SCENARIOS);
            List<String> broken = new ArrayList<>();
            for (Path f : scripts) {
                try {
                    Script s = Script.read(f);
                    if (s.steps.isEmpty()) broken.add(f + ": no steps");
                    if (s.title.isEmpty()) broken.add(f + ": no 'title:' line");
                } catch (Script.BadScript e) {
                    broken.add(e.getMessage());
                }
            }
            Check.equal(List.of(), broken, "broken scripts (of " + scripts.size() + ")");
        });

        Check.test("the parser refuses what a broken script looks like (so the test above can fail)", () -> {
            String[] broken = {
                "expect SYN-ACK",                                          // no target: line
                "target: server echo\nsend SYN seq=0 win=lots",            // not a number
                "target: server echo\nsend SYN opts=mss",                  // an option without its value
                "target: server echo\nsend SYN opts=bogus:1",              // an unknown option
                "target: server echo\nexpect SYN-ACK win=1..x",            // not a range
                "target: server echo\nexpect SYN-ACK opts=nop",            // a kind the checker cannot look for
                "target: server echo\nexpect SYN-ACK seq=abs:-1",          // not an unsigned 32-bit number
                "target: server echo\nsend SYN-BOGUS",                      // an unknown flag
                "target: server echo\nreconnect isn=+x",                    // not a number
                "target: server echo\nexpect SYN-ACK urg=1 frobnicate=2",  // an unknown field
                "target: server echo\nip: 5\nsend SYN",                    // no IP version 5
                "target: server echo\nexpect SYN-ACK opts=mss:lnk",        // neither a range nor the link's MSS
            };
            Path dir = Files.createTempDirectory("scripts");
            try {
                for (String text : broken) {
                    Path f = dir.resolve("broken.script");
                    Files.writeString(f, "title: broken\n" + text + "\n", StandardCharsets.UTF_8);
                    Check.throwsA(Script.BadScript.class, () -> Script.read(f), "refused: " + text.replace("\n", " | "));
                }
                Path good = dir.resolve("good.script");
                Files.writeString(good, "title: good\ntarget: server echo\nsend SYN seq=0 opts=mss:1460,nop,ws:7\n"
                        + "expect SYN-ACK ack=1 win=1..65535 opts=mss:*,ws:0..14\nsend ACK seq=1 ack=abs:4294967295\n", StandardCharsets.UTF_8);
                Check.equal(3, Script.read(good).steps.size(), "steps of a good script");
                Path v6 = dir.resolve("v6.script");
                Files.writeString(v6, "title: v6\ntarget: server echo\nip: 6 (the default MSS is 1220)\nsend SYN seq=0\n"
                        + "expect SYN-ACK ack=1 opts=mss:link\n", StandardCharsets.UTF_8);
                Script s6 = Script.read(v6);
                Check.equal(6, s6.ip, "ip: 6");
                Check.equal("the default MSS is 1220", s6.ipWhy, "why, without its parentheses");
                Check.equal(0, Script.read(good).ip, "no ip: line: both versions");
            } finally {
                try (Stream<Path> files = Files.list(dir)) {
                    for (Path f : files.toList()) Files.delete(f);
                }
                Files.delete(dir);
            }
        });
        Check.finish();
    }

    static List<Path> scripts() throws Exception {
        try (Stream<Path> files = Files.list(SCENARIOS)) {
            return files.filter(p -> p.toString().endsWith(".script")).sorted().toList();
        }
    }
}
