import java.util.Comparator;
import java.util.TreeSet;

/**
 * The connections that have a timer, earliest deadline first, for the loop to sleep until the
 * first one and to run those that are due. Each connection appears once, under the deadline its
 * state machine named (TcpConnection.nextDeadline) when it was last rescheduled; connections with
 * the same deadline keep the order in which they were opened.
 */
final class TimerQueue {
    private final TreeSet<TcpStack.Connection> queue = new TreeSet<>(
            Comparator.comparingLong((TcpStack.Connection c) -> c.scheduledDeadline).thenComparingLong(c -> c.id));

    /** Files c under the deadline its state machine names now (or takes it out: NEVER). */
    void reschedule(TcpStack.Connection c) {
        long deadline = c.tcp.nextDeadline();
        if (deadline == c.scheduledDeadline) return;
        unschedule(c);
        if (deadline == TcpConnection.NEVER) return;
        c.scheduledDeadline = deadline;
        queue.add(c);
    }

    void unschedule(TcpStack.Connection c) {
        if (c.scheduledDeadline == TcpConnection.NEVER) return;
        queue.remove(c); // found under its current deadline, so remove before changing it
        c.scheduledDeadline = TcpConnection.NEVER;
    }

    /** The earliest deadline, or Long.MAX_VALUE when no connection has a timer. */
    long nextDeadline() {
        return queue.isEmpty() ? Long.MAX_VALUE : queue.first().scheduledDeadline;
    }

    /** Takes out and returns a connection whose deadline is at or before now, or null when none is due. */
    TcpStack.Connection pollDue(long now) {
        if (queue.isEmpty() || queue.first().scheduledDeadline > now) return null;
        TcpStack.Connection c = queue.pollFirst();
        c.scheduledDeadline = TcpConnection.NEVER;
        return c;
    }
}
