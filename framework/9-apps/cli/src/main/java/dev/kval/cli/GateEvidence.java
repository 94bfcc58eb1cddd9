package dev.kval.cli;

import dev.kval.console.CrashOracle;
import dev.kval.console.Finding;
import dev.kval.store.ResultFilter;
import dev.kval.store.Store;
import dev.kval.store.StoredResult;
import dev.kval.triage.GateDecision.TestKey;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** The evidence a gate regression is listed with: the failure message, the KTAP line(s), the console excerpt. */
final class GateEvidence {
    static final int MAX_CONSOLE_LINES = 12;

    private GateEvidence() {
    }

    /** @param knownFinding the regression is a known finding only the candidate shows: its stored verdict passed */
    static GateEngine.Evidence of(Store store, TestKey key, List<Long> candidateRuns, boolean knownFinding) {
        String message = "";
        List<String> ktap = new ArrayList<>();
        List<String> console = new ArrayList<>();
        for (long run : candidateRuns) {
            List<StoredResult> rs = store.results(ResultFilter.ALL.withRun(run).withTestId(key.testId()));
            StoredResult bad = rs.stream().filter(r -> (knownFinding || !r.passed()) && !"SKIP".equals(r.status())).findFirst().orElse(null);
            if (bad == null) {
                continue;
            }
            message = bad.message() == null ? bad.status() : bad.message();
            Path out = outDir(store, run);
            if (out == null) {
                break;
            }
            String leaf = key.testId().substring(key.testId().lastIndexOf('.') + 1);
            try (Stream<Path> files = Files.walk(out, 3)) {
                for (Path f : files.filter(Files::isRegularFile).toList()) {
                    String name = f.getFileName().toString();
                    if (name.equals("agent.ktap")) {
                        Files.readAllLines(f).stream().filter(l -> l.contains("not ok") && l.contains(leaf)).limit(3)
                                .forEach(l -> ktap.add(out.relativize(f) + ": " + l.strip()));
                    } else if (name.equals("console.log") && console.isEmpty()) {
                        List<String> lines = Files.readAllLines(f);
                        List<Finding> findings = CrashOracle.standard().scan(lines);
                        for (Finding fd : findings) {
                            if (console.size() >= MAX_CONSOLE_LINES) {
                                break;
                            }
                            console.add(out.relativize(f) + " lines " + fd.firstLine() + "-" + fd.lastLine() + " (" + fd.crashClass() + "):");
                            lines.subList(Math.max(0, fd.firstLine() - 1), Math.min(lines.size(), fd.lastLine())).stream()
                                    .limit(MAX_CONSOLE_LINES - console.size()).forEach(l -> console.add("  " + l));
                        }
                    }
                }
            } catch (IOException e) {
                console.add("(could not read the run's evidence under " + out + ": " + e.getMessage() + ")");
            }
            break;
        }
        return new GateEngine.Evidence(key, message, ktap, console);
    }

    private static Path outDir(Store store, long run) {
        try (Connection c = store.connection(); PreparedStatement ps = c.prepareStatement("SELECT out_dir FROM run WHERE id = ?")) {
            ps.setLong(1, run);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getString(1) != null ? Path.of(rs.getString(1)) : null;
            }
        } catch (SQLException e) {
            return null;
        }
    }
}
