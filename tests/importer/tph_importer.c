// SPDX-License-Identifier: GPL-2.0
/*
 * tph_importer - a test-only peer-to-peer dma-buf importer
 *
 * Attaches to a dma-buf as a dynamic, revocable importer with peer-to-peer
 * support (like mlx5 and iommufd do with a vfio-pci dma-buf) on behalf of a
 * PCI function given by name, and reports what dma_buf_get_pci_tph() answers
 * for the attachment, with the reservation lock held. It never maps the
 * dma-buf: invalidate_mappings() only counts revokes; tests/analyzer's
 * tph_requester maps and writes. See tph_importer.h for the ioctls.
 *
 * Out of tree and for tests only: not part of the kernel series.
 */
#include <linux/delay.h>
#include <linux/dma-buf.h>
#include <linux/dma-resv.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/xarray.h>

#include "tph_importer.h"

/**
 * struct tph_imp_file - state of one open /dev/tph_importer
 * @lock: serialises the ioctls and the release of this file
 * @attachments: handle -> struct tph_imp_attachment
 */
struct tph_imp_file {
	struct mutex lock;	/* protects @attachments and their entries */
	struct xarray attachments;
};

/**
 * struct tph_imp_attachment - one attachment made by TPH_IMPORTER_ATTACH
 * @pdev: the importing PCI function (reference held)
 * @dmabuf: the dma-buf (reference held)
 * @attach: the attachment to @dmabuf for @pdev
 * @invalidations: calls of invalidate_mappings() on @attach
 * @slow: TPH_IMPORTER_ATTACH_SLOW_INVALIDATE (set before @attach exists)
 */
struct tph_imp_attachment {
	struct pci_dev *pdev;
	struct dma_buf *dmabuf;
	struct dma_buf_attachment *attach;
	atomic_t invalidations;
	bool slow;
};

static void tph_imp_invalidate_mappings(struct dma_buf_attachment *attach)
{
	struct tph_imp_attachment *entry = attach->importer_priv;

	dma_resv_assert_held(attach->dmabuf->resv);

	/* Nothing is ever mapped, so there is nothing to tear down. */
	atomic_inc(&entry->invalidations);
	if (entry->slow)
		msleep(TPH_IMPORTER_SLOW_INVALIDATE_MS);
}

static const struct dma_buf_attach_ops tph_imp_attach_ops = {
	.allow_peer2peer = true,
	.invalidate_mappings = tph_imp_invalidate_mappings,
};

/* TPH_IMPORTER_ATTACH_NOT_REVOCABLE: peer to peer, but no revoke support */
static const struct dma_buf_attach_ops tph_imp_attach_ops_not_revocable = {
	.allow_peer2peer = true,
};

static struct miscdevice tph_imp_misc;

static int tph_imp_get_pci_dev(const char *name, struct pci_dev **pdev)
{
	unsigned int domain, bus, dev, fn;
	char end;

	if (sscanf(name, "%x:%x:%x.%x%c", &domain, &bus, &dev, &fn, &end) != 4 ||
	    bus > 0xff || dev > 0x1f || fn > 7)
		return -EINVAL;

	*pdev = pci_get_domain_bus_and_slot(domain, bus, PCI_DEVFN(dev, fn));
	return *pdev ? 0 : -ENXIO;
}

static void tph_imp_free(struct tph_imp_attachment *entry)
{
	dma_buf_detach(entry->dmabuf, entry->attach);
	dma_buf_put(entry->dmabuf);
	pci_dev_put(entry->pdev);
	kfree(entry);
}

static int tph_imp_attach(struct tph_imp_file *file,
			  struct tph_importer_attach __user *uarg)
{
	struct tph_importer_attach arg;
	struct tph_imp_attachment *entry;
	u32 handle;
	int ret;

	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;

