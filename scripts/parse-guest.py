#!/usr/bin/env python3
"""Count what a guest run proved.

  parse-guest.py [--kunit | --only-kunit] [--label NAME] [--hung-task-note]
                 [--manifest FILE --variant patched|stock [--extra NAME,...]
                  [--here NAME,... | --elsewhere NAME,...]]
                 GUEST_LOG CONSOLE_LOG

GUEST_LOG is the test runner's output (tests/guest/run-tests.sh): tests
between "### vdt-begin NAME" and "### vdt-end NAME rc=N" lines.  Every
top-level TAP result line ("ok N ...", "not ok N ...") of a test is one test
case; "# SKIP" (and "not ok ... # TODO") counts as skipped.  The exit status
counts too: 4 is the kselftest "skip" code; any other non-zero status fails
the test even when all its TAP lines passed; a test without TAP lines is one
case decided by its exit status.  A test without its end line (guest hung or
crashed) fails.

CONSOLE_LOG is the kernel console.  With --kunit the KTAP of the built-in
KUnit suites is counted (each leaf test case; parameterised cases count per
parameter).  Every run scans it for kernel reports (KASAN, lockdep, BUG,
WARNING, Oops, ...): each report is a failed case ("console/NAME: ...").
--hung-task-note prints hung-task reports from before the first test as
notes instead: for the KUnit boot, whose built-in suites run in the boot
task before the kernel command line's sysctl.* settings apply, and where
one upstream dma-buf case blocks for minutes under TCG; a suite that really
hangs there is still caught, as its results are missing (--manifest) when
QEMU's time limit ends the boot.  A hung task during a test still fails.

A TAP plan ("1..N") that disagrees with the number of results fails the
test.  With --manifest FILE --variant patched|stock, the tests and KUnit
suites that ran are compared with the manifest (tests/manifest): a listed
test that is missing or prints another number of results, an unlisted
test (except the --extra ones, EXTRA_GUEST_TESTS), and a skip the manifest
does not allow all fail.  When a check's tests are split between two
boots, each boot's log is checked for its part: --here NAME,... checks
only those manifest tests (and, with --only-kunit, the suites too), and
--elsewhere NAME,... all tests but those; a test that ran in the wrong
boot fails as well.

A report's case names the test that was running and the first frames of
its call trace; with $VDT_REPORT set, the first report's lines go to that
file too (scripts/summary.py prints them at the end of a check).

Cases go to $VDT_CASES (tab separated: status, name, detail) and stdout.
"""
import os
import re
import sys

TS = re.compile(r"^\[\s*\d+\.\d+\]\s?")
TAP = re.compile(r"^(not ok|ok)\b\s*(\d+)?\s*(?:-\s*)?(.*?)\s*(?:#\s*(.*))?$")
BEGIN = re.compile(r"^### vdt-begin (\S+)")
END = re.compile(r"^### vdt-end (\S+) rc=(-?\d+)(?: seconds=(\d+))?")

