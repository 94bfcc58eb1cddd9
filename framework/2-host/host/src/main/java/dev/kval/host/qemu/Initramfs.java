package dev.kval.host.qemu;

import dev.kval.kernel.ContentKey;
import dev.kval.kernel.BzImage;
import dev.kval.kernel.KernelArtifact;
import dev.kval.kernel.KernelCache;
import dev.kval.kernel.Proc;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Builds the initramfs kval boots a candidate kernel with: busybox-static; the kernel's own KVM, virtio-net and
 * helper modules resolved from its modules.dep (decompressed, loaded in dependency order by init); dropbear and
 * sftp-server with their shared libraries; kval's client public key; optionally the agent. Init prints the
 * freshly generated dropbear host public key on the console ({@value #HOSTKEY_MARKER}) before starting dropbear,
 * then {@value #READY_MARKER}. Cached under the cache directory by content hash.
 */
public final class Initramfs {
    public static final String HOSTKEY_MARKER = "KVAL-HOSTKEY";
    public static final String READY_MARKER = "KVAL-READY";
    public static final String SHELL_MARKER = "KVAL-SHELL";
    public static final String AGENT_PATH = "/usr/bin/kval-agent";
    /** Created by init once the KVM modules are loaded (they load after SSH is up, in the background of the boot). */
    public static final String MODULES_DONE = "/run/kval/modules.done";
    public static final String MODULES_MARKER = "modules-done";
    /** Loaded before the network comes up; everything else loads after dropbear starts. */
    static final List<String> NET_MODULES = List.of("virtio", "virtio_ring", "virtio_pci_modern_dev", "virtio_pci_legacy_dev",
            "virtio_pci", "failover", "net_failover", "virtio_net");
    static final int FORMAT = 9;
    /**
     * Carried but not loaded at boot (no boot-time cost): loaded on demand from {@value #HOSTROOT_MODULES_LIST} when a
     * host booted with {@code QemuConfig.withHostRoot} mounts this machine's root over virtio-9p.
     */
    public static final List<String> HOSTROOT_MODULES = List.of("9p", "9pnet_virtio");
    public static final String HOSTROOT_MODULES_LIST = "/etc/kval-modules.9p";
    /** Modules wanted in the guest (if they are modules, not builtin, in this kernel). */
    public static final List<String> WANTED_MODULES = List.of("irqbypass", "ccp", "kvm", "kvm-amd", "kvm-intel", "hwpoison-inject",
            "virtio", "virtio_ring", "virtio_pci_modern_dev", "virtio_pci_legacy_dev", "virtio_pci", "failover", "net_failover",
            "virtio_net");

    private Initramfs() {
    }

    /** The full initramfs for a kval host (cached). */
    public static Path forHost(KernelArtifact kernel, String authorizedKey, Path agent, Path cacheDir) throws IOException {
        return forHost(kernel, authorizedKey, agent, List.of(), cacheDir);
    }

    /**
     * The full initramfs plus extra host binaries (with their shared libraries, at the same paths), e.g.
     * /usr/sbin/kexec for a VM that plays a bare-metal machine. No extras: the same image as before.
     */
    public static Path forHost(KernelArtifact kernel, String authorizedKey, Path agent, List<Path> tools, Path cacheDir)
            throws IOException {
        List<String> parts = new ArrayList<>(List.of("host", String.valueOf(FORMAT), kernel.sha256(), authorizedKey,
                agent == null ? "-" : BzImage.sha256(agent), BzImage.sha256(Path.of("/usr/sbin/dropbear")), BzImage.sha256(busybox())));
        for (Path t : tools) {
            if (!Files.isRegularFile(t)) {
                throw new IOException(t + " is not installed (infra/setup installs it)");
            }
            parts.add(t + "=" + BzImage.sha256(t));
        }
        String key = ContentKey.of(parts);
        Path out = cacheDir.resolve("host-" + key + ".cpio");
        if (Files.exists(out)) {
            return out;
        }
        Files.createDirectories(cacheDir);
        Path root = Files.createTempDirectory(cacheDir, ".root-");
        try {
            base(root);
            List<List<String>> order = GuestModules.resolve(kernel, root);
            copyWithLibs(Path.of("/usr/sbin/dropbear"), root);
            copyWithLibs(Path.of("/usr/bin/dropbearkey"), root);
            for (Path t : tools) {
                copyWithLibs(t, root);
            }
            Path sftp = Path.of("/usr/lib/openssh/sftp-server");
            if (Files.exists(sftp)) {
                copyWithLibs(sftp, root);
                Files.copy(sftp, root.resolve("usr/lib/sftp-server"), StandardCopyOption.REPLACE_EXISTING);
            }
            Path ssh = Files.createDirectories(root.resolve("root/.ssh"));
            Files.setPosixFilePermissions(ssh, PosixFilePermissions.fromString("rwx------"));
            Path ak = ssh.resolve("authorized_keys");
            Files.writeString(ak, authorizedKey.strip() + "\n");
            Files.setPosixFilePermissions(ak, PosixFilePermissions.fromString("rw-------"));
            if (agent != null) {
                Files.createDirectories(root.resolve("usr/bin"));
                Files.copy(agent, root.resolve(AGENT_PATH.substring(1)), StandardCopyOption.REPLACE_EXISTING);
                Files.setPosixFilePermissions(root.resolve(AGENT_PATH.substring(1)), PosixFilePermissions.fromString("rwxr-xr-x"));
            }
            Files.writeString(root.resolve("etc/kval-modules.net"), lines(order.get(0)));
            Files.writeString(root.resolve("etc/kval-modules.kvm"), lines(order.get(1)));
            Files.writeString(root.resolve(HOSTROOT_MODULES_LIST.substring(1)), lines(order.get(2)));
            Files.writeString(root.resolve("etc/kval-load.sh"), String.join("\n",
                    // The lists name this image's kernel's flat copies (<release>/<name>.ko). After a kexec into
                    // another kernel (SshHostProvider on an initramfs-rooted machine) the same root runs a kernel
                    // whose full module tree was installed next to them: load those by name through its modules.dep.
                    "R=$(uname -r)",
                    "load() {",
                    "  while read -r m; do",
                    "    case \"$m\" in",
                    "      *kvm-amd.ko) grep -qw svm /proc/cpuinfo || continue ;;",
                    "      *kvm-intel.ko) grep -qw vmx /proc/cpuinfo || continue ;;",
                    "    esac",
                    "    if [ \"${m%%/*}\" = \"$R\" ]; then",
                    "      insmod \"/lib/modules/$m\" || echo \"KVAL-INSMOD-FAILED $m\"",
                    "    else",
                    "      n=${m##*/}; modprobe \"${n%.ko}\" || echo \"KVAL-INSMOD-FAILED $R/${n%.ko}\"",
                    "    fi",
                    "  done < \"$1\"",
                    "}", ""));
            writeInit(root, hostInit());
            pack(root, out);
        } finally {
            KernelCache.deleteTree(root);
        }
        prune(cacheDir, 24);
        return out;
    }

    /** The prompt of the batch image's console shell (a LAVA job's boot action waits for it). */
    public static final String BATCH_PROMPT = "kval-batch # ";

    /**
     * The initramfs of a batch host (a LAVA device): busybox, the kernel's KVM modules and the agent at
     * {@value #AGENT_PATH}; init loads the modules, then keeps a shell on the console with the prompt
     * {@value #BATCH_PROMPT}. No network and no SSH: the lab's test runner types the commands (cached).
     */
    public static Path forBatch(KernelArtifact kernel, Path agent, Path cacheDir) throws IOException {
        String key = ContentKey.of(List.of("batch", String.valueOf(FORMAT), kernel.sha256(), BzImage.sha256(agent), BzImage.sha256(busybox())));
        Path out = cacheDir.resolve("batch-" + key + ".cpio");
        if (Files.exists(out)) {
            return out;
        }
        Files.createDirectories(cacheDir);
        Path root = Files.createTempDirectory(cacheDir, ".root-");
        try {
            base(root);
            List<List<String>> order = GuestModules.resolve(kernel, root);
            Files.createDirectories(root.resolve("usr/bin"));
            Path dest = root.resolve(AGENT_PATH.substring(1));
            Files.copy(agent, dest, StandardCopyOption.REPLACE_EXISTING);
            Files.setPosixFilePermissions(dest, PosixFilePermissions.fromString("rwxr-xr-x"));
            List<String> all = new ArrayList<>(order.get(0));
            all.addAll(order.get(1));
            Files.writeString(root.resolve("etc/kval-modules.kvm"), lines(all));
            writeInit(root, String.join("\n",
                    "#!/bin/sh",
                    "export PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root",
                    "mount -t proc proc /proc",
                    "mount -t sysfs sysfs /sys",
                    "mount -t devtmpfs devtmpfs /dev",
                    "mount -t tmpfs tmpfs /tmp",
                    "mount -t tmpfs tmpfs /run",
                    "mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null",
                    "hostname kval",
                    "while read -r m; do",
                    "  case \"$m\" in",
                    "    *kvm-amd.ko) grep -qw svm /proc/cpuinfo || continue ;;",
                    "    *kvm-intel.ko) grep -qw vmx /proc/cpuinfo || continue ;;",
                    "  esac",
                    "  insmod \"/lib/modules/$m\" || echo \"KVAL-INSMOD-FAILED $m\"",
                    "done < /etc/kval-modules.kvm",
                    "echo KVAL-BATCH-READY",
                    "export PS1='" + BATCH_PROMPT + "'",
                    "while :; do setsid cttyhack sh -l; done",
                    ""));
            pack(root, out);
        } finally {
            KernelCache.deleteTree(root);
        }
        return out;
    }

    /** Keeps the newest {@code keep} host initramfs images (one per kernel/agent/key combination). */
    static void prune(Path cacheDir, int keep) {
        try (var s = Files.list(cacheDir)) {
            List<Path> all = new ArrayList<>(s.filter(p -> p.getFileName().toString().matches("host-[0-9a-f]+\\.cpio")).toList());
            all.sort((a, b) -> {
                try {
                    return Files.getLastModifiedTime(b).compareTo(Files.getLastModifiedTime(a));
                } catch (IOException e) {
                    return 0;
                }
            });
            for (Path p : all.subList(Math.min(keep, all.size()), all.size())) {
                Files.deleteIfExists(p);
            }
        } catch (IOException ignored) {
            // best effort
        }
    }

    /** The baseline: busybox only, init prints {@value #SHELL_MARKER} and powers off (boot benchmark). */
    public static Path bare(Path cacheDir) throws IOException {
        String key = ContentKey.of(List.of("bare", String.valueOf(FORMAT), BzImage.sha256(busybox())));
        Path out = cacheDir.resolve("bare-" + key + ".cpio");
        if (Files.exists(out)) {
            return out;
        }
        Files.createDirectories(cacheDir);
        Path root = Files.createTempDirectory(cacheDir, ".root-");
        try {
            base(root);
            writeInit(root, "#!/bin/sh\nexport PATH=/usr/sbin:/usr/bin:/sbin:/bin\nmount -t proc proc /proc\n"
                    + "echo " + SHELL_MARKER + "\nexec sh\n");
            pack(root, out);
        } finally {
            KernelCache.deleteTree(root);
        }
        return out;
    }

    public static Path busybox() {
        for (String p : List.of("/bin/busybox", "/usr/bin/busybox")) {
            if (Files.exists(Path.of(p))) {
                return Path.of(p);
            }
        }
        throw new IllegalStateException("busybox-static is not installed (apt-get install busybox-static)");
    }

    private static void base(Path root) throws IOException {
        for (String d : List.of("bin", "sbin", "usr/bin", "usr/sbin", "usr/lib", "etc", "proc", "sys", "dev", "tmp", "run", "root",
                "var/log", "lib/modules", "mnt")) {
            Files.createDirectories(root.resolve(d));
        }
        Path bb = root.resolve("bin/busybox");
        Files.copy(busybox(), bb);
        Files.setPosixFilePermissions(bb, PosixFilePermissions.fromString("rwxr-xr-x"));
        String list = Proc.check(List.of(busybox().toString(), "--list-full"), null, Duration.ofSeconds(10)).stdout();
        for (String applet : list.lines().map(String::strip).filter(s -> !s.isEmpty()).toList()) {
            Path link = root.resolve(applet);
            if (!Files.exists(link) && !applet.equals("bin/busybox")) {
                Files.createDirectories(link.getParent());
                Files.createSymbolicLink(link, Path.of("/bin/busybox"));
            }
        }
        Files.writeString(root.resolve("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\n");
        Files.writeString(root.resolve("etc/group"), "root:x:0:\n");
        Files.writeString(root.resolve("etc/shells"), "/bin/sh\n");
        Files.writeString(root.resolve("etc/hostname"), "kval\n");
    }

    private static String hostInit() {
        return String.join("\n",
                "#!/bin/sh",
                "export PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root",
                "mount -t proc proc /proc",
                "mount -t sysfs sysfs /sys",
                "mount -t devtmpfs devtmpfs /dev",
                "mkdir -p /dev/pts /dev/shm",
                "mount -t devpts devpts /dev/pts",
                "mount -t tmpfs tmpfs /tmp",
                "mount -t tmpfs tmpfs /run",
                "mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null",
                "stage() { echo \"KVAL-INIT $1 $(cut -d' ' -f1 /proc/uptime)\"; }",
                ". /etc/kval-load.sh",
                "stage net-modules",
                "load /etc/kval-modules.net",
                "hostname kval",
                "ip link set lo up",
                "ip link set eth0 up && ip addr add 10.0.2.15/24 dev eth0 && ip route add default via 10.0.2.2 || echo 'KVAL-NET-FAILED'",
                "mkdir -p /etc/dropbear /run/kval",
                "stage hostkey",
                // Generated only when absent: a root repacked before a kexec keeps its key, as a real machine does,
                // so the key pinned at first boot still matches afterwards.
                "[ -f /etc/dropbear/hostkey ] || dropbearkey -t ed25519 -f /etc/dropbear/hostkey >/dev/null 2>&1",
                "K=$(dropbearkey -y -f /etc/dropbear/hostkey 2>/dev/null | grep '^ssh-' | cut -d' ' -f1,2)",
                "for i in 1 2 3; do echo \"" + HOSTKEY_MARKER + " $K " + HOSTKEY_MARKER + "-END\"; done",
                "dropbear -s -g -r /etc/dropbear/hostkey -p 22 -P /run/dropbear.pid",
                "echo '" + READY_MARKER + "'",
                "stage kvm-modules",
                // niced: with one TCG vCPU, loading kvm competes with dropbear's first handshake
                "sh -c 'renice -n 19 -p $$ >/dev/null; . /etc/kval-load.sh; load /etc/kval-modules.kvm'",
                "touch " + MODULES_DONE,
                "stage " + MODULES_MARKER,
                "while :; do sleep 3600; done",
                "");
    }

    private static void writeInit(Path root, String script) throws IOException {
        Path init = root.resolve("init");
        Files.writeString(init, script);
        Files.setPosixFilePermissions(init, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private static String lines(List<String> l) {
        return l.isEmpty() ? "" : String.join("\n", l) + "\n";
    }

    private static final Pattern LDD = Pattern.compile("(?:=>\\s*)?(/\\S+)\\s+\\(0x");

    /** Copies a dynamically linked binary and its libraries (from ldd) to the same paths under root. */
    public static void copyWithLibs(Path bin, Path root) throws IOException {
        Path dest = root.resolve(bin.toString().substring(1));
        Files.createDirectories(dest.getParent());
        Files.copy(bin, dest, StandardCopyOption.REPLACE_EXISTING);
        String ldd = Proc.run(List.of("ldd", bin.toString()), null, Duration.ofSeconds(10)).stdout();
        for (String line : ldd.lines().toList()) {
            Matcher m = LDD.matcher(line);
            if (m.find()) {
                Path lib = Path.of(m.group(1));
                Path d = root.resolve(lib.toString().substring(1));
                Files.createDirectories(d.getParent());
                if (!Files.exists(d)) {
                    Files.copy(lib.toRealPath(), d);
                }
            }
        }
    }

    private static void pack(Path root, Path out) throws IOException {
        Path tmp = out.resolveSibling(out.getFileName() + ".tmp" + ProcessHandle.current().pid());
        String cmd = "find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet > \"$1\"";
        Proc.check(List.of("sh", "-c", cmd, "sh", tmp.toString()), root, Duration.ofMinutes(2));
        Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

}
