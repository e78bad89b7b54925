#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Mutation check of the tests/mlx5 KUnit suites (test-only).
#
#   tests/mlx5/mutants.sh KDIR OUTDIR [NAME...]
#
# For each mutant (all, or the NAMEs given): copy the kernel's st.c, mr.c or
# odp.c (the source tree of the O= build directory KDIR), apply one
# plausible mistake to the copy, check that the copy really changed, and
# build the test modules against it (MLX5_ST_C / MLX5_MR_C / MLX5_ODP_C)
# into OUTDIR/<name>/.  The
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
odp_c=$ksrc/drivers/infiniband/hw/mlx5/odp.c

# name%file (st, mr or odp)%perl -0 substitution%cases expected to fail
# shellcheck disable=SC2016 # perl's $1, not the shell's
mutants=(
# lib/st.c (patches 2 and 8)
'reserve_ceil%st%s/st->raw_max_entries = \(num_entries - 1\) \/ 2;/st->raw_max_entries = (num_entries - 1) - (num_entries - 1) \/ 2;/%st_create_table_mode st_raw_reserve'
'reserve_from_size%st%s/st->raw_max_entries = \(num_entries - 1\) \/ 2;/st->raw_max_entries = num_entries \/ 2;/%st_create_table_mode st_raw_reserve'
'reserve_gt%st%s/if \(st->nr_entries >= max_entries\)/if (st->nr_entries > max_entries)/%st_create_table_mode st_raw_reserve st_raw_reserve_counts_cpu_entries'
'reserve_before_share%st%s/(\txa_for_each\(&st->idx_xa, index, idx_data\) \{.*?\n\t\}\n)\n(\tif \(st->nr_entries >= max_entries\)\n\t\treturn -ENOSPC;\n)/$2\n$1/s%st_create_table_mode st_raw_reserve st_raw_reserve_counts_cpu_entries'
'reuse_before_reserve%st%s/\tif \(st->nr_entries >= max_entries\)\n\t\treturn -ENOSPC;\n\n//; s/(\tret = xa_alloc\(&st->idx_xa)/\tif (st->nr_entries >= max_entries) {\n\t\tret = -ENOSPC;\n\t\tgoto clean_idx_data;\n\t}\n\n$1/%st_create_table_mode'
'reserve_on_cpu_tags%st%s/ret = mlx5_st_get_index\(dev, tag, UINT_MAX, st_index\);/ret = mlx5_st_get_index(dev, tag, st->raw_max_entries, st_index);/%st_dealloc_last_reference st_raw_reserve st_cpu_range_exhausted'
'no_raw_reserve%st%s/mlx5_st_get_index\(dev, hint->tag, st->raw_max_entries,\n\t+st_index\)/mlx5_st_get_index(dev, hint->tag, UINT_MAX, st_index)/%st_create_table_mode st_raw_reserve st_raw_reserve_counts_cpu_entries'
'enospc_fails_registration%st%s/(\t\tif \(ret == -ENOMEM)\)/$1 || ret == -ENOSPC)/%st_create_table_mode st_raw_reserve st_raw_reserve_counts_cpu_entries'
'ebusy_passed_on%st%s/(\t\tif \(ret == -ENOMEM)\)/$1 || ret == -EBUSY)/%st_raw_range_exhausted'
'ebusy_converted_for_cpu%st%s/(ret = xa_alloc\(.*?\n\tif \(ret\))\n\t\tgoto clean_idx_data;/$1 {\n\t\tret = ret == -EBUSY ? -ENOSPC : ret;\n\t\tgoto clean_idx_data;\n\t}/s%st_cpu_range_exhausted'
'hint_write_error_returned%st%s/\t\tif \(ret == -ENOMEM\)\n/\t\tif (ret != -ENOSPC && ret != -EBUSY)\n/%st_hint_set_entry_failure'
'count_before_write%st%s/(\tret = pcie_tph_set_st_entry\(dev->pdev, xa_id, tag\);)/\tst->nr_entries++;\n$1/; s/(\tset_bit\(xa_id, st->table_known\);\n)/$1\tst->nr_entries--;\n/%st_set_entry_failure st_hint_set_entry_failure'
'no_unwind_on_write_failure%st%s/(tag, xa_id, ret\);\n\t\t\}\n\t\t)goto clean_idx_xa;/${1}return ret;/%st_set_entry_failure st_hint_set_entry_failure'
'write_failure_not_logged%st%s/\t\t\tmlx5_core_warn\(dev, "Failed to write.*?\);\n//s%st_set_entry_failure st_hint_set_entry_failure'
'write_failure_logged_always%st%s/if \(!st->write_failed\) \{/if (true) {/%st_set_entry_failure'
'dealloc_keeps_count%st%s/\t\tst->nr_entries--;\n//%st_dealloc_last_reference st_raw_reserve'
'share_without_ref%st%s/\t\t\trefcount_inc\(&idx_data->usecount\);\n//%st_same_value_shares_entry st_dealloc_last_reference'
'lookup_low_byte%st%s/if \(tag == idx_data->tag\)/if ((u8)tag == (u8)idx_data->tag)/%st_different_values_different_index'
'reuse_ignored%st%s/if \(pcie_tph_enabled_req_type\(dev->pdev\) != PCI_TPH_REQ_DISABLE\) \{/if (false) {/%st_reuse_entry_without_write'
'reuse_while_disabled%st%s/if \(pcie_tph_enabled_req_type\(dev->pdev\) != PCI_TPH_REQ_DISABLE\) \{/if (true) {/%st_set_entry_failure'
'reuse_any_known_entry%st%s/\t\t\tif \(st->table\[index\] != tag\)\n\t\t\t\tcontinue;\n//%st_reuse_entry_without_write'
'reuse_uncounted%st%s/\t\t\txa_id = index;\n\t\t\tgoto done;/\t\t\t*st_index = index;\n\t\t\treturn 0;/%st_reuse_entry_without_write'
'shadow_not_recorded%st%s/\tst->table\[xa_id\] = tag;\n//%st_raw_tag_new_entry st_reuse_entry_without_write'
'shadow_not_known%st%s/\tset_bit\(xa_id, st->table_known\);\n//%st_raw_tag_new_entry st_reuse_entry_without_write'
'no_hints_logged%st%s/if \(!st \|\| \(!tph->valid && !ext->valid\)\)/if (!st)/%st_no_hints_silent'
'hint_ignores_tph_disabled%st%s/\tif \(!ns\) \{\n\t\t\*reason = "TPH is disabled on the function";\n\t\treturn NULL;\n\t\}\n\n//%st_set_entry_failure'
'tph_only_asks_ext%st%s/(case PCI_TPH_REQ_TPH_ONLY:\n\t\treturn MLX5_ST_NS_TPH);/$1 | MLX5_ST_NS_EXT_TPH;/%st_ns_tph_only'
'tph_only_uses_ext%st%s/(\t\t\*used = MLX5_ST_NS_TPH;\n\t\treturn) tph;/$1 ext->valid ? ext : tph;/%st_ns_tph_only'
'prefer_8bit%st%s/(\t\*used = MLX5_ST_NS_EXT_TPH;\n\tif \(ext->tag > U8_MAX\)\n\t\treturn) ext;/$1 tph->valid ? tph : ext;/%st_ns_extended_high_tag'
'fallback_to_8bit%st%s/(\tif \(!ext->valid\) \{\n)/\tif (!ext->valid && tph->valid) {\n\t\t*used = MLX5_ST_NS_TPH;\n\t\treturn tph;\n\t}\n$1/%st_ns_extended_without_ext st_direct_mode_raw'
'low_tag_no_equality%st%s/\tif \(!tph->valid \|\| tph->tag != ext->tag \|\| tph->ph != ext->ph\) \{/\tif (false) {/%st_ns_extended_low_tag'
'low_tag_ignores_ph%st%s/ \|\| tph->ph != ext->ph\) \{/) {/%st_ns_extended_low_tag'
'low_tag_boundary%st%s/if \(ext->tag > U8_MAX\)/if (ext->tag >= U8_MAX)/%st_ns_extended_low_tag'
'used_without_8bit%st%s/\t\*used \|= MLX5_ST_NS_TPH;\n//%st_ns_extended_low_tag st_same_value_shares_entry st_different_values_different_index'
'used_includes_8bit%st%s/\t\*used = MLX5_ST_NS_EXT_TPH;\n/\t*used = MLX5_ST_NS_EXT_TPH | MLX5_ST_NS_TPH;\n/%st_ns_extended_high_tag'
'ext_with_8bit_ph%st%s/\t\*ph = hint->ph;/\t*ph = tph->ph;/%st_ns_extended_high_tag'
'direct_raw_ge%st%s/if \(hint->tag > MLX5_ST_MKEY_FIELD_MAX\)/if (hint->tag >= MLX5_ST_MKEY_FIELD_MAX)/%st_direct_mode_raw'
'direct_raw_unchecked%st%s/\t\tif \(hint->tag > MLX5_ST_MKEY_FIELD_MAX\) \{\n.*?\n\t\t\}\n//s%st_direct_mode_raw'
'direct_fails_registration%st%s/(reason = "the steering tag does not fit the mkey in direct ST mode";\n\t\t\t)goto no_hint;/${1}ret = -ENOSPC;\n\t\t\tgoto unlock;/%st_direct_mode_raw'
'patch2_reverted%st%s/\t\tif \(tag > MLX5_ST_MKEY_FIELD_MAX\)\n\t\t\treturn -EOPNOTSUPP;\n//%st_direct_mode_cpu'
'direct_cpu_enospc%st%s/(if \(tag > MLX5_ST_MKEY_FIELD_MAX\)\n\t\t\treturn) -EOPNOTSUPP;/$1 -ENOSPC;/%st_direct_mode_cpu'
'cpu_tag_error_ignored%st%s/(ret = pcie_tph_get_cpu_st\(dev->pdev, mem_type, cpu_uid, &tag\);\n\tif \(ret\)\n\t\t)return ret;/${1}tag = 0x777;/%st_cpu_tag_error'
'no_st_enodev%st%s/(if \(!st \|\| \(!tph->valid && !ext->valid\)\)\n\t\treturn) -EOPNOTSUPP;/$1 -ENODEV;/%st_no_st st_no_hints_silent'
# mr.c (patch 9)
'ask_tph_ignored%mr%s/if \(ns & MLX5_ST_NS_TPH\) \{/if (ns) {/%mr_query_asks_only_selected'
'ask_ext_ignored%mr%s/if \(ns & MLX5_ST_NS_EXT_TPH\) \{/if (ns) {/%mr_query_asks_only_selected mr_map_tph_dmah_ph'
'extended_flag_false%mr%s/dma_buf_get_pci_tph\(attach, true,/dma_buf_get_pci_tph(attach, false,/%mr_query_asks_only_selected mr_query_answers_per_namespace'
'eopnotsupp_propagated%mr%s/(tph->ext.valid = true;\n\t\telse) if \(err != -EOPNOTSUPP\)/$1/%mr_query_eopnotsupp_is_no_hint mr_check_tph'
'errors_ignored%mr%s/\t\telse if \(err != -EOPNOTSUPP\)\n\t\t\treturn err;\n//g%mr_query_errors_propagate mr_check_tph mr_map_tph_errors'
'valid_not_reset%mr%s/\ttph->ext.valid = false;\n\ttph->tph.valid = false;\n//%mr_query_asks_only_selected mr_query_eopnotsupp_is_no_hint'
'st_ph_into_ext%mr%s/(dma_buf_get_pci_tph\(attach, false, &tph->tph.tag,\n[\t ]+)&tph->tph.ph\);/$1&tph->ext.ph);/%mr_query_answers_per_namespace mr_query_eopnotsupp_is_no_hint'
'same_all_namespaces%mr%s/\(was->used & MLX5_ST_NS_EXT_TPH\) &&/true \&\&/; s/return !\(was->used & MLX5_ST_NS_TPH\) \|\|/return/%mr_same_compares_only_used'
'same_no_ph%mr%s/ && \(!ph \|\| now->ph == was->ph\)//%mr_same_compares_only_used mr_map_pages_new_mapping'
'same_ph_always%mr%s/\(!ph \|\| now->ph == was->ph\)/now->ph == was->ph/%mr_same_compares_only_used'
'same_valid_ignored%mr%s/return now->valid && /return /%mr_same_compares_only_used'
'same_wrong_namespace%mr%s/\(was->used & MLX5_ST_NS_EXT_TPH\) &&/(was->used \& MLX5_ST_NS_TPH) \&\&/%mr_same_compares_only_used'
'check_without_hold%mr%s/\tif \(!mr->dmabuf_st_held\)\n\t\treturn 0;\n\n//%mr_check_tph_only_held mr_map_pages_new_mapping'
'check_asks_all%mr%s/mr->dmabuf_tph.used, &now\);/MLX5_ST_NS_TPH | MLX5_ST_NS_EXT_TPH, &now);/%mr_check_tph'
'check_into_record%mr%s/mr->dmabuf_tph.used, &now\);/mr->dmabuf_tph.used, &mr->dmabuf_tph);/%mr_check_tph'
'check_ignores_error%mr%s/(mr->dmabuf_tph.used, &now\);\n\tif \(err\)\n\t\treturn) err;/$1 0;/%mr_check_tph'
'stale_not_logged%mr%s/\tmlx5_ib_warn_rl\(mr_to_mdev\(mr\),.*?\);\n//s%mr_check_tph'
'check_existing_mapping%mr%s/if \(!new_mapping \|\| !umem_dmabuf->sgt\)/if (!umem_dmabuf->sgt)/%mr_map_pages_existing_mapping'
'new_mapping_unchecked%mr%s/\tret = mlx5r_dmabuf_check_tph\(mr\);/\tret = 0;/%mr_map_pages_new_mapping mr_map_pages_fence_error'
'no_unmap_on_stale%mr%s/\t\tib_umem_dmabuf_unmap_pages\(umem_dmabuf\);\n\t\treturn ret;/\t\treturn ret;/%mr_map_pages_new_mapping mr_map_pages_fence_error'
'check_only_on_success%mr%s/if \(!new_mapping \|\| !umem_dmabuf->sgt\)/if (err || !new_mapping || !umem_dmabuf->sgt)/%mr_map_pages_fence_error'
'query_before_map%mr%s/\terr = ib_umem_dmabuf_map_pages\(umem_dmabuf\);\n\tif \(!err\)\n\t\terr = mlx5r_dmabuf_query_tph\(umem_dmabuf->attach, ns, tph\);/\terr = mlx5r_dmabuf_query_tph(umem_dmabuf->attach, ns, tph);\n\tif (!err)\n\t\terr = ib_umem_dmabuf_map_pages(umem_dmabuf);/%mr_map_tph_asks_after_mapping'
'query_unlocked%mr%s/(\terr = ib_umem_dmabuf_map_pages\(umem_dmabuf\);\n)(\tif \(!err\)\n\t\terr = mlx5r_dmabuf_query_tph\(umem_dmabuf->attach, ns, tph\);\n)\tdma_resv_unlock\(resv\);\n/$1\tdma_resv_unlock(resv);\n$2/%mr_map_tph_asks_after_mapping'
'unmap_after_query%mr%s/(\t\terr = mlx5r_dmabuf_query_tph\(umem_dmabuf->attach, ns, tph\);\n)/$1\tib_umem_dmabuf_unmap_pages(umem_dmabuf);\n/%mr_map_tph_asks_after_mapping mr_map_tph_best_effort'
'exporter_error_ignored%mr%s/(\tdma_resv_unlock\(resv\);\n)\tif \(err\)\n\t\treturn err;\n/$1/%mr_map_tph_errors'
'best_effort_fails_registration%mr%s/\tif \(err == -EOPNOTSUPP\)\n\t\treturn 0;\n//%mr_map_tph_best_effort'
'alloc_errors_ignored%mr%s/\tif \(err == -EOPNOTSUPP\)\n\t\treturn 0;\n/\tif (err)\n\t\treturn 0;\n/%mr_map_tph_errors'
'used_not_recorded%mr%s/\ttph->used = used;\n//%mr_map_tph_asks_after_mapping mr_map_tph_dmah_ph'
'ph_used_with_dmah%mr%s/\tif \(ph\) \{\n\t\t\*ph = p2p_ph;\n\t\ttph->ph_used = 1;\n\t\}/\ttph->ph_used = 1;\n\tif (ph)\n\t\t*ph = p2p_ph;/%mr_map_tph_dmah_ph'
'invalidate_keeps_unpublished_mapping%mr%s/\tif \(!umem_dmabuf->sgt\)\n\t\treturn;/\tif (!umem_dmabuf->sgt || !mr)\n\t\treturn;/%mr_invalidate_unpublished_mapping'
'invalidate_no_zap%mr%s/\tif \(mr\)\n\t\tmlx5r_umr_update_mr_pas\(mr, MLX5_IB_UPD_XLT_ZAP, 0\);\n//%mr_invalidate_unpublished_mapping'
# mr.c: registration and deregistration of a dma-buf MR (patch 9)
'dmah_precedence_lost%mr%s/\(!dmah \|\| !\(dmah->valid_fields & BIT\(IB_DMAH_CPU_ID_EXISTS\)\)\)\) \{/true) {/%mr_reg_dmah_cpu_tag'
'dmah_ph_lost%mr%s/dmah \? NULL : &ph\)/&ph)/%mr_reg_dmah_ph'
'pinned_asks_exporter%mr%s/if \(!pinned_mode &&\n\t    \(!dmah/if ((!dmah/%mr_reg_pinned'
'namespaces_ignored%mr%s/\t\tif \(ns\) \{\n(\t\t\terr = mlx5r_dmabuf_map_tph)/\t\tif (true) {\n$1/%mr_reg_no_hint_namespaces'
'positive_errno_err_ptr%mr%s/\t\t\t\tif \(WARN_ON_ONCE\(err > 0\)\)\n\t\t\t\t\terr = -EIO;\n//%mr_reg_exporter_error'
'map_error_leaks_umem%mr%s/(\t\t\t\t\terr = -EIO;\n)\t\t\t\tib_umem_release\(&umem_dmabuf->umem\);\n/$1/%mr_reg_exporter_error'
'st_leak_on_mkey_error%mr%s/\t\tif \(st_held\)\n\t\t\tmlx5_st_dealloc_index\(dev->mdev, st_index\);\n//%mr_reg_mkey_error_releases_st'
'st_held_not_recorded%mr%s/\tmr->dmabuf_st_held = st_held;\n//%mr_reg_dereg_exporter_hints'
'double_release_on_late_error%mr%s/(err_dereg_mr:\n\t__mlx5_ib_dereg_mr\(&mr->ibmr\);\n)(\treturn ERR_PTR\(err\);\n\}\n\nstatic struct ib_mr \*\nreg_user_mr_dmabuf_by_data_direct)/$1\tif (st_held)\n\t\tmlx5_st_dealloc_index(dev->mdev, st_index);\n$2/%mr_reg_late_error_unwinds_once'
'published_unlocked%mr%s/\t\tdma_resv_lock\(resv, NULL\);\n\t\tumem_dmabuf->private = mr;\n\t\tdma_resv_unlock\(resv\);\n/\t\tumem_dmabuf->private = mr;\n/%mr_reg_dereg_exporter_hints'
'dereg_leaks_st%mr%s/\tif \(mr->umem && mr->dmabuf_st_held\)\n\t\tmlx5_st_dealloc_index\(.*?kernel_vendor_key\)\);\n//s%mr_reg_dereg_exporter_hints mr_reg_late_error_unwinds_once'
'dereg_release_before_revoke%mr%s/(\t\/\* Stop DMA \*\/\n.*?\n)(\tif \(mr->umem && mr->dmabuf_st_held\)\n\t\tmlx5_st_dealloc_index\(.*?kernel_vendor_key\)\);\n)/$2$1/s%mr_reg_dereg_exporter_hints mr_dereg_destroy_after_failed_revoke'
'dereg_releases_unheld%mr%s/\tif \(mr->umem && mr->dmabuf_st_held\)\n(\t\tmlx5_st_dealloc_index)/\tif (mr->umem)\n$1/%mr_reg_dmah_cpu_tag mr_reg_no_hint_namespaces'
'key_st_index_dropped%mr%s/\t\tFIELD_PREP\(MLX5_FRMR_POOLS_KERNEL_KEY_ST_INDEX_MASK, st_index\) \|\n//%mr_reg_dereg_exporter_hints mr_reg_pooled_mkey_reuse'
'mkey_st_index_not_set%mr%s/\t\tif \(st_index != MLX5_MKC_PCIE_TPH_NO_STEERING_TAG_INDEX\)\n\t\t\tMLX5_SET\(mkc, mkc, pcie_tph_steering_tag_index,\n\t\t\t\t st_index\);\n//%mr_reg_dereg_exporter_hints mr_reg_pooled_mkey_reuse'
'dereg_wrong_index%mr%s/FIELD_GET\(MLX5_FRMR_POOLS_KERNEL_KEY_ST_INDEX_MASK,(\s+mr->ibmr\.frmr\.key)/FIELD_GET(MLX5_FRMR_POOLS_KERNEL_KEY_PH_MASK,$1/%mr_reg_dereg_exporter_hints'
# odp.c: the page fault of a dma-buf MR (patch 9)
'fault_recheck_skipped%odp%s/\terr = mlx5r_dmabuf_map_pages\(mr\);/\terr = ib_umem_dmabuf_map_pages(umem_dmabuf);/%mr_fault_after_invalidation'
'fault_error_ignored%odp%s/(\terr = mlx5r_dmabuf_map_pages\(mr\);\n)\tif \(err\) \{\n\t\tdma_resv_unlock\(umem_dmabuf->attach->dmabuf->resv\);\n\t\treturn err;\n\t\}\n/$1/%mr_fault_after_invalidation'
'prefetch_unmaps_live_mapping%odp%s/(\t\/\* Checks the exporter.s TPH hints of a new mapping \*\/\n)/\tib_umem_dmabuf_unmap_pages(umem_dmabuf);\n$1/%mr_prefetch_keeps_live_mapping mr_reg_dereg_exporter_hints'
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
	odp) orig=$odp_c var=MLX5_ODP_C mod=mlx5_mr_tph_test ;;
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
