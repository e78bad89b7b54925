// SPDX-License-Identifier: GPL-2.0
/*
 * analyzer_test - PCIe TPH on the wire, from the vfio uAPI to the completer.
 *
 * A pcie-tph-testdev completer bound to vfio-pci exports its BAR2 window as a
 * dma-buf, and its owner sets hints with VFIO_DEVICE_FEATURE_DMA_BUF_TPH.  A
 * second pcie-tph-testdev, driven by tph_requester.ko, imports the dma-buf as
 * a peer-to-peer importer and writes into it.  The completer logs every write
 * it receives with the TLP Processing Hints of the request, like a protocol
 * analyzer between the two; the test reads that log (and the payload) through
 * vfio and compares it with what the uAPI set.
 *
 * Environment (tests/guest/run-tests.sh, tests.d/60-analyzer):
 *   VDT_ANA_ROUTE        "switch" (default), "root-port" or "acs-switch",
 *                        see below
 *   VDT_ANA_COMPLETER    completer, TPH + Extended TPH, vfio-pci
 *   VDT_ANA_REQUESTER    requester, bound to tph_requester.ko
 *   VDT_ANA_NOPREFIX     completer without End-End TLP Prefix support,
 *                        vfio-pci, below the completer's switch (switch)
 *   VDT_ANA_REQ_PORT     the switch downstream port above the requester
 *                        (switch)
 * The other ports of the route (the downstream port above the completer, the
 * switch's upstream port) are found in sysfs.
 *
 * Routes:
 * switch: both functions below downstream ports of one switch whose ports
 *   have no ACS, so pci_p2pdma_map_type() says PCI_P2PDMA_MAP_BUS_ADDR and
 *   the requests stay in the switch: the only kind of route on which the
 *   Extended tag is offered.  The requester's IOMMU group is put in the
 *   identity domain (tests.d/60-analyzer), as the switch would not send such
 *   requests to the IOMMU on real hardware.  The mapping must carry the
 *   completer's bus address.
 * root-port, acs-switch: the routes through the host bridge, the setup of a
 *   host whose IOMMU isolates its devices.  The requester is in an IOMMU
 *   group of its own, in its default DMA domain, so the dma-buf is mapped
 *   through the IOMMU (PCI_P2PDMA_MAP_THRU_HOST_BRIDGE) and the requests
 *   reach the completer through the Root Complex, translated by
 *   intel-iommu.  root-port: the requester is below a Root Port of its own
 *   (Root Ports have ACS).  acs-switch: it is below the completer's switch,
 *   on a downstream port with ACS P2P Request and Completion Redirect
 *   enabled.  The mapping must be an IOVA, not the bus address; the
 *   Extended tag is withheld, the 8-bit hints must arrive on every write.
 *   The Blocking and no-prefix cases are about routes that stay in a switch
 *   and are not run.
 * Prints TAP, "# wire:" lines that the host compares with QEMU's trace, and
 * an analyzer-style listing of every write.  Exit status 0 when nothing failed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/ioctl.h>

#include <linux/iommufd.h>
#include <linux/pci_regs.h>
#include <linux/types.h>
#include <linux/vfio.h>

#include "vdt_vfio.h"
#include "tph_requester.h"
#include "tph_testdev.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define ST_BOTH		(VFIO_DMA_BUF_TPH_ST | VFIO_DMA_BUF_TPH_ST_EXT)
#define WINDOW		0x4000	/* bytes of BAR2 exported as the dma-buf */

enum result { PASS, FAIL, SKIP };

static char why[1024];

#define FAIL_IF(cond, ...) do {						\
	if (cond) {							\
		snprintf(why, sizeof(why), __VA_ARGS__);		\
		return FAIL;						\
	}								\
} while (0)

#define TRY(expr) do {							\
	if ((expr) != PASS)						\
		return FAIL;						\
} while (0)

/* Fail unless @expr (0 or -errno) equals @expected. */
#define EXPECT_RET(expected, expr) do {					\
	int __ret = (expr);						\
									\
	FAIL_IF(__ret != (expected), "%s: got %d (%s), expected %d (%s)", \
		#expr, __ret, strerror(-__ret), (expected),		\
		strerror(-(expected)));					\
} while (0)

struct hints {
	uint32_t flags;
	uint16_t st_ext;
	uint8_t st;
	uint8_t ph;
};

/* What one write should look like at the completer */
struct expect {
	bool th;
	bool prefix;
	uint16_t st;		/* as the completer reads it */
	uint8_t ph;
};

struct vdev {
	const char *bdf;
	int fd;
	off_t config;		/* region offsets */
	off_t bar0;
	off_t bar2;
	uint64_t bar2_addr;	/* bus address, for the listing */
};

static const char *route = "switch";	/* VDT_ANA_ROUTE */
static bool host_bridge;	/* a route through the host bridge */
static int iommufd = -1;
static int req = -1;
static struct vdev comp = { .fd = -1 };
static struct vdev noprefix = { .fd = -1 };
static const char *req_bdf, *req_port;
static uint16_t req_rid;
static uint32_t req_type;
static int buf = -1;
static bool setup_ok;
static unsigned int nwrites;
static int npass, nfail;

