package dev.kval.kernel.git;

import dev.kval.kernel.KvalPaths;
import dev.kval.kernel.Proc;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Which git tree an unpacked source (a {@code build:} source such as {@code linux-source-7.3}) is: measured by hashing the
 * directory into a repository with git itself ({@link #hash}), recorded under {@code $KVAL_CACHE/git/trees/<tree>}. A
 * {@code git:} commit with that tree is then the same build as the source's {@code build:} spec (content-keyed), and
 * its O= directory can seed incremental builds of later commits.
 */
public final class SourceTrees {
    private final Path root;

    public SourceTrees(Path root) {
        this.root = root;
    }

    public static SourceTrees defaults() {
        return new SourceTrees(KvalPaths.cache().resolve("git").resolve("trees"));
    }

    /** A recorded source: its tree, the {@code build:} source spec it came from and the directory that was hashed. */
    public record Source(String tree, String buildSource, Path dir) {
    }

    public Optional<Source> lookup(String tree) throws IOException {
        Path f = root.resolve(tree);
        if (!tree.matches("[0-9a-f]{40,64}") || !Files.isRegularFile(f)) {
            return Optional.empty();
        }
        String[] l = Files.readString(f, StandardCharsets.UTF_8).split("\n");
        return Optional.of(new Source(tree, l[0].strip(), Path.of(l.length > 1 ? l[1].strip() : "")));
    }

    public List<Source> all() throws IOException {
        List<Source> out = new ArrayList<>();
        if (!Files.isDirectory(root)) {
            return out;
        }
        try (Stream<Path> st = Files.list(root)) {
            for (Path f : st.sorted().toList()) {
                lookup(f.getFileName().toString()).ifPresent(out::add);
            }
        }
        return out;
    }

    /**
     * Writes every file of dir (ignored ones too: a source package has no .gitignore exceptions) as objects of gitDir
     * and returns the tree's id, without touching dir (a temporary index).
     */
    public static String hash(Path gitDir, Path dir) throws IOException {
        Path index = Files.createTempFile(gitDir, "hash-index", "");
        Files.delete(index);
        try {
            Map<String, String> env = Map.of("GIT_INDEX_FILE", index.toString());
            List<String> add = List.of("git", "--git-dir=" + gitDir, "--work-tree=" + dir, "add", "-A", "-f", ".");
            Proc.run(add, dir, Duration.ofMinutes(60), env).check(add);
            List<String> wt = List.of("git", "--git-dir=" + gitDir, "--work-tree=" + dir, "write-tree");
            return Proc.run(wt, dir, Duration.ofMinutes(5), env).check(wt).stdout().strip();
        } finally {
            Files.deleteIfExists(index);
        }
    }

    public void record(String tree, String buildSource, Path dir) throws IOException {
        Files.createDirectories(root);
        Path tmp = Files.createTempFile(root, ".t", "");
        Files.writeString(tmp, buildSource + "\n" + dir.toAbsolutePath() + "\n", StandardCharsets.UTF_8);
        Files.move(tmp, root.resolve(tree), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
