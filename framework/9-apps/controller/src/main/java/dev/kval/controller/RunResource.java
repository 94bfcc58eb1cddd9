package dev.kval.controller;

import dev.kval.executor.BadRequestException;
import dev.kval.executor.RunRequest;
import dev.kval.store.ResultFilter;
import dev.kval.store.RunRow;
import dev.kval.store.Runs;
import dev.kval.store.StoredResult;
import io.smallrye.mutiny.Multi;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.jboss.resteasy.reactive.RestStreamElementType;

/** Runs: submit (kernels x hosts x suites, repeat, stress), state and progress, verdicts, live log (SSE), cancel. */
@Path("/api/runs")
@Produces(MediaType.APPLICATION_JSON)
public class RunResource {
    static final Set<String> KINDS = Set.of("run", "nightly", "gate", "bisect", "sweep");
    static final Set<String> STATES = Set.of("QUEUED", "RUNNING", "DONE", "FAILED", "CANCELLED", "INTERRUPTED");

    @Inject
    Services services;

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Submit a run (needs the API token)")
    public Response submit(RunRequest request, @QueryParam("kind") @DefaultValue("run") String kind) {
        if (request == null) {
            throw new BadRequestException("body", "a JSON run request is required, e.g. {\"hosts\":[\"qemu\"],\"kernels\":[\"debian:7.3.4\"],\"suites\":[\"api\"]}");
        }
        if (!KINDS.contains(kind)) {
            throw new BadRequestException("kind", "'" + kind + "' is not one of " + KINDS);
        }
        BuildRoots.check(request.kernels());
        long id = services.executor().submit(request, kind);
        return Response.created(URI.create("/api/runs/" + id)).entity(view(id)).build();
    }

    @GET
    @Operation(summary = "Runs, newest first")
    public List<RunRow> list(@QueryParam("state") String state, @QueryParam("kind") String kind, @QueryParam("limit") @DefaultValue("50") int limit) {
        if (state != null && !STATES.contains(state)) {
            throw new BadRequestException("state", "'" + state + "' is not one of " + STATES);
        }
        if (limit < 1 || limit > 1000) {
            throw new BadRequestException("limit", limit + " is out of range 1..1000");
        }
        return new Runs(services.store()).list(kind, state, limit);
    }

    @GET
    @Path("{id}")
    @Operation(summary = "A run's state and progress: cells, their steps, verdicts so far")
    public RunView get(@PathParam("id") long id) {
        return view(id);
    }

    @GET
    @Path("{id}/results")
    @Operation(summary = "A run's stored verdicts, filtered")
    public List<StoredResult> results(@PathParam("id") long id, @QueryParam("status") String status, @QueryParam("suite") String suite,
            @QueryParam("kernel") String kernel, @QueryParam("host") String host, @QueryParam("test") String test,
            @QueryParam("limit") @DefaultValue("10000") int limit) {
        row(id);
        return ResultResource.query(services.store(), ResultFilter.ALL.withRun(id), status, suite, kernel, host, test, limit);
    }

    @POST
    @Path("{id}/cancel")
    @Operation(summary = "Cancel a run (needs the API token): queued cells never start, running ones are stopped")
    public Response cancel(@PathParam("id") long id) {
        RunRow r = row(id);
        if (!services.executor().cancel(id)) {
            return ErrorMappers.error(409, "id", "run " + id + " is already " + r.state() + ": nothing to cancel");
        }
        return Response.ok(view(id)).build();
    }

    @GET
    @Path("{id}/log")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @RestStreamElementType(MediaType.TEXT_PLAIN)
    @Operation(summary = "The run's log as server-sent events: what is there, then new lines until the run ends")
    public Multi<String> log(@PathParam("id") long id) {
        row(id);
        Runs runs = new Runs(services.store());
        return LogTail.follow(services.executor().logFile(id), () -> runs.find(id).map(r -> r.finished() || r.state().equals("INTERRUPTED")).orElse(true),
                ControllerConfig.get("kval.controller.max-log-streams").map(Integer::parseInt).orElse(LogTail.DEFAULT_STREAMS));
    }

    private RunRow row(long id) {
        return new Runs(services.store()).find(id).orElseThrow(() -> new NotFoundException("no run " + id));
    }

    RunView view(long id) {
        RunRow r = row(id);
        Runs runs = new Runs(services.store());
        Map<String, Long> byStatus = services.store().results(ResultFilter.ALL.withRun(id)).stream()
                .collect(Collectors.groupingBy(StoredResult::status, java.util.TreeMap::new, Collectors.counting()));
        int cells;
        try {
            cells = RunView.JSON.readValue(r.request(), RunRequest.class).cells().size();
        } catch (Exception e) {
            cells = 0;
        }
        return RunView.of(r, runs.steps(id), byStatus, cells);
    }
}
