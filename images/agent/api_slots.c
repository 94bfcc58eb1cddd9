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
