/* Suite "conversions": private<=>shared conversions on VMs with private memory
 * (KVM_X86_SW_PROTECTED_VM): C1-C8, C10, C11 of the spec, plus the proposed
 * in-place conversion ioctl (KVM_SET_MEMORY_ATTRIBUTES2 on the gmem fd), probed.
 * Released kernels keep two backings per GPA: shared faults use userspace_addr,
 * private faults use guest_memfd. Guest code runs at CPL0 (hypercalls need it). */
#include "kval.h"
#include <string.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <linux/falloc.h>

#define AREA (2 * MB + PS)
#define MAP_GPA_ENCRYPTED (1ULL << 4)
#define PRIV KVM_MEMORY_ATTRIBUTE_PRIVATE

struct cv { struct vm v; int g; u8 *sh; };

static int cv_setup(struct cv *c, u64 gpa, u64 size)
{
	if (vm_create(&c->v, KVM_X86_SW_PROTECTED_VM, 0, 0))
		return -1;
	c->sh = map_aligned(size, 2 * MB, 0);
	memset(c->sh, 0x11, size);
	c->g = gmem_create(c->v.fd, size, 0);
	int e = c->g < 0 ? -c->g : set_region2(c->v.fd, 1, KVM_MEM_GUEST_MEMFD, gpa, size, c->sh, c->g, 0);
	struct kvm_enable_cap ec;
	memset(&ec, 0, sizeof(ec));
	ec.cap = KVM_CAP_EXIT_HYPERCALL;
	ec.args[0] = 1ULL << KVM_HC_MAP_GPA_RANGE;
	if (!e && ioctl(c->v.fd, KVM_ENABLE_CAP, &ec) < 0)
		e = errno;
	if (e)
		diag("conversion VM setup: %s", errname(e));
	return e ? -1 : 0;
}

/* run a guest command, servicing KVM_HC_MAP_GPA_RANGE exits with SET_MEMORY_ATTRIBUTES */
static int gcmd(struct cv *c, u64 cmd, u64 a0, u64 a1, u64 a2, u64 a3, struct ures *r)
{
	guest_cmd(&c->v, cmd, a0, a1, a2, a3, r);
	while (r->st == U_EXIT && r->exit_reason == KVM_EXIT_HYPERCALL) {
		struct kvm_run *k = c->v.run;
		int e = k->hypercall.nr != KVM_HC_MAP_GPA_RANGE ? EINVAL :
			set_attributes(c->v.fd, k->hypercall.args[0], k->hypercall.args[1] * PS,
				       k->hypercall.args[2] & MAP_GPA_ENCRYPTED ? PRIV : 0);
		k->hypercall.ret = e ? (u64)-e : 0;
		guest_resume(&c->v, r);
	}
	return r->st == U_OK ? 0 : -1;
}

static u64 gverify(struct cv *c, u64 gpa, u8 b, u64 len)
{
	struct ures r;
	return gcmd(c, G_VERIFY, gpa, b, len, 0, &r) ? ~0ULL : r.rax;
}

static u64 hbad(const u8 *p, u8 b, u64 len)
{
	u64 n = 0;
	for (u64 i = 0; i < len; i++)
		n += p[i] != b;
	return n;
}

static void c_c1(void)
{
	struct cv c;
	struct ures r;
	if (cv_setup(&c, TEST_GPA, AREA)) {
		error_rest("setup failed");
		return;
	}
	gcmd(&c, G_FILL, TEST_GPA, 0xaa, PS, 0, &r);
	observed("%llu_bad", (unsigned long long)hbad(c.sh, 0xaa, PS));
	leaf_ok("C1.guest_write_host_sees", r.st == U_OK && !hbad(c.sh, 0xaa, PS), "%s", ures_str(&r));
	memset(c.sh, 0xcc, PS);
	u64 b = gverify(&c, TEST_GPA, 0xcc, PS);
	observed("%llu_bad", (unsigned long long)b);
	leaf_ok("C1.host_write_guest_sees", !b, "guest does not see the host write");
	vm_destroy(&c.v);
}

