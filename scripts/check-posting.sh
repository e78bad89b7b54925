#!/usr/bin/env bash
# The `posting` stage of make check: `make posting` with a fixed test
# identity (into $OUT/posting-check, b4 branch b4/vfio-dmabuf-tph-check), then
# checks of what it wrote, one case each:
#   - b4 wrote the cover letter and one message per patch;
#   - no placeholder identity or example.* address is left; every patch is
#     from the test identity and ends with its one Signed-off-by;
#   - every patch message is checkpatch --strict clean (like checkpatch.sh);
#   - git am of the messages onto the base gives the tree of series/;
#   - each patch's To/Cc holds every address get_maintainer.pl lists for it
#     (--no-git --no-git-fallback, on the patched tree), the cover letter's
#     all of them;
#   - base-commit: names the base of a real kernel tree, and is absent (with
#     the loud warning) on the harness's Debian import;
#   - every stored version is tagged vdt/vK and b4 prep --compare-to reaches it.
# Exit 77 (skip) when series/ is empty.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=scripts/lib-series.sh
. "$VDT_ROOT/scripts/lib-series.sh"

POSTING_CHECK_FROM=${POSTING_CHECK_FROM:-"Posting Check <posting-check@vfio-dmabuf-tph.invalid>"}
export POSTING_OUT=${POSTING_OUT:-$OUT/posting-check}
export POSTING_BRANCH=${POSTING_BRANCH:-b4/vfio-dmabuf-tph-check}
# shellcheck source=scripts/lib-posting.sh
. "$VDT_ROOT/scripts/lib-posting.sh"

