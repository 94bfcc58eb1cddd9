package dev.kval.gate;

import dev.kval.kernel.KernelResolver;
import dev.kval.kernel.KernelSpec;
import dev.kval.kernel.git.GitRepos;
import dev.kval.kernel.git.PatchSeries;
import dev.kval.reports.bisect.BisectReport;
import dev.kval.reports.bisect.Bisection;
import dev.kval.reports.bisect.FlakeRates;
import dev.kval.sweep.Sweep;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The gate's git side: a {@code git:} baseline or candidate is pinned to its commit before anything runs (a branch
 * moves: a stored run of {@code @topic} from yesterday is not today's), a {@code --candidate-patches} series is applied
 * on the baseline ({@link PatchSeries}), and a regression between two commits of one history is bisected inside the
 * range to the first patch that introduces it.
 */
public final class GateGit {
    /** The first bad commit of the candidate's series, from a commit bisection of the regressed test. */
    public record FirstBad(String commit, String subject, double confidence, String testId, List<String> series, Path report) {
    }

    private final GitRepos repos;
    private final Consumer<String> say;

    GateGit(GitRepos repos, Consumer<String> say) {
        this.repos = repos;
        this.say = say;
    }

    /** git:R@ref -> git:R@sha (same config); anything else unchanged. */
    String pin(String spec) throws IOException {
        if (spec == null || GateEngine.isRunId(spec) || !(KernelSpec.parse(spec) instanceof KernelSpec.Git g)) {
            return spec;
        }
        GitRepos.Commit c = repos.resolve(g.repo(), g.ref());
        say.accept(spec + " is commit " + c.shortSha() + " \"" + c.subject() + "\"");
        return g.at(c.sha()).text();
    }

    /** Applies the series on the git: baseline; returns the candidate spec (the series' tip, pinned). */
    String applySeries(String baseline, Path patches) throws IOException {
        if (baseline == null || !(KernelSpec.parse(baseline) instanceof KernelSpec.Git base)) {
            throw new IllegalArgumentException("--candidate-patches needs a git: --baseline to apply the series on (got " + baseline + ")");
        }
        PatchSeries.Applied a = PatchSeries.apply(repos, base, patches);
        say.accept("applied " + a.subjects().size() + " patch(es) from " + patches + " on " + a.base().substring(0, 12) + " (git am, "
                + a.repo() + "):");
        a.subjects().forEach(s -> say.accept("  " + s));
        return a.spec().at(a.tip()).text();
    }

    /**
     * Bisects baseline..candidate for testId on QEMU when both are commits of one history; empty when they are not (a
     * debian: or path: side, another repository without the base commit).
     */
    Optional<FirstBad> firstBad(String baseline, String candidate, String testId, Path out, PrintStream err) {
        try {
            if (!(KernelSpec.parse(baseline) instanceof KernelSpec.Git b) || !(KernelSpec.parse(candidate) instanceof KernelSpec.Git c)) {
                return Optional.empty();
            }
            // both ends in the candidate's repository: a series repository holds its base commit too
            String from = c.at(b.ref()).text();
            GitRepos.Commit base = repos.resolve(c.repo(), b.ref());
            GitRepos.Commit tip = repos.resolveIn(base.mirror(), base.url(), c.ref());
            List<String> series = GitRepos.oneline(base.mirror(), base.sha(), tip.sha(), true);
            if (series.size() < 2) {
                say.accept("the candidate is one commit on the baseline: it is the first bad patch");
                return Optional.of(new FirstBad(tip.sha(), tip.subject(), 1.0, testId, series, null));
            }
            say.accept("bisecting " + testId + " inside the series (" + series.size() + " commits)");
            Sweep sweep = new Sweep(KernelResolver.defaults(), dev.kval.host.qemu.QemuConfig.forSuites(null, testId), err);
            BisectReport r = new Bisection(sweep, FlakeRates.UNKNOWN, s -> say.accept("bisect: " + s), repos)
                    .run(new Bisection.Options(from, candidate, testId, null, 1, out, Duration.ofMinutes(10)));
            r.write(out.resolve("bisect.json"));
            if (!r.found()) {
                say.accept("the series bisection saw no change for " + testId + " (flaky, or a host-level finding): no first bad patch");
                return Optional.empty();
            }
            return Optional.of(new FirstBad(r.json().path("first_changed_commit").asText(), r.json().path("first_changed_subject").asText(),
                    r.json().path("confidence").asDouble(), testId, series, out.resolve("bisect.json")));
        } catch (IOException | RuntimeException e) {
            say.accept("bisecting inside the series failed: " + e.getMessage() + " (the gate's decision stands)");
            return Optional.empty();
        }
    }
}
