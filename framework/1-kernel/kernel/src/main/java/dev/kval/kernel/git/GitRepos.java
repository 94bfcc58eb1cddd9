package dev.kval.kernel.git;

import dev.kval.kernel.CacheLock;
import dev.kval.kernel.ContentKey;
import dev.kval.kernel.KvalPaths;
import dev.kval.kernel.Proc;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Bare mirrors of kernel git repositories, one per repository URL, under {@code $KVAL_CACHE/git/mirrors}; fetched on
 * every use (under a {@link CacheLock} per mirror, so two cells never fetch into one mirror at once).
 *
 * <p>Any URL git can fetch works (https, ssh, file://, a path). A local repository (a path or file://) is mirrored with
 * its objects borrowed through {@code objects/info/alternates}: fetching a 1.4 GB tree from a repository on the same
 * disk would otherwise make git pack and copy every object once more. Such a mirror needs its source to stay where it is.
 */
public final class GitRepos {
    private static final Duration FETCH = Duration.ofMinutes(30);
    private final Path root;

    public GitRepos(Path root) {
        this.root = root;
    }

    public static GitRepos defaults() {
        return new GitRepos(KvalPaths.cache().resolve("git").resolve("mirrors"));
    }

    public Path root() {
        return root;
    }

    /** One resolved commit: what every verdict of a git: kernel carries as its identity. */
    public record Commit(String url, String ref, String sha, String subject, String tree, Optional<String> branch, Path mirror) {
        public String shortSha() {
            return sha.substring(0, 12);
        }

        /** The identity as artifact metadata (summary.json's kernel packages, the store, KCIDB's checkout). */
        public Map<String, String> meta() {
            Map<String, String> m = new java.util.LinkedHashMap<>();
            m.put("git.url", url);
            m.put("git.ref", ref);
            m.put("git.commit", sha);
            m.put("git.subject", subject);
            m.put("git.tree", tree);
            branch.ifPresent(b -> m.put("git.branch", b));
            return m;
        }
    }

    /** The URL as git is given it: a local path made absolute, anything else unchanged. */
    public static String normalizeUrl(String url) {
        if (url.startsWith("file://")) {
            return "file://" + Path.of(url.substring(7)).toAbsolutePath().normalize();
        }
        if (url.contains("://") || url.matches("[^/]+@[^/]+:.*")) {
            return url;
        }
        return Path.of(url).toAbsolutePath().normalize().toString();
    }

    private static Optional<Path> localPath(String url) {
        if (url.startsWith("file://")) {
            return Optional.of(Path.of(url.substring(7)));
        }
        if (url.startsWith("/")) {
            return Optional.of(Path.of(url));
        }
        return Optional.empty();
    }

    /** The mirror's directory for a URL (it may not exist yet). */
    public Path mirrorDir(String url) {
        String n = normalizeUrl(url);
        String tail = n.replaceAll("\\.git/?$", "").replaceAll(".*[/:]", "").replaceAll("[^A-Za-z0-9._-]", "_");
        return root.resolve(ContentKey.of(List.of(n)).substring(0, 16) + "-" + (tail.isEmpty() ? "repo" : tail) + ".git");
    }

    /** Creates the mirror if needed and fetches every branch and tag from the URL; returns the mirror's directory. */
    public Path fetch(String url) throws IOException {
        String n = normalizeUrl(url);
        Path m = mirrorDir(n);
        try (CacheLock ignored = CacheLock.acquire(m.resolveSibling(m.getFileName() + ".lock"))) {
            if (!Files.isDirectory(m.resolve("objects"))) {
                Path t = Files.createTempDirectory(Files.createDirectories(root), ".m");
                git(t, List.of("init", "--bare", "-q"));
                Optional<Path> local = localPath(n);
                if (local.isPresent()) {
                    Path src = local.get();
                    Path objects = Files.isDirectory(src.resolve(".git/objects")) ? src.resolve(".git/objects") : src.resolve("objects");
                    if (!Files.isDirectory(objects)) {
                        deleteQuietly(t);
                        throw new IOException("git repository " + n + " not found (no objects directory; check the path in the git: spec)");
                    }
                    Files.writeString(t.resolve("objects/info/alternates"), objects.toRealPath() + "\n");
                }
                Files.move(t, m);
            }
            Proc.Result r = Proc.run(List.of("git", "--git-dir=" + m, "fetch", "--quiet", "--prune", "--force", n,
                    "+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*"), null, FETCH, Map.of("GIT_TERMINAL_PROMPT", "0"));
            if (r.exit() != 0) {
                throw new IOException("git fetch " + n + " into " + m + " failed (exit " + r.exit() + "): " + r.stderr().strip()
                        + " (check the URL and that this machine can reach it)");
            }
            return m;
        }
    }

    /** Fetches the URL, then resolves ref (branch, tag or commit, abbreviated or not) to its commit. */
    public Commit resolve(String url, String ref) throws IOException {
        Path m = fetch(url);
        return resolveIn(m, normalizeUrl(url), ref);
    }

    /** Resolves a ref in an already fetched mirror (bisection steps: no fetch per commit). */
    public Commit resolveIn(Path mirror, String url, String ref) throws IOException {
        Proc.Result r = Proc.run(List.of("git", "--git-dir=" + mirror, "rev-parse", "--verify", "--quiet", ref + "^{commit}"), null,
                Duration.ofSeconds(30));
        if (r.exit() != 0) {
            throw new IOException("'" + ref + "' is not a branch, tag or commit of " + url + " (git rev-parse in " + mirror
                    + "; list them with: git --git-dir=" + mirror + " show-ref)");
        }
        String sha = r.stdout().strip();
        String[] st = git(mirror, List.of("log", "-1", "--format=%T%n%s", sha)).split("\n", 2);
        Optional<String> branch = Proc.run(List.of("git", "--git-dir=" + mirror, "show-ref", "--verify", "--quiet", "refs/heads/" + ref), null,
                Duration.ofSeconds(30)).exit() == 0 ? Optional.of(ref) : Optional.empty();
        return new Commit(url, ref, sha, st.length > 1 ? st[1].strip() : "", st[0].strip(), branch, mirror);
    }

    /** {@code git log --oneline A..B} in the mirror, oldest first when reverse. */
    public static List<String> oneline(Path mirror, String from, String to, boolean reverse) throws IOException {
        List<String> argv = new ArrayList<>(List.of("log", "--oneline", "--no-decorate"));
        if (reverse) {
            argv.add("--reverse");
        }
        argv.add(from == null ? to : from + ".." + to);
        String out = git(mirror, argv);
        return out.isBlank() ? List.of() : List.of(out.strip().split("\n"));
    }

    /** The commits of from..to on the ancestry path, oldest first (the bisection's axis, without from). */
    public static List<String> ancestryPath(Path mirror, String from, String to) throws IOException {
        String out = git(mirror, List.of("rev-list", "--reverse", "--ancestry-path", from + ".." + to));
        return out.isBlank() ? List.of() : List.of(out.strip().split("\n"));
    }

    public static String git(Path gitDir, List<String> args) throws IOException {
        List<String> argv = new ArrayList<>(List.of("git", "--git-dir=" + gitDir));
        argv.addAll(args);
        return Proc.run(argv, null, Duration.ofMinutes(10)).check(argv).stdout();
    }

    private static void deleteQuietly(Path p) {
        try {
            dev.kval.kernel.KernelCache.deleteTree(p);
        } catch (IOException ignored) {
            // a temporary directory; the next attempt uses another one
        }
    }
}
