#!/usr/bin/env bash
# Self-test of the harness (`make harness-test`, and the last stage of
# `make check`).  Each case records a result; the script exits non-zero
# when one fails.
#
#   parsers        parse-guest.py, warnings.py, cover-letter.py, summary.py on
#                  fixtures (tests/harness/fixtures/); the manifest check
#                  (missing, short, unlisted tests, unexpected skips, a KUnit
#                  suite not built); a stage skipped with patches in series/
#   Makefile       every target's recipe runs scripts that exist
#   seed_build     a sandbox's O= directory copied from the main build names
#                  its own trees, has one time stamp newer than the sources,
#                  and is copied only from a build of the clean tree as it is
#   round trip     a synthetic series (it adds a new top-level directory, which
#                  Debian's .gitignore block would hide) survives
#                  export -> apply -> export byte for byte; the cover letter's
#                  subject and blurb are kept
#   unexported     apply refuses to discard commits or changes series/ lacks;
#                  FORCE=1 discards them; commits of an earlier apply are no work
#   broken patches caught by the right stage, with a message naming the patch:
#                  does not apply      -> apply
#                  checkpatch warning  -> checkpatch
#                  breaks PCIE_TPH=n   -> matrix (tph-off)
#                  new W=1 + sparse warning -> patch-compile (needs the test
#                                      kernel built: skipped before 'make build')
# Works in its own sandbox ($CACHE/build/selftest); needs the base (make base).
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/../../scripts/lib.sh"
# shellcheck source=scripts/lib-series.sh
. "$VDT_ROOT/scripts/lib-series.sh"

S=$VDT_ROOT/scripts
F=$VDT_ROOT/tests/harness/fixtures
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
ST=$CACHE/build/selftest
failed=0

ok() { case_result pass "$1" "${2:-}"; }
bad() {
	case_result fail "$1" "${2:-}"
	failed=1
}
# expect_in FILE REGEX...: every regex matches a line of FILE.
expect_in() {
	local f=$1 rx
	shift
	for rx in "$@"; do
		grep -qE -- "$rx" "$f" || { echo "missing /$rx/ in $f:"; sed 's/^/    /' "$f" | tail -20; return 1; }
	done
}
# sub NAME CMD...: run a harness script in the self-test's own environment;
# its output and the cases it records land in $T/NAME.out / $T/NAME.cases.
sub() {
	local name=$1
	shift
	: >"$T/$name.cases"
	(VDT_CASES=$T/$name.cases "$@") >"$T/$name.out" 2>&1
}

# --- parsers ---------------------------------------------------------------
rc=0
env -u VDT_CASES python3 "$S/parse-guest.py" --kunit "$F/guest.log" "$F/console.log" >"$T/pg.out" 2>&1 || rc=$?
if [ $rc = 1 ] && cat "$F/guest.expected" "$F/console.expected" | diff -u - "$T/pg.out" >"$T/pg.diff"; then
	ok "parse-guest: TAP, exit codes, hangs, KUnit leaves, console reports"
else
	cat "$T/pg.diff" "$T/pg.out" 2>/dev/null || true
	bad "parse-guest: TAP, exit codes, hangs, KUnit leaves, console reports" "exit $rc (want 1) or other cases"
fi

# The manifest: a lost case, a short plan, a new skip, a test that skips
# as a whole, a missing test (not in the kselftest list, not installed, no
# execute bit: all look like this) and an unlisted one each fail.
rc=0
env -u VDT_CASES python3 "$S/parse-guest.py" --manifest "$F/manifest" --variant patched \
	"$F/manifest-guest.log" "$F/manifest-console.log" >"$T/mf.out" 2>&1 || rc=$?
if [ $rc = 1 ] && diff -u "$F/manifest.expected" "$T/mf.out" >"$T/mf.diff"; then
	ok "manifest: missing, short, unlisted tests and unexpected skips fail"
else
	cat "$T/mf.diff" "$T/mf.out" 2>/dev/null || true
	bad "manifest: missing, short, unlisted tests and unexpected skips fail" "exit $rc (want 1) or other cases"
fi
rc=0
env -u VDT_CASES python3 "$S/parse-guest.py" --only-kunit --manifest "$F/manifest-kunit" \
	--variant patched "$F/guest.log" "$F/console.log" >"$T/mk.out" 2>&1 || rc=$?
