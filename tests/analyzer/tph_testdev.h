/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * Register map of QEMU's test-only "pcie-tph-testdev" (tests/qemu/
 * 0002-pcie-tph-testdev.patch), shared by the guest requester driver and the
 * guest analyzer test.  Test use only.
 *
 * One device model plays two roles, one per instance:
 *   requester  BAR0 programs a DMA write; it puts PCIe TPH on the request
 *              following its TPH Requester capability's control register
 *   completer  BAR2 is an MMIO window that logs every write it receives
 *              with the TPH attributes of the request, read back from BAR0
 */
#ifndef _TPH_TESTDEV_H
#define _TPH_TESTDEV_H

#define TPH_TESTDEV_VENDOR		0x1af4
#define TPH_TESTDEV_DEVICE		0x10f0

/* BAR0, 32-bit registers */
#define TPH_TESTDEV_ID			0x000
#define  TPH_TESTDEV_ID_VALUE		0x31485054	/* "TPH1" */
#define TPH_TESTDEV_VERSION		0x004
#define TPH_TESTDEV_DMA_ADDR_LO		0x008
#define TPH_TESTDEV_DMA_ADDR_HI		0x00c
#define TPH_TESTDEV_DMA_LEN		0x010		/* 1..4096 */
#define TPH_TESTDEV_PATTERN		0x014		/* byte i = (PATTERN + i) & 0xff */
#define TPH_TESTDEV_TPH_DESC		0x018
#define  TPH_TESTDEV_DESC_TH		0x00000001	/* ask for hints */
#define  TPH_TESTDEV_DESC_PH_SHIFT	1		/* bits 2:1 */
#define  TPH_TESTDEV_DESC_EXT		0x00000008	/* ask for a TPH TLP Prefix */
#define  TPH_TESTDEV_DESC_TABLE		0x00000010	/* ST field is a table index */
#define  TPH_TESTDEV_DESC_ST_SHIFT	16		/* bits 31:16 */
#define TPH_TESTDEV_DOORBELL		0x01c		/* write 1: DMA write, synchronous */
#define TPH_TESTDEV_STATUS		0x020
#define  TPH_TESTDEV_STATUS_DONE	0x00000001
#define  TPH_TESTDEV_STATUS_RESULT_SHIFT 4		/* bits 7:4, MemTxResult */
#define  TPH_TESTDEV_STATUS_RESULT_MASK	0x000000f0
#define  TPH_TESTDEV_STATUS_HINT_SUPPRESSED 0x00000100
#define  TPH_TESTDEV_STATUS_PREFIX_SUPPRESSED 0x00000200
#define  TPH_TESTDEV_STATUS_BAD_INDEX	0x00000400
#define  TPH_TESTDEV_STATUS_BAD_LEN	0x00000800
#define TPH_TESTDEV_SENT		0x024		/* hints put on the request */
#define  TPH_TESTDEV_SENT_TH		0x00000001
#define  TPH_TESTDEV_SENT_PH_SHIFT	1
#define  TPH_TESTDEV_SENT_PREFIX	0x00000008
#define  TPH_TESTDEV_SENT_ST_SHIFT	16
#define TPH_TESTDEV_LOG_COUNT		0x100
#define TPH_TESTDEV_LOG_CLEAR		0x104
#define TPH_TESTDEV_LOG_DROPPED		0x108
#define TPH_TESTDEV_LOG			0x800
#define  TPH_TESTDEV_LOG_ENTRIES	64
#define  TPH_TESTDEV_LOG_ENTRY_SIZE	32

/* BAR2: the completer's 64 KiB window */
#define TPH_TESTDEV_WINDOW_BAR		2
#define TPH_TESTDEV_WINDOW_SIZE		0x10000

/* One entry of the completer's log, as it is laid out in BAR0 */
struct tph_testdev_log_entry {
	__u32	offset;		/* in the BAR2 window */
	__u32	len;		/* bytes, contiguous writes with equal attributes merged */
	__u32	flags;		/* TPH_TESTDEV_LOG_* */
	__u16	st;		/* ST[7:0] without prefix, ST[15:0] with it */
	__u16	requester_id;
	__u32	nacc;		/* accesses merged into this entry */
	__u32	reserved[3];
};

#define TPH_TESTDEV_LOG_TH		0x00000001
#define TPH_TESTDEV_LOG_PH_SHIFT	1
#define TPH_TESTDEV_LOG_PH_MASK		0x00000006
#define TPH_TESTDEV_LOG_PREFIX		0x00000008
#define TPH_TESTDEV_LOG_UNSPECIFIED	0x00000010	/* no attributes (qtest) */
#define TPH_TESTDEV_LOG_RID_VALID	0x00000020	/* a device's request */

#endif /* _TPH_TESTDEV_H */
