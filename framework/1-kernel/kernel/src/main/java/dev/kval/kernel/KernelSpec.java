package dev.kval.kernel;

import java.nio.file.Path;

/**
 * A kernel to test: {@code path:<dir|file>}, {@code debian:<version|abi|package-version|newest>} or
 * {@code build:<source>} (not implemented yet).
 */
public sealed interface KernelSpec {

    /** The spec as the user wrote it, normalised (used as cache key for spec lookups). */
    String text();

    record Local(Path path) implements KernelSpec {
        public String text() {
            return "path:" + path.toAbsolutePath().normalize();
        }
    }

    record Debian(String version) implements KernelSpec {
        public String text() {
            return "debian:" + version;
        }

        public boolean newest() {
            return version.equals("newest") || version.equals("latest");
        }
    }

    record Build(String source) implements KernelSpec {
        public String text() {
            return "build:" + source;
        }
    }

    static KernelSpec parse(String spec) {
        if (spec == null || spec.isBlank()) {
            throw new IllegalArgumentException("empty kernel spec (expected path:<dir|file>, debian:<version> or build:<source>)");
        }
        int colon = spec.indexOf(':');
        String kind = colon < 0 ? "" : spec.substring(0, colon);
        String rest = colon < 0 ? spec : spec.substring(colon + 1);
        switch (kind) {
            case "path":
                return new Local(Path.of(rest));
            case "debian":
                if (rest.isBlank() || !rest.matches("[A-Za-z0-9.+~:_-]+")) {
                    throw new IllegalArgumentException("bad debian kernel version '" + rest + "' in '" + spec + "'");
                }
                return new Debian(rest);
            case "build":
                return new Build(rest);
            default:
                if (colon < 0 && (spec.startsWith("/") || spec.startsWith("."))) {
                    return new Local(Path.of(spec));
                }
                throw new IllegalArgumentException("unknown kernel spec '" + spec
                        + "' (expected path:<dir|file>, debian:<version>|debian:newest or build:<source>)");
        }
    }
}
