import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;

/**
 * Tests of Ladder.java and viz/: reading pcap files of every supported kind, grouping segments
 * into connections, marking retransmissions, and the text, Mermaid and SVG drawings.
 *
 * The fixtures in tests/unit/data/ are real captures: retransmitted-syn.pcap was written by our
 * client (--pcap) while an nftables rule dropped its first SYN; kernel-ethernet.pcap is the start
 * of a kernel-to-kernel transfer captured by tcpdump on a veth (Ethernet, window scale 10). Their
 * .txt files are the expected ladders, checked against tshark's view of the same files
 * (relative seq/ack, calculated window).
 */
final class LadderTest {
    private LadderTest() {}

    static final Path DATA = Path.of("tests/unit/data");
    static final int CLIENT = 0xc6120002, SERVER = 0xc6120001;

    public static void main(String[] args) {
        Check.suite("Ladder");

        Check.test("the ladder of our client's capture is byte for byte the expected text", () ->
                Check.equal(read("retransmitted-syn.txt"), ladder(DATA.resolve("retransmitted-syn.pcap")), "ladder"));

        Check.test("RFC 7323 timestamps show on each arrow as ts=TSval/TSecr, each relative to its clock's first TSval", () -> {
            int c = 1000, s = 5000;
            byte[] file = capture(List.of(
                    segment(CLIENT, 40000, SERVER, 5000, c, 0, Packets.SYN, 1000, List.of(new Packets.Timestamps(700_000, 0)), 0),
                    segment(SERVER, 5000, CLIENT, 40000, s, c + 1, Packets.SYN | Packets.ACK, 2000,
                            List.of(new Packets.Timestamps(-10, 700_000)), 0),   // the server's clock wraps past 2^32
                    segment(CLIENT, 40000, SERVER, 5000, c + 1, s + 1, Packets.ACK, 1000,
                            List.of(new Packets.Timestamps(700_040, 5)), 0)));
            List<String> lines = arrowLines(ladder(file));
            Check.isTrue(lines.get(0).contains("ts=0/0 "), "the SYN: its own first TSval, TSecr 0: " + lines.get(0));
            Check.isTrue(lines.get(1).contains("ts=0/0 "), "the SYN-ACK echoes the SYN's TSval: " + lines.get(1));
            Check.isTrue(lines.get(2).contains("ts=40/15 "), "40 ticks later, echoing 15 past the server's first (mod 2^32): " + lines.get(2));
        });

        Check.test("RFC 3168: the IP header's ECN field shows on the arrow: ect0 on data, ce where a router marked it, nothing when not-ECT", () -> {
            int c = 1000, s = 5000;
            byte[] file = capture(List.of(
                    segment(CLIENT, 40000, SERVER, 5000, c, 0, Packets.SYN | Packets.ECE | Packets.CWR, 1000, List.of(), 0),
                    segment(SERVER, 5000, CLIENT, 40000, s, c + 1, Packets.SYN | Packets.ACK | Packets.ECE, 2000, List.of(), 0),
                    segment(CLIENT, 40000, SERVER, 5000, c + 1, s + 1, Packets.ACK, 1000, List.of(), 100, 2),
                    segment(CLIENT, 40000, SERVER, 5000, c + 101, s + 1, Packets.ACK, 1000, List.of(), 100, 3),
                    segment(SERVER, 5000, CLIENT, 40000, s + 1, c + 201, Packets.ACK | Packets.ECE, 2000, List.of(), 0)));
            List<String> lines = arrowLines(ladder(file));
            Check.isTrue(!lines.get(0).contains("ect") && !lines.get(0).contains(" ce "), "a SYN is not-ECT: " + lines.get(0));
            Check.isTrue(lines.get(2).contains(" ect0 "), "data sent ECT(0): " + lines.get(2));
            Check.isTrue(lines.get(3).contains(" ce "), "data marked CE: " + lines.get(3));
            Check.isTrue(lines.get(4).contains("ECE") && !lines.get(4).contains("ect"), "the echo: ECE on a not-ECT ACK: " + lines.get(4));
        });

        Check.test("the ladder of a tcpdump capture (Ethernet) is the expected text, windows scaled", () -> {
            String text = ladder(DATA.resolve("kernel-ethernet.pcap"));
            Check.equal(read("kernel-ethernet.txt"), text, "ladder");
            // the SYN's window is never scaled; later ones are, by 2^10: 63 * 1024 = 64512
            Check.isTrue(text.contains("SYN seq=0 len=0 win=64240 mss=1460 ws=10"), "the SYN's own window");
            Check.isTrue(text.contains("ACK seq=1 ack=1 len=0 win=64512 "), "a scaled window");
        });

        Check.test("every link type, byte order and time unit gives the same ladder", () -> {
            String expected = read("retransmitted-syn.txt");
            PcapFile original = PcapFile.parse(Files.readAllBytes(DATA.resolve("retransmitted-syn.pcap")));
            for (int linkType : new int[] {228, 101, 12, 1, 113, 276}) {
                for (boolean bigEndian : new boolean[] {false, true}) {
                    for (boolean nanos : new boolean[] {false, true}) {
                        byte[] file = original.rewrap(linkType, bigEndian, nanos);
                        Check.equal(expected, ladder(file), "link type " + linkType + (bigEndian ? " big-endian" : "")
                                + (nanos ? " nanoseconds" : ""));
                    }
                }
            }
        });

        Check.test("packets that are not TCP over IP are counted, not drawn", () -> {
            PcapFile original = PcapFile.parse(Files.readAllBytes(DATA.resolve("retransmitted-syn.pcap")));
            PcapFile withArp = original.plus(hex("ffffffffffff 020000000001 0806" + "0001080006040001"), 1);
            String text = ladder(withArp.rewrap(1, false, false));
            Check.isTrue(text.startsWith(read("retransmitted-syn.txt")), "the same ladder first");
            Check.isTrue(text.endsWith("\n(1 packet was not TCP over IP and is not drawn)\n"), "then the count: " + text);
        });

        Check.test("IPv6: a handshake in raw IP, Ethernet and Linux cooked captures (EtherType 0x86dd), bracketed addresses", () -> {
            List<byte[]> packets = List.of(Check.hex(PacketsIpv6.SYN_HEX), Check.hex(PacketsIpv6.SYN_ACK_HEX), Check.hex(PacketsIpv6.DATA_HEX));
            PcapFile file = new PcapFile(List.of(0L, 1000L, 2000L), packets);
            String raw = ladder(file.rewrap(101, false, false));
            Check.isTrue(raw.startsWith("Connection 1 of 1: [2001:db8::2]:40000 <-> [2001:db8::1]:5000, 3 segments"), raw);
            Check.isTrue(raw.contains("SYN seq=0 len=0 win=65535 mss=1220"), "the SYN: " + raw);
            Check.isTrue(raw.contains("PSH-ACK seq=1 ack=1 len=6"), "the data: " + raw);
            for (int linkType : new int[] {1, 113, 276})
                Check.equal(raw, ladder(file.rewrap(linkType, false, false)), "the same ladder from link type " + linkType);
        });

        Check.test("retransmission: repeated data, SYN and FIN are marked; new data and pure ACKs are not", () -> {
            List<String> lines = arrowLines(ladder(synthetic()));
            String[] expected = {
                "SYN seq=0 len=0 win=1000 ",                 // 1 SYN
                "SYN seq=0 len=0 win=1000 retransmission",   // 2 the same SYN again
                "SYN-ACK seq=0 ack=1 len=0 win=2000 ",       // 3
                "ACK seq=1 ack=1 len=0 win=1000 ",           // 4
                "PSH-ACK seq=1 ack=1 len=100 win=1000 ",     // 5 bytes 1..100
                "PSH-ACK seq=101 ack=1 len=100 win=1000 ",   // 6 bytes 101..200
                "PSH-ACK seq=1 ack=1 len=100 win=1000 retransmission", // 7 bytes 1..100 again
                "ACK seq=1 ack=201 len=0 win=2000 ",         // 8
                "ACK seq=1 ack=201 len=0 win=2000 ",         // 9 a duplicate ACK is no retransmission
                "FIN-ACK seq=201 ack=1 len=0 win=1000 ",     // 10
                "FIN-ACK seq=201 ack=1 len=0 win=1000 retransmission", // 11
                "PSH-ACK seq=150 ack=1 len=100 win=1000 retransmission", // 12 starts inside sent data
            };
            Check.equal(expected.length, lines.size(), "arrows");
            for (int i = 0; i < expected.length; i++) {
                Check.isTrue(lines.get(i).contains(" " + expected[i]), "arrow " + (i + 1) + " shows '" + expected[i]
                        + "' in: " + lines.get(i));
            }
            Check.isTrue(lines.get(2).contains("|<--"), "the SYN-ACK goes right to left");
        });

        Check.test("window scale counts only when both SYNs carry it", () -> {
            Packets.WindowScale ws = new Packets.WindowScale(3);
            byte[] both = capture(List.of(
                    segment(CLIENT, 40000, SERVER, 5000, 7, 0, Packets.SYN, 100, List.of(ws), 0),
                    segment(SERVER, 5000, CLIENT, 40000, 9, 8, Packets.SYN | Packets.ACK, 200, List.of(ws), 0),
                    segment(CLIENT, 40000, SERVER, 5000, 8, 10, Packets.ACK, 100, List.of(), 0)));
            Check.isTrue(ladder(both).contains("ACK seq=1 ack=1 len=0 win=800 "), "100 << 3");
            byte[] one = capture(List.of(
                    segment(CLIENT, 40000, SERVER, 5000, 7, 0, Packets.SYN, 100, List.of(ws), 0),
                    segment(SERVER, 5000, CLIENT, 40000, 9, 8, Packets.SYN | Packets.ACK, 200, List.of(), 0),
                    segment(CLIENT, 40000, SERVER, 5000, 8, 10, Packets.ACK, 100, List.of(), 0)));
            Check.isTrue(ladder(one).contains("ACK seq=1 ack=1 len=0 win=100 "), "unscaled");
        });

        Check.test("two connections: two ladders, in order of appearance, client on the left", () -> {
            byte[] file = capture(List.of(
                    segment(SERVER, 5000, CLIENT, 40001, 1, 0, Packets.ACK, 10, List.of(), 0), // mid-connection
                    segment(CLIENT, 40002, SERVER, 5000, 7, 0, Packets.SYN, 100, List.of(), 0),
                    segment(SERVER, 5000, CLIENT, 40002, 9, 8, Packets.SYN | Packets.ACK, 200, List.of(), 0)));
            String text = ladder(file);
            Check.isTrue(text.startsWith("Connection 1 of 2: 198.18.0.1:5000 <-> 198.18.0.2:40001, 1 segment\n"), text);
            Check.isTrue(text.contains("\n\nConnection 2 of 2: 198.18.0.2:40002 <-> 198.18.0.1:5000, 2 segments\n"), text);
        });

        Check.test("no line is wider than 100 columns, even with the longest names and numbers", () -> {
            int far = 0xffffff01;
            byte[] file = capture(List.of(
                    segment(far, 65535, far + 1, 65534, 0x7fffffff, 0, Packets.SYN, 65535,
                            List.of(new Packets.Mss(65495), new Packets.WindowScale(14)), 0),
                    segment(far + 1, 65534, far, 65535, -1, 0x80000000, Packets.SYN | Packets.ACK | Packets.ECE | Packets.CWR,
                            65535, List.of(new Packets.Mss(65495), new Packets.WindowScale(14)), 0),
                    segment(far, 65535, far + 1, 65534, 0x80000000, 0, Packets.ACK | Packets.PSH | Packets.URG | Packets.FIN,
                            65535, List.of(), 1400),
                    segment(far, 65535, far + 1, 65534, 0x80000000, 0, Packets.ACK | Packets.PSH | Packets.URG | Packets.FIN,
                            65535, List.of(), 1400)));
            String text = ladder(file);
            for (String line : text.split("\n")) Check.isTrue(line.length() <= 100, "at most 100 columns: " + line);
            Check.isTrue(text.contains("retransmission"), "the long label still says retransmission: " + text);
        });

        Check.test("malformed or truncated pcaps: one line on stderr, exit 1", () -> {
            byte[] good = Files.readAllBytes(DATA.resolve("retransmitted-syn.pcap"));
            Object[][] cases = {
                {new byte[0], "not a pcap file: only 0 bytes"},
                {hex("d4c3b2"), "not a pcap file: only 3 bytes"},
                {hex("0a0d0d0a 1c000000 4d3c2b1a"), "this is a pcapng file; convert it first"},
                {"hello, not a capture".getBytes(StandardCharsets.US_ASCII), "not a pcap file: magic number 0x68656c6c"},
                {Arrays.copyOf(good, 20), "truncated pcap file header: 20 bytes, need 24"},
                {Arrays.copyOf(good, 30), "truncated pcap: packet 1's header at byte 24 has 6 of 16 bytes"},
                {Arrays.copyOf(good, 50), "truncated pcap: packet 1 needs 44 bytes, the file ends after 10"},
                {patch(good, 32, hex("00000040")), "malformed pcap: packet 1 at byte 24 claims 1073741824 bytes"},
                {patch(good, 28, hex("00ca9a3b")), "malformed pcap: packet 1 at byte 24 has a time fraction of 1000000000 us"},
                {patch(good, 4, hex("0300")), "pcap version 3.4, expected 2.4"},
                {patch(good, 20, hex("93000000")), "link type 147 is not supported"},
                {Arrays.copyOf(good, 24), "no TCP over IP in it (no packets)"},
            };
            for (Object[] c : cases) {
                Run run = run((byte[]) c[0]);
                Check.equal(1, run.status, "exit status for " + c[1]);
                Check.isTrue(run.err.startsWith("Ladder: ") && run.err.contains(": " + c[1]), "message '" + c[1] + "' in: " + run.err);
                oneLine(run);
                Check.equal("", run.out, "nothing on stdout");
            }
        });

        Check.test("a capture cut at any byte draws or gives one line, never a crash", () -> {
            byte[] good = Files.readAllBytes(DATA.resolve("kernel-ethernet.pcap"));
            for (int length = 0; length < good.length; length += length < 200 ? 1 : 37) {
                Run run = run(Arrays.copyOf(good, length));
                if (run.status != 0) oneLine(run);
                Check.isTrue(!run.err.contains("internal error"), "cut at " + length + ": " + run.err);
            }
        });

        Check.test("corrupted bytes (seeded) draw or give one line, never a crash", () -> {
            byte[] good = Files.readAllBytes(DATA.resolve("retransmitted-syn.pcap"));
            Random random = new Random(7);
            for (int i = 0; i < 2000; i++) {
                byte[] bad = good.clone();
                for (int k = 1 + random.nextInt(4); k > 0; k--) bad[random.nextInt(bad.length)] = (byte) random.nextInt(256);
                Run run = run(bad);
                if (run.status != 0) oneLine(run);
                Check.isTrue(!run.err.contains("internal error"), "case " + i + ": " + run.err);
            }
        });

        Check.test("usage: a missing file or unknown option is exit 2; a missing file's name is exit 1", () -> {
            Check.equal(2, run(new String[0]).status, "no arguments");
            Check.equal(2, run(new String[] {"x.pcap", "--colour"}).status, "unknown option");
            Check.equal(2, run(new String[] {"x.pcap", "--svg"}).status, "--svg without a file");
            Run missing = run(new String[] {"tests/unit/data/no-such.pcap"});
            Check.equal(1, missing.status, "missing file");
            Check.equal("Ladder: tests/unit/data/no-such.pcap: no such file\n", missing.err, "message");
        });

        Check.test("--mermaid: a sequenceDiagram in a code fence, a dotted arrow for the retransmission", () -> {
            Run run = run(new String[] {DATA.resolve("retransmitted-syn.pcap").toString(), "--mermaid"});
            Check.equal(0, run.status, "exit");
            List<String> lines = List.of(run.out.split("\n"));
            Check.equal("```mermaid", lines.get(2), "fence");
            Check.equal("sequenceDiagram", lines.get(3), "diagram type");
            Check.equal("    participant A as 198.18.0.2:38603", lines.get(4), "left end");
            Check.equal("    A->>B: 0.000 ms SYN seq=0 len=0 win=65535 mss=1460", lines.get(6), "first arrow");
            Check.equal("    A-->>B: 995.624 ms SYN seq=0 len=0 win=65535 mss=1460 retransmission", lines.get(7), "second");
            Check.equal("```", lines.get(lines.size() - 1), "closing fence");
        });

        Check.test("--svg writes XML: one arrow per segment, the retransmission in red", () -> {
            Path svg = Files.createTempFile("ladder", ".svg");
            try {
                Run run = run(new String[] {DATA.resolve("retransmitted-syn.pcap").toString(), "--svg", svg.toString()});
                Check.equal(0, run.status, "exit: " + run.err);
                Document doc = xml(Files.readAllBytes(svg));
                Check.equal("svg", doc.getDocumentElement().getTagName(), "root element");
                int arrows = 0, red = 0;
                var lines = doc.getElementsByTagName("line");
                for (int i = 0; i < lines.getLength(); i++) {
                    var line = (org.w3c.dom.Element) lines.item(i);
                    if (line.hasAttribute("marker-end")) arrows++;
                    if (line.getAttribute("marker-end").contains("red")) red++;
                }
                Check.equal(9, arrows, "arrows");
                Check.equal(1, red, "red arrows");
            } finally {
                Files.deleteIfExists(svg);
            }
        });

        Check.test("--time-sequence writes XML: a bar per data segment, R for each retransmission", () -> {
            Path svg = Files.createTempFile("time-sequence", ".svg");
            try {
                Run run = run(new String[] {writeTemp(synthetic()).toString(), "--time-sequence", svg.toString()});
                Check.equal(0, run.status, "exit: " + run.err);
                Document doc = xml(Files.readAllBytes(svg));
                Check.equal("svg", doc.getDocumentElement().getTagName(), "root element");
                int marks = 0;
                var texts = doc.getElementsByTagName("text");
                for (int i = 0; i < texts.getLength(); i++) if (texts.item(i).getTextContent().equals("R")) marks++;
                Check.equal(2, marks, "retransmitted data segments marked R");
                Check.equal(2, doc.getElementsByTagName("polyline").getLength(), "the ACK line and the window line");
            } finally {
                Files.deleteIfExists(svg);
            }
        });

        Check.test("--time-sequence of a capture without data is a one-line error", () -> {
            Path svg = Files.createTempFile("time-sequence", ".svg");
            try {
                byte[] file = capture(List.of(segment(CLIENT, 40000, SERVER, 5000, 7, 0, Packets.SYN, 100, List.of(), 0)));
                Run run = run(new String[] {writeTemp(file).toString(), "--time-sequence", svg.toString()});
                Check.equal(1, run.status, "exit");
                oneLine(run);
                Check.isTrue(run.err.contains("no segment carries data"), run.err);
            } finally {
                Files.deleteIfExists(svg);
            }
        });

        Check.test("the Mermaid diagrams in docs/ladders/ are what Ladder draws from the captures there", () -> {
            List<Path> docs;
            try (Stream<Path> files = Files.list(Path.of("docs/ladders"))) {
                // each NAME.md beside a NAME.pcap; README.md is the index
                docs = files.filter(p -> p.toString().endsWith(".md"))
                        .filter(p -> Files.exists(Path.of(p.toString().replaceAll("\\.md$", ".pcap")))).sorted().toList();
            }
            Check.isTrue(docs.size() >= 4, "docs/ladders/ has its four diagrams, not " + docs.size());
            for (Path md : docs) {
                Path pcap = Path.of(md.toString().replaceAll("\\.md$", ".pcap"));
                Run run = run(new String[] {pcap.toString(), "--mermaid"});
                Check.equal(0, run.status, pcap + ": " + run.err);
                String committed = Files.readString(md);
                Check.isTrue(committed.endsWith("\n" + run.out), md + " ends with what Ladder --mermaid prints now;"
                        + " remake it with docs/ladders/make-examples.sh --drawings");
            }
        });

        Check.test("the ladders in README.md and EXPLANATION.md are what Ladder draws from the captures they name", () -> {
            // <!-- ladder: docs/ladders/NAME.pcap --> ... <!-- end of ladder -->: the block between
            // holds what Ladder --mermaid prints for that capture, title line included.
            java.util.regex.Pattern block = java.util.regex.Pattern.compile(
                    "<!-- ladder: (\\S+) -->\n(.*?)<!-- end of ladder -->", java.util.regex.Pattern.DOTALL);
            int found = 0;
            for (String doc : List.of("README.md", "EXPLANATION.md")) {
                java.util.regex.Matcher m = block.matcher(Files.readString(Path.of(doc)));
                while (m.find()) {
                    found++;
                    Run run = run(new String[] {m.group(1), "--mermaid"});
                    Check.equal(0, run.status, m.group(1) + ": " + run.err);
                    Check.equal(run.out, m.group(2), doc + "'s ladder of " + m.group(1)
                            + " (paste what ./jbang Ladder.java " + m.group(1) + " --mermaid prints)");
                }
            }
            Check.isTrue(found >= 5, "the documents show at least five ladders, not " + found);
        });

        Check.test("an ICMP error about a segment is drawn in its place, toward the end that sent the segment", () -> {
            int c = 1000, router = Packets.parseAddress("198.18.1.254");
            byte[] big = segment(CLIENT, 40000, SERVER, 5000, c + 1, 1, Packets.ACK, 1000, List.of(), 1460);
            java.nio.ByteBuffer icmp = Icmp.emit(router, 3, 4, 1280, java.nio.ByteBuffer.wrap(big));
            String text = ladder(capture(List.of(
                    segment(CLIENT, 40000, SERVER, 5000, c, 0, Packets.SYN, 1000, List.of(), 0),
                    big, Arrays.copyOf(icmp.array(), icmp.remaining()),
                    segment(CLIENT, 40000, SERVER, 5000, c + 1, 1, Packets.ACK, 1000, List.of(), 1240))));
            List<String> lines = text.lines().toList();
            int at = -1;
            for (int i = 0; i < lines.size(); i++) if (lines.get(i).contains("ICMP fragmentation needed (next-hop MTU 1280) from 198.18.1.254")) at = i;
            Check.isTrue(at > 0, "an ICMP line in:\n" + text);
            Check.isTrue(lines.get(at).contains("|<~~"), "a wavy line toward the client: " + lines.get(at));
            Check.isTrue(lines.get(at - 1).contains("len=1460") && lines.get(at + 1).contains("len=1240"), "between the two segments:\n" + text);
            Check.isTrue(!text.contains("not drawn"), "not counted as skipped:\n" + text);
        });

        Check.finish();
    }

