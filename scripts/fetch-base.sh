#!/usr/bin/env bash
# Base tree: Debian's linux-source package, unpacked once into the cache and
# turned into a git repository with ONE deterministic commit (branch "base").
#
#   scripts/fetch-base.sh          create or verify $CACHE/base, print the version
#
# The package is fetched with a private apt configuration (own sources list,
# lists and cache under $CACHE/apt); the system's apt setup is not touched.
# The base commit has a fixed author, committer, message and date (the date of
# the package's changelog entry), so its hash is the same on every machine
# and so are the hashes of the commits `make apply` creates on top of it.
# Debian appends a block to the top-level .gitignore that ignores every
# top-level path (for its packaging repository); the base commit drops it,
# otherwise files that patches add would silently fall out of git.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=configs/base.env
. "$VDT_ROOT/configs/base.env"
BASE_PACKAGE=${VDT_BASE_PACKAGE:-$BASE_PACKAGE}
PINNED_VERSION=$BASE_VERSION
BASE_VERSION=${VDT_BASE_VERSION:-$BASE_VERSION}

STAMP=$CACHE/base.version

if [ "$BASE_REPO" != "$CACHE/base" ]; then
	c=$(base_commit)
	echo "base: $BASE_REPO $BASE_REF = $c ($(git -C "$BASE_REPO" log -1 --format=%s "$c"))"
	exit 0
fi

# --- helpers --------------------------------------------------------------

stamp_get() {
	[ -f "$STAMP" ] || return 0
	sed -n "s/^$1=//p" "$STAMP" | head -1
}

# deb_member DEB PATH: print one file of a .deb's data archive on stdout.
deb_member() {
	dpkg-deb --fsys-tarfile "$1" | tar -xOf - "$2"
}

# changelog_date DEB PACKAGE: date of the newest changelog entry (RFC 2822).
changelog_date() {
	# Read everything (no early exit): a closed pipe would kill dpkg-deb.
	deb_member "$1" "./usr/share/doc/$2/changelog.Debian.gz" | zcat |
		awk '/^ -- / && !done { sub(/^ -- .*>  /, ""); print; done = 1 }'
}

# base_message PACKAGE VERSION: the commit message of the base commit.
base_message() {
	local upstream=${2%%-*}
	printf 'Linux %s (Debian %s %s)\n\n' "$upstream" "$1" "$2"
	printf 'Unpacked from the Debian package %s version %s by\n' "$1" "$2"
	printf 'scripts/fetch-base.sh.  The block Debian appends to the top-level\n'
	printf '.gitignore (it ignores every top-level path) is removed.\n'
}

# make_base_commit TREE DATE PACKAGE VERSION: the deterministic commit.
make_base_commit() {
	base_message "$3" "$4" |
		GIT_AUTHOR_DATE="$2" GIT_COMMITTER_DATE="$2" \
			git -C "$CACHE/base" commit-tree "$1"
}

# strip_debian_gitignore FILE: drop Debian's "ignore the top level" block.
strip_debian_gitignore() {
	python3 - "$1" <<'EOF'
import sys
path = sys.argv[1]
lines = open(path, encoding="utf-8").read().split("\n")
starts = [i for i, l in enumerate(lines) if l.startswith("# Debian packaging")]
if starts:
    s = starts[0]
    e = next(i for i in range(s, len(lines)) if lines[i] == "!/debian/")
    if s > 0 and lines[s - 1] == "#":
        s -= 1
    if s > 0 and lines[s - 1] == "":
        s -= 1
    del lines[s:e + 1]
    open(path, "w", encoding="utf-8").write("\n".join(lines))
if "/*" in lines:
    sys.exit("a top-level '/*' ignore rule is still in " + path)
EOF
}

