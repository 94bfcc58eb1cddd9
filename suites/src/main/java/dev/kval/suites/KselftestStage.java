package dev.kval.suites;

import dev.kval.host.Host;
import dev.kval.host.HostFailure;
import dev.kval.kernel.KernelResolver;
import dev.kval.kernel.KernelSpec;
import dev.kval.kernel.build.KernelBuilder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kval.kselftest.FeatureGates;
import dev.kval.kselftest.KselftestResult;
import dev.kval.kselftest.KselftestRun;
import dev.kval.kselftest.Kselftests;
import dev.kval.ktap.KtapParser;
import dev.kval.ktap.KtapTree;
import dev.kval.result.HostResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code kselftest} suite's run on a host: the kernel's own guest_memfd selftests, built from the candidate's
 * source, beside the agent on the same host. The source is known for {@code build:} kernels (their tree or package)
 * and for {@code debian:} kernels whose release matches Debian's {@code linux-source-X.Y}; any other Debian kernel
 * gets the newest source's selftests as a second opinion ({@link #newest}); otherwise the suite SKIPs and says why.
 * Writes {@code kselftest.ktap} into the host's directory.
 */
final class KselftestStage {
    static final String SUITE = "kselftest";
    static final String FILE = "kselftest.ktap";
    private static final Pattern UPSTREAM = Pattern.compile("^(\\d+)\\.(\\d+)(\\.\\d+)?");

    private KselftestStage() {
    }

    /** A source spec for the candidate, or the reason there is none. */
    record Source(String spec, String whyNot, boolean secondOpinion) {
        Source(String spec, String whyNot) {
            this(spec, whyNot, false);
        }
    }

    static Source sourceFor(RunPlan.Target t, String release) {
        if (t.kernel() == null) {
            return new Source(null, "the running kernel's source is unknown (name it with --kernel build:<tree>)");
        }
        KernelSpec spec = KernelSpec.parse(t.kernel());
        if (spec instanceof KernelSpec.Build b) {
            try {
                return new Source(KernelBuilder.plan(b.source()).source(), null);
            } catch (IOException | IllegalArgumentException e) {
                return new Source(null, "build: spec " + b.source() + ": " + e.getMessage());
            }
        }
        if (spec instanceof KernelSpec.Debian) {
            Matcher m = UPSTREAM.matcher(release == null ? "" : release);
            if (!m.find()) {
                return new Source(null, "kernel release '" + release + "' has no upstream version");
            }
            String pkg = "linux-source-" + m.group(1) + "." + m.group(2);
            String upstream = m.group();
            try {
                Optional<String> v = KernelResolver.defaults().apt().policy(pkg);
                if (v.isEmpty()) {
                    return newest(release, "Debian has no " + pkg + " for kernel " + release);
                }
                String pkgUpstream = v.get().replaceFirst("^\\d+:", "").split("[-~+]")[0];
                if (!pkgUpstream.equals(upstream)) {
                    return newest(release, pkg + " is " + v.get() + ", not the source of " + release + " (" + upstream + ")");
                }
                return new Source(pkg, null);
            } catch (IOException e) {
                return new Source(null, "looking up " + pkg + " failed: " + e.getMessage());
            }
        }
        return new Source(null, "the source of a " + t.kernel() + " kernel is unknown (use a build: spec for its tree)");
    }

