/* Run-time capability probing (never assumes: every value is asked of the kernel). */
#include "kval.h"
#include <string.h>
#include <stdlib.h>
#include <unistd.h>
#include <fcntl.h>
#include <dirent.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>

struct caps C;


static int exists(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0;
}

static void probe_host(void)
{
	char buf[4096];
	C.memory_failure = exists("/proc/sys/vm/memory_failure_recovery");
	static char mnt[65536];
	if (C.root && read_file("/proc/mounts", mnt, sizeof(mnt)) >= 0 && !strstr(mnt, " /sys/kernel/debug debugfs "))
		mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL);	/* only if not mounted yet */
	C.debugfs = exists("/sys/kernel/debug/kvm") || exists("/sys/kernel/debug/hwpoison") ||
		    exists("/sys/kernel/debug/tracing") || exists("/sys/kernel/debug/block");
	if (C.root && C.memory_failure && !exists("/sys/kernel/debug/hwpoison/corrupt-pfn") &&
	    exists("/sbin/modprobe")) {
		pid_t p = fork();
		if (p == 0) {
			int nfd = open("/dev/null", O_RDWR);
			dup2(nfd, 1);
			dup2(nfd, 2);
			execl("/sbin/modprobe", "modprobe", "-q", "hwpoison_inject", (char *)NULL);
			_exit(127);
		}
		if (p > 0)
			waitpid(p, NULL, 0);
	}
	C.hwpoison_inject = exists("/sys/kernel/debug/hwpoison/corrupt-pfn");
	if (read_file("/sys/kernel/mm/transparent_hugepage/enabled", buf, sizeof(buf)) > 0) {
		char *a = strchr(buf, '['), *b = a ? strchr(a, ']') : NULL;
		if (a && b)
			snprintf(C.thp, sizeof(C.thp), "%.*s", (int)(b - a - 1), a + 1);
	}
	if (!C.thp[0])
		strcpy(C.thp, "none");
	C.hugetlbfs = read_file("/proc/filesystems", buf, sizeof(buf)) > 0 && strstr(buf, "hugetlbfs");
	DIR *d = opendir("/sys/devices/system/node");
	if (d) {
		struct dirent *e;
		while ((e = readdir(d)))
			if (!strncmp(e->d_name, "node", 4) && e->d_name[4] >= '0' && e->d_name[4] <= '9')
				C.numa_nodes++;
		closedir(d);
	}
	static char cpu[1 << 16];
	if (read_file("/proc/cpuinfo", cpu, sizeof(cpu)) > 0) {
		char *v = strstr(cpu, "vendor_id");
		if (v && (v = strchr(v, ':')))
			sscanf(v + 1, "%15s", C.vendor);
		char *f = strstr(cpu, "\nflags");
		char *e = f ? strchr(f + 1, '\n') : NULL;
		if (f && e) {
			*e = 0;
			C.vmx = strstr(f, " vmx") != NULL;
			C.svm = strstr(f, " svm") != NULL;
			C.hypervisor = strstr(f, " hypervisor") != NULL;
		}
	}
	C.pvm = exists("/sys/module/kvm_pvm");
	C.tdp_mmu = -1;
	if (read_file("/sys/module/kvm/parameters/tdp_mmu", buf, sizeof(buf)) > 0)
		C.tdp_mmu = buf[0] == 'Y' || buf[0] == '1';
}

static void probe_vm_type(int t)
{
	C.mem_attr[t] = C.gmem_cap[t] = C.gmem_flags[t] = -1;
	int vm = create_vm(t);
	if (vm < 0) {
		C.vm_errno[t] = -vm;
		return;
	}
	C.vm_ok[t] = 1;
	C.mem_attr[t] = check_ext(vm, KVM_CAP_MEMORY_ATTRIBUTES);
	C.gmem_cap[t] = check_ext(vm, KVM_CAP_GUEST_MEMFD);
	C.gmem_flags[t] = check_ext(vm, KVM_CAP_GUEST_MEMFD_FLAGS);
	int g = gmem_create(vm, PS, 0);
	if (g < 0) {
		C.gmem_create_errno[t] = -g;
	} else {
		C.gmem_create[t] = 1;
		int e = set_region2(vm, 5, KVM_MEM_GUEST_MEMFD, 4 * GB, PS, NULL, g, 0);
		C.gmem_bind[t] = !e;
		C.gmem_bind_errno[t] = e;
		if (t == 0) {
			struct kvm_memory_attributes2 a2;
			memset(&a2, 0, sizeof(a2));
			C.attr2 = !(ioctl(g, KVM_SET_MEMORY_ATTRIBUTES2, &a2) < 0 && errno == ENOTTY);
			int vm2 = create_vm(t);
			if (vm2 >= 0) {
				struct kvm_link_guest_memfd l;
				memset(&l, 0, sizeof(l));
				l.fd = g;
				int nf = ioctl(vm2, KVM_LINK_GUEST_MEMFD, &l);
				C.link_gmem = nf >= 0;
				if (nf >= 0)
					close(nf);
				close(vm2);
			}
		}
		close(g);
	}
	close(vm);
}

