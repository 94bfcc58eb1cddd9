/* Suite "hugepage": does KVM map guest_memfd with huge pages? (A1-A7)
 * Observation: per-VM binary stats pages_4k/pages_2m/pages_1g (KVM_GET_STATS_FD).
 * A positive control (anonymous THP memslot, A1) must show pages_2m rising before
 * any "no 2M for gmem" result means anything; if it does not, gmem cases ERROR. */
#include "kval.h"
#include <string.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/mman.h>
#include <linux/falloc.h>

#define RSZ (4 * MB)

struct pst { u64 k4, m2, g1; };
static struct pst stats(struct vm *v)
{
	struct pst s = {vm_stat(v, "pages_4k"), vm_stat(v, "pages_2m"), vm_stat(v, "pages_1g")};
	return s;
}

static int touch(struct vm *v, u64 gpa, u64 len, int wr)
{
	struct ures r;
	guest_cmd(v, G_TOUCH, gpa, wr, len, 0, &r);
	return run_ok(v, &r, "touch");
}

/* the SPTEs KVM installed during the touch (kvmmmu:kvm_mmu_set_spte, per level) must match the page-size stats'
 * deltas: the stats are what every hugepage verdict reads, so an independent count guards them */
static void trace_agrees(const char *ltr, const char *tr, long d4, long d2)
{
	if (!tr) {
		leaf(ltr, R_SKIP, "needs tracefs with the kvmmmu:kvm_mmu_set_spte event (CONFIG_EVENT_TRACING)");
		return;
	}
	long lv[4];
	spte_trace_scan(tr, 0, lv);
	observed("trace_4k=%ld,trace_2m=%ld,stats_4k=%+ld,stats_2m=%+ld", lv[1], lv[2], d4, d2);
	leaf_ok(ltr, lv[1] == d4 && lv[2] == d2 && lv[1] + lv[2] > 0, "installed SPTEs (kvm_mmu_set_spte) disagree with pages_4k/pages_2m");
}

/* the control's page-size stats deltas, and the tracefs it recorded the touch in (NULL: not traced) */
struct ctl_seen { long d4, d2; const char *tr; };

/* anonymous THP (or hugetlb) slot at 4G: returns pages_2m delta, or -1 on setup failure; with seen, the kvmmmu
 * events of the touch are recorded for trace_agrees() */
static long control(int hugetlb, char *why, size_t wn, struct ctl_seen *seen)
{
	struct vm v;
	long d = -1;
	if (vm_create(&v, 0, C.guest_cpl, 0)) {
		snprintf(why, wn, "VM setup failed");
		return -1;
	}
	u8 *m;
	if (hugetlb) {
		m = mmap(NULL, RSZ, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);
		if (m == MAP_FAILED) {
			snprintf(why, wn, "MAP_HUGETLB: %s", errname(errno));
			vm_destroy(&v);
			return -1;
		}
	} else {
		m = map_aligned(RSZ, 2 * MB, 1);
	}
	memset(m, 0x3c, RSZ);
	long ahp = meminfo_kb("AnonHugePages");
	int e = set_region1(v.fd, 1, 0, TEST_GPA, RSZ, m);
	const char *tr = seen ? tracefs_dir() : NULL;
	if (tr)
		spte_trace(tr, 1);
	struct pst a = stats(&v);
	int ok = !e && touch(&v, TEST_GPA, RSZ, 0);
	struct pst b = stats(&v);
	if (tr)
		spte_trace(tr, 0);
	if (seen)
		*seen = (struct ctl_seen){(long)(b.k4 - a.k4), (long)(b.m2 - a.m2), tr};
	d = ok ? (long)(b.m2 - a.m2) : -1;
	diag("%s control: slot %s, AnonHugePages %ld kB; pages_4k %+ld pages_2m %+ld", hugetlb ? "hugetlb" : "THP",
	     errname(e), ahp, (long)(b.k4 - a.k4), (long)(b.m2 - a.m2));
	if (d <= 0)
		snprintf(why, wn, "%s memslot: pages_2m %s after the guest touched 4 MiB (mmu: %s)",
			 hugetlb ? "hugetlb" : "THP", d < 0 ? "not measured" : "did not rise",
			 C.pvm ? "PVM shadow" : C.tdp_mmu == 1 ? "TDP" : "shadow/legacy");
	munmap(m, RSZ);
	vm_destroy(&v);
	return d;
}

