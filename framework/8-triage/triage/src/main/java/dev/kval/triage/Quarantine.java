package dev.kval.triage;

import dev.kval.store.QuarantineTable;
import dev.kval.store.Store;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The quarantine: known-flaky tests, each with a failure-rate budget the gate tolerates (store table {@code quarantine}).
 * An entry matches by globs on the test id, the kernel (spec or release) and the host class; expired entries are kept
 * (for the record) but no longer match.
 */
public final class Quarantine {
    public record Entry(long id, String testGlob, String kernelGlob, String hostClass, double budget, String reason, String createdBy,
            Instant createdAt, Instant expiresAt) {
        /** JSON-ready (times as ISO-8601 strings), for the CLI's --json and the API. */
        public java.util.Map<String, Object> toMap() {
            java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
            m.put("id", id);
            m.put("test", testGlob);
            m.put("kernel", kernelGlob);
            m.put("hostClass", hostClass);
            m.put("budget", budget);
            m.put("reason", reason);
            m.put("createdBy", createdBy);
            m.put("createdAt", createdAt.toString());
            m.put("expiresAt", expiresAt == null ? null : expiresAt.toString());
            m.put("active", active(Instant.now()));
            return m;
        }

        public boolean active(Instant now) {
            return expiresAt == null || expiresAt.isAfter(now);
        }

        public boolean matches(String testId, KernelInfo kernel, String hostClassOfResult) {
            return Globs.matches(testGlob, testId)
                    && (kernel == null || "*".equals(kernelGlob) || Globs.matches(kernelGlob, kernel.spec()) || Globs.matches(kernelGlob, kernel.release()))
                    && ("*".equals(hostClass) || Globs.matches(hostClass, hostClassOfResult));
        }
    }

    /** What a caller asks to add; validated before anything is written. */
    public record NewEntry(String testGlob, String kernelGlob, String hostClass, Double budget, String reason, String createdBy, Instant expiresAt) {
        /** The problems with this entry, each naming the field; empty when it can be stored. */
        public List<String> problems() {
            List<String> p = new ArrayList<>();
            if (testGlob == null || testGlob.isBlank()) {
                p.add("test: required (a test id or glob, e.g. api.C17.* )");
            } else if (testGlob.length() > 512) {
                p.add("test: longer than 512 characters");
            }
            if (budget == null || budget.isNaN() || budget < 0 || budget > 1) {
                p.add("budget: required, a failure rate between 0 and 1 (e.g. 0.2 tolerates up to 20% failing runs)");
            }
            if (reason == null || reason.isBlank()) {
                p.add("reason: required (why the test is quarantined, e.g. a bug link)");
            }
            if (kernelGlob != null && kernelGlob.length() > 256) {
                p.add("kernel: longer than 256 characters");
            }
            if (hostClass != null && hostClass.length() > 128) {
                p.add("hostClass: longer than 128 characters");
            }
            return p;
        }
    }

    private final Store store;

    public Quarantine(Store store) {
        this.store = store;
    }

    public List<Entry> list() {
        return new QuarantineTable(store).list().stream().map(r -> new Entry(r.id(), r.testGlob(), r.kernelGlob(), r.hostClass(), r.budget(),
                r.reason(), r.createdBy(), r.createdAt(), r.expiresAt())).toList();
    }

    /** Adds an entry; IllegalArgumentException listing every problem (by field) when it is not valid. */
    public Entry add(NewEntry e) {
        List<String> problems = e.problems();
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
        String kernel = e.kernelGlob() == null || e.kernelGlob().isBlank() ? "*" : e.kernelGlob();
        String host = e.hostClass() == null || e.hostClass().isBlank() ? "*" : e.hostClass();
        String by = e.createdBy() == null || e.createdBy().isBlank() ? "unknown" : e.createdBy();
        QuarantineTable.Row r = new QuarantineTable(store).insert(new QuarantineTable.Row(0, e.testGlob().trim(), kernel, host, e.budget(),
                e.reason().trim(), by, Instant.now(), e.expiresAt()));
        return new Entry(r.id(), r.testGlob(), r.kernelGlob(), r.hostClass(), r.budget(), r.reason(), r.createdBy(), r.createdAt(), r.expiresAt());
    }

    /** Removes entry {@code id}; false when there is no such entry. */
    public boolean remove(long id) {
        return new QuarantineTable(store).delete(id);
    }

    /** The largest budget of the active entries matching this test, kernel and host class. */
    public static Optional<Entry> match(List<Entry> entries, String testId, KernelInfo kernel, String hostClass, Instant now) {
        return entries.stream().filter(e -> e.active(now) && e.matches(testId, kernel, hostClass))
                .max(java.util.Comparator.comparingDouble(Entry::budget));
    }
}