/* ---- helpers: vfio ---- */

static int vdev_open(struct vdev *d, const char *bdf)
{
	struct vfio_device_bind_iommufd bind = {
		.argsz = sizeof(bind), .iommufd = iommufd,
	};
	struct vfio_device_attach_iommufd_pt attach = { .argsz = sizeof(attach) };
	struct iommu_ioas_alloc ioas = { .size = sizeof(ioas) };
	struct vfio_region_info reg = { .argsz = sizeof(reg) };
	char path[300];
	int ret;

	d->bdf = bdf;
	ret = vdt_find_cdev(bdf, path, sizeof(path));
	if (ret)
		return ret;

	d->fd = open(path, O_RDWR | O_CLOEXEC);
	if (d->fd < 0)
		return -errno;
	if (ioctl(d->fd, VFIO_DEVICE_BIND_IOMMUFD, &bind) ||
	    ioctl(iommufd, IOMMU_IOAS_ALLOC, &ioas))
		return -errno;
	attach.pt_id = ioas.out_ioas_id;
	if (ioctl(d->fd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &attach))
		return -errno;

	reg.index = VFIO_PCI_CONFIG_REGION_INDEX;
	if (ioctl(d->fd, VFIO_DEVICE_GET_REGION_INFO, &reg))
		return -errno;
	d->config = reg.offset;
	reg.index = VFIO_PCI_BAR0_REGION_INDEX;
	if (ioctl(d->fd, VFIO_DEVICE_GET_REGION_INFO, &reg))
		return -errno;
	d->bar0 = reg.offset;
	reg.index = VFIO_PCI_BAR2_REGION_INDEX;
	if (ioctl(d->fd, VFIO_DEVICE_GET_REGION_INFO, &reg))
		return -errno;
	d->bar2 = reg.offset;
	if (reg.size < WINDOW)
		return -ENOSPC;

	/* The bus address of BAR2 */
	return vdt_bar_addr(bdf, TPH_TESTDEV_WINDOW_BAR, &d->bar2_addr);
}

static int cfg_rw(struct vdev *d, off_t off, void *val, size_t len, bool write)
{
	ssize_t n = write ? pwrite(d->fd, val, len, d->config + off) :
			    pread(d->fd, val, len, d->config + off);

	return n == (ssize_t)len ? 0 : -EIO;
}

static int vdev_memory(struct vdev *d, bool on)
{
	uint16_t cmd;

	if (cfg_rw(d, PCI_COMMAND, &cmd, sizeof(cmd), false))
		return -EIO;
	cmd = on ? cmd | PCI_COMMAND_MEMORY : cmd & ~PCI_COMMAND_MEMORY;
	return cfg_rw(d, PCI_COMMAND, &cmd, sizeof(cmd), true);
}

static uint32_t bar0_read(struct vdev *d, uint32_t off)
{
	uint32_t v = 0xffffffff;

	if (pread(d->fd, &v, sizeof(v), d->bar0 + off) != sizeof(v))
		return 0xffffffff;
	return v;
}

static int bar0_write(struct vdev *d, uint32_t off, uint32_t v)
{
	return pwrite(d->fd, &v, sizeof(v), d->bar0 + off) == sizeof(v) ? 0 : -EIO;
}

/* Export the first WINDOW bytes of BAR2: dma-buf fd or -errno */
static int dmabuf_export(struct vdev *d)
{
	struct {
		struct vfio_device_feature_dma_buf get;
		struct vfio_region_dma_range range;
	} arg = {
		.get = {
			.region_index = TPH_TESTDEV_WINDOW_BAR,
			.open_flags = O_RDWR | O_CLOEXEC,
			.nr_ranges = 1,
		},
		.range = { .offset = 0, .length = WINDOW },
	};

	return vdt_feature(d->fd, VFIO_DEVICE_FEATURE_GET | VFIO_DEVICE_FEATURE_DMA_BUF,
		       &arg, sizeof(arg));
}

static int tph_set(struct vdev *d, int fd, const struct hints *h)
{
	struct vfio_device_feature_dma_buf_tph tph = {
		.dmabuf_fd = fd, .flags = h->flags,
		.steering_tag_ext = h->st_ext, .steering_tag = h->st, .ph = h->ph,
	};

	return vdt_feature(d->fd, VFIO_DEVICE_FEATURE_SET | VFIO_DEVICE_FEATURE_DMA_BUF_TPH,
		       &tph, sizeof(tph));
}

/* ---- helpers: the requester ---- */

static int r_attach(int fd, uint32_t *handle)
{
	struct tph_requester_attach a = { .dmabuf_fd = fd };

	if (ioctl(req, TPH_REQUESTER_ATTACH, &a))
		return -errno;
	*handle = a.handle;
	return 0;
}

static int r_map(uint32_t handle, struct tph_requester_map *m)
{
	memset(m, 0, sizeof(*m));
	m->handle = handle;
	return ioctl(req, TPH_REQUESTER_MAP, m) ? -errno : 0;
}

static int r_detach(uint32_t handle)
{
	struct tph_requester_detach d = { .handle = handle };

	return ioctl(req, TPH_REQUESTER_DETACH, &d) ? -errno : 0;
}

