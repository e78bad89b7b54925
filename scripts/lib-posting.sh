# shellcheck shell=bash disable=SC2034
# Helpers of the posting flow (posting.sh, check-posting.sh).  Sourced after
# lib.sh and lib-series.sh.
#
# Everything happens in one work tree of $BASE_REPO of its own ($PT, never
# $WORK or $AM_TREE), so a posting can be made while another run builds:
#   - every stored version (versions/vK/) is applied onto the base the way
#     apply.sh applies series/ (git am, fixed identity, committer date =
#     author date) and tagged vdt/vK: an annotated tag whose message carries
#     b4's "base-commit:" and "change-id:" lines, so `git range-diff` and
#     `b4 prep --compare-to vdt/vK` reach it;
#   - series/ is applied the same way (the commits `make apply` makes);
#   - the b4 prep branch ($POSTING_BRANCH) is made from them: b4's cover
#     letter commit, then every patch re-signed by the sender.

VERSIONS=${VERSIONS:-$VDT_ROOT/versions}
POSTING_BRANCH=${POSTING_BRANCH:-b4/vfio-dmabuf-tph}
# Version tags: ${VTAG}v1, ${VTAG}v2, ... (the self-test uses its own prefix).
VTAG=${POSTING_TAG_PREFIX:-vdt/}
if [ "$BASE_REPO" = "$CACHE/base" ]; then
	PT=${POSTING_TREE:-$CACHE/posting/linux}
else
	PT=${POSTING_TREE:-$CACHE/posting/custom-linux}
fi
# The sender's and the harness's identities are never the same thing; the
# b4 commands run with the sender's (GIT_CONFIG_* below), nothing else does.
PLACEHOLDER_IDENT="$VDT_GIT_NAME <$VDT_GIT_EMAIL>"

# b4 is Python: its helpers run with the interpreter b4 runs with.
b4_python() {
	local b4
	b4=$(command -v b4) || die "b4 is not installed: run 'make host' (or apt-get install b4)"
	sed -n '1s/^#! *//p' "$b4" | cut -d' ' -f1
}
B4_PY=${B4_PY:-$(b4_python)}

posting_py() {
	"$B4_PY" "$VDT_ROOT/scripts/posting.py" "$@"
}

# posting_lock: one posting at a time per cache (make posting and the check).
posting_lock() {
	mkdir -p "$CACHE/posting"
	exec 8>"$CACHE/posting/.lock"
	flock -w 600 8 || die "another posting uses $PT (lock $CACHE/posting/.lock)"
}

# debian_base: the commit fetch-base.sh makes from Debian's source package.
debian_base() {
	(
		# shellcheck source=configs/base.env
		. "$VDT_ROOT/configs/base.env"
		echo "$BASE_COMMIT"
	)
}

# real_base BASE: true when BASE is a commit of a kernel git tree of the
# user's (BASE_REPO), not the harness's import of Debian's source package,
# which no maintainer or robot has.
real_base() {
	[ "$BASE_REPO" != "$CACHE/base" ] && [ "$1" != "$(debian_base)" ]
}

# git_common_dir REPO: the repository (.git or bare) of REPO, a physical path.
git_common_dir() {
	(cd "$(git -C "$1" rev-parse --path-format=absolute --git-common-dir)" && pwd -P)
}

# posting_tree_prepare COMMIT: $PT, a clean detached checkout of COMMIT.
posting_tree_prepare() {
	ensure_worktree "$PT" "$1" "the posting work tree"
	[ "$(git_common_dir "$PT")" = "$(git_common_dir "$BASE_REPO")" ] ||
		die "$PT is a work tree of another repository than $BASE_REPO: remove it (git worktree remove $PT) or set POSTING_TREE"
	git -C "$PT" am --abort >/dev/null 2>&1 || true
	git -C "$PT" checkout -q -f --detach "$1"
	git -C "$PT" clean -q -f -d -x
}

# version_patches DIR: the patch files of a stored version, without the cover.
version_patches() {
	SERIES=$1 series_patches
}

