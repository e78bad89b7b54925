/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the guest test programs (tests/importer, tests/analyzer,
 * tests/stress).  Test code only: never part of the kernel series.
 */
#ifndef VDT_VFIO_H
#define VDT_VFIO_H

#include <dirent.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include <linux/vfio.h>

/* The largest payload vdt_feature() carries */
#define VDT_FEATURE_MAX	64

/*
 * VFIO_DEVICE_FEATURE on device fd @fd with @flags and a payload of @size
 * bytes at @data, which gets what the kernel wrote back.  Returns the
 * ioctl's result or -errno (-E2BIG for a payload over VDT_FEATURE_MAX).
 */
static inline int vdt_feature(int fd, uint32_t flags, void *data, size_t size)
{
	uint64_t buf[(sizeof(struct vfio_device_feature) + VDT_FEATURE_MAX) /
		     sizeof(uint64_t)] = { 0 };
	struct vfio_device_feature *hdr = (struct vfio_device_feature *)buf;
	unsigned char *payload = (unsigned char *)buf + sizeof(*hdr);
	int ret;

	if (size > VDT_FEATURE_MAX)
		return -E2BIG;
	hdr->argsz = sizeof(*hdr) + size;
	hdr->flags = flags;
	memcpy(payload, data, size);
	ret = ioctl(fd, VFIO_DEVICE_FEATURE, hdr);
	if (ret < 0)
		return -errno;
	memcpy(data, payload, size);
	return ret;
}

/*
 * The vfio cdev of PCI function @bdf (/dev/vfio/devices/vfioN, named in its
 * sysfs vfio-dev directory) into @path.  0, or -errno (-ENOENT: none).
 */
static inline int vdt_find_cdev(const char *bdf, char *path, size_t size)
{
	char dirpath[300];
	struct dirent *e;
	DIR *dir;

	snprintf(dirpath, sizeof(dirpath), "/sys/bus/pci/devices/%s/vfio-dev", bdf);
	dir = opendir(dirpath);
	if (!dir)
		return -errno;
	path[0] = 0;
	while ((e = readdir(dir))) {
		if (!strncmp(e->d_name, "vfio", 4)) {
			snprintf(path, size, "/dev/vfio/devices/%s", e->d_name);
			break;
		}
	}
	closedir(dir);
	return path[0] ? 0 : -ENOENT;
}

/*
 * The address of BAR @bar of PCI function @bdf, from its sysfs resource
 * file (on x86 the bus address is the CPU address), into @addr.  0 or
 * -errno.
 */
static inline int vdt_bar_addr(const char *bdf, int bar, uint64_t *addr)
{
	char path[300], line[200];
	FILE *f;
	int i;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/resource", bdf);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	for (i = 0; i <= bar && fgets(line, sizeof(line), f); i++)
		if (i == bar)
			*addr = strtoull(line, NULL, 16);
	fclose(f);
	return 0;
}

/*
 * Active objects of slab cache @cache (from /proc/slabinfo) after asking
 * SLUB to shrink it, which also empties KASAN's quarantine of that cache,
 * where freed objects otherwise still count as active; -1 if unknown.
 */
static inline long vdt_slab_active(const char *cache)
{
	char line[512], name[64];
	long active = -1, n;
	FILE *f;

	snprintf(line, sizeof(line), "/sys/kernel/slab/%s/shrink", cache);
	f = fopen(line, "w");
	if (f) {
		fputs("1", f);
		fclose(f);
	}
	f = fopen("/proc/slabinfo", "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%63s %ld", name, &n) == 2 && !strcmp(name, cache))
			active = n;
	fclose(f);
	return active;
}

#endif /* VDT_VFIO_H */