static int r_tph(bool enable)
{
	struct tph_requester_tph t = { .enable = enable };

	if (ioctl(req, TPH_REQUESTER_TPH, &t))
		return -errno;
	return t.ret;
}

static int r_info(void)
{
	struct tph_requester_info info;

	if (ioctl(req, TPH_REQUESTER_INFO, &info))
		return -errno;
	req_type = info.req_type;
	return 0;
}

/* ---- the analyzer ---- */

static int log_clear(struct vdev *d)
{
	return bar0_write(d, TPH_TESTDEV_LOG_CLEAR, 1);
}

static int log_read(struct vdev *d, struct tph_testdev_log_entry *e, unsigned int max)
{
	uint32_t n = bar0_read(d, TPH_TESTDEV_LOG_COUNT);
	unsigned int i;

	if (n > TPH_TESTDEV_LOG_ENTRIES || n > max)
		return -E2BIG;
	for (i = 0; i < n; i++)
		if (pread(d->fd, &e[i], sizeof(e[i]), d->bar0 + TPH_TESTDEV_LOG +
			  i * TPH_TESTDEV_LOG_ENTRY_SIZE) != sizeof(e[i]))
			return -EIO;
	return n;
}

static const char *hints_str(const struct hints *h)
{
	static char s[64];
	int n = 0;

	if (!h) {
		snprintf(s, sizeof(s), "-");
		return s;
	}
	if (!h->flags)
		n += snprintf(s + n, sizeof(s) - n, "cleared");
	if (h->flags & VFIO_DMA_BUF_TPH_ST)
		n += snprintf(s + n, sizeof(s) - n, "ST 0x%02x ", h->st);
	if (h->flags & VFIO_DMA_BUF_TPH_ST_EXT)
		n += snprintf(s + n, sizeof(s) - n, "ExtST 0x%04x ", h->st_ext);
	if (h->flags)
		snprintf(s + n, sizeof(s) - n, "PH %u", h->ph);
	return s;
}

/*
 * Write @len bytes at @offset through attachment @handle and check, at the
 * completer @d, that exactly one write arrived, from the requester, with the
 * hints @want and the payload intact.  @set is what the uAPI set, for the
 * listing.
 */
static enum result wire(struct vdev *d, uint32_t handle, uint32_t flags,
			uint32_t offset, uint32_t len, const struct hints *set,
			const struct expect *want, const char *what)
{
	struct tph_requester_write w = {
		.handle = handle, .flags = flags, .offset = offset, .len = len,
		.pattern = 0x40 + nwrites, .table_index = 1,
	};
	struct tph_testdev_log_entry e[4];
	unsigned char data[4096];
	bool ok, th, prefix;
	char ext[8];
	unsigned int i;
	uint8_t ph;
	int n;

	FAIL_IF(log_clear(d), "clearing the completer's log");
	FAIL_IF(ioctl(req, TPH_REQUESTER_WRITE, &w), "%s: WRITE: %s", what,
		strerror(errno));
	FAIL_IF((w.status & TPH_TESTDEV_STATUS_RESULT_MASK) ||
		!(w.status & TPH_TESTDEV_STATUS_DONE),
		"%s: the requester's write failed, STATUS %#x", what, w.status);
	n = log_read(d, e, ARRAY_SIZE(e));
	FAIL_IF(n != 1, "%s: the completer logged %d writes, expected 1", what, n);

	nwrites++;
	th = e[0].flags & TPH_TESTDEV_LOG_TH;
	prefix = e[0].flags & TPH_TESTDEV_LOG_PREFIX;
	ph = (e[0].flags & TPH_TESTDEV_LOG_PH_MASK) >> TPH_TESTDEV_LOG_PH_SHIFT;
	ok = e[0].offset == offset && e[0].len == len &&
	     e[0].requester_id == req_rid &&
	     (e[0].flags & TPH_TESTDEV_LOG_RID_VALID) &&
	     th == want->th && (!th || (prefix == want->prefix &&
					e[0].st == want->st && ph == want->ph));

	/* What an analyzer shows, next to what the uAPI asked for */
	if (prefix)
		snprintf(ext, sizeof(ext), "0x%04x", e[0].st);
	else
		snprintf(ext, sizeof(ext), "-");
	printf("# %3u  %-10s  %s  0x%09llx  %4u  %u  %u  0x%02x  %-3s  %-6s | %-30s | %s  %s\n",
	       nwrites, route, req_bdf,
	       (unsigned long long)(d->bar2_addr + e[0].offset), e[0].len, th,
	       th ? ph : 0, th ? e[0].st & 0xff : 0, prefix ? "yes" : "no",
	       ext, hints_str(set), ok ? "PASS" : "FAIL", what);
	printf("# wire: rid=0x%04x offset=0x%x len=%u th=%u ph=%u prefix=%u st=0x%04x\n",
	       e[0].requester_id, e[0].offset, e[0].len, th, ph, prefix, e[0].st);

	FAIL_IF(!ok, "%s: completer saw offset %#x len %u rid %#x TH %u PH %u prefix %u ST %#x; expected offset %#x len %u rid %#x TH %u PH %u prefix %u ST %#x",
		what, e[0].offset, e[0].len, e[0].requester_id, th, ph, prefix,
		e[0].st, offset, len, req_rid, want->th, want->ph, want->prefix,
		want->st);

	/* The payload arrived intact */
	FAIL_IF(pread(d->fd, data, len, d->bar2 + offset) != len,
		"%s: reading BAR2: %s", what, strerror(errno));
	for (i = 0; i < len; i++)
		FAIL_IF(data[i] != (unsigned char)(w.pattern + i),
			"%s: payload byte %u is %#x, expected %#x", what, i,
			data[i], (unsigned char)(w.pattern + i));
	return PASS;
}

