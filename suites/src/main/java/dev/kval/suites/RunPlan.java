package dev.kval.suites;

import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one run does: which (host, kernel) pairs, which suites, the agent's options and where the outputs go. The CLI
 * builds it from its options; a plain Maven/IDE run of the suites reads it from system properties ({@code kval.hosts},
 * {@code kval.suites}, {@code kval.out}) or the environment ({@code KVAL_HOSTS}, {@code KVAL_SUITES}). Hosts are a
 * comma-separated list of {@code <host>[=<kernel spec>]}; a {@code build:} kernel keeps its own comma-separated config list
 * ({@code qemu=build:linux-source-7.3,allnoconfig,qemu-kvm-host,sw-protected-vm}): an item that is not a host belongs to it.
 *
 * @param casePattern agent {@code --case} glob (null: all cases)
 * @param repeat      agent {@code --repeat} (null: once)
 * @param timeout     agent per-case {@code --timeout} in seconds (null: the agent's defaults)
 * @param overall     limit for one host's whole agent run
 * @param out         output directory: summary.json, allure-results, one directory per host
 * @param inventory   bare-metal inventory for ssh hosts (null: the default)
 * @param append      extra kernel command line for QEMU hosts (null: none)
 * @param kvalVersion written into summary.json and Allure's environment
 * @param place       send each suite to a target that can run it ({@link Placement}) instead of every suite to every target
 * @param race        the race suite's iterations and seed (its cases each get their own boot: {@link RaceBoots})
 */
public record RunPlan(List<Target> targets, List<String> suites, String casePattern, Integer repeat, Integer timeout,
        Duration overall, Path out, Path inventory, String append, String kvalVersion, String stress, boolean place,
        dev.kval.agent.RaceOptions race) {

    public RunPlan(List<Target> targets, List<String> suites, String casePattern, Integer repeat, Integer timeout, Duration overall,
            Path out, Path inventory, String append, String kvalVersion, String stress, boolean place) {
        this(targets, suites, casePattern, repeat, timeout, overall, out, inventory, append, kvalVersion, stress, place, null);
    }

    public RunPlan(List<Target> targets, List<String> suites, String casePattern, Integer repeat, Integer timeout, Duration overall,
            Path out, Path inventory, String append, String kvalVersion, String stress) {
        this(targets, suites, casePattern, repeat, timeout, overall, out, inventory, append, kvalVersion, stress, false);
    }

    /** One host to provision: {@code host} is a host spec (local, qemu, ssh:NAME); {@code kernel} may be null. */
    public record Target(String host, String kernel) {
        public String label() {
            return kernel == null ? host : host + "=" + kernel;
        }
    }

    public static final String DEFAULT_HOSTS = "local,qemu=debian:7.3.4";
    /** The agent's suites and their JUnit classes, in the agent's order. */
    public static final Map<String, Class<? extends AgentSuite>> SUITE_CLASSES = suiteClasses();
    /** Suites that run only when named: race leaves unkillable tasks behind on a kernel with a deadlock. */
    public static final List<String> OPT_IN_SUITES = List.of(RaceBoots.SUITE);
    /** The default selection (no --suite): every suite but the opt-in ones. */
    public static final List<String> ALL_SUITES = SUITE_CLASSES.keySet().stream().filter(s -> !OPT_IN_SUITES.contains(s)).toList();

    public RunPlan {
        targets = List.copyOf(targets);
        suites = suites == null || suites.isEmpty() ? ALL_SUITES : List.copyOf(suites);
        overall = overall == null ? Duration.ofMinutes(20) : overall;
        kvalVersion = kvalVersion == null ? "unknown" : kvalVersion;
        race = race == null ? dev.kval.agent.RaceOptions.DEFAULT : race;
        if (stress != null && !dev.kval.workload.Stressor.NAMES.contains(stress)) {
            throw new IllegalArgumentException("unknown stressor '" + stress + "' (known: " + String.join(", ", dev.kval.workload.Stressor.NAMES) + ")");
        }
        if (targets.isEmpty()) {
            throw new IllegalArgumentException("the run plan names no host (expected e.g. local,qemu=debian:7.3.4)");
        }
        for (String s : suites) {
            if (!SUITE_CLASSES.containsKey(s)) {
                throw new IllegalArgumentException("unknown suite '" + s + "' (known: " + String.join(",", SUITE_CLASSES.keySet()) + ")");
            }
        }
    }

    /** The plan of a plain JUnit run (surefire, IDE): hosts and suites from properties, outputs under kval.out. */
    public static RunPlan fromEnvironment() {
        String hosts = System.getProperty("kval.hosts", System.getenv().getOrDefault("KVAL_HOSTS", DEFAULT_HOSTS));
        String suites = System.getProperty("kval.suites", System.getenv().getOrDefault("KVAL_SUITES", ""));
        String out = System.getProperty("kval.out",
                "runs/suites-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        RunPlan p = parse(hosts, suites);
        return new RunPlan(p.targets(), p.suites(), null, null, null, Duration.ofMinutes(20), Path.of(out), null, null,
                System.getProperty("kval.version", "suites"), System.getProperty("kval.stress"), Boolean.getBoolean("kval.place"));
    }

    /** Targets from {@code <host>[=<kernel spec>],...} and suites from a comma list (empty: all). */
    public static RunPlan parse(String hosts, String suites) {
        List<Target> targets = new ArrayList<>();
        for (String entry : hosts.split(",")) {
            String e = entry.strip();
            if (e.isEmpty()) {
                continue;
            }
            int eq = e.indexOf('=');
            String host = eq < 0 ? e : e.substring(0, eq).strip();
            if (!host.matches("local|qemu|ssh:.+|lava:.+") && !targets.isEmpty() && targets.get(targets.size() - 1).kernel() != null) {
                // a build: spec's own comma list (build:linux-source-7.3,sw-protected-vm): belongs to the previous kernel
                Target prev = targets.remove(targets.size() - 1);
                targets.add(new Target(prev.host(), prev.kernel() + "," + e));
                continue;
            }
            targets.add(eq < 0 ? new Target(e, null) : new Target(host, e.substring(eq + 1).strip()));
        }
        List<String> selected = new ArrayList<>();
        for (String s : suites.split(",")) {
            if (!s.isBlank()) {
                selected.add(s.strip());
            }
        }
        return new RunPlan(targets, selected, null, null, null, null, Path.of("."), null, null, null, null);
    }

    /** This plan for one agent run of {@code suites} restricted to the cases matching {@code casePattern}. */
    public RunPlan narrowed(List<String> suites, String casePattern) {
        return new RunPlan(targets, suites, casePattern, repeat, timeout, overall, out, inventory, append, kvalVersion, stress, place, race);
    }

    /** The JUnit classes of the planned suites. */
    public static List<Class<? extends AgentSuite>> classesOf(List<String> names) {
        return names.stream().<Class<? extends AgentSuite>>map(SUITE_CLASSES::get).toList();
    }

    /**
     * A directory name per target: the host's name ("qemu", "local", the inventory name) when it is unique in the plan,
     * else with the kernel spec, so {@code qemu=debian:7.3.4} and {@code qemu=debian:6.1.0-56} do not collide.
     */
    public String dirName(Target t) {
        String base = t.host().startsWith("ssh:") ? t.host().substring(4) : t.host().replace(':', '-');
        long same = targets.stream().filter(o -> o.host().equals(t.host())).count();
        String name = same == 1 || t.kernel() == null ? base : base + "-" + t.kernel();
        return name.replaceAll("[^A-Za-z0-9._+-]", "-");
    }

    private static Map<String, Class<? extends AgentSuite>> suiteClasses() {
        Map<String, Class<? extends AgentSuite>> m = new LinkedHashMap<>();
        m.put("api", ApiSuite.class);
        m.put("guest", GuestSuite.class);
        m.put("hugepage", HugepageSuite.class);
        m.put("poison", PoisonSuite.class);
        m.put("conversions", ConversionsSuite.class);
        m.put("migration", MigrationSuite.class);
        m.put("perf", PerfSuite.class);
        m.put(RaceBoots.SUITE, RaceSuite.class); // opt-in, one boot per case
        m.put(KselftestStage.SUITE, KselftestSuite.class); // not the agent's: the kernel's own selftests, same host
        return java.util.Collections.unmodifiableMap(m);
    }
}
