package dev.kval.store;

/** A store operation failed; the message names the database (URL without password) and what to do. */
public final class StoreException extends RuntimeException {
    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
