package dev.kval.kernel;

import dev.kval.kernel.debian.DebianKernels;
import dev.kval.kernel.debian.PrivateApt;
import java.io.IOException;
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

/** Resolves a {@link KernelSpec} to a cached {@link KernelArtifact}. */
public final class KernelResolver {
    private final KernelCache cache;
    private final PrivateApt apt;
    private Consumer<String> log = s -> { };

    public KernelResolver(KernelCache cache, PrivateApt apt) {
        this.cache = cache;
        this.apt = apt;
    }

    public static KernelResolver defaults() {
        return new KernelResolver(KernelCache.defaultCache(), PrivateApt.defaultInstance());
    }

    public KernelResolver log(Consumer<String> log) {
        this.log = log;
        return this;
    }

    public KernelCache cache() {
        return cache;
    }

    public PrivateApt apt() {
        return apt;
    }

    public KernelArtifact resolve(String spec) throws IOException {
        return resolve(KernelSpec.parse(spec));
    }

    public KernelArtifact resolve(KernelSpec spec) throws IOException {
        if (spec instanceof KernelSpec.Local l) {
            return resolvePath(l);
        }
        if (spec instanceof KernelSpec.Debian d) {
            if (!d.newest()) {
                Optional<KernelArtifact> hit = cache.lookup(spec.text());
                if (hit.isPresent()) {
                    log.accept("kernel " + spec.text() + ": cache hit " + hit.get().release() + " (" + hit.get().sha256().substring(0, 12) + ")");
                    return hit.get();
                }
            }
            return new DebianKernels(apt, cache, log).resolve(d);
        }
        if (spec instanceof KernelSpec.Git g) {
            return new dev.kval.kernel.build.GitKernelBuilder(cache, apt, dev.kval.kernel.git.GitRepos.defaults(), log).build(g);
        }
        KernelSpec.Build b = (KernelSpec.Build) spec;
        return new dev.kval.kernel.build.KernelBuilder(cache, apt, log).build(spec.text(), b.source());
    }

    private KernelArtifact resolvePath(KernelSpec.Local l) throws IOException {
        Path p = l.path().toAbsolutePath().normalize();
        if (!Files.exists(p)) {
            throw new IOException("kernel path does not exist: " + p);
        }
        Path staged = cache.staging();
        try {
            Map<String, String> pk = new LinkedHashMap<>();
            pk.put("path", p.toString());
            String release = normalize(p, staged, true);
            // A path's content may change: key the spec by content, never trust an old spec record.
            return cache.commit(l.text(), release, staged, pk);
        } catch (IOException | RuntimeException e) {
            KernelCache.deleteTree(staged);
            throw e;
        }
    }

