package dev.kval.suites;

import dev.kval.host.Attribution;
import dev.kval.host.Host;
import dev.kval.host.HostFailure;
import dev.kval.result.HostResult;
import dev.kval.workload.Effect;
import dev.kval.workload.Stressors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Consumer;

/**
 * {@code --stress NAME}: the agent runs while a Java stressor (images/workloads) loads the same host, and the
 * stressor's measured effect (free 2M blocks before/after/min, THP and compaction counters) is kept beside the
 * verdicts in {@code stress.json} and summary.json, so a hugepage result under fragmentation is read with the
 * fragmentation it really had.
 */
final class StressStage {
    private StressStage() {
    }

    static <T> T around(Host host, String name, Path dir, HostResult hr, Consumer<String> say, Callable<T> work)
            throws HostFailure, IOException {
        say.accept(hr.name() + ": starting stressor " + name);
        Stressors.Stressed<T> o;
        try {
            o = Stressors.around(host, name, work);
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new HostFailure(Attribution.INFRASTRUCTURE, "stressor " + name + " on " + hr.name() + " failed: " + e, List.of(), e);
        }
        Effect eff = o.effect();
        Files.writeString(dir.resolve("stress.json"), eff.json() + "\n");
        hr.file("stress", hr.name() + "/stress.json");
        hr.info().put("stress", name);
        hr.info().put("stressFree2mBefore", eff.free2mBeforeTotal());
        hr.info().put("stressFree2mMin", eff.free2mMinTotal());
        hr.info().put("stressFree2mAfter", eff.free2mAfterTotal());
        hr.info().put("stressThpFaultAllocDelta", eff.vmstatDelta("thp_fault_alloc"));
        hr.info().put("stressThpFaultFallbackDelta", eff.vmstatDelta("thp_fault_fallback"));
        say.accept(hr.name() + ": stressor " + name + ": " + eff.summary());
        return o.value();
    }
}
