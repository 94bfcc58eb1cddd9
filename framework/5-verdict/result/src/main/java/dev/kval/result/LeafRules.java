package dev.kval.result;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A table of (kernel release regex, leaf glob, text) rows kept as data under {@code src/main/resources}:
 * {@code known-findings.tsv} (leaves expected to FAIL on a kernel, and the finding) and {@code must-run.tsv} (leaves
 * that must not SKIP on a kernel that has what they need, so a deployment bug cannot turn verdicts into skips).
 */
public final class LeafRules {
    public record Row(Pattern kernel, String leafGlob, PathMatcher leaf, String text, String provokedBy) {
        boolean matches(String release, String leafId) {
            return kernel.matcher(release).find() && leaf.matches(Path.of(leafId));
        }
    }

    private final List<Row> rows;

    public LeafRules(List<Row> rows) {
        this.rows = List.copyOf(rows);
    }

    public static LeafRules knownFindings() {
        return load("known-findings.tsv");
    }

    public static LeafRules mustRun() {
        return load("must-run.tsv");
    }

    /** Leaves that answer an item of the seed's 2023 to-do list (for Allure links). */
    public static LeafRules seedTodos() {
        return load("seed-todo.tsv");
    }

    public static LeafRules load(String resource) {
        try (InputStream in = LeafRules.class.getResourceAsStream("/" + resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " is missing from the suites' resources");
            }
            return parse(resource, new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + resource, e);
        }
    }

    static LeafRules parse(String name, BufferedReader r) throws IOException {
        List<Row> rows = new ArrayList<>();
        String line;
        int n = 0;
        while ((line = r.readLine()) != null) {
            n++;
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.split("\t");
            if (f.length != 3 && !(f.length == 4 && f[1].startsWith("console."))) {
                throw new IllegalArgumentException(name + " line " + n + ": expected 3 tab-separated columns (kernel regex, leaf"
                        + " glob, text; a console.<class> row may add a 4th: the leaf glob that provokes it), got " + f.length);
            }
            rows.add(new Row(Pattern.compile(f[0]), f[1], FileSystems.getDefault().getPathMatcher("glob:" + f[1]), f[2],
                    f.length == 4 ? f[3] : null));
        }
        return new LeafRules(rows);
    }

    /** Rows whose kernel regex matches the release (every leaf glob). */
    public List<Row> forKernel(String kernelRelease) {
        return kernelRelease == null ? List.of() : rows.stream().filter(r -> r.kernel().matcher(kernelRelease).find()).toList();
    }

    public Optional<Row> find(String kernelRelease, String leafId) {
        if (kernelRelease == null) {
            return Optional.empty();
        }
        return rows.stream().filter(r -> r.matches(kernelRelease, leafId)).findFirst();
    }
}
