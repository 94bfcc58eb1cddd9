package dev.kval.workload;

import dev.kval.host.ExecResult;
import dev.kval.host.Host;
import dev.kval.host.HostFailure;
import dev.kval.host.qemu.JvmShare;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * How to run a JVM on a host. Local: the JVM kval itself runs on. A host whose root is kval's initramfs (QEMU) has
 * no JVM, so it borrows this machine's: booted with {@code QemuConfig.withHostRoot(true)}, the guest mounts this
 * machine's JVM (its home and the libraries it links, {@link JvmShare}; nothing else of this machine) read-only over
 * virtio-9p and the JVM runs in a chroot of it, with the guest's /proc, /sys, /dev,
 * /dev/shm and /tmp mounted inside (so everything it measures is the guest's, and /tmp is writable and at the same
 * path in and out of the chroot). Any other host: the {@code java} on its PATH.
 */
public final class HostJvm {
    /** Where the guest mounts the share. */
    public static final String ROOT = "/mnt/hostroot";
    private static final Map<Host, HostJvm> PREPARED = new WeakHashMap<>();
    private final List<String> prefix;
    private final String how;
    private final Duration prepareTime;

    private HostJvm(List<String> prefix, String how, Duration prepareTime) {
        this.prefix = List.copyOf(prefix);
        this.how = how;
        this.prepareTime = prepareTime;
    }

    /** The java command prefix (e.g. {@code chroot /mnt/hostroot /usr/lib/jvm/.../bin/java}). */
    public List<String> java() {
        return prefix;
    }

    /** A sentence for logs and reports: which JVM, and how it got there. */
    public String how() {
        return how;
    }

    /** What preparing it cost (loading 9p, mounting), zero when nothing was needed. */
    public Duration prepareTime() {
        return prepareTime;
    }

    /** Sets the JVM up once per host (idempotent on the host too). */
    public static synchronized HostJvm prepare(Host host) throws HostFailure {
        HostJvm j = PREPARED.get(host);
        if (j == null) {
            j = detect(host);
            PREPARED.put(host, j);
        }
        return j;
    }

    private static HostJvm detect(Host host) throws HostFailure {
        String localJava = JvmShare.javaHome() + "/bin/java";
        if (host.kind() == dev.kval.host.HostSpec.Kind.LOCAL) {
            return new HostJvm(List.of(localJava), "this machine's JVM " + localJava, Duration.ZERO);
        }
        ExecResult probe = host.exec(List.of("sh", "-c", "test -f " + dev.kval.host.qemu.Initramfs.HOSTROOT_MODULES_LIST
                + " && echo kval-initramfs; command -v java; true"), Duration.ofSeconds(60));
        List<String> lines = probe.stdout().lines().map(String::strip).filter(s -> !s.isEmpty()).toList();
        if (lines.contains("kval-initramfs")) {
            long t0 = System.nanoTime();
            ExecResult r = host.exec(List.of("sh", "-c", chrootScript()), Duration.ofMinutes(2));
            if (!r.ok()) {
                host.checkAlive();
                String why = (r.stdout() + r.stderr()).strip();
                if (r.exit() == 4) {
                    throw HostFailure.infra("no JVM on " + host.name() + ": it has no 9p share '" + dev.kval.host.qemu.QemuConfig.HOSTROOT_TAG
                            + "' of this machine's root (" + why + "); boot it with QemuConfig.withHostRoot(true)", null);
                }
                throw HostFailure.infra("no JVM on " + host.name() + ": setting up the chroot of this machine's root at " + ROOT
                        + " failed (exit " + r.exit() + (r.timedOut() ? ", timed out" : "") + "): " + why, null);
            }
            Duration took = Duration.ofNanos(System.nanoTime() - t0);
            return new HostJvm(List.of("chroot", ROOT, localJava), "this machine's JVM " + localJava + " in a chroot of its share (virtio-9p, read-only: the JDK and its libraries) at "
                    + ROOT + ", set up in " + took.toMillis() + " ms", took);
        }
        for (String l : lines) {
            if (l.startsWith("/")) {
                return new HostJvm(List.of(l), "the host's own " + l, Duration.ZERO);
            }
        }
        throw HostFailure.infra("no JVM on " + host.name() + " (no java on its PATH, and its root is not kval's initramfs):"
                + " install a Java 17 runtime there (e.g. apt-get install openjdk-17-jre-headless)", null);
    }

    /**
     * Loads 9p (carried in kval's initramfs, not loaded at boot), mounts the share and the guest's own /proc, /sys,
     * /dev, /dev/shm (a tmpfs, for the fragment stressor) and /tmp over the host's in the chroot. Exit 4: no share.
     */
    static String chrootScript() {
        String r = ROOT;
        List<String> s = new ArrayList<>(List.of(
                "set -e",
                "m() { grep -q \" $1 \" /proc/mounts; }",
                "mkdir -p " + r,
                "if ! m " + r + "; then",
                "  if ! grep -qw 9p /proc/filesystems; then . /etc/kval-load.sh; load " + dev.kval.host.qemu.Initramfs.HOSTROOT_MODULES_LIST + "; fi",
                "  grep -qw 9p /proc/filesystems || { echo '9p did not load (see KVAL-INSMOD-FAILED above)'; exit 6; }",
                // cache=loose: the JVM mmaps libjvm.so and its 120 MB module image; the share is read-only and this
                // machine's JDK does not change while a VM runs, so the guest may cache it
                "  mount -t 9p -o ro,trans=virtio,version=9p2000.L,cache=loose,msize=262144 " + JvmShare.ROOT_TAG + " " + r
                        + " 2>&1 || exit 4",
                "fi",
                "m " + r + JvmShare.javaHome() + " || mount -t 9p -o ro,trans=virtio,version=9p2000.L,cache=loose,msize=262144 "
                        + JvmShare.JDK_TAG + " " + r + JvmShare.javaHome() + " 2>&1 || exit 4",
                "m " + r + "/proc || mount -t proc proc " + r + "/proc",
                "m " + r + "/sys || mount -t sysfs sysfs " + r + "/sys",
                "m " + r + "/dev || mount -o bind /dev " + r + "/dev",
                "mkdir -p /dev/shm; m /dev/shm || mount -t tmpfs -o mode=1777 tmpfs /dev/shm",
                "m " + r + "/dev/shm || mount -o bind /dev/shm " + r + "/dev/shm",
                "m " + r + "/tmp || mount -o bind /tmp " + r + "/tmp",
                "test -x " + r + JvmShare.javaHome() + "/bin/java || { echo 'no " + JvmShare.javaHome()
                        + "/bin/java in the share'; exit 5; }"));
        return String.join("\n", s) + "\n";
    }
}
