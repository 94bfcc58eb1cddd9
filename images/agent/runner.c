/* Case isolation: each case runs in a forked child (own process group) whose
 * stdout is a pipe; the parent re-indents the child's KTAP document, enforces
 * the timeout, and turns crashes into "not ok ... # ERROR killed by SIG...". */
#include "kval.h"
#include <string.h>
#include <stdlib.h>
#include <unistd.h>
#include <signal.h>
#include <poll.h>
#include <fnmatch.h>
#include <sys/wait.h>

int opt_timeout;		/* 0 = per case / default */
int opt_repeat = 1;
int repeat_k;			/* current repetition, printed by the child */
static int any_not_ok;
static long tot_pass, tot_fail, tot_skip, tot_xfail, tot_error;

static const struct { unsigned bit; const char *why; } need_tab[] = {
	{N_ROOT, "needs root"},
	{N_KVM, NULL},			/* filled from caps: "no /dev/kvm: ..." */
	{N_GMEM, "needs KVM_CAP_GUEST_MEMFD (KVM_CREATE_GUEST_MEMFD)"},
	{N_BIND, "needs guest_memfd memslots on KVM_X86_DEFAULT_VM (6.18+)"},
	{N_MMAP, "needs KVM_CAP_GUEST_MEMFD_FLAGS & MMAP"},
	{N_SHARED, "needs KVM_CAP_GUEST_MEMFD_FLAGS & INIT_SHARED"},
	{N_SWPROT, "needs VM type KVM_X86_SW_PROTECTED_VM (CONFIG_KVM_SW_PROTECTED_VM)"},
	{N_ATTR, "needs KVM_CAP_MEMORY_ATTRIBUTES & PRIVATE"},
	{N_HCALL, "needs KVM_CAP_EXIT_HYPERCALL & KVM_HC_MAP_GPA_RANGE"},
	{N_MF, "needs CONFIG_MEMORY_FAILURE"},
	{N_INJECT, "needs hwpoison_inject (debugfs hwpoison/corrupt-pfn)"},
	{N_STATS, "needs KVM_CAP_BINARY_STATS_FD"},
	{N_MCE, "needs KVM_CAP_MCE"},
};

static int need_met(unsigned bit)
{
	switch (bit) {
	case N_ROOT: return C.root;
	case N_KVM: return C.kvm_ok;
	case N_GMEM: return C.kvm_ok && C.gmem_create[0];
	case N_BIND: return C.kvm_ok && C.gmem_bind[0];
	case N_MMAP: return C.kvm_ok && (C.gmem_flags[0] & GUEST_MEMFD_FLAG_MMAP);
	case N_SHARED: return C.kvm_ok && (C.gmem_flags[0] & GUEST_MEMFD_FLAG_INIT_SHARED);
	case N_SWPROT: return C.kvm_ok && C.vm_ok[KVM_X86_SW_PROTECTED_VM];
	case N_ATTR: return C.kvm_ok && (C.mem_attr[1] > 0) && (C.mem_attr[1] & KVM_MEMORY_ATTRIBUTE_PRIVATE);
	case N_HCALL: return C.kvm_ok && (C.exit_hypercall & (1 << KVM_HC_MAP_GPA_RANGE));
	case N_MF: return C.memory_failure;
	case N_INJECT: return C.hwpoison_inject;
	case N_STATS: return C.kvm_ok && C.binary_stats > 0;
	case N_MCE: return C.kvm_ok && C.mce_banks > 1;
	}
	return 1;
}

/* first unmet requirement, as a SKIP reason; NULL when all are met */
const char *need_reason(unsigned needs)
{
	static char buf[256];
	for (size_t i = 0; i < ARRAY_SIZE(need_tab); i++) {
		if (!(needs & need_tab[i].bit) || need_met(need_tab[i].bit))
			continue;
		if (need_tab[i].bit == N_KVM || (!C.kvm_ok && need_tab[i].bit != N_ROOT &&
						 need_tab[i].bit != N_MF && need_tab[i].bit != N_INJECT)) {
			snprintf(buf, sizeof(buf), "%s", C.kvm_err);
			return buf;
		}
		return need_tab[i].why;
	}
	return NULL;
}

static void out_indent(int lvl, const char *s)
{
	printf("%*s%s\n", lvl * 2, "", s);
}

