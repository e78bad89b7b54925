# shellcheck shell=bash
# The per-patch sandbox: a detached work tree and O= directories of their
# own, laid out like $CACHE/{work/linux,build/main} under $CHECK_ROOT, so
# that with CCACHE_BASEDIR=$CHECK_ROOT the compiler sees the same relative
# paths as in the main build and ccache shares its objects.  Used by
# compile-patches.sh, header-check.sh and matrix.sh (one after the other).
# Sourced after lib.sh and lib-series.sh.

SB_SRC=$CHECK_ROOT/work/linux
SB_BUILD=$CHECK_ROOT/build
export CCACHE_BASEDIR=$CHECK_ROOT

sandbox_prepare() {
	ensure_worktree "$SB_SRC" "$(base_commit)" "sandbox work tree"
	mkdir -p "$SB_BUILD"
}

# sandbox_checkout COMMIT: the sandbox's sources at COMMIT (only the files
# that differ are rewritten, so kbuild rebuilds only what depends on them).
sandbox_checkout() {
	git -C "$SB_SRC" checkout -q -f --detach "$1"
	git -C "$SB_SRC" clean -q -f -d
}

# sandbox_config_from_main O: O gets the main build's configuration.  A new
# O starts as a copy of the main build when that is current (seed_from_main
# in lib.sh): `make prepare` and the objects a check does not touch are then
# there already.
sandbox_config_from_main() {
	local o=$1 f
	seed_from_main "$o" "$SB_SRC"
	mkdir -p "$o"
	if [ -f "$BUILD/.config" ]; then
		cmp -s "$BUILD/.config" "$o/.config" || cp "$BUILD/.config" "$o/.config"
	else
		local frags=("$VDT_ROOT/configs/kernel.config")
		for f in ${EXTRA_KCONFIG:-}; do frags+=("$f"); done
		"$VDT_ROOT/scripts/config.sh" "$o" "$SB_SRC" "${frags[@]}" >/dev/null
	fi
}

# sb_make O ARGS...: make in a sandbox O= dir with the compiler settings that
# dir always uses (a change would rebuild it): matrix dirs compile through
# scripts/cc-warn and cache host programs too.
sb_make() {
	local o=$1
	shift
	case $o in
	*/matrix-*)
		make_kernel "$o" "$SB_SRC" HOSTCC="ccache gcc" \
			CC="$VDT_ROOT/scripts/cc-warn ccache gcc" "$@"
		;;
	*) make_kernel "$o" "$SB_SRC" "$@" ;;
	esac
}
