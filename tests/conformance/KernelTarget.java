import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * The Linux kernel's TCP as a conformance target, through java.net, behaving as our own programs do
 * so that the two stacks are compared under the same application:
 *
 *   servers ECHO_PORT NO_ECHO_PORT CLOSE_PORT
 *       three listeners, like TcpServer, TcpServer --no-echo and TcpServer --close-after-reply:
 *       each connection in its own thread; echo what arrives / read and drop it / echo the first
 *       read then close; close when the peer closes. Prints "listening".
 *   client HOST PORT MESSAGE
 *       like TcpClient HOST --port PORT --message MESSAGE: connects, sends, reads the reply, closes.
 */
final class KernelTarget {
    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "servers" -> {
                ServerSocket echo = listen(Integer.parseInt(args[1]));
                ServerSocket noEcho = listen(Integer.parseInt(args[2]));
                ServerSocket close = listen(Integer.parseInt(args[3]));
                start(echo, "echo");
                start(noEcho, "no-echo");
                start(close, "close");
                System.out.println("listening");
                System.out.flush();
                Thread.currentThread().join(); // until SIGTERM
            }
            case "client" -> client(args[1], Integer.parseInt(args[2]), args[3]);
            default -> throw new IllegalArgumentException(args[0]);
        }
    }

    private static ServerSocket listen(int port) throws IOException {
        ServerSocket s = new ServerSocket();
        s.setReuseAddress(true);
        s.bind(new InetSocketAddress(port), 128);
        return s;
    }

    private static void start(ServerSocket server, String mode) {
        Thread acceptor = new Thread(() -> {
            while (true) {
                try {
                    Socket s = server.accept();
                    Thread t = new Thread(() -> serve(s, mode));
                    t.setDaemon(true);
                    t.start();
                } catch (IOException e) {
                    return;
                }
            }
        });
        acceptor.setDaemon(true);
        acceptor.start();
    }

    private static void serve(Socket s, String mode) {
        try (s) {
            System.out.println(mode + ": accepted " + s.getInetAddress().getHostAddress() + ":" + s.getPort());
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            byte[] buf = new byte[65536];
            int n;
            while ((n = in.read(buf)) > 0) {
                if (!mode.equals("no-echo")) out.write(buf, 0, n);
                if (mode.equals("close")) break;
            }
            System.out.println(mode + ": closing " + s.getPort());
        } catch (IOException e) {
            System.out.println(mode + ": " + e.getMessage());
        }
    }

    private static void client(String host, int port, String message) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), 10_000);
            s.setSoTimeout(10_000);
            byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
            s.getOutputStream().write(bytes);
            byte[] back = s.getInputStream().readNBytes(bytes.length);
            System.out.println("reply: " + new String(back, StandardCharsets.UTF_8));
        } catch (IOException e) {
            System.out.println("error: " + e);
        }
    }
}
