/* Thin wrappers over KVM / guest_memfd ioctls. Return conventions:
 * fd-returning helpers give fd or -errno; the others give 0 or errno. */
#include "kval.h"
#include <string.h>
#include <stdlib.h>
#include <unistd.h>
#include <fcntl.h>

int kvm_fd = -1;

long check_ext(int fd, long cap)
{
	long r = ioctl(fd, KVM_CHECK_EXTENSION, cap);
	return r < 0 ? 0 : r;
}

int create_vm(int type)
{
	int r;
	do
		r = ioctl(kvm_fd, KVM_CREATE_VM, type);
	while (r < 0 && errno == EINTR);
	return r < 0 ? -errno : r;
}

int gmem_create(int vm, u64 size, u64 flags)
{
	struct kvm_create_guest_memfd g;
	memset(&g, 0, sizeof(g));
	g.size = size;
	g.flags = flags;
	int r = ioctl(vm, KVM_CREATE_GUEST_MEMFD, &g);
	return r < 0 ? -errno : r;
}

int set_region2(int vm, u32 slot, u32 flags, u64 gpa, u64 size, void *hva, int gfd, u64 goff)
{
	struct kvm_userspace_memory_region2 r;
	memset(&r, 0, sizeof(r));
	r.slot = slot;
	r.flags = flags;
	r.guest_phys_addr = gpa;
	r.memory_size = size;
	r.userspace_addr = (uintptr_t)hva;
	r.guest_memfd = (u32)gfd;
	r.guest_memfd_offset = goff;
	return ioctl(vm, KVM_SET_USER_MEMORY_REGION2, &r) < 0 ? errno : 0;
}

int set_region1(int vm, u32 slot, u32 flags, u64 gpa, u64 size, void *hva)
{
	struct kvm_userspace_memory_region r = {slot, flags, gpa, size, (uintptr_t)hva};
	return ioctl(vm, KVM_SET_USER_MEMORY_REGION, &r) < 0 ? errno : 0;
}

int gmem_falloc(int fd, int mode, u64 off, u64 len)
{
	int r;
	do
		r = fallocate(fd, mode, (off_t)off, (off_t)len);
	while (r < 0 && errno == EINTR);
	return r < 0 ? errno : 0;
}

int set_attributes(int vm, u64 gpa, u64 size, u64 attrs)
{
	struct kvm_memory_attributes a = {gpa, size, attrs, 0};
	return ioctl(vm, KVM_SET_MEMORY_ATTRIBUTES, &a) < 0 ? errno : 0;
}

/* read one u64 stat by name from a binary stats fd (KVM_GET_STATS_FD) */
int stats_read(int sfd, const char *name, u64 *val)
{
	struct kvm_stats_header h;
	if (sfd < 0 || pread(sfd, &h, sizeof(h), 0) != sizeof(h))
		return -1;
	size_t dsz = sizeof(struct kvm_stats_desc) + h.name_size;
	char *d = malloc(dsz * h.num_desc);
	if (!d)
		return -1;
	if (pread(sfd, d, dsz * h.num_desc, h.desc_offset) != (ssize_t)(dsz * h.num_desc)) {
		free(d);
		return -1;
	}
	int rc = -1;
	for (u32 i = 0; i < h.num_desc; i++) {
		struct kvm_stats_desc *s = (struct kvm_stats_desc *)(d + i * dsz);
		if (strncmp(s->name, name, h.name_size))
			continue;
		if (pread(sfd, val, 8, h.data_offset + s->offset) == 8)
			rc = 0;
		break;
	}
	free(d);
	return rc;
}
