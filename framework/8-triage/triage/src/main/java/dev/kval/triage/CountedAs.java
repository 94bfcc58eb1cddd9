package dev.kval.triage;

import java.util.Map;

/**
 * What one stored result counts as in the flakiness statistics. A run is a PASS or a FAIL; SKIP says nothing about
 * the kernel's behaviour (counted apart, never as a run); INFRA-attributed results are not the kernel's or the test's
 * doing and count nowhere.
 */
public enum CountedAs {
    PASS, FAIL, SKIP, UNCOUNTED;

    /**
     * Status -> outcome. XFAIL is a documented kernel gap the verdict already accepts (it passes in JUnit and Allure),
     * so it counts as a passing run; TIMEOUT / ERROR / MISSING mean the case died and count as failures.
     */
    static final Map<String, CountedAs> BY_STATUS = Map.of(
            "PASS", PASS, "XFAIL", PASS,
            "FAIL", FAIL, "ERROR", FAIL, "TIMEOUT", FAIL, "MISSING", FAIL,
            "SKIP", SKIP);

    public static CountedAs of(String status, String attribution) {
        if ("INFRA".equals(attribution)) {
            return UNCOUNTED;
        }
        CountedAs o = BY_STATUS.get(status);
        if (o == null) {
            throw new IllegalArgumentException("unknown result status '" + status + "' (known: " + BY_STATUS.keySet() + ")");
        }
        return o;
    }
}
