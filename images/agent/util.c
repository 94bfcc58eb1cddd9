/* Small host helpers: clocks, /proc parsing, pagemap, guarded memory access. */
#include "kval.h"
#include <string.h>
#include <stdlib.h>
#include <unistd.h>
#include <fcntl.h>
#include <signal.h>
#include <setjmp.h>
#include <time.h>
#include <sys/mman.h>

long now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000L + ts.tv_nsec;
}

int read_file(const char *path, char *buf, size_t n)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t r = read(fd, buf, n - 1);
	close(fd);
	if (r < 0)
		return -1;
	buf[r] = 0;
	return (int)r;
}

static long kv_kb(const char *path, const char *key)
{
	static char buf[16384];
	if (read_file(path, buf, sizeof(buf)) < 0)
		return -1;
	size_t kl = strlen(key);
	for (char *p = buf; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (!strncmp(p, key, kl) && p[kl] == ':')
			return strtol(p + kl + 1, NULL, 10);
	return -1;
}

long meminfo_kb(const char *key) { return kv_kb("/proc/meminfo", key); }
long status_kb(const char *key) { return kv_kb("/proc/self/status", key); }

long sysctl_read(const char *path)
{
	char b[64];
	if (read_file(path, b, sizeof(b)) < 0)
		return -1;
	return strtol(b, NULL, 10);
}

int write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ssize_t r = write(fd, s, strlen(s));
	int e = errno;
	close(fd);
	return r < 0 ? -e : (int)r;
}

u64 pagemap_entry(void *va)
{
	int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	u64 e = 0;
	if (fd < 0)
		return 0;
	if (pread(fd, &e, 8, ((uintptr_t)va / PS) * 8) != 8)
		e = 0;
	close(fd);
	return e;
}

u64 pagemap_pfn(void *va)
{
	u64 e = pagemap_entry(va);
	if (!(e >> 63))
		return 0;
	return e & ((1ULL << 55) - 1);
}

u64 kpageflags(u64 pfn)
{
	int fd = open("/proc/kpageflags", O_RDONLY | O_CLOEXEC);
	u64 f = ~0ULL;
	if (fd < 0)
		return ~0ULL;
	if (pread(fd, &f, 8, pfn * 8) != 8)
		f = ~0ULL;
	close(fd);
	return f;
}

/* ---- SIGBUS/SIGSEGV handling: synchronous faults jump back, async ones are recorded */
static sigjmp_buf jb;
static volatile int jb_armed;
static volatile int last_code;
volatile int async_sigbus, async_sigbus_code;
volatile void *async_sigbus_addr;

static void on_fault(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	if (jb_armed) {
		jb_armed = 0;
		last_code = si->si_code;
		siglongjmp(jb, sig);
	}
	if (sig == SIGBUS) {
		async_sigbus++;
		async_sigbus_code = si->si_code;
		async_sigbus_addr = si->si_addr;
		return;
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

static void on_alarm(int sig) { (void)sig; }

void sig_setup(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_fault;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGSEGV, &sa, NULL);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;	/* no SA_RESTART: KVM_RUN returns EINTR */
	sigaction(SIGALRM, &sa, NULL);
}

int try_read8(volatile u8 *p, u8 *out, int *si_code)
{
	int sig = sigsetjmp(jb, 1);
	if (sig) {
		if (si_code)
			*si_code = last_code;
		return sig;
	}
	jb_armed = 1;
	u8 v = *p;
	jb_armed = 0;
	if (out)
		*out = v;
	return 0;
}

int try_write8(volatile u8 *p, u8 v, int *si_code)
{
	int sig = sigsetjmp(jb, 1);
	if (sig) {
		if (si_code)
			*si_code = last_code;
		return sig;
	}
	jb_armed = 1;
	*p = v;
	jb_armed = 0;
	return 0;
}

const char *bus_code_name(int c)
{
	switch (c) {
	case 1: return "BUS_ADRALN";
	case 2: return "BUS_ADRERR";
	case 3: return "BUS_OBJERR";
	case KV_BUS_MCEERR_AR: return "BUS_MCEERR_AR";
	case KV_BUS_MCEERR_AO: return "BUS_MCEERR_AO";
	}
	return "BUS_?";
}

/* anonymous MAP_SHARED-free private mapping aligned to `align` (for THP / 2M slots) */
void *map_aligned(size_t len, size_t align, int thp)
{
	u8 *p = mmap(NULL, len + align, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	uintptr_t a = ((uintptr_t)p + align - 1) & ~(uintptr_t)(align - 1);
	if (a > (uintptr_t)p)
		munmap(p, a - (uintptr_t)p);
	munmap((u8 *)a + len, (uintptr_t)p + len + align - (a + len));
	if (thp)
		madvise((void *)a, len, MADV_HUGEPAGE);
	return (void *)a;
}
