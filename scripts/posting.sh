#!/usr/bin/env bash
# Prepare series/ for the mailing lists with b4 (never sends anything):
#
#   make posting FROM="Full Name <address>"                 the Debian base: no base-commit
#   make posting FROM="..." BASE_REPO=~/src/linux BASE_REF=v7.3   base-commit: of your tree
#
# Writes $POSTING_OUT (default out/posting/) with the messages `b4 send -o`
# writes: the cover letter and one message per patch, re-authored and
# signed off by FROM (the placeholder identity's Signed-off-by is replaced,
# not added to), To:/Cc: from the tree's scripts/get_maintainer.pl (b4 prep
# --auto-to-cc), the subject prefix and version of series/'s cover letter
# ("PATCH v2" -> v2), b4's change-id (versions/change-id) and, with a real
# base, its base-commit:.  The b4 prep branch it is made from
# ($POSTING_BRANCH, default b4/vfio-dmabuf-tph, in $BASE_REPO) stays for
# whoever sends: `b4 send`, `b4 prep --compare-to vdt/v1`, ... work on it.
#
# Every stored version (versions/vK/) is tagged vdt/vK in $BASE_REPO (and
# sent/<branch>-vK for b4's own `--compare-to vK`); the range-diff against
# the previous version is printed and, for v2 and later, the cover letter
# gets a "Changes in vN" section (the hand-written one of series/'s cover
# letter, or one made from the range-diff) and the lore link to vN-1
# (versions/vN-1/message-id).
#
# Variables: FROM (required), POSTING_OUT, POSTING_BRANCH, VERSIONS, BASE_REPO,
# BASE_REF, SERIES, FORCE=1 (rebuild a branch changed since the last posting).
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=scripts/lib-series.sh
. "$VDT_ROOT/scripts/lib-series.sh"
# shellcheck source=scripts/lib-posting.sh
. "$VDT_ROOT/scripts/lib-posting.sh"

POSTING_OUT=${POSTING_OUT:-$OUT/posting}
WARNINGS=()
# loud MESSAGE: a warning nobody can miss, repeated at the end and kept in
# $POSTING_OUT/WARNINGS.txt.
loud() {
	WARNINGS+=("$*")
	{
		echo
		echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"
		echo "!!! WARNING: $*" | fold -s -w 74 | sed '2,$s/^/!!!   /'
		echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"
		echo
	}
}

# --- who, what, on what ------------------------------------------------------
if [ -z "${FROM:-}" ]; then
	die "who posts? make posting FROM=\"Full Name <address>\" (the person whose Signed-off-by the patches get)"
