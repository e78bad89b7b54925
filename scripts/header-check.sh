#!/usr/bin/env bash
# Every header a patch touches must compile on its own, at that patch:
#   include/uapi/... and arch/*/include/uapi/...: as user space would use it,
#       after `make headers` (gcc -Wall -Werror, nothing included before it);
#   any other header: as the only #include of a one-file module, in the
#       sandbox O= dir of the main configuration and in every matrix O= dir
#       that exists (so pci-tph.h is also tried with CONFIG_PCIE_TPH=n).
# A driver-private header that did not compile on its own at the base either
# is reported, not failed.  Exit 77 (skip) when series/ is empty.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=scripts/lib-series.sh
. "$VDT_ROOT/scripts/lib-series.sh"
# shellcheck source=scripts/lib-sandbox.sh
. "$VDT_ROOT/scripts/lib-sandbox.sh"

mapfile -t commits < <(series_commits)
if [ ${#commits[@]} = 0 ]; then
	echo "SKIP: series/ has no patches"
	exit 77
fi
base=$(base_commit)
sandbox_prepare
sandbox_config_from_main "$SB_BUILD/main"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# O= dirs to try kernel headers in: the main configuration, then the matrix.
odirs=("$SB_BUILD/main")
for d in "$SB_BUILD"/matrix-*; do
	[ -f "$d/.config" ] && odirs+=("$d")
done

# kernel_header_ok O HEADER LOG: HEADER as the only include of a module.
kernel_header_ok() {
	local o=$1 h=$2 log=$3 m=$tmp/mod inc
	rm -rf "$m"
	mkdir -p "$m"
	case $h in
	include/*) inc="<${h#include/}>" ;;
	*) inc="\"$SB_SRC/$h\"" ;;
	esac
	printf 'obj-m += hdrtest.o\n' >"$m/Kbuild"
	printf '#include %s\n' "$inc" >"$m/hdrtest.c"
	sb_make "$o" M="$m" hdrtest.o >"$log" 2>&1 ||
		{ echo "($(basename "$o"))" >>"$log"; return 1; }
}

uapi_header_ok() {
	local o=$1 h=$2 log=$3 rel
	rel=${h#*include/uapi/}
	printf '#include <%s>\nint main(void) { return 0; }\n' "$rel" |
		gcc -Wall -Werror -fsyntax-only -I"$o/usr/include" -x c - >"$log" 2>&1
}

for line in "${commits[@]}"; do
	IFS=$'\t' read -r c label subject <<<"$line"
	mapfile -t hdrs < <(touched_files "$c" '\.h$' | kernel_sources)
	if [ ${#hdrs[@]} = 0 ]; then
		case_result skip "$label: headers" "no header touched"
		continue
	fi
	sandbox_checkout "$c"
	bad="" note="" headers_done=""
	for h in "${hdrs[@]}"; do
		case $h in
		include/uapi/* | arch/*/include/uapi/*)
			if [ -z "$headers_done" ]; then
				sb_make "$SB_BUILD/main" headers >"$tmp/headers.log" 2>&1 ||
					{ cat "$tmp/headers.log"; die "make headers failed at $label"; }
				headers_done=1
			fi
			if ! uapi_header_ok "$SB_BUILD/main" "$h" "$tmp/h.log"; then
				bad+="$h "
				echo "FAIL: $label (\"$subject\"): $h does not compile on its own in user space:"
				sed 's/^/      /' "$tmp/h.log" | head -20
			fi
			;;
		*)
			for o in "${odirs[@]}"; do
				[ -f "$o/include/generated/autoconf.h" ] ||
					sb_make "$o" prepare >/dev/null 2>&1 || true
				kernel_header_ok "$o" "$h" "$tmp/h.log" && continue
				if [[ $h != include/* ]]; then
					# Private header: was it self-contained at the base?
					sandbox_checkout "$base"
					if [ -f "$SB_SRC/$h" ] && ! kernel_header_ok "$o" "$h" "$tmp/hb.log"; then
						note+="$h (not self-contained at the base either) "
						sandbox_checkout "$c"
						continue
					fi
					sandbox_checkout "$c"
				fi
				bad+="$h($(basename "$o")) "
				echo "FAIL: $label (\"$subject\"): $h does not compile on its own (config of $(basename "$o")):"
				grep -E 'error' "$tmp/h.log" | head -20 | sed 's/^/      /'
			done
			;;
		esac
	done
	if [ -n "$bad" ]; then
		case_result fail "$label: headers" "\"$subject\": not self-contained: $bad"
	else
		case_result pass "$label: headers" "${#hdrs[@]} header(s) compile on their own${note:+; note: $note}"
	fi
done
cases_exit
