import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Faults on purpose, for testing and for watching TCP recover: drops, delays, duplicates and
 * reorders packets. Pure decisions, no I/O: the caller hands each packet in and sends (or
 * processes) what comes back. Given the same seed and the same packets at the same times, it
 * decides the same way every time.
 *
 * What each option does:
 * <ul>
 * <li>{@code --drop-sent N[,N...]}: the N-th packet we send is not sent. Packets are counted from 1
 *     over the whole run: every connection, retransmissions and RSTs included.</li>
 * <li>{@code --drop-received N[,N...]}: the N-th packet we receive (a TCP segment for one of our
 *     ports, counted from 1 the same way) is thrown away before the state machine sees it.</li>
 * <li>{@code --loss-sent PCT}, {@code --loss-received PCT}: each packet sent, or received, is
 *     dropped with probability PCT percent (0 to 100, decimals allowed).</li>
 * <li>{@code --delay MS}: each packet we send goes out MS milliseconds later than we meant to,
 *     as if the path from us were MS ms longer (a round trip grows by MS).</li>
 * <li>{@code --duplicate PCT}: each packet we send goes out twice with probability PCT percent,
 *     the copy right after the original.</li>
 * <li>{@code --reorder PCT}: each packet we send is held back with probability PCT percent, and
 *     goes out right after the next packet we send, or after {@link #REORDER_HOLD_MILLIS} ms when
 *     no other packet comes first.</li>
 * </ul>
 * Delay, duplication and reordering act on sent packets only: what we receive has already
 * crossed a real network, and faults on one side keep the effect readable.
 *
 * A sent packet meets the options in this order: drop-sent, loss-sent, duplicate, reorder, delay.
 * Every option draws from its own random stream, one draw per packet whether or not it is used,
 * so adding --duplicate does not change which packets --loss-sent drops.
 *
 * Each decision is reported as one sentence, e.g. "Dropping our SYN (--drop-sent 1)"; the
 * caller says how a packet is named (its flags, say).
 *
 * @param <T> what a packet is for the caller: bytes, a segment, or a record with an address
 */
final class FaultInjector<T> {
    /** How long --reorder holds a packet when no other packet overtakes it. */
    static final long REORDER_HOLD_MILLIS = 100;

    /** The options, as given; the defaults inject nothing. */
    static final class Settings {
        Set<Integer> dropSent = new TreeSet<>();      // packet numbers, from 1
        Set<Integer> dropReceived = new TreeSet<>();
        double lossSentPercent;
        double lossReceivedPercent;
        long delayMillis;
        double duplicatePercent;
        double reorderPercent;

        /** True when any option is set, so the caller can skip the injector altogether. */
        boolean active() {
            return !dropSent.isEmpty() || !dropReceived.isEmpty() || lossSentPercent > 0 || lossReceivedPercent > 0
                    || delayMillis > 0 || duplicatePercent > 0 || reorderPercent > 0;
        }
    }

    /**
     * Parses "3" or "1,4,7" (an option's value) into packet numbers, each at least 1.
     * Throws IllegalArgumentException with a sentence for anything else.
     */
    static Set<Integer> packetNumbers(String text) {
        Set<Integer> numbers = new TreeSet<>();
        for (String part : text.split(",", -1)) {
            try {
                int n = Integer.parseInt(part.trim());
                if (n < 1) throw new NumberFormatException();
                numbers.add(n);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("packet numbers start at 1, separated by commas: not '" + text + "'");
            }
        }
        return numbers;
    }

    /** A packet held back, and when it is due. order keeps equal times in the order they were held. */
    private record Held<T>(T item, long due, long order) {}

    private final Settings settings;
    private final Function<T, String> name;
    private final Consumer<String> report;
    private final Random lossSent, lossReceived, duplicate, reorder;
    private final PriorityQueue<Held<T>> held = new PriorityQueue<>((x, y) -> x.due != y.due
            ? Long.compare(x.due, y.due) : Long.compare(x.order, y.order));
    private final List<Held<T>> reordered = new ArrayList<>(); // waiting for the next packet sent
    private int sentCount, receivedCount;
    private long holdOrder;

    /**
     * @param name   how a packet is named in reports, e.g. its flags: "SYN", "PSH-ACK"
     * @param report receives one sentence per fault injected
     */
    FaultInjector(Settings settings, long seed, Function<T, String> name, Consumer<String> report) {
        this.settings = settings;
        this.name = name;
        this.report = report;
        // One stream per option, each from its own seed derived from the one given.
        Random seeds = new Random(seed);
        lossSent = new Random(seeds.nextLong());
        lossReceived = new Random(seeds.nextLong());
        duplicate = new Random(seeds.nextLong());
        reorder = new Random(seeds.nextLong());
    }

    /**
     * A packet we are about to send at time now (milliseconds). Returns what to send now, in
     * order: nothing, the packet, the packet twice, or packets held back earlier that follow it.
     * Packets held for later come out of {@link #due}.
     */
    List<T> onSend(T item, long now) {
        int number = ++sentCount;
        boolean lost = chance(lossSent, settings.lossSentPercent);
        boolean twice = chance(duplicate, settings.duplicatePercent);
        boolean holdBack = chance(reorder, settings.reorderPercent);
        List<T> out = new ArrayList<>(3);
        if (settings.dropSent.contains(number)) {
            report.accept("Dropping our " + name.apply(item) + " (--drop-sent " + number + ")");
        } else if (lost) {
            report.accept("Dropping our " + name.apply(item) + " (--loss-sent " + percent(settings.lossSentPercent) + ")");
        } else {
            if (twice) report.accept("Duplicating our " + name.apply(item) + " (--duplicate " + percent(settings.duplicatePercent) + ")");
            List<T> copies = twice ? List.of(item, item) : List.of(item);
            if (holdBack) {
                report.accept("Holding back our " + name.apply(item) + " to send it after the next packet (--reorder "
                        + percent(settings.reorderPercent) + ")");
                for (T copy : copies) reordered.add(new Held<>(copy, now + REORDER_HOLD_MILLIS, holdOrder++));
                return out;
            }
            if (settings.delayMillis > 0) {
                report.accept("Delaying our " + name.apply(item) + " by " + settings.delayMillis + " ms (--delay "
                        + settings.delayMillis + ")");
                for (T copy : copies) held.add(new Held<>(copy, now + settings.delayMillis, holdOrder++));
            } else {
                out.addAll(copies);
            }
        }
        // A packet went out (or was meant to): the ones held back by --reorder follow it.
        List<Held<T>> overtaken = new ArrayList<>(reordered);
        reordered.clear();
        for (Held<T> h : overtaken) sendOrDelay(out, h.item(), now);
        return out;
    }

    private void sendOrDelay(List<T> out, T item, long now) {
        if (settings.delayMillis > 0) held.add(new Held<>(item, now + settings.delayMillis, holdOrder++));
        else out.add(item);
    }

    /** A packet we received at time now: true to process it, false when it is dropped. */
    boolean onReceive(T item, long now) {
        int number = ++receivedCount;
        boolean lost = chance(lossReceived, settings.lossReceivedPercent);
        if (settings.dropReceived.contains(number)) {
            report.accept("Dropping the received " + name.apply(item) + " (--drop-received " + number + ")");
            return false;
        }
        if (lost) {
            report.accept("Dropping the received " + name.apply(item) + " (--loss-received "
                    + percent(settings.lossReceivedPercent) + ")");
            return false;
        }
        return true;
    }

    /** The held packets whose time has come by now, in the order to send them. */
    List<T> due(long now) {
        List<T> out = new ArrayList<>();
        // --reorder's packets that no other packet overtook in time go out on their own.
        List<Held<T>> late = new ArrayList<>();
        for (Held<T> h : reordered) if (h.due() <= now) late.add(h);
        reordered.removeAll(late);
        for (Held<T> h : late) sendOrDelay(out, h.item(), h.due());
        while (!held.isEmpty() && held.peek().due() <= now) out.add(held.poll().item());
        return out;
    }

    /** When {@link #due} next has something, in milliseconds; Long.MAX_VALUE when nothing is held. */
    long nextDeadline() {
        long next = held.isEmpty() ? Long.MAX_VALUE : held.peek().due();
        for (Held<T> h : reordered) next = Math.min(next, h.due());
        return next;
    }

    /** True with probability percent/100; always draws, to keep each stream's packets aligned. */
    private static boolean chance(Random random, double percent) {
        double draw = random.nextDouble() * 100;
        return draw < percent;
    }

    private static String percent(double p) {
        return (p == Math.rint(p) ? String.valueOf((long) p) : String.valueOf(p)) + "%";
    }
}
