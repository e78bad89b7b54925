// SPDX-License-Identifier: GPL-2.0
/*
 * importer_test - end-to-end test of vfio-pci dma-buf TPH hints as a
 * peer-to-peer importer sees them through dma_buf_get_pci_tph().
 *
 * Runs in the QEMU guest after tph_importer.ko is loaded (see
 * tests/guest/tests.d/50-tph-importer) and prints TAP. The devices come from
 * the environment the guest runner exports (tests/guest/run-tests.sh):
 *   VDT_ANA_COMPLETER     exporter on patched QEMU: TPH + Extended TPH
 *                         completer below a PCIe switch
 *   VDT_ANA_REQUESTER     importer below the same switch: the route carries
 *                         End-End TLP Prefixes (patched QEMU)
 *   VFIO_SELFTESTS_BDF    exporter on stock QEMU (no completer anywhere)
 *   VFIO_SELFTESTS_BDF2   importer behind another Root Port: the route goes
 *                         through the host bridge; not a completer
 *   VDT_BDF_TPH_ONLY      TPH-only completer when patched
 *   VDT_BDF_RESERVED      reserved completer encoding: not a completer
 *   VDT_BDF_CONVENTIONAL  conventional PCI function on the root bus
 *   VDT_QEMU              "patched" or "stock"
 * Configurations modelled: the importer is a test module (tph_importer.ko)
 * that attaches for a chosen PCI function and never maps DMA of its own, so
 * this tests what each route is offered, not the wire: below one switch
 * without ACS redirect (PCI_P2PDMA_MAP_BUS_ADDR, Extended offered), behind
 * another Root Port (through the host bridge, PCI_P2PDMA_MAP_THRU_HOST_BRIDGE
 * with the guest's Zen CPU model: 8-bit only), and a conventional PCI
 * function on the root bus.  What arrives on the wire on each route is
 * tests/analyzer's part (tests.d/60-62).
 * Exit status: 0 when no test failed, 1 otherwise.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <time.h>

#include <linux/iommufd.h>
#include <linux/pci_regs.h>
#include <linux/vfio.h>

#include "vdt_vfio.h"
#include "tph_importer.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define ST_BOTH		(VFIO_DMA_BUF_TPH_ST | VFIO_DMA_BUF_TPH_ST_EXT)
#define QUERY_EXT	TPH_IMPORTER_QUERY_EXTENDED

enum result { PASS, FAIL, SKIP };

/* Why the current test failed or was skipped. */
static char why[512];

#define FAIL_IF(cond, ...) do {						\
	if (cond) {							\
		snprintf(why, sizeof(why), __VA_ARGS__);		\
		return FAIL;						\
	}								\
} while (0)

#define SKIP_IF(cond, ...) do {						\
	if (cond) {							\
		snprintf(why, sizeof(why), __VA_ARGS__);		\
		return SKIP;						\
	}								\
} while (0)

/* Fail unless @expr (0 or -errno) equals @expected. */
#define EXPECT_RET(expected, expr) do {					\
	int __ret = (expr);						\
									\
	FAIL_IF(__ret != (expected), "%s: got %d (%s), expected %d (%s)", \
		#expr, __ret, strerror(-__ret), (expected),		\
		strerror(-(expected)));					\
} while (0)

struct vdev {
	const char *bdf;
	int fd;
	uint32_t ioas;
	off_t config_offset;
	bool reset;
};

struct hints {
	uint32_t flags;
	uint16_t st_ext;
	uint8_t st;
	uint8_t ph;
};

static int iommufd = -1;
static int importer = -1;
static const char *qemu;
static const char *bdf2, *bdf_tph_only, *bdf_reserved, *bdf_conventional;
static const char *bdf_peer;	/* importer below the exporter's switch */

static struct vdev primary = { .fd = -1 };
static int buf = -1;		/* dma-buf of @primary */
static bool setup_ok;		/* t_setup() passed */
static bool completer;		/* @primary accepts TPH hints */
static uint32_t att_a;		/* attached before the second SET */
static uint32_t att_b;		/* attached after the second SET */

static const struct hints first = { ST_BOTH, 0x1234, 0x2a, 2 };
static const struct hints second = { ST_BOTH, 0x4321, 0x55, 1 };
static const struct hints st_only = { VFIO_DMA_BUF_TPH_ST, 0, 0x66, 3 };
static const struct hints third = { ST_BOTH, 0x7777, 0x77, 0 };
static const struct hints none_hints = { 0 };

static int vdev_open(struct vdev *d, const char *bdf)
{
	struct vfio_region_info config = {
		.argsz = sizeof(config),
		.index = VFIO_PCI_CONFIG_REGION_INDEX,
	};
	struct vfio_device_bind_iommufd bind = {
		.argsz = sizeof(bind),
		.iommufd = iommufd,
	};
	struct iommu_ioas_alloc ioas = { .size = sizeof(ioas) };
	struct vfio_device_attach_iommufd_pt attach = { .argsz = sizeof(attach) };
	struct vfio_device_info info = { .argsz = sizeof(info) };
	char path[300];
	int ret;

	d->bdf = bdf;
	d->fd = -1;

	ret = vdt_find_cdev(bdf, path, sizeof(path));
	if (ret)
		return ret;

	d->fd = open(path, O_RDWR | O_CLOEXEC);
	if (d->fd < 0)
		return -errno;

	if (ioctl(d->fd, VFIO_DEVICE_BIND_IOMMUFD, &bind) ||
	    ioctl(iommufd, IOMMU_IOAS_ALLOC, &ioas))
		goto err;
	attach.pt_id = ioas.out_ioas_id;
	d->ioas = ioas.out_ioas_id;
	if (ioctl(d->fd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &attach) ||
	    ioctl(d->fd, VFIO_DEVICE_GET_INFO, &info) ||
	    ioctl(d->fd, VFIO_DEVICE_GET_REGION_INFO, &config))
		goto err;

	d->config_offset = config.offset;
	d->reset = info.flags & VFIO_DEVICE_FLAGS_RESET;
	return 0;

err:
	close(d->fd);
	d->fd = -1;
	return -errno;
}

static void vdev_close(struct vdev *d)
{
	if (d->fd >= 0)
		close(d->fd);
	d->fd = -1;
}

