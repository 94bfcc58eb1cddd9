/* Suite "api": kval's own guest_memfd file and binding cases (C13 create/fstat, C16 fallocate, memslot binding
 * rules) run again for every VM type (0 DEFAULT .. 5 TDX) and every flag set upstream's guest_memfd_test uses
 * ({0, MMAP, MMAP|INIT_SHARED}), as upstream runs its sub-tests per type and flag set. The base cases are the
 * (DEFAULT, 0) pair; the others are api.<base>_t<type>_<f0|mmap|shared> with leaves <base>_t<type>_<set>.<leaf>.
 * A pair the kernel does not offer SKIPs naming the missing VM type or flag (from the probed caps). */
#include "kval.h"
#include <string.h>
#include <stdlib.h>

int api_vt;		/* VM type and gmem flags of the running variant, read by the base cases */
u64 api_vf;
extern const char *leaf_variant;
const struct kcase *ktap_current(void);
extern struct kcase api_cases[];
extern int api_ncases;
void api_c13(void), api_c16(void), api_memslot(void);

#define NSETS 3
#define NBASE 3
static const u64 set_flags[NSETS] = {0, GUEST_MEMFD_FLAG_MMAP, GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED};
static const char *const set_name[NSETS] = {"f0", "mmap", "shared"};
static const char *const base_name[NBASE] = {"C13", "C16", "memslot"};
static void (*const base_fn[NBASE])(void) = {api_c13, api_c16, api_memslot};

#define NVAR (NVMTYPES * NSETS - 1)	/* (DEFAULT, 0) is the base case itself */
struct kcase matrix_cases[NBASE * NVAR];
int matrix_ncases = NBASE * NVAR;

static void run_variant(void)
{
	/* the runner holds a copy of the case (suites.c), so the variant comes from the name: api.<base>_t<t>_<set> */
	const char *name = ktap_current()->name, *us = strrchr(name, '_');
	int b = 0, t = (int)(us[-1] - '0'), s = 0;
	for (int i = 0; i < NBASE; i++)
		if (!strncmp(name + 4, base_name[i], strlen(base_name[i])) && name[4 + strlen(base_name[i])] == '_')
			b = i;
	for (int i = 0; i < NSETS; i++)
		if (!strcmp(us + 1, set_name[i]))
			s = i;
	u64 f = set_flags[s];
	/* SKIP reasons in api_parity.c's words: the Java side (CapsFacts) checks them against caps.json */
	static const char *const vname[NVMTYPES] = {"KVM_X86_DEFAULT_VM", "KVM_X86_SW_PROTECTED_VM", "KVM_X86_SEV_VM",
		"KVM_X86_SEV_ES_VM", "KVM_X86_SNP_VM", "KVM_X86_TDX_VM"};
	if (!C.vm_ok[t]) {
		skip_rest("needs VM type %s (KVM_CAP_VM_TYPES bit %d): KVM_CREATE_VM gave %s", vname[t], t,
			  errname(C.vm_errno[t]));
		return;
	}
	if (!C.gmem_create[t]) {
		skip_rest("needs KVM_CAP_GUEST_MEMFD on %s (create gave %s)", vname[t], errname(C.gmem_create_errno[t]));
		return;
	}
	u64 cap = C.gmem_flags[t] > 0 ? (u64)C.gmem_flags[t] : 0;
	if ((cap & f) != f) {
		skip_rest("needs KVM_CAP_GUEST_MEMFD_FLAGS & %s on %s (cap 0x%llx)", s == 1 ? "MMAP" : "MMAP|INIT_SHARED",
			  vname[t], (unsigned long long)cap);
		return;
	}
	if (base_fn[b] == api_memslot && !C.gmem_bind[t]) {
		skip_rest("needs guest_memfd memslots on %s (KVM_SET_USER_MEMORY_REGION2 gave %s)", vname[t],
			  errname(C.gmem_bind_errno[t]));
		return;
	}
	static char var[32];
	snprintf(var, sizeof(var), "_t%d_%s", t, set_name[s]);
	api_vt = t, api_vf = f, leaf_variant = var;
	/* negative control: KVAL_MATRIX_FAULT=vm_type|flags hands the base case a VM type or a flag the kernel must
	 * reject, which shows the variant's type and flags reach the kernel (its leaves then fail) */
	const char *mf = getenv("KVAL_MATRIX_FAULT");
	if (mf && !strcmp(mf, "vm_type"))
		api_vt = 63;
	if (mf && !strcmp(mf, "flags"))
		api_vf |= 1ULL << 62;
	diag("variant: VM type %d, guest_memfd flags 0x%llx", t, (unsigned long long)f);
	base_fn[b]();
	leaf_variant = NULL;
}

__attribute__((constructor(160))) static void matrix_gen(void)	/* after api_gen (150), before suites_init (200) */
{
	for (int b = 0; b < NBASE; b++) {
		char want[32];
		snprintf(want, sizeof(want), "api.%s", base_name[b]);
		const struct kcase *base = NULL;
		for (int i = 0; i < api_ncases; i++)
			if (!strcmp(api_cases[i].name, want))
				base = &api_cases[i];
		for (int v = 1; v <= NVAR; v++) {
			struct kcase *kc = &matrix_cases[b * NVAR + v - 1];
			char var[32], name[64];
			snprintf(var, sizeof(var), "_t%d_%s", v / NSETS, set_name[v % NSETS]);
			snprintf(name, sizeof(name), "api.%s%s", base_name[b], var);
			kc->name = strdup(name);
			kc->needs = N_KVM;
			kc->timeout = base->timeout;
			kc->fn = run_variant;
			int k = 0;
			for (; base->leaves[k]; k++) {	/* "C13.x" -> "C13_t1_mmap.x" */
				const char *l = base->leaves[k], *dot = strchr(l, '.');
				char buf[160];
				snprintf(buf, sizeof(buf), "%.*s%s%s", (int)(dot - l), l, var, dot);
				kc->leaves[k] = strdup(buf);
			}
			kc->leaves[k] = NULL;
		}
	}
}