static void c_c2(void)
{
	static const u64 rg[5][2] = {{0, PS}, {0, 2 * MB}, {PS, PS}, {PS, 2 * MB}, {2 * MB, PS}};
	int leak = 0, rd = 0, out = 0;
	for (int i = 0; i < 5; i++) {
		struct cv c;
		struct ures r;
		u64 off = rg[i][0], sz = rg[i][1], gpa = TEST_GPA + off;
		if (cv_setup(&c, TEST_GPA, 2 * AREA)) {
			error_rest("setup failed");
			return;
		}
		gcmd(&c, G_FILL, gpa, 0x22, sz, 0, &r);				/* p1, shared */
		gcmd(&c, G_HCALL, KVM_HC_MAP_GPA_RANGE, gpa, sz / PS, MAP_GPA_ENCRYPTED, &r);
		int hc = r.st == U_OK && r.rax == 0;
		gcmd(&c, G_FILL, gpa, 0x33, PS, 0, &r);				/* p2, private */
		u64 l = hbad(c.sh + off, 0x22, sz), g2 = gverify(&c, gpa, 0x33, PS);
		u64 o1 = off ? hbad(c.sh + off - PS, 0x11, PS) + gverify(&c, gpa - PS, 0x11, PS) : 0;
		u64 o2 = hbad(c.sh + off + sz, 0x11, PS) + gverify(&c, gpa + sz, 0x11, PS);
		diag("range (0x%llx,0x%llx): hypercall %s, host still p1: %llu bad, guest p2: %llu bad, outside: %llu bad",
		     (unsigned long long)off, (unsigned long long)sz, hc ? "ok" : "failed", (unsigned long long)l,
		     (unsigned long long)g2, (unsigned long long)(o1 + o2));
		leak += !hc || l;
		rd += !!g2;
		out += !!(o1 + o2);
		vm_destroy(&c.v);
	}
	observed("%d_of_5_ranges_leaked", leak);
	leaf_ok("C2.private_write_not_visible_to_shared", !leak, "private writes reached the shared backing");
	observed("%d_of_5_ranges_bad", rd);
	leaf_ok("C2.guest_reads_private_data", !rd, "guest did not read back its private data");
	observed("%d_of_5_ranges_bad", out);
	leaf_ok("C2.outside_range_unchanged", !out, "bytes outside the converted range changed");
}

static void c_c3c4(void)
{
	struct cv c;
	struct ures r;
	const u64 N = 16;
	if (cv_setup(&c, TEST_GPA, AREA)) {
		error_rest("setup failed");
		return;
	}
	gcmd(&c, G_FILL, TEST_GPA, 0x22, N * PS, 0, &r);
	set_attributes(c.v.fd, TEST_GPA, N * PS, PRIV);
	gcmd(&c, G_FILL, TEST_GPA, 0x33, N * PS, 0, &r);
	u64 kept = 0, seen = 0, even = 0;
	for (u64 i = 1; i < N; i += 2)
		set_attributes(c.v.fd, TEST_GPA + i * PS, PS, 0);
	for (u64 i = 0; i < N; i++) {
		u8 *h = c.sh + i * PS;
		if (i & 1) {
			kept += hbad(h, 0x22, PS);
			memset(h, 0x44, PS);
			seen += gverify(&c, TEST_GPA + i * PS, 0x44, PS);
		} else {
			even += hbad(h, 0x22, PS) + gverify(&c, TEST_GPA + i * PS, 0x33, PS);
		}
	}
	observed("%llu_bad", (unsigned long long)kept);
	leaf_ok("C3.shared_content_kept_across_private", !kept, "shared backing changed during the private period");
	observed("%llu_bad", (unsigned long long)seen);
	leaf_ok("C3.guest_sees_host_write_after_reconvert", !seen, "guest does not see p3");
	observed("%llu_bad", (unsigned long long)even);
	leaf_ok("C3.even_pages_stay_private", !even, "even pages lost private data or leaked");
	set_attributes(c.v.fd, TEST_GPA, N * PS, 0);
	gcmd(&c, G_FILL, TEST_GPA, 0x55, N * PS, 0, &r);
	u64 b = hbad(c.sh, 0x55, N * PS);
	observed("%llu_bad", (unsigned long long)b);
	leaf_ok("C4.all_shared_guest_write_host_sees", !b, "host does not see p3");
	memset(c.sh, 0x66, N * PS);
	b = gverify(&c, TEST_GPA, 0x66, N * PS);
	observed("%llu_bad", (unsigned long long)b);
	leaf_ok("C4.host_write_guest_sees", !b, "guest does not see p4");
	vm_destroy(&c.v);
}

