package dev.kval.host.ssh;

import dev.kval.kernel.Proc;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A real OpenSSH sshd on 127.0.0.1 with its own config, host key, authorized_keys and pid file (for tests and the
 * transport benchmark). Key auth only; {@code UsePAM no}, {@code StrictModes no}.
 */
public final class LocalSshd implements AutoCloseable {
    private final Path dir;
    private final int port;
    private final Path hostKey;
    private Process process;

    public LocalSshd(Path dir, ClientKey authorized) throws IOException {
        this.dir = dir;
        Files.createDirectories(dir);
        Files.createDirectories(Path.of("/run/sshd"));
        this.hostKey = dir.resolve("ssh_host_ed25519_key");
        if (!Files.exists(hostKey)) {
            Proc.check(List.of("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", hostKey.toString()), null, Duration.ofSeconds(30));
        }
        Files.writeString(dir.resolve("authorized_keys"), authorized.publicKeyLine() + "\n");
        this.port = freePort();
        Files.writeString(dir.resolve("sshd_config"), String.join("\n",
                "Port " + port,
                "ListenAddress 127.0.0.1",
                "HostKey " + hostKey,
                "PidFile " + dir.resolve("sshd.pid"),
                "AuthorizedKeysFile " + dir.resolve("authorized_keys"),
                "PasswordAuthentication no",
                "KbdInteractiveAuthentication no",
                "PubkeyAuthentication yes",
                "PermitRootLogin prohibit-password",
                "UsePAM no",
                "StrictModes no",
                "MaxSessions 100",
                "MaxStartups 100",
                "LogLevel ERROR",
                "PermitUserRC no",
                "PrintMotd no",
                "PrintLastLog no",
                "UseDNS no",
                "Subsystem sftp internal-sftp",
                // Debian's bash sources ~/.bashrc for `bash -c` run by sshd unless SHLVL says it is nested; a heavy
                // root .bashrc (pyenv...) would otherwise dominate every command of every client alike.
                "SetEnv SHLVL=1",
                ""));
    }

    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    public int port() {
        return port;
    }

    public Path dir() {
        return dir;
    }

    public Path hostPublicKey() {
        return Path.of(hostKey + ".pub");
    }

    public HostKeyPin pin() throws IOException {
        return HostKeyPin.ofPublicKeyLine(Files.readString(hostPublicKey()), hostPublicKey().toString());
    }

    /** A known_hosts file for this server, for OpenSSH's ssh. */
    public Path knownHosts() throws IOException {
        Path f = dir.resolve("known_hosts");
        Files.writeString(f, "[127.0.0.1]:" + port + " " + Files.readString(hostPublicKey()).strip() + "\n");
        return f;
    }

    public synchronized LocalSshd start() throws IOException {
        process = new ProcessBuilder("/usr/sbin/sshd", "-D", "-e", "-f", dir.resolve("sshd_config").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("sshd.log").toFile()).start();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return this;
            } catch (IOException e) {
                if (!process.isAlive()) {
                    throw new IOException("sshd exited: " + Files.readString(dir.resolve("sshd.log")));
                }
                try {
                    Thread.sleep(20);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new IOException(ie);
                }
            }
        }
        throw new IOException("sshd did not listen on " + port);
    }

    /** Kills the daemon and every per-connection child (cuts open sessions). */
    public synchronized void kill() {
        if (process == null) {
            return;
        }
        List<ProcessHandle> kids = process.descendants().toList();
        process.destroyForcibly();
        kids.forEach(ProcessHandle::destroyForcibly);
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process = null;
    }

    public void restart() throws IOException {
        kill();
        start();
    }

    @Override
    public void close() {
        kill();
    }
}