/* run the THP control inside gmem cases; on failure ERROR the remaining leaves */
static int need_control(void)
{
	char why[256] = "";
	if (!strcmp(C.thp, "never") || !strcmp(C.thp, "none")) {
		skip_rest("needs a hugepage positive control (THP always|madvise)");
		return 0;
	}
	if (control(0, why, sizeof(why), NULL) <= 0) {
		error_rest("control failed: %s", why);
		return 0;
	}
	return 1;
}

static void h_stats(void)
{
	struct vm v;
	if (vm_create(&v, 0, C.guest_cpl, 0)) {
		error_rest("VM setup failed");
		return;
	}
	struct pst s = stats(&v);
	observed("4k=%lld,2m=%lld,1g=%lld", (long long)s.k4, (long long)s.m2, (long long)s.g1);
	leaf_ok("stats.pages_4k_2m_1g_present", s.k4 != ~0ULL && s.m2 != ~0ULL && s.g1 != ~0ULL,
		"VM stats fd lacks pages_4k/pages_2m/pages_1g");
	vm_destroy(&v);
}

static void h_a1(void)
{
	char why[256] = "";
	if (!strcmp(C.thp, "never") || !strcmp(C.thp, "none")) {
		leaf("A1.thp_control_pages_2m_rises", R_SKIP, "needs THP (always|madvise)");
		leaf("A1.thp_control_trace_agrees", R_SKIP, "needs THP (always|madvise)");
	} else {
		struct ctl_seen seen = {0, 0, NULL};
		long d = control(0, why, sizeof(why), &seen);
		observed("%+ld_pages", d); /* MEASURED (dev.kval.result.Observed) */
		leaf_ok("A1.thp_control_pages_2m_rises", d > 0, "%s", why);
		trace_agrees("A1.thp_control_trace_agrees", seen.tr, seen.d4, seen.d2);
	}
	long hp = sysctl_read("/proc/sys/vm/nr_hugepages");
	char b[32];
	snprintf(b, sizeof(b), "%ld", hp + 4);
	if (!C.root || hp < 0 || write_str("/proc/sys/vm/nr_hugepages", b) < 0 || meminfo_kb("HugePages_Free") < 2) {
		leaf("A1.hugetlb_control_pages_2m_rises", R_SKIP, "needs a hugetlb pool (vm.nr_hugepages)");
	} else {
		long d = control(1, why, sizeof(why), NULL);
		if (d < 0 && strstr(why, "MAP_HUGETLB")) {
			leaf("A1.hugetlb_control_pages_2m_rises", R_SKIP, "needs a hugetlb pool (%s)", why);
		} else {
			observed("%+ld_pages", d); /* MEASURED (dev.kval.result.Observed) */
			leaf_ok("A1.hugetlb_control_pages_2m_rises", d > 0, "%s", why);
		}
	}
	if (hp >= 0) {
		snprintf(b, sizeof(b), "%ld", hp);
		write_str("/proc/sys/vm/nr_hugepages", b);
	}
}

/* gmem slot (type, flags, offset) at 4G: the guest touches RSZ; leaves l4k (4K only) and l2m (XFAIL) */
static void gmem_levels(int type, u64 flags, u64 off, int priv, const char *l4k, const char *l2m, const char *ltr)
{
	struct vm v;
	struct gslot g;
	if (vm_create(&v, type, C.guest_cpl, 0)) {
		error_rest("VM setup failed");
		return;
	}
	memset(&g, 0, sizeof(g));
	g.gfd = gmem_create(v.fd, RSZ + off, flags);
	if (flags & GUEST_MEMFD_FLAG_MMAP)
		g.map = mmap(NULL, RSZ + off, PROT_READ | PROT_WRITE, MAP_SHARED, g.gfd, 0);
	u8 *ua = g.map && g.map != MAP_FAILED ? g.map + off : map_aligned(RSZ, 2 * MB, 1);
	int e = g.gfd < 0 ? -g.gfd : set_region2(v.fd, 1, KVM_MEM_GUEST_MEMFD, TEST_GPA, RSZ, ua, g.gfd, off);
	if (!e && priv)
		e = set_attributes(v.fd, TEST_GPA, RSZ, KVM_MEMORY_ATTRIBUTE_PRIVATE);
	if (e) {
		error_rest("gmem slot setup: %s", errname(e));
		return;
	}
	const char *tr = ltr ? tracefs_dir() : NULL;
	if (tr)
		spte_trace(tr, 1);
	struct pst a = stats(&v);
	int ok = touch(&v, TEST_GPA, RSZ, 1);
	struct pst b = stats(&v);
	if (tr)
		spte_trace(tr, 0);
	long d4 = (long)(b.k4 - a.k4), d2 = (long)(b.m2 - a.m2);
	diag("vm type %d, gmem flags 0x%llx, offset 0x%llx%s: guest touched %llu pages; pages_4k %+ld pages_2m %+ld",
	     type, (unsigned long long)flags, (unsigned long long)off, priv ? ", all PRIVATE" : "",
	     (unsigned long long)(RSZ / PS), d4, d2);
	observed("4k=%+ld,2m=%+ld", d4, d2);
	leaf_ok(l4k, ok && d2 == 0 && d4 >= (long)(RSZ / PS) * 9 / 10, "expected 4K mappings only");
	if (l2m) {
		observed("2m=%+ld", d2);
		leaf_xfail(l2m, ok && d2 > 0, "xfail.gmem_huge_folios");	/* strict: a pass makes the row stale */
	}
	if (ltr)
		trace_agrees(ltr, tr, d4, d2);
	vm_destroy(&v);
}