static void c_c5c7(void)
{
	struct cv c;
	struct ures r;
	const u64 N = 16, T = 6;
	if (cv_setup(&c, TEST_GPA, AREA)) {
		error_rest("setup failed");
		return;
	}
	set_attributes(c.v.fd, TEST_GPA, N * PS, PRIV);
	gcmd(&c, G_FILL, TEST_GPA, 0x77, N * PS, 0, &r);
	int e = gmem_falloc(c.g, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, AREA);
	leaf_errno("C5.punch_all_private_ok", e ? -1 : 0, e, 0);
	e = gmem_falloc(c.g, FALLOC_FL_KEEP_SIZE, 0, N * PS);
	leaf_errno("C6.fallocate_private_ok", e ? -1 : 0, e, 0);
	u64 b = gverify(&c, TEST_GPA, 0, N * PS);
	observed("%llu_nonzero", (unsigned long long)b);
	leaf_ok("C6.private_after_punch_reads_zero", !b, "old private data survived the punch");
	gcmd(&c, G_FILL, TEST_GPA, 0x78, N * PS, 0, &r);
	e = gmem_falloc(c.g, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, T * PS, PS);
	b = gverify(&c, TEST_GPA + T * PS, 0, PS);
	u64 o = gverify(&c, TEST_GPA, 0x78, T * PS) + gverify(&c, TEST_GPA + (T + 1) * PS, 0x78, (N - T - 1) * PS);
	observed("target=%llu_nonzero,others=%llu_bad", (unsigned long long)b, (unsigned long long)o);
	leaf_ok("C7.punch_target_guest_reads_zero", !e && !b && !o, "punch of one private page");
	vm_destroy(&c.v);
}

static void c_c8(void)
{
	struct vm v;
	struct ures r;
	if (vm_create(&v, KVM_X86_SW_PROTECTED_VM, 0, 0)) {
		error_rest("setup failed");
		return;
	}
	u64 ss = 2 * MB;
	int g = gmem_create(v.fd, 2 * ss, 0);
	u8 *sh = map_aligned(2 * ss, 2 * MB, 0);
	int e = g < 0 ? -g : set_region2(v.fd, 1, KVM_MEM_GUEST_MEMFD, TEST_GPA, ss, sh, g, 0);
	if (!e)
		e = set_region2(v.fd, 2, KVM_MEM_GUEST_MEMFD, TEST_GPA + GB, ss, sh + ss, g, ss);
	if (!e)
		e = set_attributes(v.fd, TEST_GPA, ss, PRIV) ?: set_attributes(v.fd, TEST_GPA + GB, ss, PRIV);
	guest_cmd(&v, G_FILL, TEST_GPA, 0xa1, PS, 0, &r);
	guest_cmd(&v, G_FILL, TEST_GPA + GB, 0xb2, PS, 0, &r);
	guest_cmd(&v, G_VERIFY, TEST_GPA, 0xa1, PS, 0, &r);
	u64 b = r.st == U_OK ? r.rax : ~0ULL;
	guest_cmd(&v, G_VERIFY, TEST_GPA + GB, 0xb2, PS, 0, &r);
	b += r.st == U_OK ? r.rax : ~0ULL;
	observed("setup=%s,bad=%llu", errname(e), (unsigned long long)b);
	leaf_ok("C8.two_memslots_one_gmem", !e && !b, "two slots sharing one gmem at offsets 0 and slot_size");
	vm_destroy(&v);
}

