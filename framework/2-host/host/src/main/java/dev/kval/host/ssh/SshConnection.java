package dev.kval.host.ssh;

import dev.kval.host.ExecResult;
import dev.kval.host.HostFailure;
import dev.kval.host.ShellQuote;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.PublicKey;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import dev.kval.host.Tee;
import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.client.channel.ClientChannelEvent;
import org.apache.sshd.client.future.ConnectFuture;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.client.SftpClientFactory;

/**
 * One host's SSH connection: a single session reused for every command, re-established (once per call) when it
 * has dropped between commands. A command cut by a drop raises {@link SshDroppedException}.
 */
public final class SshConnection implements AutoCloseable {
    /** Bytes of a command's stdout (and, apart, stderr) kept in memory for its {@link ExecResult}; default 64 MiB. */
    public static final String MAX_OUTPUT_PROPERTY = dev.kval.host.OutputCap.PROPERTY;
    /** "false" sends every command over its own channel (no {@link CommandShell}). */
    public static final String SHELL_PROPERTY = "kval.ssh.shell";

    private final SshTransport transport;
    private final Object shellLock = new Object();
    private CommandShell shell;
    private boolean shellBusy;
    private boolean shellWarned;
    private final SshTarget target;
    private volatile ClientSession session;
    private Duration connectTimeout = Duration.ofSeconds(15);

    SshConnection(SshTransport transport, SshTarget target) {
        this.transport = transport;
        this.target = target;
    }

    public SshTarget target() {
        return target;
    }

    public SshConnection connectTimeout(Duration d) {
        this.connectTimeout = d;
        return this;
    }

    public boolean isOpen() {
        ClientSession s = session;
        return s != null && s.isOpen() && !s.isClosing();
    }

    /** The live session, connecting (or reconnecting after a drop) as needed. */
    public synchronized ClientSession session() throws HostFailure {
        if (isOpen()) {
            return session;
        }
        if (session != null) {
            session.close(true);
            session = null;
        }
        session = connect();
        return session;
    }

    void markBroken() {
        ClientSession s = session;
        if (s != null) {
            s.close(true);
        }
    }

    private ClientSession connect() throws HostFailure {
        if (target.key() == null) {
            // never a fallback to the user's own ~/.ssh/id_* or an agent: kval authenticates with the key it was given
            throw HostFailure.infra("no client key for " + target + ": kval offers only the key a host's entry names (or"
                    + " its own, $KVAL_STATE/ssh/id_ed25519), never ~/.ssh/id_* or ~/.ssh/config; set the entry's key", null);
        }
        AtomicReference<PublicKey> presented = new AtomicReference<>();
        ClientSession s = null;
        try {
            ConnectFuture cf = transport.client().connect(target.user(), target.host(), target.port());
            cf.verify(connectTimeout);
            s = cf.getSession();
            s.setServerKeyVerifier((sess, addr, key) -> {
                presented.set(key);
                return target.pin().matches(key);
            });
            s.addPublicKeyIdentity(target.key().keyPair());
            s.auth().verify(connectTimeout);
            return s;
        } catch (IOException | RuntimeException e) {
            if (s != null) {
                s.close(true);
            }
            PublicKey k = presented.get();
            if (k != null && !target.pin().matches(k)) {
                throw new HostKeyMismatchException(target.toString(), target.pin().fingerprints(), HostKeyPin.fingerprint(k),
                        target.pin().source());
            }
            throw HostFailure.infra("cannot open SSH session to " + target + ": " + e.getMessage(), e);
        }
    }

    /** Starts argv (quoted for POSIX sh) with stdout/stderr streamed to out/err (either may be null). */
    public RemoteCommand start(List<String> argv, OutputStream out, OutputStream err) throws HostFailure {
        return start(argv, out, err, true);
    }

