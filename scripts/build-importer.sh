#!/usr/bin/env bash
# Out-of-tree test modules and programs, built against $BUILD into
# $BUILD/vdt-importer; the guest image puts them into /vdt/modules
# ($VDT_MODDIR):
#   tests/importer   tph_importer.ko, importer_test  (the accessor, per function)
#   tests/analyzer   tph_requester.ko, analyzer_test (the hints on the wire)
#   tests/mlx5       mlx5_st_test.ko, mlx5_mr_tph_test.ko (KUnit: mlx5 code on fakes)
#   tests/stress     vfio_stress (the concurrency stress and hang detector)
#   tests/variant    vdt_nonbar.ko, nonbar_test (a variant driver's non-BAR dma-buf)
# Exits 77 (skip) only when series/ is empty and the kernel lacks the API the
# modules need (tests/importer/check-api.sh exits 3); with a series, a kernel
# without dma_buf_get_pci_tph() is a failure.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

outdir=$BUILD/vdt-importer
rm -rf "$outdir"
rc=0
"$VDT_ROOT/tests/importer/check-api.sh" "$BUILD" || rc=$?
case $rc in
0) ;;
3)
	[ -z "$(series_patches)" ] ||
		die "the kernel in $BUILD lacks dma_buf_get_pci_tph() although $SERIES has patches"
	echo "SKIP: the kernel in $BUILD lacks the API the test modules need (series/ is empty)"
	exit 77
	;;
*) die "tests/importer/check-api.sh failed (exit $rc)" ;;
esac
mkdir -p "$outdir"
for dir in importer analyzer mlx5 stress variant; do
	make -C "$VDT_ROOT/tests/$dir" KDIR="$BUILD" OUT="$outdir/$dir" CC="ccache gcc" ||
		die "building tests/$dir failed"
	find "$outdir/$dir" -maxdepth 1 -type f \( -name '*.ko' -o -perm -u+x \) \
		-exec cp {} "$outdir/" \;
done
echo "test modules: $(cd "$outdir" && find . -maxdepth 1 -type f \( -name '*.ko' -o -perm -u+x \) | sed 's|^\./||' | sort | tr '\n' ' ')"
