package dev.kval.console;

import static dev.kval.console.CrashRule.rule;

import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The crash-pattern table: one row per kernel report shape, first match wins, so more specific rows come first.
 * Titles follow syzkaller's names ("KASAN: use-after-free Read in f", "possible deadlock in f", "INFO: task hung in
 * f", "BUG: unable to handle kernel paging request in f", ...). Each row cites the kernel code that prints its start
 * line ({@code source}: file and function in linux-source-7.3, plus the older text where it changed); a row exists
 * because the kernel prints that line, never because one log needed it.
 *
 * <p>Start regexes run on the message with its prefix (timestamp, caller id, level, syslog header, a partial shell
 * line before the timestamp) and its leading blanks removed, which is what keeps mid-line look-alikes ("Spectre V2 :
 * WARNING: ...", "... report a bug") from matching. Every quantifier over an unbounded run is possessive or a lazy
 * match followed by a fixed literal, so each pattern is linear in the line length (CrashOracleLinearTimeTest).
 */
public final class CrashPatterns {
    private CrashPatterns() {
    }

    /** A kernel symbol as printed by %pS (compiler suffixes such as .isra.0 are removed later). */
    private static final String FN = "([A-Za-z_][A-Za-z0-9_.]*+)";
    private static final String END_TRACE = "^---\\[ end trace [0-9a-f]++ \\]---";
    private static final String KASAN_END = "^={20,}$";
    /** Register dump that die() prints again after "---[ end trace ]---". */
    private static final String REGS_TAIL = "^(?:RIP|Code|RSP|RAX|RBX|RCX|RDX|RSI|RDI|RBP|R\\d++|FS|GS|CS|CR\\d|DR\\d|PKRU):"
            + "|^Kernel Offset:|^note: .* exited with";
    private static final String OOPS_ABSORB = "^(?:Oops: |#PF: |PGD |invalid opcode: |Kernel tried to|BUG: unable to handle"
            + "|KASAN: (?:null-ptr-deref|maybe wild-memory-access|probably user-memory-access)|Internal error: |Mem abort info"
            + "|Data abort info)";
    /** lockdep's "(lock), at: [<addr>] func+0x.." line (print_lock() / print_lockdep_cache(), kernel/locking/lockdep.c). */
    private static final String LOCKDEP_AT = ", at: (?:\\[<[0-9a-f]++>\\]\\s++)?(?<at>[A-Za-z_][A-Za-z0-9_.]*+)";
    private static final String LOCKDEP_HEAD = "^(?:\\[ )?(?:WARNING|INFO): ";

    public static final List<CrashRule> STANDARD = List.of(
        // ---- sanitizers ---------------------------------------------------------------------------------------
        rule("kasan-invalid-free").cls("kasan").start("^BUG: KASAN: double-free or invalid-free in " + FN)
            .title("KASAN: invalid-free in {f1}").end(KASAN_END)
            .source("mm/kasan/report.c print_error_description() \"BUG: KASAN: %s in %pS\" with the bug type of"
                + " kasan_report_invalid_free() (4.x-5.x: \"double-free or invalid-free\")").build(),
        rule("kasan").cls("kasan").start("^BUG: KASAN: ([a-z0-9-]++) (?:in " + FN + "|on address)")
            .title("KASAN: {1} {access} in {f2}", "KASAN: {1} in {f2}", "KASAN: {1} {access}", "KASAN: {1}")
            .end(KASAN_END).capture("^(?<access>Read|Write) of size")
            .source("mm/kasan/report.c print_error_description() \"BUG: KASAN: %s in %pS\"; 3.x/4.x printed"
                + " \"BUG: KASAN: %s on address %p\" for wild accesses").build(),
        rule("kfence").cls("kasan").start("^BUG: KFENCE: ([a-z -]+?) (?:(read|write) )?in " + FN)
            .title("KFENCE: {1} {2} in {f3}", "KFENCE: {1} in {f3}").end(KASAN_END)
            .source("mm/kfence/report.c kfence_report_error() \"BUG: KFENCE: %s in %pS\"").build(),
        rule("kmsan").cls("kasan").start("^BUG: KMSAN: ([a-z0-9-]++) in " + FN)
            .title("KMSAN: {1} in {f2}").end(KASAN_END)
            .source("mm/kmsan/report.c kmsan_report() \"BUG: KMSAN: %s in %pSr\"").build(),
        rule("ubsan").cls("ubsan").start("^UBSAN: ([a-z][a-z0-9 -]*?) in (\\S++)")
            .title("UBSAN: {1} in {trace}", "UBSAN: {1} in {2}").end(END_TRACE + "|" + KASAN_END)
            .source("lib/ubsan.c ubsan_prologue() \"UBSAN: %s in %s:%d:%d\"").build(),
        rule("ubsan-old").cls("ubsan").start("^UBSAN: Undefined behaviour in ")
            .title("UBSAN: undefined-behaviour in {trace}", "UBSAN: undefined-behaviour").end(KASAN_END)
            .source("lib/ubsan.c ubsan_prologue() before 5.x: \"UBSAN: Undefined behaviour in %s:%d:%d\"").build(),

        // ---- lockdep (kernel/locking/lockdep.c; 2.6-4.x wrapped the header in "[ INFO: ... ]") ---------------
        rule("lockdep-circular").cls("lockdep").start(LOCKDEP_HEAD + "possible circular locking dependency detected")
            .title("possible deadlock in {at}", "possible deadlock in {trace}", "possible deadlock").endAtTaskEnd()
            .capture(LOCKDEP_AT).source("kernel/locking/lockdep.c print_circular_bug_header()").build(),
        rule("lockdep-recursive").cls("lockdep").start(LOCKDEP_HEAD + "possible recursive locking detected")
            .title("possible deadlock in {at}", "possible deadlock in {trace}", "possible deadlock").endAtTaskEnd()
            .capture(LOCKDEP_AT).source("kernel/locking/lockdep.c print_deadlock_bug()").build(),
        rule("lockdep-irq-order").cls("lockdep").start(LOCKDEP_HEAD + "(?:[A-Z]++-(?:READ-)?safe -> [A-Z]++-(?:READ-)?unsafe"
                + " lock order|possible irq lock inversion dependency) detected")
            .title("possible deadlock in {at}", "possible deadlock in {trace}", "possible deadlock").endAtTaskEnd()
            .capture(LOCKDEP_AT)
            .source("kernel/locking/lockdep.c print_bad_irq_dependency(), print_irq_inversion_bug()").build(),
        rule("lockdep-inconsistent").cls("lockdep").start(LOCKDEP_HEAD + "inconsistent lock state")
            .title("inconsistent lock state in {at}", "inconsistent lock state in {trace}", "inconsistent lock state")
            .endAtTaskEnd().capture(LOCKDEP_AT).source("kernel/locking/lockdep.c print_usage_bug()").build(),
        rule("lockdep-other").cls("lockdep").start("^WARNING: (suspicious RCU usage|bad unlock balance detected!"
                + "|held lock freed!|lock held when returning to user space!|nested lock was not taken"
                + "|bad contention detected!)")
            .title("WARNING: {1} in {trace}", "WARNING: {1}").endAtTaskEnd()
            .source("kernel/locking/lockdep.c lockdep_rcu_suspicious(), print_unlock_imbalance_bug(),"
                + " print_freed_lock_bug(), print_lock_contention_bug(), lockdep_sys_exit()").build(),

        // ---- WARN() ------------------------------------------------------------------------------------------
        rule("warning").cls("warning").start("^WARNING: CPU: \\d++ PID: \\d++ at (?:\\S++ )?" + FN + "\\+0x")
            .title("WARNING in {f1}").end(END_TRACE).tail(REGS_TAIL)
            .source("kernel/panic.c __warn() 3.12-7.2: \"WARNING: CPU: %d PID: %d at %s:%d %pS\"").build(),
        rule("warning-new").cls("warning").start("^WARNING: (?:\\S++ )?at (?:\\S++ )?" + FN + "(?:\\+0x|\\(\\))")
            .title("WARNING in {f1}").end(END_TRACE).tail(REGS_TAIL)
            .source("kernel/panic.c __warn() (7.3: \"WARNING: %s:%d at %pS, CPU#%d: %s/%d\"; before 3.12:"
                + " \"WARNING: at %s:%d %pS()\")").build(),
        rule("warning-nosym").cls("warning").start("^WARNING: CPU: \\d++ PID: \\d++ at ")
            .title("WARNING in {func}", "WARNING").end(END_TRACE).tail(REGS_TAIL)
            .source("kernel/panic.c __warn() without a resolvable caller").build(),
        rule("unwinder").cls("warning").start("^WARNING: kernel stack (regs|frame pointer) at \\S++ in \\S++ has bad"
                + " '(\\w++)' value")
            .title("WARNING: kernel stack {1} has bad '{2}' value")
            .source("arch/x86/kernel/unwind_frame.c unwind_next_frame()").build(),

        // ---- BUG(), oopses -----------------------------------------------------------------------------------
        rule("list-corruption").cls("bug").start("^(list_add|list_del|list_replace)[a-z_]*+ corruption")
            .title("BUG: corrupted list in {func}").end(END_TRACE).tail(REGS_TAIL).absorb("^kernel BUG at |" + OOPS_ABSORB)
            .source("lib/list_debug.c __list_add_valid_or_report(), __list_del_entry_valid_or_report()").build(),
        rule("kernel-bug").cls("bug").start("^kernel BUG at ([^!\\s]++)")
            .title("kernel BUG in {func}", "kernel BUG at {1}").end(END_TRACE).tail(REGS_TAIL).absorb(OOPS_ABSORB)
            .source("lib/bug.c __report_bug() \"kernel BUG at %s:%u!\"").build(),
        rule("null-deref").cls("oops").start("^BUG: (?:unable to handle )?kernel NULL pointer dereference")
            .title("BUG: unable to handle kernel NULL pointer dereference in {func}",
                "BUG: unable to handle kernel NULL pointer dereference")
            .end(END_TRACE).tail(REGS_TAIL).absorb(OOPS_ABSORB)
            .source("arch/x86/mm/fault.c show_fault_oops() (4.20+: \"BUG: kernel NULL pointer dereference, address:"
                + " %px\"; before: \"BUG: unable to handle kernel NULL pointer dereference at %p\")").build(),
        rule("page-fault").cls("oops").start("^(?:BUG: unable to handle (?:page fault for address|kernel paging request)"
                + "|[Kk]ernel tried to execute NX-protected page)")
            .title("BUG: unable to handle kernel paging request in {func}",
                "BUG: unable to handle kernel paging request")
            .end(END_TRACE).tail(REGS_TAIL).absorb(OOPS_ABSORB)
            .source("arch/x86/mm/fault.c show_fault_oops() (\"BUG: unable to handle page fault for address: %px\";"
                + " before 4.20 \"BUG: unable to handle kernel paging request at %p\")").build(),
        rule("arm64-fault").cls("oops").start("^Unable to handle kernel (NULL pointer dereference|paging request"
                + "|execute from non-executable memory|write to read-only memory"
                + "|access to user memory outside uaccess routines) at virtual address")
            .title("unable to handle kernel {1} in {func}", "unable to handle kernel {1}")
            .end(END_TRACE).tail(REGS_TAIL).absorb(OOPS_ABSORB)
            .source("arch/arm64/mm/fault.c die_kernel_fault()").build(),
        rule("gpf").cls("oops").start("^(?:Oops: )?general protection fault")
            .title("general protection fault in {func}", "general protection fault")
            .end(END_TRACE).tail(REGS_TAIL).absorb(OOPS_ABSORB)
            .source("arch/x86/kernel/traps.c exc_general_protection() via die_addr() / __die_header()").build(),
        rule("divide-error").cls("oops").start("^(?:Oops: )?divide error: ")
            .title("divide error in {func}", "divide error").end(END_TRACE).tail(REGS_TAIL).absorb(OOPS_ABSORB)
            .source("arch/x86/kernel/traps.c exc_divide_error() -> do_error_trap(\"divide error\") -> __die_header()")
            .build(),
        rule("stack-guard").cls("oops").start("^BUG: (?:[A-Z]++ )?(stack guard page was hit|kernel stack overflow"
                + "|stack is corrupted)")
            .title("BUG: {1} in {func}", "BUG: {1}").end(END_TRACE).tail(REGS_TAIL).absorb(OOPS_ABSORB)
            .source("arch/x86/kernel/traps.c handle_stack_overflow() \"BUG: %s stack guard page was hit\"").build(),
        rule("invalid-opcode").cls("oops").start("^(?:Oops: )?invalid opcode: ").weak()
            .title("invalid opcode in {func}", "invalid opcode").end(END_TRACE).tail(REGS_TAIL)
            .source("arch/x86/kernel/traps.c exc_invalid_op() -> do_error_trap(\"invalid opcode\") -> __die_header()")
            .build(),
        rule("oops").cls("oops").start("^(?:Internal error: )?Oops: ").weak()
            .title("Oops in {func}", "Oops").end(END_TRACE).tail(REGS_TAIL)
            .source("arch/x86/kernel/dumpstack.c __die_header() \"Oops: %s%04lx\"; arm64 traps.c __die()"
                + " \"Internal error: %s\"").build(),
        rule("bad-page-state").cls("bad-page").start("^BUG: Bad page (state|map) in process")
            .title("BUG: Bad page {1} in {trace}", "BUG: Bad page {1}").end(END_TRACE).endAtTaskEnd()
            .source("mm/page_alloc.c bad_page(); mm/memory.c print_bad_pte()").build(),
        rule("bad-rss").cls("bad-page").start("^BUG: Bad rss-counter state").title("BUG: Bad rss-counter state")
            .end("^BUG: Bad rss-counter state").source("kernel/fork.c check_mm()").build(),

        // ---- hangs and lockups -------------------------------------------------------------------------------
        rule("hung-task").cls("hung-task").start("^INFO: task .*? blocked(?: in I/O wait)? for more than ")
            .title("INFO: task hung in {trace}", "INFO: task hung").endAtTaskEnd()
            .absorb("^Kernel panic - not syncing: hung_task: blocked tasks")
            .source("kernel/hung_task.c hung_task_info() \"INFO: task %s:%d blocked%s for more than %ld seconds.\""
                + " (\"%s\" = \" in I/O wait\" since 6.x; check_hung_task() before)").build(),
        rule("workqueue-lockup").cls("hung-task").start("^BUG: workqueue lockup").title("BUG: workqueue lockup")
            .endAtTaskEnd().source("kernel/workqueue.c wq_watchdog_timer_fn()").build(),
        rule("rcu-stall").cls("rcu-stall").start("^(?:rcu: )?INFO: rcu_(?:preempt|sched|bh|tasks|tasks_trace|tasks_rude)"
                + " (?:self-)?detected (?:expedited )?stall")
            .title("INFO: rcu detected stall in {trace}", "INFO: rcu detected stall").endAtTaskEnd()
            .absorb("^(?:rcu: (?!INFO: )|\\s|Sending NMI|NMI backtrace|\\(detected by)")
            .source("kernel/rcu/tree_stall.h print_other_cpu_stall(), print_cpu_stall(),"
                + " synchronize_rcu_expedited_wait(); kernel/rcu/tasks.h check_all_holdout_tasks()").build(),
        rule("soft-lockup").cls("soft-lockup").start("^(?:(?:NMI )?watchdog: )?BUG: soft lockup - CPU#\\d++ stuck for"
                + " \\d++s!")
            .title("BUG: soft lockup in {func}", "BUG: soft lockup").endAtTaskEnd()
            .absorb("^Kernel panic - not syncing: softlockup: hung tasks")
            .source("kernel/watchdog.c watchdog_timer_fn() (\"NMI watchdog: \" prefix in 4.x, none in 3.x)").build(),
        rule("hard-lockup").cls("hard-lockup").start("^(?:(?:NMI )?watchdog: )?(?:CPU\\d++: )?(?:Watchdog detected hard"
                + " LOCKUP on cpu \\d++|BUG: hard lockup)")
            .title("BUG: hard lockup in {func}", "BUG: hard lockup").endAtTaskEnd()
            .absorb("^Kernel panic - not syncing: (?:Hard LOCKUP|Watchdog detected hard LOCKUP)")
            .source("kernel/watchdog.c watchdog_hardlockup_check() (7.x: \"CPU%u: Watchdog detected hard LOCKUP on"
                + " cpu %u\"); kernel/watchdog_perf.c before 6.5").build(),
        rule("hard-lockup-panic").cls("hard-lockup").start("^Kernel panic - not syncing: (?:Hard LOCKUP|Watchdog"
                + " detected hard LOCKUP)")
            .title("BUG: hard lockup").panics()
            .end("^---\\[ end Kernel panic").tail("^(?:Kernel Offset:|Rebooting in)")
            .source("kernel/watchdog.c watchdog_hardlockup_check() panic(\"Hard LOCKUP\") (hardlockup_panic=1); the"
                + " stack below it is the detecting CPU's, so the title names no function")
            .build(),

        // ---- hardware memory errors --------------------------------------------------------------------------
        rule("mce").cls("hwpoison").start("^(?:mce: )?\\[Hardware Error\\]: CPU \\d++: Machine Check(?: Exception)?: ")
            .title("MCE: {reason}", "MCE: machine check").capture("^(?:mce: )?\\[Hardware Error\\]: Machine check:"
                + " (?<reason>.++)")
            .absorb("^(?:mce: )?\\[Hardware Error\\]: |^Kernel panic - not syncing: Fatal [Mm]achine check"
                + "|^Memory failure: ")
            .end("^Kernel panic - not syncing: ").tail("^(?:Kernel Offset:|Rebooting in|---\\[ end Kernel panic)")
            .source("arch/x86/kernel/cpu/mce/core.c __print_mce() \"CPU %d: Machine Check%s: %Lx Bank %d: %016Lx\""
                + " and mce_panic() \"Machine check: %s\" then panic(\"Fatal machine check\")").build(),
        rule("arm64-sea").cls("hwpoison").start("^Synchronous External Abort: ")
            .title("Memory failure: recovery action for {action}", "Synchronous External Abort")
            .capture("^Memory failure: 0x[0-9a-f]++: recovery action for (?<action>.++)")
            .absorb("^\\{\\d++\\}\\[Hardware Error\\]: |^\\[Hardware Error\\]: |^Memory failure: |^Internal error: ")
            .source("arch/arm64/mm/fault.c do_sea() (4.x/5.x: \"Synchronous External Abort: %s (0x%08x) at"
                + " 0x%016lx\"); the memory error then goes to mm/memory-failure.c via drivers/acpi/apei/ghes.c")
            .build(),
        rule("hwpoison").cls("hwpoison").start("^Memory failure: (0x[0-9a-f]++): (.++)")
            .title("Memory failure: recovery action for {action}", "Memory failure: {2}")
            .absorb("^(?:MCE: Killing |Injecting memory failure )").sameKey(1)
            .capture("recovery action for (?<action>.++)").benignIf(": Recovered$")
            .source("mm/memory-failure.c action_result() \"%#lx: recovery action for %s: %s\" (pr_fmt \"Memory"
                + " failure: \"); a Recovered injection (madvise MADV_HWPOISON) is not a crash").build(),

        // ---- the rest ----------------------------------------------------------------------------------------
        rule("sleep-atomic").cls("bug").start("^BUG: (sleeping function called from invalid context|scheduling while"
                + " atomic|using smp_processor_id\\(\\) in preemptible|using __this_cpu_\\w++\\(\\) in preemptible)")
            .title("BUG: {1} in {trace}", "BUG: {1}").end(END_TRACE).endAtTaskEnd()
            .source("kernel/sched/core.c __might_resched(), __schedule_bug(); lib/smp_processor_id.c"
                + " check_preemption_disabled()").build(),
        rule("panic").cls("panic").start("^Kernel panic - not syncing: (.*?)(?: exitcode=0x[0-9a-f]++)?$")
            .title("kernel panic: {1}").panics().end("^---\\[ end Kernel panic")
            .tail("^(?:---\\[ end Kernel panic|Kernel Offset:|Rebooting in)")
            .absorb("^(?:Kernel Offset:|Shutting down cpus|Rebooting in)")
            .source("kernel/panic.c vpanic() \"Kernel panic - not syncing: %s\"").build(),
        rule("bug-generic").cls("bug").start("^BUG: ([^:]++)").title("BUG: {1} in {trace}", "BUG: {1}")
            .end(END_TRACE).endAtTaskEnd().tail(REGS_TAIL).absorb(OOPS_ABSORB)
            .source("any other \"BUG: \" headline (e.g. mm/slub.c slab_bug(), kernel/locking/spinlock_debug.c"
                + " spin_dump())").build()
    );

    /**
     * Call-trace frames that never name the culprit: reporting, exception entry, locking, waiting and scheduling
     * primitives, allocator internals. A title's "in &lt;function&gt;" is the first frame (RIP first) not matching any.
     */
    public static final List<Pattern> GENERIC_FRAMES = patterns(
        "dump_stack.*", "__dump_stack", "show_stack", "show_regs", "show_trace_log_lvl", "__show_regs", "print_report",
        "print_address_description.*", "print_.*_report", "print_usage_bug.*", "print_circular_bug.*", "kasan_.*",
        "__kasan_.*", "kasan", "__asan_.*", "check_memory_region.*", "kmsan_.*", "__msan_.*", "kfence_.*", "__kfence_.*",
        "__ubsan_handle_.*", "ubsan_.*", "handle_overflow", "__warn", "warn_slowpath.*", "__warn_printk", "report_bug", "handle_bug",
        "fixup_bug", "invalid_op", "do_invalid_op", "exc_.*", "asm_exc_.*", "do_error_trap", "do_trap", "do_int3.*", "die",
        "__die.*", "oops_.*", "page_fault_oops", "kernelmode_fixup_or_oops", "__bad_area.*", "bad_area.*",
        "do_user_addr_fault", "do_kern_addr_fault", "handle_page_fault", "spurious_kernel_fault", "no_context", "panic",
        "vpanic", "__panic", "nmi_.*", "watchdog_.*", "__hrtimer_run_queues", "hrtimer_interrupt", "__sysvec_.*",
        "sysvec_.*", "asm_sysvec_.*", "lock_acquire.*", "__lock_acquire", "lock_release", "__lock_release",
        "validate_chain", "check_noncircular", "check_prev_add", "check_prevs_add", "print_deadlock_bug", "valid_state",
        "mark_lock.*", "lockdep_.*", "__lockdep_.*", "debug_check_no_locks.*", "_raw_spin_.*", "__raw_spin_.*",
        "_raw_read_.*", "_raw_write_.*", "do_raw_spin_.*", "queued_spin_.*", "native_queued_spin_.*", "mutex_lock.*",
        "__mutex_lock.*", "mutex_unlock", "down_read.*", "down_write.*", "up_read", "up_write", "rwsem_.*", "__rwsem_.*",
        "rt_mutex.*", "lock_sock.*", "schedule", "__schedule", "schedule_.*", "preempt_schedule.*", "io_schedule.*",
        "__switch_to", "__switch_to_asm", "wait_for_completion.*", "__wait_for_common", "wait_for_common",
        "do_wait_for_common", "__flush_work", "flush_work", "folio_wait.*", "wait_on_page.*", "__filemap_fdatawait.*",
        "filemap_fdatawait.*", "rcu_read_lock.*", "kfree", "kvfree", "kmem_cache_free", "__kmem_cache_free",
        "slab_free.*", "__slab_free", "___slab_free", "do_slab_free", "free_debug_processing", "free_to_partial_list",
        "kmalloc.*", "__kmalloc.*", "kmem_cache_alloc.*", "slab_alloc.*", "___slab_alloc", "__slab_alloc",
        "__list_del_entry_valid.*", "__list_add_valid.*", "__list_del_entry", "list_del",
        "__list_del_entry_valid_or_report", "__list_add_valid_or_report", "bad_page", "free_pages_prepare",
        "free_page_is_bad.*", "__free_pages_ok", "check_new_page.*", "free_hot_cold_page.*", "free_unref_page.*",
        "__put_single_page", "__put_page", "put_page", "__folio_put", "folio_put", "free_pcppages_bulk", "__free_pages",
        "free_pages", "rmqueue.*", "get_page_from_freelist", "__alloc_pages.*", "alloc_pages.*", "dump_backtrace", "memcpy.*", "memset.*", "memmove.*", "__memcpy.*",
        "__memset.*", "strlen", "strcpy", "copy_user.*", "_copy_to_user", "_copy_from_user", "__might_sleep",
        "__might_resched", "__might_fault", "___might_sleep", "might_fault", "entry_SYSCALL_64.*", "do_syscall_64",
        "do_syscall_x64", "x64_sys_call", "syscall_exit.*", "ret_from_fork.*", "kthread", "worker_thread",
        "process_one_work", "process_scheduled_works", "smpboot_thread_fn", "__do_softirq", "handle_softirqs",
        "irq_exit_rcu", "__irq_exit_rcu", "cpu_startup_entry", "do_idle", "default_idle.*", "start_secondary",
        "common_startup_64", "secondary_startup_64.*", "rest_init", "arch_call_rest_init", "start_kernel",
        "x86_64_start_.*", "asm_common_interrupt", "common_interrupt", "__pfx_.*", "invoke_syscall", "el0_svc.*",
        "do_el0_svc", "el0t_64_sync.*", "el1h_64_sync.*", "el1_.*");

    private static List<Pattern> patterns(String... regexes) {
        return Arrays.stream(regexes).map(Pattern::compile).toList();
    }
}
