import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Predicate;

/**
 * An in-memory network joining two {@link TcpConnection}s, a client and a server, with a fake clock.
 *
 * Each side is a {@link Side}: the connection plus the {@link TcpConnection.Output} that records, in
 * order, every segment it transmits and every event it reports. A transmitted segment goes into the
 * queue of its direction (client to server, server to client) and stays there until the test
 * delivers it. Nothing moves by itself: the test delivers segments one by one ({@link #deliverNext}),
 * all of them ({@link #deliverAll}), or lets the link run ({@link #runUntilQuiet}), which also moves
 * the clock to the next timer deadline and calls onTimer, as a real stack's loop would.
 *
 * Faults: drop the head of a queue, drop the next segment a side transmits that matches a predicate
 * ("the next SYN-ACK"), drop every such segment, duplicate or swap queued segments, inject a crafted
 * segment, or lose, duplicate and reorder segments at random with a seeded generator.
 *
 * Time: {@link #now} is in milliseconds and starts at 0. Each segment arrives {@link #oneWayDelay}
 * ms after it was sent (0 by default). Only the link moves the clock.
 */
final class FakeLink {
    static final int CLIENT_PORT = 40000, SERVER_PORT = 8080;
    static final long NEVER = TcpConnection.NEVER;
    private static final int STEP_LIMIT = 1_000_000;
    /** Every state change any link saw in this run ("SYN_SENT->ESTABLISHED"), for the coverage test. */
    static final java.util.Set<String> EDGES_TAKEN = new java.util.TreeSet<>();
    /** An edge left out of EDGES_TAKEN on purpose: StateTableTest shows that the coverage test then fails. */
    private static final String FORGOTTEN_EDGE = System.getenv("FAKELINK_FORGET_EDGE");

    /** A segment on the wire. */
    private static final class InFlight {
        Packets.Tcp segment;
        final long arriveAt;
        final long order; // transmit order across both directions, for fair delivery
        int ecn;          // the IP header's ECN field (RFC 3168), as the link delivers it

        InFlight(Packets.Tcp segment, long arriveAt, long order) {
            this.segment = segment;
            this.arriveAt = arriveAt;
            this.order = order;
        }
    }

    private record Rule(Predicate<Packets.Tcp> match, boolean once) {}

    private record Action(long at, long order, Runnable body) {}

    /** One end of the link: a connection and the record of what it did. */
    final class Side implements TcpConnection.Output {
        final String name;
        final TcpConnection conn;
        Side peer;
        /** Every segment this side transmitted (including those the link then lost), in order. */
        final List<Packets.Tcp> sent = new ArrayList<>();
        /** The fake time of each transmission in {@link #sent}. */
        final List<Long> sentAt = new ArrayList<>();
        /** The IP header's ECN field of each transmission in {@link #sent} (RFC 3168: Ecn.NOT_ECT, ECT_0...). */
        final List<Integer> sentEcn = new ArrayList<>();
        /** ECN-capable segments this side sends that match are marked CE on the way (a congested router). */
        Predicate<Packets.Tcp> markCe = s -> false;
        /** Every event, in order. */
        final List<TcpEvent> events = new ArrayList<>();
        /** Segments and events interleaved, in the order they came out. */
        final List<Object> log = new ArrayList<>();
        /** Segments this side transmitted that the link lost on purpose or at random. */
        final List<Packets.Tcp> lost = new ArrayList<>();
        /** The in-order data this side's user read. */
        final ByteArrayOutputStream received = new ByteArrayOutputStream();
        /** The user reads whatever arrives (true), or reads nothing until told (a slow reader). */
        boolean reading = true;
        private final List<InFlight> queue = new ArrayList<>(); // toward the peer
        private final List<Rule> rules = new ArrayList<>();

        private Side(String name, TcpConnection conn) {
            this.name = name;
            this.conn = conn;
        }

        @Override public void transmit(Packets.Tcp segment) { transmit(segment, Ecn.NOT_ECT); }

