package dev.kval.triage;

/** A kernel row of the store: the build a series ran on. */
public record KernelInfo(long id, String spec, String release, String configHash) {
    /** Short label for pages and reports: the release, with the config hash's first 8 characters when known. */
    public String label() {
        return release + (configHash == null || configHash.isEmpty() ? "" : " cfg:" + configHash.substring(0, Math.min(8, configHash.length())));
    }

    /** True when a user's kernel argument names this kernel: its spec, its release, or its release without -amd64. */
    public boolean matches(String kernel) {
        return kernel.equals(spec) || kernel.equals(release) || release.startsWith(kernel + "-")
                || ("debian:" + release).startsWith(kernel + "-") || ("debian:" + release).startsWith(kernel + "+");
    }
}
