/* KVM UAPI subset used by kval-agent, defined locally (x86_64, up to 7.3 plus proposals).
 * Values: guest-memfd-spec.md §1 and kvm-host-probe.md §1. No kernel headers required. */
#ifndef KVAL_UAPI_H
#define KVAL_UAPI_H
#include <stdint.h>
#include <linux/ioctl.h>

#define KVMIO 0xAE
/* system / VM / vCPU ioctls */
#define KVM_GET_API_VERSION		_IO(KVMIO, 0x00)
#define KVM_CREATE_VM			_IO(KVMIO, 0x01)
#define KVM_CHECK_EXTENSION		_IO(KVMIO, 0x03)
#define KVM_GET_VCPU_MMAP_SIZE		_IO(KVMIO, 0x04)
#define KVM_GET_SUPPORTED_CPUID		_IOWR(KVMIO, 0x05, struct kvm_cpuid2)
#define KVM_CREATE_VCPU			_IO(KVMIO, 0x41)
#define KVM_SET_USER_MEMORY_REGION	_IOW(KVMIO, 0x46, struct kvm_userspace_memory_region)
#define KVM_SET_TSS_ADDR		_IO(KVMIO, 0x47)
#define KVM_SET_USER_MEMORY_REGION2	_IOW(KVMIO, 0x49, struct kvm_userspace_memory_region2)
#define KVM_RUN				_IO(KVMIO, 0x80)
#define KVM_GET_REGS			_IOR(KVMIO, 0x81, struct kvm_regs)
#define KVM_SET_REGS			_IOW(KVMIO, 0x82, struct kvm_regs)
#define KVM_GET_SREGS			_IOR(KVMIO, 0x83, struct kvm_sregs)
#define KVM_SET_SREGS			_IOW(KVMIO, 0x84, struct kvm_sregs)
#define KVM_SET_CPUID2			_IOW(KVMIO, 0x90, struct kvm_cpuid2)
#define KVM_X86_SETUP_MCE		_IOW(KVMIO, 0x9c, uint64_t)
#define KVM_X86_GET_MCE_CAP_SUPPORTED	_IOR(KVMIO, 0x9d, uint64_t)
#define KVM_X86_SET_MCE			_IOW(KVMIO, 0x9e, struct kvm_x86_mce)
#define KVM_GET_VCPU_EVENTS		_IOR(KVMIO, 0x9f, struct kvm_vcpu_events)
#define KVM_ENABLE_CAP			_IOW(KVMIO, 0xa3, struct kvm_enable_cap)
#define KVM_GET_STATS_FD		_IO(KVMIO, 0xce)
#define KVM_SET_MEMORY_ATTRIBUTES	_IOW(KVMIO, 0xd2, struct kvm_memory_attributes)
#define KVM_CREATE_GUEST_MEMFD		_IOWR(KVMIO, 0xd4, struct kvm_create_guest_memfd)
#define KVM_PRE_FAULT_MEMORY		_IOWR(KVMIO, 0xd5, struct kvm_pre_fault_memory)
/* proposals, probed at run time (ENOTTY = absent) */
#define KVM_SET_MEMORY_ATTRIBUTES2	_IOWR(KVMIO, 0xd2, struct kvm_memory_attributes2)
#define KVM_LINK_GUEST_MEMFD		_IOWR(KVMIO, 0xd6, struct kvm_link_guest_memfd)

/* capabilities */
#define KVM_CAP_NR_MEMSLOTS		10
#define KVM_CAP_MCE			31
#define KVM_CAP_READONLY_MEM		81
#define KVM_CAP_VM_COPY_ENC_CONTEXT_FROM 197
#define KVM_CAP_EXIT_HYPERCALL		201
#define KVM_CAP_BINARY_STATS_FD		203
#define KVM_CAP_VM_MOVE_ENC_CONTEXT_FROM 206
#define KVM_CAP_USER_MEMORY2		231
#define KVM_CAP_MEMORY_FAULT_INFO	232
#define KVM_CAP_MEMORY_ATTRIBUTES	233
#define KVM_CAP_GUEST_MEMFD		234
#define KVM_CAP_VM_TYPES		235
#define KVM_CAP_PRE_FAULT_MEMORY	236
#define KVM_CAP_GUEST_MEMFD_FLAGS	244

/* flags and constants */
#define KVM_MEM_LOG_DIRTY_PAGES		(1U << 0)
#define KVM_MEM_READONLY		(1U << 1)
#define KVM_MEM_GUEST_MEMFD		(1U << 2)
#define GUEST_MEMFD_FLAG_MMAP		(1ULL << 0)
#define GUEST_MEMFD_FLAG_INIT_SHARED	(1ULL << 1)
#define KVM_MEMORY_ATTRIBUTE_PRIVATE	(1ULL << 3)
#define KVM_MEMORY_EXIT_FLAG_PRIVATE	(1ULL << 3)
#define KVM_HC_MAP_GPA_RANGE		12
#define GUEST_MEMFD_MAGIC		0x474d454d
#define KVM_X86_DEFAULT_VM		0
#define KVM_X86_SW_PROTECTED_VM		1