static int vdev_memory(struct vdev *d, bool on)
{
	off_t pos = d->config_offset + PCI_COMMAND;
	uint16_t cmd;

	if (pread(d->fd, &cmd, sizeof(cmd), pos) != sizeof(cmd))
		return -EIO;
	cmd = on ? cmd | PCI_COMMAND_MEMORY : cmd & ~PCI_COMMAND_MEMORY;
	if (pwrite(d->fd, &cmd, sizeof(cmd), pos) != sizeof(cmd))
		return -EIO;
	return 0;
}

/* Export the first page of BAR 0 as a dma-buf: fd or -errno. */
static int dmabuf_export(struct vdev *d)
{
	struct {
		struct vfio_device_feature_dma_buf get;
		struct vfio_region_dma_range range;
	} arg = {
		.get = { .region_index = 0, .open_flags = O_RDWR | O_CLOEXEC, .nr_ranges = 1 },
		.range = { .offset = 0, .length = getpagesize() },
	};

	return vdt_feature(d->fd, VFIO_DEVICE_FEATURE_GET | VFIO_DEVICE_FEATURE_DMA_BUF,
		       &arg, sizeof(arg));
}

static int tph_probe(struct vdev *d)
{
	struct vfio_device_feature_dma_buf_tph tph = { .dmabuf_fd = -1 };

	return vdt_feature(d->fd, VFIO_DEVICE_FEATURE_PROBE | VFIO_DEVICE_FEATURE_GET |
		       VFIO_DEVICE_FEATURE_SET | VFIO_DEVICE_FEATURE_DMA_BUF_TPH,
		       &tph, sizeof(tph));
}

static int tph_set(struct vdev *d, int dmabuf_fd, const struct hints *h)
{
	struct vfio_device_feature_dma_buf_tph tph = {
		.dmabuf_fd = dmabuf_fd,
		.flags = h->flags,
		.steering_tag_ext = h->st_ext,
		.steering_tag = h->st,
		.ph = h->ph,
	};

	return vdt_feature(d->fd, VFIO_DEVICE_FEATURE_SET | VFIO_DEVICE_FEATURE_DMA_BUF_TPH,
		       &tph, sizeof(tph));
}

/* Attach through importer file @imp (the races use files of their own) */
static int imp_attach_on(int imp, int dmabuf_fd, const char *bdf,
			 uint32_t flags, uint32_t *handle)
{
	struct tph_importer_attach arg = { .dmabuf_fd = dmabuf_fd, .flags = flags };

	snprintf(arg.pci_name, sizeof(arg.pci_name), "%s", bdf);
	if (ioctl(imp, TPH_IMPORTER_ATTACH, &arg))
		return -errno;
	*handle = arg.handle;
	return 0;
}

static int imp_attach_flags(int dmabuf_fd, const char *bdf, uint32_t flags,
			    uint32_t *handle)
{
	return imp_attach_on(importer, dmabuf_fd, bdf, flags, handle);
}

static int imp_attach(int dmabuf_fd, const char *bdf, uint32_t *handle)
{
	return imp_attach_flags(dmabuf_fd, bdf, 0, handle);
}

static int imp_query_on(int imp, uint32_t handle, uint32_t flags,
			struct tph_importer_query *q)
{
	memset(q, 0, sizeof(*q));
	q->handle = handle;
	q->flags = flags;
	return ioctl(imp, TPH_IMPORTER_QUERY, q) ? -errno : 0;
}

static int imp_query(uint32_t handle, uint32_t flags, struct tph_importer_query *q)
{
	return imp_query_on(importer, handle, flags, q);
}

static int imp_detach_on(int imp, uint32_t handle)
{
	struct tph_importer_detach arg = { .handle = handle };

	return ioctl(imp, TPH_IMPORTER_DETACH, &arg) ? -errno : 0;
}

static int imp_detach(uint32_t handle)
{
	return imp_detach_on(importer, handle);
}

/*
 * Check what attachment @handle reports for the 8-bit (@ext false) or the
 * Extended namespace: the tag and PH of @h, or -EOPNOTSUPP when @h is NULL.
 */
static enum result check_query(uint32_t handle, bool ext, const struct hints *h)
{
	uint32_t flags = ext ? QUERY_EXT : 0;
	const char *ns = ext ? "extended" : "8-bit";
	struct tph_importer_query q;

	EXPECT_RET(0, imp_query(handle, flags, &q));
	if (!h) {
		FAIL_IF(q.ret != -EOPNOTSUPP, "%s query of attachment %u: ret %d, expected %d",
			ns, handle, q.ret, -EOPNOTSUPP);
		return PASS;
	}
	FAIL_IF(q.ret, "%s query of attachment %u: ret %d (%s), expected 0",
		ns, handle, q.ret, strerror(-q.ret));
	FAIL_IF(q.steering_tag != (ext ? h->st_ext : h->st) || q.ph != h->ph,
		"%s query of attachment %u: tag %#x ph %u, expected tag %#x ph %u",
		ns, handle, q.steering_tag, q.ph, ext ? h->st_ext : h->st, h->ph);
	return PASS;
}

/* Both namespaces; NULL for a namespace without hints. */
#define CHECK_BOTH(handle, h8, hext) do {				\
	if (check_query(handle, false, h8) != PASS)			\
		return FAIL;						\
	if (check_query(handle, true, hext) != PASS)			\
		return FAIL;						\
} while (0)

static uint32_t invalidations(uint32_t handle)
{
	struct tph_importer_query q;

	return imp_query(handle, 0, &q) ? UINT32_MAX : q.invalidations;
}

#define NEED_COMPLETER()						\
	SKIP_IF(!completer, "%s is not a TPH completer (VDT_QEMU=%s)",	\
		primary.bdf, qemu)

#define NEED_ENV(var)	SKIP_IF(!(var), #var " is not set")

static enum result t_setup(void)
{
	const char *bdf = getenv(strcmp(qemu, "patched") ? "VFIO_SELFTESTS_BDF" :
				 "VDT_ANA_COMPLETER");

	FAIL_IF(!bdf, "no exporter: VFIO_SELFTESTS_BDF or VDT_ANA_COMPLETER not set");
	importer = open("/dev/tph_importer", O_RDWR | O_CLOEXEC);
	FAIL_IF(importer < 0, "open /dev/tph_importer: %s", strerror(errno));
	iommufd = open("/dev/iommu", O_RDWR | O_CLOEXEC);
	FAIL_IF(iommufd < 0, "open /dev/iommu: %s", strerror(errno));
	EXPECT_RET(0, vdev_open(&primary, bdf));
	EXPECT_RET(0, vdev_memory(&primary, true));
	buf = dmabuf_export(&primary);
	FAIL_IF(buf < 0, "dma-buf export from %s: %s", bdf, strerror(-buf));
	setup_ok = true;
	return PASS;
}

