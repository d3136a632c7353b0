import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Standard input and output for --stdio, as netcat uses them, without blocking the loop: one
 * thread reads standard input into a bounded queue, another writes a bounded queue to standard
 * output. The loop only polls and offers, never waits. Both queues are bounded (CHUNKS chunks of
 * at most CHUNK bytes), so a fast peer and a slow pipe cannot grow our memory: when standard
 * output blocks, the queue fills, the application stops reading from the connection, and our
 * receive window closes.
 */
final class StandardStreams {
    static final int CHUNK = 64 * 1024;
    static final int CHUNKS = 16;
    private static final byte[] END = new byte[0];

    private final BlockingQueue<byte[]> fromStdin = new ArrayBlockingQueue<>(CHUNKS);
    private final BlockingQueue<byte[]> toStdout = new ArrayBlockingQueue<>(CHUNKS);
    private byte[] pendingIn;      // a chunk taken from stdin, partly handed out
    private int pendingInOffset;
    private volatile boolean stdinEnded;
    private boolean stdinEndSeen;
    private volatile IOException stdoutError;
    private final Thread reader, writer;
    private long bytesIn, bytesOut;

    StandardStreams(InputStream in, OutputStream out) {
        reader = new Thread(() -> readAll(in), "stdin");
        writer = new Thread(() -> writeAll(out), "stdout");
        reader.setDaemon(true);
        writer.setDaemon(true);
    }

    static StandardStreams forProcess() {
        return new StandardStreams(System.in, new FileOutputStream(FileDescriptor.out));
    }

    void start() {
        reader.start();
        writer.start();
    }

    private void readAll(InputStream in) {
        try {
            byte[] buffer = new byte[CHUNK];
            for (int n; (n = in.read(buffer)) >= 0; ) {
                if (n > 0) fromStdin.put(Arrays.copyOf(buffer, n));
            }
        } catch (IOException | InterruptedException e) {
            // an unreadable standard input ends like an empty one
        }
        stdinEnded = true;
        try {
            fromStdin.put(END);
        } catch (InterruptedException ignored) {
            Thread.currentThread().interrupt();
        }
    }

    private void writeAll(OutputStream out) {
        try {
            while (true) {
                byte[] chunk = toStdout.take();
                if (chunk == END) break;
                out.write(chunk);
                if (toStdout.isEmpty()) out.flush();
            }
            out.flush();
        } catch (IOException e) {
            stdoutError = e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---------------------------------------------------------------- the loop's side

    /** Copies up to len bytes read from standard input into dst; 0 when none is waiting now. */
    int takeInput(byte[] dst, int off, int len) {
        if (pendingIn == null) {
            byte[] next = fromStdin.poll();
            if (next == null) return 0;
            if (next == END) { stdinEndSeen = true; return 0; }
            pendingIn = next;
            pendingInOffset = 0;
        }
        int n = Math.min(len, pendingIn.length - pendingInOffset);
        System.arraycopy(pendingIn, pendingInOffset, dst, off, n);
        pendingInOffset += n;
        if (pendingInOffset == pendingIn.length) pendingIn = null;
        bytesIn += n;
        return n;
    }

    /** Standard input ended and every byte of it was taken. */
    boolean inputFinished() {
        if (!stdinEndSeen && pendingIn == null && stdinEnded && fromStdin.peek() == END) {
            fromStdin.poll();
            stdinEndSeen = true;
        }
        return stdinEndSeen && pendingIn == null;
    }

    /** Room for one more chunk of output now. */
    boolean outputHasRoom() {
        return toStdout.remainingCapacity() > 0 && stdoutError == null;
    }

    /** Queues a chunk for standard output (the caller checked outputHasRoom). */
    void offerOutput(byte[] chunk) {
        if (!toStdout.offer(chunk)) throw new IllegalStateException("standard output queue full");
        bytesOut += chunk.length;
    }

    /** The error that made standard output unwritable (a closed pipe), or null. */
    IOException outputError() { return stdoutError; }

    long bytesIn() { return bytesIn; }
    long bytesOut() { return bytesOut; }

    /** Ends standard output once everything queued was written; waits at most timeoutMillis. */
    void finishOutput(long timeoutMillis) {
        try {
            if (toStdout.offer(END, timeoutMillis, TimeUnit.MILLISECONDS)) writer.join(timeoutMillis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
