package dev.kval.triage.web;

import dev.kval.triage.Quarantine;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;

/** {@code /api/quarantine}: list (anyone), add and remove (token). Bad input: 400 naming the field. */
@Path("/api/quarantine")
@Produces(MediaType.APPLICATION_JSON)
public class QuarantineResource {
    /** The body of a POST. */
    public record NewEntryBody(String test, String kernel, String hostClass, Double budget, String reason, String createdBy, String expiresAt) {
    }

    @Inject
    TriageStore store;

    @GET
    public List<Map<String, Object>> list() {
        return new Quarantine(store.store()).list().stream().map(Quarantine.Entry::toMap).toList();
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Response add(NewEntryBody body) {
        if (body == null) {
            return bad("body", "a JSON object {test, budget, reason, kernel?, hostClass?, createdBy?, expiresAt?}");
        }
        Instant expires = null;
        if (body.expiresAt() != null && !body.expiresAt().isBlank()) {
            try {
                expires = Instant.parse(body.expiresAt());
            } catch (DateTimeParseException e) {
                return bad("expiresAt", "an ISO-8601 instant such as 2027-01-31T00:00:00Z, not '" + body.expiresAt() + "'");
            }
        }
        Quarantine.NewEntry e = new Quarantine.NewEntry(body.test(), body.kernel(), body.hostClass(), body.budget(), body.reason(),
                body.createdBy() == null ? "api" : body.createdBy(), expires);
        List<String> problems = e.problems();
        if (!problems.isEmpty()) {
            String first = problems.get(0);
            return bad(first.substring(0, first.indexOf(':')), String.join("; ", problems));
        }
        return Response.status(Response.Status.CREATED).entity(new Quarantine(store.store()).add(e).toMap()).build();
    }

    @DELETE
    @Path("{id}")
    public Response remove(@PathParam("id") String id) {
        long n;
        try {
            n = Long.parseLong(id);
        } catch (NumberFormatException e) {
            return bad("id", "a quarantine entry id (a number), not '" + id + "'");
        }
        if (!new Quarantine(store.store()).remove(n)) {
            return Response.status(Response.Status.NOT_FOUND).entity(Map.of("field", "id", "error", "no quarantine entry #" + n)).build();
        }
        return Response.ok(Map.of("removed", n)).build();
    }

    static Response bad(String field, String message) {
        return Response.status(Response.Status.BAD_REQUEST).type(MediaType.APPLICATION_JSON).entity(Map.of("field", field, "error", message)).build();
    }
}
