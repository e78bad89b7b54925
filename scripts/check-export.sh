#!/usr/bin/env bash
# Round trip: apply series/ in a scratch tree and export it again; the result
# must be byte-identical to series/ (names and contents of every .patch file).
# Does not touch the work tree.  Exit 0 when identical, 1 with a diff otherwise.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=scripts/lib-series.sh
. "$VDT_ROOT/scripts/lib-series.sh"

base=$(base_commit)
mapfile -t patches < <(series_patches)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/new" "$tmp/old"
if [ ${#patches[@]} -gt 0 ]; then
	am_tree_prepare "$base"
	if ! am_series "$AM_TREE" "${patches[@]}"; then
		case_result fail "export" "series/ does not apply: $(basename "$FAILED_PATCH")"
		exit 1
	fi
	format_series "$AM_TREE" "$base" "$(git -C "$AM_TREE" rev-parse HEAD)" "$tmp/new" \
		"$SERIES/0000-cover-letter.patch"
	cp "$SERIES"/*.patch "$tmp/old/"
fi
if diff -ru "$tmp/old" "$tmp/new" >"$tmp/diff"; then
	case_result pass "export" "export after apply leaves series/ byte-identical (${#patches[@]} patches)"
	exit 0
fi
case_result fail "export" "export after apply changes series/ ($(grep -c '^diff ' "$tmp/diff") files): run 'make apply && make export'"
echo "FAIL: export after apply changes series/ (it is not in the form 'make export' writes):"
sed -e "s|$tmp/old|series|g" -e "s|$tmp/new|export|g" "$tmp/diff" | head -60
echo "Run 'make export' (after 'make apply') and commit the result."
exit 1
