import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Keeps the kernel's own TCP from answering our peers while we run.
 *
 * Every TCP segment that reaches this host goes to our packet socket and also to the kernel's TCP.
 * The kernel has no connection for our ports, so it answers each SYN (at a server) and each
 * SYN-ACK (at a client) with a RST, which would kill the connection we are making by hand. This
 * class adds an nftables table, named after this process, that drops outgoing RSTs from our ports
 * unless they carry our raw socket's firewall mark: the kernel's RSTs go, ours (sent on purpose)
 * pass. For ports that are ours alone, a prerouting rule also drops what arrives for them before
 * the kernel's TCP sees it (our packet socket has its copy by then), which spares the kernel a
 * socket lookup and a RST for every segment. The table is removed when the program ends
 * (normally, or by SIGINT or SIGTERM), and tables left by processes that died (SIGKILL) are
 * removed at start.
 */
final class RstGuard implements AutoCloseable {
    /** The SO_MARK our raw socket puts on its packets ("RT"). */
    static final int MARK = 0x5254;
    static final String TABLE_PREFIX = "tcpbyhand_";

    private final String table;
    private boolean installed;

    private RstGuard(String table) {
        this.table = table;
    }

    /** Thrown when nft is missing or refuses: the message says what to do. */
    static final class GuardException extends Exception {
        private static final long serialVersionUID = 1L;
        GuardException(String message) { super(message); }
    }

    /** Installs the table for these local ports; a no-op for an empty set of ports. */
    static RstGuard install(String role, Collection<Integer> ports) throws GuardException {
        return install(role, ports, null);
    }

    /**
     * Installs the table for these local ports on one local address (null or 0.0.0.0 or ::: every
     * address of that version, null of both). A server
     * bound to one address (--bind) owns its port there only: a SYN to another local address on
     * the same port is the kernel's to answer, with a RST, as it answers for a kernel listener
     * bound the same way; so only RSTs from the bound address are dropped.
     */
    static RstGuard install(String role, Collection<Integer> ports, IpAddress localAddress) throws GuardException {
        if (ports.isEmpty()) return new RstGuard(TABLE_PREFIX + ProcessHandle.current().pid());
        return install(role, ports.stream().sorted().map(String::valueOf).collect(Collectors.joining(", ")), localAddress, true);
    }

    /** Installs the table for the ports from first to last, which kernel sockets may use too. */
    static RstGuard installRange(String role, int first, int last) throws GuardException {
        return installRange(role, first, last, false);
    }

    /**
     * The same; ownsPorts when no kernel socket can have one of them (a benchmark's namespace
     * of its own), so that what arrives for them is kept from the kernel's TCP as well.
     */
    static RstGuard installRange(String role, int first, int last, boolean ownsPorts) throws GuardException {
        return install(role, first + "-" + last, null, ownsPorts);
    }

    /**
     * The rule's match: "ip saddr 198.18.0.1 tcp sport { 5000 }" ("ip6 saddr fd00::1 ..." for
     * IPv6), or without the address for any.
     */
    static String match(String portSet, IpAddress localAddress) {
        return address("saddr", localAddress) + "tcp sport { " + portSet + " }";
    }

    /** "ip saddr 198.18.0.1 " (or daddr, ip6 for IPv6), or nothing for any address. */
    private static String address(String field, IpAddress localAddress) {
        return localAddress == null || localAddress.isAny() ? ""
                : (localAddress.isV6() ? "ip6 " : "ip ") + field + " " + localAddress + " ";
    }

    /**
     * The prerouting rule's match: segments to our ports ("ip daddr 198.18.0.1 tcp dport { 5000 }").
     * Our packet socket has its copy before prerouting; dropping the kernel's spares its TCP the
     * socket lookup and the RST it would build for each of our segments (the output rule stays for
     * anything that slips past, such as a segment that arrived before the table).
     */
    static String incoming(String portSet, IpAddress localAddress) {
        return address("daddr", localAddress) + "tcp dport { " + portSet + " }";
    }