# Kernel reports that fail a run.  Only kernel lines (with a printk
# timestamp) are scanned, so test programs may print these words freely.
REPORTS = [
    (re.compile(r"BUG: KASAN: "), "KASAN"),
    (re.compile(r"BUG: KFENCE: "), "KFENCE"),
    (re.compile(r"UBSAN: "), "UBSAN"),
    (re.compile(r"WARNING: possible circular locking dependency"), "lockdep"),
    (re.compile(r"WARNING: possible recursive locking"), "lockdep"),
    (re.compile(r"WARNING: inconsistent lock state"), "lockdep"),
    (re.compile(r"WARNING: suspicious RCU usage"), "lockdep/RCU"),
    (re.compile(r"INFO: lockdep is turned off"), "lockdep off"),
    (re.compile(r"INFO: trying to register non-static key"), "lockdep off"),
    (re.compile(r"Disabling lock debugging due to kernel taint"), "lockdep off"),
    (re.compile(r"BUG: MAX_LOCK"), "lockdep off"),
    (re.compile(r"DEBUG_LOCKS_WARN_ON"), "lockdep"),
    (re.compile(r"BUG: sleeping function called from invalid context"), "might_sleep"),
    (re.compile(r"BUG: scheduling while atomic"), "atomic"),
    (re.compile(r"BUG: workqueue lockup"), "workqueue lockup"),
    (re.compile(r"\bBUG: "), "BUG"),
    (re.compile(r"kernel BUG at "), "BUG"),
    (re.compile(r"WARNING: "), "WARNING"),
    (re.compile(r"\bOops\b"), "Oops"),
    (re.compile(r"general protection fault"), "GPF"),
    (re.compile(r"Unable to handle kernel"), "Oops"),
    (re.compile(r"Kernel panic"), "panic"),
    (re.compile(r"refcount_t: "), "refcount"),
    (re.compile(r"list_(add|del) corruption"), "list corruption"),
    (re.compile(r"INFO: task .* blocked for more than"), "hung task"),
    (re.compile(r"sysrq: Show Blocked State"), "hang (blocked tasks dumped)"),
    (re.compile(r"rcu: INFO: .* stall"), "RCU stall"),
    (re.compile(r"watchdog: BUG: soft lockup"), "soft lockup"),
]

cases = []
# " [LABEL]" after the names of test and manifest cases when --label names
# the boot (the patched check's KUnit boot runs tests too, some of them
# also in the test boot): a failure then says which boot it came from.
BOOT = ""
# What ran: test name -> {"results": [(status, desc, directive)], "rc": int|None,
# "plan_skip": str|None}; KUnit suite -> [(status, case)]
ran = {}
suites = {}


def case(status, name, detail=""):
    cases.append((status, name, detail))


def tcase(status, name, detail=""):
    """A case of a test or of the manifest: named after the boot too."""
    head, sep, rest = name.partition(": ")
    case(status, f"{head}{BOOT}{sep}{rest}", detail)


def emit():
    path = os.environ.get("VDT_CASES")
    out = open(path, "a", encoding="utf-8") if path else None
    for status, name, detail in cases:
        detail = detail.replace("\t", " ").replace("\n", " ")
        print(f"{status.upper()}: {name}" + (f" - {detail}" if detail else ""))
        if out:
            out.write(f"{status}\t{name}\t{detail}\n")
    if out:
        out.close()


def tap_status(word, directive):
    d = (directive or "").strip().upper()
    if d.startswith("SKIP"):
        return "skip"
    if word == "not ok" and d.startswith("TODO"):
        return "skip"
    return "pass" if word == "ok" else "fail"


def parse_guest(path):
    try:
        lines = open(path, encoding="utf-8", errors="replace").read().splitlines()
    except FileNotFoundError:
        tcase("fail", "guest/runner", f"no guest output ({path})")
        return
    cur = None
    body = []
    done = False
    for raw in lines:
        line = raw.rstrip("\r")
        m = BEGIN.match(line)
        if m:
            if cur:
                finish_test(cur, body, None)
            cur, body = m.group(1), []
            continue
        m = END.match(line)
        if m and cur == m.group(1):
            finish_test(cur, body, int(m.group(2)), m.group(3))
            cur, body = None, []
            continue
        if line.startswith("### vdt-done"):
            done = True
            continue
        if cur is not None:
            body.append(line)
    if cur:
        finish_test(cur, body, None)
    if not done:
        tcase("fail", "guest/runner", "the guest did not finish (no '### vdt-done'): crash, hang or time-out; see the console log")


