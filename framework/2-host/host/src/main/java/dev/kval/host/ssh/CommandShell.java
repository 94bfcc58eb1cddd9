package dev.kval.host.ssh;

import dev.kval.host.ExecResult;
import dev.kval.host.HostFailure;
import dev.kval.host.OutputCap;
import dev.kval.host.ShellQuote;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.client.session.ClientSession;

/**
 * One long-lived remote {@code sh} per host, fed commands on its stdin, so a command costs one fork on the host instead
 * of a new SSH channel, a session process and a login shell (what makes a fresh exec channel cost tens of ms on a busy
 * host, and `ssh host true` hundreds).
 *
 * <p>Framing: each command is sent as {@code ( eval 'ARGV' ) </dev/null} between markers made of a fresh random nonce
 * per command: {@code NONCE<\n} on stdout before it (the command began: a command cut before it may be retried), then
 * {@code \nNONCE STATUS\n} on stdout and {@code \nNONCE\n} on stderr after it. Everything before a marker is the
 * command's output, byte for byte (binary included); the newline before the marker is the framing's own. The command
 * runs in a subshell with stdin from /dev/null, so it cannot read the framing, change the shell's directory or
 * environment, or end it with {@code exit}. A nonce is 128 random bits that appear nowhere but in the line sent to
 * this shell, so output cannot fake an end of frame.
 *
 * <p>A command that outlives its timeout is killed with the shell's whole process group (the shell is the group
 * leader of its SSH session) and the shell is discarded; a shell that dies under a command fails that command with an
 * infrastructure error that says so; the next command opens a new shell. Not thread-safe: one command at a time
 * ({@link SshConnection} hands a busy shell's commands to their own channels).
 */
final class CommandShell implements AutoCloseable {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final SshConnection conn;
    private final ClientSession session;
    private final ChannelExec channel;
    private final Demux out;
    private final Demux err;
    private final long pid;
    private volatile boolean dead;

    private CommandShell(SshConnection conn, ClientSession session, ChannelExec channel, Demux out, Demux err, long pid) {
        this.conn = conn;
        this.session = session;
        this.channel = channel;
        this.out = out;
        this.err = err;
        this.pid = pid;
    }

