/* Suite "api", boundary values (issue 16 item 2): every numeric argument of every guest_memfd-facing ioctl and fd
 * operation at 0, 1, page-1, unaligned, exactly the file size, one page past it, the type's largest value, sums
 * that wrap, and values negative as signed. One leaf per value, the observed errno is printed; where the kernel
 * must reject, a success FAILs. Expected errnos cite the 7.3 source (paths relative to the kernel tree):
 *   KVM_CREATE_GUEST_MEMFD      virt/kvm/guest_memfd.c kvm_gmem_create(): flags & ~supported, size <= 0 (loff_t),
 *                               !PAGE_ALIGNED(size) -> EINVAL; any other size is a sparse file
 *   KVM_SET_USER_MEMORY_REGION2 virt/kvm/kvm_main.c kvm_set_memory_region(): unaligned size/GPA/offset, offset+size
 *                               or GPA+size wrapping, size > KVM_MEM_MAX_NR_PAGES, slot id >= KVM_MEM_SLOTS_NUM,
 *                               delete of an absent slot -> EINVAL; virt/kvm/guest_memfd.c
 *                               kvm_gmem_prepare_memory_region(): bad fd -> EBADF, offset+size > i_size -> EINVAL;
 *                               arch/x86/kvm/x86.c kvm_arch_prepare_memory_region(): last gfn > max gfn -> EINVAL
 *   fallocate                   fs/open.c vfs_fallocate(): offset < 0 || len <= 0 -> EINVAL, offset+len overflow
 *                               or > s_maxbytes -> EFBIG; guest_memfd.c kvm_gmem_fallocate(): unaligned -> EINVAL,
 *                               kvm_gmem_allocate(): offset+len > i_size -> EINVAL (punch has no size limit)
 *   mmap                        arch/x86/kernel/sys_x86_64.c: unaligned offset -> EINVAL; mm/mmap.c do_mmap():
 *                               len 0 -> EINVAL, PAGE_ALIGN(len) == 0 -> ENOMEM, pgoff+pages wrap or beyond the
 *                               file's max -> EOVERFLOW; guest_memfd.c kvm_gmem_fault(): beyond i_size -> SIGBUS
 *   KVM_SET_MEMORY_ATTRIBUTES   kvm_main.c kvm_vm_ioctl_set_mem_attributes(): flags, unsupported attributes,
 *                               size 0, address+size wrap, unaligned -> EINVAL
 *   KVM_PRE_FAULT_MEMORY        kvm_main.c kvm_vcpu_pre_fault_memory(): flags, unaligned gpa/size, gpa+size <= gpa
 *                               -> EINVAL; no memslot -> ENOENT (pre_fault_memory_test.c)
 *   madvise / mbind             mm/madvise.c, mm/mempolicy.c: unaligned start -> EINVAL, len 0 -> 0 (no-op),
 *                               start+len wrap -> EINVAL (madvise) / EINVAL (mbind), unmapped range -> ENOMEM /
 *                               EFAULT; MADV_REMOVE on a gmem mapping punches through kvm_gmem_fallocate. */
#include "kval.h"
#include <string.h>
#include <stdlib.h>
#include <unistd.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#define FSZ (16 * PS)			/* the file the ranges are measured against */
#define U64MAX (~0ULL)
#define PGMAX (~0ULL & ~(PS - 1))	/* largest page-aligned u64 */
#define S64MAX_PG ((u64)INT64_MAX & ~(PS - 1))
#define NEG_PG (~0ULL - PS + 1)		/* -4096 as signed */

/* expect: 0 = must succeed, >0 = that errno, -1 = must be rejected (errno printed, mm core decides which) */
static void check(const char *leafid, int err, int expect, const char *what)
{
	diag("%s", what);
	observed("%s", err ? errname(err) : "OK");
	if (expect > 0)
		leaf_ok(leafid, err == expect, "expected %s, got %s", errname(expect), err ? errname(err) : "success");
	else if (expect < 0)
		leaf_ok(leafid, err != 0, "the kernel must reject this, but it succeeded");
	else
		leaf_ok(leafid, err == 0, "expected success, got %s", errname(err));
}