if [ $rc = 1 ] && expect_in "$T/mk.out" \
	'^PASS: manifest/kunit/dma-buf-resv - 2 cases' \
	'^FAIL: manifest/kunit/dma-buf-pci-tph - suite did not run' &&
	! grep -q 'manifest/tests.d' "$T/mk.out"; then
	ok "manifest: a KUnit suite that was not built fails"
else
	cat "$T/mk.out"
	bad "manifest: a KUnit suite that was not built fails"
fi

# Tests split between two boots (the patched check's KUnit boot runs one
# kselftest): each boot's check covers its part; a test missing from its
# boot, or run in the other one, fails; --label names the boot in them.
rc=0
env -u VDT_CASES python3 "$S/parse-guest.py" --label kunit-boot --here kselftest/good,tests.d/60-missing \
	--manifest "$F/manifest" --variant patched \
	"$F/manifest-guest.log" "$F/manifest-console.log" >"$T/here.out" 2>&1 || rc=$?
env -u VDT_CASES python3 "$S/parse-guest.py" --elsewhere tests.d/60-missing,kselftest/good \
	--manifest "$F/manifest" --variant patched \
	"$F/manifest-guest.log" "$F/manifest-console.log" >"$T/else.out" 2>&1 || rc=$((rc + 10))
if [ $rc = 11 ] && expect_in "$T/here.out" \
	'^PASS: manifest/kselftest/good \[kunit-boot\] - 3 results' \
	'^PASS: kselftest/good \[kunit-boot\]: ok 1 good.a' \
	'^FAIL: manifest/tests.d/60-missing \[kunit-boot\] - did not run' \
	'^FAIL: manifest/kselftest/lost_case \[kunit-boot\] - ran in this boot, but another boot' &&
	! grep -q 'manifest/kselftest/lost_case.* - 2 results' "$T/here.out" &&
	expect_in "$T/else.out" \
		'^FAIL: manifest/kselftest/good - ran in this boot, but another boot' \
		'^FAIL: manifest/kselftest/lost_case - 2 results' &&
	! grep -q 'manifest/tests.d/60-missing' "$T/else.out"; then
	ok "manifest: tests split between boots are checked in their own boot"
else
	cat "$T/here.out" "$T/else.out"
	bad "manifest: tests split between boots are checked in their own boot" "exit codes $rc (want 11) or other cases"
fi

# --hung-task-note (the KUnit boot): a hung task while the built-in suites
# run is a note, one during a test a failure.
printf '%s\n' '[    1.0] INFO: task kunit_try_catch:42 blocked for more than 20 seconds.' \
	'[    2.0] vdt: begin kselftest/x' \
	'[    3.0] INFO: task x:43 blocked for more than 20 seconds.' >"$T/hung-console.log"
printf '%s\n' '### vdt-begin kselftest/x' 'ok 1 x' '### vdt-end kselftest/x rc=0' \
	'### vdt-done rc=0' >"$T/hung-guest.log"
rc=0
env -u VDT_CASES python3 "$S/parse-guest.py" --hung-task-note "$T/hung-guest.log" \
	"$T/hung-console.log" >"$T/hung.out" 2>&1 || rc=$?
if [ $rc = 1 ] && expect_in "$T/hung.out" '^NOTE: .*task kunit_try_catch:42' \
	'^FAIL: console/scan: hung task - INFO: task x:43' &&
	[ "$(grep -c '^FAIL' "$T/hung.out")" = 1 ]; then
	ok "parse-guest: --hung-task-note spares the boot, not the tests"
else
	cat "$T/hung.out"
	bad "parse-guest: --hung-task-note spares the boot, not the tests" "exit $rc (want 1) or other cases"
fi

# A stage that skips (exit 77) while series/ has patches fails, and blocks
# the stages that need it; with an empty series/ it is a skip.
cat >"$T/stage.sh" <<'STAGE'
set -euo pipefail
. "$VDT_ROOT/scripts/lib.sh"
. "$VDT_ROOT/scripts/lib-stage.sh"
OUT=$1
stages_init >/dev/null
run_stage skipper -- sh -c 'echo "SKIP: nothing to do"; exit 77' >/dev/null
run_stage after --needs skipper -- true >/dev/null
cut -f1,2 "$OUT/results/stages.tsv"
STAGE
mkdir -p "$T/series-empty"
if out=$(VDT_ROOT=$VDT_ROOT SERIES=$T/series-empty bash "$T/stage.sh" "$T/st-empty") &&
	[ "$out" = "$(printf 'skipper\tskip\nafter\tpass')" ] &&
	out=$(VDT_ROOT=$VDT_ROOT bash "$T/stage.sh" "$T/st-series") &&
	[ "$out" = "$(printf 'skipper\tfail\nafter\tblocked')" ]; then
	ok "stages: exit 77 with patches in series/ fails and blocks its dependants"
