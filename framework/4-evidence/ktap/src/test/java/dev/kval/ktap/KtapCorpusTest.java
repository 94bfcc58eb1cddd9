package dev.kval.ktap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The parser on real KTAP/TAP streams (src/test/resources/corpus/MANIFEST.tsv): KUnit output from dmesg with printk
 * prefixes, runs a panic interrupted, kselftest with "# "-nested TAP, mail-wrapped output, TAP 13/14 and KTAP 1/2.
 * Expected leaf counts were written by reading each stream and agree with the kernel's kunit.py parse (for the KUnit
 * files: passed/failed/skipped, its "crashed" being our missing) and with the kval agent's own "# Totals" line.
 */
class KtapCorpusTest {

    record Entry(String file, Counts expected, String exercises, String source) {
        @Override
        public String toString() {
            return file;
        }
    }

    static List<Entry> entries() {
        List<Entry> out = new ArrayList<>();
        try (InputStream in = KtapCorpusTest.class.getResourceAsStream("/corpus/MANIFEST.tsv")) {
            for (String l : new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList()) {
                if (l.isBlank() || l.startsWith("#")) {
                    continue;
                }
                String[] f = l.split("\t", -1);
                int[] c = java.util.Arrays.stream(f[1].trim().split(" +")).mapToInt(Integer::parseInt).toArray();
                if (f.length != 4 || c.length != 8) {
                    throw new IllegalStateException("MANIFEST.tsv row needs file, 8 counts, what, source: " + l);
                }
                out.add(new Entry(f[0], new Counts(c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7], 0), f[2], f[3]));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    static Counts parse(String file) {
        try (InputStream in = KtapCorpusTest.class.getResourceAsStream("/corpus/" + file)) {
            assertNotNull(in, "corpus file missing: " + file);
            CountingListener c = new CountingListener();
            KtapParser.parse(new InputStreamReader(in, StandardCharsets.ISO_8859_1), c);
            Counts k = c.counts();
            return new Counts(k.pass(), k.fail(), k.skip(), k.xfail(), k.timeout(), k.error(), k.missing(), k.leaves(), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("entries")
    void countsAreExact(Entry e) {
        assertTrue(!e.source().isBlank(), e.file() + " has no provenance");
        assertEquals(e.expected(), parse(e.file()), e.file() + ": " + e.exercises() + " (" + e.source() + ")");
    }

    @Test
    void corpusCoversWhatTheIssueAsks() {
        List<Entry> all = entries();
        assertTrue(all.size() >= 30, "KTAP corpus has " + all.size() + " streams, want >= 30");
        long exact = all.stream().filter(e -> e.expected().equals(parse(e.file()))).count();
        System.out.printf(Locale.ROOT, "KTAP corpus: %d streams, counts exact on %d (%.1f%%)%n", all.size(), exact,
                100.0 * exact / all.size());
        String what = String.join("\n", all.stream().map(e -> e.exercises()).toList());
        for (String needed : List.of("printk", "interrupted", "#-nested", "wrapped", "TAP 14", "TAP 13", "KTAP version 2")) {
            assertTrue(what.contains(needed), "no stream exercises " + needed);
        }
    }

    /** Lines of any length in: prefix stripping and classification stay linear (ratio of same-size inputs). */
    @Test
    void linearOnOneMegabyteLines() {
        List<IntFunction<String>> shapes = List.of(
            n -> "[   12.345678] KTAP version 1\n[   12.345678] " + " ".repeat(n) + "ok 1 x\n",
            n -> "TAP version 13\n" + "# ".repeat(n / 2) + "ok 1\n",
            n -> "KTAP version 1\nok 1 " + "\\#".repeat(n / 2) + " # SKIP\n",
            n -> "KTAP version 1\nnot ok 1 " + "a ".repeat(n / 2) + "\n" + "b".repeat(50) + "\n",
            n -> "[" + " ".repeat(n) + "TAP version 14\n");
        KtapParser.Options big = new KtapParser.Options(100_000, 4 << 20, 1_000, 64, 100_000, 65_536);
        for (int k = 0; k < shapes.size(); k++) {
            String small = shapes.get(k).apply(100_000);
            String large = shapes.get(k).apply(1_000_000);
            long bestSmall = Long.MAX_VALUE;
            long bestLarge = Long.MAX_VALUE;
            for (int r = 0; r < 4; r++) {
                long t0 = System.nanoTime();
                for (int i = 0; i < 10; i++) {
                    KtapParser.parse(new java.io.StringReader(small), new CountingListener(), big);
                }
                bestSmall = Math.min(bestSmall, System.nanoTime() - t0);
                t0 = System.nanoTime();
                KtapParser.parse(new java.io.StringReader(large), new CountingListener(), big);
                bestLarge = Math.min(bestLarge, System.nanoTime() - t0);
            }
            double ratio = (double) bestLarge / Math.max(1, bestSmall);
            System.out.printf(Locale.ROOT, "KTAP shape %d: 10 x 100 KB %.1f ms, 1 x 1 MB %.1f ms, ratio %.2f%n", k,
                    bestSmall / 1e6, bestLarge / 1e6, ratio);
            assertTrue(ratio < 5.0, "KTAP shape " + k + " is not linear (ratio " + ratio + ")");
        }
    }

    /** Real streams, mutated: the parser never throws and never counts more leaves than result lines it saw. */
    @Test
    void fuzzCorpusStreams() {
        List<String> seeds = new ArrayList<>();
        for (Entry e : entries()) {
            try (InputStream in = KtapCorpusTest.class.getResourceAsStream("/corpus/" + e.file())) {
                seeds.addAll(new String(in.readAllBytes(), StandardCharsets.ISO_8859_1).lines().toList());
            } catch (IOException ex) {
                throw new UncheckedIOException(ex);
            }
        }
        Random rnd = new Random(0x4B7A9L);
        String noise = "[]#: \t.0123456789okntKTAPversion";
        for (int i = 0; i < 20_000; i++) {
            StringBuilder doc = new StringBuilder();
            int start = rnd.nextInt(seeds.size());
            int n = 1 + rnd.nextInt(60);
            for (int j = 0; j < n; j++) {
                String s = seeds.get((start + j) % seeds.size());
                switch (rnd.nextInt(6)) {
                    case 0 -> s = s.substring(0, rnd.nextInt(s.length() + 1));
                    case 1 -> s = "[" + String.format(Locale.ROOT, "%5d.%06d", rnd.nextInt(99999), rnd.nextInt(999999)) + "] " + s;
                    case 2 -> s = s + noise.charAt(rnd.nextInt(noise.length()));
                    case 3 -> s = seeds.get(rnd.nextInt(seeds.size()));
                    default -> { }
                }
                doc.append(s).append(rnd.nextInt(20) == 0 ? "\r\n" : "\n");
            }
            CountingListener c = new CountingListener();
            KtapParser.parse(new java.io.StringReader(doc.toString()), c);
            assertTrue(c.counts().leaves() >= 0 && c.results() >= c.counts().leaves(), doc.toString());
        }
    }
}