# rebase_branches OLD NEW: a base commit made by an older version of this
# script (same tree, other metadata) is replaced by NEW; re-parent every
# branch built on OLD.  Only the parent of the first commit on top changes:
# each commit object is copied byte for byte otherwise, so trees, authors,
# dates and messages are kept, and work trees and indexes stay valid.
rebase_branches() {
	local old=$1 new=$2 ref tip c obj parent_old parent_new
	local -A map=(["$old"]="$new")
	git -C "$CACHE/base" for-each-ref --format='%(refname)' refs/heads |
		while read -r ref; do
			tip=$(git -C "$CACHE/base" rev-parse "$ref")
			git -C "$CACHE/base" merge-base --is-ancestor "$old" "$tip" || continue
			if [ -n "$(git -C "$CACHE/base" rev-list --merges "$old..$tip")" ]; then
				echo "warning: $ref has merges on the old base; rebase it by hand:" >&2
				echo "  git rebase --onto $new $old $ref" >&2
				continue
			fi
			for c in $(git -C "$CACHE/base" rev-list --reverse "$old..$tip"); do
				[ -n "${map[$c]:-}" ] && continue
				parent_old=$(git -C "$CACHE/base" rev-parse "$c^")
				parent_new=${map[$parent_old]}
				obj=$(git -C "$CACHE/base" cat-file commit "$c" |
					sed "0,/^parent $parent_old\$/s//parent $parent_new/" |
					git -C "$CACHE/base" hash-object -t commit -w --stdin)
				map[$c]=$obj
			done
			git -C "$CACHE/base" update-ref -m "fetch-base: deterministic base" \
				"$ref" "${map[$tip]}" "$tip"
			echo "re-parented $ref: $tip -> ${map[$tip]}" >&2
		done
}

# verify_existing: the cached base exists; make sure its commit is the
# deterministic one (older caches had a commit made "now").
verify_existing() {
	local head tree date pkg ver want
	pkg=$(stamp_get package)
	ver=$(stamp_get version)
	date=$(stamp_get date)
	head=$(git -C "$CACHE/base" rev-parse --verify -q refs/heads/base) ||
		die "$CACHE/base has no branch 'base'; remove $CACHE/base and run again"
	if [ -z "$ver" ]; then
		# A cache made by hand before this script existed: recover the
		# version from the commit subject, the date from the .deb.
		ver=$(git -C "$CACHE/base" log -1 --format=%s "$head" |
			sed -n "s/^Linux [^ ]* (Debian $BASE_PACKAGE \(.*\))\$/\1/p")
		[ -n "$ver" ] || die "cannot tell which package $CACHE/base was made from; remove it and run again"
		pkg=$BASE_PACKAGE
	fi
	if [ "$BASE_VERSION" != latest ] && [ "$ver" != "$BASE_VERSION" ]; then
		die "$CACHE/base holds $pkg $ver but configs/base.env asks for $BASE_VERSION; move $CACHE/base and $CACHE/work away and run again"
	fi
	if [ -z "$date" ]; then
		deb=$(ls "$CACHE/dl/${pkg}_${ver/*:/}_"*.deb 2>/dev/null | head -1 || true)
		[ -n "$deb" ] || die "no .deb for $pkg $ver in $CACHE/dl to read the changelog date from"
		date=$(changelog_date "$deb" "$pkg")
		write_stamp "$pkg" "$ver" "$deb" "$date"
	fi
	[ "$(git -C "$CACHE/base" rev-list --max-count=1 --parents "$head" | wc -w)" = 1 ] ||
		die "branch 'base' in $CACHE/base has more than one commit; it must stay pristine"
	tree=$(git -C "$CACHE/base" rev-parse "$head^{tree}")
	if [ "$ver" = "$PINNED_VERSION" ] && [ "$tree" != "$BASE_TREE" ]; then
		die "the tree of $CACHE/base ($tree) is not the one $pkg $ver gives ($BASE_TREE); move $CACHE/base away and run again"
	fi
	want=$(make_base_commit "$tree" "$date" "$pkg" "$ver")
	if [ "$head" != "$want" ]; then
		log "making the base commit deterministic: $head -> $want"
		rebase_branches "$head" "$want"
	fi
	BASE_VERSION_FOUND=$ver
}

write_stamp() {
	{
		echo "package=$1"
		echo "version=$2"
		echo "deb=$(basename "$3")"
		echo "sha256=$(sha256sum "$3" | cut -d' ' -f1)"
		echo "date=$4"
	} >"$STAMP.tmp"
	mv "$STAMP.tmp" "$STAMP"
}

write_base_list() {
	apt_opts base >/dev/null	# creates the directories
	echo "deb [signed-by=$DEBIAN_KEYRING] $DEBIAN_MIRROR $BASE_SUITE main" >"$APT_DIR/etc/base.list"
}

# offered_versions: what the suite offers for the package (one per line).
offered_versions() {
	apt_cache_private base madison "$BASE_PACKAGE" 2>/dev/null |
		awk -F'|' '{gsub(/ /, "", $2); print $2}'
}

