/* kval-agent: shared declarations. UAPI is defined here (no kernel headers needed). */
#ifndef KVAL_H
#define KVAL_H
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdint.h>
#include <stddef.h>
#include <stdio.h>
#include <stdarg.h>
#include <errno.h>
#include <sys/ioctl.h>
#include <sys/types.h>

#include "uapi.h"

#define KVAL_VERSION "0.3.0"
#define PS 4096ULL
#define MB (1ULL << 20)
#define GB (1ULL << 30)
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

typedef uint64_t u64;
typedef uint32_t u32;
typedef uint16_t u16;
typedef uint8_t u8;

/* ---------------------------------------------------------------- caps.c */
#define NVMTYPES 6
struct caps {
	char release[128];
	int kver;		/* major*10000 + minor*100 + patch (patch capped at 99) */
	int root;
	int kvm_ok;		/* /dev/kvm opened */
	char kvm_err[160];	/* reason when !kvm_ok */
	int api_version;
	long user_memory2, memory_fault_info, guest_memfd, vm_types, pre_fault;
	long mce_banks, exit_hypercall, binary_stats, move_enc, copy_enc, readonly_mem;
	long mem_attr_dev, gmem_flags_dev;
	int vm_ok[NVMTYPES];		/* KVM_CREATE_VM(type) works */
	int vm_errno[NVMTYPES];
	long mem_attr[NVMTYPES];	/* per VM type (-1 = VM type absent) */
	long gmem_cap[NVMTYPES];
	long gmem_flags[NVMTYPES];
	int gmem_create[NVMTYPES];	/* KVM_CREATE_GUEST_MEMFD(4K,0) works */
	int gmem_create_errno[NVMTYPES];
	int gmem_bind[NVMTYPES];	/* REGION2 with KVM_MEM_GUEST_MEMFD works */
	int gmem_bind_errno[NVMTYPES];
	u64 mce_cap_supported;
	int memory_failure;	/* /proc/sys/vm/memory_failure_recovery exists */
	int hwpoison_inject;	/* debugfs hwpoison/corrupt-pfn exists */
	int debugfs;
	char thp[32];
	int hugetlbfs;
	int numa_nodes;
	char vendor[16];
	int vmx, svm, hypervisor;
	int pvm;
	int tdp_mmu;		/* -1 unknown */
	int attr2;		/* KVM_SET_MEMORY_ATTRIBUTES2 on gmem fd exists */
	int link_gmem;		/* KVM_LINK_GUEST_MEMFD exists */
	int guest_cpl;		/* CPL used for guest code (3 on PVM) */
};
extern struct caps C;
extern int kvm_fd;
void caps_probe(void);
void caps_print_json(void);
const char *caps_summary(void);

/* ---------------------------------------------------------------- expect.c */
long expect(const char *key, long dflt);	/* kernel-dependent expectation (intentional ABI changes only) */
void leaf_xfail(const char *what, int cond, const char *key);	/* strict XFAIL from the table */
int expect_flipped(const char *leaf_id);	/* KVAL_EXPECT_FLIP negative control */
int expect_flipped_suffix(const char *suffix);
void expect_print(void);

