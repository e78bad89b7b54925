#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Mutation check of the tests/mlx5 KUnit suites (test-only).
#
#   tests/mlx5/mutants.sh KDIR OUTDIR [NAME...]
#
# For each mutant (all, or the NAMEs given): copy the kernel's st.c or mr.c
# (the source tree of the O= build directory KDIR), apply one plausible
# mistake to the copy, check that the copy really changed, and build the
# test modules against it (MLX5_ST_C / MLX5_MR_C) into OUTDIR/<name>/.  The
# kernel tree is never modified.  OUTDIR/mutants.list gets one line
# "<name> <module> <expected killing cases>" per mutant, the expected list
# is what the KUnit case comments claim.  tests/mlx5/run-mutants.sh runs
# them in the guest: every mutant must make at least one case fail.
set -euo pipefail

kdir=${1:?usage: mutants.sh KDIR OUTDIR [NAME...]}
outdir=${2:?usage: mutants.sh KDIR OUTDIR [NAME...]}
shift 2
src=$(cd "$(dirname "$0")" && pwd)
ksrc=$(cd "$kdir/source" && pwd)
st_c=$ksrc/drivers/net/ethernet/mellanox/mlx5/core/lib/st.c
mr_c=$ksrc/drivers/infiniband/hw/mlx5/mr.c

