package dev.kval.lava;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * LAVA's REST API v0.2, the calls kval needs: who am I (token check), device types and their devices, submit, a job's
 * state and health, its log and test cases, cancel. Stateless apart from the configuration: a fresh client attaches
 * to any job by its id. Every failure is a {@link LavaException} that says what to fix.
 */
public final class LavaClient {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final LavaConfig cfg;
    private final HttpClient http;

    public LavaClient(LavaConfig cfg) {
        this.cfg = cfg;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    }

    public LavaConfig config() {
        return cfg;
    }

    /** A job's state (Submitted, Scheduling, Scheduled, Running, Canceling, Finished) and health (Unknown, Complete, Incomplete, Canceled). */
    public record JobStatus(long id, String state, String health, String deviceType, String device, String description,
            String startTime, String endTime) {
        public boolean finished() {
            return state.equals("Finished");
        }
    }

    /** Server version; also proves the server answers. */
    public String version() throws LavaException {
        return get("/api/v0.2/system/version/", "ask the LAVA server for its version").path("version").asText();
    }

    /** The user the token belongs to; a refused token is a {@link LavaException.Kind#AUTH} error. */
    public String whoami() throws LavaException {
        requireToken();
        return get("/api/v0.2/system/whoami/", "check the API token").path("user").asText();
    }

    /**
     * Whether the token is a superuser's. LAVA shows workers' own tokens only to superusers, so a worker listed with
     * a {@code token} field gives it away (a read, no change). kval needs only to submit and cancel jobs: a superuser's
     * token lets whoever reads it reconfigure the whole lab.
     */
    public boolean tokenIsSuperuser() throws LavaException {
        requireToken();
        for (JsonNode w : get("/api/v0.2/workers/?limit=1", "list the workers (superuser check)").path("results")) {
            if (w.has("token")) {
                return true;
            }
        }
        return false;
    }

    /** The lab's device types. */
    public List<String> deviceTypes() throws LavaException {
        List<String> names = new ArrayList<>();
        for (JsonNode n : get("/api/v0.2/devicetypes/?limit=500", "list the device types").path("results")) {
            names.add(n.path("name").asText());
        }
        return names;
    }

    /**
     * Checks that the lab has the device type and at least one device of it that can take jobs (not Retired or Bad);
     * returns those devices' names.
     */
    public List<String> usableDevices(String deviceType) throws LavaException {
        List<String> types = deviceTypes();
        if (!types.contains(deviceType)) {
            throw new LavaException(LavaException.Kind.DEVICE_TYPE, "the LAVA lab at " + cfg.url() + " has no device type '" + deviceType
                    + "' (it has: " + (types.isEmpty() ? "none" : String.join(", ", types)) + "); use --host lava:<one of those>, or add "
                    + "the device type and a device to the lab (infra/lava/up does for 'qemu')");
        }
        List<String> usable = new ArrayList<>();
        List<String> all = new ArrayList<>();
        for (JsonNode d : get("/api/v0.2/devices/?device_type=" + deviceType + "&limit=500", "list the devices of " + deviceType).path("results")) {
            all.add(d.path("hostname").asText() + " (" + d.path("health").asText() + ")");
            if (!List.of("Retired", "Bad", "Maintenance").contains(d.path("health").asText())) {
                usable.add(d.path("hostname").asText());
            }
        }
        if (usable.isEmpty()) {
            throw new LavaException(LavaException.Kind.DEVICE_TYPE, "the LAVA lab at " + cfg.url() + " has device type '" + deviceType
                    + "' but no device of it that can take a job (" + (all.isEmpty() ? "no devices" : String.join(", ", all))
                    + "); add a device or set one's health to Good/Unknown");
        }
        return usable;
    }

