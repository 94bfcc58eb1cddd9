/* Tiny guest VM: slot 0 (2 MiB anonymous) holds GDT, TSS, IDT, page tables
 * (identity map of 0-8 GiB with 2M pages), the interpreter blob and the mailbox.
 * Guest code runs in 64-bit mode at CPL3 (needed on PVM, where CPL0 is emulated
 * through userspace_addr and bypasses guest_memfd) or CPL0. */
#include "kval.h"
#include <string.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/mman.h>

#define GDT_GPA 0x0
#define TSS_GPA 0xc000	/* 0x68 bytes + an all-zero I/O bitmap (PVM checks it) */
#define TSS_LIMIT (0x68 + 0x2000)
#define IDT_GPA 0x1000
#define PML4_GPA 0x2000
#define PDPT_GPA 0x3000
#define PD_GPA 0x4000		/* 8 PDs: 0x4000..0xbfff */
#define KSTACK 0x7f000
#define USTACK 0x6f000

static u64 *q(struct vm *v, u64 gpa) { return (u64 *)(v->mem0 + gpa); }

static void build_tables(struct vm *v)
{
	u8 *m = v->mem0;
	u64 *gdt = q(v, GDT_GPA);
	gdt[1] = 0x00af9b000000ffffULL;	/* 0x08 kernel code 64 */
	gdt[2] = 0x00cf93000000ffffULL;	/* 0x10 kernel data */
	gdt[5] = 0x00affb000000ffffULL;	/* 0x28 user code 64 (DPL3) */
	gdt[6] = 0x00cff3000000ffffULL;	/* 0x30 user data (DPL3) */
	gdt[7] = TSS_LIMIT | ((u64)TSS_GPA << 16) | (0x8bULL << 40);	/* 0x38 TSS (busy) */
	gdt[8] = 0;
	*(u64 *)(m + TSS_GPA + 4) = KSTACK;		/* TSS.RSP0 */
	*(u16 *)(m + TSS_GPA + 0x66) = 0x68;		/* I/O bitmap: all ports allowed */
	m[TSS_GPA + TSS_LIMIT] = 0xff;
	u64 stubs = GUEST_CODE + (u64)(guest_exc_stubs - guest_blob_start);
	u64 mch = GUEST_CODE + (u64)(guest_mc_handler - guest_blob_start);
	for (int vec = 0; vec < 32; vec++) {
		u64 h = vec == 18 ? mch : stubs + 16 * vec;
		u64 *g = q(v, IDT_GPA + vec * 16);
		g[0] = (h & 0xffff) | (0x08ULL << 16) | (0x8eULL << 40) | ((h >> 16) & 0xffff) << 48;
		g[1] = h >> 32;
	}
	q(v, PML4_GPA)[0] = PDPT_GPA | 7;
	for (int j = 0; j < 8; j++) {
		q(v, PDPT_GPA)[j] = (PD_GPA + j * 0x1000) | 7;
		for (int i = 0; i < 512; i++)
			q(v, PD_GPA + j * 0x1000)[i] = (((u64)j << 30) + ((u64)i << 21)) | 0x87;
	}
	memcpy(m + GUEST_CODE, guest_blob_start, guest_blob_end - guest_blob_start);
	int amd = !strcmp(C.vendor, "AuthenticAMD") || !strcmp(C.vendor, "HygonGenuine");
	q(v, MAILBOX)[7] = amd;
}

static void seg(struct kvm_segment *s, u16 sel, u8 type, int dpl, int code)
{
	memset(s, 0, sizeof(*s));
	s->selector = sel;
	s->limit = 0xffffffff;
	s->type = type;
	s->present = 1;
	s->dpl = dpl;
	s->s = 1;
	s->g = 1;
	s->l = code;
	s->db = !code;
}

