#!/usr/bin/env bash
# The concurrency stress of issue 11 (tests/stress, tests.d/80-stress), long:
# one boot of the patched QEMU in the guest runner's "stress" mode, which
# runs only 80-stress, once per seed, each for DURATION seconds, and stops at
# the first failure.
#
#   make stress [DURATION=600] [SEEDS="1 2 3"] [STALL=30]
#
# DURATION  seconds per seed (default 600)
# SEEDS     space- or comma-separated seeds (default: one, the time)
# STALL     seconds without progress of a thread that make it a hang (30)
#
# Needs the test kernel and the test programs (make build importer; the
# kernel should have CONFIG_DETECT_HUNG_TASK).  Logs in $OUT/stress/ (out/
# stress/): console-patched.log (the kernel console: hung-task reports and
# the sysrq dumps), guest-patched.log (vfio_stress's TAP and the stuck
# threads' stacks).  Fails on a hang (vfio_stress's watchdog, the kernel's
# hung-task detector, soft lockups, RCU stalls), any other kernel report,
# a torn read or an unexpected error, and shows the evidence.
#
# Those detectors all sleep on timers: a guest whose timer interrupts stop
# (as in issue 11, where a CPU's local APIC kept the timer vector in service)
# shows none of them, the console just goes silent.  So this script watches
# the logs from the host too: after HOST_STALL seconds (default 3 * STALL,
# at least 90) without any guest output it saves QEMU's view of the CPUs
# and local APICs (monitor: info registers -a, info lapic) in
# qemu-monitor.log and injects an NMI, on which the guest panics
# (unknown_nmi_panic) and prints every task's stack, the held locks and the
# timers (panic_sys_info) before QEMU exits.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

duration=${DURATION:-600}
seeds=$(tr ', ' '  ' <<<"${SEEDS:-$(date +%s)}" | xargs)
stall=${STALL:-30}
[[ $duration =~ ^[0-9]+$ ]] && [ "$duration" -gt 0 ] || die "DURATION=$duration: want seconds"
[[ $stall =~ ^[0-9]+$ ]] && [ "$stall" -gt 0 ] || die "STALL=$stall: want seconds"
[[ $seeds =~ ^[0-9]+( [0-9]+)*$ ]] || die "SEEDS=$seeds: want numbers"
[ -f "$BUILD/arch/x86/boot/bzImage" ] || die "no kernel in $BUILD (make build)"
[ -x "$BUILD/vdt-importer/vfio_stress" ] || die "no vfio_stress in $BUILD/vdt-importer (make importer)"
[ -f "$BUILD/vdt-initramfs.cpio" ] || die "no initramfs in $BUILD (make initramfs)"
grep -q '^CONFIG_DETECT_HUNG_TASK=y' "$BUILD/.config" ||
	echo "warning: $BUILD/.config has no CONFIG_DETECT_HUNG_TASK: only vfio_stress's watchdog detects hangs" >&2

nseeds=$(wc -w <<<"$seeds")
# Boot and setup take a few minutes under TCG with KASAN; each seed its
# duration plus the watchdog's grace and the cleanup.
export QEMU_TIMEOUT=${QEMU_TIMEOUT:-$((600 + nseeds * (duration + 4 * stall + 120)))}
export VDT_OUT=$OUT/stress
mkdir -p "$VDT_OUT"
mon=$VDT_OUT/qemu-monitor.sock
rm -f "$mon" "$VDT_OUT/qemu-monitor.log"
export VDT_QEMU_ARGS="-monitor unix:$mon,server=on,wait=off"
# no_timer_check: on a loaded host TCG can fail the IO-APIC timer check at
# boot; an NMI from the host (below) panics the guest with every stack
export VDT_APPEND="no_timer_check unknown_nmi_panic panic_sys_info=tasks,locks,timers vdt.stress_duration=$duration vdt.stress_seeds=${seeds// /,} vdt.stress_stall=$stall"
echo "stress: seeds $seeds, $duration s each, stall after $stall s; QEMU time limit $QEMU_TIMEOUT s"
echo "stress: logs in $VDT_OUT"

