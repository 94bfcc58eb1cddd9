package dev.kval.agent;

import java.util.ArrayList;
import java.util.List;

/**
 * The race suite's knobs: iterations per thread (rounds in its round mode) and the seed of every thread's choices.
 * Null means the agent's default (200 iterations; a seed from the clock, printed in the KTAP so a run can be repeated).
 * {@code start} is the case a fresh boot resumes at (the agent's {@code --start}) after a case left stuck tasks behind.
 */
public record RaceOptions(Integer iterations, Long seed, String start) {
    public static final RaceOptions DEFAULT = new RaceOptions(null, null, null);

    public RaceOptions(Integer iterations, Long seed) {
        this(iterations, seed, null);
    }

    /** From the command line's --iterations and --seed (decimal or 0x hex, as a race case's KTAP prints it). */
    public static RaceOptions parse(Integer iterations, String seed) {
        Long s = null;
        if (seed != null) {
            try {
                s = seed.startsWith("0x") || seed.startsWith("0X") ? Long.parseUnsignedLong(seed.substring(2), 16) : Long.parseUnsignedLong(seed);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--seed '" + seed + "' is not a number (decimal or 0x hex, as a race case's KTAP prints it)");
            }
        }
        return new RaceOptions(iterations, s);
    }

    /** These options for a boot that resumes at case {@code caseId}. */
    public RaceOptions startingAt(String caseId) {
        return new RaceOptions(iterations, seed, caseId);
    }

    public RaceOptions {
        if (iterations != null && iterations < 1) {
            throw new IllegalArgumentException("--iterations must be at least 1 (got " + iterations + ")");
        }
    }

    /** The agent's arguments for these options (none for the defaults). */
    public List<String> args() {
        List<String> a = new ArrayList<>();
        if (iterations != null) {
            a.add("--iterations");
            a.add(String.valueOf(iterations));
        }
        if (seed != null) {
            a.add("--seed");
            a.add("0x" + Long.toHexString(seed));
        }
        if (start != null) {
            a.add("--start");
            a.add(start);
        }
        return a;
    }
}