static void c_c10c11(void)
{
	struct cv c;
	struct ures r;
	const u64 GPA = 0xc0000000ULL;
	if (cv_setup(&c, GPA, 2 * MB)) {
		error_rest("setup failed");
		return;
	}
	set_attributes(c.v.fd, GPA, 2 * MB, PRIV);
	u64 *mb = (u64 *)(c.v.mem0 + MAILBOX);
	mb[0] = G_READLOOP, mb[1] = GPA;
	struct itimerval it = {{0, 0}, {0, 50000}};
	setitimer(ITIMER_REAL, &it, NULL);
	int rc = guest_resume(&c.v, &r);
	diag("read loop stopped: rc=%d %s", rc, ures_str(&r));
	set_region2(c.v.fd, 1, 0, GPA, 0, NULL, -1, 0);	/* delete the slot under the looping vCPU */
	guest_resume(&c.v, &r);
	diag("after delete: %s", ures_str(&r));
	observed("%s", r.st == U_ERR ? errname(r.err) : "no_error");
	leaf_ok("C10.delete_slot_run_efault", r.st == U_ERR && r.err == EFAULT && r.exit_reason == KVM_EXIT_MEMORY_FAULT,
		"expected -1/EFAULT with KVM_EXIT_MEMORY_FAULT");
	observed("flags=0x%llx,gpa=0x%llx,size=0x%llx", (unsigned long long)r.mf_flags, (unsigned long long)r.mf_gpa,
		 (unsigned long long)r.mf_size);
	leaf_ok("C10.memory_fault_private_gpa", r.mf_flags == KVM_MEMORY_EXIT_FLAG_PRIVATE && r.mf_gpa == GPA &&
		r.mf_size == PS, "memory_fault fields");
	vm_destroy(&c.v);
	struct vm v;
	if (vm_create(&v, KVM_X86_SW_PROTECTED_VM, 0, 0)) {
		error_rest("setup failed");
		return;
	}
	u8 *m = map_aligned(2 * MB, 2 * MB, 0);
	int e = set_region1(v.fd, 1, 0, GPA, 2 * MB, m) ?: set_attributes(v.fd, GPA + PS, PS, PRIV);
	guest_cmd(&v, G_READ64, GPA + PS, 0, 0, 0, &r);
	diag("setup %s; private read of a non-gmem slot: %s", errname(e), ures_str(&r));
	observed("%s,flags=0x%llx,gpa=0x%llx", r.st == U_ERR ? errname(r.err) : "no_error",
		 (unsigned long long)r.mf_flags, (unsigned long long)r.mf_gpa);
	leaf_ok("C11.private_attr_no_gmem_efault", r.st == U_ERR && r.err == EFAULT && r.mf_gpa == GPA + PS &&
		r.mf_flags == KVM_MEMORY_EXIT_FLAG_PRIVATE && r.mf_size == PS, "expected EFAULT + MEMORY_FAULT(PRIVATE)");
	vm_destroy(&v);
}

static int attr2(int g, u64 off, u64 size, u64 attrs)
{
	struct kvm_memory_attributes2 a;
	memset(&a, 0, sizeof(a));
	a.offset = off, a.size = size, a.attributes = attrs;
	return ioctl(g, KVM_SET_MEMORY_ATTRIBUTES2, &a) < 0 ? errno : 0;
}

