#!/bin/bash
# Print the ROM search arguments a QEMU built by build-qemu.sh should be given
# (-L for qemu-system-data, seabios and ipxe-qemu), on one line, e.g.:
#   "$(tests/qemu/build-qemu.sh)" $(tests/qemu/qemu-args.sh) -machine q35 ...
# The binary also has these directories compiled in (--firmwarepath), so the
# arguments are belt and braces; passing them to the stock binary is harmless.
set -euo pipefail

dirs=(/usr/share/qemu /usr/share/seabios /usr/lib/ipxe/qemu)
args=()
for d in "${dirs[@]}"; do
	[[ -d $d ]] || {
		echo "qemu-args: $d missing (install qemu-system-data seabios ipxe-qemu)" >&2
		exit 1
	}
	args+=(-L "$d")
done
printf '%s\n' "${args[*]}"