# name%file (st or mr)%perl -0 substitution%cases expected to fail
# shellcheck disable=SC2016 # perl's $1, not the shell's
mutants=(
# lib/st.c (patches 2 and 8)
'reserve_gt%st%s/if \(st->nr_entries >= max_entries\)/if (st->nr_entries > max_entries)/%st_raw_reserve st_raw_reserve_counts_cpu_entries'
'reserve_floor%st%s/st->raw_max_entries = \(num_entries - 1\) - \(num_entries - 1\) \/ 2;/st->raw_max_entries = (num_entries - 1) \/ 2;/%st_create_table_mode st_raw_reserve'
'reserve_before_share%st%s/(\txa_for_each\(&st->idx_xa, index, idx_data\) \{.*?\n\t\}\n)\n(\tif \(st->nr_entries >= max_entries\) \{.*?\n\t\}\n)/$2\n$1/s%st_raw_reserve st_raw_reserve_counts_cpu_entries'
'reserve_on_cpu_tags%st%s/mlx5_st_get_index\(st, dev->pdev, tag, UINT_MAX, st_index\)/mlx5_st_get_index(st, dev->pdev, tag, st->raw_max_entries, st_index)/%st_dealloc_last_reference st_raw_reserve st_cpu_range_exhausted'
'no_raw_reserve%st%s/mlx5_st_get_index\(st, dev->pdev, tag, st->raw_max_entries,\n\t+st_index\)/mlx5_st_get_index(st, dev->pdev, tag, UINT_MAX, st_index)/%st_raw_reserve st_raw_reserve_counts_cpu_entries'
'ebusy_passed_on%st%s/return ret == -EBUSY \? -ENOSPC : ret;/return ret;/%st_raw_range_exhausted'
'ebusy_converted_for_cpu%st%s/(ret = xa_alloc\(.*?\n\tif \(ret\))\n\t\tgoto clean_idx_data;/$1 {\n\t\tret = ret == -EBUSY ? -ENOSPC : ret;\n\t\tgoto clean_idx_data;\n\t}/s%st_cpu_range_exhausted'
'count_before_write%st%s/(\tret = pcie_tph_set_st_entry\(pdev, xa_id, tag\);)/\tst->nr_entries++;\n$1/; s/\tst->nr_entries\+\+;\n(\t\*st_index = xa_id;)/$1/%st_set_entry_failure'
'no_unwind_on_write_failure%st%s/(ret = pcie_tph_set_st_entry\(pdev, xa_id, tag\);\n\tif \(ret\)\n\t\tgoto) clean_idx_xa;/$1 end;/%st_set_entry_failure'
'dealloc_keeps_count%st%s/\t\tst->nr_entries--;\n//%st_dealloc_last_reference st_raw_reserve'
'share_without_ref%st%s/\t\t\trefcount_inc\(&idx_data->usecount\);\n//%st_same_value_shares_entry st_dealloc_last_reference'
'lookup_low_byte%st%s/if \(tag == idx_data->tag\)/if ((u8)tag == (u8)idx_data->tag)/%st_different_values_different_index'
'direct_raw_ge%st%s/(if \(tag )>( MLX5_ST_MKEY_FIELD_MAX\)\n\t\t\treturn -ENOSPC;)/$1>=$2/%st_direct_mode_raw'
'direct_raw_eopnotsupp%st%s/(if \(tag > MLX5_ST_MKEY_FIELD_MAX\)\n\t\t\treturn) -ENOSPC;/$1 -EOPNOTSUPP;/%st_direct_mode_raw'
'direct_raw_unchecked%st%s/\t\tif \(tag > MLX5_ST_MKEY_FIELD_MAX\)\n\t\t\treturn -ENOSPC;\n//%st_direct_mode_raw'
'direct_raw_uses_table%st%s/(u16 \*st_index\)\n\{\n\tstruct mlx5_st \*st = dev->st;\n\tint ret;\n\n\tif \(!st\)\n\t\treturn -EOPNOTSUPP;\n)\n\tif \(st->direct_mode\) \{.*?\n\t\}\n/$1/s%st_direct_mode_raw'
'patch2_reverted%st%s/\t\tif \(tag > MLX5_ST_MKEY_FIELD_MAX\)\n\t\t\treturn -EOPNOTSUPP;\n//%st_direct_mode_cpu'
'direct_cpu_enospc%st%s/(if \(tag > MLX5_ST_MKEY_FIELD_MAX\)\n\t\t\treturn) -EOPNOTSUPP;/$1 -ENOSPC;/%st_direct_mode_cpu'
'cpu_tag_error_ignored%st%s/(ret = pcie_tph_get_cpu_st\(dev->pdev, mem_type, cpu_uid, &tag\);\n\tif \(ret\)\n\t\t)return ret;/${1}tag = 0x777;/%st_cpu_tag_error'
'no_st_enodev%st%s/(u16 \*st_index\)\n\{\n\tstruct mlx5_st \*st = dev->st;\n\tint ret;\n\n\tif \(!st\)\n\t\treturn) -EOPNOTSUPP;/$1 -ENODEV;/%st_no_st'
# mr.c (patch 9)
'ask_st_ignored%mr%s/if \(tph->ask_st\) \{/if (tph->ask_st || tph->ask_ext) {/%mr_query_asks_only_selected'
'ask_ext_ignored%mr%s/if \(tph->ask_ext\) \{/if (tph->ask_ext || tph->ask_st) {/%mr_query_asks_only_selected mr_check_tph'
'extended_flag_false%mr%s/dma_buf_get_pci_tph\(attach, true,/dma_buf_get_pci_tph(attach, false,/%mr_query_asks_only_selected mr_query_answers_per_namespace'
'eopnotsupp_propagated%mr%s/(tph->ext_valid = 1;\n\t\telse) if \(err != -EOPNOTSUPP\)/$1/%mr_query_eopnotsupp_is_no_hint mr_check_tph'
'errors_ignored%mr%s/\t\telse if \(err != -EOPNOTSUPP\)\n\t\t\treturn err;\n//; s/\} else if \(err != -EOPNOTSUPP\) \{\n\t\t\treturn err;\n\t\t\}/}/%mr_query_errors_propagate mr_check_tph'
'valid_not_reset%mr%s/\ttph->ext_valid = 0;\n\ttph->st_valid = 0;\n//%mr_query_eopnotsupp_is_no_hint'
'st_tag_not_stored%mr%s/\t\t\ttph->st_tag = tag;\n//%mr_query_answers_per_namespace mr_query_eopnotsupp_is_no_hint'
'st_ph_into_ext%mr%s/dma_buf_get_pci_tph\(attach, false, &tag, &tph->st_ph\)/dma_buf_get_pci_tph(attach, false, &tag, &tph->ext_ph)/%mr_query_answers_per_namespace mr_query_eopnotsupp_is_no_hint'
'equal_memcmp%mr%s/(mlx5r_dmabuf_tph_equal\(const struct mlx5_ib_dmabuf_tph \*a,\n[\t ]+const struct mlx5_ib_dmabuf_tph \*b\)\n\{\n).*?\n\}\n/$1\treturn !memcmp(a, b, sizeof(*a));\n}\n/s%mr_equal_ignores_invalid_namespaces'
'equal_no_ext_ph%mr%s/ \|\| a->ext_ph != b->ext_ph//%mr_equal_detects_every_change mr_check_tph'
'equal_no_st_ph%mr%s/a->st_tag == b->st_tag && a->st_ph == b->st_ph/a->st_tag == b->st_tag/%mr_equal_detects_every_change'
'equal_no_valid_bits%mr%s/\tif \(a->ext_valid != b->ext_valid \|\| a->st_valid != b->st_valid\)\n\t\treturn false;\n\n//%mr_equal_detects_every_change mr_check_tph'
'equal_wrong_valid_bit%mr%s/return !a->st_valid \|\|/return !a->ext_valid ||/%mr_equal_detects_every_change'
'no_fallback_on_enospc%mr%s/\t\tif \(err != -ENOSPC\)\n\t\t\treturn err;/\t\treturn err;/%mr_st_index_fallback_on_enospc'
'fallback_on_any_error%mr%s/\t\tif \(err != -ENOSPC\)\n\t\t\treturn err;\n//%mr_st_index_other_errors'
'fallback_keeps_ext_ph%mr%s/\t\t\t\*ph = tph->st_ph;/\t\t\t*ph = tph->ext_ph;/%mr_st_index_8bit_without_extended mr_st_index_fallback_on_enospc'
'prefer_8bit%mr%s/\tif \(tph->ext_valid\) \{\n\t\terr = mlx5_st_alloc_index_by_tag/\tif (tph->ext_valid && !tph->st_valid) {\n\t\terr = mlx5_st_alloc_index_by_tag/%mr_st_index_prefers_extended'
'wrong_tag_for_ext%mr%s/mlx5_st_alloc_index_by_tag\(dev->mdev, tph->ext_tag,/mlx5_st_alloc_index_by_tag(dev->mdev, tph->st_tag,/%mr_st_index_prefers_extended mr_st_index_fallback_on_enospc'
'no_hints_success%mr%s/\tint err = -EOPNOTSUPP;\n\n\tif \(tph->ext_valid\)/\tint err = 0;\n\n\tif (tph->ext_valid)/%mr_st_index_no_hints'
'check_into_record%mr%s/(err = mlx5r_dmabuf_query_tph\(to_ib_umem_dmabuf\(mr->umem\)->attach,\n[\t ]+)&now\);/$1&mr->dmabuf_tph);/%mr_check_tph'
'check_ignores_error%mr%s/(&now\);\n\tif \(err\)\n\t\treturn) err;/$1 0;/%mr_check_tph'
)

