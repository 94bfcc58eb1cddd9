package dev.kval.ktap;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** One open KTAP document (the top level, or the subtests of a test whose result line has not come yet). */
final class Frame {
    final Frame parent;
    final String prefix;
    final boolean hashWrapped;
    final int level;
    final int startLine;
    String name;            // known early from a "# Subtest:" header, or at the parent's result line
    boolean provisional;
    boolean sawVersion;
    int plan = -1;
    String planSkip;
    int lastNumber;
    int results;
    final BitSet seen = new BitSet();
    Set<String> names = new HashSet<>();
    boolean namesCapped;
    List<String> diags = new ArrayList<>();
    int droppedDiags;
    Frame child;
    String pendingSubtestName;
    List<TestResult> buffer;
    List<String> path;      // the ancestors' names, once all are known

    Frame(Frame parent, String prefix, boolean hashWrapped, int startLine) {
        this.parent = parent;
        this.prefix = prefix;
        this.hashWrapped = hashWrapped;
        this.level = parent == null ? 0 : parent.level + 1;
        this.startLine = startLine;
    }

    boolean empty() {
        return plan < 0 && results == 0 && child == null;
    }

    /** The block's diagnostics so far (with a note of any dropped), leaving it none. */
    List<String> takeDiags() {
        if (diags.isEmpty() && droppedDiags == 0) {
            return List.of();
        }
        List<String> d = diags;
        if (droppedDiags > 0) {
            d.add("... " + droppedDiags + " more diagnostic lines dropped");
            droppedDiags = 0;
        }
        diags = new ArrayList<>();
        return d;
    }
}
