#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Hardware-free tests of rdma-p2p-tph: argument parsing, usage errors and the
# error path for a device that does not exist.  Prints TAP, exits non-zero if
# any test fails.
#
# Usage: check.sh PATH-TO-rdma-p2p-tph
set -euo pipefail

prog=${1:?usage: check.sh PATH-TO-rdma-p2p-tph}
[[ -x $prog ]] || { echo "Bail out! $prog is not an executable"; exit 1; }

out=$(mktemp)
trap 'rm -f "$out"' EXIT
n=0
failed=0

# expect DESCRIPTION EXIT-CODE REGEX -- ARGS...
# Runs the program, checks its exit code and that stdout+stderr match REGEX.
expect() {
	local desc=$1 want=$2 re=$3 rc=0
	shift 4
	"$prog" "$@" >"$out" 2>&1 || rc=$?
	n=$((n + 1))
	if [[ $rc -eq $want ]] && grep -Eq -- "$re" "$out"; then
		echo "ok $n - $desc"
	else
		echo "not ok $n - $desc"
		echo "# args: $*"
		echo "# exit $rc (want $want), output:"
		sed 's/^/#   /' "$out"
		failed=$((failed + 1))
	fi
}

echo "TAP version 13"
echo "1..20"
expect "--help prints usage, exit 0" 0 '^Usage: rdma-p2p-tph --vfio-dev' -- --help
expect "no arguments: --vfio-dev required, exit 2" 2 '--vfio-dev is required' --
expect "unknown option, exit 2" 2 "unknown option '--bogus'" -- --bogus
expect "missing option argument, exit 2" 2 "needs an argument" -- --vfio-dev
expect "stray positional argument, exit 2" 2 "unexpected argument 'extra'" -- --vfio-dev vfio0 extra
expect "--ph 4 rejected, exit 2" 2 "--ph: '4' is not a processing hint 0..3" -- --vfio-dev vfio0 --st 1 --ph 4
expect "--ph not a number, exit 2" 2 "--ph: 'x' is not" -- --vfio-dev vfio0 --st 1 --ph x
expect "--ph -1 rejected, exit 2" 2 "--ph: '-1' is not" -- --vfio-dev vfio0 --st 1 --ph -1
expect "--ph without a tag, exit 2" 2 "--ph needs --st and/or --st-ext" -- --vfio-dev vfio0 --ph 1
expect "--st 256 rejected (8-bit), exit 2" 2 "--st: '256' is not an 8-bit" -- --vfio-dev vfio0 --st 256
expect "--st-ext 0x10000 rejected (16-bit), exit 2" 2 "--st-ext: '0x10000' is not a 16-bit" -- --vfio-dev vfio0 --st-ext 0x10000
expect "--bar 6 rejected, exit 2" 2 "--bar: '6' is not a BAR index" -- --vfio-dev vfio0 --bar 6
expect "--length 0 rejected, exit 2" 2 "--length must not be 0" -- --vfio-dev vfio0 --length 0
expect "unaligned --offset rejected, exit 2" 2 "multiples of the page size [0-9]+" -- --vfio-dev vfio0 --offset 100
expect "bad --vfio-dev form, exit 2" 2 "is no path, vfioN name or PCI address" -- --vfio-dev nvme0
expect "missing cdev path: clear error, exit 1" 1 "cannot open /nonexistent/vfio99: No such file or directory" -- --vfio-dev /nonexistent/vfio99 --no-rdma
expect "missing vfioN name: clear error, exit 1" 1 "cannot open /dev/vfio/devices/vfio4242: No such file" -- --vfio-dev vfio4242
expect "PCI address not bound to vfio-pci, exit 1" 1 "/sys/bus/pci/devices/0000:ff:1f.7/vfio-dev: .*bound to vfio-pci" -- --vfio-dev ff:1f.7
expect "--dry-run with both tags: plan with flags 0x3, exit 0" 0 "TPH SET +flags=0x3 steering_tag=0x2a steering_tag_ext=0x1234 ph=2" -- --vfio-dev 0000:01:00.0 --bar 2 --offset 64K --length 8K --st 42 --st-ext 0x1234 --ph 2 --dry-run
expect "--dry-run without tags: no hints, exit 0" 0 "TPH SET +none" -- --vfio-dev vfio0 --dry-run --no-rdma

if ((failed)); then
	echo "# $failed of $n tests failed"
	exit 1
fi
echo "# all $n tests passed"
