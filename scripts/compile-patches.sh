#!/usr/bin/env bash
# Per patch: does it build on its own, and does it add W=1 or sparse warnings?
#
# In a sandbox ($CHECK_ROOT: its own work tree and O= dir, the main build's
# configuration), every patch of the series is checked out in turn and the
# objects of the .c files it touches are compiled with W=1 and sparse (C=2,
# Debian sid's sparse from scripts/fetch-sparse.sh).  Each patch gets three
# cases:
#   <patch>: build    every touched object compiles at this patch (bisect build)
#   <patch>: W=1      no compiler warning the base does not have for that object
#   <patch>: sparse   sparse ran on every touched object and added no warning
# A patch that touches the vfio kselftests (or the uAPI) must also build them.
# Warnings are compared with the same objects compiled at the base (cached
# per base commit and configuration), without line numbers.  Exit 77 (skip)
# when series/ is empty.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=scripts/lib-series.sh
. "$VDT_ROOT/scripts/lib-series.sh"
# shellcheck source=scripts/lib-sandbox.sh
. "$VDT_ROOT/scripts/lib-sandbox.sh"

mapfile -t commits < <(series_commits)
if [ ${#commits[@]} = 0 ]; then
	echo "SKIP: series/ has no patches"
	exit 77
fi
sparse=$("$VDT_ROOT/scripts/fetch-sparse.sh")
base=$(base_commit)
o=$SB_BUILD/main
cfgname=configs/kernel.config
sandbox_prepare
sandbox_config_from_main "$o"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# compile OBJ LOG: compile one object with W=1 and sparse; the sparse wrapper
# records each file it checks in $tmp/sparse.log.
compile() {
	rm -f "$o/$1"
	: >"$tmp/sparse.log"
	VDT_SPARSE_LOG=$tmp/sparse.log sb_make "$o" W=1 C=2 CHECK="$sparse" "$1" >"$2" 2>&1
}

# enabled OBJ: the configuration builds OBJ (the main build, same
# configuration, at the tip of the series, has its .cmd file).
enabled() {
	[ -f "$BUILD/$(dirname "$1")/.$(basename "$1").cmd" ]
}

# Objects of every touched .c file, per commit and all together.
declare -A objs_of=()
all_objs=()
for line in "${commits[@]}"; do
	c=${line%%$'\t'*}
	objs=$(touched_files "$c" '\.c$' | kernel_sources | sed 's/\.c$/.o/' | tr '\n' ' ')
	objs_of[$c]=$objs
	# shellcheck disable=SC2206 # a list of paths without blanks
	all_objs+=($objs)
done
mapfile -t all_objs < <(printf '%s\n' "${all_objs[@]}" | sed '/^$/d' | sort -u)

# Everything a compile result depends on besides the sources.
key=$({ cat "$o/.config"; gcc --version; cat "$sparse"; } | sha256sum | cut -c1-16)
rbase=$CACHE/results/patch-compile/$key

# Baseline: the same objects at the base (cached; the base never changes).
bdir=$CACHE/baseline/$base/$key
mkdir -p "$bdir"
need=()
for obj in "${all_objs[@]}"; do
	[ -f "$bdir/$obj.log" ] || ! enabled "$obj" || need+=("$obj")
done
if [ ${#need[@]} -gt 0 ]; then
	sandbox_checkout "$base"
	sb_make "$o" prepare >"$tmp/prepare.log" 2>&1 || {
		cat "$tmp/prepare.log"
		die "make prepare failed at the base in $o"
	}
	for obj in "${need[@]}"; do
		mkdir -p "$bdir/$(dirname "$obj")"
		if [ -f "$SB_SRC/${obj%.o}.c" ]; then
			compile "$obj" "$bdir/$obj.log" || true
		else
			: >"$bdir/$obj.log"	# a new file: no baseline warnings
		fi
	done
fi

for line in "${commits[@]}"; do
	IFS=$'\t' read -r c label subject <<<"$line"
	# Results are kept per commit: a commit hash fixes the whole tree, so
	# an unchanged patch (same hash) is not compiled again.
	rdir=$rbase/$c
	mkdir -p "$rdir"
	checked_out=""
	what="$label (\"$subject\")"
	build_fail="" w1_new="" sp_new="" sp_missing="" skipped="" built=0 kobjs=0
	for obj in ${objs_of[$c]}; do
		src=${obj%.o}.c
		# `make dir/file.o` compiles a file even when the configuration
		# leaves it out (and then fails on the stubs it is built without):
		# only objects the main build of the series has are checked.
		if ! enabled "$obj"; then
			skipped+="$src "
			echo "note: $what: $obj is not built in $cfgname"
			continue
		fi
		log=$rdir/$(tr / _ <<<"$obj").log
		if [ ! -f "$log.rc" ]; then
			[ -n "$checked_out" ] || { sandbox_checkout "$c"; checked_out=1; }
			rc=0
			compile "$obj" "$log.tmp" || rc=$?
			cp "$tmp/sparse.log" "$log.sparse"
			mv "$log.tmp" "$log"
			echo "$rc" >"$log.rc"
		fi
		if [ "$(cat "$log.rc")" != 0 ]; then
			build_fail+="$src "
			echo "FAIL: $what: $src does not build at this patch (config $cfgname):"
			grep -E '(error|Error)' "$log" | head -20 | sed 's/^/      /'
			continue
		fi
		built=$((built + 1))
		kobjs=$((kobjs + 1))
		if grep -q 'is not available or not up to date' "$log"; then
			sp_missing+="$src "
		elif ! grep -q "$src\$" "$log.sparse"; then
			sp_missing+="$src "
		fi
		if new=$(python3 "$VDT_ROOT/scripts/warnings.py" new --kind gcc "$bdir/$obj.log" "$log"); then
			:
		else
			w1_new+="$src "
			echo "FAIL: $what: new W=1 warning(s) in $src (config $cfgname):"
			sed 's/^/      /' <<<"$new"
		fi
		if new=$(python3 "$VDT_ROOT/scripts/warnings.py" new --kind sparse "$bdir/$obj.log" "$log"); then
			:
		else
			sp_new+="$src "
			echo "FAIL: $what: new sparse warning(s) in $src (config $cfgname):"
			sed 's/^/      /' <<<"$new"
		fi
	done
	# The vfio kselftests (and anything built from the uAPI) at this patch.
	if [ -n "$(touched_files "$c" '^(tools/testing/selftests/vfio/|include/uapi/)')" ]; then
		if [ -f "$rdir/kselftests.ok" ]; then
			built=$((built + 1))
		elif { [ -n "$checked_out" ] || sandbox_checkout "$c"; } &&
			sb_make "$o" headers >"$tmp/headers.log" 2>&1 &&
			make -C "$SB_SRC/tools/testing/selftests" -j"$JOBS" TARGETS=vfio O="$o" \
				EXTRA_CFLAGS=-static CC="ccache gcc" >"$tmp/kst.log" 2>&1; then
			touch "$rdir/kselftests.ok"
			built=$((built + 1))
		else
			build_fail+="tools/testing/selftests/vfio "
			echo "FAIL: $what: the vfio kselftests do not build at this patch:"
			grep -E '(error|Error)' "$tmp/headers.log" "$tmp/kst.log" | head -20 | sed 's/^/      /'
		fi
	fi
	if [ -n "$build_fail" ]; then
		case_result fail "$label: build" "\"$subject\": does not build at this patch: $build_fail(config $cfgname)"
	elif [ "$built" = 0 ]; then
		case_result skip "$label: build" "no object of this patch is built in $cfgname${skipped:+ ($skipped)}"
	else
		case_result pass "$label: build" "$built object(s)/targets build at this patch${skipped:+; not in $cfgname: $skipped}"
	fi
	if [ -n "$w1_new" ]; then
		case_result fail "$label: W=1" "\"$subject\": new W=1 warnings in $w1_new(config $cfgname)"
	elif [ -z "$build_fail" ] && [ "$kobjs" -gt 0 ]; then
		case_result pass "$label: W=1" "no new warnings in $kobjs object(s)"
	fi
	if [ -n "$sp_missing" ]; then
		case_result fail "$label: sparse" "\"$subject\": sparse did not run on $sp_missing"
	elif [ -n "$sp_new" ]; then
		case_result fail "$label: sparse" "\"$subject\": new sparse warnings in $sp_new(config $cfgname)"
	elif [ -z "$build_fail" ] && [ "$kobjs" -gt 0 ]; then
		case_result pass "$label: sparse" "ran on $kobjs object(s), no new warnings"
	fi
done
cases_exit