/*
 * Map @handle, an attachment of @d's dma-buf, and check the route of the
 * mapping and the hints the requester got for it.  Below one switch the
 * mapping is the completer's bus address (PCI_P2PDMA_MAP_BUS_ADDR); through
 * the host bridge it is an IOVA of the requester's DMA domain.
 */
static enum result mapped(struct vdev *d, uint32_t handle,
			  const struct expect *want, struct tph_requester_map *m)
{
	static bool shown;

	EXPECT_RET(0, r_map(handle, m));
	if (!shown) {
		printf("# mapping: DMA address 0x%llx, the BAR's bus address 0x%llx\n",
		       (unsigned long long)m->dma_addr,
		       (unsigned long long)d->bar2_addr);
		shown = true;
	}
	FAIL_IF(host_bridge && m->dma_addr == d->bar2_addr,
		"mapping of attachment %u is the BAR's bus address %#llx: not mapped through the IOMMU",
		handle, (unsigned long long)m->dma_addr);
	FAIL_IF(!host_bridge && m->dma_addr != d->bar2_addr,
		"mapping of attachment %u at %#llx, expected the BAR's bus address %#llx",
		handle, (unsigned long long)m->dma_addr,
		(unsigned long long)d->bar2_addr);
	FAIL_IF(!(m->hints & TPH_REQUESTER_HINTS_VALID) != !want->th ||
		(want->th && (!(m->hints & TPH_REQUESTER_HINTS_EXTENDED) != !want->prefix ||
			      m->steering_tag != want->st || m->ph != want->ph)),
		"mapping of attachment %u: hints %#x tag %#x ph %u (ret %d), expected %s tag %#x ph %u",
		handle, m->hints, m->steering_tag, m->ph, m->tph_ret,
		want->th ? (want->prefix ? "Extended" : "8-bit") : "none",
		want->st, want->ph);
	return PASS;
}

/* Attach, map and write once; the attachment stays for later tests */
static enum result attach_write(struct vdev *d, int fd, const struct hints *set,
				const struct expect *want, uint32_t *handle,
				const char *what)
{
	struct tph_requester_map m;

	EXPECT_RET(0, r_attach(fd, handle));
	TRY(mapped(d, *handle, want, &m));
	/* Apart from each other, so that no two writes look like one */
	return wire(d, *handle, 0, 0x1000 + 0x200 * (nwrites % 16), 256, set,
		    want, what);
}

/* ---- the tests ---- */

static const struct hints both = { ST_BOTH, 0xbeef, 0x5a, 2 };
static const struct hints both2 = { ST_BOTH, 0x1234, 0x77, 1 };
static const struct hints st_only = { VFIO_DMA_BUF_TPH_ST, 0, 0x42, 3 };
static const struct hints none;

static const struct expect want_both = { true, true, 0xbeef, 2 };
static const struct expect want_both_8 = { true, false, 0x5a, 2 };
static const struct expect want_both2 = { true, true, 0x1234, 1 };
static const struct expect want_both2_8 = { true, false, 0x77, 1 };
static const struct expect want_st_only = { true, false, 0x42, 3 };
static const struct expect want_none = { false, false, 0, 0 };

/* What @both and @both2 give on the route under test */
static const struct expect *w_both = &want_both, *w_both2 = &want_both2;

static uint32_t snap;		/* attached with @both, kept */

/*
 * The target of the sysfs link /sys/bus/pci/devices/@bdf (@attr NULL) or of
 * its attribute @attr, NUL-terminated in @link.  Its length, or -errno.
 */
static int pci_sysfs_link(const char *bdf, const char *attr, char *link,
			  size_t len)
{
	char path[300];
	ssize_t n;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s%s%s", bdf,
		 attr ? "/" : "", attr ? attr : "");
	n = readlink(path, link, len - 1);
	if (n < 0)
		return -errno;
	link[n] = 0;
	return n;
}

/* The BDF of the bridge above @bdf, from the sysfs device path */
static int parent_bdf(const char *bdf, char *out, size_t len)
{
	char link[512], *slash;
	int n = pci_sysfs_link(bdf, NULL, link, sizeof(link));

	if (n < 0)
		return n;
	slash = strrchr(link, '/');
	if (!slash)
		return -EINVAL;
	*slash = 0;
	slash = strrchr(link, '/');
	if (!slash || strlen(slash + 1) != 12)	/* dddd:bb:dd.f */
		return -EINVAL;
	snprintf(out, len, "%s", slash + 1);
	return 0;
}

