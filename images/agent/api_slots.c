/* Suite "api", upstream parity for set_memory_region_test.c (7.3): memslot flag validation for both ioctls, the
 * memslot limit, and KVM_RUN with no memslots. Leaves api.memslot_flags.*, api.memslot_max.*,
 * api.memslot_zero.* (upstream-map.tsv names the upstream lines). */
#include "kval.h"
#include <string.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/mman.h>

#define KVM_SET_NR_MMU_PAGES_ _IO(KVMIO, 0x44)
#define REGION_SZ 0x200000ULL

/* test_invalid_memory_region_flags(): every bit that is unsupported, or v2-only (GUEST_MEMFD), must fail EINVAL
 * on KVM_SET_USER_MEMORY_REGION; every unsupported bit must fail EINVAL on ..._REGION2. Like upstream, the VM is
 * SW_PROTECTED when the kernel offers it and GUEST_MEMFD counts as supported only with MEMORY_ATTRIBUTES&PRIVATE. */
void api_memslot_flags(void)
{
	int t = C.vm_ok[KVM_X86_SW_PROTECTED_VM] ? KVM_X86_SW_PROTECTED_VM : 0;
	int vm = create_vm(t);
	if (vm < 0) {
		error_rest("KVM_CREATE_VM(%d): %s", t, errname(-vm));
		return;
	}
	u32 supported = KVM_MEM_LOG_DIRTY_PAGES | KVM_MEM_READONLY;
	if (C.mem_attr_dev & KVM_MEMORY_ATTRIBUTE_PRIVATE)
		supported |= KVM_MEM_GUEST_MEMFD;
	diag("VM type %d, supported flags 0x%x", t, supported);
	for (int i = 0; i < 32; i++) {
		char n[48];
		u32 bit = 1U << i;
		snprintf(n, sizeof(n), "memslot_flags.v1_bit_%d", i);
		if ((supported & bit) && !(bit & KVM_MEM_GUEST_MEMFD)) {
			/* upstream skips supported v1 bits: the leaf checks they are accepted */
			int e = set_region1(vm, 0, bit, 0, REGION_SZ, NULL);
			if (!e)
				set_region1(vm, 0, 0, 0, 0, NULL);
			leaf_errno(n, e ? -1 : 0, e, 0);
			continue;
		}
		int e = set_region1(vm, 0, bit, 0, REGION_SZ, NULL);
		leaf_errno(n, e ? -1 : 0, e, EINVAL);
	}
	for (int i = 0; i < 32; i++) {
		char n[48];
		u32 bit = 1U << i;
		if (i < 3)
			continue;	/* LOG_DIRTY, READONLY, GUEST_MEMFD: supported (GUEST_MEMFD checked by memslot.*) */
		snprintf(n, sizeof(n), "memslot_flags.v2_bit_%d", i);
		if (C.user_memory2 <= 0) {	/* upstream: TEST_REQUIRE(kvm_has_cap(KVM_CAP_USER_MEMORY2)) */
			leaf(n, R_SKIP, "needs KVM_CAP_USER_MEMORY2 (KVM_SET_USER_MEMORY_REGION2)");
			continue;
		}
		int e = set_region2(vm, 0, bit, 0, REGION_SZ, NULL, 0, 0);
		leaf_errno(n, e ? -1 : 0, e, EINVAL);
	}
	close(vm);
}