static void h_a2(void)
{
	if (need_control())
		gmem_levels(KVM_X86_SW_PROTECTED_VM, 0, 0, 1, "A2.private_gmem_4k_only", "A2.private_gmem_2m_mapping",
			    "A2.trace_agrees_with_stats");
}

static void h_a3(void)
{
	if (need_control())
		gmem_levels(0, GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED, 0, 0, "A3.gmem_only_4k_only",
			    "A3.gmem_only_2m_mapping", "A3.trace_agrees_with_stats");
}

static void h_a6(void)
{
	if (need_control())
		gmem_levels(0, GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED, PS, 0, "A6.misaligned_offset_no_2m",
			    NULL, NULL);
}

static void h_a4(void)
{
	struct vm v;
	if (!need_control())
		return;
	if (vm_create(&v, KVM_X86_SW_PROTECTED_VM, C.guest_cpl, 0)) {
		error_rest("VM setup failed");
		return;
	}
	u8 *m = map_aligned(RSZ, 2 * MB, 1);
	memset(m, 0x3c, RSZ);
	int g = gmem_create(v.fd, RSZ, 0);
	int e = g < 0 ? -g : set_region2(v.fd, 1, KVM_MEM_GUEST_MEMFD, TEST_GPA, RSZ, m, g, 0);
	if (e) {
		error_rest("slot setup: %s", errname(e));
		return;
	}
	touch(&v, TEST_GPA, RSZ, 0);
	struct pst a = stats(&v);
	e = set_attributes(v.fd, TEST_GPA + 3 * PS, PS, KVM_MEMORY_ATTRIBUTE_PRIVATE);
	struct pst b = stats(&v);
	observed("attr=%s,2m:%lld->%lld", errname(e), (long long)a.m2, (long long)b.m2);
	leaf_ok("A4.mixed_attr_pages_2m_drops", !e && a.m2 > 0 && b.m2 < a.m2, "pages_2m did not drop");
	touch(&v, TEST_GPA + 2 * MB, 2 * MB, 0);	/* the other, unmixed 2M range */
	touch(&v, TEST_GPA + 8 * PS, 64 * PS, 0);	/* shared part of the mixed range */
	struct pst c = stats(&v);
	observed("2m=%lld,4k_delta=%+ld", (long long)c.m2, (long)(c.k4 - b.k4));
	leaf_ok("A4.shared_refault_stays_4k", c.m2 <= a.m2 && c.k4 - b.k4 >= 64, "mixed range re-mapped huge");
	vm_destroy(&v);
}

