/* conversions.v11: the conversion sequence of the guest_memfd v11 series' selftest (facts from upstream's
 * x86/private_mem_conversions_test.c, our own code), on a KVM_X86_SW_PROTECTED_VM:
 *  - NV vCPUs, one host thread each, convert disjoint 2 MiB + 4 KiB ranges at the same time; the guest asks
 *    for every conversion with KVM_HC_MAP_GPA_RANGE and the host services it (attributes, fallocate);
 *  - the whole sequence runs twice: conversions without fallocate, then with it (private: allocate,
 *    shared: PUNCH_HOLE);
 *  - after every range, all of the vCPU's memory is punched, and the guest proves nothing private survived
 *    (it reads zero through a fresh private view);
 *  - upstream's PUNCH_HOLE test (whole range faulted in, and only the target range);
 *  - a private access to a slot without guest_memfd must exit with KVM_EXIT_MEMORY_FAULT carrying exactly
 *    the page's GPA, PAGE_SIZE and KVM_MEMORY_EXIT_FLAG_PRIVATE, on every vCPU at once.
 * KVAL_CONV_FAULT=<name> injects a fault into the host side (see fault()) so each leaf can be shown failing. */
#include "kval.h"
#include <pthread.h>
#include <string.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/mman.h>
#include <linux/falloc.h>

#define NV 4
#define PER (2 * MB + PS)	/* upstream's PER_CPU_DATA_SIZE */
#define STRIDE (4 * MB)		/* PER rounded up to 2 MiB: every vCPU's range starts 2 MiB aligned */
#define BASE (4 * GB)
#define TOTAL (NV * STRIDE)
#define PROBE_GPA (6 * GB)	/* a slot without guest_memfd: 2 pages per vCPU */
#define CG_CODE 0x40000ULL	/* conv_guest.S, in slot 0 (guest.S's blob is at 0x10000) */
#define CG_MBOX 0xa0000ULL	/* + 0x100 per vCPU */
#define CG_STACK 0x100000ULL	/* vCPU i's stack top: + (i + 1) * 0x8000 */
/* our meaning of MAP_GPA_RANGE's attrs argument (KVM passes it through to userspace unchecked) */
#define F_ATTR 1ULL
#define F_SHARED 2ULL
#define F_FALLOC 4ULL
#define PRIV KVM_MEMORY_ATTRIBUTE_PRIVATE
enum { CMD_FILL = 1, CMD_VERIFY, CMD_HCALL, CMD_READ };
enum { DEF_P = 0xaa, INIT_P = 0xcc, P1 = 0x11, P2 = 0x22, P3 = 0x33, P4 = 0x44 };
enum { ST_P0 = 1, ST_P1 = 2, ST_PH = 4, ST_MF = 8 };
extern const unsigned char conv_guest_start[], conv_guest_end[];

static const u64 ranges[5][2] = {{0, PS}, {0, 2 * MB}, {PS, PS}, {PS, 2 * MB}, {2 * MB, PS}};

struct pres {			/* one pass of the conversion sequence, one vCPU */
	u64 host_bad, priv_bad, shared_bad, outside_bad, freed_bad, punched_bad;
	int hc_bad;
};
struct vt {
	int i, fd;
	struct kvm_run *run;
	size_t run_size;
	u64 *mb, base;
	struct pres p[2];
	u64 ph_bad[2];
	int mf_ok, mf_back_ok, stages;
	char mf[200], why[200], first[200];
	long t0, t1;
};
static struct { struct vm v; int g; u8 *sh, *probe; const char *fault; } X;

static int fault(const char *name)
{
	return X.fault && !strcmp(X.fault, name);
}

