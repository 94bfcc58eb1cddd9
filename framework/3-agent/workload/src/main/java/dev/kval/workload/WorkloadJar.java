package dev.kval.workload;

import dev.kval.kernel.BzImage;
import dev.kval.kernel.KvalPaths;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/** The kval-workloads jar, as a local file to upload: the one on the classpath, or packed from its class directory. */
public final class WorkloadJar {
    static final String MAIN = "dev.kval.workloads.Main";

    private WorkloadJar() {
    }

    public static Path locate() throws IOException {
        Path src;
        try {
            Class<?> main = Class.forName(MAIN);
            src = Path.of(main.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (ClassNotFoundException | URISyntaxException | NullPointerException e) {
            throw new IOException("the kval-workloads classes (" + MAIN + ") are not on the classpath: build images/workloads"
                    + " (./mvnw install -pl images/workloads)", e);
        }
        if (Files.isRegularFile(src)) {
            return src;
        }
        // a class directory (an IDE, or a reactor build that stopped before `package`): pack it once per content
        return pack(src);
    }

    static Path pack(Path classes) throws IOException {
        List<Path> files;
        try (var s = Files.walk(classes)) {
            files = s.filter(Files::isRegularFile).sorted().toList();
        }
        StringBuilder key = new StringBuilder();
        for (Path f : files) {
            key.append(classes.relativize(f)).append('=').append(BzImage.sha256(f)).append('\n');
        }
        Path dir = Files.createDirectories(KvalPaths.cache().resolve("workloads"));
        Path tmp = Files.createTempFile(dir, ".key", ".tmp");
        Files.writeString(tmp, key);
        Path out = dir.resolve("kval-workloads-" + BzImage.sha256(tmp).substring(0, 16) + ".jar");
        Files.delete(tmp);
        if (Files.exists(out)) {
            return out;
        }
        Manifest mf = new Manifest();
        mf.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        mf.getMainAttributes().put(Attributes.Name.MAIN_CLASS, MAIN);
        Path part = Files.createTempFile(dir, ".jar", ".tmp");
        try (OutputStream o = Files.newOutputStream(part); JarOutputStream j = new JarOutputStream(o, mf)) {
            for (Path f : files) {
                j.putNextEntry(new JarEntry(classes.relativize(f).toString().replace('\\', '/')));
                Files.copy(f, j);
                j.closeEntry();
            }
        }
        Files.move(part, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return out;
    }
}