/* tally one relayed child line; returns 1 for "not ok" */
static int tally(const char *l, int *n_leaves, int *n_skip, char *first_skip, size_t fs)
{
	if (!strncmp(l, "not ok ", 7)) {
		(*n_leaves)++;
		if (strstr(l, "# ERROR") || strstr(l, "# TIMEOUT"))
			tot_error++;
		else
			tot_fail++;
		return 1;
	}
	if (!strncmp(l, "ok ", 3)) {
		(*n_leaves)++;
		const char *d = strstr(l, " # ");
		if (d && !strncmp(d + 3, "SKIP", 4)) {
			(*n_skip)++;
			tot_skip++;
			if (!first_skip[0])
				snprintf(first_skip, fs, "%s", d + 8);
		} else if (d && !strncmp(d + 3, "XFAIL", 5)) {
			tot_xfail++;
		} else {
			tot_pass++;
		}
	}
	return 0;
}

static void emit_case_result(int k, const struct kcase *kc, int bad, int n_leaves, int n_skip,
			     const char *first_skip, const char *err)
{
	if (err) {
		printf("  not ok %d %s # %s\n", k, kc->name, err);
		any_not_ok = 1;
	} else if (bad) {
		printf("  not ok %d %s\n", k, kc->name);
		any_not_ok = 1;
	} else if (n_leaves && n_skip == n_leaves) {
		printf("  ok %d %s # SKIP %s\n", k, kc->name, first_skip);
	} else {
		printf("  ok %d %s\n", k, kc->name);
	}
	fflush(stdout);
}

/* test hook for the runner and for KTAP consumers: KVAL_SELFTEST_FAULT=<case-glob>:<sigbus|hang|exit>
 * makes the matching case child crash, hang or exit(3) after printing its first leaf */
static void selftest_fault(const struct kcase *kc)
{
	const char *f = getenv("KVAL_SELFTEST_FAULT");
	const char *c = f ? strrchr(f, ':') : NULL;
	char glob[128];
	if (!c)
		return;
	snprintf(glob, sizeof(glob), "%.*s", (int)(c - f), f);
	if (fnmatch(glob, kc->name, 0))
		return;
	leaf(kc->leaves[0], R_PASS, NULL);
	if (!strcmp(c + 1, "sigbus")) {
		signal(SIGBUS, SIG_DFL);
		raise(SIGBUS);
	} else if (!strcmp(c + 1, "hang")) {
		for (;;)
			pause();
	} else if (!strcmp(c + 1, "exit")) {
		_exit(3);
	}
}

