package dev.kval.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;

/**
 * What a real console throws at the oracle: shapes of prefix the kernel and the tools around it add, lines of any
 * length and garbage. Time checks compare the same amount of text fed as short and as long lines (a ratio, never an
 * absolute time, so a loaded machine does not make them flake).
 */
class CrashOracleRobustnessTest {

    /** Pathological lines for the shapes that used to backtrack: a lazy group before an optional tail and $, etc. */
    static final List<IntFunction<String>> PATHOLOGICAL = List.of(
        n -> "Kernel panic - not syncing: " + " ".repeat(n) + "x",
        n -> "Kernel panic - not syncing: " + " exitcode=0x1".repeat(n / 13),
        n -> "Memory failure: 0x1234: " + " ".repeat(n) + "y",
        n -> "Memory failure: 0x1234: recovery action for " + " ".repeat(n),
        n -> "BUG: " + "a in b".repeat(n / 6),
        n -> "UBSAN: " + "a ".repeat(n / 2),
        n -> "BUG: KFENCE: " + "a ".repeat(n / 2),
        n -> "INFO: task " + " blocked in I/O".repeat(n / 15),
        n -> "WARNING: CPU: 1 PID: 2 at " + "a".repeat(n),
        n -> "WARNING: " + "at ".repeat(n / 3),
        n -> "[" + " ".repeat(n),
        n -> "[   12.345678] " + " ".repeat(n) + "z",
        n -> "x".repeat(n) + "[   12.345678] Kernel panic - not syncing: x",
        n -> "=".repeat(n) + "x",
        n -> " ".repeat(n) + "? " + "a".repeat(n),
        n -> " " + "a".repeat(n) + " (" + "b".repeat(n),
        n -> "RIP: 0010:[<" + "f".repeat(n),
        n -> "  (lock), at: [<ffff>] " + "a".repeat(n),
        n -> "kernel BUG at " + "a".repeat(n),
        n -> "list_del" + "_".repeat(n) + "x",
        n -> "Dec  7 18:51:35 " + "h".repeat(n) + " kernel: x",
        n -> "2026-12-07T18:51:35." + "1".repeat(n),
        n -> "kern  :" + "e".repeat(n));

    /** Lines as long as they come: the patterns alone must be linear, so the line cap is lifted here. */
    static CrashOracle uncapped() {
        return new CrashOracle(CrashPatterns.STANDARD, CrashPatterns.GENERIC_FRAMES, 64 << 20);
    }

    static long feedNanos(CrashOracle o, String line, int times) {
        long t0 = System.nanoTime();
        for (int i = 0; i < times; i++) {
            CrashOracle.Session s = o.session();
            s.feed(line);
            s.feed("   continuation " + i);
            s.finish();
        }
        return System.nanoTime() - t0;
    }

    @Test
    void everyPatternIsLinearOnOneMegabyteLines() {
        CrashOracle o = uncapped();
        StringBuilder report = new StringBuilder();
        for (int k = 0; k < PATHOLOGICAL.size(); k++) {
            String small = PATHOLOGICAL.get(k).apply(100_000);
            String large = PATHOLOGICAL.get(k).apply(1_000_000);
            feedNanos(o, small, 5); // warm-up (JIT, heap growth)
            feedNanos(o, large, 1);
            long bestSmall = Long.MAX_VALUE;
            long bestLarge = Long.MAX_VALUE;
            for (int r = 0; r < 4; r++) {
                bestSmall = Math.min(bestSmall, feedNanos(o, small, 10));
                bestLarge = Math.min(bestLarge, feedNanos(o, large, 1));
            }
            // Same number of characters both ways: linear gives ~1, quadratic ~10.
            double ratio = (double) bestLarge / Math.max(bestSmall, 1);
            report.append(String.format(Locale.ROOT, "  shape %2d: 10 x 100 KB %6.1f ms, 1 x 1 MB %6.1f ms, ratio %.2f%n", k,
                    bestSmall / 1e6, bestLarge / 1e6, ratio));
            assertTrue(ratio < 5.0, "shape " + k + " is not linear in the line length (ratio " + ratio + "):\n" + report);
        }
        System.out.print("oracle linear-time check (time per character of 1 MB lines vs 100 KB lines):\n" + report);
    }

