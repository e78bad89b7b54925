#!/usr/bin/env bash
# Host packages for the whole harness (Debian 12 bookworm).  Installs what is
# missing with apt-get (after apt-get update); does nothing when everything
# is there, so a warm run does not touch apt at all.  Needs root for the
# install; run as another user it only reports what is missing.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

PACKAGES=(
	# kernel build
	build-essential git bc bison flex libelf-dev libssl-dev dwarves
	libncurses-dev python3 perl kmod rsync cpio xz-utils zstd file ccache
	# tests and guest image
	qemu-system-x86 qemu-utils ovmf busybox-static pciutils uuid-dev
	libibverbs-dev sparse
	# posting to the mailing lists (scripts/posting.sh)
	b4
	# base tree and sid sparse (private apt), the TPH-patched QEMU 10.0
	# (tests/qemu; python3-venv for the venv of the meson that
	# build-qemu.sh unpacks into its cache)
	ca-certificates debian-archive-keyring dpkg-dev ninja-build pkg-config
	libglib2.0-dev zlib1g-dev libfdt-dev patch python3-venv
)

missing=()
for p in "${PACKAGES[@]}"; do
	dpkg-query -W -f='${db:Status-Status}\n' "$p" 2>/dev/null | grep -qx installed ||
		missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
	echo "host: all ${#PACKAGES[@]} packages installed"
	exit 0
fi
echo "host: missing: ${missing[*]}"
if [ "$(id -u)" != 0 ]; then
	die "run as root (or install them yourself): apt-get install ${missing[*]}"
fi
export DEBIAN_FRONTEND=noninteractive
apt-get -q update
apt-get -q install -y --no-install-recommends "${missing[@]}"
echo "host: installed ${#missing[@]} packages"
