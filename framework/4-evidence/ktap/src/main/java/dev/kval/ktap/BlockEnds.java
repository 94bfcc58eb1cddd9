package dev.kval.ktap;

import java.util.ArrayList;
import java.util.List;

/**
 * How blocks end, the other half of {@link KtapParser}: a block closes when its parent's result line arrives (the
 * result names it), when a new line at an outer level shows it had no result line (an orphan: MISSING), at "Bail out!"
 * (every open block, innermost first) and at the end of input. Each end synthesizes MISSING results for planned tests
 * that never reported and returns the block's trailing diagnostics. Works on the parser's open-block state (root,
 * innermost, current line number).
 */
final class BlockEnds {
    private final KtapParser p;
    private final KtapListener listener;
    private final KtapParser.Options options;
    private final Delivery delivery;

    BlockEnds(KtapParser p, KtapListener listener, KtapParser.Options options, Delivery delivery) {
        this.p = p;
        this.listener = listener;
        this.options = options;
        this.delivery = delivery;
    }

    /** What a closed subtest block leaves for its parent result. */
    record Closed(boolean hadResults, List<String> trailing, String headerName) {
    }

    /** Closes f's open subtest block because f's own result line arrived; its name is that result's description. */
    Closed closeChild(Frame f, String resultName) {
        Frame c = f.child;
        if (c == null) {
            return null;
        }
        String header = c.name;
        List<String> trailing = finishFrame(c, null);
        boolean hadResults = c.results > 0;
        if (header != null && !header.equals(resultName)) {
            if (c.provisional) {
                listener.onParseError(p.lineNo, "the subtests of '" + resultName + "' were delivered under the provisional"
                        + " name '" + header + "' (more than " + options.maxPendingResults() + " before its result line)");
            } else if (!c.hashWrapped) {
                listener.onParseError(p.lineNo, "subtest header names '" + header + "' but its result line names '"
                        + resultName + "'");
            }
        }
        if (c.name == null) {
            c.name = resultName;
            flush(c);
        }
        f.child = null;
        p.innermost = f;
        return new Closed(hadResults, trailing, header);
    }

    /**
     * Ends a block: closes its own open subtests as orphans, synthesizes MISSING results for planned tests that never
     * reported, and returns its trailing diagnostics.
     */
    List<String> finishFrame(Frame c, String why) {
        closeOrphan(c);
        if (c.plan >= 0) {
            int absent = 0;
            for (int n = c.seen.nextClearBit(1); n <= c.plan; n = c.seen.nextClearBit(n + 1)) {
                absent++;
                if (absent > options.maxMissing()) {
                    continue;
                }
                c.results++;
                deliver(new TestResult(pathOf(c), "<missing " + n + ">", n, Status.MISSING,
                        why != null ? why : "planned (1.." + c.plan + ") but no result line", List.of(), true, p.lineNo),
                        c);
            }
            if (absent > 0) {
                listener.onParseError(p.lineNo, "block at line " + c.startLine + " planned 1.." + c.plan + " but "
                        + absent + " results are missing" + (absent > options.maxMissing()
                        ? " (only the first " + options.maxMissing() + " delivered as MISSING)" : ""));
            }
        } else if (c.results > 0) {
            listener.onParseError(c.startLine, "test block at line " + c.startLine + " has no plan line");
        }
        return c.takeDiags();
    }

    /** f's open subtest block ended without a result line for its parent: synthesize one (MISSING). */
    void closeOrphan(Frame f) {
        Frame c = f.child;
        if (c == null) {
            return;
        }
        String why = "subtest block at line " + c.startLine + " has no result line";
        List<String> trailing = finishFrame(c, null);
        f.child = null;
        p.innermost = f;
        if (c.results == 0) {
            if (c.plan != 0) {
                listener.onParseError(p.lineNo, "empty subtest block at line " + c.startLine + " without a result line");
            }
            console(trailing);
            return;
        }
        listener.onParseError(p.lineNo, why);
        List<String> diags = new ArrayList<>(trailing);
        diags.addAll(f.takeDiags());
        missingParent(c, why, diags);
    }

    /** c had results but its parent's result line never came: the parent gets a MISSING result in c's name. */
    private void missingParent(Frame c, String why, List<String> diags) {
        Frame f = c.parent;
        if (c.name == null) {
            c.name = "<unnamed subtest at line " + c.startLine + ">";
            flush(c);
        }
        int num = f.lastNumber + 1;
        f.seen.set(num);
        f.lastNumber = num;
        f.results++;
        deliver(new TestResult(pathOf(f), c.name, num, Status.MISSING, why, diags, false, p.lineNo), f);
    }

    void bail(String reason) {
        listener.onBailOut(p.lineNo, reason);
        String why = "Bail out!" + (reason.isEmpty() ? "" : " " + reason);
        // Close p.innermost to outermost; planned-but-absent tests become MISSING with the bail-out reason.
        List<Frame> chain = new ArrayList<>();
        for (Frame x = p.innermost; x != null; x = x.parent) {
            chain.add(x);
        }
        for (Frame x : chain) {
            if (x.parent == null) {
                console(finishFrame(x, why));
            } else {
                finishBailed(x, why);
            }
        }
        p.root = new Frame(null, "", false, p.lineNo + 1);
        p.innermost = p.root;
    }

    private void finishBailed(Frame c, String why) {
        List<String> trailing = finishFrame(c, why);
        Frame f = c.parent;
        f.child = null;
        if (c.results == 0) {
            console(trailing);
            return;
        }
        missingParent(c, why, trailing);
    }

    void finish() {
        p.lineNo++;
        List<Frame> chain = new ArrayList<>();
        for (Frame x = p.innermost; x.parent != null; x = x.parent) {
            chain.add(x);
        }
        if (!chain.isEmpty()) {
            listener.onParseError(p.lineNo, "input ended inside " + chain.size() + " open subtest block(s) (truncated?)");
        }
        for (Frame x : chain) {
            finishBailed(x, "input ended before this test's result line (truncated?)");
        }
        p.innermost = p.root;
        console(finishFrame(p.root, "input ended before this planned test reported (truncated?)"));
    }

    void console(List<String> diags) {
        for (String d : diags) {
            listener.onConsoleLine(p.lineNo, "# " + d);
        }
    }

    private List<String> pathOf(Frame f) {
        return delivery.pathOf(f);
    }

    private void deliver(TestResult r, Frame at) {
        delivery.deliver(r, at, p.lineNo);
    }

    private void flush(Frame g) {
        delivery.flush(g, p.lineNo);
    }
}