    // ------------------------------------------------------------------ running Ladder

    record Run(int status, String out, String err) {}

    static Run run(String[] args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int status = Ladder.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    static Run run(byte[] file) throws Exception {
        Path path = writeTemp(file);
        try {
            return run(new String[] {path.toString()});
        } finally {
            Files.deleteIfExists(path);
        }
    }

    static String ladder(Path file) {
        Run run = run(new String[] {file.toString()});
        if (run.status != 0) throw new Check.Failure("Ladder failed: " + run.err);
        return run.out;
    }

    static String ladder(byte[] file) throws Exception {
        Path path = writeTemp(file);
        try {
            return ladder(path);
        } finally {
            Files.deleteIfExists(path);
        }
    }

    static void oneLine(Run run) {
        Check.isTrue(run.err.endsWith("\n") && run.err.indexOf('\n') == run.err.length() - 1,
                "exactly one line on stderr: " + run.err);
        Check.isTrue(!run.err.contains("Exception") && !run.err.contains("\tat "), "no stack trace: " + run.err);
    }

    static Path writeTemp(byte[] bytes) throws Exception {
        Path path = Files.createTempFile("ladder-test", ".pcap");
        path.toFile().deleteOnExit();
        return Files.write(path, bytes);
    }

    static String read(String name) throws Exception {
        return Files.readString(DATA.resolve(name));
    }

    static List<String> arrowLines(String text) {
        return Stream.of(text.split("\n")).filter(l -> l.contains("|-") || l.contains("|<")).toList();
    }

    static Document xml(byte[] bytes) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        return factory.newDocumentBuilder().parse(new ByteArrayInputStream(bytes));
    }

