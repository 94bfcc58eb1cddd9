package dev.kval.reports.bisect;

import dev.kval.kernel.KernelSpec;
import dev.kval.kernel.git.GitRepos;
import dev.kval.sweep.SweepKernel;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A bisection's axis over commits: --from, then every commit of {@code from..to} on the ancestry path (oldest first,
 * merges' side branches left out as {@code git bisect --first-parent} would not, but only commits that lead from --from
 * to --to), each as a {@code git:<repo>@<full sha>[,<config>]} kernel labelled by its short id.
 */
record GitAxis(List<SweepKernel> kernels, Map<String, GitRepos.Commit> commits) {

    static boolean applies(String from, String to) {
        return from.startsWith("git:") || to.startsWith("git:");
    }

    static GitAxis of(String fromSpec, String toSpec, GitRepos repos) throws IOException {
        if (!(KernelSpec.parse(fromSpec) instanceof KernelSpec.Git from) || !(KernelSpec.parse(toSpec) instanceof KernelSpec.Git to)) {
            throw new IllegalArgumentException("a commit bisection takes git: kernels at both ends (got --from " + fromSpec + " --to " + toSpec + ")");
        }
        if (!GitRepos.normalizeUrl(from.repo()).equals(GitRepos.normalizeUrl(to.repo())) || !from.config().equals(to.config())) {
            throw new IllegalArgumentException("--from and --to must name one repository and one config (" + from.repo() + " " + from.config()
                    + " vs " + to.repo() + " " + to.config() + ")");
        }
        GitRepos.Commit good = repos.resolve(from.repo(), from.ref());
        GitRepos.Commit bad = repos.resolveIn(good.mirror(), good.url(), to.ref());
        List<String> path = GitRepos.ancestryPath(good.mirror(), good.sha(), bad.sha());
        if (path.isEmpty() || !path.get(path.size() - 1).equals(bad.sha())) {
            throw new IllegalArgumentException("--from " + good.shortSha() + " is not an ancestor of --to " + bad.shortSha()
                    + " (a commit bisection walks from an older commit to a newer one)");
        }
        List<String> shas = new ArrayList<>(List.of(good.sha()));
        shas.addAll(path);
        List<SweepKernel> ks = new ArrayList<>();
        Map<String, GitRepos.Commit> commits = new LinkedHashMap<>();
        for (int i = 0; i < shas.size(); i++) {
            GitRepos.Commit c = repos.resolveIn(good.mirror(), good.url(), shas.get(i));
            String spec = from.at(c.sha()).text();
            // upstream "0" for all: the version order is the position (zero-padded) along the path
            ks.add(new SweepKernel(spec, c.shortSha(), "0", String.format("%06d", i)));
            commits.put(spec, c);
        }
        return new GitAxis(List.copyOf(ks), commits);
    }
}
