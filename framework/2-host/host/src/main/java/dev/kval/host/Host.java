package dev.kval.host;

import dev.kval.kernel.KernelArtifact;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A machine running the kernel under test: run commands, move files, read its console. */
public interface Host extends AutoCloseable {
    /** Short unique name, used for output directories (e.g. "local", "qemu-1"). */
    String name();
    /** Which provider made this host; {@link HostSpec.Kind#id()} is its name in reports (local, qemu, ssh, lava). */
    HostSpec.Kind kind();

    /** Runs argv (never through a local shell; quoted for POSIX sh when remote). */
    ExecResult exec(List<String> argv, Duration timeout) throws HostFailure;

    /** Runs argv, streaming its output to out/err (either may be null) while it runs. */
    ExecResult exec(List<String> argv, Duration timeout, OutputStream out, OutputStream err) throws HostFailure;

    void upload(Path local, String remote, int mode) throws HostFailure;

    void download(String remote, Path local) throws HostFailure;

    /** A writable scratch directory on the host. */
    String workDir();

    /** The serial console log captured from the first byte, if the host has one kval can see. */
    Optional<Path> consoleLog();

    /** uname -r of the running kernel. */
    String kernelRelease();

    /** The artifact this host booted, if kval booted it. */
    Optional<KernelArtifact> kernel();

    /** Facts for the summary (kind, address, accelerator, boot time, /dev/kvm state, ...). */
    Map<String, Object> info();

    /** The agent's {@code --caps --json} report, once AgentDeployer has run it. */
    Optional<String> capabilities();

    void capabilities(String json);

    /**
     * Waits until the host finished settling after it became reachable (a QEMU host loads its KVM modules after SSH
     * is up); a no-op elsewhere.
     */
    default void awaitSettled(Duration timeout) throws HostFailure {
    }

    /** Throws an attributed {@link HostFailure} if the host is known to be dead (panic, QEMU gone). */
    void checkAlive() throws HostFailure;

    /** Stops the host (QEMU killed, temp files removed); idempotent. */
    void release();

    @Override
    default void close() {
        release();
    }
}
