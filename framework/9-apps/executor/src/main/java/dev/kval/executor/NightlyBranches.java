package dev.kval.executor;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.kval.kernel.KernelSpec;
import dev.kval.kernel.git.GitRepos;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The nightly's git branches: each night resolves every {@code git:<repo>@<branch>} kernel of the schedule to its head,
 * compares it with the head the last finished night tested ({@value #FILE} in that night's run directory) and says
 * what is new: an unchanged head is not run again; a moved one carries {@code git log --oneline A..B}.
 */
public final class NightlyBranches {
    public static final String FILE = "nightly-branches.json";

    /** One branch of one night. previous null: the first night that sees it. */
    public record Branch(String spec, String url, String ref, String commit, String subject, String previous, boolean unchanged,
            List<String> range) {
        public String line() {
            if (unchanged) {
                return spec + ": unchanged at " + commit.substring(0, 12) + " \"" + subject + "\" (tested by an earlier night; not run again)";
            }
            if (previous == null) {
                return spec + ": " + commit.substring(0, 12) + " \"" + subject + "\" (first night on this branch)";
            }
            return spec + ": " + previous.substring(0, 12) + ".." + commit.substring(0, 12) + " (" + range.size() + " new commit(s), git log --oneline):";
        }
    }

    private NightlyBranches() {
    }

    /** The git: kernels of a schedule, resolved against the previous night's heads (from its run directory). */
    public static List<Branch> resolve(List<String> kernels, Optional<Path> previousDir, GitRepos repos) throws IOException {
        Map<String, String> before = previousDir.map(NightlyBranches::read).orElse(Map.of());
        List<Branch> out = new ArrayList<>();
        for (String k : kernels) {
            if (!k.startsWith("git:") || !(KernelSpec.parse(k) instanceof KernelSpec.Git g)) {
                continue;
            }
            GitRepos.Commit c = repos.resolve(g.repo(), g.ref());
            String prev = before.get(k);
            boolean same = c.sha().equals(prev);
            List<String> range = List.of();
            if (prev != null && !same) {
                range = GitRepos.oneline(c.mirror(), prev, c.sha(), false);
            }
            out.add(new Branch(k, c.url(), g.ref(), c.sha(), c.subject(), prev, same, range));
        }
        return out;
    }

    static Map<String, String> read(Path dir) {
        Path f = dir.resolve(FILE);
        if (!Files.isRegularFile(f)) {
            return Map.of();
        }
        try {
            List<Branch> bs = Nightly.JSON.readValue(f.toFile(), new TypeReference<List<Branch>>() { });
            Map<String, String> m = new LinkedHashMap<>();
            bs.forEach(b -> m.put(b.spec(), b.commit()));
            return m;
        } catch (IOException e) {
            return Map.of(); // an unreadable record: every branch counts as new (runs again), never as unchanged
        }
    }

    static void write(Path dir, List<Branch> branches) throws IOException {
        Files.createDirectories(dir);
        Nightly.JSON.writeValue(dir.resolve(FILE).toFile(), branches);
    }
}