static void b_create(void)
{
	int vm = create_vm(0);
	if (vm < 0) {
		error_rest("KVM_CREATE_VM(0): %s", errname(-vm));
		return;
	}
	static const struct { const char *l; u64 size, flags; int expect; } t[] = {
		{"create.size_0_einval", 0, 0, EINVAL},
		{"create.size_1_einval", 1, 0, EINVAL},
		{"create.size_page_minus_1_einval", PS - 1, 0, EINVAL},
		{"create.size_page_plus_1_einval", PS + 1, 0, EINVAL},
		{"create.size_page_ok", PS, 0, 0},
		{"create.size_s64max_aligned_ok", S64MAX_PG, 0, 0},
		{"create.size_s64max_einval", (u64)INT64_MAX, 0, EINVAL},
		{"create.size_neg_page_einval", NEG_PG, 0, EINVAL},
		{"create.size_bit63_einval", 1ULL << 63, 0, EINVAL},
		{"create.size_u64max_einval", U64MAX, 0, EINVAL},
		{"create.flags_u64max_einval", PS, U64MAX, EINVAL},
		{"create.flags_bit63_einval", PS, 1ULL << 63, EINVAL},
	};
	for (size_t i = 0; i < ARRAY_SIZE(t); i++) {
		char w[128];
		int fd = gmem_create(vm, t[i].size, t[i].flags);
		if (fd >= 0)
			close(fd);
		snprintf(w, sizeof(w), "KVM_CREATE_GUEST_MEMFD size=0x%llx flags=0x%llx", (unsigned long long)t[i].size,
			 (unsigned long long)t[i].flags);
		check(t[i].l, fd < 0 ? -fd : 0, t[i].expect, w);
	}
	close(vm);
}

