# shellcheck shell=bash disable=SC2034,SC2154
# Common settings and helpers for the harness scripts.  Sourced, never run.
#
# Every path the harness uses is derived here, so that a script run on its
# own (scripts/build.sh) and the same script run by `make check` agree.
# Variables a user may set (documented in docs/testing.md):
#   VDT_CACHE        cache root   (default ${XDG_CACHE_HOME:-$HOME/.cache}/vfio-dmabuf-tph)
#   VDT_OUT          run outputs  (default <repo>/out)
#   SERIES           patch dir    (default <repo>/series)
#   BASE_REPO        git repo the series applies to (default $VDT_CACHE/base)
#   BASE_REF         commit-ish in BASE_REPO          (default: branch "base")
#   WORK             work tree (git worktree of BASE_REPO) (default $VDT_CACHE/work/linux)
#   BUILD            main O= build directory          (default $VDT_CACHE/build/main)
#   JOBS             make -j                          (default: number of CPUs)
#   FORCE=1          let apply discard unexported work in $WORK

set -euo pipefail

VDT_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${VDT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/vfio-dmabuf-tph}
OUT=${VDT_OUT:-$VDT_ROOT/out}
SERIES=${SERIES:-$VDT_ROOT/series}
BASE_REPO=${BASE_REPO:-$CACHE/base}
BASE_REF=${BASE_REF:-base}
if [ "$BASE_REPO" = "$CACHE/base" ]; then
	WORK=${WORK:-$CACHE/work/linux}
	BUILD=${BUILD:-$CACHE/build/main}
else
	# A tree of your own: keep its work tree and build apart from ours.
	WORK=${WORK:-$CACHE/work/custom-linux}
	BUILD=${BUILD:-$CACHE/build/custom-main}
fi
# The branch checked out in $WORK (a branch can be checked out in one work
# tree only).
if [ "$WORK" = "$CACHE/work/linux" ]; then
	WORK_BRANCH=${WORK_BRANCH:-work}
else
	WORK_BRANCH=${WORK_BRANCH:-vdt-$(basename "$(dirname "$WORK")")-$(basename "$WORK")}
fi
JOBS=${JOBS:-$(nproc)}
# Sandboxes for the per-patch checks and for the harness self-tests.  Each
# holds work/linux and build/<name> so that the path from an O= directory to
# its sources is the same as for $CACHE/build/main -> $CACHE/work/linux:
# with CCACHE_BASEDIR set to the sandbox root, ccache then shares objects
# between all of them.
CHECK_ROOT=${CHECK_ROOT:-$CACHE/build/check}
# Scratch work tree used to normalise commits (apply, export, round trip).
AM_TREE=$CACHE/work/am

export CCACHE_DIR=${CCACHE_DIR:-$CACHE/ccache}
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$CACHE}
export CCACHE_NOHASHDIR=1
export CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-5G}

# One identity and no user/system git configuration for everything the
# harness commits or exports: the results must not depend on the machine.
VDT_GIT_NAME="vfio-dmabuf-tph developers"
VDT_GIT_EMAIL="vfio-dmabuf-tph@example.org"
export GIT_CONFIG_NOSYSTEM=1
export GIT_CONFIG_GLOBAL=/dev/null
export GIT_COMMITTER_NAME="$VDT_GIT_NAME" GIT_COMMITTER_EMAIL="$VDT_GIT_EMAIL"
export GIT_AUTHOR_NAME="$VDT_GIT_NAME" GIT_AUTHOR_EMAIL="$VDT_GIT_EMAIL"
export LC_ALL=C.UTF-8 TZ=UTC

# Private apt configuration: own source lists, lists and cache directories.
# The archive is the one the machine's own apt sources name (lib-apt.sh);
# DEBIAN_MIRROR overrides it.
APT_DIR=$CACHE/apt
# shellcheck source=scripts/lib-apt.sh
. "$VDT_ROOT/scripts/lib-apt.sh"
if [ -z "${DEBIAN_MIRROR:-}" ]; then
	DEBIAN_MIRROR=$(system_debian_mirror) || {
		echo "error: no Debian archive in this machine's apt sources (/etc/apt/sources.list{,.d/}): set DEBIAN_MIRROR=<archive URI>" >&2
		exit 1
	}
