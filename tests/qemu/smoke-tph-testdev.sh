#!/bin/bash
# The patched QEMU alone, no guest: runs 0007's qtest,
# tests/qtest/pcie-tph-testdev-test, against it.  The qtest plays the
# guest: it programs ECAM, a root port and an x3130 switch with two
# pcie-tph-testdev functions (a completer with x-eetlp-prefix=off and a
# requester below a port with x-acs=on), has the requester DMA into the
# completer's BAR2 under the TPH rules and reads the completer's log and
# QEMU's trace back; it also checks End-End TLP Prefix support along the
# path, x-eetlp-prefix=off (0003), x-acs (0006) and the properties'
# realize errors.  Takes a few seconds.
#
# Usage: tests/qemu/smoke-tph-testdev.sh [/path/to/qemu-system-x86_64]
# (default: the cached binary of build-qemu.sh; `make check` runs it so, as
# its qemu-smoke stage).  The qtest must lie next to the binary, where
# build-qemu.sh puts it.  Prints the qtest's TAP and one PASS/FAIL line per
# subtest; exit status 0 iff every subtest passed and their number is
# EXPECTED: a subtest that disappears (a device missing from the build
# skips the realize ones) turns the run red.
set -euo pipefail

readonly EXPECTED=16

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
if [[ $# -ge 1 ]]; then
	qemu=$1
else
	qemu=$("$here/build-qemu.sh") || { echo "FAIL: build-qemu.sh failed"; exit 2; }
fi
[[ -x $qemu ]] || { echo "FAIL: not executable: $qemu"; exit 2; }
qtest=$(dirname "$qemu")/pcie-tph-testdev-test
[[ -x $qtest ]] || { echo "FAIL: no qtest next to $qemu: $qtest (0007 not applied?)"; exit 2; }

tap=$(mktemp)
trap 'rm -f "$tap"' EXIT
rc=0
# libqtest takes the architecture from the binary's name and the
# firmware from the binary's --firmwarepath (build-qemu.sh)
QTEST_QEMU_BINARY=$qemu timeout 300 "$qtest" --tap -k >"$tap" 2>&1 || rc=$?
cat "$tap"

passes=0 fails=0
while IFS= read -r line; do
	case $line in
	'ok '*'# SKIP'*)
		echo "FAIL: skipped: ${line#ok }"; fails=$((fails + 1)) ;;
	'ok '*)
		echo "PASS: ${line#ok }"; passes=$((passes + 1)) ;;
	'not ok '*)
		echo "FAIL: ${line#not ok }"; fails=$((fails + 1)) ;;
	esac
done <"$tap"
if [[ $rc != 0 ]]; then
	echo "FAIL: the qtest exited with $rc"
	fails=$((fails + 1))
fi
if [[ $((passes + fails)) != "$EXPECTED" ]] && [[ $rc == 0 ]]; then
	echo "FAIL: $((passes + fails)) subtests ran, expected $EXPECTED"
	fails=$((fails + 1))
fi
if ((fails)); then
	echo "FAIL: $passes passed, $fails failed"
	exit 1
fi
echo "PASS: $passes passed, 0 failed"
