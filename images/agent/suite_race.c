/* Suite "race": pairs (and a few triples) of concurrent operations on one guest_memfd range.
 *
 * Layout of one case (three processes, so a kernel deadlock cannot stop the agent):
 *   case child (the runner's fork) = watchdog: forks the racer, relays its '#' lines, and prints every leaf;
 *   racer (grandchild, stdout = a pipe to the watchdog): builds the VM + guest_memfd, runs one thread per
 *     operation pinned to different CPUs, checks the invariants after the race, reports through shared memory.
 * Racer threads stuck in D state can never be reaped, so the watchdog never waits for them: when a thread stops
 * making progress it records each task's state, wchan and /proc/<pid>/task/<tid>/stack, sends sysrq-w (blocked
 * tasks to the console), waits for the hung-task detector's report and says `not ok <case>.no_deadlock` with
 * class=deadlock. The racer is left behind; the host side boots each race case on its own kernel instance.
 *
 * Reproducibility: --seed S (default: from the clock) and --iterations N are printed as the case's first
 * diagnostic; every thread draws its offsets from splitmix64(seed, thread index). */
#include "kval.h"
#include <string.h>
#include <stdlib.h>
#include <unistd.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <setjmp.h>
#include <dirent.h>
#include <poll.h>
#include <pthread.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <sys/syscall.h>
#include <linux/falloc.h>

int race_iterations;		/* --iterations (0: RACE_ITERS) */
u64 race_seed;			/* --seed */
int race_seed_set;
/* --race-inject: faults in the agent's own post-race steps, so a test can show each invariant leaf FAILs on a real
 * kernel when what it checks is broken (a checker that cannot fail proves nothing):
 *   poison_lost  the EHWPOISON check also reads a page that was never poisoned (as if the kernel had lost the poison)
 *   skip_punch   the final PUNCH_HOLE is left out after the range was written (as if a punch had not zeroed it)
 *   shared_view  the range stays shared before the zero check, so the guest reads the non-zero shared decoy (as if a
 *                page were private and shared at once)
 *   leak_fd      a child keeps the guest_memfd open with the range allocated after everything else closed (a leak) */
const char *race_inject;

static int inj(const char *f)
{
	if (!race_inject)
		return 0;
	size_t n = strlen(f);
	for (const char *p = race_inject; (p = strstr(p, f)); p += n)
		if ((p == race_inject || p[-1] == ',') && (p[n] == 0 || p[n] == ','))
			return 1;
	return 0;
}

#define RACE_ITERS 200
#define NPAGES 4096		/* 16 MiB, the size of the probe that found the memory_failure/punch deadlock */
#define MAXPOISON 16		/* poisoned pages leak for the life of the kernel: keep them few */
#define STALL_S 8		/* a thread with no progress this long is stuck (hung-task detector: 10 s) */
#define RACE_MAX_S 20		/* the threads stop together after this, even below --iterations */
#define HUNG_TASK_S 10

enum op { OP_NONE, OP_MADV, OP_PFN, OP_PUNCH, OP_ALLOC, OP_SLOT, OP_GFAULT, OP_HFAULT, OP_PREFAULT,
	  OP_ATTR, OP_MBIND, OP_CLOSE_GMEM, OP_CLOSE_VM };
static const char *const opname[] = {"none", "madv_hwpoison", "corrupt_pfn", "punch_hole", "fallocate",
	"memslot_delete_recreate", "vcpu_fault_in", "host_fault_in", "pre_fault_memory",
	"set_memory_attributes", "mbind", "close_gmem", "close_vm"};

#define MAXT 3

/* ------------------------------------------------------------------ shared state (racer -> watchdog) */
struct tstat {
	enum op op;
	volatile int tid;
	volatile long iters;		/* progress counter, read by the watchdog */
	long ok, err[8];		/* successes, and the first 8 distinct errnos with counts */
	int errno_v[8];
	int done;
};
struct shared {
	volatile int state;		/* 0 running, 1 racer finished (won the CAS), 2 watchdog declared a hang */
	int nthreads;
	struct tstat t[MAXT];
	int ops_res, inv_res;		/* enum res */
	char ops_why[256], inv_why[256];
	long unevictable_peak_kb;
	int npoison;
	int inv_skip;
};
static struct shared *sh;

/* ------------------------------------------------------------------ per case definition */
struct rdef {
	const char *name;
	const char *id;			/* the leaves' prefix */
	enum op ops[MAXT];
	int rounds;			/* 1: round mode (fresh VM + gmem per iteration, one op per thread) */
	int vmtype;			/* 0 DEFAULT, 1 SW_PROTECTED */
};

/* ------------------------------------------------------------------ racer context */
struct rctx {
	struct vm v;
	int gfd;
	u8 *map;
	u8 *decoy;
	u64 size;
	int slot_flags;
	const struct rdef *d;
	u64 seed;
	long iters;
	volatile int stop;
	volatile int poisoned[MAXPOISON];
	volatile int npoison;
	pthread_barrier_t b0, b1;
	volatile int round_live;	/* round mode: fds valid this round */
};

