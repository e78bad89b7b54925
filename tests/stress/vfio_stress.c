// SPDX-License-Identifier: GPL-2.0
/*
 * vfio_stress - concurrency stress of vfio-pci dma-bufs, their TPH hints and
 * their importers, with a hang detector.  Test code only, not part of the
 * series.
 *
 * One process, these threads together for -d seconds (issue 11):
 *   tph0..3   VFIO_DEVICE_FEATURE_DMA_BUF_TPH SET and GET on a pool of
 *             dma-bufs of every device, with self-consistent values: a GET
 *             that returns a mix of two SETs is a torn read; now and then a
 *             SET through the wrong device (must fail);
 *   reset     VFIO_DEVICE_RESET (1 in -r operations) and otherwise toggles
 *             PCI_COMMAND memory decode through the vfio config region
 *             (revoke and restore of every dma-buf of the device);
 *   export    re-exports dma-bufs over pool slots (dup2), closes and dup2s
 *             slots;
 *   reopen    every -o ms closes and reopens the TPH-only device (its
 *             dma-bufs are revoked and orphaned, its IOAS attachment goes
 *             away and comes back);
 *   iommufd   a real dynamic importer: IOMMU_IOAS_MAP_FILE of pool dma-bufs
 *             into the IOAS all devices are attached to (attach, pin,
 *             revoke through invalidate_mappings), at most 4 mapped, the
 *             oldest unmapped;
 *   requester a second real importer when /dev/tph_requester exists
 *             (tests/analyzer/tph_requester.ko bound to the analyzer's
 *             requester): attach, map, DMA write into the completer's BAR2,
 *             unmap, detach; the hints it got must be a SET's values, the
 *             hints the device sent must be the hints it got, and a write
 *             must never fail at the completer (a write after revoke).  Each
 *             write is printed as a "# wire:" line for scripts/check-trace.py;
 *   main      sleeps, then stops and joins the threads and closes all.
 *
 * The process forks: the child runs the threads, the parent is a watchdog.
 * Every thread counts its loop iterations in shared memory; when one makes
 * no progress for -w seconds the parent prints the stuck threads' kernel
 * stacks (/proc/TID/stack), writes 'w' (blocked tasks), 'd' (held locks)
 * and 'l' (CPU backtraces) to /proc/sysrq-trigger, so that the kernel
 * console has the evidence, kills the child and fails.  A child stuck in
 * the kernel cannot be killed: the parent then exits without it.  Every 10 s
 * the parent also writes a heartbeat to /dev/kmsg, so that a console that
 * goes silent tells a frozen guest from a stuck task.
 *
 * Devices (environment of tests/guest/run-tests.sh, or options):
 *   -A VFIO_SELFTESTS_BDF   TPH + Extended TPH completer (reset, toggled)
 *   -B VDT_BDF_TPH_ONLY     TPH-only completer (closed and reopened)
 *   -C VDT_ANA_COMPLETER    analyzer completer (reset, toggled, requester
 *                           target; optional)
 * Options: -d SECONDS (15)  -s SEED (time)  -w STALL_SECONDS (30)
 *   -r N (a reset every N reset-thread operations, 8)  -o MS (reopen period,
 *   300)  -p POOL (16)  -T (no TPH calls: the same mix for a kernel without
 *   the series)  -Q (no requester)  -I (no iommufd importer)
 *   -X (self-test of the watchdog: one more thread blocks for good)
 *
 * Prints TAP; exits 0 when every check passed, 1 otherwise.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <linux/iommufd.h>
#include <linux/pci_regs.h>
#include <linux/vfio.h>

#include "vdt_vfio.h"
#include "tph_requester.h"
#include "tph_testdev.h"

#ifdef VFIO_DEVICE_FEATURE_DMA_BUF_TPH
#define HAVE_TPH_UAPI	1
#else
#define HAVE_TPH_UAPI	0
/* A kernel without the series: the TPH threads do not run (-T) */
#define VFIO_DEVICE_FEATURE_DMA_BUF_TPH	14
#define VFIO_DMA_BUF_TPH_ST		(1 << 0)
#define VFIO_DMA_BUF_TPH_ST_EXT		(1 << 1)
struct vfio_device_feature_dma_buf_tph {
	__s32	dmabuf_fd;
	__u32	flags;
	__u16	steering_tag_ext;
	__u8	steering_tag;
	__u8	ph;
};
#endif

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define PAGE		4096
#define NDEV		3
#define MAX_POOL	64
#define NTPH		4
#define DEV_SLOT0	900	/* device fds live at fixed numbers */
#define POOL_SLOT0	920	/* and so do the pool's dma-buf fds */
#define MAX_MAPPED	4

enum { DEV_A, DEV_B, DEV_C };

/* ------------------------------------------------------------------ */
/* Shared with the watchdog parent */

enum op {
	OP_IDLE, OP_SET, OP_GET, OP_RESET, OP_CMD, OP_EXPORT, OP_CLOSE,
	OP_DUP, OP_REOPEN, OP_MAP_FILE, OP_UNMAP, OP_REQ_ATTACH, OP_REQ_MAP,
	OP_REQ_WRITE, OP_REQ_UNMAP, OP_REQ_DETACH, OP_JOIN, OP_CLEANUP,
	OP_BLOCK, OP_MAX
};

static const char *const op_name[OP_MAX] = {
	"idle", "SET", "GET", "VFIO_DEVICE_RESET", "PCI_COMMAND", "export",
	"close", "dup2", "reopen", "IOMMU_IOAS_MAP_FILE", "IOMMU_IOAS_UNMAP",
	"requester ATTACH", "requester MAP", "requester WRITE",
	"requester UNMAP", "requester DETACH", "join", "cleanup",
	"read of a pipe (-X)",
};

/* Errors an operation may return in this mix; anything else fails */
static const int op_allowed[OP_MAX][6] = {
	[OP_SET] = { EBADF, EINVAL, ENODEV, EOPNOTSUPP },
	[OP_GET] = { EBADF, EINVAL, ENODEV, EOPNOTSUPP },
	[OP_RESET] = { EAGAIN, EBADF, ENOTTY },
	[OP_CMD] = { EBADF },
	[OP_EXPORT] = { EBADF, ENODEV },
	[OP_CLOSE] = { EBADF },
	[OP_DUP] = { EBADF },
	[OP_MAP_FILE] = { EBADF, ENODEV },
	[OP_REQ_ATTACH] = { EBADF, ENODEV },
	[OP_REQ_MAP] = { ENODEV, EINVAL },
	[OP_REQ_WRITE] = { ENODATA },
};

