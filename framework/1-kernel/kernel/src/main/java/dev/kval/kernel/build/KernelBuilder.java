package dev.kval.kernel.build;

import dev.kval.kernel.ContentKey;
import dev.kval.kernel.BzImage;
import dev.kval.kernel.CacheLock;
import dev.kval.kernel.KernelArtifact;
import dev.kval.kernel.KernelCache;
import dev.kval.kernel.KernelResolver;
import dev.kval.kernel.KvalPaths;
import dev.kval.kernel.Proc;
import dev.kval.kernel.debian.PrivateApt;
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
 * {@code build:<source>[,<config>...]}: builds a kernel from source and caches it like any other artifact.
 * <ul>
 * <li>source: a kernel tree directory, a {@code linux-*.tar.xz} tarball, or a Debian {@code linux-source-X.Y}
 * package (fetched with {@link PrivateApt}, unpacked once under the cache);</li>
 * <li>config: a base target ({@code x86_64_defconfig} (default), {@code defconfig}, {@code tinyconfig},
 * {@code allnoconfig}, {@code kvm_guest.config}...) or a fragment: a path, or a name looked up as
 * {@code infra/kernel-configs/<name>.config} in the repository; fragments are merged with merge_config.sh.</li>
 * </ul>
 * Builds with {@code O=} under {@code $KVAL_CACHE/kernel-build/<key>}, ccache when installed, -j nproc; the artifact
 * is keyed by the source identity and the fragments' contents, so the same spec is built once.
 */
public final class KernelBuilder {
    static final int FORMAT = 1;
    private final KernelCache cache;
    private final PrivateApt apt;
    private final Consumer<String> log;

    public KernelBuilder(KernelCache cache, PrivateApt apt, Consumer<String> log) {
        this.cache = cache;
        this.apt = apt;
        this.log = log;
    }

    /** Parsed spec: the source and the config steps, in order. */
    public record Plan(String source, String base, List<Path> fragments) {
    }

    public static Plan plan(String spec) throws IOException {
        String[] parts = spec.split(",");
        String source = parts[0].strip();
        if (source.isEmpty()) {
            throw new IllegalArgumentException("build: needs a source (a kernel tree, a tarball or linux-source-X.Y)");
        }
        String base = "x86_64_defconfig";
        List<Path> frags = new ArrayList<>();
        for (int i = 1; i < parts.length; i++) {
            String p = parts[i].strip();
            if (p.matches("[a-z0-9_]*(defconfig|tinyconfig|allnoconfig|allmodconfig|allyesconfig|localmodconfig)")) {
                base = p;
                continue;
            }
            Path f = Path.of(p);
            if (!Files.isRegularFile(f)) {
                f = KvalPaths.repo().resolve("infra/kernel-configs").resolve(p.endsWith(".config") ? p : p + ".config");
            }
            if (!Files.isRegularFile(f)) {
                throw new IOException("config fragment '" + p + "' is neither a file nor infra/kernel-configs/" + p + ".config");
            }
            frags.add(f.toAbsolutePath());
        }
        return new Plan(source, base, frags);
    }

    public KernelArtifact build(String specText, String spec) throws IOException {
        Plan plan = plan(spec);
        Map<String, String> meta = new LinkedHashMap<>();
        Path src = source(plan.source(), meta);
        String key = key(plan, meta);
        String exact = "build:" + key;
        Optional<KernelArtifact> hit = cache.lookup(exact);
        if (hit.isPresent()) {
            cache.recordSpec(specText, hit.get().sha256());
            log.accept("kernel " + specText + ": cache hit " + hit.get().release());
            return hit.get();
        }
        // One build per cache key at a time, across threads and processes: two cells building the same spec would
        // otherwise run make in one O= directory at once. The second waits, then finds the first one's artifact.
        try (CacheLock ignored = CacheLock.acquire(KvalPaths.cache().resolve("kernel-build").resolve(key + ".lock"))) {
            Optional<KernelArtifact> built = cache.lookup(exact);
            if (built.isPresent()) {
                cache.recordSpec(specText, built.get().sha256());
                log.accept("kernel " + specText + ": built meanwhile by another cell, " + built.get().release());
                return built.get();
            }
            return compile(specText, plan, src, meta, key, exact);
        }
    }

    /** The cache key of a plan whose source identity is in meta; adds the config inputs to meta. */
    static String key(Plan plan, Map<String, String> meta) throws IOException {
        List<String> keyParts = new ArrayList<>(List.of("build", String.valueOf(FORMAT), meta.toString(), plan.base()));
        for (Path f : plan.fragments()) {
            keyParts.add(f.getFileName() + "=" + BzImage.sha256(f));
            meta.put("fragment:" + f.getFileName(), BzImage.sha256(f).substring(0, 16));
        }
        meta.put("base", plan.base());
        return ContentKey.of(keyParts);
    }