# files_id DIR: one hash of the patch files of DIR (cover letter included).
files_id() {
	cat "$1"/*.patch | sha256sum | cut -c1-16
}

# apply_patches BASE PATCH...: git am them onto BASE in $PT (the way
# apply.sh does); print the tip.
apply_patches() {
	local base=$1
	shift
	posting_tree_prepare "$base"
	[ $# = 0 ] || am_series "$PT" "$@" >&2 || return 1
	git -C "$PT" rev-parse HEAD
}

# tag_message COVER BASE CHANGE_ID FILES_ID: what b4 keeps in a sent tag:
# the cover letter's subject and blurb, base-commit:, change-id:.
tag_message() {
	posting_py tagmsg "$@"
}

# version_tag K BASE CHANGE_ID: (re)create the annotated tag vdt/vK of
# versions/vK applied onto BASE; nothing to do when it is there already.
version_tag() {
	local k=$1 base=$2 change_id=$3 dir=$VERSIONS/v$1 id tip msg
	local -a patches
	id=$(files_id "$dir")
	msg=$(git -C "$BASE_REPO" cat-file tag "${VTAG}v$k" 2>/dev/null || true)
	if grep -qx "base-commit: $base" <<<"$msg" && grep -qx "vdt-files: $id" <<<"$msg"; then
		return 0
	fi
	mapfile -t patches < <(version_patches "$dir")
	tip=$(apply_patches "$base" "${patches[@]}") ||
		die "stored version v$k ($dir) does not apply on $(git -C "$BASE_REPO" log -1 --format='%h (%s)' "$base")"
	# The tagger date is the tip's: the same files give the same tag.
	tag_message "$dir/0000-cover-letter.patch" "$base" "$change_id" "$id" |
		GIT_COMMITTER_DATE=$(git -C "$BASE_REPO" log -1 --format=%cD "$tip") \
			git -C "$BASE_REPO" tag -f -a -F - "${VTAG}v$k" "$tip" >/dev/null
	log "tagged ${VTAG}v$k: versions/v$k on $(git -C "$BASE_REPO" rev-parse --short=12 "$base") ($(git -C "$BASE_REPO" rev-list --count "$base..$tip") patches)"
}

# stored_versions: the numbers K of versions/vK/, ascending.
stored_versions() {
	local d
	for d in "$VERSIONS"/v[0-9]*; do
		[ -d "$d" ] || continue
		d=${d##*/v}
		[[ $d =~ ^[0-9]+$ ]] && echo "$d"
	done | sort -n
}

# resign_range BASE TIP PARENT NAME EMAIL: the commits BASE..TIP made again
# on PARENT, authored (where the placeholder was the author) and signed off
# by NAME <EMAIL>, committed by them now; print the new tip.
resign_range() {
	local base=$1 tip=$2 parent=$3 name=$4 addr=$5 c an ae ad msg
	for c in $(git -C "$BASE_REPO" rev-list --reverse "$base..$tip"); do
		IFS=$'\t' read -r an ae ad < <(git -C "$BASE_REPO" log -1 --format=$'%an\t%ae\t%aD' "$c")
		if [ "$ae" = "$VDT_GIT_EMAIL" ]; then
			an=$name ae=$addr
		fi
		msg=$(git -C "$BASE_REPO" log -1 --format=%B "$c" | posting_py resign "$name" "$addr")
		parent=$(GIT_AUTHOR_NAME=$an GIT_AUTHOR_EMAIL=$ae GIT_AUTHOR_DATE=$ad \
			GIT_COMMITTER_NAME=$name GIT_COMMITTER_EMAIL=$addr GIT_COMMITTER_DATE='' \
			git -C "$BASE_REPO" commit-tree -p "$parent" -m "$msg" "$c^{tree}")
	done
	echo "$parent"
}

# b4_env NAME EMAIL [NOBASE_TEMPLATE]: environment for running b4 as the
# sender: their identity in git's configuration (b4 reads user.*), a mail
# server that is never used (b4 send -o/-d only write; without one b4 would
# pick its web endpoint, which needs a signing key), and, without a real
# base, a cover template without the base-commit line.
b4_env() {
	local n=3
	printf '%s\n' "GIT_AUTHOR_NAME=$1" "GIT_AUTHOR_EMAIL=$2" \
		"GIT_COMMITTER_NAME=$1" "GIT_COMMITTER_EMAIL=$2" \
		"GIT_CONFIG_KEY_0=user.name" "GIT_CONFIG_VALUE_0=$1" \
		"GIT_CONFIG_KEY_1=user.email" "GIT_CONFIG_VALUE_1=$2" \
		"GIT_CONFIG_KEY_2=sendemail.smtpserver" \
		"GIT_CONFIG_VALUE_2=/nonexistent/vfio-dmabuf-tph-posting-never-sends"
	if [ -n "${3:-}" ]; then
		printf '%s\n' "GIT_CONFIG_KEY_3=b4.prep-cover-template" "GIT_CONFIG_VALUE_3=$3"
		n=4
	fi
	echo "GIT_CONFIG_COUNT=$n"
}

# run_b4 ARGS...: b4 in $PT as the sender ($B4_ENV, one VAR=VALUE a line).
run_b4() {
	local -a envs
	mapfile -t envs <<<"$B4_ENV"
	(cd "$PT" && env "${envs[@]}" b4 "$@")
}
