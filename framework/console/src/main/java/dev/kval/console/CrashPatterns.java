package dev.kval.console;

import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The crash-pattern table: one row per pattern, first match wins. Adding a crash kind means adding a row.
 * Start regexes are anchored on the line after its timestamp / caller prefix is removed, which is what keeps mid-line
 * look-alikes ("Spectre V2 : WARNING: ...", "... report a bug") from matching.
 */
public final class CrashPatterns {
    private CrashPatterns() {
    }

    private static final String FN = "([A-Za-z_][A-Za-z0-9_.]*)";
    private static final String END_TRACE = "^---\\[ end trace [0-9a-f]+ \\]---";
    /** Register dump that die() prints again after "---[ end trace ]---". */
    private static final String REGS_TAIL = "^(RIP|Code|RSP|RAX|RBX|RCX|RDX|RSI|RDI|RBP|R\\d+|FS|GS|CS|CR\\d|DR\\d|PKRU):"
            + "|^Kernel Offset:|^note: .* exited with";
    private static final String OOPS_ABSORB = "^(Oops: |#PF: |PGD |invalid opcode: |Kernel tried to|BUG: unable to handle"
            + "|KASAN: (null-ptr-deref|maybe wild-memory-access|probably user-memory-access))";

    // id, class, start, titles, weak, end, endAtTaskEnd, tail, absorb, sameKeyGroup, captures, benignIf, panics
    public static final List<CrashRule> STANDARD = List.of(
        row("kasan", "kasan", "^BUG: KASAN: ([a-z0-9-]+) in " + FN, t("KASAN: {1} {access} in {f2}", "KASAN: {1} in {f2}"),
            false, "^={20,}$", false, null, null, 0, c("^(?<access>Read|Write) of size"), null, false),
        row("kfence", "kasan", "^BUG: KFENCE: ([a-z0-9 -]+?) (?:(read|write) )?in " + FN,
            t("KFENCE: {1} {2} in {f3}", "KFENCE: {1} in {f3}"), false, "^={20,}$", false, null, null, 0, c(), null, false),
        row("ubsan", "ubsan", "^UBSAN: ([a-z0-9-]+(?: [a-z0-9-]+)*) in (\\S+)", t("UBSAN: {1} in {trace}", "UBSAN: {1} in {2}"),
            false, END_TRACE + "|^={20,}$", false, null, null, 0, c(), null, false),
        row("lockdep-circular", "lockdep", "^(?:WARNING|INFO): possible circular locking dependency detected",
            t("possible deadlock in {at}", "possible deadlock in {trace}", "possible deadlock"),
            false, null, true, null, null, 0, c(", at: (?<at>" + FN.substring(1)), null, false),
        row("lockdep-recursive", "lockdep", "^(?:WARNING|INFO): possible recursive locking detected",
            t("possible deadlock in {at}", "possible deadlock in {trace}", "possible deadlock"),
            false, null, true, null, null, 0, c(", at: (?<at>" + FN.substring(1)), null, false),
        row("lockdep-irq-order", "lockdep", "^(?:WARNING|INFO): (?:[A-Z]+-(?:READ-)?safe -> [A-Z]+-(?:READ-)?unsafe lock order"
            + "|possible irq lock inversion dependency) detected",
            t("possible deadlock in {at}", "possible deadlock in {trace}", "possible deadlock"),
            false, null, true, null, null, 0, c(", at: (?<at>" + FN.substring(1)), null, false),
        row("lockdep-inconsistent", "lockdep", "^(?:WARNING|INFO): inconsistent lock state",
            t("inconsistent lock state in {at}", "inconsistent lock state in {trace}", "inconsistent lock state"),
            false, null, true, null, null, 0, c(", at: (?<at>" + FN.substring(1)), null, false),
        row("lockdep-other", "lockdep", "^WARNING: (suspicious RCU usage|bad unlock balance detected!|held lock freed!"
            + "|lock held when returning to user space!|nested lock was not taken|bad contention detected!"
            + "|possible circular locking dependency detected)",
            t("WARNING: {1} in {trace}", "WARNING: {1}"), false, null, true, null, null, 0, c(), null, false),
        row("warning", "warning", "^WARNING: CPU: \\d+ PID: \\d+ at (?:\\S+ )?" + FN + "\\+0x", t("WARNING in {f1}"),
            false, END_TRACE, false, REGS_TAIL, null, 0, c(), null, false),
        row("warning-new", "warning", "^WARNING: (?:\\S+:\\d+ )?at " + FN + "\\+0x[0-9a-f]+/0x[0-9a-f]+", t("WARNING in {f1}"),
            false, END_TRACE, false, REGS_TAIL, null, 0, c(), null, false),
        row("warning-nosym", "warning", "^WARNING: CPU: \\d+ PID: \\d+ at ", t("WARNING in {func}", "WARNING"),
            false, END_TRACE, false, REGS_TAIL, null, 0, c(), null, false),
        row("list-corruption", "bug", "^(list_add|list_del|list_replace)[a-z_]* corruption", t("BUG: corrupted list in {func}"),
            false, END_TRACE, false, REGS_TAIL, "^kernel BUG at |" + OOPS_ABSORB, 0, c(), null, false),
        row("kernel-bug", "bug", "^kernel BUG at (\\S+?)!?$", t("kernel BUG in {func}", "kernel BUG at {1}"),
            false, END_TRACE, false, REGS_TAIL, OOPS_ABSORB, 0, c(), null, false),
        row("null-deref", "oops", "^BUG: kernel NULL pointer dereference", t("BUG: kernel NULL pointer dereference in {func}",
            "BUG: kernel NULL pointer dereference"), false, END_TRACE, false, REGS_TAIL, OOPS_ABSORB, 0, c(), null, false),
        row("page-fault", "oops", "^(?:BUG: unable to handle (?:page fault for address|kernel paging request)"
            + "|[Kk]ernel tried to execute NX-protected page)", t("BUG: unable to handle page fault in {func}",
            "BUG: unable to handle page fault"), false, END_TRACE, false, REGS_TAIL, OOPS_ABSORB, 0, c(), null, false),
        row("gpf", "oops", "^(?:Oops: )?general protection fault", t("general protection fault in {func}",
            "general protection fault"), false, END_TRACE, false, REGS_TAIL, OOPS_ABSORB, 0, c(), null, false),
        row("stack-guard", "oops", "^BUG: (stack guard page was hit|kernel stack overflow|stack is corrupted)",
            t("BUG: {1} in {func}", "BUG: {1}"), false, END_TRACE, false, REGS_TAIL, OOPS_ABSORB, 0, c(), null, false),
        row("oops", "oops", "^Oops: ", t("Oops in {func}", "Oops"), true, END_TRACE, false, REGS_TAIL, null, 0, c(), null,
            false),
        row("bad-page-state", "bad-page", "^BUG: Bad page (state|map) in process", t("BUG: Bad page {1} in {trace}",
            "BUG: Bad page {1}"), false, END_TRACE, true, null, null, 0, c(), null, false),
        row("bad-rss", "bad-page", "^BUG: Bad rss-counter state", t("BUG: Bad rss-counter state"), false,
            "^BUG: Bad rss-counter state", false, null, null, 0, c(), null, false),
        row("hung-task", "hung-task", "^INFO: task (.+):(\\d+) blocked for more than \\d+ seconds",
            t("INFO: task hung in {trace}", "INFO: task hung"), false, null, true, null, null, 0, c(), null, false),
        row("workqueue-lockup", "hung-task", "^BUG: workqueue lockup", t("BUG: workqueue lockup"), false, null, true, null,
            null, 0, c(), null, false),
        row("rcu-stall", "rcu-stall", "^(?:rcu: )?INFO: rcu_(?:preempt|sched|bh|tasks) (?:self-)?detected (?:expedited )?stall",
            t("INFO: rcu detected stall in {trace}", "INFO: rcu detected stall"), false, null, true, null,
            "^(rcu: (?!INFO: )|\\s|Sending NMI|NMI backtrace|\\(detected by)", 0, c(), null, false),
        row("soft-lockup", "soft-lockup", "^watchdog: BUG: soft lockup - CPU#\\d+ stuck for \\d+s!",
            t("BUG: soft lockup in {func}", "BUG: soft lockup"), false, null, true, null, null, 0, c(), null, false),
        row("hard-lockup", "hard-lockup", "^(?:NMI )?watchdog: (?:Watchdog detected hard LOCKUP on cpu \\d+|BUG: hard lockup)",
            t("BUG: hard lockup in {func}", "BUG: hard lockup"), false, null, true, null, null, 0, c(), null, false),
        row("hwpoison", "hwpoison", "^Memory failure: (0x[0-9a-f]+): (.*?)\\s*$",
            t("Memory failure: recovery action for {action}", "Memory failure: {2}"), false, null, false, null,
            "^(MCE: Killing |Injecting memory failure )", 1, c("recovery action for (?<action>.+?)\\s*$"),
            "recovery action for .*: Recovered\\s*$", false),
        row("sleep-atomic", "bug", "^BUG: (sleeping function called from invalid context|scheduling while atomic"
            + "|using smp_processor_id\\(\\) in preemptible|using __this_cpu_\\w+\\(\\) in preemptible)",
            t("BUG: {1} in {trace}", "BUG: {1}"), false, END_TRACE, true, null, null, 0, c(), null, false),
        row("panic", "panic", "^Kernel panic - not syncing: (.*?)(?: exitcode=0x[0-9a-f]+)?\\s*$", t("kernel panic: {1}"),
            false, "^---\\[ end Kernel panic", false, "^(---\\[ end Kernel panic|Kernel Offset:|Rebooting in)",
            "^(Kernel Offset:|Shutting down cpus|Rebooting in)", 0, c(), null, true),
        row("bug-generic", "bug", "^BUG: ([^:]+?)(?: in [^:]+)?(?::.*)?$", t("BUG: {1} in {trace}", "BUG: {1}"),
            false, END_TRACE, true, REGS_TAIL, OOPS_ABSORB, 0, c(), null, false)
    );

