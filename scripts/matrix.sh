#!/usr/bin/env bash
# The configuration matrix: the series must build, without new W=1
# warnings, with each configs/matrix/<entry>.config (merged after
# configs/matrix-base.config on allnoconfig: small, no KASAN, compile only).
#
# Each entry builds the subsystem directories its "# dirs:" line names that
# the series touches (a file in the directory, or a header the directory's
# objects include in the main build).  The sandbox tree is at the tip of the
# series; when an entry fails, the patches are walked from the first to find
# the one that breaks it, and the message names that patch, the file and the
# configuration.  Warnings are compared per object with the base (cached).
#   MATRIX="tph-off mlx5-builtin"   run only these entries
# Exit 77 (skip) when series/ is empty.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=scripts/lib-series.sh
. "$VDT_ROOT/scripts/lib-series.sh"
# shellcheck source=scripts/lib-sandbox.sh
. "$VDT_ROOT/scripts/lib-sandbox.sh"

SUBSYSTEMS=(drivers/pci/ drivers/dma-buf/ drivers/vfio/
	drivers/net/ethernet/mellanox/mlx5/core/ drivers/infiniband/hw/mlx5/)

mapfile -t commits < <(series_commits)
if [ ${#commits[@]} = 0 ]; then
	echo "SKIP: series/ has no patches"
	exit 77
fi
base=$(base_commit)
tip=$(git -C "$WORK" rev-parse HEAD)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Directories the series touches.
git -C "$WORK" diff --name-only "$base" "$tip" | kernel_sources >"$tmp/files"
touched=()
for d in "${SUBSYSTEMS[@]}"; do
	hit=$(grep -m1 "^$d" "$tmp/files" || true)
	if [ -z "$hit" ] && [ -d "$BUILD/$d" ]; then
		while read -r h; do
			if grep -rqsF --include='*.o.cmd' "$h" "$BUILD/$d"; then
				hit=$h
				break
			fi
		done < <(grep '\.h$' "$tmp/files" || true)
	fi
	[ -z "$hit" ] || touched+=("$d")
done
echo "series touches: ${touched[*]:-none of ${SUBSYSTEMS[*]}}"

sandbox_prepare

# mk O DIRS... : W=1 build of directories in O (output in $tmp/mk.log).
mk() {
	local o=$1
	shift
	sb_make "$o" W=1 "$@" >"$tmp/mk.log" 2>&1
}

# culprit O CHECK DIRS...: walk the patches from the first; print the
# line (hash, label, subject) of the first one for which CHECK fails.
culprit() {
	local o=$1 check=$2 line c
	shift 2
	for line in "${commits[@]}"; do
		c=${line%%$'\t'*}
		sandbox_checkout "$c"
		if ! "$check" "$o" "$@"; then
			echo "$line"
			sandbox_checkout "$tip"
			return 0
		fi
	done
	sandbox_checkout "$tip"
	echo "$tip	(no single patch)	the series as a whole"
}

builds() {
	mk "$@"
}

# warnlog O OBJ: the stderr the compiler left for OBJ (cc-warn).
warnlog() {
	cat "$1/$2.warn" 2>/dev/null || true
}

# no_new_warning O OBJ BASELOG: OBJ builds and has no warning the base lacks.
no_new_warning() {
	local o=$1 obj=$2 bl=$3
	rm -f "$o/$obj"
	mk "$o" "$obj" || return 1
	warnlog "$o" "$obj" >"$tmp/w.log"
	python3 "$VDT_ROOT/scripts/warnings.py" new --kind gcc "$bl" "$tmp/w.log" >/dev/null
}

entries=()
for f in "$VDT_ROOT"/configs/matrix/*.config; do
	e=$(basename "$f" .config)
	if [ -n "${MATRIX:-}" ] && ! grep -qw "$e" <<<"$MATRIX"; then
		continue
	fi
	entries+=("$e")
done

for e in "${entries[@]}"; do
	frag=configs/matrix/$e.config
	want=$(sed -n 's/^# dirs: *//p' "$VDT_ROOT/$frag")
	dirs=()
	for d in $want; do
		for t in "${touched[@]}"; do
			[ "$d" = "$t" ] && dirs+=("$d")
		done
	done
	if [ ${#dirs[@]} = 0 ]; then
		case_result skip "$e" "the series touches none of its directories ($want)"
		continue
	fi
	o=$SB_BUILD/matrix-$e
	sandbox_checkout "$tip"
	if ! "$VDT_ROOT/scripts/config.sh" "$o" "$SB_SRC" "$VDT_ROOT/configs/matrix-base.config" \
		"$VDT_ROOT/$frag"; then
		case_result fail "$e: config" "$frag does not give the configuration it asks for"
		continue
	fi
	start=$(now)
	if ! mk "$o" "${dirs[@]}"; then
		cp "$tmp/mk.log" "$tmp/fail.log"
		echo "matrix $e: build of ${dirs[*]} failed at the tip; looking for the patch that breaks it"
		# (command substitution: waits for culprit's last checkout)
		found=$(culprit "$o" builds "${dirs[@]}")
		IFS=$'\t' read -r c label subject <<<"$found"
		err=$(grep -m1 -E ': (fatal )?error: ' "$tmp/fail.log" | sed "s|^\(\.\./\)*work/linux/||" || true)
		echo "FAIL: matrix $e ($frag): $label (\"$subject\") breaks the build:"
		grep -E -B2 -A3 ': (fatal )?error: ' "$tmp/fail.log" | sed "s|\(\.\./\)*work/linux/||" | head -30 | sed 's/^/      /'
		case_result fail "$e: build" "$label (\"$subject\") breaks the build with $frag: ${err:-see the log}"
		continue
	fi
	# Warnings: per object against the same object at the base.
	bdir=$CACHE/baseline/$base/matrix-$(sha256sum "$o/.config" | cut -c1-16)
	mapfile -t warned < <(cd "$o" && for d in "${dirs[@]}"; do
		find "$d" -name '*.o.warn' -size +0 2>/dev/null; done | sed 's/\.warn$//' |
		while read -r obj; do [ -f "$obj" ] && echo "$obj"; done | sort)
	need=()
	for obj in "${warned[@]}"; do
		[ -f "$bdir/$obj.log" ] || need+=("$obj")
	done
	if [ ${#need[@]} -gt 0 ]; then
		sandbox_checkout "$base"
		for obj in "${need[@]}"; do
			mkdir -p "$bdir/$(dirname "$obj")"
			if [ -f "$SB_SRC/${obj%.o}.c" ]; then
				rm -f "$o/$obj"
				mk "$o" "$obj" || true
				warnlog "$o" "$obj" >"$bdir/$obj.log"
			else
				: >"$bdir/$obj.log"
			fi
		done
		sandbox_checkout "$tip"
		mk "$o" "${dirs[@]}" || die "matrix $e: the tip does not build any more after the baseline"
	fi
	bad=""
	for obj in "${warned[@]}"; do
		warnlog "$o" "$obj" >"$tmp/w.log"
		if new=$(python3 "$VDT_ROOT/scripts/warnings.py" new --kind gcc "$bdir/$obj.log" "$tmp/w.log"); then
			continue
		fi
		found=$(culprit "$o" no_new_warning "$obj" "$bdir/$obj.log")
		IFS=$'\t' read -r c label subject <<<"$found"
		echo "FAIL: matrix $e ($frag): $label (\"$subject\") adds W=1 warnings in ${obj%.o}.c:"
		sed "s|\(\.\./\)*work/linux/||" <<<"$new" | sed 's/^/      /'
		bad+="${obj%.o}.c by $label; "
	done
	if [ -n "$bad" ]; then
		case_result fail "$e: W=1" "new warnings with $frag: $bad"
	else
		case_result pass "$e: build" "${dirs[*]} build with W=1, no new warnings ($(($(now) - start)) s)"
	fi
done
cases_exit
