// SPDX-License-Identifier: GPL-2.0
/*
 * rdma-p2p-tph: export a BAR range of a vfio-pci device as a dma-buf, attach
 * PCIe TPH hints to it with VFIO_DEVICE_FEATURE_DMA_BUF_TPH, register it as
 * an RDMA memory region with ibv_reg_dmabuf_mr() and write into it with one
 * RDMA WRITE over an RC QP that is connected to itself (loopback).
 *
 * The RDMA NIC is the PCIe requester of the peer-to-peer writes, the vfio
 * device is the TPH completer.  With a kernel that carries the
 * vfio-dmabuf-tph series, the NIC driver (mlx5) reads the hints when the MR
 * is registered and sends them on every write into the BAR.
 *
 * Every step is printed; see README.md for the hardware setup.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include <linux/types.h>
#include <linux/vfio.h>

#include <infiniband/verbs.h>

/*
 * Fallback uAPI definitions.  Debian bookworm's linux-libc-dev (6.1) predates
 * vfio cdev/iommufd binding, dma-buf export and the TPH feature.  Each vfio
 * block is used only when the installed <linux/vfio.h> lacks it; build with
 * KHDR=<kernel build>/usr/include to use the headers of the kernel you run.
 * The one iommufd ioctl needed here is always defined locally (the uAPI is
 * stable), so <linux/iommufd.h> is not required.
 */
#ifndef IOMMU_IOAS_ALLOC
struct iommu_ioas_alloc {
	__u32 size;
	__u32 flags;
	__u32 out_ioas_id;
};

#define IOMMUFD_TYPE		(';')
#define IOMMU_IOAS_ALLOC	_IO(IOMMUFD_TYPE, 0x81)
#endif

#ifndef VFIO_DEVICE_BIND_IOMMUFD
struct vfio_device_bind_iommufd {
	__u32		argsz;
	__u32		flags;
	__s32		iommufd;
	__u32		out_devid;
	__aligned_u64	token_uuid_ptr;
};

#define VFIO_DEVICE_BIND_IOMMUFD	_IO(VFIO_TYPE, VFIO_BASE + 18)
#endif

#ifndef VFIO_DEVICE_ATTACH_IOMMUFD_PT
struct vfio_device_attach_iommufd_pt {
	__u32	argsz;
	__u32	flags;
	__u32	pt_id;
	__u32	pasid;
};

#define VFIO_DEVICE_ATTACH_IOMMUFD_PT	_IO(VFIO_TYPE, VFIO_BASE + 19)
#endif

#ifndef VFIO_DEVICE_FEATURE_DMA_BUF
#define VFIO_DEVICE_FEATURE_DMA_BUF 11
struct vfio_region_dma_range {
	__u64	offset;
	__u64	length;
};

struct vfio_device_feature_dma_buf {
	__u32	region_index;
	__u32	open_flags;
	__u32	flags;
	__u32	nr_ranges;
	struct vfio_region_dma_range dma_ranges[];
};
#endif

#ifndef VFIO_DEVICE_FEATURE_DMA_BUF_TPH
/*
 * Added by the vfio-dmabuf-tph series ("vfio/pci: Add
 * VFIO_DEVICE_FEATURE_DMA_BUF_TPH"); remove once the installed
 * <linux/vfio.h> has it.  PROBE/SET/GET; GET takes dmabuf_fd and returns
 * the whole structure as the last SET left it.
 */
#define VFIO_DEVICE_FEATURE_DMA_BUF_TPH 14
struct vfio_device_feature_dma_buf_tph {
	__s32	dmabuf_fd;
	__u32	flags;
#define VFIO_DMA_BUF_TPH_ST	(1 << 0)	/* steering_tag is valid */
#define VFIO_DMA_BUF_TPH_ST_EXT	(1 << 1)	/* steering_tag_ext is valid */
	__u16	steering_tag_ext;
	__u8	steering_tag;
	__u8	ph;
};
#endif

#ifndef __printf
#define __printf(a, b)	__attribute__((format(printf, a, b)))
#endif

#define PROG		"rdma-p2p-tph"
#define EXIT_USAGE	2
#define CQ_TIMEOUT_MS	5000

struct options {
	const char *vfio_dev;
	unsigned int bar;
	uint64_t offset;
	uint64_t length;
	bool have_st, have_st_ext, have_ph;
	uint8_t st;
	uint16_t st_ext;
	uint8_t ph;
	const char *ibdev;
	unsigned int ib_port;
	unsigned int gid_index;
	bool no_rdma;
	bool verify;
	bool dry_run;
};

