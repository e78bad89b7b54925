# shellcheck shell=bash
# The Debian archives this machine's apt uses, read from its own source
# lists the way apt reads them: deb822 files (/etc/apt/sources.list.d/
# *.sources, the "URIs:" field) first, then one-line lists
# (/etc/apt/sources.list, sources.list.d/*.list).  So a machine behind a
# local mirror or a proxy needs nothing else; no host is named here.
# Sourced by scripts/lib.sh and tests/qemu/build-qemu.sh.

# system_apt_uris: every archive URI of the machine's apt sources, in the
# order apt reads them, without a trailing slash, each once.
system_apt_uris() {
	local f
	{
		for f in /etc/apt/sources.list.d/*.sources; do
			[ -f "$f" ] || continue
			awk 'tolower($1) == "uris:" { for (i = 2; i <= NF; i++) print $i }' "$f"
		done
		for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
			[ -f "$f" ] || continue
			# deb [options] URI suite components...
			awk '$1 == "deb" || $1 == "deb-src" {
				for (i = 2; i <= NF; i++)
					if ($i ~ /:\/\//) { print $i; break }
			}' "$f"
		done
	} | sed 's:/*$::' | awk '!seen[$0]++'
}

# system_debian_mirror [security]: the first URI of the main Debian archive
# (or, with "security", of the security archive) in the machine's apt
# sources; fails when there is none.
system_debian_mirror() {
	local uri
	if [ "${1:-}" = security ]; then
		uri=$(system_apt_uris | grep -- '-security$' | head -n 1)
	else
		uri=$(system_apt_uris | grep -v -- '-security$' | head -n 1)
	fi
	[ -n "$uri" ] || return 1
	echo "$uri"
}
