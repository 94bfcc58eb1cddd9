package dev.kval.reports.history;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kval.reports.RunDir;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Where kval keeps Allure's {@code history/} between reports, one directory per project:
 * {@code $KVAL_HOME_DATA/allure-history/<project>} (data dir default {@code ~/.local/share/kval}). Before a report is
 * generated its files go into the results' {@code history/}; after, the new history is taken back out of the
 * single-file report (Allure embeds it there as {@code d('history/<file>','<base64>')}) and replaces the store's in
 * one rename, so an interrupted report never leaves half a history.
 */
public final class HistoryStore {
    private static final Pattern EMBEDDED = Pattern.compile("d\\('history/([A-Za-z0-9._-]+\\.json)','([A-Za-z0-9+/=]*)'\\)");
    private final Path dir;

    public HistoryStore(Path dir) {
        this.dir = dir.toAbsolutePath().normalize();
    }

    /** The store of a project under kval's data directory. */
    public static HistoryStore forProject(String project) {
        if (!project.matches("[A-Za-z0-9._-]+")) {
            throw new IllegalArgumentException("bad --project '" + project + "': use letters, digits, '.', '_' or '-'");
        }
        return new HistoryStore(dataDir().resolve("allure-history").resolve(project));
    }

    public static Path dataDir() {
        String env = System.getenv("KVAL_HOME_DATA");
        return env != null && !env.isBlank() ? Path.of(env) : Path.of(System.getProperty("user.home"), ".local", "share", "kval");
    }

    public Path dir() {
        return dir;
    }

    /** The history files kept (name -> bytes); empty before the first report. */
    public Map<String, byte[]> files() throws IOException {
        Map<String, byte[]> m = new LinkedHashMap<>();
        if (!Files.isDirectory(dir)) {
            return m;
        }
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.filter(p -> p.getFileName().toString().endsWith(".json")).sorted().toList()) {
                m.put(p.getFileName().toString(), Files.readAllBytes(p));
            }
        }
        return m;
    }

    /** The highest buildOrder in the kept trend (0 before the first report). */
    public long lastBuildOrder() throws IOException {
        Path trend = dir.resolve("history-trend.json");
        if (!Files.isRegularFile(trend)) {
            return 0;
        }
        long max = 0;
        for (JsonNode e : RunDir.JSON.readTree(trend.toFile())) {
            max = Math.max(max, e.path("buildOrder").asLong(0));
        }
        return max;
    }

    /** Copies the kept history into a results directory's history/. */
    public int copyInto(Path results) throws IOException {
        Map<String, byte[]> f = files();
        if (f.isEmpty()) {
            return 0;
        }
        Path h = Files.createDirectories(results.resolve("history"));
        for (Map.Entry<String, byte[]> e : f.entrySet()) {
            Files.write(h.resolve(e.getKey()), e.getValue());
        }
        return f.size();
    }

    /** The history files Allure embedded in a single-file report. */
    public static Map<String, byte[]> embedded(Path index) throws IOException {
        String html = Files.readString(index, StandardCharsets.UTF_8);
        Map<String, byte[]> m = new LinkedHashMap<>();
        Matcher x = EMBEDDED.matcher(html);
        while (x.find()) {
            m.put(x.group(1), Base64.getDecoder().decode(x.group(2)));
        }
        return m;
    }

    /** Replaces the kept history with the given files (written beside the store, then renamed into place). */
    public void replace(Map<String, byte[]> files) throws IOException {
        if (files.isEmpty()) {
            throw new IOException("the report holds no history/ files; the history in " + dir + " is left as it was");
        }
        Path parent = Files.createDirectories(dir.getParent());
        Path tmp = Files.createTempDirectory(parent, "." + dir.getFileName() + ".new");
        try {
            // a temp directory is private (0700); the history is no secret and other tools read it
            Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: keep what it gave
        }
        for (Map.Entry<String, byte[]> e : files.entrySet()) {
            Files.write(tmp.resolve(e.getKey()), e.getValue());
        }
        Path old = parent.resolve("." + dir.getFileName() + ".old");
        deleteTree(old);
        if (Files.exists(dir)) {
            Files.move(dir, old, StandardCopyOption.ATOMIC_MOVE);
        }
        Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
        deleteTree(old);
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            for (Path x : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(x);
            }
        }
    }
}
