package dev.kval.host;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;

/**
 * A finished remote or local command. {@code timedOut} means kval stopped it at its timeout (exit is then -1). Output
 * captured over SSH or from a local process stays where {@link OutputCap} put it (memory up to its limit, then a
 * temporary file): {@link #stdout()} reads it back as text; {@link #openStdout()} streams it, for output too large to
 * hold.
 */
public final class ExecResult {
    private final int exit;
    private final String stdout;
    private final String stderr;
    private final OutputCap out;
    private final OutputCap err;
    private final Duration elapsed;
    private final boolean timedOut;

    public ExecResult(int exit, String stdout, String stderr, Duration elapsed, boolean timedOut) {
        this(exit, stdout == null ? "" : stdout, stderr == null ? "" : stderr, null, null, elapsed, timedOut);
    }

    /** A result whose output stays in its captures (not copied into strings until asked for). */
    public ExecResult(int exit, OutputCap out, OutputCap err, Duration elapsed, boolean timedOut) {
        this(exit, null, null, out, err, elapsed, timedOut);
    }

    private ExecResult(int exit, String stdout, String stderr, OutputCap out, OutputCap err, Duration elapsed, boolean timedOut) {
        this.exit = exit;
        this.stdout = stdout;
        this.stderr = stderr;
        this.out = out;
        this.err = err;
        this.elapsed = elapsed;
        this.timedOut = timedOut;
    }

    public int exit() {
        return exit;
    }

    public String stdout() {
        return stdout != null ? stdout : out == null ? "" : out.text();
    }

    public String stderr() {
        return stderr != null ? stderr : err == null ? "" : err.text();
    }

    /** The stdout as a stream (from memory and the spill file; nothing more is held). */
    public InputStream openStdout() {
        return stdout != null ? new ByteArrayInputStream(stdout.getBytes(StandardCharsets.UTF_8))
                : out == null ? InputStream.nullInputStream() : out.open();
    }

    /** Bytes of stdout kept. */
    public long stdoutSize() {
        return stdout != null ? stdout.getBytes(StandardCharsets.UTF_8).length : out == null ? 0 : out.size();
    }

    /** The capture behind stdout, or null for a result made from strings. */
    public OutputCap stdoutCapture() {
        return out;
    }

    public Duration elapsed() {
        return elapsed;
    }

    public boolean timedOut() {
        return timedOut;
    }

    public boolean ok() {
        return exit == 0 && !timedOut;
    }

    @Override
    public String toString() {
        return "ExecResult[exit=" + exit + ", stdout=" + abbreviate(stdout()) + ", stderr=" + abbreviate(stderr()) + ", elapsed="
                + elapsed + ", timedOut=" + timedOut + "]";
    }

    private static String abbreviate(String s) {
        return s.length() <= 4096 ? s : s.substring(0, 4096) + "...(" + s.length() + " chars)";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ExecResult r && r.exit == exit && r.timedOut == timedOut && r.elapsed.equals(elapsed)
                && r.stdout().equals(stdout()) && r.stderr().equals(stderr());
    }

    @Override
    public int hashCode() {
        return Objects.hash(exit, timedOut, elapsed);
    }
}