static void h_a5(void)
{
	int vm = create_vm(0);
	int g = vm >= 0 ? gmem_create(vm, RSZ, GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED) : -1;
	u8 *res = map_aligned(RSZ, 2 * MB, 0);
	u8 *m = g >= 0 ? mmap(res, RSZ, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, g, 0) : MAP_FAILED;
	if (m == MAP_FAILED) {
		error_rest("gmem mmap failed");
		return;
	}
	madvise(m, RSZ, MADV_HUGEPAGE);
	memset(m, 0x42, RSZ);
	int r = madvise(m, RSZ, MADV_COLLAPSE);
	int e = r < 0 ? errno : 0;
	observed("%s", errname(e));
	/* a fix (syzbot: khugepaged collapsed gmem folios), never an expectation: kernels without it FAIL */
	leaf_ok("A5.madv_collapse_einval", r == -1 && e == EINVAL, "MADV_COLLAPSE on gmem must fail EINVAL");
	madvise(m, RSZ, MADV_DONTNEED);
	observed("0x%02x", m[PS * 7 + 5]);
	leaf_ok("A5.refault_after_dontneed", m[PS * 7 + 5] == 0x42, "data lost after MADV_DONTNEED");
	u64 pfn = pagemap_pfn(m + PS * 7);
	u64 kf = pfn ? kpageflags(pfn) : ~0ULL;
	if (!pfn || kf == ~0ULL) {
		leaf("A5.refault_is_4k", R_SKIP, "needs root (/proc/self/pagemap PFNs, /proc/kpageflags)");
	} else {
		int huge = (kf >> 15 & 1) || (kf >> 16 & 1) || (kf >> 22 & 1);	/* COMPOUND_HEAD/TAIL, THP */
		observed("kpageflags=0x%llx", (unsigned long long)kf);
		leaf_ok("A5.refault_is_4k", !huge, "re-faulted gmem page is part of a large folio");
	}
	close(g);
	close(vm);
}

static void h_a7(void)
{
	struct vm v;
	struct gslot g;
	struct ures r;
	if (vm_create(&v, 0, C.guest_cpl, 0) ||
	    gslot_add(&v, &g, 1, TEST_GPA, 64 * PS, GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED, -1)) {
		error_rest("setup failed");
		return;
	}
	touch(&v, TEST_GPA, 64 * PS, 1);
	struct pst a = stats(&v);
	int e = gmem_falloc(g.gfd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 10 * PS, PS);
	struct pst b = stats(&v);
	observed("4k_delta=%+ld", (long)(b.k4 - a.k4));
	diag("punch 1 page of 64 mapped: %s, pages_4k %lld -> %lld", errname(e), (long long)a.k4, (long long)b.k4);
	leaf_ok("A7.punch_zaps_only_target", !e && a.k4 - b.k4 == 1, "expected exactly one 4K SPTE zapped");
	guest_cmd(&v, G_READ64, TEST_GPA + 10 * PS, 0, 0, 0, &r);
	struct pst c = stats(&v);
	observed("0x%llx,4k=%lld", (unsigned long long)r.rax, (long long)c.k4);
	leaf_ok("A7.refault_zero", r.st == U_OK && r.rax == 0 && c.k4 == a.k4, "re-fault did not give a zero page");
	gslot_del(&g);
	vm_destroy(&v);
}

#define HN (N_STATS | N_BIND | N_MMAP | N_SHARED)
struct kcase hugepage_cases[] = {
	{"hugepage.stats", N_STATS, 0, h_stats, {"stats.pages_4k_2m_1g_present", NULL}},
	{"hugepage.A1", N_STATS, 60, h_a1, {"A1.thp_control_pages_2m_rises", "A1.thp_control_trace_agrees",
	  "A1.hugetlb_control_pages_2m_rises", NULL}},
	{"hugepage.A2", N_STATS | N_SWPROT | N_ATTR, 60, h_a2, {"A2.private_gmem_4k_only", "A2.private_gmem_2m_mapping",
	  "A2.trace_agrees_with_stats", NULL}},
	{"hugepage.A3", HN, 60, h_a3, {"A3.gmem_only_4k_only", "A3.gmem_only_2m_mapping",
	  "A3.trace_agrees_with_stats", NULL}},
	{"hugepage.A4", N_STATS | N_SWPROT | N_ATTR, 60, h_a4, {"A4.mixed_attr_pages_2m_drops",
	  "A4.shared_refault_stays_4k", NULL}},
	{"hugepage.A5", N_GMEM | N_MMAP | N_SHARED, 0, h_a5, {"A5.madv_collapse_einval", "A5.refault_after_dontneed",
	  "A5.refault_is_4k", NULL}},
	{"hugepage.A6", HN, 60, h_a6, {"A6.misaligned_offset_no_2m", NULL}},
	{"hugepage.A7", HN, 0, h_a7, {"A7.punch_zaps_only_target", "A7.refault_zero", NULL}},
};
int hugepage_ncases = ARRAY_SIZE(hugepage_cases);
