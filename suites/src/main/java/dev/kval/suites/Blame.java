package dev.kval.suites;

import dev.kval.host.Attribution;
import java.util.Optional;

/**
 * Who a failed verdict is attributed to. Every failure message starts with the tag, so Allure's categories.json can
 * match it and the CLI can derive its exit code from the verdicts: kernel and test -> 1, infrastructure -> 2.
 */
public enum Blame {
    KERNEL("[kernel]"), TEST("[test]"), INFRA("[infra]");

    private final String tag;

    Blame(String tag) {
        this.tag = tag;
    }

    public String tag() {
        return tag;
    }

    /** The message, tagged: "[kernel] ...". */
    public String message(String text) {
        return tag + " " + text;
    }

    public static Blame of(Attribution a) {
        return a == Attribution.KERNEL ? KERNEL : INFRA;
    }

    /** The blame a failure message was tagged with, if any. */
    public static Optional<Blame> ofMessage(String message) {
        if (message != null) {
            for (Blame b : values()) {
                if (message.startsWith(b.tag)) {
                    return Optional.of(b);
                }
            }
        }
        return Optional.empty();
    }
}