def finish_test(name, body, rc, secs=None):
    if name == "setup":
        name = "guest/setup"
    results = []
    plan_skip = None
    plan = None
    for line in body:
        m = re.match(r"^1\.\.(\d+)\b", line)
        if m and plan is None:
            plan = int(m.group(1))
        m = TAP.match(line)
        if m:
            results.append((tap_status(m.group(1), m.group(4)),
                            f"{m.group(1)} {m.group(2) or ''} {m.group(3)}".replace("  ", " ").strip(),
                            m.group(4) or ""))
            continue
        m = re.match(r"^1\.\.0\s*#\s*(?:SKIP|skip)\s*(.*)$", line)
        if m:
            plan_skip = m.group(1) or "skipped"
        if line.startswith("Bail out!"):
            results.append(("fail", line, ""))
    took = f" ({secs} s)" if secs is not None else ""
    ran[name] = {"results": results, "rc": rc, "plan_skip": plan_skip}
    if rc is not None and plan is not None and plan != len(results):
        tcase("fail", f"{name}: TAP plan", f"plan 1..{plan} but {len(results)} results")
    if rc is None:
        for st, desc, d in results:
            tcase(st, f"{name}: {desc}", d)
        tcase("fail", f"{name}", "did not finish (guest crashed, hung or timed out); see the console log")
        return
    if not results:
        if rc == 0 and plan_skip is not None:
            tcase("skip", name, plan_skip)
        elif rc == 0:
            tcase("pass", name, f"exit 0{took}")
        elif rc == 4:
            tcase("skip", name, f"exit 4 (kselftest skip){took}")
        else:
            tcase("fail", name, f"exit {rc}{took}" + (" (killed by the time limit)" if rc == 137 else ""))
        return
    for st, desc, d in results:
        tcase(st, f"{name}: {desc}", d)
    if rc not in (0, 4) and not any(st == "fail" for st, _, _ in results):
        tcase("fail", f"{name}: exit status", f"exit {rc} although every TAP line passed{took}")


def kernel_lines(path):
    out = []
    for raw in open(path, encoding="utf-8", errors="replace").read().splitlines():
        line = raw.rstrip("\r")
        m = TS.match(line)
        if m:
            out.append(line[m.end():])
    return out


def first_test(klines):
    """Index of the first test's "vdt: begin" line (or the end): what the
    boot did before the tests ends there."""
    return next((i for i, l in enumerate(klines) if l.startswith("vdt: begin ")), len(klines))


def parse_kunit(klines):
    """Leaf results of the KTAP the built-in KUnit suites print at boot.

    A result line closes the subtests indented deeper than it, so a result
    is a leaf unless the result right before it is indented deeper.  Leaves
    are named after their suite (the next result at indent 0)."""
    start = next((i for i, l in enumerate(klines) if l.strip().startswith("KTAP version")), None)
    if start is None:
        case("fail", "kunit/run", "no KTAP output on the console (KUnit did not run?)")
        return
    # The suites built into the kernel ran before the first test; what a
    # test loads later (KUnit test modules) is that test's business.
    end = first_test(klines)
    pending = []
    prev_indent = None
    n = 0
    for l in klines[start:end]:
        indent = len(l) - len(l.lstrip(" "))
        m = TAP.match(l.strip())
        if not m:
            continue
        st, name, d = tap_status(m.group(1), m.group(4)), m.group(3), m.group(4) or ""
        leaf = prev_indent is None or prev_indent <= indent
        prev_indent = indent
        if indent > 0:
            if leaf:
                pending.append((st, name, d))
            continue
        if leaf and not pending:
            pending.append((st, name, d))  # a suite without cases (skipped)
        for pst, pname, pd in pending:
            case(pst, f"kunit/{name}: {pname}", pd)
            suites.setdefault(name, []).append((pst, pname))
            n += 1
        pending = []
    for pst, pname, pd in pending:
        case("fail", f"kunit/?: {pname}", "suite did not finish")
        n += 1
    if n == 0:
        case("fail", "kunit/run", "KTAP output without test cases")


