/* Suite "guest": a running guest reads/writes guest_memfd-backed memory (C18),
 * PUNCH_HOLE invalidation (A7), closing the gmem under a live memslot, and which
 * backing a flags-0 gmem slot uses for shared faults. */
#include "kval.h"
#include <string.h>
#include <stdlib.h>
#include <unistd.h>
#include <linux/falloc.h>
#include <sys/mman.h>

int gslot_add(struct vm *v, struct gslot *g, u32 slot, u64 gpa, u64 size, u64 flags, int decoy)
{
	memset(g, 0, sizeof(*g));
	g->gpa = gpa;
	g->size = size;
	g->gfd = gmem_create(v->fd, size, flags);
	if (g->gfd < 0) {
		diag("KVM_CREATE_GUEST_MEMFD(size=%llu flags=0x%llx): %s", (unsigned long long)size,
		     (unsigned long long)flags, errname(-g->gfd));
		return g->gfd;
	}
	if (flags & GUEST_MEMFD_FLAG_MMAP) {
		g->map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, g->gfd, 0);
		if (g->map == MAP_FAILED) {
			g->map = NULL;
			diag("mmap(gmem): %s", errname(errno));
			return -errno;
		}
	}
	void *ua = g->map;
	if (decoy >= 0 || !g->map) {
		g->decoy = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		memset(g->decoy, decoy >= 0 ? decoy : 0, size);
		ua = g->decoy;
	}
	int e = set_region2(v->fd, slot, KVM_MEM_GUEST_MEMFD, gpa, size, ua, g->gfd, 0);
	if (e) {
		diag("KVM_SET_USER_MEMORY_REGION2(gmem slot %u): %s", slot, errname(e));
		return -e;
	}
	return 0;
}

void gslot_del(struct gslot *g)
{
	if (g->map)
		munmap(g->map, g->size);
	if (g->decoy)
		munmap(g->decoy, g->size);
	if (g->gfd >= 0)
		close(g->gfd);
	memset(g, 0, sizeof(*g));
	g->gfd = -1;
}

int run_ok(struct vm *v, struct ures *r, const char *what)
{
	if (r->st == U_OK)
		return 1;
	diag("%s: %s", what, ures_str(r));
	return 0;
}

static int setup(struct vm *v, struct gslot *g, u64 npages, u64 flags, int decoy)
{
	int e = vm_create(v, 0, C.guest_cpl, 0);
	if (!e)
		e = gslot_add(v, g, 1, TEST_GPA, npages * PS, flags, decoy);
	if (e)
		error_rest("setup failed: %s", errname(-e));
	else
		diag("DEFAULT VM, guest code at CPL%d, gmem flags 0x%llx slot at GPA 0x%llx (%llu pages)", v->cpl,
		     (unsigned long long)flags, (unsigned long long)TEST_GPA, (unsigned long long)npages);
	return e;
}

static void g_basic(void)
{
	struct vm v;
	struct ures r;
	if (vm_create(&v, 0, C.guest_cpl, 0)) {
		error_rest("VM setup failed");
		return;
	}
	guest_cmd(&v, G_WRITE64, 0xa0000, 0x1122334455667788ULL, 0, 0, &r);
	int ok = run_ok(&v, &r, "write");
	observed("%s", ures_str(&r));
	leaf_ok("basic.ucall_roundtrip", ok, "guest did not reach its ucall");
	u64 host = *(u64 *)(v.mem0 + 0xa0000);
	guest_cmd(&v, G_READ64, 0xa0008 - 8, 0, 0, 0, &r);
	observed("0x%llx", (unsigned long long)r.rax);
	leaf_ok("basic.slot0_write_read", ok && run_ok(&v, &r, "read") && r.rax == 0x1122334455667788ULL &&
		host == r.rax, "slot-0 value mismatch (host 0x%llx)", (unsigned long long)host);
	vm_destroy(&v);
}

