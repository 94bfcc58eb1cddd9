/* Suite "api", part 2: caps consistency, memslot binding error table (spec §1.6,
 * kvm-host-probe §6), lifetime (C9) and memory accounting. */
#include "kval.h"
#include <string.h>
#include <stdlib.h>
#include <unistd.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <sys/mman.h>

void api_caps(void)
{
	observed("%d", C.api_version);
	leaf_ok("caps.api_version_12", C.api_version == 12, "KVM_GET_API_VERSION != 12");
	int any = 0;
	for (int t = 0; t < NVMTYPES; t++)
		any |= C.gmem_create[t];
	observed("cap=%ld,create_works=%d", C.guest_memfd, any);
	leaf_ok("caps.guest_memfd_cap", (C.guest_memfd > 0) == any,
		"KVM_CAP_GUEST_MEMFD on /dev/kvm disagrees with KVM_CREATE_GUEST_MEMFD");
	observed("0x%lx", C.gmem_flags_dev);
	leaf_ok("caps.flags_cap_known_bits", !(C.gmem_flags_dev & ~0x7L),
		"unknown bits in KVM_CAP_GUEST_MEMFD_FLAGS (known: MMAP, INIT_SHARED, NO_DIRECT_MAP)");
	observed("0x%lx", C.gmem_flags[0]);
	/* derived from the caps, not the version: a kernel that has KVM_CAP_GUEST_MEMFD_FLAGS must offer MMAP and
	 * INIT_SHARED on the default VM (upstream guest_memfd_test.c test_guest_memfd_guest asserts both) */
	if (C.gmem_flags_dev <= 0)
		leaf("caps.default_vm_mmap_init_shared", R_SKIP, "needs KVM_CAP_GUEST_MEMFD_FLAGS (6.18+)");
	else
		leaf_ok("caps.default_vm_mmap_init_shared", (C.gmem_flags[0] & 3) == 3,
			"KVM_CAP_GUEST_MEMFD_FLAGS exists, so the DEFAULT VM must report MMAP|INIT_SHARED");
	if (C.vm_types <= 0) {
		leaf("caps.vm_type_default_listed", R_SKIP, "needs KVM_CAP_VM_TYPES (6.8+)");
		return;
	}
	int ok = C.vm_types & 1;
	for (int t = 0; t < NVMTYPES; t++)
		if ((C.vm_types >> t & 1) && !C.vm_ok[t]) {
			diag("type %d listed but KVM_CREATE_VM fails %s", t, errname(C.vm_errno[t]));
			ok = 0;
		}
	observed("0x%lx", C.vm_types);
	leaf_ok("caps.vm_type_default_listed", ok, "VM_TYPES must list DEFAULT and only creatable types");
}

static void slot_leaf(const char *leaf, int e, int expect, const char *what)
{
	diag("%s", what);
	leaf_errno(leaf, e ? -1 : 0, e, expect);
}