/* The IOMMU group number of @bdf, or -errno */
static int iommu_group(const char *bdf)
{
	char link[256], *slash;
	int n = pci_sysfs_link(bdf, "iommu_group", link, sizeof(link));

	if (n < 0)
		return n;
	slash = strrchr(link, '/');
	return slash ? atoi(slash + 1) : -EINVAL;
}

/* PCI_ACS_CTRL of @port, or -errno (-ENOENT: no ACS capability) */
static int acs_ctrl(const char *port)
{
	char path[300];
	uint32_t hdr;
	int fd, pos = 0x100, n = 0, ret = -ENOENT;
	uint16_t ctrl;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/config", port);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (pos >= 0x100 && n++ < 64) {
		if (pread(fd, &hdr, sizeof(hdr), pos) != sizeof(hdr) || !hdr)
			break;
		if (PCI_EXT_CAP_ID(hdr) == PCI_EXT_CAP_ID_ACS) {
			ret = pread(fd, &ctrl, sizeof(ctrl), pos + PCI_ACS_CTRL) ==
			      sizeof(ctrl) ? ctrl : -EIO;
			break;
		}
		pos = PCI_EXT_CAP_NEXT(hdr);
	}
	close(fd);
	return ret;
}

/*
 * A route through the host bridge as users with an isolating IOMMU have
 * it: the requester in an IOMMU group apart from the completer's, in a
 * translating DMA domain, below a Root Port (root-port) or below the
 * completer's switch on a downstream port that redirects peer-to-peer
 * requests to the Root Complex (acs-switch).
 */
static enum result isolated(const char *cbdf)
{
	int rgroup = iommu_group(req_bdf), cgroup = iommu_group(cbdf), ctrl;
	char port[16], usp[16], cport[16], cusp[16], path[300], type[32] = "";
	FILE *f;

	FAIL_IF(rgroup < 0 || cgroup < 0, "no IOMMU group for %s or %s",
		req_bdf, cbdf);
	FAIL_IF(rgroup == cgroup, "%s and %s share IOMMU group %d", req_bdf,
		cbdf, rgroup);
	snprintf(path, sizeof(path), "/sys/kernel/iommu_groups/%d/type", rgroup);
	f = fopen(path, "r");
	FAIL_IF(!f, "%s: %s", path, strerror(errno));
	if (!fgets(type, sizeof(type), f))
		type[0] = 0;
	fclose(f);
	type[strcspn(type, "\n")] = 0;
	FAIL_IF(strcmp(type, "DMA") && strcmp(type, "DMA-FQ"),
		"IOMMU group %d of %s is of type \"%s\", expected a DMA domain",
		rgroup, req_bdf, type);
	EXPECT_RET(0, parent_bdf(req_bdf, port, sizeof(port)));
	if (!strcmp(route, "root-port")) {
		FAIL_IF(strncmp(port, "0000:00:", 8),
			"%s is below %s, not a Root Port", req_bdf, port);
	} else {
		EXPECT_RET(0, parent_bdf(port, usp, sizeof(usp)));
		EXPECT_RET(0, parent_bdf(cbdf, cport, sizeof(cport)));
		EXPECT_RET(0, parent_bdf(cport, cusp, sizeof(cusp)));
		FAIL_IF(strcmp(usp, cusp),
			"%s (below %s) and %s (below %s) are not below one switch",
			req_bdf, usp, cbdf, cusp);
		ctrl = acs_ctrl(port);
		FAIL_IF(ctrl < 0, "ACS Control of %s: %s", port, strerror(-ctrl));
		FAIL_IF((ctrl & (PCI_ACS_RR | PCI_ACS_CR)) !=
			(PCI_ACS_RR | PCI_ACS_CR),
			"ACS Control of %s is %#x: P2P Request/Completion Redirect off",
			port, ctrl);
	}
	printf("# route: requester %s below %s, IOMMU group %d (%s); completer %s, IOMMU group %d\n",
	       req_bdf, port, rgroup, type, cbdf, cgroup);
	return PASS;
}

static enum result t_setup(void)
{
	const char *cbdf = getenv("VDT_ANA_COMPLETER");
	unsigned int bus, dev, fn;
	char link[256];

	req_bdf = getenv("VDT_ANA_REQUESTER");
	req_port = getenv("VDT_ANA_REQ_PORT");
	FAIL_IF(!cbdf || !req_bdf || (!host_bridge && !req_port),
		"VDT_ANA_COMPLETER, VDT_ANA_REQUESTER and VDT_ANA_REQ_PORT must be set");
	FAIL_IF(sscanf(req_bdf, "%*x:%x:%x.%x", &bus, &dev, &fn) != 3,
		"bad BDF %s", req_bdf);
	req_rid = bus << 8 | dev << 3 | fn;

	FAIL_IF(pci_sysfs_link(req_bdf, "driver", link, sizeof(link)) < 0 ||
		!strstr(link, "tph_requester"),
		"%s is not bound to tph_requester", req_bdf);

	req = open("/dev/tph_requester", O_RDWR | O_CLOEXEC);
	FAIL_IF(req < 0, "open /dev/tph_requester: %s", strerror(errno));
	EXPECT_RET(0, r_info());
	FAIL_IF(req_type != PCI_TPH_REQ_EXT_TPH,
		"requester enabled for TPH type %u, expected Extended TPH (%u)",
		req_type, PCI_TPH_REQ_EXT_TPH);

