package dev.kval.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.kval.store.ResultFilter;
import dev.kval.store.Store;
import dev.kval.store.StoreException;
import dev.kval.store.StoredResult;
import java.io.PrintWriter;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "results", mixinStandardHelpOptions = true,
        description = {"Lists verdicts from the result store (runs of the controller, nightlies, imports), newest first.",
            "--kernel, --host and --test take globs (* ?): --kernel matches a kernel's spec or release, --host a host's name or class."})
public class ResultsCommand implements Callable<Integer> {
    static final Set<String> STATUSES = Set.of("PASS", "FAIL", "SKIP", "XFAIL", "ERROR", "TIMEOUT", "MISSING");

    @Mixin
    StoreOptions store;

    @Option(names = "--run", description = "only this run id")
    Long run;

    @Option(names = "--kernel", description = "kernel spec or release glob, e.g. debian:7.3.4 or '7.3.*'")
    String kernel;

    @Option(names = "--host", description = "host name or class glob, e.g. qemu or 'qemu=debian:*'")
    String host;

    @Option(names = "--suite", description = "suite (api, poison, ..., host)")
    String suite;

    @Option(names = "--status", description = "PASS FAIL SKIP XFAIL ERROR TIMEOUT MISSING")
    String status;

    @Option(names = "--test", description = "test id glob, e.g. 'api.C12.*'")
    String test;

    @Option(names = "--limit", defaultValue = "200", description = "at most this many rows (0: all; default 200)")
    int limit;

    @Option(names = "--json", description = "a JSON array for scripts")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (status != null && !STATUSES.contains(status.toUpperCase(java.util.Locale.ROOT))) {
            spec.commandLine().getErr().println("kval results: --status '" + status + "' is not one of " + STATUSES);
            return 2;
        }
        List<StoredResult> rows;
        try (Store s = store.open()) {
            rows = s.results(ResultFilter.ALL.withRun(run).withKernel(kernel).withHost(host).withSuite(suite).withStatus(status)
                    .withTestId(test).withLimit(limit));
        } catch (StoreException e) {
            spec.commandLine().getErr().println("kval results: " + e.getMessage());
            return 2;
        }
        if (json) {
            out.println(new ObjectMapper().registerModule(new JavaTimeModule()).disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                    .enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(rows));
        } else {
            out.printf("%-6s %-20s %-24s %-48s %-7s %-6s %s%n", "run", "kernel", "host", "test", "status", "blame", "message");
            for (StoredResult r : rows) {
                String msg = r.message() == null ? "" : r.message().replace('\n', ' ');
                out.printf("%-6d %-20s %-24s %-48s %-7s %-6s %s%n", r.runId(), r.kernelRelease(), r.hostName(), r.testId(), r.status(),
                        r.attribution() == null ? "" : r.attribution(), msg.length() > 100 ? msg.substring(0, 97) + "..." : msg);
            }
            spec.commandLine().getErr().println(rows.size() + " result(s)" + (limit > 0 && rows.size() == limit ? " (--limit " + limit + "; more may match)" : ""));
        }
        out.flush();
        return 0;
    }
}
