package dev.kval.kernel;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Kernel artifacts under {@code <cache>/kernels/<sha256 of the kernel image>/} with a {@code manifest.json}
 * (spec, release, sha256, config, packages), plus {@code <cache>/kernels/specs/<spec>.json} mapping a spec to its
 * artifact so a second resolve hits the cache without any download.
 */
public final class KernelCache {
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private final Path root;

    public KernelCache(Path root) {
        this.root = root.toAbsolutePath();
    }

    public static KernelCache defaultCache() {
        return new KernelCache(KvalPaths.cache().resolve("kernels"));
    }

    public Path root() {
        return root;
    }

    /** A fresh staging directory inside the cache (same filesystem, so commit is a rename). */
    public Path staging() throws IOException {
        Files.createDirectories(root.resolve("staging"));
        return Files.createTempDirectory(root.resolve("staging"), "k-");
    }

    private Path specFile(String spec) {
        return root.resolve("specs").resolve(spec.replaceAll("[^A-Za-z0-9.+~_-]", "_") + ".json");
    }

    /** The artifact a spec resolved to earlier, if it is still intact. */
    public Optional<KernelArtifact> lookup(String spec) {
        try {
            Path f = specFile(spec);
            if (!Files.exists(f)) {
                return Optional.empty();
            }
            String sha = JSON.readTree(f.toFile()).path("sha256").asText();
            return load(sha).map(a -> a.withCacheHit(true));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /**
     * Loads an artifact by its sha256, checking that the kernel image, its config and its modules still hash to what
     * the manifest recorded (re-hashed only when a file's size, mtime, ctime or inode changed: {@link ArtifactCheck}).
     * An artifact that fails is moved out of the way (a miss: the kernel is fetched or built again) and the reason
     * logged on stderr. A manifest an older kval wrote without the modules' hash gets it on first load.
     */
    public Optional<KernelArtifact> load(String sha256) throws IOException {
        Path dir = root.resolve(sha256);
        Path manifest = dir.resolve("manifest.json");
        if (!Files.exists(manifest)) {
            return Optional.empty();
        }
        var n = JSON.readTree(manifest.toFile());
        Path kernel = dir.resolve(n.path("kernel").asText("vmlinuz"));
        if (!Files.exists(kernel) || Files.size(kernel) != n.path("kernelSize").asLong(-1)) {
            return Optional.empty();
        }
        if (n.hasNonNull("modules") && !n.hasNonNull("modulesSha256") && Files.isDirectory(dir.resolve(n.get("modules").asText()))) {
            ((ObjectNode) n).put("modulesSha256", ArtifactCheck.treeSha(dir.resolve(n.get("modules").asText())));
            Path tmp = Files.createTempFile(dir, ".m", ".json");
            JSON.writeValue(tmp.toFile(), n);
            Files.move(tmp, manifest, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        String wrong = ArtifactCheck.verify(dir, n);
        if (wrong != null) {
            System.err.println("kval: kernel cache entry " + dir + " is not what was cached (" + wrong + "): set aside, fetching again");
            try (CacheLock ignored = lock()) {
                Path aside = root.resolve("corrupt").resolve(sha256 + "-" + System.nanoTime());
                Files.createDirectories(aside.getParent());
                if (Files.exists(dir)) {
                    Files.move(dir, aside, StandardCopyOption.ATOMIC_MOVE);
                }
            }
            return Optional.empty();
        }
        Map<String, String> pk = new LinkedHashMap<>();
        n.path("packages").fields().forEachRemaining(e -> pk.put(e.getKey(), e.getValue().asText()));
        Path config = n.hasNonNull("config") ? dir.resolve(n.get("config").asText()) : null;
        return Optional.of(new KernelArtifact(n.path("spec").asText(), n.path("release").asText(), n.path("sha256").asText(), dir,
                kernel, config, pk, false));
    }

    /**
     * Moves a staged tree (with {@code vmlinuz}, optional {@code config}, optional lib/modules/&lt;release&gt;) into the
     * cache under the image's hash, writes its manifest and records the spec.
     */
    public KernelArtifact commit(String spec, String release, Path staged, Map<String, String> packages) throws IOException {
        Path kernel = staged.resolve("vmlinuz");
        String sha = BzImage.sha256(kernel);
        Path config = staged.resolve("config");
        ObjectNode m = JSON.createObjectNode();
        m.put("spec", spec);
        m.put("release", release);
        m.put("sha256", sha);
        m.put("kernel", "vmlinuz");
        m.put("kernelSize", Files.size(kernel));
        if (Files.exists(config)) {
            m.put("config", "config");
            m.put("configSha256", BzImage.sha256(config));
        } else {
            m.putNull("config");
        }
        boolean modules = Files.isDirectory(staged.resolve("lib/modules").resolve(release));
        m.put("modules", modules ? "lib/modules/" + release : null);
        if (modules) {
            m.put("modulesSha256", ArtifactCheck.treeSha(staged.resolve("lib/modules").resolve(release)));
        }
        ObjectNode p = m.putObject("packages");
        packages.forEach(p::put);
        m.put("created", Instant.now().toString());
        JSON.writeValue(staged.resolve("manifest.json").toFile(), m);
        Path dest = root.resolve(sha);
        try (CacheLock ignored = lock()) {
            if (Files.exists(dest.resolve("manifest.json"))) {
                deleteTree(staged);
            } else {
                if (Files.exists(dest)) {
                    deleteTree(dest);
                }
                try {
                    Files.move(staged, dest, StandardCopyOption.ATOMIC_MOVE);
                } catch (AtomicMoveNotSupportedException | FileAlreadyExistsException e) {
                    throw new IOException("cannot commit kernel artifact to " + dest, e);
                }
            }
            recordSpec(spec, sha);
        }
        return load(sha).orElseThrow(() -> new IOException("kernel artifact vanished: " + dest));
    }

    public void recordSpec(String spec, String sha) throws IOException {
        Files.createDirectories(root.resolve("specs"));
        ObjectNode s = JSON.createObjectNode();
        s.put("spec", spec);
        s.put("sha256", sha);
        Path tmp = Files.createTempFile(root.resolve("specs"), ".s", ".json");
        JSON.writeValue(tmp.toFile(), s);
        Files.move(tmp, specFile(spec), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** The cache's lock: waits for other threads of this JVM, then for other processes (CacheLock says why both). */
    private CacheLock lock() throws IOException {
        return CacheLock.acquire(root.resolve(".lock"));
    }

    public static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            for (Path x : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(x);
            }
        }
    }
}
