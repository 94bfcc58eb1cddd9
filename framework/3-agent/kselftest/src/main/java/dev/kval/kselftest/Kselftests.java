package dev.kval.kselftest;

import dev.kval.host.Host;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Entry point for suites and {@code ./kval run}: build (or take from the cache) the upstream guest_memfd selftests of a
 * kernel source and run them on a host, giving one KTAP document and its parsed tree.
 *
 * <pre>
 * KselftestResult r = Kselftests.run(host, Path.of("/src/linux"), Duration.ofSeconds(120));
 * KselftestResult r = Kselftests.run(host, "linux-source-7.3", Kselftests.GUEST_MEMFD_TESTS, KselftestRun.DEFAULT_TIMEOUT, log);
 * </pre>
 */
public final class Kselftests {
    public static final List<String> GUEST_MEMFD_TESTS = KselftestBuild.GUEST_MEMFD_TESTS;

    private Kselftests() {
    }

    /** The guest_memfd selftests from a kernel tree, each with {@code timeout}; progress on stderr. */
    public static KselftestResult run(Host host, Path sourceTree, Duration timeout) throws IOException {
        return run(host, sourceTree.toAbsolutePath().toString(), GUEST_MEMFD_TESTS, timeout, System.err::println);
    }

    /**
     * @param source a kernel tree, a linux-*.tar.xz or a Debian {@code linux-source-X.Y} package (as for build: kernels)
     * @param tests  paths below tools/testing/selftests/kvm without ".c"
     */
    public static KselftestResult run(Host host, String source, List<String> tests, Duration timeout, Consumer<String> log)
            throws IOException {
        return run(host, source, tests, timeout, log, name -> java.util.Optional.empty());
    }

    /** As above; {@code gate} gives the reason to skip a program by name (second opinion on an older kernel), or empty. */
    public static KselftestResult run(Host host, String source, List<String> tests, Duration timeout, Consumer<String> log,
            java.util.function.Function<String, java.util.Optional<String>> gate) throws IOException {
        SelftestBinaries b = KselftestBuild.defaults(log).build(source, tests);
        java.util.Map<String, String> gated = new java.util.LinkedHashMap<>();
        for (SelftestBinaries.Binary x : b.binaries()) {
            gate.apply(x.name()).ifPresent(why -> gated.put(x.name(), why));
        }
        List<String> header = new ArrayList<>();
        header.add("kselftest source=" + b.source().getOrDefault("source", source) + " version=" + b.source().getOrDefault("sourceVersion", "?")
                + " build=" + b.key());
        if (!gated.isEmpty()) {
            header.add("second opinion: " + gated.size() + " program(s) gated by kselftest-gates.tsv");
        }
        return new KselftestRun(log).run(host, KselftestRun.Program.of(b), timeout, header, gated);
    }
}
