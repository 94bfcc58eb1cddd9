package dev.kval.store;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Locale;
import java.util.Map;

/**
 * One Allure {@code *-result.json} of a kval run as a store verdict: Allure gives the test's identity, times and
 * attachments; the verdict itself (status, attribution, message) comes from the run's verdicts.json
 * ({@link #judged}), so nothing is rebuilt from Allure labels or parsed out of a failure message.
 */
record AllureVerdict(String uuid, String testId, String suite, String hostLabel, String hostClass, String kernelRelease,
        String status, String attribution, String message, long start, long stop, JsonNode attachments) {

    /** Allure status -> store status, before refinement by the labels. */
    static final Map<String, String> STATUS = Map.of("passed", "PASS", "failed", "FAIL", "broken", "ERROR", "skipped", "SKIP");
    /** The raw KTAP statuses a "broken" verdict can stand for. */
    static final java.util.Set<String> BROKEN = java.util.Set.of("TIMEOUT", "ERROR", "MISSING");

    static AllureVerdict of(JsonNode r, String file) {
        String allureStatus = r.path("status").asText("");
        String status = STATUS.get(allureStatus);
        if (status == null) {
            throw new StoreException(file + ": Allure status '" + allureStatus + "' is not one of " + STATUS.keySet()
                    + " (is this a finished kval run?)", null);
        }
        String message = r.path("statusDetails").path("message").isTextual() ? r.path("statusDetails").path("message").asText() : null;
        String suite = require(r, "suite", file);
        String hostLabel = require(r, "host", file);
        return new AllureVerdict(r.path("uuid").asText(), testId(r, suite, label(r, "parentSuite")), suite, hostLabel,
                require(r, "hostClass", file), require(r, "kernel", file), status, null, message,
                r.path("start").asLong(0), r.path("stop").asLong(0), r.path("attachments"));
    }

    /**
     * This result with the judge's verdict (an entry of verdicts.json): XFAIL and the broken KTAP statuses (TIMEOUT,
     * ERROR, MISSING) come from its KTAP status, the attribution from its blame.
     */
    AllureVerdict judged(JsonNode v) {
        String outcome = v.path("outcome").asText();
        String ktap = v.path("ktapStatus").isTextual() ? v.path("ktapStatus").asText() : null;
        String reason = v.path("reason").asText("");
        String finding = v.path("finding").isTextual() ? v.path("finding").asText() : null;
        String blame = v.path("blame").isTextual() ? v.path("blame").asText() : null;
        String st = switch (outcome) {
            case "PASS" -> "XFAIL".equals(ktap) ? "XFAIL" : "PASS";
            case "FAIL" -> "FAIL";
            case "SKIP" -> "SKIP";
            default -> ktap != null && BROKEN.contains(ktap) ? ktap : "ERROR";
        };
        String msg = switch (st) {
            case "PASS" -> finding != null ? "known finding: " + finding : message;
            case "XFAIL", "SKIP" -> reason;
            default -> (blame == null ? "" : "[" + blame.toLowerCase(Locale.ROOT) + "] ") + reason;
        };
        String attribution = st.equals("PASS") || st.equals("XFAIL") || st.equals("SKIP") ? null : blame;
        return new AllureVerdict(uuid, testId, suite, hostLabel, hostClass, kernelRelease, st, attribution, msg, start, stop, attachments);
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
