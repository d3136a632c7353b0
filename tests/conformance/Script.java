import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One conformance scenario, read from a .script file (the format is described in
 * tests/conformance/README.md): a few headers, then steps the scripted peer plays in order.
 * Knows nothing about sockets: ScriptedPeer plays it.
 */
final class Script {
    enum Kind { SEND, EXPECT, NOTHING, WAIT, RECONNECT, END }

    /** Which kind of program the scenario runs against, and how it behaves. */
    enum Target {
        SERVER_ECHO("server echo"), SERVER_NO_ECHO("server no-echo"), SERVER_CLOSE("server close"), CLIENT("client");
        final String words;
        Target(String words) { this.words = words; }
        boolean isServer() { return this != CLIENT; }
    }

    /** The stacks a script may name: in a branch ("[kernel,gvisor] expect ..."), in a reason line
     *  ("gvisor: why gVisor takes its own steps") or a departure ("gvisor-vs-rfc: where it departs"). */
    static final List<String> STACKS = List.of("ours", "kernel", "gvisor", "lwip", "slirp", "passt");

    /**
     * A line of the script. only is null for every stack, or the stacks of a "[a,b]" branch. fields
     * holds name=value words (seq, ack, win, opts, noopts, data, len, urg, isn); seconds is the number
     * after "for" / "wait"; within and after are an expectation's time bounds in seconds (after: -1
     * for none).
     */
    record Step(int line, String text, Set<String> only, boolean maybe, Kind kind, int flags, int optionalFlags,
                Map<String, String> fields, double seconds, double within, double after) {
        /** only holds "!" first for "[!a,b]": every stack but a and b (they take steps of their own). */
        boolean appliesTo(String target) {
            if (only == null) return true;
            return only.contains("!") ? !only.contains(target) : only.contains(target);
        }
    }

    final String name;
    String title = "";
    Target target;
    /** "ip: 4 (why)" or "ip: 6 (why)": the scenario is for that IP version only; 0 for both. */
    int ip;
    String ipWhy = "";
    final List<String> rfc = new ArrayList<>();
    /** Why a stack takes its own branch: stack to the reason ("ours: ...", "gvisor: ..."). */
    final Map<String, String> reasons = new LinkedHashMap<>();
    /** Where a stack departs from the RFC, said in words for a reader ("kernel-vs-rfc: ..."). */
    final Map<String, List<String>> departures = new LinkedHashMap<>();
    final List<Step> steps = new ArrayList<>();

    /** The stacks some branch of this scenario names. */
    Set<String> branched() {
        Set<String> names = new LinkedHashSet<>();
        for (Step st : steps) if (st.only() != null) names.addAll(st.only());
        names.remove("!");
        return names;
    }

    /** A stack with steps of its own here, or whose departure from the RFC is noted. */
    boolean documents(String stack) {
        return branched().contains(stack) || departures.containsKey(stack);
    }

    private Script(String name) { this.name = name; }

    static final class BadScript extends Exception {
        private static final long serialVersionUID = 1L;
        BadScript(String where, String message) { super(where + ": " + message); }
    }

