import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The Linux kernel's own TCP as a test peer, through java.net: not part of the product.
 *
 *   echo-server PORT [--close-first] [--count N]
 *       accepts, echoes what arrives; closes when the client closes, or right after the first
 *       reply with --close-first; exits after N connections (default 1). Prints "accepted HOST:PORT".
 *   client HOST PORT MESSAGE [--wait-close]
 *       connects, sends MESSAGE, reads as many bytes back, prints "echo: ...", then closes; with
 *       --wait-close it first waits for the server's FIN (end of stream).
 *   twice HOST PORT MESSAGE SECONDS [FILE]
 *       connects, prints "local port N", sends MESSAGE and reads the echo, waits SECONDS (or, with
 *       FILE, until FILE exists, at most SECONDS), then does it again and closes; exits 0 if both
 *       echoes were exact (a victim for blind attacks)
 *   clients N HOST PORT MESSAGE
 *       N clients at once in threads, each as above; prints "N/N echoed" and exits 0 if all did.
 */
final class KernelPeer {
    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "echo-server" -> echoServer(Integer.parseInt(args[1]), has(args, "--close-first"), intAfter(args, "--count", 1));
            case "client" -> System.exit(client(args[1], Integer.parseInt(args[2]), args[3], has(args, "--wait-close"), true) ? 0 : 1);
            case "twice" -> System.exit(twice(args[1], Integer.parseInt(args[2]), args[3], Double.parseDouble(args[4]),
                    args.length > 5 ? java.nio.file.Path.of(args[5]) : null) ? 0 : 1);
            case "clients" -> System.exit(clients(Integer.parseInt(args[1]), args[2], Integer.parseInt(args[3]), args[4]) ? 0 : 1);
            default -> throw new IllegalArgumentException(args[0]);
        }
    }

    static void echoServer(int port, boolean closeFirst, int count) throws IOException {
        try (ServerSocket server = new ServerSocket()) {
            server.setReuseAddress(true);
            server.bind(new InetSocketAddress(port), 512);
            System.out.println("listening " + port);
            System.out.flush();
            for (int i = 0; i < count; i++) {
                try (Socket s = server.accept()) {
                    System.out.println("accepted " + s.getInetAddress().getHostAddress() + ":" + s.getPort());
                    System.out.flush();
                    InputStream in = s.getInputStream();
                    OutputStream out = s.getOutputStream();
                    byte[] buf = new byte[65536];
                    int n;
                    while ((n = in.read(buf)) > 0) {
                        out.write(buf, 0, n);
                        out.flush();
                        System.out.println("echoed " + n + " bytes");
                        System.out.flush();
                        if (closeFirst) break;
                    }
                    System.out.println(closeFirst ? "closing first" : "client closed, closing");
                    System.out.flush();
                }
            }
        }
    }

    static boolean client(String host, int port, String message, boolean waitClose, boolean print) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), 10_000);
            s.setSoTimeout(10_000);
            byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
            s.getOutputStream().write(bytes);
            s.getOutputStream().flush();
            byte[] back = s.getInputStream().readNBytes(bytes.length);
            String echo = new String(back, StandardCharsets.UTF_8);
            if (print) System.out.println("echo: " + echo);
            if (waitClose) {
                int end = s.getInputStream().read();
                if (print) System.out.println(end == -1 ? "server closed" : "unexpected byte after the echo");
                if (end != -1) return false;
            }
            return echo.equals(message);
        } catch (IOException e) {
            if (print) System.out.println("error: " + e);
            return false;
        }
    }

    static boolean twice(String host, int port, String message, double pauseSeconds, java.nio.file.Path until) throws Exception {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), 10_000);
            s.setSoTimeout(20_000);
            System.out.println("local port " + s.getLocalPort());
            System.out.flush();
            byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
            for (int round = 1; round <= 2; round++) {
                s.getOutputStream().write(bytes);
                byte[] back = s.getInputStream().readNBytes(bytes.length);
                String echo = new String(back, StandardCharsets.UTF_8);
                System.out.println("echo " + round + ": " + echo);
                System.out.flush();
                if (!echo.equals(message)) return false;
                if (round == 1) pause(pauseSeconds, until);
            }
            return true;
        } catch (IOException e) {
            System.out.println("error: " + e);
            return false;
        }
    }

    /** Waits the seconds, or until the file exists (at most the seconds): the test says when to go on. */
    static void pause(double seconds, java.nio.file.Path until) throws InterruptedException {
        long end = System.nanoTime() + (long) (seconds * 1e9);
        if (until == null) {
            Thread.sleep((long) (seconds * 1000));
            return;
        }
        while (!java.nio.file.Files.exists(until) && System.nanoTime() < end) Thread.sleep(20);
    }

    static boolean clients(int n, String host, int port, String message) throws InterruptedException {
        AtomicInteger ok = new AtomicInteger();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String text = message + " #" + i;
            Thread t = new Thread(() -> { if (client(host, port, text, false, false)) ok.incrementAndGet(); });
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) t.join();
        System.out.println(ok.get() + "/" + n + " echoed");
        return ok.get() == n;
    }

    private static boolean has(String[] args, String flag) {
        for (String a : args) if (a.equals(flag)) return true;
        return false;
    }

    private static int intAfter(String[] args, String flag, int fallback) {
        for (int i = 0; i + 1 < args.length; i++) if (args[i].equals(flag)) return Integer.parseInt(args[i + 1]);
        return fallback;
    }
}
