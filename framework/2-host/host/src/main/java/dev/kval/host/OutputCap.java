package dev.kval.host;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The copy of a command's stdout or stderr that its {@link ExecResult} holds, capped: past the cap the bytes are only
 * counted, and {@link #check} turns that into an error that says what to do. Callers that need more stream the output
 * (exec with out/err) to a file as it arrives.
 */
public final class OutputCap extends OutputStream {
    /** Bytes of a command's stdout (and, apart, stderr) kept in memory on any host; default 64 MiB. */
    public static final String PROPERTY = "kval.exec.max-output";
    static final long DEFAULT = 64L << 20;

    private final long cap;
    private final ByteArrayOutputStream buf = new ByteArrayOutputStream();
    private long seen;

    public OutputCap(long cap) {
        this.cap = cap;
    }

    /** A capture with the configured cap. */
    public static OutputCap configured() {
        return new OutputCap(limit());
    }

    public static long limit() {
        return Long.getLong(PROPERTY, DEFAULT);
    }

    @Override
    public synchronized void write(int b) {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
        seen += len;
        long room = cap - buf.size();
        if (room > 0) {
            buf.write(b, off, (int) Math.min(room, len));
        }
    }

    public synchronized boolean overflowed() {
        return seen > cap;
    }

    public synchronized long seen() {
        return seen;
    }

    public synchronized int size() {
        return buf.size();
    }

    public synchronized String text() {
        return buf.toString(StandardCharsets.UTF_8);
    }

    /** Fails if the command's stream went over the cap. */
    public void check(String stream, List<String> argv, String where) throws HostFailure {
        if (overflowed()) {
            throw HostFailure.infra("the " + stream + " of `" + (argv == null ? "a command" : ShellQuote.join(argv)) + "` on " + where
                    + " exceeded kval's " + (cap >> 20) + " MiB cap for a command's output kept in memory (" + seen() + " bytes):"
                    + " stream it with exec(argv, timeout, out, err) to a file, or write it to a file on the host and fetch it;"
                    + " the cap is -D" + PROPERTY, null);
        }
    }
}
