package dev.kval.kernel.debian;

import dev.kval.kernel.KernelArtifact;
import dev.kval.kernel.KernelCache;
import dev.kval.kernel.KernelResolver;
import dev.kval.kernel.KernelSpec;
import dev.kval.kernel.Proc;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Debian kernels through {@link PrivateApt}. Two layouts:
 * <ul>
 * <li>6.x: {@code linux-image-<abi>-amd64[-unsigned]} holds vmlinuz, config and modules;</li>
 * <li>7.x (and late 6.x): {@code linux-binary-<abi>-amd64} (vmlinuz) + {@code linux-modules-<abi>-amd64} +
 * {@code linux-base-<abi>-amd64} (config). For 6.19-7.1 the modules package is missing from the index: it is fetched
 * from the archive pool and verified by its control fields and the modules' vermagic.</li>
 * </ul>
 */
public final class DebianKernels {
    private static final Pattern IMAGE = Pattern.compile("^linux-image-([0-9][A-Za-z0-9.+~-]*?)-amd64(-unsigned)?$");
    private static final Pattern BINARY = Pattern.compile("^linux-binary-([0-9][A-Za-z0-9.+~-]*?)-amd64$");

    /** One installable kernel: ABI (e.g. 7.3.4+deb13, 6.1.0-56), package version, and which layout. */
    public record Candidate(String abi, String version, boolean split, String imagePackage, String origin) {
        /** linux-image-6.12-amd64 (ABI "6.12"): a meta package that only depends on the current 6.12.x image. */
        public boolean meta() {
            return abi.matches("\\d+\\.\\d+");
        }

        public String upstream() {
            String v = version.contains(":") ? version.substring(version.indexOf(':') + 1) : version;
            int dash = v.lastIndexOf('-');
            return dash > 0 ? v.substring(0, dash) : v;
        }
    }

    private final PrivateApt apt;
    private final KernelCache cache;
    private final Consumer<String> log;

    public DebianKernels(PrivateApt apt, KernelCache cache, Consumer<String> log) {
        this.apt = apt;
        this.cache = cache;
        this.log = log;
    }

    /**
     * Every amd64 generic kernel in the private index (no cloud/rt/dbg flavours) that kval can verify: a split-layout
     * kernel whose {@code linux-modules} package is in no signed index (the archive keeps it only in its pool, as for
     * Debian's 7.0.x and 7.1.x backports) cannot be checked against Debian's signature, so it is left out of selections
     * and ranges (a sweep or bisection steps over it, as {@code git bisect skip} would) and named in the log.
     */
    public List<Candidate> candidates() throws IOException {
        List<Candidate> all = allCandidates();
        List<String> mods = all.stream().filter(Candidate::split).map(c -> "linux-modules-" + c.abi() + "-amd64").distinct().toList();
        java.util.Set<String> listed = new java.util.HashSet<>();
        if (!mods.isEmpty()) {
            apt.versions(mods).forEach(v -> listed.add(v.name() + "=" + v.version()));
        }
        List<Candidate> out = new ArrayList<>();
        List<String> leftOut = new ArrayList<>();
        for (Candidate c : all) {
            if (c.split() && !listed.contains("linux-modules-" + c.abi() + "-amd64=" + c.version())) {
                leftOut.add(c.abi());
            } else {
                out.add(c);
            }
        }
        if (!leftOut.isEmpty() && log != null && leftOutSaid.add(String.join(",", leftOut))) {
            log.accept("debian: left out " + leftOut.size() + " kernel(s) whose modules no signed index lists (only in the archive's"
                    + " pool, so not verifiable): " + String.join(" ", leftOut));
        }
        return out;
    }