fi
ident=$(posting_py ident "$FROM") || die "FROM=\"$FROM\" cannot post (see above)"
NAME=${ident%%$'\n'*}
ADDR=${ident#*$'\n'}
ME="$NAME <$ADDR>"

cover=$SERIES/0000-cover-letter.patch
[ -f "$cover" ] || die "$cover is missing: run 'make export' (it writes the cover letter)"
mapfile -t patches < <(series_patches)
[ ${#patches[@]} -gt 0 ] || die "$SERIES has no patches to post"
read -r rev extra <<<"$(posting_py version "$cover")" || die "cannot read the subject prefix of $cover"
extra=${extra:-}
[ -s "$VERSIONS/change-id" ] || die "$VERSIONS/change-id is missing (b4's change-id of the series; it never changes)"
change_id=$(tr -d ' \n' <"$VERSIONS/change-id")

posting_lock
base=$(base_commit)
base_desc=$(git -C "$BASE_REPO" log -1 --format='%h (%s)' "$base")
echo "posting: v$rev of \"$(patch_subject "$cover")\" (${#patches[@]} patches) as $ME"
echo "posting: on $base_desc, $BASE_REF of $BASE_REPO"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# --- stored versions and the current one, applied the way apply.sh does -----
mapfile -t stored < <(stored_versions)
for k in "${stored[@]}"; do
	version_tag "$k" "$base" "$change_id"
done
tip=$(apply_patches "$base" "${patches[@]}") || die "series/ does not apply on $base_desc (see above)"

prev=""
for k in "${stored[@]}"; do
	[ "$k" -lt "$rev" ] && prev=$k
done
if [ -d "$VERSIONS/v$rev" ] && [ "$(git -C "$BASE_REPO" rev-parse "${VTAG}v$rev^{commit}")" != "$tip" ]; then
	loud "series/ is not what versions/v$rev holds.  If v$rev was posted, this is v$((rev + 1)): set the subject prefix of series/0000-cover-letter.patch to \"PATCH v$((rev + 1))\".  If v$rev was not posted yet, refresh versions/v$rev (README, Posting)."
fi
: >"$tmp/rangediff"
if [ -n "$prev" ]; then
	git -C "$BASE_REPO" range-diff --no-color "$base..${VTAG}v$prev" "$base..$tip" >"$tmp/rangediff"
elif [ "$rev" -gt 1 ]; then
	loud "this is v$rev but no earlier version is stored in $VERSIONS/ (v1 .. v$((rev - 1))): no range-diff, no \"Changes in v$rev\" list"
fi

# --- the cover letter: blurb, "Changes in vN", b4's tracking data -----------
: >"$tmp/changes"
history="{}"
for k in "${stored[@]}"; do
	[ -s "$VERSIONS/v$k/message-id" ] || continue
	history=$(python3 -c 'import json,sys; h=json.loads(sys.argv[1]); h["v"+sys.argv[2]]=[sys.argv[3]]; print(json.dumps(h))' \
		"$history" "$k" "$(tr -d '<> \n' <"$VERSIONS/v$k/message-id")")
done
if [ -n "$prev" ]; then
	if [ -s "$VERSIONS/v$prev/message-id" ]; then
		link="https://lore.kernel.org/r/$(tr -d '<> \n' <"$VERSIONS/v$prev/message-id")"
	else
		link="(v$prev's Message-ID is not recorded in versions/v$prev/message-id)"
		loud "no lore link to v$prev: write the Message-ID of v$prev's cover letter into versions/v$prev/message-id (README, Posting)"
	fi
	if posting_py has-changes "$cover" "$rev"; then
		grep -q "Link to v$prev" "$cover" || printf 'Link to v%s: %s\n' "$prev" "$link" >"$tmp/changes"
	else
		posting_py changes "$rev" "$tmp/rangediff" "$link" >"$tmp/changes"
		loud "series/'s cover letter has no hand-written \"Changes in v$rev\" section; the one in the posting lists the patches the range-diff shows as new, changed or dropped.  Write what changed and why into the cover letter's blurb (make export keeps it)."
	fi
fi
posting_py cover "$cover" "$rev" "$change_id" "$extra" "$history" "$tmp/changes" >"$tmp/cover-msg" ||
	die "cannot make the cover letter from $cover (see above)"

# --- the b4 prep branch --------------------------------------------------------
ref=refs/heads/$POSTING_BRANCH
record=refs/vdt-posting/$POSTING_BRANCH
old=$(git -C "$BASE_REPO" rev-parse -q --verify "$ref" || true)
if [ -n "$old" ] && [ "$old" != "$(git -C "$BASE_REPO" rev-parse -q --verify "$record" || true)" ] &&
	[ "${FORCE:-0}" != 1 ]; then
	die "$POSTING_BRANCH in $BASE_REPO changed since the last 'make posting' (b4 trailers -u, b4 prep --edit-cover, a b4 send?).  Bring what you want to keep into series/ (make apply, make export) and rerun with FORCE=1 to rebuild the branch from series/."
fi
if git -C "$BASE_REPO" worktree list --porcelain | grep -qx "branch $ref" &&
	! git -C "$BASE_REPO" worktree list --porcelain | grep -B2 -x "branch $ref" | grep -qx "worktree $PT"; then
	die "$POSTING_BRANCH is checked out in $(git -C "$BASE_REPO" worktree list | grep "\[$POSTING_BRANCH\]" | cut -d' ' -f1): switch that work tree to another branch first"
fi
tracked_base=""
real_base "$base" || tracked_base=no
template=""
if [ -n "$tracked_base" ]; then
	template=$CACHE/posting/cover-no-base.template
	posting_py nobase-template >"$template.new" && mv "$template.new" "$template"
	# b4 run by hand in the harness's own repository must not write the
	# Debian import's hash either.
	[ "$BASE_REPO" != "$CACHE/base" ] || git -C "$BASE_REPO" config b4.prep-cover-template "$template"
fi
B4_ENV=$(b4_env "$NAME" "$ADDR" "$template")
mapfile -t b4envs <<<"$B4_ENV"
coverc=$(env "${b4envs[@]}" git -C "$BASE_REPO" commit-tree -p "$base" -F "$tmp/cover-msg" "$base^{tree}")
newtip=$(resign_range "$base" "$tip" "$coverc" "$NAME" "$ADDR")
git -C "$PT" checkout -q -f -B "$POSTING_BRANCH" "$newtip"
git -C "$BASE_REPO" config "branch.$POSTING_BRANCH.b4-prep-cover-strategy" commit
if ! run_b4 prep --auto-to-cc >"$tmp/auto-to-cc.log" 2>&1; then
	cat "$tmp/auto-to-cc.log" >&2
	die "b4 prep --auto-to-cc failed in $PT (see above)"
fi
if ! run_b4 send --no-sign -o "$tmp/out" >"$tmp/send.log" 2>&1; then
	cat "$tmp/send.log" >&2
	die "b4 send -o failed in $PT (see above)"
fi
final=$(git -C "$PT" rev-parse HEAD)
git -C "$BASE_REPO" update-ref "$record" "$final"
# Leave the branch free for a checkout of the user's.
git -C "$PT" checkout -q --detach

# sent/<name>-vK: the stored versions as b4 tags what it sent, re-signed by
# the sender, so that `b4 prep --compare-to vK` shows only real changes.  A
# tag b4 made itself (no vdt-files: line) is never replaced.
slug=${POSTING_BRANCH#b4/}
for k in "${stored[@]}"; do
	[ "$k" -lt "$rev" ] || continue
	msg=$(git -C "$BASE_REPO" cat-file tag "sent/$slug-v$k" 2>/dev/null || true)
	if [ -n "$msg" ] && ! grep -q '^vdt-files: ' <<<"$msg"; then
		continue
	fi
	stip=$(resign_range "$base" "${VTAG}v$k" "$base" "$NAME" "$ADDR")
	git -C "$BASE_REPO" cat-file tag "${VTAG}v$k" | sed '1,/^$/d' |
		env "${b4envs[@]}" git -C "$BASE_REPO" tag -f -a -F - "sent/$slug-v$k" "$stip" >/dev/null
done

# --- the messages ----------------------------------------------------------------
rm -rf "$POSTING_OUT"
mkdir -p "$POSTING_OUT"
mv "$tmp"/out/*.eml "$POSTING_OUT"/
n=$(find "$POSTING_OUT" -name '*.eml' | wc -l)
# One patch: b4 puts the cover letter's text below its "---" (no 0/1).
want=$((${#patches[@]} + 1))
[ ${#patches[@]} != 1 ] || want=1
[ "$n" = "$want" ] ||
	die "b4 wrote $n messages for ${#patches[@]} patches and a cover letter (see $POSTING_OUT)"
coverm=$(find "$POSTING_OUT" -name '*.eml' | LC_ALL=C sort | head -1)
echo
echo "posting: $n messages in $POSTING_OUT (b4 send -o; nothing was sent):"
find "$POSTING_OUT" -name '*.eml' -printf '  %f\n' | LC_ALL=C sort
IFS=$'\t' read -r _ _ csubj _ cto ccc cbase < <(posting_py headers "$coverm")
[ "$cto" != - ] || cto=""
[ "$ccc" != - ] || ccc=""
[ "$cbase" != - ] || cbase=""
echo "  cover letter: $csubj"
echo "  To: $(tr ',' '\n' <<<"$cto" | grep -c .) addresses, Cc: $(tr ',' '\n' <<<"$ccc" | grep -c .) (b4 sends every message to all of them):"
printf '%s\n%s\n' "$cto" "$ccc" | tr ',' '\n' | grep . | sed 's/^/    /'
if [ -n "$tracked_base" ]; then
	if [ -n "$cbase" ]; then
		die "the cover letter names base-commit $cbase, which is not a commit of a real kernel tree"
	fi
	loud "NO base-commit: LINE.  The base is the harness's import of Debian's linux-source ($(git -C "$BASE_REPO" rev-parse --short=12 "$base")), a commit no maintainer or robot has, so the cover letter says nothing about its base.  Post from your own kernel tree: make posting FROM=\"...\" BASE_REPO=~/src/linux BASE_REF=v7.3"
else
	[ "$cbase" = "$base" ] || die "the cover letter names base-commit '$cbase', not $base ($BASE_REF of $BASE_REPO)"
	echo "  base-commit: $base ($BASE_REF of $BASE_REPO)"
fi
echo
if [ -n "$prev" ]; then
	echo "range-diff v$prev..v$rev (git range-diff $base..${VTAG}v$prev $base..<series/>; on the b4 branch: b4 prep --compare-to ${VTAG}v$prev):"
	sed 's/^/  /' "$tmp/rangediff"
elif [ "$rev" = 1 ]; then
	echo "range-diff: none (v1: there is no earlier version)"
fi
if [ -s "$tmp/changes" ]; then
	echo
	echo "changes section added to the cover letter:"
	sed 's/^/  /' "$tmp/changes"
fi
echo
echo "b4 branch: $POSTING_BRANCH in $BASE_REPO (work tree $PT, left detached)"
echo "versions: $(for k in "${stored[@]}"; do printf "${VTAG}v%s " "$k"; done)"
if [ ${#WARNINGS[@]} -gt 0 ]; then
	printf '%s\n' "${WARNINGS[@]}" >"$POSTING_OUT/WARNINGS.txt"
	echo
	echo "posting: written, with ${#WARNINGS[@]} warning(s) to read before sending (also in $POSTING_OUT/WARNINGS.txt):"
	printf '  - %s\n' "${WARNINGS[@]}"
else
	echo "posting: ready to send (README.md, Posting: what to check by hand, how to send)"
fi
