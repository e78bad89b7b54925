# shellcheck shell=bash disable=SC2034
# Helpers shared by apply.sh, export.sh and check-export.sh.  Sourced after lib.sh.
#
# Commits are always made the same way: `git am --committer-date-is-author-date`
# with the fixed identity from lib.sh, on top of the deterministic base commit.
# So applying series/ gives the same commit hashes on every machine, and
# series/ as written by export.sh is a fixed point of apply + export.

# Options of every format-patch the harness runs.  --abbrev fixes the width
# of the "index" lines (git's default grows with the number of objects);
# --no-signature keeps the git version out of the files.
FORMAT_PATCH_OPTS=(--numbered --no-signature --no-thread --abbrev=12
	--no-attach --encode-email-headers --stat=72)

# am_tree_prepare COMMIT: make $AM_TREE a clean detached checkout of COMMIT.
am_tree_prepare() {
	local commit=$1
	ensure_worktree "$AM_TREE" "$commit" "scratch work tree"
	git -C "$AM_TREE" am --abort >/dev/null 2>&1 || true
	git -C "$AM_TREE" checkout -q -f --detach "$commit"
	git -C "$AM_TREE" clean -q -f -d -x
}

# am_series TREE PATCH...: git am each patch in turn on TREE's HEAD.  On
# failure name the patch, show git's reason, abort, and return 1 with
# FAILED_PATCH and FAILED_REASON set.
am_series() {
	local tree=$1 p out
	shift
	FAILED_PATCH="" FAILED_REASON=""
	for p in "$@"; do
		if ! out=$(git -C "$tree" am -q --committer-date-is-author-date "$p" 2>&1); then
			git -C "$tree" am --abort >/dev/null 2>&1 || true
			FAILED_PATCH=$p
			FAILED_REASON=$(grep -m1 -E '^(error|fatal):' <<<"$out" || head -1 <<<"$out")
			{
				echo "FAIL: patch $(basename "$p") (\"$(patch_subject "$p")\") does not apply"
				echo "      on $(git -C "$tree" log -1 --format='%h (%s)' HEAD):"
				sed 's/^/      /' <<<"$out"
			} >&2
			return 1
		fi
	done
}

# format_series TREE BASE TIP OUTDIR [OLD_COVER]: write the patches of
# BASE..TIP with a cover letter into OUTDIR; the cover letter keeps the
# subject and blurb of OLD_COVER.
format_series() {
	local tree=$1 base=$2 tip=$3 outdir=$4 old_cover=${5:-} prefix=PATCH first
	if [ -n "$old_cover" ] && [ -f "$old_cover" ]; then
		prefix=$("$VDT_ROOT/scripts/cover-letter.py" prefix "$old_cover")
	else
		first=$(series_patches | head -1)
		[ -z "$first" ] || prefix=$("$VDT_ROOT/scripts/cover-letter.py" prefix "$first")
	fi
	mkdir -p "$outdir"
	# The cover letter's From:/Date: come from the committer: make them a
	# function of the series (the tip's date), not of the clock.
	GIT_COMMITTER_DATE=$(git -C "$tree" log -1 --format=%cD "$tip") \
		git -C "$tree" format-patch -q "${FORMAT_PATCH_OPTS[@]}" \
		--cover-letter --base="$base" --subject-prefix="$prefix" \
		-o "$outdir" "$base..$tip"
	if [ -n "$old_cover" ] && [ -f "$old_cover" ]; then
		"$VDT_ROOT/scripts/cover-letter.py" merge "$outdir/0000-cover-letter.patch" "$old_cover"
	fi
}

# patch_key: read one patch mail on stdin, print a key that is equal for two
# patches iff `git am` makes the same change with the same author, date and
# message from them.
patch_key() {
	local d
	d=$(mktemp -d)
	git mailinfo "$d/msg" "$d/patch" >"$d/info"
	{
		cat "$d/info" "$d/msg"
		git patch-id --stable <"$d/patch" | cut -d' ' -f1
	} | sha256sum | cut -d' ' -f1
	rm -rf "$d"
}

# mark_synced: $WORK's HEAD is what series/ said at the last apply/export.
# Commits up to it came from series/ (they are in the history of series/),
# so re-creating the work tree never needs to protect them.
mark_synced() {
	git -C "$WORK" update-ref refs/worktree/vdt-synced HEAD
}

# unexported_work: print what re-creating $WORK would throw away (commits
# after the last apply/export that no patch in series/ carries, changed or
# untracked files); print nothing when it is safe.
unexported_work() {
	local base c key dirty synced
	local -A keys=()
	[ -e "$WORK/.git" ] || return 0
	base=$(base_commit)
	synced=$(git -C "$WORK" rev-parse -q --verify refs/worktree/vdt-synced || true)
	while read -r f; do
		[ -n "$f" ] || continue
		keys[$(patch_key <"$f")]=1
	done < <(series_patches)
	for c in $(git -C "$WORK" rev-list --reverse HEAD --not "$base" ${synced:+"$synced"}); do
		key=$(git -C "$WORK" format-patch -1 --stdout "$c" | patch_key)
		[ -n "${keys[$key]:-}" ] ||
			echo "  commit $(git -C "$WORK" log -1 --format='%h %s' "$c") is not in $SERIES"
	done
	dirty=$(git -C "$WORK" status --porcelain=v1 --untracked-files=normal)
	if [ -n "$dirty" ]; then
		echo "  uncommitted changes:"
		sed 's/^/    /' <<<"$dirty" | head -20
	fi
}

# series_commits: the series as commits of $WORK, one line each:
#   <hash> TAB <label> TAB <subject>
# <label> is the patch file in series/ (by position; "commit-<hash>" when
# $WORK does not hold exactly the patches of series/).
series_commits() {
	local base c i=0 label
	local -a files commits
	base=$(base_commit)
	mapfile -t files < <(series_patches)
	mapfile -t commits < <(git -C "$WORK" rev-list --reverse "$base..HEAD")
	for c in "${commits[@]}"; do
		if [ ${#files[@]} = ${#commits[@]} ]; then
			label=$(basename "${files[$i]}")
		else
			label=commit-$(git -C "$WORK" rev-parse --short=12 "$c")
		fi
		printf '%s\t%s\t%s\n' "$c" "$label" "$(git -C "$WORK" log -1 --format=%s "$c")"
		i=$((i + 1))
	done
}

# touched_files COMMIT [FILTER_REGEX]: files added or modified by COMMIT.
touched_files() {
	git -C "$WORK" diff-tree --no-commit-id --name-only -r --diff-filter=AM "$1" |
		grep -E "${2:-.}" || true
}

# kernel_sources: keep the paths that belong to the kernel proper (not the
# tools, scripts, samples or documentation trees).
kernel_sources() {
	grep -vE '^(tools|scripts|samples|Documentation|usr)/' || true
}