static enum result t_probe_gate(void)
{
	int ret = tph_probe(&primary);

	completer = !ret;
	if (!strcmp(qemu, "stock"))
		FAIL_IF(ret != -ENOTTY, "PROBE on %s: %d, expected %d (stock QEMU)",
			primary.bdf, ret, -ENOTTY);
	else if (!strcmp(qemu, "patched"))
		FAIL_IF(ret, "PROBE on %s: %d, expected 0 (TPH completer)",
			primary.bdf, ret);
	else
		FAIL_IF(ret && ret != -ENOTTY, "PROBE on %s: %d", primary.bdf, ret);
	return PASS;
}

/* Stock QEMU: the completer gate reads real config space and refuses SET. */
static enum result t_stock_set_refused(void)
{
	uint32_t h;

	SKIP_IF(completer, "%s is a TPH completer", primary.bdf);
	FAIL_IF(buf < 0, "no dma-buf");
	EXPECT_RET(-ENOTTY, tph_set(&primary, buf, &first));

	/* Without hints the importer is told there are none. */
	EXPECT_RET(0, imp_attach(buf, bdf2 ?: primary.bdf, &h));
	CHECK_BOTH(h, NULL, NULL);
	EXPECT_RET(0, imp_detach(h));
	return PASS;
}

static enum result t_attach_sees_hints(void)
{
	NEED_COMPLETER();
	NEED_ENV(bdf_peer);
	EXPECT_RET(0, tph_set(&primary, buf, &first));
	EXPECT_RET(0, imp_attach(buf, bdf_peer, &att_a));
	CHECK_BOTH(att_a, &first, &first);
	return PASS;
}

/*
 * Requests from behind another Root Port reach the exporter through the host
 * bridge, where forwarding End-End TLP Prefixes is implementation specific:
 * the Extended tag is not offered, the 8-bit one is.
 */
static enum result t_host_bridge_route(void)
{
	uint32_t h;

	NEED_COMPLETER();
	NEED_ENV(bdf2);
	EXPECT_RET(0, imp_attach(buf, bdf2, &h));
	CHECK_BOTH(h, &first, NULL);
	EXPECT_RET(0, imp_detach(h));
	return PASS;
}

static enum result t_set_keeps_snapshot(void)
{
	NEED_COMPLETER();
	FAIL_IF(!att_a, "no attachment");
	EXPECT_RET(0, tph_set(&primary, buf, &second));
	CHECK_BOTH(att_a, &first, &first);
	return PASS;
}

static enum result t_new_attach_sees_new(void)
{
	NEED_COMPLETER();
	NEED_ENV(bdf_peer);
	EXPECT_RET(0, imp_attach(buf, bdf_peer, &att_b));
	CHECK_BOTH(att_b, &second, &second);
	CHECK_BOTH(att_a, &first, &first);
	return PASS;
}

static enum result t_ext_not_set(void)
{
	uint32_t h;

	NEED_COMPLETER();
	NEED_ENV(bdf_peer);
	EXPECT_RET(0, tph_set(&primary, buf, &st_only));
	EXPECT_RET(0, imp_attach(buf, bdf_peer, &h));
	CHECK_BOTH(h, &st_only, NULL);
	return PASS;
}

static enum result t_cleared(void)
{
	const struct hints none = { 0 };
	uint32_t h;

	NEED_COMPLETER();
	NEED_ENV(bdf_peer);
	EXPECT_RET(0, tph_set(&primary, buf, &none));
	EXPECT_RET(0, imp_attach(buf, bdf_peer, &h));
	CHECK_BOTH(h, NULL, NULL);
	CHECK_BOTH(att_b, &second, &second);
	return PASS;
}

static enum result t_conventional(void)
{
	uint32_t h;

	NEED_COMPLETER();
	NEED_ENV(bdf_conventional);
	EXPECT_RET(0, tph_set(&primary, buf, &third));
	EXPECT_RET(0, imp_attach(buf, bdf_conventional, &h));
	CHECK_BOTH(h, &third, NULL);
	return PASS;
}

/*
 * Hints are for PCI functions: an importer that is none gets no answer, while
 * a PCI function attached to the same buffer does.  (The dma-buf of the
 * earlier cases went with the device close: a fresh one.)
 */
static enum result t_not_pci(void)
{
	enum result res = FAIL;
	uint32_t h, h_pci;
	int fd, ret;

	NEED_COMPLETER();
	NEED_ENV(bdf_peer);
	FAIL_IF(primary.fd < 0, "no device");
	fd = dmabuf_export(&primary);
	FAIL_IF(fd < 0, "dma-buf export: %s", strerror(-fd));
	ret = tph_set(&primary, fd, &third) ?:
	      imp_attach(fd, bdf_peer, &h_pci) ?:
	      imp_attach_flags(fd, bdf_peer, TPH_IMPORTER_ATTACH_NOT_PCI, &h);
	if (ret) {
		printf("# SET or ATTACH failed: %s\n", strerror(-ret));
		close(fd);
		return FAIL;
	}
	if (check_query(h_pci, false, &third) == PASS &&
	    check_query(h, false, NULL) == PASS &&
	    check_query(h, true, NULL) == PASS)
		res = PASS;
	imp_detach(h);
	imp_detach(h_pci);

	/*
	 * Revoked, the buffer refuses every importer, also one that gets no
	 * hints and so never reaches the check under the reservation lock.
	 */
	if (res == PASS) {
		ret = vdev_memory(&primary, false);
		if (!ret) {
			ret = imp_attach_flags(fd, bdf_peer, TPH_IMPORTER_ATTACH_NOT_PCI, &h);
			if (!ret)
				imp_detach(h);
			ret = ret == -ENODEV ? vdev_memory(&primary, true) : -EPROTO;
		}
		if (ret) {
			vdev_memory(&primary, true);
			snprintf(why, sizeof(why), "non-PCI importer of a revoked dma-buf: %s",
				 ret == -EPROTO ? "not refused with -ENODEV" : strerror(-ret));
			res = FAIL;
		}
	}
	close(fd);
	return res;
}

/*
 * A revoked dma-buf cannot be attached, but its hints can be set: revoke is
 * transient, and the hints apply again when the buffer comes back.
 */
