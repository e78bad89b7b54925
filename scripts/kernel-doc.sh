#!/usr/bin/env bash
# kernel-doc -none -Wall on the kernel .c/.h files each patch touches; a
# patch fails when a file has a kernel-doc warning it did not have at the
# base (compared without line numbers).  The message names the patch, its
# subject and the file.  Exit 77 (skip) when series/ is empty.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=scripts/lib-series.sh
. "$VDT_ROOT/scripts/lib-series.sh"

mapfile -t commits < <(series_commits)
if [ ${#commits[@]} = 0 ]; then
	echo "SKIP: series/ has no patches"
	exit 77
fi
base=$(base_commit)
kdoc=$WORK/scripts/kernel-doc
[ -e "$kdoc" ] || die "no $kdoc"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# doc REV FILE OUT: kernel-doc warnings of FILE as of REV (nothing if absent).
doc() {
	local rev=$1 f=$2 out=$3 d
	d=$tmp/$rev
	: >"$out"
	git -C "$WORK" cat-file -e "$rev:$f" 2>/dev/null || return 0
	mkdir -p "$d/$(dirname "$f")"
	git -C "$WORK" show "$rev:$f" >"$d/$f"
	(cd "$d" && "$kdoc" -none -Wall "$f") >"$out" 2>&1 || true
}

for line in "${commits[@]}"; do
	IFS=$'\t' read -r c label subject <<<"$line"
	mapfile -t files < <(touched_files "$c" '\.[ch]$' | kernel_sources)
	if [ ${#files[@]} = 0 ]; then
		case_result skip "$label: kernel-doc" "no kernel .c/.h file touched"
		continue
	fi
	bad=""
	for f in "${files[@]}"; do
		doc "$base" "$f" "$tmp/old.log"
		doc "$c" "$f" "$tmp/new.log"
		if ! new=$(python3 "$VDT_ROOT/scripts/warnings.py" new --kind doc "$tmp/old.log" "$tmp/new.log"); then
			bad+="$f "
			echo "FAIL: kernel-doc: $label (\"$subject\"): new warnings in $f:"
			sed 's/^/      /' <<<"$new"
		fi
	done
	if [ -n "$bad" ]; then
		case_result fail "$label: kernel-doc" "\"$subject\": new kernel-doc warnings in $bad"
	else
		case_result pass "$label: kernel-doc" "${#files[@]} file(s), no new warnings"
	fi
done
cases_exit
