#!/usr/bin/env bash
# Mutation testing: does every test that guards a behaviour of the series
# fail when that behaviour breaks?
#
#   scripts/mutants.sh [--subset] [--control|--no-control] [NN|NAME ...]
#   make mutants [MUTANTS="01 05"]
#
# tests/mutants/NN-name.patch is one small, plausible mistake, a `git diff`
# against the tip of the series ($WORK's HEAD) after a header:
#   Breaks: <the behaviour it breaks, one sentence>
#   Killed-by: <tests, as parse-guest.py names them: kselftest/X tests.d/X kunit/SUITE>
#   Case: <regular expression: the failed case must match it (optional)>
#   Runs: <tests to run before, which the killing test needs (optional)>
#   Ksft-filter: <kselftest_harness test names: only these cases of the
#     kselftest run, -t NAME each (optional; saves most of a boot)>
# For each mutant, in a sandbox of its own ($CACHE/build/mutants: work/linux,
# a detached work tree at the tip, and build/main, an O= directory with the
# main build's .config; CCACHE_BASEDIR at its root, so ccache shares the main
# build's objects): the tree is reset to the tip, the mutant applied, the
# kernel rebuilt incrementally (only what the mutant touches is compiled;
# it must compile without a warning in the files it touches), the test
# modules rebuilt when it touches what they compile (tests/mlx5 compiles
# the mlx5 sources, everything when a header changes), a guest image made,
# and the kernel booted once on the patched QEMU (scripts/run-qemu.sh
# patched mutant) running only the tests of its Killed-by and Runs lines
# (vdt.ksft=, vdt.tests=; built-in KUnit suites only for a kunit/SUITE,
# with kunit.filter_glob).  The mutant is KILLED when a
# case of a Killed-by test fails (and matches Case:), or the guest crashes,
# hangs or logs a kernel report; otherwise it SURVIVED.  The next mutant is
# built while the current one boots (MUTANT_PARALLEL=0: one after the other).
#
# First the unmutated tree is built and booted with the union of the tests
# (the control: all must pass, or the verdicts would mean nothing); --subset
# skips the control boot (in `make check` the qemu-patched stage is the
# control).  --subset runs the fixed list SUBSET below.
#
# Prints the table (mutant, result, seconds, the killing case, the
# behaviour) and "N killed, N survived", writes it to $OUT/mutants.txt, and
# exits non-zero when a mutant survived, did not apply or build, or the
# control failed.  Logs: $CACHE/build/mutants/out/<mutant>/.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

S=$VDT_ROOT/scripts
CATALOGUE=$VDT_ROOT/tests/mutants
# The subset of `make check`: the three fastest mutants measured (see
# docs/testing.md, "Mutation testing"), each from another layer: a PCI core
# fix (tests.d/65-tph-enable), the dma-buf wrapper (built-in KUnit) and the
# mlx5 rules (tests.d/70-mlx5: only modules are rebuilt, no vmlinux link).
SUBSET=(22 28 32)

MROOT=$CACHE/build/mutants
MSRC=$MROOT/work/linux
MBUILD=$MROOT/build/main
MOUT=$MROOT/out
export CCACHE_BASEDIR=$MROOT
QTIMEOUT=${MUTANT_QEMU_TIMEOUT:-480}
TEST_TIMEOUT=${MUTANT_TEST_TIMEOUT:-180}
PARALLEL=${MUTANT_PARALLEL:-1}

subset=0 control=1 control_set=0
sel=()
while [ $# -gt 0 ]; do
	case $1 in
	--subset) subset=1 ;;
	--control) control=1 control_set=1 ;;
	--no-control) control=0 control_set=1 ;;
	-h | --help) sed -n '2,40p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	-*) die "unknown option $1" ;;
	*) sel+=("$1") ;;
	esac
	shift
