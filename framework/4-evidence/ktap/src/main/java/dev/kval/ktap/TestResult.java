package dev.kval.ktap;

import java.util.List;

/**
 * One test result.
 *
 * @param path        names of the ancestor tests, root first (empty for top-level tests)
 * @param name        the description from the result line (a leading TAP14 "- " is removed)
 * @param number      the test number (assigned as previous+1 when the line had none)
 * @param status      outcome after directives
 * @param reason      directive text, e.g. the SKIP reason; for unknown directives the whole text after '#'; "" if none
 * @param diagnostics "# text" lines that preceded the result at its level, without the "# " prefix
 * @param leaf        true if the test had no subtests
 * @param line        1-based line number of the result line (for synthesized results: where the parser noticed)
 */
public record TestResult(List<String> path, String name, int number, Status status, String reason,
                         List<String> diagnostics, boolean leaf, int line) {

    public TestResult {
        path = List.copyOf(path);
        diagnostics = List.copyOf(diagnostics);
        name = name == null ? "" : name;
        reason = reason == null ? "" : reason;
    }

    /** Nesting depth: 1 for a top-level test. */
    public int depth() {
        return path.size() + 1;
    }

    /** Path and name joined with '/', e.g. "kvm/guest_memfd_test/mmap". */
    public String id() {
        if (path.isEmpty()) {
            return name;
        }
        return String.join("/", path) + "/" + name;
    }

    /** The value of the last "key=value" diagnostic with this key, or null. E.g. diagnostic("observed"). */
    public String diagnostic(String key) {
        String found = null;
        String prefix = key + "=";
        for (String d : diagnostics) {
            if (d.startsWith(prefix)) {
                found = d.substring(prefix.length()).trim();
            }
        }
        return found;
    }

    TestResult withPathElement(int index, String element) {
        String[] p = path.toArray(new String[0]);
        p[index] = element;
        return new TestResult(List.of(p), name, number, status, reason, diagnostics, leaf, line);
    }
}
