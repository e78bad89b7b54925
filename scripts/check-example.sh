#!/usr/bin/env bash
# Build the userspace example (examples/rdma-p2p-tph) against Debian's
# libibverbs-dev and run its hardware-free checks (argument parsing, usage
# errors, the error path of a device that does not exist).  Every TAP line
# of the checks becomes one case.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

ex=$VDT_ROOT/examples/rdma-p2p-tph
make -C "$ex" || die "examples/rdma-p2p-tph does not build (see above)"
case_result pass "example: build" "rdma-p2p-tph builds against libibverbs-dev"

rc=0
tap=$(make -s -C "$ex" check 2>&1) || rc=$?
echo "$tap"
cases=0
while IFS= read -r line; do
	case "$line" in
	"ok "*)
		case_result pass "example: ${line#ok * - }"
		cases=$((cases + 1)) ;;
	"not ok "*)
		case_result fail "example: ${line#not ok * - }"
		cases=$((cases + 1)) ;;
	esac
done <<<"$tap"
[ "$cases" -gt 0 ] || case_result fail "example: checks" "no TAP result from 'make -C examples/rdma-p2p-tph check'"
[ "$rc" = 0 ] || case_result fail "example: checks" "'make -C examples/rdma-p2p-tph check' exited $rc"
cases_exit
