package dev.kval.result;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A run's verdicts, written once as {@code verdicts.json} and read back by everything that reports them (summary.json's
 * counts, the exit code, the store import). The exit policy is here: any INFRA verdict -> INCOMPLETE (2); else any
 * KERNEL, TEST or KVAL_BUG verdict -> FAIL (1); else PASS; no verdict at all -> INCOMPLETE.
 */
public final class Verdicts {
    public static final String FILE = "verdicts.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private Verdicts() {
    }

    /** The file's shape: a version and the verdicts. */
    public record Doc(int version, List<Verdict> verdicts) {
    }

    public static void write(Path dir, List<Verdict> verdicts) throws IOException {
        Files.createDirectories(dir);
        JSON.writeValue(dir.resolve(FILE).toFile(), new Doc(1, verdicts));
    }

    public static List<Verdict> read(Path dir) throws IOException {
        return JSON.readValue(dir.resolve(FILE).toFile(), Doc.class).verdicts();
    }

    public static Outcome outcome(List<Verdict> verdicts) {
        if (verdicts.isEmpty() || verdicts.stream().anyMatch(v -> v.bad() && v.blame() == Blame.INFRA)) {
            return Outcome.INCOMPLETE;
        }
        return verdicts.stream().anyMatch(Verdict::bad) ? Outcome.FAIL : Outcome.PASS;
    }

    /** Counts by outcome and by blame, the keys summary.json has always had (tests, passed, failed, broken, skipped, kernel, test, infra). */
    public static Map<String, Integer> counts(List<Verdict> verdicts) {
        Map<String, Integer> m = new LinkedHashMap<>();
        for (String k : List.of("tests", "passed", "failed", "broken", "skipped", "kernel", "test", "infra", "kval_bug")) {
            m.put(k, 0);
        }
        for (Verdict v : verdicts) {
            m.merge("tests", 1, Integer::sum);
            m.merge(switch (v.outcome()) {
                case PASS -> "passed";
                case FAIL -> "failed";
                case BROKEN -> "broken";
                case SKIP -> "skipped";
            }, 1, Integer::sum);
            if (v.blame() != null && v.bad()) {
                m.merge(v.blame().name().toLowerCase(), 1, Integer::sum);
            }
        }
        return m;
    }

    /** The verdicts that count against the run, in order. */
    public static List<Verdict> bad(List<Verdict> verdicts) {
        List<Verdict> out = new ArrayList<>();
        verdicts.stream().filter(Verdict::bad).forEach(out::add);
        return out;
    }
}
