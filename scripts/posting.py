#!/usr/bin/python3
"""Helpers of the posting flow (scripts/posting.sh, scripts/check-posting.sh).

Run with the Python b4 is installed for (Debian's /usr/bin/python3): the
cover letter is written in b4's own format with b4's own functions.

  posting.py ident FROM              "Name <addr>" -> two lines: name, address;
                                     refuses the placeholder and example.* domains
  posting.py resign NAME ADDR        commit message on stdin -> stdout: every
                                     placeholder identity becomes NAME <ADDR>,
                                     NAME's Signed-off-by ends the trailers, once
  posting.py version COVER           "<revision> <extra prefixes...>" of a cover letter
  posting.py cover COVER REV CHANGE_ID PREFIXES HISTORY_JSON CHANGES
                                     the message of b4's cover-letter commit
                                     (strategy "commit"): the subject and blurb of
                                     series/'s cover letter, the "Changes in vREV"
                                     section (CHANGES: a file, may be empty) and
                                     b4's tracking data
  posting.py has-changes COVER REV  exit 0 when the blurb has a hand-written
                                     "Changes in vREV" (or "since vREV-1") section
  posting.py tagmsg COVER BASE CHANGE_ID FILES_ID
                                     the message of a version tag: the cover's
                                     subject and blurb, then b4's base-commit: and
                                     change-id: lines (and the files' hash)
  posting.py nobase-template         b4's cover letter template without its
                                     base-commit: line
  posting.py changes REV RANGEDIFF LINK
                                     a "Changes in vREV" list made from a
                                     `git range-diff --no-color` output
  posting.py headers EML...          one line per message, tab separated:
                                     file, counter, subject, from, to, cc, base-commit
                                     (addresses lower-case, comma separated;
                                     "-" for an empty field)
  posting.py scan EML...             list each placeholder identity or example.*
                                     address found in a message (headers decoded);
                                     exit 1 if any
"""
import sys

# This directory holds a warnings.py of its own: keep it from shadowing the
# standard library's.
if sys.path and sys.path[0] == __import__("os").path.dirname(__import__("os").path.abspath(__file__)):
    sys.path.pop(0)

import email  # noqa: E402
import email.policy
import email.utils
import importlib.util
import json
import os
import re

PLACEHOLDER_NAME = "vfio-dmabuf-tph developers"
PLACEHOLDER_EMAIL = "vfio-dmabuf-tph@example.org"
PLACEHOLDER = f"{PLACEHOLDER_NAME} <{PLACEHOLDER_EMAIL}>"
# Domains that must never appear in a posting (RFC 2606 examples).
BAD_DOMAIN = re.compile(r"@[A-Za-z0-9.-]*\bexample\.(org|com|net)\b", re.I)
SOB = re.compile(r"^Signed-off-by:\s*(.*?)\s*$", re.I)


