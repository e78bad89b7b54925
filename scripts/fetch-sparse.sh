#!/usr/bin/env bash
# A sparse that Linux 7.3 accepts.  bookworm's sparse 0.6.4 fails 7.3's
# scripts/checker-valid.sh (no __typeof_unqual__), and `make C=1` then checks
# nothing and says so only in one warning line.  Debian sid's sparse
# (0.6.5~rc1 or later) works, but needs sid's libc: both packages are fetched
# with a private apt configuration, unpacked with dpkg -x into $CACHE/sparse
# and run through sid's own dynamic loader, so the system stays untouched.
#
#   scripts/fetch-sparse.sh      prints the wrapper's path ($CACHE/sparse/sparse)
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

D=$CACHE/sparse
wrapper=$D/sparse

# valid: 7.3's own test of the checker.
valid() {
	local tree
	tree=$(git -C "$BASE_REPO" rev-parse --show-toplevel 2>/dev/null || echo "$WORK")
	[ -x "$wrapper" ] && [ "$(sh "$tree/scripts/checker-valid.sh" "$wrapper" -m64 2>/dev/null)" = 1 ]
}

if valid; then
	echo "$wrapper"
	exit 0
fi

mkdir -p "$D" "$APT_DIR/etc"
apt_opts sid >/dev/null
echo "deb [signed-by=$DEBIAN_KEYRING] $DEBIAN_MIRROR sid main" >"$APT_DIR/etc/sid.list"
apt_private_update sid || die "apt-get update of Debian sid ($DEBIAN_MIRROR) failed"
rm -rf "$D/dl" "$D/sparse-pkg" "$D/libc"
mkdir -p "$D/dl"
(cd "$D/dl" && apt_private sid -q download sparse libc6 >&2) ||
	die "cannot download sparse and libc6 from Debian sid"
dpkg -x "$D"/dl/sparse_*.deb "$D/sparse-pkg"
dpkg -x "$D"/dl/libc6_*.deb "$D/libc"
lib=$D/libc/usr/lib/x86_64-linux-gnu
[ -x "$lib/ld-linux-x86-64.so.2" ] || die "no ld-linux-x86-64.so.2 in sid's libc6"
cat >"$wrapper" <<WRAP
#!/bin/sh
# sid's sparse $(dpkg-deb -f "$D"/dl/sparse_*.deb Version), run with sid's libc
# $(dpkg-deb -f "$D"/dl/libc6_*.deb Version) (made by scripts/fetch-sparse.sh).
# VDT_SPARSE_LOG: file that records every checked file (proof that sparse ran).
if [ -n "\${VDT_SPARSE_LOG:-}" ]; then
	for a; do last=\$a; done
	echo "\$last" >>"\$VDT_SPARSE_LOG"
fi
exec "$lib/ld-linux-x86-64.so.2" --library-path "$lib" "$D/sparse-pkg/usr/bin/sparse" "\$@"
WRAP
chmod +x "$wrapper"
valid || die "sid's sparse ($wrapper) is not accepted by scripts/checker-valid.sh"
echo "sparse: $(dpkg-deb -f "$D"/dl/sparse_*.deb Version) via $wrapper" >&2
echo "$wrapper"