#define MAX_THREADS	12
#define NERR		140

struct tstat {
	char name[16];
	int tid;
	int done;
	volatile uint64_t progress;	/* loop iterations */
	volatile int op;		/* enum op in progress */
	volatile int64_t op_since;	/* ms, monotonic */
};

struct shared {
	volatile int phase;		/* 0 setup, 1 run, 2 stop, 3 done */
	volatile int nthreads;
	struct tstat t[MAX_THREADS];
	uint64_t ok[OP_MAX];
	uint64_t err[OP_MAX][NERR];
	uint64_t unexpected;
	char unexpected_msg[4][160];
	uint64_t torn;
	char torn_msg[4][200];
	uint64_t gets_checked, sets_done;
	uint64_t resets, toggles, exports, closes, reopens, reopen_fail;
	uint64_t maps, unmaps, map_raced, req_maps, req_writes, req_wires, req_bad;
	char req_bad_msg[4][200];
	char setup_msg[300];
	int setup_ok;
	int tph, requester, iommufd_importer;
	char devs[200];
};

static struct shared *sh;

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static void out(const char *fmt, ...)
{
	char line[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(line) - 2)
		n = sizeof(line) - 2;
	if (n > 0 && line[n - 1] != '\n')
		line[n++] = '\n';
	/* One write per line: lines of threads do not interleave */
	if (write(1, line, n) < 0)
		return;
}

/* ------------------------------------------------------------------ */
/* Per-thread state */

struct rng {
	uint64_t s;
};

static uint32_t rnd(struct rng *r)
{
	r->s ^= r->s << 13;
	r->s ^= r->s >> 7;
	r->s ^= r->s << 17;
	return r->s >> 16;
}

static unsigned int below(struct rng *r, unsigned int n)
{
	return n ? rnd(r) % n : 0;
}

struct worker {
	struct tstat *t;
	struct rng rng;
	int index;
};

static void begin(struct worker *w, enum op op)
{
	w->t->op_since = now_ms();
	w->t->op = op;
}

/* Account the result (0 or -errno) of @op; returns @ret */
static int account(struct worker *w, enum op op, int ret, const char *what)
{
	unsigned int i;
	int e = -ret;

	w->t->op = OP_IDLE;
	if (!ret) {
		__atomic_add_fetch(&sh->ok[op], 1, __ATOMIC_RELAXED);
		return 0;
	}
	if (e > 0 && e < NERR)
		__atomic_add_fetch(&sh->err[op][e], 1, __ATOMIC_RELAXED);
	for (i = 0; i < ARRAY_SIZE(op_allowed[op]) && op_allowed[op][i]; i++)
		if (op_allowed[op][i] == e)
			return ret;
	i = __atomic_fetch_add(&sh->unexpected, 1, __ATOMIC_RELAXED);
	if (i < ARRAY_SIZE(sh->unexpected_msg)) {
		snprintf(sh->unexpected_msg[i], sizeof(sh->unexpected_msg[i]),
			 "%s %s: %s (%d)", op_name[op], what ?: "",
			 strerror(e), e);
		out("# unexpected: %s", sh->unexpected_msg[i]);
	}
	return ret;
}

/* ------------------------------------------------------------------ */
/* Devices, dma-bufs */

struct dev {
	const char *bdf;
	bool present;
	bool ext;		/* Extended TPH completer */
	int region;		/* exported BAR */
	unsigned int pages;	/* pages of it the pool uses */
	off_t config;		/* offset of the config region */
	uint64_t bar_addr;	/* bus address of the exported BAR */
	uint64_t bar_size;
};

static struct dev devs[NDEV];
static int iommufd = -1;
static uint32_t ioas_id;
static int pool_size = 16;
static volatile int stop;
static bool opt_tph = true, opt_requester = true, opt_iommufd = true;
static bool opt_selftest;
static unsigned int opt_reset_every = 8, opt_reopen_ms = 300;
static uint64_t seed;

static int pool_fd(int i)
{
	return POOL_SLOT0 + i;
}

/* Pool slot -> device that exported the dma-buf now in it (racy, a hint) */
static volatile int slot_dev[MAX_POOL];
/*
 * Pool slot -> changes of its fd (dup2, close), a sequence count: odd while
 * the export thread changes the slot.  The iommufd thread uses it to tell
 * an error that the change of the slot explains from a kernel's.
 */
static unsigned int slot_gen[MAX_POOL];

/* dup2() @fd, or with @fd < 0 close(), into pool slot @slot: 0 or -errno */
static int slot_set(int slot, int fd)
{
	int ret;

	__atomic_add_fetch(&slot_gen[slot], 1, __ATOMIC_SEQ_CST);
	if (fd < 0)
		ret = close(pool_fd(slot)) ? -errno : 0;
	else
		ret = dup2(fd, pool_fd(slot)) < 0 ? -errno : 0;
	__atomic_add_fetch(&slot_gen[slot], 1, __ATOMIC_SEQ_CST);
	return ret;
}

/* Did the fd of @slot change since its sequence count read @gen? */
static bool slot_changed(int slot, unsigned int gen)
{
	return (gen & 1) || __atomic_load_n(&slot_gen[slot], __ATOMIC_SEQ_CST) != gen;
}

static int dev_fd(int d)
{
	return DEV_SLOT0 + d;
}

/*
 * Open device @d through its vfio cdev, bind it to the iommufd, attach it to
 * the shared IOAS and put it at its fixed fd number.  0 or -errno.
 */