	iommufd = open("/dev/iommu", O_RDWR | O_CLOEXEC);
	FAIL_IF(iommufd < 0, "open /dev/iommu: %s", strerror(errno));
	EXPECT_RET(0, vdev_open(&comp, cbdf));
	EXPECT_RET(0, vdev_memory(&comp, true));
	FAIL_IF(bar0_read(&comp, TPH_TESTDEV_ID) != TPH_TESTDEV_ID_VALUE,
		"%s is not a pcie-tph-testdev", cbdf);
	buf = dmabuf_export(&comp);
	FAIL_IF(buf < 0, "dma-buf export of %s BAR2: %s", cbdf, strerror(-buf));

	if (host_bridge)
		TRY(isolated(cbdf));

	printf("# analyzer: completer %s BAR2 at 0x%llx (vfio-pci), requester %s (tph_requester, Extended TPH), %s route\n",
	       cbdf, (unsigned long long)comp.bar2_addr, req_bdf, route);
	printf("#   #  route       requester     address      len   TH PH ST    pfx  ExtST  | set by DMA_BUF_TPH             | result\n");
	setup_ok = true;
	return PASS;
}

static enum result t_extended(void)
{
	EXPECT_RET(0, tph_set(&comp, buf, &both));
	return attach_write(&comp, buf, &both, w_both, &snap,
			    host_bridge ? "Extended withheld, host bridge" :
			    "Extended hints through the switch");
}

static enum result t_st_only(void)
{
	uint32_t h = 0;

	EXPECT_RET(0, tph_set(&comp, buf, &st_only));
	TRY(attach_write(&comp, buf, &st_only, &want_st_only, &h,
			 "8-bit hints only"));
	EXPECT_RET(0, r_detach(h));
	return PASS;
}

static enum result t_cleared(void)
{
	uint32_t h = 0;

	EXPECT_RET(0, tph_set(&comp, buf, &none));
	TRY(attach_write(&comp, buf, &none, &want_none, &h, "hints cleared"));
	EXPECT_RET(0, r_detach(h));
	return PASS;
}

/* A SET does not reach an existing attachment; a new one sends the new hints */
static enum result t_snapshot(void)
{
	uint32_t h = 0;

	EXPECT_RET(0, tph_set(&comp, buf, &both2));
	TRY(wire(&comp, snap, 0, 0x800, 128, &both, w_both,
		 "old attachment after a new SET"));
	TRY(attach_write(&comp, buf, &both2, w_both2, &h,
			 "new attachment after the SET"));
	EXPECT_RET(0, r_detach(h));
	return PASS;
}

/*
 * Revoke: the importer's mapping is invalidated and no write arrives until it
 * maps again; the new mapping asks for the hints again, and vfio-pci's answer
 * for the attachment has not changed.
 */
static enum result t_revoke(void)
{
	struct tph_requester_write w = { .handle = snap, .len = 64 };
	struct tph_testdev_log_entry e[1];
	struct tph_requester_map m;
	uint32_t before;
	int ret, n;

	EXPECT_RET(0, r_map(snap, &m));
	before = m.invalidations;
	EXPECT_RET(0, log_clear(&comp));

	EXPECT_RET(0, vdev_memory(&comp, false));
	ret = ioctl(req, TPH_REQUESTER_WRITE, &w) ? -errno : 0;
	n = r_map(snap, &m);
	EXPECT_RET(0, vdev_memory(&comp, true));

	FAIL_IF(ret != -ENODATA, "WRITE while revoked: %d, expected %d (no mapping)",
		ret, -ENODATA);
	FAIL_IF(n != -ENODEV, "MAP while revoked: %d, expected %d", n, -ENODEV);
	n = log_read(&comp, e, ARRAY_SIZE(e));
	FAIL_IF(n != 0, "the completer saw %d writes while the dma-buf was revoked", n);

	TRY(mapped(&comp, snap, w_both, &m));
	/* vfio-pci notifies importers on revoke, and again on restore */
	FAIL_IF(m.invalidations <= before,
		"no invalidate_mappings() call: %u before the revoke, %u after",
		before, m.invalidations);
	return wire(&comp, snap, 0, 0x900, 64, &both, w_both,
		    "re-mapped after revoke, hints asked again");
}

static enum result t_reset(void)
{
	struct tph_requester_map m;

	FAIL_IF(ioctl(comp.fd, VFIO_DEVICE_RESET), "VFIO_DEVICE_RESET: %s",
		strerror(errno));
	/* The reset cleared the completer's log and window: nothing to clear */
	TRY(mapped(&comp, snap, w_both, &m));
	return wire(&comp, snap, 0, 0xa00, 64, &both, w_both,
		    "re-mapped after device reset");
}

static enum result t_table_mode(void)
{
	return wire(&comp, snap, TPH_REQUESTER_WRITE_TABLE, 0xb00, 32, &both,
		    w_both, "ST table mode, entry 1");
}

/* With TPH disabled on the requester, the same buffer gets untagged writes */
static enum result t_requester_disabled(void)
{
	struct tph_requester_map m;
	enum result res = FAIL;
	uint32_t h = 0;
	int ret;

