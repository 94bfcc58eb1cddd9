package dev.kval.host.ssh;

import dev.kval.host.ExecResult;
import dev.kval.host.HostFailure;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.client.channel.ClientChannelEvent;

/** A command running over SSH: wait for it with a timeout, or cancel it (kills its remote process group). */
public final class RemoteCommand {
    private final SshConnection conn;
    private final ChannelExec channel;
    private final CompletableFuture<Long> pid;
    private final dev.kval.host.OutputCap outCopy;
    private final dev.kval.host.OutputCap errCopy;
    private final long start = System.nanoTime();
    private volatile boolean cancelled;

    RemoteCommand(SshConnection conn, ChannelExec channel, CompletableFuture<Long> pid, dev.kval.host.OutputCap outCopy,
            dev.kval.host.OutputCap errCopy) {
        this.conn = conn;
        this.channel = channel;
        this.pid = pid;
        this.outCopy = outCopy;
        this.errCopy = errCopy;
    }

    /** Waits up to timeout; on timeout the command is cancelled and the result says timedOut. */
    public ExecResult await(Duration timeout) throws HostFailure {
        Set<ClientChannelEvent> ev = channel.waitFor(EnumSet.of(ClientChannelEvent.CLOSED), timeout);
        boolean timedOut = ev.contains(ClientChannelEvent.TIMEOUT) && !ev.contains(ClientChannelEvent.CLOSED);
        if (timedOut) {
            cancel();
        }
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
        dev.kval.host.OutputCap out = outCopy == null ? new dev.kval.host.OutputCap(0) : outCopy;
        dev.kval.host.OutputCap err = errCopy == null ? new dev.kval.host.OutputCap(0) : errCopy;
        if (outCopy != null) {
            outCopy.check("stdout", null, conn.target().toString());
        }
        if (errCopy != null) {
            errCopy.check("stderr", null, conn.target().toString());
        }
        if (timedOut) {
            return new ExecResult(-1, out, err, elapsed, true);
        }
        Integer status = channel.getExitStatus();
        if (status == null) {
            String sig = channel.getExitSignal();
            if (sig != null) {
                return new ExecResult(128 + signalNumber(sig), out, err, elapsed, false);
            }
            if (cancelled) {
                return new ExecResult(-1, out, err, elapsed, false);
            }
            if (!started() && conn.isOpen()) {
                // The channel closed before the remote shell printed its pid: the command never ran (seen with
                // dropbear under load). Safe to retry; the connection itself is fine.
                throw new NotStarted("channel to " + conn.target() + " closed before the command started");
            }
            conn.markBroken();
            throw new SshDroppedException("SSH connection to " + conn.target() + " dropped while the command ran (after "
                    + elapsed.toMillis() + " ms, no exit status): infrastructure error", null);
        }
        return new ExecResult(status, out, err, elapsed, false);
    }

    /** Whether the remote shell started (it printed its pid). */
    boolean started() {
        return pid.isDone() && pid.getNow(null) != null;
    }

    /** The command never started on the remote side; the caller may retry it. */
    static final class NotStarted extends SshDroppedException {
        NotStarted(String message) {
            super(message, null);
        }
    }

    /** Kills the remote command (its process group, else the process) and closes the channel. */
    public void cancel() {
        cancelled = true;
        Long p = null;
        try {
            p = pid.get(2, TimeUnit.SECONDS);
        } catch (Exception e) {
            // never started or no pid
        }
        if (p != null) {
            try {
                String k = "kill -TERM -" + p + " 2>/dev/null || kill -TERM " + p + " 2>/dev/null; sleep 1; kill -KILL -" + p
                        + " 2>/dev/null || kill -KILL " + p + " 2>/dev/null; true";
                conn.execRaw("sh -c " + dev.kval.host.ShellQuote.quote(k), Duration.ofSeconds(10));
            } catch (IOException e) {
                // the connection is gone; closing the channel is all we can do
            }
        }
        channel.close(true);
    }

    static int signalNumber(String sig) {
        List<String> names = List.of("", "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE", "KILL", "USR1", "SEGV", "USR2",
                "PIPE", "ALRM", "TERM");
        int i = names.indexOf(sig.replace("SIG", ""));
        return i > 0 ? i : 0;
    }

    /** An OutputStream that swallows the first line (the remote shell's pid) and passes the rest on. */
    static final class PidFilter extends OutputStream {
        private final OutputStream next;
        private final CompletableFuture<Long> pid;
        private final StringBuilder first = new StringBuilder();
        private boolean done;

        PidFilter(OutputStream next, CompletableFuture<Long> pid) {
            this.next = next;
            this.pid = pid;
        }

        @Override
        public synchronized void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) throws IOException {
            int i = 0;
            while (!done && i < len) {
                char c = (char) b[off + i++];
                if (c == '\n') {
                    done = true;
                    try {
                        pid.complete(Long.parseLong(first.toString().strip()));
                    } catch (NumberFormatException e) {
                        pid.complete(null);
                    }
                } else {
                    first.append(c);
                }
            }
            if (i < len) {
                next.write(b, off + i, len - i);
            }
        }

        @Override
        public void flush() throws IOException {
            next.flush();
        }

        @Override
        public void close() throws IOException {
            if (!done) {
                pid.complete(null);
            }
            next.close();
        }
    }
}
