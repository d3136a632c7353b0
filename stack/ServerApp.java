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

    @Override public void received(TcpStack.Connection c, byte[] data) {
        // After our FIN (--close-after-reply) the peer may still send: we take it, but may not answer.
        if (echo && c.canSend()) c.send(data);
        if (closeAfterReply) c.close();
    }

    /** The peer has nothing more to send; neither have we. */
    @Override public void peerClosed(TcpStack.Connection c) {
        c.close();
    }

    @Override public boolean keepRunning(long nowMillis) {
        return count == 0 || handshakes < count || stack.openConnections() > 0;
    }

}
