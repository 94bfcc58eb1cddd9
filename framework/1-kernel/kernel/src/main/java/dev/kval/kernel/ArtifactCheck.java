package dev.kval.kernel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A cache hit is checked against the hashes the manifest recorded (results report the manifest's sha256, so the
 * files must be those): the kernel image, its config and the whole modules tree. Cheaply: {@code verified.json}
 * keeps each file's (tree's) size, mtime, ctime and inode as of its last full check; only when any of them changed
 * is the content hashed again. ctime is in the stamp because it cannot be set back: a same-size image written in
 * place with its mtime restored still changes it.
 */
final class ArtifactCheck {
    static final String STAMP = "verified.json";
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Full re-hashes done (tests: an unchanged hit must not re-hash). */
    static final AtomicInteger REHASHES = new AtomicInteger();

    private ArtifactCheck() {
    }

    /** Null when the artifact in {@code dir} is what its manifest says, else what differs. */
    static String verify(Path dir, JsonNode manifest) throws IOException {
        Path stampFile = dir.resolve(STAMP);
        JsonNode old = Files.exists(stampFile) ? JSON.readTree(stampFile.toFile()) : JSON.createObjectNode();
        ObjectNode stamp = JSON.createObjectNode();
        List<String[]> parts = new ArrayList<>();
        parts.add(new String[] {"kernel", manifest.path("kernel").asText("vmlinuz"), manifest.path("sha256").asText()});
        if (manifest.hasNonNull("config") && manifest.hasNonNull("configSha256")) {
            parts.add(new String[] {"config", manifest.get("config").asText(), manifest.get("configSha256").asText()});
        }
        if (manifest.hasNonNull("modules") && manifest.hasNonNull("modulesSha256")) {
            parts.add(new String[] {"modules", manifest.get("modules").asText(), manifest.get("modulesSha256").asText()});
        }
        for (String[] p : parts) {
            Path f = dir.resolve(p[1]);
            if (!Files.exists(f, LinkOption.NOFOLLOW_LINKS)) {
                return p[0] + " " + f + " is missing";
            }
            boolean tree = p[0].equals("modules");
            String now = tree ? treeStat(f) : stat(f);
            if (!now.equals(old.path(p[0]).asText(""))) {
                REHASHES.incrementAndGet();
                String sha = tree ? treeSha(f) : BzImage.sha256(f);
                if (!sha.equals(p[2])) {
                    return p[0] + " " + f + " hashes to " + sha + ", the manifest says " + p[2];
                }
            }
            stamp.put(p[0], now);
        }
        if (!stamp.equals(old)) {
            Path tmp = Files.createTempFile(dir, ".verified", ".json");
            JSON.writeValue(tmp.toFile(), stamp);
            Files.move(tmp, stampFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        return null;
    }

    /** size:mtime:ctime:inode of one file (links not followed). */
    static String stat(Path f) throws IOException {
        var a = Files.readAttributes(f, "unix:size,lastModifiedTime,ctime,ino", LinkOption.NOFOLLOW_LINKS);
        return a.get("size") + ":" + ((java.nio.file.attribute.FileTime) a.get("lastModifiedTime")).toMillis() + ":"
                + ((java.nio.file.attribute.FileTime) a.get("ctime")).toMillis() + ":" + a.get("ino");
    }

    /** One line per entry of the tree (relative path and stat), hashed: changes when any file or link changes. */
    static String treeStat(Path dir) throws IOException {
        MessageDigest md = sha();
        for (Path p : entries(dir)) {
            md.update((dir.relativize(p) + " " + stat(p) + "\n").getBytes(StandardCharsets.UTF_8));
        }
        return HexFormat.of().formatHex(md.digest());
    }

    /** The content of the tree: relative path and sha256 of each file, link targets, in path order. */
    static String treeSha(Path dir) throws IOException {
        MessageDigest md = sha();
        for (Path p : entries(dir)) {
            String what = Files.isSymbolicLink(p) ? "-> " + Files.readSymbolicLink(p) : Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) ? "dir"
                    : BzImage.sha256(p);
            md.update((dir.relativize(p) + " " + what + "\n").getBytes(StandardCharsets.UTF_8));
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private static List<Path> entries(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(p -> !p.equals(dir)).sorted().toList();
        }
    }

    private static MessageDigest sha() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
