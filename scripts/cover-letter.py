#!/usr/bin/env python3
"""Carry the hand-written parts of a cover letter over to a new export.

  cover-letter.py prefix FILE        print the subject prefix of a patch mail
                                     ("PATCH", "PATCH v2", "RFC PATCH", ...)
  cover-letter.py merge NEW [OLD]    NEW is what `git format-patch --cover-letter`
                                     just wrote (with "*** SUBJECT HERE ***" and
                                     "*** BLURB HERE ***"); put OLD's subject and
                                     blurb in their place (in place).  Without
                                     OLD, or when OLD still has the placeholders,
                                     NEW keeps the placeholders.

The result is a fixed point: merging a file with itself changes nothing, so
`make apply && make export` leaves series/ byte-identical.
"""
import re
import sys

SUBJECT_PH = "*** SUBJECT HERE ***"
BLURB_PH = "*** BLURB HERE ***"
SHORTLOG_HEAD = re.compile(r"^\S.* \(\d+\):$")


def read(path):
    with open(path, encoding="utf-8", newline="") as f:
        return f.read()


def split_mail(text):
    """Return (header lines, body lines) of a mail (no mbox magic)."""
    lines = text.split("\n")
    end = lines.index("")
    return lines[:end], lines[end + 1:]


def header(headers, name):
    """Unfolded value of a header, or None."""
    out = None
    for i, line in enumerate(headers):
        if line.lower().startswith(name.lower() + ":"):
            out = line[len(name) + 1:].strip()
            for cont in headers[i + 1:]:
                if cont[:1] in (" ", "\t"):
                    out += " " + cont.strip()
                else:
                    break
            return out
    return out


def subject_parts(subject):
    """'[PATCH v2 0/3] text' -> ('PATCH v2', 'text')."""
    m = re.match(r"^\[([^\]]*)\]\s*(.*)$", subject or "")
    if not m:
        return "PATCH", subject or ""
    tag = re.sub(r"\s*\d+/\d+\s*$", "", m.group(1)).strip()
    return tag or "PATCH", m.group(2)


def is_tail(body, i):
    """True when body[i:] is what format-patch puts after the blurb:
    shortlog blocks, a diffstat, base-commit lines and the signature."""
    j = i
    n = len(body)
    blocks = 0
    while j < n and SHORTLOG_HEAD.match(body[j]):
        j += 1
        if j >= n or not body[j].startswith("  "):
            return False
        while j < n and body[j].startswith("  "):
            j += 1
        if j < n and body[j] == "":
            j += 1
        blocks += 1
    if blocks == 0:
        return False
    # Whatever follows is diffstat, base-commit lines and the signature.
    signature = False
    for line in body[j:]:
        if signature or line == "" or line.startswith(" ") \
                or line.startswith(("base-commit: ", "prerequisite-patch-id: ")):
            continue
        if line == "-- ":
            signature = True
            continue
        return False
    return True


def old_parts(path):
    """(subject text, blurb lines) of an existing cover letter."""
    text = read(path)
    if text.startswith("From "):
        text = text.split("\n", 1)[1]
    headers, body = split_mail(text)
    _, subject = subject_parts(header(headers, "Subject"))
    start = next((i for i in range(len(body)) if is_tail(body, i)), None)
    if start is None:
        sys.exit(f"{path}: cannot find the shortlog that ends the blurb")
    blurb = body[:start]
    while blurb and blurb[-1] == "":
        blurb.pop()
    return subject, blurb


def merge(new_path, old_path):
    new = read(new_path)
    if old_path is None:
        return
    subject, blurb = old_parts(old_path)
    if subject == SUBJECT_PH and blurb == [BLURB_PH]:
        return
    lines = new.split("\n")
    out = []
    in_headers = True
    for line in lines:
        if in_headers and line.startswith("Subject: ") and SUBJECT_PH in line:
            line = line.replace(SUBJECT_PH, subject)
        elif in_headers and line == "":
            in_headers = False
        elif not in_headers and line == BLURB_PH:
            out.extend(blurb)
            continue
        out.append(line)
    with open(new_path, "w", encoding="utf-8", newline="") as f:
        f.write("\n".join(out))


def main(argv):
    if len(argv) >= 3 and argv[1] == "prefix":
        text = read(argv[2])
        if text.startswith("From "):
            text = text.split("\n", 1)[1]
        headers, _ = split_mail(text)
        print(subject_parts(header(headers, "Subject"))[0])
        return 0
    if len(argv) in (3, 4) and argv[1] == "merge":
        merge(argv[2], argv[3] if len(argv) == 4 else None)
        return 0
    sys.exit(__doc__)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
