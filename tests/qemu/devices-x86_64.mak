# QEMU device configuration for the harness's qemu-system-x86_64:
# build-qemu.sh copies it to configs/devices/x86_64-softmmu/vdt.mak and
# configures with --without-default-devices --with-devices-x86_64=vdt, so
# only the q35 machine and the devices that scripts/run-qemu.sh and
# tests/qemu/*.sh put on a command line are built (with what they
# select), nothing else.  A device missing here makes QEMU refuse to
# start: "'<name>' is not a valid device model name".

CONFIG_Q35=y
# intel-iommu
CONFIG_VTD=y
# pcie-root-port
CONFIG_PCIE_PORT=y
# x3130-upstream, xio3130-downstream
CONFIG_XIO3130=y
CONFIG_NVME_PCI=y
# igb (82576): the device of the upstream vfio_pci_driver_test
CONFIG_IGB_PCI_EXPRESS=y
# e1000e: smoke-tph-testdev.sh (a version 1 PCIe capability)
CONFIG_E1000E_PCI_EXPRESS=y
# pci-testdev: the conventional PCI function
CONFIG_PCI_TESTDEV=y
# pcie-tph-testdev (0002)
CONFIG_PCIE_TPH_TESTDEV=y