static void c_inplace(void)
{
	if (!C.attr2) {
		skip_rest("needs KVM_SET_MEMORY_ATTRIBUTES2 on guest_memfd (in-place conversion, not merged)");
		return;
	}
	int vm = create_vm(0);
	int g = gmem_create(vm, 4 * PS, GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED);
	u8 *m = g >= 0 ? mmap(NULL, 4 * PS, PROT_READ | PROT_WRITE, MAP_SHARED, g, 0) : MAP_FAILED;
	if (m == MAP_FAILED) {
		error_rest("setup failed");
		return;
	}
	memset(m, 0x11, 4 * PS);
	munmap(m, 4 * PS);
	int e = attr2(g, PS, PS, PRIV);
	m = mmap(NULL, 4 * PS, PROT_READ | PROT_WRITE, MAP_SHARED, g, 0);
	int sc = 0, sig = try_read8(m + PS, NULL, &sc);
	observed("attr2=%s,%s", errname(e), sig == 7 ? "SIGBUS" : "no_signal");
	leaf_ok("inplace.single_page_to_private_sigbus", !e && sig == 7, "private page readable through mmap");
	munmap(m, 4 * PS);
	e = attr2(g, PS, PS, 0);
	m = mmap(NULL, 4 * PS, PROT_READ | PROT_WRITE, MAP_SHARED, g, 0);
	sig = try_read8(m + PS, NULL, &sc);
	observed("attr2=%s,%s", errname(e), sig ? "signal" : "readable");
	leaf_ok("inplace.back_to_shared_readable", !e && !sig, "shared page not readable");
	e = gmem_falloc(g, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, PS);
	observed("0x%02x", m[5]);
	leaf_ok("inplace.punch_shared_reads_zero", !e && m[5] == 0, "shared page not zero after punch");
	close(g), close(vm);
}

#define CN (N_SWPROT | N_ATTR | N_GMEM)
void conv_v11(void);	/* conv_v11.c */
struct kcase conv_cases[] = {
	{"conversions.C1", CN | N_HCALL, 0, c_c1, {"C1.guest_write_host_sees", "C1.host_write_guest_sees", NULL}},
	{"conversions.C2", CN | N_HCALL, 120, c_c2, {"C2.private_write_not_visible_to_shared", "C2.guest_reads_private_data",
	  "C2.outside_range_unchanged", NULL}},
	{"conversions.C3", CN | N_HCALL, 0, c_c3c4, {"C3.shared_content_kept_across_private",
	  "C3.guest_sees_host_write_after_reconvert", "C3.even_pages_stay_private", "C4.all_shared_guest_write_host_sees",
	  "C4.host_write_guest_sees", NULL}},
	{"conversions.C5", CN | N_HCALL, 0, c_c5c7, {"C5.punch_all_private_ok", "C6.fallocate_private_ok",
	  "C6.private_after_punch_reads_zero", "C7.punch_target_guest_reads_zero", NULL}},
	{"conversions.C8", CN, 0, c_c8, {"C8.two_memslots_one_gmem", NULL}},
	{"conversions.C10", CN | N_HCALL, 0, c_c10c11, {"C10.delete_slot_run_efault", "C10.memory_fault_private_gpa",
	  "C11.private_attr_no_gmem_efault", NULL}},
	{"conversions.v11", CN | N_HCALL, 240, conv_v11, {
	  "v11.nofalloc_host_sees_only_shared", "v11.nofalloc_guest_reads_private", "v11.nofalloc_guest_reads_shared",
	  "v11.nofalloc_outside_range_unchanged", "v11.nofalloc_punch_all_frees_private", "v11.nofalloc_conversions_complete",
	  "v11.falloc_host_sees_only_shared", "v11.falloc_guest_reads_private", "v11.falloc_guest_reads_shared",
	  "v11.falloc_outside_range_unchanged", "v11.falloc_shared_conversion_punches_private",
	  "v11.falloc_punch_all_frees_private", "v11.falloc_conversions_complete",
	  "v11.punch_hole_faulted_all_reads_zero", "v11.punch_hole_precise_reads_zero", "v11.vcpus_concurrent_disjoint",
	  "v11.memory_fault_private_no_gmem_exact", "v11.memory_fault_shared_again_reads_host_data", "v11.gmem_outlives_vm",
	  NULL}},
	{"conversions.inplace", N_GMEM | N_MMAP | N_SHARED, 0, c_inplace, {"inplace.single_page_to_private_sigbus",
	  "inplace.back_to_shared_readable", "inplace.punch_shared_reads_zero", NULL}},
};
int conv_ncases = ARRAY_SIZE(conv_cases);