# monitor CMD...: HMP commands to QEMU, their output on stdout
monitor() {
	python3 - "$mon" "$@" <<'PY'
import socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.settimeout(30)
def until_prompt():
    buf = b""
    while not buf.endswith(b"(qemu) "):
        chunk = s.recv(65536)
        if not chunk:
            break
        buf += chunk
    return buf.decode(errors="replace")
until_prompt()
for cmd in sys.argv[2:]:
    s.sendall(cmd.encode() + b"\n")
    out = until_prompt()
    print(f"==== {cmd}")
    print("\n".join(l for l in out.replace("\r", "").splitlines()[1:] if l != "(qemu) "))
PY
}

guest=$VDT_OUT/guest-patched.log
console=$VDT_OUT/console-patched.log
host_stall=${HOST_STALL:-$((3 * stall > 90 ? 3 * stall : 90))}
rc=0 frozen=0 nmi_at=0
"$VDT_ROOT/scripts/run-qemu.sh" patched stress &
runner=$!
last=-1 since=$(date +%s)
while kill -0 "$runner" 2>/dev/null; do
	sleep 5
	size=$(($(stat -c %s "$console" 2>/dev/null || echo 0) + $(stat -c %s "$guest" 2>/dev/null || echo 0)))
	if [ "$size" != "$last" ]; then
		last=$size since=$(date +%s)
	elif [ $frozen = 0 ] && [ $(($(date +%s) - since)) -ge "$host_stall" ] && [ -S "$mon" ]; then
		frozen=1
		echo "stress: no guest output for $host_stall s: the guest is frozen or its timers are dead"
		monitor "info cpus" "info registers -a" "info lapic 0" "info lapic 1" \
			>"$VDT_OUT/qemu-monitor.log" 2>&1 || true
		echo "stress: QEMU's CPU and local APIC state in $VDT_OUT/qemu-monitor.log; injecting an NMI"
		monitor nmi >/dev/null 2>&1 || true
		nmi_at=$(date +%s)
	elif [ $frozen = 1 ] && [ $(($(date +%s) - nmi_at)) -ge 120 ]; then
		echo "stress: the guest did not panic on the NMI within 120 s: quitting QEMU"
		monitor quit >/dev/null 2>&1 || true
		frozen=2
	fi
done
wait "$runner" || rc=$?
if [ $frozen != 0 ]; then
	case_result fail "stress/frozen-guest" "no guest output for $host_stall s (timers dead?); QEMU state: $VDT_OUT/qemu-monitor.log"
	rc=1
fi
echo "---- runs ----"
sed -n 's/^### vdt-end tests\.d\/80-stress-seed\([0-9]*\) rc=\(-\?[0-9]*\) seconds=\([0-9]*\)/seed \1: exit \2 after \3 s/p' "$guest" 2>/dev/null
grep -h '^# vfio_stress: \|^# iommufd importer\|^# [A-Za-z ]\{4,\} *ok [0-9]' "$guest" 2>/dev/null | tail -40 || true
if [ $rc != 0 ]; then
	echo "---- failures (guest: $guest) ----"
	grep -h '^not ok\|^# unexpected\|^# torn\|^# requester:' "$guest" 2>/dev/null | head -40 || true
	if grep -q '^# HANG' "$guest" 2>/dev/null; then
		echo "---- the stuck threads (guest) ----"
		sed -n '/^# HANG/,/^\(ok\|not ok\) 1 /p' "$guest" | head -200
	fi
	if [ $frozen != 0 ]; then
		echo "---- local APICs (QEMU monitor): a vector in service (ISR) on an idle CPU blocks its timer ----"
		grep -E '^==== info lapic|^(dumping local APIC|ISR|IRR|LVTT|Timer|APR)' "$VDT_OUT/qemu-monitor.log" | head -40 || true
	fi
	first=$({ grep -n -m1 -E 'blocked for more than|sysrq: Show Blocked State|soft lockup|workqueue lockup|rcu: INFO: .* stall|NMI received for unknown reason' "$console" 2>/dev/null || true; } | cut -d: -f1)
	if [ -n "$first" ]; then
		echo "---- kernel console from the first hang report ($console, line $first) ----"
		tail -n "+$first" "$console" | head -600
	fi
fi
exit $rc
