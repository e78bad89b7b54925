#!/bin/bash
# Build Debian trixie's QEMU 10.0.13 with the test-only TPH patches, on
# Debian bookworm, and print the absolute path of the resulting
# qemu-system-x86_64 on stdout.
#
# Usage: tests/qemu/build-qemu.sh
#
# Every tests/qemu/[0-9]*.patch is applied, in name order (0001, 0002, ...).
# Only the devices of tests/qemu/devices-x86_64.mak are built, and 0007's
# qtest, pcie-tph-testdev-test, which goes next to the binary.
# The binary is cached under $CACHE/qemu/bin/<key>/ where <key> hashes the
# Debian version, the configure arguments, the meson version, the device
# configuration and all applied patches (names and contents): unchanged
# inputs return at once, any change rebuilds (ccache keeps that short).
# Everything apt does for this script uses a private configuration under
# $CACHE/qemu/apt-src; the system's apt sources are never read or changed.
# QEMU 10.0 needs meson >= 1.5 (bookworm has 1.0.1, and Debian's +ds source
# drops QEMU's bundled meson wheel): bookworm-backports' meson package is
# downloaded with the same private apt configuration (apt checks it against
# the signed indexes), unpacked with dpkg-deb -x into a private Python venv
# under the cache and given to configure; nothing is installed into the
# system for it.
# Progress goes to stderr, build output to $CACHE/qemu/logs/build-<key>.log.
#
# Environment:
#   VDT_CACHE             the harness's cache root, as in scripts/lib.sh
#                         (default ${XDG_CACHE_HOME:-~/.cache}/vfio-dmabuf-tph)
#   VDT_QEMU_PATCH        patch file(s) to apply instead, whitespace-separated,
#                         in the order given (default: the [0-9]*.patch files
#                         next to this script, in name order)
#   VDT_QEMU_DEB_SRC      deb-src line(s) to use instead of the archives of
#                         the machine's apt sources (DEBIAN_MIRROR and
#                         DEBIAN_SECURITY_MIRROR override those)
#   VDT_QEMU_MESON_DEB    deb line(s) to fetch meson from instead (default:
#                         bookworm-backports of DEBIAN_MIRROR)
set -euo pipefail

msg() { printf 'build-qemu: %s\n' "$*" >&2; }
die() { msg "error: $*"; exit 1; }

readonly KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
# The archives of the machine's own apt sources (scripts/lib-apt.sh).
# shellcheck source=scripts/lib-apt.sh
. "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lib-apt.sh"
DEBIAN_MIRROR=${DEBIAN_MIRROR:-$(system_debian_mirror)} ||
	{ echo "build-qemu.sh: no Debian archive in this machine's apt sources: set DEBIAN_MIRROR or VDT_QEMU_DEB_SRC" >&2; exit 1; }
DEBIAN_SECURITY_MIRROR=${DEBIAN_SECURITY_MIRROR:-$(system_debian_mirror security)} ||
	DEBIAN_SECURITY_MIRROR=${DEBIAN_MIRROR}-security

# The source package, its suite, build dependencies (by Debian package
# name, installed only when missing) and configure arguments.  The strings
# are hashed into the cache key: changing one rebuilds.
readonly QEMU_DEB_VERSION='1:10.0.13+ds-0+deb13u1'
readonly QEMU_SRC_DIR='qemu-10.0.13+ds'
readonly SUITE=trixie
# QEMU 10.0 needs meson >= 1.5.0 (pythondeps.toml); bookworm-backports'
readonly MESON_DEB_VERSION='1.7.0-1~bpo12+1'
# python3 is Debian's /usr/bin/python3 (QEMU 10.0 needs >= 3.8, bookworm
# has 3.11); python3-venv gives the venvs their ensurepip.  glib >= 2.66
# (bookworm: 2.74).  No meson: bookworm's 1.0.1 is too old (above).  No
# pixman: --without-default-features builds without it.
readonly BUILD_DEPS='gcc make pkg-config python3 python3-venv ninja-build
	libglib2.0-dev zlib1g-dev libfdt-dev dpkg-dev patch xz-utils'
# A minimal TCG-only x86_64 system emulator.  --firmwarepath makes the
# binary find Debian's ROMs (qemu-system-data, seabios, ipxe-qemu) like the
# stock one does; passing the same directories with -L is harmless.
# --disable-install-blobs: Debian's +ds source has no firmware blobs in
# pc-bios/ (meson would fail on the missing bios.bin).
# --without-default-devices --with-devices-x86_64=vdt: only the devices of
# devices-x86_64.mak, which is copied into the source tree as vdt.mak.
readonly CONFIGURE_ARGS='--target-list=x86_64-softmmu --without-default-features
	--enable-tcg --disable-kvm --disable-xen --disable-user --disable-docs
	--disable-werror --disable-install-blobs --enable-fdt=system
	--without-default-devices --with-devices-x86_64=vdt
	--firmwarepath=/usr/share/qemu:/usr/share/seabios:/usr/lib/ipxe/qemu'
