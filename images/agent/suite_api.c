/* Suite "api": guest_memfd file API (C12-C16); memslot, lifetime, accounting and
 * caps cases live in api_memslot.c. The case table for the whole suite is here. */
#include "kval.h"
#include <string.h>
#include <stdlib.h>
#include <unistd.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/vfs.h>

void api_caps(void), api_memslot(void), api_c9(void), api_accounting(void), api_c17(void);

extern int api_vt;	/* api_matrix.c: VM type and gmem flags of the running variant (0, 0 for the base cases) */
extern u64 api_vf;

static int vm0(void)
{
	int vm = create_vm(api_vt);
	if (vm < 0)
		error_rest("KVM_CREATE_VM(%d): %s", api_vt, errname(-vm));
	return vm;
}

static void api_c12(void)
{
	char name[64], obs[256];
	int vms[NVMTYPES];
	for (int t = 0; t < NVMTYPES; t++)
		vms[t] = C.vm_ok[t] && C.gmem_create[t] ? create_vm(t) : -1;
	for (int t = 0; t < NVMTYPES; t++)
		if (vms[t] >= 0)
			diag("vm type %d: KVM_CAP_GUEST_MEMFD_FLAGS=0x%lx", t, C.gmem_flags[t]);
	for (int b = 0; b < 64; b++) {
		int good = 1, o = 0;
		obs[0] = 0;
		for (int t = 0; t < NVMTYPES; t++) {
			if (vms[t] < 0)
				continue;
			u64 cap = C.gmem_flags[t] > 0 ? (u64)C.gmem_flags[t] : 0;
			int fd = gmem_create(vms[t], PS, 1ULL << b);
			int want = (cap >> b) & 1;
			if (fd >= 0)
				close(fd);
			if ((fd >= 0) != want || (fd < 0 && fd != -EINVAL))
				good = 0;
			o += snprintf(obs + o, sizeof(obs) - o, "%st%d:%s", o ? "," : "", t,
				      fd >= 0 ? "OK" : errname(-fd));
		}
		snprintf(name, sizeof(name), "C12.flag_bit_%d", b);
		observed("%s", obs);
		leaf_ok(name, good, "bit %d: create must succeed iff the bit is in the FLAGS cap, else EINVAL", b);
	}
	int fd = gmem_create(vms[0], PS, C.gmem_flags[0] > 0 ? C.gmem_flags[0] : 0);
	observed("%s", fd >= 0 ? "OK" : errname(-fd));
	leaf_ok("C12.all_cap_flags_together", fd >= 0, "flags=cap 0x%lx rejected", C.gmem_flags[0]);
	if (fd >= 0)
		close(fd);
	for (int t = 0; t < NVMTYPES; t++)
		if (vms[t] >= 0)
			close(vms[t]);
}

