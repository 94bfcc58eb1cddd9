package dev.kval.executor;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What to run: every host x every kernel (the local host once, on its own kernel) x the suites, each cell a child
 * {@code ./kval run}. Stored as the run's request JSON.
 *
 * @param kernels   kernel specs for non-local hosts (debian:7.3.4, debian:newest, build:..., path:...)
 * @param hosts     local, qemu, ssh:NAME
 * @param suites    the agent's suites (empty: all)
 * @param casePattern only cases matching this glob (JSON "case"; null: all)
 * @param repeat    run each case N times (null: once)
 * @param stress    a stressor beside the suites (null: none)
 * @param timeouts  per step (fetch build boot deploy run collect), seconds, overriding the defaults
 * @param iterations race suite: iterations per thread (null: the agent's default)
 * @param seed      race suite: the seed of every thread's choices, decimal or 0x hex as a case's KTAP prints it (null: from
 *                  the clock); a string, since a 64-bit seed does not survive a JSON number in every client
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RunRequest(List<String> kernels, List<String> hosts, List<String> suites,
        @com.fasterxml.jackson.annotation.JsonProperty("case") String casePattern, Integer repeat,
        String stress, Map<String, Integer> timeouts, Integer iterations, String seed) {

    /** What each field accepts, checked before anything runs. */
    static final Pattern HOST = Pattern.compile("local|qemu|ssh:[A-Za-z0-9._-]+|lava:[A-Za-z0-9._-]+");
    static final Pattern KERNEL = Pattern.compile("(debian|build|path|git):[^\\s'\"`$;|&<>]+");
    static final Pattern CASE = Pattern.compile("[A-Za-z0-9._*?\\[\\]-]+");
    static final Set<String> SUITES = Set.of("api", "guest", "hugepage", "poison", "conversions", "migration", "perf", "kselftest", "race");
    static final Pattern SEED = Pattern.compile("(0[xX][0-9a-fA-F]{1,16}|[0-9]{1,20})");
    static final int MAX_ITERATIONS = 1_000_000;
    static final Set<String> STRESSORS = Set.of("churn", "thp", "fragment", "cpu");
    static final int MAX_REPEAT = 100, MAX_CELLS = 64;

    @com.fasterxml.jackson.annotation.JsonCreator // the JSON form is the full record; the short constructor is for code
    public RunRequest {
        kernels = kernels == null ? List.of() : List.copyOf(kernels);
        hosts = hosts == null ? List.of() : List.copyOf(hosts);
        suites = suites == null ? List.of() : List.copyOf(suites);
        timeouts = timeouts == null ? Map.of() : Map.copyOf(timeouts);
    }

    public RunRequest(List<String> kernels, List<String> hosts, List<String> suites, String casePattern, Integer repeat, String stress,
            Map<String, Integer> timeouts) {
        this(kernels, hosts, suites, casePattern, repeat, stress, timeouts, null, null);
    }

    /** @throws BadRequestException naming the first field that is wrong */
    public RunRequest validate() {
        if (hosts.isEmpty()) {
            throw new BadRequestException("hosts", "at least one host is required (local, qemu, ssh:NAME, lava:DEVICE_TYPE)");
        }
        for (String h : hosts) {
            if (h == null || !HOST.matcher(h).matches()) {
                throw new BadRequestException("hosts", "'" + h + "' is not a host (expected local, qemu, ssh:NAME or lava:DEVICE_TYPE)");
            }
        }
        for (String k : kernels) {
            if (k == null || !KERNEL.matcher(k).matches()) {
                throw new BadRequestException("kernels", "'" + k + "' is not a kernel spec (expected debian:<version>|debian:newest,"
                        + " build:<source>[,<fragment>...], git:<repo>@<ref>[,<config>...] or path:<dir>)");
            }
        }
        if (kernels.isEmpty() && hosts.stream().anyMatch(h -> !h.equals("local"))) {
            throw new BadRequestException("kernels", "hosts other than local need at least one kernel spec (e.g. debian:7.3.4)");
        }
        for (String s : suites) {
            if (!SUITES.contains(s)) {
                throw new BadRequestException("suites", "unknown suite '" + s + "' (known: " + String.join(",", new java.util.TreeSet<>(SUITES)) + ")");
            }
        }
        if (casePattern != null && !CASE.matcher(casePattern).matches()) {
            throw new BadRequestException("case", "'" + casePattern + "' is not a case glob (letters, digits, . _ - * ? [ ])");
        }
        if (repeat != null && (repeat < 1 || repeat > MAX_REPEAT)) {
            throw new BadRequestException("repeat", repeat + " is out of range 1.." + MAX_REPEAT);
        }
        if (iterations != null && (iterations < 1 || iterations > MAX_ITERATIONS)) {
            throw new BadRequestException("iterations", iterations + " is out of range 1.." + MAX_ITERATIONS);
        }
        if (seed != null && !SEED.matcher(seed).matches()) {
            throw new BadRequestException("seed", "'" + seed + "' is not a seed (decimal, or 0x and up to 16 hex digits, as a race case's KTAP prints it)");
        }
        if (seed != null && !seed.startsWith("0x") && !seed.startsWith("0X") && new java.math.BigInteger(seed).bitLength() > 64) {
            throw new BadRequestException("seed", seed + " does not fit in 64 bits");
        }
        if (stress != null && !STRESSORS.contains(stress)) {
            throw new BadRequestException("stress", "unknown stressor '" + stress + "' (known: churn, thp, fragment, cpu)");
        }
        for (Map.Entry<String, Integer> t : timeouts.entrySet()) {
            boolean known = java.util.Arrays.stream(CellStep.values()).anyMatch(s -> s.id().equals(t.getKey()));
            if (!known || t.getValue() == null || t.getValue() < 1) {
                throw new BadRequestException("timeouts", "'" + t.getKey() + "': " + t.getValue() + " (expected a step of fetch,"
                        + " build, boot, deploy, run, collect and a positive number of seconds)");
            }
        }
        if (cells().size() > MAX_CELLS) {
            throw new BadRequestException("hosts", cells().size() + " cells (hosts x kernels) exceed the limit of " + MAX_CELLS);
        }
        return this;
    }

    /** Hosts x kernels, in request order; the local host once, without a kernel. */
    public List<Cell> cells() {
        Map<String, Cell> out = new LinkedHashMap<>();
        for (String h : hosts) {
            if (h.equals("local")) {
                out.putIfAbsent("local", new Cell("local", null));
                continue;
            }
            for (String k : kernels) {
                Cell c = new Cell(h, k);
                out.putIfAbsent(c.label(), c);
            }
        }
        return new ArrayList<>(out.values());
    }

    public int timeoutS(CellStep s) {
        return timeouts.getOrDefault(s.id(), s.defaultTimeoutS);
    }

    /** The child's arguments after {@code run}. */
    public List<String> runArgs(Cell c, java.nio.file.Path out) {
        List<String> a = new ArrayList<>(List.of("--host", c.host()));
        if (c.kernel() != null) {
            a.addAll(List.of("--kernel", c.kernel()));
        }
        if (!suites.isEmpty()) {
            a.addAll(List.of("--suite", String.join(",", suites)));
        }
        if (casePattern != null) {
            a.addAll(List.of("--case", casePattern));
        }
        if (repeat != null) {
            a.addAll(List.of("--repeat", String.valueOf(repeat)));
        }
        if (stress != null) {
            a.addAll(List.of("--stress", stress.toLowerCase(Locale.ROOT)));
        }
        if (iterations != null) {
            a.addAll(List.of("--iterations", String.valueOf(iterations)));
        }
        if (seed != null) {
            a.addAll(List.of("--seed", seed));
        }
        a.addAll(List.of("--overall-timeout", String.valueOf(timeoutS(CellStep.RUN)), "--out", out.toString()));
        return a;
    }
}
