/* Suite "api", boundary values part 2: the ranges of madvise/mbind on a gmem mapping, KVM_SET_MEMORY_ATTRIBUTES and
 * KVM_PRE_FAULT_MEMORY (the expected errnos and their sources are listed in api_bounds.c's header). */
#include "kval.h"
#include <string.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#define FSZ (16 * PS)
#define U64MAX (~0ULL)
#define PGMAX (~0ULL & ~(PS - 1))
#define NEG_PG (~0ULL - PS + 1)
void bounds_check(const char *leafid, int err, int expect, const char *what);

void b_madvise_mbind(void)
{
	int vm = create_vm(0);
	int g = vm >= 0 ? gmem_create(vm, FSZ, GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED) : -1;
	/* the gmem mapping is followed by a guaranteed hole (reserve FSZ+PS, map the gmem over the first FSZ, unmap the
	 * last page) so "one page past the file" means unmapped address space, not a neighbouring mapping */
	u8 *res = mmap(NULL, FSZ + PS, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	u8 *m = g >= 0 && res != MAP_FAILED ? mmap(res, FSZ, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, g, 0) : MAP_FAILED;
	if (m == MAP_FAILED) {
		error_rest("setup: gmem(MMAP|INIT_SHARED) map failed");
		return;
	}
	munmap(m + FSZ, PS);
	memset(m, 0x5a, FSZ);
	static const struct { const char *l; int adv; long off; u64 len; int expect; } t[] = {
		{"madvise.len_0_ok", MADV_DONTNEED, 0, 0, 0},
		{"madvise.len_1_ok", MADV_DONTNEED, 0, 1, 0},
		{"madvise.start_unaligned_einval", MADV_DONTNEED, 1, PS, EINVAL},
		{"madvise.len_file_size_ok", MADV_DONTNEED, 0, FSZ, 0},
		{"madvise.len_file_plus_page_enomem", MADV_DONTNEED, 0, FSZ + PS, ENOMEM},
		{"madvise.len_u64max_einval", MADV_DONTNEED, 0, U64MAX, EINVAL},
		{"madvise.len_wraps_einval", MADV_DONTNEED, 0, NEG_PG, EINVAL},
		{"madvise.remove_last_page_ok", MADV_REMOVE, FSZ - PS, PS, 0},
	};
	for (size_t i = 0; i < ARRAY_SIZE(t); i++) {
		int r = madvise(m + t[i].off, t[i].len, t[i].adv);
		char w[128];
		snprintf(w, sizeof(w), "madvise(map+%ld, 0x%llx, %s) on a 16-page gmem mapping", t[i].off,
			 (unsigned long long)t[i].len, t[i].adv == MADV_REMOVE ? "MADV_REMOVE" : "MADV_DONTNEED");
		bounds_check(t[i].l, r ? errno : 0, t[i].expect, w);
	}
	/* the data checks: DONTNEED keeps the file's data, MADV_REMOVE punched the last page */
	observed("page0=0x%02x,last=0x%02x", m[0], m[FSZ - PS]);
	leaf_ok("madvise.dontneed_keeps_data_remove_punches", m[0] == 0x5a && m[FSZ - PS] == 0,
		"after DONTNEED page 0 must still read 0x5a and after MADV_REMOVE the last page must read 0");
	/* mm/madvise.c: a range reaching into unmapped space fails ENOMEM (after advising the mapped part) */
	int r = madvise(m, FSZ + PS, MADV_REMOVE);
	bounds_check("madvise.remove_file_plus_page_enomem", r ? errno : 0, ENOMEM,
	      "madvise(map+0, file size + 1 page, MADV_REMOVE): the last page is a hole");
	unsigned long n0 = 1;
	static const struct { const char *l; long off; u64 len; unsigned long maxnode; int expect; } mb[] = {
		{"mbind.len_0_ok", 0, 0, 64, 0},
		{"mbind.start_unaligned_einval", 1, PS, 64, EINVAL},
		{"mbind.len_file_size_ok", 0, FSZ, 64, 0},
		{"mbind.len_file_plus_page_rejected", 0, FSZ + PS, 64, -1},
		{"mbind.len_wraps_einval", 0, NEG_PG, 64, EINVAL},
		{"mbind.maxnode_huge_einval", 0, PS, 1UL << 40, EINVAL},
	};
	for (size_t i = 0; i < ARRAY_SIZE(mb); i++) {
		long r = syscall(SYS_mbind, m + mb[i].off, mb[i].len, 2 /* MPOL_BIND */, &n0, mb[i].maxnode, 0);
		char w[128];
		snprintf(w, sizeof(w), "mbind(map+%ld, 0x%llx, MPOL_BIND node 0, maxnode %lu)", mb[i].off,
			 (unsigned long long)mb[i].len, mb[i].maxnode);
		bounds_check(mb[i].l, r ? errno : 0, mb[i].expect, w);
	}
	munmap(res, FSZ + PS);
	close(g), close(vm);
}

void b_attributes(void)
{
	int vm = create_vm(0);
	if (vm < 0) {
		error_rest("KVM_CREATE_VM(0): %s", errname(-vm));
		return;
	}
	if (set_attributes(vm, 0, PS, 0) == ENOTTY) {
		skip_rest("needs KVM_SET_MEMORY_ATTRIBUTES (CONFIG_KVM_GENERIC_MEMORY_ATTRIBUTES)");
		close(vm);
		return;
	}
	/* attributes 0 on the default VM: only the range checks decide */
	static const struct { const char *l; u64 a, s, attrs, flags; int expect; } t[] = {
		{"attr.size_0_einval", 4 * GB, 0, 0, 0, EINVAL},
		{"attr.size_1_einval", 4 * GB, 1, 0, 0, EINVAL},
		{"attr.size_page_minus_1_einval", 4 * GB, PS - 1, 0, 0, EINVAL},
		{"attr.addr_1_einval", 1, PS, 0, 0, EINVAL},
		{"attr.addr_pgmax_wraps_einval", PGMAX, 2 * PS, 0, 0, EINVAL},
		{"attr.size_u64max_wraps_einval", PS, U64MAX & ~(PS - 1), 0, 0, EINVAL},
		{"attr.flags_1_einval", 4 * GB, PS, 0, 1, EINVAL},
		{"attr.flags_u64max_einval", 4 * GB, PS, 0, U64MAX, EINVAL},
		{"attr.attrs_u64max_einval", 4 * GB, PS, U64MAX, 0, EINVAL},
		{"attr.page_ok", 4 * GB, PS, 0, 0, 0},
	};
	for (size_t i = 0; i < ARRAY_SIZE(t); i++) {
		struct kvm_memory_attributes a = {t[i].a, t[i].s, t[i].attrs, t[i].flags};
		int e = ioctl(vm, KVM_SET_MEMORY_ATTRIBUTES, &a) < 0 ? errno : 0;
		char w[160];
		snprintf(w, sizeof(w), "KVM_SET_MEMORY_ATTRIBUTES address=0x%llx size=0x%llx attributes=0x%llx "
			 "flags=0x%llx (default VM)", (unsigned long long)t[i].a, (unsigned long long)t[i].s,
			 (unsigned long long)t[i].attrs, (unsigned long long)t[i].flags);
		bounds_check(t[i].l, e, t[i].expect, w);
	}
	close(vm);
}

void b_prefault(void)
{
	struct vm v;
	if (C.pre_fault <= 0) {
		skip_rest("needs KVM_CAP_PRE_FAULT_MEMORY");
		return;
	}
	if (vm_create(&v, 0, C.guest_cpl, 0)) {
		error_rest("VM setup failed");
		return;
	}
	struct gslot g;
	int gs = C.gmem_bind[0] ? gslot_add(&v, &g, 1, TEST_GPA, FSZ, 0, 0) : -1;
	static const struct { const char *l; u64 gpa, size, flags; int expect; int left_ok; u64 left; } t[] = {
		{"prefault.size_0_einval", 0, 0, 0, EINVAL},
		{"prefault.size_1_einval", 0, 1, 0, EINVAL},
		{"prefault.size_page_minus_1_einval", 0, PS - 1, 0, EINVAL},
		{"prefault.gpa_1_einval", 1, PS, 0, EINVAL},
		{"prefault.gpa_pgmax_wraps_einval", PGMAX, PS, 0, EINVAL},
		{"prefault.gpa_neg_page_wraps_einval", NEG_PG, 2 * PS, 0, EINVAL},
		{"prefault.flags_1_einval", 0, PS, 1, EINVAL},
		{"prefault.flags_u64max_einval", 0, PS, U64MAX, EINVAL},
		{"prefault.no_memslot_enoent", 2 * GB, PS, 0, ENOENT, 1, PS},
		{"prefault.slot0_page_ok", 0, PS, 0, 0, 1, 0},
		{"prefault.gmem_whole_file_ok", TEST_GPA, FSZ, 0, 0, 1, 0},
		{"prefault.gmem_file_plus_page_enoent", TEST_GPA, FSZ + PS, 0, ENOENT, 1, PS},
	};
	for (size_t i = 0; i < ARRAY_SIZE(t); i++) {
		if (t[i].gpa == TEST_GPA && gs) {
			leaf(t[i].l, R_SKIP, "needs guest_memfd memslots on KVM_X86_DEFAULT_VM (6.18+)");
			continue;
		}
		struct kvm_pre_fault_memory r = {t[i].gpa, t[i].size, t[i].flags, {0}};
		int e = 0;
		for (;;) {	/* as upstream: retry EINTR; the call may also stop short of the end */
			u64 prev = r.size;
			int rc = ioctl(v.vcpu, KVM_PRE_FAULT_MEMORY, &r);
			e = rc < 0 ? errno : 0;
			if ((r.size < prev) == (rc < 0)) {
				diag("range.size %s on %s (upstream asserts it changes exactly on success)",
				     r.size < prev ? "changed" : "did not change", rc < 0 ? "failure" : "success");
				e = -1;
				break;
			}
			if (rc < 0 && e == EINTR)
				continue;
			if (rc < 0 || !r.size)
				break;
		}
		char w[160];
		snprintf(w, sizeof(w), "KVM_PRE_FAULT_MEMORY gpa=0x%llx size=0x%llx flags=0x%llx -> %llu bytes left",
			 (unsigned long long)t[i].gpa, (unsigned long long)t[i].size, (unsigned long long)t[i].flags,
			 (unsigned long long)r.size);
		if (e == -1) {
			observed("size_invariant_broken");
			leaf(t[i].l, R_FAIL, "range.size changed on failure or not on success");
			continue;
		}
		if (t[i].left_ok && e == t[i].expect && r.size != t[i].left) {
			observed("%s,left=%llu", errname(e), (unsigned long long)r.size);
			leaf(t[i].l, R_FAIL, "completed with %llu bytes left, expected %llu", (unsigned long long)r.size,
			     (unsigned long long)t[i].left);
			continue;
		}
		bounds_check(t[i].l, e, t[i].expect, w);
	}
	/* pre_fault_memory_test's guest then reads every pre-faulted page (GUEST_DONE, no abort) */
	struct ures u;
	guest_cmd(&v, G_TOUCH, 0, 0, PS, 0, &u);
	int okr = run_ok(&v, &u, "touch slot 0 page 0");
	if (!gs) {
		guest_cmd(&v, G_TOUCH, TEST_GPA, 0, FSZ, 0, &u);
		okr &= run_ok(&v, &u, "touch the gmem slot");
	}
	observed("%s", ures_str(&u));
	leaf_ok("prefault.guest_reads_prefaulted_ok", okr, "the guest could not read the pre-faulted pages");
	if (!gs)
		gslot_del(&g);
	vm_destroy(&v);
}