# Frames of a report's stack that only say how it was printed
NOISE = re.compile(r"^(dump_stack|print_report|print_address|kasan_|__asan_|__kasan|"
                   r"check_memory_region|report_bug|__warn|warn_|handle_bug|exc_|asm_exc_|"
                   r"show_stack|__dump_stack|lockdep_|__lock_acquire|lock_acquire)")
FRAME = re.compile(r"^\s*(?:\?\s*)?([A-Za-z_][\w.]*)\+0x[0-9a-f]+/0x[0-9a-f]+")


def report_context(klines, i):
    """Where a report came from: the test that was running (tests/guest
    writes "vdt: begin NAME" to the kernel log) and the first frames of
    its call trace, so that a report in a CI log can be read without the
    console log."""
    test = None
    for l in klines[:i]:
        if l.startswith("vdt: begin "):
            test = l.split()[2]
        elif l.startswith("vdt: end "):
            test = None
    frames = []
    for l in klines[i + 1:i + 80]:
        if l.startswith(("---[ end trace", "vdt: ")) or any(rx.search(l) for rx, _ in REPORTS):
            break
        m = FRAME.match(l)
        if m and not l.lstrip().startswith("?") and not NOISE.match(m.group(1)):
            frames.append(m.group(1))
        if len(frames) == 8:
            break
    where = f"during {test}" if test else "outside the tests"
    return f" [{where}; " + (" < ".join(frames) if frames else "no call trace") + "]"


def scan_console(klines, label, notes=()):
    """Fail on kernel reports; those of a kind in NOTES, before the first
    test began, are only printed."""
    hits = []
    first = first_test(klines)
    for i, l in enumerate(klines):
        for rx, kind in REPORTS:
            if rx.search(l):
                if kind in notes and i < first:
                    print(f"NOTE: console/{label}: {kind} - {l.strip()[:200]}")
                else:
                    hits.append((i, kind, l.strip()))
                break
    if not hits:
        case("pass", f"console/{label}", "no KASAN, lockdep, BUG, WARNING, Oops or panic reports")
        return
    for i, kind, l in hits[:20]:
        case("fail", f"console/{label}: {kind}", l[:200] + report_context(klines, i))
    excerpt = os.environ.get("VDT_REPORT")
    if excerpt:
        with open(excerpt, "w", encoding="utf-8") as f:
            f.write("\n".join(klines[hits[0][0]:hits[0][0] + 60]) + "\n")
    if len(hits) > 20:
        case("fail", f"console/{label}: more", f"{len(hits) - 20} more reports")


def read_manifest(path, variant):
    """Expected tests, suites and allowed skips of one QEMU variant."""
    col = {"patched": 2, "stock": 3}[variant]
    tests, kunit, skips = {}, {}, []
    for n, raw in enumerate(open(path, encoding="utf-8"), 1):
        line = raw.split("#", 1)[0].strip() if not raw.lstrip().startswith("skip") else raw.strip()
        if not line or line.startswith("#"):
            continue
        f = line.split()
        if f[0] in ("test", "kunit") and len(f) == 4:
            if f[col] != "-":
                (tests if f[0] == "test" else kunit)[f[1]] = f[col]
        elif f[0] == "skip" and len(f) >= 4:
            if f[1] in ("both", variant):
                skips.append((f[2], re.compile(f[3])))
        else:
            raise SystemExit(f"{path}:{n}: cannot parse: {raw.rstrip()}")
    return tests, kunit, skips