static enum result t_revoked_attach(void)
{
	uint32_t before, h;

	NEED_COMPLETER();
	NEED_ENV(bdf_peer);
	FAIL_IF(!att_b, "no attachment");
	before = invalidations(att_b);
	EXPECT_RET(0, vdev_memory(&primary, false));
	FAIL_IF(invalidations(att_b) <= before,
		"no invalidate_mappings() on revoke (%u before, %u after)",
		before, invalidations(att_b));
	EXPECT_RET(-ENODEV, imp_attach(buf, bdf_peer, &h));
	EXPECT_RET(0, tph_set(&primary, buf, &third));
	return PASS;
}

/* An existing attachment keeps answering from its snapshot while revoked. */
static enum result t_revoked_snapshot(void)
{
	NEED_COMPLETER();
	FAIL_IF(!att_b, "no attachment");
	CHECK_BOTH(att_b, &second, &second);
	return PASS;
}

static enum result t_unrevoke(void)
{
	uint32_t h;

	NEED_COMPLETER();
	NEED_ENV(bdf_peer);
	EXPECT_RET(0, vdev_memory(&primary, true));
	EXPECT_RET(0, imp_attach(buf, bdf_peer, &h));
	CHECK_BOTH(h, &third, &third);
	return PASS;
}

static enum result t_reset(void)
{
	uint32_t before, h;

	NEED_COMPLETER();
	NEED_ENV(bdf_peer);
	SKIP_IF(!primary.reset, "%s cannot be reset", primary.bdf);
	before = invalidations(att_b);
	FAIL_IF(ioctl(primary.fd, VFIO_DEVICE_RESET), "VFIO_DEVICE_RESET: %s",
		strerror(errno));
	FAIL_IF(invalidations(att_b) <= before,
		"no invalidate_mappings() on reset (%u before, %u after)",
		before, invalidations(att_b));
	EXPECT_RET(0, imp_attach(buf, bdf_peer, &h));
	CHECK_BOTH(h, &third, &third);
	return PASS;
}

static enum result t_detach(void)
{
	struct tph_importer_query q;
	uint32_t h;

	EXPECT_RET(0, imp_attach(buf, primary.bdf, &h));
	EXPECT_RET(0, imp_detach(h));
	EXPECT_RET(-ENOENT, imp_query(h, 0, &q));
	EXPECT_RET(-ENOENT, imp_detach(h));
	return PASS;
}

static enum result t_attach_errors(void)
{
	int efd = eventfd(0, EFD_CLOEXEC);
	uint32_t h;

	FAIL_IF(efd < 0, "eventfd: %s", strerror(errno));
	EXPECT_RET(-EINVAL, imp_attach(buf, "not-a-bdf", &h));
	EXPECT_RET(-ENXIO, imp_attach(buf, "0000:fe:1f.7", &h));
	EXPECT_RET(-EBADF, imp_attach(-1, primary.bdf, &h));
	EXPECT_RET(-EINVAL, imp_attach(efd, primary.bdf, &h));
	close(efd);
	return PASS;
}

/*
 * A dma-buf of another exporter whose private data is zeroed: taken for a
 * vfio-pci dma-buf, it would read as one whose device was closed (-ENODEV).
 * The exporter check must refuse it as a foreign dma-buf (-EINVAL).
 */
static enum result t_foreign_zeroed(void)
{
	struct tph_importer_export exp = { 0 };
	int ret;

	NEED_COMPLETER();
	FAIL_IF(ioctl(importer, TPH_IMPORTER_EXPORT, &exp), "EXPORT: %s",
		strerror(errno));
	ret = tph_set(&primary, exp.fd, &first);
	close(exp.fd);
	EXPECT_RET(-EINVAL, ret);
	return PASS;
}

/* SET and PROBE on a device that is no completer are refused. */
static enum result check_not_completer(const char *bdf)
{
	const char *importer_bdf = primary.bdf;
	enum result res = PASS;
	struct vdev d;
	uint32_t h;
	int fd;

	EXPECT_RET(0, vdev_open(&d, bdf));
	if (vdev_memory(&d, true)) {
		snprintf(why, sizeof(why), "enable memory decode on %s", bdf);
		res = FAIL;
		goto out;
	}
	fd = dmabuf_export(&d);
	if (fd < 0) {
		snprintf(why, sizeof(why), "dma-buf export: %s", strerror(-fd));
		res = FAIL;
		goto out;
	}
	if (tph_probe(&d) != -ENOTTY || tph_set(&d, fd, &st_only) != -ENOTTY) {
		snprintf(why, sizeof(why), "%s: PROBE %d, SET %d, expected %d", bdf,
			 tph_probe(&d), tph_set(&d, fd, &st_only), -ENOTTY);
		res = FAIL;
	} else if (imp_attach(fd, importer_bdf, &h)) {
		snprintf(why, sizeof(why), "attach: %s", strerror(errno));
		res = FAIL;
	} else {
		if (check_query(h, false, NULL) != PASS ||
		    check_query(h, true, NULL) != PASS)
			res = FAIL;
		imp_detach(h);
	}
	close(fd);
out:
	vdev_close(&d);
	return res;
}

static enum result t_second_not_completer(void)
{
	NEED_ENV(bdf2);
	return check_not_completer(bdf2);
}

static enum result t_reserved_not_completer(void)
{
	NEED_ENV(bdf_reserved);
	return check_not_completer(bdf_reserved);
}

static enum result check_tph_only(struct vdev *d, int fd, const struct hints *ext,
				  const struct hints *st)
{
	enum result res;
	uint32_t h;

	EXPECT_RET(0, tph_probe(d));
	EXPECT_RET(-EOPNOTSUPP, tph_set(d, fd, ext));
	EXPECT_RET(0, tph_set(d, fd, st));
	EXPECT_RET(0, imp_attach(fd, bdf2, &h));
	res = check_query(h, false, st);
	if (res == PASS)
		res = check_query(h, true, NULL);
	imp_detach(h);
	return res;
}

static enum result t_tph_only(void)
{
	const struct hints ext = { VFIO_DMA_BUF_TPH_ST_EXT, 0x42, 0, 0 };
	const struct hints st = { VFIO_DMA_BUF_TPH_ST, 0, 0x31, 1 };
	enum result res = FAIL;
	struct vdev d;
	int fd;

