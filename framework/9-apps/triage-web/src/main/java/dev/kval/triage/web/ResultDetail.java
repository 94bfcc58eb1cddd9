package dev.kval.triage.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kval.console.CrashOracle;
import dev.kval.console.Finding;
import dev.kval.store.Store;
import io.quarkus.qute.TemplateData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** One stored result with its evidence: the attachments its run's out dir holds, the KTAP lines, the console splat. */
@TemplateData
record ResultDetail(long id, long runId, String test, String suite, String status, String attribution, String message, String kernel, String host,
        String hostClass, String startedAt, String outDir, List<Attachment> attachments, List<String> ktap, List<String> splat) {

    @TemplateData
    record Attachment(int index, String name, String path, boolean present) {
    }

    static final ObjectMapper JSON = new ObjectMapper();
    static final int MAX_SPLAT_LINES = 40;

    static Optional<ResultDetail> load(Store store, long id) {
        return store.result(id).map(r -> {
            String out = new dev.kval.store.Runs(store).find(r.runId()).map(dev.kval.store.RunRow::outDir).orElse(null);
            List<Attachment> atts = attachments(out, r.attachments());
            List<String> ktap = new ArrayList<>();
            List<String> splat = new ArrayList<>();
            evidence(out, atts, r.testId(), ktap, splat);
            Store.KernelGit g = store.kernelGit(id).orElse(new Store.KernelGit(null, null, null));
            return new ResultDetail(r.id(), r.runId(), r.testId(), r.suite(), r.status(), r.attribution(), r.message(),
                    kernel(r.kernelSpec(), r.kernelRelease(), g.commit(), g.subject(), g.branch()), r.hostName(), r.hostClass(),
                    Views.time(r.startedAt()), out, atts, ktap, splat);
        });
    }

    /** The kernel as the page shows it: spec (release), and for a git: kernel the commit it was built from. */
    static String kernel(String spec, String release, String commit, String subject, String branch) {
        String k = spec + " (" + release + ")";
        if (commit != null && commit.length() >= 12) {
            k += " at " + commit.substring(0, 12) + (branch != null ? " on " + branch : "") + (subject != null ? " \"" + subject + "\"" : "");
        }
        return k;
    }

    static List<Attachment> attachments(String outDir, String json) {
        List<Attachment> out = new ArrayList<>();
        if (json == null || json.isBlank()) {
            return out;
        }
        try {
            int i = 0;
            for (JsonNode a : JSON.readTree(json)) {
                String p = a.path("path").asText();
                out.add(new Attachment(i++, a.path("name").asText(p), p, outDir != null && resolve(outDir, p).map(Files::isRegularFile).orElse(false)));
            }
        } catch (IOException e) {
            out.add(new Attachment(-1, "(unreadable attachment list: " + e.getMessage() + ")", "", false));
        }
        return out;
    }

    /**
     * A path of the attachment list inside the run's out dir, as a real path; empty when it would leave it (../,
     * absolute, or a symbolic link anywhere on the way that leads out of the directory) or does not exist. Checked
     * on real paths because a textual check passes {@code evidence/console.log -> /root/.ssh/id_ed25519}.
     */
    static Optional<Path> resolve(String outDir, String relative) {
        try {
            Path base = Path.of(outDir).toRealPath();
            Path p = base.resolve(relative).normalize();
            if (!p.startsWith(base)) {
                return Optional.empty();
            }
            Path real = p.toRealPath();
            return real.startsWith(base) ? Optional.of(real) : Optional.empty();
        } catch (IOException | java.nio.file.InvalidPathException e) {
            return Optional.empty();
        }
    }

    /** The KTAP lines of this leaf (its result lines and the diagnostics right before them) and the console's crash findings. */
    private static void evidence(String outDir, List<Attachment> atts, String test, List<String> ktap, List<String> splat) {
        if (outDir == null) {
            return;
        }
        String leaf = test.substring(test.lastIndexOf('.') + 1);
        for (Attachment a : atts) {
            Optional<Path> p = a.present() ? resolve(outDir, a.path()) : Optional.empty();
            if (p.isEmpty()) {
                continue;
            }
            try {
                String name = p.get().getFileName().toString();
                if (name.endsWith(".ktap") && ktap.isEmpty()) {
                    List<String> lines = Files.readAllLines(p.get());
                    for (int i = 0; i < lines.size() && ktap.size() < 30; i++) {
                        if (lines.get(i).matches("\\s*(not )?ok \\d+ .*") && lines.get(i).contains(leaf)) {
                            for (int j = Math.max(0, i - 3); j <= i; j++) {
                                ktap.add(lines.get(j));
                            }
                        }
                    }
                } else if (name.startsWith("console") && splat.isEmpty()) {
                    List<String> lines = Files.readAllLines(p.get());
                    for (Finding f : CrashOracle.standard().scan(lines)) {
                        splat.add("lines " + f.firstLine() + "-" + f.lastLine() + " (" + f.crashClass() + "): " + f.title());
                        lines.subList(Math.max(0, f.firstLine() - 1), Math.min(lines.size(), f.lastLine())).forEach(l -> splat.add("  " + l));
                        if (splat.size() >= MAX_SPLAT_LINES) {
                            break;
                        }
                    }
                }
            } catch (IOException | RuntimeException e) {
                splat.add("(could not read " + a.path() + ": " + e.getMessage() + ")");
            }
        }
    }
}