	EXPECT_RET(0, tph_set(&comp, buf, &both));
	EXPECT_RET(0, r_tph(false));
	ret = r_attach(buf, &h);
	if (ret)
		snprintf(why, sizeof(why), "attach: %s", strerror(-ret));
	else
		res = mapped(&comp, h, &want_none, &m);
	if (res == PASS)
		res = wire(&comp, h, 0, 0xc00, 64, &both, &want_none,
			   "requester TPH disabled");
	if (h)
		r_detach(h);

	/* Enable it again whatever happened, for the tests after this one */
	EXPECT_RET(0, r_tph(true));
	EXPECT_RET(0, r_info());
	FAIL_IF(req_type != PCI_TPH_REQ_EXT_TPH, "TPH not enabled again: type %u",
		req_type);
	return res;
}

/* Set or clear End-End TLP Prefix Blocking in the DEVCTL2 of @port */
static int port_devctl2(const char *port, bool block)
{
	char path[256];
	uint16_t v;
	int fd, pos = 0x34, ret = -EIO;
	uint8_t p, id;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/config", port);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (pread(fd, &p, 1, pos) != 1)
		goto out;
	while (p) {
		if (pread(fd, &id, 1, p) != 1)
			goto out;
		if (id == PCI_CAP_ID_EXP)
			break;
		if (pread(fd, &p, 1, p + 1) != 1)
			goto out;
	}
	if (!p || pread(fd, &v, 2, p + PCI_EXP_DEVCTL2) != 2)
		goto out;
	v = block ? v | 0x8000 : v & ~0x8000;
	if (pwrite(fd, &v, 2, p + PCI_EXP_DEVCTL2) != 2 ||
	    pread(fd, &v, 2, p + PCI_EXP_DEVCTL2) != 2)
		goto out;
	ret = !!(v & 0x8000) == block ? 0 : -EROFS;
out:
	close(fd);
	return ret;
}

/*
 * Attach and write with End-End TLP Prefix Blocking set on @port, expecting
 * @want.  Blocking applies to the TLPs that leave the switch through the
 * port (PCIe r6.0, sec 7.5.3.16): the downstream port above the completer
 * is on the way out, the one above the requester is where the requests come
 * in, and the upstream port is not on a route between two downstream ports.
 */
static enum result blocked_at(const char *port, const struct expect *want,
			      const char *what)
{
	enum result res;
	uint32_t h = 0;

	FAIL_IF(port_devctl2(port, true), "cannot set Blocking on %s", port);
	res = attach_write(&comp, buf, &both, want, &h, what);
	if (h)
		r_detach(h);
	EXPECT_RET(0, port_devctl2(port, false));
	return res;
}

/* The port the requests leave the switch through blocks: 8-bit hints only */
static enum result t_blocked_egress(void)
{
	char port[16];

	EXPECT_RET(0, parent_bdf(comp.bdf, port, sizeof(port)));
	return blocked_at(port, &want_both_8,
			  "prefix blocked at the completer's port");
}

/* Blocking where the requests enter the switch does not matter: Extended */
static enum result t_blocked_ingress(void)
{
	return blocked_at(req_port, &want_both,
			  "Blocking at the requester's port (ingress)");
}

/* The switch's upstream port is not on the route: Extended */
static enum result t_blocked_upstream_port(void)
{
	char dsp[16], usp[16];

	EXPECT_RET(0, parent_bdf(comp.bdf, dsp, sizeof(dsp)));
	EXPECT_RET(0, parent_bdf(dsp, usp, sizeof(usp)));
	return blocked_at(usp, &want_both,
			  "Blocking at the switch's upstream port (off route)");
}

/* A completer that does not take End-End TLP Prefixes: 8-bit hints only */
static enum result t_completer_without_prefix(void)
{
	const char *bdf = getenv("VDT_ANA_NOPREFIX");
	enum result res;
	uint32_t h = 0;
	int fd;

	FAIL_IF(!bdf, "VDT_ANA_NOPREFIX is not set");
	EXPECT_RET(0, vdev_open(&noprefix, bdf));
	EXPECT_RET(0, vdev_memory(&noprefix, true));
	fd = dmabuf_export(&noprefix);
	FAIL_IF(fd < 0, "dma-buf export of %s: %s", bdf, strerror(-fd));
	EXPECT_RET(0, tph_set(&noprefix, fd, &both));
	res = attach_write(&noprefix, fd, &both, &want_both_8, &h,
			   "completer without prefix support");
	if (h)
		r_detach(h);
	close(fd);
	return res;
}

/* Closing the requester's file detaches everything; the device stays quiet */
/*
 * Every attachment with hints holds a copy of them, every mapping a
 * scatterlist: cycles of attach, map and detach must leave none behind.
 * Counted in the small kmalloc caches those come from, after shrinking
 * them; a leak of one object per cycle shows as LEAK_CYCLES more.  (A
 * kmemleak scan misses such leaks in a short run.)
 */
#define LEAK_CYCLES 200

static enum result t_no_leak(void)
{
	static const char *const caches[] = {
		"kmalloc-8", "kmalloc-16", "kmalloc-32", "kmalloc-64",
	};
	long before[ARRAY_SIZE(caches)], after;
	struct tph_requester_map m;
	unsigned int c, i;
	uint32_t h = 0;