	NEED_ENV(bdf_tph_only);
	NEED_ENV(bdf2);
	if (!strcmp(qemu, "stock"))
		return check_not_completer(bdf_tph_only);

	EXPECT_RET(0, vdev_open(&d, bdf_tph_only));
	fd = vdev_memory(&d, true) ?: dmabuf_export(&d);
	if (fd < 0) {
		snprintf(why, sizeof(why), "%s: dma-buf export: %s", bdf_tph_only,
			 strerror(-fd));
		goto out;
	}

	res = check_tph_only(&d, fd, &ext, &st);
	close(fd);
out:
	vdev_close(&d);
	return res;
}

/*
 * Closing the exporting device revokes its dma-bufs for good: existing
 * attachments are invalidated and the dma-buf cannot be attached again, not
 * even after the device is opened again.
 */
static enum result t_device_closed(void)
{
	const char *bdf = primary.bdf;
	uint32_t before, old, h;

	NEED_ENV(bdf2);
	EXPECT_RET(0, imp_attach(buf, bdf2, &old));
	before = invalidations(old);
	vdev_close(&primary);
	FAIL_IF(invalidations(old) <= before,
		"no invalidate_mappings() on close (%u before, %u after)",
		before, invalidations(old));
	EXPECT_RET(-ENODEV, imp_attach(buf, bdf2, &h));

	EXPECT_RET(0, vdev_open(&primary, bdf));
	EXPECT_RET(0, vdev_memory(&primary, true));
	EXPECT_RET(-ENODEV, imp_attach(buf, bdf2, &h));
	/* The hints of a closed device's dma-buf can no longer be changed */
	EXPECT_RET(completer ? -ENODEV : -ENOTTY, tph_set(&primary, buf, &none_hints));
	return PASS;
}

/*
 * Closing the importer file detaches its attachments: revoking the dma-buf
 * afterwards must not reach them (KASAN would report the use after free).
 */
static enum result t_importer_close(void)
{
	uint32_t h;
	int fd;

	NEED_ENV(bdf2);
	FAIL_IF(primary.fd < 0, "no device");
	fd = dmabuf_export(&primary);
	FAIL_IF(fd < 0, "dma-buf export: %s", strerror(-fd));
	EXPECT_RET(0, imp_attach(fd, bdf2, &h));
	EXPECT_RET(0, imp_attach(fd, primary.bdf, &h));
	close(importer);
	importer = open("/dev/tph_importer", O_RDWR | O_CLOEXEC);
	FAIL_IF(importer < 0, "reopen /dev/tph_importer: %s", strerror(errno));
	EXPECT_RET(0, vdev_memory(&primary, false));
	EXPECT_RET(0, vdev_memory(&primary, true));
	close(fd);
	return PASS;
}

/*
 * An importer that cannot be revoked (no invalidate_mappings()) is refused
 * by vfio-pci: -ENODEV while the dma-buf is revoked, checked first as in
 * v7.3, -EOPNOTSUPP otherwise.  The same on stock QEMU: no TPH involved.
 */
static enum result t_not_revocable(void)
{
	uint32_t h;
	int fd, on, off;

	FAIL_IF(primary.fd < 0, "no device");
	fd = dmabuf_export(&primary);
	FAIL_IF(fd < 0, "dma-buf export: %s", strerror(-fd));
	on = imp_attach_flags(fd, primary.bdf, TPH_IMPORTER_ATTACH_NOT_REVOCABLE, &h);
	if (!on)
		imp_detach(h);
	off = vdev_memory(&primary, false) ?:
	      imp_attach_flags(fd, primary.bdf, TPH_IMPORTER_ATTACH_NOT_REVOCABLE, &h);
	if (!off)
		imp_detach(h);
	vdev_memory(&primary, true);
	close(fd);
	FAIL_IF(on != -EOPNOTSUPP, "attach with memory decode on: %d, expected %d",
		on, -EOPNOTSUPP);
	FAIL_IF(off != -ENODEV, "attach to the revoked dma-buf: %d, expected %d",
		off, -ENODEV);
	return PASS;
}

/*
 * A SET through another device, a completer whose own gate passes, is
 * refused with -EINVAL and must leave the dma-buf's hints as their owner
 * set them: an importer attaching afterwards is offered the owner's hints.
 * Kills a refusal that comes after the hints were stored.
 */
static enum result t_other_device_set_refused(void)
{
	const struct hints st = { VFIO_DMA_BUF_TPH_ST, 0, 0x31, 1 };
	enum result res = PASS;
	struct vdev d;
	uint32_t h;
	int fd, ret;

	NEED_COMPLETER();
	NEED_ENV(bdf_tph_only);
	NEED_ENV(bdf_peer);
	FAIL_IF(primary.fd < 0, "no device");
	EXPECT_RET(0, vdev_memory(&primary, true));
	fd = dmabuf_export(&primary);
	FAIL_IF(fd < 0, "dma-buf export: %s", strerror(-fd));
	ret = tph_set(&primary, fd, &third);
	if (!ret) {
		ret = vdev_open(&d, bdf_tph_only);
		if (!ret) {
			ret = tph_set(&d, fd, &st) == -EINVAL ? 0 : -EPROTO;
			vdev_close(&d);
		}
	}
	if (ret) {
		close(fd);
		FAIL_IF(true, "SET on %s's dma-buf by its owner, then by %s (expected -EINVAL): %s",
			primary.bdf, bdf_tph_only,
			ret == -EPROTO ? "not refused with -EINVAL" : strerror(-ret));
	}
	ret = imp_attach(fd, bdf_peer, &h);
	if (!ret) {
		res = check_query(h, false, &third);
		if (res == PASS)
			res = check_query(h, true, &third);
		imp_detach(h);
	}
	close(fd);
	EXPECT_RET(0, ret);
	return res;
}