void caps_probe(void)
{
	struct utsname u;
	uname(&u);
	snprintf(C.release, sizeof(C.release), "%s", u.release);
	int a = 0, b = 0, c = 0;
	sscanf(u.release, "%d.%d.%d", &a, &b, &c);
	C.kver = a * 10000 + b * 100 + (c > 99 ? 99 : c);
	C.root = geteuid() == 0;
	probe_host();
	C.guest_cpl = C.pvm ? 3 : 0;
	for (int t = 0; t < NVMTYPES; t++)
		C.mem_attr[t] = C.gmem_cap[t] = C.gmem_flags[t] = -1;
	kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm_fd < 0) {
		snprintf(C.kvm_err, sizeof(C.kvm_err), "no /dev/kvm: %s", strerror(errno));
		return;
	}
	C.api_version = ioctl(kvm_fd, KVM_GET_API_VERSION, 0);
	if (C.api_version != 12) {
		snprintf(C.kvm_err, sizeof(C.kvm_err), "no /dev/kvm: KVM API version %d", C.api_version);
		return;
	}
	C.kvm_ok = 1;
	C.user_memory2 = check_ext(kvm_fd, KVM_CAP_USER_MEMORY2);
	C.memory_fault_info = check_ext(kvm_fd, KVM_CAP_MEMORY_FAULT_INFO);
	C.guest_memfd = check_ext(kvm_fd, KVM_CAP_GUEST_MEMFD);
	C.vm_types = check_ext(kvm_fd, KVM_CAP_VM_TYPES);
	C.pre_fault = check_ext(kvm_fd, KVM_CAP_PRE_FAULT_MEMORY);
	C.mce_banks = check_ext(kvm_fd, KVM_CAP_MCE);
	C.exit_hypercall = check_ext(kvm_fd, KVM_CAP_EXIT_HYPERCALL);
	C.binary_stats = check_ext(kvm_fd, KVM_CAP_BINARY_STATS_FD);
	C.move_enc = check_ext(kvm_fd, KVM_CAP_VM_MOVE_ENC_CONTEXT_FROM);
	C.copy_enc = check_ext(kvm_fd, KVM_CAP_VM_COPY_ENC_CONTEXT_FROM);
	C.readonly_mem = check_ext(kvm_fd, KVM_CAP_READONLY_MEM);
	C.mem_attr_dev = check_ext(kvm_fd, KVM_CAP_MEMORY_ATTRIBUTES);
	C.gmem_flags_dev = check_ext(kvm_fd, KVM_CAP_GUEST_MEMFD_FLAGS);
	if (C.mce_banks > 0)
		ioctl(kvm_fd, KVM_X86_GET_MCE_CAP_SUPPORTED, &C.mce_cap_supported);
	for (int t = 0; t < NVMTYPES; t++)
		probe_vm_type(t);
}

const char *caps_summary(void)
{
	static char b[512];
	if (!C.kvm_ok) {
		snprintf(b, sizeof(b), "kvm=0 reason=\"%s\" memory_failure=%d", C.kvm_err, C.memory_failure);
		return b;
	}
	snprintf(b, sizeof(b),
		 "kvm=1 vm_types=0x%lx guest_memfd=%ld gmem_flags=0x%lx gmem_bind_default=%d mem_attr_swprot=%ld "
		 "memory_failure=%d hwpoison_inject=%d mce_banks=%ld pvm=%d tdp_mmu=%d thp=%s cpu=%s%s%s guest_cpl=%d",
		 C.vm_types, C.guest_memfd, C.gmem_flags[0] < 0 ? 0 : C.gmem_flags[0], C.gmem_bind[0],
		 C.mem_attr[1], C.memory_failure, C.hwpoison_inject, C.mce_banks, C.pvm, C.tdp_mmu, C.thp,
		 C.vendor, C.svm ? "+svm" : "", C.vmx ? "+vmx" : "", C.guest_cpl);
	return b;
}

