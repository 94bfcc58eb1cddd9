package dev.kval.controller;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import dev.kval.executor.BadRequestException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Map;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Bad requests are 400 with {"field": ..., "error": ...}: what was wrong, where, and what is accepted. */
public class ErrorMappers {
    @ServerExceptionMapper
    public Response badRequest(BadRequestException e) {
        return error(400, e.field(), e.getMessage());
    }

    @ServerExceptionMapper
    public Response badJson(JsonMappingException e) {
        StringBuilder path = new StringBuilder();
        for (JsonMappingException.Reference r : e.getPath()) {
            if (r.getFieldName() != null) {
                path.append(path.length() > 0 ? "." : "").append(r.getFieldName());
            } else {
                path.append('[').append(r.getIndex()).append(']');
            }
        }
        String field = path.toString();
        return error(400, field.isEmpty() ? "body" : field, (field.isEmpty() ? "body" : field) + ": " + e.getOriginalMessage());
    }

    /** Quarkus maps these to a 400 of its own (without the field): named here so ours wins. */
    @ServerExceptionMapper
    public Response badValue(com.fasterxml.jackson.databind.exc.InvalidFormatException e) {
        return badJson(e);
    }

    @ServerExceptionMapper
    public Response badInput(com.fasterxml.jackson.databind.exc.MismatchedInputException e) {
        return badJson(e);
    }

    @ServerExceptionMapper
    public Response unreadable(com.fasterxml.jackson.core.exc.StreamReadException e) {
        return unreadableJson(e);
    }

    @ServerExceptionMapper
    public Response unparsable(com.fasterxml.jackson.core.JsonParseException e) {
        return unreadableJson(e);
    }

    /**
     * The JSON reader turns a body it cannot parse into a bare 400 WebApplicationException (the parse error as its cause);
     * a missing run is a 404. Both get a JSON body that says what went wrong.
     */
    @ServerExceptionMapper
    public Response webApplication(jakarta.ws.rs.WebApplicationException e) {
        int status = e.getResponse().getStatus();
        if (status == 400) {
            Throwable c = e.getCause();
            if (c instanceof JsonMappingException m) {
                return badJson(m);
            }
            return error(400, "body", "body: not a readable JSON run request" + (c != null ? ": " + c.getMessage() : ""));
        }
        if (e.getResponse().hasEntity()) {
            return e.getResponse();
        }
        if (status == 404) {
            return error(404, "id", e.getMessage());
        }
        return e.getResponse();
    }

    @ServerExceptionMapper
    public Response unreadableJson(JsonProcessingException e) {
        return error(400, "body", "body: not valid JSON: " + e.getOriginalMessage());
    }

    static Response error(int status, String field, String message) {
        return Response.status(status).type(MediaType.APPLICATION_JSON).entity(Map.of("field", field, "error", message)).build();
    }
}
