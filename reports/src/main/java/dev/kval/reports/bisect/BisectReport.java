package dev.kval.reports.bisect;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kval.kernel.git.GitRepos;
import dev.kval.reports.RunDir;
import dev.kval.sweep.SweepKernel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/** What a bisection found, as the JSON {@code kval bisect --json} prints and OUT/bisect.json keeps. */
public record BisectReport(ObjectNode json) {
    static final String METHOD = "product over the steps that ran of P(step's majority verdict is right), each "
            + "(1-f)^k f^m / ((1-f)^k f^m + f^k (1-f)^m) for k majority and m other runs, f = flake rate";

    static BisectReport of(Bisection.Options o, List<SweepKernel> ks, Map<String, GitRepos.Commit> commits, Map<Integer, Step> steps, StepVerdicts sv, int n,
            OptionalDouble measured, String fromVerdict, String toVerdict, int lastSame, int firstChanged, long wallMs) {
        ObjectNode j = RunDir.JSON.createObjectNode();
        j.put("from", o.from());
        j.put("to", o.to());
        j.put("case", o.caseGlob());
        j.put("host", "qemu");
        j.put("axis", commits.isEmpty() ? "debian" : "git");
        j.put("from_verdict", fromVerdict);
        j.put("to_verdict", toVerdict);
        boolean found = firstChanged >= 0;
        j.put("found", found);
        j.put("last_same", found ? ks.get(lastSame).upstream() : null);
        j.put("first_changed", found ? ks.get(firstChanged).upstream() : null);
        j.put("last_same_kernel", found ? ks.get(lastSame).spec() : null);
        j.put("first_changed_kernel", found ? ks.get(firstChanged).spec() : null);
        j.put("first_changed_verdict", found ? steps.get(firstChanged).verdict() : null);
        if (!commits.isEmpty() && found) {
            GitRepos.Commit c = commits.get(ks.get(firstChanged).spec());
            j.put("first_changed_commit", c.sha());
            j.put("first_changed_subject", c.subject());
            j.put("last_same_commit", commits.get(ks.get(lastSame).spec()).sha());
            j.put("repository", c.url());
        }
        ArrayNode between = j.putArray("between");
        if (found) {
            for (int i = lastSame + 1; i < firstChanged; i++) {
                between.add(ks.get(i).spec());
            }
        }
        j.put("exact", found && between.isEmpty());
        List<Step> ran = steps.values().stream().filter(s -> !s.weak()).toList();
        List<Confidence.Votes> votes = ran.stream().map(Step::votes).toList();
        double f = measured.isPresent() ? measured.getAsDouble() : Confidence.estimate(votes);
        j.put("runs_per_step", n);
        j.put("flake_rate", round(f));
        j.put("flake_rate_source", measured.isPresent() ? "measured (FlakeRates)" : "estimated from this bisection's runs (rule of succession)");
        j.put("confidence", found ? round(Confidence.of(votes, f)) : 0.0);
        j.put("confidence_method", METHOD);
        ArrayNode so = j.putArray("status_only_leaves");
        sv.statusOnly().forEach(so::add);
        j.put("kernels_in_range", ks.size());
        j.put("kernels_tried", steps.size());
        j.put("boots", steps.values().stream().mapToInt(s -> s.boots).sum());
        j.put("wall_s", wallMs / 1000.0);
        j.put("out", o.out().toAbsolutePath().toString());
        ArrayNode arr = j.putArray("steps");
        steps.values().stream().sorted((a, b) -> Integer.compare(a.index, b.index)).forEach(s -> {
            ObjectNode x = arr.addObject();
            x.put("kernel", s.kernel.spec());
            x.put("version", s.kernel.upstream());
            GitRepos.Commit gc = commits.get(s.kernel.spec());
            if (gc != null) {
                x.put("commit", gc.sha());
                x.put("subject", gc.subject());
            }
            x.put("release", s.release);
            x.put("position", s.index);
            x.put("round", s.round);
            x.put("runs", s.verdicts.size());
            x.put("boots", s.boots);
            ArrayNode v = x.putArray("verdicts");
            s.verdicts.forEach(v::add);
            x.put("verdict", s.verdict());
            x.put("same_as_from", s.verdict() != null && s.verdict().equals(fromVerdict));
            x.put("weak", s.weak());
            if (s.weak()) {
                x.put("weak_reason", s.weakReason);
            }
            Confidence.Votes vs = s.votes();
            x.put("agreement", s.verdicts.isEmpty() ? 0.0 : round((double) vs.majority() / s.verdicts.size()));
            x.put("seconds", s.wallMs / 1000.0);
            ArrayNode d = x.putArray("dirs");
            s.dirs.forEach(p -> d.add(p.toString()));
        });
        return new BisectReport(j);
    }

    private static double round(double d) {
        return Math.round(d * 1e6) / 1e6;
    }

    public boolean found() {
        return json.path("found").asBoolean();
    }

    public void write(Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        RunDir.JSON.writeValue(file.toFile(), json);
    }

    /** The human summary printed without --json. */
    public String summary() {
        StringBuilder b = new StringBuilder();
        b.append("case ").append(json.path("case").asText()).append(": ").append(json.path("from").asText()).append(" gives ")
                .append(json.path("from_verdict").asText()).append(", ").append(json.path("to").asText()).append(" gives ")
                .append(json.path("to_verdict").asText()).append('\n');
        if (found() && json.has("first_changed_commit")) {
            b.append("first bad commit: ").append(json.path("first_changed_commit").asText()).append(" \"")
                    .append(json.path("first_changed_subject").asText()).append("\"\n");
        }
        if (found()) {
            b.append("first changed: ").append(json.path("first_changed_kernel").asText()).append(" (last same: ")
                    .append(json.path("last_same_kernel").asText()).append(")").append(json.path("exact").asBoolean() ? ""
                            : " - weak kernels between: " + json.path("between")).append('\n');
            b.append(String.format(java.util.Locale.ROOT, "confidence %.4f (flake rate %.4f, %s; %d run(s) per step)%n",
                    json.path("confidence").asDouble(), json.path("flake_rate").asDouble(), json.path("flake_rate_source").asText(),
                    json.path("runs_per_step").asInt()));
        } else {
            b.append("no change found between the two ends (a change that was reverted inside the range is not seen)\n");
        }
        b.append(json.path("kernels_tried").asInt()).append(" of ").append(json.path("kernels_in_range").asInt()).append(" kernels tried, ")
                .append(json.path("boots").asInt()).append(" boot(s), ").append(json.path("wall_s").asDouble()).append(" s\n");
        for (var s : json.path("steps")) {
            String k = s.has("commit") ? s.path("commit").asText().substring(0, 12) + " " + s.path("subject").asText() : s.path("kernel").asText();
            b.append("  ").append(String.format("%-24s ", k)).append(s.path("weak").asBoolean() ? "WEAK "
                    + s.path("weak_reason").asText() : s.path("verdict").asText() + " (" + s.path("runs").asInt() + " runs, agreement "
                    + s.path("agreement").asDouble() + ")").append('\n');
        }
        return b.toString();
    }
}
