package dev.kval.triage.web;

import dev.kval.triage.Classification;
import dev.kval.triage.FlakeSnapshot;
import dev.kval.triage.KernelInfo;
import dev.kval.triage.Quarantine;
import dev.kval.triage.SeriesStats;
import io.quarkus.qute.TemplateData;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/** What the pages and the JSON endpoints show, built from one statistics snapshot. */
final class Views {
    private Views() {
    }

    @TemplateData
    record FlakyRow(int rank, String test, String suite, String kernel, long kernelId, String hostClass, long runs, long failures, String passRate,
            String interval, String flipRate, String firstSeen, String lastSeen, String quarantine, String seriesLink) {
    }

    @TemplateData
    record ChangeRow(String kernel, String baseline, String test, String hostClass, String classification, String before, String after, String p,
            String seriesLink) {
    }

    @TemplateData
    record MatrixCell(String suite, String text, String css, String title) {
    }

    @TemplateData
    record MatrixRow(String kernel, long kernelId, List<MatrixCell> cells) {
    }

    @TemplateData
    record Matrix(List<String> suites, List<MatrixRow> rows) {
    }

    static List<FlakyRow> flaky(FlakeSnapshot snap, List<Quarantine.Entry> quarantine, int limit) {
        List<FlakyRow> out = new ArrayList<>();
        int rank = 0;
        for (SeriesStats s : snap.flakyRanked()) {
            if (rank == limit) {
                break;
            }
            KernelInfo k = snap.kernel(s.key().kernelId());
            double[] w = s.passRateInterval();
            String q = Quarantine.match(quarantine, s.key().testId(), k, s.key().hostClass(), Instant.now())
                    .map(e -> "#" + e.id() + " budget " + fmt(e.budget())).orElse("");
            out.add(new FlakyRow(++rank, s.key().testId(), s.suite(), k.label(), k.id(), s.key().hostClass(), s.runs(), s.failures(), fmt(s.passRate()),
                    "[" + fmt(w[0]) + ", " + fmt(w[1]) + "]", fmt(s.flipRate()), time(s.firstSeen()), time(s.lastSeen()), q, seriesLink(s)));
        }
        return out;
    }

    static List<ChangeRow> changes(FlakeSnapshot snap) {
        List<ChangeRow> out = new ArrayList<>();
        List<KernelInfo> order = snap.kernelsInVersionOrder();
        for (int i = 1; i < order.size(); i++) {
            KernelInfo base = order.get(i - 1);
            KernelInfo cand = order.get(i);
            for (FlakeSnapshot.Comparison c : snap.compare(base.id(), cand.id(), k -> true)) {
                out.add(new ChangeRow(cand.label(), base.label(), c.candidate().key().testId(), c.candidate().key().hostClass(),
                        c.classification().label(), c.baseline().failures() + "/" + c.baseline().runs() + " failed",
                        c.candidate().failures() + "/" + c.candidate().runs() + " failed", String.format("%.4f", c.pValue()), seriesLink(c.candidate())));
            }
        }
        return out;
    }

    /** The classes a cell shows, worst first (a data table: class -> css and word). */
    static final Map<Classification, String[]> CELL_STYLE = new java.util.LinkedHashMap<>();

    static {
        CELL_STYLE.put(Classification.STABLE_FAIL, new String[] {"fail", "failing"});
        CELL_STYLE.put(Classification.FLAKY, new String[] {"flaky", "flaky"});
        CELL_STYLE.put(Classification.STABLE_PASS, new String[] {"pass", "passing"});
        CELL_STYLE.put(Classification.NO_VERDICT, new String[] {"skip", "skip-only"});
    }

    static Matrix matrix(FlakeSnapshot snap) {
        Map<Long, Map<String, FlakeSnapshot.Cell>> m = snap.matrix();
        TreeSet<String> suites = new TreeSet<>();
        m.values().forEach(r -> suites.addAll(r.keySet()));
        List<MatrixRow> rows = new ArrayList<>();
        m.forEach((kernelId, row) -> {
            List<MatrixCell> cells = new ArrayList<>();
            for (String suite : suites) {
                FlakeSnapshot.Cell c = row.get(suite);
                if (c == null) {
                    cells.add(new MatrixCell(suite, "-", "none", "not run"));
                    continue;
                }
                String css = "none";
                StringBuilder text = new StringBuilder();
                for (Map.Entry<Classification, String[]> e : CELL_STYLE.entrySet()) {
                    int n = c.count(e.getKey());
                    if (n > 0) {
                        if (css.equals("none")) {
                            css = e.getValue()[0];
                        }
                        text.append(text.length() == 0 ? "" : " · ").append(n).append(' ').append(e.getValue()[1]);
                    }
                }
                cells.add(new MatrixCell(suite, text.toString(), css, c.runs() + " runs, " + c.failures() + " failed, " + c.skips() + " skipped"));
            }
            rows.add(new MatrixRow(snap.kernel(kernelId).label(), kernelId, cells));
        });
        return new Matrix(List.copyOf(suites), rows);
    }

    static String seriesLink(SeriesStats s) {
        return "/triage/series?test=" + enc(s.key().testId()) + "&kernel=" + s.key().kernelId() + "&hostClass=" + enc(s.key().hostClass());
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    static String fmt(double d) {
        return Double.isNaN(d) ? "-" : String.format("%.3f", d);
    }

    static String time(Instant t) {
        return t == null ? "-" : t.toString().replace('T', ' ').replaceFirst("\\.\\d+Z$", "Z");
    }
}