static const struct {
	const char *name;
	enum result (*fn)(void);
} tests[] = {
	{ "open importer, primary device and its dma-buf", t_setup },
	{ "PROBE on the primary device follows its completer capability", t_probe_gate },
	{ "non-completer: SET refused, importer sees no hints", t_stock_set_refused },
	{ "hints SET before attach are seen in both namespaces", t_attach_sees_hints },
	{ "importer behind another Root Port: extended refused, 8-bit answered", t_host_bridge_route },
	{ "SET after attach leaves the existing attachment's hints", t_set_keeps_snapshot },
	{ "a new attachment sees the new hints", t_new_attach_sees_new },
	{ "Extended not set: -EOPNOTSUPP for extended, 8-bit answered", t_ext_not_set },
	{ "cleared hints: -EOPNOTSUPP for both namespaces", t_cleared },
	{ "conventional PCI importer: extended refused, 8-bit answered", t_conventional },
	{ "revoked dma-buf (memory decode off): no attach, SET works", t_revoked_attach },
	{ "revoked dma-buf: existing attachment keeps its snapshot", t_revoked_snapshot },
	{ "memory decode on again: the hints set while revoked apply", t_unrevoke },
	{ "device reset: attachment invalidated, hints survived", t_reset },
	{ "DETACH", t_detach },
	{ "ATTACH errors", t_attach_errors },
	{ "foreign dma-buf with zeroed private data: EINVAL, not ENODEV", t_foreign_zeroed },
	{ "second device (no completer): PROBE and SET refused", t_second_not_completer },
	{ "reserved completer encoding: PROBE and SET refused", t_reserved_not_completer },
	{ "TPH-only completer: Extended refused, 8-bit seen (stock: all refused)", t_tph_only },
	{ "closed device: its dma-buf cannot be attached any more", t_device_closed },
	{ "closing the importer detaches its attachments", t_importer_close },
	{ "non-revocable importer: -ENODEV on a revoked buffer, -EOPNOTSUPP otherwise", t_not_revocable },
	{ "importer that is not a PCI function: no hints in either namespace, none while revoked", t_not_pci },
	{ "SET through another device refused: the importer sees the owner's hints", t_other_device_set_refused },
};

/*
 * The leak lead of issue 8: export a one-page dma-buf of the completer, SET,
 * an invalid SET, every second cycle map it into an IOAS with
 * IOMMU_IOAS_MAP_FILE and unmap it, close.  Whether anything stays behind
 * is for kmemleak to say (tests.d/99-kernel-health runs after this); the
 * kmalloc-16 numbers are printed for the record, as KASAN's quarantine and
 * deferred frees make them move without a leak.
 */
static int cycles(unsigned long n)
{
	const struct hints bad = { 1U << 7, 0, 0, 0 };
	long before, after;
	unsigned long i;
	int fd, ret;

	printf("TAP version 13\n1..2\n");
	if (t_setup() != PASS || t_probe_gate() != PASS || !completer) {
		printf("not ok 1 - setup: %s\n", why[0] ? why : "primary is no completer");
		printf("not ok 2 - cycles # no setup\n");
		return 1;
	}
	printf("ok 1 - setup: %s\n", primary.bdf);
	close(buf);

	before = vdt_slab_active("kmalloc-16");
	for (i = 0; i < n; i++) {
		struct iommu_ioas_map_file map = {
			.size = sizeof(map), .ioas_id = primary.ioas,
			.flags = IOMMU_IOAS_MAP_WRITEABLE | IOMMU_IOAS_MAP_READABLE,
			.length = getpagesize(),
		};
		struct iommu_ioas_unmap unmap = {
			.size = sizeof(unmap), .ioas_id = primary.ioas,
		};

		fd = dmabuf_export(&primary);
		ret = fd < 0 ? fd : tph_set(&primary, fd, &first);
		if (!ret && tph_set(&primary, fd, &bad) != -EINVAL)
			ret = -EPROTO;
		if (!ret && i % 2) {
			map.fd = fd;
			if (ioctl(iommufd, IOMMU_IOAS_MAP_FILE, &map))
				ret = -errno;
			unmap.iova = map.iova;
			unmap.length = map.length;
			if (!ret && ioctl(iommufd, IOMMU_IOAS_UNMAP, &unmap))
				ret = -errno;
		}
		if (fd >= 0)
			close(fd);
		if (ret) {
			printf("not ok 2 - %lu cycles # cycle %lu: %s\n", n, i, strerror(-ret));
			return 1;
		}
	}
	sleep(1);	/* deferred fput and RCU frees */
	after = vdt_slab_active("kmalloc-16");
	printf("# kmalloc-16 active objects (after shrinking): %ld before, %ld after %lu cycles\n",
	       before, after, n);
	printf("ok 2 - %lu cycles of export, SET, invalid SET, IOAS_MAP_FILE every second cycle, close\n", n);
	return 0;
}

/*
 * The races of issue 16 (tests.d/86-dmabuf-races) on the primary completer,
 * with an importer below its switch: two that run for @secs / 2 seconds
 * each and hope for the interleaving, then one that forces it (a second
 * for each of its two walks).  The kernel is the judge (KASAN, lockdep,
 * the list debugging and kmemleak of the test kernel; the guest test fails
 * on any report); the program checks that every call returns what the uAPI
 * allows.
 */
#define RACE_BUFS	4

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* One round of the first race: who drops the last reference of each buffer */
struct release_round {
	pthread_barrier_t go;
	int fds[RACE_BUFS];
	uint32_t handles[RACE_BUFS];
	bool detach_first;
	int err;
};

static void *release_thread(void *arg)
{
	struct release_round *r = arg;
	int i, ret;

	pthread_barrier_wait(&r->go);
	for (i = 0; i < RACE_BUFS; i++) {
		if (r->detach_first) {
			ret = imp_detach(r->handles[i]);
			if (!ret && close(r->fds[i]))
				ret = -errno;
		} else {
			ret = close(r->fds[i]) ? -errno : imp_detach(r->handles[i]);
		}
		if (ret && !r->err)
			r->err = ret;
	}
	return NULL;
}

/*
 * Closing the device (vfio_pci_dma_buf_cleanup()) while another thread
 * drops the last references of its dma-bufs (vfio_pci_dma_buf_release()),
 * through an fd close or through the importer's detach, in both orders.
 * Each buffer has hints and an attachment, so that both the exporter's
 * and the attachment's copies are freed in the race.
 */
static enum result race_close_release(double secs, unsigned long *rounds)
{
	struct release_round r;
	struct vdev d = { .fd = -1 };
	double end = now_s() + secs;
	pthread_t t;
	int i, ret;

