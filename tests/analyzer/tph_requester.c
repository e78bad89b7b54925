// SPDX-License-Identifier: GPL-2.0
/*
 * tph_requester - a simple PCIe endpoint as a peer-to-peer dma-buf importer
 *
 * Drives QEMU's test-only pcie-tph-testdev as a TPH requester.  It imports a
 * dma-buf the way an RDMA NIC does when it registers a dma-buf memory region,
 * and writes into it with the device's DMA engine, which puts the PCIe TLP
 * Processing Hints on the request:
 *
 *  - a dynamic attachment that allows peer-to-peer and implements
 *    invalidate_mappings(), which vfio-pci requires;
 *  - the mapping is made, and the exporter's hints are read with
 *    dma_buf_get_pci_tph(), under one hold of the reservation lock: the
 *    hints belong to that mapping;
 *  - the hints are asked in the namespace the function is enabled for
 *    (pcie_tph_enabled_req_type()), Extended first, the 8-bit tag when the
 *    exporter gives no Extended one;
 *  - on invalidate_mappings() the mapping is torn down and no write is made
 *    until it is mapped again, which asks for the hints again.
 *
 * Bound only through driver_override; /dev/tph_requester drives the first
 * device bound, others only get TPH enabled.  Test use only, not part of the
 * series.
 * See tph_requester.h for the ioctls.
 */
#include <linux/dma-buf.h>
#include <linux/dma-mapping.h>
#include <linux/dma-resv.h>
#include <linux/fs.h>
#include <linux/io.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/pci-tph.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/xarray.h>

#include "tph_requester.h"
#include "tph_testdev.h"

#define TPH_REQ_DIR	DMA_BIDIRECTIONAL

/**
 * struct tph_req_dev - the bound device
 * @pdev: the PCI function
 * @regs: its BAR0
 * @tph_err: result of the last pcie_enable_tph()
 */
struct tph_req_dev {
	struct pci_dev *pdev;
	void __iomem *regs;
	int tph_err;
};

/* The bound device, NULL when none; protects it and its registers */
static DEFINE_MUTEX(tph_req_lock);
static struct tph_req_dev *tph_req;

/**
 * struct tph_req_file - state of one open /dev/tph_requester
 * @lock: serialises the ioctls and the release of this file
 * @attachments: handle -> struct tph_req_attachment
 */
struct tph_req_file {
	struct mutex lock;	/* protects @attachments */
	struct xarray attachments;
};

/**
 * struct tph_req_attachment - one imported dma-buf
 * @pdev: the requester it is attached for (reference held)
 * @dmabuf: the dma-buf (reference held)
 * @attach: the attachment
 * @sgt: the current mapping, NULL when not mapped
 * @hints: TPH_REQUESTER_HINTS_* of the current mapping
 * @tph_ret: dma_buf_get_pci_tph() result for the namespace used
 * @steering_tag: hint of the current mapping
 * @ph: hint of the current mapping
 * @invalidations: invalidate_mappings() calls so far
 *
 * @sgt and the hints are protected by the dma-buf's reservation lock.
 */
struct tph_req_attachment {
	struct pci_dev *pdev;
	struct dma_buf *dmabuf;
	struct dma_buf_attachment *attach;
	struct sg_table *sgt;
	u32 hints;
	int tph_ret;
	u16 steering_tag;
	u8 ph;
	atomic_t invalidations;
};

static void tph_req_unmap(struct tph_req_attachment *a)
{
	dma_resv_assert_held(a->dmabuf->resv);

	if (a->sgt)
		dma_buf_unmap_attachment(a->attach, a->sgt, TPH_REQ_DIR);
	a->sgt = NULL;
	a->hints = 0;
}

/* The exporter moves or revokes the buffer: stop using the mapping. */
static void tph_req_invalidate_mappings(struct dma_buf_attachment *attach)
{
	struct tph_req_attachment *a = attach->importer_priv;

	atomic_inc(&a->invalidations);
	tph_req_unmap(a);
}

