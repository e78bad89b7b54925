#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Test runner inside the guest (busybox sh).  Started by /init; output goes to
# the host's out/guest-<qemu>.log, where scripts/parse-guest.py counts it.
#
# Kernel command line: vdt.qemu=patched|stock  vdt.mode=check|demo|kunit|stress
#   (stress: vdt.stress_duration=S vdt.stress_seeds=N,N,... vdt.stress_stall=S)
#   vdt.ksft=GLOB (the kselftests to run, default all)  vdt.timeout=S
#   vdt.ksft_skip=GLOB (kselftests not to run: another boot runs them)
#   vdt.tests=GLOB[,GLOB...] (the /vdt/tests entries to run, default all)
#   vdt.ksft_tests=NAME[,NAME...] (only these cases of the kselftests: -t NAME)
#
# 1. "setup": binds the four nvme functions to vfio-pci, reserves huge pages.
# 2. check mode: every upstream vfio kselftest (and any the series adds) in
#    /vdt/kselftest, then every executable in /vdt/tests in name order
#    (tests/guest/tests.d/ and EXTRA_GUEST_TESTS).
#    demo mode: the /vdt/tests entries tagged "vdt-tags: demo"; without such
#    entries the series' vfio_pci_dmabuf_tph_test.
#    kunit mode: the boot ran the built-in KUnit suites; then, after
#    "setup", only the kselftests and /vdt/tests entries that vdt.ksft and
#    vdt.tests name (default none: nothing runs).
#    stress mode: only tests.d/80-stress, once per seed, each for the
#    duration (scripts/stress.sh); stops at the first failure.
# Each test runs with the environment below, stdin from /dev/null, in its
# own directory, under a time limit, between the lines
#   ### vdt-begin <name>
#   ### vdt-end <name> rc=<exit status> seconds=<n>
# It should print TAP/KTAP; its exit status counts too (see docs/testing.md).

export VFIO_SELFTESTS_BDF=0000:01:00.0		# TPH + Extended TPH completer
export VFIO_SELFTESTS_BDF2=0000:02:00.0		# second vfio device, no TPH
export VDT_BDF_TPH_ONLY=0000:03:00.0		# TPH-only completer
export VDT_BDF_RESERVED=0000:04:00.0		# completer field 10b (reserved)
export VDT_BDF_CONVENTIONAL=0000:00:10.0	# conventional PCI (pci-testdev)
export VDT_VFIO_BDFS="$VFIO_SELFTESTS_BDF $VFIO_SELFTESTS_BDF2 $VDT_BDF_TPH_ONLY $VDT_BDF_RESERVED"
# The virtual analyzer (patched QEMU only): two pcie-tph-testdev functions and
# one without End-End TLP Prefix support, below one switch (docs/testing.md)
export VDT_ANA_COMPLETER=0000:07:00.0		# completer, vfio-pci
export VDT_ANA_REQUESTER=0000:08:00.0		# requester, tph_requester.ko
export VDT_ANA_NOPREFIX=0000:09:00.0		# completer, no prefix support, vfio-pci
export VDT_ANA_REQ_PORT=0000:06:01.0		# downstream port above the requester
# Requesters in IOMMU groups of their own, whose requests reach
# VDT_ANA_COMPLETER through the Root Complex: below the switch's fourth
# downstream port, which has ACS, and below root port 7
export VDT_ANA_ACS_REQUESTER=0000:0a:00.0
export VDT_ANA_RP_REQUESTER=0000:0c:00.0
export VDT_REQ_RSVD_RP=0000:0b:00.0		# requester below a Root Port reporting 10b
# An 82576 (igb, patched QEMU only): the upstream vfio_pci_driver_test's
# device (its selftests driver does DMA with the 82576 in loopback)
export VDT_BDF_IGB=0000:0d:00.0
# 2 MiB shmem folios, turned on for vfio_pci_driver_test alone (below)
thp_shmem=/sys/kernel/mm/transparent_hugepage/hugepages-2048kB/shmem_enabled
export VDT_MODDIR=/vdt/modules
export VDT_QEMU=patched
mode=check
timeout_s=300
ksft=		# the kselftests to run (a glob; default below)
ksft_skip=		# kselftests not to run (a glob)
tests=		# the /vdt/tests entries to run (globs, comma separated)
ksft_args=''		# kselftest_harness options (-t NAME ...)
for arg in $(cat /proc/cmdline); do
	case $arg in
	vdt.qemu=*) VDT_QEMU=${arg#vdt.qemu=} ;;
	vdt.mode=*) mode=${arg#vdt.mode=} ;;
	vdt.timeout=*) timeout_s=${arg#vdt.timeout=} ;;
	vdt.stress_duration=*) export VDT_STRESS_DURATION=${arg#*=} ;;
	vdt.stress_seeds=*) stress_seeds=${arg#*=} ;;
	vdt.stress_stall=*) export VDT_STRESS_STALL=${arg#*=} ;;
	vdt.ksft=*) ksft=${arg#vdt.ksft=} ;;
	vdt.ksft_skip=*) ksft_skip=${arg#vdt.ksft_skip=} ;;
	vdt.tests=*) tests=${arg#vdt.tests=} ;;
	vdt.ksft_tests=*) ksft_args=$(echo "${arg#*=}" | tr , '\n' | sed 's/^/-t /' | tr '\n' ' ') ;;
	esac
