#!/usr/bin/env bash
# checkpatch --strict on every patch of series/ (not the cover letter).  A
# patch fails on any ERROR, WARNING or CHECK; the message names the patch,
# its subject and checkpatch's findings.  Message types listed in
# configs/checkpatch.ignore (one per line, # comments) are not reported.
# Runs from a scratch directory with --root, so checkpatch's camelcase cache
# file does not land in a tree.  Exit 77 (skip) when series/ is empty.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

mapfile -t patches < <(series_patches)
if [ ${#patches[@]} = 0 ]; then
	echo "SKIP: series/ has no patches"
	exit 77
fi
[ -x "$WORK/scripts/checkpatch.pl" ] || die "no $WORK/scripts/checkpatch.pl (run 'make apply')"
ignore=$(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$VDT_ROOT/configs/checkpatch.ignore" 2>/dev/null |
	tr -d ' \t' | paste -sd, - || true)
# unmaintained_files PATCH: files the patch adds, renames or deletes that no
# MAINTAINERS entry covers (after the whole series).
unmaintained_files() {
	local f
	awk '/^diff --git a\// { sub(/^diff --git a\/.* b\//, ""); cur = $0 }
	     /^(new file mode|rename to) / { print cur }' "$1" | sort -u |
		while read -r f; do
			[ -e "$WORK/$f" ] || continue
			(cd "$WORK" && perl scripts/get_maintainer.pl --nogit --nogit-fallback \
				--no-rolestats --no-l --no-r -f "$f" 2>/dev/null | grep -q .) || echo "$f"
		done
}

# known_commit_ids PATCH: how many of checkpatch's GIT_COMMIT_ID warnings for
# PATCH are about a commit cited as configs/upstream-commits lists it.
known_commit_ids() {
	local id subj n=0
	while IFS=$'\t' read -r id subj _; do
		case $id in '#'* | '') continue ;; esac
		if grep -qF "$id (\"$subj\")" "$1"; then
			n=$((n + $(grep -cF "$id (\"$subj\")" "$1")))
		fi
	done <"$VDT_ROOT/configs/upstream-commits"
	echo "$n"
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for p in "${patches[@]}"; do
	name=$(basename "$p")
	subj=$(patch_subject "$p")
	out=$(cd "$tmp" && perl "$WORK/scripts/checkpatch.pl" --strict --show-types --no-color \
		--root="$WORK" ${ignore:+--ignore "$ignore"} "$(readlink -f "$p")" 2>&1) || true
	total=$(grep -E '^total: [0-9]+ errors, [0-9]+ warnings, [0-9]+ checks' <<<"$out" | tail -1)
	if [ -z "$total" ]; then
		echo "$out"
		case_result fail "$name: checkpatch" "\"$subj\": checkpatch did not run to the end"
		continue
	fi
	read -r e w c < <(sed -E 's/^total: ([0-9]+) errors, ([0-9]+) warnings, ([0-9]+) checks.*/\1 \2 \3/' <<<"$total")
	fpc=$(grep -c '^WARNING:FILE_PATH_CHANGES:' <<<"$out" || true)
	gci=$(grep -cE '^WARNING:(GIT|UNKNOWN)_COMMIT_ID:.*Unknown commit id' <<<"$out" || true)
	[ "$gci" = 0 ] || [ "$gci" -le "$(known_commit_ids "$p")" ] || gci=0
	if [ "$e" = 0 ] && [ "$w" = 0 ] && [ "$c" = 0 ]; then
		case_result pass "$name: checkpatch" "--strict clean"
	elif [ "$e" = 0 ] && [ "$c" = 0 ] && [ "$w" = $((fpc + gci)) ] &&
		uncovered=$(unmaintained_files "$p") && [ -z "$uncovered" ]; then
		# "does MAINTAINERS need updating?" is asked for every added file;
		# the answer is no when an existing entry already covers it.  An
		# unknown commit id is expected in a tree without history when
		# configs/upstream-commits vouches for it.
		why=""
		[ "$fpc" = 0 ] || why="its new files are covered by MAINTAINERS entries"
		[ "$gci" = 0 ] || why="${why:+$why; }the commits it cites are in configs/upstream-commits"
		case_result pass "$name: checkpatch" "--strict clean ($why)"
	else
		first=$(grep -m1 -E '^(ERROR|WARNING|CHECK):' <<<"$out")
		echo "FAIL: checkpatch --strict: $name (\"$subj\"): $e errors, $w warnings, $c checks"
		grep -E -A3 '^(ERROR|WARNING|CHECK):' <<<"$out" | sed 's/^/      /' | head -40
		case_result fail "$name: checkpatch" "\"$subj\": $e errors, $w warnings, $c checks; first: $first"
	fi
done
cases_exit