    /**
     * Where the kernel's own source is not available, the newest source's selftests give a second opinion, as LKFT
     * runs the latest kselftests on older stable kernels (system property kval.kselftest.newest, default
     * linux-source-7.3). Their failures are compared with kval's leaves by {@link UpstreamOpinion}.
     */
    static Source newest(String release, String whyNotOwn) {
        // Off unless asked for (-Dkval.kselftest.newest=linux-source-7.3): the 7.3 programs hang on kernels older than
        // the features they test without a TEST_REQUIRE (set_memory_region_test's MMIO-during-vectoring case needs
        // 6.14; on Debian 6.12.117 it and pre_fault_memory_test ran into their 120 s timeouts), and a hang is no
        // opinion on the kernel. UpstreamOpinionTest keeps the comparison itself tested. When on, each program passes the
        // feature gates of kselftest-gates.tsv first (gate(): caps.json and kval's own leaves on the host), so a program
        // testing a feature the kernel lacks SKIPs naming it; it stays opt-in because a gate cannot tell a bug's hang from
        // a missing feature (7.3's pre_fault_memory_test spins on 6.12's racing-memslot-deletion bug, a real TIMEOUT).
        String pkg = System.getProperty("kval.kselftest.newest", "none");
        if (pkg.isBlank() || pkg.equals("none")) {
            return new Source(null, whyNotOwn + " (a newer source's selftests as a second opinion: -Dkval.kselftest.newest=linux-source-X.Y)");
        }
        try {
            if (KernelResolver.defaults().apt().policy(pkg).isPresent()) {
                return new Source(pkg, null, true);
            }
        } catch (IOException e) {
            return new Source(null, whyNotOwn + "; looking up " + pkg + " failed: " + e.getMessage());
        }
        return new Source(null, whyNotOwn + "; and Debian has no " + pkg);
    }

    /** Runs the selftests (or records why not) into dir/kselftest.ktap; a dead host propagates as HostFailure. */
    static KtapTree run(Host host, RunPlan.Target t, String release, Path dir, HostResult hr, Consumer<String> say)
            throws IOException, HostFailure {
        Source src = sourceFor(t, release);
        String ktap;
        KtapTree tree;
        Optional<HostFailure> died = Optional.empty();
        if (src.spec() == null) {
            say.accept(hr.name() + ": kselftest SKIP: " + src.whyNot());
            ktap = skipped(src.whyNot());
            tree = KtapParser.parseTree(ktap);
        } else {
            long t0 = System.nanoTime();
            say.accept(hr.name() + ": kselftest from " + src.spec() + " (" + String.join(", ", Kselftests.GUEST_MEMFD_TESTS) + ")");
            KselftestResult r = Kselftests.run(host, src.spec(), Kselftests.GUEST_MEMFD_TESTS, KselftestRun.DEFAULT_TIMEOUT, say,
                    src.secondOpinion() ? gate(dir, hr) : name -> Optional.empty());
            hr.timing("kselftest", (System.nanoTime() - t0) / 1_000_000);
            say.accept(hr.name() + ": kselftest " + r.tree().counts() + " in " + r.elapsed().toSeconds() + " s");
            ktap = r.ktap();
            tree = r.tree();
            died = r.hostFailure();
        }
        Files.writeString(dir.resolve(FILE), ktap);
        hr.file("kselftest", hr.name() + "/" + FILE);
        if (died.isPresent()) {
            throw died.get();
        }
        return tree;
    }

    /**
     * For a newer source's selftests: skip a program whose feature the kernel lacks (kselftest-gates.tsv), judged from
     * the host's caps.json and kval's leaves that already ran on it, instead of letting it spin until its timeout.
     */
    static java.util.function.Function<String, Optional<String>> gate(Path dir, HostResult hr) throws IOException {
        Path capsFile = dir.resolve("caps.json");
        JsonNode caps = Files.isRegularFile(capsFile) ? new ObjectMapper().readTree(capsFile.toFile()) : new ObjectMapper().createObjectNode();
        Map<String, String> leaves = new HashMap<>();
        if (hr.tree() != null) {
            hr.tree().leaves().forEach(l -> leaves.put(l.name(), l.status().name()));
        }
        FeatureGates gates = FeatureGates.bundled();
        return name -> gates.skipReason(name, caps, leaves);
    }

    /** kval's own statement that the suite did not run, in the shape of a kselftest document (one SKIP leaf). */
    static String skipped(String why) {
        String reason = why.replace('\n', ' ');
        return "KTAP version 1\n1..1\n  KTAP version 1\n  1..1\n  ok 1 kselftest.guest_memfd_selftests # SKIP " + reason
                + "\nok 1 kselftest # SKIP " + reason + "\n";
    }
}
