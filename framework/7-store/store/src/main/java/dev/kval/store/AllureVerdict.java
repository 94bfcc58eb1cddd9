package dev.kval.store;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Locale;
import java.util.Map;

/**
 * One Allure {@code *-result.json} of a kval run read as a store verdict. The Allure status is the verdict (a known
 * finding's FAIL has already passed); label {@code ktapStatus} tells "broken" apart into TIMEOUT, ERROR and MISSING;
 * label {@code xfail} turns a pass into XFAIL; the blame tag the failure message starts with gives the attribution.
 */
record AllureVerdict(String uuid, String testId, String suite, String hostLabel, String hostClass, String kernelRelease,
        String status, String attribution, String message, long start, long stop, JsonNode attachments) {

    /** Allure status -> store status, before refinement by the labels. */
    static final Map<String, String> STATUS = Map.of("passed", "PASS", "failed", "FAIL", "broken", "ERROR", "skipped", "SKIP");
    /** The raw KTAP statuses a "broken" verdict can stand for. */
    static final java.util.Set<String> BROKEN = java.util.Set.of("TIMEOUT", "ERROR", "MISSING");
    /** Blame tag at the start of a failure message -> attribution. */
    static final Map<String, String> BLAME = Map.of("[kernel]", "KERNEL", "[test]", "TEST", "[infra]", "INFRA");

    static AllureVerdict of(JsonNode r, String file) {
        String allureStatus = r.path("status").asText("");
        String status = STATUS.get(allureStatus);
        if (status == null) {
            throw new StoreException(file + ": Allure status '" + allureStatus + "' is not one of " + STATUS.keySet()
                    + " (is this a finished kval run?)", null);
        }
        String ktap = label(r, "ktapStatus");
        if (status.equals("ERROR") && ktap != null && BROKEN.contains(ktap)) {
            status = ktap;
        }
        String xfail = label(r, "xfail");
        String message = r.path("statusDetails").path("message").isTextual() ? r.path("statusDetails").path("message").asText() : null;
        if (status.equals("PASS") && xfail != null) {
            status = "XFAIL";
            message = xfail;
        }
        String known = label(r, "known-finding");
        if (status.equals("PASS") && known != null) {
            message = "known finding: " + known;
        }
        String attribution = status.equals("PASS") || status.equals("XFAIL") || status.equals("SKIP") ? null : blame(message);
        String suite = require(r, "suite", file);
        String hostLabel = require(r, "host", file);
        return new AllureVerdict(r.path("uuid").asText(), testId(r, suite, label(r, "parentSuite")), suite, hostLabel,
                require(r, "hostClass", file), require(r, "kernel", file), status, attribution, message,
                r.path("start").asLong(0), r.path("stop").asLong(0), r.path("attachments"));
    }

    /**
     * A leaf's id is its name ({@code api.C12.flag_bit_0}). A host-level test (feature {@code host}: the host failed,
     * its console showed a crash, the agent timed out) is named "console of &lt;host&gt;" and the like: its id is the suite
     * and the words before the host, e.g. {@code host.console}, or {@code api.host} for "api on &lt;host&gt;".
     */
    static String testId(JsonNode r, String suite, String hostTitle) {
        String name = r.path("name").asText();
        if (!"host".equals(label(r, "feature"))) {
            return name;
        }
        String words = name;
        if (hostTitle != null) {
            for (String sep : new String[] {" on ", " of "}) {
                if (words.endsWith(sep + hostTitle)) {
                    words = words.substring(0, words.length() - sep.length() - hostTitle.length());
                }
            }
        }
        String slug = words.strip().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-|-$", "");
        return slug.isEmpty() || slug.equals(suite) ? suite + ".host" : suite + "." + slug;
    }

    static String blame(String message) {
        if (message != null) {
            for (Map.Entry<String, String> e : BLAME.entrySet()) {
                if (message.startsWith(e.getKey())) {
                    return e.getValue();
                }
            }
        }
        return null;
    }

    static String label(JsonNode r, String name) {
        for (JsonNode l : r.path("labels")) {
            if (name.equals(l.path("name").asText())) {
                return l.path("value").asText();
            }
        }
        return null;
    }

    private static String require(JsonNode r, String name, String file) {
        String v = label(r, name);
        if (v == null || v.isBlank()) {
            throw new StoreException(file + ": no '" + name + "' label; kval's results carry suite, kernel, hostClass and host"
                    + " labels (is this the allure-results of a kval run?)", null);
        }
        return v;
    }
}