static int dev_open(int d)
{
	struct vfio_device_bind_iommufd bind = {
		.argsz = sizeof(bind), .iommufd = iommufd,
	};
	struct vfio_device_attach_iommufd_pt attach = {
		.argsz = sizeof(attach), .pt_id = ioas_id,
	};
	struct vfio_region_info reg = { .argsz = sizeof(reg) };
	char path[300];
	int fd, ret;

	ret = vdt_find_cdev(devs[d].bdf, path, sizeof(path));
	if (ret)
		return ret;
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (ioctl(fd, VFIO_DEVICE_BIND_IOMMUFD, &bind) ||
	    ioctl(fd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &attach))
		goto err;
	reg.index = VFIO_PCI_CONFIG_REGION_INDEX;
	if (ioctl(fd, VFIO_DEVICE_GET_REGION_INFO, &reg))
		goto err;
	devs[d].config = reg.offset;
	reg.argsz = sizeof(reg);
	reg.index = devs[d].region;
	if (ioctl(fd, VFIO_DEVICE_GET_REGION_INFO, &reg))
		goto err;
	devs[d].bar_size = reg.size;
	if (dup2(fd, dev_fd(d)) < 0)
		goto err;
	close(fd);
	return 0;
err:
	ret = -errno;
	close(fd);
	return ret;
}

/* Export page @page of device @d's BAR: fd or -errno */
static int dmabuf_export(int d, unsigned int page)
{
	struct {
		struct vfio_device_feature_dma_buf get;
		struct vfio_region_dma_range range;
	} arg = {
		.get = { .region_index = devs[d].region,
			 .open_flags = O_RDWR | O_CLOEXEC, .nr_ranges = 1 },
		.range = { .offset = (uint64_t)page * PAGE, .length = PAGE },
	};

	return vdt_feature(dev_fd(d), VFIO_DEVICE_FEATURE_GET | VFIO_DEVICE_FEATURE_DMA_BUF,
		       &arg, sizeof(arg));
}

static int cfg_rw(int d, void *val, size_t len, off_t off, bool write)
{
	ssize_t n = write ? pwrite(dev_fd(d), val, len, devs[d].config + off) :
			    pread(dev_fd(d), val, len, devs[d].config + off);

	if (n == (ssize_t)len)
		return 0;
	return n < 0 ? -errno : -EIO;
}

static int memory_decode(int d, bool on)
{
	uint16_t cmd;
	int ret;

	ret = cfg_rw(d, &cmd, sizeof(cmd), PCI_COMMAND, false);
	if (ret)
		return ret;
	cmd = on ? cmd | PCI_COMMAND_MEMORY : cmd & ~PCI_COMMAND_MEMORY;
	return cfg_rw(d, &cmd, sizeof(cmd), PCI_COMMAND, true);
}

static int present_dev(struct rng *r)
{
	int d;

	do
		d = below(r, NDEV);
	while (!devs[d].present);
	return d;
}

/* ------------------------------------------------------------------ */
/* The hints: self-consistent values derived from one byte */

static uint16_t ext_of(uint8_t v)
{
	return (uint16_t)v << 8 | (uint8_t)(v ^ 0xa5);
}

static void make_hints(struct vfio_device_feature_dma_buf_tph *h, uint8_t v,
		       bool ext, bool clear)
{
	memset(h, 0, sizeof(*h));
	if (clear)
		return;
	h->flags = VFIO_DMA_BUF_TPH_ST | (ext ? VFIO_DMA_BUF_TPH_ST_EXT : 0);
	h->steering_tag = v;
	h->ph = v & 3;
	if (ext)
		h->steering_tag_ext = ext_of(v);
}

/* NULL when @h can be the result of one SET, else why not */
static const char *hints_torn(const struct vfio_device_feature_dma_buf_tph *h)
{
	if (!h->flags)
		return h->steering_tag || h->steering_tag_ext || h->ph ?
			"values without flags" : NULL;
	if (!(h->flags & VFIO_DMA_BUF_TPH_ST))
		return "ST_EXT without ST";
	if (h->flags & ~(VFIO_DMA_BUF_TPH_ST | VFIO_DMA_BUF_TPH_ST_EXT))
		return "unknown flags";
	if (h->ph != (h->steering_tag & 3))
		return "PH of another SET";
	if (h->flags & VFIO_DMA_BUF_TPH_ST_EXT) {
		if (h->steering_tag_ext != ext_of(h->steering_tag))
			return "Extended tag of another SET";
	} else if (h->steering_tag_ext) {
		return "Extended tag without its flag";
	}
	return NULL;
}

static void torn(const char *fmt, ...)
{
	uint64_t i = __atomic_fetch_add(&sh->torn, 1, __ATOMIC_RELAXED);
	va_list ap;

	if (i >= ARRAY_SIZE(sh->torn_msg))
		return;
	va_start(ap, fmt);
	vsnprintf(sh->torn_msg[i], sizeof(sh->torn_msg[i]), fmt, ap);
	va_end(ap);
	out("# torn: %s", sh->torn_msg[i]);
}

/* ------------------------------------------------------------------ */
/* Threads */

static void *tph_thread(void *arg)
{
	struct worker *w = arg;

	while (!stop) {
		struct vfio_device_feature_dma_buf_tph h;
		int slot = below(&w->rng, pool_size);
		int d = slot_dev[slot], via = d;
		uint32_t flags = VFIO_DEVICE_FEATURE_DMA_BUF_TPH;
		unsigned int what = below(&w->rng, 100);
		const char *why;
		int ret;

		if (what < 3)	/* through another device: must fail */
			via = present_dev(&w->rng);
		if (what < 50) {
			make_hints(&h, rnd(&w->rng), devs[d].ext,
				   below(&w->rng, 16) == 0);
			flags |= VFIO_DEVICE_FEATURE_SET;
			h.dmabuf_fd = pool_fd(slot);
			begin(w, OP_SET);
			ret = vdt_feature(dev_fd(via), flags, &h, sizeof(h));
			account(w, OP_SET, ret < 0 ? ret : 0, devs[via].bdf);
			if (!ret)
				__atomic_add_fetch(&sh->sets_done, 1, __ATOMIC_RELAXED);
		} else {
			memset(&h, 0, sizeof(h));
			h.dmabuf_fd = pool_fd(slot);
			flags |= VFIO_DEVICE_FEATURE_GET;
			begin(w, OP_GET);
			ret = vdt_feature(dev_fd(via), flags, &h, sizeof(h));
			account(w, OP_GET, ret < 0 ? ret : 0, devs[via].bdf);
			if (!ret) {
				__atomic_add_fetch(&sh->gets_checked, 1, __ATOMIC_RELAXED);
				why = hints_torn(&h);
				if (why)
					torn("GET of slot %d via %s: %s: flags %#x ST %#x ExtST %#x PH %u",
					     slot, devs[via].bdf, why, h.flags,
					     h.steering_tag, h.steering_tag_ext, h.ph);
			}
		}
		w->t->progress++;
	}
	return NULL;
}