    private RemoteCommand start(List<String> argv, OutputStream out, OutputStream err, boolean keepCopies) throws HostFailure {
        String cmd = "echo $$ >&2; exec " + ShellQuote.join(argv);
        ClientSession s = session();
        dev.kval.host.OutputCap outCopy = keepCopies ? dev.kval.host.OutputCap.configured() : null;
        dev.kval.host.OutputCap errCopy = keepCopies ? dev.kval.host.OutputCap.configured() : null;
        CompletableFuture<Long> pid = new CompletableFuture<>();
        try {
            ChannelExec ch = s.createExecChannel(cmd);
            ch.setOut(tee(outCopy, out));
            ch.setErr(new RemoteCommand.PidFilter(tee(errCopy, err), pid));
            ch.setRedirectErrorStream(false);
            ch.open().verify(connectTimeout);
            return new RemoteCommand(this, ch, pid, outCopy, errCopy);
        } catch (IOException | RuntimeException e) {
            // The channel never opened, so the command never ran: a session that looked open but was already gone
            // (the server restarted while we were idle) is reconnected and the command retried by exec.
            markBroken();
            throw new RemoteCommand.NotStarted("cannot start command on " + target + ": " + e.getMessage());
        }
    }

    private static OutputStream tee(OutputStream copy, OutputStream user) {
        if (copy == null) {
            return user == null ? OutputStream.nullOutputStream() : user;
        }
        return user == null ? copy : new Tee(copy, user);
    }

    public ExecResult exec(List<String> argv, Duration timeout) throws HostFailure {
        return exec(argv, timeout, null, null);
    }

    /**
     * Runs argv, streaming its output to out/err as it arrives. A command whose channel closed before the remote
     * shell started is retried (four times at most, with a growing pause: three immediate retries were seen to fail
     * in a row against dropbear right after an SFTP transfer); a command cut while running is never retried.
     */
    public ExecResult exec(List<String> argv, Duration timeout, OutputStream out, OutputStream err) throws HostFailure {
        // The host's long-lived shell when it is free (one fork on the host per command); a command that arrives while
        // another thread's command holds it gets its own channel, as does everything when the shell cannot be opened.
        CommandShell sh = acquireShell();
        if (sh != null) {
            try {
                return sh.run(argv, timeout, out, err, maxOutput());
            } catch (RemoteCommand.NotStarted e) {
                // the shell was gone before the command reached it: run it on its own channel below
            } finally {
                releaseShell();
            }
        }
        for (int attempt = 1;; attempt++) {
            try {
                return start(argv, out, err).await(timeout);
            } catch (RemoteCommand.NotStarted e) {
                if (attempt >= 5) {
                    throw new SshDroppedException(e.getMessage() + " (" + attempt + " attempts)", e);
                }
                try {
                    Thread.sleep(100L * attempt * attempt);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw HostFailure.infra("interrupted while retrying a command on " + target, ie);
                }
            }
        }
    }

    static long maxOutput() {
        return dev.kval.host.OutputCap.limit();
    }

    /** The free, live shell of the current session (opened if needed), or null: busy, disabled or cannot be opened. */
    private CommandShell acquireShell() throws HostFailure {
        if ("false".equals(System.getProperty(SHELL_PROPERTY))) {
            return null;
        }
        synchronized (shellLock) {
            if (shellBusy) {
                return null;
            }
            shellBusy = true;
        }
        boolean ok = false;
        try {
            ClientSession s = session(); // outside shellLock: close() takes this, then shellLock
            synchronized (shellLock) {
                if (shell == null || !shell.usable(s)) {
                    if (shell != null) {
                        shell.close();
                        shell = null;
                    }
                    try {
                        shell = CommandShell.open(this, s, connectTimeout);
                    } catch (IOException | RuntimeException e) {
                        if (!shellWarned) {
                            shellWarned = true;
                            System.err.println("kval: no command shell on " + target + " (" + e.getMessage()
                                    + "); its commands use a channel each (slower, same results)");
                        }
                        return null; // the per-channel path reports (and retries) whatever is wrong
                    }
                }
                ok = true;
                return shell;
            }
        } finally {
            if (!ok) {
                releaseShell();
            }
        }
    }

