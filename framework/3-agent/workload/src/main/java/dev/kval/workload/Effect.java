package dev.kval.workload;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A stressor's measured effect on the host it ran on, parsed from the workload's JSON report. free2m maps are free
 * memory in blocks of order 9 and above, in 2 MiB units, per "node&lt;N&gt;.&lt;zone&gt;" plus "total".
 *
 * @param diagnostics the report's {@code # key=value} lines, ready to be KTAP diagnostics
 */
public record Effect(String workload, String host, String kernel, String stoppedBy, long wallMs, long startMs, long cpuMs,
        Map<String, Long> free2mBefore, Map<String, Long> free2mAfter, Map<String, Long> free2mMin,
        Map<String, Long> meminfoKbBefore, Map<String, Long> meminfoKbAfter, Map<String, Long> meminfoKbMax,
        Map<String, Long> vmstatBefore, Map<String, Long> vmstatAfter, Map<String, Long> vmstatDelta,
        String thpEnabled, String thpDefrag, int samples, Map<String, Object> work, String error, String json,
        List<String> diagnostics) {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<Map<String, Long>> LONGS = new TypeReference<>() { };
    private static final TypeReference<Map<String, Object>> OBJECTS = new TypeReference<>() { };

    /** Parses the workload's output: its {@code # } lines and its last JSON line. */
    public static Effect parse(String host, String output) throws IOException {
        String json = null;
        List<String> diag = new java.util.ArrayList<>();
        for (String l : output.lines().toList()) {
            if (l.startsWith("{")) {
                json = l;
            } else if (l.startsWith("# ") && l.contains("=") && !l.startsWith(dev.kval.workloads.Main.STARTED)) {
                diag.add(l.substring(2));
            }
        }
        if (json == null) {
            throw new IOException("no JSON report line in the workload's output (" + output.length() + " chars)");
        }
        JsonNode r = JSON.readTree(json);
        return new Effect(r.path("workload").asText(), host, r.path("kernel").asText(), r.path("stoppedBy").asText(),
                r.path("wallMs").asLong(), r.path("startMs").asLong(), r.path("cpuMs").asLong(),
                longs(r.path("free2m").path("before")), longs(r.path("free2m").path("after")), longs(r.path("free2m").path("min")),
                longs(r.path("meminfoKb").path("before")), longs(r.path("meminfoKb").path("after")), longs(r.path("meminfoKb").path("max")),
                longs(r.path("vmstat").path("before")), longs(r.path("vmstat").path("after")), longs(r.path("vmstat").path("delta")),
                r.path("thp").path("enabled").asText(), r.path("thp").path("defrag").asText(), r.path("samples").asInt(),
                JSON.convertValue(r.path("work"), OBJECTS), r.hasNonNull("error") ? r.get("error").asText() : null, json, List.copyOf(diag));
    }

    private static Map<String, Long> longs(JsonNode n) {
        return n.isObject() ? JSON.convertValue(n, LONGS) : new LinkedHashMap<>();
    }

    public long free2mBeforeTotal() {
        return free2mBefore.getOrDefault("total", -1L);
    }

    public long free2mAfterTotal() {
        return free2mAfter.getOrDefault("total", -1L);
    }

    public long free2mMinTotal() {
        return free2mMin.getOrDefault("total", -1L);
    }

    /** AnonHugePages in kB (meminfo): before, at the end while still held, and the maximum seen. */
    public long anonHugeKbBefore() {
        return meminfoKbBefore.getOrDefault("AnonHugePages", -1L);
    }

    public long anonHugeKbAfter() {
        return meminfoKbAfter.getOrDefault("AnonHugePages", -1L);
    }

    public long anonHugeKbMax() {
        return meminfoKbMax.getOrDefault("AnonHugePages", -1L);
    }

    public long vmstatDelta(String counter) {
        return vmstatDelta.getOrDefault(counter, 0L);
    }

    /** One line for logs: the effect in numbers. */
    public String summary() {
        return workload + " on " + host + " (" + kernel + "): free2M " + free2mBeforeTotal() + " -> " + free2mAfterTotal() + " (min "
                + free2mMinTotal() + "), AnonHugePages " + anonHugeKbBefore() + " -> " + anonHugeKbAfter() + " kB (max " + anonHugeKbMax()
                + "), thp_fault_alloc +" + vmstatDelta("thp_fault_alloc") + ", thp_fault_fallback +" + vmstatDelta("thp_fault_fallback")
                + ", compact_stall +" + vmstatDelta("compact_stall") + ", cpu " + cpuMs + " ms in " + wallMs + " ms, " + work
                + (error != null ? ", ERROR " + error : "");
    }
}
