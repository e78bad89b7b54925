#!/usr/bin/env bash
# Out-of-tree test modules and programs of tests/importer (tph_importer.ko,
# importer_test), built against $BUILD into $BUILD/vdt-importer; the guest
# image puts them into /vdt/modules ($VDT_MODDIR).  Exits 77 (skip) when
# tests/importer is missing or the kernel lacks the API it needs
# (tests/importer/check-api.sh exits 3: series not applied).
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

dir=$VDT_ROOT/tests/importer
outdir=$BUILD/vdt-importer
rm -rf "$outdir"
if [ ! -f "$dir/Makefile" ]; then
	echo "SKIP: no tests/importer/Makefile"
	exit 77
fi
rc=0
if [ -x "$dir/check-api.sh" ]; then
	"$dir/check-api.sh" "$BUILD" || rc=$?
else
	make -s -C "$dir" KDIR="$BUILD" check-api || rc=3
fi
case $rc in
0) ;;
3)
	echo "SKIP: the kernel in $BUILD lacks the API tests/importer needs (series not applied)"
	exit 77
	;;
*) die "tests/importer check-api failed (exit $rc)" ;;
esac
mkdir -p "$outdir"
make -C "$dir" KDIR="$BUILD" OUT="$outdir" CC="ccache gcc" || die "building tests/importer failed"
echo "tests/importer: $(cd "$outdir" && find . -maxdepth 1 -type f \( -name '*.ko' -o -perm -u+x \) | sed 's|^\./||' | sort | tr '\n' ' ')"
