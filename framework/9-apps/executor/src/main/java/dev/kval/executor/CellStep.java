package dev.kval.executor;

import java.util.regex.Pattern;

/**
 * The executor's steps of one cell, in order, as a table: the default timeout, the failure class when the step times
 * out or fails without a verdict of its own, and the progress line of the child {@code ./kval run} that shows the step
 * has begun. A step the child never announces (no build for a packaged kernel, no boot for the local host) is skipped.
 */
public enum CellStep {
    FETCH(1800, "INFRA", null),
    BUILD(4 * 3600, "KERNEL", "^kval: kernel .*: building "),
    BOOT(900, "KERNEL", "^kval: [^ ]+: (booting |installing |kexec into )"),
    DEPLOY(600, "INFRA", "^kval: [^ ]+: [a-z]+ host up, kernel "),
    RUN(3600, "KERNEL", "^kval: [^ ]+: (agent deployed|running the agent)"),
    COLLECT(900, "INFRA", "^kval: (verdicts|report|summary): ");

    public final int defaultTimeoutS;
    public final String failureClass;
    private final Pattern begins;

    CellStep(int defaultTimeoutS, String failureClass, String begins) {
        this.defaultTimeoutS = defaultTimeoutS;
        this.failureClass = failureClass;
        this.begins = begins == null ? null : Pattern.compile(begins);
    }

    /** The store's name: fetch build boot deploy run collect. */
    public String id() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** The step a progress line of the child begins, if it is later than {@code current}. */
    public static CellStep begunBy(String line, CellStep current) {
        for (CellStep s : values()) {
            if (s.ordinal() > current.ordinal() && s.begins != null && s.begins.matcher(line).find()) {
                return s;
            }
        }
        return null;
    }

    /** summary.json's host failure stages -> the step they happened in. */
    public static CellStep ofStage(String stage) {
        return switch (stage == null ? "" : stage) {
            case "kernel", "plan" -> FETCH;
            case "provision" -> BOOT;
            case "deploy" -> DEPLOY;
            default -> RUN;
        };
    }
}
