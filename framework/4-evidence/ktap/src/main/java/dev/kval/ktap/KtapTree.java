package dev.kval.ktap;

import java.util.ArrayList;
import java.util.List;

/** A whole parsed KTAP run as a tree, built on top of the streaming {@link KtapParser}. */
public final class KtapTree {

    /** One test with its subtests (empty for a leaf). */
    public record Node(TestResult result, List<Node> children) {
        public Node {
            children = List.copyOf(children);
        }
    }

    private final List<Node> roots;
    private final List<TestResult> leaves;
    private final Counts counts;
    private final List<ParseError> parseErrors;
    private final List<String> bailOuts;
    private final int consoleLines;

    private KtapTree(List<Node> roots, List<TestResult> leaves, Counts counts, List<ParseError> parseErrors,
                     List<String> bailOuts, int consoleLines) {
        this.roots = List.copyOf(roots);
        this.leaves = List.copyOf(leaves);
        this.counts = counts;
        this.parseErrors = List.copyOf(parseErrors);
        this.bailOuts = List.copyOf(bailOuts);
        this.consoleLines = consoleLines;
    }

    /** Top-level tests in input order. */
    public List<Node> roots() {
        return roots;
    }

    /** Leaf tests in input order. */
    public List<TestResult> leaves() {
        return leaves;
    }

    /** Leaf counts by status. */
    public Counts counts() {
        return counts;
    }

    public List<ParseError> parseErrors() {
        return parseErrors;
    }

    /** Reasons of "Bail out!" lines, in order. */
    public List<String> bailOuts() {
        return bailOuts;
    }

    public int consoleLines() {
        return consoleLines;
    }

    /** True if no leaf failed, timed out, errored or went missing. */
    public boolean ok() {
        return counts.ok();
    }

    /** Builds the tree from post-order results: a result at depth d adopts everything pending at depth d+1. */
    public static final class Builder implements KtapListener {
        private final List<List<Node>> pending = new ArrayList<>();
        private final List<TestResult> leaves = new ArrayList<>();
        private final List<ParseError> errors = new ArrayList<>();
        private final List<String> bailOuts = new ArrayList<>();
        private final CountingListener counter = new CountingListener();
        private int consoleLines;

        private List<Node> at(int depth) {
            while (pending.size() <= depth) {
                pending.add(new ArrayList<>());
            }
            return pending.get(depth);
        }

        @Override
        public void onResult(TestResult r) {
            counter.onResult(r);
            int d = r.path().size();
            List<Node> kids = List.of();
            if (pending.size() > d + 1 && !pending.get(d + 1).isEmpty()) {
                kids = new ArrayList<>(pending.get(d + 1));
                pending.get(d + 1).clear();
            }
            at(d).add(new Node(r, kids));
            if (r.leaf()) {
                leaves.add(r);
            }
        }

        @Override
        public void onParseError(int line, String message) {
            errors.add(new ParseError(line, message));
        }

        @Override
        public void onConsoleLine(int line, String text) {
            consoleLines++;
        }

        @Override
        public void onBailOut(int line, String reason) {
            bailOuts.add(reason);
        }

        public KtapTree build() {
            List<Node> roots = new ArrayList<>(at(0));
            for (int d = 1; d < pending.size(); d++) {
                roots.addAll(pending.get(d)); // cannot happen with KtapParser's output; kept rather than lost
            }
            return new KtapTree(roots, leaves, counter.counts(), errors, bailOuts, consoleLines);
        }
    }
}
