package dev.kval.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * `kval nightly --now` twice on this machine (local host, one case, 2 repetitions; each cell a child `kval run` of the
 * packaged CLI, so this runs after package): the first night has nothing to compare with, the second compares with the
 * first; then `kval results` lists what the nights stored.
 */
class NightlyCommandIT {
    static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    Path tmp;

    record Out(int exit, String out, String err) {
    }

    Out kval(Object command, String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        CommandLine cl = new CommandLine(command).setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true));
        List<String> a = new ArrayList<>(List.of(args));
        a.addAll(List.of("--db", "jdbc:h2:file:" + tmp.resolve("store/kval"), "--data", tmp.resolve("data").toString()));
        int exit = cl.execute(a.toArray(String[]::new));
        return new Out(exit, out.toString(), err.toString());
    }

    @Test
    void twoNightsThenTheirResults() throws Exception {
        String[] night = {"--now", "--hosts", "local", "--suite", "api", "--case", "api.C12", "--repeat", "2", "--json"};
        Out first = kval(new NightlyCommand(), night);
        assertEquals(0, first.exit(), first.err());
        JsonNode d1 = JSON.readTree(first.out());
        assertTrue(d1.path("previousRun").isMissingNode() || d1.path("previousRun").isNull(), first.out());
        assertTrue(d1.path("tests").asInt() > 0);
        assertTrue(first.err().contains("cells"), "a progress line: " + first.err());
        boolean kvm = Files.exists(Path.of("/dev/kvm"));
        if (!kvm) {
            assertEquals(d1.path("tests").asInt(), d1.path("newSkips").size(), "first night: every SKIP is new");
            assertTrue(d1.path("newSkips").get(0).path("message").asText().startsWith("no /dev/kvm"));
        }
        assertEquals(0, d1.path("flaky").size());
        assertEquals(0, d1.path("newFailures").size());
        long run1 = d1.path("run").asLong();
        assertTrue(Files.exists(tmp.resolve("data/runs/" + run1 + "/nightly-diff.json")));

        Out second = kval(new NightlyCommand(), night);
        assertEquals(0, second.exit(), second.err());
        JsonNode d2 = JSON.readTree(second.out());
        assertEquals(run1, d2.path("previousRun").asLong());
        assertEquals(d1.path("tests").asInt(), d2.path("tests").asInt());
        assertEquals(0, d2.path("newSkips").size(), "the same skips as the night before are not new");
        assertEquals(0, d2.path("newFailures").size());

        Out last = kval(new NightlyCommand(), "--json");
        assertEquals(0, last.exit(), last.err());
        assertEquals(d2.path("run").asLong(), JSON.readTree(last.out()).path("run").asLong(), "without --now: the last night");

        Out rows = kval(new ResultsCommand(), "--run", String.valueOf(run1), "--json", "--limit", "0");
        assertEquals(0, rows.exit(), rows.err());
        JsonNode r = JSON.readTree(rows.out());
        assertEquals(2 * d1.path("tests").asInt(), r.size(), "two repetitions of every test");
        Out table = kval(new ResultsCommand(), "--host", "local", "--test", "api.C12.*", "--limit", "5");
        assertEquals(0, table.exit());
        assertEquals(6, table.out().lines().count(), table.out());
        assertTrue(table.err().contains("5 result(s)"));
        Out bad = kval(new ResultsCommand(), "--status", "GREAT");
        assertEquals(2, bad.exit());
        assertTrue(bad.err().contains("--status 'GREAT'"), bad.err());
    }
}