struct state {
	int devfd, iommufd, dmabuf_fd;
	uint64_t region_offset;		/* of the BAR within the device fd */
	struct ibv_device **ibv_list;
	struct ibv_context *ctx;
	struct ibv_pd *pd;
	struct ibv_mr *bar_mr, *src_mr;
	struct ibv_cq *cq;
	struct ibv_qp *qp;
	void *src;
};

static unsigned int step_no;

static void step(const char *fmt, ...) __printf(1, 2);
static void step(const char *fmt, ...)
{
	va_list ap;

	printf("[%2u] ", ++step_no);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

static int fail(const char *fmt, ...) __printf(1, 2);
static int fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, PROG ": error: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return EXIT_FAILURE;
}

static const char usage_text[] =
	"Usage: " PROG " --vfio-dev DEV [options]\n"
	"\n"
	"Export a BAR range of a vfio-pci device as a dma-buf, attach PCIe TPH hints\n"
	"(VFIO_DEVICE_FEATURE_DMA_BUF_TPH), register it with ibv_reg_dmabuf_mr() and\n"
	"post one RDMA WRITE into it over a loopback RC QP.\n"
	"\n"
	"  --vfio-dev DEV   vfio cdev: /dev/vfio/devices/vfioN, vfioN, or a PCI\n"
	"                   address (0000:01:00.0) bound to vfio-pci\n"
	"  --bar N          BAR index 0..5 (default 0)\n"
	"  --offset BYTES   page-aligned offset into the BAR (default 0)\n"
	"  --length BYTES   page-aligned length, non-zero (default one page);\n"
	"                   K/M/G suffixes are accepted\n"
	"  --st TAG         8-bit steering tag 0..255 (sets VFIO_DMA_BUF_TPH_ST)\n"
	"  --st-ext TAG     16-bit extended steering tag 0..65535 (sets\n"
	"                   VFIO_DMA_BUF_TPH_ST_EXT; the completer must support\n"
	"                   Extended TPH)\n"
	"  --ph N           processing hint 0..3 (needs --st or --st-ext)\n"
	"                   Without --st/--st-ext the dma-buf gets no hints.\n"
	"  --ibdev NAME     RDMA device (default: the first one)\n"
	"  --ib-port N      RDMA port (default 1)\n"
	"  --gid-index N    GID index for RoCE (default 0)\n"
	"  --no-rdma        stop after setting and reading back the hints\n"
	"  --verify         read the BAR range back through vfio after the write\n"
	"  --dry-run        validate the arguments, print the plan, touch nothing\n"
	"  --help           this text\n"
	"\n"
	"Exit status: 0 success, 1 a step failed, 2 usage error.\n";

static void usage(FILE *f)
{
	fputs(usage_text, f);
}

static int usage_error(const char *fmt, ...) __printf(1, 2);
static int usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, PROG ": ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry '" PROG " --help'.\n");
	return EXIT_USAGE;
}

/* Unsigned number (decimal, 0x hex, 0 octal) with an optional K/M/G suffix. */
static bool parse_u64(const char *s, uint64_t max, bool suffix, uint64_t *out)
{
	unsigned long long v;
	unsigned int shift = 0;
	char *end;

	if (!*s || *s == '-' || *s == '+')
		return false;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s)
		return false;
	if (suffix && *end) {
		switch (*end) {
		case 'k': case 'K':
			shift = 10;
			break;
		case 'm': case 'M':
			shift = 20;
			break;
		case 'g': case 'G':
			shift = 30;
			break;
		default:
			return false;
		}
		end++;
	}
	if (*end)
		return false;
	if (shift && v > (UINT64_MAX >> shift))
		return false;
	v <<= shift;
	if (v > max)
		return false;
	*out = v;
	return true;
}

enum {
	OPT_VFIO_DEV = 256, OPT_BAR, OPT_OFFSET, OPT_LENGTH, OPT_ST, OPT_ST_EXT,
	OPT_PH, OPT_IBDEV, OPT_IB_PORT, OPT_GID_INDEX, OPT_NO_RDMA, OPT_VERIFY,
	OPT_DRY_RUN, OPT_HELP,
};

