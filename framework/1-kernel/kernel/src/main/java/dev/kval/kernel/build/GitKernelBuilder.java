package dev.kval.kernel.build;

import dev.kval.kernel.BzImage;
import dev.kval.kernel.CacheLock;
import dev.kval.kernel.ContentKey;
import dev.kval.kernel.KernelArtifact;
import dev.kval.kernel.KernelCache;
import dev.kval.kernel.KernelResolver;
import dev.kval.kernel.KernelSpec;
import dev.kval.kernel.KvalPaths;
import dev.kval.kernel.Proc;
import dev.kval.kernel.debian.PrivateApt;
import dev.kval.kernel.git.GitRepos;
import dev.kval.kernel.git.SourceTrees;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * {@code git:<repo>@<ref>[,<config>...]}: a commit of a git repository, built like {@code build:}.
 *
 * <p>The artifact is cached by the commit's <em>tree</em> (its content) and the config inputs, so two commits with one
 * tree, or a commit whose tree is exactly an unpacked source package that was built before (recorded by
 * {@link SourceTrees}), are one build: the import commit of a {@code linux-source-7.3} tree is the
 * {@code build:linux-source-7.3,...} artifact.
 *
 * <p>Builds are incremental: one working tree and one {@code O=} directory per config (under
 * {@code $KVAL_CACHE/git/build/<config key>}), switched between commits with {@code git read-tree --reset -u}, which
 * rewrites only the files that differ (their mtimes move, the rest keep theirs), so make recompiles only what a commit
 * changed. The first build of a config is seeded from an earlier {@code build:} of a recorded source tree (its O=
 * directory copied, its source path rewritten in kbuild's .cmd files, its outputs touched to after the checkout), so the
 * commit after an import costs one object and the link instead of a full build. Without a seed it is a full build
 * (ccache helps the next config: the command lines name the same working tree).
 */
public final class GitKernelBuilder {
    static final int FORMAT = 1;
    private final KernelCache cache;
    private final PrivateApt apt;
    private final GitRepos repos;
    private final Consumer<String> log;

    public GitKernelBuilder(KernelCache cache, PrivateApt apt, GitRepos repos, Consumer<String> log) {
        this.cache = cache;
        this.apt = apt;
        this.repos = repos;
        this.log = log;
    }

    public KernelArtifact build(KernelSpec.Git spec) throws IOException {
        GitRepos.Commit c = repos.resolve(spec.repo(), spec.ref());
        return build(spec, c);
    }

    /** Builds an already resolved commit (bisection steps resolve every commit of the range in one fetch). */
    public KernelArtifact build(KernelSpec.Git spec, GitRepos.Commit c) throws IOException {
        String cfg = String.join(",", spec.config());
        KernelBuilder.Plan plan = KernelBuilder.plan("git" + (cfg.isEmpty() ? "" : "," + cfg));
        Map<String, String> meta = new LinkedHashMap<>(c.meta());
        String cfgKey = configKey(plan, meta);
        String key = ContentKey.of(List.of("git-build", String.valueOf(FORMAT), "tree=" + c.tree(), cfgKey));
        String exact = "git-build:" + key;
        String label = spec.repo() + "@" + spec.ref() + " = " + c.shortSha() + " \"" + c.subject() + "\"";
        Optional<KernelArtifact> hit = cache.lookup(exact);
        if (hit.isPresent()) {
            log.accept("kernel " + label + ": cache hit " + hit.get().release() + " (tree " + c.tree().substring(0, 12) + ")");
            return identify(hit.get(), spec, c, true);
        }
        Optional<SourceTrees.Source> same = SourceTrees.defaults().lookup(c.tree());
        if (same.isPresent()) {
            // the commit's tree IS a source package's content: its build: artifact (built or cached) is this commit's
            String bspec = same.get().buildSource() + (cfg.isEmpty() ? "" : "," + cfg);
            log.accept("kernel " + label + ": tree " + c.tree().substring(0, 12) + " is " + same.get().buildSource() + "; using build:" + bspec);
            KernelArtifact a = new KernelBuilder(cache, apt, log).build("build:" + bspec, bspec);
            cache.recordSpec(exact, a.sha256());
            return identify(a, spec, c, a.cacheHit());
        }
        Path bd = KvalPaths.cache().resolve("git").resolve("build").resolve(cfgKey.substring(0, 16));
        try (CacheLock ignored = CacheLock.acquire(bd.resolveSibling(bd.getFileName() + ".lock"))) {
            Optional<KernelArtifact> built = cache.lookup(exact);
            if (built.isPresent()) {
                return identify(built.get(), spec, c, true);
            }
            KernelArtifact a = compile(label, plan, cfg, c, bd, meta, exact);
            return identify(a, spec, c, false);
        }
    }

    /** The config inputs' key (base + fragments' contents); adds them to meta. */
    private static String configKey(KernelBuilder.Plan plan, Map<String, String> meta) throws IOException {
        List<String> parts = new ArrayList<>(List.of("config", plan.base()));
        for (Path f : plan.fragments()) {
            String h = BzImage.sha256(f);
            parts.add(f.getFileName() + "=" + h);
            meta.put("fragment:" + f.getFileName(), h.substring(0, 16));
        }
        meta.put("base", plan.base());
        return ContentKey.of(parts);
    }

    /** The artifact as this spec resolved it: the cache stores content, the commit's identity comes from the resolution. */
    static KernelArtifact identify(KernelArtifact a, KernelSpec.Git spec, GitRepos.Commit c, boolean hit) {
        Map<String, String> pk = new LinkedHashMap<>(a.packages());
        pk.putAll(c.meta());
        return new KernelArtifact(spec.text(), a.release(), a.sha256(), a.dir(), a.kernel(), a.config(), pk, hit);
    }

    private KernelArtifact compile(String label, KernelBuilder.Plan plan, String cfg, GitRepos.Commit c, Path bd, Map<String, String> meta,
            String exact) throws IOException {
        Path work = bd.resolve("src");
        Path obj = bd.resolve("obj");
        Path index = bd.resolve("index");
        Path logFile = bd.resolve("build.log");
        Files.createDirectories(bd);
        Files.writeString(logFile, "== " + label + "\n", StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.TRUNCATE_EXISTING);
        long t0 = System.nanoTime();
        if (!Files.isDirectory(obj)) {
            seed(c, cfg, work, obj, index);
        }
        checkout(c.mirror(), work, index, c.tree());
        KernelBuilder kb = new KernelBuilder(cache, apt, log);
        List<String> make = new ArrayList<>(List.of("nice", "-n", "5", "make", "-C", work.toString(), "O=" + obj, "LOCALVERSION="));
        if (!Files.isRegularFile(obj.resolve(".config"))) {
            Files.createDirectories(obj);
            kb.make("config", KernelBuilder.concat(make, plan.base()), logFile);
            if (!plan.fragments().isEmpty()) {
                List<String> merge = new ArrayList<>(List.of(work.resolve("scripts/kconfig/merge_config.sh").toString(), "-m", "-O",
                        obj.toString(), obj.resolve(".config").toString()));
                plan.fragments().forEach(f -> merge.add(f.toString()));
                kb.make("merge_config", merge, logFile);
                kb.make("olddefconfig", KernelBuilder.concat(make, "olddefconfig"), logFile);
            }
        }
        List<String> compile = KernelBuilder.concat(make, "-j" + Runtime.getRuntime().availableProcessors(), "bzImage");
        boolean modules = Files.readString(obj.resolve(".config")).contains("\nCONFIG_MODULES=y");
        if (modules) {
            compile.add("modules");
        }
        if (KernelBuilder.which("ccache")) {
            compile.add("CC=ccache gcc");
        }
        log.accept("kernel " + label + ": building in " + work + " (O=" + obj + "); log: " + logFile);
        try {
            kb.make("compile", compile, logFile);
        } catch (IOException e) {
            throw new IOException("kernel build of " + c.sha() + " (" + c.subject() + ") failed: " + e.getMessage(), e);
        }
        FragmentCheck.requireSurvived(plan.fragments(), obj.resolve(".config"));
        long secs = (System.nanoTime() - t0) / 1_000_000_000;
        log.accept("kernel " + label + ": built in " + secs + " s");
        Path staged = cache.staging();
        try {
            Path tree = Files.createDirectories(staged.resolveSibling(staged.getFileName() + ".t"));
            Files.copy(obj.resolve("arch/x86/boot/bzImage"), tree.resolve("bzImage"));
            Files.copy(obj.resolve(".config"), tree.resolve("config"));
            if (modules) {
                kb.make("modules_install", KernelBuilder.concat(make, "INSTALL_MOD_PATH=" + tree, "INSTALL_MOD_STRIP=1", "modules_install"), logFile);
            }
            String release = KernelResolver.normalize(tree, staged, false);
            KernelCache.deleteTree(tree);
            return cache.commit(exact, release, staged, meta);
        } catch (IOException | RuntimeException e) {
            KernelCache.deleteTree(staged);
            throw e;
        }
    }

    /** Points the working tree at a tree: only files whose blob differs from the index are rewritten (and get a new mtime). */
    static void checkout(Path mirror, Path work, Path index, String tree) throws IOException {
        Files.createDirectories(work);
        List<String> argv = List.of("git", "--git-dir=" + mirror, "--work-tree=" + work, "read-tree", "--reset", "-u", tree);
        Proc.run(argv, null, Duration.ofMinutes(30), Map.of("GIT_INDEX_FILE", index.toString())).check(argv);
    }

    /**
     * Seeds an empty build directory from an earlier build: the O= directory of a {@code build:} of a source whose tree
     * this mirror has (a recorded {@link SourceTrees} entry), with that build's source path rewritten to the working tree
     * in kbuild's saved commands (so the command lines compare equal) and every output touched after the checkout (so
     * only files the commit changes are newer than their objects). Nothing to seed from: an empty O= (a full build).
     */
    private void seed(GitRepos.Commit c, String cfg, Path work, Path obj, Path index) throws IOException {
        for (SourceTrees.Source s : SourceTrees.defaults().all()) {
            if (Proc.run(List.of("git", "--git-dir=" + c.mirror(), "cat-file", "-e", s.tree() + "^{tree}"), null, Duration.ofSeconds(30))
                    .exit() != 0) {
                continue;
            }
            Optional<Path> from = new KernelBuilder(cache, apt, log).objDir(s.buildSource() + (cfg.isEmpty() ? "" : "," + cfg));
            if (from.isEmpty()) {
                continue;
            }
            long t0 = System.nanoTime();
            log.accept("seeding the incremental build from " + from.get() + " (" + s.buildSource() + ", tree " + s.tree().substring(0, 12) + ")");
            checkout(c.mirror(), work, index, s.tree());
            Path oldSrc = from.get().resolve("source").toRealPath();
            Path tmp = obj.resolveSibling(".obj-seed");
            KernelCache.deleteTree(tmp);
            Proc.check(List.of("cp", "-a", from.get().toString(), tmp.toString()), null, Duration.ofMinutes(20));
            rewrite(tmp, oldSrc.toString(), work.toRealPath().toString());
            // after the checkout: every output is newer than every source file it has, until a commit rewrites one
            Proc.check(List.of("find", tmp.toString(), "-exec", "touch", "-h", "-d", "@" + (System.currentTimeMillis() / 1000 + 1), "{}", "+"),
                    null, Duration.ofMinutes(10));
            Files.move(tmp, obj);
            log.accept("seeded in " + (System.nanoTime() - t0) / 1_000_000_000 + " s");
            return;
        }
        log.accept("no earlier build to seed from (no recorded source tree in this repository): a full build");
        Files.createDirectories(obj);
    }

    /** Replaces the old source path in kbuild's text files (saved commands, dependency files, the O= Makefile, source link). */
    private static void rewrite(Path objDir, String oldSrc, String newSrc) throws IOException {
        int n = 0;
        try (Stream<Path> st = Files.walk(objDir)) {
            for (Path f : (Iterable<Path>) st::iterator) {
                String name = f.getFileName().toString();
                if (Files.isSymbolicLink(f)) {
                    String target = Files.readSymbolicLink(f).toString();
                    if (target.startsWith(oldSrc)) {
                        Files.delete(f);
                        Files.createSymbolicLink(f, Path.of(newSrc + target.substring(oldSrc.length())));
                    }
                    continue;
                }
                if (!Files.isRegularFile(f) || !(name.endsWith(".cmd") || name.endsWith(".d") || name.equals("Makefile"))) {
                    continue;
                }
                String text = Files.readString(f, StandardCharsets.ISO_8859_1);
                if (text.contains(oldSrc)) {
                    Files.writeString(f, text.replace(oldSrc, newSrc), StandardCharsets.ISO_8859_1);
                    n++;
                }
            }
        }
        if (n == 0) {
            throw new IOException("seeding from " + objDir + ": no kbuild file names the old source " + oldSrc + " (not an O= build?)");
        }
    }
}