    private final java.util.Set<String> leftOutSaid = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** Every amd64 generic kernel in the private index, verifiable or not (see {@link #candidates()}). */
    List<Candidate> allCandidates() throws IOException {
        List<String> names = new ArrayList<>();
        for (String n : apt.packageNames("linux-image-")) {
            Matcher m = IMAGE.matcher(n);
            if (m.matches() && !m.group(1).matches(".*-(cloud|rt)$")) {
                names.add(n);
            }
        }
        for (String n : apt.packageNames("linux-binary-")) {
            Matcher m = BINARY.matcher(n);
            if (m.matches() && !m.group(1).matches(".*-(cloud|rt)$")) {
                names.add(n);
            }
        }
        Map<String, Candidate> byAbiVersion = new LinkedHashMap<>();
        for (PrivateApt.PackageVersion pv : apt.versions(names)) {
            Matcher b = BINARY.matcher(pv.name());
            Matcher i = IMAGE.matcher(pv.name());
            String key;
            Candidate c;
            if (b.matches()) {
                c = new Candidate(b.group(1), pv.version(), true, pv.name(), pv.origin());
            } else if (i.matches()) {
                c = new Candidate(i.group(1), pv.version(), false, pv.name(), pv.origin());
            } else {
                continue;
            }
            key = c.abi() + "=" + c.version();
            Candidate old = byAbiVersion.get(key);
            // Prefer the split layout, then the -unsigned image (same kernel, no signature wrapper).
            if (old == null || (c.split() && !old.split()) || (!old.split() && !c.split() && c.imagePackage().endsWith("-unsigned"))) {
                byAbiVersion.put(key, c);
            }
        }
        // An image meta package of the split layout has no kernel: drop image candidates whose abi has a binary.
        List<Candidate> out = new ArrayList<>();
        for (Candidate c : byAbiVersion.values()) {
            if (c.meta()) {
                continue; // holds no kernel; its kernel is in the list under its real ABI
            }
            if (!c.split() && byAbiVersion.containsKey(c.abi() + "=" + c.version())
                    && byAbiVersion.get(c.abi() + "=" + c.version()).split()) {
                continue;
            }
            out.add(c);
        }
        return out;
    }

    /** Picks the candidate for a version string: newest, ABI, upstream version or package version. */
    public static Optional<Candidate> select(List<Candidate> cs, String v) {
        Comparator<Candidate> newest = Comparator.comparing(Candidate::version, DebVersion::compare);
        if (v.equals("newest") || v.equals("latest")) {
            return cs.stream().filter(c -> !c.version().contains("~exp")).max(newest);
        }
        for (var pred : List.<java.util.function.Predicate<Candidate>>of(
                c -> c.abi().equals(v),
                c -> c.version().equals(v),
                c -> c.abi().startsWith(v + "+") || c.abi().startsWith(v + "-"),
                c -> c.upstream().equals(v),
                c -> c.upstream().startsWith(v + "+") || c.upstream().startsWith(v + "-") || c.upstream().startsWith(v + "~"),
                c -> c.abi().startsWith(v + ".") || c.upstream().startsWith(v + "."))) {
            Optional<Candidate> m = cs.stream().filter(pred).max(newest);
            if (m.isPresent()) {
                return m;
            }
        }
        return Optional.empty();
    }

    public KernelArtifact resolve(KernelSpec.Debian spec) throws IOException {
        apt.ensureUpdated(Duration.ofHours(spec.newest() ? 1 : 12));
        List<Candidate> cs = candidates();
        Optional<Candidate> pick = select(cs, spec.version());
        if (pick.isEmpty()) {
            apt.update();
            cs = candidates();
            pick = select(cs, spec.version());
        }
        if (pick.isEmpty()) {
            Optional<Candidate> unverifiable = select(allCandidates(), spec.version());
            if (unverifiable.isPresent()) {
                Candidate u = unverifiable.get();
                int purged = apt.purgeUnverifiedPool("linux-modules-" + u.abi() + "-amd64");
                if (purged > 0 && log != null) {
                    log.accept("kernel " + spec.text() + ": deleted " + purged + " unverified pool download(s) of linux-modules-" + u.abi()
                            + "-amd64 left by an older kval");
                }
                throw new IOException("debian:" + spec.version() + " is " + u.abi() + " " + u.version() + ", whose linux-modules-" + u.abi()
                        + "-amd64 is listed in no signed index (only in the archive's pool): kval does not use a package it cannot verify"
                        + " against Debian's signature; choose a kernel the index lists (./kval sweep --kernels lists them in its log)");
            }
        }
        Candidate c = pick.orElseThrow(() -> new IOException("no Debian kernel matches '" + spec.version()
                + "' in " + PrivateApt.MAIN_SUITES + " " + PrivateApt.SECURITY_SUITES));
        String exactSpec = "debian:" + c.abi() + "=" + c.version();
        Optional<KernelArtifact> hit = cache.lookup(exactSpec);
        if (hit.isPresent()) {
            cache.recordSpec(spec.text(), hit.get().sha256());
            if (!spec.newest()) {
                log.accept("kernel " + spec.text() + ": cache hit " + hit.get().release());
            }
            return hit.get();
        }
        log.accept("kernel " + spec.text() + ": downloading " + c.abi() + " " + c.version() + " (" + c.origin() + ")");
        Map<String, String> pk = new LinkedHashMap<>();
        List<Path> debs = new ArrayList<>();
        if (c.split()) {
            String bin = "linux-binary-" + c.abi() + "-amd64";
            debs.add(apt.download(bin, c.version()));
            pk.put(bin, c.version());
            String base = "linux-base-" + c.abi() + "-amd64";
            if (apt.versions(base).stream().anyMatch(v -> v.version().equals(c.version()))) {
                debs.add(apt.download(base, c.version()));
                pk.put(base, c.version());
            }
            String mods = "linux-modules-" + c.abi() + "-amd64";
            if (apt.versions(mods).stream().anyMatch(v -> v.version().equals(c.version()))) {
                debs.add(apt.download(mods, c.version()));
                pk.put(mods, c.version());
            } else {
                String v = c.version().contains(":") ? c.version().substring(c.version().indexOf(':') + 1) : c.version();
                String pool = "pool/main/l/linux/" + mods + "_" + v + "_amd64.deb";
                log.accept("kernel " + spec.text() + ": " + mods + " is not in the index; fetching " + pool);
                Path deb = apt.fetchPool(pool, mods, c.version());
                verifyControl(deb, mods, c.version());
                debs.add(deb);
                pk.put(mods, c.version() + " (pool, verified against the signed index, control fields and vermagic)");
            }
        } else {
            debs.add(apt.download(c.imagePackage(), c.version()));
            pk.put(c.imagePackage(), c.version());
        }
        Path staged = cache.staging();
        Path unpack = staged.resolveSibling(staged.getFileName() + ".x");
        try {
            for (Path d : debs) {
                Proc.check(List.of("dpkg-deb", "-x", d.toString(), unpack.toString()), null, Duration.ofMinutes(5));
            }
            String release = KernelResolver.normalize(unpack, staged, false);
            if (c.split() && pk.values().stream().anyMatch(s -> s.contains("(pool"))) {
                verifyVermagic(staged.resolve("lib/modules").resolve(release), release);
            }
            KernelArtifact a = cache.commit(exactSpec, release, staged, pk);
            cache.recordSpec(spec.text(), a.sha256());
            return a;
        } catch (IOException | RuntimeException e) {
            KernelCache.deleteTree(staged);
            throw e;
        } finally {
            KernelCache.deleteTree(unpack);
        }
    }

    static void verifyControl(Path deb, String pkg, String version) throws IOException {
        Proc.Result r = Proc.check(List.of("dpkg-deb", "-f", deb.toString(), "Package", "Version", "Architecture"), null,
                Duration.ofMinutes(1));
        Map<String, String> f = new LinkedHashMap<>();
        r.stdout().lines().forEach(l -> {
            int i = l.indexOf(':');
            if (i > 0) {
                f.put(l.substring(0, i), l.substring(i + 1).strip());
            }
        });
        if (!pkg.equals(f.get("Package")) || !version.equals(f.get("Version")) || !"amd64".equals(f.get("Architecture"))) {
            throw new IOException("pool package " + deb + " has control fields " + f + ", expected " + pkg + " " + version + " amd64");
        }
    }

    /** Checks kvm's (or any) module vermagic starts with the release. */
    static void verifyVermagic(Path modDir, String release) throws IOException {
        Path ko;
        try (Stream<Path> s = Files.walk(modDir)) {
            ko = s.filter(p -> p.getFileName().toString().matches("kvm\\.ko(\\.xz|\\.zst|\\.gz)?")).findFirst()
                    .orElse(null);
        }
        if (ko == null) {
            try (Stream<Path> s = Files.walk(modDir)) {
                ko = s.filter(p -> p.getFileName().toString().contains(".ko")).findFirst()
                        .orElseThrow(() -> new IOException("no modules under " + modDir));
            }
        }
        String vm = vermagic(ko);
        if (vm == null || !(vm.equals(release) || vm.startsWith(release + " "))) {
            throw new IOException("module " + ko + " has vermagic '" + vm + "', not kernel release " + release);
        }
    }

    public static String vermagic(Path ko) throws IOException {
        byte[] data = ModuleFiles.decompress(ko);
        String s = new String(data, StandardCharsets.ISO_8859_1);
        int i = s.indexOf("vermagic=");
        if (i < 0) {
            return null;
        }
        int e = s.indexOf('\0', i);
        return s.substring(i + "vermagic=".length(), e < 0 ? s.length() : e);
    }
}
