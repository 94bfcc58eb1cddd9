package dev.kval.kselftest;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Static KVM selftest binaries built from one kernel source tree, as cached under {@code $KVAL_CACHE/kselftest/<key>}.
 *
 * @param key      the cache key (source identity + test list + build flags + compiler)
 * @param dir      the cache directory ({@code bin/}, {@code manifest.json}, {@code build.log})
 * @param tree     the kernel source tree the binaries were built from
 * @param source   the source identity as recorded by the kernel builder (source, sourceVersion, git or mtime)
 * @param binaries one per requested test, in request order
 * @param cacheHit true when nothing was built
 * @param elapsed  wall time of this call (resolve + build, or the cache check)
 */
public record SelftestBinaries(String key, Path dir, Path tree, Map<String, String> source, List<Binary> binaries, boolean cacheHit,
        Duration elapsed) {

    public SelftestBinaries {
        source = Map.copyOf(source);
        binaries = List.copyOf(binaries);
    }

    /**
     * One built selftest.
     *
     * @param test   the path below tools/testing/selftests/kvm without ".c", e.g. {@code x86/private_mem_conversions_test}
     * @param name   the program name used in results (the base name, e.g. {@code private_mem_conversions_test})
     * @param path   the static, debug-stripped binary in the cache
     * @param sha256 of that binary (checked again on every cache hit and after upload)
     */
    public record Binary(String test, String name, Path path, String sha256) {
    }
}