	if (strnlen(arg.pci_name, sizeof(arg.pci_name)) == sizeof(arg.pci_name) ||
	    arg.flags & ~(TPH_IMPORTER_ATTACH_NOT_REVOCABLE |
			  TPH_IMPORTER_ATTACH_NOT_PCI |
			  TPH_IMPORTER_ATTACH_SLOW_INVALIDATE))
		return -EINVAL;

	entry = kzalloc_obj(*entry);
	if (!entry)
		return -ENOMEM;

	entry->slow = arg.flags & TPH_IMPORTER_ATTACH_SLOW_INVALIDATE;
	ret = tph_imp_get_pci_dev(arg.pci_name, &entry->pdev);
	if (ret)
		goto err_free;

	entry->dmabuf = dma_buf_get(arg.dmabuf_fd);
	if (IS_ERR(entry->dmabuf)) {
		ret = PTR_ERR(entry->dmabuf);
		goto err_put_pdev;
	}

	entry->attach = dma_buf_dynamic_attach(entry->dmabuf,
					       arg.flags & TPH_IMPORTER_ATTACH_NOT_PCI ?
					       tph_imp_misc.this_device :
					       &entry->pdev->dev,
					       arg.flags & TPH_IMPORTER_ATTACH_NOT_REVOCABLE ?
					       &tph_imp_attach_ops_not_revocable :
					       &tph_imp_attach_ops, entry);
	if (IS_ERR(entry->attach)) {
		ret = PTR_ERR(entry->attach);
		goto err_put_dmabuf;
	}

	ret = xa_alloc(&file->attachments, &handle, entry, xa_limit_32b,
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
	dma_buf_detach(entry->dmabuf, entry->attach);
err_put_dmabuf:
	dma_buf_put(entry->dmabuf);
err_put_pdev:
	pci_dev_put(entry->pdev);
err_free:
	kfree(entry);
	return ret;
}

static int tph_imp_query(struct tph_imp_file *file,
			 struct tph_importer_query __user *uarg)
{
	struct tph_importer_query arg;
	struct tph_imp_attachment *entry;
	u16 steering_tag = 0;
	bool extended;
	u8 ph = 0;
	int ret = 0;

	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;

	if (arg.flags & ~(TPH_IMPORTER_QUERY_EXTENDED |
			  TPH_IMPORTER_QUERY_COUNT_ONLY) ||
	    memchr_inv(arg.reserved, 0, sizeof(arg.reserved)))
		return -EINVAL;

	entry = xa_load(&file->attachments, arg.handle);
	if (!entry)
		return -ENOENT;

	extended = arg.flags & TPH_IMPORTER_QUERY_EXTENDED;

	if (!(arg.flags & TPH_IMPORTER_QUERY_COUNT_ONLY)) {
		dma_resv_lock(entry->dmabuf->resv, NULL);
		ret = dma_buf_get_pci_tph(entry->attach, extended,
					  &steering_tag, &ph);
		dma_resv_unlock(entry->dmabuf->resv);
	}

	arg.ret = ret;
	arg.steering_tag = steering_tag;
	arg.ph = ph;
	arg.invalidations = atomic_read(&entry->invalidations);

	if (copy_to_user(uarg, &arg, sizeof(arg)))
		return -EFAULT;

	return 0;
}

static int tph_imp_detach(struct tph_imp_file *file,
			  struct tph_importer_detach __user *uarg)
{
	struct tph_importer_detach arg;
	struct tph_imp_attachment *entry;

	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;

	if (arg.reserved)
		return -EINVAL;

	entry = xa_erase(&file->attachments, arg.handle);
	if (!entry)
		return -ENOENT;