/* returns 1 if the case is "not ok" */
static int run_case(int k, const struct kcase *kc)
{
	int nl = leaf_count(kc), n_leaves = 0, n_skip = 0, bad = 0;
	char first_skip[256] = "";
	const char *why = need_reason(kc->needs | N_KVM);
	if (why) {
		out_indent(2, "KTAP version 1");
		printf("    1..%d\n", nl);
		if (opt_repeat > 1)
			printf("    # repeat %d/%d\n", repeat_k, opt_repeat);
		for (int i = 0; i < nl; i++) {
			char l[512];
			snprintf(l, sizeof(l), "ok %d %s # SKIP %s", i + 1, leaf_name(kc, i), why);
			tally(l, &n_leaves, &n_skip, first_skip, sizeof(first_skip));
			out_indent(2, l);
		}
		emit_case_result(k, kc, 0, n_leaves, n_skip, first_skip, NULL);
		return 0;
	}
	int tmo = opt_timeout ? opt_timeout : (kc->timeout ? kc->timeout : 30);
	long hp_before = sysctl_read("/proc/sys/vm/nr_hugepages");
	int pfd[2];
	if (pipe(pfd)) {
		emit_case_result(k, kc, 1, 0, 0, "", "ERROR pipe failed");
		return 1;
	}
	fflush(stdout);
	fflush(stderr);
	pid_t pid = fork();
	if (pid == 0) {
		setpgid(0, 0);
		close(pfd[0]);
		dup2(pfd[1], 1);
		close(pfd[1]);
		signal(SIGPIPE, SIG_DFL);
		ktap_case_begin(kc);
		if (opt_repeat > 1)
			diag("repeat %d/%d", repeat_k, opt_repeat);
		sig_setup();
		selftest_fault(kc);
		kc->fn();
		ktap_case_end();
		fflush(stdout);
		_exit(0);
	}
	close(pfd[1]);
	if (pid < 0) {
		close(pfd[0]);
		emit_case_result(k, kc, 1, 0, 0, "", "ERROR fork failed");
		return 1;
	}
	setpgid(pid, pid);
	long deadline = now_ns() + (long)tmo * 1000000000L;
	char buf[8192], line[4096];
	size_t ll = 0;
	int timed_out = 0, eof = 0;
	while (!eof) {
		long left = (deadline - now_ns()) / 1000000;
		if (left <= 0) {
			timed_out = 1;
			break;
		}
		struct pollfd p = {pfd[0], POLLIN, 0};
		int pr = poll(&p, 1, left > 1000 ? 1000 : (int)left);
		if (pr < 0 && errno == EINTR)
			continue;
		if (pr <= 0)
			continue;
		ssize_t n = read(pfd[0], buf, sizeof(buf));
		if (n <= 0) {
			eof = 1;
			break;
		}
		for (ssize_t i = 0; i < n; i++) {
			if (buf[i] == '\n' || ll == sizeof(line) - 1) {
				line[ll] = 0;
				bad |= tally(line, &n_leaves, &n_skip, first_skip, sizeof(first_skip));
				out_indent(2, line);
				ll = 0;
			} else {
				line[ll++] = buf[i];
			}
		}
		fflush(stdout);
	}
	int status = 0;
	if (!timed_out) {
		/* output closed: give the child the rest of its time to exit */
		while (waitpid(pid, &status, WNOHANG) == 0) {
			if (now_ns() > deadline) {
				timed_out = 1;
				break;
			}
			usleep(2000);
		}
	}
	if (timed_out) {
		kill(-pid, SIGKILL);
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
	}
	if (ll) {
		line[ll] = 0;
		bad |= tally(line, &n_leaves, &n_skip, first_skip, sizeof(first_skip));
		out_indent(2, line);
	}
	close(pfd[0]);
	kill(-pid, SIGKILL);	/* stray grandchildren of the case */
	long hp_after = sysctl_read("/proc/sys/vm/nr_hugepages");
	if (hp_before >= 0 && hp_after != hp_before) {
		char v[32];
		snprintf(v, sizeof(v), "%ld", hp_before);
		write_str("/proc/sys/vm/nr_hugepages", v);
		printf("    # runner: restored vm.nr_hugepages=%ld (case left %ld)\n", hp_before, hp_after);
	}
	char err[128];
	const char *e = NULL;
	if (timed_out) {
		snprintf(err, sizeof(err), "TIMEOUT %d s", tmo);
		e = err;
	} else if (WIFSIGNALED(status)) {
		snprintf(err, sizeof(err), "ERROR killed by SIG%s", sigabbrev_np(WTERMSIG(status)) ?: "?");
		e = err;
	} else if (WIFEXITED(status) && WEXITSTATUS(status)) {
		snprintf(err, sizeof(err), "ERROR exit status %d", WEXITSTATUS(status));
		e = err;
	}
	if (e)
		tot_error++;
	emit_case_result(k, kc, bad, n_leaves, n_skip, first_skip, e);
	return bad || e;
}

/* --start CASE: the selected cases before CASE (suite, then table order) are left out, so a fresh boot can resume a
 * run after a case left the kernel with stuck tasks (race suite; see race_boot_stuck) */
const char *opt_start;
int race_boot_stuck(char *why, size_t n);	/* suite_race.c */

static int order_of(const struct kcase *kc, const char *name)
{
	for (int s = 0, k = 0; s < nsuites; s++)
		for (int c = 0; c < suites[s].ncases; c++, k++)
			if (&suites[s].cases[c] == kc || (name && !strcmp(suites[s].cases[c].name, name)))
				return k;
	return -1;
}

int start_known(void)
{
	return !opt_start || order_of(NULL, opt_start) >= 0;
}

const char *opt_exclude;		/* --exclude: case-id globs, comma separated */

static int case_selected(const struct kcase *kc, const char *glob)
{
	if (opt_start && order_of(kc, NULL) < order_of(NULL, opt_start))
		return 0;
	if (opt_exclude) {
		char buf[512];
		snprintf(buf, sizeof(buf), "%s", opt_exclude);
		for (char *s, *t = strtok_r(buf, ",", &s); t; t = strtok_r(NULL, ",", &s))
			if (!fnmatch(t, kc->name, 0))
				return 0;
	}
	if (!glob)
		return 1;
	if (!fnmatch(glob, kc->name, 0))
		return 1;
	for (int i = 0; i < leaf_count(kc); i++)
		if (!fnmatch(glob, leaf_name(kc, i), 0))
			return 1;
	return 0;
}

static int suite_selected(const char *name, const char *list, const char *glob)
{
	if (!list)	/* race is opt-in (it leaves D-state tasks behind on a kernel with a deadlock): --suite or --case */
		return strcmp(name, "race") != 0 || glob;
	char buf[256];
	snprintf(buf, sizeof(buf), "%s", list);
	for (char *s, *t = strtok_r(buf, ",", &s); t; t = strtok_r(NULL, ",", &s))
		if (!strcmp(t, name))
			return 1;
	return 0;
}