    static byte[] hex(String s) {
        return Check.hex(s);
    }

    static byte[] patch(byte[] file, int at, byte[] with) {
        byte[] copy = file.clone();
        System.arraycopy(with, 0, copy, at, with.length);
        return copy;
    }

    // ------------------------------------------------------------------ making captures

    /** One IPv4 packet carrying a TCP segment with `data` zero bytes of payload. */
    static byte[] segment(int src, int sport, int dst, int dport, int seq, int ack, int flags, int window,
                          List<Packets.TcpOption> options, int data) {
        return segment(src, sport, dst, dport, seq, ack, flags, window, options, data, 0);
    }

    /** The same with tos as the IP header's TOS octet (its low two bits: the ECN field). */
    static byte[] segment(int src, int sport, int dst, int dport, int seq, int ack, int flags, int window,
                          List<Packets.TcpOption> options, int data, int tos) {
        ByteBuffer b = ByteBuffer.allocate(2000);
        Packets.emit(b, Packets.Ipv4.forTcp(src, dst, 1, 64, tos),
                Packets.Tcp.of(sport, dport, seq, ack, flags, window, options, new byte[data]));
        return Arrays.copyOf(b.array(), b.position());
    }

    /** A link type 228 capture, one packet per millisecond. */
    static byte[] capture(List<byte[]> packets) {
        List<Long> times = new ArrayList<>();
        for (int i = 0; i < packets.size(); i++) times.add(1_700_000_000_000_000L + i * 1000L);
        return new PcapFile(times, packets).rewrap(228, false, false);
    }