else
	bad "stages: exit 77 with patches in series/ fails and blocks its dependants" "got: $(tr '\n\t' '; ' <<<"$out")"
fi

# The side lane: its stages run beside the main line and count as if run
# in it (a failure fails the run, blocks dependants after side_wait); it
# can wait for a main-line stage (side_after) and then needs any stage the
# main line ran so far, also after side_start; a lane that dies fails the
# run even if its stages did not say so.
cat >"$T/side.sh" <<'STAGE'
set -euo pipefail
. "$VDT_ROOT/scripts/lib.sh"
. "$VDT_ROOT/scripts/lib-stage.sh"
OUT=$1
stages_init >/dev/null
lane() {
	run_stage s-ok -- true
	run_stage s-bad -- sh -c 'echo "FAIL: broken"; exit 1'
	[ "${KILL_LANE:-0}" = 0 ] || exit 3
	side_after main
	run_stage s-after --needs main,m1 -- true
}
side_start lane >/dev/null
run_stage m1 -- true >/dev/null
run_stage main -- sh -c 'sleep 1' >/dev/null
side_wait >/dev/null
run_stage after --needs s-bad -- true >/dev/null
run_stage after-ok --needs s-ok -- true >/dev/null
cut -f1,2 "$OUT/results/stages.tsv"
if finish >/dev/null; then echo verdict=pass; else echo verdict=fail; fi
STAGE
if out=$(VDT_ROOT=$VDT_ROOT bash "$T/side.sh" "$T/side-out") &&
	[ "$out" = "$(printf 'm1\tpass\nmain\tpass\ns-ok\tpass\ns-bad\tfail\ns-after\tpass\nafter\tblocked\nafter-ok\tpass\nverdict=fail')" ] &&
	out=$(KILL_LANE=1 VDT_ROOT=$VDT_ROOT bash "$T/side.sh" "$T/side-out2") &&
	grep -qx $'side-lane\tfail' <<<"$out" && grep -qx 'verdict=fail' <<<"$out" &&
	grep -q '^fail' "$T/side-out2/results/side-lane.cases"; then
	ok "stages: the side lane's results count like the main line's"
else
	bad "stages: the side lane's results count like the main line's" "got: $(tr '\n\t' '; ' <<<"$out")"
fi

printf 'a.c:1:2: warning: x [-Wfoo]\nb.c:3:4: warning: y\n' >"$T/w-old"
printf 'a.c:9:2: warning: x [-Wfoo]\na.c:9:9: warning: x [-Wfoo]\nb.c:8:4: warning: y\n' >"$T/w-new"
if out=$(python3 "$S/warnings.py" new --kind gcc "$T/w-old" "$T/w-new"); then
	bad "warnings.py: a second copy of a known warning is new" "not reported"
elif [ "$out" = "a.c:9:9: warning: x [-Wfoo]" ] &&
	python3 "$S/warnings.py" new --kind sparse "$T/w-old" "$T/w-new" >/dev/null; then
	ok "warnings.py: moved warnings are old, a second copy is new"
else
	bad "warnings.py: moved warnings are old, a second copy is new" "got: $out"
fi

mkdir -p "$T/out/results"
printf 'a\tpass\t1\t-\t\nb\tfail\t2\t-\t\n' >"$T/out/results/stages.tsv"
printf 'pass\tx\t\npass\ty\t\nskip\tz\t\n' >"$T/out/results/a.cases"
printf 'fail\tw\tbroken\n' >"$T/out/results/b.cases"
printf 'BUG: KASAN: wild-memory-access in do_raw_spin_lock+0x1/0x2\nCall Trace:\n' \
	>"$T/out/report-patched.txt"
