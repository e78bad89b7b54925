#!/usr/bin/env bash
# Apply series/ onto a fresh work tree of the base:
#
#   scripts/apply.sh            ($WORK = $CACHE/work/linux, branch "work")
#   FORCE=1 scripts/apply.sh    discard unexported work in $WORK
#
# Every patch in series/ (but the cover letter) is applied with `git am` in a
# scratch work tree; $WORK is then moved to the result with one checkout, so
# files the series does not change keep their timestamps and the next build
# stays incremental.  The base repository's own checkout is never touched.
# Refuses to replace commits or changes in $WORK that series/ does not hold
# (run scripts/export.sh first) unless FORCE=1.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=scripts/lib-series.sh
. "$VDT_ROOT/scripts/lib-series.sh"

base=$(base_commit)
mapfile -t patches < <(series_patches)

lost=$(unexported_work)
if [ -n "$lost" ]; then
	if [ "${FORCE:-0}" != 1 ]; then
		case_result fail "apply" "$WORK holds work that series/ does not have (see the log)"
		{
			echo "error: $WORK holds work that series/ does not have; applying would lose:"
			echo "$lost"
			echo "Run 'make export' to save it into series/, or 'make apply FORCE=1' to discard it."
		} >&2
		exit 1
	fi
	echo "FORCE=1: discarding unexported work in $WORK:" >&2
	echo "$lost" >&2
fi

if [ ${#patches[@]} -gt 0 ]; then
	am_tree_prepare "$base"
	if ! am_series "$AM_TREE" "${patches[@]}"; then
		case_result fail "$(basename "$FAILED_PATCH")" \
			"\"$(patch_subject "$FAILED_PATCH")\" does not apply: $FAILED_REASON"
		echo "apply: stopped; $WORK is unchanged" >&2
		exit 1
	fi
	for p in "${patches[@]}"; do
		case_result pass "$(basename "$p")" "applied"
	done
	tip=$(git -C "$AM_TREE" rev-parse HEAD)
else
	case_result pass "apply" "series/ is empty: the work tree is the base"
	tip=$base
fi

if [ ! -e "$WORK/.git" ]; then
	git -C "$BASE_REPO" worktree prune
	mkdir -p "$(dirname "$WORK")"
	git -C "$BASE_REPO" worktree add -q -f -B "$WORK_BRANCH" "$WORK" "$tip"
elif [ "$(git -C "$WORK" rev-parse HEAD)" != "$tip" ] ||
	[ -n "$(git -C "$WORK" status --porcelain=v1 --untracked-files=normal)" ] ||
	[ "$(git -C "$WORK" symbolic-ref -q HEAD || true)" != "refs/heads/$WORK_BRANCH" ]; then
	git -C "$WORK" am --abort >/dev/null 2>&1 || true
	git -C "$WORK" rebase --abort >/dev/null 2>&1 || true
	git -C "$WORK" checkout -q -f -B "$WORK_BRANCH" "$tip"
	git -C "$WORK" clean -q -f -d
fi

mark_synced
echo "apply: ${#patches[@]} patch(es) from $SERIES on base $(git -C "$BASE_REPO" log -1 --format='%h (%s)' "$base")"
git -C "$WORK" log --reverse --format='  %h %s' "$base..HEAD"
echo "work tree: $WORK (branch $WORK_BRANCH at $(git -C "$WORK" rev-parse --short=12 HEAD))"
