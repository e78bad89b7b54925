#!/usr/bin/env python3
"""Which warnings does a build (or kernel-doc run) add to its baseline?

  warnings.py new [--kind gcc|sparse|doc|any] [--strip PREFIX]... BASE_LOG NEW_LOG

Prints the lines of NEW_LOG that carry a warning or error the BASE_LOG does
not have, and exits 1 if there are any (0 otherwise).  Warnings are compared
without line and column numbers (a patch moves code), as a multiset (a
second copy of an old warning is new), with the path prefixes given by
--strip removed and hex offsets of objtool messages masked.
  gcc     compiler diagnostics ("... [-Wfoo]") and objtool
  sparse  the other "file:line:col: warning/error:" lines (sparse's)
  doc     kernel-doc's "Warning: file:line message"
"""
import collections
import re
import sys

COLOR = re.compile(r"\x1b\[[0-9;]*[mK]")
CC = re.compile(r"^(?P<path>[^\s:]+):(?P<line>\d+):(?:(?P<col>\d+):)? (?P<kind>warning|error): (?P<msg>.*)$")
OBJTOOL = re.compile(r"^(?P<path>[^\s:]+): (?P<kind>warning|error): objtool: (?P<msg>.*)$")
DOC = re.compile(r"^(?P<kind>Warning|warning|Error|error): (?P<path>[^\s:]+):(?P<line>\d+):? (?P<msg>.*)$")


def classify(line, strips):
    line = COLOR.sub("", line.rstrip("\n"))
    for rx, kind in ((OBJTOOL, "gcc"), (CC, None), (DOC, "doc")):
        m = rx.match(line)
        if not m:
            continue
        msg = m.group("msg")
        if kind is None:
            kind = "gcc" if re.search(r"\[-W[^\]]*\]$", msg) else "sparse"
        path = m.group("path")
        for s in strips:
            if path.startswith(s):
                path = path[len(s):]
        path = re.sub(r"^(\.\./)+work/[^/]+/", "", path)
        msg = re.sub(r"\+0x[0-9a-f]+(/0x[0-9a-f]+)?", "+X", msg)
        return kind, f"{path}: {m.group('kind').lower()}: {msg}", line
    return None


def load(path, kind, strips):
    out = []
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            for line in f:
                c = classify(line, strips)
                if c and (kind == "any" or c[0] == kind):
                    out.append(c)
    except FileNotFoundError:
        pass
    return out


def main(argv):
    args = argv[1:]
    if not args or args[0] != "new":
        sys.exit(__doc__)
    args = args[1:]
    kind, strips, files = "any", [], []
    while args:
        a = args.pop(0)
        if a == "--kind":
            kind = args.pop(0)
        elif a == "--strip":
            strips.append(args.pop(0))
        else:
            files.append(a)
    if len(files) != 2:
        sys.exit(__doc__)
    base = collections.Counter(k for _, k, _ in load(files[0], kind, strips))
    new = []
    for _, key, line in load(files[1], kind, strips):
        if base[key] > 0:
            base[key] -= 1
        else:
            new.append(line)
    for line in new:
        print(line)
    return 1 if new else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
