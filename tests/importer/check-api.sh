#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# check-api.sh KDIR: exit 0 when the kernel source tree behind KDIR (an O=
# build dir or a source tree) declares dma_buf_get_pci_tph(), 3 when it does
# not (the series is not applied: harnesses skip the importer), 1 on errors.
set -euo pipefail

kdir=${1:?usage: check-api.sh KDIR}

if [[ -e $kdir/source ]]; then
	src=$(readlink -f "$kdir/source")
elif [[ -f $kdir/include/linux/dma-buf.h ]]; then
	src=$kdir
elif [[ -f $kdir/Makefile ]] && src=$(sed -n 's|^include \(.*\)/Makefile$|\1|p' "$kdir/Makefile") &&
     [[ -n $src ]]; then
	:
else
	echo "check-api: cannot find the kernel source tree of $kdir" >&2
	exit 1
fi

header=$src/include/linux/dma-buf.h
if [[ ! -f $header ]]; then
	echo "check-api: $header not found" >&2
	exit 1
fi

if ! grep -q '\bdma_buf_get_pci_tph\b' "$header"; then
	echo "check-api: $header lacks dma_buf_get_pci_tph(): series not applied" >&2
	exit 3
fi

echo "check-api: $header has dma_buf_get_pci_tph()"
