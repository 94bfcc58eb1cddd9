package dev.kval.host.qemu;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a guest booted for {@code --stress} gets of this machine: this JVM's home (read-only, tag {@value #JDK_TAG})
 * and a small root made for it (read-only, tag {@value #ROOT_TAG}): the shared libraries the JVM links against (as
 * {@code ldd} lists them), the Debian JDK's configuration files its {@code conf/} links point to under
 * {@code /etc/java-*}, and empty mount points. Nothing else: the guest runs the candidate kernel, which is untrusted,
 * so it must not see this machine's files (SSH keys, tokens, the store). The workload jar goes in over SSH into the
 * guest's own /tmp.
 */
public final class JvmShare {
    public static final String ROOT_TAG = "kvalroot", JDK_TAG = "kvaljdk";
    /** The shared libraries of these JDK libraries are what a headless workload JVM loads. */
    private static final List<String> JDK_LIBS = List.of("bin/java", "lib/server/libjvm.so", "lib/libjli.so", "lib/libjava.so",
            "lib/libzip.so", "lib/libjimage.so", "lib/libnio.so", "lib/libnet.so", "lib/libverify.so", "lib/libextnet.so",
            "lib/libmanagement.so", "lib/libmanagement_ext.so", "lib/libprefs.so");
    private static final Pattern LDD = Pattern.compile("(?:=>\\s*)?(/\\S+)\\s+\\(0x");

    private JvmShare() {
    }

    /** This JVM's home: the path the guest's chroot runs {@code bin/java} from. */
    public static Path javaHome() {
        return Path.of(System.getProperty("java.home")).toAbsolutePath().normalize();
    }

    /** The QEMU arguments for the two read-only shares; {@code root} from {@link #stage}. */
    public static List<String> qemuArgs(Path root) throws IOException {
        // security_model=none + readonly=on: the guest reads with QEMU's rights and cannot write; multidevs=remap in
        // case the JDK spans filesystems. Paths must not hold a comma (QEMU's option separator).
        String jdk = javaHome().toRealPath().toString();
        String r = root.toRealPath().toString();
        for (String p : List.of(jdk, r)) {
            if (p.contains(",")) {
                throw new IOException("cannot share " + p + " with a QEMU guest: its path holds a comma");
            }
        }
        return List.of("-virtfs", "local,path=" + r + ",mount_tag=" + ROOT_TAG + ",security_model=none,readonly=on",
                "-virtfs", "local,path=" + jdk + ",mount_tag=" + JDK_TAG + ",security_model=none,readonly=on,multidevs=remap");
    }

    /** Builds the small root under {@code dir} (replaced if present) and returns it. */
    public static Path stage(Path dir) throws IOException {
        Path root = dir.resolve("jvm-root");
        if (Files.exists(root)) {
            dev.kval.kernel.KernelCache.deleteTree(root);
        }
        Files.createDirectories(root);
        for (String d : List.of("proc", "sys", "dev", "tmp", "etc")) {
            Files.createDirectories(root.resolve(d));
        }
        Path home = javaHome();
        Files.createDirectories(root.resolve(home.toString().substring(1)));
        for (String lib : libraries(home)) {
            copy(Path.of(lib), root);
        }
        // Debian's JDK links conf/ and lib/jvm.cfg to /etc/java-NN-openjdk: those files (configuration, no secrets)
        Files.walkFileTree(home, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path f, BasicFileAttributes a) throws IOException {
                if (a.isSymbolicLink() && Files.exists(f)) { // dangling links (src.zip without the sources) stay so
                    Path target = f.toRealPath();
                    if (!target.startsWith(home.toRealPath()) && target.toString().matches("/etc/java-[^/]+/.*")) {
                        copy(target, root);
                    }
                }
                return FileVisitResult.CONTINUE;
            }
        });
        return root;
    }

    /** The absolute paths of the shared libraries (and the ELF interpreter) the JVM's own libraries need. */
    static List<String> libraries(Path home) throws IOException {
        TreeSet<String> out = new TreeSet<>();
        for (String l : JDK_LIBS) {
            Path f = home.resolve(l);
            if (!Files.exists(f)) {
                continue;
            }
            Process p = new ProcessBuilder("ldd", f.toString()).redirectErrorStream(true).start();
            String text = new String(p.getInputStream().readAllBytes());
            try {
                p.waitFor(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted listing the libraries of " + f, e);
            }
            Matcher m = LDD.matcher(text);
            while (m.find()) {
                if (!Path.of(m.group(1)).startsWith(home)) {
                    out.add(m.group(1));
                }
            }
        }
        if (out.stream().noneMatch(s -> s.contains("libc.so"))) {
            throw new IOException("ldd found no libc for this JVM (" + home + "): cannot build the guest's JVM root");
        }
        return new ArrayList<>(out);
    }

    /** Copies a file's content (links followed) to the same absolute path under {@code root}. */
    private static void copy(Path file, Path root) throws IOException {
        Path to = root.resolve(file.toString().substring(1));
        Files.createDirectories(to.getParent());
        Files.copy(file, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
    }
}