    /** A connection with each kind of retransmission, for the tests above. */
    static byte[] synthetic() {
        int c = 1000, s = 5000; // ISNs
        int ack = Packets.ACK, psh = Packets.PSH | Packets.ACK;
        return capture(List.of(
                segment(CLIENT, 40000, SERVER, 5000, c, 0, Packets.SYN, 1000, List.of(), 0),
                segment(CLIENT, 40000, SERVER, 5000, c, 0, Packets.SYN, 1000, List.of(), 0),
                segment(SERVER, 5000, CLIENT, 40000, s, c + 1, Packets.SYN | ack, 2000, List.of(), 0),
                segment(CLIENT, 40000, SERVER, 5000, c + 1, s + 1, ack, 1000, List.of(), 0),
                segment(CLIENT, 40000, SERVER, 5000, c + 1, s + 1, psh, 1000, List.of(), 100),
                segment(CLIENT, 40000, SERVER, 5000, c + 101, s + 1, psh, 1000, List.of(), 100),
                segment(CLIENT, 40000, SERVER, 5000, c + 1, s + 1, psh, 1000, List.of(), 100),
                segment(SERVER, 5000, CLIENT, 40000, s + 1, c + 201, ack, 2000, List.of(), 0),
                segment(SERVER, 5000, CLIENT, 40000, s + 1, c + 201, ack, 2000, List.of(), 0),
                segment(CLIENT, 40000, SERVER, 5000, c + 201, s + 1, Packets.FIN | ack, 1000, List.of(), 0),
                segment(CLIENT, 40000, SERVER, 5000, c + 201, s + 1, Packets.FIN | ack, 1000, List.of(), 0),
                segment(CLIENT, 40000, SERVER, 5000, c + 150, s + 1, psh, 1000, List.of(), 100)));
    }