static void *reset_thread(void *arg)
{
	struct worker *w = arg;

	while (!stop) {
		int d = present_dev(&w->rng);
		int ret;

		/* The TPH-only device is closed and reopened: rarely here */
		if (d == DEV_B && below(&w->rng, 4))
			d = DEV_A;
		usleep(below(&w->rng, 4000));
		if (below(&w->rng, opt_reset_every) == 0) {
			begin(w, OP_RESET);
			ret = ioctl(dev_fd(d), VFIO_DEVICE_RESET) ? -errno : 0;
			account(w, OP_RESET, ret, devs[d].bdf);
			sh->resets++;
		} else {
			begin(w, OP_CMD);
			ret = memory_decode(d, false);
			account(w, OP_CMD, ret, devs[d].bdf);
			usleep(below(&w->rng, 3000));
			begin(w, OP_CMD);
			ret = memory_decode(d, true);
			account(w, OP_CMD, ret, devs[d].bdf);
			sh->toggles++;
		}
		w->t->progress++;
	}
	/* Leave every device decoding memory */
	for (int d = 0; d < NDEV; d++)
		if (devs[d].present)
			memory_decode(d, true);
	return NULL;
}

static int reopen_b(struct worker *w)
{
	int64_t deadline;
	int ret;

	begin(w, OP_REOPEN);
	close(dev_fd(DEV_B));
	/*
	 * An ioctl of another thread may hold the old file for a moment: the
	 * device is closed, and can be bound again, only when it lets go.
	 */
	deadline = now_ms() + 10000;
	do {
		ret = dev_open(DEV_B);
		if (!ret)
			break;
		usleep(1000);
	} while (now_ms() < deadline && !stop);
	w->t->op = OP_IDLE;
	if (ret) {
		sh->reopen_fail++;
		out("# reopen of %s failed: %s", devs[DEV_B].bdf, strerror(-ret));
	} else {
		sh->reopens++;
	}
	return ret;
}

static void *reopen_thread(void *arg)
{
	struct worker *w = arg;

	while (!stop) {
		usleep(opt_reopen_ms * 1000);
		if (!stop)
			reopen_b(w);
		w->t->progress++;
	}
	return NULL;
}

/* -X: block for good, as a thread stuck in the kernel would */
static void *block_thread(void *arg)
{
	struct worker *w = arg;
	int p[2];
	char c;

	if (pipe(p))
		return NULL;
	sleep(2);
	w->t->progress++;
	begin(w, OP_BLOCK);
	if (read(p[0], &c, 1) < 0)
		return NULL;
	return NULL;
}

static void *export_thread(void *arg)
{
	struct worker *w = arg;

	while (!stop) {
		unsigned int what = below(&w->rng, 100);
		int slot = below(&w->rng, pool_size);
		int ret;

		if (what < 80) {
			int d = present_dev(&w->rng);
			int fd;

			begin(w, OP_EXPORT);
			fd = dmabuf_export(d, below(&w->rng, devs[d].pages));
			account(w, OP_EXPORT, fd < 0 ? fd : 0, devs[d].bdf);
			if (fd >= 0) {
				begin(w, OP_DUP);
				ret = slot_set(slot, fd);
				account(w, OP_DUP, ret, NULL);
				slot_dev[slot] = d;
				close(fd);
				sh->exports++;
			}
		} else if (what < 92) {
			begin(w, OP_CLOSE);
			ret = slot_set(slot, -1);
			account(w, OP_CLOSE, ret, NULL);
			sh->closes++;
		} else {
			int from = below(&w->rng, pool_size);

			begin(w, OP_DUP);
			ret = slot_set(slot, pool_fd(from));
			account(w, OP_DUP, ret, NULL);
			if (!ret)
				slot_dev[slot] = slot_dev[from];
		}
		usleep(below(&w->rng, 2000));
		w->t->progress++;
	}
	return NULL;
}

static void *iommufd_thread(void *arg)
{
	struct worker *w = arg;
	uint64_t mapped[MAX_MAPPED];
	unsigned int n = 0, i;

	while (!stop) {
		int slot = below(&w->rng, pool_size);
		struct iommu_ioas_map_file map = {
			.size = sizeof(map),
			.flags = IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE,
			.ioas_id = ioas_id,
			.fd = pool_fd(slot),
			.length = PAGE,
		};
		unsigned int gen;
		int ret;

		if (n == MAX_MAPPED) {
			struct iommu_ioas_unmap unmap = {
				.size = sizeof(unmap), .ioas_id = ioas_id,
				.iova = mapped[0], .length = PAGE,
			};

			begin(w, OP_UNMAP);
			ret = ioctl(iommufd, IOMMU_IOAS_UNMAP, &unmap) ? -errno : 0;
			account(w, OP_UNMAP, ret, NULL);
			sh->unmaps++;
			memmove(mapped, mapped + 1, sizeof(mapped[0]) * --n);
		}
		begin(w, OP_MAP_FILE);
		gen = __atomic_load_n(&slot_gen[slot], __ATOMIC_SEQ_CST);
		ret = ioctl(iommufd, IOMMU_IOAS_MAP_FILE, &map) ? -errno : 0;
		/*
		 * iopt_map_file_pages() looks the fd up twice: dma_buf_get(),
		 * then, when that found no dma-buf, fget() for a memfd.  A slot
		 * that the export thread refills in between is a dma-buf file
		 * on the memfd path: -EINVAL, explained by the change of the
		 * slot, counted apart.
		 */
		if (ret == -EINVAL && slot_changed(slot, gen)) {
			w->t->op = OP_IDLE;
			__atomic_add_fetch(&sh->map_raced, 1, __ATOMIC_RELAXED);
		} else {
			account(w, OP_MAP_FILE, ret, NULL);
		}
		if (!ret) {
			mapped[n++] = map.iova;
			sh->maps++;
		}
		usleep(below(&w->rng, 1000));
		w->t->progress++;
	}
	for (i = 0; i < n; i++) {
		struct iommu_ioas_unmap unmap = {
			.size = sizeof(unmap), .ioas_id = ioas_id,
			.iova = mapped[i], .length = PAGE,
		};

		begin(w, OP_UNMAP);
		account(w, OP_UNMAP, ioctl(iommufd, IOMMU_IOAS_UNMAP, &unmap) ? -errno : 0, NULL);
	}
	return NULL;
}