    /**
     * Call-trace frames that never name the culprit: reporting, exception entry, locking and scheduling primitives,
     * allocator internals. A title's "in &lt;function&gt;" is the first frame (RIP first) not matching any of these.
     */
    public static final List<Pattern> GENERIC_FRAMES = patterns(
        "dump_stack.*", "__dump_stack", "show_stack", "show_regs", "show_trace_log_lvl", "__show_regs", "print_report",
        "print_address_description.*", "print_.*_report", "kasan_.*", "__kasan_.*", "kasan", "__asan_.*", "check_memory_region.*",
        "kmsan_.*", "kfence_.*", "__kfence_.*", "__ubsan_handle_.*", "ubsan_.*", "__warn", "warn_slowpath.*", "__warn_printk",
        "report_bug", "handle_bug", "exc_.*", "asm_exc_.*", "do_error_trap", "do_trap", "do_int3.*", "die", "__die.*", "oops_.*",
        "page_fault_oops", "kernelmode_fixup_or_oops", "__bad_area.*", "bad_area.*", "do_user_addr_fault",
        "do_kern_addr_fault", "handle_page_fault", "spurious_kernel_fault", "no_context", "panic", "vpanic", "__panic",
        "nmi_.*", "watchdog_.*", "__hrtimer_run_queues", "hrtimer_interrupt", "__sysvec_.*", "sysvec_.*", "asm_sysvec_.*",
        "lock_acquire.*", "__lock_acquire", "lock_release", "__lock_release", "validate_chain", "check_noncircular",
        "check_prev_add", "check_prevs_add", "print_circular_bug.*", "print_deadlock_bug", "print_usage_bug.*",
        "mark_lock.*", "lockdep_.*", "__lockdep_.*", "debug_check_no_locks.*", "_raw_spin_.*", "__raw_spin_.*", "_raw_read_.*",
        "_raw_write_.*", "do_raw_spin_.*", "queued_spin_.*", "native_queued_spin_.*", "mutex_lock.*", "__mutex_lock.*",
        "mutex_unlock", "down_read.*", "down_write.*", "up_read", "up_write", "rwsem_.*", "__rwsem_.*", "rt_mutex.*",
        "schedule", "__schedule", "schedule_.*", "preempt_schedule.*", "io_schedule.*", "wait_for_completion.*",
        "__wait_for_common", "wait_for_common", "do_wait_for_common", "__flush_work", "flush_work", "rcu_read_lock.*",
        "kfree", "kvfree", "kmem_cache_free", "__kmem_cache_free", "slab_free.*", "__slab_free", "___slab_free",
        "do_slab_free", "free_debug_processing", "free_to_partial_list", "kmalloc.*", "__kmalloc.*", "kmem_cache_alloc.*",
        "slab_alloc.*", "___slab_alloc", "__slab_alloc", "__list_del_entry_valid.*", "__list_add_valid.*",
        "__list_del_entry", "list_del", "__list_del_entry_valid_or_report", "__list_add_valid_or_report", "bad_page",
        "free_pages_prepare", "free_page_is_bad.*", "__free_pages_ok", "check_new_page.*", "memcpy.*", "memset.*", "memmove.*",
        "__memcpy.*", "__memset.*", "strlen", "strcpy", "copy_user.*", "_copy_to_user", "_copy_from_user", "__might_sleep",
        "__might_resched", "__might_fault", "___might_sleep", "might_fault", "entry_SYSCALL_64.*", "do_syscall_64",
        "do_syscall_x64", "x64_sys_call", "syscall_exit.*", "ret_from_fork.*", "kthread", "worker_thread", "process_one_work",
        "smpboot_thread_fn", "__do_softirq", "handle_softirqs", "irq_exit_rcu", "__irq_exit_rcu", "cpu_startup_entry",
        "do_idle", "default_idle.*", "start_secondary", "common_startup_64", "secondary_startup_64.*", "rest_init",
        "arch_call_rest_init", "start_kernel", "x86_64_start_.*", "asm_common_interrupt", "common_interrupt");

    private static CrashRule row(String id, String crashClass, String start, List<String> titles, boolean weak,
                                 String end, boolean endAtTaskEnd, String tail, String absorb, int sameKeyGroup,
                                 List<Pattern> captures, String benignIf, boolean panics) {
        return new CrashRule(id, Pattern.compile(start), crashClass, titles, weak, end == null ? null : Pattern.compile(end),
                endAtTaskEnd, tail == null ? null : Pattern.compile(tail), absorb == null ? null : Pattern.compile(absorb),
                sameKeyGroup, captures, benignIf == null ? null : Pattern.compile(benignIf), panics);
    }

    private static List<String> t(String... titles) {
        return List.of(titles);
    }

    private static List<Pattern> c(String... regexes) {
        return patterns(regexes);
    }

    private static List<Pattern> patterns(String... regexes) {
        return Arrays.stream(regexes).map(Pattern::compile).toList();
    }
}