    /**
     * ownsPorts: the ports are ours alone (each held by a PortReservation), so what arrives for them
     * is dropped before the kernel's TCP too. A range (a benchmark's or the conformance peer's) is
     * not reserved: a kernel socket in the same namespace may be given one of its ports, and only
     * the RSTs are dropped there.
     */
    private static RstGuard install(String role, String portSet, IpAddress localAddress, boolean ownsPorts) throws GuardException {
        long pid = ProcessHandle.current().pid();
        RstGuard guard = new RstGuard(TABLE_PREFIX + pid);
        removeStaleTables();
        String script = "table inet " + guard.table + " {\n"
                + "  comment \"tcp-by-hand " + role + " (pid " + pid + "): keeps the kernel's TCP off our ports\"\n"
                + (ownsPorts ? "  chain prerouting {\n"
                + "    type filter hook prerouting priority raw; policy accept;\n"
                + "    " + incoming(portSet, localAddress) + " drop\n"
                + "  }\n" : "")
                + "  chain output {\n"
                + "    type filter hook output priority 0; policy accept;\n"
                + "    " + match(portSet, localAddress) + " tcp flags & rst == rst meta mark != " + String.format("0x%x", MARK) + " drop\n"
                + "  }\n"
                + "}\n";
        run(script, "-f", "-");
        guard.installed = true;
        return guard;
    }

    /** Deletes tables of ours whose process no longer exists. */
    static void removeStaleTables() throws GuardException {
        Pattern name = Pattern.compile("table inet (" + TABLE_PREFIX + "(\\d+))");
        Matcher m = name.matcher(run(null, "list", "tables"));
        while (m.find()) {
            long pid = Long.parseLong(m.group(2));
            if (ProcessHandle.of(pid).isEmpty()) {
                try {
                    run(null, "delete", "table", "inet", m.group(1));
                } catch (GuardException ignored) {
                    // another process removed it first
                }
            }
        }
    }

    String tableName() { return table; }

    /** Removes the table; safe to call more than once and from a shutdown hook. */
    @Override
    public synchronized void close() {
        if (!installed) return;
        installed = false;
        try {
            run(null, "delete", "table", "inet", table);
        } catch (GuardException e) {
            System.err.println("warning: could not remove nftables table " + table + ": " + e.getMessage());
        }
    }

    /** Runs nft with a time limit; its output goes to a file, so a stuck nft cannot block us. */
    private static String run(String input, String... args) throws GuardException {
        String nft = findNft();
        List<String> command = new ArrayList<>();
        command.add(nft);
        command.addAll(List.of(args));
        File output = null;
        try {
            output = File.createTempFile("tcpbyhand-nft", ".out");
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output).start();
            if (input != null) p.getOutputStream().write(input.getBytes(StandardCharsets.UTF_8));
            p.getOutputStream().close();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new GuardException("nft " + String.join(" ", args) + " did not finish within 10 s");
            }
            String text = Files.readString(output.toPath(), StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                throw new GuardException("nft " + String.join(" ", args) + " failed: " + text.strip().replace('\n', ' '));
            }
            return text;
        } catch (IOException e) {
            throw new GuardException("could not run nft: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new GuardException("interrupted while running nft");
        } finally {
            if (output != null) output.delete();
        }
    }

    private static String findNft() throws GuardException {
        for (String dir : List.of("/usr/sbin", "/sbin", "/usr/bin", "/bin", "/usr/local/sbin")) {
            File f = new File(dir, "nft");
            if (f.canExecute()) return f.getPath();
        }
        throw new GuardException("nft (nftables) is not installed; it is needed to keep the kernel's RSTs away: "
                + "install it with 'apt-get install nftables', or run with --no-rst-guard and manage the firewall yourself");
    }
}