        @Override public void transmit(Packets.Tcp segment, int ipEcn) {
            sent.add(segment);
            sentAt.add(now);
            sentEcn.add(ipEcn);
            if ((ipEcn == Ecn.ECT_0 || ipEcn == Ecn.ECT_1) && markCe.test(segment)) ipEcn = Ecn.CE;
            log.add(segment);
            for (int i = 0; i < rules.size(); i++) {
                Rule rule = rules.get(i);
                if (rule.match().test(segment)) {
                    if (rule.once()) rules.remove(i);
                    lost.add(segment);
                    return;
                }
            }
            if (random == null) {
                enqueue(segment, ipEcn);
                return;
            }
            if (random.nextDouble() < lossRate) {
                lost.add(segment);
                return;
            }
            enqueue(segment, ipEcn);
            if (random.nextDouble() < duplicateRate) enqueue(segment, ipEcn);
            if (queue.size() >= 2 && random.nextDouble() < reorderRate) swap(queue.size() - 2, queue.size() - 1);
        }

        @Override public void event(TcpEvent event) {
            events.add(event);
            if (event instanceof TcpEvent.StateChanged c && !(c.from() + "->" + c.to()).equals(FORGOTTEN_EDGE)) {
                EDGES_TAKEN.add(c.from() + "->" + c.to());
            }
            log.add(event);

        }

        private void enqueue(Packets.Tcp segment, int ipEcn) {
            InFlight f = new InFlight(segment, now + oneWayDelay, order++);
            f.ecn = ipEcn;
            queue.add(f);
        }

        private void swap(int i, int j) {
            Packets.Tcp t = queue.get(i).segment;
            queue.get(i).segment = queue.get(j).segment;
            queue.get(j).segment = t;
            int e = queue.get(i).ecn;
            queue.get(i).ecn = queue.get(j).ecn;
            queue.get(j).ecn = e;
        }

        // ---- user calls, at the link's current time

        void open(int iss) { conn.open(iss, now, this); }
        void listen(int iss) { conn.listen(iss, this); }
        void send(byte[] data) { conn.send(data, now, this); }
        void send(String text) { send(text.getBytes(StandardCharsets.UTF_8)); }
        void close() { conn.close(now, this); }
        void abort(String why) { conn.abort(why, this); }

        // ---- observations

        TcpState state() { return conn.state(); }
        byte[] receivedBytes() { return received.toByteArray(); }
        String receivedText() { return received.toString(StandardCharsets.UTF_8); }

        /** Segments transmitted toward the peer and not delivered yet, head first. */
        List<Packets.Tcp> queued() {
            List<Packets.Tcp> result = new ArrayList<>();
            for (InFlight f : queue) result.add(f.segment);
            return result;
        }

        /** A position in {@link #sent}, to look at what was transmitted after it. */
        int mark() { return sent.size(); }

        List<Packets.Tcp> sentSince(int mark) { return new ArrayList<>(sent.subList(mark, sent.size())); }

        Packets.Tcp lastSent() {
            if (sent.isEmpty()) throw new IllegalStateException(name + " sent nothing");
            return sent.get(sent.size() - 1);
        }

        /** State changes as "FROM->TO" with the RFC's names, in order. */
        List<String> stateChanges() {
            List<String> result = new ArrayList<>();
            for (TcpEvent e : events) {
                if (e instanceof TcpEvent.StateChanged c) result.add(c.from().rfcName() + "->" + c.to().rfcName());
            }
            return result;
        }

        <T extends TcpEvent> List<T> eventsOf(Class<T> type) {
            List<T> result = new ArrayList<>();
            for (TcpEvent e : events) if (type.isInstance(e)) result.add(type.cast(e));
            return result;
        }

        /** The Closed event, or null while the connection lives. */
        TcpEvent.Closed closedEvent() {
            List<TcpEvent.Closed> closed = eventsOf(TcpEvent.Closed.class);
            return closed.isEmpty() ? null : closed.get(closed.size() - 1);
        }

        /** A segment as the peer would send it to this side (ports filled in). */
        Packets.Tcp fromPeer(int seq, int ack, int flags, int window, byte[] payload, List<Packets.TcpOption> options) {
            return Packets.Tcp.of(conn.remotePort, conn.localPort, seq, ack, flags, window, options, payload);
        }

        Packets.Tcp fromPeer(int seq, int ack, int flags, int window, byte[] payload) {
            return fromPeer(seq, ack, flags, window, payload, List.of());
        }