fi
DEBIAN_KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg

# Any command that fails unexpectedly says where, instead of a silent exit.
trap 'vdt_rc=$?; echo "error: ${0##*/}: line $LINENO: command failed (exit $vdt_rc): $BASH_COMMAND" >&2' ERR

die() {
	echo "error: $*" >&2
	exit 1
}

log() {
	echo "==> $*" >&2
}

# ensure_worktree DIR COMMIT WHAT: DIR is a detached work tree of $BASE_REPO;
# made at COMMIT when missing (WHAT names it in the log).  Callers check out
# what they need afterwards.
ensure_worktree() {
	local dir=$1 commit=$2 what=$3
	[ ! -e "$dir/.git" ] || return 0
	# (serialised: two adds at once can pick the same administrative name)
	(
		flock 8
		[ ! -e "$dir/.git" ] || exit 0
		git -C "$BASE_REPO" worktree prune
		log "creating $what $dir (one-time checkout)"
		mkdir -p "$(dirname "$dir")"
		git -C "$BASE_REPO" worktree add -q -f --detach "$dir" "$commit"
	) 8>"$(git -C "$BASE_REPO" rev-parse --path-format=absolute --git-common-dir)/vdt-worktree.lock"
}

# tree_state SRC: "<HEAD commit> clean" when the work tree SRC has no
# change to a tracked file, "<HEAD commit> dirty" otherwise.  build.sh keeps
# it in $BUILD/vdt-built-from after each build.
tree_state() {
	local head
	head=$(git -C "$1" rev-parse HEAD)
	if [ -z "$(git -C "$1" status --porcelain --untracked-files=no)" ]; then
		echo "$head clean"
	else
		echo "$head dirty"
	fi
}

# main_build_current: $BUILD holds a finished build of $WORK as it is now,
# a clean commit (what seed_build may copy).
main_build_current() {
	local st
	[ -e "$BUILD/vmlinux" ] || return 1
	st=$(tree_state "$WORK") || return 1
	[ "${st#* }" = clean ] && [ "$(cat "$BUILD/vdt-built-from" 2>/dev/null)" = "$st" ]
}

# seed_from_main O SRC: when O holds no build yet and the main build is
# current, check the work tree SRC out at $WORK's commit and make O a copy
# of the main build (the sandboxes of the compile checks and the mutants).
seed_from_main() {
	local o=$1 src=$2
	if [ -e "$o/vmlinux" ] || ! main_build_current; then
		return 0
	fi
	git -C "$src" checkout -q -f --detach "$(git -C "$WORK" rev-parse HEAD)"
	git -C "$src" clean -q -f -d
	log "$o starts as a copy of $BUILD"
	seed_build "$BUILD" "$WORK" "$o" "$src"
}

# seed_build FROM_O FROM_SRC TO_O TO_SRC: make TO_O a copy of the build in
# FROM_O, for a work tree TO_SRC checked out (before this call) at the
# clean commit FROM_O was built from, so that make in TO_O rebuilds nothing
# until a file in TO_SRC changes.  Kbuild keeps command lines, with the
# absolute paths of the source and output trees, in its .cmd files and
# rebuilds what was compiled by another command line: those paths are
# rewritten.  Every copied file gets one time stamp, newer than the checkout
# of TO_SRC and equal between targets and their prerequisites.
seed_build() {
	local from_o=$1 from_src=$2 to_o=$3 to_src=$4 stamp
	from_o=$(readlink -f "$from_o") from_src=$(readlink -f "$from_src")
	to_o=$(readlink -m "$to_o") to_src=$(readlink -f "$to_src")
	stamp=$(date '+%F %T.%N')
	rm -rf "$to_o.seed"
	mkdir -p "$(dirname "$to_o")"
	cp -a "$from_o" "$to_o.seed"
	rm -rf "$to_o".seed/vdt-*
	grep -rlIZ -F -e "$from_src" -e "$from_o" "$to_o.seed" |
		xargs -0 -r sed -i -e "s|$from_src|$to_src|g" -e "s|$from_o|$to_o|g"
	ln -sfn "$to_src" "$to_o.seed/source"
	find "$to_o.seed" -exec touch -h -d "$stamp" {} +
	rm -rf "$to_o"
	mv "$to_o.seed" "$to_o"
}

