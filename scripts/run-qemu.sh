#!/usr/bin/env bash
# Boot the test kernel in QEMU (q35, intel-iommu, TCG) and count the results.
#
#   scripts/run-qemu.sh patched|stock [check|demo|stress|mutant]
#
# patched: the TPH-patched QEMU of tests/qemu (built once, cached) with the
#          x-tph-* properties of the fixed topology (docs/testing.md);
# stock:   Debian's qemu-system-x86_64, same topology, no x-tph-* properties.
# -cpu EPYC: an AMD Zen CPU (family 17h), the CPU model for which v7.3's
# pci_p2pdma allows peer-to-peer through the host bridge
# (cpu_supports_p2pdma(); q35's host bridge is on no whitelist), as on a
# host with such a CPU.  With -cpu max (family 6) a pair below two Root
# Ports maps as "not supported".  TCG lacks some of EPYC's features (QEMU
# warns and leaves them out), none that the guest needs.
# no_timer_check: under TCG on a loaded host the IO-APIC timer check at boot
# can miss its window and panic ("timer doesn't work through
# Interrupt-remapped IO-APIC"), as it did once here with two boots at once.
# The kernel console (ttyS0) goes to $OUT/console-<qemu>.log, the test
# runner's output (ttyS1) to $OUT/guest-<qemu>.log; scripts/parse-guest.py
# counts TAP, KUnit (patched check run only, in a boot of its own: see
# below) and kernel reports.  QEMU_TIMEOUT (s) bounds each boot; VDT_APPEND
# adds kernel parameters to a boot other than the check's, VDT_QEMU_ARGS QEMU
# options to every boot (scripts/stress.sh: a monitor socket).
# mutant (scripts/mutants.sh): one boot that runs what VDT_APPEND selects
# (vdt.ksft=, vdt.tests=, kunit.filter_glob=), no
# manifest; VDT_KUNIT=1 counts the built-in KUnit suites' results too.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

variant=${1:?usage: run-qemu.sh patched|stock [check|demo]}
mode=${2:-check}
kernel=$BUILD/arch/x86/boot/bzImage
initrd=$BUILD/vdt-initramfs.cpio
[ -f "$kernel" ] || die "no kernel at $kernel (run scripts/build.sh)"
[ -f "$initrd" ] || die "no initramfs at $initrd (run scripts/mkinitramfs.sh)"

# The virtual analyzer, patched QEMU only (docs/testing.md): a switch below
# root port 5 (buses 5-10) with two pcie-tph-testdev completers and two
# requesters, one below a port without ACS (requests stay in the switch)
# and one below a port with ACS (x-acs, tests/qemu/0006: requests go
# through the Root Complex), a requester below root port 6 (bus 11), which
# reports the reserved completer encoding, and one below root port 7 (bus
# 12), whose requests also reach the switch's completer through the Root
# Complex; QEMU traces every write the completers receive.  Also patched
# only: an igb (82576) below root port 8 (bus 13) for the upstream
# vfio_pci_driver_test (Debian's stock QEMU 7.2 has no igb).
analyzer=()
case $variant in
patched)
	qemu=$("$VDT_ROOT/tests/qemu/build-qemu.sh") || die "tests/qemu/build-qemu.sh failed"
	tph1=,x-tph-completer=3 tph3=,x-tph-completer=1 tph4=,x-tph-completer=2
	# shellcheck disable=SC2054 # commas belong to the QEMU options
	analyzer=(
		-device pcie-root-port,id=rp5,bus=pcie.0,chassis=5,slot=5,x-tph-completer=3
		-device x3130-upstream,id=usp,bus=rp5
		-device xio3130-downstream,id=dp1,bus=usp,chassis=6,slot=0
		-device xio3130-downstream,id=dp2,bus=usp,chassis=7,slot=1
		-device xio3130-downstream,id=dp3,bus=usp,chassis=8,slot=2
		-device pcie-tph-testdev,bus=dp1,x-tph-completer=3
		-device pcie-tph-testdev,bus=dp2,x-tph-requester=on
		-device pcie-tph-testdev,bus=dp3,x-tph-completer=3,x-eetlp-prefix=off
		-device xio3130-downstream,id=dp4,bus=usp,chassis=11,slot=3,x-acs=on
		-device pcie-tph-testdev,bus=dp4,x-tph-requester=on
		-device pcie-root-port,id=rp6,bus=pcie.0,chassis=9,slot=9,x-tph-completer=2
		-device pcie-tph-testdev,bus=rp6,x-tph-requester=on
		-device pcie-root-port,id=rp7,bus=pcie.0,chassis=10,slot=10,x-tph-completer=3
		-device pcie-tph-testdev,bus=rp7,x-tph-requester=on
		# An 82576 below root port 8 (bus 13): the device the upstream
		# vfio_pci_driver_test has a driver for (QEMU >= 8.0)
		-device pcie-root-port,id=rp8,bus=pcie.0,chassis=12,slot=12
		-device igb,bus=rp8
	)
	# A TPH requester that is no completer, for the completer gate
	tph2=,x-tph-requester=on
	;;
