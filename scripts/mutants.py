#!/usr/bin/env python3
"""Verdicts and the result table of scripts/mutants.sh.

  mutants.py verdict CASES KILLED_BY [CASE_RE]
      One mutant's boot: CASES is the case file (tab separated: status,
      name, detail) that scripts/run-qemu.sh and parse-guest.py wrote.
      Prints "killed<TAB>CASE - DETAIL" when a failed case belongs to one
      of the tests in KILLED_BY (space separated names as parse-guest.py
      gives them: kselftest/X, tests.d/X, kunit/SUITE) and, with CASE_RE,
      its name matches that regular expression; or when the guest crashed,
      hung or timed out, or the console scan found a kernel report.
      Otherwise "survived<TAB>WHY" (WHY names the other failures, or says
      that a Killed-by test did not run).
  mutants.py control CASES TESTS
      The unmutated tree: "pass<TAB>N cases" when nothing failed and every
      test of TESTS ran at least one case, else "fail<TAB>WHY".
  mutants.py table RESULTS
      RESULTS has one line per mutant: name, result, build s, boot s,
      detail, behaviour.  Prints the table and "N killed, N survived".
"""
import re
import sys

CRASH_PREFIXES = ("guest/boot-", "guest/runner", "console/")


def read_cases(path):
    cases = []
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            for line in f:
                parts = line.rstrip("\n").split("\t")
                if len(parts) >= 2:
                    cases.append((parts[0], parts[1], parts[2] if len(parts) > 2 else ""))
    except FileNotFoundError:
        pass
    return cases


def belongs(name, test):
    return name == test or name.startswith(test + ":")


def crash(name, detail):
    return name.startswith(CRASH_PREFIXES) or detail.startswith("did not finish")


def verdict(path, killed_by, case_re):
    cases = read_cases(path)
    if not cases:
        return "survived", f"no results ({path} is empty: did QEMU start?)"
    tests = killed_by.split()
    rx = re.compile(case_re) if case_re else None
    fails = [(n, d) for s, n, d in cases if s == "fail"]
    for n, d in fails:
        if any(belongs(n, t) for t in tests) and (rx is None or rx.search(n) or crash(n, d)):
            return "killed", f"{n}" + (f" - {d}" if d else "")
    for n, d in fails:
        if crash(n, d):
            return "killed", f"{n}" + (f" - {d}" if d else "") + " (crash/hang/kernel report)"
    missing = [t for t in tests if not any(belongs(n, t) for _, n, _ in cases)]
    if missing:
        return "survived", f"did not run: {' '.join(missing)}"
    if fails:
        own = [n for n, _ in fails if any(belongs(n, t) for t in tests)]
        if own:
            return "survived", f"failed, but not as Case: {case_re} says: {own[0]}"
        return "survived", f"only other tests failed: {fails[0][0]}"
    return "survived", "every case of " + " ".join(tests) + " passed"


def control(path, tests):
    cases = read_cases(path)
    if not cases:
        return "fail", f"no results ({path} is empty)"
    fails = [(n, d) for s, n, d in cases if s == "fail"]
    if fails:
        n, d = fails[0]
        return "fail", f"{len(fails)} failed, first: {n}" + (f" - {d}" if d else "")
    missing = [t for t in tests.split()
               if not any(belongs(n, t) and s == "pass" for s, n, _ in cases)]
    if missing:
        return "fail", f"no passing case of: {' '.join(missing)}"
    return "pass", f"{len(cases)} cases, none failed"


def clip(s, n):
    return s if len(s) <= n else s[: n - 3] + "..."


def table(path):
    rows = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            p = line.rstrip("\n").split("\t")
            if len(p) >= 6:
                rows.append(p)
    w = max([len(r[0]) for r in rows] + [6])
    out = [f"{'mutant':<{w}}  {'result':<8}  {'build':>5}  {'boot':>5}  {'total':>5}  killed by (first failed case) / why not"]
    killed = survived = errors = 0
    total = 0
    for name, result, build, boot, detail, breaks in rows:
        b, q = int(build or 0), int(boot or 0)
        total += b + q
        out.append(f"{name:<{w}}  {result.upper():<8}  {b:>5}  {q:>5}  {b + q:>5}  {clip(detail, 110)}")
        out.append(f"{'':<{w}}    breaks: {breaks}")
        if result == "killed":
            killed += 1
        elif result == "survived":
            survived += 1
        elif result == "error":
            errors += 1
    out.append(f"(seconds: build = apply + kernel/modules + test modules + image; boot = QEMU run; "
               f"sum {total} s)")
    tail = f"{killed} killed, {survived} survived"
    if errors:
        tail += f", {errors} errors (mutant or control that did not build/apply or a failing control)"
    out.append(tail)
    print("\n".join(out))


def main(argv):
    if len(argv) >= 2 and argv[1] == "verdict" and len(argv) in (4, 5):
        print("\t".join(verdict(argv[2], argv[3], argv[4] if len(argv) == 5 else "")))
    elif len(argv) == 4 and argv[1] == "control":
        print("\t".join(control(argv[2], argv[3])))
    elif len(argv) == 3 and argv[1] == "table":
        table(argv[2])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
