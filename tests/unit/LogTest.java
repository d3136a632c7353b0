import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * Log lines are written whole: two programs writing into one pipe (as the demo's server and client
 * share a terminal) never tear each other's lines. The test starts two JVMs that each log thousands
 * of lines into the same pipe, and reads every line back.
 */
final class LogTest {
    private LogTest() {}

    static final int LINES = 4000;

    public static void main(String[] args) throws Exception {
        if (args.length == 2 && args[0].equals("--child")) {
            Log log = new Log(args[1], false, false);
            String padding = "x".repeat(60);
            for (int i = 0; i < LINES; i++) log.info(i % 2 == 0 ? null : "peer:1", "line " + i + " " + padding);
            return;
        }
        Check.suite("Log");
        Check.test("two processes logging " + LINES + " lines each into one pipe: no line torn", () -> {
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            String cp = System.getProperty("java.class.path");
            String child = "'" + java + "' -cp '" + cp + "' LogTest --child ";
            Process p = new ProcessBuilder("sh", "-c", "(" + child + "Server & " + child + "Client & wait) | cat")
                    .redirectErrorStream(true).start();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            p.getInputStream().transferTo(all);
            Check.equal(0, p.waitFor(), "exit status");
            Pattern whole = Pattern.compile("\\[(Server|Client)( peer:1)?\\] line \\d+ x{60}");
            int server = 0, client = 0;
            for (String line : all.toString(StandardCharsets.UTF_8).split("\n")) {
                Check.isTrue(whole.matcher(line).matches(), "a whole line, not: " + line);
                if (line.startsWith("[Server")) server++; else client++;
            }
            Check.equal(LINES, server, "server lines");
            Check.equal(LINES, client, "client lines");
        });
        Check.finish();
    }
}
