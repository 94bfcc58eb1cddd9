package dev.kval.sweep;

import java.util.List;
import java.util.Map;

/**
 * behaviour-map.html: one self-contained page (inline CSS, no script, no external assets) with kernels as columns
 * and assertions as rows. The first cell with a new behaviour gets a thick orange left edge and the last cell with
 * the old one an orange right edge; flaky cells are hatched and prefixed with "~"; broken kernels are grey columns
 * whose header says who is to blame. A checkbox (CSS only) hides rows without change points or flaky cells.
 */
final class MapHtml {
    private static final Map<String, String> SHORT = Map.of("PASS", "P", "FAIL", "F", "SKIP", "S", "XFAIL", "X", "TIMEOUT", "T",
            "ERROR", "E", "MISSING", "M", BehaviourMap.ABSENT, "-", BehaviourMap.BROKEN, "B", BehaviourMap.CRASHED, "C");

    private MapHtml() {
    }

    static String render(Map<String, Object> meta, List<KernelRun> runs, BehaviourMap map) {
        StringBuilder h = new StringBuilder(256 * 1024);
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>kval behaviour map</title>\n<style>\n")
                .append("body{font:13px/1.35 system-ui,sans-serif;margin:1em;color:#222}h1{font-size:18px}h2{font-size:15px;margin-top:1.4em}\n")
                .append("table.map{border-collapse:collapse}table.map td,table.map th{border:1px solid #ddd;padding:1px 4px;white-space:nowrap}\n")
                .append("table.map th.k{writing-mode:vertical-rl;transform:rotate(180deg);font-weight:normal;vertical-align:bottom}\n")
                .append("table.map td.l{position:sticky;left:0;background:#fff;font-family:monospace}\n")
                .append("td.v-PASS{background:#e3f6e3}td.v-XFAIL{background:#eef6d8}td.v-SKIP{background:#f1f1f1;color:#777}\n")
                .append("td.v-FAIL{background:#f9c9c9}td.v-TIMEOUT,td.v-ERROR,td.v-MISSING,td.v-CRASHED{background:#f3d2f3}\n")
                .append("td.v-BROKEN{background:#bbb}td.v-ABSENT{background:#fff;color:#aaa}\n")
                .append("td.v-FLAKY{background:repeating-linear-gradient(45deg,#fff3c4,#fff3c4 4px,#fde08a 4px,#fde08a 8px)}\n")
                .append("td.new{border-left:4px solid #e8710a!important}td.old{border-right:4px solid #e8710a!important}\n")
                .append("th.broken{background:#bbb}th.crashed{background:#f3d2f3}th.finding{color:#b00}\n")
                .append("small{color:#555;font-family:monospace}.legend span{padding:0 6px;margin-right:4px;border:1px solid #ddd}\n")
                .append("#only:checked~table.map tr.plain{display:none}ul.cp li{margin:2px 0}code{font-size:12px}\n")
                .append("</style></head><body>\n<h1>kval behaviour map</h1>\n<p>");
        meta.forEach((k, v) -> {
            if (v != null) {
                h.append("<b>").append(esc(k)).append("</b>: ").append(esc(String.valueOf(v))).append(" &nbsp; ");
            }
        });
        h.append("</p>\n<p class=\"legend\">")
                .append("<span style=\"background:#e3f6e3\">P pass</span><span style=\"background:#f9c9c9\">F fail</span>")
                .append("<span style=\"background:#f1f1f1\">S skip</span><span style=\"background:#eef6d8\">X xfail</span>")
                .append("<span style=\"background:#f3d2f3\">T/E/M timeout/error/missing, C lost in a crash</span>")
                .append("<span style=\"background:#bbb\">B kernel broken</span><span>- not reported</span>")
                .append("<span style=\"background:#fde08a\">~ flaky across repeats</span>")
                .append("<span style=\"border-left:4px solid #e8710a\">first kernel with a new behaviour</span>")
                .append("<span style=\"border-right:4px solid #e8710a\">last kernel with the old one</span></p>\n");
        kernels(h, runs);
        changes(h, map);
        flaky(h, map);
        table(h, runs, map);
        h.append("</body></html>\n");
        return h.toString();
    }

    private static void kernels(StringBuilder h, List<KernelRun> runs) {
        h.append("<h2>Kernels (").append(runs.size()).append(")</h2>\n<ul>\n");
        for (KernelRun r : runs) {
            if (r.health() != KernelRun.Health.OK || r.attempts().size() > 1 || !r.findings().isEmpty()) {
                h.append("<li><b>").append(esc(r.label())).append("</b> ").append(r.health());
                if (r.failure() != null) {
                    h.append(" (").append(esc(String.valueOf(r.attribution()))).append(r.health() == KernelRun.Health.OK ? ", retried: " : ": ")
                            .append(esc(r.failure())).append(')');
                }
                r.findings().forEach(f -> h.append("<br><small>console: ").append(esc(f)).append("</small>"));
                h.append("</li>\n");
            }
        }
        long ok = runs.stream().filter(r -> r.health() == KernelRun.Health.OK && r.attempts().size() == 1 && r.findings().isEmpty()).count();
        h.append("<li>").append(ok).append(" kernel(s) ran clean on the first boot</li>\n</ul>\n");
    }

