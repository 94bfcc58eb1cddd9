package dev.kval.suites;

import java.util.ArrayList;
import java.util.List;

/**
 * Which (host, kernel) pairs the suites run on. Read from the system property {@code kval.hosts} (or the environment
 * variable {@code KVAL_HOSTS}): a comma-separated list of {@code <host>[=<kernel spec>]}, e.g.
 * {@code local,qemu=debian:7.3.4,qemu=debian:6.12.117}; a {@code build:} kernel keeps its own comma-separated config list
 * ({@code qemu=build:linux-source-7.3,sw-protected-vm,slim-qemu}): an item that is not a host belongs to it.
 */
public record RunPlan(List<Target> targets, List<String> suites) {

    /** One host to provision: {@code host} is a host spec (local, qemu, ssh:NAME); {@code kernel} may be null. */
    public record Target(String host, String kernel) {
        public String label() {
            return kernel == null ? host : host + "=" + kernel;
        }
    }

    public static final String DEFAULT_HOSTS = "local,qemu=debian:7.3.4";
    public static final List<String> ALL_SUITES =
            List.of("api", "guest", "hugepage", "poison", "conversions", "migration", "perf");

    public static RunPlan fromEnvironment() {
        String hosts = System.getProperty("kval.hosts", System.getenv().getOrDefault("KVAL_HOSTS", DEFAULT_HOSTS));
        String suites = System.getProperty("kval.suites", System.getenv().getOrDefault("KVAL_SUITES", ""));
        return parse(hosts, suites);
    }

    public static RunPlan parse(String hosts, String suites) {
        List<Target> targets = new ArrayList<>();
        for (String entry : hosts.split(",")) {
            String e = entry.strip();
            if (e.isEmpty()) {
                continue;
            }
            int eq = e.indexOf('=');
            String host = eq < 0 ? e : e.substring(0, eq).strip();
            if (!host.matches("local|qemu|ssh:.+") && !targets.isEmpty() && targets.get(targets.size() - 1).kernel() != null) {
                // a build: spec's own comma list (build:linux-source-7.3,sw-protected-vm): belongs to the previous kernel
                Target prev = targets.remove(targets.size() - 1);
                targets.add(new Target(prev.host(), prev.kernel() + "," + e));
                continue;
            }
            targets.add(eq < 0 ? new Target(e, null) : new Target(host, e.substring(eq + 1).strip()));
        }
        if (targets.isEmpty()) {
            throw new IllegalArgumentException("kval.hosts names no host (expected e.g. local,qemu=debian:7.3.4)");
        }
        List<String> selected = new ArrayList<>();
        for (String s : suites.split(",")) {
            if (!s.isBlank()) {
                if (!ALL_SUITES.contains(s.strip())) {
                    throw new IllegalArgumentException("kval.suites: unknown suite '" + s.strip() + "' (known: "
                            + String.join(",", ALL_SUITES) + ")");
                }
                selected.add(s.strip());
            }
        }
        return new RunPlan(List.copyOf(targets), selected.isEmpty() ? ALL_SUITES : List.copyOf(selected));
    }
}