static void b_bind(void)
{
	int vm = create_vm(0), g = vm >= 0 ? gmem_create(vm, FSZ, 0) : -1;
	if (g < 0) {
		error_rest("setup: vm=%d gmem=%d", vm, g);
		return;
	}
	const u32 GM = KVM_MEM_GUEST_MEMFD;
	const u64 G = 4 * GB;
	static const struct { const char *l; u32 slot; u64 gpa, size, off; int fdk; int expect; } t[] = {
		/* fdk: 0 = the gmem, 1 = fd -1 (u32 max), 2 = INT_MAX */
		{"bind.size_0_einval", 1, 4 * GB, 0, 0, 0, EINVAL},
		{"bind.size_1_einval", 1, 4 * GB, 1, 0, 0, EINVAL},
		{"bind.size_page_minus_1_einval", 1, 4 * GB, PS - 1, 0, 0, EINVAL},
		{"bind.size_page_plus_1_einval", 1, 4 * GB, PS + 1, 0, 0, EINVAL},
		{"bind.size_file_plus_page_einval", 1, 4 * GB, FSZ + PS, 0, 0, EINVAL},
		{"bind.size_bit63_einval", 1, 4 * GB, 1ULL << 63, 0, 0, EINVAL},
		{"bind.size_pgmax_einval", 1, 4 * GB, PGMAX, 0, 0, EINVAL},
		{"bind.offset_1_einval", 1, 4 * GB, PS, 1, 0, EINVAL},
		{"bind.offset_page_minus_1_einval", 1, 4 * GB, PS, PS - 1, 0, EINVAL},
		{"bind.offset_eq_file_size_einval", 1, 4 * GB, PS, FSZ, 0, EINVAL},
		{"bind.offset_file_plus_page_einval", 1, 4 * GB, PS, FSZ + PS, 0, EINVAL},
		{"bind.offset_s64max_aligned_einval", 1, 4 * GB, PS, S64MAX_PG, 0, EINVAL},
		{"bind.offset_neg_page_wraps_einval", 1, 4 * GB, 2 * PS, NEG_PG, 0, EINVAL},
		{"bind.offset_pgmax_wraps_einval", 1, 4 * GB, PS, PGMAX, 0, EINVAL},
		{"bind.offset_bit63_einval", 1, 4 * GB, PS, 1ULL << 63, 0, EINVAL},
		{"bind.gpa_1_einval", 1, 1, PS, 0, 0, EINVAL},
		{"bind.gpa_unaligned_einval", 1, 4 * GB + PS - 1, PS, 0, 0, EINVAL},
		{"bind.gpa_pgmax_wraps_einval", 1, PGMAX, 2 * PS, 0, 0, EINVAL},
		{"bind.gpa_neg_page_wraps_einval", 1, NEG_PG, 2 * PS, 0, 0, EINVAL},
		{"bind.gpa_bit63_beyond_maxgfn_einval", 1, 1ULL << 63, PS, 0, 0, EINVAL},
		{"bind.gpa_bit52_beyond_maxphys_einval", 1, 1ULL << 52, PS, 0, 0, EINVAL},
		{"bind.slot_id_max_einval", 0xffff, 4 * GB, PS, 0, 0, EINVAL},
		{"bind.fd_u32max_ebadf", 1, 4 * GB, PS, 0, 1, EBADF},
		{"bind.fd_intmax_ebadf", 1, 4 * GB, PS, 0, 2, EBADF},
		{"bind.last_page_ok", 1, 4 * GB, PS, FSZ - PS, 0, 0},
		{"bind.whole_file_overlap_rejected", 2, 8 * GB, FSZ, 0, 0, EEXIST},	/* overlaps slot 1's page: see below */
	};
	(void)G;
	for (size_t i = 0; i < ARRAY_SIZE(t); i++) {
		int fd = t[i].fdk == 1 ? -1 : t[i].fdk == 2 ? 0x7fffffff : g;
		int want = t[i].expect;
		if (!strcmp(t[i].l, "bind.whole_file_overlap_rejected"))
			want = (int)expect("memslot.gmem_overlap_errno", EEXIST);
		int e = set_region2(vm, t[i].slot, GM, t[i].gpa, t[i].size, NULL, fd, t[i].off);
		char w[160];
		snprintf(w, sizeof(w), "REGION2 slot=%u gpa=0x%llx size=0x%llx gmem_offset=0x%llx fd=%d", t[i].slot,
			 (unsigned long long)t[i].gpa, (unsigned long long)t[i].size, (unsigned long long)t[i].off, fd);
		check(t[i].l, e, want, w);
		if (!e && strcmp(t[i].l, "bind.last_page_ok"))
			set_region2(vm, t[i].slot, 0, t[i].gpa, 0, NULL, -1, 0);	/* undo an unexpected success */
	}
	/* slot 1 (file's last page) is live: the whole file overlaps it; after deleting slot 1 it binds */
	int e = set_region2(vm, 1, 0, 4 * GB, 0, NULL, -1, 0);
	e = e ? e : set_region2(vm, 2, GM, 8 * GB, FSZ, NULL, g, 0);
	check("bind.whole_file_after_delete_ok", e, 0, "delete slot 1, then bind the whole file (size == file size)");
	close(g), close(vm);
}

