package dev.kval.kernel.debian;

import dev.kval.kernel.CacheLock;
import dev.kval.kernel.KvalPaths;
import dev.kval.kernel.Proc;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * apt with its own configuration under {@code <root>} (default {@code $KVAL_CACHE/apt}): its own source list,
 * lists and cache directories, an empty dpkg status, so the system's apt sources and state are never touched.
 * Suites: bookworm, bookworm-updates, bookworm-security, bookworm-backports, trixie, trixie-backports, from the
 * archive URIs of /etc/apt/sources.list.d/debian.sources. Downloads are verified by apt against the signed index.
 * Safe across processes (a file lock guards update and download).
 */
public final class PrivateApt {
    public static final List<String> MAIN_SUITES = List.of("bookworm", "bookworm-updates", "bookworm-backports", "trixie", "trixie-backports");
    public static final List<String> SECURITY_SUITES = List.of("bookworm-security");
    private static final Duration APT_TIMEOUT = Duration.ofMinutes(10);

    /** One available version of a package: name, version, and the index line it came from. */
    public record PackageVersion(String name, String version, String origin) {
    }

    private final Path root;
    private final String mainUri;
    private final String securityUri;
    private final SignedIndex index;

    public PrivateApt(Path root) {
        this.root = root.toAbsolutePath();
        this.index = new SignedIndex(this.root.resolve("lists"));
        String[] uris = systemUris(Path.of("/etc/apt/sources.list.d/debian.sources"));
        this.mainUri = uris[0];
        this.securityUri = uris[1];
    }

    public static PrivateApt defaultInstance() {
        return new PrivateApt(KvalPaths.cache().resolve("apt"));
    }

    public Path root() {
        return root;
    }

    /** Archive URI of the main Debian archive (for pool/ fallbacks), e.g. http://deb.debian.org/debian. */
    public String archiveUri() {
        return mainUri;
    }

    /**
     * Deletes pool downloads of pkg left by an older kval that fetched pool files without a signed index to check them
     * against: an unverifiable file must not stay in the cache. Returns how many were deleted.
     */
    public int purgeUnverifiedPool(String pkg) throws IOException {
        Path dir = debs().resolve("pool");
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        int n = 0;
        try (var s = Files.list(dir)) {
            for (Path f : s.filter(x -> x.getFileName().toString().startsWith(pkg + "_")).toList()) {
                Files.deleteIfExists(f);
                n++;
            }
        }
        return n;
    }

    private Path debs() {
        return root.resolve("debs");
    }

    private Path listsDir() {
        return root.resolve("lists");
    }

    private Path stamp() {
        return root.resolve("updated.stamp");
    }

    private void writeConfig() throws IOException {
        Files.createDirectories(root.resolve("etc/sources.list.d"));
        Files.createDirectories(listsDir().resolve("partial"));
        Files.createDirectories(root.resolve("cache/archives/partial"));
        Files.createDirectories(debs());
        Files.writeString(root.resolve("etc/sources.list"), "");
        String keyring = "/usr/share/keyrings/debian-archive-keyring.gpg";
        String src = "Types: deb\nURIs: " + mainUri + "\nSuites: " + String.join(" ", MAIN_SUITES)
                + "\nComponents: main\nSigned-By: " + keyring + "\n\n"
                + "Types: deb\nURIs: " + securityUri + "\nSuites: " + String.join(" ", SECURITY_SUITES)
                + "\nComponents: main\nSigned-By: " + keyring + "\n";
        Path f = root.resolve("etc/sources.list.d/kval.sources");
        if (!Files.exists(f) || !Files.readString(f).equals(src)) {
            Files.writeString(f, src);
        }
        if (!Files.exists(root.resolve("status"))) {
            Files.writeString(root.resolve("status"), "");
        }
    }

    /** The -o options that make apt private. */
    public List<String> options() {
        return List.of(
                "-o", "Dir::Etc::sourcelist=" + root.resolve("etc/sources.list"),
                "-o", "Dir::Etc::sourceparts=" + root.resolve("etc/sources.list.d"),
                "-o", "Dir::Etc::preferencesparts=" + root.resolve("etc/preferences.d"),
                "-o", "Dir::State::lists=" + listsDir(),
                "-o", "Dir::State::status=" + root.resolve("status"),
                "-o", "Dir::Cache=" + root.resolve("cache"),
                "-o", "APT::Architecture=amd64",
                "-o", "Acquire::Languages=none",
                "-o", "APT::Sandbox::User=root",
                "-o", "Debug::NoLocking=1");
    }

