package dev.kval.workload;

import dev.kval.host.Host;
import dev.kval.host.HostFailure;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;

/** The one-call API for {@code ./kval run --stress NAME}: run work under a stressor and get both results. */
public final class Stressors {
    private Stressors() {
    }

    /** What work returned, and the stressor's measured effect during it. */
    public record Stressed<T>(T value, Effect effect) {
    }

    /**
     * Starts stressor {@code name} on host (returns once its pressure is in effect), runs work, stops it and returns
     * both. If work throws, the stressor is still stopped and the exception rethrown (a failed stop is suppressed
     * into it). A QEMU host must have been booted with {@code QemuConfig.withHostRoot(true)} (it needs a JVM).
     */
    public static <T> Stressed<T> around(Host host, String name, Callable<T> work) throws Exception {
        return around(host, name, List.of(), work);
    }

    public static <T> Stressed<T> around(Host host, String name, List<String> options, Callable<T> work) throws Exception {
        Stressor s = Stressor.start(host, name, Duration.ZERO, options);
        T v;
        try {
            v = work.call();
        } catch (Exception | Error e) {
            try {
                s.stop();
            } catch (HostFailure f) {
                e.addSuppressed(f);
            }
            throw e;
        }
        return new Stressed<>(v, s.stop());
    }
}
