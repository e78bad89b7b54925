// SPDX-License-Identifier: GPL-2.0
/*
 * nonbar_test - VFIO_DEVICE_FEATURE_DMA_BUF_TPH refuses a dma-buf that is
 * not a BAR of the function.
 *
 * The function is bound to vdt_nonbar.ko (tests/variant), a vfio-pci variant
 * whose dma-bufs are, while its "nonbar" parameter is set, the memory after
 * the BAR with the BAR's P2PDMA provider: the shape of nvgrace-gpu's device
 * memory.  The function's completer bits describe its BAR, not that memory,
 * so hints must be refused there (-EOPNOTSUPP) and no importer may be
 * offered any, while a dma-buf of the BAR itself, exported by the same
 * driver, takes hints as with vfio-pci.
 *
 * Environment (tests/guest/tests.d/57-nonbar):
 *   VDT_NONBAR_BDF       the function, a TPH completer bound to vdt_nonbar
 *   VDT_NONBAR_IMPORTER  a PCI function the test importer attaches for
 *   VDT_NONBAR_PARAM     the module parameter file (sysfs)
 * Prints TAP; exit status 0 when nothing failed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/ioctl.h>

#include <linux/iommufd.h>
#include <linux/vfio.h>

#include "vdt_vfio.h"
#include "tph_importer.h"

static int iommufd = -1, dev = -1, importer = -1;
static int bar_buf = -1, nonbar_buf = -1;
static const char *importer_bdf;
static int n, failed;

static void result(bool ok, const char *what, int got, int want)
{
	n++;
	if (ok) {
		printf("ok %d - %s\n", n, what);
		return;
	}
	failed++;
	printf("not ok %d - %s\n# got %d (%s), expected %d (%s)\n", n, what,
	       got, strerror(-got), want, strerror(-want));
}

static int set_nonbar(const char *param, bool on)
{
	int fd = open(param, O_WRONLY | O_CLOEXEC);
	int ret = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, on ? "1" : "0", 1) != 1)
		ret = -errno;
	close(fd);
	return ret;
}

static int dev_open(const char *bdf)
{
	struct vfio_device_bind_iommufd bind = { .argsz = sizeof(bind) };
	struct vfio_device_attach_iommufd_pt attach = { .argsz = sizeof(attach) };
	struct iommu_ioas_alloc ioas = { .size = sizeof(ioas) };
	char path[300];
	int ret;

	iommufd = open("/dev/iommu", O_RDWR | O_CLOEXEC);
	if (iommufd < 0)
		return -errno;
	ret = vdt_find_cdev(bdf, path, sizeof(path));
	if (ret)
		return ret;
	dev = open(path, O_RDWR | O_CLOEXEC);
	if (dev < 0)
		return -errno;
	bind.iommufd = iommufd;
	if (ioctl(dev, VFIO_DEVICE_BIND_IOMMUFD, &bind) ||
	    ioctl(iommufd, IOMMU_IOAS_ALLOC, &ioas))
		return -errno;
	attach.pt_id = ioas.out_ioas_id;
	if (ioctl(dev, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &attach))
		return -errno;
	return 0;
}

/* A dma-buf of the first page of BAR 0, as the driver exports it now */
static int export_bar0(void)
{
	struct {
		struct vfio_device_feature_dma_buf get;
		struct vfio_region_dma_range range;
	} arg = {
		.get = { .region_index = 0, .open_flags = O_RDWR | O_CLOEXEC,
			 .nr_ranges = 1 },
		.range = { .offset = 0, .length = getpagesize() },
	};

	return vdt_feature(dev, VFIO_DEVICE_FEATURE_GET | VFIO_DEVICE_FEATURE_DMA_BUF,
			   &arg, sizeof(arg));
}

static int tph(int fd, uint32_t op, struct vfio_device_feature_dma_buf_tph *t)
{
	t->dmabuf_fd = fd;
	return vdt_feature(dev, op | VFIO_DEVICE_FEATURE_DMA_BUF_TPH, t, sizeof(*t));
}

static int tph_set(int fd, uint32_t flags, uint8_t st, uint8_t ph)
{
	struct vfio_device_feature_dma_buf_tph t = {
		.flags = flags, .steering_tag = st, .ph = ph,
	};

	return tph(fd, VFIO_DEVICE_FEATURE_SET, &t);
}

