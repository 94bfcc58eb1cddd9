package dev.kval.executor;

/** A run request that cannot run: names the field, what is wrong with it and what is accepted. */
public final class BadRequestException extends RuntimeException {
    private final String field;

    public BadRequestException(String field, String message) {
        super(field + ": " + message);
        this.field = field;
    }

    public String field() {
        return field;
    }
}
