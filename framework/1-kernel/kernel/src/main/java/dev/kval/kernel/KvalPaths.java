package dev.kval.kernel;

import java.nio.file.Path;

/** Where kval keeps its cache (KVAL_CACHE) and state (KVAL_STATE); the same defaults as infra/env.sh. */
public final class KvalPaths {
    private KvalPaths() {
    }

    public static Path cache() {
        String v = firstNonBlank(System.getProperty("kval.cache"), System.getenv("KVAL_CACHE"));
        if (v != null) {
            return Path.of(v);
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("kval");
    }

    public static Path state() {
        String v = firstNonBlank(System.getProperty("kval.state"), System.getenv("KVAL_STATE"));
        return v != null ? Path.of(v) : cache().resolve("state");
    }

    /** The repository root when known (tests get -Dkval.repo from the parent pom; ./kval runs from it). */
    public static Path repo() {
        String v = firstNonBlank(System.getProperty("kval.repo"), System.getenv("KVAL_HOME"));
        return v != null ? Path.of(v) : Path.of("").toAbsolutePath();
    }

    private static String firstNonBlank(String... vs) {
        for (String v : vs) {
            if (v != null && !v.isBlank()) {
                return v;
            }
        }
        return null;
    }
}