/* The requester: tests/analyzer/tph_requester.ko */
static int req_fd = -1;
static uint16_t req_rid;

static void req_bad(const char *fmt, ...)
{
	uint64_t i = __atomic_fetch_add(&sh->req_bad, 1, __ATOMIC_RELAXED);
	va_list ap;

	if (i >= ARRAY_SIZE(sh->req_bad_msg))
		return;
	va_start(ap, fmt);
	vsnprintf(sh->req_bad_msg[i], sizeof(sh->req_bad_msg[i]), fmt, ap);
	va_end(ap);
	out("# requester: %s", sh->req_bad_msg[i]);
}

static void req_detach(struct worker *w, uint32_t handle)
{
	struct tph_requester_detach det = { .handle = handle };

	begin(w, OP_REQ_DETACH);
	account(w, OP_REQ_DETACH, ioctl(req_fd, TPH_REQUESTER_DETACH, &det) ? -errno : 0, NULL);
}

/*
 * Map @handle, check the hints it got, write into it if it is the
 * completer's BAR2, and check what the device sent.
 */
static void req_map_write(struct worker *w, uint32_t handle, unsigned int k)
{
	struct tph_requester_map map = { .handle = handle };
	struct tph_requester_write wr = { .handle = handle };
	struct dev *c = &devs[DEV_C];
	unsigned int th, ph, prefix, st;
	uint64_t off;
	int ret;

	begin(w, OP_REQ_MAP);
	ret = ioctl(req_fd, TPH_REQUESTER_MAP, &map) ? -errno : 0;
	account(w, OP_REQ_MAP, ret, NULL);
	if (ret)
		return;
	sh->req_maps++;
	if (map.hints & TPH_REQUESTER_HINTS_VALID) {
		bool bad = map.ph != (map.steering_tag & 3);

		if (map.hints & TPH_REQUESTER_HINTS_EXTENDED)
			bad = ext_of(map.steering_tag >> 8) != map.steering_tag ||
			      map.ph != ((map.steering_tag >> 8) & 3);
		if (bad)
			req_bad("MAP of handle %u: hints %#x tag %#x PH %u are no SET's",
				handle, map.hints, map.steering_tag, map.ph);
	}
	/* Write only into the completer's BAR2 window */
	if (!c->present || map.dma_addr < c->bar_addr ||
	    map.dma_addr + PAGE > c->bar_addr + c->bar_size)
		return;

	/*
	 * Never contiguous with the previous write (QEMU's trace merges
	 * contiguous accesses with equal attributes): 32 bytes at 0x20 into a
	 * 0x80 block.
	 */
	off = 0x80 * (k % (PAGE / 0x80)) + 0x20;
	wr.offset = off;
	wr.len = 32;
	wr.pattern = k;
	begin(w, OP_REQ_WRITE);
	ret = ioctl(req_fd, TPH_REQUESTER_WRITE, &wr) ? -errno : 0;
	account(w, OP_REQ_WRITE, ret, NULL);
	if (ret)
		return;
	sh->req_writes++;
	if (!(wr.status & TPH_TESTDEV_STATUS_DONE) ||
	    (wr.status & TPH_TESTDEV_STATUS_RESULT_MASK)) {
		req_bad("WRITE of handle %u at %#" PRIx64 " failed at the completer: STATUS %#x (a write after revoke?)",
			handle, map.dma_addr + off, wr.status);
		return;
	}
	th = wr.sent & TPH_TESTDEV_SENT_TH;
	ph = th ? (wr.sent >> TPH_TESTDEV_SENT_PH_SHIFT) & 3 : 0;
	prefix = !!(wr.sent & TPH_TESTDEV_SENT_PREFIX);
	st = th || prefix ? wr.sent >> TPH_TESTDEV_SENT_ST_SHIFT : 0;
	if (!!th != !!(map.hints & TPH_REQUESTER_HINTS_VALID) ||
	    (th && (ph != map.ph || st != map.steering_tag ||
		    prefix != !!(map.hints & TPH_REQUESTER_HINTS_EXTENDED))))
		req_bad("WRITE of handle %u sent TH %u PH %u prefix %u ST %#x, mapped with hints %#x tag %#x PH %u",
			handle, th, ph, prefix, st, map.hints, map.steering_tag, map.ph);
	/* For scripts/check-trace.py: what the completer got, in order */
	out("# wire: rid=0x%04x offset=0x%" PRIx64 " len=%u th=%u ph=%u prefix=%u st=0x%04x",
	    req_rid, map.dma_addr - c->bar_addr + off, wr.len, th, ph, prefix, st);
	sh->req_wires++;
}

static void *requester_thread(void *arg)
{
	struct worker *w = arg;
	uint32_t att[MAX_MAPPED];
	unsigned int n = 0, k = 0, i;

	while (!stop) {
		unsigned int what = below(&w->rng, 100);
		int ret;

		if (what < 25 || !n) {
			struct tph_requester_attach a = { .dmabuf_fd = -1 };
			int slot = -1;

			for (i = 0; i < 8; i++) {
				slot = below(&w->rng, pool_size);
				if (slot_dev[slot] == DEV_C)
					break;
			}
			if (n == MAX_MAPPED) {
				req_detach(w, att[0]);
				memmove(att, att + 1, sizeof(att[0]) * --n);
			}
			a.dmabuf_fd = pool_fd(slot);
			begin(w, OP_REQ_ATTACH);
			ret = ioctl(req_fd, TPH_REQUESTER_ATTACH, &a) ? -errno : 0;
			account(w, OP_REQ_ATTACH, ret, NULL);
			if (!ret)
				att[n++] = a.handle;
		} else if (what < 90) {
			req_map_write(w, att[below(&w->rng, n)], k++);
		} else {
			struct tph_requester_detach u = { .handle = att[below(&w->rng, n)] };

			begin(w, OP_REQ_UNMAP);
			account(w, OP_REQ_UNMAP, ioctl(req_fd, TPH_REQUESTER_UNMAP, &u) ? -errno : 0, NULL);
		}
		usleep(below(&w->rng, 1000));
		w->t->progress++;
	}
	for (i = 0; i < n; i++)
		req_detach(w, att[i]);
	return NULL;
}