static void b_falloc(void)
{
	int vm = create_vm(0), g = vm >= 0 ? gmem_create(vm, FSZ, 0) : -1;
	if (g < 0) {
		error_rest("setup: vm=%d gmem=%d", vm, g);
		return;
	}
	const int A = FALLOC_FL_KEEP_SIZE, P = FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE;
	static const struct { const char *l; int punch; u64 off, len; int expect; } t[] = {
		{"falloc.len_0_einval", 0, 0, 0, EINVAL},
		{"falloc.len_1_einval", 0, 0, 1, EINVAL},
		{"falloc.len_page_minus_1_einval", 0, 0, PS - 1, EINVAL},
		{"falloc.off_1_einval", 0, 1, PS, EINVAL},
		{"falloc.len_file_size_ok", 0, 0, FSZ, 0},
		{"falloc.len_file_plus_page_einval", 0, 0, FSZ + PS, EINVAL},
		{"falloc.off_last_page_ok", 0, FSZ - PS, PS, 0},
		{"falloc.off_file_size_einval", 0, FSZ, PS, EINVAL},
		{"falloc.off_neg_page_einval", 0, NEG_PG, PS, EINVAL},
		{"falloc.len_neg_page_einval", 0, 0, NEG_PG, EINVAL},
		{"falloc.off_s64max_aligned_wraps_efbig", 0, S64MAX_PG, 2 * PS, EFBIG},
		{"falloc.off_len_bit62_wraps_efbig", 0, 1ULL << 62, 1ULL << 62, EFBIG},
		{"falloc.off_bit40_beyond_eof_einval", 0, 1ULL << 40, PS, EINVAL},
		{"punch.len_0_einval", 1, 0, 0, EINVAL},
		{"punch.len_1_einval", 1, 0, 1, EINVAL},
		{"punch.off_page_minus_1_einval", 1, PS - 1, PS, EINVAL},
		{"punch.len_file_size_ok", 1, 0, FSZ, 0},
		{"punch.off_file_size_ok", 1, FSZ, PS, 0},
		{"punch.len_file_plus_page_ok", 1, 0, FSZ + PS, 0},
		{"punch.off_neg_page_einval", 1, NEG_PG, PS, EINVAL},
		{"punch.len_neg_page_einval", 1, 0, NEG_PG, EINVAL},
		{"punch.off_s64max_aligned_wraps_efbig", 1, S64MAX_PG, 2 * PS, EFBIG},
		{"punch.off_bit40_beyond_eof_ok", 1, 1ULL << 40, PS, 0},
	};
	for (size_t i = 0; i < ARRAY_SIZE(t); i++) {
		int e = gmem_falloc(g, t[i].punch ? P : A, t[i].off, t[i].len);
		char w[128];
		snprintf(w, sizeof(w), "fallocate(%s, off=0x%llx, len=0x%llx) on a 16-page gmem",
			 t[i].punch ? "PUNCH_HOLE|KEEP_SIZE" : "KEEP_SIZE", (unsigned long long)t[i].off,
			 (unsigned long long)t[i].len);
		check(t[i].l, e, t[i].expect, w);
	}
	close(g), close(vm);
}

static void b_mmap(void)
{
	int vm = create_vm(0);
	int g = vm >= 0 ? gmem_create(vm, FSZ, GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED) : -1;
	if (g < 0) {
		error_rest("setup: vm=%d gmem(MMAP|INIT_SHARED)=%d", vm, g);
		return;
	}
	static const struct { const char *l; u64 off, len; int expect; int touch_sigbus; } t[] = {
		{"mmap.len_0_einval", 0, 0, EINVAL, 0},
		{"mmap.len_1_ok", 0, 1, 0, 0},
		{"mmap.len_file_size_ok", 0, FSZ, 0, 0},
		{"mmap.len_u64max_enomem", 0, U64MAX, ENOMEM, 0},
		{"mmap.off_1_einval", 1, PS, EINVAL, 0},
		{"mmap.off_page_minus_1_einval", PS - 1, PS, EINVAL, 0},
		{"mmap.off_neg_page_eoverflow", NEG_PG, PS, EOVERFLOW, 0},
		{"mmap.off_pgmax_len_2p_eoverflow", PGMAX, 2 * PS, EOVERFLOW, 0},
		{"mmap.off_file_size_maps_sigbus", FSZ, PS, 0, 1},
		{"mmap.off_file_plus_page_maps_sigbus", FSZ + PS, PS, 0, 1},
		{"mmap.off_bit40_maps_sigbus", 1ULL << 40, PS, 0, 1},
	};
	for (size_t i = 0; i < ARRAY_SIZE(t); i++) {
		void *m = mmap(NULL, t[i].len, PROT_READ | PROT_WRITE, MAP_SHARED, g, (off_t)t[i].off);
		int e = m == MAP_FAILED ? errno : 0;
		char w[128];
		snprintf(w, sizeof(w), "mmap(len=0x%llx, MAP_SHARED, off=0x%llx) of a 16-page gmem",
			 (unsigned long long)t[i].len, (unsigned long long)t[i].off);
		if (t[i].touch_sigbus && !e) {
			int code = 0, sig = try_read8(m, NULL, &code);
			diag("%s: mapped; read of its first byte: %s", w, sig == 7 ? "SIGBUS" : sig ? "signal" : "data");
			observed("mapped,%s", sig == 7 ? "SIGBUS" : sig ? "signal" : "read_data");
			leaf_ok(t[i].l, sig == 7, "a mapping beyond i_size must SIGBUS on access, never expose memory");
		} else {
			check(t[i].l, e, t[i].expect, w);
		}
		if (!e)
			munmap(m, t[i].len);
	}
	close(g), close(vm);
}

