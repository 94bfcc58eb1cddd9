package dev.kval.kernel;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A kernel to test: {@code path:<dir|file>}, {@code debian:<version|abi|package-version|newest>} or
 * {@code build:<source>[,<config>...]} or {@code git:<repo>@<ref>[,<config>...]} (a commit of a git repository, built
 * like {@code build:}).
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

    /**
     * {@code git:<repo>@<ref>[,<base>][,<fragment>...]}: repo is any URL git can fetch or a path (it may contain '@', as in
     * git@host:path: the last '@' before the first ',' separates the ref); config as for {@code build:}.
     */
    record Git(String repo, String ref, List<String> config) implements KernelSpec {
        public String text() {
            return "git:" + repo + "@" + ref + (config.isEmpty() ? "" : "," + String.join(",", config));
        }

        /** The same repository and config at another ref (bisection steps, nightly heads). */
        public Git at(String otherRef) {
            return new Git(repo, otherRef, config);
        }
    }

    /**
     * Splits a comma-separated list of specs whose build: and git: members have commas of their own: a new spec starts
     * only at a piece that begins with a kind ({@code debian: build: path: git:}).
     */
    static List<String> splitList(String list) {
        List<String> out = new ArrayList<>();
        for (String piece : list.split(",")) {
            String p = piece.strip();
            if (p.isEmpty()) {
                continue;
            }
            if (out.isEmpty() || p.matches("(debian|build|path|git):.*")) {
                out.add(p);
            } else {
                out.set(out.size() - 1, out.get(out.size() - 1) + "," + p);
            }
        }
        return out;
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
            case "git": {
                String[] parts = rest.split(",");
                int at = parts[0].lastIndexOf('@');
                if (at <= 0 || at == parts[0].length() - 1) {
                    throw new IllegalArgumentException("bad git kernel spec '" + spec
                            + "' (expected git:<repo>@<branch|tag|commit>[,<base>][,<fragment>...], e.g. git:/src/linux.git@kvm-next,allnoconfig,qemu-kvm-host)");
                }
                List<String> config = new ArrayList<>();
                for (int i = 1; i < parts.length; i++) {
                    if (!parts[i].isBlank()) {
                        config.add(parts[i].strip());
                    }
                }
                return new Git(parts[0].substring(0, at), parts[0].substring(at + 1), List.copyOf(config));
            }
            default:
                if (colon < 0 && (spec.startsWith("/") || spec.startsWith("."))) {
                    return new Local(Path.of(spec));
                }
                throw new IllegalArgumentException("unknown kernel spec '" + spec
                        + "' (expected path:<dir|file>, debian:<version>|debian:newest, build:<source> or git:<repo>@<ref>)");
        }
    }
}
