package dev.kval.kernel;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;

/** Reads the kernel release from an x86 bzImage header, and hashes files. */
public final class BzImage {
    private BzImage() {
    }

    /** The release (first word of the version string) from the x86 boot protocol header, if it is a bzImage. */
    public static Optional<String> release(Path image) throws IOException {
        byte[] head;
        try (InputStream in = Files.newInputStream(image)) {
            head = in.readNBytes(64 * 1024);
        }
        if (head.length < 0x210 || head[0x202] != 'H' || head[0x203] != 'd' || head[0x204] != 'r' || head[0x205] != 'S') {
            return Optional.empty();
        }
        int off = ((head[0x20E] & 0xff) | (head[0x20F] & 0xff) << 8) + 0x200;
        if (off <= 0x200 || off >= head.length) {
            return Optional.empty();
        }
        int end = off;
        while (end < head.length && head[end] != 0 && head[end] != ' ') {
            end++;
        }
        String r = new String(head, off, end - off, StandardCharsets.US_ASCII);
        return r.isEmpty() ? Optional.empty() : Optional.of(r);
    }

    public static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            int n;
            while ((n = in.read(buf)) > 0) {
                md.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