static const struct option long_opts[] = {
	{ "vfio-dev",	required_argument, NULL, OPT_VFIO_DEV },
	{ "bar",	required_argument, NULL, OPT_BAR },
	{ "offset",	required_argument, NULL, OPT_OFFSET },
	{ "length",	required_argument, NULL, OPT_LENGTH },
	{ "st",		required_argument, NULL, OPT_ST },
	{ "st-ext",	required_argument, NULL, OPT_ST_EXT },
	{ "ph",		required_argument, NULL, OPT_PH },
	{ "ibdev",	required_argument, NULL, OPT_IBDEV },
	{ "ib-port",	required_argument, NULL, OPT_IB_PORT },
	{ "gid-index",	required_argument, NULL, OPT_GID_INDEX },
	{ "no-rdma",	no_argument,	   NULL, OPT_NO_RDMA },
	{ "verify",	no_argument,	   NULL, OPT_VERIFY },
	{ "dry-run",	no_argument,	   NULL, OPT_DRY_RUN },
	{ "help",	no_argument,	   NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 }
};

/* Returns -1 to continue, otherwise the exit status. */
static int parse_args(int argc, char **argv, struct options *o)
{
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
	uint64_t v;
	int c;

	memset(o, 0, sizeof(*o));
	o->length = page;
	o->ib_port = 1;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":", long_opts, NULL)) != -1) {
		const char *name = optind > 1 ? argv[optind - 1] : "";

		switch (c) {
		case OPT_VFIO_DEV:
			if (!*optarg)
				return usage_error("--vfio-dev: empty argument");
			o->vfio_dev = optarg;
			break;
		case OPT_BAR:
			if (!parse_u64(optarg, 5, false, &v))
				return usage_error("--bar: '%s' is not a BAR index 0..5",
						   optarg);
			o->bar = (unsigned int)v;
			break;
		case OPT_OFFSET:
			if (!parse_u64(optarg, UINT64_MAX, true, &o->offset))
				return usage_error("--offset: '%s' is not a byte count",
						   optarg);
			break;
		case OPT_LENGTH:
			if (!parse_u64(optarg, UINT64_MAX, true, &o->length))
				return usage_error("--length: '%s' is not a byte count",
						   optarg);
			break;
		case OPT_ST:
			if (!parse_u64(optarg, 0xff, false, &v))
				return usage_error("--st: '%s' is not an 8-bit steering tag 0..255",
						   optarg);
			o->st = (uint8_t)v;
			o->have_st = true;
			break;
		case OPT_ST_EXT:
			if (!parse_u64(optarg, 0xffff, false, &v))
				return usage_error("--st-ext: '%s' is not a 16-bit tag 0..65535",
						   optarg);
			o->st_ext = (uint16_t)v;
			o->have_st_ext = true;
			break;
		case OPT_PH:
			if (!parse_u64(optarg, 3, false, &v))
				return usage_error("--ph: '%s' is not a processing hint 0..3",
						   optarg);
			o->ph = (uint8_t)v;
			o->have_ph = true;
			break;
		case OPT_IBDEV:
			o->ibdev = optarg;
			break;
		case OPT_IB_PORT:
			if (!parse_u64(optarg, 255, false, &v) || !v)
				return usage_error("--ib-port: '%s' is not a port 1..255",
						   optarg);
			o->ib_port = (unsigned int)v;
			break;
		case OPT_GID_INDEX:
			if (!parse_u64(optarg, 0xffff, false, &v))
				return usage_error("--gid-index: '%s' is not an index",
						   optarg);
			o->gid_index = (unsigned int)v;
			break;
		case OPT_NO_RDMA:
			o->no_rdma = true;
			break;
		case OPT_VERIFY:
			o->verify = true;
			break;
		case OPT_DRY_RUN:
			o->dry_run = true;
			break;
		case OPT_HELP:
			usage(stdout);
			return EXIT_SUCCESS;
		case ':':
			return usage_error("option '%s' needs an argument", name);
		default:
			return usage_error("unknown option '%s'", name);
		}
	}
	if (optind < argc)
		return usage_error("unexpected argument '%s'", argv[optind]);
	if (!o->vfio_dev)
		return usage_error("--vfio-dev is required");
	if (!o->length)
		return usage_error("--length must not be 0");
	if (o->offset % page || o->length % page)
		return usage_error("--offset, --length: not multiples of the page size %" PRIu64,
				   page);
	if (o->offset + o->length < o->offset)
		return usage_error("--offset + --length overflows");
	if (o->have_ph && !o->have_st && !o->have_st_ext)
		return usage_error("--ph needs --st and/or --st-ext (no bare hint)");
	if (o->no_rdma && o->verify)
		return usage_error("--verify needs the RDMA write (drop --no-rdma)");
	return -1;
}