    /**
     * The packets of a capture, and a writer that puts them back in any supported form: written
     * here from pcap-savefile(5) and linktypes.html, not with the reader under test.
     */
    record PcapFile(List<Long> micros, List<byte[]> ipPackets) {
        /** Reads a little-endian microsecond link type 228 file, such as our programs write. */
        static PcapFile parse(byte[] file) {
            ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
            if (b.getInt(0) != 0xa1b2c3d4 || b.getInt(20) != 228) throw new IllegalArgumentException("not one of ours");
            List<Long> times = new ArrayList<>();
            List<byte[]> packets = new ArrayList<>();
            for (int at = 24; at < file.length; ) {
                times.add(b.getInt(at) * 1_000_000L + b.getInt(at + 4));
                int length = b.getInt(at + 8);
                packets.add(Arrays.copyOfRange(file, at + 16, at + 16 + length));
                at += 16 + length;
            }
            return new PcapFile(times, packets);
        }

        /** The same capture with one more frame (already in the link type's form) at index. */
        PcapFile plus(byte[] frame, int index) {
            List<Long> t = new ArrayList<>(micros);
            List<byte[]> p = new ArrayList<>(ipPackets);
            t.add(index, micros.get(index));
            p.add(index, frame);
            return new PcapFile(t, p);
        }

