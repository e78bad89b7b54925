#!/usr/bin/env bash
# `make demo`: the main job.  Fetch the base, apply series/, build, boot the
# patched kernel on the TPH-patched QEMU and show the feature working: the
# tests/guest/tests.d entries tagged "vdt-tags: demo" (or, without any, the
# series' vfio_pci_dmabuf_tph_test) run in the guest and their output is
# printed here.  Ends with the same summary as `make check`.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=scripts/lib-stage.sh
. "$VDT_ROOT/scripts/lib-stage.sh"

# The whole run is one function: bash reads it completely before running it,
# so editing this file during a run cannot derail the run.
main() {
	S=$VDT_ROOT/scripts
	mkdir -p "$CACHE"
	exec 9>"$CACHE/.run.lock"
	flock -n 9 || die "another harness run uses $CACHE (lock $CACHE/.run.lock)"
	stages_init
	echo "demo: series $SERIES ($(series_patches | wc -l) patches), work tree $WORK, build $BUILD"

	run_stage host -- "$S/setup-host.sh"
	run_stage base --needs host -- "$S/fetch-base.sh"
	run_stage apply --needs base -- "$S/apply.sh"
	run_stage build --needs apply -- "$S/build.sh"
	run_stage kselftests --needs build -- "$S/build-kselftests.sh"
	run_stage importer --needs build -- "$S/build-importer.sh"
	run_stage qemu-build --needs host -- "$VDT_ROOT/tests/qemu/build-qemu.sh"
	run_stage initramfs --needs kselftests,importer -- "$S/mkinitramfs.sh"
	run_stage demo --needs initramfs,qemu-build -- "$S/run-qemu.sh" patched demo
	if [ -f "$OUT/demo.log" ]; then
		echo
		echo "What the demo did (from $OUT/demo.log):"
		sed -n '/^---- guest output/,/^----$/p' "$OUT/demo.log"
	fi
	# The analyzer's view of the wire, last: what the completer received on
	# each peer-to-peer write, next to what the uAPI set, route by route
	if grep -q '^# analyzer:' "$OUT/guest-patched.log" 2>/dev/null; then
		echo
		echo "The writes as the completer saw them (virtual PCIe analyzer, $OUT/guest-patched.log):"
		grep -E '^# (analyzer:|route:|mapping:|  #  route| +[0-9]+  [a-z-]+ +[0-9a-f]{4}:)' "$OUT/guest-patched.log" |
			sed 's/^# //'
		grep -E '^analyzer/qemu-trace|^(PASS|FAIL): analyzer/qemu-trace' "$OUT/demo.log" || true
	fi
	finish
}

main "$@"
