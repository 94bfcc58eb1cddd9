package dev.kval.result;

/**
 * A failure of the infrastructure outside any host (the agent binary missing, the race cases not listable): typed, so
 * whoever catches it records an INFRA verdict without reading the message.
 */
public final class InfraException extends IllegalStateException {
    public InfraException(String message) {
        super(message);
    }

    public InfraException(String message, Throwable cause) {
        super(message, cause);
    }
}
