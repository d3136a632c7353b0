import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One scenario played against every target: per target, the peer's result, or why it did not run,
 * and the verdict the report shows.
 */
final class Outcome {
    enum Verdict {
        AS_RFC("as the RFC"), DEPARTS("departs (documented)"), DIFFERS("differs"), NOT_RUN("not run");
        final String words;
        Verdict(String words) { this.words = words; }
    }

    /** A target's part: played (result) or not (notRun says why); trouble: what went wrong with the
     *  target itself during the scenario (a crash), or null. */
    record Part(ScriptedPeer.Result result, String notRun, String trouble) {
        Part(ScriptedPeer.Result result, String notRun) { this(result, notRun, null); }
    }

    final Script script;
    final Map<String, Part> parts = new LinkedHashMap<>();
    /** Stacks whose differences are reported but do not fail the scenario. */
    final List<String> informative;

    Outcome(Script script, List<String> informative) {
        this.script = script;
        this.informative = informative;
    }

    /**
     * differs: the stack broke the script (its own branch included). departs: it followed the script,
     * and the script notes where this stack departs from the RFC ("NAME-vs-rfc:"). as the RFC: it
     * followed the script, which is written in the RFC's terms (a branch of its own, with its
     * reason, is another behaviour the RFC allows). A target that crashed during the scenario
     * differs unless the script notes it.
     */
    Verdict verdict(String target) {
        Part p = parts.get(target);
        if (p == null || p.result() == null) return Verdict.NOT_RUN;
        if (!p.result().passed()) return Verdict.DIFFERS;
        if (script.departures.containsKey(target)) return Verdict.DEPARTS;
        return p.trouble() == null ? Verdict.AS_RFC : Verdict.DIFFERS; // a crash nobody documented
    }

    /** A stack that is not informative differs. */
    boolean failed() {
        return parts.keySet().stream().anyMatch(t -> verdict(t) == Verdict.DIFFERS && !informative.contains(t));
    }

    boolean anyDiffers() {
        return parts.keySet().stream().anyMatch(t -> verdict(t) == Verdict.DIFFERS);
    }

    /** "as the RFC: ours kernel; departs (documented): gvisor; differs: lwip". */
    String summary() {
        Map<Verdict, List<String>> by = new LinkedHashMap<>();
        for (Verdict v : Verdict.values()) by.put(v, new ArrayList<>());
        for (String t : parts.keySet()) by.get(verdict(t)).add(informative.contains(t) ? t + " (informative)" : t);
        List<String> pieces = new ArrayList<>();
        by.forEach((v, names) -> { if (!names.isEmpty()) pieces.add(v.words + ": " + String.join(" ", names)); });
        return String.join("; ", pieces);
    }

    /** Whether the stacks took different steps here, or some departed or failed: worth a section. */
    boolean interesting() {
        return !script.branched().isEmpty() || !script.departures.isEmpty() || anyDiffers()
                || parts.values().stream().anyMatch(p -> p.trouble() != null);
    }
}