done
export PATH=/bin:/sbin:/usr/bin:/usr/sbin:/vdt/bin
# Everything by default; in a KUnit boot nothing unless named
if [ "$mode" = kunit ]; then
	ksft=${ksft:-none} tests=${tests:-none}
else
	ksft=${ksft:-*} tests=${tests:-*}
fi

# What the series' vfio_pci_dmabuf_tph_test must expect (its header documents
# the variables).  Patched QEMU: the device under test is a TPH and Extended
# TPH completer, and the TPH-only and reserved-encoding functions exist.
# Stock QEMU: no function is a completer, so the feature must be refused
# with ENOTTY on the device under test, and there is no TPH-only or
# reserved-encoding function to name.
if [ "$VDT_QEMU" = patched ]; then
	export VFIO_SELFTESTS_TPH_COMPLETER=ext
	export VFIO_SELFTESTS_BDF_TPH_ONLY=$VDT_BDF_TPH_ONLY
	export VFIO_SELFTESTS_BDF_TPH_RSVD=$VDT_BDF_RESERVED
else
	export VFIO_SELFTESTS_TPH_COMPLETER=none
	unset VFIO_SELFTESTS_BDF_TPH_ONLY VFIO_SELFTESTS_BDF_TPH_RSVD
fi

kmsg() {
	echo "vdt: $*" >/dev/kmsg 2>/dev/null
}

# run_test NAME DIR CMD...: one test between the markers, in DIR, under the
# time limit; DIR "-" runs CMD as a function of this script.
run_test() {
	name=$1 dir=$2
	shift 2
	echo "### vdt-begin $name"
	kmsg "begin $name"
	start=$(date +%s)
	if [ "$dir" = - ]; then
		"$@" </dev/null 2>&1	# a function of this script
	else
		(cd "$dir" && exec timeout -s KILL "$timeout_s" "$@") </dev/null 2>&1
	fi
	rc=$?
	[ $rc -eq 137 ] && echo "# vdt: killed after ${timeout_s} s"
	end=$(date +%s)
	kmsg "end $name rc=$rc"
	echo "### vdt-end $name rc=$rc seconds=$((end - start))"
}

setup() {
	n=0
	fail=0
	bdfs=$VDT_VFIO_BDFS
	[ "$VDT_QEMU" != patched ] || bdfs="$bdfs $VDT_ANA_COMPLETER $VDT_ANA_NOPREFIX $VDT_BDF_IGB"
	echo "TAP version 13"
	echo "1..$(($(echo $bdfs | wc -w) + 2))"
	for bdf in $bdfs; do
		n=$((n + 1))
		dev=/sys/bus/pci/devices/$bdf
		if [ ! -d "$dev" ]; then
			echo "not ok $n bind $bdf to vfio-pci # no such device"
			fail=1
			continue
		fi
		if [ -e "$dev/driver" ]; then
			echo "$bdf" >"$dev/driver/unbind"
		fi
		echo vfio-pci >"$dev/driver_override"
		echo "$bdf" >/sys/bus/pci/drivers_probe
		drv=$(basename "$(readlink "$dev/driver" 2>/dev/null)" 2>/dev/null)
		if [ "$drv" = vfio-pci ] && [ -d "$dev/vfio-dev" ]; then
			echo "ok $n bind $bdf to vfio-pci ($(ls "$dev/vfio-dev"))"
		else
			echo "not ok $n bind $bdf to vfio-pci # driver: ${drv:-none}"
			fail=1
		fi
	done
	n=$((n + 1))
	if [ -d "/sys/bus/pci/devices/$VDT_BDF_CONVENTIONAL" ]; then
		echo "ok $n conventional PCI function $VDT_BDF_CONVENTIONAL present"
	else
		echo "not ok $n conventional PCI function $VDT_BDF_CONVENTIONAL present"
		fail=1
	fi
	n=$((n + 1))
	echo 64 >/proc/sys/vm/nr_hugepages
	if [ "$(cat /proc/sys/vm/nr_hugepages)" -ge 64 ]; then
		echo "ok $n 64 huge pages of 2 MiB reserved"
	else
		echo "not ok $n 64 huge pages of 2 MiB reserved # got $(cat /proc/sys/vm/nr_hugepages)"
		fail=1
	fi
	return $fail
}