python3 "$S/summary.py" "$T/out" >"$T/summary.out"
if [ "$(tail -n 1 "$T/summary.out")" = "2 passed, 1 failed" ] && grep -qx '1 skipped' "$T/summary.out"; then
	ok "summary: last line is 'N passed, N failed'"
else
	cat "$T/summary.out"
	bad "summary: last line is 'N passed, N failed'"
fi
# A CI log shows only the summary: the kernel report must be in it
if grep -q '^first kernel report of patched' "$T/summary.out" &&
	grep -qx '  | BUG: KASAN: wild-memory-access in do_raw_spin_lock+0x1/0x2' "$T/summary.out"; then
	ok "summary: prints the start of a boot's first kernel report"
else
	cat "$T/summary.out"
	bad "summary: prints the start of a boot's first kernel report"
fi

# EXTRA_GUEST_TESTS: executables (only) join tests.d in the image; no clashes.
mkdir -p "$T/extra" "$T/build"
printf '#!/bin/sh\necho "1..1"\necho "ok 1 outside test"\n' >"$T/extra/99-outside"
chmod +x "$T/extra/99-outside"
echo "not a test" >"$T/extra/data.txt"
if BUILD=$T/build EXTRA_GUEST_TESTS=$T/extra sub initramfs "$S/mkinitramfs.sh" &&
	cpio -it --quiet <"$T/build/vdt-initramfs.cpio" >"$T/cpio.list" &&
	grep -qx 'vdt/tests/99-outside' "$T/cpio.list" && ! grep -q 'data.txt' "$T/cpio.list" &&
	grep -qx 'init' "$T/cpio.list" && grep -qx 'bin/busybox' "$T/cpio.list"; then
	ok "EXTRA_GUEST_TESTS: its executables go into the guest image with tests.d"
else
	cat "$T/initramfs.out"
	bad "EXTRA_GUEST_TESTS: its executables go into the guest image with tests.d"
fi
first=$(ls "$VDT_ROOT/tests/guest/tests.d" | head -1)
if [ -n "$first" ]; then
	cp "$T/extra/99-outside" "$T/extra/$first"
	if ! BUILD=$T/build EXTRA_GUEST_TESTS=$T/extra sub clash "$S/mkinitramfs.sh" &&
		expect_in "$T/clash.out" "two guest tests are named $first"; then
		ok "EXTRA_GUEST_TESTS: a name clash with tests.d is an error"
	else
		bad "EXTRA_GUEST_TESTS: a name clash with tests.d is an error"
	fi
fi