        byte[] rewrap(int linkType, boolean bigEndian, boolean nanos) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteBuffer h = ByteBuffer.allocate(24).order(bigEndian ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
            h.putInt(nanos ? 0xa1b23c4d : 0xa1b2c3d4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0)
             .putInt(262144).putInt(linkType);
            out.writeBytes(h.array());
            for (int i = 0; i < ipPackets.size(); i++) {
                byte[] ip = ipPackets.get(i);
                // a frame that is not IP (it starts with a broadcast MAC) goes as it is
                byte[] frame = (ip[0] & 0xf0) == 0x40 || (ip[0] & 0xf0) == 0x60 ? link(linkType, ip) : ip;
                ByteBuffer r = ByteBuffer.allocate(16).order(h.order());
                long t = micros.get(i);
                r.putInt((int) (t / 1_000_000)).putInt((int) (nanos ? t % 1_000_000 * 1000 : t % 1_000_000))
                 .putInt(frame.length).putInt(frame.length);
                out.writeBytes(r.array());
                out.writeBytes(frame);
            }
            return out.toByteArray();
        }

        static byte[] link(int linkType, byte[] ip) {
            byte[] header = switch (linkType) {
                case 228, 101, 12 -> new byte[0];
                // destination MAC, source MAC, EtherType IPv4
                case 1 -> hex("020000000002 020000000001 0800");
                // packet type (0 to us), ARPHRD_ETHER, address length 6, address + 2 pad, protocol
                case 113 -> hex("0000 0001 0006 020000000001 0000 0800");
                // protocol, reserved, interface index, ARPHRD_ETHER, packet type, address length, address
                case 276 -> hex("0800 0000 00000002 0001 00 06 020000000001 0000");
                default -> throw new IllegalArgumentException("link type " + linkType);
            };
            if ((ip[0] & 0xf0) == 0x60 && header.length > 0) { // EtherType IPv6, 0x86dd, where the header has IPv4's
                int at = linkType == 1 ? 12 : linkType == 113 ? 14 : 0;
                header[at] = (byte) 0x86;
                header[at + 1] = (byte) 0xdd;
            }
            byte[] frame = Arrays.copyOf(header, header.length + ip.length);
            System.arraycopy(ip, 0, frame, header.length, ip.length);
            return frame;
        }
    }
}
