package dev.kval.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kval.reports.RunDir;
import dev.kval.reports.export.JunitExport;
import dev.kval.reports.export.KcidbExport;
import dev.kval.reports.export.KcidbSchema;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "export", mixinStandardHelpOptions = true,
        header = "Exports a finished run directory as KCIDB JSON or JUnit XML.",
        description = {"Exports a finished run directory (./kval run --out DIR) for other systems:",
            "kcidb: KCIDB I/O JSON v4.5 (checkouts, builds, tests; PASS/FAIL/ERROR/MISS/SKIP; kval's attribution in misc),",
            "  validated against the KCIDB schema before it is written; junit: JUnit XML, one testsuite per host x suite.",
            "Exit: 0 written, 1 the KCIDB document does not validate (nothing written), 2 bad input."})
public class ExportCommand implements Callable<Integer> {
    enum Format { kcidb, junit }

    @Option(names = "--format", required = true, description = "kcidb | junit")
    Format format;

    @Option(names = "--run", required = true, description = "the run directory (holds summary.json and allure-results/)")
    Path run;

    @Option(names = "--out", description = "output file (default: RUN/export/kcidb.json or RUN/export/junit.xml)")
    Path out;

    @Override
    public Integer call() {
        try {
            RunDir r = RunDir.read(run);
            if (format == Format.kcidb) {
                Path file = out != null ? out : r.dir().resolve("export/kcidb.json");
                JsonNode doc = KcidbExport.export(r);
                List<String> problems = KcidbSchema.validate(doc);
                if (!problems.isEmpty()) {
                    System.err.println("kval export: the KCIDB document for " + r.dir() + " does not validate against KCIDB schema v"
                            + KcidbExport.MAJOR + "." + KcidbExport.MINOR + " (" + problems.size() + " problem(s)); nothing written:");
                    problems.stream().limit(20).forEach(p -> System.err.println("  " + p));
                    return 1;
                }
                KcidbExport.write(doc, file);
                System.err.println("kval export: " + file.toAbsolutePath() + ": " + doc.path("checkouts").size() + " checkout(s), "
                        + doc.path("builds").size() + " build(s), " + doc.path("tests").size() + " test(s); valid KCIDB v"
                        + KcidbExport.MAJOR + "." + KcidbExport.MINOR);
            } else {
                Path file = out != null ? out : r.dir().resolve("export/junit.xml");
                JunitExport.write(r, file);
                System.err.println("kval export: " + file.toAbsolutePath() + ": " + r.results().size() + " testcase(s)");
            }
            return 0;
        } catch (IllegalArgumentException e) {
            System.err.println("kval export: " + e.getMessage());
            return 2;
        } catch (Exception e) {
            System.err.println("kval export: failed: " + e);
            return 2;
        }
    }
}