readonly PYTHON=/usr/bin/python3
# 0007's qtest, built with the emulator and cached next to it
# (smoke-tph-testdev.sh runs it)
readonly QTEST=tests/qtest/pcie-tph-testdev-test

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
readonly PATCH_DIR=$here
readonly DEVICES=$here/devices-x86_64.mak
[[ -r $DEVICES ]] || die "device configuration not found: $DEVICES"
readonly DEFAULT_DEB_SRC="deb-src [signed-by=$KEYRING] $DEBIAN_MIRROR $SUITE main
deb-src [signed-by=$KEYRING] $DEBIAN_SECURITY_MIRROR $SUITE-security main"
readonly DEFAULT_MESON_DEB="deb [signed-by=$KEYRING] $DEBIAN_MIRROR bookworm-backports main"

LC_COLLATE=C	# glob order = byte order of the names
if [[ -n ${VDT_QEMU_PATCH:-} ]]; then
	read -r -a patch_files <<<"$VDT_QEMU_PATCH"
else
	patch_files=("$PATCH_DIR"/[0-9]*.patch)
fi
((${#patch_files[@]})) || die 'VDT_QEMU_PATCH names no patch'
for i in "${!patch_files[@]}"; do
	p=${patch_files[i]}
	[[ -f $p && -r $p ]] || die "patch not found: $p"
	patch_files[i]=$(cd "$(dirname "$p")" && pwd)/$(basename "$p")
done

CACHE=${VDT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/vfio-dmabuf-tph}
QDIR=$CACHE/qemu

key=$({ printf '%s\n%s\n' "$QEMU_DEB_VERSION" "$CONFIGURE_ARGS";
	printf 'meson %s\n' "$MESON_DEB_VERSION"
	printf 'devices\n'
	cat "$DEVICES"
	for p in "${patch_files[@]}"; do
		printf 'patch %s\n' "$(basename "$p")"
		cat "$p"
	done; } | sha256sum | cut -c1-16)
bin_dir=$QDIR/bin/$key
binary=$bin_dir/qemu-system-x86_64

# Fast path: cached binary for exactly this version, configuration and patch.
if [[ -x $binary ]]; then
	printf '%s\n' "$binary"
	exit 0
fi

mkdir -p "$QDIR/logs"
exec 9>"$QDIR/.lock"
flock 9
if [[ -x $binary ]]; then	# another run finished it while we waited
	printf '%s\n' "$binary"
	exit 0
fi

log=$QDIR/logs/build-$key.log
: >"$log"
step='start'
trap 'msg "FAILED while: $step (full log: $log)"; tail -n 20 "$log" >&2' ERR
started=$SECONDS

step='checking build dependencies'
msg "$step"
missing=()
for pkg in $BUILD_DEPS; do
	dpkg-query -W -f='${db:Status-Status}\n' "$pkg" 2>/dev/null |
		grep -qx installed || missing+=("$pkg")
done
if ((${#missing[@]})); then
	[[ $(id -u) -eq 0 ]] ||
		die "missing build dependencies (run as root or install): ${missing[*]}"
	step="installing ${missing[*]}"
	msg "$step"
	DEBIAN_FRONTEND=noninteractive apt-get install -y \
		--no-install-recommends "${missing[@]}" >>"$log" 2>&1
fi

# Private apt configuration: only our deb-src list, own lists and cache.
dl_dir=$QDIR/dl
dsc=$dl_dir/qemu_${QEMU_DEB_VERSION#*:}.dsc
meson_dir=$QDIR/meson/$MESON_DEB_VERSION
venv=$meson_dir/venv
# the venv's own mesonbuild, not a system one that
# --system-site-packages shows
own_meson='import sys, mesonbuild
sys.exit(not mesonbuild.__file__.startswith(sys.prefix + "/"))'

step='updating private apt source lists'
apt_dir=$QDIR/apt-src
mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial"
{
	printf '%s\n' "${VDT_QEMU_DEB_SRC:-$DEFAULT_DEB_SRC}"
	printf '%s\n' "${VDT_QEMU_MESON_DEB:-$DEFAULT_MESON_DEB}"
} >"$apt_dir/sources.list"
apt_opts=(-o "Dir::Etc::sourcelist=$apt_dir/sources.list"
	-o Dir::Etc::sourceparts=/dev/null
	-o "Dir::State::Lists=$apt_dir/lists"
	-o "Dir::Cache=$apt_dir/cache"
	-o APT::Sandbox::User=root
	# the meson deb line would fetch Translation indexes nobody reads
	-o Acquire::Languages=none)
# (only when something is to be downloaded: a build after `--fetch` or
# after a patch change needs no index)
if [[ ! -r $dsc ]] || ! "$venv/bin/python3" -c "$own_meson" 2>/dev/null; then
	msg "$step"
	apt-get "${apt_opts[@]}" update >>"$log" 2>&1
fi

# Download once into dl/, unpack (Debian patches applied) per build.
step="downloading source qemu=$QEMU_DEB_VERSION"
if [[ ! -r $dsc ]]; then
	msg "$step"
	mkdir -p "$dl_dir"
	(cd "$dl_dir" && apt-get "${apt_opts[@]}" source --download-only \
		"qemu=$QEMU_DEB_VERSION") >>"$log" 2>&1 ||
		die "cannot fetch qemu=$QEMU_DEB_VERSION from: $(grep -v '^#' \
			"$apt_dir/sources.list" | tr '\n' ' ')(set VDT_QEMU_DEB_SRC, e.g. to a Debian snapshot archive)"
	[[ -r $dsc ]] || die "apt-get source did not produce $dsc"
fi

# meson: the .deb unpacked into a venv of Debian's python3 that configure
# then uses (--python): QEMU's mkvenv finds meson there (a parent venv's
# packages are visible in the build's own pyvenv) instead of bookworm's.
step="setting up meson $MESON_DEB_VERSION"
if ! "$venv/bin/python3" -c "$own_meson" 2>/dev/null; then
	msg "$step"
	rm -rf "$meson_dir"
	mkdir -p "$meson_dir/dl"
	(cd "$meson_dir/dl" && apt-get "${apt_opts[@]}" download \
		"meson=$MESON_DEB_VERSION") >>"$log" 2>&1 ||
		die "cannot fetch meson=$MESON_DEB_VERSION from: $(grep '^deb ' \
			"$apt_dir/sources.list" | tr '\n' ' ')(set VDT_QEMU_MESON_DEB)"
	dpkg-deb -x "$meson_dir"/dl/meson_*.deb "$meson_dir/pkg" >>"$log" 2>&1
	"$PYTHON" -m venv --system-site-packages --without-pip "$venv" \
		>>"$log" 2>&1
	site=$("$venv/bin/python3" -c \
		'import sysconfig; print(sysconfig.get_path("purelib"))')
	cp -a "$meson_dir"/pkg/usr/lib/python3/dist-packages/mesonbuild \
		"$meson_dir"/pkg/usr/lib/python3/dist-packages/meson-*-info \
		"$site/"
	"$venv/bin/python3" -c "$own_meson" >>"$log" 2>&1
fi

step='unpacking source'
msg "$step"
work=$QDIR/work
rm -rf "$work"
mkdir -p "$work"
dpkg-source --no-check -x "$dsc" "$work/$QEMU_SRC_DIR" >>"$log" 2>&1

for p in "${patch_files[@]}"; do
	step="applying $(basename "$p")"
	msg "$step"
	patch -p1 --forward --batch -d "$work/$QEMU_SRC_DIR" <"$p" >>"$log" 2>&1
done
cp "$DEVICES" "$work/$QEMU_SRC_DIR/configs/devices/x86_64-softmmu/vdt.mak"

step='configuring'
msg "$step"
mkdir -p "$work/build"
cc=gcc
if [[ -x /usr/lib/ccache/gcc ]]; then	# Debian's ccache masquerade link
	cc=/usr/lib/ccache/gcc
	export CCACHE_DIR=${CCACHE_DIR:-$CACHE/ccache}
	export CCACHE_BASEDIR=$CACHE
fi
# shellcheck disable=SC2086 # CONFIGURE_ARGS is a word list
(cd "$work/build" && "../$QEMU_SRC_DIR/configure" --cc="$cc" \
	--python="$venv/bin/python3" $CONFIGURE_ARGS) >>"$log" 2>&1

step='building qemu-system-x86_64 and pcie-tph-testdev-test (ninja -j2)'
msg "$step"
# the qtest, unless VDT_QEMU_PATCH names a set without 0007
qtests=()
[[ ! -f $work/$QEMU_SRC_DIR/$QTEST.c ]] || qtests=("$QTEST")
ninja -C "$work/build" -j2 qemu-system-x86_64 "${qtests[@]}" >>"$log" 2>&1

step='installing into the cache'
mkdir -p "$bin_dir"
# the qtest first: a binary in place means a complete entry
for t in "${qtests[@]}"; do cp "$work/build/$t" "$bin_dir/"; done
cp "$work/build/qemu-system-x86_64" "$bin_dir/.qemu-system-x86_64.tmp"
mv "$bin_dir/.qemu-system-x86_64.tmp" "$binary"
{
	printf 'version=%s\n' "$QEMU_DEB_VERSION"
	printf 'meson=%s\n' "$MESON_DEB_VERSION"
	printf 'devices=%s sha256=%s\n' "$DEVICES" "$(sha256sum <"$DEVICES" | cut -c1-64)"
	for p in "${patch_files[@]}"; do
		printf 'patch=%s sha256=%s\n' "$p" "$(sha256sum <"$p" | cut -c1-64)"
	done
	printf 'key=%s\nbuilt=%s\nseconds=%d\n' "$key" "$(date -u +%FT%TZ)" \
		$((SECONDS - started))
} >"$bin_dir/BUILD-INFO"
msg "built in $((SECONDS - started)) s: $binary"
printf '%s\n' "$binary"
