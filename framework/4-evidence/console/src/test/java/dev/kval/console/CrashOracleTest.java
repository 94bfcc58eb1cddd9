package dev.kval.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class CrashOracleTest {

    static List<String> log(String name) throws IOException {
        try (InputStream in = CrashOracleTest.class.getResourceAsStream("/consoles/" + name)) {
            if (in == null) {
                throw new IOException("no resource " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1).lines().collect(Collectors.toList());
        }
    }

    static String summary(List<Finding> fs) {
        return fs.stream().map(f -> f.crashClass() + "|" + f.title()).collect(Collectors.joining(";"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"debian-6.1-CLEAN.log", "debian-7.3-CLEAN.log", "debian-6.1-POISON.log", "debian-7.3-POISON.log",
            "synthetic-lookalikes.log"})
    void cleanLogsGiveNoFindings(String name) throws IOException {
        assertEquals(List.of(), CrashOracle.standard().scan(log(name)), name);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "debian-6.1-WARNING.log|warning|WARNING in kvalcrash_warning",
        "debian-6.1-BUG.log|bug|kernel BUG in kvalcrash_bug",
        "debian-6.1-NULL.log|oops|BUG: unable to handle kernel NULL pointer dereference in kvalcrash_null",
        "debian-6.1-PAGEFAULT.log|oops|BUG: unable to handle kernel paging request in kvalcrash_pagefault",
        "debian-6.1-LIST_CORRUPT.log|bug|BUG: corrupted list in kvalcrash_list_corrupt",
        "debian-6.1-DOUBLE_FREE.log|bug|kernel BUG in kvalcrash_write",
        "debian-6.1-INITEXIT.log|panic|kernel panic: Attempted to kill init!",
        "debian-7.3-INITEXIT.log|panic|kernel panic: Attempted to kill init!",
        "debian-6.1-NOROOT.log|panic|kernel panic: VFS: Unable to mount root fs on unknown-block(0,0)",
        "debian-7.3-NOROOT.log|panic|kernel panic: VFS: Unable to mount root fs on unknown-block(0,0)",
        "public-kasan-uaf.log|kasan|KASAN: use-after-free Read in ntfs_lookup_inode_by_name",
        "public-kasan-decoded-caller.log|kasan|KASAN: slab-use-after-free Read in kernfs_test_super",
        "public-lockdep-circular.log|lockdep|possible deadlock in p_create_database",
        "public-ubsan-shift.log|ubsan|UBSAN: shift-out-of-bounds in update_burst_score",
        "kval-poison-probe-gmem.log|hwpoison|Memory failure: recovery action for dirty unevictable LRU page: Failed",
    })
    void singleReport(String name, String crashClass, String title) throws IOException {
        List<Finding> fs = CrashOracle.standard().scan(log(name));
        assertEquals(1, fs.size(), name + ": " + fs);
        assertEquals(crashClass, fs.get(0).crashClass());
        assertEquals(title, fs.get(0).title());
    }

    @Test
    void repeatedReportsAreSeparateFindings() throws IOException {
        assertEquals("hung-task|INFO: task hung in kvalcrash_write;hung-task|INFO: task hung in kvalcrash_write",
                summary(CrashOracle.standard().scan(log("debian-6.1-HUNG_TASK.log"))));
        assertEquals("soft-lockup|BUG: soft lockup in kvalcrash_softlockup;soft-lockup|BUG: soft lockup in kvalcrash_softlockup",
                summary(CrashOracle.standard().scan(log("debian-6.1-SOFTLOCKUP.log"))));
        assertEquals("rcu-stall|INFO: rcu detected stall in rcu_gp_kthread;rcu-stall|INFO: rcu detected stall",
                summary(CrashOracle.standard().scan(log("public-rcu-stall.log"))));
    }

    @Test
    void severalSplatsInOneLogWithExactLineRanges() throws IOException {
        List<String> lines = log("debian-6.1-MULTI.log");
        List<Finding> fs = CrashOracle.standard().scan(lines);
        assertEquals(List.of(
                new Finding("warning", "WARNING in kvalcrash_warning", 368, 406),
                new Finding("oops", "BUG: unable to handle kernel NULL pointer dereference in kvalcrash_null", 408, 464),
                new Finding("bug", "kernel BUG in kvalcrash_bug", 469, 523)), fs);
        assertTrue(lines.get(367).contains("WARNING: CPU: 1 PID: 1 at"));
        assertTrue(lines.get(405).contains("---[ end trace"));
        assertTrue(lines.get(407).contains("BUG: kernel NULL pointer dereference"));
        assertTrue(lines.get(468).contains("kernel BUG at"));
        assertTrue(lines.get(522).contains("PKRU:"), "the register dump after end trace belongs to the oops");
    }

    @Test
    void callerPrefixesAndNoTimestampsGiveSameFindings() throws IOException {
        List<String> orig = log("debian-6.1-MULTI.log");
        List<String> caller = new ArrayList<>();
        List<String> bare = new ArrayList<>();
        for (String l : orig) {
            caller.add(l.replaceFirst("^(\\[\\s*\\d+\\.\\d+\\])", "$1[   T94]"));
            bare.add(l.replaceFirst("^\\[\\s*\\d+\\.\\d+\\] ", ""));
        }
        List<Finding> expected = CrashOracle.standard().scan(orig);
        assertEquals(expected, CrashOracle.standard().scan(caller));
        assertEquals(expected, CrashOracle.standard().scan(bare));
    }

    @Test
    void sessionIsIncrementalAndDetectsPanic() throws IOException {
        CrashOracle.Session s = CrashOracle.standard().session();
        List<String> lines = log("debian-6.1-INITEXIT.log");
        int panicLine = -1;
        for (int i = 0; i < lines.size(); i++) {
            s.feed(lines.get(i));
            if (s.panicked() && panicLine < 0) {
                panicLine = i + 1;
                assertEquals(1, s.findings().size(), "open report visible before it ends");
            }
        }
        assertTrue(lines.get(panicLine - 1).contains("Kernel panic - not syncing"));
        assertEquals(List.of(new Finding("panic", "kernel panic: Attempted to kill init!", panicLine, s.findings().get(0).lastLine())),
                s.finish());
        CrashOracle.Session clean = CrashOracle.standard().session();
        log("debian-6.1-WARNING.log").forEach(clean::feed);
        assertFalse(clean.panicked());
    }

    @Test
    void interleavedUnrelatedLinesDoNotExtendReport() {
        List<String> l = List.of(
                "[    1.000000] WARNING: CPU: 0 PID: 1 at arch/x86/kvm/mmu/mmu.c:4123 kvm_mmu_page_fault+0x1e/0x7d0 [kvm]",
                "[    1.000001] Modules linked in: kvm_amd kvm",
                "kval-agent: still running",
                "[    1.000002] RIP: 0010:kvm_mmu_page_fault+0x1e/0x7d0 [kvm]",
                "[    1.000003] Call Trace:",
                "[    1.000004]  <TASK>",
                "[    1.000005]  kvm_arch_vcpu_ioctl_run+0x2b0/0x5a0 [kvm]",
                "[    1.000006]  </TASK>",
                "[    1.000007] ---[ end trace 0000000000000000 ]---",
                "unrelated",
                "[    2.000000] INFO: task kworker/0:1:12 blocked for more than 120 seconds.",
                "[    2.000001] task:kworker/0:1  state:D stack:0 pid:12",
                "[    2.000002] Call Trace:",
                "[    2.000003]  <TASK>",
                "[    2.000004]  __schedule+0x34d/0x9e0",
                "[    2.000005]  schedule+0x5a/0xd0",
                "[    2.000006]  kvm_gmem_release+0x18d/0x18f [kvm]",
                "[    2.000007]  </TASK>",
                "[    3.000000] NMI watchdog: Watchdog detected hard LOCKUP on cpu 1",
                "[    3.000001] RIP: 0010:kvm_gmem_get_pfn+0x10/0x20 [kvm]",
                "[    3.000002] Call Trace:",
                "[    3.000003]  <TASK>",
                "[    3.000004]  </TASK>",
                "[    4.000000] BUG: Bad page state in process qemu  pfn:12345",
                "[    4.000001] page dumped because: nonzero mapcount",
                "[    4.000002] Call Trace:",
                "[    4.000003]  <TASK>",
                "[    4.000004]  bad_page+0xd5/0xf0",
                "[    4.000005]  free_pages_prepare+0x3e5/0x520",
                "[    4.000006]  kvm_gmem_free_folio+0x12/0x30 [kvm]",
                "[    4.000007]  </TASK>",
                "[    5.000000] BUG: sleeping function called from invalid context at mm/slab.h:123",
                "[    5.000001] Call Trace:",
                "[    5.000002]  <TASK>",
                "[    5.000003]  dump_stack_lvl+0x5d/0x80",
                "[    5.000004]  __might_resched+0x15e/0x190",
                "[    5.000005]  kvm_gmem_bind+0x44/0x90 [kvm]",
                "[    5.000006]  </TASK>");
        assertEquals(List.of(
                new Finding("warning", "WARNING in kvm_mmu_page_fault", 1, 9),
                new Finding("hung-task", "INFO: task hung in kvm_gmem_release", 11, 18),
                new Finding("hard-lockup", "BUG: hard lockup in kvm_gmem_get_pfn", 19, 23),
                new Finding("bad-page", "BUG: Bad page state in kvm_gmem_free_folio", 24, 31),
                new Finding("bug", "BUG: sleeping function called from invalid context in kvm_gmem_bind", 32, 38)),
                CrashOracle.standard().scan(l));
    }

    @Test
    void newStyleWarningLine() {
        List<Finding> fs = CrashOracle.standard().scan(List.of(
                "[   10.1][  T123] WARNING: arch/x86/kvm/mmu/mmu.c:4123 at kvm_mmu_page_fault+0x1e/0x7d0, CPU#1: qemu/123",
                "[   10.2][  T123] ---[ end trace 0000000000000000 ]---"));
        assertEquals(List.of(new Finding("warning", "WARNING in kvm_mmu_page_fault", 1, 2)), fs);
    }

    @Test
    void everyRuleClassIsKnown() {
        for (CrashRule r : CrashOracle.standard().rules()) {
            assertTrue(CrashOracle.CLASSES.contains(r.crashClass()), r.id());
        }
    }
}
