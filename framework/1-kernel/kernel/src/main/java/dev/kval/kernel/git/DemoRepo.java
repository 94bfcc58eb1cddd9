package dev.kval.kernel.git;

import dev.kval.kernel.CacheLock;
import dev.kval.kernel.KernelCache;
import dev.kval.kernel.KvalPaths;
import dev.kval.kernel.Proc;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A local kernel git repository made from an unpacked source package, for tests and demos of the git workflows
 * (no network): one import commit of the whole source, then small real changes, among them one that re-introduces a
 * rejected argument combination in {@code virt/kvm/guest_memfd.c} (KVM_CREATE_GUEST_MEMFD accepts a size that is not a
 * multiple of the page size; the agent's {@code create.size_*_einval} leaves catch it).
 *
 * <pre>
 * master:       import - docs - comment - BAD - docs2      (tag import; branch good-series = comment; bad-series = master)
 * </pre>
 *
 * <p>Cheap to make and made once: a bare repository whose import commit's objects are written straight from the source
 * directory through a temporary index (no checkout, no copy of the tree), cached under
 * {@code $KVAL_CACHE/git/fixtures/<source dir name>-v<FORMAT>.git}; commits have fixed authors and dates, so their ids
 * are the same on every machine with the same source. The import's tree is recorded in {@link SourceTrees}, which
 * makes the import commit's build the source's {@code build:} artifact.
 */
public final class DemoRepo {
    static final int FORMAT = 1;

    /** The repository and its commits by role. */
    public record Repo(Path dir, String importCommit, String docs, String comment, String bad, String docs2) {
        /** The commits of master, oldest first. */
        public List<String> master() {
            return List.of(importCommit, docs, comment, bad, docs2);
        }
    }

    private DemoRepo() {
    }

    /** The fixture for a source tree (e.g. the unpacked linux-source-7.3) whose {@code build:} source spec is buildSource. */
    public static Repo ensure(Path source, String buildSource) throws IOException {
        Path dir = KvalPaths.cache().resolve("git").resolve("fixtures").resolve(source.getFileName() + "-v" + FORMAT + ".git");
        try (CacheLock ignored = CacheLock.acquire(dir.resolveSibling(dir.getFileName() + ".lock"))) {
            if (!Files.isRegularFile(dir.resolve("kval-fixture.done"))) {
                KernelCache.deleteTree(dir);
                Path tmp = dir.resolveSibling(".tmp-" + dir.getFileName());
                KernelCache.deleteTree(tmp);
                Files.createDirectories(tmp);
                create(tmp, source, buildSource);
                Files.move(tmp, dir);
            }
            Map<String, String> roles = new LinkedHashMap<>();
            for (String l : Files.readAllLines(dir.resolve("kval-fixture.done"))) {
                String[] kv = l.split("=", 2);
                roles.put(kv[0], kv[1]);
            }
            // the tree record lives outside the fixture: re-record it (cheap) if the cache's trees were cleaned
            String tree = GitRepos.git(dir, List.of("rev-parse", roles.get("import") + "^{tree}")).strip();
            if (SourceTrees.defaults().lookup(tree).isEmpty()) {
                SourceTrees.defaults().record(tree, buildSource, source);
            }
            return new Repo(dir, roles.get("import"), roles.get("docs"), roles.get("comment"), roles.get("bad"), roles.get("docs2"));
        }
    }

    private static void create(Path git, Path source, String buildSource) throws IOException {
        GitRepos.git(git, List.of("init", "--bare", "-q"));
        long t0 = System.nanoTime();
        String tree = SourceTrees.hash(git, source);
        SourceTrees.defaults().record(tree, buildSource, source);
        String imp = commit(git, tree, null, "Import " + source.getFileName() + " (" + buildSource + ")",
                "The unpacked source package, as kval's CI builds it (build:" + buildSource + ").", 0);
        String docs = change(git, imp, "Documentation/virt/kvm/api.rst", t -> t
                + "\n.. kval fixture: KVM_CREATE_GUEST_MEMFD's size must be a multiple of the page size.\n",
                "Documentation: KVM: note guest_memfd's size rule", 1);
        String comment = change(git, docs, "virt/kvm/guest_memfd.c", t -> replaceOnce(t,
                "\tif (size <= 0 || !PAGE_ALIGNED(size))\n\t\treturn -EINVAL;\n",
                "\t/* a guest_memfd is mapped in whole pages: its size must be a non-zero multiple of PAGE_SIZE */\n"
                        + "\tif (size <= 0 || !PAGE_ALIGNED(size))\n\t\treturn -EINVAL;\n"),
                "KVM: guest_memfd: explain the size check in kvm_gmem_create()", 2);
        String bad = change(git, comment, "virt/kvm/guest_memfd.c", t -> replaceOnce(t,
                "\tif (size <= 0 || !PAGE_ALIGNED(size))\n\t\treturn -EINVAL;\n",
                "\tif (size <= 0)\n\t\treturn -EINVAL;\n"),
                "KVM: guest_memfd: let kvm_gmem_create() round the size later\n\n"
                        + "(kval fixture: re-introduces acceptance of a size that is not page aligned, which KVM rejects with EINVAL.)", 3);
        String docs2 = change(git, bad, "Documentation/virt/kvm/locking.rst", t -> t + "\n.. kval fixture: an unrelated documentation change.\n",
                "Documentation: KVM: an unrelated note in locking.rst", 4);
        GitRepos.git(git, List.of("update-ref", "refs/heads/master", docs2));
        GitRepos.git(git, List.of("update-ref", "refs/heads/bad-series", docs2));
        GitRepos.git(git, List.of("update-ref", "refs/heads/good-series", comment));
        GitRepos.git(git, List.of("update-ref", "refs/tags/import", imp));
        GitRepos.git(git, List.of("symbolic-ref", "HEAD", "refs/heads/master"));
        Files.writeString(git.resolve("kval-fixture.done"), "import=" + imp + "\ndocs=" + docs + "\ncomment=" + comment + "\nbad=" + bad
                + "\ndocs2=" + docs2 + "\nseconds=" + (System.nanoTime() - t0) / 1_000_000_000 + "\n");
    }

    private static String replaceOnce(String text, String from, String to) {
        int i = text.indexOf(from);
        if (i < 0 || text.indexOf(from, i + 1) >= 0) {
            throw new IllegalStateException("the fixture's change expects exactly one '" + from.strip() + "' in guest_memfd.c (another kernel version?)");
        }
        return text.substring(0, i) + to + text.substring(i + from.length());
    }

    /** A commit on parent changing one file (a temporary index: read-tree, hash-object, update-index, write-tree). */
    private static String change(Path git, String parent, String path, java.util.function.UnaryOperator<String> edit, String message, int n)
            throws IOException {
        String old = GitRepos.git(git, List.of("cat-file", "blob", parent + ":" + path));
        Path file = Files.createTempFile(git, "blob", "");
        Path index = git.resolve("fixture-index");
        try {
            Files.writeString(file, edit.apply(old), StandardCharsets.UTF_8);
            String blob = GitRepos.git(git, List.of("hash-object", "-w", file.toString())).strip();
            Map<String, String> env = Map.of("GIT_INDEX_FILE", index.toString());
            run(git, env, "read-tree", parent);
            run(git, env, "update-index", "--cacheinfo", "100644," + blob + "," + path);
            String tree = run(git, env, "write-tree").strip();
            return commit(git, tree, parent, message, null, n);
        } finally {
            Files.deleteIfExists(file);
            Files.deleteIfExists(index);
        }
    }

    private static String run(Path git, Map<String, String> env, String... args) throws IOException {
        List<String> argv = new ArrayList<>(List.of("git", "--git-dir=" + git));
        argv.addAll(List.of(args));
        return Proc.run(argv, null, Duration.ofMinutes(5), env).check(argv).stdout();
    }

    private static String commit(Path git, String tree, String parent, String subject, String body, int n) throws IOException {
        String date = (1_796_000_000L + n * 3600L) + " +0000";
        Map<String, String> env = Map.of("GIT_AUTHOR_NAME", "kval fixture", "GIT_AUTHOR_EMAIL", "fixture@kval.invalid", "GIT_AUTHOR_DATE", date,
                "GIT_COMMITTER_NAME", "kval fixture", "GIT_COMMITTER_EMAIL", "fixture@kval.invalid", "GIT_COMMITTER_DATE", date);
        List<String> argv = new ArrayList<>(List.of("git", "--git-dir=" + git, "commit-tree", tree, "-m", subject));
        if (body != null) {
            argv.addAll(List.of("-m", body));
        }
        if (parent != null) {
            argv.addAll(List.of("-p", parent));
        }
        return Proc.run(argv, null, Duration.ofMinutes(5), env).check(argv).stdout().strip();
    }
}