        /** Hands a crafted segment to this side now, bypassing the queues. */
        void inject(Packets.Tcp segment) {
            inject(segment, 0);
        }

        /** inject() for a packet the link coalesced (GRO) from segments of segmentSize bytes. */
        void inject(Packets.Tcp segment, int segmentSize) {
            conn.onSegment(segment, Ecn.NOT_ECT, segmentSize, now, this);
            settle(); // no application in between but the reader: the owed ACK goes at once
        }

        /** What a stack does after each call: the user reads what arrived, then an owed ACK goes. */
        void settle() {
            if (reading) readAll();
            conn.flushAck(this);
        }

        /** The user reads everything waiting; returns how many bytes. */
        int readAll() {
            byte[] buffer = new byte[65536];
            int total = 0;
            for (int n; (n = conn.read(buffer, 0, buffer.length, now, this)) > 0; total += n) received.write(buffer, 0, n);
            return total;
        }

        @Override public String toString() { return name; }
    }

    /** The current fake time in milliseconds. */
    long now;
    /** How long a segment takes to cross the link, each way. */
    long oneWayDelay;
    final Side client, server;

    private long order;
    private Random random;
    private double lossRate, duplicateRate, reorderRate;
    private final List<Action> actions = new ArrayList<>();
    private Runnable afterEachStep = () -> { };

    FakeLink(TcpConfig config) {
        this(config, config);
    }

    FakeLink(TcpConfig clientConfig, TcpConfig serverConfig) {
        client = new Side("client", new TcpConnection(clientConfig, CLIENT_PORT, SERVER_PORT));
        server = new Side("server", new TcpConnection(serverConfig, SERVER_PORT, CLIENT_PORT));
        client.peer = server;
        server.peer = client;
    }

    // ------------------------------------------------------------------ faults

    /** From now on, each segment is lost with probability loss, else queued twice with probability
     *  duplicate, and swapped with the segment queued just before it with probability reorder. */
    FakeLink randomize(long seed, double loss, double duplicate, double reorder) {
        random = new Random(seed);
        lossRate = loss;
        duplicateRate = duplicate;
        reorderRate = reorder;
        return this;
    }

    /** The next segment {@code from} transmits that matches is lost (checked at transmission). */
    void dropNext(Side from, Predicate<Packets.Tcp> match) { from.rules.add(new Rule(match, true)); }

    /** Every segment {@code from} transmits that matches is lost, from now on. */
    void dropEvery(Side from, Predicate<Packets.Tcp> match) { from.rules.add(new Rule(match, false)); }

    /** Loses the segment at the head of {@code from}'s queue and returns it. */
    Packets.Tcp dropHead(Side from) {
        InFlight f = head(from);
        from.queue.remove(0);
        from.lost.add(f.segment);
        return f.segment;
    }

    /** Puts a copy of the head of {@code from}'s queue right behind it. */
    void duplicateHead(Side from) {
        InFlight f = head(from);
        InFlight copy = new InFlight(f.segment, f.arriveAt, f.order);
        copy.ecn = f.ecn;
        from.queue.add(1, copy);
    }

    /** Swaps the first two segments of {@code from}'s queue. */
    void swapHead(Side from) {
        if (from.queue.size() < 2) throw new IllegalStateException(from + " has fewer than 2 segments queued");
        from.swap(0, 1);
    }

    /** Forgets every segment in flight, both ways. */
    void clearQueues() {
        client.queue.clear();
        server.queue.clear();
    }

    // ------------------------------------------------------------------ delivery and time

    /** Delivers the head of {@code from}'s queue to its peer and returns it; the peer's owed ACK goes at once. */
    Packets.Tcp deliverNext(Side from) {
        Packets.Tcp segment = deliver(from);
        from.peer.settle();
        return segment;
    }

    /** Delivers without flushing the owed ACK: step() flushes it after the application reacted, as TcpStack does. */
    private Packets.Tcp deliver(Side from) {
        InFlight f = head(from);
        from.queue.remove(0);
        now = Math.max(now, f.arriveAt);
        from.peer.conn.onSegment(f.segment, f.ecn, now, from.peer);
        return f.segment;
    }

