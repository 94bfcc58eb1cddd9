package dev.kval.triage.web;

import dev.kval.store.StoreException;
import dev.kval.triage.FlakeSnapshot;
import dev.kval.triage.FlakeStatistics;
import dev.kval.triage.Quarantine;
import io.quarkus.qute.Location;
import io.quarkus.qute.Template;
import io.quarkus.qute.TemplateData;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The triage dashboard (HTML rendered by Qute here: quarkus-rest-qute, which would render a returned TemplateInstance,
 * does not resolve on this Maven mirror) and its JSON twins: flaky tests ranked, regressions and fixes per kernel against
 * the kernel before it, the kernel x suite matrix, a series' results, one result's evidence, the quarantine.
 */
@Path("/")
public class TriageResource {
    @Inject
    TriageStore store;

    @Inject
    @Location("triage/index.html")
    Template index;

    @Inject
    @Location("triage/series.html")
    Template series;

    @Inject
    @Location("triage/result.html")
    Template result;

    @TemplateData
    record SeriesResult(long id, String status, String attribution, String startedAt, String message, String run) {
    }

    FlakeSnapshot snapshot() {
        try {
            return FlakeStatistics.compute(store.store(), FlakeStatistics.Scope.ALL);
        } catch (StoreException e) {
            throw new WebApplicationException("cannot read the result store " + store.store().url() + ": " + e.getMessage(), 503);
        }
    }

    @GET
    @Path("triage")
    @Produces(MediaType.TEXT_HTML)
    public String dashboard(@QueryParam("limit") Integer limit) {
        FlakeSnapshot snap = snapshot();
        List<Quarantine.Entry> q = new Quarantine(store.store()).list();
        return index.data("flaky", Views.flaky(snap, q, limit == null ? 50 : limit)).data("changes", Views.changes(snap))
                .data("matrix", Views.matrix(snap)).data("quarantine", q.stream().map(Quarantine.Entry::toMap).toList())
                .data("seriesCount", snap.series().size()).data("kernelCount", snap.kernels().size()).render();
    }

    @GET
    @Path("api/triage/flaky")
    @Produces(MediaType.APPLICATION_JSON)
    public List<Views.FlakyRow> flakyJson(@QueryParam("limit") Integer limit) {
        return Views.flaky(snapshot(), new Quarantine(store.store()).list(), limit == null ? 200 : limit);
    }

    @GET
    @Path("api/triage/regressions")
    @Produces(MediaType.APPLICATION_JSON)
    public List<Views.ChangeRow> changesJson() {
        return Views.changes(snapshot());
    }

    @GET
    @Path("api/triage/matrix")
    @Produces(MediaType.APPLICATION_JSON)
    public Views.Matrix matrixJson() {
        return Views.matrix(snapshot());
    }

    @GET
    @Path("triage/series")
    @Produces(MediaType.TEXT_HTML)
    public String seriesPage(@QueryParam("test") String test, @QueryParam("kernel") Long kernel, @QueryParam("hostClass") String hostClass) {
        if (test == null || kernel == null || hostClass == null) {
            throw new WebApplicationException(Response.status(400).type(MediaType.TEXT_PLAIN)
                    .entity("a series needs test, kernel (id) and hostClass query parameters").build());
        }
        FlakeSnapshot snap = snapshot();
        var stats = snap.series().get(new dev.kval.triage.SeriesKey(test, kernel, hostClass));
        return series.data("test", test).data("kernel", snap.kernel(kernel).label()).data("hostClass", hostClass)
                .data("stats", stats == null ? "no counted runs" : stats.runs() + " runs, " + stats.failures() + " failed, " + stats.skips()
                        + " skipped, flip rate " + Views.fmt(stats.flipRate()) + ", class " + stats.classification().label())
                .data("results", seriesResults(test, kernel, hostClass)).render();
    }

    List<SeriesResult> seriesResults(String test, long kernel, String hostClass) {
        try {
            return store.store().series(test, kernel, hostClass).stream().map(r -> new SeriesResult(r.id(), r.status(),
                    r.attribution() == null ? "" : r.attribution(), Views.time(r.startedAt()),
                    r.message() == null ? "" : r.message().lines().findFirst().orElse(""), r.runUuid())).toList();
        } catch (StoreException e) {
            throw new WebApplicationException("cannot read the result store: " + e.getMessage(), 503);
        }
    }

    @GET
    @Path("triage/result/{id}")
    @Produces(MediaType.TEXT_HTML)
    public String resultPage(@PathParam("id") long id) {
        return result.data("r", ResultDetail.load(store.store(), id).orElseThrow(() -> new NotFoundException("no result #" + id))).render();
    }

    @GET
    @Path("api/triage/result/{id}")
    @Produces(MediaType.APPLICATION_JSON)
    public ResultDetail resultJson(@PathParam("id") long id) {
        return ResultDetail.load(store.store(), id).orElseThrow(() -> new NotFoundException("no result #" + id));
    }

    /** The dashboard's script: a file, so that the page's Content-Security-Policy can forbid inline script. */
    @GET
    @Path("triage/triage.js")
    @Produces("text/javascript;charset=utf-8")
    public byte[] script() throws java.io.IOException {
        try (var in = TriageResource.class.getResourceAsStream("triage.js")) {
            return in.readAllBytes();
        }
    }

    /**
     * An attachment's bytes, only from inside its run's out dir (real paths: a symbolic link that leads out of it is
     * refused), never sniffed or rendered as a page: {@code nosniff} and a sandboxing CSP (SecurityHeaders).
     */
    @GET
    @Path("triage/result/{id}/attachment/{n}")
    public Response attachment(@PathParam("id") long id, @PathParam("n") int n) throws Exception {
        ResultDetail d = ResultDetail.load(store.store(), id).orElseThrow(() -> new NotFoundException("no result #" + id));
        if (n < 0 || n >= d.attachments().size()) {
            throw new NotFoundException("result #" + id + " has " + d.attachments().size() + " attachment(s), no #" + n);
        }
        ResultDetail.Attachment a = d.attachments().get(n);
        java.nio.file.Path p = ResultDetail.resolve(d.outDir(), a.path()).filter(Files::isRegularFile)
                .orElseThrow(() -> new WebApplicationException(Response.status(404).type(MediaType.TEXT_PLAIN).entity("attachment "
                        + a.name() + " is not a file inside " + d.outDir() + " (missing, or a path or symbolic link that leads out of the run's"
                        + " directory)").build()));
        String type = a.path().endsWith(".png") ? "image/png" : a.path().endsWith(".json") ? MediaType.APPLICATION_JSON
                : a.path().endsWith(".html") ? MediaType.TEXT_PLAIN : MediaType.TEXT_PLAIN + ";charset=utf-8";
        return Response.ok(Files.readAllBytes(p)).type(type).header("Content-Disposition", "inline; filename=\"" + p.getFileName().toString().replaceAll("[^A-Za-z0-9._-]", "_") + "\"")
                .header(SecurityHeaders.NOSNIFF, "nosniff").header(SecurityHeaders.CSP, SecurityHeaders.ATTACHMENT_CSP).build();
    }

}
