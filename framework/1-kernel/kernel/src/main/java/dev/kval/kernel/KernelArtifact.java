package dev.kval.kernel;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * A resolved, cached kernel: its image, its modules tree (root containing lib/modules/&lt;release&gt;, with
 * modules.dep) and its config. {@code sha256} is the kernel image's hash, which also keys the cache directory.
 */
public record KernelArtifact(String spec, String release, String sha256, Path dir, Path kernel, Path config,
        Map<String, String> packages, boolean cacheHit) {

    /** lib/modules/&lt;release&gt; inside the artifact, if this kernel has modules. */
    public Optional<Path> modulesDir() {
        Path m = dir.resolve("lib/modules").resolve(release);
        return Files.isDirectory(m) ? Optional.of(m) : Optional.empty();
    }

    /** The root for depmod -b / modprobe -d (contains lib/modules/&lt;release&gt;). */
    public Path modulesRoot() {
        return dir;
    }

    public Optional<Path> configFile() {
        return config != null && Files.isRegularFile(config) ? Optional.of(config) : Optional.empty();
    }

    public KernelArtifact withCacheHit(boolean hit) {
        return new KernelArtifact(spec, release, sha256, dir, kernel, config, packages, hit);
    }
}
