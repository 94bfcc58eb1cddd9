package dev.kval.cli;

import dev.kval.store.Store;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Option;

/** Where the result store and kval's data are, for the commands that use them (results, nightly). */
class StoreOptions {
    @Option(names = "--db", description = "result store JDBC URL (default: $KVAL_DB_URL, else the H2 file under the data directory;"
            + " user and password from KVAL_DB_USER / KVAL_DB_PASSWORD)")
    String db;

    @Option(names = "--data", description = "kval's data directory: the H2 store and the runs' files (default: $KVAL_HOME_DATA or ~/.local/share/kval)")
    Path data;

    Store open() {
        if (db != null) {
            return Store.open(db, Optional.ofNullable(System.getenv(Store.ENV_USER)).orElse(db.startsWith("jdbc:h2:") ? "sa" : ""),
                    Optional.ofNullable(System.getenv(Store.ENV_PASSWORD)).orElse(""));
        }
        if (data != null && System.getenv(Store.ENV_URL) == null) {
            return Store.openDefault(data.toAbsolutePath());
        }
        return Store.open();
    }

    Path dataDir() {
        if (data != null) {
            return data.toAbsolutePath();
        }
        String env = System.getenv(Store.ENV_DATA);
        return env != null && !env.isBlank() ? Path.of(env) : Path.of(System.getProperty("user.home"), ".local", "share", "kval");
    }
}
