package dev.kval.kernel.debian;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPInputStream;

/** Decompresses kernel modules (.ko, .ko.xz, .ko.zst, .ko.gz) with the system's xz / zstd. */
public final class ModuleFiles {
    private ModuleFiles() {
    }

    public static byte[] decompress(Path ko) throws IOException {
        String n = ko.getFileName().toString();
        if (n.endsWith(".ko")) {
            return Files.readAllBytes(ko);
        }
        if (n.endsWith(".gz")) {
            try (InputStream in = new GZIPInputStream(Files.newInputStream(ko))) {
                return in.readAllBytes();
            }
        }
        List<String> cmd = n.endsWith(".xz") ? List.of("xz", "-dc", ko.toString())
                : n.endsWith(".zst") ? List.of("zstd", "-dcq", ko.toString()) : null;
        if (cmd == null) {
            throw new IOException("unknown module compression: " + ko);
        }
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (InputStream in = p.getInputStream()) {
            in.transferTo(out);
        }
        try {
            if (p.waitFor() != 0) {
                throw new IOException(String.join(" ", cmd) + " failed");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        return out.toByteArray();
    }

    /** Name without directory and compression suffix: kernel/arch/x86/kvm/kvm-amd.ko.xz -> kvm-amd.ko */
    public static String plainName(String path) {
        String n = path.substring(path.lastIndexOf('/') + 1);
        for (String s : List.of(".xz", ".zst", ".gz")) {
            if (n.endsWith(s)) {
                return n.substring(0, n.length() - s.length());
            }
        }
        return n;
    }

}
