package dev.kval.reports;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A finished {@code ./kval run --out DIR}: {@code summary.json} (verdict counts, hosts with kernel identity and
 * evidence files) and {@code allure-results/} (one result file per verdict). Reports and exports read runs from
 * here, so they work without the result store.
 */
public final class RunDir {
    public static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Path dir;
    private final JsonNode summary;
    private final List<AllureResult> results;

    private RunDir(Path dir, JsonNode summary, List<AllureResult> results) {
        this.dir = dir;
        this.summary = summary;
        this.results = List.copyOf(results);
    }

    /** Reads a run directory; a clear error names what is missing and how to get it. */
    public static RunDir read(Path dir) throws IOException {
        Path d = dir.toAbsolutePath().normalize();
        Path sum = d.resolve("summary.json");
        if (!Files.isRegularFile(sum)) {
            throw new IllegalArgumentException(d + " is not a kval run directory: no summary.json there (make one with "
                    + "./kval run --out " + d + ")");
        }
        JsonNode s;
        try {
            s = JSON.readTree(sum.toFile());
        } catch (IOException e) {
            throw new IllegalArgumentException(sum + " is not valid JSON (" + e.getMessage() + "); was the run interrupted?", e);
        }
        Path res = d.resolve("allure-results");
        if (!Files.isDirectory(res)) {
            throw new IllegalArgumentException(d + " has no allure-results/ (summary.json says outcome "
                    + s.path("outcome").asText("?") + "); re-run ./kval run --out " + d);
        }
        List<AllureResult> rs = new ArrayList<>();
        for (Path f : resultFiles(res)) {
            try {
                rs.add(AllureResult.of(f, JSON.readTree(f.toFile())));
            } catch (IOException e) {
                throw new IllegalArgumentException("unreadable Allure result " + f + ": " + e.getMessage(), e);
            }
        }
        rs.sort(Comparator.comparingLong(AllureResult::start).thenComparing(AllureResult::name));
        return new RunDir(d, s, rs);
    }

    static List<Path> resultFiles(Path results) throws IOException {
        try (Stream<Path> s = Files.list(results)) {
            return s.filter(p -> p.getFileName().toString().endsWith("-result.json")).sorted().toList();
        }
    }

    public Path dir() {
        return dir;
    }

    public Path allureResults() {
        return dir.resolve("allure-results");
    }

    public JsonNode summary() {
        return summary;
    }

    public List<AllureResult> results() {
        return results;
    }

    /** A short name for the run: its directory name. */
    public String name() {
        return dir.getFileName().toString();
    }

    public String startedAt() {
        return summary.path("startedAt").asText(null);
    }

    /**
     * The summary.json host entry a result belongs to: the result's host label is the run plan target
     * ({@code qemu=debian:7.3.4}), the summary names hosts by their directory; they are matched on the host kind and
     * the kernel spec, and a run with one host needs no matching.
     */
    public JsonNode hostOf(AllureResult r) {
        JsonNode hosts = summary.path("hosts");
        if (hosts.size() == 1) {
            return hosts.get(0);
        }
        String label = r.host();
        int eq = label.indexOf('=');
        String kind = eq < 0 ? label : label.substring(0, eq);
        String kernel = eq < 0 ? null : label.substring(eq + 1);
        for (JsonNode h : hosts) {
            boolean kindOk = h.path("kind").asText().equals(r.labels().getOrDefault("hostClass", kind)) || h.path("name").asText().equals(kind);
            boolean kernelOk = kernel == null || kernel.equals(h.path("kernel").path("spec").asText(null));
            if (kindOk && kernelOk) {
                return h;
            }
        }
        return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
    }
}