static u64 splitmix(u64 *s)
{
	u64 z = (*s += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* a seeded delay without PAUSE: under QEMU TCG (round-robin vCPUs) each PAUSE yields the host thread to the other
 * vCPU, so 20000 of them took 8-20 s beside a busy thread and starved the memslot cases of iterations */
static void spin(u64 n)
{
	for (volatile u64 i = 0; i < n; i++)
		;
}

static __thread sigjmp_buf tjb;
static __thread volatile int tjb_armed;
static volatile int async_bus;

static void race_on_bus(int sig, siginfo_t *si, void *uc)
{
	(void)si, (void)uc;
	if (tjb_armed) {
		tjb_armed = 0;
		siglongjmp(tjb, sig);
	}
	async_bus++;	/* MADV_HWPOISON on a mapped dirty page signals the caller (BUS_MCEERR_AR): expected */
}

static int guarded_write(volatile u8 *p, u8 v)
{
	if (sigsetjmp(tjb, 1))
		return SIGBUS;
	tjb_armed = 1;
	*p = v;
	tjb_armed = 0;
	return 0;
}

static void count(struct tstat *t, int e)
{
	if (!e) {
		t->ok++;
		return;
	}
	for (int i = 0; i < 8; i++) {
		if (t->errno_v[i] == e || !t->errno_v[i]) {
			t->errno_v[i] = e;
			t->err[i]++;
			return;
		}
	}
}

static int prefault(struct rctx *c, u64 gpa, u64 size)
{
	struct kvm_pre_fault_memory p;
	memset(&p, 0, sizeof(p));
	p.gpa = gpa;
	p.size = size;
	while (p.size) {
		if (ioctl(c->v.vcpu, KVM_PRE_FAULT_MEMORY, &p) < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return errno;
		}
	}
	return 0;
}

static int slot_bind(struct rctx *c)
{
	return set_region2(c->v.fd, 1, KVM_MEM_GUEST_MEMFD, TEST_GPA, c->size, c->map ? (void *)c->map : c->decoy,
			   c->gfd, 0);
}

/* back to the interpreter's entry: first let KVM finish a pending MMIO/PIO exit (immediate_exit, as the KVM API
 * asks), else the next KVM_RUN completes the old instruction into the new command's registers */
static void vcpu_reset(struct vm *v)
{
	v->run->immediate_exit = 1;
	ioctl(v->vcpu, KVM_RUN, 0);
	v->run->immediate_exit = 0;
	vm_vcpu_state(v, 0);
}

/* a random page-aligned subrange: the whole range 1 time in 4, else 1..64 pages */
static void pick(struct rctx *c, u64 *rs, u64 *off, u64 *len)
{
	u64 np = c->size / PS;
	if (splitmix(rs) % 4 == 0) {
		*off = 0, *len = c->size;
		return;
	}
	u64 n = 1 + splitmix(rs) % 64, p = splitmix(rs) % np;
	if (p + n > np)
		n = np - p;
	*off = p * PS, *len = n * PS;
}

static int inject_pfn(u64 pfn)
{
	char s[64];
	snprintf(s, sizeof(s), "0x%llx\n", (unsigned long long)pfn);
	int r = write_str("/sys/kernel/debug/hwpoison/corrupt-pfn", s);
	return r < 0 ? -r : 0;
}

/* one operation; returns 0 or an errno (counted, never fatal: the oracle is the kernel's behaviour) */
static int do_op(struct rctx *c, enum op op, u64 *rs)
{
	u64 off, len;
	switch (op) {
	case OP_MADV:
	case OP_PFN: {
		/* fault a page in (dirty, pitfall 7 of poison-probe.md), then poison it (capped) */
		u64 p = splitmix(rs) % (c->size / PS);
		if (guarded_write(c->map + p * PS, 0x5a))
			return EHWPOISON;	/* already poisoned (the PTE marker survives a punch) */
		int k = __atomic_fetch_add(&c->npoison, 1, __ATOMIC_SEQ_CST);
		if (k >= MAXPOISON)
			return 0;
		c->poisoned[k] = (int)p;
		if (op == OP_MADV)
			return madvise(c->map + p * PS, PS, MADV_HWPOISON) < 0 ? errno : 0;
		u64 pfn = pagemap_pfn(c->map + p * PS);
		return pfn ? inject_pfn(pfn) : ENOENT;
	}
	case OP_PUNCH:
		pick(c, rs, &off, &len);
		return gmem_falloc(c->gfd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, off, len);
	case OP_ALLOC:
		pick(c, rs, &off, &len);
		return gmem_falloc(c->gfd, FALLOC_FL_KEEP_SIZE, off, len);
	case OP_SLOT: {
		/* delete without KVM_MEM_GUEST_MEMFD: 6.18 checks the gmem fd even for a deletion (EBADF after a close) */
		int e = set_region2(c->v.fd, 1, 0, TEST_GPA, 0, NULL, -1, 0);
		if (e)
			return e;
		spin(splitmix(rs) % 20000);
		return slot_bind(c);
	}
	case OP_GFAULT: {
		struct ures r;
		pick(c, rs, &off, &len);
		if (len > 64 * PS)
			len = 64 * PS;
		guest_cmd(&c->v, G_TOUCH, TEST_GPA + off, 1, len, 0, &r);
		if (r.st == U_OK)
			return 0;
		vcpu_reset(&c->v);	/* restart the interpreter: the faulting access would repeat */
		return r.st == U_ERR ? r.err : EFAULT;
	}
	case OP_HFAULT: {
		pick(c, rs, &off, &len);
		if (len > 64 * PS)
			len = 64 * PS;
		for (u64 o = off; o < off + len; o += PS)
			if (guarded_write(c->map + o, (u8)o))
				return EHWPOISON;
		return 0;
	}
	case OP_PREFAULT:
		pick(c, rs, &off, &len);
		return prefault(c, TEST_GPA + off, len);
	case OP_ATTR:
		pick(c, rs, &off, &len);
		return set_attributes(c->v.fd, TEST_GPA + off, len,
				      splitmix(rs) & 1 ? KVM_MEMORY_ATTRIBUTE_PRIVATE : 0);
	case OP_MBIND: {
		unsigned long mask = C.numa_nodes > 1 ? (splitmix(rs) & 1 ? 1 : 2) : 1;
		int mode = (int)(splitmix(rs) % 4);	/* DEFAULT PREFERRED BIND INTERLEAVE */
		unsigned flags = splitmix(rs) & 1 ? 2 /* MPOL_MF_MOVE */ : 0;
		pick(c, rs, &off, &len);
		return syscall(SYS_mbind, c->map + off, len, mode, mode ? &mask : NULL, mode ? 64 : 0, flags) < 0 ?
			errno : 0;
	}
	case OP_CLOSE_GMEM: {
		int fd = c->gfd;
		if (c->map)
			munmap(c->map, c->size);
		return close(fd) < 0 ? errno : 0;
	}
	case OP_CLOSE_VM: {
		int fd = c->v.fd;
		close(c->v.vcpu);
		return close(fd) < 0 ? errno : 0;
	}
	case OP_NONE:
		break;
	}
	return 0;
}

/* ------------------------------------------------------------------ racer */
struct targ {
	struct rctx *c;
	int i;
};

static void pin(int i)
{
	int n = (int)sysconf(_SC_NPROCESSORS_ONLN);
	cpu_set_t s;
	CPU_ZERO(&s);
	CPU_SET(n > 0 ? i % n : 0, &s);
	sched_setaffinity(0, sizeof(s), &s);
}

static void *loop_thread(void *a)
{
	struct targ *ta = a;
	struct rctx *c = ta->c;
	struct tstat *t = &sh->t[ta->i];
	u64 rs = c->seed ^ (0x1000193ULL * (ta->i + 1));
	t->tid = (int)syscall(SYS_gettid);
	pin(ta->i);
	pthread_barrier_wait(&c->b0);
	while (!c->stop) {
		count(t, do_op(c, t->op, &rs));
		t->iters++;
	}
	t->done = 1;
	return NULL;
}

static void *round_thread(void *a)
{
	struct targ *ta = a;
	struct rctx *c = ta->c;
	struct tstat *t = &sh->t[ta->i];
	u64 rs = c->seed ^ (0x1000193ULL * (ta->i + 1));
	t->tid = (int)syscall(SYS_gettid);
	pin(ta->i);
	for (;;) {
		pthread_barrier_wait(&c->b0);
		if (c->stop)
			break;
		spin(splitmix(&rs) % 50000);
		count(t, do_op(c, t->op, &rs));
		t->iters++;
		pthread_barrier_wait(&c->b1);
	}
	t->done = 1;
	return NULL;
}

static int has(const struct rdef *d, enum op o)
{
	for (int i = 0; i < MAXT; i++)
		if (d->ops[i] == o)
			return 1;
	return 0;
}

/* VM + guest_memfd bound at TEST_GPA; DEFAULT VMs get an mmap'able INIT_SHARED gmem (host ops need it) */
static int build(struct rctx *c, u64 npages)
{
	c->size = npages * PS;
	int e = vm_create(&c->v, c->d->vmtype, 0, 0);
	if (e)
		return e;
	/* INIT_SHARED where the kernel has it (6.19+); on 6.18 an MMAP gmem of a DEFAULT VM is shared already */
	u64 flags = c->d->vmtype ? 0 : GUEST_MEMFD_FLAG_MMAP | (C.gmem_flags[0] & GUEST_MEMFD_FLAG_INIT_SHARED);
	c->gfd = gmem_create(c->v.fd, c->size, flags);
	if (c->gfd < 0)
		return c->gfd;
	c->map = NULL;
	c->decoy = NULL;
	if (flags & GUEST_MEMFD_FLAG_MMAP) {
		c->map = mmap(NULL, c->size, PROT_READ | PROT_WRITE, MAP_SHARED, c->gfd, 0);
		if (c->map == MAP_FAILED)
			return c->map = NULL, -errno;
	} else {
		c->decoy = mmap(NULL, c->size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		if (c->decoy == MAP_FAILED)
			return c->decoy = NULL, -errno;
		/* non-zero, so a page the guest still sees as shared after the final "all private" fails the zero check */
		memset(c->decoy, 0x5a, (c->size < 256 * PS ? c->size : 256 * PS));
	}
	e = slot_bind(c);
	return -e;
}

static void teardown(struct rctx *c)
{
	if (c->map)
		munmap(c->map, c->size);
	if (c->decoy)
		munmap(c->decoy, c->size);
	close(c->gfd);
	vm_destroy(&c->v);
	c->map = c->decoy = NULL;
}

static void set_res(int *res, char *why, enum res r, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void set_res(int *res, char *why, enum res r, const char *fmt, ...)
{
	va_list ap;
	*res = r;
	va_start(ap, fmt);
	vsnprintf(why, 256, fmt, ap);
	va_end(ap);
}

/* after the race: poisoned pages still poisoned for the guest (no punch in the case), a punched range reads zero */
static void invariants(struct rctx *c)
{
	struct ures r;
	int np = c->npoison < MAXPOISON ? c->npoison : MAXPOISON;
	sh->npoison = np;
	if (c->d->vmtype) {
		/* conversions: back to all-shared, then every page is either shared or private, never both */
		int e = set_attributes(c->v.fd, TEST_GPA, c->size, 0);
		if (e) {
			set_res(&sh->inv_res, sh->inv_why, R_FAIL, "SET_MEMORY_ATTRIBUTES(all shared) after the race: %s", errname(e));
			return;
		}
	}
	slot_bind(c);	/* the slot op normally leaves the slot bound (then this says EEXIST) */
	vcpu_reset(&c->v);
	if (inj("poison_lost")) {
		int fresh = 0;	/* the lowest page index nobody poisoned */
		for (int i = 0; i < np; i++)
			if (c->poisoned[i] == fresh)
				fresh++, i = -1;
		/* appended, or in place of the last one when the list is full (the check reads them all) */
		c->poisoned[np < MAXPOISON ? np++ : np - 1] = fresh;
		diag("injected fault poison_lost: page %d (never poisoned) joins the EHWPOISON check", fresh);
	}
	if (np && !has(c->d, OP_PUNCH)) {
		for (int i = 0; i < np; i++) {
			u64 gpa = TEST_GPA + (u64)c->poisoned[i] * PS;
			guest_cmd(&c->v, G_READ64, gpa, 0, 0, 0, &r);
			vcpu_reset(&c->v);
			if (!(r.st == U_ERR && r.err == EHWPOISON)) {
				set_res(&sh->inv_res, sh->inv_why, R_FAIL,
					"poisoned page %d (gpa 0x%llx) no longer reports EHWPOISON to the guest: %s",
					c->poisoned[i], (unsigned long long)gpa, ures_str(&r));
				return;
			}
		}
		diag("invariant: %d poisoned page(s) still exit with EHWPOISON", np);
	}
	u64 chk = c->size < 256 * PS ? c->size : 256 * PS;	/* TCG: verify the first MiB */
	int e = 0;
	if (inj("skip_punch")) {
		/* written, so what the missing punch leaves is not zero (poisoned pages are left alone: SIGBUS) */
		for (u64 p = 0; c->map && p < chk / PS; p++) {
			int hit = 0;
			for (int i = 0; i < np; i++)
				hit |= c->poisoned[i] == (int)p;
			if (!hit)
				memset(c->map + p * PS, 0x5a, PS);
		}
		diag("injected fault skip_punch: the range was %s and the final PUNCH_HOLE is left out", c->map ? "written" : "not written (no mmap)");
	} else
		e = gmem_falloc(c->gfd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, c->size);
	if (e) {
		set_res(&sh->inv_res, sh->inv_why, R_FAIL, "final PUNCH_HOLE of the whole range: %s", errname(e));
		return;
	}
	if (c->d->vmtype && inj("shared_view"))
		diag("injected fault shared_view: the range stays shared; the guest reads the shared decoy");
	else if (c->d->vmtype && (e = set_attributes(c->v.fd, TEST_GPA, c->size, KVM_MEMORY_ATTRIBUTE_PRIVATE))) {
		/* private, so the guest reads the punched guest_memfd and not the shared decoy */
		set_res(&sh->inv_res, sh->inv_why, R_FAIL, "SET_MEMORY_ATTRIBUTES(all private) after the punch: %s", errname(e));
		return;
	}
	guest_cmd(&c->v, G_VERIFY, TEST_GPA, 0, chk, 0, &r);
	if (r.st != U_OK || r.rax) {
		set_res(&sh->inv_res, sh->inv_why, R_FAIL, "punched range does not read zero in the guest: %s", ures_str(&r));
		return;
	}
	set_res(&sh->inv_res, sh->inv_why, R_PASS, "%s", "");
	diag("invariant: whole range punched, first %llu KiB reads zero in the guest", (unsigned long long)chk / 1024);
}

static void racer(const struct rdef *d, u64 seed, long iters)
{
	struct rctx *c = calloc(1, sizeof(*c));
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = race_on_bus;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	sigaction(SIGBUS, &sa, NULL);
	c->d = d;
	c->seed = seed;
	c->iters = iters;
	int n = 0;
	while (n < MAXT && d->ops[n])
		n++;
	sh->nthreads = n;
	for (int i = 0; i < n; i++)
		sh->t[i].op = d->ops[i];
	pthread_barrier_init(&c->b0, NULL, n + 1);
	pthread_barrier_init(&c->b1, NULL, n + 1);
	pthread_t th[MAXT];
	struct targ ta[MAXT];
	long t0 = now_ns();
	if (!d->rounds) {
		int e = build(c, NPAGES);
		if (e) {
			set_res(&sh->ops_res, sh->ops_why, R_ERROR, "setup: %s", errname(-e));
			return;
		}
		/* every page allocated and dirty before the race: the meter sees it, punches and poisons find folios */
		if (c->map)
			memset(c->map, 0x11, c->size);
		else
			gmem_falloc(c->gfd, FALLOC_FL_KEEP_SIZE, 0, c->size);
		sh->unevictable_peak_kb = meminfo_kb("Unevictable");	/* a race of 0.1 s may end before the first sample */
		diag("VM type %d, guest_memfd %llu MiB flags 0x%llx bound at GPA 0x%llx", d->vmtype,
		     (unsigned long long)(c->size / MB),
		     (unsigned long long)(d->vmtype ? 0 : GUEST_MEMFD_FLAG_MMAP | (C.gmem_flags[0] & GUEST_MEMFD_FLAG_INIT_SHARED)),
		     (unsigned long long)TEST_GPA);
		for (int i = 0; i < n; i++) {
			ta[i] = (struct targ){c, i};
			pthread_create(&th[i], NULL, loop_thread, &ta[i]);
		}
		pthread_barrier_wait(&c->b0);
		for (;;) {
			long lo = sh->t[0].iters;
			for (int i = 1; i < n; i++)
				lo = sh->t[i].iters < lo ? sh->t[i].iters : lo;
			if (lo >= iters || now_ns() - t0 > RACE_MAX_S * 1000000000L)
				break;
			usleep(20000);
			long peak = meminfo_kb("Unevictable");
			if (peak > sh->unevictable_peak_kb)
				sh->unevictable_peak_kb = peak;
		}
		c->stop = 1;
		for (int i = 0; i < n; i++)
			pthread_join(th[i], NULL);
	} else {
		for (int i = 0; i < n; i++) {
			ta[i] = (struct targ){c, i};
			pthread_create(&th[i], NULL, round_thread, &ta[i]);
		}
		for (long k = 0; k < iters && now_ns() - t0 < RACE_MAX_S * 1000000000L; k++) {
			int e = build(c, 64);
			if (e) {
				set_res(&sh->ops_res, sh->ops_why, R_ERROR, "setup of round %ld: %s", k, errname(-e));
				c->stop = 1;
				pthread_barrier_wait(&c->b0);
				return;
			}
			long peak = meminfo_kb("Unevictable");
			if (peak > sh->unevictable_peak_kb)
				sh->unevictable_peak_kb = peak;
			pthread_barrier_wait(&c->b0);
			pthread_barrier_wait(&c->b1);
			/* close whatever the threads did not: fds already closed give EBADF, harmless */
			if (!has(d, OP_CLOSE_GMEM)) {
				if (c->map)
					munmap(c->map, c->size);
				close(c->gfd);
			}
			if (!has(d, OP_CLOSE_VM))
				close(c->v.vcpu), close(c->v.fd);
			if (c->decoy)
				munmap(c->decoy, c->size);
			munmap(c->v.run, c->v.run_size);
			munmap(c->v.mem0, SLOT0_SIZE);
			if (c->v.statsfd >= 0)
				close(c->v.statsfd);
		}
		c->stop = 1;
		pthread_barrier_wait(&c->b0);
		for (int i = 0; i < n; i++)
			pthread_join(th[i], NULL);
	}
	/* the race is over: claim the verdict before the watchdog can call it a hang */
	int running = 0;
	if (!__atomic_compare_exchange_n(&sh->state, &running, 1, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
		return;
	diag("race over after %.1f s", (now_ns() - t0) / 1e9);
	int ok = 1;
	char why[256] = "";
	for (int i = 0; i < n; i++) {
		struct tstat *t = &sh->t[i];
		char errs[160] = "";
		for (int j = 0; j < 8 && t->errno_v[j]; j++)
			snprintf(errs + strlen(errs), sizeof(errs) - strlen(errs), " %s:%ld", errname(t->errno_v[j]), t->err[j]);
		diag("thread %d %s: %ld iterations, %ld ok, errors:%s", i, opname[t->op], t->iters, t->ok, errs[0] ? errs : " none");
		if (!t->ok && ok) {
			ok = 0;
			snprintf(why, sizeof(why), "%s never succeeded in %ld iterations (errors:%s): the race did not happen",
				 opname[t->op], t->iters, errs);
		}
	}
	if (async_bus)
		diag("SIGBUS at injection time: %d (MADV_HWPOISON on a mapped dirty page: expected)", async_bus);
	set_res(&sh->ops_res, sh->ops_why, ok ? R_PASS : R_ERROR, "%s", why);
	if (d->rounds) {
		set_res(&sh->inv_res, sh->inv_why, R_PASS, "%s", "");
		sh->inv_skip = 1;
	} else {
		invariants(c);
		if (inj("leak_fd") && fork() == 0) {
			/* the leak: this child keeps the guest_memfd (and so its VM) with the range allocated for 5 s */
			setsid();
			gmem_falloc(c->gfd, 0, 0, c->size);
			sleep(5);
			_exit(0);
		}
		if (inj("leak_fd"))
			diag("injected fault leak_fd: a child holds the guest_memfd with %llu KiB allocated for 5 s", (unsigned long long)c->size / 1024);
		teardown(c);
	}
}

/* ------------------------------------------------------------------ boot marker */
/* A case that left tasks in D state spoils the rest of the boot: they hold the gmem's invalidate lock, a folio lock
 * and memory_failure()'s global mf_mutex, so any later poisoning would hang on them and not on its own race. The
 * marker names this boot (boot_id): the runner stops before the next case, and the host boots afresh (--start). */
#define STUCK_MARK "/tmp/kval-stuck-tasks"

static void boot_id(char *b, size_t n)
{
	if (read_file("/proc/sys/kernel/random/boot_id", b, n) < 0)
		snprintf(b, n, "unknown");
	b[strcspn(b, "\n")] = 0;
}

static void mark_stuck(const char *cs, int nd)
{
	char id[64], s[256];
	boot_id(id, sizeof(id));
	snprintf(s, sizeof(s), "%s %s left %d task(s) in D state\n", id, cs, nd);
	int fd = open(STUCK_MARK, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, s, strlen(s)) < 0)
		diag("watchdog: could not write %s: %s (later cases of this boot are not stopped)", STUCK_MARK, errname(errno));
	if (fd >= 0)
		close(fd);
}

int race_boot_stuck(char *why, size_t n)
{
	char id[64], s[256];
	if (read_file(STUCK_MARK, s, sizeof(s)) < 0)
		return 0;
	boot_id(id, sizeof(id));
	size_t l = strlen(id);
	if (strncmp(s, id, l) || s[l] != ' ')
		return 0;	/* a marker of an earlier boot (a /tmp that survives reboots) */
	s[strcspn(s, "\n")] = 0;
	snprintf(why, n, "%s", s + l + 1);
	return 1;
}

/* ------------------------------------------------------------------ watchdog */
static int read_small(const char *path, char *buf, size_t n)
{
	int r = read_file(path, buf, n);
	if (r < 0)
		return r;
	buf[strcspn(buf, "\n")] = 0;
	return r;
}

/* each task of the racer: role, state, wchan and kernel stack; returns how many are in D state */
/* one task's kernel stack as diagnostics */
static void dump_stack_of(pid_t pid, int tid, const char *what)
{
	char p[128], buf[4096], wchan[128] = "?";
	snprintf(p, sizeof(p), "/proc/%d/task/%d/wchan", pid, tid);
	read_small(p, wchan, sizeof(wchan));
	diag("%s tid=%d wchan=%s", what, tid, wchan);
	snprintf(p, sizeof(p), "/proc/%d/task/%d/stack", pid, tid);
	if (read_file(p, buf, sizeof(buf)) < 0)
		return;
	for (char *s, *l = strtok_r(buf, "\n", &s); l; l = strtok_r(NULL, "\n", &s))
		diag("  stack %d: %s", tid, l);
}

static int nrunning;	/* racer tasks in R state at the last dump_tasks */

/* each task of the racer: role, state, wchan and kernel stack; returns how many are in D state */
static int dump_tasks(pid_t pid)
{
	nrunning = 0;
	char dir[64], p[128], buf[4096];
	int nd = 0;
	snprintf(dir, sizeof(dir), "/proc/%d/task", pid);
	DIR *dp = opendir(dir);
	if (!dp) {
		diag("watchdog: %s: %s", dir, errname(errno));
		return 0;
	}
	struct dirent *de;
	while ((de = readdir(dp))) {
		if (de->d_name[0] == '.')
			continue;
		int tid = atoi(de->d_name);
		const char *role = "main";
		for (int i = 0; i < sh->nthreads; i++)
			if (sh->t[i].tid == tid)
				role = opname[sh->t[i].op];
		char state = '?', wchan[128] = "?";
		snprintf(p, sizeof(p), "%s/%d/stat", dir, tid);
		if (read_small(p, buf, sizeof(buf)) > 0) {
			char *rp = strrchr(buf, ')');
			if (rp && rp[1])
				state = rp[2];
		}
		snprintf(p, sizeof(p), "%s/%d/wchan", dir, tid);
		read_small(p, wchan, sizeof(wchan));
		nd += state == 'D';
		nrunning += state == 'R' && strcmp(role, "main");
		diag("task tid=%d role=%s state=%c wchan=%s", tid, role, state, wchan);
		snprintf(p, sizeof(p), "%s/%d/stack", dir, tid);
		int r = read_file(p, buf, sizeof(buf));
		if (r < 0) {
			diag("  stack: unavailable (%s)", errname(-r));
			continue;
		}
		for (char *s, *l = strtok_r(buf, "\n", &s); l; l = strtok_r(NULL, "\n", &s))
			diag("  stack %d: %s", tid, l);
	}
	closedir(dp);
	return nd;
}

static void relay(int fd)
{
	static char line[2048];
	static size_t ll;
	char b[4096];
	ssize_t n = read(fd, b, sizeof(b));
	for (ssize_t i = 0; i < n; i++) {
		if (b[i] == '\n' || ll == sizeof(line) - 1) {
			line[ll] = 0;
			printf("%s\n", line);
			ll = 0;
		} else {
			line[ll++] = b[i];
		}
	}
	fflush(stdout);
}

static const struct rdef *cur_def;
static const char *L(const char *what)
{
	static char b[4][96];
	static int k;
	k = (k + 1) % 4;
	snprintf(b[k], sizeof(b[k]), "%s.%s", cur_def->id, what);
	return b[k];
}

static void race_case(const struct rdef *d)
{
	cur_def = d;
	long iters = race_iterations > 0 ? race_iterations : RACE_ITERS;
	u64 seed = race_seed_set ? race_seed : (u64)now_ns() ^ ((u64)getpid() << 32);
	diag("seed=0x%llx iterations=%ld threads=%s%s%s%s%s mode=%s", (unsigned long long)seed, iters, opname[d->ops[0]],
	     d->ops[1] ? "," : "", d->ops[1] ? opname[d->ops[1]] : "", d->ops[2] ? "," : "", d->ops[2] ? opname[d->ops[2]] : "",
	     d->rounds ? "rounds" : "loop");
	if (has(d, OP_PREFAULT) && !C.pre_fault) {
		skip_rest("needs KVM_CAP_PRE_FAULT_MEMORY");
		return;
	}
	if (has(d, OP_MBIND) && C.numa_nodes < 2)
		diag("one NUMA node: mbind only switches policies");
	/* a stuck kernel shows in seconds: the racer's D-state tasks are reported by the hung-task detector */
	int hung = write_str("/proc/sys/kernel/hung_task_timeout_secs", "10") >= 0;
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	memset(sh, 0, sizeof(*sh));
	sh->ops_res = sh->inv_res = R_ERROR;
	snprintf(sh->ops_why, 256, "the racer died before reporting");
	snprintf(sh->inv_why, 256, "the racer died before reporting");
	long base_kb = meminfo_kb("Unevictable");
	int pfd[2];
	if (pipe(pfd)) {
		error_rest("pipe: %s", errname(errno));
		return;
	}
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		close(pfd[0]);
		int nul = open("/dev/null", O_RDONLY);
		dup2(nul, 0);	/* a racer stuck for good must not hold the agent's stdin (the SSH channel) */
		close(nul);
		dup2(pfd[1], 1);
		dup2(pfd[1], 2);
		close(pfd[1]);
		racer(d, seed, iters);
		fflush(stdout);
		_exit(0);
	}
	close(pfd[1]);
	long t0 = now_ns(), last_move = t0, last[MAXT] = {0}, changed[MAXT] = {t0, t0, t0};
	int slow_dumped[MAXT] = {0};
	int status = 0, exited = 0, open_ = 1;
	while (!exited) {
		struct pollfd p = {pfd[0], POLLIN, 0};
		if (open_ && poll(&p, 1, 200) > 0) {
			if (p.revents & (POLLHUP | POLLERR) && !(p.revents & POLLIN))
				open_ = 0;
			else
				relay(pfd[0]);
		} else if (!open_) {
			usleep(200000);
		}
		if (waitpid(pid, &status, WNOHANG) == pid) {
			exited = 1;
			break;
		}
		int moved = 0;
		long now = now_ns();
		for (int i = 0; i < sh->nthreads; i++) {
			if (sh->t[i].iters != last[i])
				changed[i] = now;
			moved |= sh->t[i].iters != last[i];
			last[i] = sh->t[i].iters;
			/* one operation slower than STALL_S while the others go on: not a deadlock, but say where it waits */
			if (!sh->t[i].done && !slow_dumped[i] && now - changed[i] > STALL_S * 1000000000L && sh->t[i].tid) {
				slow_dumped[i] = 1;
				char w[96];
				snprintf(w, sizeof(w), "slow: %s has not finished one operation for %d s;", opname[sh->t[i].op], STALL_S);
				dump_stack_of(pid, sh->t[i].tid, w);
			}
		}
		if (moved || sh->state)
			last_move = now;
		int all_done = sh->nthreads > 0;
		for (int i = 0; i < sh->nthreads; i++)
			all_done &= sh->t[i].done;
		/* stalled: some thread has not advanced for STALL_S; or the whole case (checks, teardown) overran */
		int stalled = !all_done && now - last_move > STALL_S * 1000000000L;
		int overran = now - t0 > (RACE_MAX_S + 40) * 1000000000L;
		if (stalled || overran) {
			int running = 0;
			if (!__atomic_compare_exchange_n(&sh->state, &running, 2, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST) &&
			    !overran)
				continue;	/* the racer finished just now */
			if (stalled)
				diag("watchdog: no progress for %d s after %.1f s of racing", STALL_S, (now - t0) / 1e9);
			else
				diag("watchdog: the racer did not exit within %d s (%s)", RACE_MAX_S + 40,
				     sh->state == 1 ? "stuck in its checks or teardown after the race" : "the race overran");
			for (int i = 0; i < sh->nthreads; i++)
				diag("thread %d %s: %ld iterations%s", i, opname[sh->t[i].op], sh->t[i].iters,
				     sh->t[i].done ? " (returned)" : " (did not return)");
			int nd = dump_tasks(pid);
			write_str("/proc/sysrq-trigger", "w");
			diag("watchdog: sysrq-w written (blocked tasks on the console)");
			if (hung && nd) {
				/* give the hung-task detector its report on the console (the host's crash oracle reads it) */
				sleep(HUNG_TASK_S + 3);
			}
			while (open_) {
				struct pollfd q = {pfd[0], POLLIN, 0};
				if (poll(&q, 1, 100) <= 0 || (q.revents & POLLHUP && !(q.revents & POLLIN)))
					break;
				relay(pfd[0]);
			}
			/* D: blocked on each other for good; R: spinning without progress (a livelock, which the runner's
			 * SIGKILL breaks when the loop checks for signals); else hung somewhere interruptible */
			int started = 0;
			for (int i = 0; i < sh->nthreads; i++)
				started |= sh->t[i].tid != 0;
			if (!nd && !started) {
				/* no racing thread exists yet: the racer is still in its setup (VM, 16 MiB guest_memfd, slot) and
				 * nothing is blocked. Seen only on an overloaded host (guest soft lockups, 20 s boots): no race
				 * happened, so there is no kernel verdict to give */
				diag("class=setup-stall tasks_in_D=0: no racing thread started within %d s", STALL_S);
				leaf(L("no_deadlock"), R_ERROR, "the racer's setup did not finish within %d s and no task is blocked "
				     "(host too slow for the watchdog?); re-run the case", STALL_S);
				error_rest("not evaluated: the race did not start");
				close(pfd[0]);
				return;
			}
			const char *cls = nd ? "deadlock" : nrunning ? "livelock" : "hung";
			diag("class=%s tasks_in_D=%d tasks_running=%d", cls, nd, nrunning);
			if (nd)	/* tasks not in D state die with the runner's SIGKILL to the case's process group */
				mark_stuck(d->name, nd);
			leaf(L("no_deadlock"), R_FAIL, "%s: %d task(s) in D state, %d running, no progress for %d s", cls, nd,
			     nrunning, STALL_S);
			error_rest("not evaluated: the race did not finish (%s)", cls);
			close(pfd[0]);
			return;	/* the racer stays behind: D-state tasks cannot be killed or reaped */
		}
	}
	while (open_) {
		struct pollfd q = {pfd[0], POLLIN, 0};
		if (poll(&q, 1, 100) <= 0 || (q.revents & POLLHUP && !(q.revents & POLLIN)))
			break;
		relay(pfd[0]);
	}
	close(pfd[0]);
	if (sh->state != 1) {
		const char *why = WIFSIGNALED(status) ? strsignal(WTERMSIG(status)) : "exit before the end of the race";
		leaf(L("no_deadlock"), R_PASS, NULL);
		leaf(L("ops_ran"), R_ERROR, "the racer died: %s (%s)", why, sh->ops_why);
		error_rest("not evaluated: the racer died");
		return;
	}
	leaf(L("no_deadlock"), R_PASS, NULL);
	leaf(L("ops_ran"), (enum res)sh->ops_res, "%s", sh->ops_why);
	if (sh->inv_skip)
		leaf(L("invariants"), R_SKIP, "round mode: every round closes the VM and guest_memfd (accounting is the check)");
	else if (sh->inv_res == R_FAIL)
		leaf(L("invariants"), R_FAIL, "%s", sh->inv_why);
	else
		leaf(L("invariants"), (enum res)sh->inv_res, "%s", sh->inv_why);
	/* everything is closed (the racer exited): the unevictable (guest_memfd) memory is back to the baseline */
	usleep(200000);
	long after = meminfo_kb("Unevictable");
	long slack = 512 + 4L * sh->npoison;
	diag("Unevictable: %ld kB before, %ld kB peak during, %ld kB after (slack %ld kB for poisoned pages)", base_kb,
	     sh->unevictable_peak_kb, after, slack);
	if (base_kb < 0 || after < 0)
		leaf(L("accounting"), R_SKIP, "needs Unevictable in /proc/meminfo");
	else if (sh->unevictable_peak_kb <= base_kb && !d->rounds)
		leaf(L("accounting"), R_ERROR, "the meter did not see the guest_memfd pages (peak %ld kB <= baseline %ld kB)",
		     sh->unevictable_peak_kb, base_kb);
	else
		leaf_ok(L("accounting"), after <= base_kb + slack, "%ld kB of unevictable memory stayed after every fd was closed",
			after - base_kb);
}

/* ------------------------------------------------------------------ the matrix */
#define BASE (N_ROOT | N_KVM | N_GMEM | N_BIND | N_MMAP)
#define SW (N_ROOT | N_KVM | N_GMEM | N_BIND | N_SWPROT | N_ATTR)
/* X(index, case id, needs, ops, round mode, VM type) */
#define RACES(X) \
	/* the known 7.3 lock-order deadlock: memory_failure (folio lock -> invalidate_lock) vs punch (the reverse) */ \
	X(0, madv_punch, BASE | N_MF, OP_MADV, OP_PUNCH, OP_NONE, 0, 0) \
	/* negative controls: each side of it alone (the poisoner with a host writer, the puncher with a host writer) */ \
	X(1, ctl_madv, BASE | N_MF, OP_MADV, OP_HFAULT, OP_NONE, 0, 0) \
	X(2, ctl_punch, BASE, OP_HFAULT, OP_PUNCH, OP_NONE, 0, 0) \
	X(3, pfn_punch, BASE | N_MF | N_INJECT, OP_PFN, OP_PUNCH, OP_NONE, 0, 0) \
	X(4, madv_alloc, BASE | N_MF, OP_MADV, OP_ALLOC, OP_NONE, 0, 0) \
	X(5, madv_alloc_punch, BASE | N_MF, OP_MADV, OP_ALLOC, OP_PUNCH, 0, 0) \
	X(6, madv_slot, BASE | N_MF, OP_MADV, OP_SLOT, OP_NONE, 0, 0) \
	X(7, madv_gfault, BASE | N_MF, OP_MADV, OP_GFAULT, OP_NONE, 0, 0) \
	X(8, madv_prefault, BASE | N_MF, OP_MADV, OP_PREFAULT, OP_NONE, 0, 0) \
	X(9, madv_mbind, BASE | N_MF, OP_MADV, OP_MBIND, OP_NONE, 0, 0) \
	X(10, punch_gfault, BASE, OP_PUNCH, OP_GFAULT, OP_NONE, 0, 0) \
	X(11, punch_prefault, BASE, OP_PUNCH, OP_PREFAULT, OP_NONE, 0, 0) \
	X(12, punch_slot, BASE, OP_PUNCH, OP_SLOT, OP_NONE, 0, 0) \
	X(13, punch_alloc, BASE, OP_PUNCH, OP_ALLOC, OP_NONE, 0, 0) \
	X(14, punch_mbind, BASE, OP_PUNCH, OP_MBIND, OP_HFAULT, 0, 0) \
	X(15, slot_gfault, BASE, OP_SLOT, OP_GFAULT, OP_NONE, 0, 0) \
	X(16, slot_prefault, BASE, OP_SLOT, OP_PREFAULT, OP_NONE, 0, 0) \
	X(17, alloc_gfault, BASE, OP_ALLOC, OP_GFAULT, OP_NONE, 0, 0) \
	X(18, gfault_punch_slot, BASE, OP_GFAULT, OP_PUNCH, OP_SLOT, 0, 0) \
	X(19, attr_gfault, SW, OP_ATTR, OP_GFAULT, OP_NONE, 0, 1) \
	X(20, attr_punch, SW, OP_ATTR, OP_PUNCH, OP_NONE, 0, 1) \
	X(21, attr_prefault, SW, OP_ATTR, OP_PREFAULT, OP_NONE, 0, 1) \
	X(22, closegmem_gfault, BASE, OP_CLOSE_GMEM, OP_GFAULT, OP_NONE, 1, 0) \
	X(23, closegmem_slot, BASE, OP_CLOSE_GMEM, OP_SLOT, OP_NONE, 1, 0) \
	X(24, closegmem_closevm, BASE, OP_CLOSE_GMEM, OP_CLOSE_VM, OP_NONE, 1, 0) \
	X(25, closevm_punch, BASE, OP_CLOSE_VM, OP_PUNCH, OP_NONE, 1, 0)

#define DEF(i, id, needs, a, b, c, rounds, type) {"race." #id, #id, {a, b, c}, rounds, type},
static const struct rdef defs[] = {RACES(DEF)};
#define FN(i, id, needs, a, b, c, rounds, type) static void f##i(void) { race_case(&defs[i]); }
RACES(FN)
#define KC(i, id, needs, a, b, c, rounds, type) \
	{"race." #id, needs, 90, f##i, {#id ".no_deadlock", #id ".ops_ran", #id ".invariants", #id ".accounting", NULL}},
struct kcase race_cases[] = {RACES(KC)};
int race_ncases = ARRAY_SIZE(race_cases);
