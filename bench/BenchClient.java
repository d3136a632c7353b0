import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Our client, driven hard: many handshakes through the real stack (TcpStack, TcpConnection, raw
 * sockets), timed from the SYN's sending to ESTABLISHED. Each connection is then aborted with a
 * RST, so neither side keeps state and ports can be used again at once (the kernel baseline closes
 * with SO_LINGER 0, a RST too).
 *
 *   run HOST PORT HANDSHAKES IN_FLIGHT [WARMUP]
 *                                        after WARMUP handshakes that are not counted, prints
 *                                        handshakes=, seconds=, rate=, median_us=, p99_us=
 *   hold HOST PORT COUNT                 opens COUNT connections and keeps them open, idle, until a
 *                                        line arrives on standard input
 *
 * Source ports come from 20000-60999, which the bench's own network namespace leaves free, and one
 * nftables table keeps the kernel's TCP off all of them (the segments that arrive, the RSTs it sends).
 */
final class BenchClient {
    static final int FIRST_PORT = 20000, LAST_PORT = 60999;

    public static void main(String[] args) throws Exception {
        IpAddress server = IpAddress.parse(args[1]);
        int port = Integer.parseInt(args[2]);
        Log log = new Log("Bench", false, true);
        Route.Info route = Route.lookup(server);
        Set<Integer> ports = IntStream.rangeClosed(FIRST_PORT, LAST_PORT).boxed().collect(Collectors.toSet());
        TcpStack.Settings settings = new TcpStack.Settings();
        settings.tcp = TcpConfig.defaults().withMss(Route.mssFor(route.mtu(), server.isV6()));
        settings.nameConnections = true;
        settings.spinMicros = Integer.getInteger("spin.us", settings.spinMicros);
        try (RawSocket socket = RawSocket.open(RstGuard.MARK);
             RstGuard guard = RstGuard.installRange("bench client", FIRST_PORT, LAST_PORT, true)) {
            if (server.isV6()) socket.enableIpv6();
            socket.setReceiveBuffer(8 << 20);
            socket.attachReceiveFilter(PortFilter.forDestinationPorts(ports));
            socket.attachIpv6ReceiveFilter(PortFilter.forIpv6DestinationPorts(ports));
            TcpStack stack = new TcpStack(settings, socket, log, null, ports);
            if (args[0].equals("run")) {
                int warmup = args.length > 5 ? Integer.parseInt(args[5]) : 0;
                warmUp(stack, route.sourceAddress(), server, port, warmup, Integer.parseInt(args[4]), Integer.parseInt(args[3]));
                run(stack, route.sourceAddress(), server, port, Integer.parseInt(args[3]), Integer.parseInt(args[4]), true);
            } else {
                hold(stack, route.sourceAddress(), server, port, Integer.parseInt(args[3]));
            }
        }
    }

    /**
     * Handshakes that are not counted, in rounds of warmup, until a round makes the JIT compile
     * next to nothing (under 5 ms; at most 5 rounds), each followed by a wait for the compiler to
     * finish: the figures are the steady state, as a long-running server's are. No source port is
     * used twice in one run (the rounds stop before the warm-up and the measured handshakes would
     * need more ports than the range has): a connection whose RST the server missed under 1000 in
     * flight would meet its port again, and that handshake wait for the SYN's retransmission (1 s).
     */
    static void warmUp(TcpStack stack, IpAddress source, IpAddress server, int port, int warmup, int inFlight,
                       int measured) throws Exception {
        java.lang.management.CompilationMXBean jit = java.lang.management.ManagementFactory.getCompilationMXBean();
        // After the first round, the ports left over are shared among four more at most.
        int later = Math.min(warmup, Math.max(0, LAST_PORT - FIRST_PORT + 1 - measured - warmup) / 4);
        for (int round = 0; warmup > 0 && round < 5 && (round == 0 || later >= inFlight); round++) {
            long before = jit == null ? 0 : jit.getTotalCompilationTime();
            run(stack, source, server, port, round == 0 ? warmup : later, inFlight, false);
            awaitQuietCompiler();
            if (jit == null || jit.getTotalCompilationTime() - before < 5) return;
        }
    }

    /**
     * Waits, at most 10 s, until the JIT compiler has finished its work: 300 ms in which its total
     * compilation time stood still. The warm-up makes the handshake's code hot; its compiles (C2's
     * take up to 200 ms each) then run on the CPU the client is pinned to, and a measurement that
     * starts before they end puts them in the tail: a histogram showed 4-8 ms handshakes at the
     * 99.9th percentile, with no GC and one safepoint in the run, until this wait.
     */
    static void awaitQuietCompiler() throws InterruptedException {
        java.lang.management.CompilationMXBean jit = java.lang.management.ManagementFactory.getCompilationMXBean();
        if (jit == null || !jit.isCompilationTimeMonitoringSupported()) return;
        long deadline = System.nanoTime() + 10_000_000_000L, last = -1;
        int still = 0;
        while (System.nanoTime() < deadline && still < 3) {
            long now = jit.getTotalCompilationTime();
            still = now == last ? still + 1 : 0;
            last = now;
            Thread.sleep(100);
        }
    }

    private static int nextPort = FIRST_PORT; // kept across runs, so a warm-up's ports are not reused at once