    private List<String> cmd(String tool, String... args) {
        List<String> c = new ArrayList<>();
        c.add(tool);
        c.addAll(options());
        c.addAll(List.of(args));
        return c;
    }

    /** apt-get update on the private configuration. */
    public void update() throws IOException {
        try (CacheLock ignored = lock()) {
            writeConfig();
            List<String> c = cmd("apt-get", "-q", "update");
            Proc.check(c, root, APT_TIMEOUT);
            Files.writeString(stamp(), Instant.now().toString());
        }
    }

    /** Updates if the lists are missing or older than maxAge. */
    public void ensureUpdated(Duration maxAge) throws IOException {
        Path s = stamp();
        if (Files.exists(s) && Files.getLastModifiedTime(s).toInstant().isAfter(Instant.now().minus(maxAge))) {
            return;
        }
        update();
    }

    public boolean hasLists() {
        return Files.exists(stamp());
    }

    /** Package names starting with prefix (apt-cache pkgnames). */
    public List<String> packageNames(String prefix) throws IOException {
        writeConfig();
        Proc.Result r = Proc.check(cmd("apt-cache", "pkgnames", prefix), root, APT_TIMEOUT);
        return r.stdout().lines().map(String::strip).filter(s -> !s.isEmpty()).sorted().toList();
    }

    /** All available versions of the given packages (apt-cache madison), in apt's order (newest first per package). */
    public List<PackageVersion> versions(List<String> pkgs) throws IOException {
        if (pkgs.isEmpty()) {
            return List.of();
        }
        writeConfig();
        List<String> c = cmd("apt-cache", "madison");
        c.addAll(pkgs);
        Proc.Result r = Proc.run(c, root, APT_TIMEOUT);
        List<PackageVersion> out = new ArrayList<>();
        for (String line : r.stdout().lines().toList()) {
            String[] f = line.split("\\|");
            if (f.length >= 3) {
                out.add(new PackageVersion(f[0].strip(), f[1].strip(), f[2].strip()));
            }
        }
        return out;
    }

    public List<PackageVersion> versions(String pkg) throws IOException {
        return versions(List.of(pkg));
    }

    /** The newest available version of pkg, if any. */
    public Optional<String> policy(String pkg) throws IOException {
        return versions(pkg).stream().map(PackageVersion::version).max(DebVersion::compare);
    }

    /** Control fields of one package version (apt-cache show pkg=version). */
    public Map<String, String> show(String pkg, String version) throws IOException {
        writeConfig();
        Proc.Result r = Proc.check(cmd("apt-cache", "show", pkg + "=" + version), root, APT_TIMEOUT);
        Map<String, String> m = new LinkedHashMap<>();
        String last = null;
        for (String line : r.stdout().lines().toList()) {
            if (line.isEmpty()) {
                break;
            }
            if (line.startsWith(" ") && last != null) {
                m.put(last, m.get(last) + "\n" + line.strip());
                continue;
            }
            int i = line.indexOf(':');
            if (i > 0) {
                last = line.substring(0, i);
                m.put(last, line.substring(i + 1).strip());
            }
        }
        return m;
    }

    /** Downloads the newest version of pkg. */
    public Path download(String pkg) throws IOException {
        String v = policy(pkg).orElseThrow(() -> new IOException("package " + pkg + " is not in the private apt index (suites "
                + MAIN_SUITES + " " + SECURITY_SUITES + ")"));
        return download(pkg, v);
    }

    /** kval's own check of .debs against the signed index (gpgv + keyring -> Packages -> SHA256). */
    public SignedIndex index() {
        return index;
    }

