/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * uAPI of the tph_importer test module (out of tree, test use only).
 *
 * /dev/tph_importer attaches to a dma-buf as a revocable peer-to-peer
 * importer on behalf of a chosen PCI function, the way an RDMA driver does
 * when it registers a dma-buf memory region, and reports what
 * dma_buf_get_pci_tph() answers for that attachment. Attachments belong to
 * the open file and are detached when it is closed.
 */
#ifndef _TPH_IMPORTER_H
#define _TPH_IMPORTER_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define TPH_IMPORTER_PCI_NAME_LEN	16

/**
 * struct tph_importer_attach - TPH_IMPORTER_ATTACH argument
 * @dmabuf_fd: in: the dma-buf to attach to
 * @handle: out: names the attachment in the other ioctls (never 0)
 * @pci_name: in: the importing PCI function, "DDDD:BB:DD.F", NUL-terminated
 * @flags: in: TPH_IMPORTER_ATTACH_*
 *
 * Errors: those of dma_buf_get() and dma_buf_dynamic_attach() (e.g. EBADF,
 * EINVAL, ENODEV for a revoked vfio dma-buf), ENXIO when no such PCI
 * function exists, EINVAL for a malformed @pci_name or unknown @flags.
 */
struct tph_importer_attach {
	__s32	dmabuf_fd;
	__u32	handle;
	char	pci_name[TPH_IMPORTER_PCI_NAME_LEN];
	__u32	flags;
};

/*
 * Attach as a peer-to-peer importer without invalidate_mappings(), one that
 * cannot be revoked (dma_buf_attach_revocable() is false): vfio-pci refuses
 * it, with -ENODEV first if the dma-buf is revoked (v7.3's order).
 */
#define TPH_IMPORTER_ATTACH_NOT_REVOCABLE	(1 << 0)

/*
 * Attach for a device that is not a PCI function (the importer's own misc
 * device; @pci_name must still name a PCI function): an exporter of PCI TPH
 * hints has none for it.
 */
#define TPH_IMPORTER_ATTACH_NOT_PCI		(1 << 1)

/*
 * An importer that is slow to revoke, as an RDMA driver waiting for its
 * device to fence the mapping is: invalidate_mappings() counts the call,
 * then sleeps TPH_IMPORTER_SLOW_INVALIDATE_MS.  The exporter's revoke walk
 * (and every lock it holds) stays open that long, so that a test can act
 * inside it.
 */
#define TPH_IMPORTER_ATTACH_SLOW_INVALIDATE	(1 << 2)
#define TPH_IMPORTER_SLOW_INVALIDATE_MS		1000

/* Ask for the Extended (16-bit) steering tag instead of the 8-bit one. */
#define TPH_IMPORTER_QUERY_EXTENDED	(1 << 0)

/*
 * Report only @invalidations, without the reservation lock and without
 * calling dma_buf_get_pci_tph() (@ret, @steering_tag and @ph are 0): it
 * answers while an invalidation holds the lock.
 */
#define TPH_IMPORTER_QUERY_COUNT_ONLY	(1 << 1)

/**
 * struct tph_importer_query - TPH_IMPORTER_QUERY argument
 * @handle: in: an attachment of this file
 * @flags: in: TPH_IMPORTER_QUERY_*
 * @ret: out: the return value of dma_buf_get_pci_tph(), 0 or -errno
 * @invalidations: out: invalidate_mappings() calls on this attachment so far
 * @steering_tag: out: the steering tag it returned (meaningful if @ret is 0)
 * @ph: out: the processing hint it returned (meaningful if @ret is 0)
 * @reserved: must be zero
 *
 * dma_buf_get_pci_tph() is called with the dma-buf's reservation lock held,
 * as the dma-buf core requires.  The ioctl itself fails only for an unknown
 * @handle (ENOENT) or bad @flags (EINVAL); the accessor's result is in @ret.
 */
struct tph_importer_query {
	__u32	handle;
	__u32	flags;
	__s32	ret;
	__u32	invalidations;
	__u16	steering_tag;
	__u8	ph;
	__u8	reserved[5];
};

/**
 * struct tph_importer_detach - TPH_IMPORTER_DETACH argument
 * @handle: in: the attachment to detach
 * @reserved: must be zero
 */
struct tph_importer_detach {
	__u32	handle;
	__u32	reserved;
};

/**
 * struct tph_importer_export - TPH_IMPORTER_EXPORT argument
 * @fd: out: a new dma-buf of this module, whose private data is zeroed
 * @reserved: must be zero
 *
 * A dma-buf of another exporter for the exporters that accept only their
 * own: its private data, read as if it were theirs, is all zeroes.
 */
struct tph_importer_export {
	__s32	fd;
	__u32	reserved;
};

#define TPH_IMPORTER_MAGIC	0xb7

#define TPH_IMPORTER_ATTACH	_IOWR(TPH_IMPORTER_MAGIC, 1, struct tph_importer_attach)
#define TPH_IMPORTER_QUERY	_IOWR(TPH_IMPORTER_MAGIC, 2, struct tph_importer_query)
#define TPH_IMPORTER_DETACH	_IOW(TPH_IMPORTER_MAGIC, 3, struct tph_importer_detach)
#define TPH_IMPORTER_EXPORT	_IOWR(TPH_IMPORTER_MAGIC, 4, struct tph_importer_export)

#endif /* _TPH_IMPORTER_H */