	EXPECT_RET(0, tph_set(&comp, buf, &both));
	for (c = 0; c < ARRAY_SIZE(caches); c++)
		before[c] = vdt_slab_active(caches[c]);
	for (i = 0; i < LEAK_CYCLES; i++) {
		EXPECT_RET(0, r_attach(buf, &h));
		EXPECT_RET(0, r_map(h, &m));
		EXPECT_RET(0, r_detach(h));
	}
	sleep(1);	/* RCU and deferred frees */
	for (c = 0; c < ARRAY_SIZE(caches); c++) {
		after = vdt_slab_active(caches[c]);
		FAIL_IF(before[c] < 0 || after < 0, "no /proc/slabinfo line for %s",
			caches[c]);
		printf("# %s: %ld active objects before, %ld after %d cycles\n",
		       caches[c], before[c], after, LEAK_CYCLES);
		FAIL_IF(after - before[c] >= LEAK_CYCLES / 2,
			"%s grew by %ld objects in %d cycles of attach, map, detach: a leak",
			caches[c], after - before[c], LEAK_CYCLES);
	}
	return PASS;
}

static enum result t_teardown(void)
{
	struct tph_testdev_log_entry e[1];

	close(req);
	req = open("/dev/tph_requester", O_RDWR | O_CLOEXEC);
	FAIL_IF(req < 0, "reopen /dev/tph_requester: %s", strerror(errno));
	EXPECT_RET(0, log_clear(&comp));
	EXPECT_RET(0, vdev_memory(&comp, false));
	EXPECT_RET(0, vdev_memory(&comp, true));
	FAIL_IF(log_read(&comp, e, ARRAY_SIZE(e)) != 0,
		"the completer saw a write after the importer closed");
	return PASS;
}

#define SW	(1 << 0)	/* runs on the switch route */
#define HB	(1 << 1)	/* runs on the routes through the host bridge */

static const struct {
	unsigned int routes;
	const char *name;
	enum result (*fn)(void);
} tests[] = {
	{ SW | HB, "setup: completer on vfio-pci, requester on tph_requester", t_setup },
	{ SW, "Extended hints: prefix, 16-bit ST and PH as SET", t_extended },
	{ HB, "Extended and 8-bit hints SET: no prefix, 8-bit ST and PH through the IOMMU", t_extended },
	{ SW | HB, "8-bit hints only: no prefix, ST and PH as SET", t_st_only },
	{ SW | HB, "cleared hints: TH=0", t_cleared },
	{ SW | HB, "SET after attach: old attachment unchanged, new one new", t_snapshot },
	{ SW | HB, "revoke stops the writes; re-map asks again, same hints", t_revoke },
	{ SW | HB, "device reset: re-mapped, same hints", t_reset },
	{ SW | HB, "ST table mode: the same tag from table entry 1", t_table_mode },
	{ SW | HB, "requester TPH disabled: TH=0", t_requester_disabled },
	{ SW, "End-End TLP Prefix Blocking where the route leaves the switch: 8-bit hints", t_blocked_egress },
	{ SW, "End-End TLP Prefix Blocking where the route enters the switch: Extended hints", t_blocked_ingress },
	{ SW, "End-End TLP Prefix Blocking at the switch's upstream port: Extended hints", t_blocked_upstream_port },
	{ SW, "completer without End-End TLP Prefix support: 8-bit hints", t_completer_without_prefix },
	{ SW | HB, "200 cycles of attach, map, detach leave no object behind", t_no_leak },
	{ SW | HB, "closing the importer: no write afterwards", t_teardown },
};

int main(void)
{
	unsigned int mask, n = 0, planned = 0;
	size_t i;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (getenv("VDT_ANA_ROUTE"))
		route = getenv("VDT_ANA_ROUTE");
	if (!strcmp(route, "switch")) {
		mask = SW;
	} else if (!strcmp(route, "root-port") || !strcmp(route, "acs-switch")) {
		mask = HB;
		host_bridge = true;
		w_both = &want_both_8;
		w_both2 = &want_both2_8;
	} else {
		printf("TAP version 13\n1..1\nnot ok 1 - VDT_ANA_ROUTE=%s: expected switch, root-port or acs-switch\n",
		       route);
		return 1;
	}
	for (i = 0; i < ARRAY_SIZE(tests); i++)
		planned += !!(tests[i].routes & mask);
	printf("TAP version 13\n1..%u\n", planned);

	for (i = 0; i < ARRAY_SIZE(tests); i++) {
		enum result res = FAIL;

		if (!(tests[i].routes & mask))
			continue;
		n++;
		why[0] = 0;
		if (n > 1 && !setup_ok)
			snprintf(why, sizeof(why), "setup failed");
		else
			res = tests[i].fn();
		if (res == PASS) {
			npass++;
			printf("ok %u - %s\n", n, tests[i].name);
		} else {
			nfail++;
			printf("# %s\nnot ok %u - %s\n", why, n, tests[i].name);
		}
	}

	printf("# analyzer: %u writes checked, %d of %u tests failed\n",
	       nwrites, nfail, planned);
	return nfail ? 1 : 0;
}