static const struct dma_buf_attach_ops tph_req_attach_ops = {
	.allow_peer2peer = true,
	.invalidate_mappings = tph_req_invalidate_mappings,
};

/*
 * Ask the exporter for the hints of the current mapping, in the namespace of
 * the requests the function was enabled to send.  A function enabled for
 * Extended TPH may also send baseline requests, which carry the 8-bit tag:
 * use that when the exporter has no Extended tag for this attachment, which
 * is the case when the route cannot carry the TLP prefix.
 */
static int tph_req_query(struct tph_req_attachment *a)
{
	u8 req_type = pcie_tph_enabled_req_type(a->pdev);
	int ret = -EOPNOTSUPP;

	dma_resv_assert_held(a->dmabuf->resv);

	a->hints = 0;
	if (req_type == PCI_TPH_REQ_EXT_TPH) {
		ret = dma_buf_get_pci_tph(a->attach, true, &a->steering_tag,
					  &a->ph);
		if (!ret)
			a->hints = TPH_REQUESTER_HINTS_VALID |
				   TPH_REQUESTER_HINTS_EXTENDED;
	}
	if (ret == -EOPNOTSUPP && req_type != PCI_TPH_REQ_DISABLE) {
		ret = dma_buf_get_pci_tph(a->attach, false, &a->steering_tag,
					  &a->ph);
		if (!ret)
			a->hints = TPH_REQUESTER_HINTS_VALID;
	}
	a->tph_ret = ret;

	return ret == -EOPNOTSUPP ? 0 : ret;
}

static void tph_req_free(struct tph_req_attachment *a)
{
	dma_resv_lock(a->dmabuf->resv, NULL);
	tph_req_unmap(a);
	dma_resv_unlock(a->dmabuf->resv);

	dma_buf_detach(a->dmabuf, a->attach);
	dma_buf_put(a->dmabuf);
	pci_dev_put(a->pdev);
	kfree(a);
}

static struct tph_req_attachment *tph_req_find(struct tph_req_file *file,
					       u32 handle)
{
	return xa_load(&file->attachments, handle);
}

static int tph_req_info(void __user *uarg)
{
	struct tph_requester_info arg = {};

	mutex_lock(&tph_req_lock);
	if (!tph_req) {
		mutex_unlock(&tph_req_lock);
		return -ENODEV;
	}
	strscpy(arg.pci_name, pci_name(tph_req->pdev), sizeof(arg.pci_name));
	arg.req_type = pcie_tph_enabled_req_type(tph_req->pdev);
	arg.st_table_size = pcie_tph_get_st_table_size(tph_req->pdev);
	arg.tph_err = tph_req->tph_err;
	mutex_unlock(&tph_req_lock);

	return copy_to_user(uarg, &arg, sizeof(arg)) ? -EFAULT : 0;
}

static int tph_req_tph(void __user *uarg)
{
	struct tph_requester_tph arg;

	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	if (arg.enable > 1)
		return -EINVAL;

	mutex_lock(&tph_req_lock);
	if (!tph_req) {
		mutex_unlock(&tph_req_lock);
		return -ENODEV;
	}
	pcie_disable_tph(tph_req->pdev);
	tph_req->tph_err = arg.enable ?
		pcie_enable_tph(tph_req->pdev, PCI_TPH_ST_DS_MODE) : 0;
	arg.ret = tph_req->tph_err;
	mutex_unlock(&tph_req_lock);

	return copy_to_user(uarg, &arg, sizeof(arg)) ? -EFAULT : 0;
}