# --- Makefile: every target runs scripts that exist ------------------------
targets=$(sed -n '/^\.PHONY:/,/[^\\]$/p' "$VDT_ROOT/Makefile" | tr -d '\\' | sed 's/\.PHONY://')
broken=""
for t in $targets; do
	if ! make -n -s --no-print-directory -C "$VDT_ROOT" "$t" >"$T/make-n.out" 2>&1; then
		broken+="$t (make -n fails) "
		continue
	fi
	for w in $(awk '{ sub(/;$/, "", $1); print $1 }' "$T/make-n.out"); do
		case $w in */*) [ -x "$VDT_ROOT/$w" ] || broken+="$t ($w) " ;; esac
	done
done
if [ -n "$targets" ] && [ -z "$broken" ]; then
	ok "Makefile: each of the $(wc -w <<<"$targets") targets runs scripts that exist"
else
	bad "Makefile: each of the $(wc -w <<<"$targets") targets runs scripts that exist" "missing: ${broken:-no .PHONY targets found}"
fi

# --- seed_build (lib.sh): a sandbox's first O= directory as a copy --------
# A fake build of a one-file tree: Kbuild's .cmd names the sources by
# absolute path, an object holds the path as data, vdt-* are the run's own.
sd=$T/seed
mkdir -p "$sd/a/work/src" "$sd/a/build/o/vdt-importer"
echo 'int x;' >"$sd/a/work/src/x.c"
git -C "$sd/a/work/src" init -q
git -C "$sd/a/work/src" add x.c
git -C "$sd/a/work/src" commit -q -m x
src_a=$sd/a/work/src src_b=$sd/b/work/src
printf 'savedcmd_x.o := gcc -I%s/include -c -o x.o %s/x.c\n' "$src_a" "$src_a" >"$sd/a/build/o/.x.o.cmd"
printf 'obj\0%s\0' "$src_a" >"$sd/a/build/o/x.o"
: >"$sd/a/build/o/vmlinux"
ln -s "$src_a" "$sd/a/build/o/source"
tree_state "$src_a" >"$sd/a/build/o/vdt-built-from"
git clone -q "$src_a" "$src_b"
seed_build "$sd/a/build/o" "$src_a" "$sd/b/build/o" "$src_b" >"$T/seed.out" 2>&1 || true
o=$sd/b/build/o
if grep -qF "gcc -I$src_b/include -c -o x.o $src_b/x.c" "$o/.x.o.cmd" 2>/dev/null &&
	cmp -s "$sd/a/build/o/x.o" "$o/x.o" && [ "$(readlink "$o/source")" = "$src_b" ] &&
	[ ! -e "$o/vdt-importer" ] && [ ! -e "$o/vdt-built-from" ] &&
	[ -z "$(find "$o" ! -newer "$src_b/x.c")" ] &&
	[ "$(find "$o" -printf '%T@\n' | sort -u | wc -l)" = 1 ]; then
	ok "seed_build: the copy names its own tree, has one time stamp newer than the sources, and none of the run's files"
else
	cat "$T/seed.out"
	ls -la --time-style=full-iso "$o" "$src_b" 2>&1 | sed 's/^/    /'
	bad "seed_build: the copy names its own tree, has one time stamp newer than the sources, and none of the run's files"
fi
# main_build_current: only a finished build of the clean tree as it is now
current_of() {
	local WORK=$1 BUILD=$2
	main_build_current
}
seeds=""
! current_of "$src_a" "$sd/a/build/o" || seeds+=clean,
echo 'int y;' >>"$src_a/x.c"
! current_of "$src_a" "$sd/a/build/o" || seeds+=dirty,
tree_state "$src_a" >"$sd/a/build/o/vdt-built-from"	# a build of the dirty tree
! current_of "$src_a" "$sd/a/build/o" || seeds+=dirty-build,
git -C "$src_a" commit -q -a -m y
! current_of "$src_a" "$sd/a/build/o" || seeds+=newer-commit,
if [ "$seeds" = clean, ]; then
	ok "seed_build: copied only from a build of the clean tree as it is (not dirty, not of a dirty tree, not of an older commit)"
else
	bad "seed_build: copied only from a build of the clean tree as it is (not dirty, not of a dirty tree, not of an older commit)" "also copied when: $seeds"
fi

# --- a synthetic series ----------------------------------------------------
base=$(base_commit)
export CHECK_ROOT=$ST
# shellcheck source=scripts/lib-sandbox.sh
. "$S/lib-sandbox.sh"
sandbox_prepare
sandbox_checkout "$base"
D="Mon, 2 Nov 2026 10:00:00 +0000"
# commit_change SUBJECT: commit what is staged in the sandbox, fixed dates.
commit_change() {
	git -C "$SB_SRC" add -A -f
	GIT_AUTHOR_DATE=$D GIT_COMMITTER_DATE=$D git -C "$SB_SRC" commit -q -m "$1" -m \
		"Harness self-test change; never part of a real series.

Signed-off-by: $VDT_GIT_NAME <$VDT_GIT_EMAIL>"
}
# make_series DIR: format-patch the sandbox's commits on the base into DIR.
make_series() {
	mkdir -p "$1"
	git -C "$SB_SRC" format-patch -q "${FORMAT_PATCH_OPTS[@]}" -o "$1" "$base..HEAD"
}

# Round trip: new top-level directory + an edit; then export with a cover letter.
mkdir -p "$SB_SRC/vdt-selftest"
printf 'harness self-test\n' >"$SB_SRC/vdt-selftest/README"
commit_change "selftest: Add a file in a new top-level directory"
printf '\n' >>"$SB_SRC/MAINTAINERS"
commit_change "MAINTAINERS: Add an empty line"
make_series "$T/rt-raw"
RT_WORK=$ST/work/applied
export WORK=$RT_WORK SERIES=$T/rt
mkdir -p "$SERIES"
cp "$T"/rt-raw/*.patch "$SERIES/"
if FORCE=1 sub rt-apply "$S/apply.sh" && sub rt-export "$S/export.sh" &&
	[ -f "$SERIES/0000-cover-letter.patch" ] &&
	git -C "$WORK" ls-files --error-unmatch vdt-selftest/README >/dev/null 2>&1; then
	ok "apply + export of a series that adds a new top-level directory"
else
	cat "$T/rt-apply.out" "$T/rt-export.out"
	bad "apply + export of a series that adds a new top-level directory"
fi
# Hand-written cover letter text must survive.
sed -i -e 's/\*\*\* SUBJECT HERE \*\*\*/selftest: a two-patch series/' \
	-e 's/\*\*\* BLURB HERE \*\*\*/This text was written by hand.\n\nIt has two paragraphs./' \
	"$SERIES/0000-cover-letter.patch"
