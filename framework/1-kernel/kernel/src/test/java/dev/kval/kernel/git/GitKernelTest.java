package dev.kval.kernel.git;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kval.kernel.KernelArtifact;
import dev.kval.kernel.KernelResolver;
import dev.kval.kernel.KernelSpec;
import dev.kval.kernel.KvalPaths;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GitKernelTest {
    static final String CONFIG = "allnoconfig,qemu-kvm-host,sw-protected-vm";

    @Test
    void parsesGitSpecs() {
        KernelSpec.Git g = (KernelSpec.Git) KernelSpec.parse("git:git@example.org:linux.git@kvm-next,allnoconfig,qemu-kvm-host");
        assertEquals("git@example.org:linux.git", g.repo());
        assertEquals("kvm-next", g.ref());
        assertEquals(List.of("allnoconfig", "qemu-kvm-host"), g.config());
        assertEquals("git:/src/l.git@v7.3", KernelSpec.parse("git:/src/l.git@v7.3").text());
        assertEquals("git:/r@abc,tinyconfig", g.at("abc").text().replace("git@example.org:linux.git", "/r").replace("qemu-kvm-host", "")
                .replace(",allnoconfig,", ",tinyconfig"));
        assertThrows(IllegalArgumentException.class, () -> KernelSpec.parse("git:/src/linux.git"));
        assertThrows(IllegalArgumentException.class, () -> KernelSpec.parse("git:/src/linux.git@"));
    }

    /** A mirror resolves branches, tags and abbreviated commits of a local repository, and says what is missing. */
    @Test
    void mirrorResolvesRefs(@TempDir Path tmp) throws Exception {
        Path repo = tmp.resolve("r.git");
        GitRepos.git(repo, List.of("init", "--bare", "-q"));
        String tree = GitRepos.git(repo, List.of("mktree")).strip();
        String c1 = dev.kval.kernel.Proc.check(List.of("git", "--git-dir=" + repo, "commit-tree", tree, "-m", "first"), null,
                java.time.Duration.ofSeconds(30)).stdout().strip();
        GitRepos.git(repo, List.of("update-ref", "refs/heads/next", c1));
        GitRepos.git(repo, List.of("update-ref", "refs/tags/v1", c1));
        GitRepos repos = new GitRepos(tmp.resolve("mirrors"));
        GitRepos.Commit c = repos.resolve(repo.toString(), "next");
        assertEquals(c1, c.sha());
        assertEquals("first", c.subject());
        assertEquals(Optional.of("next"), c.branch());
        assertEquals(c1, repos.resolve(repo.toString(), "v1").sha());
        assertEquals(Optional.empty(), repos.resolve(repo.toString(), c1.substring(0, 10)).branch());
        var e = assertThrows(java.io.IOException.class, () -> repos.resolve(repo.toString(), "no-such-branch"));
        assertTrue(e.getMessage().contains("no-such-branch"), e.getMessage());
        assertThrows(java.io.IOException.class, () -> repos.resolve(tmp.resolve("missing").toString(), "x"));
    }

    static Path linuxSource() throws Exception {
        Path src = KvalPaths.cache().resolve("kernel-src");
        Optional<Path> d = Optional.empty();
        if (Files.isDirectory(src)) {
            try (Stream<Path> s = Files.list(src)) {
                d = s.filter(p -> p.getFileName().toString().startsWith("linux-source-7.3=") && Files.isDirectory(p.resolve("linux-source-7.3")))
                        .map(p -> p.resolve("linux-source-7.3")).findFirst();
            }
        }
        Assumptions.assumeTrue(d.isPresent(), "no unpacked linux-source-7.3 under " + src + " (CI's kernel build unpacks it)");
        return d.get();
    }

    /**
     * The fixture repository from linux-source-7.3: its import commit IS CI's build (content-keyed: same artifact, no
     * build), and the bad commit is an incremental build (guest_memfd.o and the link), with the commit's identity.
     */
    @Test
    void importCommitIsTheSourceBuildAndLaterCommitsBuildIncrementally() throws Exception {
        DemoRepo.Repo repo = DemoRepo.ensure(linuxSource(), "linux-source-7.3");
        KernelResolver r = KernelResolver.defaults().log(System.err::println);
        KernelArtifact ci = r.resolve("build:linux-source-7.3," + CONFIG);
        KernelArtifact imp = r.resolve("git:" + repo.dir() + "@import," + CONFIG);
        assertEquals(ci.sha256(), imp.sha256(), "the import commit's tree is linux-source-7.3: the same artifact as CI's build");
        assertEquals(repo.importCommit(), imp.packages().get("git.commit"));
        assertTrue(imp.packages().get("git.subject").startsWith("Import linux-source-7.3"), imp.packages().toString());

        long t0 = System.nanoTime();
        KernelArtifact bad = r.resolve("git:" + repo.dir() + "@" + repo.bad().substring(0, 12) + "," + CONFIG);
        long secs = (System.nanoTime() - t0) / 1_000_000_000;
        System.err.println("bad commit resolved in " + secs + " s (cache hit: " + bad.cacheHit() + ")");
        assertNotEquals(ci.sha256(), bad.sha256());
        assertEquals(repo.bad(), bad.packages().get("git.commit"));
        assertEquals(repo.dir().toString(), bad.packages().get("git.url"));
        assertEquals(ci.release(), bad.release());
        if (!bad.cacheHit()) {
            Path log = Files.list(KvalPaths.cache().resolve("git/build")).filter(Files::isDirectory).map(d -> d.resolve("build.log"))
                    .filter(Files::isRegularFile).findFirst().orElseThrow();
            // objtool (a host tool with its own dependency tracking) is rebuilt once after a seed; kernel objects are not
            List<String> cc = Files.readAllLines(log).stream().filter(l -> l.startsWith("  CC ") && !l.contains("/tools/objtool/")).toList();
            assertTrue(cc.stream().anyMatch(l -> l.contains("virt/kvm/guest_memfd.o")), "guest_memfd.o rebuilt: " + cc);
            assertTrue(cc.size() < 10, "an incremental build compiles a few objects, not " + cc.size() + ": " + log);
        }
    }
}
