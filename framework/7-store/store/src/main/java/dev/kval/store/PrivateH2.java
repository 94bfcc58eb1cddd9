package dev.kval.store;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.Set;

/**
 * The default H2 store's private directory: mode 0700, a generated password in {@code store.password} (0600), the
 * database files 0600. The directory's mode is what keeps other local users out (H2 creates its files with the
 * process' umask); the files are narrowed as well so that a copy of the directory does not widen them.
 */
final class PrivateH2 {
    static final String PASSWORD_FILE = "store.password";
    private static final Set<PosixFilePermission> DIR = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");

    private PrivateH2() {
    }

    /** Makes {@code dir} private and returns the store's password, generating it (and setting it on an old database). */
    static String prepare(Path dir) throws IOException {
        privateDirectory(dir);
        Path file = dir.resolve(PASSWORD_FILE);
        if (Files.isSymbolicLink(file)) {
            throw new IOException(file + " is a symbolic link: the store's password file must be a plain file kval made");
        }
        if (Files.exists(file)) {
            Files.setPosixFilePermissions(file, FILE);
            String password = Files.readString(file).strip();
            if (password.isEmpty()) {
                throw new IOException(file + " is empty: restore it, or delete it together with the database files kval.*.db");
            }
            return password;
        }
        byte[] random = new byte[24];
        new SecureRandom().nextBytes(random);
        String password = HexFormat.of().formatHex(random);
        Path db = dir.resolve("kval.mv.db");
        if (Files.exists(db)) {
            // a store an older kval made (user sa, empty password): give it the password before anything else opens it
            try (Connection c = DriverManager.getConnection("jdbc:h2:file:" + dir.resolve("kval"), "sa", "");
                    Statement st = c.createStatement()) {
                st.execute("ALTER USER SA SET PASSWORD '" + password + "'");
            } catch (SQLException e) {
                throw new IOException("the existing store " + db + " has no " + PASSWORD_FILE + " and does not open with the old"
                        + " default credentials (" + e.getMessage() + "): put its password into " + file + " (mode 0600)", e);
            }
        }
        Path tmp = Files.createTempFile(dir, PASSWORD_FILE, ".tmp", PosixFilePermissions.asFileAttribute(FILE));
        Files.writeString(tmp, password + "\n");
        Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        return password;
    }

    static void privateDirectory(Path dir) throws IOException {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            Files.createDirectories(dir.getParent());
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(DIR));
        }
        PosixFileAttributeView view = Files.getFileAttributeView(dir, PosixFileAttributeView.class);
        if (view != null && !view.readAttributes().permissions().equals(DIR)) {
            view.setPermissions(DIR);
        }
    }

    /** The database files (kval.mv.db, kval.trace.db, ...) to 0600. */
    static void narrowFiles(Path dir) throws IOException {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "kval.*")) {
            for (Path f : files) {
                if (Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)) {
                    Files.setPosixFilePermissions(f, FILE);
                }
            }
        }
    }
}