static void b_madvise_mbind(void)
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
		check(t[i].l, r ? errno : 0, t[i].expect, w);
	}
	/* the data checks: DONTNEED keeps the file's data, MADV_REMOVE punched the last page */
	observed("page0=0x%02x,last=0x%02x", m[0], m[FSZ - PS]);
	leaf_ok("madvise.dontneed_keeps_data_remove_punches", m[0] == 0x5a && m[FSZ - PS] == 0,
		"after DONTNEED page 0 must still read 0x5a and after MADV_REMOVE the last page must read 0");
	/* mm/madvise.c: a range reaching into unmapped space fails ENOMEM (after advising the mapped part) */
	int r = madvise(m, FSZ + PS, MADV_REMOVE);
	check("madvise.remove_file_plus_page_enomem", r ? errno : 0, ENOMEM,
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
		check(mb[i].l, r ? errno : 0, mb[i].expect, w);
	}
	munmap(res, FSZ + PS);
	close(g), close(vm);
}

static void b_attributes(void)
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
		check(t[i].l, e, t[i].expect, w);
	}
	close(vm);
}

static void b_prefault(void)
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
		check(t[i].l, e, t[i].expect, w);
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

void api_memslot_flags(void), api_memslot_max(void), api_memslot_zero(void), api_memslot_clear_flag(void);
void api_memslot_move(void), api_memslot_delete(void), api_mmio_vectoring(void);
struct kcase bounds_cases[] = {
	{"api.memslot_flags", N_KVM, 0, api_memslot_flags, {"memslot_flags.v1_bit_0", "memslot_flags.v1_bit_1",
	  "memslot_flags.v1_bit_2", "memslot_flags.v1_bit_3", "memslot_flags.v1_bit_4", "memslot_flags.v1_bit_5",
	  "memslot_flags.v1_bit_6", "memslot_flags.v1_bit_7", "memslot_flags.v1_bit_8", "memslot_flags.v1_bit_9",
	  "memslot_flags.v1_bit_10", "memslot_flags.v1_bit_11", "memslot_flags.v1_bit_12", "memslot_flags.v1_bit_13",
	  "memslot_flags.v1_bit_14", "memslot_flags.v1_bit_15", "memslot_flags.v1_bit_16", "memslot_flags.v1_bit_17",
	  "memslot_flags.v1_bit_18", "memslot_flags.v1_bit_19", "memslot_flags.v1_bit_20", "memslot_flags.v1_bit_21",
	  "memslot_flags.v1_bit_22", "memslot_flags.v1_bit_23", "memslot_flags.v1_bit_24", "memslot_flags.v1_bit_25",
	  "memslot_flags.v1_bit_26", "memslot_flags.v1_bit_27", "memslot_flags.v1_bit_28", "memslot_flags.v1_bit_29",
	  "memslot_flags.v1_bit_30", "memslot_flags.v1_bit_31", "memslot_flags.v2_bit_3", "memslot_flags.v2_bit_4",
	  "memslot_flags.v2_bit_5", "memslot_flags.v2_bit_6", "memslot_flags.v2_bit_7", "memslot_flags.v2_bit_8",
	  "memslot_flags.v2_bit_9", "memslot_flags.v2_bit_10", "memslot_flags.v2_bit_11", "memslot_flags.v2_bit_12",
	  "memslot_flags.v2_bit_13", "memslot_flags.v2_bit_14", "memslot_flags.v2_bit_15", "memslot_flags.v2_bit_16",
	  "memslot_flags.v2_bit_17", "memslot_flags.v2_bit_18", "memslot_flags.v2_bit_19", "memslot_flags.v2_bit_20",
	  "memslot_flags.v2_bit_21", "memslot_flags.v2_bit_22", "memslot_flags.v2_bit_23", "memslot_flags.v2_bit_24",
	  "memslot_flags.v2_bit_25", "memslot_flags.v2_bit_26", "memslot_flags.v2_bit_27", "memslot_flags.v2_bit_28",
	  "memslot_flags.v2_bit_29", "memslot_flags.v2_bit_30", "memslot_flags.v2_bit_31", NULL}},
	{"api.memslot_max", N_KVM, 120, api_memslot_max, {"memslot_max.nr_memslots_positive", "memslot_max.add_all_ok",
	  "memslot_max.one_more_einval", NULL}},
	{"api.memslot_zero", N_KVM, 0, api_memslot_zero, {"memslot_zero.run_internal_error", NULL}},
	{"api.memslot_move", N_KVM, 0, api_memslot_move, {"memslot_move.region_added_vcpu_running",
	  "memslot_move.vcpu_syncs_in_time", "memslot_move.mmio_not_write", "memslot_move.mmio_len_8",
	  "memslot_move.mmio_gpa", "memslot_move.first_value_1_or_mmio", "memslot_move.second_value_0_or_1",
	  "memslot_move.third_value_1_or_mmio", "memslot_move.final_value_1", NULL}},
	{"api.memslot_delete", N_KVM, 0, api_memslot_delete, {"memslot_delete.region_added_vcpu_running",
	  "memslot_delete.vcpu_syncs_in_time", "memslot_delete.deleted_reads_mmio", "memslot_delete.recreated_reads_0",
	  "memslot_delete.deleted_again_reads_mmio", "memslot_delete.slot0_gone_shutdown_or_internal_error",
	  "memslot_delete.internal_error_rip_in_spin_loop", NULL}},
	{"api.mmio_vectoring", N_KVM, 0, api_mmio_vectoring, {"mmio_vectoring.guest_does_not_continue",
	  "mmio_vectoring.internal_error", "mmio_vectoring.suberror_delivery_ev", "mmio_vectoring.ndata_not_4",
	  "mmio_vectoring.gpa_is_idt_gp_entry", NULL}},
	{"api.bounds_create", N_GMEM, 0, b_create, {"create.size_0_einval", "create.size_1_einval",
	  "create.size_page_minus_1_einval", "create.size_page_plus_1_einval", "create.size_page_ok",
	  "create.size_s64max_aligned_ok", "create.size_s64max_einval", "create.size_neg_page_einval",
	  "create.size_bit63_einval", "create.size_u64max_einval", "create.flags_u64max_einval",
	  "create.flags_bit63_einval", NULL}},
	{"api.bounds_bind", N_GMEM | N_BIND, 0, b_bind, {"bind.size_0_einval", "bind.size_1_einval",
	  "bind.size_page_minus_1_einval", "bind.size_page_plus_1_einval", "bind.size_file_plus_page_einval",
	  "bind.size_bit63_einval", "bind.size_pgmax_einval", "bind.offset_1_einval", "bind.offset_page_minus_1_einval",
	  "bind.offset_eq_file_size_einval", "bind.offset_file_plus_page_einval", "bind.offset_s64max_aligned_einval",
	  "bind.offset_neg_page_wraps_einval", "bind.offset_pgmax_wraps_einval", "bind.offset_bit63_einval",
	  "bind.gpa_1_einval", "bind.gpa_unaligned_einval", "bind.gpa_pgmax_wraps_einval",
	  "bind.gpa_neg_page_wraps_einval", "bind.gpa_bit63_beyond_maxgfn_einval", "bind.gpa_bit52_beyond_maxphys_einval",
	  "bind.slot_id_max_einval", "bind.fd_u32max_ebadf", "bind.fd_intmax_ebadf", "bind.last_page_ok",
	  "bind.whole_file_overlap_rejected", "bind.whole_file_after_delete_ok", NULL}},
	{"api.bounds_falloc", N_GMEM, 0, b_falloc, {"falloc.len_0_einval", "falloc.len_1_einval",
	  "falloc.len_page_minus_1_einval", "falloc.off_1_einval", "falloc.len_file_size_ok",
	  "falloc.len_file_plus_page_einval", "falloc.off_last_page_ok", "falloc.off_file_size_einval",
	  "falloc.off_neg_page_einval", "falloc.len_neg_page_einval", "falloc.off_s64max_aligned_wraps_efbig",
	  "falloc.off_len_bit62_wraps_efbig", "falloc.off_bit40_beyond_eof_einval", "punch.len_0_einval",
	  "punch.len_1_einval", "punch.off_page_minus_1_einval", "punch.len_file_size_ok", "punch.off_file_size_ok",
	  "punch.len_file_plus_page_ok", "punch.off_neg_page_einval", "punch.len_neg_page_einval",
	  "punch.off_s64max_aligned_wraps_efbig", "punch.off_bit40_beyond_eof_ok", NULL}},
	{"api.bounds_mmap", N_GMEM | N_MMAP | N_SHARED, 0, b_mmap, {"mmap.len_0_einval", "mmap.len_1_ok",
	  "mmap.len_file_size_ok", "mmap.len_u64max_enomem", "mmap.off_1_einval", "mmap.off_page_minus_1_einval",
	  "mmap.off_neg_page_eoverflow", "mmap.off_pgmax_len_2p_eoverflow", "mmap.off_file_size_maps_sigbus",
	  "mmap.off_file_plus_page_maps_sigbus", "mmap.off_bit40_maps_sigbus", NULL}},
	{"api.bounds_madvise", N_GMEM | N_MMAP | N_SHARED, 0, b_madvise_mbind, {"madvise.len_0_ok", "madvise.len_1_ok",
	  "madvise.start_unaligned_einval", "madvise.len_file_size_ok", "madvise.len_file_plus_page_enomem",
	  "madvise.len_u64max_einval", "madvise.len_wraps_einval", "madvise.remove_last_page_ok",
	  "madvise.dontneed_keeps_data_remove_punches", "madvise.remove_file_plus_page_enomem", "mbind.len_0_ok",
	  "mbind.start_unaligned_einval", "mbind.len_file_size_ok", "mbind.len_file_plus_page_rejected",
	  "mbind.len_wraps_einval", "mbind.maxnode_huge_einval", NULL}},
	{"api.bounds_attr", N_KVM, 0, b_attributes, {"attr.size_0_einval", "attr.size_1_einval",
	  "attr.size_page_minus_1_einval", "attr.addr_1_einval", "attr.addr_pgmax_wraps_einval",
	  "attr.size_u64max_wraps_einval", "attr.flags_1_einval", "attr.flags_u64max_einval",
	  "attr.attrs_u64max_einval", "attr.page_ok", NULL}},
	{"api.bounds_prefault", N_KVM, 0, b_prefault, {"prefault.size_0_einval", "prefault.size_1_einval",
	  "prefault.size_page_minus_1_einval", "prefault.gpa_1_einval", "prefault.gpa_pgmax_wraps_einval",
	  "prefault.gpa_neg_page_wraps_einval", "prefault.flags_1_einval", "prefault.flags_u64max_einval",
	  "prefault.no_memslot_enoent", "prefault.slot0_page_ok", "prefault.gmem_whole_file_ok",
	  "prefault.gmem_file_plus_page_enoent", "prefault.guest_reads_prefaulted_ok", NULL}},
	/* last in the suite: on kernels without the 6.19-rc1 fix this is a use-after-free that may take the boot down
	 * (api_memslot.c); nothing of the api suite runs after it */
	{"api.memslot_clear_flag", N_GMEM | N_BIND, 0, api_memslot_clear_flag, {"memslot.clear_gmem_flag_einval",
	  "memslot.clear_gmem_flag_survivors", NULL}},
};
int bounds_ncases = ARRAY_SIZE(bounds_cases);
