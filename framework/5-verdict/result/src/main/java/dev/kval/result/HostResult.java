package dev.kval.result;

import dev.kval.ktap.Counts;
import dev.kval.ktap.KtapTree;
import dev.kval.ktap.TestResult;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What happened on one host; filled in as the run proceeds. */
public final class HostResult {
    /** An infrastructure or kernel failure that stopped the host (attribution is KERNEL or INFRASTRUCTURE). */
    public record Failure(String attribution, String stage, String message, List<String> evidence) {
    }

    private final String name;
    private final String kind;
    private Map<String, Object> info = new LinkedHashMap<>();
    private Map<String, Object> kernel;
    private String capabilities;
    private final Map<String, Long> timingsMs = new LinkedHashMap<>();
    private KtapTree tree;
    private Integer agentExit;
    private boolean agentTimedOut;
    private Failure failure;
    private final Map<String, String> files = new LinkedHashMap<>();
    private List<String> consoleFindings = List.of();

    public HostResult(String name, String kind) {
        this.name = name;
        this.kind = kind;
    }

    public String name() {
        return name;
    }

    public String kind() {
        return kind;
    }

    public HostResult info(Map<String, Object> i) {
        info = new LinkedHashMap<>(i);
        return this;
    }

    public Map<String, Object> info() {
        return info;
    }

    public HostResult kernel(String spec, String release, String sha256, Map<String, String> packages) {
        kernel = new LinkedHashMap<>();
        kernel.put("spec", spec);
        kernel.put("release", release);
        kernel.put("sha256", sha256);
        if (packages != null) {
            kernel.put("packages", packages);
        }
        return this;
    }

    public Map<String, Object> kernel() {
        return kernel;
    }

    public HostResult capabilities(String json) {
        capabilities = json;
        return this;
    }

    public String capabilities() {
        return capabilities;
    }

    public HostResult timing(String what, long ms) {
        timingsMs.put(what, ms);
        return this;
    }

    public Map<String, Long> timingsMs() {
        return timingsMs;
    }

    public HostResult ktap(KtapTree t, int exit, boolean timedOut) {
        tree = t;
        agentExit = exit;
        agentTimedOut = timedOut;
        return this;
    }

    public KtapTree tree() {
        return tree;
    }

    public Integer agentExit() {
        return agentExit;
    }

    public boolean agentTimedOut() {
        return agentTimedOut;
    }

    public HostResult failure(Failure f) {
        failure = f;
        return this;
    }

    public Failure failure() {
        return failure;
    }

    public HostResult file(String kind, String relativePath) {
        files.put(kind, relativePath);
        return this;
    }

    public Map<String, String> files() {
        return files;
    }

    /** Crash-oracle findings in the host's console (kernel log) during the run, one line each. */
    public HostResult consoleFindings(List<String> f) {
        consoleFindings = List.copyOf(f);
        return this;
    }

    public List<String> consoleFindings() {
        return consoleFindings;
    }

    public Map<String, Counts> suites() {
        return tree == null ? Map.of() : SuiteCounts.of(tree);
    }

    public Counts totals() {
        return tree == null ? Counts.EMPTY : tree.counts();
    }

    /** Leaves with a bad status (FAIL, TIMEOUT, ERROR, MISSING). */
    public List<TestResult> badLeaves() {
        List<TestResult> out = new ArrayList<>();
        if (tree != null) {
            for (TestResult r : tree.leaves()) {
                if (r.status().isBad()) {
                    out.add(r);
                }
            }
        }
        return out;
    }

    /**
     * FAIL when the kernel crashed or its console shows a crash finding (warning, oops, BUG, ...); INCOMPLETE when the
     * host failed for infrastructure reasons, the agent was stopped at the overall timeout, or nothing
     * was reported; FAIL when a leaf is bad (or the agent said so); else PASS.
     */
    public Outcome outcome() {
        if (failure != null) {
            // A kernel crash during the run is the kernel's failure: count it as FAIL, not as incomplete infra.
            return "KERNEL".equals(failure.attribution()) ? Outcome.FAIL : Outcome.INCOMPLETE;
        }
        if (!consoleFindings.isEmpty()) {
            return Outcome.FAIL; // the kernel warned/oopsed during the run: a kernel bug whatever the suites said
        }
        if (tree == null || agentTimedOut) {
            return Outcome.INCOMPLETE;
        }
        if (!tree.ok() || !tree.bailOuts().isEmpty()) {
            return Outcome.FAIL;
        }
        if (tree.counts().leaves() == 0) {
            return Outcome.INCOMPLETE;
        }
        return agentExit != null && agentExit != 0 ? Outcome.FAIL : Outcome.PASS;
    }
}