    /**
     * Builds the normalized tree in {@code staged} (vmlinuz, config, lib/modules/&lt;release&gt; with modules.dep) from an
     * unpacked package tree or a user directory/file. Returns the release.
     */
    public static String normalize(Path src, Path staged, boolean copy) throws IOException {
        Path kernel = null;
        Path tarball = null;
        if (Files.isRegularFile(src)) {
            kernel = src;
        } else {
            for (String c : List.of("bzImage", "vmlinuz", "arch/x86/boot/bzImage", "arch/x86_64/boot/bzImage")) {
                if (Files.isRegularFile(src.resolve(c))) {
                    kernel = src.resolve(c);
                    break;
                }
            }
            if (kernel == null) {
                kernel = findFirst(src, List.of("boot", "usr/lib/modules/*", "lib/modules/*", "."), "vmlinuz*").orElse(null);
            }
            tarball = findFirst(src, List.of("."), "modules*.tar*").orElse(null);
        }
        if (kernel == null) {
            throw new IOException("no kernel image (bzImage, vmlinuz*, boot/vmlinuz-*, usr/lib/modules/*/vmlinuz) under " + src);
        }
        Optional<String> headerRelease = BzImage.release(kernel);
        Path modsRoot = null;
        if (tarball != null) {
            Path t = staged.resolve(".tar");
            Files.createDirectories(t);
            Proc.check(List.of("tar", "-xf", tarball.toString(), "-C", t.toString()), null, Duration.ofMinutes(5));
            modsRoot = t;
        } else if (Files.isDirectory(src)) {
            modsRoot = src;
        }
        Path modDir = null;
        if (modsRoot != null) {
            for (String base : List.of("lib/modules", "usr/lib/modules", ".")) {
                Path b = modsRoot.resolve(base);
                if (!Files.isDirectory(b)) {
                    continue;
                }
                if (headerRelease.isPresent() && Files.isDirectory(b.resolve(headerRelease.get()).resolve("kernel"))) {
                    modDir = b.resolve(headerRelease.get());
                    break;
                }
                try (Stream<Path> s = Files.list(b)) {
                    Optional<Path> m = s.filter(x -> Files.isDirectory(x.resolve("kernel"))).findFirst();
                    if (m.isPresent()) {
                        modDir = m.get();
                        break;
                    }
                }
            }
        }
        String release = headerRelease.orElse(modDir != null ? modDir.getFileName().toString() : null);
        if (release == null) {
            throw new IOException("cannot tell the kernel release of " + kernel + " (not a bzImage and no modules directory)");
        }
        if (modDir != null && headerRelease.isPresent() && !modDir.getFileName().toString().equals(headerRelease.get())) {
            throw new IOException("modules " + modDir + " do not match the kernel release " + headerRelease.get());
        }
        Files.createDirectories(staged);
        Path config = null;
        if (modDir != null && Files.isRegularFile(modDir.resolve("config"))) {
            config = modDir.resolve("config");
        } else if (Files.isDirectory(src)) {
            for (String c : List.of("config", ".config", "boot/config-" + release, "config-" + release)) {
                if (Files.isRegularFile(src.resolve(c))) {
                    config = src.resolve(c);
                    break;
                }
            }
        }
        if (copy) {
            Files.copy(kernel, staged.resolve("vmlinuz"));
            if (config != null) {
                Files.copy(config, staged.resolve("config"));
            }
        } else {
            Files.move(kernel, staged.resolve("vmlinuz"));
            if (config != null) {
                Files.move(config, staged.resolve("config"));
            }
        }
        if (modDir != null) {
            Path dest = staged.resolve("lib/modules").resolve(release);
            Files.createDirectories(dest.getParent());
            if (copy) {
                Proc.check(List.of("cp", "-a", modDir.toString(), dest.toString()), null, Duration.ofMinutes(5));
            } else {
                Files.move(modDir, dest);
            }
            Files.deleteIfExists(dest.resolve("vmlinuz"));
            Files.deleteIfExists(dest.resolve("config"));
            for (String link : List.of("build", "source")) {
                Files.deleteIfExists(dest.resolve(link));
            }
            Path dep = dest.resolve("modules.dep");
            if (!Files.exists(dep) || Files.size(dep) == 0) {
                Proc.check(List.of("depmod", "-b", staged.toString(), release), null, Duration.ofMinutes(5));
            }
        }
        KernelCache.deleteTree(staged.resolve(".tar"));
        return release;
    }

    private static Optional<Path> findFirst(Path root, List<String> dirs, String glob) throws IOException {
        List<Path> found = new ArrayList<>();
        for (String d : dirs) {
            List<Path> bases = new ArrayList<>();
            if (d.endsWith("/*")) {
                Path b = root.resolve(d.substring(0, d.length() - 2));
                if (Files.isDirectory(b)) {
                    try (Stream<Path> s = Files.list(b)) {
                        s.filter(Files::isDirectory).forEach(bases::add);
                    }
                }
            } else {
                bases.add(root.resolve(d));
            }
            for (Path b : bases) {
                if (!Files.isDirectory(b)) {
                    continue;
                }
                try (var ds = Files.newDirectoryStream(b, glob)) {
                    for (Path x : ds) {
                        if (Files.isRegularFile(x)) {
                            found.add(x);
                        }
                    }
                }
            }
            if (!found.isEmpty()) {
                return found.stream().sorted().findFirst();
            }
        }
        return Optional.empty();
    }
}