/* ---------------------------------------------------------------- ktap.c */
enum res { R_PASS, R_FAIL, R_SKIP, R_XFAIL, R_ERROR };
struct kcase;
void ktap_case_begin(const struct kcase *kc);
void ktap_case_end(void);
void diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void observed(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void leaf(const char *what, enum res r, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void leaf_ok(const char *what, int cond, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void leaf_errno(const char *what, long rc, int err, int expect);
void skip_rest(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void error_rest(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int leaf_count(const struct kcase *kc);
const char *leaf_name(const struct kcase *kc, int i);
const char *errname(int e);

/* --------------------------------------------------------------- runner.c */
/* requirement bits checked by the parent before a case is forked */
enum need {
	N_KVM = 1 << 0, N_GMEM = 1 << 1, N_BIND = 1 << 2, N_MMAP = 1 << 3, N_SHARED = 1 << 4,
	N_SWPROT = 1 << 5, N_MF = 1 << 6, N_INJECT = 1 << 7, N_ROOT = 1 << 8, N_STATS = 1 << 9,
	N_MCE = 1 << 10, N_ATTR = 1 << 11, N_HCALL = 1 << 12,
};
#define MAXLEAVES 96
struct kcase {
	const char *name;		/* "<suite>.<id>" */
	unsigned needs;
	int timeout;			/* seconds, 0 = default */
	void (*fn)(void);
	const char *leaves[MAXLEAVES];	/* suffixes, NULL terminated */
};
struct ksuite {
	const char *name;
	struct kcase *cases;
	int ncases;
};
extern struct ksuite suites[];
extern int nsuites;
const char *need_reason(unsigned needs);
int run_main(int argc, char **argv);

/* ------------------------------------------------------------------ util.c */
long now_ns(void);
int read_file(const char *path, char *buf, size_t n);
long meminfo_kb(const char *key);
long status_kb(const char *key);
u64 pagemap_pfn(void *va);	/* 0 if unavailable */
u64 pagemap_entry(void *va);
u64 kpageflags(u64 pfn);
int write_str(const char *path, const char *s);
/* guarded memory access: returns 0 ok, or the signal number; fills si_code */
int try_read8(volatile u8 *p, u8 *out, int *si_code);
int try_write8(volatile u8 *p, u8 v, int *si_code);
void sig_setup(void);
extern volatile int async_sigbus, async_sigbus_code;
extern volatile void *async_sigbus_addr;
const char *bus_code_name(int c);
void *map_aligned(size_t len, size_t align, int thp);
long sysctl_read(const char *path);

/* ------------------------------------------------------------------- kvm.c */
int gmem_create(int vm, u64 size, u64 flags);	/* fd or -errno */
int set_region2(int vm, u32 slot, u32 flags, u64 gpa, u64 size, void *hva, int gfd, u64 goff);
int set_region1(int vm, u32 slot, u32 flags, u64 gpa, u64 size, void *hva);
int gmem_falloc(int fd, int mode, u64 off, u64 len);	/* 0 or errno */
int create_vm(int type);		/* fd or -errno */
int set_attributes(int vm, u64 gpa, u64 size, u64 attrs);	/* 0 or errno */
long check_ext(int fd, long cap);
int stats_read(int statsfd, const char *name, u64 *val);

/* ----------------------------------------------------------------- trace.c */
const char *tracefs_dir(void);	/* NULL without tracefs + the kvmmmu event */
int spte_trace(const char *tr, int on);	/* on clears the buffer first */
u64 spte_trace_scan(const char *tr, u64 want, long levels[4]);

/* ----------------------------------------------------------------- guest.c */
#define SLOT0_SIZE (2 * MB)
#define MAILBOX 0x90000ULL
#define MC_MAILBOX 0x90100ULL
#define GUEST_CODE 0x10000ULL
#define TEST_GPA (4 * GB)
enum gcmd { G_READ64 = 1, G_WRITE64, G_FILL, G_VERIFY, G_TOUCH, G_SUM, G_MIGLOOP,
	    G_HCALL, G_RDMSR, G_WRMSR, G_READLOOP };
enum ustat { U_OK, U_MC, U_EXC, U_EXIT, U_ERR };
struct vm {
	int fd, vcpu, statsfd, cpl;
	struct kvm_run *run;
	size_t run_size;
	u8 *mem0;		/* slot 0 host memory */
};
struct ures {
	enum ustat st;
	u64 rax, rbx;
	u32 exit_reason;
	int err;		/* errno when st == U_ERR */
	u64 mf_flags, mf_gpa, mf_size;	/* memory_fault */
	u64 mc[8];		/* #MC mailbox: mcg, status, addr, misc, rip, rdi (the interrupted access's address) */
};
int vm_create(struct vm *v, int type, int cpl, int mce);	/* 0 or -errno, diag on failure */
int vm_vcpu_state(struct vm *v, int cr4_mce);
void vm_destroy(struct vm *v);
int guest_cmd(struct vm *v, u64 cmd, u64 a0, u64 a1, u64 a2, u64 a3, struct ures *r);
int guest_resume(struct vm *v, struct ures *r);
const char *ures_str(const struct ures *r);
u64 vm_stat(struct vm *v, const char *name);	/* ~0 if missing */
int setup_mce(struct vm *v, u64 *cap_out);
extern const unsigned char guest_blob_start[], guest_blob_end[];
extern const unsigned char guest_exc_stubs[], guest_mc_handler[], guest_c_read[];

/* ------------------------------------------------------------ suite_guest.c */
struct gslot {
	int gfd;		/* guest_memfd */
	u8 *map;		/* its MAP_SHARED mapping (NULL without MMAP) */
	u8 *decoy;		/* userspace_addr of the slot when not the gmem mapping */
	u64 gpa, size;
};
/* bind `size` bytes of a new gmem (flags) at gpa in slot; decoy >= 0: userspace_addr is
 * separate anon memory filled with that byte, else userspace_addr = the gmem mapping */
int gslot_add(struct vm *v, struct gslot *g, u32 slot, u64 gpa, u64 size, u64 flags, int decoy);
void gslot_del(struct gslot *g);
int run_ok(struct vm *v, struct ures *r, const char *what);	/* 1 if the ucall came back */
#endif
