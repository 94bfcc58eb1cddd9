package dev.kval.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The oracle on real logs it was not written against: src/test/resources/corpus/MANIFEST.tsv lists each log with the
 * class and syzkaller-style title of its first report, written by reading the log (or "-" for a log with no crash),
 * and where the log comes from. The per-file test shows each miss; the accuracy test holds the line the issue set
 * (>= 95% right class, >= 90% right title) and prints the numbers.
 */
class CrashCorpusTest {

    /** {@code knownMiss}: why kval's title differs from the one written for the log (class must still be right). */
    record Entry(String file, String crashClass, String title, String kernel, String arch, String source,
                 String knownMiss) {
        boolean negative() {
            return crashClass.equals("-");
        }

        @Override
        public String toString() {
            return file;
        }
    }

    record Outcome(Entry entry, String gotClass, String gotTitle) {
        boolean classRight() {
            return entry.crashClass().equals(gotClass);
        }

        boolean titleRight() {
            return classRight() && entry.title().equals(gotTitle);
        }
    }

    static List<Entry> entries() {
        List<Entry> out = new ArrayList<>();
        for (String l : read("/corpus/MANIFEST.tsv")) {
            if (l.isBlank() || l.startsWith("#")) {
                continue;
            }
            String[] f = l.split("\t", -1);
            if (f.length != 6 && f.length != 7) {
                throw new IllegalStateException("MANIFEST.tsv row needs 6 tab-separated fields (a 7th says why a title"
                        + " is a known miss): " + l);
            }
            out.add(new Entry(f[0], f[1], f[2], f[3], f[4], f[5], f.length == 7 ? f[6] : null));
        }
        return out;
    }

    static List<String> read(String resource) {
        try (InputStream in = CrashCorpusTest.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("no test resource " + resource);
            }
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1).lines().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String path(Entry e) {
        return e.file().startsWith("/") ? e.file() : "/corpus/" + e.file();
    }

    static Outcome run(Entry e) {
        // Through the Reader path (the one `kval console` and the host watch use), not a pre-split list.
        try (InputStream in = CrashCorpusTest.class.getResourceAsStream(path(e))) {
            assertNotNull(in, "corpus file missing: " + path(e));
            List<Finding> fs = CrashOracle.standard().scan(new InputStreamReader(in, StandardCharsets.ISO_8859_1));
            return fs.isEmpty() ? new Outcome(e, "-", "-") : new Outcome(e, fs.get(0).crashClass(), fs.get(0).title());
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("entries")
    void firstSplat(Entry e) {
        assertFalse(e.source().isBlank(), e.file() + " has no provenance");
        Outcome o = run(e);
        if (e.knownMiss() != null) {
            // Counted as a wrong title by corpusAccuracy; here only the class must hold.
            assertEquals(e.crashClass(), o.gotClass(), e.file() + " (" + e.source() + ")");
            return;
        }
        assertEquals(e.crashClass() + " | " + e.title(), o.gotClass() + " | " + o.gotTitle(), e.file() + " (" + e.source() + ")");
    }

    @Test
    void corpusAccuracy() {
        List<Entry> all = entries();
        List<Outcome> outcomes = all.stream().map(CrashCorpusTest::run).toList();
        long classRight = outcomes.stream().filter(Outcome::classRight).count();
        long titleRight = outcomes.stream().filter(Outcome::titleRight).count();
        double classPct = 100.0 * classRight / outcomes.size();
        double titlePct = 100.0 * titleRight / outcomes.size();
        String misses = outcomes.stream().filter(o -> !o.titleRight())
                .map(o -> "  " + o.entry().file() + ": want " + o.entry().crashClass() + " | " + o.entry().title()
                        + ", got " + o.gotClass() + " | " + o.gotTitle()
                        + (o.entry().knownMiss() != null ? " (known: " + o.entry().knownMiss() + ")" : ""))
                .collect(Collectors.joining("\n"));
        System.out.printf(Locale.ROOT, "crash corpus: %d logs, class right %d (%.1f%%), title right %d (%.1f%%)%n%s%n",
                outcomes.size(), classRight, classPct, titleRight, titlePct, misses);
        assertTrue(classPct >= 95.0, String.format(Locale.ROOT, "class right on %.1f%% < 95%%:%n%s", classPct, misses));
        assertTrue(titlePct >= 90.0, String.format(Locale.ROOT, "title right on %.1f%% < 90%%:%n%s", titlePct, misses));
    }

    @Test
    void corpusCoversWhatTheIssueAsks() {
        List<Entry> all = entries();
        assertTrue(all.size() >= 100, "corpus has " + all.size() + " logs, want >= 100");
        Set<String> classes = all.stream().map(Entry::crashClass).filter(c -> !c.equals("-"))
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(new TreeSet<>(CrashOracle.CLASSES), classes, "every class the oracle knows has a real log");
        assertTrue(all.stream().filter(Entry::negative).count() >= 8, "negatives that look like splats");
        Set<String> majors = all.stream().map(e -> e.kernel().substring(0, 1)).collect(Collectors.toCollection(TreeSet::new));
        assertTrue(majors.containsAll(Set.of("3", "4", "5", "6", "7")), "kernels 3.x..7.x: " + majors);
        Set<String> arches = all.stream().map(Entry::arch).collect(Collectors.toSet());
        assertTrue(arches.containsAll(Set.of("x86_64", "arm64")), "x86 and arm64: " + arches);
        long external = all.stream().filter(e -> !e.source().startsWith("QEMU TCG on this machine")).count();
        assertTrue(external * 2 > all.size(), "mostly external logs: " + external + " of " + all.size());
    }
}
