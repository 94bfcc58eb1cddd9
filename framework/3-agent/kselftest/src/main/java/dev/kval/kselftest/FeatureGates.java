package dev.kval.kselftest;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Which programs of a newer source's selftests may run on a kernel as a second opinion (kselftest-gates.tsv): a
 * program whose feature the kernel lacks would hang instead of failing or skipping, so it is skipped with the missing
 * piece named. The facts come from the host's caps.json and from kval's own leaves on the same host (their statuses
 * as PASS/FAIL/XFAIL/SKIP/ERROR strings).
 */
public final class FeatureGates {
    /** One row: program basename, requirement ("cap:a/b" or "leaf:id") and why. */
    public record Gate(String program, String requirement, String why) {
    }

    private final List<Gate> gates;

    public FeatureGates(List<Gate> gates) {
        this.gates = List.copyOf(gates);
    }

    public static FeatureGates bundled() {
        try (InputStream in = FeatureGates.class.getResourceAsStream("kselftest-gates.tsv")) {
            if (in == null) {
                throw new IllegalStateException("kselftest-gates.tsv is not on the classpath (the kselftest module's resources)");
            }
            List<Gate> out = new ArrayList<>();
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String l; (l = r.readLine()) != null; ) {
                if (l.isBlank() || l.startsWith("#")) {
                    continue;
                }
                String[] f = l.split("\t");
                if (f.length != 3 || !(f[1].startsWith("cap:") || f[1].startsWith("leaf:"))) {
                    throw new IllegalStateException("kselftest-gates.tsv: bad row (program, cap:|leaf: requirement, why): " + l);
                }
                out.add(new Gate(f[0], f[1], f[2]));
            }
            return new FeatureGates(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public List<Gate> gates() {
        return gates;
    }

    /**
     * The reason to skip {@code program} on this host, or empty to run it.
     *
     * @param caps   the host's caps.json (the agent's --caps --json)
     * @param leaves kval's leaf id -> status on this host (only the leaves that ran)
     */
    public Optional<String> skipReason(String program, JsonNode caps, Map<String, String> leaves) {
        String base = program.replaceAll(".*/", "");
        for (Gate g : gates) {
            if (!g.program().equals(base)) {
                continue;
            }
            if (g.requirement().startsWith("cap:")) {
                String path = g.requirement().substring(4);
                JsonNode n = caps;
                for (String p : path.split("/")) {
                    n = n == null ? null : n.path(p);
                }
                if (n == null || n.isMissingNode()) {
                    return Optional.of("needs " + g.why() + "; caps.json has no " + path + " (second opinion gate)");
                }
                if (n.asLong() <= 0) {
                    return Optional.of("needs " + g.why() + ": caps.json " + path + " = " + n.asText() + " (second opinion gate)");
                }
            } else {
                String id = g.requirement().substring(5);
                String st = leaves.get(id);
                if (st == null) {
                    return Optional.of("kval's leaf " + id + " did not run on this host, so whether the kernel has the feature is "
                            + "unknown; " + g.why() + " (second opinion gate; run the api suite too)");
                }
                if (!st.equals("PASS")) {
                    return Optional.of("the kernel lacks the feature (kval's " + id + ": " + st + "): " + g.why() + " (second opinion gate)");
                }
            }
        }
        return Optional.empty();
    }
}