void api_memslot(void)
{
	extern int api_vt;	/* api_matrix.c: the variant's VM type and gmem flags */
	extern u64 api_vf;
	int vm = create_vm(api_vt), vm2 = create_vm(api_vt);
	u64 sz = 16 * PS;
	int g = gmem_create(vm, sz, api_vf), g2 = vm2 >= 0 ? gmem_create(vm2, sz, api_vf) : -1;
	void *anon = mmap(NULL, sz, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (vm < 0 || g < 0 || g2 < 0) {
		error_rest("setup: vm=%d gmem=%d gmem2=%d", vm, g, g2);
		return;
	}
	const u32 GM = KVM_MEM_GUEST_MEMFD;
	slot_leaf("memslot.v1_ioctl_gmem_flag_einval", set_region1(vm, 1, GM, 4 * GB, PS, anon), EINVAL,
		  "KVM_SET_USER_MEMORY_REGION (v1) with KVM_MEM_GUEST_MEMFD");
	slot_leaf("memslot.gmem_log_dirty_einval", set_region2(vm, 1, GM | KVM_MEM_LOG_DIRTY_PAGES, 4 * GB, PS,
		  anon, g, 0), EINVAL, "GUEST_MEMFD|LOG_DIRTY_PAGES");
	slot_leaf("memslot.gmem_readonly_einval", set_region2(vm, 1, GM | KVM_MEM_READONLY, 4 * GB, PS, anon, g, 0),
		  EINVAL, "GUEST_MEMFD|READONLY");
	int closed = dup(g);
	close(closed);
	int e = set_region2(vm, 1, GM, 4 * GB, PS, anon, closed, 0);
	observed("%s", errname(e));
	diag("guest_memfd = a closed fd number: spec EBADF, some kernels EINVAL");
	leaf_ok("memslot.closed_fd_rejected", e == EBADF || e == EINVAL, "closed fd accepted");
	slot_leaf("memslot.kvm_dev_fd_einval", set_region2(vm, 1, GM, 4 * GB, PS, anon, kvm_fd, 0), EINVAL,
		  "guest_memfd = /dev/kvm fd");
	slot_leaf("memslot.vm_fd_einval", set_region2(vm, 1, GM, 4 * GB, PS, anon, vm, 0), EINVAL,
		  "guest_memfd = VM fd");
	int mfd = memfd_create("kval", MFD_CLOEXEC);
	if (ftruncate(mfd, sz))
		diag("ftruncate memfd failed");
	slot_leaf("memslot.memfd_einval", set_region2(vm, 1, GM, 4 * GB, PS, anon, mfd, 0), EINVAL,
		  "guest_memfd = a memfd");
	slot_leaf("memslot.other_vm_gmem_einval", set_region2(vm, 1, GM, 4 * GB, PS, anon, g2, 0), EINVAL,
		  "guest_memfd of another VM");
	int bad = 0, first = 0;
	for (u64 o = 1; o < PS; o++) {
		e = set_region2(vm, 1, GM, 4 * GB, PS, anon, g, o);
		if (!e)
			set_region2(vm, 1, 0, 4 * GB, 0, NULL, -1, 0);
		if (e != EINVAL && !bad++)
			first = (int)o;
	}
	observed("%d_of_4095_not_EINVAL", bad);
	leaf_ok("memslot.offset_unaligned_einval", !bad, "offset %d not rejected with EINVAL", first);
	slot_leaf("memslot.offset_size_beyond_file_einval", set_region2(vm, 1, GM, 4 * GB, 2 * PS, anon, g, 15 * PS),
		  EINVAL, "offset 15 pages + size 2 pages > 16-page file");
	slot_leaf("memslot.offset_eq_size_einval", set_region2(vm, 1, GM, 4 * GB, PS, anon, g, sz), EINVAL,
		  "offset == file size");
	e = set_region2(vm, 1, GM, 4 * GB, 4 * PS, anon, g, 0);
	if (e) {
		error_rest("base binding (slot 1, 4 pages at 4G) failed: %s", errname(e));
		return;
	}
	int want = (int)expect("memslot.gmem_overlap_errno", EEXIST);
	slot_leaf("memslot.gmem_range_overlap_errno_by_version",
		  set_region2(vm, 2, GM, 8 * GB, 4 * PS, anon, g, 2 * PS), want,
		  "slot 2 binds gmem pages 2-5 (overlap with slot 1)");
	slot_leaf("memslot.gpa_overlap_eexist", set_region2(vm, 3, GM, 4 * GB + PS, 4 * PS, anon, g, 8 * PS), EEXIST,
		  "slot 3 GPA overlaps slot 1");
	slot_leaf("memslot.disjoint_offset_same_gmem_ok", set_region2(vm, 4, GM, 8 * GB, 4 * PS, anon, g, 8 * PS), 0,
		  "slot 4: same gmem, disjoint offset");
	slot_leaf("memslot.modify_identical_einval", set_region2(vm, 1, GM, 4 * GB, 4 * PS, anon, g, 0), EINVAL,
		  "identical re-set of a gmem slot");
	slot_leaf("memslot.move_gpa_einval", set_region2(vm, 1, GM, 12 * GB, 4 * PS, anon, g, 0), EINVAL,
		  "move a gmem slot");
	e = set_region2(vm, 1, 0, 4 * GB, 0, NULL, -1, 0);
	int e2 = e ? e : set_region2(vm, 1, GM, 4 * GB, 4 * PS, anon, g, 0);
	observed("delete=%s,recreate=%s", errname(e), errname(e2));
	leaf_ok("memslot.delete_recreate_ok", !e && !e2, "delete + re-create failed");
	close(mfd), close(g), close(g2), close(vm), close(vm2);
}

/* Clearing KVM_MEM_GUEST_MEMFD on a live slot must fail EINVAL. Before the 6.19-rc1 fix ("reject toggling
 * GUEST_MEMFD on existing slots", guest-memfd-spec.md 1.6) KVM accepted it and the gmem kept a binding to the
 * freed slot: a use-after-free once the gmem is punched or closed. A fix is not an expectation: such a kernel
 * FAILs here. It is its own case (api.memslot_clear_flag) so that a run can give it its own boot: the punch and
 * close below touch the stale binding, and a crash is the kernel's FAIL with its console splat. */
void api_memslot_clear_flag(void)
{
	int vm = create_vm(0);
	int g = vm >= 0 ? gmem_create(vm, 16 * PS, 0) : -1;
	void *anon = mmap(NULL, 16 * PS, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	int e = g >= 0 ? set_region2(vm, 1, KVM_MEM_GUEST_MEMFD, 4 * GB, 4 * PS, anon, g, 0) : -1;
	if (e) {
		error_rest("setup: vm=%d gmem=%d bind=%s", vm, g, errname(e));
		return;
	}
	slot_leaf("memslot.clear_gmem_flag_einval", set_region2(vm, 1, 0, 4 * GB, 4 * PS, anon, -1, 0), EINVAL,
		  "clear KVM_MEM_GUEST_MEMFD on a live slot");
	int p = gmem_falloc(g, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, 16 * PS);
	close(g);
	int d = set_region2(vm, 1, 0, 4 * GB, 0, NULL, -1, 0);
	close(vm);
	observed("punch=%s,delete=%s", errname(p), errname(d));
	leaf_ok("memslot.clear_gmem_flag_survivors", !p && !d,
		"punch of the gmem or delete of the slot failed after the clear attempt");
}

void api_c9(void)
{
	int vm = create_vm(0);
	u64 fl = (C.gmem_flags[0] > 0 && (C.gmem_flags[0] & 3) == 3) ? 3 : 0;
	int g = vm >= 0 ? gmem_create(vm, 64 * PS, fl) : -1;
	if (g < 0) {
		error_rest("setup failed");
		return;
	}
	close(vm);
	diag("VM fd closed; the guest_memfd keeps the VM alive");
	int e = gmem_falloc(g, FALLOC_FL_KEEP_SIZE, 0, 16 * PS);
	leaf_errno("C9.fallocate_after_vm_close", e ? -1 : 0, e, 0);
	e = gmem_falloc(g, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, 16 * PS);
	leaf_errno("C9.punch_after_vm_close", e ? -1 : 0, e, 0);
	if (!fl) {
		leaf("C9.mmap_touch_after_vm_close", R_SKIP, "needs KVM_CAP_GUEST_MEMFD_FLAGS & INIT_SHARED");
	} else {
		u8 *m = mmap(NULL, 64 * PS, PROT_READ | PROT_WRITE, MAP_SHARED, g, 0);
		int code = 0, sig = m == MAP_FAILED ? -1 : try_write8(m + 5 * PS, 0x5a, &code);
		observed("%s", sig == 0 && m[5 * PS] == 0x5a ? "0x5a" : sig > 0 ? "signal" : "mmap_failed");
		leaf_ok("C9.mmap_touch_after_vm_close", sig == 0 && m[5 * PS] == 0x5a, "mmap/touch failed");
	}
	close(g);
}

/* delta of a meminfo key after fn() minus before, in kB */
static long mi(const char *k) { return meminfo_kb(k); }

void api_accounting(void)
{
	const u64 SZ = 128 * MB;
	const long KB = (long)(SZ >> 10);
	int vm = create_vm(0);
	int g = vm >= 0 ? gmem_create(vm, SZ, GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED) : -1;
	if (g < 0) {
		error_rest("setup failed");
		return;
	}
	long c0 = mi("Cached"), u0 = mi("Unevictable"), r0 = status_kb("RssFile");
	int e = gmem_falloc(g, FALLOC_FL_KEEP_SIZE, 0, SZ);
	long c1 = mi("Cached"), u1 = mi("Unevictable"), r1 = status_kb("RssFile");
	diag("fallocate %llu MiB: %s; Cached %+ld kB, Unevictable %+ld kB, RssFile %+ld kB",
	     (unsigned long long)(SZ >> 20), errname(e), c1 - c0, u1 - u0, r1 - r0);
	observed("%+ld_kB", c1 - c0);
	leaf_ok("accounting.cached_rises_on_fallocate", !e && c1 - c0 >= KB / 2,
		"Cached did not rise by >= 50%% (page cache is noisy; Unevictable is the precise check)");
	observed("%+ld_kB", u1 - u0);
	leaf_ok("accounting.unevictable_rises_on_fallocate", !e && u1 - u0 >= KB * 9 / 10,
		"Unevictable did not rise by >= 90%%");
	observed("%+ld_kB", r1 - r0);
	leaf_ok("accounting.not_in_rss_unmapped", r1 - r0 < KB / 10, "RssFile rose without a mapping");
	u8 *m = mmap(NULL, SZ, PROT_READ | PROT_WRITE, MAP_SHARED, g, 0);
	volatile u8 sink = 0;
	if (m != MAP_FAILED)
		for (u64 o = 0; o < SZ; o += PS)
			sink += m[o];
	long r2 = status_kb("RssFile");
	observed("%+ld_kB", r2 - r1);
	leaf_ok("accounting.rssfile_rises_when_mapped", m != MAP_FAILED && r2 - r1 >= KB * 9 / 10,
		"RssFile did not rise by >= 90%% when the pages were mapped");
	if (m != MAP_FAILED)
		munmap(m, SZ);
	e = gmem_falloc(g, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, SZ);
	long u3 = mi("Unevictable");
	observed("%+ld_kB_vs_start", u3 - u0);
	leaf_ok("accounting.freed_on_punch", !e && u3 - u0 < KB / 10, "Unevictable still high after punch");
	gmem_falloc(g, FALLOC_FL_KEEP_SIZE, 0, SZ);
	long u4 = mi("Unevictable");
	close(g);
	close(vm);
	usleep(100000);
	long u5 = mi("Unevictable");
	diag("re-allocated: Unevictable %+ld kB; after close %+ld kB vs start", u4 - u0, u5 - u0);
	observed("%+ld_kB_vs_start", u5 - u0);
	leaf_ok("accounting.freed_on_close", u4 - u0 >= KB * 9 / 10 && u5 - u0 < KB / 10,
		"Unevictable not released on close");
}
