#!/bin/bash
# End-to-end check of pcie-tph-testdev (0002) on the patched QEMU, no guest:
# qtest plays the guest.  It programs ECAM, a root port + x3130 switch with
# two testdevs (completer on dp1, requester on dp2), has the requester DMA
# into the completer's BAR2 under the TPH rules, and reads the completer's
# log back.  Also checks End-End TLP Prefix support on the path,
# x-eetlp-prefix=off (0003) and x-acs (0006).  Takes about a second.
#
# Usage: tests/qemu/smoke-tph-testdev.sh [/path/to/qemu-system-x86_64]
# (default: the cached binary of build-qemu.sh, of the series that
# VDT_QEMU_SERIES names there; `make check` runs it so, as its qemu-smoke
# stage).  Prints one PASS/FAIL line per check; exit status 0 iff all
# passed.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
if [[ $# -ge 1 ]]; then
	qemu=$1
else
	qemu=$("$here/build-qemu.sh") || { echo "FAIL: build-qemu.sh failed"; exit 2; }
fi
[[ -x $qemu ]] || { echo "FAIL: not executable: $qemu"; exit 2; }
tmp=$(mktemp -d)
qpid=
cleanup() {
	if [[ -n $qpid ]] && kill -0 "$qpid" 2>/dev/null; then
		kill "$qpid" 2>/dev/null || true
		wait "$qpid" 2>/dev/null || true
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT

fails=0 passes=0
pass() { printf 'PASS: %s\n' "$*"; passes=$((passes + 1)); }
fail() { printf 'FAIL: %s\n' "$*"; fails=$((fails + 1)); }
die() {
	printf 'FAIL: %s\n' "$*"
	[[ -s $tmp/stderr ]] && tail -n 20 "$tmp/stderr" | sed 's/^/  qemu: /'
	exit 1
}
# check NAME GOT EXPECTED (numbers, compared numerically, printed in hex)
check() {
	if (($2 == $3)); then
		pass "$(printf '%s = 0x%x' "$1" "$2")"
	else
		fail "$(printf '%s = 0x%x, expected 0x%x' "$1" "$2" "$3")"
	fi
}

# Topology: as in the harness, with fixed addresses for the root port.
# Bus numbers are programmed below: rp5 -> 1, usp -> 2, dp1 -> 3, dp2 -> 4.
rom_line=$("$here/qemu-args.sh")
read -r -a rom_args <<<"$rom_line"
# shellcheck disable=SC2054 # commas belong to -device option strings
args=(-machine q35 -accel qtest -nodefaults -display none -monitor none
	-serial none -qtest stdio -qtest-log /dev/null "${rom_args[@]}"
	-device pcie-root-port,id=rp5,bus=pcie.0,addr=0x5,chassis=5,slot=5,x-tph-completer=3
	-device x3130-upstream,id=usp,bus=rp5
	-device xio3130-downstream,id=dp1,bus=usp,addr=0x0,chassis=6,slot=0
	-device xio3130-downstream,id=dp2,bus=usp,addr=0x1,chassis=7,slot=1,x-acs=on
	-device pcie-tph-testdev,id=cpl,bus=dp1,x-tph-completer=3,x-eetlp-prefix=off
	-device pcie-tph-testdev,id=req,bus=dp2,x-tph-requester=on
	-trace 'pcie_tph_testdev_*' -D "$tmp/trace.log")

trap '' PIPE	# a dead QEMU makes qt() fail with a message, not kill us
coproc QT { exec "$qemu" "${args[@]}" 2>"$tmp/stderr"; }
qpid=$QT_PID
exec {qin}>&"${QT[1]}" {qout}<&"${QT[0]}"

val=0
# qt CMD...: send one qtest command, require "OK", leave the value in $val
qt() {
	local reply
	printf '%s\n' "$*" >&"$qin" || die "qemu gone (command: $*)"
	IFS= read -r -t 10 reply <&"$qout" || die "no reply to: $*"
	[[ $reply == OK* ]] || die "qtest '$*' replied '$reply'"
	reply=${reply#OK}
	val=$((${reply:-0}))
}

readonly ECAM=0xb0000000
ecam() { echo $((ECAM + ($1 << 20) + ($2 << 15) + ($3 << 12) + $4)); }
cfg_rl() { qt readl "$(ecam "$@")"; }		# bus dev fn reg
cfg_wl() { qt writel "$(ecam "$1" "$2" "$3" "$4")" "$5"; }
cfg_ww() { qt writew "$(ecam "$1" "$2" "$3" "$4")" "$5"; }
rl() { qt readl "$1"; }
wl() { qt writel "$1" "$2"; }

# Enable ECAM at 0xb0000000 (256 MiB): MCH PCIEXBAR, 00:00.0 0x60.
qt outl 0xcf8 0x80000064
qt outl 0xcfc 0
qt outl 0xcf8 0x80000060
qt outl 0xcfc $((ECAM | 1))

# Bridges: bus numbers, 32-bit memory window, memory + bus master.
# Completer BARs 0xc0000000 (4K) / 0xc0010000 (64K) under dp1,
# requester BARs 0xc0100000 / 0xc0110000 under dp2.
bridge() {	# bus dev primary secondary subordinate membase memlimit
	cfg_wl "$1" "$2" 0 0x18 $(($3 | $4 << 8 | $5 << 16))
	cfg_wl "$1" "$2" 0 0x20 $(($6 >> 16 | ($7 & 0xfff00000)))
	cfg_ww "$1" "$2" 0 0x04 0x6
}
bridge 0 5 0 1 4 0xc0000000 0xc01fffff		# rp5
bridge 1 0 1 2 4 0xc0000000 0xc01fffff		# usp
bridge 2 0 2 3 3 0xc0000000 0xc00fffff		# dp1
bridge 2 1 2 4 4 0xc0100000 0xc01fffff		# dp2

readonly CPL_BUS=3 REQ_BUS=4
readonly CPL_BAR0=0xc0000000 CPL_BAR2=0xc0010000
readonly REQ_BAR0=0xc0100000 REQ_BAR2=0xc0110000
cfg_rl $CPL_BUS 0 0 0; check 'completer 03:00.0 vendor:device' $val 0x10f01af4
cfg_rl $REQ_BUS 0 0 0; check 'requester 04:00.0 vendor:device' $val 0x10f01af4
cfg_rl $CPL_BUS 0 0 8; check 'class code/revision' $val 0xff000001
cfg_wl $CPL_BUS 0 0 0x10 $CPL_BAR0
cfg_wl $CPL_BUS 0 0 0x18 $CPL_BAR2
cfg_ww $CPL_BUS 0 0 0x04 0x2			# memory
cfg_wl $REQ_BUS 0 0 0x10 $REQ_BAR0
cfg_wl $REQ_BUS 0 0 0x18 $REQ_BAR2
cfg_ww $REQ_BUS 0 0 0x04 0x6			# memory + bus master
cfg_rl $CPL_BUS 0 0 0x10; check 'completer BAR0 (4 KiB, 32-bit mem)' $val $CPL_BAR0
cfg_rl $CPL_BUS 0 0 0x18; check 'completer BAR2 (64 KiB, 32-bit mem)' $val $CPL_BAR2

# ext_cap BUS DEV ID: offset of extended capability ID in $val, 0 if none
ext_cap() {
	local p=0x100
	while ((p)); do
		cfg_rl "$1" "$2" 0 "$p"
		(((val & 0xffff) == $3)) && { val=$p; return; }
		p=$(((val >> 20) & 0xffc))
	done
	val=0
}

# Config space: DEVCAP2 (PCIe cap at 0x80) and the TPH Requester capability.
ext_cap $REQ_BUS 0 0x17; tph=$val
check 'requester TPH Requester capability offset' $tph 0x100

# End-End TLP Prefix support along the path (pcie_cap_init of 7.2 and 10.0:
# DEVCAP2 EETLPP on every v2 capability, DEVCTL2 EETLPPB writable) and on the
# completer with x-eetlp-prefix=off (bit clear, blocking bit read-only 0).
exp_cap() {	# bus dev: offset of the PCI Express capability in $val
	local p
	cfg_rl "$1" "$2" 0 0x34; p=$((val & 0xfc))
	while ((p)); do
		cfg_rl "$1" "$2" 0 "$p"
		(((val & 0xff) == 0x10)) && { val=$p; return; }
		p=$(((val >> 8) & 0xfc))
	done
	val=0
}
eetlp() {	# name bus dev expected-EETLPP expected-EETLPPB-after-write
	local e
	exp_cap "$2" "$3"; e=$val
	cfg_rl "$2" "$3" 0 $((e + 0x24))
	check "$1 DEVCAP2 EETLPP" $(((val >> 21) & 1)) "$4"
	cfg_ww "$2" "$3" 0 $((e + 0x28)) 0x8000
	cfg_rl "$2" "$3" 0 $((e + 0x28))
	check "$1 DEVCTL2 EETLPPB after writing 1" $(((val >> 15) & 1)) "$5"
	cfg_ww "$2" "$3" 0 $((e + 0x28)) 0
}
eetlp 'rp5 (pcie-root-port)' 0 5 1 1
eetlp 'usp (x3130-upstream)' 1 0 1 1
eetlp 'dp1 (xio3130-downstream)' 2 0 1 1
eetlp 'requester (testdev, default)' $REQ_BUS 0 1 1
eetlp 'completer (testdev, x-eetlp-prefix=off)' $CPL_BUS 0 0 0

# ACS (0006): the downstream port with x-acs=on has the capability a
# downstream port must implement, after AER; the one without has none.
ext_cap 2 1 0x0d; acs=$val
check 'dp2 (x-acs=on) ACS capability offset' "$acs" 0x148
cfg_rl 2 1 0 $((acs + 4))
check 'dp2 ACS capability SV TB RR CR UF DT, control 0' $val 0x5f
cfg_ww 2 1 0 $((acs + 6)) 0x1d
cfg_rl 2 1 0 $((acs + 4))
check 'dp2 ACS control after enabling SV RR CR UF' $(((val >> 16) & 0xffff)) 0x1d
ext_cap 2 0 0x0d; check 'dp1 (no x-acs) ACS capability offset' $val 0

cfg_rl $CPL_BUS 0 0 $((0x80 + 0x24))
check 'completer DEVCAP2 (EFF, TPH completer 11b; no EETLPP/max)' $val 0x00103000
cfg_rl $REQ_BUS 0 0 $((tph + 4)); check 'TPH capability register' $val 0x00030307
cfg_rl $CPL_BUS 0 0 0x100; check 'completer has no extended capability' $val 0

rl $CPL_BAR0; check 'completer ID' $val 0x31485054
rl $((CPL_BAR0 + 4)); check 'completer VERSION' $val 1

# dma CTRL DESC LEN PATTERN ADDR: set TPH control, run one DMA, read
# STATUS/SENT of the requester and LOG_COUNT of the completer.
dma() {
	wl $((CPL_BAR0 + 0x104)) 1			# LOG_CLEAR
	cfg_wl $REQ_BUS 0 0 $((tph + 8)) "$1"
	qt writeq $((REQ_BAR0 + 0x08)) "$5"		# DMA_ADDR, 8-byte access
	wl $((REQ_BAR0 + 0x10)) "$3"
	wl $((REQ_BAR0 + 0x14)) "$4"
	wl $((REQ_BAR0 + 0x18)) "$2"
	wl $((REQ_BAR0 + 0x1c)) 1
	rl $((REQ_BAR0 + 0x20)); status=$val
	rl $((REQ_BAR0 + 0x24)); sent=$val
	rl $((CPL_BAR0 + 0x100)); count=$val
}
# log_entry N: read completer log entry N into e_off e_len e_flags e_st e_rid e_nacc
log_entry() {
	local base=$((CPL_BAR0 + 0x800 + 32 * $1))
	rl $base; e_off=$val
	rl $((base + 4)); e_len=$val
	rl $((base + 8)); e_flags=$val
	rl $((base + 12)); e_st=$((val & 0xffff)); e_rid=$((val >> 16))
	rl $((base + 16)); e_nacc=$val
}
readonly RID=0x0400		# requester 04:00.0
CTRL_DS=0x2 EN_TPH=0x100 EN_EXT=0x300
TH=0x1 EXT=0x8 TABLE=0x10 PH2=0x4

echo '# 1. Extended TPH: Requester Enable 11b, DS mode, EXT, PH=2, ST=0xbeef'
dma $((EN_EXT | CTRL_DS)) $((0xbeef << 16 | EXT | PH2 | TH)) 64 0x10 $((CPL_BAR2 + 0x100))
check 'STATUS (DONE, MEMTX_OK)' $status 0x1
check 'SENT (TH, PH=2, prefix, ST=0xbeef)' $sent 0xbeef000d
check 'LOG_COUNT' $count 1
log_entry 0
check 'log offset' $e_off 0x100
check 'log len' $e_len 64
check 'log flags (TH, PH=2, prefix, RID valid)' $e_flags 0x2d
check 'log ST[15:0]' $e_st 0xbeef
check 'log requester_id (04:00.0)' $e_rid $RID
check 'log nacc (8-byte accesses merged)' $e_nacc 8
rl $((CPL_BAR2 + 0x100)); check 'payload bytes 0..3' $val 0x13121110
rl $((CPL_BAR2 + 0x13c)); check 'payload bytes 60..63' $val 0x4f4e4d4c

echo '# 2. TPH only: Requester Enable 01b, EXT requested -> no prefix, ST[7:0]'
dma $((EN_TPH | CTRL_DS)) $((0xbeef << 16 | EXT | PH2 | TH)) 13 0 $((CPL_BAR2 + 0x201))
check 'STATUS (DONE, PREFIX_SUPPRESSED)' $status 0x201
check 'SENT (TH, PH=2, ST=0xef)' $sent 0x00ef0005
check 'LOG_COUNT' $count 1
log_entry 0
check 'log offset/len (unaligned 13 bytes)' $((e_off << 16 | e_len)) $((0x201 << 16 | 13))
check 'log flags (TH, PH=2, RID valid)' $e_flags 0x25
check 'log ST (ST[7:0] only)' $e_st 0xef
check 'log nacc (1+2+4+4+2 bytes merged)' $e_nacc 5

echo '# 3. Requester Enable 00b -> no hints'
dma $CTRL_DS $((0xbeef << 16 | EXT | PH2 | TH)) 8 0 $CPL_BAR2
check 'STATUS (DONE, HINT_SUPPRESSED)' $status 0x101
check 'SENT' $sent 0
log_entry 0
check 'log flags (RID valid only)' $e_flags 0x20
check 'log ST' $e_st 0

echo '# 4. ST table: entry 2 = 0x1234, TABLE descriptor'
cfg_ww $REQ_BUS 0 0 $((tph + 0xc + 2 * 2)) 0x1234
dma $((EN_EXT | CTRL_DS)) $((2 << 16 | TABLE | EXT | TH)) 16 0 $CPL_BAR2
check 'SENT (TH, prefix, ST=table[2])' $sent 0x12340009
log_entry 0
check 'log flags/ST' $((e_flags << 16 | e_st)) $((0x29 << 16 | 0x1234))
dma $((EN_EXT | CTRL_DS)) $((4 << 16 | TABLE | EXT | TH)) 16 0 $CPL_BAR2
check 'index 4 of 4: STATUS (DONE, BAD_INDEX), no DMA' $((status << 8 | count)) $((0x401 << 8))
cfg_ww $REQ_BUS 0 0 $((tph + 0xc + 2 * 3)) 0x5678
dma $((EN_EXT | 0x1)) $((3 << 16 | TH)) 16 0 $CPL_BAR2
check 'Interrupt Vector mode: index 3 -> table[3] = 0x5678, no prefix' $sent 0x00780001

echo '# 5. No ST mode: TH/PH sent, ST = 0'
dma $EN_EXT $((0xbeef << 16 | EXT | PH2 | TH)) 8 0 $CPL_BAR2
check 'SENT (TH, PH=2, prefix, ST=0)' $sent 0x0000000d

echo '# 6. Errors'
dma $((EN_EXT | CTRL_DS)) $TH 4097 0 $CPL_BAR2
check 'DMA_LEN 4097: STATUS (DONE, BAD_LEN), no DMA' $((status << 8 | count)) $((0x801 << 8))
dma $((EN_EXT | CTRL_DS)) $TH 8 0 $REQ_BAR2
check 'DMA into own BAR2: STATUS result MEMTX_ACCESS_ERROR (re-entrancy guard)' $status 0x41
cfg_ww $REQ_BUS 0 0 0x04 0x2
dma $((EN_EXT | CTRL_DS)) $TH 8 0 $CPL_BAR2
check 'bus master off: STATUS (DONE, MEMTX_DECODE_ERROR), no log' $((status << 8 | count)) $((0x21 << 8))
cfg_ww $REQ_BUS 0 0 0x04 0x6

echo '# 7. CPU (qtest) writes: unspecified attrs, merged'
wl $((CPL_BAR0 + 0x104)) 1
wl $((CPL_BAR2 + 0x40)) 0x11111111
wl $((CPL_BAR2 + 0x44)) 0x22222222
rl $((CPL_BAR0 + 0x100)); check 'LOG_COUNT' $val 1
log_entry 0
check 'log len/flags/nacc' $((e_len << 16 | e_flags << 8 | e_nacc)) $((8 << 16 | 0x10 << 8 | 2))

echo '# 8. FLR on the requester clears its TPH control and registers'
cfg_rl $REQ_BUS 0 0 $((0x80 + 4)); check 'DEVCAP FLR' $(((val >> 28) & 1)) 1
cfg_ww $REQ_BUS 0 0 $((0x80 + 8)) 0x8000		# DEVCTL Initiate FLR
cfg_rl $REQ_BUS 0 0 $((tph + 8)); check 'TPH control after FLR' $val 0
cfg_rl $REQ_BUS 0 0 $((tph + 0xc)); check 'ST table[0..1] after FLR' $val 0
cfg_wl $REQ_BUS 0 0 0x10 $REQ_BAR0		# FLR cleared BARs and command
cfg_ww $REQ_BUS 0 0 0x04 0x2
rl $((REQ_BAR0 + 0x24)); check 'SENT after FLR' $val 0
rl $((REQ_BAR0 + 0x10)); check 'DMA_LEN after FLR' $val 0

# Stop QEMU (SIGTERM flushes the trace log), then look at the trace.
exec {qin}>&-
kill "$qpid" 2>/dev/null || true
wait "$qpid" 2>/dev/null || true
qpid=
if grep -q 'pcie_tph_testdev_write rid=0x0400 offset=0x100 len=8 th=1 ph=2 prefix=1 st=0xbeef' "$tmp/trace.log"; then
	pass "trace: $(grep -m1 'pcie_tph_testdev_write rid=0x0400 offset=0x100 ' "$tmp/trace.log")"
else
	fail "trace: no pcie_tph_testdev_write line for case 1 in $tmp/trace.log"
	sed 's/^/  trace: /' "$tmp/trace.log" | head -5
fi
if grep -q 'pcie_tph_testdev_doorbell rid=0x0400 .* sent=0xbeef000d status=0x00000001' "$tmp/trace.log"; then
	pass "trace: $(grep -m1 'pcie_tph_testdev_doorbell' "$tmp/trace.log")"
else
	fail 'trace: no pcie_tph_testdev_doorbell line for case 1'
fi

# Realize checks, each a separate short QEMU run.
realize() {	# EXPECT DESC -device-args...; EXPECT "ok" or an error substring
	local expect=$1 desc=$2 out rc=0
	shift 2
	out=$(echo quit | timeout 30 "$qemu" -machine q35 -accel tcg -S \
		-nodefaults -display none -monitor stdio "${rom_args[@]}" \
		"$@" 2>&1) || rc=$?
	if [[ $expect == ok ]] && ((rc == 0)); then
		pass "realize: $desc"
	elif [[ $expect != ok ]] && ((rc != 0)) && [[ $out == *"$expect"* ]]; then
		pass "realize: $desc fails: $(grep -m1 -o "$expect.*" <<<"$out")"
	else
		fail "realize: $desc: exit $rc: $(tail -n 2 <<<"$out" | tr '\n' ' ')"
	fi
}
realize ok 'pcie-tph-testdev as RCiEP on pcie.0, requester + completer' \
	-device pcie-tph-testdev,x-tph-requester=on,x-tph-completer=1
realize ok 'pcie-root-port,x-eetlp-prefix=off' \
	-device pcie-root-port,chassis=1,x-eetlp-prefix=off
realize 'x-eetlp-prefix=off needs a version 2 PCI Express capability' \
	'pci-testdev,x-eetlp-prefix=off' -device pci-testdev,x-eetlp-prefix=off
realize 'x-eetlp-prefix=off needs a version 2 PCI Express capability' \
	'e1000e (v1 capability),x-eetlp-prefix=off' -device e1000e,x-eetlp-prefix=off

printf '%s: %d passed, %d failed\n' "$( ((fails)) && echo FAIL || echo PASS)" \
	"$passes" "$fails"
((fails == 0))
