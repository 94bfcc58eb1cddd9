package dev.kval.cli;

import dev.kval.gate.GateEngine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kval.kernel.KernelCache;
import dev.kval.kernel.KvalPaths;
import dev.kval.kernel.Proc;
import dev.kval.kernel.git.DemoRepo;
import dev.kval.reports.bisect.BisectReport;
import dev.kval.reports.bisect.Bisection;
import dev.kval.reports.bisect.FlakeRates;
import dev.kval.store.Store;
import dev.kval.sweep.Sweep;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import picocli.CommandLine;

/**
 * The three git workflows on a local repository made from the cached linux-source-7.3 ({@link DemoRepo}: import, a docs
 * commit, a comment in guest_memfd.c, the BAD commit that accepts a guest_memfd size that is not page aligned, another
 * docs commit), with real incremental builds and QEMU/TCG boots of the agent's {@code api.create} case: commit
 * bisection names the bad commit; the gate flags the bad patch of a format-patch series and passes a harmless one; the
 * nightly on a branch skips an unchanged head and, when the head moves, reports the range and the new failures.
 *
 * <p>Opt-in (KVAL_GIT_WORKFLOWS=1): on a warm cache about 8 minutes (boots; builds are cached), on a fresh one the
 * fixture (~2 min) and three incremental builds (~2.3 + 1 + 0.6 min) come first. The CI kernel build
 * (build:linux-source-7.3,allnoconfig,qemu-kvm-host,sw-protected-vm) is the import commit's build and must be cached.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@EnabledIfEnvironmentVariable(named = "KVAL_GIT_WORKFLOWS", matches = "1")
class GitWorkflowsIT {
    static final String CONFIG = "allnoconfig,qemu-kvm-host,sw-protected-vm";
    static final String CASE = "api.create.size_page_plus_1_einval";
    static final Path DIR = Path.of("target", "test-runs", "git-workflows").toAbsolutePath();
    static DemoRepo.Repo repo;
    static Store store;

    @BeforeAll
    static void fixture() throws Exception {
        Path src = KvalPaths.cache().resolve("kernel-src");
        Optional<Path> d = Optional.empty();
        try (Stream<Path> s = Files.isDirectory(src) ? Files.list(src) : Stream.empty()) {
            d = s.filter(p -> p.getFileName().toString().startsWith("linux-source-7.3=")).map(p -> p.resolve("linux-source-7.3"))
                    .filter(Files::isDirectory).findFirst();
        }
        Assumptions.assumeTrue(d.isPresent(), "no unpacked linux-source-7.3 under " + src + " (build the CI kernel first)");
        repo = DemoRepo.ensure(d.get(), "linux-source-7.3");
        KernelCache.deleteTree(DIR);
        Files.createDirectories(DIR);
        store = Store.open("jdbc:h2:file:" + DIR.resolve("store/kval"), "sa", "");
    }

    @AfterAll
    static void close() {
        if (store != null) {
            store.close();
        }
    }

    static String spec(String ref) {
        return "git:" + repo.dir() + "@" + ref + "," + CONFIG;
    }

    @Test
    @Order(1)
    void bisectionNamesTheBadCommit() throws Exception {
        Sweep sweep = new Sweep(dev.kval.kernel.KernelResolver.defaults(), SweepCommand.qemuFor(null, CASE), System.err);
        BisectReport r = new Bisection(sweep, FlakeRates.UNKNOWN, s -> System.err.println("bisect: " + s))
                .run(new Bisection.Options(spec("import"), spec("master"), CASE, null, 1, DIR.resolve("bisect"), Duration.ofMinutes(10)));
        System.err.print(r.summary());
        JsonNode j = r.json();
        assertTrue(r.found(), j.toString());
        assertEquals("git", j.path("axis").asText());
        assertEquals(repo.bad(), j.path("first_changed_commit").asText(), r.summary());
        assertEquals(repo.comment(), j.path("last_same_commit").asText());
        assertTrue(j.path("first_changed_subject").asText().startsWith("KVM: guest_memfd: let kvm_gmem_create()"));
        assertTrue(j.path("confidence").asDouble() > 0.9, r.summary());
        assertTrue(j.path("exact").asBoolean());
        for (JsonNode s : j.path("steps")) {
            assertFalse(s.path("weak").asBoolean(), s.toString());
            assertTrue(s.path("runs").asInt() >= 3, "N runs per step: " + s);
            assertTrue(s.path("commit").asText().matches("[0-9a-f]{40}") && !s.path("subject").asText().isEmpty());
        }
    }

    GateEngine.Result gate(Path patches, String out) throws Exception {
        GateEngine.Result r = new GateEngine(store, new PrintStream(System.err, true)).gate(new GateEngine.Request(spec("import"), null, "qemu",
                List.of("api"), CASE, 1, 0.0, DIR.resolve(out), null, patches));
        System.err.print(GateCommand.text(r));
        return r;
    }

    Path formatPatch(String range, String name) throws Exception {
        Path dir = DIR.resolve(name);
        Proc.check(List.of("git", "--git-dir=" + repo.dir(), "format-patch", "-q", "-o", dir.toString(), range), null, Duration.ofMinutes(2));
        return dir;
    }

    @Test
    @Order(2)
    void gateFlagsTheBadPatchOfASeries() throws Exception {
        GateEngine.Result r = gate(formatPatch("import..bad-series", "bad-series"), "gate-bad");
        assertEquals(1, r.exitCode(), () -> GateCommand.text(r));
        assertTrue(r.regressions().stream().anyMatch(j -> j.key().testId().equals(CASE)), GateCommand.text(r));
        assertTrue(r.firstBad().isPresent(), "a regression in a series is bisected to its first bad patch");
        assertEquals("KVM: guest_memfd: let kvm_gmem_create() round the size later", r.firstBad().get().subject());
        assertEquals(4, r.firstBad().get().series().size());
        assertTrue(GateCommand.text(r).contains("first bad patch: "));
    }

    @Test
    @Order(3)
    void gatePassesAHarmlessSeries() throws Exception {
        GateEngine.Result r = gate(formatPatch("import..good-series", "good-series"), "gate-good");
        assertEquals(0, r.exitCode(), () -> GateCommand.text(r));
        assertTrue(r.comparedTests() >= 10, "api.create's leaves: " + r.comparedTests());
        assertTrue(r.firstBad().isEmpty());
    }

    record Out(int exit, String out, String err) {
    }

    Out nightly() {
        StringWriter out = new StringWriter(), err = new StringWriter();
        CommandLine cl = new CommandLine(new NightlyCommand()).setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true));
        List<String> a = new ArrayList<>(List.of("--now", "--kernels", "git:" + DIR.resolve("branch.git") + "@next," + CONFIG, "--hosts", "qemu",
                "--suite", "api", "--case", CASE, "--repeat", "1", "--json"));
        a.addAll(List.of("--db", "jdbc:h2:file:" + DIR.resolve("nightly-store/kval"), "--data", DIR.resolve("nightly-data").toString()));
        int exit = cl.execute(a.toArray(String[]::new));
        System.err.println(err);
        return new Out(exit, out.toString(), err.toString());
    }

    @Test
    @Order(4)
    void nightlySkipsAnUnchangedHeadAndReportsTheRangeOfANewOne() throws Exception {
        Path branch = DIR.resolve("branch.git");
        // a repository of our own whose branch we move (the fixture is shared and never changes)
        Proc.check(List.of("git", "clone", "-q", "--bare", "--shared", repo.dir().toString(), branch.toString()), null, Duration.ofMinutes(2));
        Proc.check(List.of("git", "--git-dir=" + branch, "branch", "-f", "next", repo.comment()), null, Duration.ofMinutes(1));
        Out first = nightly();
        assertEquals(0, first.exit(), first.err());
        assertTrue(first.err().contains(repo.comment().substring(0, 12)) && first.err().contains("first night on this branch"), first.err());

        Out same = nightly();
        assertEquals(0, same.exit(), same.err());
        assertTrue(same.err().contains("unchanged at " + repo.comment().substring(0, 12)), same.err());
        assertTrue(same.err().contains("nothing new"), same.err());
        assertEquals("", same.out().strip(), "no night ran");

        Proc.check(List.of("git", "--git-dir=" + branch, "branch", "-f", "next", repo.docs2()), null, Duration.ofMinutes(1));
        Out moved = nightly();
        assertEquals(1, moved.exit(), "the bad commit's failures are new failures: " + moved.err());
        assertTrue(moved.err().contains(repo.comment().substring(0, 12) + ".." + repo.docs2().substring(0, 12)), moved.err());
        assertTrue(moved.err().contains(repo.bad().substring(0, 7) + " KVM: guest_memfd: let kvm_gmem_create() round the size later"), moved.err());
        assertTrue(moved.err().contains(repo.docs2().substring(0, 7) + " Documentation: KVM: an unrelated note"), moved.err());
        JsonNode d = new ObjectMapper().readTree(moved.out());
        assertTrue(d.path("newFailures").toString().contains(CASE), d.toString());
        assertEquals(0, d.path("flaky").size(), "a moved branch's old commits are not this commit's flakiness: " + d);
    }
}