    /**
     * Downloads pkg=version with apt-get download; cached in root/debs. Checked by kval against the signed index
     * ({@link SignedIndex}) before it enters the cache and again on every cache hit (a cached file that no longer
     * matches is deleted and fetched again).
     */
    public Path download(String pkg, String version) throws IOException {
        Path dir = debs().resolve(pkg + "_" + version.replace(':', '%'));
        try (CacheLock ignored = lock()) {
            writeConfig();
            if (Files.isDirectory(dir)) {
                try (var s = Files.list(dir)) {
                    Optional<Path> deb = s.filter(p -> p.toString().endsWith(".deb")).findFirst();
                    if (deb.isPresent()) {
                        try {
                            index.verifyCached(deb.get(), pkg, version);
                            return deb.get();
                        } catch (IOException e) {
                            dev.kval.kernel.KernelCache.deleteTree(dir); // not what Debian signed: never used, fetched again
                        }
                    }
                }
            }
            Path tmp = Files.createTempDirectory(debs(), ".dl-");
            try {
                Proc.check(cmd("apt-get", "-q", "download", pkg + "=" + version), tmp, APT_TIMEOUT);
                Path got;
                try (var s = Files.list(tmp)) {
                    got = s.filter(p -> p.toString().endsWith(".deb")).findFirst()
                            .orElseThrow(() -> new IOException("apt-get download " + pkg + "=" + version + " produced no .deb"));
                }
                return index.admit(got, dir.resolve(got.getFileName()), pkg, version);
            } finally {
                dev.kval.kernel.KernelCache.deleteTree(tmp);
            }
        }
    }

    /**
     * Fetches pkg=version from the archive's pool by relative path (e.g. pool/main/l/linux/x.deb) when apt does not
     * offer it; kept only if a signed index lists it with this file's SHA256 ({@link SignedIndex#admit}).
     */
    public Path fetchPool(String poolPath, String pkg, String version) throws IOException {
        String name = poolPath.substring(poolPath.lastIndexOf('/') + 1);
        Path dir = debs().resolve("pool");
        Files.createDirectories(dir);
        Path out = dir.resolve(name);
        if (Files.exists(out)) {
            try {
                index.verifyCached(out, pkg, version);
                return out;
            } catch (IOException e) {
                Files.delete(out); // not what Debian signed: never used, fetched again (and checked again)
            }
        }
        if (index.sha256(pkg, version).isEmpty()) {
            throw new IOException(pkg + "=" + version + " (" + poolPath + ") is listed in no signed index under " + listsDir()
                    + ": kval does not fetch a package it cannot verify against Debian's signature (choose a kernel the index lists)");
        }
        Path tmp = dir.resolve(name + ".part");
        HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL).connectTimeout(Duration.ofSeconds(20)).build();
        try {
            HttpResponse<InputStream> resp = http.send(HttpRequest.newBuilder(URI.create(mainUri + "/" + poolPath)).GET().build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            if (resp.statusCode() != 200) {
                resp.body().close();
                throw new IOException("GET " + mainUri + "/" + poolPath + " -> HTTP " + resp.statusCode());
            }
            try (InputStream in = resp.body()) {
                Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        return index.admit(tmp, out, pkg, version);
    }

    /** The cache's lock: waits for other threads of this JVM, then for other processes (CacheLock says why both). */
    private CacheLock lock() throws IOException {
        return CacheLock.acquire(root.resolve("kval.lock"));
    }

    /** [main, security] URIs from the system's deb822 sources (read only), with deb.debian.org defaults. */
    static String[] systemUris(Path sources) {
        String main = "http://deb.debian.org/debian";
        String sec = "http://deb.debian.org/debian-security";
        try {
            if (Files.exists(sources)) {
                for (String stanza : Files.readString(sources).split("\n\\s*\n")) {
                    String uri = null;
                    String suites = "";
                    for (String l : stanza.lines().toList()) {
                        if (l.startsWith("URIs:")) {
                            uri = l.substring(5).strip().split("\\s+")[0];
                        } else if (l.startsWith("Suites:")) {
                            suites = l.substring(7);
                        }
                    }
                    if (uri == null) {
                        continue;
                    }
                    uri = uri.replaceAll("/+$", "");
                    if (suites.contains("-security")) {
                        sec = uri;
                    } else {
                        main = uri;
                    }
                }
            }
        } catch (IOException ignored) {
            // defaults
        }
        return new String[] {main, sec};
    }
}
