package dev.kval.host;

import dev.kval.kernel.KernelArtifact;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/** This machine and its running kernel; commands are plain processes (no SSH). */
public final class LocalHost implements Host {
    private final Path work;
    private volatile String caps;

    private final List<String> dmesgBaseline;

    public LocalHost(Path work) throws IOException {
        this.work = Files.createDirectories(work);
        this.dmesgBaseline = dmesg();
    }

    /** The kernel log (dmesg), or empty when it cannot be read (dmesg_restrict without root). */
    static List<String> dmesg() {
        try {
            Process p = new ProcessBuilder("dmesg").redirectErrorStream(false).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                return List.of();
            }
            return out.lines().toList();
        } catch (IOException e) {
            return List.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        }
    }

    /** Kernel log lines printed since this host was provisioned. */
    public List<String> newKernelLog() {
        List<String> now = dmesg();
        if (dmesgBaseline.isEmpty()) {
            return now;
        }
        String last = dmesgBaseline.get(dmesgBaseline.size() - 1);
        int i = now.lastIndexOf(last);
        return i >= 0 ? now.subList(i + 1, now.size()) : now; // ring buffer wrapped: keep all
    }

    public static final class Provider implements HostProvider {
        private final Path workRoot;

        public Provider(Path workRoot) {
            this.workRoot = workRoot.toAbsolutePath(); // commands run in it: a relative path would resolve twice
        }

        @Override
        public Host provision(KernelArtifact kernel) throws IOException {
            if (kernel != null) {
                throw new IllegalArgumentException("the local host runs this machine's kernel; --kernel needs --host qemu");
            }
            Files.createDirectories(workRoot);
            return new LocalHost(Files.createTempDirectory(workRoot, "local-"));
        }
    }

    /** Whether /dev/kvm exists and can be opened read-write (not whether guest_memfd works: ask the agent). */
    public static KvmState kvmState() {
        Path kvm = Path.of("/dev/kvm");
        if (!Files.exists(kvm)) {
            return new KvmState(false, false, "/dev/kvm is absent on this machine (" + osRelease() + ")");
        }
        try (var ch = java.nio.channels.FileChannel.open(kvm, java.nio.file.StandardOpenOption.READ,
                java.nio.file.StandardOpenOption.WRITE)) {
            return new KvmState(true, true, "/dev/kvm opens read-write");
        } catch (IOException | RuntimeException e) {
            return new KvmState(true, false, "/dev/kvm exists but cannot be opened: " + e.getMessage());
        }
    }

    public record KvmState(boolean present, boolean usable, String reason) {
    }

    static String osRelease() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/osrelease")).strip();
        } catch (IOException e) {
            return System.getProperty("os.version");
        }
    }

    @Override
    public String name() {
        return "local";
    }

    @Override
    public HostSpec.Kind kind() {
        return HostSpec.Kind.LOCAL;
    }

    @Override
    public ExecResult exec(List<String> argv, Duration timeout) throws HostFailure {
        return exec(argv, timeout, null, null);
    }

    @Override
    public ExecResult exec(List<String> argv, Duration timeout, OutputStream out, OutputStream err) throws HostFailure {
        long t0 = System.nanoTime();
        Process p;
        try {
            p = new ProcessBuilder(argv).directory(work.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .start();
        } catch (IOException e) {
            // like a shell: a missing program is exit 127, not an infrastructure failure
            return new ExecResult(127, "", e.getMessage() + "\n", Duration.ofNanos(System.nanoTime() - t0), false);
        }
        OutputCap o = OutputCap.configured();
        OutputCap e = OutputCap.configured();
        Thread t1 = pump(p.getInputStream(), out == null ? o : new Tee(o, out));
        Thread t2 = pump(p.getErrorStream(), err == null ? e : new Tee(e, err));
        boolean timedOut = false;
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                timedOut = true;
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
            }
            t1.join(2000);
            t2.join(2000);
        } catch (InterruptedException ie) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw HostFailure.infra("interrupted while running " + argv, ie);
        }
        o.check("stdout", argv, "local");
        e.check("stderr", argv, "local");
        return new ExecResult(timedOut ? -1 : p.exitValue(), o, e, Duration.ofNanos(System.nanoTime() - t0), timedOut);
    }

    private static Thread pump(InputStream in, OutputStream sink) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[8192];
            int n;
            try (in) {
                while ((n = in.read(buf)) > 0) {
                    synchronized (sink) {
                        sink.write(buf, 0, n);
                        sink.flush();
                    }
                }
            } catch (IOException ignored) {
                // process ended
            }
        }, "local-exec-pump");
        t.setDaemon(true);
        t.start();
        return t;
    }

    @Override
    public void upload(Path local, String remote, int mode) throws HostFailure {
        try {
            Path dest = Path.of(remote);
            Files.copy(local, dest, StandardCopyOption.REPLACE_EXISTING);
            Files.setPosixFilePermissions(dest, perms(mode));
        } catch (IOException e) {
            throw HostFailure.infra("copy " + local + " -> " + remote + ": " + e.getMessage(), e);
        }
    }

    static Set<PosixFilePermission> perms(int mode) {
        Set<PosixFilePermission> s = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] order = {PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
            PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
            PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ};
        for (int i = 0; i < 9; i++) {
            if ((mode & (1 << i)) != 0) {
                s.add(order[i]);
            }
        }
        return s;
    }

    @Override
    public void download(String remote, Path local) throws HostFailure {
        try {
            Files.copy(Path.of(remote), local, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw HostFailure.infra("copy " + remote + " -> " + local + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String workDir() {
        return work.toString();
    }

    /** This machine has no serial console kval can see: the kernel log since provisioning stands in for it. */
    @Override
    public Optional<Path> consoleLog() {
        Path f = work.resolve("console.log");
        try {
            Files.write(f, newKernelLog());
            return Optional.of(f);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    @Override
    public String kernelRelease() {
        return osRelease();
    }

    @Override
    public Optional<KernelArtifact> kernel() {
        return Optional.empty();
    }

    @Override
    public Map<String, Object> info() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("kind", kind().id());
        m.put("kernelRelease", kernelRelease());
        try {
            m.put("procVersion", Files.readString(Path.of("/proc/version")).strip());
        } catch (IOException ignored) {
            // no /proc
        }
        KvmState k = kvmState();
        m.put("devKvm", Map.of("present", k.present(), "usable", k.usable(), "reason", k.reason()));
        return m;
    }

    @Override
    public Optional<String> capabilities() {
        return Optional.ofNullable(caps);
    }

    @Override
    public void capabilities(String json) {
        this.caps = json;
    }

    @Override
    public void checkAlive() {
        // this machine is alive by definition
    }

    @Override
    public void release() {
        try (var s = Files.walk(work)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException ignored) {
            // best effort
        }
    }
}