stock)
	qemu=$(command -v qemu-system-x86_64) || die "no qemu-system-x86_64 (apt-get install qemu-system-x86)"
	tph1="" tph2="" tph3="" tph4=""
	;;
*) die "unknown QEMU variant $variant (patched or stock)" ;;
esac

# boot NAME APPEND...: one QEMU run in the background; console and test
# output in $OUT/console-NAME.log and $OUT/guest-NAME.log.
declare -A pids=() started=()
boot() {
	local name=$1 trace=() extra=()
	read -r -a extra <<<"${VDT_QEMU_ARGS:-}"
	shift
	[ ${#analyzer[@]} = 0 ] || trace=(-trace 'pcie_tph_testdev_write' -D "$OUT/qemu-trace-$name.log")
	rm -f "$OUT/console-$name.log" "$OUT/guest-$name.log" "$OUT/qemu-trace-$name.log"
	# shellcheck disable=SC2054 # commas belong to the QEMU options
	local args=(
		-accel tcg -machine q35 -cpu EPYC -smp 2 -m 2G
		-nodefaults -display none -no-reboot
		-device intel-iommu,intremap=on
		-device pcie-root-port,id=rp1,bus=pcie.0,chassis=1,slot=1
		-device pcie-root-port,id=rp2,bus=pcie.0,chassis=2,slot=2
		-device pcie-root-port,id=rp3,bus=pcie.0,chassis=3,slot=3
		-device pcie-root-port,id=rp4,bus=pcie.0,chassis=4,slot=4
		-device "nvme,serial=vdt0001,bus=rp1$tph1"
		-device "nvme,serial=vdt0002,bus=rp2$tph2"
		-device "nvme,serial=vdt0003,bus=rp3$tph3"
		-device "nvme,serial=vdt0004,bus=rp4$tph4"
		-device pci-testdev,bus=pcie.0,addr=0x10
		"${analyzer[@]}"
		-serial "file:$OUT/console-$name.log" -serial "file:$OUT/guest-$name.log"
		-kernel "$kernel" -initrd "$initrd"
		"${trace[@]}" "${extra[@]}"
		-append "console=ttyS0,115200 panic=-1 ignore_loglevel no_timer_check vdt.qemu=$variant $*"
	)
	echo "qemu ($name): $qemu ${args[*]}"
	started[$name]=$(now)
	timeout "${QEMU_TIMEOUT:-900}" "$qemu" "${args[@]}" </dev/null &
	pids[$name]=$!
}

# finish_boot NAME: wait for it and record how it ended.
finish_boot() {
	local name=$1 rc=0 secs
	wait "${pids[$name]}" || rc=$?
	secs=$(($(now) - ${started[$name]}))
	if [ $rc = 124 ]; then
		case_result fail "guest/boot-$name" "QEMU killed after ${QEMU_TIMEOUT:-900} s; console: $OUT/console-$name.log"
	elif [ $rc != 0 ]; then
		case_result fail "guest/boot-$name" "QEMU exited with $rc after $secs s; console: $OUT/console-$name.log"
	else
		case_result pass "guest/boot-$name" "QEMU ($variant) ran $secs s"
	fi
}

mkdir -p "$OUT"
# (stale first-report files of an earlier boot: see VDT_REPORT below)
rm -f "$OUT/report-$variant.txt" "$OUT/report-kunit.txt"
# The built-in KUnit suites run at boot, before the tests, and take more
# than a minute under TCG with KASAN and lockdep: in a check on the patched
# QEMU they get a boot of their own, in parallel (TCG keeps about one host
# CPU busy per busy guest CPU, and the test run is mostly single-threaded).
# That boot then runs the longest upstream kselftest ($beside, about
# 140 s of the ~460 s the tests took in one boot) and the kernel health
# check after it, so that the two boots end at about the same time: the test
# boot skips it, and each boot's manifest check covers what it ran.
# KUNIT_BOOT=0 runs everything in the test boot instead; the other runs skip
# the suites with a filter that matches no suite (not kunit.enable=0, which
# would also stop the KUnit test modules that tests load).
kunit_boot=0
no_kunit=kunit.filter_glob=vdt-no-boot-suites
beside=vfio_pci_driver_test
beside_tests=99-kernel-health
if [ "$variant" = patched ] && [ "$mode" = check ]; then
	if [ "${KUNIT_BOOT:-1}" = 1 ]; then
		kunit_boot=1
		# One built-in case (dma-buf-fence-chain's test_wait_backward)
		# blocks the boot task for one to two minutes under TCG with
		# KASAN: not a hang.  The built-in suites run before sysctl.*
		# arguments apply, so the hung-task timeout cannot be raised
		# for this boot; its reports are notes (parse-guest.py
		# --hung-task-note), and the manifest catches a suite that
		# never finishes.
		boot kunit "vdt.mode=kunit vdt.ksft=$beside vdt.tests=$beside_tests"
		boot "$variant" "vdt.mode=$mode $no_kunit vdt.ksft_skip=$beside"
	else
		boot "$variant" "vdt.mode=$mode"
	fi
elif [ "$mode" = mutant ]; then
	boot "$variant" "vdt.mode=check ${VDT_APPEND:-}"
else
	# The upstream vfio kselftests are the patched run's regression
	# suite; the stock run only shows the gate on unpatched hardware.
	ksft=""
	[ "$variant" != stock ] || ksft="vdt.ksft=vfio_pci_dmabuf_tph_test"
	boot "$variant" "vdt.mode=$mode $no_kunit $ksft ${VDT_APPEND:-}"
fi
finish_boot "$variant"
[ $kunit_boot = 0 ] || finish_boot kunit

console=$OUT/console-$variant.log
guest=$OUT/guest-$variant.log
echo "console log: $console"
echo "guest log:   $guest"
if [ "$mode" = demo ]; then
	echo "---- guest output ($guest) ----"
	grep -v '^### vdt-\(begin\|end\)' "$guest" || true
	echo "----"
fi
# In a check, every run is compared with tests/manifest: what must run, how
# many results, which skips are allowed.
manifest=()
if [ "$mode" = check ]; then
	manifest=(--manifest "$VDT_ROOT/tests/manifest" --variant "$variant")
	if [ -n "${EXTRA_GUEST_TESTS:-}" ] && [ -d "$EXTRA_GUEST_TESTS" ]; then
		manifest+=(--extra "$(find "$EXTRA_GUEST_TESTS" -maxdepth 1 -type f -perm -u+x \
			-printf '%f,')")
	fi
fi
# parse-guest.py writes each boot's first kernel report there (summary.py)
export VDT_REPORT=$OUT/report-$variant.txt
if [ $kunit_boot = 1 ]; then
	echo "KUnit console log: $OUT/console-kunit.log"
	python3 "$VDT_ROOT/scripts/parse-guest.py" --elsewhere "kselftest/$beside" \
		"${manifest[@]}" "$guest" "$console" || VDT_FAILED=1
	VDT_REPORT=$OUT/report-kunit.txt \
		python3 "$VDT_ROOT/scripts/parse-guest.py" --only-kunit --label kunit-boot --hung-task-note \
		--here "kselftest/$beside,tests.d/$beside_tests" "${manifest[@]}" \
		"$OUT/guest-kunit.log" "$OUT/console-kunit.log" || VDT_FAILED=1
elif [ "$variant" = patched ] && [ "$mode" = check ]; then
	python3 "$VDT_ROOT/scripts/parse-guest.py" --kunit "${manifest[@]}" "$guest" "$console" ||
		VDT_FAILED=1
elif [ "$mode" = mutant ] && [ "${VDT_KUNIT:-0}" = 1 ]; then
	python3 "$VDT_ROOT/scripts/parse-guest.py" --kunit "$guest" "$console" || VDT_FAILED=1
else
	python3 "$VDT_ROOT/scripts/parse-guest.py" "${manifest[@]}" "$guest" "$console" || VDT_FAILED=1
fi
# (a mutant's boot runs the analyzer only when that can kill the mutant)
if [ ${#analyzer[@]} != 0 ] &&
	{ [ "$mode" != mutant ] || grep -q '^### vdt-begin tests.d/6[0-2]-analyzer' "$guest"; }; then
	python3 "$VDT_ROOT/scripts/check-trace.py" "$guest" "$OUT/qemu-trace-$variant.log" ||
		VDT_FAILED=1
fi
cases_exit