static void note(struct vt *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(struct vt *t, const char *fmt, ...)
{
	if (t->first[0])
		return;		/* the first anomaly is the one worth reading */
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(t->first, sizeof(t->first), fmt, ap);
	va_end(ap);
}

/* KVM_HC_MAP_GPA_RANGE exit: fallocate the guest_memfd backing and/or set attributes, as the guest asked */
static int service(struct vt *t)
{
	struct kvm_run *k = t->run;
	u64 gpa = k->hypercall.args[0], size = k->hypercall.args[1] * PS, fl = k->hypercall.args[2];
	int shared = !!(fl & F_SHARED), e = 0;
	if (k->hypercall.nr != KVM_HC_MAP_GPA_RANGE || gpa < BASE || gpa + size > BASE + TOTAL)
		e = EINVAL;
	if (!e && (fl & F_FALLOC) && !fault("falloc_skipped"))
		e = gmem_falloc(X.g, shared ? FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE : FALLOC_FL_KEEP_SIZE,
				gpa - BASE, size);
	if (!e && (fl & F_ATTR) && !shared && fault("convert_too_much"))
		size += PS;
	if (!e && (fl & F_ATTR) && !(shared ? fault("shared_attr_skipped") : fault("private_attr_skipped")))
		e = set_attributes(X.v.fd, gpa, size, shared ? 0 : PRIV);
	if (fault("hcall_refused"))
		e = EINVAL;
	k->hypercall.ret = e ? (u64)-e : 0;
	return e;
}

/* one guest command on this vCPU; 0 = it reported back (rax, rbx), else -errno of KVM_RUN (the exit in t->run) */
static int vrun(struct vt *t, u64 cmd, u64 a0, u64 a1, u64 a2, u64 *rax, u64 *rbx)
{
	t->mb[0] = cmd, t->mb[1] = a0, t->mb[2] = a1, t->mb[3] = a2;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	for (;;) {
		if (ioctl(t->fd, KVM_RUN, 0) < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		struct kvm_run *k = t->run;
		if (k->exit_reason == KVM_EXIT_HYPERCALL) {
			service(t);
			continue;
		}
		if (k->exit_reason == KVM_EXIT_IO && k->io.port == 0xe0) {
			if (rax)
				*rax = t->mb[8];
			if (rbx)
				*rbx = t->mb[9];
			return 0;
		}
		if (k->exit_reason == KVM_EXIT_IO && k->io.port == 0xe2)
			snprintf(t->why, sizeof(t->why), "vCPU %d: guest exception vector %llu", t->i,
				 (unsigned long long)((u64 *)(X.v.mem0 + MAILBOX))[10]);
		else
			snprintf(t->why, sizeof(t->why), "vCPU %d: unexpected exit_reason %u", t->i, k->exit_reason);
		return -EPROTO;
	}
}

/* a step that must complete: 0 ok, -1 = the thread stops (t->why says where) */
static int step(struct vt *t, const char *what, u64 cmd, u64 a0, u64 a1, u64 a2, u64 *rax)
{
	u64 rbx = 0, r = 0;
	int rc = vrun(t, cmd, a0, a1, a2, &r, &rbx);
	if (rc) {
		if (rc != -EPROTO)
			snprintf(t->why, sizeof(t->why), "vCPU %d %s gpa 0x%llx: KVM_RUN %s exit_reason %u mf{flags 0x%llx gpa 0x%llx size 0x%llx}",
				 t->i, what, (unsigned long long)a0, errname(-rc), t->run->exit_reason,
				 (unsigned long long)t->run->memory_fault.flags, (unsigned long long)t->run->memory_fault.gpa,
				 (unsigned long long)t->run->memory_fault.size);
		return -1;
	}
	if (rax)
		*rax = r;
	if (cmd == CMD_VERIFY && r)
		note(t, "vCPU %d %s: %llu words != 0x%02llx in [0x%llx, +0x%llx), first at +0x%llx", t->i, what,
		     (unsigned long long)r, (unsigned long long)a1, (unsigned long long)a0, (unsigned long long)a2,
		     (unsigned long long)rbx);
	return 0;
}

static int hcall(struct vt *t, struct pres *p, u64 gpa, u64 size, u64 fl)
{
	u64 r = 0;
	if (step(t, "MAP_GPA_RANGE", CMD_HCALL, gpa, size / PS, fl, &r))
		return -1;
	if (r) {
		p->hc_bad++;
		note(t, "vCPU %d MAP_GPA_RANGE(0x%llx, %llu pages, flags %llu) returned %lld", t->i,
		     (unsigned long long)gpa, (unsigned long long)(size / PS), (unsigned long long)fl, (long long)r);
	}
	return 0;
}

/* host side of a sync: the shared backing must hold `want`; then (shared sync) it writes `set` */
static void hsync(struct vt *t, struct pres *p, u64 gpa, u64 size, u8 want, int set)
{
	u8 *h = X.sh + (gpa - BASE);
	u64 n = 0;
	for (u64 i = 0; i < size; i++)
		n += h[i] != want;
	if (n)
		note(t, "vCPU %d host: %llu bytes != 0x%02x at gpa 0x%llx (+0x%llx)", t->i, (unsigned long long)n, want,
		     (unsigned long long)gpa, (unsigned long long)size);
	p->host_bad += n;
	if (set >= 0)
		memset(h, set, size);
	else if (fault("clobber_private"))	/* what a kernel losing private data would look like */
		gmem_falloc(X.g, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, gpa - BASE, size);
}

#define V(what, gpa, b, len, acc) do { u64 r_; if (step(t, what, CMD_VERIFY, gpa, b, len, &r_)) return -1; acc += r_; } while (0)
#define S(what, cmd, a0, a1, a2) do { if (step(t, what, cmd, a0, a1, a2, NULL)) return -1; } while (0)
#define H(gpa, size, fl) do { if (hcall(t, p, gpa, size, fl)) return -1; } while (0)

static int conv_pass(struct vt *t, int falloc)
{
	struct pres *p = &t->p[falloc];
	u64 base = t->base, ff = falloc ? F_FALLOC : 0;
	S("fill def", CMD_FILL, base, DEF_P, PER);
	V("shared read of own write", base, DEF_P, PER, p->shared_bad);
	hsync(t, p, base, PER, DEF_P, INIT_P);
	V("shared read of host write", base, INIT_P, PER, p->shared_bad);
	for (int r = 0; r < 5; r++) {
		u64 gpa = base + ranges[r][0], size = ranges[r][1];
		S("fill p1", CMD_FILL, gpa, P1, size);
		H(gpa, size, F_ATTR | ff);				/* to private */
		if (size > PS) {
			S("fill p2 (first page)", CMD_FILL, gpa, P2, PS);
			goto skip;
		}
		S("fill p2", CMD_FILL, gpa, P2, size);
		hsync(t, p, gpa, size, P1, -1);				/* the host still sees p1 */
		V("private read", gpa, P2, size, p->priv_bad);
		if (gpa > base)
			V("below the range", base, INIT_P, gpa - base, p->outside_bad);
		if (gpa + size < base + PER)
			V("above the range", gpa + size, INIT_P, base + PER - (gpa + size), p->outside_bad);
		for (u64 j = 0; j < size; j += PS) {			/* odd pages back to shared: holes in private */
			if ((j / PS) & 1) {
				H(gpa + j, PS, F_ATTR | F_SHARED | ff);
				hsync(t, p, gpa + j, PS, P1, P3);
				V("odd page shared", gpa + j, P3, PS, p->shared_bad);
			} else {
				hsync(t, p, gpa + j, PS, P1, -1);
			}
		}
skip:
		H(gpa, size, F_ATTR | F_SHARED | ff);			/* all of it shared again */
		if (falloc) {	/* the shared conversion punched: a private view of the range must read zero */
			H(gpa, size, F_ATTR);
			V("private after punching conversion", gpa, 0, size, p->punched_bad);
			H(gpa, size, F_ATTR | F_SHARED);
		}
		S("fill p3", CMD_FILL, gpa, P3, size);
		hsync(t, p, gpa, size, P3, P4);
		V("shared read of p4", gpa, P4, size, p->shared_bad);
		S("fill init", CMD_FILL, gpa, INIT_P, size);
		/* free all private memory before the next range, then prove it: a private view reads zero */
		H(base, PER, F_ATTR | F_SHARED | (fault("no_punch_all") ? 0 : F_FALLOC));
		H(base, PER, F_ATTR);
		V("private view after punching all", base, 0, PER, p->freed_bad);
		H(base, PER, F_ATTR | F_SHARED | F_FALLOC);
	}
	return 0;
}

/* upstream's PUNCH_HOLE test: punching private memory zaps it, the next fault gets a zeroed page */
static int punch_test(struct vt *t, int precise)
{
	struct pres dummy = {0}, *p = &dummy;
	u64 base = t->base, punch = fault("punch_hole_skipped") ? F_SHARED : F_SHARED | F_FALLOC;
	H(base, PER, F_ATTR);
	for (int r = 0; r < 5; r++) {
		u64 gpa = base + ranges[r][0], size = ranges[r][1];
		H(base, PER, F_SHARED | F_FALLOC);			/* free everything, attributes stay private */
		if (precise) {
			S("fill init", CMD_FILL, gpa, INIT_P, size);
			V("private init", gpa, INIT_P, size, t->ph_bad[precise]);
		} else {
			S("fill init", CMD_FILL, base, INIT_P, PER);
			V("private init", base, INIT_P, PER, t->ph_bad[precise]);
		}
		H(gpa, size, punch);
		V("punched reads zero", gpa, 0, size, t->ph_bad[precise]);
	}
	H(base, PER, F_ATTR | F_SHARED | F_FALLOC);
	t->p[0].hc_bad += dummy.hc_bad;
	return 0;
}

/* KVM_EXIT_MEMORY_FAULT: a private access to a page of a slot without guest_memfd */
static int mf_probe(struct vt *t)
{
	u64 page = PROBE_GPA + 2 * t->i * PS, off = 0x123 + 8 * t->i, r = 0;
	X.probe[2 * t->i * PS + off] = 0x5a + t->i;
	int e = set_attributes(X.v.fd, fault("mf_wrong_page") ? page + PS : page, PS, PRIV);
	int rc = vrun(t, CMD_READ, page + off, 0, 0, &r, NULL);
	if (!rc && fault("mf_wrong_page"))	/* the read completed: undo the stray attribute for the next step */
		set_attributes(X.v.fd, page + PS, PS, 0);
	struct kvm_run *k = t->run;
	snprintf(t->mf, sizeof(t->mf), "vCPU %d read of gpa 0x%llx (attr %s): %s exit %u flags 0x%llx gpa 0x%llx size 0x%llx",
		 t->i, (unsigned long long)(page + off), errname(e), rc ? errname(-rc) : "no error", k->exit_reason,
		 (unsigned long long)k->memory_fault.flags, (unsigned long long)k->memory_fault.gpa,
		 (unsigned long long)k->memory_fault.size);
	t->mf_ok = !e && rc == -EFAULT && k->exit_reason == KVM_EXIT_MEMORY_FAULT &&
		   k->memory_fault.flags == KVM_MEMORY_EXIT_FLAG_PRIVATE && k->memory_fault.gpa == page &&
		   k->memory_fault.size == PS;
	/* shared again: the same access completes and reads what the host put in the slot's memory */
	e = fault("mf_no_revert") ? 0 : set_attributes(X.v.fd, page, PS, 0) ?: set_attributes(X.v.fd, page + PS, PS, 0);
	rc = vrun(t, CMD_READ, page + off, 0, 0, &r, NULL);
	t->mf_back_ok = !e && !rc && r == 0x5au + (u64)t->i;
	if (!t->mf_back_ok)
		note(t, "vCPU %d read after reverting to shared: attr %s, run %s, value 0x%llx", t->i, errname(e),
		     rc ? errname(-rc) : "OK", (unsigned long long)r);
	return 0;
}

static void *vthread(void *arg)
{
	struct vt *t = arg;
	t->t0 = now_ns();
	if (!conv_pass(t, 0) && (t->stages |= ST_P0) && !conv_pass(t, 1) && (t->stages |= ST_P1) &&
	    !punch_test(t, 0) && !punch_test(t, 1) && (t->stages |= ST_PH) && !mf_probe(t))
		t->stages |= ST_MF;
	t->t1 = now_ns();
	return NULL;
}

static int vcpu_add(struct vt *t, int i, const struct kvm_sregs *s0)
{
	t->i = i;
	if (i == 0) {
		t->fd = X.v.vcpu, t->run = X.v.run, t->run_size = 0;
	} else {
		t->fd = ioctl(X.v.fd, KVM_CREATE_VCPU, i);
		if (t->fd < 0)
			return -errno;
		t->run_size = ioctl(kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
		t->run = mmap(NULL, t->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, t->fd, 0);
		if (t->run == MAP_FAILED)
			return -errno;
		struct kvm_cpuid2 *c = calloc(1, sizeof(*c) + 256 * sizeof(struct kvm_cpuid_entry2));
		c->nent = 256;
		int e = ioctl(kvm_fd, KVM_GET_SUPPORTED_CPUID, c) < 0 || ioctl(t->fd, KVM_SET_CPUID2, c) < 0 ? -errno : 0;
		free(c);
		if (e)
			return e;
		struct kvm_sregs s;
		if (ioctl(t->fd, KVM_GET_SREGS, &s) < 0)
			return -errno;
		s.cs = s0->cs, s.ds = s0->ds, s.es = s0->es, s.fs = s0->fs, s.gs = s0->gs, s.ss = s0->ss, s.tr = s0->tr;
		s.gdt = s0->gdt, s.idt = s0->idt, s.cr0 = s0->cr0, s.cr3 = s0->cr3, s.cr4 = s0->cr4, s.efer = s0->efer;
		if (ioctl(t->fd, KVM_SET_SREGS, &s) < 0)
			return -errno;
	}
	t->base = BASE + (u64)i * STRIDE;
	t->mb = (u64 *)(X.v.mem0 + CG_MBOX + 0x100 * i);
	t->mb[5] = !strcmp(C.vendor, "AuthenticAMD") || !strcmp(C.vendor, "HygonGenuine");
	struct kvm_regs r;
	memset(&r, 0, sizeof(r));
	r.rip = CG_CODE;
	r.rsp = CG_STACK + (i + 1) * 0x8000ULL;
	r.rflags = 2;
	r.r15 = CG_MBOX + 0x100 * i;
	return ioctl(t->fd, KVM_SET_REGS, &r) < 0 ? -errno : 0;
}

static int setup(struct vt *t)
{
	if (vm_create(&X.v, KVM_X86_SW_PROTECTED_VM, 0, 0))
		return -1;
	struct kvm_enable_cap ec;
	memset(&ec, 0, sizeof(ec));
	ec.cap = KVM_CAP_EXIT_HYPERCALL;
	ec.args[0] = 1ULL << KVM_HC_MAP_GPA_RANGE;
	if (ioctl(X.v.fd, KVM_ENABLE_CAP, &ec) < 0)
		return diag("KVM_ENABLE_CAP(EXIT_HYPERCALL): %s", errname(errno)), -1;
	X.sh = map_aligned(TOTAL, 2 * MB, 0);
	X.probe = map_aligned(2 * NV * PS, PS, 0);
	X.g = gmem_create(X.v.fd, TOTAL, 0);
	if (X.g < 0)
		return diag("KVM_CREATE_GUEST_MEMFD(%llu): %s", (unsigned long long)TOTAL, errname(-X.g)), -1;
	/* two memslots on one guest_memfd (upstream's -m 2), the split between vCPU 1 and vCPU 2's ranges */
	int e = set_region2(X.v.fd, 10, KVM_MEM_GUEST_MEMFD, BASE, TOTAL / 2, X.sh, X.g, 0) ?:
		set_region2(X.v.fd, 11, KVM_MEM_GUEST_MEMFD, BASE + TOTAL / 2, TOTAL / 2, X.sh + TOTAL / 2, X.g, TOTAL / 2) ?:
		set_region1(X.v.fd, 12, 0, PROBE_GPA, 2 * NV * PS, X.probe);
	if (e)
		return diag("memslots: %s", errname(e)), -1;
	memcpy(X.v.mem0 + CG_CODE, conv_guest_start, conv_guest_end - conv_guest_start);
	struct kvm_sregs s0;
	if (ioctl(X.v.vcpu, KVM_GET_SREGS, &s0) < 0)
		return diag("KVM_GET_SREGS: %s", errname(errno)), -1;
	for (int i = 0; i < NV; i++)
		if ((e = vcpu_add(&t[i], i, &s0)))
			return diag("vCPU %d: %s", i, errname(-e)), -1;
	return 0;
}

/* pass iff every vCPU reached `stage` and `bad` (summed over vCPUs) is 0 */
static void judge(const char *leafid, struct vt *t, int stage, u64 bad, const char *what)
{
	const char *stop = NULL;
	for (int i = 0; i < NV && !stop; i++)
		if (!(t[i].stages & stage))
			stop = t[i].why[0] ? t[i].why : "stopped before this step";
	const char *first = "";
	for (int i = 0; i < NV && !first[0]; i++)
		first = t[i].first;
	observed("%s%llu", stop ? "not_reached," : "", (unsigned long long)bad);
	leaf_ok(leafid, !stop && !bad, "%s: %s", what, stop ? stop : first);
}

void conv_v11(void)
{
	static struct vt t[NV];
	memset(t, 0, sizeof(t));
	memset(&X, 0, sizeof(X));
	X.fault = getenv("KVAL_CONV_FAULT");
	if (X.fault)
		diag("KVAL_CONV_FAULT=%s: fault injected into the host side (negative control)", X.fault);
	if (setup(t)) {
		error_rest("setup failed (diagnostics above)");
		return;
	}
	pthread_t th[NV];
	for (int i = 0; i < NV; i++) {
		pthread_create(&th[i], NULL, vthread, &t[i]);
		if (fault("serial"))
			pthread_join(th[i], NULL);
	}
	if (!fault("serial"))
		for (int i = 0; i < NV; i++)
			pthread_join(th[i], NULL);
	long s = 0, e = 0, first_end = 0;
	for (int i = 0; i < NV; i++) {
		s = t[i].t0 > s ? t[i].t0 : s;
		first_end = !i || t[i].t1 < first_end ? t[i].t1 : first_end;
		e = t[i].t1 > e ? t[i].t1 : e;
		diag("vCPU %d: range 0x%llx, %.2f s, stages 0x%x%s%s", i, (unsigned long long)t[i].base,
		     (t[i].t1 - t[i].t0) / 1e9, t[i].stages, t[i].why[0] ? ", stopped: " : "", t[i].why);
	}
	static const char *pn[2] = {"nofalloc", "falloc"};
	char id[96];
	for (int f = 0; f < 2; f++) {
		u64 hb = 0, pb = 0, sb = 0, ob = 0, fb = 0, xb = 0, hc = 0;
		for (int i = 0; i < NV; i++) {
			struct pres *p = &t[i].p[f];
			hb += p->host_bad, pb += p->priv_bad, sb += p->shared_bad, ob += p->outside_bad;
			fb += p->freed_bad, xb += p->punched_bad, hc += p->hc_bad;
		}
		int st = f ? ST_P1 : ST_P0;
		snprintf(id, sizeof(id), "v11.%s_host_sees_only_shared", pn[f]);
		judge(id, t, st, hb, "bytes of the shared backing not what the guest last wrote shared");
		snprintf(id, sizeof(id), "v11.%s_guest_reads_private", pn[f]);
		judge(id, t, st, pb, "private data not read back");
		snprintf(id, sizeof(id), "v11.%s_guest_reads_shared", pn[f]);
		judge(id, t, st, sb, "guest does not see shared data (its own or the host's)");
		snprintf(id, sizeof(id), "v11.%s_outside_range_unchanged", pn[f]);
		judge(id, t, st, ob, "bytes outside the converted range changed");
		if (f) {
			snprintf(id, sizeof(id), "v11.%s_shared_conversion_punches_private", pn[f]);
			judge(id, t, st, xb, "private data survived a conversion to shared with PUNCH_HOLE");
		}
		snprintf(id, sizeof(id), "v11.%s_punch_all_frees_private", pn[f]);
		judge(id, t, st, fb, "private data survived PUNCH_HOLE of all memory");
		snprintf(id, sizeof(id), "v11.%s_conversions_complete", pn[f]);
		judge(id, t, st, hc, "MAP_GPA_RANGE hypercalls failed");
	}
	u64 ph0 = 0, ph1 = 0;
	for (int i = 0; i < NV; i++)
		ph0 += t[i].ph_bad[0], ph1 += t[i].ph_bad[1];
	judge("v11.punch_hole_faulted_all_reads_zero", t, ST_PH, ph0, "punched private memory not zero");
	judge("v11.punch_hole_precise_reads_zero", t, ST_PH, ph1, "punched private memory not zero");
	observed("vcpus=%d,overlap_ms=%ld", NV, (first_end - s) / 1000000);
	leaf_ok("v11.vcpus_concurrent_disjoint", s < first_end,
		"the vCPU threads did not run at the same time (last start %.3f s after the first end)", (s - first_end) / 1e9);
	int mf = 0, back = 0;
	const char *bad = NULL;
	for (int i = 0; i < NV; i++) {
		mf += !!t[i].mf_ok, back += !!t[i].mf_back_ok;
		if (!t[i].mf_ok && !bad)
			bad = t[i].mf;
		diag("%s", t[i].mf);
	}
	observed("%d_of_%d_vcpus_exact", mf, NV);
	leaf_ok("v11.memory_fault_private_no_gmem_exact", mf == NV,
		"expected KVM_RUN -1/EFAULT, exit KVM_EXIT_MEMORY_FAULT, flags PRIVATE, gpa = the page, size 4096: %s", bad);
	observed("%d_of_%d_vcpus", back, NV);
	leaf_ok("v11.memory_fault_shared_again_reads_host_data", back == NV, "the access did not complete once shared");
	for (int i = 1; i < NV; i++) {
		munmap(t[i].run, t[i].run_size);
		close(t[i].fd);
	}
	vm_destroy(&X.v);
	/* the guest_memfd holds a reference to its VM: it stays usable after the VM fd is gone */
	int e1 = gmem_falloc(X.g, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, TOTAL);
	int e2 = gmem_falloc(X.g, FALLOC_FL_KEEP_SIZE, fault("gmem_outlives_vm") ? 1 : 0, TOTAL);
	observed("punch=%s,allocate=%s", errname(e1), errname(e2));
	leaf_ok("v11.gmem_outlives_vm", !e1 && !e2, "fallocate on the guest_memfd after closing its VM");
	close(X.g);
	munmap(X.sh, TOTAL);
	munmap(X.probe, 2 * NV * PS);
}