	for (*rounds = 0; now_s() < end; (*rounds)++) {
		memset(&r, 0, sizeof(r));
		r.detach_first = *rounds % 2;
		EXPECT_RET(0, vdev_open(&d, primary.bdf));
		ret = vdev_memory(&d, true);
		for (i = 0; !ret && i < RACE_BUFS; i++) {
			r.fds[i] = dmabuf_export(&d);
			ret = r.fds[i] < 0 ? r.fds[i] : tph_set(&d, r.fds[i], &first);
			if (!ret)
				ret = imp_attach(r.fds[i], bdf_peer, &r.handles[i]);
		}
		if (ret) {
			vdev_close(&d);
			FAIL_IF(true, "round %lu: setting up buffer %d: %s",
				*rounds, i - 1, strerror(-ret));
		}
		pthread_barrier_init(&r.go, NULL, 2);
		FAIL_IF(pthread_create(&t, NULL, release_thread, &r), "pthread_create");
		pthread_barrier_wait(&r.go);
		vdev_close(&d);
		pthread_join(t, NULL);
		pthread_barrier_destroy(&r.go);
		FAIL_IF(r.err, "round %lu: releasing the buffers (%s first): %s",
			*rounds, r.detach_first ? "detach" : "fd close",
			strerror(-r.err));
	}
	return PASS;
}

/* The second race: attaching while the buffer is revoked, restored, closed */
struct attach_race {
	int fd;			/* the dma-buf */
	int imp;		/* the thread's own importer file */
	volatile bool closed;	/* the device's close() has returned */
	volatile bool stop;
	unsigned long ok, revoked;
	char err[256];
};

/* Every second attach is for an importer that is no PCI function: no hints */
#define RACE_NOT_PCI(n)	((n) % 2 ? TPH_IMPORTER_ATTACH_NOT_PCI : 0)

static void *attach_thread(void *arg)
{
	struct attach_race *a = arg;
	struct tph_importer_query q;
	unsigned long n = 0;
	uint32_t h, flags;
	bool closed;
	int ret;

	while (!a->stop) {
		closed = a->closed;
		flags = RACE_NOT_PCI(n++);
		ret = imp_attach_on(a->imp, a->fd, bdf_peer, flags, &h);
		if (ret == -ENODEV) {
			a->revoked++;
			continue;
		}
		if (ret) {
			snprintf(a->err, sizeof(a->err), "attach: %s", strerror(-ret));
			return NULL;
		}
		if (closed) {
			snprintf(a->err, sizeof(a->err),
				 "attach%s succeeded after the device was closed",
				 flags ? " of an importer that is no PCI function" : "");
			return NULL;
		}
		/* A successful attach has the hints as SET, whatever came after */
		ret = imp_query_on(a->imp, h, 0, &q);
		if (!ret && flags && q.ret != -EOPNOTSUPP)
			snprintf(a->err, sizeof(a->err),
				 "8-bit answer %d to an importer that is no PCI function",
				 q.ret);
		else if (!ret && !flags &&
			 (q.ret || q.steering_tag != first.st || q.ph != first.ph))
			snprintf(a->err, sizeof(a->err),
				 "8-bit answer %d tag %#x PH %u, expected tag %#x PH %u",
				 q.ret, q.steering_tag, q.ph, first.st, first.ph);
		else if (ret)
			snprintf(a->err, sizeof(a->err), "query: %s", strerror(-ret));
		ret = imp_detach_on(a->imp, h);
		if (ret && !a->err[0])
			snprintf(a->err, sizeof(a->err), "detach: %s", strerror(-ret));
		if (a->err[0])
			return NULL;
		a->ok++;
	}
	return NULL;
}

/*
 * Attaching (vfio_pci_dma_buf_attach(): the revoked check, the route, the
 * copy of the hints) in a loop, a PCI importer and one that is none in
 * turn, while the owner revokes and restores the buffer (memory decode off
 * and on, and a device reset every eighth time), then closes the device.
 * An attach must succeed with the hints as SET (none for the non-PCI
 * importer) or fail with -ENODEV, and fail once the close has returned.
 */
static enum result race_attach_revoke(double secs, unsigned long *toggles,
				      unsigned long *attaches)
{
	struct attach_race a = { .fd = -1 };
	struct vdev d = { .fd = -1 };
	double end = now_s() + secs;
	unsigned long before;
	pthread_t t;
	int ret = 0;

	EXPECT_RET(0, vdev_open(&d, primary.bdf));
	a.imp = open("/dev/tph_importer", O_RDWR | O_CLOEXEC);
	if (a.imp < 0 || vdev_memory(&d, true)) {
		vdev_close(&d);
		FAIL_IF(true, "second importer file or memory decode: %s",
			strerror(errno));
	}
	a.fd = dmabuf_export(&d);
	ret = a.fd < 0 ? a.fd : tph_set(&d, a.fd, &first);
	if (ret || pthread_create(&t, NULL, attach_thread, &a)) {
		vdev_close(&d);
		close(a.imp);
		FAIL_IF(true, "setup: %s", strerror(ret ? -ret : EAGAIN));
	}

	for (*toggles = 0; !ret && now_s() < end; (*toggles)++) {
		ret = vdev_memory(&d, false) ?: vdev_memory(&d, true);
		if (!ret && d.reset && *toggles % 8 == 7 &&
		    ioctl(d.fd, VFIO_DEVICE_RESET))
			ret = -errno;
	}
	vdev_close(&d);
	a.closed = true;
	/* Attaches after the close: all must fail */
	before = a.ok + a.revoked;
	end = now_s() + 2;
	while (!a.err[0] && a.ok + a.revoked < before + 20 && now_s() < end)
		usleep(1000);
	a.stop = true;
	pthread_join(t, NULL);
	close(a.fd);
	close(a.imp);
	*attaches = a.ok + a.revoked;
	FAIL_IF(ret, "revoke and restore: %s", strerror(-ret));
	FAIL_IF(a.err[0], "%s", a.err);
	FAIL_IF(!a.ok || !a.revoked,
		"%lu attaches succeeded, %lu were refused: the race did not run both ways",
		a.ok, a.revoked);
	return PASS;
}

/*
 * The third race, made certain: the last reference of a dma-buf goes away
 * while the exporter's revoke walk (vfio_pci_dma_buf_move(), on memory
 * decode off and in the device close) is inside the previous buffer's
 * invalidate_mappings().  The first buffer's importer is slow to revoke
 * (TPH_IMPORTER_ATTACH_SLOW_INVALIDATE); as soon as its invalidation has
 * begun, another thread detaches the others, whose fds are already closed,
 * so that their release runs while the walk holds the next entry.  A
 * release that leaves the device's list without the device's lock frees
 * that entry under the walk; KASAN and the list debugging report it.
 */