/* --list --json: one object per leaf with its case, suite and the case's requirement names (the names are the
 * caps the Java side derives must-run verdicts from) */
static void list_json_leaf(const struct ksuite *su, const struct kcase *kc, int i, int *first)
{
	static const struct { unsigned bit; const char *n; } nn[] = {
		{N_KVM, "kvm"}, {N_GMEM, "gmem"}, {N_BIND, "bind"}, {N_MMAP, "mmap"}, {N_SHARED, "init_shared"},
		{N_SWPROT, "sw_protected_vm"}, {N_MF, "memory_failure"}, {N_INJECT, "hwpoison_inject"}, {N_ROOT, "root"},
		{N_STATS, "binary_stats"}, {N_MCE, "mce"}, {N_ATTR, "memory_attributes_private"},
		{N_HCALL, "exit_hypercall_map_gpa_range"},
	};
	printf("%s\n  {\"id\": \"%s\", \"case\": \"%s\", \"suite\": \"%s\", \"needs\": [", *first ? "" : ",",
	       leaf_name(kc, i), kc->name, su->name);
	int k = 0;
	for (size_t b = 0; b < ARRAY_SIZE(nn); b++)
		if ((kc->needs | N_KVM) & nn[b].bit)
			printf("%s\"%s\"", k++ ? ", " : "", nn[b].n);
	printf("]}");
	*first = 0;
}

int run_suites(const char *suite_list, const char *glob, int list_only)
{
	int nsel = 0, first = 1;
	if (list_only == 2)
		printf("[");
	for (int s = 0; s < nsuites; s++) {
		int n = 0;
		if (!suite_selected(suites[s].name, suite_list, glob))
			continue;
		for (int c = 0; c < suites[s].ncases; c++)
			if (case_selected(&suites[s].cases[c], glob)) {
				n++;
				for (int i = 0; list_only && i < leaf_count(&suites[s].cases[c]); i++) {
					if (list_only == 2)
						list_json_leaf(&suites[s], &suites[s].cases[c], i, &first);
					else
						printf("%s\n", leaf_name(&suites[s].cases[c], i));
				}
			}
		nsel += n > 0;
	}
	if (list_only == 2)
		printf("\n]\n");
	if (list_only)
		return 0;
	printf("KTAP version 1\n# kval-agent %s kernel=%s %s\n1..%d\n", KVAL_VERSION, C.release,
	       caps_summary(), nsel);
	fflush(stdout);
	int sn = 0, stopped = 0;
	char why[256];
	for (int s = 0; s < nsuites; s++) {
		struct ksuite *su = &suites[s];
		int n = 0, k = 0, bad = 0, allskip = 1;
		if (!suite_selected(su->name, suite_list, glob))
			continue;
		for (int c = 0; c < su->ncases; c++)
			n += case_selected(&su->cases[c], glob);
		if (!n)
			continue;
		printf("  KTAP version 1\n  1..%d\n", n * opt_repeat);
		for (int c = 0; c < su->ncases; c++) {
			if (!case_selected(&su->cases[c], glob))
				continue;
			for (repeat_k = 1; repeat_k <= opt_repeat; repeat_k++) {
				if (!stopped && race_boot_stuck(why, sizeof(why))) {
					/* what runs after it in this boot would meet the stuck tasks' locks, not its own race */
					printf("  # kval-agent: stopped before %s: %s; the remaining cases need a fresh boot (--start %s)\n",
					       su->cases[c].name, why, su->cases[c].name);
					stopped = 1;
				}
				if (stopped) {	/* a case-level SKIP keeps the plan whole; the next boot runs the case */
					printf("  ok %d %s # SKIP not run in this boot: an earlier case left stuck tasks; resumed in a fresh boot\n",
					       ++k, su->cases[c].name);
					tot_skip++;
					continue;
				}
				long s0 = tot_skip, l0 = tot_pass + tot_fail + tot_xfail + tot_error;
				bad |= run_case(++k, &su->cases[c]);
				if (tot_pass + tot_fail + tot_xfail + tot_error != l0 || tot_skip == s0)
					allskip = 0;
			}
		}
		sn++;
		if (bad)
			printf("not ok %d %s\n", sn, su->name);
		else if (allskip)
			printf("ok %d %s # SKIP all cases skipped\n", sn, su->name);
		else
			printf("ok %d %s\n", sn, su->name);
		fflush(stdout);
		any_not_ok |= bad;
	}
	printf("# Totals: pass:%ld fail:%ld xfail:%ld xpass:0 skip:%ld error:%ld\n", tot_pass, tot_fail,
	       tot_xfail, tot_skip, tot_error);
	fflush(stdout);
	return any_not_ok ? 1 : 0;
}