    @Test
    void longLinesAreCutWithAMarkerAndStillClassified() throws IOException {
        String huge = "[   10.000000] Kernel panic - not syncing: " + "A".repeat(1 << 20);
        CrashOracle.Session s = CrashOracle.standard().session();
        s.feed(huge);
        List<Finding> fs = s.finish();
        assertEquals(1, s.cutLines());
        assertEquals("panic", fs.get(0).crashClass());
        assertTrue(fs.get(0).title().contains(CrashOracle.CUT_MARKER.trim()), fs.get(0).title().substring(0, 80));
        assertTrue(fs.get(0).title().length() < CrashOracle.MAX_LINE + 100, "the title holds at most the cut line");
        // The Reader path never holds more than the cap either: a megabyte without a newline, then a real report.
        Reader r = new StringReader("x".repeat(4 << 20) + "\n[    1.0] BUG: KASAN: use-after-free in f+0x1/0x2\n"
                + "[    1.0] Read of size 8 at addr 0 by task t/1\n");
        List<Finding> fr = CrashOracle.standard().scan(r);
        assertEquals(List.of(new Finding("kasan", "KASAN: use-after-free Read in f", 2, 3)), fr);
    }

    @Test
    void prefixShapesGiveTheSameFinding() {
        String[] heads = {
            "[   12.345678] ",
            "[   12.345678][  T123] ",
            "[   12.345678][    C1] ",
            "<0>[   12.345678] ",
            "Dec  7 18:51:35 hostname kernel: [   12.345678] ",
            "Dec  7 18:51:35 hostname kernel: ",
            "2026-12-07T18:51:35.123456+00:00 hostname kernel: ",
            "2026-12-07T18:51:35Z hostname kernel: [   12.345678] ",
            "kern  :emerg : [   12.345678] ",
            "root@guest:~# [   12.345678] ",
            "syzkaller login: [   12.345678][  T81] ",
            "[   12.345678] \t",
            " ",
            ""};
        for (String h : heads) {
            List<Finding> fs = CrashOracle.standard().scan(List.of(
                    "[   12.000000] unrelated output",
                    h + "Kernel panic - not syncing: Attempted to kill init! exitcode=0x00000009",
                    h + "CPU: 0 PID: 1 Comm: init Not tainted 6.1.0 #1",
                    h + "---[ end Kernel panic - not syncing: Attempted to kill init! exitcode=0x00000009 ]---"));
            assertEquals(List.of(new Finding("panic", "kernel panic: Attempted to kill init!", 2, 4)), fs, "prefix '" + h + "'");
        }
    }

    @Test
    void fatalMachineCheckEndingInPanicIsHwpoisonNotPanic() {
        List<Finding> fs = CrashOracle.standard().scan(List.of(
                "[  133.900042] mce: [Hardware Error]: CPU 0: Machine Check Exception: 5 Bank 4: ba00000000000e0b",
                "[  133.900057] mce: [Hardware Error]: PROCESSOR 0:a06d1 TIME 1715827713 SOCKET 0 APIC 0 microcode 810001d0",
                "[  134.053858] mce: [Hardware Error]: Machine check: Processor context corrupt",
                "[  134.053866] Kernel panic - not syncing: Fatal machine check",
                "[  134.075183] Kernel Offset: disabled"));
        assertEquals(List.of(new Finding("hwpoison", "MCE: Processor context corrupt", 1, 5)), fs);
    }

    @Test
    void injectedPoisonThatRecoveredIsNotACrashButAHardwareAbortIs() {
        List<String> injected = List.of(
                "[   10.0] Injecting memory failure for pfn 0x2d9bb at process virtual address 0x7f00",
                "[   10.1] Memory failure: 0x2d9bb: recovery action for dirty LRU page: Recovered");
        assertEquals(List.of(), CrashOracle.standard().scan(injected));
        List<String> sea = List.of(
                "[   10.0] Synchronous External Abort: synchronous external abort (0x92000410) at 0x000000003751c6b4",
                "[   10.1] Memory failure: 0x2d9bb: recovery action for dirty LRU page: Recovered");
        assertEquals(List.of(new Finding("hwpoison", "Memory failure: recovery action for dirty LRU page: Recovered", 1, 2)),
                CrashOracle.standard().scan(sea));
    }