/* What the test importer, attached for VDT_NONBAR_IMPORTER, is offered */
static int offered(int fd, bool extended)
{
	struct tph_importer_attach a = { .dmabuf_fd = fd };
	struct tph_importer_query q = { 0 };
	struct tph_importer_detach d = { 0 };
	int ret;

	snprintf(a.pci_name, sizeof(a.pci_name), "%s", importer_bdf);
	if (ioctl(importer, TPH_IMPORTER_ATTACH, &a))
		return -errno;
	q.handle = a.handle;
	q.flags = extended ? TPH_IMPORTER_QUERY_EXTENDED : 0;
	ret = ioctl(importer, TPH_IMPORTER_QUERY, &q) ? -errno : q.ret;
	d.handle = a.handle;
	ioctl(importer, TPH_IMPORTER_DETACH, &d);
	return ret;
}

int main(void)
{
	const char *bdf = getenv("VDT_NONBAR_BDF");
	const char *param = getenv("VDT_NONBAR_PARAM");
	struct vfio_device_feature_dma_buf_tph t;
	int ret;

	importer_bdf = getenv("VDT_NONBAR_IMPORTER");
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("TAP version 13\n1..9\n");
	if (!bdf || !param || !importer_bdf) {
		printf("Bail out! VDT_NONBAR_BDF, VDT_NONBAR_IMPORTER and VDT_NONBAR_PARAM must be set\n");
		return 1;
	}
	importer = open("/dev/tph_importer", O_RDWR | O_CLOEXEC);
	ret = importer < 0 ? -errno : dev_open(bdf);
	if (ret) {
		printf("Bail out! setup of %s and the test importer: %s\n", bdf,
		       strerror(-ret));
		return 1;
	}

	/* Control: the variant exports its BAR like vfio-pci, hints accepted */
	ret = set_nonbar(param, false);
	bar_buf = ret ? ret : export_bar0();
	result(bar_buf >= 0, "control: a dma-buf of BAR 0 is exported", bar_buf, 0);
	ret = tph_set(bar_buf, VFIO_DMA_BUF_TPH_ST, 0x42, 1);
	result(ret == 0, "control: SET on a dma-buf of the BAR succeeds", ret, 0);
	ret = offered(bar_buf, false);
	result(ret == 0, "control: an importer of the BAR is offered the tag", ret, 0);

	/* The same export, now of memory outside the BAR */
	ret = set_nonbar(param, true);
	nonbar_buf = ret ? ret : export_bar0();
	result(nonbar_buf >= 0, "a dma-buf of memory outside the BAR is exported",
	       nonbar_buf, 0);
	ret = tph_set(nonbar_buf, VFIO_DMA_BUF_TPH_ST, 0x42, 1);
	result(ret == -EOPNOTSUPP, "SET on a dma-buf that is not a BAR: EOPNOTSUPP",
	       ret, -EOPNOTSUPP);
	ret = tph_set(nonbar_buf, 0, 0, 0);
	result(ret == -EOPNOTSUPP, "clearing SET on it: EOPNOTSUPP too", ret,
	       -EOPNOTSUPP);
	memset(&t, 0, sizeof(t));
	ret = tph(nonbar_buf, VFIO_DEVICE_FEATURE_GET, &t);
	result(ret == -EOPNOTSUPP, "GET on a dma-buf that is not a BAR: EOPNOTSUPP",
	       ret, -EOPNOTSUPP);
	ret = offered(nonbar_buf, false);
	result(ret == -EOPNOTSUPP, "an importer of it is offered no hint",
	       ret, -EOPNOTSUPP);

	/* The refusals changed nothing on the BAR's dma-buf */
	memset(&t, 0, sizeof(t));
	ret = tph(bar_buf, VFIO_DEVICE_FEATURE_GET, &t);
	if (!ret && (t.flags != VFIO_DMA_BUF_TPH_ST || t.steering_tag != 0x42 ||
		     t.ph != 1))
		ret = -EILSEQ;
	result(ret == 0, "the BAR's dma-buf keeps its hints", ret, 0);

	set_nonbar(param, false);
	return failed ? 1 : 0;
}
