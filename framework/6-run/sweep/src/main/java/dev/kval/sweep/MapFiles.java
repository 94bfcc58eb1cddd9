package dev.kval.sweep;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * behaviour-map.json (everything: sweep options, kernels with attempts and attribution, change points, flaky cells,
 * every cell) and behaviour-map.tsv (one line per assertion x kernel, for grep/sort/awk). The HTML is {@link MapHtml}.
 */
public final class MapFiles {
    public static final String JSON_FILE = "behaviour-map.json";
    public static final String TSV_FILE = "behaviour-map.tsv";
    public static final String HTML_FILE = "behaviour-map.html";
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private MapFiles() {
    }

    /** Writes the three files into out. runs must be in the map's column order. */
    public static void write(Path out, Map<String, Object> meta, List<KernelRun> runs, BehaviourMap map) throws IOException {
        Files.createDirectories(out);
        JSON.writeValue(out.resolve(JSON_FILE).toFile(), json(out, meta, runs, map));
        Files.writeString(out.resolve(TSV_FILE), tsv(map), StandardCharsets.UTF_8);
        Files.writeString(out.resolve(HTML_FILE), MapHtml.render(meta, runs, map), StandardCharsets.UTF_8);
    }

    static ObjectNode json(Path out, Map<String, Object> meta, List<KernelRun> runs, BehaviourMap map) {
        ObjectNode root = JSON.createObjectNode();
        root.set("sweep", JSON.valueToTree(meta));
        ArrayNode ks = root.putArray("kernels");
        for (int i = 0; i < runs.size(); i++) {
            KernelRun r = runs.get(i);
            ObjectNode k = ks.addObject();
            k.put("index", i);
            k.put("label", r.label());
            k.put("spec", r.kernel().spec());
            k.put("upstream", r.kernel().upstream());
            k.put("packageVersion", r.kernel().packageVersion());
            k.put("release", r.release());
            k.put("sha256", r.sha256());
            k.put("cacheHit", r.cacheHit());
            k.put("health", r.health().name());
            k.put("attribution", r.attribution());
            k.put("failure", r.failure());
            k.put("dir", r.dir() == null ? null : rel(out, r.dir()));
            k.put("wallMs", r.wallMs());
            k.set("findings", JSON.valueToTree(r.findings()));
            ArrayNode as = k.putArray("attempts");
            for (KernelRun.Attempt a : r.attempts()) {
                ObjectNode o = as.addObject();
                o.put("n", a.n());
                o.put("ok", a.ok());
                o.put("stage", a.stage());
                o.put("attribution", a.attribution());
                o.put("message", a.message());
                o.set("evidence", JSON.valueToTree(a.evidence().subList(0, Math.min(40, a.evidence().size()))));
                o.put("dir", a.dir() == null ? null : rel(out, a.dir()));
                o.put("bootMs", a.bootMs());
                o.put("runMs", a.runMs());
            }
        }
        ArrayNode cps = root.putArray("changePoints");
        for (BehaviourMap.Change c : map.changes()) {
            ObjectNode o = cps.addObject();
            o.put("assertion", c.leaf());
            o.put("lastOld", map.columns().get(c.lastOld()).label());
            o.put("firstNew", map.columns().get(c.firstNew()).label());
            o.put("from", c.from());
            o.put("to", c.to());
            o.put("verdictChanged", c.verdictChanged());
            ArrayNode b = o.putArray("between");
            c.between().forEach(i -> b.add(map.columns().get(i).label() + " (" + map.row(c.leaf()).cells().get(i).verdict() + ")"));
        }
        ObjectNode byB = root.putObject("changePointsByBoundary");
        map.changesByBoundary().forEach((k, v) -> byB.put(k, v.size()));
        ArrayNode flaky = root.putArray("flaky");
        for (BehaviourMap.Row row : map.rows()) {
            for (int i : row.flakyColumns()) {
                ObjectNode o = flaky.addObject();
                o.put("assertion", row.leaf());
                o.put("kernel", map.columns().get(i).label());
                o.set("verdicts", JSON.valueToTree(row.cells().get(i).verdicts()));
            }
        }
        ArrayNode rows = root.putArray("assertions");
        for (BehaviourMap.Row row : map.rows()) {
            ObjectNode o = rows.addObject();
            o.put("id", row.leaf());
            o.put("observedIsMeasurement", row.measurement());
            ArrayNode cells = o.putArray("cells");
            for (int i = 0; i < row.cells().size(); i++) {
                BehaviourMap.Cell c = row.cells().get(i);
                ObjectNode co = cells.addObject();
                co.put("kernel", map.columns().get(i).label());
                co.put("verdict", c.verdict());
                co.put("observed", c.observed());
                if (!c.reason().isEmpty()) {
                    co.put("reason", c.reason());
                }
                if (c.verdicts().size() > 1) {
                    co.set("verdicts", JSON.valueToTree(c.verdicts()));
                }
                if (c.observedVaries() || (c.observedAll().size() > 1 && c.observed() == null)) {
                    co.set("observedAll", JSON.valueToTree(c.observedAll()));
                }
                if (c.flaky()) {
                    co.put("flaky", true);
                }
            }
        }
        return root;
    }

    /** One line per assertion x kernel: change is "old" (last kernel with the old behaviour), "new" (first with the new). */
    static String tsv(BehaviourMap map) {
        StringBuilder b = new StringBuilder("assertion\tkernel_index\tkernel\trelease\tverdict\tobserved\tflaky\tchange\tobserved_is_measurement\treason\n");
        for (BehaviourMap.Row row : map.rows()) {
            for (int i = 0; i < row.cells().size(); i++) {
                BehaviourMap.Cell c = row.cells().get(i);
                BehaviourMap.Column col = map.columns().get(i);
                b.append(row.leaf()).append('\t').append(i).append('\t').append(col.label()).append('\t')
                        .append(clean(col.release())).append('\t').append(c.verdict()).append('\t')
                        .append(clean(c.observed() != null ? c.observed() : c.observedVaries() ? String.join("|", c.observedAll()) : ""))
                        .append('\t').append(c.flaky() ? String.join("|", c.verdicts()) : "").append('\t').append(changeMark(row, i))
                        .append('\t').append(row.measurement()).append('\t').append(clean(c.reason())).append('\n');
            }
        }
        return b.toString();
    }

    static String changeMark(BehaviourMap.Row row, int i) {
        boolean old = row.changes().stream().anyMatch(c -> c.lastOld() == i);
        boolean nu = row.changes().stream().anyMatch(c -> c.firstNew() == i);
        return old && nu ? "new,old" : nu ? "new" : old ? "old" : "";
    }

    private static String clean(String s) {
        return s == null ? "" : s.replace('\t', ' ').replace('\n', ' ').replace('\r', ' ');
    }

    private static String rel(Path out, Path p) {
        try {
            return out.toAbsolutePath().relativize(p.toAbsolutePath()).toString();
        } catch (IllegalArgumentException e) {
            return p.toString();
        }
    }
}