mkdir -p "$outdir"
list=$outdir/mutants.list
if [ $# = 0 ]; then
	: >"$list"
else
	# rebuild only the NAMEs given, keep the others' lines
	touch "$list"
	grep -v -E "^($(IFS='|'; echo "$*")) " "$list" >"$list.new" || true
	mv "$list.new" "$list"
fi
built=0

# The unmodified sources first: every case must pass (run-mutants.sh).
if [ $# = 0 ]; then
	dir=$outdir/original
	rm -rf "$dir"
	mkdir -p "$dir"
	make -s -C "$src" KDIR="$kdir" OUT="$dir/build" CC="${CC:-ccache gcc}" \
		>"$dir/build.log" 2>&1 || { echo "original: build failed, see $dir/build.log" >&2; exit 1; }
	cp "$dir/build/mlx5_st_test.ko" "$dir/build/mlx5_mr_tph_test.ko" "$dir/"
	echo "original mlx5_st_test -" >>"$list"
	echo "original mlx5_mr_tph_test -" >>"$list"
fi
for m in "${mutants[@]}"; do
	IFS='%' read -r name file expr cases <<<"$m"
	if [ $# -gt 0 ] && ! printf '%s\n' "$@" | grep -qx "$name"; then
		continue
	fi
	case $file in
	st) orig=$st_c var=MLX5_ST_C mod=mlx5_st_test ;;
	mr) orig=$mr_c var=MLX5_MR_C mod=mlx5_mr_tph_test ;;
	esac
	dir=$outdir/$name
	rm -rf "$dir"
	mkdir -p "$dir"
	copy=$dir/$(basename "$orig")
	perl -0pe "$expr" "$orig" >"$copy"
	if cmp -s "$orig" "$copy"; then
		echo "mutant $name: the substitution no longer applies to $orig" >&2
		exit 1
	fi
	diff -u "$orig" "$copy" >"$dir/mutant.diff" || true
	if ! make -s -C "$src" KDIR="$kdir" OUT="$dir/build" "$var=$copy" \
		CC="${CC:-ccache gcc}" >"$dir/build.log" 2>&1; then
		echo "mutant $name: build failed, see $dir/build.log" >&2
		exit 1
	fi
	cp "$dir/build/$mod.ko" "$dir/"
	echo "$name $mod $cases" >>"$list"
	built=$((built + 1))
	echo "mutant $name: $(grep -c '^[-+][^-+]' "$dir/mutant.diff") diff lines, $mod.ko built"
done
echo "$built mutants in $outdir (list: $list)"
