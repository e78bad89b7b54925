#!/usr/bin/env bash
# Make the kernel configuration of an O= directory from config fragments:
#
#   scripts/config.sh O_DIR SRC_TREE FRAGMENT...
#
# allnoconfig + the fragments in order (a later one overrides an earlier
# one), merged with the tree's scripts/kconfig/merge_config.sh -n.  Fails,
# naming the symbols, when a requested value did not make it into the final
# configuration (missing dependency, typo, symbol gone).  $O_DIR/.config is
# replaced only when it changes, so an unchanged configuration costs nothing
# in the next build.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

[ $# -ge 3 ] || die "usage: config.sh O_DIR SRC_TREE FRAGMENT..."
o=$1 src=$2
shift 2
frags=()
for f in "$@"; do
	[ -f "$f" ] || die "no config fragment $f"
	frags+=("$(readlink -f "$f")")
done
mkdir -p "$o"
o=$(readlink -f "$o")
new=$o/.config.vdt-new
rm -f "$new"
out=$(cd "$src" && KCONFIG_CONFIG=$new ./scripts/kconfig/merge_config.sh -n -O "$o" "${frags[@]}" 2>&1) || {
	echo "$out"
	die "merge_config.sh failed for ${*}"
}
bad=$(grep -A2 -E '^WARNING: (Value requested for|CONFIG_[A-Za-z0-9_]+ differs)' <<<"$out" || true)
if [ -n "$bad" ]; then
	echo "$bad"
	rm -f "$new"
	die "config fragments ($(printf '%s ' "$@" | sed "s|$VDT_ROOT/||g")) ask for values the kernel does not take (above)"
fi
if cmp -s "$new" "$o/.config"; then
	rm -f "$new"
	echo "config: $o/.config unchanged"
else
	mv "$new" "$o/.config"
	echo "config: wrote $o/.config from $(printf '%s ' "$@" | sed "s|$VDT_ROOT/||g")"
fi
