/* tracefs access to two kvmmmu events, an oracle independent of KVM's own stats:
 *   kvm_mmu_spte_requested "gfn %llx pfn %llx level %d ..."  which PFN a fault resolved to (B8: private pages
 *                                                              have no host mapping to read a PFN from);
 *   kvm_mmu_set_spte       "gfn %llx spte %llx (rwxu) level %d at %llx"  each leaf SPTE installed, with its
 *                                                              level (both MMUs, prefetch included). */
#include "kval.h"
#include <string.h>
#include <stdlib.h>
#include <unistd.h>
#include <fcntl.h>
#include <sys/mount.h>

static const char *const EVENTS[] = {"kvm_mmu_spte_requested", "kvm_mmu_set_spte"};

const char *tracefs_dir(void)
{
	static const char *const dirs[] = {"/sys/kernel/tracing", "/sys/kernel/debug/tracing"};
	char p[160];
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
			snprintf(p, sizeof(p), "%s/events/kvmmmu/kvm_mmu_set_spte/enable", dirs[i]);
			if (!access(p, W_OK))
				return dirs[i];
		}
		if (!pass)	/* a bare initramfs (QEMU hosts) does not mount it */
			mount("tracefs", dirs[0], "tracefs", 0, NULL);
	}
	return NULL;
}

int spte_trace(const char *tr, int on)
{
	char p[160];
	int rc = 0;
	if (on) {
		snprintf(p, sizeof(p), "%s/buffer_size_kb", tr);
		write_str(p, "8192");
		snprintf(p, sizeof(p), "%s/trace", tr);
		int fd = open(p, O_WRONLY | O_TRUNC | O_CLOEXEC);	/* opening with O_TRUNC clears the buffer */
		if (fd >= 0)
			close(fd);
	}
	for (size_t i = 0; i < ARRAY_SIZE(EVENTS); i++) {
		snprintf(p, sizeof(p), "%s/events/kvmmmu/%s/enable", tr, EVENTS[i]);
		rc |= write_str(p, on ? "1" : "0") < 0;
	}
	return rc ? -1 : 0;
}

static int cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;
	return x < y ? -1 : x > y;
}

/* The last pfn requested for gfn `want` (0: none). With levels: the number of distinct (gfn, level) leaf SPTEs
 * installed, per level 1..3, over all gfns (levels[1..3]) — what pages_4k/2m/1g deltas must match. */
u64 spte_trace_scan(const char *tr, u64 want, long levels[4])
{
	char p[160], line[512];
	snprintf(p, sizeof(p), "%s/trace", tr);
	FILE *f = fopen(p, "r");
	u64 pfn = 0, *set = NULL;
	size_t n = 0, cap = 0;
	int shown = 0;
	while (f && fgets(line, sizeof(line), f)) {
		unsigned long long tg, tp;
		int lvl;
		const char *g = strstr(line, "kvm_mmu_spte_requested: gfn ");
		if (g && sscanf(g, "kvm_mmu_spte_requested: gfn %llx pfn %llx", &tg, &tp) == 2 && tg == want)
			pfn = tp;
		g = strstr(line, "kvm_mmu_set_spte: gfn ");
		if (!levels || !g || sscanf(g, "kvm_mmu_set_spte: gfn %llx spte %llx (%*[^)]) level %d", &tg, &tp, &lvl) != 3)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 4096;
			set = realloc(set, cap * sizeof(*set));
		}
		/* One count per SPTE slot ("at <sptep>"), not per gfn: a shadow MMU maps one gfn through as many SPTEs as
		 * the guest has virtual aliases of it, and pages_4k counts each of them (seen on a PVM host: trace deduped
		 * by gfn said 2, pages_4k said +4). A slot set twice in the window (a spurious fault) still counts once. */
		const char *at = strstr(g, ") level ");
		unsigned long long sp;
		at = at ? strstr(at, " at ") : NULL;
		u64 key = at && sscanf(at, " at %llx", &sp) == 1 ? (u64)sp : (u64)tg;
		set[n++] = (key << 2) | (u64)(lvl & 3);
		if (lvl > 1 && shown < 4) {	/* the first huge SPTEs, as evidence */
			shown++;
			line[strcspn(line, "\n")] = 0;
			diag("huge SPTE: %s", g);
		}
	}
	if (f)
		fclose(f);
	if (levels) {
		memset(levels, 0, 4 * sizeof(long));
		qsort(set, n, sizeof(*set), cmp_u64);
		for (size_t i = 0; i < n; i++)
			if (!i || set[i] != set[i - 1])
				levels[set[i] & 3]++;
	}
	free(set);
	return pfn;
}
