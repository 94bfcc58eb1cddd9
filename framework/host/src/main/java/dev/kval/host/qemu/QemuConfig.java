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

    public QemuConfig withAppend(String append) {
        return new QemuConfig(accel, cpu, memoryMb, smp, bootTimeout, append, deadSilence);
    }

    public QemuConfig withBootTimeout(Duration d) {
        return new QemuConfig(accel, cpu, memoryMb, smp, d, extraAppend, deadSilence);
    }

    public QemuConfig withSmp(int n) {
        return new QemuConfig(accel, cpu, memoryMb, n, bootTimeout, extraAppend, deadSilence);
    }

    String accelArg() {
        if (accel.equals("tcg") && smp > 1) {
            return "tcg,thread=single";
        }
        return accel;
    }
}