/* ------------------------------------------------------------------ */
/* The child: set up, run the threads, clean up */

static struct tstat *new_tstat(const char *name)
{
	struct tstat *t = &sh->t[sh->nthreads++];

	snprintf(t->name, sizeof(t->name), "%s", name);
	return t;
}

struct spawn {
	struct worker w;
	void *(*fn)(void *);
	pthread_t th;
};

static void *trampoline(void *arg)
{
	struct spawn *s = arg;
	void *ret;

	s->w.t->tid = syscall(SYS_gettid);
	ret = s->fn(&s->w);
	s->w.t->op = OP_IDLE;
	s->w.t->done = 1;
	return ret;
}

static void setup_fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(sh->setup_msg, sizeof(sh->setup_msg), fmt, ap);
	va_end(ap);
	exit(2);
}

static int child(unsigned int duration)
{
	struct iommu_ioas_alloc alloc = { .size = sizeof(alloc) };
	static struct spawn sp[MAX_THREADS];
	struct tstat *main_t;
	unsigned int nsp = 0, i;
	int64_t end;
	int d, n;

	main_t = new_tstat("main");
	main_t->tid = syscall(SYS_gettid);

	iommufd = open("/dev/iommu", O_RDWR | O_CLOEXEC);
	if (iommufd < 0)
		setup_fail("open /dev/iommu: %s", strerror(errno));
	if (ioctl(iommufd, IOMMU_IOAS_ALLOC, &alloc))
		setup_fail("IOMMU_IOAS_ALLOC: %s", strerror(errno));
	ioas_id = alloc.out_ioas_id;

	n = 0;
	for (d = 0; d < NDEV; d++) {
		int ret;

		if (!devs[d].bdf)
			continue;
		if (d == DEV_C && access("/sys/bus/pci/devices/", F_OK) == 0) {
			char p[300];

			snprintf(p, sizeof(p), "/sys/bus/pci/devices/%s/vfio-dev", devs[d].bdf);
			if (access(p, F_OK)) {
				out("# %s is not bound to vfio-pci: no analyzer completer", devs[d].bdf);
				continue;
			}
		}
		ret = dev_open(d);
		if (ret)
			setup_fail("opening %s: %s", devs[d].bdf, strerror(-ret));
		devs[d].present = true;
		devs[d].pages = devs[d].bar_size / PAGE;
		if (devs[d].pages > 4)
			devs[d].pages = 4;
		if (!devs[d].pages)
			setup_fail("%s: BAR %d is smaller than a page", devs[d].bdf, devs[d].region);
		if (vdt_bar_addr(devs[d].bdf, devs[d].region, &devs[d].bar_addr))
			setup_fail("%s: no resource file", devs[d].bdf);
		ret = memory_decode(d, true);
		if (ret)
			setup_fail("%s: enabling memory decode: %s", devs[d].bdf, strerror(-ret));
		n += snprintf(sh->devs + n, sizeof(sh->devs) - n, "%s%s", n ? " " : "", devs[d].bdf);
	}
	if (!devs[DEV_A].present)
		setup_fail("no device A (VFIO_SELFTESTS_BDF / -A)");
	if (devs[DEV_C].present)
		devs[DEV_C].pages = 16;	/* all of BAR2's window is traced */

	if (opt_tph) {
		for (d = 0; d < NDEV; d++) {
			struct vfio_device_feature_dma_buf_tph h = { .dmabuf_fd = -1 };

			if (!devs[d].present)
				continue;
			if (vdt_feature(dev_fd(d), VFIO_DEVICE_FEATURE_PROBE |
				    VFIO_DEVICE_FEATURE_SET | VFIO_DEVICE_FEATURE_GET |
				    VFIO_DEVICE_FEATURE_DMA_BUF_TPH, &h, sizeof(h)) < 0) {
				out("# %s: no VFIO_DEVICE_FEATURE_DMA_BUF_TPH (%s): no TPH calls",
				    devs[d].bdf, strerror(errno));
				opt_tph = false;
			}
		}
		/* PROBE cannot tell TPH from Extended TPH: the topology can */
		devs[DEV_A].ext = devs[DEV_C].ext = true;
	}
	sh->tph = opt_tph;

	for (i = 0; i < (unsigned int)pool_size; i++) {
		int fd;

		d = i % NDEV;
		if (!devs[d].present)
			d = DEV_A;
		fd = dmabuf_export(d, i % devs[d].pages);
		if (fd < 0)
			setup_fail("exporting a dma-buf of %s: %s", devs[d].bdf, strerror(-fd));
		if (dup2(fd, pool_fd(i)) < 0)
			setup_fail("dup2: %s", strerror(errno));
		close(fd);
		slot_dev[i] = d;
	}

	if (opt_requester && devs[DEV_C].present) {
		struct tph_requester_info info;
		unsigned int bus, dev, fn;

		req_fd = open("/dev/tph_requester", O_RDWR | O_CLOEXEC);
		if (req_fd < 0) {
			out("# no /dev/tph_requester (%s): no requester", strerror(errno));
		} else if (ioctl(req_fd, TPH_REQUESTER_INFO, &info) ||
			   sscanf(info.pci_name, "%*x:%x:%x.%x", &bus, &dev, &fn) != 3) {
			out("# TPH_REQUESTER_INFO: %s: no requester", strerror(errno));
			close(req_fd);
			req_fd = -1;
		} else {
			req_rid = bus << 8 | dev << 3 | fn;
			out("# requester %s, TPH requester type %u", info.pci_name, info.req_type);
		}
	}
	sh->requester = req_fd >= 0;
	sh->iommufd_importer = opt_iommufd;
	sh->setup_ok = 1;

#define SPAWN(fn_, name_) do {						\
		sp[nsp].fn = fn_;					\
		sp[nsp].w.t = new_tstat(name_);				\
		sp[nsp].w.index = nsp;					\
		sp[nsp].w.rng.s = seed * 0x9e3779b97f4a7c15ULL + nsp * 7919 + 1; \
		nsp++;							\
	} while (0)

	if (opt_tph) {
		SPAWN(tph_thread, "tph0");
		SPAWN(tph_thread, "tph1");
		SPAWN(tph_thread, "tph2");
		SPAWN(tph_thread, "tph3");
	}
	SPAWN(reset_thread, "reset");
	SPAWN(export_thread, "export");
	if (devs[DEV_B].present)
		SPAWN(reopen_thread, "reopen");
	if (opt_iommufd)
		SPAWN(iommufd_thread, "iommufd");
	if (req_fd >= 0)
		SPAWN(requester_thread, "requester");
	if (opt_selftest)
		SPAWN(block_thread, "selftest");

	sh->phase = 1;
	for (i = 0; i < nsp; i++)
		if (pthread_create(&sp[i].th, NULL, trampoline, &sp[i]))
			setup_fail("pthread_create failed");

	main_t->op = OP_IDLE;
	for (end = now_ms() + duration * 1000LL; now_ms() < end;) {
		usleep(100000);
		main_t->progress++;
	}
	stop = 1;
	sh->phase = 2;
	main_t->op_since = now_ms();
	main_t->op = OP_JOIN;
	for (i = 0; i < nsp; i++) {
		pthread_join(sp[i].th, NULL);
		main_t->progress++;
	}

	/* Closing everything revokes, detaches and resets once more */
	main_t->op_since = now_ms();
	main_t->op = OP_CLEANUP;
	if (req_fd >= 0)
		close(req_fd);
	for (i = 0; i < (unsigned int)pool_size; i++)
		close(pool_fd(i));
	for (d = 0; d < NDEV; d++)
		if (devs[d].present)
			close(dev_fd(d));
	close(iommufd);
	main_t->op = OP_IDLE;
	main_t->progress++;
	sh->phase = 3;
	return 0;
}