    /** Opens the shell on session and waits for its pid (the handshake that proves it reads our stdin). */
    static CommandShell open(SshConnection conn, ClientSession session, Duration timeout) throws IOException {
        Demux out = new Demux(false);
        Demux err = new Demux(true);
        // the login shell runs this with -c; exec leaves one sh, session leader of its own group
        ChannelExec ch = session.createExecChannel("exec sh");
        ch.setOut(out);
        ch.setErr(err);
        ch.setRedirectErrorStream(false);
        ch.open().verify(timeout);
        ch.addCloseFutureListener(f -> {
            IOException gone = new IOException("the shell's channel closed");
            out.fail(gone);
            err.fail(gone);
        });
        try {
            String nonce = nonce();
            java.io.ByteArrayOutputStream pidText = new java.io.ByteArrayOutputStream();
            out.expect(nonce, pidText);
            err.expect(nonce, OutputStream.nullOutputStream());
            write(ch, "printf '%s<\\n' " + nonce + "; printf '%s' $$; printf '\\n%s 0\\n' " + nonce + "; printf '\\n%s\\n' " + nonce + " >&2\n");
            out.status().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            err.done().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return new CommandShell(conn, session, ch, out, err, Long.parseLong(pidText.toString(StandardCharsets.US_ASCII).strip()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            ch.close(true);
            throw new IOException("interrupted while starting a command shell", e);
        } catch (ExecutionException | TimeoutException | NumberFormatException e) {
            ch.close(true);
            throw new IOException("the remote sh did not answer its handshake: " + e, e);
        }
    }

    private static String nonce() {
        byte[] b = new byte[16];
        RANDOM.nextBytes(b);
        return "kval-" + HexFormat.of().formatHex(b);
    }

    private static void write(ChannelExec ch, String text) throws IOException {
        OutputStream in = ch.getInvertedIn();
        in.write(text.getBytes(StandardCharsets.UTF_8));
        in.flush();
    }

    boolean usable(ClientSession current) {
        return !dead && session == current && channel.isOpen() && !channel.isClosing();
    }

    /**
     * Runs argv, its output streamed to userOut/userErr as it arrives and kept (capped) for the result.
     *
     * @throws RemoteCommand.NotStarted when the command could not be handed to the shell (the caller may retry)
     */
    ExecResult run(List<String> argv, Duration timeout, OutputStream userOut, OutputStream userErr, long cap) throws HostFailure {
        long t0 = System.nanoTime();
        String nonce = nonce();
        OutputCap outCopy = new OutputCap(cap);
        OutputCap errCopy = new OutputCap(cap);
        out.expect(nonce, Tee.of(outCopy, userOut));
        err.expect(nonce, Tee.of(errCopy, userErr));
        String cmd = ShellQuote.join(argv);
        try {
            write(channel, "printf '%s<\\n' " + nonce + "; ( eval " + ShellQuote.quote(cmd) + " ) </dev/null; printf '\\n%s %d\\n' " + nonce
                    + " $?; printf '\\n%s\\n' " + nonce + " >&2\n");
        } catch (IOException e) {
            dead = true;
            close();
            throw new RemoteCommand.NotStarted("cannot hand a command to the shell on " + conn.target() + ": " + e.getMessage());
        }
        long deadline = t0 + timeout.toNanos();
        try {
            int status = out.status().get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            err.done().get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            Duration elapsed = Duration.ofNanos(System.nanoTime() - t0);
            outCopy.check("stdout", argv, conn.target().toString());
            errCopy.check("stderr", argv, conn.target().toString());
            return new ExecResult(status, outCopy, errCopy, elapsed, false);
        } catch (TimeoutException e) {
            killGroup();
            return new ExecResult(-1, outCopy, errCopy, Duration.ofNanos(System.nanoTime() - t0), true);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            killGroup();
            throw HostFailure.infra("interrupted while `" + cmd + "` ran on " + conn.target(), e);
        } catch (ExecutionException e) {
            dead = true;
            close();
            Integer st = channel.getExitStatus();
            String sig = channel.getExitSignal();
            String how = st != null ? "exit status " + st : sig != null ? "signal " + sig : "no exit status";
            if (!conn.isOpen() || (st == null && sig == null)) {
                // no exit status or signal for the shell: the connection went, not just the shell (a guest that
                // panicked, a host that rebooted): the caller attributes it as a drop, as for a channel of its own
                conn.markBroken();
                if (!out.begun()) {
                    // the session died before the shell began the command: it never ran, so it may be retried
                    throw new RemoteCommand.NotStarted("SSH connection to " + conn.target() + " dropped before `" + cmd
                            + "` started");
                }
                throw new SshDroppedException("SSH connection to " + conn.target() + " dropped while `" + cmd + "` ran (after "
                        + Duration.ofNanos(System.nanoTime() - t0).toMillis() + " ms): infrastructure error", e.getCause());
            }
            throw HostFailure.infra("kval's command shell on " + conn.target() + " died while `" + cmd + "` ran (" + how
                    + "; did the command kill its parent shell?): its effect is unknown, and the output so far is "
                    + outCopy.size() + " bytes; the SSH session is fine and the next command opens a new shell", e.getCause());
        } finally {
            out.detach();
            err.detach();
        }
    }

    /** Kills the shell's process group (the shell, the timed-out command and its children) and discards the shell. */
    private void killGroup() {
        dead = true;
        String k = "kill -TERM -" + pid + " 2>/dev/null || kill -TERM " + pid + " 2>/dev/null; sleep 1; kill -KILL -" + pid
                + " 2>/dev/null; true";
        try {
            conn.execRaw("sh -c " + ShellQuote.quote(k), Duration.ofSeconds(10));
        } catch (IOException e) {
            // the connection is gone; closing the channel is all we can do
        }
        close();
    }

    long pid() {
        return pid;
    }

    @Override
    public void close() {
        dead = true;
        channel.close(true);
    }

    /** Two streams as one: output goes to the copy and, when given, to the caller's stream. */
    static final class Tee {
        static OutputStream of(OutputStream copy, OutputStream user) {
            return user == null ? copy : new dev.kval.host.Tee(copy, user);
        }
    }
}