    private static void changes(StringBuilder h, BehaviourMap map) {
        Map<String, List<BehaviourMap.Change>> by = map.changesByBoundary();
        h.append("<h2>Change points (").append(map.changes().size()).append(" in ").append(by.size()).append(" places)</h2>\n");
        for (var e : by.entrySet()) {
            h.append("<details><summary><b>").append(esc(e.getKey())).append("</b>: ").append(e.getValue().size())
                    .append(" assertion(s)</summary><ul class=\"cp\">\n");
            for (BehaviourMap.Change c : e.getValue()) {
                h.append("<li><a href=\"#").append(anchor(c.leaf())).append("\"><code>").append(esc(c.leaf())).append("</code></a>: ")
                        .append(esc(c.from())).append(" &rarr; <b>").append(esc(c.to())).append("</b>");
                if (!c.between().isEmpty()) {
                    h.append(" <small>(unknown in between: ");
                    c.between().forEach(i -> h.append(esc(map.columns().get(i).label())).append(' '));
                    h.append(")</small>");
                }
                h.append("</li>\n");
            }
            h.append("</ul></details>\n");
        }
    }

    private static void flaky(StringBuilder h, BehaviourMap map) {
        long n = map.rows().stream().mapToLong(r -> r.flakyColumns().size()).sum();
        h.append("<h2>Flaky cells (").append(n).append(")</h2>\n");
        if (n == 0) {
            return;
        }
        h.append("<ul>\n");
        for (BehaviourMap.Row r : map.rows()) {
            for (int i : r.flakyColumns()) {
                h.append("<li><a href=\"#").append(anchor(r.leaf())).append("\"><code>").append(esc(r.leaf())).append("</code></a> on ")
                        .append(esc(map.columns().get(i).label())).append(": ").append(esc(String.join(", ", r.cells().get(i).verdicts())))
                        .append("</li>\n");
            }
        }
        h.append("</ul>\n");
    }

    private static void table(StringBuilder h, List<KernelRun> runs, BehaviourMap map) {
        h.append("<h2>Map</h2>\n<input type=\"checkbox\" id=\"only\"><label for=\"only\"> only rows with a change point or a flaky cell</label>\n")
                .append("<table class=\"map\"><thead><tr><th>assertion</th>");
        for (int i = 0; i < runs.size(); i++) {
            KernelRun r = runs.get(i);
            String cls = r.health() == KernelRun.Health.BROKEN ? "k broken" : r.health() == KernelRun.Health.CRASHED ? "k crashed"
                    : r.findings().isEmpty() ? "k" : "k finding";
            String title = r.release() + (r.failure() != null ? " | " + r.health() + " " + r.attribution() + ": " + r.failure() : "")
                    + (r.findings().isEmpty() ? "" : " | console: " + String.join("; ", r.findings()));
            h.append("<th class=\"").append(cls).append("\" title=\"").append(esc(title)).append("\">").append(esc(r.label()));
            if (r.health() != KernelRun.Health.OK) {
                h.append(" [").append(r.health()).append(' ').append(esc(String.valueOf(r.attribution()))).append(']');
            }
            h.append("</th>");
        }
        h.append("</tr></thead><tbody>\n");
        for (BehaviourMap.Row row : map.rows()) {
            boolean plain = row.changes().isEmpty() && row.flakyColumns().isEmpty();
            h.append("<tr id=\"").append(anchor(row.leaf())).append('"').append(plain ? " class=\"plain\"" : "").append("><td class=\"l\">")
                    .append(esc(row.leaf())).append(row.measurement() ? " <small title=\"observed value is a measurement: only verdicts compared\">(m)</small>" : "")
                    .append("</td>");
            for (int i = 0; i < row.cells().size(); i++) {
                BehaviourMap.Cell c = row.cells().get(i);
                String mark = MapFiles.changeMark(row, i);
                h.append("<td class=\"v-").append(c.verdict()).append(mark.isEmpty() ? "" : " " + mark.replace(',', ' '))
                        .append("\" title=\"").append(esc(title(map, row, i))).append("\">")
                        .append(c.flaky() ? "~" + String.join("", c.verdicts().stream().map(v -> SHORT.getOrDefault(v, "?")).toList())
                                : SHORT.getOrDefault(c.verdict(), "?"));
                String obs = c.observed() != null ? c.observed() : c.observedVaries() ? "(varies)" : null;
                if (obs != null) {
                    h.append(" <small>").append(esc(obs.length() > 14 ? obs.substring(0, 13) + "…" : obs)).append("</small>");
                }
                h.append("</td>");
            }
            h.append("</tr>\n");
        }
        h.append("</tbody></table>\n");
    }

    private static String title(BehaviourMap map, BehaviourMap.Row row, int i) {
        BehaviourMap.Cell c = row.cells().get(i);
        StringBuilder t = new StringBuilder(map.columns().get(i).label()).append(": ").append(c.verdict());
        if (c.verdicts().size() > 1) {
            t.append(' ').append(c.verdicts());
        }
        if (!c.reason().isEmpty()) {
            t.append(" - ").append(c.reason());
        }
        if (c.observed() != null) {
            t.append(" | observed=").append(c.observed());
        } else if (c.observedVaries()) {
            t.append(" | observed ").append(c.observedAll());
        }
        for (BehaviourMap.Change ch : row.changes()) {
            if (ch.firstNew() == i) {
                t.append(" | NEW since ").append(map.columns().get(ch.lastOld()).label()).append(": ").append(ch.from()).append(" -> ").append(ch.to());
            }
        }
        return t.toString();
    }

    static String anchor(String leaf) {
        return "a-" + leaf.replaceAll("[^A-Za-z0-9_.-]", "_");
    }

    static String esc(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(s.length());
        for (char ch : s.toCharArray()) {
            switch (ch) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                default -> b.append(ch);
            }
        }
        return b.toString();
    }
}