    static Script read(Path file) throws IOException, BadScript {
        String name = file.getFileName().toString().replaceFirst("\\.script$", "");
        Script s = new Script(name);
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            String where = file + ":" + (i + 1);
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) continue;
            int colon = line.indexOf(':');
            String head = colon > 0 ? line.substring(0, colon) : "";
            String stack = head.replaceFirst("-vs-rfc$", "");
            if (head.matches("title|target|rfc|ip") || STACKS.contains(stack)) {
                String value = line.substring(colon + 1).strip();
                switch (head) {
                    case "title" -> s.title = value;
                    case "target" -> s.target = parseTarget(where, value);
                    case "rfc" -> s.rfc.add(value);
                    case "ip" -> {
                        if (!value.matches("[46]\\b.*")) throw new BadScript(where, "ip: is 4 or 6, then why, not '" + value + "'");
                        s.ip = value.charAt(0) - '0';
                        s.ipWhy = value.substring(1).strip().replaceAll("^\\((.*)\\)$", "$1");
                    }
                    default -> {
                        if (head.endsWith("-vs-rfc")) s.departures.computeIfAbsent(stack, k -> new ArrayList<>()).add(value);
                        else if (s.reasons.put(stack, value) != null) throw new BadScript(where, "a second '" + stack + ":' line");
                    }
                }
                continue;
            }
            s.steps.add(parseStep(where, i + 1, line));
        }
        if (s.target == null) throw new BadScript(file.toString(), "no 'target:' line");
        // Each stack that takes steps of its own says why. One line covers ours and the kernel,
        // the pair every scenario was first written for: it explains how the two differ.
        boolean pairExplained = s.reasons.containsKey("ours") || s.reasons.containsKey("kernel");
        for (Step st : s.steps) {
            if (st.only() == null) continue;
            for (String stack : st.only()) {
                if (stack.equals("!")) continue;
                boolean explained = s.reasons.containsKey(stack) || (stack.matches("ours|kernel") && pairExplained);
                if (!explained)
                    throw new BadScript(file + ":" + st.line(), "a [" + stack + "] step needs a '" + stack + ": REASON' line"
                            + " that documents why " + stack + " takes its own steps");
            }
        }
        Set<String> branched = s.branched();
        for (String stack : s.reasons.keySet()) {
            boolean shown = branched.contains(stack)
                    || (stack.matches("ours|kernel") && (branched.contains("ours") || branched.contains("kernel")));
            if (!shown)
                throw new BadScript(file.toString(), "a '" + stack + ":' line documents a difference, but no [" + stack
                        + "] step shows it");
        }
        return s;
    }

    private static Target parseTarget(String where, String value) throws BadScript {
        for (Target t : Target.values()) if (t.words.equals(value)) return t;
        throw new BadScript(where, "target must be 'server echo', 'server no-echo', 'server close' or 'client', not '" + value + "'");
    }

    private static Step parseStep(String where, int lineNumber, String line) throws BadScript {
        List<String> words = split(where, line);
        Set<String> only = null;
        if (words.get(0).startsWith("[")) {
            String tag = words.remove(0);
            if (!tag.matches("\\[!?[a-z0-9,-]+\\]"))
                throw new BadScript(where, "a branch is written [stack,stack] (those stacks) or [!stack,stack] (all the others), not " + tag);
            boolean negated = tag.charAt(1) == '!';
            only = new LinkedHashSet<>();
            if (negated) only.add("!");
            only.addAll(List.of(tag.substring(negated ? 2 : 1, tag.length() - 1).split(",")));
            for (String stack : only)
                if (!stack.equals("!") && !STACKS.contains(stack)) throw new BadScript(where, "unknown stack '" + stack + "' (known: " + String.join(", ", STACKS) + ")");
        }
        if (words.isEmpty()) throw new BadScript(where, "nothing after " + only);
        boolean maybe = words.get(0).equals("maybe");
        if (maybe) words.remove(0);
        if (words.isEmpty()) throw new BadScript(where, "nothing after maybe");
        String verb = words.remove(0);
        if (maybe && !verb.equals("expect")) throw new BadScript(where, "only an expect can be 'maybe'");
        Map<String, String> fields = new HashMap<>();
        switch (verb) {
            case "wait", "nothing" -> {
                // "wait S" / "nothing for S"
                if (verb.equals("nothing") && (words.size() != 2 || !words.get(0).equals("for")))
                    throw new BadScript(where, "write 'nothing for SECONDS'");
                if (verb.equals("wait") && words.size() != 1) throw new BadScript(where, "write 'wait SECONDS'");
                double seconds = number(where, words.get(words.size() - 1));
                return new Step(lineNumber, line, only, false, verb.equals("wait") ? Kind.WAIT : Kind.NOTHING, 0, 0, fields, seconds, 0, -1);
            }
            case "end" -> {
                // "[lwip] end": the scenario is over for these stacks (what follows needs a feature
                // they do not offer, which their reason line names)
                if (!words.isEmpty()) throw new BadScript(where, "'end' takes nothing after it");
                return new Step(lineNumber, line, only, false, Kind.END, 0, 0, fields, 0, 0, -1);
            }
            case "reconnect" -> {
                fields(where, words, fields);
                for (String k : fields.keySet()) if (!k.equals("isn")) throw new BadScript(where, "'" + k + "=' has no meaning in reconnect");
                if (fields.containsKey("isn")) integer(where, "isn", fields.get("isn").replace("+", ""));
                return new Step(lineNumber, line, only, false, Kind.RECONNECT, 0, 0, fields, 0, 0, -1);
            }
            case "send", "expect" -> { }
            default -> throw new BadScript(where, "a step starts with send, expect, nothing, wait, reconnect or end, not '" + verb + "'");
        }
        if (words.isEmpty()) throw new BadScript(where, "flags missing");
        int flags = 0, optional = 0;
        for (String f : words.remove(0).split("-")) {
            boolean opt = f.endsWith("?");
            int bit = flagBit(where, opt ? f.substring(0, f.length() - 1) : f);
            if (opt && verb.equals("send")) throw new BadScript(where, "a sent flag cannot be optional");
            if (opt) optional |= bit; else flags |= bit;
        }
        double within = 1.0, after = -1;
        for (int i = 0; i < words.size(); ) {
            String w = words.get(i);
            if ((w.equals("within") || w.equals("after")) && verb.equals("expect")) {
                if (i + 1 >= words.size()) throw new BadScript(where, w + " needs seconds");
                double v = number(where, words.get(i + 1));
                if (w.equals("within")) within = v; else after = v;
                words.remove(i); words.remove(i);
            } else i++;
        }
        fields(where, words, fields);
        for (String k : fields.keySet()) {
            boolean known = verb.equals("send") ? k.matches("seq|ack|win|opts|data|len|urg|ecn")
                                                : k.matches("seq|ack|win|opts|noopts|data|len|urg");
            if (!known) throw new BadScript(where, "'" + k + "=' has no meaning in " + verb);
        }
        checkValues(where, verb, fields);
        return new Step(lineNumber, line, only, maybe, verb.equals("send") ? Kind.SEND : Kind.EXPECT, flags, optional,
                fields, 0, within, after);
    }

    /**
     * The values must read as ScriptedPeer reads them when it plays the step, so that a broken
     * value fails here (and in ./test.sh unit, ConformanceScriptsTest) rather than in the middle of
     * a conformance run: sequence numbers N, +N, -N or abs:N; a sent window, urgent pointer or
     * length N; an expected one *, N or A..B; options as options() and checkOptions read them.
     */
    private static void checkValues(String where, String verb, Map<String, String> fields) throws BadScript {
        for (Map.Entry<String, String> f : fields.entrySet()) {
            String k = f.getKey(), v = f.getValue();
            switch (k) {
                case "seq", "ack" -> {
                    if (v.startsWith("abs:")) unsigned32(where, k, v.substring(4)); else integer(where, k, v);
                }
                case "win", "urg", "len" -> {
                    if (verb.equals("send")) integer(where, k, v); else rangeSpec(where, k, v);
                }
                case "opts" -> {
                    if (verb.equals("send")) sentOptions(where, v); else expectedOptions(where, k, v);
                }
                case "noopts" -> expectedOptions(where, k, v);
                case "ecn" -> {
                    if (!verb.equals("send")) throw new BadScript(where, "ecn= is for send (the IP header's ECN field of what the peer sends)");
                    if (ecnField(v) < 0) throw new BadScript(where, "ecn= is not, ect0, ect1 or ce, not '" + v + "'");
                }
                default -> { } // data: any text
            }
        }
    }

    private static void sentOptions(String where, String spec) throws BadScript {
        try {
            options(spec, 0);
        } catch (RuntimeException e) {
            throw new BadScript(where, "opts=" + spec + " cannot be built: " + e.getMessage());
        }
    }

    /** opts=none, or kinds mss, ws, sackok, ts, each with an optional :RANGE, ts with :VAL:ECR (ScriptedPeer.checkOptions). */
    private static void expectedOptions(String where, String key, String spec) throws BadScript {
        if (spec.equals("none") && key.equals("opts")) return;
        for (String item : spec.split(",", -1)) {
            String[] kv = item.split(":", 2);
            if (!kv[0].matches("mss|ws|sackok|ts|sack|dsack"))
                throw new BadScript(where, key + "= knows mss, ws, sackok, ts, sack and dsack, not '" + kv[0] + "'");
            if (kv.length > 1 && kv[0].equals("mss") && kv[1].equals("link")) continue; // the link's MSS: 1460 (IPv4), 1440 (IPv6)
            if (kv.length > 1 && kv[0].equals("ts")) {
                for (String part : kv[1].split(":", 2)) rangeSpec(where, key + " ts", part); // ts:VAL:ECR
            } else if (kv.length > 1) {
                rangeSpec(where, key + " " + kv[0], kv[1]);
            }
        }
    }

    /** A send step's ecn=: the ECN field (RFC 3168 section 5) of its IP header; -1 for an unknown name. */
    static int ecnField(String name) {
        return switch (name) {
            case "not" -> 0;
            case "ect1" -> 1;
            case "ect0" -> 2;
            case "ce" -> 3;
            default -> -1;
        };
    }

    private static void integer(String where, String key, String text) throws BadScript {
        try {
            Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new BadScript(where, key + "=" + text + " is not a number");
        }
    }

    private static void unsigned32(String where, String key, String text) throws BadScript {
        try {
            if (Long.parseLong(text) >>> 32 != 0) throw new NumberFormatException();
        } catch (NumberFormatException e) {
            throw new BadScript(where, key + "=abs:" + text + " is not a number from 0 to 2^32-1");
        }
    }

    private static void rangeSpec(String where, String key, String spec) throws BadScript {
        try {
            if (spec.equals("*")) return;
            for (String bound : spec.split("\\.\\.", 2)) Integer.parseInt(bound); // both, which range() may not read
        } catch (NumberFormatException e) {
            throw new BadScript(where, key + "=" + spec + " is not *, N or A..B");
        }
    }

    /** "*", "N", "A..B" (inclusive). */
    static boolean range(String spec, int value) {
        if (spec.equals("*")) return true;
        int dots = spec.indexOf("..");
        if (dots < 0) return value == Integer.parseInt(spec);
        return value >= Integer.parseInt(spec.substring(0, dots)) && value <= Integer.parseInt(spec.substring(dots + 2));
    }

    /** opts=mss:1460,ws:7,sackok,sack:L-R:L-R,ts:1:0,nop,eol,raw:HEX: the option bytes, in the
     *  order written. SACK edges are relative to the target's ISN, as its sequence numbers are. */
    static byte[] options(String spec, int targetIsn) {
        if (spec.isEmpty()) return new byte[0];
        ByteBuffer b = ByteBuffer.allocate(64);
        for (String item : spec.split(",")) {
            String[] p = item.split(":");
            switch (p[0]) {
                case "mss" -> b.put((byte) 2).put((byte) 4).putShort((short) Integer.parseInt(p[1]));
                case "ws" -> b.put((byte) 3).put((byte) 3).put((byte) Integer.parseInt(p[1]));
                case "sackok" -> b.put((byte) 4).put((byte) 2);
                case "sack" -> {
                    b.put((byte) 5).put((byte) (2 + 8 * (p.length - 1)));
                    for (int i = 1; i < p.length; i++) {
                        String[] edges = p[i].split("-");
                        b.putInt(targetIsn + Integer.parseInt(edges[0])).putInt(targetIsn + Integer.parseInt(edges[1]));
                    }
                }
                case "ts" -> b.put((byte) 8).put((byte) 10).putInt((int) Long.parseLong(p[1])).putInt((int) Long.parseLong(p[2]));
                case "nop" -> b.put((byte) 1);
                case "eol" -> b.put((byte) 0);
                case "raw" -> b.put(HexFormat.of().parseHex(p[1]));
                default -> throw new IllegalArgumentException("unknown option '" + p[0] + "'");
            }
        }
        byte[] bytes = new byte[b.position()];
        b.flip().get(bytes);
        if (bytes.length > 40) throw new IllegalArgumentException("more than 40 bytes of options");
        return bytes;
    }

    private static void fields(String where, List<String> words, Map<String, String> fields) throws BadScript {
        for (String w : words) {
            int eq = w.indexOf('=');
            if (eq <= 0) throw new BadScript(where, "expected name=value, not '" + w + "'");
            fields.put(w.substring(0, eq), w.substring(eq + 1));
        }
    }

    static int flagBit(String where, String name) throws BadScript {
        return switch (name) {
            case "FIN" -> Packets.FIN;
            case "SYN" -> Packets.SYN;
            case "RST" -> Packets.RST;
            case "PSH" -> Packets.PSH;
            case "ACK" -> Packets.ACK;
            case "URG" -> Packets.URG;
            case "ECE" -> Packets.ECE;
            case "CWR" -> Packets.CWR;
            case "NONE" -> 0;
            default -> throw new BadScript(where, "unknown flag '" + name + "'");
        };
    }

    private static double number(String where, String text) throws BadScript {
        try {
            return Double.parseDouble(text);
        } catch (NumberFormatException e) {
            throw new BadScript(where, "not a number of seconds: '" + text + "'");
        }
    }

    /** Splits on spaces, keeping "double quoted" text (with \n, \" and \\ escapes) inside one word. */
    static List<String> split(String where, String line) throws BadScript {
        List<String> words = new ArrayList<>();
        StringBuilder w = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == '\\' && i + 1 < line.length()) {
                    char n = line.charAt(++i);
                    w.append(n == 'n' ? '\n' : n);
                } else if (c == '"') {
                    quoted = false;
                } else w.append(c);
            } else if (c == '"') {
                quoted = true;
                w.append('\u0000'); // marks "this value was quoted" for data=
            } else if (c == '#') {
                break;
            } else if (Character.isWhitespace(c)) {
                if (w.length() > 0) { words.add(w.toString()); w.setLength(0); }
            } else w.append(c);
        }
        if (quoted) throw new BadScript(where, "unterminated quote");
        if (w.length() > 0) words.add(w.toString());
        for (int i = 0; i < words.size(); i++) words.set(i, words.get(i).replace("\u0000", ""));
        return words;
    }
}
