package dev.kval.controller;

import dev.kval.executor.BadRequestException;
import dev.kval.store.ResultFilter;
import dev.kval.store.Store;
import dev.kval.store.StoredResult;
import jakarta.inject.Inject;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import java.util.Set;
import org.eclipse.microprofile.openapi.annotations.Operation;

/** Every stored verdict, filtered: run, kernel (spec or release glob), host (name or class glob), suite, status, test glob. */
@Path("/api/results")
@Produces(MediaType.APPLICATION_JSON)
public class ResultResource {
    static final int MAX_LIMIT = 10_000;
    static final Set<String> STATUSES = Set.of("PASS", "FAIL", "SKIP", "XFAIL", "ERROR", "TIMEOUT", "MISSING");

    @Inject
    Services services;

    @GET
    @Operation(summary = "Stored verdicts, newest first")
    public List<StoredResult> list(@QueryParam("run") Long run, @QueryParam("status") String status, @QueryParam("suite") String suite,
            @QueryParam("kernel") String kernel, @QueryParam("host") String host, @QueryParam("test") String test,
            @QueryParam("limit") @DefaultValue("1000") int limit) {
        return query(services.store(), ResultFilter.ALL.withRun(run), status, suite, kernel, host, test, limit);
    }

    static List<StoredResult> query(Store store, ResultFilter base, String status, String suite, String kernel, String host, String test, int limit) {
        if (status != null && !STATUSES.contains(status.toUpperCase(java.util.Locale.ROOT))) {
            throw new BadRequestException("status", "'" + status + "' is not one of " + STATUSES);
        }
        if (limit < 1 || limit > MAX_LIMIT) {
            // 0 is not "unlimited": every answer is bounded (page with the filters instead)
            throw new BadRequestException("limit", limit + " is out of range 1.." + MAX_LIMIT);
        }
        return store.results(base.withStatus(status).withSuite(suite).withKernel(kernel).withHost(host).withTestId(test).withLimit(limit));
    }
}
