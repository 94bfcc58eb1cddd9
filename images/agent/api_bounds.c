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
void bounds_check(const char *leafid, int err, int expect, const char *what)
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
		bounds_check(t[i].l, fd < 0 ? -fd : 0, t[i].expect, w);
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
		bounds_check(t[i].l, e, want, w);
		if (!e && strcmp(t[i].l, "bind.last_page_ok"))
			set_region2(vm, t[i].slot, 0, t[i].gpa, 0, NULL, -1, 0);	/* undo an unexpected success */
	}
	/* slot 1 (file's last page) is live: the whole file overlaps it; after deleting slot 1 it binds */
	int e = set_region2(vm, 1, 0, 4 * GB, 0, NULL, -1, 0);
	e = e ? e : set_region2(vm, 2, GM, 8 * GB, FSZ, NULL, g, 0);
	bounds_check("bind.whole_file_after_delete_ok", e, 0, "delete slot 1, then bind the whole file (size == file size)");
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
		bounds_check(t[i].l, e, t[i].expect, w);
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
			bounds_check(t[i].l, e, t[i].expect, w);
		}
		if (!e)
			munmap(m, t[i].len);
	}
	close(g), close(vm);
}

void b_madvise_mbind(void), b_attributes(void), b_prefault(void);
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