	tph_imp_free(entry);
	return 0;
}

static struct sg_table *tph_imp_dummy_map(struct dma_buf_attachment *attach,
					   enum dma_data_direction dir)
{
	return ERR_PTR(-EOPNOTSUPP);
}

static void tph_imp_dummy_unmap(struct dma_buf_attachment *attach,
				struct sg_table *sgt,
				enum dma_data_direction dir)
{
}

static void tph_imp_dummy_release(struct dma_buf *dmabuf)
{
	kfree(dmabuf->priv);
}

static const struct dma_buf_ops tph_imp_dummy_ops = {
	.map_dma_buf = tph_imp_dummy_map,
	.unmap_dma_buf = tph_imp_dummy_unmap,
	.release = tph_imp_dummy_release,
};

/*
 * A dma-buf whose private data is zeroed memory, larger than any exporter's
 * private struct: an exporter that took it for its own would find NULL
 * pointers and zero flags where it expects its state.
 */
static int tph_imp_export(struct tph_importer_export __user *uarg)
{
	DEFINE_DMA_BUF_EXPORT_INFO(exp_info);
	struct tph_importer_export arg;
	struct dma_buf *dmabuf;
	int fd;

	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	if (arg.reserved)
		return -EINVAL;

	exp_info.ops = &tph_imp_dummy_ops;
	exp_info.size = PAGE_SIZE;
	exp_info.flags = O_RDWR | O_CLOEXEC;
	exp_info.priv = kzalloc(1024, GFP_KERNEL);
	if (!exp_info.priv)
		return -ENOMEM;

	dmabuf = dma_buf_export(&exp_info);
	if (IS_ERR(dmabuf)) {
		kfree(exp_info.priv);
		return PTR_ERR(dmabuf);
	}

	fd = dma_buf_fd(dmabuf, O_CLOEXEC);
	if (fd < 0) {
		dma_buf_put(dmabuf);
		return fd;
	}

	arg.fd = fd;
	if (copy_to_user(uarg, &arg, sizeof(arg)))
		return -EFAULT;	/* the fd stays open; the process owns it */
	return 0;
}

static long tph_imp_ioctl(struct file *filp, unsigned int cmd,
			  unsigned long arg)
{
	struct tph_imp_file *file = filp->private_data;
	void __user *uarg = (void __user *)arg;
	long ret;

	mutex_lock(&file->lock);

	switch (cmd) {
	case TPH_IMPORTER_ATTACH:
		ret = tph_imp_attach(file, uarg);
		break;
	case TPH_IMPORTER_QUERY:
		ret = tph_imp_query(file, uarg);
		break;
	case TPH_IMPORTER_DETACH:
		ret = tph_imp_detach(file, uarg);
		break;
	case TPH_IMPORTER_EXPORT:
		ret = tph_imp_export(uarg);
		break;
	default:
		ret = -ENOTTY;
		break;
	}

	mutex_unlock(&file->lock);
	return ret;
}

static int tph_imp_open(struct inode *inode, struct file *filp)
{
	struct tph_imp_file *file;

	file = kzalloc_obj(*file);
	if (!file)
		return -ENOMEM;

	mutex_init(&file->lock);
	xa_init_flags(&file->attachments, XA_FLAGS_ALLOC1);
	filp->private_data = file;

	return 0;
}

static int tph_imp_release(struct inode *inode, struct file *filp)
{
	struct tph_imp_file *file = filp->private_data;
	struct tph_imp_attachment *entry;
	unsigned long handle;

	mutex_lock(&file->lock);
	xa_for_each(&file->attachments, handle, entry) {
		xa_erase(&file->attachments, handle);
		tph_imp_free(entry);
	}
	mutex_unlock(&file->lock);

	xa_destroy(&file->attachments);
	mutex_destroy(&file->lock);
	kfree(file);

	return 0;
}

static const struct file_operations tph_imp_fops = {
	.owner = THIS_MODULE,
	.open = tph_imp_open,
	.release = tph_imp_release,
	.unlocked_ioctl = tph_imp_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

static struct miscdevice tph_imp_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "tph_importer",
	.fops = &tph_imp_fops,
	.mode = 0600,
};

module_misc_device(tph_imp_misc);

MODULE_DESCRIPTION("Test-only peer-to-peer dma-buf importer reporting PCIe TPH hints");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS("DMA_BUF");
