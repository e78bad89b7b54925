#!/usr/bin/env python3
"""Print the verdict of a harness run: summary.py OUT_DIR

One table (stage, result, seconds, cases), the failed cases, the start of
the first kernel report of each QEMU boot that had one, where the logs
are, then as the very last line "N passed, N failed" over all test cases
(stage checks, TAP results from the guest, KUnit cases).  Skips are counted
on the line before it.
"""
import collections
import os
import sys

# Case name prefixes of the QEMU stages, shown as sub-rows.
GROUPS = ("guest", "kselftest", "tests.d", "kunit", "console")
MAX_LISTED = 25
REPORT_LINES = 45


def main(out):
    res = os.path.join(out, "results")
    stages = []
    with open(os.path.join(res, "stages.tsv"), encoding="utf-8") as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            parts += [""] * (5 - len(parts))
            stages.append(parts[:5])

    total = collections.Counter()
    failures = []
    rows = []
    for name, status, secs, log, note in stages:
        counts = collections.Counter()
        groups = collections.OrderedDict()
        path = os.path.join(res, name + ".cases")
        if status != "blocked" and os.path.exists(path):
            with open(path, encoding="utf-8", errors="replace") as f:
                for line in f:
                    st, case, detail = (line.rstrip("\n").split("\t") + ["", ""])[:3]
                    if st not in ("pass", "fail", "skip"):
                        continue
                    counts[st] += 1
                    head = case.split(":", 1)[0]
                    group = head.split("/", 1)[0] if "/" in head else None
                    if group not in GROUPS:
                        group = None
                    if group:
                        groups.setdefault(group, collections.Counter())[st] += 1
                    if st == "fail":
                        failures.append((name, case, detail))
        total.update(counts)
        rows.append((name, status, secs, counts, note, log))
        if len(groups) > 1:
            for g, c in groups.items():
                rows.append(("  " + g, "fail" if c["fail"] else ("pass" if c["pass"] else "skip"),
                             "", c, "", ""))

    w = max([len(r[0]) for r in rows] + [5])
    print()
    print("=" * (w + 44))
    print(f"{'stage':<{w}}  {'result':<8} {'seconds':>7}  {'pass':>5} {'fail':>5} {'skip':>5}")
    print("-" * (w + 44))
    for name, status, secs, c, note, _ in rows:
        extra = f"  ({note})" if note else ""
        print(f"{name:<{w}}  {status.upper():<8} {secs:>7}  {c['pass']:>5} {c['fail']:>5} {c['skip']:>5}{extra}")
    print("-" * (w + 44))
    if failures:
        print("failed:")
        shown = collections.Counter()
        for name, case, detail in failures:
            shown[name] += 1
            if shown[name] <= MAX_LISTED:
                cut = 480 if case.startswith("console/") else 240
                print(f"  [{name}] {case}" + (f": {detail[:cut]}" if detail else ""))
        for name, n in shown.items():
            if n > MAX_LISTED:
                print(f"  [{name}] ... and {n - MAX_LISTED} more (see {out}/{name}.log)")
    for report in sorted(os.listdir(out)) if failures else ():
        if report.startswith("report-") and report.endswith(".txt"):
            with open(os.path.join(out, report), encoding="utf-8", errors="replace") as f:
                lines = f.read().splitlines()
            print(f"first kernel report of {report[7:-4]} ({os.path.join(out, report)}):")
            for line in lines[:REPORT_LINES]:
                print("  | " + line[:160])
    blocked = [r[0] for r in rows if r[1] == "blocked"]
    if blocked:
        print("not run (a stage they need failed): " + ", ".join(blocked))
    print(f"logs: {out}/<stage>.log")
    for extra in sorted(os.listdir(out)):
        if extra.startswith(("console-", "guest-")) and extra.endswith(".log"):
            print(f"  {os.path.join(out, extra)}")
    print(f"{total['skip']} skipped")
    print(f"{total['pass']} passed, {total['fail']} failed")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
