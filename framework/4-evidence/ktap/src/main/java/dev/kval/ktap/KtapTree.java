package dev.kval.ktap;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

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

    /**
     * Builds the tree from post-order results: a result at depth d adopts everything pending at depth d+1. In streaming
     * mode ({@link #streaming}) each top-level node is handed on as soon as its result arrives and then dropped, and
     * leaves are not kept, so memory is one top-level test's subtree whatever the input.
     */
    public static final class Builder implements KtapListener {
        private final List<List<Node>> pending = new ArrayList<>();
        private final List<TestResult> leaves = new ArrayList<>();
        private final List<ParseError> errors = new ArrayList<>();
        private final List<String> bailOuts = new ArrayList<>();
        private final CountingListener counter = new CountingListener();
        private final Consumer<Node> onRoot;
        private int consoleLines;

        public Builder() {
            this(null);
        }

        private Builder(Consumer<Node> onRoot) {
            this.onRoot = onRoot;
        }

        /**
         * A builder that hands each top-level node to onRoot when complete and keeps neither roots nor leaves; with a
         * null onRoot it builds no nodes at all and only counts (what --json needs: no allocation per result).
         */
        public static Builder streaming(Consumer<Node> onRoot) {
            return new Builder(onRoot == null ? NO_TREE : onRoot);
        }

        private static final Consumer<Node> NO_TREE = n -> { };

        private List<Node> at(int depth) {
            while (pending.size() <= depth) {
                pending.add(new ArrayList<>());
            }
            return pending.get(depth);
        }

        @Override
        public void onResult(TestResult r) {
            counter.onResult(r);
            if (onRoot == NO_TREE) {
                return;
            }
            int d = r.path().size();
            List<Node> kids = List.of();
            if (pending.size() > d + 1 && !pending.get(d + 1).isEmpty()) {
                kids = new ArrayList<>(pending.get(d + 1));
                pending.get(d + 1).clear();
            }
            Node node = new Node(r, kids);
            if (d == 0 && onRoot != null) {
                onRoot.accept(node);
            } else {
                at(d).add(node);
            }
            if (r.leaf() && onRoot == null) {
                leaves.add(r);
            }
        }

        @Override
        public void onParseError(int line, String message) {
            counter.onParseError(line, message);
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

        /** Leaf counts so far. */
        public Counts counts() {
            return counter.counts();
        }

        public List<ParseError> parseErrors() {
            return errors;
        }

        public List<String> bailOuts() {
            return bailOuts;
        }

        /** Nodes that never got a parent (cannot happen with KtapParser's output; kept rather than lost). */
        private List<Node> orphans() {
            List<Node> o = new ArrayList<>();
            for (int d = 1; d < pending.size(); d++) {
                o.addAll(pending.get(d));
                pending.get(d).clear();
            }
            return o;
        }

        /** Streaming mode: hands on what never got a parent. */
        public void finish() {
            if (onRoot != null) {
                orphans().forEach(onRoot);
            }
        }

        public KtapTree build() {
            List<Node> roots = new ArrayList<>(at(0));
            roots.addAll(orphans());
            return new KtapTree(roots, leaves, counter.counts(), errors, bailOuts, consoleLines);
        }
    }
}
