/* Suite "perf": ns/op of guest_memfd operations, reported as "# perf.<name>_ns=<n>"
 * diagnostics on a leaf that asserts every iteration succeeded AND had its effect (the created file has its
 * size, fallocate/punch move Unevictable by the allocated amount, the guest's read returns the mailbox value),
 * so a fast no-op cannot pass. */
#include "kval.h"
#include <string.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <linux/falloc.h>

static void report(const char *leafname, const char *metric, long total_ns, long ops, int fails)
{
	long per = ops ? total_ns / ops : 0;
	diag("perf.%s=%ld", metric, per);
	diag("%ld ops, %d failed", ops, fails);
	observed("%ld_ns_per_op", per); /* MEASURED: the unit types it (dev.kval.result.Observed) */
	leaf_ok(leafname, !fails && ops > 0 && per > 0, "%d of %ld iterations failed or had no effect (%ld ns/op)", fails,
		ops, per);
}

static void p_gmem(void)
{
	int vm = create_vm(0);
	if (vm < 0) {
		error_rest("KVM_CREATE_VM failed");
		return;
	}
	int fails = 0;
	const int N = 200;
	long t = now_ns();
	for (int i = 0; i < N; i++) {
		int fd = gmem_create(vm, 2 * MB, 0);
		struct stat st;
		if (fd < 0 || fstat(fd, &st) || st.st_size != (off_t)(2 * MB))
			fails++;
		if (fd >= 0)
			close(fd);
	}
	report("gmem.create", "gmem_create_ns", now_ns() - t, N, fails);
	const int K = 32;
	int g = gmem_create(vm, K * 2 * MB, (C.gmem_flags[0] & 3) == 3 ? 3 : 0);
	fails = g < 0;
	long u0 = meminfo_kb("Unevictable");	/* gmem folios are unevictable (api.accounting) */
	t = now_ns();
	for (int i = 0; g >= 0 && i < K; i++)
		fails += !!gmem_falloc(g, FALLOC_FL_KEEP_SIZE, i * 2 * MB, 2 * MB);
	long dt = now_ns() - t, u1 = meminfo_kb("Unevictable");
	diag("Unevictable %+ld kB for %d MiB allocated", u1 - u0, K * 2);
	fails += u1 - u0 < (long)(K * 2 * 1024) * 9 / 10;
	report("gmem.fallocate_2m", "fallocate_2m_ns", dt, K, fails);
	fails = g < 0;
	t = now_ns();
	for (int i = 0; g >= 0 && i < K; i++)
		fails += !!gmem_falloc(g, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, i * 2 * MB, 2 * MB);
	dt = now_ns() - t;
	long u2 = meminfo_kb("Unevictable");
	diag("Unevictable %+ld kB after punching it all", u2 - u1);
	fails += u1 - u2 < (long)(K * 2 * 1024) * 9 / 10;
	report("gmem.punch_2m", "punch_2m_ns", dt, K, fails);
	if ((C.gmem_flags[0] & 3) != 3) {
		leaf("gmem.mmap_first_touch", R_SKIP, "needs KVM_CAP_GUEST_MEMFD_FLAGS & INIT_SHARED");
	} else {
		size_t len = 16 * MB;
		u8 *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, g, 0);
		fails = m == MAP_FAILED;
		t = now_ns();
		for (size_t o = 0; !fails && o < len; o += PS)
			m[o] = 1;
		long dt2 = now_ns() - t;
		for (size_t o = 0; !fails && o < len; o += PS)
			fails += m[o] != 1;
		report("gmem.mmap_first_touch", "mmap_first_touch_4k_ns", dt2, len / PS, fails);
	}
	close(g);
	close(vm);
}

static void p_guest(void)
{
	struct vm v;
	struct gslot g;
	struct ures r;
	const int N = 10;
	int fails = 0;
	long t = now_ns();
	for (int i = 0; i < N; i++) {
		if (vm_create(&v, 0, C.guest_cpl, 0))
			fails++;
		vm_destroy(&v);
	}
	report("guest.vm_create", "vm_vcpu_setup_ns", now_ns() - t, N, fails);
	if (vm_create(&v, 0, C.guest_cpl, 0) ||
	    gslot_add(&v, &g, 1, TEST_GPA, 16 * MB, GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED, -1)) {
		error_rest("setup failed");
		return;
	}
	const int R = 1000;
	fails = 0;
	t = now_ns();
	for (int i = 0; i < R; i++) {
		guest_cmd(&v, G_READ64, MAILBOX, 0, 0, 0, &r);
		fails += r.st != U_OK || r.rax != G_READ64;	/* the guest read the mailbox's command word */
	}
	long rt = (now_ns() - t) / R;
	report("guest.ucall_roundtrip", "ucall_roundtrip_ns", rt * R, R, fails);
	t = now_ns();
	guest_cmd(&v, G_TOUCH, TEST_GPA, 1, 16 * MB, 0, &r);
	long dft = now_ns() - t - rt;
	fails = r.st != U_OK || r.rax != 16 * MB / PS;
	report("guest.fault_in_4k", "guest_fault_in_4k_ns", dft, 16 * MB / PS, fails);
	gslot_del(&g);
	vm_destroy(&v);
}

static void p_conv(void)
{
	struct vm v;
	if (vm_create(&v, KVM_X86_SW_PROTECTED_VM, C.guest_cpl, 0)) {
		error_rest("VM setup failed");
		return;
	}
	int g = gmem_create(v.fd, 2 * MB, 0);
	u8 *m = map_aligned(2 * MB, 2 * MB, 0);
	int e = g < 0 ? -g : set_region2(v.fd, 1, KVM_MEM_GUEST_MEMFD, TEST_GPA, 2 * MB, m, g, 0);
	if (e) {
		error_rest("slot setup: %s", errname(e));
		return;
	}
	const int N = 1000;
	int fails = 0;
	long t = now_ns();
	for (int i = 0; i < N; i++)
		fails += !!set_attributes(v.fd, TEST_GPA + (i % 512) * PS, PS,
					  (i / 512) % 2 ? 0 : KVM_MEMORY_ATTRIBUTE_PRIVATE);
	report("conversion.set_attributes_4k", "conversion_4k_ns", now_ns() - t, N, fails);
	vm_destroy(&v);
}

struct kcase perf_cases[] = {
	{"perf.gmem", N_GMEM, 60, p_gmem, {"gmem.create", "gmem.fallocate_2m", "gmem.punch_2m", "gmem.mmap_first_touch",
	  NULL}},
	{"perf.guest", N_BIND | N_MMAP | N_SHARED, 60, p_guest, {"guest.vm_create", "guest.ucall_roundtrip",
	  "guest.fault_in_4k", NULL}},
	{"perf.conversion", N_SWPROT | N_ATTR, 60, p_conv, {"conversion.set_attributes_4k", NULL}},
};
int perf_ncases = ARRAY_SIZE(perf_cases);
