package dev.kval.kselftest;

import dev.kval.kernel.ContentKey;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kval.kernel.BzImage;
import dev.kval.kernel.CacheLock;
import dev.kval.kernel.KernelCache;
import dev.kval.kernel.KvalPaths;
import dev.kval.kernel.Proc;
import dev.kval.kernel.build.KernelBuilder;
import dev.kval.kernel.debian.PrivateApt;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Builds the kernel's own KVM selftests ({@code tools/testing/selftests/kvm}) as static binaries, so they run in kval's
 * busybox initramfs, which has no libc. The source is a kernel tree or a Debian {@code linux-source-X.Y} package,
 * resolved exactly like {@code build:} kernel specs ({@link KernelBuilder#source}).
 *
 * <p>The source tree is never written to: the UAPI headers come from {@code make O=<cache> headers} (cached per source
 * under {@code kselftest/headers/}), objects go to {@code OUTPUT=}, and kbuild's try-run scratch to {@code TMPOUT=}.
 * Static linking uses {@code USERLDFLAGS=-static} (lib.mk's documented hook), which keeps the Makefile's own
 * {@code -pthread -no-pie}; overriding {@code LDFLAGS} on the command line would drop them. The result is cached under
 * {@code $KVAL_CACHE/kselftest/<key>}, the key being the source identity + the test list + these flags + the compiler.
 */
public final class KselftestBuild {
    /** Bump when the layout or the way binaries are made changes: old cache entries are then simply not found. */
    static final int FORMAT = 1;
    /** The guest_memfd-relevant upstream tests (x86). */
    public static final List<String> GUEST_MEMFD_TESTS = List.of("guest_memfd_test", "set_memory_region_test", "pre_fault_memory_test",
            "x86/private_mem_conversions_test", "x86/private_mem_kvm_exits_test");
    /** Make variables that decide what the binaries are (part of the cache key). */
    static final List<String> MAKE_FLAGS = List.of("USERLDFLAGS=-static");
    /** Debug info is most of each binary and nothing in the guest reads it; symbols stay for backtraces. */
    static final List<String> STRIP = List.of("strip", "--strip-debug");
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final KernelBuilder sources;
    private final Path root;
    private final Consumer<String> log;

    public KselftestBuild(KernelBuilder sources, Path root, Consumer<String> log) {
        this.sources = sources;
        this.root = root.toAbsolutePath();
        this.log = log;
    }

    /** Sources resolved through the default kernel cache and private apt; binaries under {@code $KVAL_CACHE/kselftest}. */
    public static KselftestBuild defaults(Consumer<String> log) {
        return new KselftestBuild(new KernelBuilder(KernelCache.defaultCache(), PrivateApt.defaultInstance(), log),
                KvalPaths.cache().resolve("kselftest"), log);
    }

    public SelftestBinaries build(Path tree, List<String> tests) throws IOException {
        return build(tree.toAbsolutePath().toString(), tests);
    }

    /**
     * @param source a kernel tree directory, a linux-*.tar.xz, or {@code linux-source-X.Y}
     * @param tests  paths below tools/testing/selftests/kvm without ".c", e.g. {@code x86/private_mem_kvm_exits_test}
     */
    public SelftestBinaries build(String source, List<String> tests) throws IOException {
        long t0 = System.nanoTime();
        if (tests.isEmpty()) {
            throw new IllegalArgumentException("no selftests to build");
        }
        Map<String, String> meta = new LinkedHashMap<>();
        Path tree = sources.source(source, meta).toAbsolutePath();
        Path kvm = tree.resolve("tools/testing/selftests/kvm");
        checkTests(kvm, tests);
        String compiler = Proc.check(List.of("gcc", "--version"), null, Duration.ofSeconds(30)).stdout().lines().findFirst().orElse("gcc ?");
        List<String> keyParts = new ArrayList<>(List.of("kselftest", String.valueOf(FORMAT), meta.toString(), String.join(",", tests),
                String.join(" ", MAKE_FLAGS), String.join(" ", STRIP), compiler));
        for (String t : tests) {
            // a tree without git is identified by its Makefile's mtime only: an edited test must still rebuild
            keyParts.add(t + "=" + BzImage.sha256(kvm.resolve(t + ".c")));
        }
        String key = ContentKey.of(keyParts);
        Path dir = root.resolve(key);
        Optional<SelftestBinaries> hit = load(dir, key, tree, meta, tests, t0);
        if (hit.isPresent()) {
            log.accept("kselftest: cache hit " + dir + " (" + tests.size() + " binaries, " + ms(t0) + " ms)");
            return hit.get();
        }
        Files.createDirectories(root);
        try (CacheLock ignored = CacheLock.acquire(root.resolve(key + ".lock"))) {
            hit = load(dir, key, tree, meta, tests, t0); // another process may have built it while we waited
            if (hit.isPresent()) {
                return hit.get();
            }
            return compile(tree, kvm, tests, meta, compiler, key, dir, t0);
        }
    }

    private static void checkTests(Path kvm, List<String> tests) throws IOException {
        if (!Files.isRegularFile(kvm.resolve("Makefile.kvm")) && !Files.isRegularFile(kvm.resolve("Makefile"))) {
            throw new IOException(kvm + " has no KVM selftests Makefile: not a kernel tree with tools/testing/selftests/kvm");
        }
        Set<String> names = new HashSet<>();
        for (String t : tests) {
            if (!t.matches("[A-Za-z0-9_-]+(/[A-Za-z0-9_-]+)?")) {
                throw new IllegalArgumentException("bad selftest name '" + t + "' (expected e.g. guest_memfd_test or x86/foo_test)");
            }
            if (!Files.isRegularFile(kvm.resolve(t + ".c"))) {
                throw new IOException("no KVM selftest '" + t + "' in this kernel: " + kvm.resolve(t + ".c") + " does not exist");
            }
            if (!names.add(programName(t))) {
                throw new IllegalArgumentException("two selftests share the program name '" + programName(t) + "': " + tests);
            }
        }
    }

    static String programName(String test) {
        return test.substring(test.lastIndexOf('/') + 1);
    }

    private SelftestBinaries compile(Path tree, Path kvm, List<String> tests, Map<String, String> meta, String compiler, String key,
            Path dir, long t0) throws IOException {
        Path work = root.resolve(key + ".build");
        KernelCache.deleteTree(work);
        Files.createDirectories(work);
        Path buildLog = work.resolve("build.log");
        log.accept("kselftest: building " + String.join(" ", tests) + " from " + tree + " (static); log: " + buildLog);
        long th = System.nanoTime();
        Path hdr = headers(tree, meta, buildLog);
        long headersMs = ms(th);
        Path out = work.resolve("out");
        List<String> make = new ArrayList<>(List.of("make", "-C", kvm.toString(), "-k", "-j" + Runtime.getRuntime().availableProcessors(),
                "OUTPUT=" + out, "INSTALL_HDR_PATH=" + hdr, "KHDR_INCLUDES=-isystem " + hdr.resolve("include"),
                "TMPOUT=" + work.resolve("try")));
        make.addAll(MAKE_FLAGS);
        tests.forEach(t -> make.add(out.resolve(t).toString()));
        long tc = System.nanoTime();
        int rc = run(make, buildLog, Duration.ofMinutes(30));
        long compileMs = ms(tc);
        List<String> failed = tests.stream().filter(t -> !Files.isRegularFile(out.resolve(t))).toList();
        if (!failed.isEmpty() || rc != 0) {
            throw failure(failed.isEmpty() ? tests : failed, rc, buildLog);
        }
        Path staged = Files.createTempDirectory(root, ".stage-");
        try {
            Path bin = Files.createDirectories(staged.resolve("bin"));
            ObjectNode m = JSON.createObjectNode();
            m.put("format", FORMAT);
            m.put("key", key);
            meta.forEach(m.putObject("source")::put);
            m.put("compiler", compiler);
            m.put("makeFlags", String.join(" ", MAKE_FLAGS));
            m.put("strip", String.join(" ", STRIP));
            ObjectNode bins = m.putObject("binaries");
            for (String t : tests) {
                Path b = bin.resolve(programName(t));
                Files.copy(out.resolve(t), b);
                List<String> strip = new ArrayList<>(STRIP);
                strip.add(b.toString());
                Proc.check(strip, null, Duration.ofMinutes(2));
                Optional<String> interp = interpreter(b);
                if (interp.isPresent()) {
                    throw new IOException("selftest " + t + " was linked dynamically (interpreter " + interp.get() + ") despite "
                            + MAKE_FLAGS + ": it cannot run in the busybox initramfs; see " + buildLog);
                }
                ObjectNode n = bins.putObject(t);
                n.put("name", programName(t));
                n.put("sha256", BzImage.sha256(b));
                n.put("size", Files.size(b));
            }
            m.put("headersMs", headersMs);
            m.put("compileMs", compileMs);
            m.put("created", Instant.now().toString());
            JSON.writeValue(staged.resolve("manifest.json").toFile(), m);
            Files.copy(buildLog, staged.resolve("build.log"));
            KernelCache.deleteTree(dir);
            Files.move(staged, dir, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            KernelCache.deleteTree(staged);
            throw e;
        }
        KernelCache.deleteTree(work);
        log.accept("kselftest: built " + tests.size() + " static binaries in " + ms(t0) / 1000 + " s (headers " + headersMs / 1000
                + " s, compile " + compileMs / 1000 + " s) -> " + dir);
        return load(dir, key, tree, meta, tests, t0).map(b -> new SelftestBinaries(b.key(), b.dir(), tree, b.source(), b.binaries(), false,
                b.elapsed()))
                .orElseThrow(() -> new IOException("kselftest cache entry " + dir + " is unreadable right after the build"));
    }

    /**
     * The exported UAPI headers of this source ({@code <dir>/include}), made once per source identity with
     * {@code make O=... headers}. (headers_install would need rsync; the O= tree's usr/include is the same thing.)
     */
    private Path headers(Path tree, Map<String, String> meta, Path buildLog) throws IOException {
        Path dir = root.resolve("headers").resolve(ContentKey.of(List.of("headers", String.valueOf(FORMAT), meta.toString())));
        if (Files.isRegularFile(dir.resolve("include/linux/kvm.h"))) {
            return dir;
        }
        Files.createDirectories(dir.getParent());
        Path obj = Files.createTempDirectory(dir.getParent(), ".obj-");
        try {
            int rc = run(List.of("make", "-C", tree.toString(), "O=" + obj, "headers"), buildLog, Duration.ofMinutes(20));
            Path inc = obj.resolve("usr/include");
            if (rc != 0 || !Files.isRegularFile(inc.resolve("linux/kvm.h"))) {
                throw new IOException("make headers for " + tree + " failed (exit " + rc + "); last lines of " + buildLog + ":\n"
                        + String.join("\n", tail(buildLog, 25)));
            }
            Path staged = Files.createTempDirectory(dir.getParent(), ".hdr-");
            Files.move(inc, staged.resolve("include"));
            if (Files.isRegularFile(dir.resolve("include/linux/kvm.h"))) {
                KernelCache.deleteTree(staged); // a build of another test list made them meanwhile (and may be using them)
                return dir;
            }
            KernelCache.deleteTree(dir);
            Files.move(staged, dir, StandardCopyOption.ATOMIC_MOVE);
            return dir;
        } finally {
            KernelCache.deleteTree(obj);
        }
    }

    /** Says which tests failed and shows the compiler's errors and the log's last lines. */
    static KselftestBuildException failure(List<String> failed, int rc, Path buildLog) throws IOException {
        List<String> lines = Files.readAllLines(buildLog, StandardCharsets.ISO_8859_1);
        List<String> errors = lines.stream().filter(l -> l.contains("error:") || l.contains("undefined reference")
                || l.contains("cannot find -l") || l.startsWith("make") && l.contains("***")).toList();
        StringBuilder sb = new StringBuilder("KVM selftest build failed (make exit " + rc + ") for " + String.join(", ", failed)
                + "; full log: " + buildLog + "\n");
        if (!errors.isEmpty()) {
            sb.append("errors:\n").append(String.join("\n", errors.subList(Math.max(0, errors.size() - 20), errors.size()))).append('\n');
        }
        sb.append("last lines:\n").append(String.join("\n", tail(buildLog, 25)));
        if (lines.stream().anyMatch(l -> l.contains("cannot find -l"))) {
            sb.append("\nA static library is missing: run infra/setup (e.g. uuid-dev for -luuid, libc6-dev for libc.a).");
        }
        return new KselftestBuildException(sb.toString(), failed, buildLog);
    }

    private static List<String> tail(Path f, int n) throws IOException {
        List<String> l = Files.readAllLines(f, StandardCharsets.ISO_8859_1);
        return l.subList(Math.max(0, l.size() - n), l.size());
    }

    private static int run(List<String> cmd, Path logFile, Duration timeout) throws IOException {
        Files.writeString(logFile, "$ " + String.join(" ", cmd) + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        try {
            if (!p.waitFor(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                throw new IOException("timed out after " + timeout.toMinutes() + " min: " + String.join(" ", cmd) + " (log " + logFile + ")");
            }
            return p.exitValue();
        } catch (InterruptedException e) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted: " + String.join(" ", cmd), e);
        }
    }

    /** A cache entry, if complete and every binary still hashes to its manifest. */
    private static Optional<SelftestBinaries> load(Path dir, String key, Path tree, Map<String, String> meta, List<String> tests, long t0)
            throws IOException {
        Path mf = dir.resolve("manifest.json");
        if (!Files.isRegularFile(mf)) {
            return Optional.empty();
        }
        JsonNode m = JSON.readTree(mf.toFile());
        List<SelftestBinaries.Binary> out = new ArrayList<>();
        for (String t : tests) {
            JsonNode n = m.path("binaries").path(t);
            Path b = dir.resolve("bin").resolve(programName(t));
            if (n.isMissingNode() || !Files.isRegularFile(b) || !BzImage.sha256(b).equals(n.path("sha256").asText())) {
                return Optional.empty();
            }
            out.add(new SelftestBinaries.Binary(t, programName(t), b, n.path("sha256").asText()));
        }
        return Optional.of(new SelftestBinaries(key, dir, tree, meta, out, true, Duration.ofNanos(System.nanoTime() - t0)));
    }

    /** The PT_INTERP of an ELF64 little-endian executable, i.e. whether it needs a dynamic loader (and libc) at run time. */
    static Optional<String> interpreter(Path elf) throws IOException {
        try (FileChannel ch = FileChannel.open(elf)) {
            ByteBuffer h = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
            ch.read(h, 0);
            if (h.getInt(0) != 0x464c457f || h.get(4) != 2) {
                throw new IOException(elf + " is not a 64-bit ELF file");
            }
            long phoff = h.getLong(0x20);
            int phentsize = Short.toUnsignedInt(h.getShort(0x36));
            int phnum = Short.toUnsignedInt(h.getShort(0x38));
            for (int i = 0; i < phnum; i++) {
                ByteBuffer ph = ByteBuffer.allocate(phentsize).order(ByteOrder.LITTLE_ENDIAN);
                ch.read(ph, phoff + (long) i * phentsize);
                if (ph.getInt(0) == 3) { // PT_INTERP
                    ByteBuffer s = ByteBuffer.allocate((int) Math.min(ph.getLong(0x20), 4096));
                    ch.read(s, ph.getLong(0x08));
                    return Optional.of(new String(s.array(), StandardCharsets.ISO_8859_1).replace("\0", ""));
                }
            }
            return Optional.empty();
        }
    }


    private static long ms(long t0) {
        return (System.nanoTime() - t0) / 1_000_000;
    }
}
