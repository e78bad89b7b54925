#!/usr/bin/env bash
# Build the test kernel out of tree: configs/kernel.config (plus the
# fragments in $EXTRA_KCONFIG, space separated) merged on allnoconfig,
# bzImage + modules with ccache, the uAPI headers (for the selftests and
# test programs) and a stripped modules_install for the guest image.
#
#   scripts/build.sh           sources $WORK, output $BUILD
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

[ -f "$WORK/Makefile" ] || die "no kernel tree at $WORK (run 'make apply')"
mkdir -p "$BUILD"
frags=("$VDT_ROOT/configs/kernel.config")
for f in ${EXTRA_KCONFIG:-}; do
	frags+=("$f")
done

if "$VDT_ROOT/scripts/config.sh" "$BUILD" "$WORK" "${frags[@]}"; then
	case_result pass "config" "$(grep -c '^CONFIG_' "$BUILD/.config") symbols from ${frags[*]##*/}"
else
	case_result fail "config" "configuration failed"
	exit 1
fi

ccache -z >/dev/null
start=$(now)
if make_kernel "$BUILD" "$WORK" bzImage modules; then
	case_result pass "kernel" "bzImage + modules in $(($(now) - start)) s ($(ccache -s | sed -n 's/^ *Hits: *\([0-9]*\) *\/ *\([0-9]*\).*/\1 of \2 from ccache/p' | head -1))"
else
	case_result fail "kernel" "make bzImage modules failed (see the errors above)"
	exit 1
fi

if make_kernel "$BUILD" "$WORK" headers >/dev/null; then
	case_result pass "headers" "$BUILD/usr/include"
else
	case_result fail "headers" "make headers failed"
	exit 1
fi

rm -rf "$BUILD/vdt-modules.new"
make_kernel "$BUILD" "$WORK" -s INSTALL_MOD_PATH="$BUILD/vdt-modules.new" \
	INSTALL_MOD_STRIP=1 modules_install >/dev/null
rm -rf "$BUILD/vdt-modules"
mv "$BUILD/vdt-modules.new" "$BUILD/vdt-modules"
# What this build is of: the sandboxes of the compile checks and the
# mutants copy it only when it is of a clean commit (seed_from_main in
# lib.sh).
tree_state "$WORK" >"$BUILD/vdt-built-from"
echo "kernel $(make -s -C "$WORK" O="$BUILD" kernelrelease): $BUILD/arch/x86/boot/bzImage"
