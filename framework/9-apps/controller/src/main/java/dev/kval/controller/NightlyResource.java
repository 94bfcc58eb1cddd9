package dev.kval.controller;

import dev.kval.executor.Nightly;
import dev.kval.executor.NightlyDiff;
import dev.kval.triage.SeriesFlakiness;
import dev.kval.store.RunRow;
import dev.kval.store.Runs;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.jboss.logging.Logger;

/**
 * Nightly kernel testing: on {@code kval.nightly.cron} (off by default) the matrix of {@code kval.nightly.kernels} x
 * {@code hosts} x {@code suites}, repeated {@code repeat} times, as a run of kind nightly; its diff against the night
 * before is written to the run's nightly-diff.json when it ends, and served here.
 */
@Path("/api/nightly")
@Produces(MediaType.APPLICATION_JSON)
@ApplicationScoped
public class NightlyResource {
    private static final Logger LOG = Logger.getLogger(NightlyResource.class);

    @Inject
    Services services;

    static Nightly.Plan plan() {
        return new Nightly.Plan(dev.kval.kernel.KernelSpec.splitList(ControllerConfig.get("kval.nightly.kernels").orElse("debian:newest")), list("kval.nightly.hosts", "qemu"),
                list("kval.nightly.suites", "api"), ControllerConfig.get("kval.nightly.case").orElse(null),
                ControllerConfig.get("kval.nightly.repeat").map(Integer::parseInt).orElse(2));
    }

    private static List<String> list(String key, String def) {
        return Arrays.stream(ControllerConfig.get(key).orElse(def).split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

    @Scheduled(cron = "{kval.nightly.cron}", identity = "kval-nightly", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduled() throws Exception {
        long run = startNight();
        if (run < 0) {
            return;
        }
        NightlyDiff d = new Nightly(services.executor(), SeriesFlakiness::isFlaky).awaitDiff(run, java.time.Duration.ofHours(23));
        LOG.infof("kval nightly: run %d against %s: %s", run, d.previousRun(), d.counts());
    }

    long startNight() {
        long run = new Nightly(services.executor(), SeriesFlakiness::isFlaky).start(plan());
        if (run < 0) {
            LOG.infof("kval nightly: nothing new (every git: branch of kval.nightly.kernels is at the commit an earlier night tested)");
            return run;
        }
        // the diff is written when the night ends, whoever started it
        Thread t = new Thread(() -> {
            try {
                new Nightly(services.executor(), SeriesFlakiness::isFlaky).awaitDiff(run, java.time.Duration.ofHours(23));
            } catch (Exception e) {
                LOG.warnf("kval nightly: no diff for run %d: %s", run, e.getMessage());
            }
        }, "kval-nightly-diff");
        t.setDaemon(true);
        t.start();
        return run;
    }

    @POST
    @Operation(summary = "Start one night now (needs the API token); the diff is at /api/nightly/{run}/diff when it ends")
    public Response now() {
        long run = startNight();
        if (run < 0) {
            return Response.ok(Map.of("run", -1, "skipped", "nothing new: every git: branch is at the commit an earlier night tested", "plan", plan())).build();
        }
        return Response.accepted(Map.of("run", run, "plan", plan())).location(URI.create("/api/runs/" + run)).build();
    }

    @GET
    @Path("{run}/diff")
    @Operation(summary = "A night's diff against the night before: new failures, fixed, still failing, flaky, new skips")
    public NightlyDiff diff(@PathParam("run") long run) throws Exception {
        RunRow r = new Runs(services.store()).find(run).filter(x -> x.kind().equals("nightly"))
                .orElseThrow(() -> new NotFoundException("no nightly run " + run));
        if (!r.finished()) {
            throw new jakarta.ws.rs.WebApplicationException(ErrorMappers.error(409, "run", "nightly run " + run + " is " + r.state()
                    + ": its diff is made when it ends"));
        }
        return Nightly.diff(services.store(), run, SeriesFlakiness::isFlaky);
    }
}
