package dev.kval.suites;

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
 * Kernel findings kval already reported, as data ({@code known-findings.tsv}): which leaf is expected to fail on which
 * kernel, and why. A known finding keeps being asserted; it only changes what a failure means for the test run.
 */
public final class KnownFindings {
    public record Row(Pattern kernel, String leafGlob, PathMatcher leaf, String finding) {
        boolean matches(String release, String leafId) {
            return kernel.matcher(release).find() && leaf.matches(Path.of(leafId));
        }
    }

    private final List<Row> rows;

    public KnownFindings(List<Row> rows) {
        this.rows = List.copyOf(rows);
    }

    public static KnownFindings standard() {
        try (InputStream in = KnownFindings.class.getResourceAsStream("/known-findings.tsv")) {
            if (in == null) {
                return new KnownFindings(List.of());
            }
            return parse(new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw new UncheckedIOException("reading known-findings.tsv", e);
        }
    }

    static KnownFindings parse(BufferedReader r) throws IOException {
        List<Row> rows = new ArrayList<>();
        String line;
        int n = 0;
        while ((line = r.readLine()) != null) {
            n++;
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.split("\t");
            if (f.length != 3) {
                throw new IllegalArgumentException("known-findings.tsv line " + n
                        + ": expected 3 tab-separated columns (kernel regex, leaf glob, finding), got " + f.length);
            }
            rows.add(new Row(Pattern.compile(f[0]), f[1], FileSystems.getDefault().getPathMatcher("glob:" + f[1]), f[2]));
        }
        return new KnownFindings(rows);
    }

    public Optional<Row> find(String kernelRelease, String leafId) {
        if (kernelRelease == null) {
            return Optional.empty();
        }
        return rows.stream().filter(r -> r.matches(kernelRelease, leafId)).findFirst();
    }
}
