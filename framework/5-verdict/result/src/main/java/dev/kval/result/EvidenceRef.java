package dev.kval.result;

/**
 * Where a verdict's evidence is: a KTAP line, a range of console.log or dmesg.txt lines, or an attached file, relative
 * to the host's directory of the run.
 *
 * @param kind  KTAP, CONSOLE, DMESG or FILE
 * @param file  the file, relative to the host's directory (agent.ktap, console.log, dmesg.txt, caps.json)
 * @param from  first line (1-based), 0 when the whole file is meant
 * @param to    last line, 0 when the whole file is meant
 * @param text  what those lines say, shortened (for a reader without the file)
 */
public record EvidenceRef(Kind kind, String file, int from, int to, String text) {
    public enum Kind {
        KTAP, CONSOLE, DMESG, FILE
    }
}