static void g_c18(void)
{
	struct vm v;
	struct gslot g;
	struct ures r;
	const u64 N = 16;
	if (setup(&v, &g, N, GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED, 0x55))
		return;
	memset(g.map, 0xaa, N * PS);
	char src[N + 1];
	for (u64 i = 0; i < N; i++) {
		guest_cmd(&v, G_READ64, TEST_GPA + i * PS, 0, 0, 0, &r);
		src[i] = r.st != U_OK ? '?' : r.rax == 0xaaaaaaaaaaaaaaaaULL ? 'G' : r.rax == 0x5555555555555555ULL ? 'U' : 'x';
	}
	src[N] = 0;
	diag("per-page source of guest reads (G=guest_memfd, U=userspace_addr): %s", src);
	if (strchr(src, 'U') && src[0] == 'G' && C.tdp_mmu != 1)
		diag("non-TDP-MMU (tdp_mmu=0: shadow paging or legacy TDP MMU): the faulting page comes from "
		     "guest_memfd but its prefetched neighbours (PTE_PREFETCH_NUM=8) are resolved through userspace_addr");
	guest_cmd(&v, G_VERIFY, TEST_GPA, 0xaa, N * PS, 0, &r);
	int ok = run_ok(&v, &r, "verify");
	observed("%llu_bad_bytes", (unsigned long long)(ok ? r.rax : ~0ULL));
	leaf_ok("C18.host_write_visible_to_guest", ok && r.rax == 0, "guest saw %llu bytes != 0xaa (first at %lld)",
		(unsigned long long)r.rax, (long long)r.rbx);
	guest_cmd(&v, G_READ64, TEST_GPA + 3 * PS, 0, 0, 0, &r);
	ok = run_ok(&v, &r, "read");
	observed("0x%llx", (unsigned long long)r.rax);
	diag("slot userspace_addr is separate anon memory holding 0x55; gmem holds 0xaa");
	leaf_ok("C18.guest_reads_gmem_not_userspace_addr", ok && r.rax == 0xaaaaaaaaaaaaaaaaULL,
		r.rax == 0x5555555555555555ULL ? "guest read userspace_addr memory, not guest_memfd"
					       : "unexpected value");
	guest_cmd(&v, G_FILL, TEST_GPA, 0xff, N * PS, 0, &r);
	ok = run_ok(&v, &r, "fill");
	u64 bad = 0;
	for (u64 i = 0; i < N * PS; i++)
		bad += g.map[i] != 0xff;
	observed("%llu_bad_bytes", (unsigned long long)bad);
	leaf_ok("C18.guest_write_visible_to_host", ok && !bad, "host saw %llu bytes != 0xff", (unsigned long long)bad);
	bad = 0;
	for (u64 i = 0; i < N * PS; i++)
		bad += g.decoy[i] != 0x55;
	observed("%llu_changed_bytes", (unsigned long long)bad);
	leaf_ok("C18.userspace_addr_untouched", !bad, "guest writes leaked into userspace_addr memory");
	gslot_del(&g);
	vm_destroy(&v);
}

static void g_a7(void)
{
	struct vm v;
	struct gslot g;
	struct ures r;
	const u64 N = 16, T = 5;
	/* userspace_addr = the gmem mapping: both views are the same memory (C18 checks the split) */
	if (setup(&v, &g, N, GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED, -1))
		return;
	guest_cmd(&v, G_FILL, TEST_GPA, 0x77, N * PS, 0, &r);
	if (!run_ok(&v, &r, "fill") || g.map[T * PS] != 0x77) {
		error_rest("guest fill not visible: %s", ures_str(&r));
		return;
	}
	int e = gmem_falloc(g.gfd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, T * PS, PS);
	diag("host PUNCH_HOLE page %llu: %s", (unsigned long long)T, errname(e));
	guest_cmd(&v, G_VERIFY, TEST_GPA + T * PS, 0, PS, 0, &r);
	int ok = run_ok(&v, &r, "verify");
	observed("%llu_nonzero_bytes", (unsigned long long)r.rax);
	leaf_ok("A7.punch_guest_reads_zero", !e && ok && r.rax == 0, "guest still sees old data after punch");
	guest_cmd(&v, G_VERIFY, TEST_GPA, 0x77, T * PS, 0, &r);
	u64 b1 = r.rax;
	ok = run_ok(&v, &r, "verify");
	guest_cmd(&v, G_VERIFY, TEST_GPA + (T + 1) * PS, 0x77, (N - T - 1) * PS, 0, &r);
	ok &= run_ok(&v, &r, "verify");
	observed("%llu_bad_bytes", (unsigned long long)(b1 + r.rax));
	leaf_ok("A7.other_pages_keep_data", ok && !b1 && !r.rax, "neighbouring pages changed");
	guest_cmd(&v, G_FILL, TEST_GPA + T * PS, 0x33, PS, 0, &r);
	ok = run_ok(&v, &r, "fill");
	observed("0x%02x", g.map[T * PS + 17]);
	leaf_ok("A7.refault_after_punch_writable", ok && g.map[T * PS + 17] == 0x33, "re-faulted page not shared");
	gslot_del(&g);
	vm_destroy(&v);
}

