// SPDX-License-Identifier: GPL-2.0
/*
 * vdt_nonbar - a test-only vfio-pci variant driver whose dma-bufs can be
 * memory that is not the BAR the user asked for.
 *
 * nvgrace-gpu exports device memory that is not a BAR of the function, with
 * the P2PDMA provider of BAR 0; its completer bits describe the BAR, not that
 * memory, so VFIO_DEVICE_FEATURE_DMA_BUF_TPH must refuse hints for such a
 * dma-buf (-EOPNOTSUPP).  nvgrace-gpu cannot run in QEMU, so this driver does
 * the same on any PCI function: with the module parameter "nonbar" set, a
 * dma-buf of BAR n gets BAR n's provider but the physical range that follows
 * the BAR; with it clear, the BAR itself, exactly as vfio-pci.  Nothing ever
 * maps or touches that range: the test only sets and gets hints and asks a
 * test importer what it is offered.
 *
 * Bind with driver_override ("vdt-nonbar-vfio-pci").  Test code, never part
 * of the kernel series.
 */
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/pci-p2pdma.h>
#include <linux/vfio_pci_core.h>

static bool nonbar;
module_param(nonbar, bool, 0644);
MODULE_PARM_DESC(nonbar, "dma-bufs of a BAR are the memory after the BAR");

static int vdt_nonbar_get_dmabuf_phys(struct vfio_pci_core_device *vdev,
				      struct p2pdma_provider **provider,
				      unsigned int region_index,
				      struct phys_vec *phys_vec,
				      struct vfio_region_dma_range *dma_ranges,
				      size_t nr_ranges)
{
	struct pci_dev *pdev = vdev->pdev;
	resource_size_t len = pci_resource_len(pdev, region_index);

	if (!READ_ONCE(nonbar))
		return vfio_pci_core_get_dmabuf_phys(vdev, provider,
						     region_index, phys_vec,
						     dma_ranges, nr_ranges);

	/* Like nvgrace-gpu: the BAR's provider, memory outside the BAR */
	*provider = pcim_p2pdma_provider(pdev, region_index);
	if (!*provider)
		return -EINVAL;

	return vfio_pci_core_fill_phys_vec(phys_vec, dma_ranges, nr_ranges,
					   pci_resource_start(pdev, region_index) + len,
					   len);
}

static const struct vfio_pci_device_ops vdt_nonbar_pci_ops = {
	.get_dmabuf_phys = vdt_nonbar_get_dmabuf_phys,
};

static int vdt_nonbar_open_device(struct vfio_device *core_vdev)
{
	struct vfio_pci_core_device *vdev =
		container_of(core_vdev, struct vfio_pci_core_device, vdev);
	int ret;

	ret = vfio_pci_core_enable(vdev);
	if (ret)
		return ret;

	vfio_pci_core_finish_enable(vdev);
	return 0;
}

static const struct vfio_device_ops vdt_nonbar_ops = {
	.name		= "vdt-nonbar-vfio-pci",
	.init		= vfio_pci_core_init_dev,
	.release	= vfio_pci_core_release_dev,
	.open_device	= vdt_nonbar_open_device,
	.close_device	= vfio_pci_core_close_device,
	.ioctl		= vfio_pci_core_ioctl,
	.get_region_info_caps = vfio_pci_ioctl_get_region_info,
	.device_feature = vfio_pci_core_ioctl_feature,
	.read		= vfio_pci_core_read,
	.write		= vfio_pci_core_write,
	.mmap		= vfio_pci_core_mmap,
	.request	= vfio_pci_core_request,
	.match		= vfio_pci_core_match,
	.match_token_uuid = vfio_pci_core_match_token_uuid,
	.bind_iommufd	= vfio_iommufd_physical_bind,
	.unbind_iommufd	= vfio_iommufd_physical_unbind,
	.attach_ioas	= vfio_iommufd_physical_attach_ioas,
	.detach_ioas	= vfio_iommufd_physical_detach_ioas,
};

static int vdt_nonbar_probe(struct pci_dev *pdev,
			    const struct pci_device_id *id)
{
	struct vfio_pci_core_device *vdev;
	int ret;

	vdev = vfio_alloc_device(vfio_pci_core_device, vdev, &pdev->dev,
				 &vdt_nonbar_ops);
	if (IS_ERR(vdev))
		return PTR_ERR(vdev);

	dev_set_drvdata(&pdev->dev, vdev);
	vdev->pci_ops = &vdt_nonbar_pci_ops;
	ret = vfio_pci_core_register_device(vdev);
	if (ret)
		vfio_put_device(&vdev->vdev);
	return ret;
}

static void vdt_nonbar_remove(struct pci_dev *pdev)
{
	struct vfio_pci_core_device *vdev = dev_get_drvdata(&pdev->dev);

	vfio_pci_core_unregister_device(vdev);
	vfio_put_device(&vdev->vdev);
}

/* Matches nothing by ID: bound only through driver_override */
static const struct pci_device_id vdt_nonbar_table[] = {
	{}
};
MODULE_DEVICE_TABLE(pci, vdt_nonbar_table);

static struct pci_driver vdt_nonbar_driver = {
	.name			= "vdt-nonbar-vfio-pci",
	.id_table		= vdt_nonbar_table,
	.probe			= vdt_nonbar_probe,
	.remove			= vdt_nonbar_remove,
	.err_handler		= &vfio_pci_core_err_handlers,
	.driver_managed_dma	= true,
};
module_pci_driver(vdt_nonbar_driver);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("test-only vfio-pci variant exporting dma-bufs that are not a BAR");