echo "### vdt-info kernel $(uname -r), qemu=$VDT_QEMU, mode=$mode, $(nproc) cpus"
if command -v lspci >/dev/null; then
	for bdf in $VDT_VFIO_BDFS; do
		echo "### vdt-info $bdf: $(lspci -vv -s "$bdf" 2>/dev/null | grep -o 'TPHComp[+-] ExtTPHComp[+-]')"
	done
	lspci -tnn 2>/dev/null | sed 's/^/### vdt-info topology /'
fi
if [ "$mode" = kunit ] && [ "$ksft" = none ] && [ "$tests" = none ]; then
	# A boot only for the built-in KUnit suites: they ran before /init.
	exit 0
fi
run_test setup - setup

tagged() {
	grep -l 'vdt-tags:.*demo' "$1" >/dev/null 2>&1
}

if [ "$mode" = demo ]; then
	found=0
	for t in /vdt/tests/*; do
		[ -x "$t" ] && tagged "$t" || continue
		found=1
		run_test "tests.d/$(basename "$t")" /vdt/tests "$t"
	done
	if [ $found = 0 ]; then
		t=/vdt/kselftest/vfio/vfio_pci_dmabuf_tph_test
		if [ -x "$t" ]; then
			run_test kselftest/vfio_pci_dmabuf_tph_test /vdt/kselftest/vfio "$t"
		else
			echo "### vdt-info no demo entry in tests.d and no vfio_pci_dmabuf_tph_test: nothing to show (is series/ empty?)"
		fi
	fi
	exit 0
fi

if [ "$mode" = stress ]; then
	timeout_s=$((${VDT_STRESS_DURATION:-600} + 300))
	for seed in $(echo "${stress_seeds:-1}" | tr , ' '); do
		export VDT_STRESS_SEED=$seed
		run_test "tests.d/80-stress-seed$seed" /vdt/tests /vdt/tests/80-stress
		[ "$rc" = 0 ] || break	# a hung kernel makes further runs moot
	done
	exit 0
fi

if [ -f /vdt/kselftest/kselftest-list.txt ]; then
	while IFS=: read -r coll t; do
		[ -n "$t" ] || continue
		# shellcheck disable=SC2254 # $ksft is a glob on purpose
		case $t in $ksft) ;; *) continue ;; esac
		# shellcheck disable=SC2254 # $ksft_skip is a glob on purpose
		case $t in $ksft_skip) continue ;; esac
		# The driver test needs a device its library drives: the igb.
		# Each case maps a 1 GiB shared anonymous region for DMA:
		# in 2 MiB shmem folios, TCG faults it in and pins it in
		# seconds, in 4 KiB pages not within the 30 s a case has.
		bdf_env=
		if [ "$t" = vfio_pci_driver_test ] && [ "$VDT_QEMU" = patched ]; then
			bdf_env=VFIO_SELFTESTS_BDF=$VDT_BDF_IGB
			echo always >"$thp_shmem" || echo "# vdt: cannot write $thp_shmem"
		fi
		# shellcheck disable=SC2086 # options, word split on purpose
		run_test "kselftest/$t" "/vdt/kselftest/$coll" env $bdf_env "./$t" $ksft_args
		[ -z "$bdf_env" ] || echo never >"$thp_shmem"
	done </vdt/kselftest/kselftest-list.txt
else
	echo "### vdt-info no kselftests in this image"
fi

# selected NAME: NAME matches one of the globs of vdt.tests
selected() {
	rest=$tests,
	while [ -n "$rest" ]; do
		g=${rest%%,*}
		rest=${rest#*,}
		# shellcheck disable=SC2254 # $g is a glob on purpose
		case $1 in $g) return 0 ;; esac
	done
	return 1
}

for t in /vdt/tests/*; do
	[ -f "$t" ] && [ -x "$t" ] || continue
	selected "$(basename "$t")" || continue
	run_test "tests.d/$(basename "$t")" /vdt/tests "$t"
done
exit 0