static uint32_t tph_flags(const struct options *o)
{
	return (o->have_st ? VFIO_DMA_BUF_TPH_ST : 0) |
	       (o->have_st_ext ? VFIO_DMA_BUF_TPH_ST_EXT : 0);
}

static bool is_pci_address(const char *s)
{
	unsigned int dom, bus, dev, fn;
	char end;

	return sscanf(s, "%x:%x:%x.%x%c", &dom, &bus, &dev, &fn, &end) == 4 ||
	       sscanf(s, "%x:%x.%x%c", &bus, &dev, &fn, &end) == 3;
}

/* Map --vfio-dev to a /dev/vfio/devices path.  Returns 0 or an exit status. */
static int resolve_vfio_dev(const char *arg, char *path, size_t len)
{
	char sysdir[256];
	struct dirent *de;
	DIR *d;

	if (arg[0] == '/') {
		snprintf(path, len, "%s", arg);
		return 0;
	}
	if (!strncmp(arg, "vfio", 4)) {
		snprintf(path, len, "/dev/vfio/devices/%s", arg);
		return 0;
	}
	if (!is_pci_address(arg))
		return usage_error("--vfio-dev: '%s' is no path, vfioN name or PCI address",
				   arg);

	snprintf(sysdir, sizeof(sysdir), "/sys/bus/pci/devices/%s%s/vfio-dev",
		 strchr(arg, '.') - arg < 8 ? "0000:" : "", arg);
	d = opendir(sysdir);
	if (!d)
		return fail("%s: %s (device not bound to vfio-pci, or no VFIO_DEVICE_CDEV?)",
			    sysdir, strerror(errno));
	path[0] = '\0';
	while ((de = readdir(d))) {
		if (!strncmp(de->d_name, "vfio", 4)) {
			snprintf(path, len, "/dev/vfio/devices/%s", de->d_name);
			break;
		}
	}
	closedir(d);
	if (!path[0])
		return fail("%s has no vfioN entry", sysdir);
	return 0;
}

/* VFIO_DEVICE_FEATURE with a payload copied in and, on success, back out. */
static int vfio_feature(int devfd, uint32_t flags, void *payload, size_t len)
{
	size_t sz = sizeof(struct vfio_device_feature) + len;
	struct vfio_device_feature *f;
	int ret, err;

	f = calloc(1, sz);
	if (!f)
		return -1;
	f->argsz = (uint32_t)sz;
	f->flags = flags;
	if (len)
		memcpy(f->data, payload, len);
	ret = ioctl(devfd, VFIO_DEVICE_FEATURE, f);
	err = errno;
	if (ret >= 0 && len)
		memcpy(payload, f->data, len);
	free(f);
	errno = err;
	return ret;
}

static void print_tph(const char *what, const struct vfio_device_feature_dma_buf_tph *t)
{
	step("%s: flags=0x%x%s%s steering_tag=0x%02x steering_tag_ext=0x%04x ph=%u",
	     what, t->flags,
	     t->flags & VFIO_DMA_BUF_TPH_ST ? " ST" : "",
	     t->flags & VFIO_DMA_BUF_TPH_ST_EXT ? " ST_EXT" : "",
	     t->steering_tag, t->steering_tag_ext, t->ph);
}

static void dry_run(const struct options *o)
{
	uint32_t flags = tph_flags(o);

	printf("DRY RUN: nothing is opened.\n");
	printf("  vfio device   %s (bind to iommufd, attach to a new IOAS)\n",
	       o->vfio_dev);
	printf("  dma-buf       BAR %u, offset 0x%" PRIx64 ", length 0x%" PRIx64 "\n",
	       o->bar, o->offset, o->length);
	if (flags) {
		printf("  TPH SET       flags=0x%x steering_tag=0x%02x", flags,
		       o->st);
		printf(" steering_tag_ext=0x%04x ph=%u\n", o->st_ext, o->ph);
	} else {
		printf("  TPH SET       none (dma-buf without hints)\n");
	}
	if (o->no_rdma) {
		printf("  RDMA          skipped (--no-rdma)\n");
		return;
	}
	printf("  RDMA          device %s port %u gid-index %u: ibv_reg_dmabuf_mr,\n"
	       "                loopback RC QP, one RDMA WRITE of %" PRIu64 " bytes%s\n",
	       o->ibdev ? o->ibdev : "(first)", o->ib_port, o->gid_index,
	       o->length, o->verify ? ", read back through vfio" : "");
}