    /** The O= directory of an earlier build of this spec (source + config), if it is still there: seeds incremental builds. */
    public Optional<Path> objDir(String spec) throws IOException {
        Plan plan = plan(spec);
        Map<String, String> meta = new LinkedHashMap<>();
        source(plan.source(), meta);
        Path obj = KvalPaths.cache().resolve("kernel-build").resolve(key(plan, meta)).resolve("obj");
        return Files.isRegularFile(obj.resolve("arch/x86/boot/bzImage")) ? Optional.of(obj) : Optional.empty();
    }

    private KernelArtifact compile(String specText, Plan plan, Path src, Map<String, String> meta, String key, String exact)
            throws IOException {
        Path dir = Files.createDirectories(KvalPaths.cache().resolve("kernel-build").resolve(key));
        Path obj = Files.createDirectories(dir.resolve("obj"));
        Path logFile = dir.resolve("build.log");
        log.accept("kernel " + specText + ": building " + src + " (" + plan.base() + " + " + plan.fragments().size()
                + " fragment(s)); log: " + logFile);
        List<String> make = new ArrayList<>(List.of("make", "-C", src.toString(), "O=" + obj));
        make("config", concat(make, plan.base()), logFile);
        if (!plan.fragments().isEmpty()) {
            List<String> merge = new ArrayList<>(List.of(src.resolve("scripts/kconfig/merge_config.sh").toString(), "-m", "-O", obj.toString(),
                    obj.resolve(".config").toString()));
            plan.fragments().forEach(f -> merge.add(f.toString()));
            make("merge_config", merge, logFile);
            make("olddefconfig", concat(make, "olddefconfig"), logFile);
            FragmentCheck.requireSurvived(plan.fragments(), obj.resolve(".config"));
        }
        String jobs = "-j" + Runtime.getRuntime().availableProcessors();
        List<String> compile = concat(make, jobs, "bzImage");
        boolean modules = Files.readString(obj.resolve(".config")).contains("\nCONFIG_MODULES=y");
        if (modules) {
            compile.add("modules");
        }
        if (which("ccache")) {
            compile.add("CC=ccache gcc");
        }
        long t0 = System.nanoTime();
        make("compile", compile, logFile);
        log.accept("kernel " + specText + ": compiled in " + (System.nanoTime() - t0) / 1_000_000_000 + " s");
        Path staged = cache.staging();
        try {
            Path tree = Files.createDirectories(staged.resolveSibling(staged.getFileName() + ".t"));
            Files.copy(obj.resolve("arch/x86/boot/bzImage"), tree.resolve("bzImage"));
            Files.copy(obj.resolve(".config"), tree.resolve("config"));
            if (modules) {
                make("modules_install", concat(make, "INSTALL_MOD_PATH=" + tree, "INSTALL_MOD_STRIP=1", "modules_install"), logFile);
            }
            String release = KernelResolver.normalize(tree, staged, false);
            KernelCache.deleteTree(tree);
            KernelArtifact a = cache.commit(exact, release, staged, meta);
            cache.recordSpec(specText, a.sha256());
            return a;
        } catch (IOException | RuntimeException e) {
            KernelCache.deleteTree(staged);
            throw e;
        }
    }

    static List<String> concat(List<String> a, String... more) {
        List<String> l = new ArrayList<>(a);
        l.addAll(List.of(more));
        return l;
    }

    void make(String step, List<String> cmd, Path logFile) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
        // ccache as "CC=ccache gcc" must be one make argument: already is (ProcessBuilder, no shell)
        try {
            Process p = pb.start();
            if (!p.waitFor(3, java.util.concurrent.TimeUnit.HOURS) || p.exitValue() != 0) {
                p.destroyForcibly();
                List<String> tail = Files.readAllLines(logFile, StandardCharsets.ISO_8859_1);
                throw new IOException("kernel build step '" + step + "' failed; last lines of " + logFile + ":\n"
                        + String.join("\n", tail.subList(Math.max(0, tail.size() - 25), tail.size())));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted during " + step, e);
        }
    }