/* ------------------------------------------------------------------ */
/* The parent: watchdog and TAP */

static void sysrq(char c)
{
	int fd = open("/proc/sysrq-trigger", O_WRONLY);

	if (fd < 0) {
		out("# /proc/sysrq-trigger: %s", strerror(errno));
		return;
	}
	if (write(fd, &c, 1) != 1)
		out("# sysrq %c: %s", c, strerror(errno));
	close(fd);
}

static void print_file(const char *prefix, const char *path)
{
	char line[300];
	FILE *f = fopen(path, "r");

	if (!f) {
		out("%s(%s: %s)", prefix, path, strerror(errno));
		return;
	}
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = 0;
		out("%s%s", prefix, line);
	}
	fclose(f);
}

/* Every thread of the child: its kernel stack */
static void dump_child(pid_t pid)
{
	char path[100];
	int i;

	for (i = 0; i < sh->nthreads; i++) {
		struct tstat *t = &sh->t[i];

		if (!t->tid || t->done)
			continue;
		out("# thread %s (tid %d), in %s for %" PRId64 " ms, kernel stack:",
		    t->name, t->tid, op_name[t->op],
		    t->op == OP_IDLE ? 0 : now_ms() - t->op_since);
		snprintf(path, sizeof(path), "/proc/%d/task/%d/stack", pid, t->tid);
		print_file("#   ", path);
	}
}

static void usage(const char *prog)
{
	fprintf(stderr, "usage: %s [-d SECONDS] [-s SEED] [-w STALL_SECONDS] [-r N] [-o MS] [-p POOL]\n"
		"       [-A BDF] [-B BDF] [-C BDF] [-T] [-Q] [-I] [-X]\n", prog);
	exit(2);
}