static int setup_vfio(const struct options *o, struct state *s)
{
	struct vfio_device_bind_iommufd bind = { .argsz = sizeof(bind) };
	struct vfio_device_attach_iommufd_pt attach = { .argsz = sizeof(attach) };
	struct iommu_ioas_alloc ioas = { .size = sizeof(ioas) };
	struct vfio_region_info ri = { .argsz = sizeof(ri) };
	char path[300];
	int ret;

	ret = resolve_vfio_dev(o->vfio_dev, path, sizeof(path));
	if (ret)
		return ret;
	s->devfd = open(path, O_RDWR | O_CLOEXEC);
	if (s->devfd < 0)
		return fail("cannot open %s: %s (not bound to vfio-pci, or no VFIO_DEVICE_CDEV?)",
			    path, strerror(errno));
	step("opened vfio device %s (fd %d)", path, s->devfd);

	s->iommufd = open("/dev/iommu", O_RDWR | O_CLOEXEC);
	if (s->iommufd < 0)
		return fail("cannot open /dev/iommu: %s (CONFIG_IOMMUFD)",
			    strerror(errno));
	step("opened /dev/iommu (fd %d)", s->iommufd);

	bind.iommufd = s->iommufd;
	if (ioctl(s->devfd, VFIO_DEVICE_BIND_IOMMUFD, &bind))
		return fail("VFIO_DEVICE_BIND_IOMMUFD: %s", strerror(errno));
	step("VFIO_DEVICE_BIND_IOMMUFD: devid %u", bind.out_devid);

	if (ioctl(s->iommufd, IOMMU_IOAS_ALLOC, &ioas))
		return fail("IOMMU_IOAS_ALLOC: %s", strerror(errno));
	step("IOMMU_IOAS_ALLOC: ioas %u", ioas.out_ioas_id);

	attach.pt_id = ioas.out_ioas_id;
	if (ioctl(s->devfd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &attach))
		return fail("VFIO_DEVICE_ATTACH_IOMMUFD_PT: %s", strerror(errno));
	step("VFIO_DEVICE_ATTACH_IOMMUFD_PT: attached to pt %u", attach.pt_id);

	ri.index = VFIO_PCI_BAR0_REGION_INDEX + o->bar;
	if (ioctl(s->devfd, VFIO_DEVICE_GET_REGION_INFO, &ri))
		return fail("VFIO_DEVICE_GET_REGION_INFO(BAR %u): %s", o->bar,
			    strerror(errno));
	step("BAR %u: size 0x%llx, flags 0x%x", o->bar,
	     (unsigned long long)ri.size, ri.flags);
	if (!ri.size)
		return fail("BAR %u is not implemented", o->bar);
	if (o->offset + o->length > ri.size)
		return fail("range 0x%" PRIx64 "+0x%" PRIx64 " is outside BAR %u (size 0x%llx)",
			    o->offset, o->length, o->bar,
			    (unsigned long long)ri.size);
	s->region_offset = ri.offset;
	return 0;
}