static void g_close(void)
{
	struct vm v;
	struct gslot g;
	struct ures r;
	if (setup(&v, &g, 4, GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED, 0x55))
		return;
	guest_cmd(&v, G_TOUCH, TEST_GPA, 1, 4 * PS, 0, &r);
	run_ok(&v, &r, "touch");
	munmap(g.map, g.size);
	g.map = NULL;
	close(g.gfd);
	g.gfd = -1;
	diag("gmem munmapped and closed; memslot still points at it");
	guest_cmd(&v, G_READ64, TEST_GPA + PS, 0, 0, 0, &r);
	diag("guest read after close: %s", ures_str(&r));
	observed("%s", r.st == U_ERR ? errname(r.err) : r.st == U_OK ? "read_ok" : "other_exit");
	leaf_ok("close.run_fails_efault", r.st == U_ERR && r.err == EFAULT, "KVM_RUN did not fail with EFAULT");
	observed("%u", r.exit_reason);
	leaf_ok("close.exit_memory_fault", r.st == U_ERR && r.exit_reason == KVM_EXIT_MEMORY_FAULT,
		"exit_reason is not KVM_EXIT_MEMORY_FAULT");
	observed("gpa=0x%llx,size=0x%llx", (unsigned long long)r.mf_gpa, (unsigned long long)r.mf_size);
	leaf_ok("close.fault_gpa_exact", r.exit_reason == KVM_EXIT_MEMORY_FAULT && r.mf_gpa == TEST_GPA + PS &&
		r.mf_size == PS, "memory_fault gpa/size");
	gslot_del(&g);
	vm_destroy(&v);
}

static void g_flags0(void)
{
	struct vm v;
	struct gslot g;
	struct ures r;
	if (setup(&v, &g, 4, 0, 0x55))
		return;
	guest_cmd(&v, G_READ64, TEST_GPA, 0, 0, 0, &r);
	int ok = run_ok(&v, &r, "read");
	observed("0x%llx", (unsigned long long)r.rax);
	diag("flags-0 gmem on a DEFAULT VM is not gmem-only: shared faults use userspace_addr (0x55)");
	leaf_ok("flags0.shared_access_uses_userspace_addr", ok && r.rax == 0x5555555555555555ULL,
		"unexpected backing");
	gslot_del(&g);
	vm_destroy(&v);
}

struct kcase guest_cases[] = {
	{"guest.basic", N_KVM, 0, g_basic, {"basic.ucall_roundtrip", "basic.slot0_write_read", NULL}},
	{"guest.C18", N_BIND | N_MMAP | N_SHARED, 0, g_c18, {"C18.host_write_visible_to_guest",
	  "C18.guest_reads_gmem_not_userspace_addr", "C18.guest_write_visible_to_host", "C18.userspace_addr_untouched",
	  NULL}},
	{"guest.A7", N_BIND | N_MMAP | N_SHARED, 0, g_a7, {"A7.punch_guest_reads_zero", "A7.other_pages_keep_data",
	  "A7.refault_after_punch_writable", NULL}},
	{"guest.close", N_BIND | N_MMAP | N_SHARED, 0, g_close, {"close.run_fails_efault", "close.exit_memory_fault",
	  "close.fault_gpa_exact", NULL}},
	{"guest.flags0", N_BIND, 0, g_flags0, {"flags0.shared_access_uses_userspace_addr", NULL}},
};
int guest_ncases = ARRAY_SIZE(guest_cases);