def check_manifest(path, variant, check_tests, check_kunit, extra=(), here=(), elsewhere=()):
    tests, kunit, skips = read_manifest(path, variant)
    where = f"{os.path.basename(path)}, {variant} QEMU"
    for name in (*here, *elsewhere):
        if name not in tests:
            tcase("fail", f"manifest/{name}", f"split between boots, but {where} does not list it")
    other = {n for n in tests if (here and n not in here) or n in elsewhere}
    for name, want in (tests if check_tests else {}).items():
        if name in other:
            continue
        got = ran.get(name)
        if got is None:
            tcase("fail", f"manifest/{name}", f"did not run ({where} expects it)")
            continue
        if want == "skip":
            if got["results"] or (got["plan_skip"] is None and got["rc"] != 4):
                tcase("fail", f"manifest/{name}", f"ran {len(got['results'])} cases; {where} expects a skip")
            else:
                tcase("pass", f"manifest/{name}", "skipped as expected")
            continue
        if len(got["results"]) != int(want):
            tcase("fail", f"manifest/{name}", f"{len(got['results'])} results, {where} expects {want}")
            continue
        bad = [desc for st, desc, _ in got["results"]
               if st == "skip" and not any(t == name and rx.search(desc) for t, rx in skips)]
        if bad:
            tcase("fail", f"manifest/{name}", f"{len(bad)} skips not allowed by {where}, first: {bad[0]}")
            continue
        tcase("pass", f"manifest/{name}", f"{want} results, skips as allowed")
    for name in ran if check_tests else ():
        if name in other:
            tcase("fail", f"manifest/{name}", "ran in this boot, but another boot of the run has it")
        elif name != "guest/setup" and name not in tests and name not in extra:
            tcase("fail", f"manifest/{name}", f"ran but is not in {where}: add it there")
    if not check_kunit:
        return
    for name, want in kunit.items():
        got = suites.get(name)
        if got is None:
            tcase("fail", f"manifest/kunit/{name}", f"suite did not run ({where} expects {want} cases)")
        elif len(got) != int(want):
            tcase("fail", f"manifest/kunit/{name}", f"{len(got)} cases, {where} expects {want}")
        elif any(st == "skip" and not any(t == f"kunit/{name}" and rx.search(c) for t, rx in skips)
                 for st, c in got):
            tcase("fail", f"manifest/kunit/{name}", f"a case skipped that {where} does not allow")
        else:
            tcase("pass", f"manifest/kunit/{name}", f"{want} cases")
    for name in suites:
        if name not in kunit:
            tcase("fail", f"manifest/kunit/{name}", f"ran but is not in {where}: add it there")


def main(argv):
    global BOOT
    args, kunit, label, manifest, variant, only_kunit = [], False, "scan", None, None, False
    extra, notes, here, elsewhere = (), (), (), ()
    rest = argv[1:]
    while rest:
        a = rest.pop(0)
        if a == "--kunit":
            kunit = True
        elif a == "--label":
            label = rest.pop(0)
            BOOT = f" [{label}]"
        elif a == "--manifest":
            manifest = rest.pop(0)
        elif a == "--variant":
            variant = rest.pop(0)
        elif a == "--only-kunit":
            only_kunit = kunit = True
        elif a == "--hung-task-note":
            notes = ("hung task",)
        elif a in ("--here", "--elsewhere"):
            names = tuple(n for n in rest.pop(0).split(",") if n)
            if a == "--here":
                here = names
            else:
                elsewhere = names
        elif a == "--extra":
            extra = tuple(f"tests.d/{t}" for t in rest.pop(0).split(",") if t)
        else:
            args.append(a)
    if len(args) != 2:
        sys.exit(__doc__)
    guest, console = args
    parse_guest(guest)
    try:
        klines = kernel_lines(console)
    except FileNotFoundError:
        case("fail", "console/read", f"no console log {console}")
        klines = None
    if klines is not None:
        if kunit:
            parse_kunit(klines)
        scan_console(klines, label, notes)
    if manifest:
        if variant not in ("patched", "stock"):
            sys.exit("--manifest needs --variant patched|stock")
        if here and elsewhere:
            sys.exit("--here and --elsewhere exclude each other")
        check_manifest(manifest, variant, not only_kunit or bool(here), kunit, extra, here, elsewhere)
    emit()
    return 1 if any(st == "fail" for st, _, _ in cases) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
