import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The Linux kernel's TCP, through java.net, for the baseline of the benchmark.
 *
 *   server PORT                          accepts and closes, forever
 *   client HOST PORT HANDSHAKES THREADS [WARMUP]
 *                                        THREADS threads connect one after another; each
 *                                        connect() is timed; then closed with a RST (SO_LINGER 0).
 *                                        After WARMUP uncounted handshakes, prints the same fields
 *                                        as BenchClient.
 */
final class KernelBench {
    public static void main(String[] args) throws Exception {
        if (args[0].equals("server")) server(Integer.parseInt(args[1]));
        else {
            int warmup = args.length > 5 ? Integer.parseInt(args[5]) : 0;
            if (warmup > 0) client(args[1], Integer.parseInt(args[2]), warmup, Integer.parseInt(args[4]), false);
            client(args[1], Integer.parseInt(args[2]), Integer.parseInt(args[3]), Integer.parseInt(args[4]), true);
        }
    }

    static void server(int port) throws IOException {
        try (ServerSocket server = new ServerSocket()) {
            server.setReuseAddress(true);
            server.bind(new InetSocketAddress(port), 4096);
            System.out.println("listening " + port);
            System.out.flush();
            while (true) {
                Socket s = server.accept();
                s.setSoLinger(true, 0);
                s.close();
            }
        }
    }

    static void client(String host, int port, int handshakes, int threads, boolean print) throws Exception {
        InetSocketAddress address = new InetSocketAddress(host, port);
        long[] latencies = new long[handshakes];
        AtomicInteger next = new AtomicInteger(), failed = new AtomicInteger();
        Thread[] workers = new Thread[threads];
        long t0 = System.nanoTime();
        for (int t = 0; t < threads; t++) {
            workers[t] = new Thread(() -> {
                int i;
                while ((i = next.getAndIncrement()) < handshakes) {
                    try (Socket s = new Socket()) {
                        long start = System.nanoTime();
                        s.connect(address, 10_000);
                        latencies[i] = System.nanoTime() - start;
                        s.setSoLinger(true, 0);
                    } catch (IOException e) {
                        latencies[i] = -1;
                        failed.incrementAndGet();
                    }
                }
            });
            workers[t].start();
        }
        for (Thread w : workers) w.join();
        if (!print) return;
        double seconds = (System.nanoTime() - t0) / 1e9;
        long[] ok = Arrays.stream(latencies).filter(l -> l >= 0).sorted().toArray();
        System.out.printf("handshakes=%d failed=%d seconds=%.3f rate=%.0f median_us=%.1f p99_us=%.1f%n",
                ok.length, failed.get(), seconds, ok.length / seconds,
                BenchClient.percentile(ok, 50), BenchClient.percentile(ok, 99));
    }
}