download_deb() {
	local ver=$1 deb offered others
	mkdir -p "$CACHE/dl"
	deb=$(ls "$CACHE/dl/${BASE_PACKAGE}_${ver/*:/}_"*.deb 2>/dev/null | head -1 || true)
	if [ -n "$deb" ]; then
		echo "$deb"
		return
	fi
	write_base_list
	apt_private_update base || die "apt-get update of $BASE_SUITE ($DEBIAN_MIRROR) failed"
	offered=$(offered_versions)
	if ! grep -qxF "$ver" <<<"$offered"; then
		others=$(apt_cache_private base search --names-only '^linux-source-[0-9.]+$' 2>/dev/null |
			cut -d' ' -f1 | sort -V | tr '\n' ' ')
		{
			echo "error: $BASE_PACKAGE $ver is not offered by Debian $BASE_SUITE ($DEBIAN_MIRROR)."
			echo "  $BASE_PACKAGE versions offered: ${offered:-none}"
			echo "  other linux-source packages there: ${others:-none}"
			echo "  Pick one with 'make ... BASE_VERSION=<version>' (or edit configs/base.env), or put the"
			echo "  .deb into $CACHE/dl/ (e.g. from a Debian snapshot archive)."
		} >&2
		exit 1
	fi
	log "downloading $BASE_PACKAGE $ver"
	(cd "$CACHE/dl" && apt_private base -q download "$BASE_PACKAGE=$ver" >&2) ||
		die "apt-get download $BASE_PACKAGE=$ver failed"
	deb=$(ls "$CACHE/dl/${BASE_PACKAGE}_${ver/*:/}_"*.deb | head -1)
	echo "$deb"
}

create_base() {
	local ver=$BASE_VERSION deb tmp date top tree commit
	if [ "$ver" = latest ]; then
		write_base_list
		apt_private_update base || die "apt-get update of $BASE_SUITE failed"
		ver=$(offered_versions | sort -V | tail -1)
		[ -n "$ver" ] || die "Debian $BASE_SUITE offers no $BASE_PACKAGE"
	fi
	deb=$(download_deb "$ver")
	[ "$(dpkg-deb -f "$deb" Version)" = "$ver" ] || die "$deb is not version $ver"
	date=$(changelog_date "$deb" "$BASE_PACKAGE")
	[ -n "$date" ] || die "no changelog date in $deb"

	tmp=$CACHE/base.tmp
	rm -rf "$tmp"
	mkdir -p "$tmp"
	log "unpacking $(basename "$deb")"
	deb_member "$deb" "./usr/src/$BASE_PACKAGE.tar.xz" | tar -xJf - -C "$tmp"
	top=$(find "$tmp" -mindepth 1 -maxdepth 1 -type d | head -1)
	[ -f "$top/Makefile" ] || die "unexpected layout in $deb"
	strip_debian_gitignore "$top/.gitignore"

	log "creating the git repository (one commit, ~1 min)"
	git init -q --initial-branch=base "$top"
	git -C "$top" config core.autocrlf false
	git -C "$top" config gc.auto 0
	git -C "$top" add -A -f .
	tree=$(git -C "$top" write-tree)
	commit=$(base_message "$BASE_PACKAGE" "$ver" |
		GIT_AUTHOR_DATE="$date" GIT_COMMITTER_DATE="$date" git -C "$top" commit-tree "$tree")
	git -C "$top" update-ref refs/heads/base "$commit"
	git -C "$top" repack -adq --window=0
	git -C "$top" prune-packed
	mv "$top" "$CACHE/base"
	rm -rf "$tmp"
	write_stamp "$BASE_PACKAGE" "$ver" "$deb" "$date"
	BASE_VERSION_FOUND=$ver
}

# --- main -----------------------------------------------------------------

mkdir -p "$CACHE"
exec 8>"$CACHE/.base.lock"
flock 8
if [ -d "$CACHE/base/.git" ]; then
	verify_existing
else
	[ ! -e "$CACHE/base" ] || die "$CACHE/base exists but is not a git repository; remove it"
	create_base
fi
commit=$(git -C "$CACHE/base" rev-parse refs/heads/base)
if [ "$BASE_VERSION_FOUND" = "$PINNED_VERSION" ] && [ "$commit" != "$BASE_COMMIT" ]; then
	die "base commit $commit differs from the expected $BASE_COMMIT (configs/base.env): not deterministic?"
fi
sed -i '/^commit=/d' "$STAMP"
echo "commit=$commit" >>"$STAMP"
echo "base: $BASE_PACKAGE $BASE_VERSION_FOUND (Debian $BASE_SUITE), commit $commit"