    @Test
    void hardLockupShapesOldAndNew() {
        // 4.x "NMI watchdog: ..." (corpus ml-hardlockup-hibernate-4.13.log), 6.5+ buddy/perf "watchdog: CPU3: ...",
        // and hardlockup_panic's bare panic whose stack is the detector's (no function named).
        assertEquals(List.of(new Finding("hard-lockup", "BUG: hard lockup in qi_submit_sync", 1, 4)), CrashOracle.standard().scan(List.of(
                "[164.964389] watchdog: CPU3: Watchdog detected hard LOCKUP on cpu 3",
                "[164.964407] Modules linked in: snd_hda_codec_alc662",
                "[164.964410] RIP: 0010:qi_submit_sync+0x2c0/0x490",
                "[164.964420] Kernel panic - not syncing: Hard LOCKUP")), "the panic it causes is part of the report");
        assertEquals(List.of(new Finding("hard-lockup", "BUG: hard lockup", 1, 1)), CrashOracle.standard().scan(List.of(
                "Kernel panic - not syncing: Watchdog detected hard LOCKUP on cpu 0")));
    }

    @Test
    void firstSplatWinsAndLaterOnesAreKept() {
        List<Finding> fs = CrashOracle.standard().scan(List.of(
                "[    1.0] ------------[ cut here ]------------",
                "[    1.1] WARNING: CPU: 1 PID: 8377 at arch/x86/kvm/x86.c:7209 kvm_arch_vcpu_ioctl_run+0x1f7/0x5a00",
                "[    1.2] Kernel panic - not syncing: panic_on_warn set ...",
                "[    1.3] CPU: 1 PID: 8377 Comm: syz-executor6 Not tainted 4.12.0-rc7+ #2"));
        assertEquals("WARNING in kvm_arch_vcpu_ioctl_run", CrashOracle.firstSplat(fs).orElseThrow().title());
        assertEquals(2, fs.size(), fs.toString());
        assertEquals("panic", fs.get(1).crashClass());
    }

    /** 20 000 seeded inputs built from real corpus lines, mutated and mixed with noise: no exception, sane findings. */
    @Test
    void fuzzTwentyThousandInputs() {
        List<String> seeds = new ArrayList<>();
        for (CrashCorpusTest.Entry e : CrashCorpusTest.entries()) {
            seeds.addAll(CrashCorpusTest.read(CrashCorpusTest.path(e)));
        }
        assertTrue(seeds.size() > 1000, "corpus lines as seeds: " + seeds.size());
        String noise = "[]<>()#:=-+.?! \t\u0000\u00e9\u4e2d0123456789abcdefxyzKBUGWARNINGINFOpanic";
        Random rnd = new Random(0x5EED17L);
        CrashOracle oracle = CrashOracle.standard();
        int findings = 0;
        for (int i = 0; i < 20_000; i++) {
            int n = 1 + rnd.nextInt(40);
            List<String> lines = new ArrayList<>(n);
            for (int j = 0; j < n; j++) {
                String s = seeds.get(rnd.nextInt(seeds.size()));
                switch (rnd.nextInt(8)) {
                    case 0 -> s = s.substring(0, rnd.nextInt(s.length() + 1));
                    case 1 -> s = s.substring(rnd.nextInt(s.length() + 1));
                    case 2 -> {
                        StringBuilder b = new StringBuilder(s);
                        for (int k = rnd.nextInt(8); k > 0; k--) {
                            b.insert(rnd.nextInt(b.length() + 1), noise.charAt(rnd.nextInt(noise.length())));
                        }
                        s = b.toString();
                    }
                    case 3 -> s = s + s.repeat(rnd.nextInt(4));
                    case 4 -> {
                        StringBuilder b = new StringBuilder();
                        for (int k = rnd.nextInt(300); k > 0; k--) {
                            b.append(noise.charAt(rnd.nextInt(noise.length())));
                        }
                        s = b.toString();
                    }
                    case 5 -> s = seeds.get(rnd.nextInt(seeds.size())) + s;
                    default -> { }
                }
                lines.add(s);
            }
            List<Finding> fs = oracle.scan(lines);
            for (Finding f : fs) {
                assertTrue(CrashOracle.CLASSES.contains(f.crashClass()), f.toString());
                assertTrue(1 <= f.firstLine() && f.firstLine() <= f.lastLine() && f.lastLine() <= n, f + " in " + n + " lines");
                assertTrue(!f.title().isBlank(), f.toString());
            }
            findings += fs.size();
        }
        assertTrue(findings > 1000, "the fuzz inputs do reach the rules: " + findings + " findings");
    }
}
