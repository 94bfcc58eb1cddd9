package dev.kval.ktap;

import java.util.ArrayList;
import java.util.List;

/**
 * Hands results to the listener once every ancestor's name is known. A subtest's name is only known at its result line
 * (after its children) unless a "# Subtest:" header named it early, so the results of an unnamed open subtest are held
 * until then, at most maxPending of them; beyond that the subtest gets a provisional name and a parse error says so.
 */
final class Delivery {
    private static final String PLACEHOLDER = new String("\u0000pending");

    private final KtapListener listener;
    private final int maxPending;

    Delivery(KtapListener listener, int maxPending) {
        this.listener = listener;
        this.maxPending = maxPending;
    }

    /** The names of f and its ancestors (a placeholder for one not known yet), root first. */
    List<String> pathOf(Frame f) {
        if (f.level == 0) {
            return List.of();
        }
        if (f.path != null) {
            return f.path;
        }
        String[] p = new String[f.level];
        boolean named = true;
        for (Frame x = f; x.parent != null; x = x.parent) {
            named &= x.name != null;
            p[x.level - 1] = x.name != null ? x.name : PLACEHOLDER;
        }
        List<String> path = List.of(p);
        if (named) {
            f.path = path; // names never change once set: every result of the block shares one immutable path
        }
        return path;
    }

    void deliver(TestResult r, Frame at, int lineNo) {
        Frame g = at;
        while (g != null && g.parent != null && g.name != null) {
            g = g.parent;
        }
        if (g == null || g.parent == null) {
            listener.onResult(r);
            return;
        }
        if (g.buffer == null) {
            g.buffer = new ArrayList<>();
        }
        g.buffer.add(r);
        if (g.buffer.size() > maxPending) {
            g.name = "<subtest at line " + g.startLine + ">";
            g.provisional = true;
            listener.onParseError(lineNo, "more than " + maxPending + " results inside the unnamed subtest block at line "
                    + g.startLine + "; delivering them under the provisional name '" + g.name + "'");
            flush(g, lineNo);
        }
    }

    /** g's name is now known: its held results go on with that name in their path. */
    void flush(Frame g, int lineNo) {
        List<TestResult> b = g.buffer;
        g.buffer = null;
        if (b == null) {
            return;
        }
        int idx = g.level - 1;
        for (TestResult r : b) {
            deliver(r.withPathElement(idx, g.name), g.parent, lineNo);
        }
    }
}
