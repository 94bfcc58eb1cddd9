package dev.kval.controller;

import dev.kval.executor.Executor;
import dev.kval.executor.ExecutorListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;

/**
 * Prometheus metrics (/q/metrics): kval_runs_total{state}, kval_results_total{status}, kval_boot_seconds{host_class}
 * (boot-to-ready of each host, as the child run measured it) and kval_queue_length (cells waiting for a slot).
 */
@ApplicationScoped
public class Metrics implements ExecutorListener {
    @Inject
    MeterRegistry registry;

    void watch(Executor executor) {
        Gauge.builder("kval_queue_length", executor, Executor::queueLength).description("cells waiting for a free slot").register(registry);
    }

    @Override
    public void runState(long runId, String state) {
        Counter.builder("kval_runs").description("runs that entered a state").tag("state", state).register(registry).increment();
    }

    @Override
    public void results(long runId, String cell, Map<String, Long> byStatus) {
        byStatus.forEach((status, n) -> Counter.builder("kval_results").description("verdicts stored").tag("status", status)
                .register(registry).increment(n));
    }

    @Override
    public void boot(String hostClass, long millis) {
        Timer.builder("kval_boot").description("host boot (provision) time").tag("host_class", hostClass)
                .publishPercentileHistogram(false).register(registry).record(Duration.ofMillis(millis));
    }
}