mapfile -t patches < <(series_patches)
if [ ${#patches[@]} = 0 ]; then
	echo "SKIP: series/ has no patches"
	exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
test_addr=$(posting_py ident "$POSTING_CHECK_FROM" | tail -1)
B4_ENV=$(b4_env "$(posting_py ident "$POSTING_CHECK_FROM" | head -1)" "$test_addr")

# --- make posting -----------------------------------------------------------
start=$(now)
if ! FROM=$POSTING_CHECK_FROM FORCE=1 "$VDT_ROOT/scripts/posting.sh" >"$tmp/posting.out" 2>&1; then
	cat "$tmp/posting.out"
	case_result fail "posting: make posting" "scripts/posting.sh failed: $(grep -m1 '^error:' "$tmp/posting.out" || tail -1 "$tmp/posting.out")"
	cases_exit
fi
cat "$tmp/posting.out"
echo "---- checks ($(($(now) - start)) s for the posting)"
mapfile -t msgs < <(find "$POSTING_OUT" -name '*.eml' | LC_ALL=C sort)
mapfile -t pmsgs < <(printf '%s\n' "${msgs[@]}" | grep -v '/0000-')
cover_msg=$(printf '%s\n' "${msgs[@]}" | grep '/0000-' || true)
# One patch: b4 sends it alone, with the cover letter's text in it.
[ ${#patches[@]} != 1 ] || cover_msg=${pmsgs[0]:-}
if [ ${#pmsgs[@]} = ${#patches[@]} ] && [ -n "$cover_msg" ]; then
	case_result pass "posting: make posting" "b4 wrote a cover letter and ${#pmsgs[@]} patch messages"
else
	case_result fail "posting: make posting" "${#msgs[@]} messages in $POSTING_OUT for ${#patches[@]} patches and a cover letter"
	cases_exit
fi
base=$(base_commit)

# --- identity -----------------------------------------------------------------
bad=""
if ! posting_py scan "${msgs[@]}" >"$tmp/scan"; then
	bad="placeholder or example.* left: $(head -3 "$tmp/scan" | paste -sd';' -)"
	cat "$tmp/scan"
fi
while IFS=$'\t' read -r f _ _ from _; do
	[ "$from" = "$test_addr" ] || bad+="${bad:+; }$(basename "$f") is from $from"
done < <(posting_py headers "${msgs[@]}")

# --- git am of the messages onto the base ---------------------------------------
series_tip=$(apply_patches "$base" "${patches[@]}") || die "series/ does not apply (see above)"
posting_tree_prepare "$base"
if am_series "$PT" "${pmsgs[@]}"; then
	if [ "$(git -C "$PT" rev-parse "HEAD^{tree}")" = "$(git -C "$PT" rev-parse "$series_tip^{tree}")" ]; then
		case_result pass "posting: git am of the messages" "onto $(git -C "$PT" rev-parse --short=12 "$base") gives the tree of series/"
	else
		git -C "$PT" diff --stat "$series_tip" HEAD | tail -5
		case_result fail "posting: git am of the messages" "gives another tree than series/ applied to the same base"
	fi
	for c in $(git -C "$PT" rev-list --reverse "$base..HEAD"); do
		s=$(git -C "$PT" log -1 --format=%s "$c")
		mapfile -t sobs < <(git -C "$PT" log -1 --format='%(trailers:key=Signed-off-by,valueonly)' "$c" | grep .)
		[ "$(git -C "$PT" log -1 --format=%ae "$c")" = "$test_addr" ] || bad+="${bad:+; }\"$s\" is authored by $(git -C "$PT" log -1 --format=%ae "$c")"
		[ "${sobs[-1]:-}" = "$POSTING_CHECK_FROM" ] || bad+="${bad:+; }\"$s\" does not end with the sender's Signed-off-by"
		[ "$(printf '%s\n' "${sobs[@]}" | grep -cxF "$POSTING_CHECK_FROM")" = 1 ] || bad+="${bad:+; }\"$s\" has the sender's Signed-off-by more than once"
	done
else
	case_result fail "posting: git am of the messages" "$(basename "$FAILED_PATCH") does not apply: $FAILED_REASON"
fi
if [ -z "$bad" ]; then
	case_result pass "posting: identity" "no placeholder or example.* address; every patch from and signed off (once, last) by $POSTING_CHECK_FROM"
else
	case_result fail "posting: identity" "$bad"
fi

# --- checkpatch and recipients, on the patched tree ------------------------------
posting_tree_prepare "$series_tip"
# checkpatch.sh itself (its ignore list and exceptions), on the messages.
mkdir -p "$tmp/cp"
for f in "${pmsgs[@]}"; do
	cp "$f" "$tmp/cp/$(basename "$f" .eml).patch"
done
: >"$tmp/cp.cases"
WORK=$PT SERIES=$tmp/cp VDT_CASES=$tmp/cp.cases "$VDT_ROOT/scripts/checkpatch.sh" >"$tmp/cp.out" 2>&1 || true
if ! grep -q . "$tmp/cp.cases"; then
	cat "$tmp/cp.out"
	case_result fail "posting: checkpatch" "scripts/checkpatch.sh recorded no result"
fi
grep -q '^fail' "$tmp/cp.cases" && cat "$tmp/cp.out"
while IFS=$'\t' read -r st name detail; do
	case_result "$st" "posting $name" "$detail"
done <"$tmp/cp.cases"
: >"$tmp/all"
while IFS=$'\t' read -r f _ _ _ to cc _; do
	name=$(basename "$f" .eml).patch
	(cd "$PT" && perl scripts/get_maintainer.pl --no-git --no-git-fallback --no-rolestats "$f" 2>/dev/null) |
		sed -n 's/.*<\(.*\)>.*/\1/p; /</!p' | tr '[:upper:]' '[:lower:]' | sort -u >"$tmp/want"
	cat "$tmp/want" >>"$tmp/all"
	tr ',' '\n' <<<"$to,$cc" | sort -u >"$tmp/have"
	missing=$(comm -23 "$tmp/want" "$tmp/have" | paste -sd' ' -)
	if [ ! -s "$tmp/want" ]; then
		case_result fail "posting $name: recipients" "get_maintainer.pl lists nobody for it"
	elif [ -z "$missing" ]; then
		case_result pass "posting $name: recipients" "To/Cc has all $(wc -l <"$tmp/want") addresses get_maintainer.pl lists"
	else
		case_result fail "posting $name: recipients" "get_maintainer.pl lists, To/Cc lacks: $missing"
	fi
done < <(posting_py headers "${pmsgs[@]}")
IFS=$'\t' read -r _ _ _ _ cto ccc cbase < <(posting_py headers "$cover_msg")
sort -u "$tmp/all" >"$tmp/want"
tr ',' '\n' <<<"$cto,$ccc" | sort -u >"$tmp/have"
missing=$(comm -23 "$tmp/want" "$tmp/have" | paste -sd' ' -)
if [ -z "$missing" ]; then
	case_result pass "posting cover letter: recipients" "To/Cc has all $(wc -l <"$tmp/want") addresses of all patches"
else
	case_result fail "posting cover letter: recipients" "lacks: $missing"
fi

# --- base-commit -----------------------------------------------------------------
[ "$cbase" != - ] || cbase=""
if real_base "$base"; then
	if [ "$cbase" = "$base" ]; then
		case_result pass "posting: base-commit" "the cover letter names $BASE_REF of $BASE_REPO ($base)"
	else
		case_result fail "posting: base-commit" "the cover letter names '${cbase:-nothing}', not $base ($BASE_REF of $BASE_REPO)"
	fi
elif [ -z "$cbase" ] && ! grep -rq "$base" "$POSTING_OUT" && grep -q 'WARNING: NO base-commit' "$tmp/posting.out"; then
	case_result pass "posting: base-commit" "no base-commit line for the Debian import, and the output says so"
else
	case_result fail "posting: base-commit" "on the Debian import: base-commit '${cbase:-}' or no loud warning in the output"
fi

# --- versions ------------------------------------------------------------------------
bad=""
mapfile -t stored < <(stored_versions)
for k in "${stored[@]}"; do
	msg=$(git -C "$BASE_REPO" cat-file tag "${VTAG}v$k" 2>/dev/null || true)
	grep -qx "base-commit: $base" <<<"$msg" && grep -qx "vdt-files: $(files_id "$VERSIONS/v$k")" <<<"$msg" ||
		bad+="${bad:+; }${VTAG}v$k is missing or not versions/v$k on the base"
done
if [ ${#stored[@]} -gt 0 ] && [ -z "$bad" ]; then
	k=${stored[-1]}
	git -C "$PT" checkout -q -f "$POSTING_BRANCH"
	if run_b4 prep --compare-to "${VTAG}v$k" >"$tmp/compare" 2>&1 &&
		[ "$(grep -cE '^ *[0-9-]+: +[0-9a-f-]+ [=!<>] ' "$tmp/compare")" -gt 0 ]; then
		:
	else
		cat "$tmp/compare"
		bad="b4 prep --compare-to ${VTAG}v$k fails on $POSTING_BRANCH"
	fi
	git -C "$PT" checkout -q --detach
fi
if [ ${#stored[@]} = 0 ]; then
	case_result skip "posting: versions" "no stored version in $VERSIONS"
elif [ -z "$bad" ]; then
	case_result pass "posting: versions" "$(printf "${VTAG}v%s " "${stored[@]}")tagged; b4 prep --compare-to ${VTAG}v${stored[-1]} works"
else
	case_result fail "posting: versions" "$bad"
fi
cases_exit