def _cover_letter_module():
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "cover-letter.py")
    spec = importlib.util.spec_from_file_location("cover_letter", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def ident(value):
    name, addr = email.utils.parseaddr(value or "")
    if not name or not re.fullmatch(r"[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+", addr or ""):
        sys.exit(f'FROM must be "Full Name <address>" (got "{value}")')
    if addr.lower() == PLACEHOLDER_EMAIL or name == PLACEHOLDER_NAME:
        sys.exit(f'FROM is the placeholder identity "{PLACEHOLDER}": give the real person who posts')
    if BAD_DOMAIN.search(addr):
        sys.exit(f"FROM {addr}: an example.* address cannot post to a mailing list")
    print(name)
    print(addr)


def resign(name, addr):
    me = f"{name} <{addr}>"
    msg = sys.stdin.read().rstrip("\n")
    msg = msg.replace(PLACEHOLDER, me)
    lines = msg.split("\n")
    # The trailer block: the last paragraph.
    start = len(lines)
    while start > 0 and lines[start - 1] != "":
        start -= 1
    body, trailers = lines[:start], lines[start:]
    if not any(re.match(r"^[A-Za-z-]+: ", t) for t in trailers):
        body, trailers = lines + [""], []
    # A placeholder sign-off that became ours must not stand twice; keep the
    # last one (the DCO chain ends with the sender).
    out = []
    for i, t in enumerate(trailers):
        m = SOB.match(t)
        if m and m.group(1) == me and any(
                (SOB.match(u) or [None, None])[1] == me for u in trailers[i + 1:]):
            continue
        out.append(t)
    last_sob = [SOB.match(t).group(1) for t in out if SOB.match(t)]
    if not last_sob or last_sob[-1] != me:
        out.append(f"Signed-off-by: {me}")
    sys.stdout.write("\n".join(body + out) + "\n")


def version(cover):
    cl = _cover_letter_module()
    prefix = subject_prefix(cl, cover)
    words = prefix.split()
    rev = 1
    extra = []
    for w in words:
        m = re.fullmatch(r"[vV](\d+)", w)
        if m:
            rev = int(m.group(1))
        elif w.upper() != "PATCH":
            extra.append(w)
    print(" ".join([str(rev)] + extra))


def subject_prefix(cl, path):
    text = cl.read(path)
    if text.startswith("From "):
        text = text.split("\n", 1)[1]
    headers, _ = cl.split_mail(text)
    return cl.subject_parts(cl.header(headers, "Subject"))[0]


CHANGES_HEAD = re.compile(r"^changes (in|since) v(\d+)", re.I)


def cover(cover_path, rev, change_id, prefixes, history_json, changes_path):
    import b4.ez  # noqa: the format of b4's cover commit is b4's business
    cl = _cover_letter_module()
    subject, blurb = cl.old_parts(cover_path)
    if subject == cl.SUBJECT_PH or blurb == [cl.BLURB_PH]:
        sys.exit(f"{cover_path}: the cover letter still has format-patch's placeholders: "
                 "write its subject and blurb first")
    rev = int(rev)
    text = "\n".join(blurb).rstrip("\n")
    changes = ""
    if changes_path and os.path.exists(changes_path):
        with open(changes_path, encoding="utf-8") as f:
            changes = f.read().strip("\n")
    content = f"{subject}\n\n{text}\n"
    if changes:
        # b4's layout: the changelog goes below a "---" line of the cover.
        content += f"\n---\n{changes}\n"
    tracking = {
        "series": {
            "revision": rev,
            "change-id": change_id,
            "base-branch": None,
            "prefixes": prefixes.split(),
        },
    }
    history = json.loads(history_json or "{}")
    if history:
        tracking["series"]["history"] = history
    sys.stdout.write(content + "\n\n" + b4.ez.make_magic_json(tracking) + "\n")


def tagmsg(cover_path, base, change_id, files_id):
    cl = _cover_letter_module()
    subject, blurb = cl.old_parts(cover_path)
    text = "\n".join(blurb).strip("\n")
    sys.stdout.write(f"{subject}\n\n{text}\n\nbase-commit: {base}\nchange-id: {change_id}\n"
                     f"vdt-files: {files_id}\n")


def nobase_template():
    import b4.ez
    tpt = b4.ez.DEFAULT_COVER_TEMPLATE
    if "base-commit: ${base_commit}\n" not in tpt:
        sys.exit("b4's cover template has no base-commit line to drop (b4 version?)")
    sys.stdout.write(tpt.replace("base-commit: ${base_commit}\n", ""))


def hand_written_changes(cover_path, rev):
    """True when the blurb of the cover letter has a "Changes in vREV" section."""
    cl = _cover_letter_module()
    _, blurb = cl.old_parts(cover_path)
    for line in blurb:
        m = CHANGES_HEAD.match(line)
        if m and int(m.group(2)) == (rev if m.group(1).lower() == "in" else rev - 1):
            return True
    return False


def changes(rev, rangediff_path, link):
    rev = int(rev)
    new, changed, dropped, same = [], [], [], []
    with open(rangediff_path, encoding="utf-8") as f:
        for line in f:
            m = re.match(r"^\s*(\S+):\s+\S+\s+([=!<>])\s+(\S+):\s+\S+\s+(.*)$", line)
            if not m:
                continue
            kind, subject = m.group(2), m.group(4).strip()
            {"=": same, "!": changed, ">": new, "<": dropped}[kind].append(subject)
    # range-diff pairs a patch with its new version only when the change is
    # small against its size; the same subject on both sides is one patch.
    for subject in [x for x in new if x in dropped]:
        new.remove(subject)
        dropped.remove(subject)
        changed.append(subject)
    out = [f"Changes in v{rev}:"]
    out += [f"- New patch: {s}" for s in new]
    out += [f"- Changed: {s}" for s in changed]
    out += [f"- Dropped: {s}" for s in dropped]
    if not (new or changed or dropped):
        out.append("- No change in the patches.")
    out.append(f"- Link to v{rev - 1}: {link}")
    print("\n".join(out))


def read_msg(path):
    with open(path, "rb") as f:
        return email.message_from_binary_file(f, policy=email.policy.default)


def addrs(msg, name):
    vals = [str(v) for v in msg.get_all(name, [])]
    return [a.lower() for _, a in email.utils.getaddresses(vals) if a]


def headers(paths):
    for p in paths:
        msg = read_msg(p)
        subject = re.sub(r"\s+", " ", str(msg.get("Subject", "")))
        m = re.match(r"^\[[^\]]*?(\d+)/(\d+)\]", subject)
        counter = m.group(1) if m else "1"
        body = msg.get_content() if not msg.is_multipart() else ""
        bm = re.search(r"^base-commit:\s*(\S+)", body, re.M)
        fields = [p, counter, subject, email.utils.parseaddr(str(msg.get("From", "")))[1].lower(),
                  ",".join(addrs(msg, "To")), ",".join(addrs(msg, "Cc")), bm.group(1) if bm else ""]
        # "-" for an empty field: a shell's read collapses adjacent tabs.
        print("\t".join(f or "-" for f in fields))


def scan(paths):
    bad = 0
    for p in paths:
        msg = read_msg(p)
        text = "".join(f"{k}: {v}\n" for k, v in msg.items())
        text += "\n" + (msg.get_content() if not msg.is_multipart() else "")
        for n, line in enumerate(text.split("\n"), 1):
            if PLACEHOLDER_NAME in line or PLACEHOLDER_EMAIL in line.lower() or BAD_DOMAIN.search(line):
                print(f"{os.path.basename(p)}: {line.strip()}")
                bad = 1
    return bad


def main(argv):
    cmd, args = (argv[1], argv[2:]) if len(argv) > 1 else ("", [])
    if cmd == "ident" and len(args) == 1:
        ident(args[0])
    elif cmd == "resign" and len(args) == 2:
        resign(*args)
    elif cmd == "version" and len(args) == 1:
        version(args[0])
    elif cmd == "cover" and len(args) == 6:
        cover(*args)
    elif cmd == "tagmsg" and len(args) == 4:
        tagmsg(*args)
    elif cmd == "nobase-template" and not args:
        nobase_template()
    elif cmd == "has-changes" and len(args) == 2:
        return 0 if hand_written_changes(args[0], int(args[1])) else 1
    elif cmd == "changes" and len(args) == 3:
        changes(*args)
    elif cmd == "headers" and args:
        headers(args)
    elif cmd == "scan" and args:
        return scan(args)
    else:
        sys.exit(__doc__)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
