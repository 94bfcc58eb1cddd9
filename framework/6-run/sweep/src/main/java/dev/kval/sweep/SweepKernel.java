package dev.kval.sweep;

import dev.kval.kernel.debian.DebVersion;
import java.util.Comparator;

/**
 * One kernel of a sweep before it is resolved: the spec kval resolves it with, a label for output directories and
 * columns, and the two versions that order it (upstream kernel version, then the Debian package version, so
 * 6.12.117+deb12 and 6.12.117+deb13 sit side by side).
 */
public record SweepKernel(String spec, String label, String upstream, String packageVersion) {

    /** Version order: upstream first, then package version, then label (a stable tie-break for path: kernels). */
    public static final Comparator<SweepKernel> VERSION_ORDER = (a, b) -> {
        int c = DebVersion.compare(a.upstream(), b.upstream());
        if (c == 0) {
            c = DebVersion.compare(a.packageVersion(), b.packageVersion());
        }
        return c != 0 ? c : a.label().compareTo(b.label());
    };

    @Override
    public String toString() {
        return label;
    }
}