int main(int argc, char **argv)
{
	unsigned int duration = 15, stall = 30, i, e, op;
	int64_t start, next_beat, last_change[MAX_THREADS] = { 0 };
	uint64_t last[MAX_THREADS] = { 0 };
	bool stalled = false, exited = false;
	int status = 0, c, tests = 0, failed = 0, kmsg;
	char stall_msg[300] = "";
	pid_t pid;

	seed = time(NULL);
	devs[DEV_A].bdf = getenv("VFIO_SELFTESTS_BDF");
	devs[DEV_B].bdf = getenv("VDT_BDF_TPH_ONLY");
	devs[DEV_C].bdf = getenv("VDT_ANA_COMPLETER");
	while ((c = getopt(argc, argv, "d:s:w:r:o:p:A:B:C:TQIX")) != -1) {
		switch (c) {
		case 'd': duration = strtoul(optarg, NULL, 0); break;
		case 's': seed = strtoull(optarg, NULL, 0); break;
		case 'w': stall = strtoul(optarg, NULL, 0); break;
		case 'r': opt_reset_every = strtoul(optarg, NULL, 0); break;
		case 'o': opt_reopen_ms = strtoul(optarg, NULL, 0); break;
		case 'p': pool_size = strtoul(optarg, NULL, 0); break;
		case 'A': devs[DEV_A].bdf = optarg; break;
		case 'B': devs[DEV_B].bdf = optarg; break;
		case 'C': devs[DEV_C].bdf = optarg[0] ? optarg : NULL; break;
		case 'T': opt_tph = false; break;
		case 'Q': opt_requester = false; break;
		case 'I': opt_iommufd = false; break;
		case 'X': opt_selftest = true; break;
		default: usage(argv[0]);
		}
	}
	if (pool_size < 1 || pool_size > MAX_POOL || !stall || !opt_reset_every ||
	    !opt_reopen_ms)
		usage(argv[0]);
	if (!HAVE_TPH_UAPI)
		opt_tph = false;
	devs[DEV_A].region = devs[DEV_B].region = VFIO_PCI_BAR0_REGION_INDEX;
	devs[DEV_C].region = TPH_TESTDEV_WINDOW_BAR;

	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	setvbuf(stdout, NULL, _IONBF, 0);
	out("TAP version 13");
	out("1..7");
	out("# vfio_stress: seed %" PRIu64 ", %u s, stall after %u s, reset 1 in %u, reopen every %u ms, pool %d",
	    seed, duration, stall, opt_reset_every, opt_reopen_ms, pool_size);

	pid = fork();
	if (pid < 0) {
		perror("fork");
		return 1;
	}
	if (!pid)
		_exit(child(duration));

	/* Watchdog */
	start = now_ms();
	next_beat = start + 10000;
	kmsg = open("/dev/kmsg", O_WRONLY | O_CLOEXEC);
	for (;;) {
		int64_t now;

		usleep(250000);
		if (waitpid(pid, &status, WNOHANG) == pid) {
			exited = true;
			break;
		}
		now = now_ms();
		if (now >= next_beat && kmsg >= 0) {
			char beat[200];
			int n = 0;

			n += snprintf(beat + n, sizeof(beat) - n, "vfio_stress: alive at %" PRId64 " s:",
				      (now - start) / 1000);
			for (i = 0; i < (unsigned int)sh->nthreads && n < (int)sizeof(beat) - 24; i++)
				n += snprintf(beat + n, sizeof(beat) - n, " %s %" PRIu64,
					      sh->t[i].name, sh->t[i].progress);
			if (write(kmsg, beat, n) < 0)
				close(kmsg), kmsg = -1;
			next_beat = now + 10000;
		}
		if (sh->phase == 0) {
			if (now - start > 2000LL * stall) {
				snprintf(stall_msg, sizeof(stall_msg),
					 "setup made no progress for %u s", 2 * stall);
				stalled = true;
			}
		} else {
			for (i = 0; i < (unsigned int)sh->nthreads; i++) {
				struct tstat *t = &sh->t[i];

				if (t->progress != last[i] || !last_change[i] || t->done) {
					last[i] = t->progress;
					last_change[i] = now;
					continue;
				}
				if (now - last_change[i] > 1000LL * stall) {
					snprintf(stall_msg, sizeof(stall_msg),
						 "thread %s (tid %d) made no progress for %u s, in %s",
						 t->name, t->tid, stall, op_name[t->op]);
					stalled = true;
					break;
				}
			}
		}
		if (stalled)
			break;
	}

	if (stalled) {
		out("# HANG: %s", stall_msg);
		/* Freeze the others where they are (a stuck thread stays stuck) */
		kill(pid, SIGSTOP);
		usleep(200000);
		dump_child(pid);
		out("# sysrq w (blocked tasks), d (held locks), l (CPU backtraces) to the kernel console");
		sysrq('w');
		sysrq('d');
		sysrq('l');
		kill(pid, SIGKILL);
		for (i = 0; i < 40; i++) {
			if (waitpid(pid, &status, WNOHANG) == pid) {
				exited = true;
				break;
			}
			usleep(250000);
		}
		if (!exited) {
			out("# the child %d cannot be killed (stuck in the kernel); its threads now:", pid);
			dump_child(pid);
		}
	}

	/* TAP */
#define RESULT(ok_, ...) do {						\
		char d_[400];						\
		snprintf(d_, sizeof(d_), __VA_ARGS__);			\
		tests++;						\
		if (!(ok_))						\
			failed++;					\
		out("%s %d - %s", (ok_) ? "ok" : "not ok", tests, d_);	\
	} while (0)

	if (sh->setup_ok)
		RESULT(true, "setup: %s, pool of %d dma-bufs, TPH calls %s, iommufd importer %s, requester %s",
		       sh->devs, pool_size, sh->tph ? "on" : "off",
		       sh->iommufd_importer ? "on" : "off", sh->requester ? "on" : "off");
	else
		RESULT(false, "setup: %s", sh->setup_msg[0] ? sh->setup_msg : "child died");

	RESULT(!stalled && exited && WIFEXITED(status) && WEXITSTATUS(status) == 0,
	       "no hang: every thread made progress within %u s and the run ended%s%s",
	       stall, stalled ? ": " : "", stall_msg);

	for (op = 1; op < OP_MAX; op++) {
		char line[400];
		int n;

		n = snprintf(line, sizeof(line), "# %-20s ok %" PRIu64, op_name[op], sh->ok[op]);
		for (e = 1; e < NERR; e++)
			if (sh->err[op][e])
				n += snprintf(line + n, sizeof(line) - n, ", %s %" PRIu64,
					      strerrorname_np(e) ?: "?", sh->err[op][e]);
		if (sh->ok[op] || n > 30)
			out("%s", line);
	}

	RESULT(!sh->unexpected, "no unexpected error: %" PRIu64 "%s%s", sh->unexpected,
	       sh->unexpected ? ", first: " : "", sh->unexpected_msg[0]);
	if (!sh->tph)
		out("ok %d - no torn read # SKIP no TPH calls", ++tests);
	else
		RESULT(!sh->torn && sh->gets_checked,
		       "no torn read: %" PRIu64 " GETs checked, %" PRIu64 " SETs%s%s",
		       sh->gets_checked, sh->sets_done,
		       sh->torn ? ", first: " : "", sh->torn_msg[0]);
	RESULT(sh->resets + sh->toggles > 0 && sh->exports > 0,
	       "revokers ran: %" PRIu64 " resets, %" PRIu64 " memory toggles, %" PRIu64
	       " exports, %" PRIu64 " slot closes, %" PRIu64 " reopens (%" PRIu64 " failed)",
	       sh->resets, sh->toggles, sh->exports, sh->closes, sh->reopens, sh->reopen_fail);
	RESULT(!sh->reopen_fail, "the TPH-only device could always be reopened");
	if (!sh->requester)
		out("ok %d - requester # SKIP no tph_requester", ++tests);
	else
		RESULT(!sh->req_bad,
		       "requester: %" PRIu64 " maps, %" PRIu64 " writes, hints and wire consistent%s%s",
		       sh->req_maps, sh->req_writes, sh->req_bad ? "; first problem: " : "",
		       sh->req_bad_msg[0]);
	out("# iommufd importer: %" PRIu64 " maps, %" PRIu64 " unmaps, %" PRIu64
	    " EINVAL while the slot changed", sh->maps, sh->unmaps, sh->map_raced);
	return failed || stalled ? 1 : 0;
}