static void jarr_l(const char *k, const long *v, int last)
{
	printf("  \"%s\": {", k);
	for (int t = 0; t < NVMTYPES; t++)
		printf("\"%d\": %ld%s", t, v[t], t + 1 < NVMTYPES ? ", " : "");
	printf("}%s\n", last ? "" : ",");
}

static void jarr_i(const char *k, const int *v, int last)
{
	long l[NVMTYPES];
	for (int t = 0; t < NVMTYPES; t++)
		l[t] = v[t];
	jarr_l(k, l, last);
}

void caps_print_json(void)
{
	printf("{\n  \"agent_version\": \"%s\",\n  \"kernel_release\": \"%s\",\n", KVAL_VERSION, C.release);
	printf("  \"root\": %s,\n  \"kvm_available\": %s,\n  \"kvm_unavailable_reason\": \"%s\",\n",
	       C.root ? "true" : "false", C.kvm_ok ? "true" : "false", C.kvm_err);
	printf("  \"api_version\": %d,\n  \"caps\": {\"user_memory2\": %ld, \"memory_fault_info\": %ld, "
	       "\"memory_attributes\": %ld, \"guest_memfd\": %ld, \"guest_memfd_flags\": %ld, \"vm_types\": %ld, "
	       "\"pre_fault_memory\": %ld, \"mce_banks\": %ld, \"exit_hypercall\": %ld, \"binary_stats_fd\": %ld, "
	       "\"vm_move_enc_context_from\": %ld, \"vm_copy_enc_context_from\": %ld, \"readonly_mem\": %ld},\n",
	       C.api_version, C.user_memory2, C.memory_fault_info, C.mem_attr_dev, C.guest_memfd,
	       C.gmem_flags_dev, C.vm_types, C.pre_fault, C.mce_banks, C.exit_hypercall, C.binary_stats,
	       C.move_enc, C.copy_enc, C.readonly_mem);
	printf("  \"mce_cap_supported\": \"0x%llx\",\n", (unsigned long long)C.mce_cap_supported);
	jarr_i("vm_type_creatable", C.vm_ok, 0);
	jarr_i("vm_type_create_errno", C.vm_errno, 0);
	jarr_l("memory_attributes_per_vm_type", C.mem_attr, 0);
	jarr_l("guest_memfd_per_vm_type", C.gmem_cap, 0);
	jarr_l("guest_memfd_flags_per_vm_type", C.gmem_flags, 0);
	jarr_i("guest_memfd_create_works", C.gmem_create, 0);
	jarr_i("guest_memfd_bind_works", C.gmem_bind, 0);
	jarr_i("guest_memfd_bind_errno", C.gmem_bind_errno, 0);
	printf("  \"set_memory_attributes2\": %s,\n  \"link_guest_memfd\": %s,\n", C.attr2 ? "true" : "false",
	       C.link_gmem ? "true" : "false");
	printf("  \"memory_failure\": %s,\n  \"hwpoison_inject\": %s,\n  \"debugfs\": %s,\n",
	       C.memory_failure ? "true" : "false", C.hwpoison_inject ? "true" : "false",
	       C.debugfs ? "true" : "false");
	printf("  \"thp\": \"%s\",\n  \"hugetlbfs\": %s,\n  \"numa_nodes\": %d,\n", C.thp,
	       C.hugetlbfs ? "true" : "false", C.numa_nodes);
	printf("  \"cpu_vendor\": \"%s\",\n  \"vmx\": %s,\n  \"svm\": %s,\n  \"hypervisor\": %s,\n", C.vendor,
	       C.vmx ? "true" : "false", C.svm ? "true" : "false", C.hypervisor ? "true" : "false");
	printf("  \"pvm\": %s,\n  \"tdp_mmu\": %s,\n  \"guest_cpl\": %d\n}\n", C.pvm ? "true" : "false",
	       C.tdp_mmu < 0 ? "null" : C.tdp_mmu ? "true" : "false", C.guest_cpl);
}
