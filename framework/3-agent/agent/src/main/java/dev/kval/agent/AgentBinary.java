package dev.kval.agent;

import dev.kval.kernel.BzImage;
import dev.kval.kernel.KvalPaths;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/** Finds the static C agent: the classpath resource kval/agent/kval-agent, else images/agent/build/kval-agent. */
public final class AgentBinary {
    public static final String RESOURCE = "kval/agent/kval-agent";

    private AgentBinary() {
    }

    /** The agent as a local executable file (extracted under $KVAL_CACHE/agent/&lt;sha256&gt;/ when from the classpath). */
    public static Path locate() throws IOException {
        try (InputStream in = AgentBinary.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            if (in != null) {
                Path dir = KvalPaths.cache().resolve("agent");
                Files.createDirectories(dir);
                Path tmp = Files.createTempFile(dir, ".agent", ".tmp");
                Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
                String sha = BzImage.sha256(tmp);
                Path dest = dir.resolve(sha.substring(0, 16)).resolve("kval-agent");
                if (Files.exists(dest) && Files.size(dest) == Files.size(tmp)) {
                    Files.delete(tmp);
                } else {
                    Files.createDirectories(dest.getParent());
                    Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
                    Files.move(tmp, dest, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                }
                return dest;
            }
        }
        for (Path base : new Path[] {KvalPaths.repo(), Path.of("").toAbsolutePath()}) {
            Path p = base;
            for (int i = 0; i < 4 && p != null; i++, p = p.getParent()) {
                Path dev = p.resolve("images/agent/build/kval-agent");
                if (Files.isExecutable(dev)) {
                    return dev;
                }
            }
        }
        throw new IOException("the kval agent binary is neither on the classpath (" + RESOURCE
                + ") nor built at images/agent/build/kval-agent (run: make -C images/agent)");
    }
}
