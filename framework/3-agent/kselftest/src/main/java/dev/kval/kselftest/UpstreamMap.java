package dev.kval.kselftest;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * images/agent/upstream-map.tsv: every assertion of the upstream guest_memfd selftests (file, function, line, text)
 * mapped to the kval leaves that make the same check (ids or globs over {@code kval-agent --list --json}), and the
 * scanner that finds those assertions in a kernel source tree. What counts as an assertion is defined once, in
 * {@link #ASSERTION}, and documented in the TSV's header.
 */
public final class UpstreamMap {
    /** The four upstream programs whose assertions kval must cover (paths under tools/testing/selftests/kvm). */
    public static final List<String> PROGRAMS = List.of("guest_memfd_test.c", "set_memory_region_test.c",
            "x86/private_mem_kvm_exits_test.c", "pre_fault_memory_test.c", "x86/private_mem_conversions_test.c");

    /** An invocation of an assertion macro of the KVM selftest library (kvm_util.h, test_util.h, ucall_common.h). */
    public static final Pattern ASSERTION = Pattern.compile(
            "\\b((?:__)?(?:TEST|GUEST)_(?:ASSERT|REQUIRE|FAIL|EXPECT)\\w*|REPORT_GUEST_ASSERT)\\s*\\(");
    private static final Pattern FUNCTION = Pattern.compile("^[a-z][^;]*?(\\w+)\\s*\\(");

    public record Assertion(String file, String function, int line, String text) {
        public String key() {
            return file + ":" + line;
        }
    }

    public record Row(String file, String function, int line, String assertion, List<String> leaves) {
        public String key() {
            return file + ":" + line;
        }

        /** A row that documents an assertion kval does not make yet ("gap: why"). */
        public boolean gap() {
            return leaves.size() == 1 && leaves.get(0).startsWith("gap:");
        }
    }

    private final Map<String, Row> rows;

    private UpstreamMap(Map<String, Row> rows) {
        this.rows = rows;
    }

    public static UpstreamMap load(Path tsv) throws IOException {
        return parse(tsv.toString(), Files.readAllLines(tsv));
    }

    /** The map shipped with the agent image (classpath kval/agent/upstream-map.tsv), if on the classpath. */
    public static Optional<UpstreamMap> bundled() throws IOException {
        try (var in = UpstreamMap.class.getClassLoader().getResourceAsStream("kval/agent/upstream-map.tsv")) {
            if (in == null) {
                return Optional.empty();
            }
            return Optional.of(parse("kval/agent/upstream-map.tsv",
                    new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).lines().toList()));
        }
    }

    static UpstreamMap parse(String tsv, List<String> lines) throws IOException {
        Map<String, Row> rows = new LinkedHashMap<>();
        int n = 0;
        for (String l : lines) {
            n++;
            if (l.isBlank() || l.startsWith("#")) {
                continue;
            }
            String[] f = l.split("\t");
            if (f.length != 5) {
                throw new IOException(tsv + " line " + n + ": expected 5 tab-separated columns (file, function, line, "
                        + "assertion, kval leaves), got " + f.length);
            }
            List<String> leaves = f[4].startsWith("gap:") ? List.of(f[4]) : splitGlobs(f[4]);
            Row r = new Row(f[0], f[1], Integer.parseInt(f[2]), f[3], leaves);
            if (rows.put(r.key(), r) != null) {
                throw new IOException(tsv + " line " + n + ": a second row for " + r.key());
            }
        }
        return new UpstreamMap(rows);
    }

    /** Commas separate globs, except inside a glob's {a,b} group. */
    static List<String> splitGlobs(String s) {
        List<String> out = new ArrayList<>();
        int depth = 0;
        int start = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '{') {
                depth++;
            } else if (c == '}') {
                depth--;
            } else if (c == ',' && depth == 0) {
                out.add(s.substring(start, i).trim());
                start = i + 1;
            }
        }
        out.add(s.substring(start).trim());
        return out;
    }

    public Collection<Row> rows() {
        return rows.values();
    }

    public Optional<Row> row(String file, int line) {
        return Optional.ofNullable(rows.get(file + ":" + line));
    }

    /** The assertions of {@link #PROGRAMS} in a selftests/kvm directory, in file order. */
    public static List<Assertion> scan(Path kvmDir) throws IOException {
        List<Assertion> out = new ArrayList<>();
        for (String p : PROGRAMS) {
            Path f = kvmDir.resolve(p);
            if (!Files.isRegularFile(f)) {
                throw new IOException("upstream selftest " + f + " is missing: not a 7.x kernel tree?");
            }
            List<String> lines = Files.readAllLines(f);
            String function = "?";
            for (int i = 0; i < lines.size(); i++) {
                String l = lines.get(i);
                Matcher fm = FUNCTION.matcher(l);
                if (fm.find() && !l.stripTrailing().endsWith(";")) {
                    function = fm.group(1);
                }
                if (l.stripLeading().startsWith("#define")) {
                    continue;
                }
                Matcher m = ASSERTION.matcher(l);
                while (m.find()) {
                    out.add(new Assertion(p, function, i + 1, l.strip()));
                }
            }
        }
        return out;
    }

    /** Assertions with no row, or whose row's text no longer matches the source line (the source moved). */
    public List<String> uncovered(List<Assertion> assertions) {
        List<String> out = new ArrayList<>();
        for (Assertion a : assertions) {
            Row r = rows.get(a.key());
            if (r == null) {
                out.add(a.key() + " (" + a.function() + "): no row for `" + a.text() + "`");
            } else if (!r.assertion().replaceAll("\\s+", " ").equals(a.text().replaceAll("\\s+", " "))) { // a TSV cell holds no tabs
                out.add(a.key() + ": the row says `" + r.assertion() + "` but the source says `" + a.text() + "`");
            }
        }
        return out;
    }

    /** Rows naming a leaf glob that matches no id of the agent's --list --json. */
    public List<String> unknownLeaves(Collection<String> agentLeafIds) {
        List<String> out = new ArrayList<>();
        for (Row r : rows.values()) {
            if (r.gap()) {
                continue;
            }
            for (String g : r.leaves()) {
                PathMatcher pm = FileSystems.getDefault().getPathMatcher("glob:" + g);
                if (agentLeafIds.stream().noneMatch(id -> pm.matches(Path.of(id)))) {
                    out.add(r.key() + ": leaf `" + g + "` is not in the agent's --list --json");
                }
            }
        }
        return out;
    }

    /** The row of an upstream file:line as a failed program prints it ({@code __FILE__} may lack the x86/ prefix). */
    public Optional<Row> find(String file, int line) {
        return rows.values().stream().filter(r -> r.line() == line && (r.file().equals(file) || r.file().endsWith("/" + file)
                || file.endsWith("/" + r.file()))).findFirst();
    }

    /** The agent leaf ids the row's globs match. */
    public static List<String> matching(Row r, Collection<String> agentLeafIds) {
        List<String> out = new ArrayList<>();
        if (r.gap()) {
            return out;
        }
        for (String g : r.leaves()) {
            PathMatcher pm = FileSystems.getDefault().getPathMatcher("glob:" + g);
            agentLeafIds.stream().filter(id -> pm.matches(Path.of(id))).forEach(out::add);
        }
        return out;
    }
}