int vm_vcpu_state(struct vm *v, int cr4_mce)
{
	struct kvm_sregs s;
	struct kvm_regs r;
	if (ioctl(v->vcpu, KVM_GET_SREGS, &s) < 0)
		return -errno;
	int u = v->cpl == 3;
	seg(&s.cs, u ? 0x2b : 0x08, 11, u ? 3 : 0, 1);
	seg(&s.ds, u ? 0x33 : 0x10, 3, u ? 3 : 0, 0);
	s.es = s.fs = s.gs = s.ss = s.ds;
	if (!getenv("KVAL_NOTR")) {
	memset(&s.tr, 0, sizeof(s.tr));
	s.tr.base = TSS_GPA;
	s.tr.limit = TSS_LIMIT;
	s.tr.selector = 0x38;
	s.tr.type = 11;
	s.tr.present = 1;
	}
	s.gdt.base = GDT_GPA;
	s.gdt.limit = 9 * 8 - 1;
	s.idt.base = IDT_GPA;
	s.idt.limit = 32 * 16 - 1;
	s.cr0 = 0x80010021;	/* PG WP NE PE */
	s.cr3 = PML4_GPA;
	s.cr4 = 0x20 | (cr4_mce ? 0x40 : 0);	/* PAE [MCE] */
	s.efer = 0x500;		/* LME LMA */
	if (ioctl(v->vcpu, KVM_SET_SREGS, &s) < 0)
		return -errno;
	memset(&r, 0, sizeof(r));
	r.rip = GUEST_CODE;
	r.rsp = u ? USTACK : KSTACK;
	r.rflags = 0x3002;	/* IOPL 3: OUT works at CPL3 */
	if (ioctl(v->vcpu, KVM_SET_REGS, &r) < 0)
		return -errno;
	return 0;
}

int setup_mce(struct vm *v, u64 *cap_out)
{
	u64 supp = 0, cap;
	if (ioctl(kvm_fd, KVM_X86_GET_MCE_CAP_SUPPORTED, &supp) < 0)
		return -errno;
	cap = (10 | (1ULL << 8) | (1ULL << 24)) & (supp | 0xff);
	if (cap_out)
		*cap_out = cap;
	return ioctl(v->vcpu, KVM_X86_SETUP_MCE, &cap) < 0 ? -errno : 0;
}

static int set_cpuid(struct vm *v)
{
	int n = 256;
	struct kvm_cpuid2 *c = calloc(1, sizeof(*c) + n * sizeof(struct kvm_cpuid_entry2));
	c->nent = n;
	if (ioctl(kvm_fd, KVM_GET_SUPPORTED_CPUID, c) < 0) {
		free(c);
		return -errno;
	}
	int r = ioctl(v->vcpu, KVM_SET_CPUID2, c) < 0 ? -errno : 0;
	free(c);
	return r;
}

