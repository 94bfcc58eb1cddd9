package dev.kval.sweep;

import dev.kval.kernel.KernelSpec;
import dev.kval.kernel.debian.DebVersion;
import dev.kval.kernel.debian.DebianKernels;
import dev.kval.kernel.debian.DebianKernels.Candidate;
import dev.kval.kernel.debian.PrivateApt;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Expands a {@code --kernels} expression into the kernels of a sweep, in version order, one per kernel release.
 *
 * <p>Grammar: comma-separated items; an item is a range {@code debian:A..debian:B} ({@code debian:A..B},
 * {@code debian:A..} up to the newest) or a single spec ({@code debian:7.2.6}, {@code path:DIR}). Range bounds are
 * inclusive and match by prefix: {@code debian:6.12..debian:7.3} takes every 6.12.x up to every 7.3.x. A bound with
 * a {@code +} or {@code -} (an ABI such as {@code 6.12.117+deb12}) is compared against the ABI.
 */
public final class KernelSelection {
    private KernelSelection() {
    }

    /** Expands the expression against the private apt index (updated if older than 12 h; stale lists are used offline). */
    public static List<SweepKernel> expand(String expr, PrivateApt apt, Consumer<String> log) throws IOException {
        List<String> items = items(expr);
        List<Candidate> cs = null;
        if (items.stream().anyMatch(i -> i.startsWith("debian:"))) {
            try {
                apt.ensureUpdated(Duration.ofHours(12));
            } catch (IOException e) {
                if (!apt.hasLists()) {
                    throw new IOException("cannot read the Debian kernel index (apt-get update on " + apt.root() + " failed: "
                            + e.getMessage() + "); check the network to the Debian archive", e);
                }
                log.accept("apt-get update failed (" + e.getMessage() + "); using the lists from the last update");
            }
            cs = new DebianKernels(apt, null, log).candidates();
        }
        return expand(items, cs);
    }

    /** Pure expansion against a known candidate list (null if the expression has no debian: items). */
    static List<SweepKernel> expand(List<String> items, List<Candidate> all) {
        // linux-image-6.12-amd64 (ABI "6.12") is a meta package that only depends on the current 6.12.x image: it holds
        // no kernel, so it is no column of its own (its kernel is in the list under its real ABI).
        List<Candidate> cs = all == null ? null : all.stream().filter(c -> !c.meta()).toList();
        // One kernel per ABI (= kernel release <abi>-amd64): the newest package version of it.
        Map<String, SweepKernel> byLabel = new LinkedHashMap<>();
        for (String item : items) {
            int dots = item.indexOf("..");
            if (dots >= 0) {
                String lo = bound(item.substring(0, dots), item);
                String hi = bound(item.substring(dots + 2), item);
                List<Candidate> in = cs.stream().filter(c -> (lo.isEmpty() || atLeast(c, lo)) && (hi.isEmpty() || atMost(c, hi))).toList();
                if (in.isEmpty()) {
                    throw new IllegalArgumentException("no Debian kernel in the range '" + item + "' (known: " + known(cs) + ")");
                }
                in.forEach(c -> add(byLabel, of(c)));
            } else if (item.startsWith("debian:")) {
                KernelSpec.Debian d = (KernelSpec.Debian) KernelSpec.parse(item);
                Optional<Candidate> c = DebianKernels.select(cs, d.version());
                add(byLabel, of(c.orElseThrow(() -> new IllegalArgumentException("no Debian kernel matches '" + item + "' (known: "
                        + known(cs) + ")"))));
            } else {
                KernelSpec s = KernelSpec.parse(item);
                // Label and version are known only once resolved; the sweep re-labels it with the kernel release.
                add(byLabel, new SweepKernel(s.text(), s.text(), "0", ""));
            }
        }
        List<SweepKernel> out = new ArrayList<>(byLabel.values());
        out.sort(SweepKernel.VERSION_ORDER);
        return out;
    }

    static List<String> items(String expr) {
        List<String> out = new ArrayList<>();
        for (String s : expr == null ? new String[0] : expr.split(",")) {
            if (!s.isBlank()) {
                out.add(s.strip());
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("empty --kernels (expected e.g. 'debian:6.12..debian:7.3.4' or 'debian:7.1.13,debian:7.2.6')");
        }
        return out;
    }

    private static String bound(String b, String item) {
        String t = b.strip();
        if (t.startsWith("debian:")) {
            t = t.substring("debian:".length());
        } else if (!t.isEmpty() && t.contains(":")) {
            throw new IllegalArgumentException("range '" + item + "': only debian: kernels form ranges (got '" + b + "')");
        }
        if (!t.isEmpty() && !t.matches("[A-Za-z0-9.+~_-]+")) {
            throw new IllegalArgumentException("range '" + item + "': bad version '" + b + "'");
        }
        if (t.isEmpty() && !item.contains("debian:")) {
            throw new IllegalArgumentException("range '" + item + "' names no debian: kernel (expected debian:A..debian:B)");
        }
        return t;
    }

    private static SweepKernel of(Candidate c) {
        return new SweepKernel("debian:" + c.abi(), c.abi(), c.upstream(), c.version());
    }

    private static void add(Map<String, SweepKernel> m, SweepKernel k) {
        SweepKernel old = m.get(k.label());
        if (old == null || DebVersion.compare(k.packageVersion(), old.packageVersion()) > 0) {
            m.put(k.label(), k);
        }
    }

    private static String versionOf(Candidate c, String bound) {
        return bound.contains("+") || bound.contains("-") ? c.abi() : c.upstream();
    }

    /** Same version, or the bound is a prefix of it at a component edge (6.12 matches 6.12.43, not 6.120). */
    static boolean prefixMatch(String v, String bound) {
        return v.equals(bound) || v.startsWith(bound + ".") || v.startsWith(bound + "+") || v.startsWith(bound + "-")
                || v.startsWith(bound + "~");
    }

    static boolean atLeast(Candidate c, String lo) {
        String v = versionOf(c, lo);
        return prefixMatch(v, lo) || DebVersion.compare(v, lo) >= 0;
    }

    static boolean atMost(Candidate c, String hi) {
        String v = versionOf(c, hi);
        return prefixMatch(v, hi) || DebVersion.compare(v, hi) <= 0;
    }

    private static String known(List<Candidate> cs) {
        if (cs == null || cs.isEmpty()) {
            return "none";
        }
        List<String> v = cs.stream().map(Candidate::upstream).distinct().sorted(DebVersion::compare).toList();
        return v.get(0) + " ... " + v.get(v.size() - 1) + ", " + v.size() + " versions";
    }
}
