package dev.kval.store;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * For tests only (the store's test-jar): a JDBC connection to a store, for tests that write rows by hand (a hostile
 * kernel release for the dashboard's escaping) or check columns no store method returns. Main code has no such
 * access: {@link Store#connection()} is package-private, so SQL lives in this module.
 */
public final class StoreTestAccess {
    private StoreTestAccess() {
    }

    public static Connection connection(Store store) throws SQLException {
        return store.connection();
    }

    /** Work in one transaction of the store's own (committed when it returns, rolled back when it throws). */
    @FunctionalInterface
    public interface Work<T> {
        T run(Connection c) throws Exception;
    }

    public static <T> T inTransaction(Store store, Work<T> work) {
        return store.inTransaction(work::run);
    }
}
