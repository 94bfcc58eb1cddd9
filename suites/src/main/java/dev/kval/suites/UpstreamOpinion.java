package dev.kval.suites;

import dev.kval.kselftest.UpstreamMap;
import dev.kval.ktap.KtapTree;
import dev.kval.ktap.Status;
import dev.kval.ktap.TestResult;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Upstream as a second opinion (issue 16 item 8): where an upstream selftest program stopped at a failed assertion,
 * its file:line is looked up in upstream-map.tsv and the kval leaves mapped to it are judged on the same host. One
 * leaf {@code kselftest.parity.<program>_<line>} per failed assertion: PASS when kval's leaves fail too (they
 * agree) or when they pass because of a row of the agent's expectations table (an intentional ABI difference, the
 * agent printed it); ERROR (kval's problem, "broken") when upstream fails and kval's leaves pass unexplained; SKIP
 * when kval's leaves did not run. A disagreement is never dropped.
 */
final class UpstreamOpinion {
    private static final Pattern WHERE = Pattern.compile("([\\w./-]+\\.c):(\\d+):\\s*(.*)$");

    private UpstreamOpinion() {
    }

    /** Adds the parity leaves to the selftests' tree and writes them, with their evidence, to dir/upstream-opinion.txt. */
    static KtapTree add(KtapTree selftests, KtapTree agent, Path dir, Consumer<String> say) {
        if (selftests == null || agent == null) {
            return selftests;
        }
        Optional<UpstreamMap> map;
        try {
            map = UpstreamMap.bundled();
        } catch (IOException e) {
            map = Optional.empty();
        }
        if (map.isEmpty()) {
            say.accept("kselftest: no upstream-map.tsv on the classpath: no second opinion");
            return selftests;
        }
        List<TestResult> parity = new ArrayList<>();
        Set<String> done = new LinkedHashSet<>();
        for (TestResult r : all(selftests)) {
            if (r.status() != Status.FAIL || !r.name().startsWith(KselftestStage.SUITE + ".")) {
                continue;
            }
            for (String d : r.diagnostics()) {
                Matcher m = WHERE.matcher(d.strip());
                if (!m.find() || !done.add(m.group(1) + ":" + m.group(2))) {
                    continue;
                }
                parity.add(judge(map.get(), m.group(1), Integer.parseInt(m.group(2)), m.group(3), r.name(), agent));
                break; // a program stops at its first failed assertion
            }
        }
        parity.addAll(kvalStricter(map.get(), selftests, agent, dir));
        if (parity.isEmpty()) {
            return selftests;
        }
        parity.forEach(p -> say.accept("kselftest: " + p.name() + " " + p.status() + (p.reason().isEmpty() ? "" : ": " + p.reason())));
        StringBuilder txt = new StringBuilder();
        for (TestResult p : parity) {
            txt.append(p.name()).append(' ').append(p.status()).append(p.reason().isEmpty() ? "" : ": " + p.reason()).append('\n');
            p.diagnostics().forEach(d -> txt.append("  ").append(d).append('\n'));
        }
        try {
            java.nio.file.Files.writeString(dir.resolve("upstream-opinion.txt"), txt);
        } catch (IOException e) {
            say.accept("kselftest: could not write upstream-opinion.txt: " + e);
        }
        KtapTree.Builder b = new KtapTree.Builder();
        parity.forEach(b::onResult);
        b.onResult(new TestResult(List.of(), KselftestStage.SUITE, 1, Status.PASS, "", List.of(), false, 0));
        return OwnBoot.merge(selftests, List.of(b.build()));
    }

    /** The selftests' source whose line numbers upstream-map.tsv uses (UpstreamParityTest checks the map against it). */
    static final String MAP_VERSION = "7.3.";
    private static final Pattern VERSION = Pattern.compile("kselftest source=\\S+ version=(\\S+)");

    /**
     * The other direction: a program that upstream ran to the end (exit 0) passed every assertion, so a kval leaf
     * mapped to one of its assertions that FAILs on the same kernel is a disagreement too (kval stricter, or kval
     * wrong): one ERROR parity leaf per such assertion. Only for selftests of the map's source: other sources'
     * line numbers mean other assertions.
     */
    static List<TestResult> kvalStricter(UpstreamMap map, KtapTree selftests, KtapTree agent, Path dir) {
        String version = null;
        try {
            Path f = dir.resolve(KselftestStage.FILE);
            Matcher m = java.nio.file.Files.isRegularFile(f) ? VERSION.matcher(java.nio.file.Files.readString(f)) : null;
            version = m != null && m.find() ? m.group(1) : null;
        } catch (IOException e) {
            version = null;
        }
        if (version == null || !version.startsWith(MAP_VERSION)) {
            return List.of();
        }
        List<TestResult> out = new ArrayList<>();
        for (TestResult prog : all(selftests)) {
            String[] parts = prog.name().split("\\.");
            if (prog.status() != Status.PASS || parts.length != 2 || !parts[0].equals(KselftestStage.SUITE)) {
                continue;
            }
            for (UpstreamMap.Row row : map.rows()) {
                if (row.gap() || !row.file().replaceAll(".*/", "").equals(parts[1] + ".c")) {
                    continue;
                }
                List<PathMatcher> globs = row.leaves().stream().map(g -> FileSystems.getDefault().getPathMatcher("glob:" + g)).toList();
                List<TestResult> failing = agent.leaves().stream()
                        .filter(l -> globs.stream().anyMatch(g -> g.matches(Path.of(l.name()))))
                        .filter(l -> l.status() == Status.FAIL || l.status() == Status.ERROR || l.status() == Status.TIMEOUT).toList();
                if (failing.isEmpty()) {
                    continue;
                }
                List<String> diag = new ArrayList<>();
                diag.add("upstream " + prog.name() + " passed every assertion, incl. " + row.file() + ":" + row.line() + ": " + row.assertion());
                failing.forEach(l -> diag.add("kval " + l.name() + ": " + l.status() + (l.reason().isEmpty() ? "" : " (" + l.reason() + ")")));
                out.add(result(KselftestStage.SUITE + ".parity." + parts[1] + "_" + row.line(), Status.ERROR, "disagreement: upstream passes "
                        + row.file() + ":" + row.line() + " but kval's mapped leaves fail on this kernel (kval stricter, or its check "
                        + "or mapping is wrong)", diag));
            }
        }
        return out;
    }

    static TestResult judge(UpstreamMap map, String file, int line, String text, String program, KtapTree agent) {
        String base = file.replaceAll(".*/", "").replaceAll("\\.c$", "");
        String name = KselftestStage.SUITE + ".parity." + base + "_" + line;
        List<String> diag = new ArrayList<>();
        diag.add("upstream " + program + " stopped at " + file + ":" + line + ": " + text);
        Optional<UpstreamMap.Row> row = map.find(file, line);
        if (row.isEmpty() || row.get().gap()) {
            return result(name, Status.ERROR, "upstream fails at " + file + ":" + line + ", an assertion upstream-map.tsv "
                    + "maps to no kval leaf: kval makes no such check", diag);
        }
        List<PathMatcher> globs = row.get().leaves().stream()
                .map(g -> FileSystems.getDefault().getPathMatcher("glob:" + g)).toList();
        List<TestResult> mine = agent.leaves().stream()
                .filter(l -> globs.stream().anyMatch(g -> g.matches(Path.of(l.name())))).toList();
        boolean failed = false;
        boolean passed = false;
        String explained = null;
        for (TestResult l : mine) {
            diag.add("kval " + l.name() + ": " + l.status() + (l.reason().isEmpty() ? "" : " (" + l.reason() + ")"));
            failed |= l.status() == Status.FAIL || l.status() == Status.ERROR || l.status() == Status.TIMEOUT;
            boolean p = l.status() == Status.PASS || l.status() == Status.XFAIL;
            passed |= p;
            if (p && explained == null) {
                explained = l.diagnostics().stream().filter(x -> x.startsWith("expectation ")).findFirst().orElse(null);
            }
        }
        if (failed) {
            return result(name, Status.PASS, "", withHead(diag, "kval agrees: its mapped leaves fail here too"));
        }
        if (passed && explained != null) {
            return result(name, Status.PASS, "", withHead(diag, "explained by the agent's expectations table: " + explained));
        }
        if (passed) {
            return result(name, Status.ERROR, "disagreement: upstream fails at " + file + ":" + line
                    + " but kval's mapped leaves pass on this kernel (kval is less strict here)", diag);
        }
        return result(name, Status.SKIP, "kval's mapped leaves (" + String.join(",", row.get().leaves())
                + ") did not run on this host", diag);
    }

    private static List<String> withHead(List<String> diag, String head) {
        List<String> out = new ArrayList<>(List.of(head));
        out.addAll(diag);
        return out;
    }

    private static TestResult result(String name, Status s, String reason, List<String> diag) {
        return new TestResult(List.of(KselftestStage.SUITE), name, 0, s, reason, diag, true, 0);
    }

    private static List<TestResult> all(KtapTree t) {
        List<TestResult> out = new ArrayList<>();
        t.roots().forEach(n -> walk(n, out));
        return out;
    }

    private static void walk(KtapTree.Node n, List<TestResult> out) {
        out.add(n.result());
        n.children().forEach(c -> walk(c, out));
    }
}