    /**
     * The source tree for a source spec (a kernel tree, a tarball or a Debian {@code linux-source-X.Y} package, unpacked
     * once under the cache), recording its identity in meta. Public for other builders of the same sources (kselftest).
     */
    public Path source(String s, Map<String, String> meta) throws IOException {
        Path p = Path.of(s);
        if (Files.isDirectory(p)) {
            if (!Files.isRegularFile(p.resolve("Makefile")) || !Files.isRegularFile(p.resolve("Kconfig"))) {
                throw new IOException(p + " is not a kernel source tree (no Makefile/Kconfig)");
            }
            meta.put("source", p.toAbsolutePath().toString());
            meta.put("sourceVersion", kernelVersion(p));
            Optional<String> head = gitHead(p);
            head.ifPresent(h -> meta.put("git", h));
            if (head.isEmpty()) {
                meta.put("sourceMtime", String.valueOf(Files.getLastModifiedTime(p.resolve("Makefile")).toMillis()));
            }
            return p;
        }
        Path tarball;
        String id;
        if (Files.isRegularFile(p)) {
            tarball = p;
            id = p.getFileName() + "@" + BzImage.sha256(p).substring(0, 16);
        } else if (s.matches("linux-source-[0-9.]+")) {
            apt.ensureUpdated(Duration.ofHours(12));
            String version = apt.policy(s).orElseThrow(() -> new IOException("package " + s + " not found (suites " + PrivateApt.MAIN_SUITES
                    + ")"));
            Path deb = apt.download(s, version);
            Path x = KvalPaths.cache().resolve("kernel-src").resolve(s + "_" + version + ".deb.d");
            try (CacheLock ignored = CacheLock.acquire(x.resolveSibling(x.getFileName() + ".lock"))) {
                if (!Files.isDirectory(x)) {
                    Path t = Files.createTempDirectory(Files.createDirectories(x.getParent()), ".x");
                    Proc.check(List.of("dpkg-deb", "-x", deb.toString(), t.toString()), null, Duration.ofMinutes(5));
                    Files.move(t, x);
                }
            }
            try (Stream<Path> st = Files.walk(x)) {
                tarball = st.filter(f -> f.getFileName().toString().matches("linux-source-.*\\.tar\\.(xz|gz|bz2)")).findFirst()
                        .orElseThrow(() -> new IOException("no source tarball in " + deb));
            }
            id = s + "=" + version;
        } else {
            throw new IOException("build source '" + s + "' is not a directory, a tarball or linux-source-X.Y");
        }
        meta.put("source", id);
        Path out = KvalPaths.cache().resolve("kernel-src").resolve(id.replaceAll("[^A-Za-z0-9.+~_=@-]", "_"));
        // unpacked once per source identity; a second thread or process waits for the first instead of racing it
        try (CacheLock ignored = CacheLock.acquire(out.resolveSibling(out.getFileName() + ".lock"))) {
            if (!Files.isDirectory(out)) {
                log.accept("unpacking " + tarball);
                Path t = Files.createTempDirectory(Files.createDirectories(out.getParent()), ".u");
                Proc.check(List.of("tar", "-xf", tarball.toString(), "-C", t.toString()), null, Duration.ofMinutes(30));
                Files.move(t, out);
            }
        }
        try (Stream<Path> st = Files.list(out)) {
            Path tree = st.filter(d -> Files.isRegularFile(d.resolve("Kconfig"))).findFirst().orElse(out);
            meta.put("sourceVersion", kernelVersion(tree));
            return tree;
        }
    }

    static String kernelVersion(Path tree) throws IOException {
        Map<String, String> v = new LinkedHashMap<>();
        for (String l : Files.readAllLines(tree.resolve("Makefile")).subList(0, 10)) {
            String[] kv = l.split("=", 2);
            if (kv.length == 2) {
                v.put(kv[0].strip(), kv[1].strip());
            }
        }
        return v.getOrDefault("VERSION", "?") + "." + v.getOrDefault("PATCHLEVEL", "?") + "." + v.getOrDefault("SUBLEVEL", "?")
                + v.getOrDefault("EXTRAVERSION", "");
    }

    static Optional<String> gitHead(Path tree) {
        try {
            Proc.Result r = Proc.run(List.of("git", "-C", tree.toString(), "rev-parse", "HEAD"), null, Duration.ofSeconds(10));
            if (r.exit() != 0) {
                return Optional.empty();
            }
            Proc.Result d = Proc.run(List.of("git", "-C", tree.toString(), "status", "--porcelain", "-uno"), null, Duration.ofSeconds(60));
            return Optional.of(r.stdout().strip() + (d.stdout().isBlank() ? "" : "-dirty@" + System.currentTimeMillis()));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    static boolean which(String tool) {
        for (String d : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            if (Files.isExecutable(Path.of(d, tool))) {
                return true;
            }
        }
        return false;
    }

}
