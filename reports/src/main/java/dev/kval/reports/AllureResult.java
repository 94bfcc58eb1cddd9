package dev.kval.reports;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One verdict of a run as kval's suites wrote it: an Allure {@code *-result.json} (one per KTAP leaf per host per
 * repetition, plus host-level checks). Only what reports need is kept; {@link #file()} points at the original.
 *
 * @param status  Allure status: passed, failed, broken, skipped (XFAIL is passed with an {@code xfail} label)
 * @param message statusDetails.message: the SKIP reason, or the failure text
 */
public record AllureResult(Path file, String uuid, String historyId, String name, String status, String message, String description,
        long start, long stop, Map<String, String> labels) {

    /** Who a failure is blamed on: the judge's {@code dev.kval.result.Blame}, which the suites put in the label "blame". */
    public enum Attribution {
        KERNEL, TEST, INFRA, KVAL_BUG
    }

    static AllureResult of(Path file, JsonNode n) {
        Map<String, String> labels = new LinkedHashMap<>();
        for (JsonNode l : n.path("labels")) {
            labels.putIfAbsent(l.path("name").asText(), l.path("value").asText());
        }
        JsonNode details = n.path("statusDetails");
        return new AllureResult(file, n.path("uuid").asText(), n.path("historyId").asText(null), n.path("name").asText(),
                n.path("status").asText("unknown"), details.path("message").asText(null), n.path("description").asText(null),
                n.path("start").asLong(0), n.path("stop").asLong(0), Map.copyOf(labels));
    }

    public String label(String name) {
        return labels.get(name);
    }

    /** The blame of a failed or broken verdict ({@code null} for passed and skipped ones, or a result without the label). */
    public Attribution attribution() {
        String b = label("blame");
        return (status.equals("failed") || status.equals("broken")) && b != null ? Attribution.valueOf(b) : null;
    }

    public boolean xfail() {
        return labels.containsKey("xfail");
    }

    /** The agent's {@code # observed=} value, which the suites put first in the description. */
    public String observed() {
        if (description == null || !description.startsWith("observed=")) {
            return null;
        }
        int nl = description.indexOf('\n');
        return description.substring("observed=".length(), nl < 0 ? description.length() : nl).strip();
    }

    /** The suite label (api, poison, ..., host for host-level checks). */
    public String suite() {
        String s = labels.get("suite");
        return s == null || s.isEmpty() ? "unknown" : s;
    }

    /** The host label: the run plan target, e.g. {@code qemu=debian:7.3.4}. */
    public String host() {
        String h = labels.get("host");
        return h == null || h.isEmpty() ? "unknown" : h;
    }
}
