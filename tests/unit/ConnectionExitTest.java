import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Every way out of a connection leaves no deadline behind: ABORT in each state, a RST in each
 * state, giving up (R2), the end of TIME-WAIT, and FIN-WAIT-2's timeout. Each starts from a
 * connection whose timers are as busy as they get (data in flight: the retransmission timer and
 * the tail loss probe; data received: a delayed ACK), so a timer that an exit forgets shows as a
 * deadline on a CLOSED connection, which a stack would keep waking up for.
 */
final class ConnectionExitTest {
    static final int C = 1000, S = 5000;
    static final long NEVER = TcpConnection.NEVER;

    /** The defaults (Nagle, delayed ACKs, 1 s RTO), with a window that needs no scaling. */
    static TcpConfig config() {
        return TcpConfig.defaults().withReceiveBuffer(65535).withWindowScaling(false);
    }

    public static void main(String[] args) {
        Check.suite("Connection exits leave no timer");
        aborts();
        resets();
        timeouts();
        Check.finish();
    }

    record Busy(String name, Supplier<Target> make) {}

    record Target(FakeLink link, FakeLink.Side side) {}

    /** An established pair where the client has three segments in flight and the server owes a delayed ACK. */
    static FakeLink busyEstablished() {
        FakeLink link = new FakeLink(config());
        link.server.listen(S);
        link.client.open(C);
        link.deliverAll();
        link.client.send(new byte[4000]);     // three segments, none delivered: RTO and TLP run
        link.deliverNext(link.client);        // one reaches the server: its ACK may wait (delayed)
        return link;
    }

    static List<Busy> busyStates() {
        List<Busy> states = new ArrayList<>();
        states.add(new Busy("SYN-SENT", () -> {
            FakeLink link = new FakeLink(config());
            link.client.open(C);
            return new Target(link, link.client);
        }));
        states.add(new Busy("SYN-RECEIVED", () -> {
            FakeLink link = new FakeLink(config());
            link.server.listen(S);
            link.client.open(C);
            link.deliverNext(link.client);
            return new Target(link, link.server);
        }));
        states.add(new Busy("ESTABLISHED (sending)", () -> {
            FakeLink link = busyEstablished();
            return new Target(link, link.client);
        }));
        states.add(new Busy("ESTABLISHED (receiving)", () -> {
            FakeLink link = busyEstablished();
            return new Target(link, link.server);
        }));
        states.add(new Busy("FIN-WAIT-1", () -> {
            FakeLink link = busyEstablished();
            link.client.close();
            return new Target(link, link.client);
        }));
        states.add(new Busy("FIN-WAIT-2", () -> {
            FakeLink link = busyEstablished();
            link.client.close();
            link.deliverAll();
            return new Target(link, link.client);
        }));
        states.add(new Busy("CLOSE-WAIT", () -> {
            FakeLink link = busyEstablished();
            link.client.close();
            link.deliverAll();
            link.server.send(new byte[4000]);
            return new Target(link, link.server);
        }));
        states.add(new Busy("LAST-ACK", () -> {
            FakeLink link = busyEstablished();
            link.client.close();
            link.deliverAll();
            link.server.send(new byte[4000]);
            link.server.close();
            return new Target(link, link.server);
        }));
        return states;
    }

    static void aborts() {
        for (Busy busy : busyStates()) {
            Check.test("3.10.5 ABORT in " + busy.name() + ": CLOSED, and no deadline left", () -> {
                Target t = busy.make().get();
                Check.isTrue(t.side().conn.nextDeadline() != NEVER, "setup: a timer runs before the abort");
                t.side().abort("test");
                Check.equal(TcpState.CLOSED, t.side().state(), "state");
                Check.equal(NEVER, t.side().conn.nextDeadline(), "the earliest deadline after ABORT");
            });
        }
    }

    static void resets() {
        for (Busy busy : busyStates()) {
            if (busy.name().equals("SYN-SENT")) continue; // a RST there needs an acceptable ACK: see below
            Check.test("3.10.7.4 second: a RST at RCV.NXT in " + busy.name() + ": CLOSED, and no deadline left", () -> {
                Target t = busy.make().get();
                TcpConnection conn = t.side().conn;
                t.side().inject(t.side().fromPeer(conn.rcvNxt(), 0, Packets.RST, 0, new byte[0]));
                Check.equal(TcpState.CLOSED, t.side().state(), "state");
                Check.equal(NEVER, conn.nextDeadline(), "the earliest deadline after the RST");
            });
        }
        Check.test("3.10.7.3 second: a RST with an acceptable ACK in SYN-SENT: refused, and no deadline left", () -> {
            FakeLink link = new FakeLink(config());
            link.client.open(C);
            link.client.inject(link.client.fromPeer(0, C + 1, Packets.RST | Packets.ACK, 0, new byte[0]));
            Check.equal(TcpEvent.CloseReason.REFUSED, link.client.closedEvent().reason(), "Closed reason");
            Check.equal(NEVER, link.client.conn.nextDeadline(), "the earliest deadline after the RST");
        });
    }

    static void timeouts() {
        Check.test("3.8.3 R2: giving up on data nobody acknowledges: CLOSED, and no deadline left", () -> {
            FakeLink link = busyEstablished();
            link.dropEvery(link.client, s -> true);
            link.client.conn.close(link.now, link.client); // the FIN waits behind the data: FIN-WAIT-1
            link.advance(400_000);
            Check.equal(TcpEvent.CloseReason.NO_ANSWER, link.client.closedEvent().reason(), "Closed reason");
            Check.equal(NEVER, link.client.conn.nextDeadline(), "the earliest deadline after giving up");
        });

        Check.test("3.10.8 TIME-WAIT TIMEOUT: CLOSED after 2 MSL, and no deadline left", () -> {
            FakeLink link = busyEstablished();
            link.client.close();
            link.deliverAll();
            link.server.close();
            link.runUntilQuiet();
            TcpEvent.Closed closed = link.client.closedEvent();
            Check.isTrue(closed != null && closed.detail().contains("TIME-WAIT"), "the client ended its TIME-WAIT: " + closed);
            Check.equal(NEVER, link.client.conn.nextDeadline(), "the client's earliest deadline");
            Check.equal(NEVER, link.server.conn.nextDeadline(), "the server's earliest deadline");
        });

        Check.test("FIN-WAIT-2 timeout: the peer never sends its FIN: CLOSED, and no deadline left", () -> {
            FakeLink link = busyEstablished();
            link.client.close();
            link.runUntilQuiet(); // the server stays in CLOSE-WAIT; the client waits in FIN-WAIT-2 until it gives up
            Check.equal(TcpEvent.CloseReason.FIN_TIMEOUT, link.client.closedEvent().reason(), "Closed reason");
            Check.equal(NEVER, link.client.conn.nextDeadline(), "the earliest deadline after FIN-WAIT-2's timeout");
        });
    }
}