static int export_dmabuf(const struct options *o, struct state *s)
{
	size_t db_len = sizeof(struct vfio_device_feature_dma_buf) +
			sizeof(struct vfio_region_dma_range);
	struct vfio_device_feature_dma_buf_tph tph;
	struct vfio_device_feature_dma_buf *db;
	uint32_t flags = tph_flags(o);
	int err;

	db = calloc(1, db_len);
	if (!db)
		return fail("out of memory");
	db->region_index = VFIO_PCI_BAR0_REGION_INDEX + o->bar;
	db->open_flags = O_RDWR | O_CLOEXEC;
	db->nr_ranges = 1;
	db->dma_ranges[0].offset = o->offset;
	db->dma_ranges[0].length = o->length;
	s->dmabuf_fd = vfio_feature(s->devfd, VFIO_DEVICE_FEATURE_GET |
				    VFIO_DEVICE_FEATURE_DMA_BUF, db, db_len);
	err = errno;
	free(db);
	errno = err;
	if (s->dmabuf_fd < 0)
		return fail("VFIO_DEVICE_FEATURE_DMA_BUF: %s%s", strerror(errno),
			    errno == ENOTTY || errno == EINVAL ?
			    " (kernel without vfio dma-buf export, or bad range)" : "");
	step("VFIO_DEVICE_FEATURE_DMA_BUF: fd %d, BAR %u [0x%" PRIx64 ", +0x%" PRIx64 ")",
	     s->dmabuf_fd, o->bar, o->offset, o->length);

	if (vfio_feature(s->devfd, VFIO_DEVICE_FEATURE_PROBE |
			 VFIO_DEVICE_FEATURE_SET | VFIO_DEVICE_FEATURE_GET |
			 VFIO_DEVICE_FEATURE_DMA_BUF_TPH, NULL, 0)) {
		if (errno == ENOTTY)
			return fail("DMA_BUF_TPH PROBE: %s (kernel without the TPH series)",
				    strerror(errno));
		if (errno == EOPNOTSUPP)
			return fail("DMA_BUF_TPH PROBE: %s (device is not a TPH completer)",
				    strerror(errno));
		return fail("DMA_BUF_TPH PROBE: %s", strerror(errno));
	}
	step("VFIO_DEVICE_FEATURE_DMA_BUF_TPH PROBE: supported");

	if (flags) {
		memset(&tph, 0, sizeof(tph));
		tph.dmabuf_fd = s->dmabuf_fd;
		tph.flags = flags;
		tph.steering_tag = o->have_st ? o->st : 0;
		tph.steering_tag_ext = o->have_st_ext ? o->st_ext : 0;
		tph.ph = o->ph;
		if (vfio_feature(s->devfd, VFIO_DEVICE_FEATURE_SET |
				 VFIO_DEVICE_FEATURE_DMA_BUF_TPH,
				 &tph, sizeof(tph)))
			return fail("DMA_BUF_TPH SET: %s%s", strerror(errno),
				    errno == EOPNOTSUPP && o->have_st_ext ?
				    " (completer lacks Extended TPH)" : "");
		print_tph("DMA_BUF_TPH SET", &tph);
	} else {
		step("DMA_BUF_TPH SET: skipped, no --st/--st-ext given");
	}

	memset(&tph, 0, sizeof(tph));
	tph.dmabuf_fd = s->dmabuf_fd;
	if (vfio_feature(s->devfd, VFIO_DEVICE_FEATURE_GET |
			 VFIO_DEVICE_FEATURE_DMA_BUF_TPH, &tph, sizeof(tph)))
		return fail("DMA_BUF_TPH GET: %s", strerror(errno));
	print_tph("DMA_BUF_TPH GET", &tph);
	if (tph.flags != flags)
		return fail("GET returned flags 0x%x, expected 0x%x", tph.flags,
			    flags);
	return 0;
}

static int find_ibdev(const struct options *o, struct state *s)
{
	struct ibv_device *dev = NULL;
	int i, n;

	s->ibv_list = ibv_get_device_list(&n);
	if (!s->ibv_list)
		return fail("ibv_get_device_list: %s (ib_uverbs not loaded?)",
			    strerror(errno));
	for (i = 0; i < n && !dev; i++)
		if (!o->ibdev || !strcmp(ibv_get_device_name(s->ibv_list[i]),
					 o->ibdev))
			dev = s->ibv_list[i];
	if (!dev && o->ibdev)
		return fail("RDMA device %s not found (see ibv_devices)",
			    o->ibdev);
	if (!dev)
		return fail("no RDMA device found (is the NIC driver loaded?)");
	s->ctx = ibv_open_device(dev);
	if (!s->ctx)
		return fail("ibv_open_device(%s): %s",
			    ibv_get_device_name(dev), strerror(errno));
	step("opened RDMA device %s", ibv_get_device_name(dev));
	return 0;
}

