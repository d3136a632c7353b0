import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * A TCP implementation the scripted peer plays scenarios against. As a server it listens on up to
 * three ports (Script.Target's echo, no-echo and close behaviours); as a client it connects to the
 * peer's port, sends a message, reads the reply and closes. Each target has its own addresses: the
 * ones its segments come from, and the peer's on the same link.
 *
 * The kinds: our TCP and the kernel's (JavaTarget, in the server namespace); another stack
 * brought up by tests/stacks/stack.sh (StackTarget); any TCP server given by address and port
 * (AddressTarget).
 */
abstract class Target {
    /** As the report and the scripts' branches name it: ours, kernel, gvisor, lwip, slirp, passt, tcp. */
    final String name;
    /** The target's address and the peer's, as a server and as a client. */
    IpAddress serverAddress, serverPeerAddress, clientAddress, clientPeerAddress;

    Target(String name) { this.name = name; }

    /** What implementation and version this is, for the report. */
    abstract String version();

    /** Brings the target up; servers start when some of the scenarios need them. clientPorts are the
     *  peer ports its client scenarios will use (a stack may have to know them in advance). */
    abstract void start(List<Script> scripts, List<Integer> clientPorts) throws Exception;

    /** The port of the server with this behaviour, or -1 when this target has none. */
    abstract int serverPort(Script.Target behaviour);

    /** Whether this target can open connections (the client scenarios). */
    abstract boolean canConnect();

    /** Starts a client that connects to the peer's port, sends the message, reads it back, closes. */
    abstract Process startClient(int peerPort, String message, Path output) throws IOException;

    /** Throws when a server of this target died: every later result would be meaningless. */
    abstract void checkAlive() throws IOException;

    /** Stops everything start() started. Called once, also on the way out after a failure. */
    abstract void stop();

    /** Null while the target runs as it should, else what went wrong (a helper process that
     *  crashed): the runner then notes it in the scenario that just ran and calls restart(). */
    String trouble() { return null; }

    /** Brings the target up again after trouble(), for the scenarios that follow. */
    void restart() throws Exception { throw new UnsupportedOperationException(name + " cannot restart"); }

    /** Why a scenario cannot run against this target, or null when it can. */
    String cannotRun(Script s) {
        int ip = serverAddress == null || !serverAddress.isV6() ? 4 : 6;
        if (s.ip != 0 && s.ip != ip) return "an IPv" + s.ip + " scenario" + (s.ipWhy.isEmpty() ? "" : " (" + s.ipWhy + ")");
        if (s.target.isServer() && serverPort(s.target) < 0)
            return "no '" + s.target.words + "' server (" + name + " offers " + offers() + ")";
        if (!s.target.isServer() && !canConnect()) return "not a client";
        return null;
    }

    private String offers() {
        StringBuilder b = new StringBuilder();
        for (Script.Target t : Script.Target.values())
            if (t.isServer() && serverPort(t) >= 0) b.append(b.length() == 0 ? "" : ", ").append(t.words);
        return b.length() == 0 ? "no server" : b.toString();
    }

    /** A target named on the command line: ours, kernel, one of StackTarget.STACKS, or
     *  tcp:ADDRESS:ECHO_PORT[,NO_ECHO_PORT[,CLOSE_PORT]] for any TCP server. */
    static Target parse(String spec, Conformance.Setup setup) {
        // The other stacks' links (tests/stacks/stack.sh) and a tcp: target's address are IPv4 only.
        if (setup.ip == 6 && !spec.equals("ours") && !spec.equals("kernel"))
            throw new IllegalArgumentException("--ip 6 plays against ours and kernel only; '" + spec + "' is IPv4 only here");
        if (spec.equals("ours") || spec.equals("kernel")) return new JavaTarget(spec, setup);
        if (StackTarget.STACKS.contains(spec)) return new StackTarget(spec, setup);
        if (spec.startsWith("tcp:")) return AddressTarget.parse(spec.substring(4));
        throw new IllegalArgumentException("unknown target '" + spec + "': ours, kernel, " + String.join(", ", StackTarget.STACKS)
                + ", or tcp:ADDRESS:PORT[,PORT,PORT]");
    }
}