int vm_create(struct vm *v, int type, int cpl, int mce)
{
	memset(v, 0, sizeof(*v));
	v->vcpu = v->statsfd = -1;
	v->cpl = cpl;
	v->fd = create_vm(type);
	if (v->fd < 0) {
		diag("KVM_CREATE_VM(%d): %s", type, errname(-v->fd));
		return v->fd;
	}
	ioctl(v->fd, KVM_SET_TSS_ADDR, 0xfffbd000UL);
	v->mem0 = mmap(NULL, SLOT0_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (v->mem0 == MAP_FAILED)
		return -ENOMEM;
	build_tables(v);
	int e = set_region1(v->fd, 0, 0, 0, SLOT0_SIZE, v->mem0);
	if (e) {
		diag("slot 0: %s", errname(e));
		return -e;
	}
	v->vcpu = ioctl(v->fd, KVM_CREATE_VCPU, 0);
	if (v->vcpu < 0) {
		e = errno;
		diag("KVM_CREATE_VCPU: %s", errname(e));
		return -e;
	}
	v->run_size = ioctl(kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	v->run = mmap(NULL, v->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, v->vcpu, 0);
	if (v->run == MAP_FAILED)
		return -errno;
	if ((e = set_cpuid(v)) < 0) {
		diag("KVM_SET_CPUID2: %s", errname(-e));
		return e;
	}
	if (mce && (e = setup_mce(v, NULL)) < 0) {
		diag("KVM_X86_SETUP_MCE: %s", errname(-e));
		return e;
	}
	if ((e = vm_vcpu_state(v, mce)) < 0) {
		diag("vCPU state: %s", errname(-e));
		return e;
	}
	v->statsfd = ioctl(v->fd, KVM_GET_STATS_FD, 0);
	return 0;
}

void vm_destroy(struct vm *v)
{
	if (v->run && v->run != MAP_FAILED)
		munmap(v->run, v->run_size);
	if (v->mem0 && v->mem0 != MAP_FAILED)
		munmap(v->mem0, SLOT0_SIZE);
	if (v->statsfd >= 0)
		close(v->statsfd);
	if (v->vcpu >= 0)
		close(v->vcpu);
	if (v->fd >= 0)
		close(v->fd);
	memset(v, 0, sizeof(*v));
	v->fd = v->vcpu = v->statsfd = -1;
}

int guest_resume(struct vm *v, struct ures *r)
{
	memset(r, 0, sizeof(*r));
	int rc = ioctl(v->vcpu, KVM_RUN, 0);
	r->exit_reason = v->run->exit_reason;
	if (rc < 0) {
		r->st = U_ERR;
		r->err = errno;
		if (r->exit_reason == KVM_EXIT_MEMORY_FAULT) {
			r->mf_flags = v->run->memory_fault.flags;
			r->mf_gpa = v->run->memory_fault.gpa;
			r->mf_size = v->run->memory_fault.size;
		}
		return -1;
	}
	if (r->exit_reason == KVM_EXIT_IO && v->run->io.direction == 1) {
		u64 *mb = q(v, MAILBOX);
		switch (v->run->io.port) {
		case 0xe0:
			r->st = U_OK;
			r->rax = mb[8];
			r->rbx = mb[9];
			return 0;
		case 0xe1:
			r->st = U_MC;
			memcpy(r->mc, q(v, MC_MAILBOX), 6 * 8);
			return 0;
		case 0xe2:
			r->st = U_EXC;
			r->rax = mb[10];
			r->rbx = mb[11];
			r->mc[0] = mb[12];
			return 0;
		}
	}
	r->st = U_EXIT;
	return 0;
}

int guest_cmd(struct vm *v, u64 cmd, u64 a0, u64 a1, u64 a2, u64 a3, struct ures *r)
{
	u64 *mb = q(v, MAILBOX);
	mb[0] = cmd;
	mb[1] = a0;
	mb[2] = a1;
	mb[3] = a2;
	mb[4] = a3;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	int rc;
	do
		rc = guest_resume(v, r);
	while (rc < 0 && r->err == EINTR);
	return rc;
}

const char *ures_str(const struct ures *r)
{
	static char b[256];
	switch (r->st) {
	case U_OK:
		snprintf(b, sizeof(b), "ucall rax=0x%llx rbx=0x%llx", (unsigned long long)r->rax,
			 (unsigned long long)r->rbx);
		break;
	case U_MC:
		snprintf(b, sizeof(b), "#MC handler mcg=0x%llx status=0x%llx addr=0x%llx",
			 (unsigned long long)r->mc[0], (unsigned long long)r->mc[1], (unsigned long long)r->mc[2]);
		break;
	case U_EXC:
		snprintf(b, sizeof(b), "guest exception vector %llu (stack 0x%llx 0x%llx)",
			 (unsigned long long)r->rax, (unsigned long long)r->rbx, (unsigned long long)r->mc[0]);
		break;
	case U_EXIT:
		snprintf(b, sizeof(b), "exit_reason=%u", r->exit_reason);
		break;
	case U_ERR:
		snprintf(b, sizeof(b), "KVM_RUN -1 %s exit_reason=%u mf{flags=0x%llx gpa=0x%llx size=0x%llx}",
			 errname(r->err), r->exit_reason, (unsigned long long)r->mf_flags,
			 (unsigned long long)r->mf_gpa, (unsigned long long)r->mf_size);
		break;
	}
	return b;
}

u64 vm_stat(struct vm *v, const char *name)
{
	u64 x;
	return stats_read(v->statsfd, name, &x) ? ~0ULL : x;
}
