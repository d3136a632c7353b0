import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Any TCP server, given by address and ports: tcp:ADDRESS:ECHO[,NO_ECHO[,CLOSE]]. Nothing is
 * started or stopped: the server (a device on the bench, a program in another namespace) already
 * listens, with an echo on the first port and, when given, a server that reads and drops on the
 * second and one that echoes once then closes on the third. The peer's address is the one the
 * routing table picks to reach it (ip route get). Scenarios that need a client or a server
 * behaviour it lacks are reported as not run.
 */
final class AddressTarget extends Target {
    private final String text;
    private final int[] ports = {-1, -1, -1};

    private AddressTarget(String text) {
        super("tcp");
        this.text = text;
    }

    static AddressTarget parse(String spec) {
        int colon = spec.lastIndexOf(':');
        if (colon < 0) throw new IllegalArgumentException("tcp:ADDRESS:PORT[,PORT,PORT], not tcp:" + spec);
        AddressTarget t = new AddressTarget(spec);
        t.serverAddress = t.clientAddress = IpAddress.parse(spec.substring(0, colon));
        String[] ports = spec.substring(colon + 1).split(",");
        if (ports.length > 3) throw new IllegalArgumentException("at most three ports: echo, no-echo, close");
        for (int i = 0; i < ports.length; i++) t.ports[i] = Integer.parseInt(ports[i]);
        return t;
    }

    @Override String version() { return "the TCP server at " + text; }

    @Override void start(List<Script> scripts, List<Integer> clientPorts) throws Exception {
        serverPeerAddress = clientPeerAddress = sourceAddressTowards(serverAddress.toString());
    }

    /** The source address this host uses to reach the address: "ip route get A" says "src S". */
    static IpAddress sourceAddressTowards(String address) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("ip", "route", "get", address).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(5, TimeUnit.SECONDS);
        Matcher m = Pattern.compile("\\bsrc (\\d+\\.\\d+\\.\\d+\\.\\d+)").matcher(out);
        if (!m.find()) throw new IllegalStateException("no route to " + address + ": " + out.strip());
        return IpAddress.parse(m.group(1));
    }

    @Override int serverPort(Script.Target behaviour) { return behaviour.isServer() ? ports[behaviour.ordinal()] : -1; }

    @Override boolean canConnect() { return false; }

    @Override Process startClient(int peerPort, String message, Path output) {
        throw new UnsupportedOperationException("a tcp: target is a server only");
    }

    @Override void checkAlive() { }

    @Override void stop() { }
}
