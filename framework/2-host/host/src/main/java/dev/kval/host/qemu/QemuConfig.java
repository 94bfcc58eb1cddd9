package dev.kval.host.qemu;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * How kval runs QEMU. Defaults: TCG with {@code -cpu max} (nested SVM works under TCG), 2 GiB, 1 vCPU; with
 * {@code smp > 1} TCG runs single-threaded ({@code thread=single}: multi-threaded TCG + smp 2 oopses in nested KVM).
 * The guest has two NUMA nodes (memory split evenly, every vCPU on node 0, node 1 memory-only) so guest_memfd's
 * mempolicy (C17, 6.19+) is tested where an allocation can really land on a node the vCPU is not on.
 */
public record QemuConfig(String accel, String cpu, int memoryMb, int smp, Duration bootTimeout, String extraAppend,
        Duration deadSilence, int numaNodes, boolean hostRoot) {

    /** The 9p mount tag of the JVM root shared read-only when {@link #hostRoot} is set ({@link JvmShare}). */
    public static final String HOSTROOT_TAG = JvmShare.ROOT_TAG;

    public QemuConfig(String accel, String cpu, int memoryMb, int smp, Duration bootTimeout, String extraAppend,
            Duration deadSilence, int numaNodes) {
        this(accel, cpu, memoryMb, smp, bootTimeout, extraAppend, deadSilence, numaNodes, false);
    }

    public QemuConfig(String accel, String cpu, int memoryMb, int smp, Duration bootTimeout, String extraAppend,
            Duration deadSilence) {
        this(accel, cpu, memoryMb, smp, bootTimeout, extraAppend, deadSilence, 2, false);
    }

    public static QemuConfig defaults() {
        return new QemuConfig("tcg", "max", 2048, 1, Duration.ofSeconds(120), "", Duration.ofSeconds(30), 2);
    }

    /**
     * TCG unless this machine has real hardware virtualization (vmx/svm in /proc/cpuinfo and a usable /dev/kvm), in
     * which case {@code -accel kvm -cpu host}. A PVM host has /dev/kvm but no vmx/svm: its CPL0 emulation cannot boot
     * stock kernels in useful time (kvm-host-probe.md section 13), so it gets TCG. {@code KVAL_QEMU_ACCEL=tcg|kvm} overrides.
     */
    public static QemuConfig auto() {
        String force = System.getenv("KVAL_QEMU_ACCEL");
        boolean kvm;
        if (force != null && !force.isBlank()) {
            kvm = force.strip().equals("kvm");
        } else {
            kvm = hardwareVirt() && dev.kval.host.LocalHost.kvmState().usable();
        }
        QemuConfig d = defaults();
        return kvm ? new QemuConfig("kvm", "host", d.memoryMb(), d.smp(), d.bootTimeout(), d.extraAppend(), d.deadSilence(),
                d.numaNodes(), d.hostRoot()) : d;
    }

    static boolean hardwareVirt() {
        try {
            for (String l : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/cpuinfo"))) {
                if (l.startsWith("flags") && (l.matches(".*\\b(vmx|svm)\\b.*"))) {
                    return true;
                }
            }
        } catch (java.io.IOException e) {
            return false;
        }
        return false;
    }

    public QemuConfig withAppend(String append) {
        return new QemuConfig(accel, cpu, memoryMb, smp, bootTimeout, append, deadSilence, numaNodes, hostRoot);
    }

    public QemuConfig withBootTimeout(Duration d) {
        return new QemuConfig(accel, cpu, memoryMb, smp, d, extraAppend, deadSilence, numaNodes, hostRoot);
    }

    public QemuConfig withSmp(int n) {
        return new QemuConfig(accel, cpu, memoryMb, n, bootTimeout, extraAppend, deadSilence, numaNodes, hostRoot);
    }

    public QemuConfig withNumaNodes(int n) {
        return new QemuConfig(accel, cpu, memoryMb, smp, bootTimeout, extraAppend, deadSilence, n, hostRoot);
    }

    /**
     * Shares what a JVM needs read-only into the guest over virtio-9p ({@link JvmShare}: this JVM's home and a small
     * root of the libraries it links against), so kval's workloads run in a chroot of it. Only that: the guest runs
     * the candidate kernel, which must not read this machine's files. Opt-in: one more device on the boot path.
     */
    public QemuConfig withHostRoot(boolean on) {
        return new QemuConfig(accel, cpu, memoryMb, smp, bootTimeout, extraAppend, deadSilence, numaNodes, on);
    }

    /** QEMU arguments for the NUMA topology: one RAM backend per node, all vCPUs on node 0; none for one node. */
    public List<String> numaArgs() {
        List<String> a = new ArrayList<>();
        if (numaNodes <= 1) {
            return a;
        }
        int per = memoryMb / numaNodes;
        for (int i = 0; i < numaNodes; i++) {
            int size = i == numaNodes - 1 ? memoryMb - per * (numaNodes - 1) : per;
            a.addAll(List.of("-object", "memory-backend-ram,id=ram" + i + ",size=" + size + "M",
                    "-numa", "node,nodeid=" + i + ",memdev=ram" + i + (i == 0 ? ",cpus=0-" + (smp - 1) : "")));
        }
        return a;
    }

    /** The -accel argument: {@code tcg,thread=single} when TCG runs more than one vCPU. */
    public String accelArg() {
        if (accel.equals("tcg") && smp > 1) {
            return "tcg,thread=single";
        }
        return accel;
    }

    /**
     * The QEMU hosts of a sweep, a bisection or the gate's series bisection: the race suite's threads are pinned to
     * different vCPUs (-smp 2) and a stuck task must reach the console in seconds (hung_task_timeout_secs=10).
     */
    public static QemuConfig forSuites(java.util.List<String> suites, String casePattern) {
        boolean race = (suites != null && suites.contains("race")) || (casePattern != null && casePattern.startsWith("race."));
        return race ? auto().withSmp(2).withAppend("sysctl.kernel.hung_task_timeout_secs=10 no_timer_check") : auto();
    }
}