#define KVM_EXIT_IO			2
#define KVM_EXIT_HYPERCALL		3
#define KVM_EXIT_HLT			5
#define KVM_EXIT_MMIO			6
#define KVM_EXIT_SHUTDOWN		8
#define KVM_EXIT_FAIL_ENTRY		9
#define KVM_EXIT_INTR			10
#define KVM_EXIT_INTERNAL_ERROR		17
#define KVM_EXIT_SYSTEM_EVENT		24
#define KVM_EXIT_MEMORY_FAULT		39

#ifndef EHWPOISON
#define EHWPOISON 133
#endif
#ifndef MADV_HWPOISON
#define MADV_HWPOISON 100
#endif
#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE 25
#endif
#define KV_BUS_MCEERR_AR 4	/* si_code values (glibc defines them as enums) */
#define KV_BUS_MCEERR_AO 5

/* structs (x86_64 layouts) */
struct kvm_userspace_memory_region {
	uint32_t slot, flags;
	uint64_t guest_phys_addr, memory_size, userspace_addr;
};
struct kvm_userspace_memory_region2 {
	uint32_t slot, flags;
	uint64_t guest_phys_addr, memory_size, userspace_addr, guest_memfd_offset;
	uint32_t guest_memfd, pad1;
	uint64_t pad2[14];
};
struct kvm_create_guest_memfd { uint64_t size, flags, reserved[6]; };
struct kvm_memory_attributes { uint64_t address, size, attributes, flags; };
struct kvm_memory_attributes2 { uint64_t offset, size, attributes, flags, error_offset, reserved[11]; };
struct kvm_link_guest_memfd { uint64_t fd, flags, reserved[6]; };
struct kvm_pre_fault_memory { uint64_t gpa, size, flags, padding[5]; };
struct kvm_enable_cap { uint32_t cap, flags; uint64_t args[4]; uint8_t pad[64]; };
struct kvm_x86_mce {
	uint64_t status, addr, misc, mcg_status;
	uint8_t bank, pad1[7];
	uint64_t pad2[3];
};
struct kvm_vcpu_events {
	struct { uint8_t injected, nr, has_error_code, pending; uint32_t error_code; } exception;
	uint8_t rest[56];
};
struct kvm_regs {
	uint64_t rax, rbx, rcx, rdx, rsi, rdi, rsp, rbp;
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t rip, rflags;
};
struct kvm_segment {
	uint64_t base;
	uint32_t limit;
	uint16_t selector;
	uint8_t type, present, dpl, db, s, l, g, avl, unusable, padding;
};
struct kvm_dtable { uint64_t base; uint16_t limit, padding[3]; };
struct kvm_sregs {
	struct kvm_segment cs, ds, es, fs, gs, ss, tr, ldt;
	struct kvm_dtable gdt, idt;
	uint64_t cr0, cr2, cr3, cr4, cr8, efer, apic_base;
	uint64_t interrupt_bitmap[4];
};
struct kvm_cpuid_entry2 {
	uint32_t function, index, flags, eax, ebx, ecx, edx, padding[3];
};
struct kvm_cpuid2 {
	uint32_t nent, padding;
	struct kvm_cpuid_entry2 entries[];
};
struct kvm_stats_header {
	uint32_t flags, name_size, num_desc, id_offset, desc_offset, data_offset;
};
struct kvm_stats_desc {
	uint32_t flags;
	int16_t exponent;
	uint16_t size;
	uint32_t offset, bucket_size;
	char name[];
};
/* kvm_run: only the fields the agent reads; the union starts at byte 32 */
struct kvm_run {
	uint8_t request_interrupt_window, immediate_exit;
	uint8_t padding1[6];
	uint32_t exit_reason;
	uint8_t ready_for_interrupt_injection, if_flag;
	uint16_t flags;
	uint64_t cr8, apic_base;
	union {
		struct { uint8_t direction, size; uint16_t port; uint32_t count; uint64_t data_offset; } io;
		struct { uint64_t phys_addr; uint8_t data[8]; uint32_t len; uint8_t is_write; } mmio;
		struct { uint64_t nr, args[6], ret, flags; } hypercall;
		struct { uint32_t suberror, ndata; uint64_t data[16]; } internal;
		struct { uint64_t hardware_exit_reason; uint32_t cpu; } fail_entry;
		struct { uint64_t flags, gpa, size; } memory_fault;
		uint8_t pad[256];
	};
};
#endif
