package dev.kval.kernel.git;

import dev.kval.kernel.BzImage;
import dev.kval.kernel.CacheLock;
import dev.kval.kernel.ContentKey;
import dev.kval.kernel.KernelCache;
import dev.kval.kernel.KernelSpec;
import dev.kval.kernel.Proc;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A {@code git format-patch} series applied on a base commit, one commit per patch, as {@code git am} does: the
 * author, date and message come from each mail ({@code git mailinfo}), the change is applied to the index
 * ({@code git apply --cached}) — no working tree, so a 1.4 GB kernel is never checked out for it. The commits live in a
 * bare repository under {@code $KVAL_CACHE/git/series/<key>.git} (the base mirror's objects borrowed through alternates)
 * keyed by the base commit and the patches' contents, on branch {@code series}; the result is a {@code git:} spec of
 * its tip, so the gate runs it and can bisect inside it like any branch.
 */
public final class PatchSeries {
    private PatchSeries() {
    }

    /** The applied series: its repository, the base and tip commits, and the patches' subjects in order. */
    public record Applied(Path repo, String base, String tip, List<String> subjects, KernelSpec.Git spec) {
    }

    public static List<Path> patches(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("--candidate-patches " + dir + " is not a directory (give the output directory of git format-patch)");
        }
        try (Stream<Path> s = Files.list(dir)) {
            List<Path> ps = s.filter(p -> p.getFileName().toString().endsWith(".patch")).sorted().toList();
            if (ps.isEmpty()) {
                throw new IllegalArgumentException("no *.patch files in " + dir + " (make them with: git format-patch -o " + dir + " BASE..TOPIC)");
            }
            return ps;
        }
    }

    public static Applied apply(GitRepos repos, KernelSpec.Git base, Path dir) throws IOException {
        List<Path> ps = patches(dir);
        GitRepos.Commit b = repos.resolve(base.repo(), base.ref());
        List<String> keyParts = new ArrayList<>(List.of("series", "1", b.sha()));
        for (Path p : ps) {
            keyParts.add(BzImage.sha256(p));
        }
        Path root = repos.root().resolveSibling("series");
        Path repo = root.resolve(ContentKey.of(keyParts).substring(0, 16) + ".git");
        try (CacheLock ignored = CacheLock.acquire(root.resolve(repo.getFileName() + ".lock"))) {
            if (!Files.isRegularFile(repo.resolve("kval-series.done"))) {
                KernelCache.deleteTree(repo);
                GitRepos.git(repo, List.of("init", "--bare", "-q"));
                Files.writeString(repo.resolve("objects/info/alternates"), b.mirror().resolve("objects").toRealPath() + "\n");
                String parent = b.sha();
                for (Path p : ps) {
                    parent = applyOne(repo, parent, p);
                }
                GitRepos.git(repo, List.of("update-ref", "refs/heads/series", parent));
                GitRepos.git(repo, List.of("update-ref", "refs/tags/base", b.sha()));
                Files.writeString(repo.resolve("kval-series.done"), parent + "\n");
            }
        }
        String tip = Files.readString(repo.resolve("kval-series.done")).strip();
        List<String> subjects = GitRepos.oneline(repo, b.sha(), tip, true);
        return new Applied(repo, b.sha(), tip, subjects, new KernelSpec.Git(repo.toString(), "series", base.config()));
    }

    private static String applyOne(Path repo, String parent, Path patch) throws IOException {
        Path msg = Files.createTempFile(repo, "msg", "");
        Path diff = Files.createTempFile(repo, "diff", "");
        Path index = repo.resolve("series-index");
        try {
            List<String> mi = List.of("sh", "-c", "exec git --git-dir=\"$1\" mailinfo \"$2\" \"$3\" < \"$4\"", "mailinfo", repo.toString(),
                    msg.toString(), diff.toString(), patch.toString());
            Map<String, String> info = new LinkedHashMap<>();
            for (String l : Proc.run(mi, null, Duration.ofMinutes(1)).check(mi).stdout().split("\n")) {
                int c = l.indexOf(": ");
                if (c > 0) {
                    info.put(l.substring(0, c), l.substring(c + 2));
                }
            }
            Map<String, String> env = Map.of("GIT_INDEX_FILE", index.toString());
            run(repo, env, "read-tree", parent);
            List<String> apply = List.of("git", "--git-dir=" + repo, "apply", "--cached", diff.toString());
            Proc.Result r = Proc.run(apply, null, Duration.ofMinutes(5), env);
            if (r.exit() != 0) {
                throw new IllegalArgumentException("patch " + patch.getFileName() + " (" + info.getOrDefault("Subject", "?") + ") does not apply on "
                        + parent.substring(0, 12) + ": " + r.stderr().strip() + " (is the series made against this --baseline?)");
            }
            String tree = run(repo, env, "write-tree").strip();
            String body = Files.readString(msg).strip();
            Map<String, String> cenv = new LinkedHashMap<>(env);
            cenv.put("GIT_AUTHOR_NAME", info.getOrDefault("Author", "unknown"));
            cenv.put("GIT_AUTHOR_EMAIL", info.getOrDefault("Email", "unknown@invalid"));
            if (info.containsKey("Date")) {
                cenv.put("GIT_AUTHOR_DATE", info.get("Date"));
            }
            cenv.put("GIT_COMMITTER_NAME", "kval gate");
            cenv.put("GIT_COMMITTER_EMAIL", "gate@kval.invalid");
            List<String> ct = new ArrayList<>(List.of("git", "--git-dir=" + repo, "commit-tree", tree, "-p", parent, "-m",
                    info.getOrDefault("Subject", patch.getFileName().toString())));
            if (!body.isEmpty()) {
                ct.addAll(List.of("-m", body));
            }
            return Proc.run(ct, null, Duration.ofMinutes(1), cenv).check(ct).stdout().strip();
        } finally {
            Files.deleteIfExists(msg);
            Files.deleteIfExists(diff);
            Files.deleteIfExists(index);
        }
    }

    private static String run(Path repo, Map<String, String> env, String... args) throws IOException {
        List<String> argv = new ArrayList<>(List.of("git", "--git-dir=" + repo));
        argv.addAll(List.of(args));
        return Proc.run(argv, null, Duration.ofMinutes(5), env).check(argv).stdout();
    }
}