# apt_private NAME ARGS...: run apt-get with source list $APT_DIR/etc/NAME.list
# and lists in $APT_DIR/lists-NAME (apt deletes lists of sources it does not
# know, so each source list gets its own lists directory).
apt_opts() {
	local name=$1
	mkdir -p "$APT_DIR/etc" "$APT_DIR/lists-$name/partial" "$APT_DIR/cache/archives/partial"
	printf '%s\n' \
		-o "Dir::Etc::sourcelist=$APT_DIR/etc/$name.list" \
		-o "Dir::Etc::sourceparts=/dev/null" \
		-o "Dir::Etc::preferences=/dev/null" \
		-o "Dir::Etc::preferencesparts=/dev/null" \
		-o "Dir::State::Lists=$APT_DIR/lists-$name" \
		-o "Dir::Cache=$APT_DIR/cache" \
		-o "APT::Sandbox::User=root"
}

apt_private() {
	local name=$1
	shift
	local -a opts
	mapfile -t opts < <(apt_opts "$name")
	apt-get "${opts[@]}" "$@"
}

apt_cache_private() {
	local name=$1
	shift
	local -a opts
	mapfile -t opts < <(apt_opts "$name")
	apt-cache "${opts[@]}" "$@"
}

# apt_private_update NAME: refresh lists at most once per run of the harness
# (VDT_RUN_ID) and at most every 6 hours otherwise.
apt_private_update() {
	local name=$1 stamp=$APT_DIR/lists-$1/.vdt-updated
	if [ -f "$stamp" ] && [ -n "$(find "$stamp" -mmin -360 2>/dev/null)" ]; then
		return 0
	fi
	apt_private "$name" -q update >&2 || return 1
	touch "$stamp"
}

# base_commit: the commit the series applies to.
base_commit() {
	git -C "$BASE_REPO" rev-parse --verify -q "$BASE_REF^{commit}" ||
		die "no base: $BASE_REPO has no commit '$BASE_REF' (run 'make base')"
}

# series_patches: the patch files of series/, in order, without the cover letter.
series_patches() {
	local f
	[ -d "$SERIES" ] || return 0
	for f in "$SERIES"/*.patch; do
		[ -e "$f" ] || continue
		case $(basename "$f") in
		0000-*) continue ;;
		esac
		echo "$f"
	done | LC_ALL=C sort
}

# patch_subject FILE: the subject of a patch mail, without "[PATCH n/m] ".
patch_subject() {
	git mailinfo -k /dev/null /dev/null <"$1" 2>/dev/null |
		sed -n 's/^Subject: //p' | sed 's/^\[[^]]*\] *//' | head -1
}

# make_kernel O_DIR SRC ARGS...: the kernel's make with our compiler settings.
make_kernel() {
	local o=$1 src=$2
	shift 2
	make -C "$src" O="$o" -j"$JOBS" CC="ccache gcc" "$@"
}

# kill_tree PID: PID and its descendants, children first (a process group
# kill would miss what timeout(1) puts in a group of its own, QEMU).
# shellcheck disable=SC2317 # also called from traps
kill_tree() {
	local c
	for c in $(pgrep -P "$1"); do
		kill_tree "$c"
	done
	kill "$1" 2>/dev/null || true
}

# case_result pass|fail|skip NAME [DETAIL]: record one test case of the
# current stage (see lib-stage.sh) and say it on stdout.
case_result() {
	local status=$1 name=$2 detail=${3:-}
	[ "$status" != fail ] || VDT_FAILED=1
	printf '%s: %s%s\n' "$(tr '[:lower:]' '[:upper:]' <<<"$status")" "$name" "${detail:+ - $detail}"
	if [ -n "${VDT_CASES:-}" ]; then
		printf '%s\t%s\t%s\n' "$status" "$name" "$(tr '\t\n' '  ' <<<"$detail")" >>"$VDT_CASES"
	fi
}

# cases_exit: end a script that records cases: exit 1 if one failed.
cases_exit() {
	exit "${VDT_FAILED:-0}"
}

# now: seconds since the epoch (for stage and step timings).
now() { date +%s; }