/* test_add_max_memory_regions(): KVM_CAP_NR_MEMSLOTS slots of 2 MiB fit, one more fails EINVAL */
void api_memslot_max(void)
{
	long max = check_ext(kvm_fd, KVM_CAP_NR_MEMSLOTS);
	observed("%ld", max);
	leaf_ok("memslot_max.nr_memslots_positive", max > 0, "KVM_CAP_NR_MEMSLOTS should be greater than 0");
	int vm = create_vm(0);
	u8 *mem = mmap(NULL, (size_t)(max > 0 ? max : 1) * REGION_SZ, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (vm < 0 || max <= 0 || mem == MAP_FAILED) {
		error_rest("setup: vm=%d max=%ld mmap=%s", vm, max, mem == MAP_FAILED ? errname(errno) : "ok");
		return;
	}
	long bad = -1;
	int be = 0;
	for (long s = 0; s < max && bad < 0; s++) {
		int e = set_region1(vm, (u32)s, 0, (u64)s * REGION_SZ, REGION_SZ, mem + (u64)s * REGION_SZ);
		if (e)
			bad = s, be = e;
	}
	observed("%ld_slots%s%s", bad < 0 ? max : bad, bad < 0 ? "" : ",", bad < 0 ? "" : errname(be));
	leaf_ok("memslot_max.add_all_ok", bad < 0, "slot %ld of %ld failed: %s", bad, max, errname(be));
	u8 *extra = mmap(NULL, REGION_SZ, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int e = set_region1(vm, (u32)max, 0, (u64)max * REGION_SZ, REGION_SZ, extra);
	leaf_errno("memslot_max.one_more_einval", e ? -1 : 0, e, EINVAL);
	close(vm);
}

/* test_zero_memory_regions(): KVM_RUN on a vCPU of a VM without memslots exits KVM_EXIT_INTERNAL_ERROR */
void api_memslot_zero(void)
{
	int vm = create_vm(0);
	if (vm < 0) {
		error_rest("KVM_CREATE_VM(0): %s", errname(-vm));
		return;
	}
	int vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	long rs = ioctl(kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	struct kvm_run *run = vcpu >= 0 ? mmap(NULL, rs, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0) : MAP_FAILED;
	if (run == MAP_FAILED) {
		error_rest("vCPU setup: %s", errname(errno));
		close(vm);
		return;
	}
	ioctl(vm, KVM_SET_NR_MMU_PAGES_, 64UL);
	alarm(10);
	int rc = ioctl(vcpu, KVM_RUN, 0);
	int e = rc < 0 ? errno : 0;
	alarm(0);
	observed("rc=%d,%s,exit_reason=%u", rc, errname(e), run->exit_reason);
	leaf_ok("memslot_zero.run_internal_error", run->exit_reason == KVM_EXIT_INTERNAL_ERROR,
		"KVM_RUN with no memslots must exit KVM_EXIT_INTERNAL_ERROR (17), got exit %u rc=%d %s",
		run->exit_reason, rc, errname(e));
	close(vcpu), close(vm);
}

/* ---- test_move_memory_region / test_delete_memory_region / test_mmio_during_vectoring with a running vCPU.
 * Raw guest code at GPA RAW (slot 0), host-driven like upstream's guest_spin_on_val():
 *   top:  out 0xe4, al            ; "GUEST_SYNC": the host reads RAX (the value seen), sets RBX (next spin value)
 *   spin: movabs rax, [MR_GPA]    ; MMIO exit while the slot is absent: the host answers MMIO_VAL
 *         cmp rax, rbx ; je spin ; jmp top */
#include <pthread.h>
#include <semaphore.h>
#include <time.h>

#define MR_GPA 0xc0000000ULL
#define MR_SLOT 10
#define MMIO_VAL 0xbeefULL
#define RAW 0x30000ULL
static const u8 spin_code[] = {0xe6, 0xe4, 0x48, 0xa1, 0x00, 0x00, 0x00, 0xc0, 0x00, 0x00, 0x00, 0x00,
			       0x48, 0x39, 0xd8, 0x74, 0xf1, 0xeb, 0xed};

struct mr {
	struct vm v;
	u8 *region;
	sem_t ready;
	const u64 *spins;
	int nspins, nseen;
	u64 seen[8];
	int mmio_exits, mmio_write, mmio_badlen, mmio_badgpa;
	u32 end_exit;
	int end_rc, end_errno;
};

static void *mr_worker(void *p)
{
	struct mr *m = p;
	for (;;) {
		int rc = ioctl(m->v.vcpu, KVM_RUN, 0);
		if (rc < 0 && errno == EINTR)
			continue;
		struct kvm_run *run = m->v.run;
		if (rc < 0) {
			m->end_rc = rc, m->end_errno = errno, m->end_exit = run->exit_reason;
			break;
		}
		if (run->exit_reason == KVM_EXIT_IO && run->io.port == 0xe4) {
			struct kvm_regs r;
			ioctl(m->v.vcpu, KVM_GET_REGS, &r);
			if (m->nseen > 0 && m->nseen <= 8)
				m->seen[m->nseen - 1] = r.rax;
			if (m->nseen >= m->nspins && m->spins[m->nspins - 1] != ~0ULL) {
				m->nseen++;
				sem_post(&m->ready);
				m->end_exit = KVM_EXIT_IO;
				break;	/* GUEST_DONE */
			}
			/* spin values as upstream; past the list (delete test) spin on MMIO_VAL forever */
			r.rbx = m->nseen < m->nspins && m->spins[m->nseen] != ~0ULL ? m->spins[m->nseen] : MMIO_VAL;
			ioctl(m->v.vcpu, KVM_SET_REGS, &r);
			m->nseen++;
			sem_post(&m->ready);
			continue;
		}
		if (run->exit_reason == KVM_EXIT_MMIO) {
			m->mmio_exits++;
			m->mmio_write |= run->mmio.is_write;
			m->mmio_badlen |= run->mmio.len != 8;
			m->mmio_badgpa |= run->mmio.phys_addr != MR_GPA;
			memcpy(run->mmio.data, &(u64){MMIO_VAL}, 8);
			continue;
		}
		m->end_exit = run->exit_reason;
		break;
	}
	return NULL;
}

static int mr_wait(struct mr *m)
{
	struct timespec ts;
	if (clock_gettime(CLOCK_REALTIME, &ts))
		return -1;
	ts.tv_sec += 2;
	int r = sem_timedwait(&m->ready, &ts);
	usleep(100000);		/* let the vCPU re-enter the guest, as upstream */
	return r;
}

static int mr_spawn(struct mr *m, const u64 *spins, int n, int zap_idt, pthread_t *th)
{
	memset(m, 0, sizeof(*m));
	m->spins = spins, m->nspins = n;
	sem_init(&m->ready, 0, 0);
	if (vm_create(&m->v, 0, C.guest_cpl, 0))
		return -1;
	memcpy(m->v.mem0 + RAW, spin_code, sizeof(spin_code));
	m->region = map_aligned(REGION_SZ, REGION_SZ, 1);
	memset(m->region, 0, 2 * PS);
	int e = m->region ? set_region1(m->v.fd, MR_SLOT, 0, MR_GPA, REGION_SZ, m->region) : ENOMEM;
	if (e)
		return -1;
	struct kvm_regs r;
	struct kvm_sregs s;
	ioctl(m->v.vcpu, KVM_GET_REGS, &r);
	r.rip = RAW;
	ioctl(m->v.vcpu, KVM_SET_REGS, &r);
	if (zap_idt) {	/* a #PF while slot 0 is gone escalates to shutdown, as upstream's set_idt({0}) */
		ioctl(m->v.vcpu, KVM_GET_SREGS, &s);
		s.idt.base = 0, s.idt.limit = 0;
		ioctl(m->v.vcpu, KVM_SET_SREGS, &s);
	}
	if (pthread_create(th, NULL, mr_worker, m))
		return -1;
	return mr_wait(m);	/* the initial sync */
}

void api_memslot_move(void)
{
	static const u64 spins[] = {0, MMIO_VAL, 0, MMIO_VAL};
	struct mr m;
	pthread_t th;
	int sp = mr_spawn(&m, spins, 4, 0, &th);
	observed("%s", sp ? "failed" : "OK");
	leaf_ok("memslot_move.region_added_vcpu_running", !sp, "VM, 2 MiB slot %d at 0x%llx or the first sync failed",
		MR_SLOT, MR_GPA);
	if (sp) {
		error_rest("setup failed");
		return;
	}
	int e1 = set_region1(m.v.fd, MR_SLOT, 0, MR_GPA - PS, REGION_SZ, m.region);	/* misaligned move */
	__atomic_store_n((u64 *)m.region, 2, __ATOMIC_SEQ_CST);
	usleep(100000);
	__atomic_store_n((u64 *)m.region, 1, __ATOMIC_SEQ_CST);
	int e2 = set_region1(m.v.fd, MR_SLOT, 0, MR_GPA, REGION_SZ, m.region);	/* and back */
	int w = mr_wait(&m);
	w |= mr_wait(&m);
	pthread_join(th, NULL);	/* the guest reports its 4 values, then "GUEST_DONE" */
	diag("moves: %s/%s; values seen 0x%llx 0x%llx 0x%llx 0x%llx; %d MMIO exits", errname(e1), errname(e2),
	     (unsigned long long)m.seen[0], (unsigned long long)m.seen[1], (unsigned long long)m.seen[2],
	     (unsigned long long)m.seen[3], m.mmio_exits);
	observed("%s", w ? "timeout" : "OK");
	leaf_ok("memslot_move.vcpu_syncs_in_time", !e1 && !e2 && !w && m.nseen >= 5, "sem_timedwait (2 s) failed");
	leaf_ok("memslot_move.mmio_not_write", !m.mmio_write, "unexpected MMIO write exit");
	leaf_ok("memslot_move.mmio_len_8", !m.mmio_badlen, "unexpected MMIO exit size");
	leaf_ok("memslot_move.mmio_gpa", !m.mmio_badgpa, "unexpected MMIO exit address");
	observed("0x%llx", (unsigned long long)m.seen[0]);
	leaf_ok("memslot_move.first_value_1_or_mmio", m.seen[0] == 1 || m.seen[0] == MMIO_VAL, "expected 1 or MMIO");
	observed("0x%llx", (unsigned long long)m.seen[1]);
	leaf_ok("memslot_move.second_value_0_or_1", m.seen[1] == 1 || m.seen[1] == 0, "expected 0 or 1 (no MMIO)");
	observed("0x%llx", (unsigned long long)m.seen[2]);
	leaf_ok("memslot_move.third_value_1_or_mmio", m.seen[2] == 1 || m.seen[2] == MMIO_VAL, "expected 1 or MMIO");
	observed("0x%llx", (unsigned long long)m.seen[3]);
	leaf_ok("memslot_move.final_value_1", m.seen[3] == 1, "the guest must see 1 after the re-aligning move");
	vm_destroy(&m.v);
}

void api_memslot_delete(void)
{
	static const u64 spins[] = {0, MMIO_VAL, 0, ~0ULL};
	struct mr m;
	pthread_t th;
	int sp = mr_spawn(&m, spins, 4, 1, &th);
	observed("%s", sp ? "failed" : "OK");
	leaf_ok("memslot_delete.region_added_vcpu_running", !sp, "setup or the first sync failed");
	if (sp) {
		error_rest("setup failed");
		return;
	}
	int e = set_region1(m.v.fd, MR_SLOT, 0, MR_GPA, 0, NULL);	/* delete: the guest must not die */
	int w = mr_wait(&m);
	e |= set_region1(m.v.fd, MR_SLOT, 0, MR_GPA, REGION_SZ, m.region);	/* recreate */
	w |= mr_wait(&m);
	e |= set_region1(m.v.fd, MR_SLOT, 0, MR_GPA, 0, NULL);
	w |= mr_wait(&m);
	e |= set_region1(m.v.fd, 0, 0, 0, 0, NULL);	/* the primary memslot: code and page tables gone */
	alarm(20);
	pthread_join(th, NULL);
	alarm(0);
	struct kvm_regs r;
	ioctl(m.v.vcpu, KVM_GET_REGS, &r);
	diag("slot updates %s; values 0x%llx 0x%llx 0x%llx; end exit %u rc %d %s rip 0x%llx", errname(e),
	     (unsigned long long)m.seen[0], (unsigned long long)m.seen[1], (unsigned long long)m.seen[2], m.end_exit,
	     m.end_rc, errname(m.end_errno), (unsigned long long)r.rip);
	leaf_ok("memslot_delete.vcpu_syncs_in_time", !e && !w, "a slot update or sem_timedwait (2 s) failed");
	observed("0x%llx", (unsigned long long)m.seen[0]);
	leaf_ok("memslot_delete.deleted_reads_mmio", m.seen[0] == MMIO_VAL, "the deleted region must read as MMIO");
	observed("0x%llx", (unsigned long long)m.seen[1]);
	leaf_ok("memslot_delete.recreated_reads_0", m.seen[1] == 0, "the recreated region must read 0");
	observed("0x%llx", (unsigned long long)m.seen[2]);
	leaf_ok("memslot_delete.deleted_again_reads_mmio", m.seen[2] == MMIO_VAL, "the deleted region must read as MMIO");
	observed("exit=%u", m.end_exit);
	leaf_ok("memslot_delete.slot0_gone_shutdown_or_internal_error",
		m.end_exit == KVM_EXIT_SHUTDOWN || m.end_exit == KVM_EXIT_INTERNAL_ERROR, "unexpected exit reason %u",
		m.end_exit);
	int in_loop = r.rip >= RAW + 2 && r.rip < RAW + sizeof(spin_code);
	observed("rip=0x%llx", (unsigned long long)r.rip);
	leaf_ok("memslot_delete.internal_error_rip_in_spin_loop", m.end_exit != KVM_EXIT_INTERNAL_ERROR || in_loop,
		"after KVM_EXIT_INTERNAL_ERROR the RIP must be in the final spin loop");
	vm_destroy(&m.v);
}

/* test_mmio_during_vectoring(): IDT at an MMIO GPA, a #GP from a non-canonical store: KVM_EXIT_INTERNAL_ERROR,
 * suberror KVM_INTERNAL_ERROR_DELIVERY_EV, data[3] = the IDT entry's GPA */
void api_mmio_vectoring(void)
{
	static const u8 code[] = {0x48, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0x80,	/* movabs rax, 1<<63 */
				  0xc6, 0x00, 0x01,			/* mov byte [rax], 1 */
				  0xe6, 0xe4};				/* out 0xe4: "GUEST_ASSERT(0)" */
	struct vm v;
	if (vm_create(&v, 0, C.guest_cpl, 0)) {
		error_rest("VM setup failed");
		return;
	}
	memcpy(v.mem0 + RAW, code, sizeof(code));
	struct kvm_regs r;
	struct kvm_sregs s;
	ioctl(v.vcpu, KVM_GET_REGS, &r);
	r.rip = RAW;
	ioctl(v.vcpu, KVM_SET_REGS, &r);
	ioctl(v.vcpu, KVM_GET_SREGS, &s);
	s.idt.base = MR_GPA, s.idt.limit = 0xfff;
	ioctl(v.vcpu, KVM_SET_SREGS, &s);
	alarm(10);
	int rc = ioctl(v.vcpu, KVM_RUN, 0);
	alarm(0);
	struct kvm_run *run = v.run;
	observed("rc=%d,exit=%u", rc, run->exit_reason);
	leaf_ok("mmio_vectoring.guest_does_not_continue", !(run->exit_reason == KVM_EXIT_IO && run->io.port == 0xe4),
		"the guest ran past the faulting store");
	/* the reporting is a 6.14 feature: strict XFAIL rows in expect.c before it (a pass there = stale row) */
	if (run->exit_reason != KVM_EXIT_INTERNAL_ERROR)
		diag("expected KVM_EXIT_INTERNAL_ERROR, got %u", run->exit_reason);
	leaf_xfail("mmio_vectoring.internal_error", run->exit_reason == KVM_EXIT_INTERNAL_ERROR, "xfail.mmio_vectoring");
	int ie = run->exit_reason == KVM_EXIT_INTERNAL_ERROR;
	observed("suberror=%u", ie ? run->internal.suberror : 0);
	leaf_xfail("mmio_vectoring.suberror_delivery_ev", ie && run->internal.suberror == 3 /* DELIVERY_EV */,
		   "xfail.mmio_vectoring");
	observed("ndata=%u", ie ? run->internal.ndata : 0);
	/* upstream asserts ndata != 4 (set_memory_region_test.c) */
	leaf_xfail("mmio_vectoring.ndata_not_4", ie && run->internal.ndata != 4, "xfail.mmio_vectoring");
	u64 want = MR_GPA + 13 * 16;	/* GP_VECTOR * sizeof(struct idt_entry) */
	observed("0x%llx", ie ? (unsigned long long)run->internal.data[3] : 0ULL);
	if (ie && run->internal.data[3] != want)
		diag("expected GPA 0x%llx", (unsigned long long)want);
	leaf_xfail("mmio_vectoring.gpa_is_idt_gp_entry", ie && run->internal.data[3] == want, "xfail.mmio_vectoring");
	vm_destroy(&v);
}