    private void releaseShell() {
        synchronized (shellLock) {
            shellBusy = false;
        }
    }

    /** The pid of the host's command shell, opening it if needed (tests kill it to check the recovery); -1 if none. */
    long shellPid() throws HostFailure {
        CommandShell sh = acquireShell();
        try {
            return sh == null ? -1 : sh.pid();
        } finally {
            if (sh != null) {
                releaseShell();
            }
        }
    }

    /** Runs a raw command line (no quoting, no pid line); for internal use (cancel). */
    ExecResult execRaw(String cmd, Duration timeout) throws IOException {
        ClientSession s = session;
        if (s == null || !s.isOpen()) {
            throw new IOException("no session");
        }
        long t0 = System.nanoTime();
        try (ChannelExec ch = s.createExecChannel(cmd)) {
            ByteArrayOutputStream o = new ByteArrayOutputStream();
            ch.setOut(o);
            ch.setErr(o);
            ch.open().verify(timeout);
            ch.waitFor(EnumSet.of(ClientChannelEvent.CLOSED), timeout);
            Integer st = ch.getExitStatus();
            return new ExecResult(st == null ? -1 : st, o.toString(), "", Duration.ofNanos(System.nanoTime() - t0), false);
        }
    }

    /** SFTP upload, then chmod to mode (e.g. 0755). */
    public void upload(Path local, String remote, int mode) throws HostFailure {
        // One retry, as for downloads: a TCG guest's sftp-server can close before its init message while the guest
        // is busy (seen right after boot, while init loads the KVM modules); rewriting the whole file is safe.
        try {
            uploadOnce(local, remote, mode);
        } catch (HostFailure e) {
            if (e instanceof SshDroppedException || !isOpen()) {
                throw e;
            }
            uploadOnce(local, remote, mode);
        }
    }

    private void uploadOnce(Path local, String remote, int mode) throws HostFailure {
        try (SftpClient sftp = SftpClientFactory.instance().createSftpClient(session())) {
            try (OutputStream o = sftp.write(remote)) {
                Files.copy(local, o);
            }
            SftpClient.Attributes a = new SftpClient.Attributes();
            a.setPermissions(mode);
            sftp.setStat(remote, a);
        } catch (HostFailure e) {
            throw e;
        } catch (IOException e) {
            if (!isOpen()) {
                throw new SshDroppedException("SSH connection to " + target + " dropped during upload of " + remote, e);
            }
            throw HostFailure.infra("upload of " + local + " to " + target + ":" + remote + " failed: " + e.getMessage(), e);
        }
    }

    public void download(String remote, Path local) throws HostFailure {
        // One retry: under TCG the guest's sftp-server can close before its init message while the guest is busy
        // (seen in a clean-clone CI run); a second attempt on the same live session is safe (the file is read-only).
        try {
            downloadOnce(remote, local);
        } catch (HostFailure e) {
            if (e instanceof SshDroppedException || !isOpen()) {
                throw e;
            }
            downloadOnce(remote, local);
        }
    }

    private void downloadOnce(String remote, Path local) throws HostFailure {
        try (SftpClient sftp = SftpClientFactory.instance().createSftpClient(session())) {
            Path tmp = local.resolveSibling(local.getFileName() + ".part");
            try (InputStream in = sftp.read(remote)) {
                Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            }
            Files.move(tmp, local, StandardCopyOption.REPLACE_EXISTING);
        } catch (HostFailure e) {
            throw e;
        } catch (IOException e) {
            if (!isOpen()) {
                throw new SshDroppedException("SSH connection to " + target + " dropped during download of " + remote, e);
            }
            throw HostFailure.infra("download of " + target + ":" + remote + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void close() {
        synchronized (shellLock) {
            if (shell != null) {
                shell.close();
                shell = null;
            }
        }
        if (session != null) {
            session.close(false);
            session = null;
        }
    }
}
