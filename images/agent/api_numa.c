/* api.C17: guest_memfd NUMA mempolicy (6.19+). The policy set with mbind() on a gmem mapping is stored
 * per inode (a shared policy) and steers future allocations only; it must round-trip through
 * get_mempolicy() and place pages on the bound node, also after a punch and for fallocate'd (never
 * mapped) ranges. Needs two NUMA nodes: kval's QEMU hosts have node 0 (vCPUs + memory) and a
 * memory-only node 1, so a page on node 1 can only be there because of the policy. */
#include "kval.h"
#include <string.h>
#include <unistd.h>
#include <linux/falloc.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/vfs.h>

enum { MPOL_DEFAULT_ = 0, MPOL_PREFERRED_ = 1, MPOL_BIND_ = 2, MPOL_INTERLEAVE_ = 3 };
#define MPOL_F_ADDR_ (1 << 1)
#define NPAGES 8

static long sys_mbind(void *a, size_t len, int mode, unsigned long *mask, unsigned long maxnode)
{
	return syscall(SYS_mbind, a, len, mode, mask, maxnode, 0);
}

static long sys_get_mempolicy(int *mode, unsigned long *mask, unsigned long maxnode, void *addr)
{
	return syscall(SYS_get_mempolicy, mode, mask, maxnode, addr, MPOL_F_ADDR_);
}

/* node of the page at p (already faulted in), or -errno */
static int page_node(void *p)
{
	void *pages[1] = {p};
	int status[1] = {-1};
	long r = syscall(SYS_move_pages, 0, 1, pages, NULL, status, 0);
	return r < 0 ? -errno : status[0];
}

/* "node,node,..." for NPAGES pages, and a bitmask of the nodes seen */
static unsigned nodes_of(u8 *m, char *buf, size_t n)
{
	unsigned seen = 0;
	size_t o = 0;
	buf[0] = 0;
	for (int i = 0; i < NPAGES; i++) {
		int node = page_node(m + i * PS);
		if (node >= 0 && node < 32)
			seen |= 1u << node;
		o += snprintf(buf + o, n > o ? n - o : 0, "%s%d", i ? "," : "", node);
	}
	return seen;
}

static void touch(u8 *m, u8 v)
{
	for (int i = 0; i < NPAGES; i++)
		m[i * PS] = v;
}

void api_c17(void)
{
	if (C.numa_nodes < 2) {
		skip_rest("needs >= 2 NUMA nodes (this host has %d)", C.numa_nodes);
		return;
	}
	int vm = create_vm(0);
	if (vm < 0) {
		error_rest("KVM_CREATE_VM(0): %s", errname(-vm));
		return;
	}
	size_t sz = NPAGES * PS;
	int fd = gmem_create(vm, sz, GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED);
	if (fd < 0) {
		error_rest("gmem MMAP|INIT_SHARED create: %s", errname(-fd));
		close(vm);
		return;
	}
	struct statfs sf;
	if (fstatfs(fd, &sf) || (long)sf.f_type != GUEST_MEMFD_MAGIC) {
		/* the mempolicy series came with guest_memfd's own pseudo-fs (6.19); before it mbind only
		 * sets a VMA policy that gmem's allocator never reads */
		skip_rest("needs guest_memfd NUMA mempolicy (6.19+, guest_memfd pseudo-fs with GUEST_MEMFD_MAGIC)");
		close(fd), close(vm);
		return;
	}
	u8 *m = mmap(NULL, sz, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED) {
		error_rest("mmap of the gmem: %s", errname(errno));
		close(fd), close(vm);
		return;
	}
	char obs[128];
	unsigned long mask = 1UL << 1, got = 0;
	int mode = -1;

	long r = sys_mbind(m, sz, MPOL_BIND_, &mask, 64);
	int e = r ? errno : 0;
	observed("%s", errname(e));
	leaf_ok("C17.mbind_bind_node1_ok", !r, "mbind(BIND, node 1) on the gmem mapping: %s", errname(e));
	r = sys_get_mempolicy(&mode, &got, 64, m);
	observed("rc=%ld,mode=%d,mask=0x%lx", r, mode, got);
	leaf_ok("C17.get_mempolicy_bind_roundtrip", !r && mode == MPOL_BIND_ && got == mask,
		"expected mode BIND(2) mask 0x2");
	touch(m, 0x11);
	unsigned seen = nodes_of(m, obs, sizeof(obs));
	observed("%s", obs);
	leaf_ok("C17.fault_lands_on_bound_node", seen == 1u << 1, "faulted pages not all on node 1");
	e = gmem_falloc(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, sz);
	touch(m, 0x22);
	seen = nodes_of(m, obs, sizeof(obs));
	observed("punch=%s,%s", errname(e), obs);
	leaf_ok("C17.after_punch_lands_on_bound_node", !e && seen == 1u << 1, "pages re-faulted after a punch not all on node 1");
	/* a range allocated by fallocate (never faulted) must follow the shared policy too */
	e = gmem_falloc(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, sz);
	int e2 = e ? e : gmem_falloc(fd, FALLOC_FL_KEEP_SIZE, 0, sz);
	/* a read maps the folio fallocate already allocated (move_pages only sees mapped pages) */
	u8 sum = 0;
	for (int i = 0; i < NPAGES; i++)
		sum |= ((volatile u8 *)m)[i * PS];
	seen = nodes_of(m, obs, sizeof(obs));
	observed("fallocate=%s,%s,bytes=0x%02x", errname(e2), obs, sum);
	leaf_ok("C17.fallocate_lands_on_bound_node", !e2 && !sum && seen == 1u << 1,
		"fallocate'd pages not all on node 1 (or not zero)");

	mask = 3;
	r = sys_mbind(m, sz, MPOL_INTERLEAVE_, &mask, 64);
	e = r ? errno : 0;
	got = 0, mode = -1;
	long r2 = sys_get_mempolicy(&mode, &got, 64, m);
	observed("mbind=%s,mode=%d,mask=0x%lx", errname(e), mode, got);
	leaf_ok("C17.interleave_roundtrip", !r && !r2 && mode == MPOL_INTERLEAVE_ && got == 3,
		"expected mode INTERLEAVE(3) mask 0x3");
	gmem_falloc(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, sz);
	touch(m, 0x33);
	seen = nodes_of(m, obs, sizeof(obs));
	observed("%s", obs);
	leaf_ok("C17.interleave_uses_both_nodes", seen == 3, "interleaved pages did not use both nodes");

	r = sys_mbind(m, sz, MPOL_DEFAULT_, NULL, 0);
	e = r ? errno : 0;
	got = 0, mode = -1;
	r2 = sys_get_mempolicy(&mode, &got, 64, m);
	observed("mbind=%s,mode=%d", errname(e), mode);
	leaf_ok("C17.default_roundtrip", !r && !r2 && mode == MPOL_DEFAULT_, "expected mode DEFAULT(0)");

	mask = 1;
	r = sys_mbind(m, sz, 99, &mask, 64);
	leaf_errno("C17.invalid_policy_einval", r, errno, EINVAL);
	munmap(m, sz);
	close(fd), close(vm);
}