struct walk_race {
	uint32_t handles[RACE_BUFS];	/* [0] is the slow importer's */
	volatile bool walk_done;	/* the revoking call has returned */
	bool in_walk;			/* the detaches began inside the walk */
	int err;
};

static void *walk_release_thread(void *arg)
{
	struct walk_race *w = arg;
	struct tph_importer_query q = { 0 };
	double end = now_s() + 10;
	int i, ret;

	do {
		ret = imp_query(w->handles[0], TPH_IMPORTER_QUERY_COUNT_ONLY, &q);
	} while (!ret && !q.invalidations && !w->walk_done && now_s() < end);
	w->in_walk = !ret && q.invalidations && !w->walk_done;
	for (i = 1; !ret && i < RACE_BUFS; i++)
		ret = imp_detach(w->handles[i]);
	w->err = ret;
	return NULL;
}

static enum result race_release_in_walk(bool by_close)
{
	const char *walk = by_close ? "device close" : "memory decode off";
	struct walk_race w = { 0 };
	struct vdev d = { .fd = -1 };
	int i, fd, ret, attached = 0;
	pthread_t t;

	EXPECT_RET(0, vdev_open(&d, primary.bdf));
	ret = vdev_memory(&d, true);
	for (i = 0; !ret && i < RACE_BUFS; i++) {
		fd = dmabuf_export(&d);
		ret = fd < 0 ? fd : tph_set(&d, fd, &first);
		if (!ret)
			ret = imp_attach_flags(fd, bdf_peer, i ? 0 :
					       TPH_IMPORTER_ATTACH_SLOW_INVALIDATE,
					       &w.handles[i]);
		attached += !ret;
		/* The attachment holds the buffer: its detach is the last put */
		if (fd >= 0)
			close(fd);
	}
	if (ret || pthread_create(&t, NULL, walk_release_thread, &w)) {
		for (i = 0; i < attached; i++)
			imp_detach(w.handles[i]);
		vdev_close(&d);
		FAIL_IF(true, "setting up buffer %d: %s", attached,
			strerror(ret ? -ret : EAGAIN));
	}

	ret = by_close ? (vdev_close(&d), 0) : vdev_memory(&d, false);
	w.walk_done = true;
	pthread_join(t, NULL);
	vdev_close(&d);
	i = imp_detach(w.handles[0]);
	FAIL_IF(ret, "%s: %s", walk, strerror(-ret));
	FAIL_IF(w.err, "detaching the other buffers during the %s: %s", walk,
		strerror(-w.err));
	FAIL_IF(i, "detaching the slow buffer: %s", strerror(-i));
	FAIL_IF(!w.in_walk,
		"the detaches did not begin inside the %s's invalidation: the race did not happen",
		walk);
	return PASS;
}

static int races(double secs)
{
	unsigned long rounds = 0, toggles = 0, attaches = 0;
	enum result res;
	int i, failed = 0;

	printf("TAP version 13\n1..5\n");
	if (t_setup() != PASS || t_probe_gate() != PASS || !completer || !bdf_peer) {
		printf("not ok 1 - setup: %s\n",
		       why[0] ? why : "no completer or no VDT_ANA_REQUESTER");
		printf("not ok 2 - device close racing the last dma-buf release # no setup\n");
		printf("not ok 3 - attach racing revoke, restore and close # no setup\n");
		printf("not ok 4 - release inside the revoke walk of memory decode off # no setup\n");
		printf("not ok 5 - release inside the revoke walk of the device close # no setup\n");
		return 1;
	}
	printf("ok 1 - setup: %s, importer %s\n", primary.bdf, bdf_peer);
	close(buf);
	buf = -1;
	vdev_close(&primary);

	why[0] = 0;
	res = race_close_release(secs / 2, &rounds);
	if (res == PASS)
		printf("ok 2 - device close racing the last dma-buf release (%lu rounds of %d buffers)\n",
		       rounds, RACE_BUFS);
	else
		printf("# %s\nnot ok 2 - device close racing the last dma-buf release\n", why);
	failed += res != PASS;

	why[0] = 0;
	res = race_attach_revoke(secs / 2, &toggles, &attaches);
	printf("# %lu revoke/restore toggles, %lu attaches\n", toggles, attaches);
	if (res == PASS)
		printf("ok 3 - attach racing revoke, restore and close\n");
	else
		printf("# %s\nnot ok 3 - attach racing revoke, restore and close\n", why);
	failed += res != PASS;

	for (i = 0; i < 2; i++) {
		const char *walk = i ? "the device close" : "memory decode off";

		why[0] = 0;
		res = race_release_in_walk(i);
		if (res == PASS)
			printf("ok %d - release inside the revoke walk of %s\n",
			       4 + i, walk);
		else
			printf("# %s\nnot ok %d - release inside the revoke walk of %s\n",
			       why, 4 + i, walk);
		failed += res != PASS;
	}
	return failed ? 1 : 0;
}

int main(int argc, char *argv[])
{
	int failed = 0;
	size_t i;

	qemu = getenv("VDT_QEMU") ?: "unknown";
	bdf2 = getenv("VFIO_SELFTESTS_BDF2");
	bdf_peer = getenv("VDT_ANA_REQUESTER");
	bdf_tph_only = getenv("VDT_BDF_TPH_ONLY");
	bdf_reserved = getenv("VDT_BDF_RESERVED");
	bdf_conventional = getenv("VDT_BDF_CONVENTIONAL");

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 3 && !strcmp(argv[1], "--cycles"))
		return cycles(strtoul(argv[2], NULL, 0));
	if (argc == 3 && !strcmp(argv[1], "--races"))
		return races(strtod(argv[2], NULL));

	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("TAP version 13\n1..%zu\n", ARRAY_SIZE(tests));

	for (i = 0; i < ARRAY_SIZE(tests); i++) {
		enum result res = FAIL;

		why[0] = 0;
		if (i && !setup_ok)
			snprintf(why, sizeof(why), "setup failed");
		else
			res = tests[i].fn();
		if (res == SKIP) {
			printf("ok %zu - %s # SKIP %s\n", i + 1, tests[i].name, why);
		} else if (res == PASS) {
			printf("ok %zu - %s\n", i + 1, tests[i].name);
		} else {
			printf("# %s\nnot ok %zu - %s\n", why, i + 1, tests[i].name);
			failed++;
		}
	}

	printf("# %d of %zu failed (VDT_QEMU=%s)\n", failed, ARRAY_SIZE(tests), qemu);
	return failed ? 1 : 0;
}
