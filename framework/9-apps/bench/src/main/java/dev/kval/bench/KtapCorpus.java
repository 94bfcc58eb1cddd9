package dev.kval.bench;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** The generated input of {@code kval bench ktap}: KUnit-style nested KTAP of a given size, with its expected counts. */
final class KtapCorpus {
    private KtapCorpus() {
    }

    static final int CASES = 20;
    static final int ASSERTS = 20;

    record Generated(Path file, long lines, long results, long leaves) {
    }

    /** KUnit-style nested KTAP (4-space indentation, "# Subtest:" headers): suites > cases > assertions. */
    static Generated generate(Path file, long target) throws IOException {
        long perCase = 3 + ASSERTS + ASSERTS / 5 + 1;
        long perSuite = 3 + CASES * perCase + 1;
        long suites = Math.max(1, (target - 2) / perSuite);
        long lines = 0;
        long results = 0;
        long leaves = 0;
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            w.write("KTAP version 1\n1..");
            w.write(Long.toString(suites));
            w.write('\n');
            lines += 2;
            for (long s = 1; s <= suites; s++) {
                String suite = "api_s" + s;
                w.write("    KTAP version 1\n    # Subtest: " + suite + "\n    1.." + CASES + "\n");
                lines += 3;
                for (int c = 1; c <= CASES; c++) {
                    String kase = "C" + c;
                    w.write("        KTAP version 1\n        # Subtest: " + kase + "\n        1.." + ASSERTS + "\n");
                    lines += 3;
                    boolean caseFailed = false;
                    for (int a = 1; a <= ASSERTS; a++) {
                        if (a % 5 == 0) {
                            w.write("        # observed=EINVAL\n");
                            lines++;
                        }
                        String name = "api." + kase + ".punch_" + s + "_" + a;
                        if ((s + c + a) % 97 == 0) {
                            w.write("        not ok " + a + " " + name + "\n");
                            caseFailed = true;
                        } else if (a % 7 == 0) {
                            w.write("        ok " + a + " " + name + " # SKIP no hugepages\n");
                        } else {
                            w.write("        ok " + a + " " + name + "\n");
                        }
                        lines++;
                        results++;
                        leaves++;
                    }
                    w.write("    " + (caseFailed ? "not ok " : "ok ") + c + " " + kase + "\n");
                    lines++;
                    results++;
                }
                w.write("ok " + s + " " + suite + "\n");
                lines++;
                results++;
            }
        }
        return new Generated(file, lines, results, leaves);
    }
}
