#!/usr/bin/env python3
"""Cross-check the virtual analyzer: QEMU's trace against the guest's log.

  check-trace.py GUEST_LOG QEMU_TRACE

The guest's analyzer_test prints one "# wire: rid=... offset=... len=...
th=... ph=... prefix=... st=..." line for each write that the completer's
log (read through vfio) showed.  QEMU, started with
"-trace pcie_tph_testdev_write -D QEMU_TRACE", logs every access the
completers received, as the host sees it, outside the guest.  A DMA write
reaches the completer as several accesses: contiguous accesses with equal
attributes are merged, the way the device merges its log.  The merged trace
must be exactly the guest's list, in order: the guest cannot have seen a
hint the emulated wire did not carry, nor missed a write that happened.

Records one case, analyzer/qemu-trace, in $VDT_CASES (see lib.sh) and
prints it; exits 1 when it fails.
"""
import os
import re
import sys

FIELDS = ("rid", "offset", "len", "th", "ph", "prefix", "st")
WIRE = re.compile(r"^# wire: (.*)$")
KV = re.compile(r"(\w+)=(0x[0-9a-fA-F]+|\d+)")
TRACE = re.compile(r"pcie_tph_testdev_write\b(.*)$")


def values(text):
    kv = {k: int(v, 0) for k, v in KV.findall(text)}
    if not all(f in kv for f in FIELDS):
        return None
    return {f: kv[f] for f in FIELDS}


def wires(path):
    out = []
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            m = WIRE.match(line.strip())
            if m and values(m.group(1)):
                out.append(values(m.group(1)))
    return out


def trace(path):
    merged = []
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            m = TRACE.search(line)
            if not m:
                continue
            v = values(m.group(1))
            if v is None:
                continue
            last = merged[-1] if merged else None
            if (last and last["offset"] + last["len"] == v["offset"] and
                    all(last[k] == v[k] for k in FIELDS if k not in ("offset", "len"))):
                last["len"] += v["len"]
            else:
                merged.append(dict(v))
    return merged


def record(status, detail):
    print(f"{status.upper()}: analyzer/qemu-trace - {detail}")
    cases = os.environ.get("VDT_CASES")
    if cases:
        with open(cases, "a", encoding="utf-8") as f:
            f.write(f"{status}\tanalyzer/qemu-trace\t{detail}\n")


def show(v):
    return " ".join(f"{k}={v[k]:#x}" if k in ("rid", "offset", "st") else f"{k}={v[k]}"
                    for k in FIELDS)


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    guest, qemu = sys.argv[1:]
    if not os.path.exists(qemu):
        record("fail", f"no QEMU trace at {qemu}")
        return 1
    want, got = wires(guest), trace(qemu)
    if not want:
        record("fail", f"no '# wire:' lines in {guest}: the analyzer test did not run")
        return 1
    for i, (w, g) in enumerate(zip(want, got)):
        if w != g:
            record("fail", f"write {i + 1}: guest saw [{show(w)}], QEMU traced [{show(g)}]")
            return 1
    if len(want) != len(got):
        record("fail", f"guest saw {len(want)} writes, QEMU traced {len(got)}")
        return 1
    record("pass", f"{len(want)} writes: QEMU's trace matches the completer log the guest read")
    return 0


if __name__ == "__main__":
    sys.exit(main())