done
# shellcheck disable=SC2206 # a list of names
[ ${#sel[@]} -gt 0 ] || sel=(${MUTANTS:-})
if [ $subset = 1 ]; then
	sel=("${SUBSET[@]}")
	[ $control_set = 1 ] || control=0
fi

# The mutants to run, in catalogue order.
mapfile -t all < <(find "$CATALOGUE" -maxdepth 1 -name '[0-9][0-9]-*.patch' | LC_ALL=C sort)
[ ${#all[@]} -gt 0 ] || die "no mutants in $CATALOGUE"
patches=()
if [ ${#sel[@]} = 0 ]; then
	patches=("${all[@]}")
else
	for s in "${sel[@]}"; do
		n=0
		for p in "${all[@]}"; do
			case $(basename "$p" .patch) in "$s" | "$s"-*) patches+=("$p"); n=$((n + 1)) ;; esac
		done
		[ $n = 1 ] || die "mutant '$s' matches $n files in $CATALOGUE"
	done
fi

# hdr FILE FIELD: a header field of a mutant (before its first diff line).
hdr() {
	awk -v f="$2" '/^diff --git /{exit} index($0, f ": ") == 1 {print substr($0, length(f) + 3); exit}' "$1"
}

# touched PATCH: the files a mutant changes.
touched() {
	sed -n 's|^+++ b/||p' "$1"
}

# kind PATCH: "tests" when the mutant changes only files under tests/ (a
# test module, built from this run's copy of tests/), else "kernel" (the
# series' sources); a mutant of both is refused.
kind() {
	local t k=""
	for t in $(touched "$1"); do
		case $t in tests/*) k=${k:-tests}; [ "$k" = tests ] || k=mixed ;;
		*) k=${k:-kernel}; [ "$k" = kernel ] || k=mixed ;;
		esac
	done
	[ "$k" != mixed ] || die "$1 changes both tests/ and the kernel: split it"
	echo "${k:-kernel}"
}

for p in "${patches[@]}"; do
	if [ -z "$(hdr "$p" Breaks)" ] || [ -z "$(hdr "$p" Killed-by)" ]; then
		die "$p: needs a 'Breaks:' and a 'Killed-by:' line before the diff"
	fi
	kind "$p" >/dev/null
done

mkdir -p "$MROOT" "$MOUT" "$OUT"
if [ -z "${VDT_MUTANTS_SNAPSHOT:-}" ]; then
	exec 8>"$MROOT/.lock"
	flock -n 8 || die "another mutants.sh is using $MROOT (lock $MROOT/.lock)"
	# Run from a copy of the harness (scripts/ and tests/): a run takes an
	# hour, and bash reads a script while it runs it, so an edit of
	# run-qemu.sh or of this file in the repository would derail it.
	rm -rf "$MROOT/harness"
	mkdir -p "$MROOT/harness"
	tar -C "$VDT_ROOT" --exclude=out -cf - scripts tests | tar -C "$MROOT/harness" -xf -
	args=()
	[ $subset = 0 ] || args+=(--subset)
	[ $control_set = 0 ] || args+=("$([ $control = 1 ] && echo --control || echo --no-control)")
	exec env VDT_MUTANTS_SNAPSHOT="$VDT_ROOT" VDT_OUT="$OUT" SERIES="$SERIES" WORK="$WORK" \
		BUILD="$BUILD" VDT_CACHE="$CACHE" MUTANTS="${sel[*]}" \
		"$MROOT/harness/scripts/mutants.sh" "${args[@]}"
fi
flock -n 8 || die "mutants.sh: run it as scripts/mutants.sh (the lock $MROOT/.lock is not held)"

[ -f "$BUILD/.config" ] || die "no main build configuration $BUILD/.config (run 'make build')"
tip=$(git -C "$WORK" rev-parse --verify -q HEAD) || die "no work tree at $WORK (run 'make apply')"
qemu_bin=$("$VDT_ROOT/tests/qemu/build-qemu.sh") || die "the TPH-patched QEMU is not built (make qemu)"
echo "mutants: ${#patches[@]} of ${#all[@]} from $CATALOGUE; tip $(git -C "$WORK" log -1 --format='%h %s' "$tip")"
echo "sandbox: $MSRC, $MBUILD (ccache base $CCACHE_BASEDIR); logs: $MOUT; QEMU: $qemu_bin"

ensure_worktree "$MSRC" "$tip" "the mutants' work tree"

# The sandbox's sources at the tip: only files that differ are rewritten.
reset_tree() {
	git -C "$MSRC" checkout -q -f --detach "$tip"
	git -C "$MSRC" clean -q -f -d
}

# A first run starts from a copy of the main build when that is a build of
# the tip itself: the control then compiles nothing, where building the
# sandbox from ccache took 150 s or more (docs/testing.md, "How long").
seed_from_main "$MBUILD" "$MSRC"
mkdir -p "$MBUILD"
cmp -s "$BUILD/.config" "$MBUILD/.config" || cp "$BUILD/.config" "$MBUILD/.config"

# Helper scripts run with the sandbox as WORK/BUILD and record no cases of
# ours (VDT_CASES is the stage's when make check runs us).
sb() {
	env -u VDT_CASES -u EXTRA_GUEST_TESTS WORK="$MSRC" BUILD="$MBUILD" "$@"
}

declare -A result=() detail=() build_s=() boot_s=() tests_of=() case_of=() kunit_of=() append_of=()

# plan NAME KILLED_BY RUNS [KSFT_FILTER]: the kernel parameters that run
# those tests, in append_of[NAME]; kunit_of[NAME] is 1 when a built-in KUnit
# suite counts.
plan() {
	local name=$1 t ksft="" td="" suite="" append filter=${4:-}
	for t in $2 $3; do
		case $t in
		kselftest/*)
			[ -z "$ksft" ] || [ "$ksft" = "${t#kselftest/}" ] ||
				die "$name: more than one kselftest (vdt.ksft takes one)"
			ksft=${t#kselftest/}
			;;
		tests.d/*) case ",$td," in *",${t#tests.d/},"*) ;; *) td=${td:+$td,}${t#tests.d/} ;; esac ;;
		kunit/*)
			[ -z "$suite" ] || [ "$suite" = "${t#kunit/}" ] ||
				die "$name: more than one KUnit suite (kunit.filter_glob takes one)"
			suite=${t#kunit/}
			;;
		*) die "$name: unknown test '$t' (kselftest/X, tests.d/X or kunit/SUITE)" ;;
		esac
	done
	append="vdt.ksft=${ksft:-none} vdt.tests=${td:-none} vdt.timeout=$TEST_TIMEOUT"
	if [ -n "$filter" ]; then
		[ -n "$ksft" ] || die "$name: Ksft-filter without a kselftest in Killed-by"
		append+=" vdt.ksft_tests=$(tr ' ' ',' <<<"$filter")"
	fi
	# Built-in KUnit suites run at boot only when one counts (a filter
	# that matches none keeps KUnit enabled for the test modules' suites)
	append+=" kunit.filter_glob=${suite:-vdt-no-boot-suites}"
	kunit_of[$name]=$([ -n "$suite" ] && echo 1 || echo 0)
	append_of[$name]=$append
}

# build NAME [PATCH]: the sandbox at the tip plus PATCH, built, and its guest
# image in $MOUT/NAME/boot.  Sets build_s[NAME]; on failure result[NAME].
build() {
	local name=$1 patch=${2:-} mo=$MOUT/$1 start f log k rc=0
	start=$(now)
	rm -rf "$mo"
	mkdir -p "$mo/boot/arch/x86/boot"
	log=$mo/build.log
	k=$([ -z "$patch" ] || kind "$patch")
	(
		reset_tree || exit 10
		if [ "$k" = kernel ] && ! git -C "$MSRC" apply "$patch"; then
			echo "mutant $name does not apply to $tip"
			exit 10
		fi
		if [ "$k" = tests ]; then
			# A mutant of a test module (the analyzer's requester):
			# applied to this run's copy of tests/, reverted below
			if ! (cd "$VDT_ROOT" && git apply "$patch"); then
				echo "mutant $name does not apply to tests/"
				exit 10
			fi
			rc_t=0
			sb "$S/build-importer.sh" || rc_t=12
			(cd "$VDT_ROOT" && git apply -R "$patch") || exit 12
			[ $rc_t = 0 ] || exit $rc_t
		fi
		make_kernel "$MBUILD" "$MSRC" bzImage modules || exit 11
		if [ -z "$patch" ]; then
			# What every mutant shares, built from the unmutated tree
			# (the control's build) once per run
			make_kernel "$MBUILD" "$MSRC" headers >/dev/null || exit 12
			sb "$S/build-kselftests.sh" || exit 12
			sb "$S/build-importer.sh" || exit 12
			rm -rf "$MBUILD/vdt-importer.base"
			cp -a "$MBUILD/vdt-importer" "$MBUILD/vdt-importer.base"
		elif [ "$k" = tests ]; then
			: # built above
		elif touched "$patch" | grep -q '^include/'; then
			sb "$S/build-importer.sh" || exit 12
		else
			rm -rf "$MBUILD/vdt-importer"
			cp -a "$MBUILD/vdt-importer.base" "$MBUILD/vdt-importer"
			if touched "$patch" | grep -qE '^drivers/(net/ethernet/mellanox/mlx5|infiniband/hw/mlx5)/'; then
				# tests/mlx5 compiles the kernel's st.c, mr.c and odp.c into itself
				make -C "$VDT_ROOT/tests/mlx5" KDIR="$MBUILD" OUT="$MBUILD/vdt-importer/mlx5" \
					CC="ccache gcc" || exit 12
				cp "$MBUILD"/vdt-importer/mlx5/*.ko "$MBUILD/vdt-importer/"
			fi
		fi
		rm -rf "$MBUILD/vdt-modules.new"
		make_kernel "$MBUILD" "$MSRC" -s INSTALL_MOD_PATH="$MBUILD/vdt-modules.new" \
			INSTALL_MOD_STRIP=1 modules_install >/dev/null || exit 13
		rm -rf "$MBUILD/vdt-modules"
		mv "$MBUILD/vdt-modules.new" "$MBUILD/vdt-modules"
		sb "$S/mkinitramfs.sh" >/dev/null || exit 13
		mv "$MBUILD/vdt-initramfs.cpio" "$mo/boot/"
		cp "$MBUILD/arch/x86/boot/bzImage" "$mo/boot/arch/x86/boot/"
	) >"$log" 2>&1 || rc=$?
	build_s[$name]=$(($(now) - start))
	case $rc in
	0) ;;
	10) result[$name]=error detail[$name]="does not apply to the tip $(git -C "$WORK" log -1 --format=%h "$tip"): $(grep -m1 -E 'error|patch failed' "$log" || tail -n 1 "$log")" ;;
	11) result[$name]=error detail[$name]="does not build: $(grep -m1 -E 'error' "$log" || tail -n 1 "$log") (log $log)" ;;
	*) result[$name]=error detail[$name]="test modules or guest image failed (log $log)" ;;
	esac
	if [ $rc = 0 ] && [ -n "$patch" ]; then
		# A mutant that warns is a mistake the compiler already catches
		for f in $(touched "$patch"); do
			if grep -F "$f" "$log" | grep -q 'warning:'; then
				result[$name]=error
				detail[$name]="compiles with a warning: $(grep -F "$f" "$log" | grep -m1 'warning:')"
				rc=14
			fi
		done
	fi
	[ $rc = 0 ] || rm -rf "${mo:?}/boot"
	return 0
}

# boot_start NAME APPEND: its QEMU run, in the background.
boot_pid=""
boot_start() {
	local name=$1 mo=$MOUT/$1
	boot_t0=$(now)
	: >"$mo/cases.tsv"
	env -u VDT_CASES VDT_CASES="$mo/cases.tsv" VDT_OUT="$mo" BUILD="$mo/boot" \
		VDT_APPEND="$2" VDT_KUNIT="${kunit_of[$name]}" QEMU_TIMEOUT="$QTIMEOUT" \
		"$S/run-qemu.sh" patched mutant >"$mo/qemu.log" 2>&1 </dev/null &
	boot_pid=$!
}

boot_wait() {
	local name=$1
	wait "$boot_pid" || true
	boot_pid=""
	boot_s[$name]=$(($(now) - boot_t0))
	rm -rf "${MOUT:?}/${name:?}/boot"
}

# shellcheck disable=SC2317 # the traps'
stop_boot() {
	[ -z "$boot_pid" ] || kill_tree "$boot_pid"
}
trap stop_boot EXIT
trap 'exit 130' INT TERM

# The run: [control] + mutants.  names[i], patch_of[name].
names=()
declare -A patch_of=() breaks_of=() filter_of=()
all_tests=""
for p in "${patches[@]}"; do
	n=$(basename "$p" .patch)
	names+=("$n")
	patch_of[$n]=$p
	breaks_of[$n]=$(hdr "$p" Breaks)
	tests_of[$n]="$(hdr "$p" Killed-by)|$(hdr "$p" Runs)"
	case_of[$n]=$(hdr "$p" Case)
	filter_of[$n]=$(hdr "$p" Ksft-filter)
	all_tests+=" $(hdr "$p" Killed-by) $(hdr "$p" Runs)"
done
# shellcheck disable=SC2086 # word lists
all_tests=$(printf '%s\n' $all_tests | LC_ALL=C sort -u | tr '\n' ' ')
# The control is always built first (the test modules, kselftests and
# headers every mutant shares come from its build), booted unless --no-control.
order=(00-control "${names[@]}")
tests_of[00-control]="$all_tests|"
breaks_of[00-control]="nothing: the tip of the series (the tests must pass)"
patch_of[00-control]=""
for name in "${order[@]}"; do
	plan "$name" "${tests_of[$name]%|*}" "${tests_of[$name]#*|}" "${filter_of[$name]:-}"
done
ctrl_fail=0
run_start=$(now)

# evaluate NAME: the verdict of a finished boot.
evaluate() {
	local name=$1 mo=$MOUT/$1 v
	if [ "$name" = 00-control ]; then
		v=$(python3 "$S/mutants.py" control "$mo/cases.tsv" "${tests_of[$name]%|*}")
		result[$name]=$([ "${v%%$'\t'*}" = pass ] && echo control || echo error)
		[ "${result[$name]}" = control ] || ctrl_fail=1
	else
		v=$(python3 "$S/mutants.py" verdict "$mo/cases.tsv" "${tests_of[$name]%|*}" "${case_of[$name]}")
		result[$name]=${v%%$'\t'*}
	fi
	detail[$name]=${v#*$'\t'}
}

# Build the first; then boot each while building the next.
i=0
printf '[%s] build %s\n' "$(date +%T)" "${order[0]}"
build "${order[0]}" "${patch_of[${order[0]}]}"
while [ $i -lt ${#order[@]} ]; do
	name=${order[$i]}
	next=${order[$((i + 1))]:-}
	booted=0
	if [ "$name" = 00-control ] && [ $control = 0 ] && [ -z "${result[$name]:-}" ]; then
		result[$name]=built
		detail[$name]="the unmutated tree, built for the shared parts; not booted (--no-control)"
		rm -rf "${MOUT:?}/${name:?}/boot"
	fi
	if [ -z "${result[$name]:-}" ]; then
		printf '[%s] boot  %s (build %s s): %s\n' "$(date +%T)" "$name" "${build_s[$name]}" \
			"${append_of[$name]}"
		boot_start "$name" "${append_of[$name]}"
		booted=1
		if [ "$PARALLEL" != 1 ]; then
			boot_wait "$name"
			booted=2
		fi
	fi
	if [ -n "$next" ]; then
		printf '[%s] build %s\n' "$(date +%T)" "$next"
		build "$next" "${patch_of[$next]}"
	fi
	[ $booted != 1 ] || boot_wait "$name"
	[ $booted = 0 ] || evaluate "$name"
	printf '[%s] %-36s %-8s build %4s s  boot %4s s  %s\n' "$(date +%T)" "$name" \
		"$(tr '[:lower:]' '[:upper:]' <<<"${result[$name]}")" "${build_s[$name]:-0}" \
		"${boot_s[$name]:-0}" "${detail[$name]}"
	i=$((i + 1))
	if [ "${result[$name]}" = error ] && [ "$name" = 00-control ]; then
		# Verdicts against a failing control would mean nothing
		ctrl_fail=1
		for name in "${order[@]:$i}"; do
			result[$name]=error
			detail[$name]="not run: the control failed"
		done
		break
	fi
done
reset_tree

# The table, the cases (in make check) and the verdict.
res=$MOUT/results.tsv
: >"$res"
for name in "${order[@]}"; do
	printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "${result[$name]}" "${build_s[$name]:-0}" \
		"${boot_s[$name]:-0}" "$(tr '\t\n' '  ' <<<"${detail[$name]}")" "${breaks_of[$name]}" >>"$res"
done
{
	echo "mutation testing of $(git -C "$WORK" log -1 --format='%h (%s)' "$tip"), $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "mutants: ${names[*]}"
	python3 "$S/mutants.py" table "$res"
	echo "wall time $(($(now) - run_start)) s (MUTANT_PARALLEL=$PARALLEL, JOBS=$JOBS); logs in $MOUT/<mutant>/"
} | tee "$OUT/mutants.txt"

for name in "${order[@]}"; do
	case ${result[$name]} in
	control) case_result pass "mutant control (unmutated tree)" "${detail[$name]}" ;;
	built) ;;
	killed) case_result pass "mutant $name" "killed by ${detail[$name]}" ;;
	survived) case_result fail "mutant $name" "SURVIVED: ${detail[$name]}; breaks: ${breaks_of[$name]}; logs $MOUT/$name" ;;
	*) case_result fail "mutant $name" "${detail[$name]}" ;;
	esac
done
[ $ctrl_fail = 0 ] || echo "error: the control run failed: the verdicts above mean nothing (logs $MOUT/00-control)" >&2
cases_exit
