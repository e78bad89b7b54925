#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Guest side of the mutation check of tests/mlx5 (busybox sh, test-only; not
# one of the guest tests that make check runs).
#
#   run-mutants.sh DIR
#
# DIR holds mutants.list and one directory per mutant with its test module,
# as tests/mlx5/mutants.sh makes them; "original" (the unmodified sources)
# must pass every case.  Loads each module in turn, reads its
# KUnit results from the kernel log (debugfs is not needed) and prints one
# TAP line per mutant: "ok" when at least one case failed (the mutant is
# killed), with the failing cases and whether the expected ones are among
# them; "not ok" when every case passed (the mutant survived) or the module
# did not run.
set -u

dir=${1:?usage: run-mutants.sh DIR}
glob_param=/sys/module/kunit/parameters/filter_glob
# no newline: a charp parameter would keep it
[ -e "$glob_param" ] && printf '%s' 'mlx5_*' >"$glob_param"

rc=0
n=0
echo "TAP version 13"
echo "1..$(wc -l <"$dir/mutants.list")"
while read -r name mod expected; do
	n=$((n + 1))
	dmesg -c >/dev/null
	if ! insmod "$dir/$name/$mod.ko"; then
		echo "not ok $n - $name: insmod failed"
		rc=1
		continue
	fi
	log=$(dmesg)
	rmmod "$mod" || rc=1
	ran=$(echo "$log" | grep -c -E '^\[[^]]*\]     (ok|not ok) [0-9]+ ')
	failed=$(echo "$log" | sed -n -E 's/^\[[^]]*\]     not ok [0-9]+ ([a-z0-9_]+).*$/\1/p' | tr '\n' ' ')
	if [ "$ran" = 0 ]; then
		echo "not ok $n - $name: no KUnit case ran"
		rc=1
	elif [ "$name" = original ]; then
		# the unmodified sources: every case must pass
		if [ -z "$failed" ]; then
			echo "ok $n - original $mod: $ran cases passed"
		else
			echo "not ok $n - original $mod: failed ${failed% }"
			rc=1
		fi
	elif [ -z "$failed" ]; then
		echo "not ok $n - $name: SURVIVED ($ran cases passed)"
		rc=1
	else
		missing=
		for c in $expected; do
			case " $failed" in
			*" $c "*) ;;
			*) missing="$missing $c" ;;
			esac
		done
		echo "ok $n - $name: killed by ${failed% }${missing:+ (expected but passed:$missing)}"
	fi
	if echo "$log" | grep -q -E 'BUG:|WARNING:|KASAN|Oops'; then
		echo "# $name: kernel report:"
		echo "$log" | grep -E -A3 'BUG:|WARNING:|KASAN|Oops' | head -8 | sed 's/^/#   /'
	fi
done <"$dir/mutants.list"
exit $rc
