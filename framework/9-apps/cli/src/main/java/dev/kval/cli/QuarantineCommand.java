package dev.kval.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.kval.store.Store;
import dev.kval.triage.Quarantine;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code kval quarantine list|add|remove}: the known-flaky tests and their budgets, in the result store. */
@Command(name = "quarantine", mixinStandardHelpOptions = true,
        header = "Lists, adds and removes known-flaky tests with the failure-rate budget the gate tolerates.",
        description = {"Known-flaky tests with a failure-rate budget the gate tolerates (store table quarantine; also",
            "GET/POST/DELETE /api/quarantine on the controller)."},
        subcommands = {QuarantineCommand.ListCmd.class, QuarantineCommand.Add.class, QuarantineCommand.Remove.class})
public class QuarantineCommand {
    static class Db {
        @Option(names = "--db", description = "result store JDBC URL (default: KVAL_DB_URL, else the H2 file under ~/.local/share/kval)")
        String db;

        Store open() {
            return db != null ? Store.open(db, System.getenv().getOrDefault(Store.ENV_USER, ""), System.getenv().getOrDefault(Store.ENV_PASSWORD, ""))
                    : Store.open();
        }
    }

    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Lists the entries (expired ones marked).")
    static class ListCmd implements Callable<Integer> {
        @picocli.CommandLine.Mixin
        Db db = new Db();

        @Option(names = "--json")
        boolean json;

        @Override
        public Integer call() throws Exception {
            try (Store s = db.open()) {
                List<Quarantine.Entry> entries = new Quarantine(s).list();
                if (json) {
                    System.out.println(JSON.writeValueAsString(entries.stream().map(Quarantine.Entry::toMap).toList()));
                    return 0;
                }
                Instant now = Instant.now();
                System.out.printf("%-5s %-40s %-20s %-12s %-7s %s%n", "id", "test", "kernel", "host class", "budget", "reason");
                for (Quarantine.Entry e : entries) {
                    System.out.printf("%-5d %-40s %-20s %-12s %-7.2f %s (by %s%s)%n", e.id(), e.testGlob(), e.kernelGlob(), e.hostClass(), e.budget(),
                            e.reason(), e.createdBy(), e.expiresAt() == null ? "" : e.active(now) ? ", expires " + e.expiresAt() : ", EXPIRED " + e.expiresAt());
                }
                return 0;
            }
        }
    }

    @Command(name = "add", mixinStandardHelpOptions = true, description = "Adds an entry; prints its id.")
    static class Add implements Callable<Integer> {
        @picocli.CommandLine.Mixin
        Db db = new Db();

        @Option(names = "--test", required = true, description = "test id or glob, e.g. 'api.C17.*'")
        String test;

        @Option(names = "--budget", required = true, description = "failure rate tolerated, 0..1")
        double budget;

        @Option(names = "--reason", required = true, description = "why (a bug link, an observation)")
        String reason;

        @Option(names = "--kernel", defaultValue = "*", description = "kernel spec or release glob (default *)")
        String kernel;

        @Option(names = "--host-class", defaultValue = "*", description = "host class glob (default *)")
        String hostClass;

        @Option(names = "--days", description = "expires after this many days (default: never)")
        Integer days;

        @Option(names = "--by", description = "who adds it (default: $USER)")
        String by;

        @Override
        public Integer call() {
            try (Store s = db.open()) {
                Quarantine.Entry e = new Quarantine(s).add(new Quarantine.NewEntry(test, kernel, hostClass, budget, reason,
                        by != null ? by : System.getenv().getOrDefault("USER", "cli"), days == null ? null : Instant.now().plus(Duration.ofDays(days))));
                System.out.println(e.id());
                System.err.println("kval quarantine: added #" + e.id() + " " + e.testGlob() + " budget " + e.budget());
                return 0;
            } catch (IllegalArgumentException e) {
                System.err.println("kval quarantine add: " + e.getMessage());
                return 2;
            }
        }
    }

    @Command(name = "remove", mixinStandardHelpOptions = true, description = "Removes entry ID.")
    static class Remove implements Callable<Integer> {
        @picocli.CommandLine.Mixin
        Db db = new Db();

        @Parameters(index = "0", description = "entry id (from `kval quarantine list`)")
        long id;

        @Override
        public Integer call() {
            try (Store s = db.open()) {
                if (new Quarantine(s).remove(id)) {
                    System.err.println("kval quarantine: removed #" + id);
                    return 0;
                }
                System.err.println("kval quarantine remove: no entry #" + id + " in " + s.url() + " (see `kval quarantine list`)");
                return 1;
            }
        }
    }
}