static int tph_req_attach(struct tph_req_file *file, void __user *uarg)
{
	struct tph_requester_attach arg;
	struct tph_req_attachment *a;
	u32 handle;
	int ret;

	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;

	a = kzalloc_obj(*a);
	if (!a)
		return -ENOMEM;

	mutex_lock(&tph_req_lock);
	if (tph_req)
		a->pdev = pci_dev_get(tph_req->pdev);
	mutex_unlock(&tph_req_lock);
	if (!a->pdev) {
		ret = -ENODEV;
		goto err_free;
	}

	a->dmabuf = dma_buf_get(arg.dmabuf_fd);
	if (IS_ERR(a->dmabuf)) {
		ret = PTR_ERR(a->dmabuf);
		goto err_put_pdev;
	}

	a->attach = dma_buf_dynamic_attach(a->dmabuf, &a->pdev->dev,
					   &tph_req_attach_ops, a);
	if (IS_ERR(a->attach)) {
		ret = PTR_ERR(a->attach);
		goto err_put_dmabuf;
	}

	ret = xa_alloc(&file->attachments, &handle, a, xa_limit_32b,
		       GFP_KERNEL);
	if (ret)
		goto err_detach;

	arg.handle = handle;
	if (copy_to_user(uarg, &arg, sizeof(arg))) {
		xa_erase(&file->attachments, handle);
		ret = -EFAULT;
		goto err_detach;
	}
	return 0;

err_detach:
	dma_buf_detach(a->dmabuf, a->attach);
err_put_dmabuf:
	dma_buf_put(a->dmabuf);
err_put_pdev:
	pci_dev_put(a->pdev);
err_free:
	kfree(a);
	return ret;
}

static int tph_req_map(struct tph_req_file *file, void __user *uarg)
{
	struct tph_requester_map arg;
	struct tph_req_attachment *a;
	struct sg_table *sgt;
	int ret = 0;

	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	if (memchr_inv(arg.reserved, 0, sizeof(arg.reserved)))
		return -EINVAL;

	a = tph_req_find(file, arg.handle);
	if (!a)
		return -ENOENT;

	dma_resv_lock(a->dmabuf->resv, NULL);
	if (!a->sgt) {
		sgt = dma_buf_map_attachment(a->attach, TPH_REQ_DIR);
		if (IS_ERR(sgt)) {
			ret = PTR_ERR(sgt);
			goto out_unlock;
		}
		a->sgt = sgt;
	}

	/* The hints belong to this mapping: ask under the same lock hold */
	ret = tph_req_query(a);
	if (ret) {
		tph_req_unmap(a);
		goto out_unlock;
	}

	arg.hints = a->hints;
	arg.tph_ret = a->tph_ret;
	arg.steering_tag = a->steering_tag;
	arg.ph = a->ph;
	arg.dma_addr = sg_dma_address(a->sgt->sgl);
	arg.len = sg_dma_len(a->sgt->sgl);
out_unlock:
	arg.invalidations = atomic_read(&a->invalidations);
	dma_resv_unlock(a->dmabuf->resv);

	if (!ret && copy_to_user(uarg, &arg, sizeof(arg)))
		ret = -EFAULT;
	return ret;
}

/*
 * The device's TPH descriptor for the hints of @a: the tag itself, or in
 * table mode the ST table entry that now holds it.
 */
static int tph_req_desc(struct tph_req_attachment *a, bool table, u32 index,
			u32 *desc)
{
	int ret;

	*desc = 0;
	if (!(a->hints & TPH_REQUESTER_HINTS_VALID))
		return 0;

	*desc = TPH_TESTDEV_DESC_TH | a->ph << TPH_TESTDEV_DESC_PH_SHIFT;
	if (a->hints & TPH_REQUESTER_HINTS_EXTENDED)
		*desc |= TPH_TESTDEV_DESC_EXT;

	if (!table) {
		*desc |= (u32)a->steering_tag << TPH_TESTDEV_DESC_ST_SHIFT;
		return 0;
	}

	if (index >= pcie_tph_get_st_table_size(a->pdev))
		return -EINVAL;
	ret = pcie_tph_set_st_entry(a->pdev, index, a->steering_tag);
	if (ret)
		return ret;
	*desc |= TPH_TESTDEV_DESC_TABLE | index << TPH_TESTDEV_DESC_ST_SHIFT;
	return 0;
}