static int connect_self(const struct options *o, struct state *s)
{
	struct ibv_qp_init_attr init = {
		.send_cq = s->cq, .recv_cq = s->cq, .qp_type = IBV_QPT_RC,
		.cap = { .max_send_wr = 1, .max_recv_wr = 1,
			 .max_send_sge = 1, .max_recv_sge = 1 },
	};
	struct ibv_port_attr port;
	struct ibv_qp_attr a;
	union ibv_gid gid;

	if (ibv_query_port(s->ctx, (uint8_t)o->ib_port, &port))
		return fail("ibv_query_port(%u): %s", o->ib_port, strerror(errno));
	if (port.state != IBV_PORT_ACTIVE)
		return fail("port %u is not active (state %s)", o->ib_port,
			    ibv_port_state_str(port.state));

	s->qp = ibv_create_qp(s->pd, &init);
	if (!s->qp)
		return fail("ibv_create_qp: %s", strerror(errno));

	memset(&a, 0, sizeof(a));
	a.qp_state = IBV_QPS_INIT;
	a.port_num = (uint8_t)o->ib_port;
	a.qp_access_flags = IBV_ACCESS_REMOTE_WRITE;
	if (ibv_modify_qp(s->qp, &a, IBV_QP_STATE | IBV_QP_PKEY_INDEX |
			  IBV_QP_PORT | IBV_QP_ACCESS_FLAGS))
		return fail("QP to INIT: %s", strerror(errno));

	memset(&a, 0, sizeof(a));
	a.qp_state = IBV_QPS_RTR;
	a.path_mtu = port.active_mtu;
	a.dest_qp_num = s->qp->qp_num;		/* loopback: ourselves */
	a.max_dest_rd_atomic = 1;
	a.min_rnr_timer = 12;
	a.ah_attr.port_num = (uint8_t)o->ib_port;
	a.ah_attr.dlid = port.lid;
	if (port.link_layer == IBV_LINK_LAYER_ETHERNET) {
		if (ibv_query_gid(s->ctx, (uint8_t)o->ib_port,
				  (int)o->gid_index, &gid))
			return fail("ibv_query_gid(%u): %s", o->gid_index,
				    strerror(errno));
		a.ah_attr.is_global = 1;
		a.ah_attr.grh.dgid = gid;
		a.ah_attr.grh.sgid_index = (uint8_t)o->gid_index;
		a.ah_attr.grh.hop_limit = 1;
	}
	if (ibv_modify_qp(s->qp, &a, IBV_QP_STATE | IBV_QP_AV |
			  IBV_QP_PATH_MTU | IBV_QP_DEST_QPN | IBV_QP_RQ_PSN |
			  IBV_QP_MAX_DEST_RD_ATOMIC | IBV_QP_MIN_RNR_TIMER))
		return fail("QP to RTR: %s%s", strerror(errno),
			    port.link_layer == IBV_LINK_LAYER_ETHERNET ?
			    " (RoCE: check --gid-index)" : "");

	memset(&a, 0, sizeof(a));
	a.qp_state = IBV_QPS_RTS;
	a.timeout = 14;
	a.retry_cnt = 7;
	a.rnr_retry = 7;
	a.max_rd_atomic = 1;
	if (ibv_modify_qp(s->qp, &a, IBV_QP_STATE | IBV_QP_TIMEOUT |
			  IBV_QP_RETRY_CNT | IBV_QP_RNR_RETRY | IBV_QP_SQ_PSN |
			  IBV_QP_MAX_QP_RD_ATOMIC))
		return fail("QP to RTS: %s", strerror(errno));
	step("RC QP 0x%x connected to itself on port %u (%s)", s->qp->qp_num,
	     o->ib_port, port.link_layer == IBV_LINK_LAYER_ETHERNET ?
	     "RoCE" : "InfiniBand");
	return 0;
}

