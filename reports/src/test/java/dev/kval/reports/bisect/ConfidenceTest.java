package dev.kval.reports.bisect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The arithmetic behind N per step and the confidence (stated in {@link Confidence}). */
class ConfidenceTest {
    @Test
    void runsPerStepGrowWithTheFlakeRate() {
        assertEquals(1, Confidence.runsFor(0.0));
        assertEquals(1, Confidence.runsFor(0.005));
        assertEquals(3, Confidence.runsFor(0.05));   // 3 f^2 (1-f) + f^3 = 0.00725
        assertEquals(5, Confidence.runsFor(0.1));    // N=3 gives 0.028, N=5 gives 0.0086
        assertEquals(Confidence.MAX_RUNS, Confidence.runsFor(0.45));
    }

    @Test
    void aUnanimousStepIsSurerThanASplitOneAndASplitOneIsAToss() {
        double f = 0.05;
        double unanimous = Confidence.step(new Confidence.Votes(3, 0), f);
        double split = Confidence.step(new Confidence.Votes(2, 1), f);
        assertTrue(unanimous > 0.9998 && unanimous < 1, String.valueOf(unanimous));
        assertEquals(0.95, split, 1e-9);
        assertEquals(0.5, Confidence.step(new Confidence.Votes(2, 2), f), 1e-9);
        assertEquals(unanimous * split, Confidence.of(List.of(new Confidence.Votes(3, 0), new Confidence.Votes(2, 1)), f), 1e-12);
    }

    @Test
    void estimatedRateFollowsTheRuleOfSuccession() {
        assertEquals(1.0 / 20, Confidence.estimate(List.of(new Confidence.Votes(3, 0), new Confidence.Votes(3, 0),
                new Confidence.Votes(3, 0), new Confidence.Votes(3, 0), new Confidence.Votes(3, 0), new Confidence.Votes(3, 0))), 1e-12);
        assertEquals(0.49, Confidence.estimate(List.of(new Confidence.Votes(1, 9))), 1e-12);
    }
}
