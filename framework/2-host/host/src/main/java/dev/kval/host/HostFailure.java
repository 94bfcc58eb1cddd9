package dev.kval.host;

import java.io.IOException;
import java.util.List;

/**
 * A host could not complete what was asked: it is dead, unreachable or the transport dropped. Never a test result:
 * carries who is to blame ({@link Attribution}) and the evidence (e.g. the console splat, QEMU's stderr).
 */
public class HostFailure extends IOException {
    private final Attribution attribution;
    private final List<String> evidence;

    public HostFailure(Attribution attribution, String message, List<String> evidence, Throwable cause) {
        super(message, cause);
        this.attribution = attribution;
        this.evidence = List.copyOf(evidence);
    }

    public HostFailure(Attribution attribution, String message, List<String> evidence) {
        this(attribution, message, evidence, null);
    }

    public static HostFailure infra(String message, Throwable cause) {
        return new HostFailure(Attribution.INFRASTRUCTURE, message, List.of(), cause);
    }

    public Attribution attribution() {
        return attribution;
    }

    /** Evidence lines: for KERNEL the oops/panic splat from the console; for INFRASTRUCTURE whatever is known. */
    public List<String> evidence() {
        return evidence;
    }
}
