package dev.kval.host.bare;

import dev.kval.host.ExecResult;
import dev.kval.host.Host;
import dev.kval.host.HostFailure;
import dev.kval.host.HostSpec;
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
    public HostSpec.Kind kind() {
        return HostSpec.Kind.SSH;
    }

    /** sha256 of every file kval uploaded, by remote path: checked right before any command that names it runs. */
    private final Map<String, String> uploaded = new java.util.concurrent.ConcurrentHashMap<>();

    @Override
    public ExecResult exec(List<String> argv, Duration timeout) throws HostFailure {
        return checked(conn.exec(guard(argv), timeout));
    }

    @Override
    public ExecResult exec(List<String> argv, Duration timeout, OutputStream out, OutputStream err) throws HostFailure {
        return checked(conn.exec(guard(argv), timeout, out, err));
    }

    /**
     * A command that names an uploaded file (the agent, the workload jar, a selftest) runs behind a check that the
     * file still has the sha256 kval uploaded (RemoteDir.verify), in the same shell, right before it is used.
     */
    List<String> guard(List<String> argv) {
        StringBuilder verify = new StringBuilder();
        for (String a : argv) {
            String sha = uploaded.get(a);
            if (sha != null) {
                verify.append(RemoteDir.verify(a, sha));
            }
        }
        if (verify.length() == 0) {
            return argv;
        }
        List<String> g = new java.util.ArrayList<>(List.of("sh", "-c", verify + "exec \"$@\"", "sh"));
        g.addAll(argv);
        return g;
    }

    private ExecResult checked(ExecResult r) throws HostFailure {
        if (r.exit() == 5 && r.stderr().contains(RemoteDir.CHANGED)) {
            throw HostFailure.infra(entry.name() + ": " + r.stderr().strip() + " - something on the machine changed kval's upload;"
                    + " check who else has access to it", null);
        }
        return r;
    }

    @Override
    public void upload(Path local, String remote, int mode) throws HostFailure {
        String sha;
        try {
            sha = dev.kval.kernel.BzImage.sha256(local);
        } catch (java.io.IOException e) {
            throw HostFailure.infra("cannot read " + local + " to upload it: " + e.getMessage(), e);
        }
        conn.upload(local, remote, mode);
        uploaded.put(remote, sha);
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
        m.put("kind", kind().id());
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