static int rdma_write(const struct options *o, struct state *s)
{
	const int access = IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_WRITE;
	struct ibv_send_wr wr, *bad;
	struct timespec t0, t;
	struct ibv_sge sge;
	struct ibv_wc wc;
	uint64_t i;
	int n;

	s->pd = ibv_alloc_pd(s->ctx);
	if (!s->pd)
		return fail("ibv_alloc_pd: %s", strerror(errno));

	/* The MR covers the whole dma-buf; its iova is 0. */
	s->bar_mr = ibv_reg_dmabuf_mr(s->pd, 0, o->length, 0, s->dmabuf_fd,
				      access);
	if (!s->bar_mr)
		return fail("ibv_reg_dmabuf_mr: %s%s", strerror(errno),
			    errno == ENOSPC ?
			    " (TPH hints set but the NIC has no free steering-tag index)" :
			    errno == EOPNOTSUPP ?
			    " (provider/driver without dma-buf MRs)" : "");
	step("ibv_reg_dmabuf_mr: lkey 0x%x rkey 0x%x (the NIC driver read the TPH hints now)",
	     s->bar_mr->lkey, s->bar_mr->rkey);

	s->src = aligned_alloc((size_t)sysconf(_SC_PAGESIZE), o->length);
	if (!s->src)
		return fail("out of memory for a %" PRIu64 "-byte buffer",
			    o->length);
	for (i = 0; i < o->length; i++)
		((uint8_t *)s->src)[i] = (uint8_t)(i * 7 + 0x5a);
	s->src_mr = ibv_reg_mr(s->pd, s->src, o->length, IBV_ACCESS_LOCAL_WRITE);
	if (!s->src_mr)
		return fail("ibv_reg_mr(source buffer): %s", strerror(errno));
	step("source buffer registered: %" PRIu64 " bytes, lkey 0x%x",
	     o->length, s->src_mr->lkey);

	s->cq = ibv_create_cq(s->ctx, 4, NULL, NULL, 0);
	if (!s->cq)
		return fail("ibv_create_cq: %s", strerror(errno));
	if (connect_self(o, s))
		return EXIT_FAILURE;

	memset(&sge, 0, sizeof(sge));
	sge.addr = (uintptr_t)s->src;
	sge.length = (uint32_t)o->length;
	sge.lkey = s->src_mr->lkey;
	memset(&wr, 0, sizeof(wr));
	wr.wr_id = 1;
	wr.sg_list = &sge;
	wr.num_sge = 1;
	wr.opcode = IBV_WR_RDMA_WRITE;
	wr.send_flags = IBV_SEND_SIGNALED;
	wr.wr.rdma.remote_addr = 0;
	wr.wr.rdma.rkey = s->bar_mr->rkey;
	if (ibv_post_send(s->qp, &wr, &bad))
		return fail("ibv_post_send(RDMA WRITE): %s", strerror(errno));
	step("posted RDMA WRITE of %" PRIu64 " bytes into the dma-buf MR",
	     o->length);

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		n = ibv_poll_cq(s->cq, 1, &wc);
		if (n < 0)
			return fail("ibv_poll_cq: %s", strerror(errno));
		if (n)
			break;
		clock_gettime(CLOCK_MONOTONIC, &t);
		if ((t.tv_sec - t0.tv_sec) * 1000 +
		    (t.tv_nsec - t0.tv_nsec) / 1000000 > CQ_TIMEOUT_MS)
			return fail("no completion within %d ms", CQ_TIMEOUT_MS);
	}
	if (wc.status != IBV_WC_SUCCESS)
		return fail("RDMA WRITE completed with %s (vendor error 0x%x)",
			    ibv_wc_status_str(wc.status), wc.vendor_err);
	step("RDMA WRITE completed successfully");
	return 0;
}

static int verify(const struct options *o, struct state *s)
{
	uint8_t *back = malloc(o->length);
	ssize_t n;
	uint64_t i;

	if (!back)
		return fail("out of memory");
	n = pread(s->devfd, back, o->length,
		  (off_t)(s->region_offset + o->offset));
	if (n < 0 || (uint64_t)n != o->length) {
		free(back);
		return fail("reading the BAR back through vfio: %s",
			    n < 0 ? strerror(errno) : "short read");
	}
	for (i = 0; i < o->length; i++)
		if (back[i] != ((uint8_t *)s->src)[i])
			break;
	free(back);
	if (i != o->length)
		return fail("BAR content differs at byte 0x%" PRIx64, i);
	step("BAR range read back through vfio matches the written pattern");
	return 0;
}

static void teardown(struct state *s)
{
	if (s->qp)
		ibv_destroy_qp(s->qp);
	if (s->cq)
		ibv_destroy_cq(s->cq);
	if (s->src_mr)
		ibv_dereg_mr(s->src_mr);
	if (s->bar_mr)
		ibv_dereg_mr(s->bar_mr);
	if (s->pd)
		ibv_dealloc_pd(s->pd);
	if (s->ctx)
		ibv_close_device(s->ctx);
	if (s->ibv_list)
		ibv_free_device_list(s->ibv_list);
	free(s->src);
	if (s->dmabuf_fd >= 0)
		close(s->dmabuf_fd);
	if (s->devfd >= 0)
		close(s->devfd);
	if (s->iommufd >= 0)
		close(s->iommufd);
}

int main(int argc, char **argv)
{
	struct state s = { .devfd = -1, .iommufd = -1, .dmabuf_fd = -1 };
	struct options o;
	int ret;

	ret = parse_args(argc, argv, &o);
	if (ret >= 0)
		return ret;
	if (o.dry_run) {
		dry_run(&o);
		return EXIT_SUCCESS;
	}

	ret = setup_vfio(&o, &s);
	if (!ret)
		ret = export_dmabuf(&o, &s);
	if (!ret && !o.no_rdma) {
		ret = find_ibdev(&o, &s);
		if (!ret)
			ret = rdma_write(&o, &s);
		if (!ret && o.verify)
			ret = verify(&o, &s);
	}
	teardown(&s);
	if (!ret && o.no_rdma)
		printf("done: dma-buf exported %s hints\n",
		       tph_flags(&o) ? "with" : "without");
	else if (!ret)
		printf("done: one RDMA WRITE went peer-to-peer into the BAR\n");
	return ret;
}
