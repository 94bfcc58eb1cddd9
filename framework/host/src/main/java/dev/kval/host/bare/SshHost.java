package dev.kval.host.bare;

import dev.kval.host.ExecResult;
import dev.kval.host.Host;
import dev.kval.host.HostFailure;
import dev.kval.host.ssh.SshConnection;
import dev.kval.kernel.KernelArtifact;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A bare-metal machine reached over SSH (pinned host key). No console kval can see. */
public final class SshHost implements Host {
    private final Inventory.Entry entry;
    private final SshConnection conn;
    private final KernelArtifact kernel;
    private final String release;
    private final String procVersion;
    private volatile String caps;

    SshHost(Inventory.Entry entry, SshConnection conn, KernelArtifact kernel, String release, String procVersion) {
        this.entry = entry;
        this.conn = conn;
        this.kernel = kernel;
        this.release = release;
        this.procVersion = procVersion;
    }

    @Override
    public String name() {
        return entry.name();
    }

    @Override
    public String kind() {
        return "ssh";
    }

    @Override
    public ExecResult exec(List<String> argv, Duration timeout) throws HostFailure {
        return conn.exec(argv, timeout);
    }

    @Override
    public ExecResult exec(List<String> argv, Duration timeout, OutputStream out, OutputStream err) throws HostFailure {
        return conn.exec(argv, timeout, out, err);
    }

    @Override
    public void upload(Path local, String remote, int mode) throws HostFailure {
        conn.upload(local, remote, mode);
    }

    @Override
    public void download(String remote, Path local) throws HostFailure {
        conn.download(remote, local);
    }

    private String workDir;

    /**
     * A private directory made for this provisioning ({@code mktemp -d}, 0700), not /tmp itself: everything uploaded
     * here runs as root, and a fixed path under /tmp could be created first by any local user. Removed on release.
     */
    @Override
    public synchronized String workDir() {
        if (workDir == null) {
            try {
                workDir = RemoteDir.create(conn, "work");
            } catch (HostFailure e) {
                throw new IllegalStateException(e.getMessage(), e);
            }
        }
        return workDir;
    }

    @Override
    public Optional<Path> consoleLog() {
        return Optional.empty();
    }

    @Override
    public String kernelRelease() {
        return release;
    }

    @Override
    public Optional<KernelArtifact> kernel() {
        return Optional.ofNullable(kernel);
    }

    @Override
    public Map<String, Object> info() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("kind", "ssh");
        m.put("address", entry.address() + ":" + entry.port());
        m.put("user", entry.user());
        m.put("tags", entry.tags());
        m.put("kernelRelease", release);
        m.put("procVersion", procVersion);
        m.put("hostKeyPinned", conn.target().pin().fingerprints());
        return m;
    }

    @Override
    public Optional<String> capabilities() {
        return Optional.ofNullable(caps);
    }

    @Override
    public void capabilities(String json) {
        caps = json;
    }

    @Override
    public void checkAlive() {
        // no console: a dead machine shows up as a dropped connection
    }

    @Override
    public void release() {
        synchronized (this) {
            RemoteDir.remove(conn, workDir);
            workDir = null;
        }
        conn.close();
    }
}