    static void run(TcpStack stack, IpAddress source, IpAddress server, int port, int handshakes, int inFlight, boolean print) throws Exception {
        long[] latencies = new long[handshakes];
        long[] startTimes = new long[handshakes];        // System.nanoTime() at each SYN, to match with GC and JIT logs
        int[] started = {0}, done = {0}, failed = {0};
        long[] startedAt = new long[LAST_PORT + 1];
        TcpStack.Application app = new TcpStack.Application() {
            void startOne() {
                if (started[0] >= handshakes) return;
                started[0]++;
                int p = nextPort;
                nextPort = p == LAST_PORT ? FIRST_PORT : p + 1;
                startedAt[p] = System.nanoTime();
                stack.connect(source, p, server, port);
            }

            @Override public void established(TcpStack.Connection c) {
                startTimes[done[0]] = startedAt[c.tuple.localPort()];
                latencies[done[0]++] = System.nanoTime() - startedAt[c.tuple.localPort()];
                c.abort("benchmark");
                startOne();
            }

            @Override public void closed(TcpStack.Connection c, TcpEvent.Closed how) {
                if (!c.established) { failed[0]++; startOne(); }
            }

            @Override public boolean keepRunning(long now) {
                while (started[0] - done[0] - failed[0] < inFlight && started[0] < handshakes) startOne();
                return done[0] + failed[0] < handshakes;
            }
        };
        java.lang.management.CompilationMXBean jit = java.lang.management.ManagementFactory.getCompilationMXBean();
        long jitBefore = jit == null ? 0 : jit.getTotalCompilationTime();
        long t0 = System.nanoTime();
        stack.run(app);
        if (!print) return;
        long jitMillis = jit == null ? 0 : jit.getTotalCompilationTime() - jitBefore;
        double seconds = (System.nanoTime() - t0) / 1e9;
        long[] sorted = Arrays.copyOf(latencies, done[0]);
        Arrays.sort(sorted);
        System.out.printf("handshakes=%d failed=%d seconds=%.3f rate=%.0f median_us=%.1f p99_us=%.1f p90_us=%.1f p999_us=%.1f max_us=%.1f jit_ms=%d%n",
                done[0], failed[0], seconds, done[0] / seconds, percentile(sorted, 50), percentile(sorted, 99),
                percentile(sorted, 90), percentile(sorted, 99.9), sorted.length == 0 ? Double.NaN : sorted[sorted.length - 1] / 1000.0, jitMillis);
        if (Boolean.getBoolean("bench.histogram")) System.out.println(histogram(sorted));
        String slowLog = System.getProperty("bench.times");
        if (slowLog != null) writeTimes(slowLog, startTimes, latencies, done[0]);
    }

    /** "histogram_us=" then upper bound:count for each bucket of doubling width from 8 us. */
    static String histogram(long[] sortedNanos) {
        StringBuilder h = new StringBuilder("histogram_us=");
        int i = 0;
        for (long bound = 8; i < sortedNanos.length; bound *= 2) {
            int n = 0;
            while (i < sortedNanos.length && sortedNanos[i] < bound * 1000) { i++; n++; }
            if (n > 0) h.append(h.length() > 13 ? "," : "").append("<").append(bound).append(':').append(n);
        }
        return h.toString();
    }

    /**
     * Every handshake, one line each: "start_ns end_ns latency_us index",
     * with System.nanoTime() values (CLOCK_MONOTONIC, as the JVM's -Xlog 'tn' decorator prints), so
     * that they can be laid beside both programs' GC, safepoint and JIT logs.
     */
    static void writeTimes(String file, long[] starts, long[] latencies, int n) throws java.io.IOException {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < n; i++) {
            out.append(starts[i]).append(' ').append(starts[i] + latencies[i]).append(' ')
                    .append(String.format("%.1f", latencies[i] / 1000.0)).append(' ').append(i).append('\n');
        }
        java.nio.file.Files.writeString(java.nio.file.Path.of(file), out);
    }

    static double percentile(long[] sortedNanos, double p) {
        if (sortedNanos.length == 0) return Double.NaN;
        int i = (int) Math.min(sortedNanos.length - 1, Math.ceil(p / 100 * sortedNanos.length) - 1);
        return sortedNanos[Math.max(0, i)] / 1000.0;
    }

    /** Opens count connections, at most 100 opening at a time, and keeps them idle until released. */
    static void hold(TcpStack stack, IpAddress source, IpAddress server, int port, int count) throws Exception {
        List<TcpStack.Connection> open = new ArrayList<>();
        int[] started = {0}, established = {0}, lost = {0};
        boolean[] release = {false};
        Thread stdin = new Thread(() -> {
            try {
                new BufferedReader(new InputStreamReader(System.in)).readLine();
            } catch (java.io.IOException ignored) {
                // end of input releases too
            }
            release[0] = true;
        });
        stdin.setDaemon(true);
        TcpStack.Application app = new TcpStack.Application() {
            boolean announced;

            @Override public void established(TcpStack.Connection c) { established[0]++; }

            @Override public void closed(TcpStack.Connection c, TcpEvent.Closed how) {
                if (!release[0]) lost[0]++;
            }

            @Override public boolean keepRunning(long now) {
                while (started[0] < count && started[0] - established[0] - lost[0] < 100) {
                    open.add(stack.connect(source, FIRST_PORT + started[0], server, port));
                    started[0]++;
                }
                if (!announced && established[0] + lost[0] == count) {
                    announced = true;
                    // Only connections that are still open count: a lost one would flatter the heap figure.
                    System.out.println((lost[0] == 0 ? "established " : "lost " + lost[0] + " of ") + count);
                    System.out.flush();
                    stdin.start();
                }
                if (release[0]) {
                    for (TcpStack.Connection c : open) c.abort("released");
                    return false;
                }
                return true;
            }
        };
        stack.run(app);
        System.out.println("released");
    }
}
