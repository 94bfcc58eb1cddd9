package dev.kval.suites;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kval.host.Attribution;
import dev.kval.host.HostFailure;
import dev.kval.ktap.TestResult;
import dev.kval.result.Judge;
import dev.kval.result.Verdict;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A run's hosts judged: reads what each host left in its directory (caps.json, dmesg.txt, console.log, the leaves'
 * times) and hands it with the KTAP leaves to the {@link Judge}. The JUnit suites only present these verdicts.
 */
final class Judging {
    static final String TIMES = "ktap-times.tsv";
    private static final Judge JUDGE = Judge.standard();

    private Judging() {
    }

    /** One host's verdicts, per suite it ran ("host" for the host checks), in KTAP order. */
    static Map<String, List<Verdict>> judge(HostUnderTest h, List<String> suites, long overallSeconds) {
        Map<String, List<Verdict>> out = new java.util.LinkedHashMap<>();
        Judge.Facts f = facts(h);
        for (String suite : suites) {
            if (!h.ran(suite)) {
                continue; // placed on another host class
            }
            List<Verdict> vs = new ArrayList<>();
            if (h.failed().isPresent()) {
                HostFailure e = h.failed().get();
                vs.add(Judge.hostFailed(suite, h.label(), h.hostClass(), h.kernelRelease(), h.result().failure().stage(),
                        e.attribution() == Attribution.KERNEL, e.getMessage(), e.evidence()));
            } else {
                List<TestResult> leaves = h.leaves(suite).stream().filter(l -> !RaceBoots.resumedElsewhere(l)).toList();
                if (leaves.isEmpty()) {
                    vs.add(Judge.noResults(suite, h.label(), h.hostClass(), h.kernelRelease(), "parse errors: "
                            + (h.tree() == null ? "no KTAP" : h.tree().parseErrors()) + "; see " + h.dir().resolve("agent.ktap")));
                } else {
                    Map<String, Integer> seen = new HashMap<>();
                    for (TestResult l : leaves) {
                        vs.add(JUDGE.leaf(f, l, seen.merge(l.name(), 1, Integer::sum)));
                    }
                }
            }
            out.put(suite, vs);
        }
        if (h.failed().isEmpty()) {
            List<TestResult> all = h.tree() == null ? List.of() : h.tree().leaves();
            out.put("host", JUDGE.hostChecks(f, all, h.result().agentTimedOut(),
                    h.tree() == null ? List.of() : h.tree().bailOuts().stream().map(String::valueOf).toList(), overallSeconds));
        }
        return out;
    }

    static Judge.Facts facts(HostUnderTest h) {
        Path d = h.dir();
        return new Judge.Facts(h.label(), h.hostClass(), h.kernelRelease(), caps(d), text(d, "dmesg.txt"),
                lines(d, "console.log"), times(d));
    }

    static JsonNode caps(Path dir) {
        try {
            if (dir != null && Files.isRegularFile(dir.resolve("caps.json"))) {
                return new ObjectMapper().readTree(dir.resolve("caps.json").toFile());
            }
        } catch (IOException e) {
            // no facts: the hand-typed must-run rows still apply
        }
        return null;
    }

    static String text(Path dir, String name) {
        try {
            Path p = dir == null ? null : dir.resolve(name);
            // bytes, not readString: a dying kernel can leave bytes that are not UTF-8
            return p != null && Files.isRegularFile(p) ? new String(Files.readAllBytes(p), StandardCharsets.UTF_8) : null;
        } catch (IOException e) {
            return null;
        }
    }

    static List<String> lines(Path dir, String name) {
        String t = text(dir, name);
        return t == null ? List.of() : t.lines().toList();
    }

    /** leaf id -> [start, stop] epoch ms, as {@link KtapProgress} recorded them (first run of a repeated leaf). */
    static Map<String, long[]> times(Path dir) {
        Map<String, long[]> m = new HashMap<>();
        for (String l : lines(dir, TIMES)) {
            String[] f = l.split("\t");
            if (f.length == 3) {
                m.putIfAbsent(f[0], new long[] {Long.parseLong(f[1]), Long.parseLong(f[2])});
            }
        }
        return m;
    }
}
