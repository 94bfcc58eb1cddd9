package dev.kval.executor;

/** One (host, kernel) of a run; the local host has no kernel spec (it runs its own). */
public record Cell(String host, String kernel) {
    /** {@code qemu=debian:7.3.4} or {@code local}: the same label the Allure results and the store's host rows use. */
    public String label() {
        return kernel == null ? host : host + "=" + kernel;
    }

    /** The cell's directory under the run's out dir. */
    public String dirName() {
        return label().replaceAll("[^A-Za-z0-9._+-]", "-");
    }
}
