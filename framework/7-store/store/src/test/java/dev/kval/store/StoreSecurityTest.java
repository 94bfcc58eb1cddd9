package dev.kval.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The attack on the default H2 store, performed: a second local process connects the way AUTO_SERVER allowed (the
 * server address from the lock file, user sa, no password) and runs {@code CREATE ALIAS} Java that writes a marker file.
 * A control shows the same attack succeeding against an AUTO_SERVER database, so the test can fail.
 */
class StoreSecurityTest {
    @TempDir
    Path tmp;

    /** Java an attacker makes H2 compile and run in whichever process holds the database. */
    private static String aliasAttack(Path marker) {
        return "CREATE ALIAS PWN AS 'String pwn() throws Exception { java.nio.file.Files.writeString(java.nio.file.Path.of(\""
                + marker + "\"), ProcessHandle.current().pid() + \"\"); return \"x\"; }'; CALL PWN();";
    }

    /** Runs H2's own shell in a new JVM (the "second process") against {@code url}; returns its exit code and output. */
    private static String[] secondProcess(String url, String user, String password, String sql, List<String> prefix) throws Exception {
        String h2 = Path.of(org.h2.Driver.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(prefix);
        cmd.addAll(List.of(java, "-cp", h2, "org.h2.tools.Shell", "-url", url, "-user", user, "-password", password, "-sql", sql));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the second process did not finish");
        return new String[] {String.valueOf(p.exitValue()), out};
    }

    @Test
    void aSecondProcessCannotConnectToTheDefaultStoreNorRunJavaInIt() throws Exception {
        Path data = tmp.resolve("data");
        Path marker = tmp.resolve("pwned");
        try (Store s = Store.open(Map.of(Store.ENV_DATA, data.toString()))) {
            assertFalse(s.url().toUpperCase().contains("AUTO_SERVER"), s.url());
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(data)));
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(data.resolve("store.password"))));
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(data.resolve("kval.mv.db"))));
            Path lock = data.resolve("kval.lock.db");
            if (Files.exists(lock)) {
                assertFalse(Files.readString(lock).contains("server="), "no H2 server address in the lock file:\n" + Files.readString(lock));
            }

            // the old attack: the default credentials, through AUTO_SERVER (or the file, if nothing serves it)
            String[] r = secondProcess(Store.defaultUrl(Map.of(Store.ENV_DATA, data.toString())) + ";AUTO_SERVER=TRUE", "sa", "",
                    aliasAttack(marker), List.of());
            assertNotEquals("0", r[0], "the second process connected:\n" + r[1]);
            assertFalse(Files.exists(marker), "CREATE ALIAS ran:\n" + r[1]);

            // even with the password: the file is held by this process (H2's file lock), so no second writer gets in
            String password = Files.readString(data.resolve("store.password")).strip();
            r = secondProcess(Store.defaultUrl(Map.of(Store.ENV_DATA, data.toString())), "sa", password, aliasAttack(marker), List.of());
            assertNotEquals("0", r[0], "the second process connected while the store was open:\n" + r[1]);
            assertFalse(Files.exists(marker), "CREATE ALIAS ran:\n" + r[1]);
            assertTrue(r[1].contains("90020") || r[1].toLowerCase().contains("already in use"), r[1]);

            // another local user cannot even read the directory (only checkable when the tests run as root)
            if ("root".equals(System.getProperty("user.name")) && Files.isExecutable(Path.of("/usr/bin/setpriv"))) {
                r = secondProcess(Store.defaultUrl(Map.of(Store.ENV_DATA, data.toString())), "sa", password, aliasAttack(marker),
                        List.of("/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"));
                assertNotEquals("0", r[0], "user nobody connected:\n" + r[1]);
                assertFalse(Files.exists(marker), r[1]);
            }
        }
    }

    @Test
    void controlTheSameAttackSucceedsAgainstAnAutoServerDatabase() throws Exception {
        Path marker = tmp.resolve("pwned");
        String url = "jdbc:h2:file:" + tmp.resolve("old/kval") + ";AUTO_SERVER=TRUE";
        try (Connection held = DriverManager.getConnection(url, "sa", ""); Statement st = held.createStatement()) {
            st.execute("CREATE TABLE t(x INT)");
            String[] r = secondProcess(url, "sa", "", aliasAttack(marker), List.of());
            assertEquals("0", r[0], r[1]);
            assertEquals(String.valueOf(ProcessHandle.current().pid()), Files.readString(marker),
                    "the alias ran inside the process that holds the database");
        }
        StoreException e = assertThrows(StoreException.class, () -> Store.open(url, "sa", ""));
        assertTrue(e.getMessage().contains("AUTO_SERVER"), e.getMessage());
    }

    @Test
    void anOldPasswordlessStoreGetsAPasswordAndPasswordsNeverShowInErrors() throws Exception {
        Path data = tmp.resolve("old");
        Files.createDirectories(data);
        Store.open("jdbc:h2:file:" + data.resolve("kval"), "sa", "").close(); // as an older kval made it
        try (Store s = Store.openDefault(data)) {
            assertTrue(s.results(ResultFilter.ALL).isEmpty());
        }
        assertThrows(java.sql.SQLException.class, () -> DriverManager.getConnection("jdbc:h2:file:" + data.resolve("kval"), "sa", "").close(),
                "the old empty password no longer opens it");
        StoreException e = assertThrows(StoreException.class,
                () -> Store.open("jdbc:postgresql://127.0.0.1:1/kval?user=u&password=hunter2", "u", "hunter2"));
        assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
        assertTrue(e.getMessage().contains("password=***"), e.getMessage());
    }
}
