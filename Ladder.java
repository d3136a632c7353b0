///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//SOURCES Packets.java IpAddress.java Icmp.java tcp/Seq.java viz/*.java

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Draws the TCP connections of a capture file as ladder diagrams: text, Mermaid or SVG, and a
 * time-sequence graph of a bulk transfer. Reads pcap files from our programs (--pcap) and from
 * tcpdump. Needs no root and no library.
 */
public class Ladder {
    static final String USAGE = String.join("\n",
            "Usage: jbang Ladder.java CAPTURE.pcap [--mermaid] [--svg FILE] [--time-sequence FILE]",
            "  (no option)            print each connection's ladder as text, 100 columns wide",
            "  --mermaid              print it as Mermaid sequence diagrams, for Markdown",
            "  --svg FILE             write it as an SVG picture",
            "  --time-sequence FILE   write an SVG time-sequence graph of the direction with the most data",
            "Reads pcap (not pcapng) of TCP over IPv4 or IPv6: link types 101 (our --pcap; raw IP,",
            "as 12), 228 (raw IPv4, our --pcap before IPv6), 1 (Ethernet), 113 and 276 (tcpdump -i any).");

    static final int EXIT_OK = 0, EXIT_BAD_CAPTURE = 1, EXIT_USAGE = 2;

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Does the work; every failure is one line on err and a non-zero exit code, never a stack trace. */
    static int run(String[] args, PrintStream out, PrintStream err) {
        String capture = null, svg = null, timeSequence = null;
        boolean mermaid = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--help", "-h" -> { out.println(USAGE); return EXIT_OK; }
                case "--mermaid" -> mermaid = true;
                case "--svg", "--time-sequence" -> {
                    if (i + 1 >= args.length) return usage(err, args[i] + " needs a file name");
                    if (args[i].equals("--svg")) svg = args[++i]; else timeSequence = args[++i];
                }
                default -> {
                    if (args[i].startsWith("-")) return usage(err, "unknown option " + args[i]);
                    if (capture != null) return usage(err, "one capture file at a time");
                    capture = args[i];
                }
            }
        }
        if (capture == null) return usage(err, "which capture file?");
        try {
            byte[] bytes;
            try {
                bytes = Files.readAllBytes(Path.of(capture));
            } catch (NoSuchFileException e) {
                throw new BadCapture("no such file");
            } catch (IOException e) {
                throw new BadCapture("cannot read it: " + e.getMessage());
            }
            Conversations.Result result = Conversations.of(PcapReader.read(bytes));
            if (result.conversations().isEmpty())
                throw new BadCapture("no TCP over IP in it" + (result.skipped() > 0
                        ? " (" + result.skipped() + " other packets)" : " (no packets)"));
            List<String> written = new ArrayList<>();
            if (svg != null) {
                write(svg, LadderSvg.render(result.conversations()));
                written.add("Wrote " + svg);
            }
            if (timeSequence != null) {
                TimeSequenceSvg.Flow flow = TimeSequenceSvg.busiest(result.conversations());
                if (flow == null) throw new BadCapture("no segment carries data: no time-sequence graph to draw");
                write(timeSequence, TimeSequenceSvg.render(flow));
                written.add("Wrote " + timeSequence);
            }
            if (mermaid) out.print(LadderMermaid.render(result.conversations(), result.skipped()));
            else if (written.isEmpty()) out.print(LadderText.render(result.conversations(), result.skipped()));
            for (String line : written) err.println(line);
            out.flush();
            return EXIT_OK;
        } catch (BadCapture e) {
            err.println("Ladder: " + capture + ": " + e.getMessage());
            return EXIT_BAD_CAPTURE;
        } catch (IOException e) {
            err.println("Ladder: cannot write: " + e.getMessage());
            return EXIT_BAD_CAPTURE;
        } catch (RuntimeException e) {
            // A bug of ours, still on one line: the file name and what broke help a report.
            err.println("Ladder: " + capture + ": internal error: " + e);
            return EXIT_BAD_CAPTURE;
        }
    }

    private static void write(String file, String content) throws IOException {
        Files.writeString(Path.of(file), content, StandardCharsets.UTF_8);
    }

    private static int usage(PrintStream err, String problem) {
        err.println("Ladder: " + problem);
        err.println(USAGE);
        return EXIT_USAGE;
    }
}
