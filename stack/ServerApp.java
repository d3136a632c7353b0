/**
 * What TcpServer does with each connection: echo what arrives (unless --no-echo), close when the
 * peer closes, or first after replying (--close-after-reply). With --count N it stops taking
 * connections after N handshakes and ends once those connections are closed.
 */
final class ServerApp implements TcpStack.Application {
    private final TcpStack stack;
    private final boolean echo;
    private final boolean closeAfterReply;
    private final int count; // 0: no limit
    private int handshakes;

    ServerApp(TcpStack stack, boolean echo, boolean closeAfterReply, int count) {
        this.stack = stack;
        this.echo = echo;
        this.closeAfterReply = closeAfterReply;
        this.count = count;
    }

    @Override public void established(TcpStack.Connection c) {
        handshakes++;
        if (count > 0 && handshakes >= count) stack.stopAccepting();
    }

    private final byte[] buffer = new byte[64 * 1024];

    /**
     * Echo: read only what we can send back now. When the peer does not read our echo, our send
     * buffer fills, we stop reading, our receive buffer fills and our window closes: the peer's
     * TCP then waits, and no memory grows (the echo server of a peer that never reads).
     */
    @Override public void readable(TcpStack.Connection c) {
        while (c.readable() > 0) {
            // After our FIN (--close-after-reply) the peer may still send: we take it, but may not answer.
            boolean answer = echo && c.canSend();
            int n = c.read(buffer, 0, answer ? Math.min(buffer.length, c.writable()) : buffer.length);
            if (n == 0) break;
            if (answer) c.write(buffer, 0, n);
            if (closeAfterReply) c.close();
        }
        if (c.atEndOfStream()) c.close();
    }

    /** The echo's room came back: read what waited. */
    @Override public void writable(TcpStack.Connection c) {
        if (c.readable() > 0) readable(c);
    }

    /** The peer has nothing more to send; once its data is echoed, neither have we. */
    @Override public void peerClosed(TcpStack.Connection c) {
        if (c.atEndOfStream()) c.close();
    }

    @Override public boolean keepRunning(long nowMillis) {
        return count == 0 || handshakes < count || stack.openConnections() > 0;
    }

}