void api_c13(void)
{
	int vm = vm0(), bad = 0, first = 0;
	if (vm < 0)
		return;
	for (u64 s = 1; s < PS; s++) {
		int fd = gmem_create(vm, s, api_vf);
		if (fd >= 0)
			close(fd);
		if (fd != -EINVAL && !bad++)
			first = (int)s;
	}
	observed("%d_of_4095_not_EINVAL", bad);
	leaf_ok("C13.sizes_1_to_4095_rejected", !bad, "size %d was not rejected with EINVAL", first);
	int fd = gmem_create(vm, 0, api_vf);
	leaf_errno("C13.size_0_rejected", fd, -fd, EINVAL);
	if (fd >= 0)
		close(fd);
	fd = gmem_create(vm, PS + 1, api_vf);
	leaf_errno("C13.size_4097_rejected", fd, -fd, EINVAL);
	if (fd >= 0)
		close(fd);
	int a = gmem_create(vm, 2 * PS, api_vf), b = gmem_create(vm, 4 * PS, api_vf);
	struct stat sa, sb;
	if (a < 0 || b < 0 || fstat(a, &sa) || fstat(b, &sb)) {
		error_rest("create/fstat failed: %s", errname(a < 0 ? -a : b < 0 ? -b : errno));
		close(vm);
		return;
	}
	observed("%lu,%lu", (unsigned long)sa.st_ino, (unsigned long)sb.st_ino);
	leaf_ok("C13.distinct_inodes", sa.st_ino != sb.st_ino, "same inode");
	observed("%lld,%lld", (long long)sa.st_size, (long long)sb.st_size);
	leaf_ok("C13.st_size_kept", sa.st_size == 2 * PS && sb.st_size == 4 * PS, "st_size differs from size");
	observed("%ld", (long)sa.st_blksize);
	leaf_ok("C13.st_blksize_page_size", sa.st_blksize == PS, "st_blksize != 4096");
	int fl = fcntl(a, F_GETFL), fdf = fcntl(a, F_GETFD);
	observed("accmode=%d,cloexec=%d", fl & O_ACCMODE, !!(fdf & FD_CLOEXEC));
	leaf_ok("C13.fd_rdwr_not_cloexec", (fl & O_ACCMODE) == O_RDWR && !(fdf & FD_CLOEXEC), "fd flags");
	int r = ftruncate(a, 8 * PS);
	leaf_errno("C13.ftruncate_rejected", r, errno, EINVAL);
	char p[64], l[128] = "";
	snprintf(p, sizeof(p), "/proc/self/fd/%d", a);
	ssize_t n = readlink(p, l, sizeof(l) - 1);
	l[n > 0 ? n : 0] = 0;
	struct statfs sf;
	long magic = fstatfs(a, &sf) ? -1 : (long)sf.f_type;
	observed("link=%s,f_type=0x%lx", l, magic);
	if (expect("gmem.identity_magic", 1))
		leaf_ok("C13.identity_by_version", magic == GUEST_MEMFD_MAGIC, "expected GUEST_MEMFD_MAGIC");
	else
		leaf_ok("C13.identity_by_version", !strcmp(l, "anon_inode:[kvm-gmem]"),
			"expected anon_inode:[kvm-gmem]");
	close(a), close(b), close(vm);
}

