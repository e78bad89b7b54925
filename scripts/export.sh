#!/usr/bin/env bash
# Export the commits of the work tree back into series/:
#
#   scripts/export.sh          writes series/NNNN-*.patch + 0000-cover-letter.patch
#
# Runs `git format-patch --cover-letter --base` with fixed options.  The
# commits are first re-made the way scripts/apply.sh makes them (git am in a
# scratch tree: fixed committer, committer date = author date), so the
# "From <hash>" lines are the hashes apply will produce: exporting right
# after applying leaves series/ byte-identical.  The subject and blurb of
# the existing cover letter are kept; so is its subject prefix ("PATCH v2").
# Uncommitted changes in the work tree are not exported (a warning says so).
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=scripts/lib-series.sh
. "$VDT_ROOT/scripts/lib-series.sh"

[ -e "$WORK/.git" ] || die "no work tree at $WORK (run 'make apply' first)"
base=$(base_commit)
git -C "$WORK" merge-base --is-ancestor "$base" HEAD ||
	die "$WORK (HEAD $(git -C "$WORK" rev-parse --short HEAD)) is not based on $BASE_REF ($base); rebase it first"
n=$(git -C "$WORK" rev-list --count "$base..HEAD")
if [ -n "$(git -C "$WORK" rev-list --merges "$base..HEAD")" ]; then
	die "$WORK has merge commits on top of the base; a series must be linear"
fi
mapfile -t old < <(series_patches)
if [ "$n" = 0 ] && [ ${#old[@]} -gt 0 ] && [ "${FORCE:-0}" != 1 ]; then
	die "$WORK has no commits on top of the base; refusing to empty $SERIES (FORCE=1 to do it)"
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if [ "$n" -gt 0 ]; then
	git -C "$WORK" format-patch -q "${FORMAT_PATCH_OPTS[@]}" -o "$tmp/raw" "$base..HEAD"
	am_tree_prepare "$base"
	am_series "$AM_TREE" "$tmp"/raw/*.patch ||
		die "the commits of $WORK do not survive a format-patch/am round trip (see above)"
	tip=$(git -C "$AM_TREE" rev-parse HEAD)
	[ "$(git -C "$AM_TREE" rev-parse "HEAD^{tree}")" = "$(git -C "$WORK" rev-parse "HEAD^{tree}")" ] ||
		die "git am of the exported patches gives another tree than $WORK's HEAD (whitespace or CR lost in mail?)"
	format_series "$AM_TREE" "$base" "$tip" "$tmp/new" "$SERIES/0000-cover-letter.patch"
fi

mkdir -p "$SERIES"
rm -f "$SERIES"/*.patch
[ "$n" = 0 ] || cp "$tmp"/new/*.patch "$SERIES"/
mark_synced
echo "export: $n patch(es) from $WORK to $SERIES"
ls "$SERIES" | sed 's/^/  /'
if [ -n "$(git -C "$WORK" status --porcelain=v1 --untracked-files=normal)" ]; then
	echo "warning: $WORK has uncommitted changes; they are not in the export:" >&2
	git -C "$WORK" status --short | head -20 >&2
fi
