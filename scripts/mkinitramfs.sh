#!/usr/bin/env bash
# The guest's initramfs (an uncompressed newc cpio: nothing to decompress
# under TCG), from Debian packages only:
#   busybox-static      /bin/busybox + one link per applet, the shell of /init
#   pciutils            lspci (+ the libraries ldd names, pci.ids)
#   tests/guest/        /init, /vdt/run-tests.sh
#   $BUILD              /lib/modules (stripped), /vdt/kselftest (vfio kselftests),
#                       /vdt/modules (tests/importer output)
#   tests/guest/tests.d/ and $EXTRA_GUEST_TESTS: every executable into /vdt/tests
#
#   scripts/mkinitramfs.sh      prints the path of the image ($BUILD/vdt-initramfs.cpio)
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

img=$BUILD/vdt-initramfs.cpio
s=$BUILD/vdt-initramfs
rm -rf "$s"
mkdir -p "$s"/{bin,sbin,usr/bin,usr/sbin,usr/share/misc,lib,lib64,proc,sys,dev,tmp,run,etc,root} \
	"$s"/vdt/{tests,modules,kselftest,bin}

bb=$(command -v busybox) || die "busybox not found (apt-get install busybox-static)"
file -L "$bb" | grep -q 'statically linked' || die "$bb is not static (install busybox-static)"
cp "$bb" "$s/bin/busybox"
for a in $("$bb" --list); do
	[ "$a" = busybox ] || ln -s busybox "$s/bin/$a"
done

# lspci, dynamic: copy it with its libraries and loader.
if lspci=$(command -v lspci); then
	cp "$lspci" "$s/usr/bin/lspci"
	for lib in $(ldd "$lspci" | grep -o '/[^ ]*'); do
		mkdir -p "$s$(dirname "$lib")"
		cp -L "$lib" "$s$lib"
	done
	[ -f /usr/share/misc/pci.ids ] && cp /usr/share/misc/pci.ids "$s/usr/share/misc/"
fi

cp "$VDT_ROOT/tests/guest/init" "$s/init"
cp "$VDT_ROOT/tests/guest/run-tests.sh" "$s/vdt/run-tests.sh"
chmod 755 "$s/init" "$s/vdt/run-tests.sh"

[ -d "$BUILD/vdt-modules/lib/modules" ] && cp -a "$BUILD/vdt-modules/lib/modules" "$s/lib/"
[ -d "$BUILD/vdt-kselftest" ] && cp -a "$BUILD/vdt-kselftest/." "$s/vdt/kselftest/"
[ -d "$BUILD/vdt-importer" ] && find "$BUILD/vdt-importer" -maxdepth 1 -type f \
	\( -name '*.ko' -o -perm -u+x \) -exec cp {} "$s/vdt/modules/" \;

# add_tests DIR: every executable regular file of DIR into /vdt/tests.
add_tests() {
	local f name
	for f in "$1"/*; do
		[ -f "$f" ] && [ -x "$f" ] || continue
		name=$(basename "$f")
		[ ! -e "$s/vdt/tests/$name" ] || die "two guest tests are named $name ($f)"
		cp "$f" "$s/vdt/tests/$name"
		echo "guest test: $name (from $1)"
	done
}
[ -d "$VDT_ROOT/tests/guest/tests.d" ] && add_tests "$VDT_ROOT/tests/guest/tests.d"
if [ -n "${EXTRA_GUEST_TESTS:-}" ]; then
	[ -d "$EXTRA_GUEST_TESTS" ] || die "EXTRA_GUEST_TESTS=$EXTRA_GUEST_TESTS is not a directory"
	add_tests "$(readlink -f "$EXTRA_GUEST_TESTS")"
fi

(cd "$s" && find . -print0 | LC_ALL=C sort -z |
	cpio --null -o -H newc --reproducible -R 0:0 --quiet) >"$img.tmp"
mv "$img.tmp" "$img"
echo "initramfs: $img ($(du -m "$img" | cut -f1) MB)"