static int tph_req_write(struct tph_req_file *file, void __user *uarg)
{
	struct tph_requester_write arg;
	struct tph_req_attachment *a;
	dma_addr_t addr;
	u32 desc;
	int ret;

	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	if ((arg.flags & ~TPH_REQUESTER_WRITE_TABLE) || arg.reserved ||
	    !arg.len || arg.len > 4096)
		return -EINVAL;

	a = tph_req_find(file, arg.handle);
	if (!a)
		return -ENOENT;

	/*
	 * Hold the reservation lock over the write: an invalidation waits for
	 * it, and after one there is no mapping to write to.
	 */
	dma_resv_lock(a->dmabuf->resv, NULL);
	if (!a->sgt) {
		ret = -ENODATA;
		goto out_unlock;
	}
	if (arg.offset >= sg_dma_len(a->sgt->sgl) ||
	    arg.len > sg_dma_len(a->sgt->sgl) - arg.offset) {
		ret = -EINVAL;
		goto out_unlock;
	}
	addr = sg_dma_address(a->sgt->sgl) + arg.offset;

	mutex_lock(&tph_req_lock);
	if (!tph_req || tph_req->pdev != a->pdev) {
		ret = -ENODEV;
		goto out_dev;
	}
	ret = tph_req_desc(a, arg.flags & TPH_REQUESTER_WRITE_TABLE,
			   arg.table_index, &desc);
	if (ret)
		goto out_dev;

	writel(lower_32_bits(addr), tph_req->regs + TPH_TESTDEV_DMA_ADDR_LO);
	writel(upper_32_bits(addr), tph_req->regs + TPH_TESTDEV_DMA_ADDR_HI);
	writel(arg.len, tph_req->regs + TPH_TESTDEV_DMA_LEN);
	writel(arg.pattern, tph_req->regs + TPH_TESTDEV_PATTERN);
	writel(desc, tph_req->regs + TPH_TESTDEV_TPH_DESC);
	writel(1, tph_req->regs + TPH_TESTDEV_DOORBELL);
	arg.status = readl(tph_req->regs + TPH_TESTDEV_STATUS);
	arg.sent = readl(tph_req->regs + TPH_TESTDEV_SENT);
out_dev:
	mutex_unlock(&tph_req_lock);
out_unlock:
	dma_resv_unlock(a->dmabuf->resv);

	if (!ret && copy_to_user(uarg, &arg, sizeof(arg)))
		ret = -EFAULT;
	return ret;
}

static int tph_req_unmap_or_detach(struct tph_req_file *file,
				   void __user *uarg, bool detach)
{
	struct tph_requester_detach arg;
	struct tph_req_attachment *a;

	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	if (arg.reserved)
		return -EINVAL;

	if (detach) {
		a = xa_erase(&file->attachments, arg.handle);
		if (!a)
			return -ENOENT;
		tph_req_free(a);
		return 0;
	}

	a = tph_req_find(file, arg.handle);
	if (!a)
		return -ENOENT;
	dma_resv_lock(a->dmabuf->resv, NULL);
	tph_req_unmap(a);
	dma_resv_unlock(a->dmabuf->resv);
	return 0;
}

static long tph_req_ioctl(struct file *filp, unsigned int cmd,
			  unsigned long arg)
{
	struct tph_req_file *file = filp->private_data;
	void __user *uarg = (void __user *)arg;
	long ret;

	mutex_lock(&file->lock);
	switch (cmd) {
	case TPH_REQUESTER_INFO:
		ret = tph_req_info(uarg);
		break;
	case TPH_REQUESTER_TPH:
		ret = tph_req_tph(uarg);
		break;
	case TPH_REQUESTER_ATTACH:
		ret = tph_req_attach(file, uarg);
		break;
	case TPH_REQUESTER_MAP:
		ret = tph_req_map(file, uarg);
		break;
	case TPH_REQUESTER_WRITE:
		ret = tph_req_write(file, uarg);
		break;
	case TPH_REQUESTER_UNMAP:
		ret = tph_req_unmap_or_detach(file, uarg, false);
		break;
	case TPH_REQUESTER_DETACH:
		ret = tph_req_unmap_or_detach(file, uarg, true);
		break;
	default:
		ret = -ENOTTY;
		break;
	}
	mutex_unlock(&file->lock);

	return ret;
}

