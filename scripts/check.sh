#!/usr/bin/env bash
# `make check`: everything, from nothing to a verdict.  Each stage writes
# $OUT/<stage>.log; the summary table and the last line "N passed, N failed"
# end the run; the exit status is non-zero when anything failed.
# See docs/testing.md for the stages and what each one proves.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=scripts/lib-stage.sh
. "$VDT_ROOT/scripts/lib-stage.sh"

# The side lane (lib-stage.sh), one stage after the other, niced, beside
# the main line: the checks of the patches and the posting, which need
# only the applied tree and are single-threaded; the harness self-test,
# which also compiles a few objects with the test kernel's configuration
# and so waits for the build; then the compile checks, which wait for the
# patched QEMU run.  They take what the build's serial steps and the
# guests leave idle: qemu-stock and the mutants' boots keep one core busy
# and leave the other idle (vmstat: 47% idle during qemu-stock), while
# the compile checks, on a cold cache, keep both busy for 10 minutes and
# beside the kernel build or the two patched boots only slowed everything
# down (docs/testing.md, "How long").  The lane shares no directory with
# the main line: the compile checks have their own sandbox (the mutants'
# is another) and only read the main build.
side() {
	run_stage export --needs apply -- "$S/check-export.sh"
	run_stage checkpatch --needs apply -- "$S/checkpatch.sh"
	run_stage kernel-doc --needs apply -- "$S/kernel-doc.sh"
	run_stage posting --needs apply -- "$S/check-posting.sh"
	run_stage example --needs host -- "$S/check-example.sh"
	if [ "${HARNESS_SELFTEST:-1}" = 1 ]; then
		side_after build
		run_stage harness --needs base,build -- "$VDT_ROOT/tests/harness/run.sh"
	fi
	side_after qemu-patched
	run_stage patch-compile --needs build,sparse -- "$S/compile-patches.sh"
	run_stage matrix --needs build -- "$S/matrix.sh"
	run_stage header-check --needs patch-compile -- "$S/header-check.sh"
}

# The whole run is one function: bash reads it completely before running it,
# so editing this file during a run cannot derail the run.
main() {
	S=$VDT_ROOT/scripts
	mkdir -p "$CACHE"
	exec 9>"$CACHE/.run.lock"
	flock -n 9 || die "another harness run uses $CACHE (lock $CACHE/.run.lock)"
	stages_init
	trap side_stop EXIT
	trap 'exit 130' INT TERM
	echo "check: series $SERIES ($(series_patches | wc -l) patches), cache $CACHE, work tree $WORK, build $BUILD"

	run_stage host -- "$S/setup-host.sh"
	run_stage base --needs host -- "$S/fetch-base.sh"
	run_stage sparse --needs base -- "$S/fetch-sparse.sh"
	run_stage apply --needs base -- "$S/apply.sh"
	side_start side
	run_stage build --needs apply -- "$S/build.sh"
	run_stage kselftests --needs build -- "$S/build-kselftests.sh"
	run_stage importer --needs build -- "$S/build-importer.sh"
	run_stage qemu-build --needs host -- "$VDT_ROOT/tests/qemu/build-qemu.sh"
	run_stage qemu-smoke --needs qemu-build -- "$VDT_ROOT/tests/qemu/smoke-tph-testdev.sh"
	run_stage initramfs --needs kselftests,importer -- "$S/mkinitramfs.sh"
	run_stage qemu-patched --needs initramfs,qemu-build -- "$S/run-qemu.sh" patched check
	run_stage qemu-stock --needs initramfs -- "$S/run-qemu.sh" stock check
	# Mutation testing's own test: the fixed --subset (scripts/mutants.sh,
	# the three fastest mutants; the full catalogue is `make mutants`)
	run_stage mutants --needs build,qemu-build -- "$S/mutants.sh" --subset
	finish
}

main "$@"
