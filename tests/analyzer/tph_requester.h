/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * uAPI of tph_requester.ko (out of tree, test use only).
 *
 * tph_requester drives QEMU's test-only pcie-tph-testdev as a TPH requester:
 * it imports a dma-buf the way a peer-to-peer RDMA NIC does (dynamic
 * attachment with invalidate_mappings, mapping under the reservation lock,
 * hints from dma_buf_get_pci_tph() for each mapping) and writes into it with
 * the device's DMA engine, which puts the hints on the request.  Bound only
 * through driver_override; /dev/tph_requester drives the first device bound.
 * Attachments belong to the open file and are detached when it is closed.
 */
#ifndef _TPH_REQUESTER_H
#define _TPH_REQUESTER_H

#include <linux/ioctl.h>
#include <linux/types.h>

/**
 * struct tph_requester_info - TPH_REQUESTER_INFO argument
 * @pci_name: out: the requester, "DDDD:BB:DD.F"
 * @req_type: out: pcie_tph_enabled_req_type() of the requester
 * @st_table_size: out: entries of its ST table (0: none)
 * @tph_err: out: the result of the last pcie_enable_tph(), 0 or -errno
 */
struct tph_requester_info {
	char	pci_name[16];
	__u32	req_type;
	__u32	st_table_size;
	__s32	tph_err;
	__u32	reserved;
};

/**
 * struct tph_requester_tph - TPH_REQUESTER_TPH argument
 * @enable: in: 1 enables TPH (Device Specific mode), 0 disables it
 * @ret: out: 0 or the -errno of pcie_enable_tph()
 */
struct tph_requester_tph {
	__u32	enable;
	__s32	ret;
};

/**
 * struct tph_requester_attach - TPH_REQUESTER_ATTACH argument
 * @dmabuf_fd: in: the dma-buf to import
 * @handle: out: names the attachment in the other ioctls (never 0)
 */
struct tph_requester_attach {
	__s32	dmabuf_fd;
	__u32	handle;
};

/* Hints as the requester got them for the current mapping */
#define TPH_REQUESTER_HINTS_VALID	(1 << 0)	/* there are hints */
#define TPH_REQUESTER_HINTS_EXTENDED	(1 << 1)	/* Extended namespace */

/**
 * struct tph_requester_map - TPH_REQUESTER_MAP argument
 * @handle: in: an attachment of this file
 * @hints: out: TPH_REQUESTER_HINTS_*
 * @tph_ret: out: what dma_buf_get_pci_tph() returned for the namespace used
 * @dma_addr: out: DMA address of the mapping
 * @len: out: its length
 * @steering_tag: out: with TPH_REQUESTER_HINTS_VALID
 * @ph: out: with TPH_REQUESTER_HINTS_VALID
 * @invalidations: out: invalidate_mappings() calls on the attachment so far
 *
 * Maps the attachment if it is not mapped (after an invalidation it is not),
 * and asks the exporter for the hints of the mapping: in the Extended
 * namespace if the requester is enabled for Extended TPH, else, or when the
 * exporter gives no Extended tag, in the 8-bit one.  Errors: those of
 * dma_buf_map_attachment() and dma_buf_get_pci_tph() other than -EOPNOTSUPP.
 */
struct tph_requester_map {
	__u32	handle;
	__u32	hints;
	__s32	tph_ret;
	__u32	invalidations;
	__u64	dma_addr;
	__u64	len;
	__u16	steering_tag;
	__u8	ph;
	__u8	reserved[5];
};

/* Put the tag in an ST table entry and name the entry in the request */
#define TPH_REQUESTER_WRITE_TABLE	(1 << 0)

/**
 * struct tph_requester_write - TPH_REQUESTER_WRITE argument
 * @handle: in: a mapped attachment of this file
 * @flags: in: TPH_REQUESTER_WRITE_*
 * @offset: in: into the mapping
 * @len: in: 1..4096 bytes
 * @pattern: in: payload byte i is (@pattern + i) & 0xff
 * @table_index: in: ST table entry, with TPH_REQUESTER_WRITE_TABLE
 * @status: out: the device's STATUS register after the write
 * @sent: out: the device's SENT register: the hints on the request
 *
 * One DMA write of the device into the mapping, with the hints of the
 * mapping.  Fails with -ENODATA when the attachment is not mapped, for
 * example after invalidate_mappings(): nothing is written then.
 */
struct tph_requester_write {
	__u32	handle;
	__u32	flags;
	__u64	offset;
	__u32	len;
	__u32	pattern;
	__u32	table_index;
	__u32	status;
	__u32	sent;
	__u32	reserved;
};

/**
 * struct tph_requester_detach - TPH_REQUESTER_UNMAP and _DETACH argument
 * @handle: in: an attachment of this file
 * @reserved: must be zero
 */
struct tph_requester_detach {
	__u32	handle;
	__u32	reserved;
};

#define TPH_REQUESTER_MAGIC	0xb8

#define TPH_REQUESTER_INFO	_IOR(TPH_REQUESTER_MAGIC, 1, struct tph_requester_info)
#define TPH_REQUESTER_TPH	_IOWR(TPH_REQUESTER_MAGIC, 2, struct tph_requester_tph)
#define TPH_REQUESTER_ATTACH	_IOWR(TPH_REQUESTER_MAGIC, 3, struct tph_requester_attach)
#define TPH_REQUESTER_MAP	_IOWR(TPH_REQUESTER_MAGIC, 4, struct tph_requester_map)
#define TPH_REQUESTER_WRITE	_IOWR(TPH_REQUESTER_MAGIC, 5, struct tph_requester_write)
#define TPH_REQUESTER_UNMAP	_IOW(TPH_REQUESTER_MAGIC, 6, struct tph_requester_detach)
#define TPH_REQUESTER_DETACH	_IOW(TPH_REQUESTER_MAGIC, 7, struct tph_requester_detach)

#endif /* _TPH_REQUESTER_H */
