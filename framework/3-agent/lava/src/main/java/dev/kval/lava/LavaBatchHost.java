package dev.kval.lava;

import dev.kval.agent.AgentOptions;
import dev.kval.agent.BatchHost;
import dev.kval.host.Attribution;
import dev.kval.host.HostFailure;
import dev.kval.host.qemu.Initramfs;
import dev.kval.kernel.KernelArtifact;
import dev.kval.kernel.KvalPaths;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * {@code lava:<device type>}: a batch host in a LAVA lab. Checks the lab first (server, token, device type), builds the
 * batch initramfs (busybox, the kernel's KVM modules, the agent), publishes kernel and initramfs on the artifact server,
 * submits the job (its id goes to the run's {@value LavaJobs#FILE} at once), follows it and reads the outcome from its
 * log. Problems with the lab or the request are {@link LavaException}s wrapped as infrastructure failures whose message
 * says what to fix.
 */
public final class LavaBatchHost implements BatchHost {
    private final LavaConfig cfg;
    private final String deviceType;
    private final Path agentBinary;

    public LavaBatchHost(LavaConfig cfg, String deviceType, Path agentBinary) {
        this.cfg = cfg;
        this.deviceType = deviceType;
        this.agentBinary = agentBinary;
    }

    /**
     * A job an earlier attempt of this target submitted (recorded in the run directory's {@value LavaJobs#FILE}, kept by
     * the controller when it resumes a cell) that is still queued or running, or finished complete: followed again by
     * its id instead of submitting the same job twice. A cancelled or incomplete one is not reused.
     */
    static java.util.Optional<LavaJob> reattachable(LavaJobs jobs, LavaClient client, String target, Consumer<String> say) throws IOException {
        List<LavaJobs.Entry> mine = jobs.entries().stream().filter(e -> e.target().equals(target)).toList();
        if (mine.isEmpty()) {
            return java.util.Optional.empty();
        }
        LavaJobs.Entry last = mine.get(mine.size() - 1);
        LavaClient.JobStatus s;
        try {
            s = client.job(last.jobId());
        } catch (LavaException e) {
            say.accept("lava: recorded job " + last.jobId() + " is not known to the lab (" + e.getMessage() + "); submitting a new one");
            return java.util.Optional.empty();
        }
        if (s.finished() && !"Complete".equals(s.health())) {
            say.accept("lava: recorded job " + last.jobId() + " ended " + s.health() + "; submitting a new one");
            return java.util.Optional.empty();
        }
        say.accept("lava: re-attached to job " + last.jobId() + " (" + s.state() + ", recorded in " + jobs.file() + "), not submitted again");
        return java.util.Optional.of(jobs.reattach(last.jobId()));
    }

    @Override
    public Collected run(KernelArtifact kernel, AgentOptions options, String append, Path dir, Consumer<String> say) throws IOException {
        if (kernel == null) {
            throw new IllegalArgumentException("lava:" + deviceType + " needs a kernel to boot (--kernel debian:7.3.4, path:..., build:...)");
        }
        LavaClient client = new LavaClient(cfg);
        try {
            String version = client.version();
            String user = client.whoami();
            if (client.tokenIsSuperuser()) {
                say.accept("lava:" + deviceType + ": WARNING the LAVA token (" + cfg.token().source() + ") is superuser " + user
                        + "'s: give kval a user of its own that may only submit and cancel test jobs (README, LAVA labs)");
            }
            List<String> devices = client.usableDevices(deviceType);
            say.accept("lava:" + deviceType + ": LAVA " + version + " at " + cfg.url() + " as " + user + ", devices " + String.join(", ", devices));
            Path initrd = Initramfs.forBatch(kernel, agentBinary, KvalPaths.cache().resolve("initramfs"));
            ArtifactServer server = ArtifactServer.shared(cfg.artifactHost());
            ArtifactServer.Artifact k = server.publish(kernel.kernel(), "vmlinuz", cfg.artifactBaseUrl());
            ArtifactServer.Artifact r = server.publish(initrd, "initramfs.cpio", cfg.artifactBaseUrl());
            LavaConfig.Timeouts t = cfg.timeouts();
            int testMinutes = (int) Math.min(t.testMinutes(), Math.max(2, options.overall().toMinutes() + 2));
            LavaConfig.Timeouts jt = new LavaConfig.Timeouts(t.deployMinutes(), t.bootMinutes(), testMinutes,
                    Math.min(t.jobMinutes(), t.deployMinutes() + t.bootMinutes() + testMinutes + 2), t.queueMinutes());
            Map<String, String> meta = new LinkedHashMap<>();
            meta.put("kval.target", dir.getFileName().toString());
            meta.put("kval.kernel", kernel.release());
            meta.put("kval.suites", String.join(",", options.suites()));
            String yaml = JobDefinition.yaml("kval " + dir.getFileName() + " " + kernel.release() + " " + String.join(",", options.suites()),
                    deviceType, k, r, append, options, jt, meta);
            Files.writeString(dir.resolve("lava-job.yaml"), yaml);
            LavaJobs jobs = new LavaJobs(client, dir.getParent());
            long t0 = System.nanoTime();
            java.util.Optional<LavaJob> earlier = reattachable(jobs, client, dir.getFileName().toString(), say);
            LavaJob job = earlier.isPresent() ? earlier.get() : jobs.submit(dir.getFileName().toString(), deviceType, yaml);
            if (earlier.isEmpty()) {
                say.accept("lava:" + deviceType + ": submitted job " + job.id() + " (" + client.jobUrl(job.id()) + ", recorded in "
                        + jobs.file() + ")");
            }
            // a run stopped while its job is in the lab (Ctrl-C, the JVM ends) cancels the job instead of leaving it to run
            Thread cancelOnExit = new Thread(() -> {
                try {
                    jobs.cancel(job.id());
                } catch (IOException ignored) {
                    // the JVM is going away; the id is in lava-jobs.json for a later cancelAll
                }
            }, "lava-cancel-" + job.id());
            Runtime.getRuntime().addShutdownHook(cancelOnExit);
            LavaClient.JobStatus s;
            try {
                s = job.await(Duration.ofMinutes(t.queueMinutes()), Duration.ofMinutes(jt.jobMinutes() + 2), say);
            } finally {
                try {
                    Runtime.getRuntime().removeShutdownHook(cancelOnExit);
                } catch (IllegalStateException shuttingDown) {
                    // the hook is running
                }
            }
            jobs.update(s);
            Duration elapsed = Duration.ofNanos(System.nanoTime() - t0);
            say.accept("lava:" + deviceType + ": job " + job.id() + " " + s.health() + " after " + elapsed.toSeconds() + " s");
            return JobOutcome.read(job, s, dir, elapsed);
        } catch (LavaException e) {
            throw new HostFailure(Attribution.INFRASTRUCTURE, e.getMessage(), List.of("LAVA " + e.kind().name().toLowerCase() + " error"), e);
        }
    }
}