static void api_c14(void)
{
	int vm = vm0();
	if (vm < 0)
		return;
	u64 fl = C.gmem_flags[0] > 0 ? (C.gmem_flags[0] & GUEST_MEMFD_FLAG_MMAP) : 0;
	int fd = gmem_create(vm, 4 * PS, fl);
	char buf[64] = {0};
	ssize_t r = read(fd, buf, sizeof(buf));
	observed("%s", r < 0 ? errname(errno) : "OK");
	leaf_ok("C14.read_fails", r < 0, "read returned %zd", r);
	r = write(fd, buf, sizeof(buf));
	observed("%s", r < 0 ? errname(errno) : "OK");
	leaf_ok("C14.write_fails", r < 0, "write returned %zd", r);
	r = pread(fd, buf, sizeof(buf), 0);
	observed("%s", r < 0 ? errname(errno) : "OK");
	leaf_ok("C14.pread_fails", r < 0, "pread returned %zd", r);
	r = pwrite(fd, buf, sizeof(buf), 0);
	observed("%s", r < 0 ? errname(errno) : "OK");
	leaf_ok("C14.pwrite_fails", r < 0, "pwrite returned %zd", r);
	if (fl) {
		void *m = mmap(NULL, 4 * PS, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
		observed("%s", m == MAP_FAILED ? errname(errno) : "OK");
		leaf_ok("C14.mmap_private_fails", m == MAP_FAILED, "MAP_PRIVATE mmap succeeded");
	} else {
		leaf("C14.mmap_private_fails", R_SKIP, "needs KVM_CAP_GUEST_MEMFD_FLAGS & MMAP");
	}
	int f0 = gmem_create(vm, 4 * PS, 0);
	void *m = mmap(NULL, 4 * PS, PROT_READ | PROT_WRITE, MAP_SHARED, f0, 0);
	observed("%s", m == MAP_FAILED ? errname(errno) : "OK");
	leaf_ok("C14.mmap_without_mmap_flag_fails", m == MAP_FAILED, "mmap of a flags-0 gmem succeeded");
	close(f0), close(fd), close(vm);
}

static void api_c15(void)
{
	int vm = vm0();
	if (vm < 0)
		return;
	size_t sz = 8 * PS;
	int fd = gmem_create(vm, sz, GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED);
	u8 *m = mmap(NULL, sz, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (fd < 0 || m == MAP_FAILED) {
		error_rest("gmem MMAP|INIT_SHARED create/mmap: %s", errname(fd < 0 ? -fd : errno));
		return;
	}
	int code = 0, sig = try_write8(m, 0xaa, &code);
	if (!sig)
		memset(m, 0xaa, sz);
	int ok = !sig;
	for (size_t i = 0; ok && i < sz; i++)
		ok = m[i] == 0xaa;
	observed("%s", sig ? "SIGBUS" : ok ? "0xaa" : "mismatch");
	leaf_ok("C15.init_shared_mmap_memset", ok, "memset/readback of 0xaa failed");
	if (sig) {
		error_rest("mapping not usable");
		return;
	}
	int e = gmem_falloc(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, PS);
	int z = 1;
	for (size_t i = 0; i < PS; i++)
		z &= m[i] == 0;
	observed("punch=%s,byte0=0x%02x", errname(e), m[0]);
	leaf_ok("C15.punch_page0_reads_zero", !e && z, "page 0 not zero after punch");
	int rest = 1;
	for (size_t i = PS; i < sz; i++)
		rest &= m[i] == 0xaa;
	leaf_ok("C15.rest_keeps_pattern", rest, "other pages changed by the punch");
	memset(m, 0x55, PS);
	observed("0x%02x", m[PS - 1]);
	leaf_ok("C15.rewrite_after_punch", m[0] == 0x55 && m[PS - 1] == 0x55, "rewrite failed");
	munmap(m, sz);
	/* map 4x the size: access beyond i_size must SIGBUS */
	m = mmap(NULL, 4 * sz, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	code = 0;
	sig = m == MAP_FAILED ? -1 : try_read8(m + 2 * sz, NULL, &code);
	observed("%s", sig == 7 ? "SIGBUS" : sig == 0 ? "no_signal" : "mmap_failed");
	leaf_ok("C15.sigbus_beyond_eof", sig == 7, "read beyond EOF did not SIGBUS");
	if (m != MAP_FAILED)
		munmap(m, 4 * sz);
	int f2 = gmem_create(vm, sz, GUEST_MEMFD_FLAG_MMAP);
	m = f2 < 0 ? MAP_FAILED : mmap(NULL, sz, PROT_READ | PROT_WRITE, MAP_SHARED, f2, 0);
	sig = m == MAP_FAILED ? -1 : try_read8(m, NULL, &code);
	observed("%s", sig == 7 ? "SIGBUS" : sig == 0 ? "no_signal" : "mmap_failed");
	leaf_ok("C15.mmap_without_init_shared_sigbus", sig == 7, "MMAP-only gmem access did not SIGBUS");
	close(fd), close(vm);
}

void api_c16(void)
{
	int vm = vm0();
	if (vm < 0)
		return;
	const int K = FALLOC_FL_KEEP_SIZE, P = FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE;
	u64 sz = 16 * PS;
	int fd = gmem_create(vm, sz, api_vf);
	if (fd < 0) {
		error_rest("gmem create: %s", errname(-fd));
		return;
	}
	static const struct { const char *leaf; int mode; u64 off, len; int expect; } t[] = {
		{"C16.alloc_keep_size_ok", FALLOC_FL_KEEP_SIZE, 0, 4 * PS, 0},
		{"C16.alloc_without_keep_size_eopnotsupp", 0, 0, PS, EOPNOTSUPP},
		{"C16.punch_without_keep_size_eopnotsupp", FALLOC_FL_PUNCH_HOLE, 0, PS, EOPNOTSUPP},
		{"C16.zero_range_eopnotsupp", FALLOC_FL_ZERO_RANGE, 0, PS, EOPNOTSUPP},
		{"C16.collapse_range_eopnotsupp", FALLOC_FL_COLLAPSE_RANGE, 0, PS, EOPNOTSUPP},
		{"C16.alloc_unaligned_offset_einval", FALLOC_FL_KEEP_SIZE, 1, PS, EINVAL},
		{"C16.alloc_unaligned_len_einval", FALLOC_FL_KEEP_SIZE, 0, PS + 1, EINVAL},
		{"C16.alloc_beyond_size_einval", FALLOC_FL_KEEP_SIZE, 16 * PS, PS, EINVAL},
		{"C16.alloc_straddling_eof_einval", FALLOC_FL_KEEP_SIZE, 15 * PS, 2 * PS, EINVAL},
		{"C16.punch_ok", FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, 2 * PS, 0},
		{"C16.punch_beyond_size_ok", FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 32 * PS, PS, 0},
		{"C16.realloc_after_punch_ok", FALLOC_FL_KEEP_SIZE, 0, 4 * PS, 0},
	};
	for (size_t i = 0; i < ARRAY_SIZE(t); i++) {
		int e = gmem_falloc(fd, t[i].mode, t[i].off, t[i].len);
		diag("fallocate(mode=0x%x, off=%llu, len=%llu)", t[i].mode, (unsigned long long)t[i].off,
		     (unsigned long long)t[i].len);
		leaf_errno(t[i].leaf, e ? -1 : 0, e, t[i].expect);
	}
	static const u64 pairs[10][2] = {{0, 1}, {0, PS - 1}, {0, PS + 1}, {1, 1}, {1, PS - 1},
					 {1, PS}, {1, PS + 1}, {PS, 1}, {PS, PS - 1}, {PS, PS + 1}};
	for (int i = 0; i < 10; i++) {
		char n[64];
		snprintf(n, sizeof(n), "C16.punch_unaligned_%llu_%llu", (unsigned long long)pairs[i][0],
			 (unsigned long long)pairs[i][1]);
		int e = gmem_falloc(fd, P, pairs[i][0], pairs[i][1]);
		leaf_errno(n, e ? -1 : 0, e, EINVAL);
	}
	(void)K;
	close(fd), close(vm);
}

static void gen_leaves(struct kcase *kc, const char *const *fixed, int nfixed, const char *fmt, int n)
{
	int k = 0;
	for (int i = 0; i < n; i++) {
		char b[64];
		snprintf(b, sizeof(b), fmt, i);
		kc->leaves[k++] = strdup(b);
	}
	for (int i = 0; i < nfixed; i++)
		kc->leaves[k++] = fixed[i];
	kc->leaves[k] = NULL;
}

struct kcase api_cases[] = {
	{"api.caps", N_KVM, 0, api_caps, {"caps.api_version_12", "caps.guest_memfd_cap",
	  "caps.flags_cap_known_bits", "caps.default_vm_mmap_init_shared", "caps.vm_type_default_listed", NULL}},
	{"api.C12", N_GMEM, 0, api_c12, {NULL}},
	{"api.C13", N_GMEM, 0, api_c13, {"C13.sizes_1_to_4095_rejected", "C13.size_0_rejected",
	  "C13.size_4097_rejected", "C13.distinct_inodes", "C13.st_size_kept", "C13.st_blksize_page_size",
	  "C13.fd_rdwr_not_cloexec", "C13.ftruncate_rejected", "C13.identity_by_version", NULL}},
	{"api.C14", N_GMEM, 0, api_c14, {"C14.read_fails", "C14.write_fails", "C14.pread_fails",
	  "C14.pwrite_fails", "C14.mmap_private_fails", "C14.mmap_without_mmap_flag_fails", NULL}},
	{"api.C15", N_GMEM | N_MMAP | N_SHARED, 0, api_c15, {"C15.init_shared_mmap_memset",
	  "C15.punch_page0_reads_zero", "C15.rest_keeps_pattern", "C15.rewrite_after_punch",
	  "C15.sigbus_beyond_eof", "C15.mmap_without_init_shared_sigbus", NULL}},
	{"api.C16", N_GMEM, 0, api_c16, {"C16.alloc_keep_size_ok", "C16.alloc_without_keep_size_eopnotsupp",
	  "C16.punch_without_keep_size_eopnotsupp", "C16.zero_range_eopnotsupp",
	  "C16.collapse_range_eopnotsupp", "C16.alloc_unaligned_offset_einval", "C16.alloc_unaligned_len_einval",
	  "C16.alloc_beyond_size_einval", "C16.alloc_straddling_eof_einval", "C16.punch_ok",
	  "C16.punch_beyond_size_ok", "C16.realloc_after_punch_ok", "C16.punch_unaligned_0_1",
	  "C16.punch_unaligned_0_4095", "C16.punch_unaligned_0_4097", "C16.punch_unaligned_1_1",
	  "C16.punch_unaligned_1_4095", "C16.punch_unaligned_1_4096", "C16.punch_unaligned_1_4097",
	  "C16.punch_unaligned_4096_1", "C16.punch_unaligned_4096_4095", "C16.punch_unaligned_4096_4097", NULL}},
	{"api.memslot", N_GMEM | N_BIND, 0, api_memslot, {"memslot.v1_ioctl_gmem_flag_einval",
	  "memslot.gmem_log_dirty_einval", "memslot.gmem_readonly_einval", "memslot.closed_fd_rejected",
	  "memslot.kvm_dev_fd_einval", "memslot.vm_fd_einval", "memslot.memfd_einval",
	  "memslot.other_vm_gmem_einval", "memslot.offset_unaligned_einval", "memslot.offset_size_beyond_file_einval",
	  "memslot.offset_eq_size_einval", "memslot.gmem_range_overlap_errno_by_version", "memslot.gpa_overlap_eexist",
	  "memslot.disjoint_offset_same_gmem_ok", "memslot.modify_identical_einval", "memslot.move_gpa_einval",
	  "memslot.delete_recreate_ok", NULL}},
	{"api.C9", N_GMEM, 0, api_c9, {"C9.fallocate_after_vm_close", "C9.punch_after_vm_close",
	  "C9.mmap_touch_after_vm_close", NULL}},
	{"api.accounting", N_GMEM | N_MMAP | N_SHARED, 60, api_accounting, {"accounting.cached_rises_on_fallocate",
	  "accounting.unevictable_rises_on_fallocate", "accounting.not_in_rss_unmapped",
	  "accounting.rssfile_rises_when_mapped", "accounting.freed_on_punch", "accounting.freed_on_close", NULL}},
	{"api.C17", N_GMEM | N_MMAP | N_SHARED, 0, api_c17, {"C17.mbind_bind_node1_ok",
	  "C17.get_mempolicy_bind_roundtrip", "C17.fault_lands_on_bound_node", "C17.after_punch_lands_on_bound_node",
	  "C17.fallocate_lands_on_bound_node", "C17.interleave_roundtrip", "C17.interleave_uses_both_nodes",
	  "C17.default_roundtrip", "C17.invalid_policy_einval", NULL}},
};
int api_ncases = ARRAY_SIZE(api_cases);

__attribute__((constructor(150))) static void api_gen(void)	/* before suites_init (200) */
{
	static const char *const c12[] = {"C12.all_cap_flags_together"};
	gen_leaves(&api_cases[1], c12, 1, "C12.flag_bit_%d", 64);
}