cp -r "$SERIES" "$T/rt-before"
if sub rt-apply2 "$S/apply.sh" && sub rt-export2 "$S/export.sh" &&
	diff -r "$T/rt-before" "$SERIES" >"$T/rt.diff" && sub rt-check "$S/check-export.sh"; then
	ok "export right after apply leaves series/ byte-identical (cover letter text kept)"
else
	cat "$T/rt.diff" "$T/rt-check.out" 2>/dev/null
	bad "export right after apply leaves series/ byte-identical (cover letter text kept)"
fi

# Unexported work: a local commit and a local change are protected.
echo "local edit" >>"$WORK/README"
if ! sub unexp1 "$S/apply.sh" && expect_in "$T/unexp1.out" 'would lose' 'M README'; then
	ok "apply refuses to discard uncommitted changes"
else
	bad "apply refuses to discard uncommitted changes"
fi
git -C "$WORK" commit -q -am "local: not exported"
if ! sub unexp2 "$S/apply.sh" && expect_in "$T/unexp2.out" 'local: not exported is not in'; then
	ok "apply refuses to discard commits that series/ lacks"
else
	bad "apply refuses to discard commits that series/ lacks"
fi
if FORCE=1 sub unexp3 "$S/apply.sh" && [ -z "$(git -C "$WORK" status --porcelain)" ]; then
	ok "FORCE=1 apply discards them"
else
	cat "$T/unexp3.out"
	bad "FORCE=1 apply discards them"
fi

# --- broken patches ---------------------------------------------------------
# 1. does not apply: a good patch whose context was changed.
sandbox_checkout "$base"
printf '\n/* harness self-test */\n' >>"$SB_SRC/drivers/pci/pci.c"
commit_change "PCI: Add a comment for the harness self-test"
printf '/* harness self-test: second */\n' >>"$SB_SRC/drivers/pci/pci.c"
commit_change "PCI: Add a second comment for the harness self-test"
make_series "$T/na-raw"
export SERIES=$T/na
mkdir -p "$SERIES"
cp "$T"/na-raw/0001-*.patch "$SERIES/"
sed 's|^ /\* harness self-test \*/$| /* something else */|' "$T"/na-raw/0002-*.patch \
	>"$SERIES/$(basename "$T"/na-raw/0002-*.patch)"
na=$(basename "$T"/na-raw/0002-*.patch)
if ! sub na "$S/apply.sh" &&
	expect_in "$T/na.out" "FAIL: patch $na \(\"PCI: Add a second comment for the harness self-test\"\) does not apply" &&
	expect_in "$T/na.cases" "^fail	$na	"; then
	ok "a patch that does not apply fails 'apply', which names it"
else
	bad "a patch that does not apply fails 'apply', which names it"
fi

# 2. a checkpatch warning (a comment line over 100 columns).
sandbox_checkout "$base"
printf '\n/* harness self-test: this comment line is deliberately longer than one hundred columns, so checkpatch warns */\n' \
	>>"$SB_SRC/drivers/pci/pci.c"
commit_change "PCI: Add an overlong comment"
export SERIES=$T/cp
make_series "$SERIES"
cpn=$(basename "$SERIES"/0001-*.patch)
if ! sub cp-apply "$S/apply.sh"; then
	cat "$T/cp-apply.out"
	bad "a checkpatch warning fails 'checkpatch', which names the patch" "apply failed (a series applied before must be replaced without FORCE)"
elif sub cp "$S/checkpatch.sh" ||
	! expect_in "$T/cp.out" "FAIL: checkpatch --strict: $cpn \(\"PCI: Add an overlong comment\"\): 0 errors, 1 warnings" ||
	! expect_in "$T/cp.cases" "^fail	$cpn: checkpatch	"; then
	bad "a checkpatch warning fails 'checkpatch', which names the patch"
