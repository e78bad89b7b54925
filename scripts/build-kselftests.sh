#!/usr/bin/env bash
# Build and install the vfio kselftests of the work tree (the upstream ones
# and any the series adds), statically linked for the busybox guest:
#   $BUILD/kselftest/vfio/        build output
#   $BUILD/vdt-kselftest/         install dir (run_kselftest.sh, kselftest-list.txt)
# Needs `make headers` in $BUILD (scripts/build.sh does it).
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

[ -f "$BUILD/usr/include/linux/vfio.h" ] || die "no uAPI headers in $BUILD/usr/include (run scripts/build.sh)"
kst=$WORK/tools/testing/selftests
make -C "$kst" -j"$JOBS" TARGETS=vfio O="$BUILD" EXTRA_CFLAGS=-static CC="ccache gcc" ||
	die "building the vfio kselftests failed"
rm -rf "$BUILD/vdt-kselftest"
make -C "$kst" TARGETS=vfio O="$BUILD" EXTRA_CFLAGS=-static CC="ccache gcc" \
	INSTALL_PATH="$BUILD/vdt-kselftest" install >/dev/null ||
	die "installing the vfio kselftests failed"
echo "vfio kselftests: $(cut -d: -f2 "$BUILD/vdt-kselftest/kselftest-list.txt" | tr '\n' ' ')"