static int tph_req_open(struct inode *inode, struct file *filp)
{
	struct tph_req_file *file;

	file = kzalloc_obj(*file);
	if (!file)
		return -ENOMEM;

	mutex_init(&file->lock);
	xa_init_flags(&file->attachments, XA_FLAGS_ALLOC1);
	filp->private_data = file;
	return 0;
}

static int tph_req_release(struct inode *inode, struct file *filp)
{
	struct tph_req_file *file = filp->private_data;
	struct tph_req_attachment *a;
	unsigned long handle;

	mutex_lock(&file->lock);
	xa_for_each(&file->attachments, handle, a) {
		xa_erase(&file->attachments, handle);
		tph_req_free(a);
	}
	mutex_unlock(&file->lock);

	xa_destroy(&file->attachments);
	mutex_destroy(&file->lock);
	kfree(file);
	return 0;
}

static const struct file_operations tph_req_fops = {
	.owner = THIS_MODULE,
	.open = tph_req_open,
	.release = tph_req_release,
	.unlocked_ioctl = tph_req_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

static struct miscdevice tph_req_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "tph_requester",
	.fops = &tph_req_fops,
	.mode = 0600,
};

static int tph_req_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct tph_req_dev *dev;
	int ret;

	if (pdev->vendor != TPH_TESTDEV_VENDOR ||
	    pdev->device != TPH_TESTDEV_DEVICE)
		return -ENODEV;

	dev = devm_kzalloc(&pdev->dev, sizeof(*dev), GFP_KERNEL);
	if (!dev)
		return -ENOMEM;
	dev->pdev = pdev;

	ret = pcim_enable_device(pdev);
	if (ret)
		return ret;

	dev->regs = pcim_iomap_region(pdev, 0, "tph_requester");
	if (IS_ERR(dev->regs))
		return PTR_ERR(dev->regs);
	if (readl(dev->regs + TPH_TESTDEV_ID) != TPH_TESTDEV_ID_VALUE)
		return -ENODEV;

	ret = dma_set_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(64));
	if (ret)
		return ret;
	pci_set_master(pdev);

	/* A requester without TPH still writes, without hints */
	dev->tph_err = pcie_enable_tph(pdev, PCI_TPH_ST_DS_MODE);
	pci_info(pdev, "TPH requester type %u (pcie_enable_tph: %d)\n",
		 pcie_tph_enabled_req_type(pdev), dev->tph_err);

	/* The first device is the one /dev/tph_requester drives */
	mutex_lock(&tph_req_lock);
	if (!tph_req)
		tph_req = dev;
	mutex_unlock(&tph_req_lock);

	pci_set_drvdata(pdev, dev);
	return 0;
}

static void tph_req_remove(struct pci_dev *pdev)
{
	mutex_lock(&tph_req_lock);
	if (tph_req == pci_get_drvdata(pdev))
		tph_req = NULL;
	mutex_unlock(&tph_req_lock);

	pcie_disable_tph(pdev);
}

/* No ID table: bound only through driver_override */
static struct pci_driver tph_req_driver = {
	.name = "tph_requester",
	.probe = tph_req_probe,
	.remove = tph_req_remove,
};

static int __init tph_req_init(void)
{
	int ret;

	ret = misc_register(&tph_req_misc);
	if (ret)
		return ret;

	ret = pci_register_driver(&tph_req_driver);
	if (ret)
		misc_deregister(&tph_req_misc);
	return ret;
}

static void __exit tph_req_exit(void)
{
	pci_unregister_driver(&tph_req_driver);
	misc_deregister(&tph_req_misc);
}

module_init(tph_req_init);
module_exit(tph_req_exit);

MODULE_DESCRIPTION("Test-only PCIe TPH requester importing peer-to-peer dma-bufs");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS("DMA_BUF");