else
	ok "a checkpatch warning fails 'checkpatch', which names the patch"
fi

# 3. breaks the build only with CONFIG_PCIE_TPH=n.
sandbox_checkout "$base"
cat >>"$SB_SRC/drivers/pci/pci.c" <<'EOF'

#ifndef CONFIG_PCIE_TPH
/* Harness self-test: this only breaks the build when CONFIG_PCIE_TPH=n. */
int pci_vdt_selftest_no_tph(void);
int pci_vdt_selftest_no_tph(void)
{
	return vdt_selftest_undeclared;
}
#endif
EOF
commit_change "PCI: Break the build without TPH"
export SERIES=$T/tph
make_series "$SERIES"
tpn=$(basename "$SERIES"/0001-*.patch)
if ! sub tph-apply "$S/apply.sh"; then
	cat "$T/tph-apply.out"
	bad "a patch that breaks CONFIG_PCIE_TPH=n fails 'matrix', which names it" "apply failed"
elif MATRIX=tph-off sub tph "$S/matrix.sh" ||
	! expect_in "$T/tph.out" "FAIL: matrix tph-off \(configs/matrix/tph-off.config\): $tpn \(\"PCI: Break the build without TPH\"\) breaks the build" \
		"drivers/pci/pci.c:[0-9]+:[0-9]+: error: .vdt_selftest_undeclared. undeclared" ||
	! expect_in "$T/tph.cases" "^fail	tph-off: build	$tpn"; then
	bad "a patch that breaks CONFIG_PCIE_TPH=n fails 'matrix', which names it"
else
	ok "a patch that breaks CONFIG_PCIE_TPH=n fails 'matrix', which names it"
fi

# 4. (when the test kernel is built) a new W=1 and sparse warning.
if [ -f "$BUILD/.config" ] && [ -f "$BUILD/drivers/pci/.pci.o.cmd" ]; then
	sandbox_checkout "$base"
	printf '\nint pci_vdt_selftest_no_prototype(void)\n{\n\treturn 0;\n}\n' >>"$SB_SRC/drivers/pci/pci.c"
	commit_change "PCI: Add a function without a prototype"
	export SERIES=$T/w1
	make_series "$SERIES"
	w1n=$(basename "$SERIES"/0001-*.patch)
	if ! sub w1-apply "$S/apply.sh"; then
		cat "$T/w1-apply.out"
		bad "a new W=1 and sparse warning fails 'patch-compile', which names the patch" "apply failed"
	elif sub w1 "$S/compile-patches.sh" ||
		! expect_in "$T/w1.out" \
			"FAIL: $w1n \(\"PCI: Add a function without a prototype\"\): new W=1 warning\(s\) in drivers/pci/pci.c" \
			"no previous prototype for .pci_vdt_selftest_no_prototype." \
			"FAIL: $w1n \(\"PCI: Add a function without a prototype\"\): new sparse warning\(s\) in drivers/pci/pci.c" \
			"symbol 'pci_vdt_selftest_no_prototype' was not declared" ||
		! expect_in "$T/w1.cases" "^pass	$w1n: build	" "^fail	$w1n: W=1	" "^fail	$w1n: sparse	"; then
		bad "a new W=1 and sparse warning fails 'patch-compile', which names the patch"
	else
		ok "a new W=1 and sparse warning fails 'patch-compile', which names the patch"
	fi
elif [ -n "${VDT_STAGE:-}" ]; then
	# In make check the stage needs the build: a missing one is a bug
	bad "a new W=1 and sparse warning fails 'patch-compile', which names the patch" "no test kernel in $BUILD although make check built it"
else
	case_result skip "a new W=1 and sparse warning fails 'patch-compile'" "no test kernel built in $BUILD yet"
fi

# --- posting: tests/harness/posting-cases.sh ---------------------------------
# shellcheck source=tests/harness/posting-cases.sh
. "$VDT_ROOT/tests/harness/posting-cases.sh"
# --- end of posting ------------------------------------------------------------

echo "Output of the harness scripts run above (indented):"
for f in "$T"/*.out; do
	echo "  ---- $(basename "$f")"
	sed 's/^/    /' "$f"
done
sandbox_checkout "$base" || true
exit $failed