    /** Delivers queued segments, oldest first, until both queues are empty. No timer runs. */
    int deliverAll() {
        int count = 0;
        for (Side from = earliestQueue(); from != null; from = earliestQueue()) {
            deliverNext(from);
            if (++count > STEP_LIMIT) throw new IllegalStateException("the two sides never stop talking");
        }
        return count;
    }

    /** Runs {@code body} at fake time {@code at} (or now, if that is past), inside the event loop. */
    void at(long at, Runnable body) { actions.add(new Action(at, order++, body)); }

    /** Called after every step of {@link #step}, e.g. an application reacting to what arrived. */
    void afterEachStep(Runnable hook) { afterEachStep = hook; }

    /** The time of the next event: an arrival, a scheduled action or a timer deadline; NEVER if none. */
    long nextEventTime() {
        long t = NEVER;
        Side from = earliestQueue();
        if (from != null) t = Math.max(now, from.queue.get(0).arriveAt);
        Action a = earliestAction();
        if (a != null) t = Math.min(t, Math.max(now, a.at()));
        long deadline = Math.min(client.conn.nextDeadline(), server.conn.nextDeadline());
        if (deadline != NEVER) t = Math.min(t, Math.max(now, deadline));
        return t;
    }

    /**
     * One thing happens: the earliest of an arrival, a scheduled action or a timer (ties in that
     * order). The clock moves to its time. Returns false when nothing is left to happen.
     */
    boolean step() {
        long t = nextEventTime();
        if (t == NEVER) return false;
        Side from = earliestQueue();
        Action a = earliestAction();
        if (from != null && Math.max(now, from.queue.get(0).arriveAt) == t) {
            deliver(from);
        } else if (a != null && Math.max(now, a.at()) == t) {
            actions.remove(a);
            now = t;
            a.body().run();
        } else {
            now = t;
            if (client.conn.nextDeadline() <= now) client.conn.onTimer(now, client);
            if (server.conn.nextDeadline() <= now) server.conn.onTimer(now, server);
        }
        afterEachStep.run();
        client.settle();
        server.settle();
        return true;
    }

    /** Steps until nothing is in flight, scheduled or due: delivers everything and runs every timer. */
    void runUntilQuiet() {
        int steps = 0;
        while (step()) {
            if (++steps > STEP_LIMIT) throw new IllegalStateException("the link never became quiet");
        }
    }

    /** Steps through everything that happens up to {@code time}, then sets the clock to it. */
    void advanceTo(long time) {
        int steps = 0;
        while (nextEventTime() <= time) {
            step();
            if (++steps > STEP_LIMIT) throw new IllegalStateException("too much happens before " + time);
        }
        now = Math.max(now, time);
    }

    void advance(long millis) { advanceTo(now + millis); }

    private InFlight head(Side from) {
        if (from.queue.isEmpty()) throw new IllegalStateException("nothing queued from " + from);
        return from.queue.get(0);
    }

    private Side earliestQueue() {
        Side best = null;
        for (Side s : List.of(client, server)) {
            if (s.queue.isEmpty()) continue;
            if (best == null) { best = s; continue; }
            InFlight a = s.queue.get(0), b = best.queue.get(0);
            if (a.arriveAt < b.arriveAt || (a.arriveAt == b.arriveAt && a.order < b.order)) best = s;
        }
        return best;
    }

    private Action earliestAction() {
        Action best = null;
        for (Action a : actions) {
            if (best == null || a.at() < best.at() || (a.at() == best.at() && a.order() < best.order())) best = a;
        }
        return best;
    }

    // ------------------------------------------------------------------ segment kinds, for predicates

    static boolean isSyn(Packets.Tcp s) { return s.isSyn() && !s.isAck(); }
    static boolean isSynAck(Packets.Tcp s) { return s.isSyn() && s.isAck(); }
    static boolean isFin(Packets.Tcp s) { return s.isFin(); }
    static boolean isRst(Packets.Tcp s) { return s.isRst(); }
    static boolean hasData(Packets.Tcp s) { return s.payload().length > 0; }
    /** An ACK with nothing else: no data, no SYN, FIN or RST. */
    static boolean isPureAck(Packets.Tcp s) {
        return s.isAck() && !s.isSyn() && !s.isFin() && !s.isRst() && s.payload().length == 0;
    }
}