    /** Submits a job definition (YAML); returns the job id. A definition LAVA refuses is a {@link LavaException.Kind#REJECTED} error. */
    public long submit(String definition) throws LavaException {
        requireToken();
        String body;
        try {
            body = JSON.writeValueAsString(Map.of("definition", definition));
        } catch (IOException e) {
            throw new LavaException(LavaException.Kind.API, "could not encode the job definition: " + e.getMessage(), e);
        }
        HttpResponse<String> r = send(request("/api/v0.2/jobs/").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), "submit a job");
        if (r.statusCode() == 400) {
            throw new LavaException(LavaException.Kind.REJECTED, "LAVA at " + cfg.url() + " rejected the job definition: "
                    + message(r.body()) + " (fix the definition; kval keeps it next to the run as lava-job.yaml)");
        }
        JsonNode n = check(r, "submit a job");
        JsonNode ids = n.path("job_ids");
        if (!ids.isArray() || ids.isEmpty()) {
            throw new LavaException(LavaException.Kind.API, "LAVA at " + cfg.url() + " accepted the job but returned no job id: " + r.body());
        }
        return ids.get(0).asLong();
    }

    public JobStatus job(long id) throws LavaException {
        JsonNode n = get("/api/v0.2/jobs/" + id + "/", "read job " + id);
        return new JobStatus(id, n.path("state").asText(), n.path("health").asText(), n.path("requested_device_type").asText(),
                n.path("actual_device").asText(null), n.path("description").asText(), n.path("start_time").asText(null),
                n.path("end_time").asText(null));
    }

    /** The job's log as LAVA keeps it: YAML, one {@code - {dt, lvl, msg}} entry per line. */
    public String logs(long id) throws LavaException {
        HttpResponse<String> r = send(request("/api/v0.2/jobs/" + id + "/logs/").GET().build(), "read the log of job " + id);
        if (r.statusCode() == 404) {
            return "";
        }
        checkStatus(r, "read the log of job " + id);
        return r.body();
    }

    /** The job's test cases (LAVA's own steps in suite "lava": the error of an Incomplete job is in case "job"). */
    public List<JsonNode> tests(long id) throws LavaException {
        List<JsonNode> out = new ArrayList<>();
        get("/api/v0.2/jobs/" + id + "/tests/?limit=1000", "read the test cases of job " + id).path("results").forEach(out::add);
        return out;
    }

    /** Asks LAVA to cancel the job (a finished job stays as it was). */
    public void cancel(long id) throws LavaException {
        requireToken();
        HttpResponse<String> r = send(request("/api/v0.2/jobs/" + id + "/cancel/").GET().build(), "cancel job " + id);
        if (r.statusCode() == 404) {
            throw new LavaException(LavaException.Kind.API, "LAVA at " + cfg.url() + " has no job " + id + " to cancel");
        }
        checkStatus(r, "cancel job " + id);
    }

    public URI jobUrl(long id) {
        return URI.create(cfg.url() + "/scheduler/job/" + id);
    }

    private void requireToken() throws LavaException {
        if (cfg.token().secret() == null) {
            throw new LavaException(LavaException.Kind.AUTH, "no LAVA API token: kval looked in " + cfg.token().source());
        }
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(cfg.url() + path)).timeout(Duration.ofSeconds(60));
        if (cfg.token().secret() != null) {
            b.header("Authorization", "Token " + cfg.token().secret());
        }
        return b;
    }

    private JsonNode get(String path, String what) throws LavaException {
        return check(send(request(path).GET().build(), what), what);
    }

    private HttpResponse<String> send(HttpRequest req, String what) throws LavaException {
        try {
            return http.send(req, HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException | HttpConnectTimeoutException e) {
            throw new LavaException(LavaException.Kind.UNREACHABLE, "the LAVA server at " + cfg.url() + " does not answer (" + e
                    + ") while trying to " + what + ": start it (a local lab: infra/lava/up) or point KVAL_LAVA_URL at a running one", e);
        } catch (HttpTimeoutException e) {
            throw new LavaException(LavaException.Kind.UNREACHABLE, "the LAVA server at " + cfg.url() + " did not answer within 60 s while "
                    + "trying to " + what + ": check that it is not overloaded or hung", e);
        } catch (IOException e) {
            throw new LavaException(LavaException.Kind.UNREACHABLE, "talking to the LAVA server at " + cfg.url() + " failed while trying to "
                    + what + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LavaException(LavaException.Kind.UNREACHABLE, "interrupted while trying to " + what, e);
        }
    }

    private JsonNode check(HttpResponse<String> r, String what) throws LavaException {
        checkStatus(r, what);
        try {
            return JSON.readTree(r.body());
        } catch (IOException e) {
            throw new LavaException(LavaException.Kind.API, "LAVA at " + cfg.url() + " answered '" + what + "' with something that is not "
                    + "JSON (is " + cfg.url() + " really a LAVA server's base URL?): " + abbreviate(r.body()), e);
        }
    }

    private void checkStatus(HttpResponse<String> r, String what) throws LavaException {
        int s = r.statusCode();
        if (s == 401 || s == 403) {
            throw new LavaException(LavaException.Kind.AUTH, "LAVA at " + cfg.url() + " refused the API token (HTTP " + s + ": "
                    + message(r.body()) + ") while trying to " + what + "; the token came from " + cfg.token().source()
                    + ": put a valid token there (lava-server manage tokens add --user <user>, or the web UI's API tokens page)");
        }
        if (s / 100 != 2) {
            throw new LavaException(LavaException.Kind.API, "LAVA at " + cfg.url() + " answered HTTP " + s + " while trying to " + what + ": "
                    + message(r.body()));
        }
    }

    private static String message(String body) {
        try {
            JsonNode n = JSON.readTree(body);
            if (n.has("message")) {
                return n.path("message").asText();
            }
            if (n.has("detail")) {
                return n.path("detail").asText();
            }
        } catch (IOException ignored) {
            // not JSON: show it as it is
        }
        return abbreviate(body);
    }

    private static String abbreviate(String s) {
        String t = s == null ? "" : s.strip().replaceAll("\\s+", " ");
        return t.length() > 300 ? t.substring(0, 300) + "..." : t;
    }
}
