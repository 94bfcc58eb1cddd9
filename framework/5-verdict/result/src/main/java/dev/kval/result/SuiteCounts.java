package dev.kval.result;

import dev.kval.ktap.Counts;
import dev.kval.ktap.KtapTree;
import dev.kval.ktap.TestResult;
import java.util.LinkedHashMap;
import java.util.Map;

/** Leaf counts per suite (the first element of a leaf's path). */
public final class SuiteCounts {
    private SuiteCounts() {
    }

    public static Map<String, Counts> of(KtapTree tree) {
        Map<String, Counts> m = new LinkedHashMap<>();
        for (TestResult r : tree.leaves()) {
            String suite = r.path().isEmpty() ? r.name() : r.path().get(0);
            m.merge(suite, Counts.EMPTY.plus(r), SuiteCounts::add);
        }
        return m;
    }

    public static Counts add(Counts a, Counts b) {
        return new Counts(a.pass() + b.pass(), a.fail() + b.fail(), a.skip() + b.skip(), a.xfail() + b.xfail(),
                a.timeout() + b.timeout(), a.error() + b.error(), a.missing() + b.missing(), a.leaves() + b.leaves(),
                Math.max(a.depth(), b.depth()));
    }

    public static Map<String, Object> json(Counts c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("pass", c.pass());
        m.put("fail", c.fail());
        m.put("skip", c.skip());
        m.put("xfail", c.xfail());
        m.put("timeout", c.timeout());
        m.put("error", c.error());
        m.put("missing", c.missing());
        m.put("leaves", c.leaves());
        return m;
    }
}
