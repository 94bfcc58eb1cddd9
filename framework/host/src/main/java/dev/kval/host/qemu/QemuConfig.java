package dev.kval.host.qemu;

import java.time.Duration;

/**
 * How kval runs QEMU. Defaults: TCG with {@code -cpu max} (nested SVM works under TCG), 2 GiB, 1 vCPU; with
 * {@code smp > 1} TCG runs single-threaded ({@code thread=single}: multi-threaded TCG + smp 2 oopses in nested KVM).
 */
public record QemuConfig(String accel, String cpu, int memoryMb, int smp, Duration bootTimeout, String extraAppend,
        Duration deadSilence) {

    public static QemuConfig defaults() {
        return new QemuConfig("tcg", "max", 2048, 1, Duration.ofSeconds(120), "", Duration.ofSeconds(30));
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
        return kvm ? new QemuConfig("kvm", "host", d.memoryMb(), d.smp(), d.bootTimeout(), d.extraAppend(), d.deadSilence()) : d;
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
        return new QemuConfig(accel, cpu, memoryMb, smp, bootTimeout, append, deadSilence);
    }

    public QemuConfig withBootTimeout(Duration d) {
        return new QemuConfig(accel, cpu, memoryMb, smp, d, extraAppend, deadSilence);
    }

    public QemuConfig withSmp(int n) {
        return new QemuConfig(accel, cpu, memoryMb, n, bootTimeout, extraAppend, deadSilence);
    }

    /** The -accel argument: {@code tcg,thread=single} when TCG runs more than one vCPU. */
    public String accelArg() {
        if (accel.equals("tcg") && smp > 1) {
            return "tcg,thread=single";
        }
        return accel;
    }
}
