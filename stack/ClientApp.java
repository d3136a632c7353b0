import java.util.ArrayList;
import java.util.List;

/**
 * What TcpClient does on each of its connections: the handshake; with --message, send the text and
 * wait until as many bytes came back (the server echoes); then close (unless --no-close). A
 * connection succeeds when it closed normally after all of that.
 */
final class ClientApp implements TcpStack.Application {
    private final TcpStack stack;
    private final Log log;
    private final byte[] message;      // null: handshake only
    private final boolean close;
    private final long timeoutMillis;  // for the handshake, and then for the reply

    /** What we keep per connection. */
    static final class Session {
        long deadline;
        int bytesBack;
        boolean replyDiffers;
        boolean finished, succeeded;
        String failure;
    }

    private final List<TcpStack.Connection> all = new ArrayList<>();

    ClientApp(TcpStack stack, Log log, byte[] message, boolean close, long timeoutMillis) {
        this.stack = stack;
        this.log = log;
        this.message = message;
        this.close = close;
        this.timeoutMillis = timeoutMillis;
    }

    void add(TcpStack.Connection c) {
        Session s = new Session();
        s.deadline = stack.now() + timeoutMillis;
        c.data = s;
        all.add(c);
    }

    private static Session session(TcpStack.Connection c) {
        return (Session) c.data;
    }

    @Override public void established(TcpStack.Connection c) {
        session(c).deadline = message == null ? Long.MAX_VALUE : stack.now() + timeoutMillis;
        if (message != null) c.send(message);
        else if (close) c.close();
    }

    private final byte[] buffer = new byte[64 * 1024];

    @Override public void readable(TcpStack.Connection c) {
        for (int n; (n = c.read(buffer, 0, buffer.length)) > 0; ) received(c, java.util.Arrays.copyOf(buffer, n));
        if (c.atEndOfStream() && c.tcp.state() == TcpState.CLOSE_WAIT) c.close();
    }

    private void received(TcpStack.Connection c, byte[] data) {
        Session s = session(c);
        if (message != null) {
            // The server echoes: what comes back must be the message, byte for byte.
            for (int i = 0; i < data.length; i++) {
                int at = s.bytesBack + i;
                if (at >= message.length || data[i] != message[at]) s.replyDiffers = true;
            }
        }
        s.bytesBack += data.length;
        if (message != null && s.bytesBack >= message.length) {
            s.deadline = Long.MAX_VALUE;
            if (close) c.close();
        }
    }

    @Override public void peerClosed(TcpStack.Connection c) {
        if (c.atEndOfStream()) c.close();
    }

    @Override public void closed(TcpStack.Connection c, TcpEvent.Closed how) {
        Session s = session(c);
        s.finished = true;
        boolean replied = message == null || s.bytesBack >= message.length;
        s.succeeded = how.reason() == TcpEvent.CloseReason.NORMAL && c.established && replied && !s.replyDiffers;
        if (!s.succeeded && s.failure == null) {
            s.failure = s.replyDiffers ? "the reply from " + c.peer() + " differs from the message" : switch (how.reason()) {
                case REFUSED -> "connection refused";
                case NORMAL -> replied ? "closed before the handshake completed" : "closed before the reply arrived";
                default -> Narrator.closedLine(how, c.peer());
            };
            // Refusals, resets and timeouts were narrated as they happened; these were not.
            if (s.replyDiffers || how.reason() == TcpEvent.CloseReason.NORMAL) log.always(c.who(), "Error: " + s.failure);
        }
    }

    @Override public boolean keepRunning(long now) {
        boolean open = false;
        for (TcpStack.Connection c : all) {
            Session s = session(c);
            if (s.finished) continue;
            if (now >= s.deadline) {
                s.failure = (c.established ? "No reply from " : "No answer from ") + c.peer()
                        + " within " + Narrator.seconds(timeoutMillis);
                log.info(c.who(), s.failure);
                s.deadline = Long.MAX_VALUE;
                c.abort("timeout");
            }
            if (!s.finished) open = true;
        }
        // --no-close: stay until the peer closes or Ctrl-C.
        return open;
    }

    int succeeded() {
        int n = 0;
        for (TcpStack.Connection c : all) if (session(c).succeeded) n++;
        return n;
    }

    int total() { return all.size(); }
}
