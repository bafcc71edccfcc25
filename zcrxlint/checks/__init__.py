"""The explicit registry of checks: one module each, listed here in code order."""

from . import (
    zcx101_pp_private_field,
    zcx102_pp_alloc_cache_write,
    zcx103_pp_alloc_cache_outside_alloc,
    zcx104_pp_private_helper,
    zcx105_pp_stale_api,
    zcx106_pp_readonly_field_write,
    zcx107_pp_historic_param,
    zcx108_netmem_pp_state,
    zcx109_pp_private_helper_exposed,
    zcx201_dma_sync_missing,
    zcx202_dma_sync_state_write,
    zcx203_dma_sync_unguarded,
    zcx204_dma_sync_gated_on_pool_flag,
    zcx205_dma_sync_dmabuf,
    zcx301_niov_owner_cast_unguarded,
    zcx302_niov_owner_guard_inverted,
    zcx303_netmem_to_niov_unchecked,
    zcx401_mp_ops_missing_callback,
    zcx402_mp_ops_not_static_const,
    zcx901_partial_analysis,
    zcx902_suppression_without_reason,
    zcx903_suppression_bad_code,
    zcx904_suppression_unused,
)

CHECKS = (
    zcx101_pp_private_field.PrivateField(),
    zcx102_pp_alloc_cache_write.AllocCacheWrite(),
    zcx103_pp_alloc_cache_outside_alloc.AllocCacheOutsideAlloc(),
    zcx104_pp_private_helper.PrivateHelper(),
    zcx105_pp_stale_api.StaleApi(),
    zcx106_pp_readonly_field_write.ReadonlyFieldWrite(),
    zcx107_pp_historic_param.HistoricParam(),
    zcx108_netmem_pp_state.NetmemPpState(),
    zcx109_pp_private_helper_exposed.PrivateHelperExposed(),
    zcx201_dma_sync_missing.DmaSyncMissing(),
    zcx202_dma_sync_state_write.DmaSyncStateWrite(),
    zcx203_dma_sync_unguarded.DmaSyncUnguarded(),
    zcx204_dma_sync_gated_on_pool_flag.DmaSyncGatedOnPoolFlag(),
    zcx205_dma_sync_dmabuf.DmaSyncDmabuf(),
    zcx301_niov_owner_cast_unguarded.NiovOwnerCastUnguarded(),
    zcx302_niov_owner_guard_inverted.NiovOwnerGuardInverted(),
    zcx303_netmem_to_niov_unchecked.NetmemToNiovUnchecked(),
    zcx401_mp_ops_missing_callback.MpOpsMissingCallback(),
    zcx402_mp_ops_not_static_const.MpOpsNotStaticConst(),
    zcx901_partial_analysis.PartialAnalysis(),
    zcx902_suppression_without_reason.SuppressionWithoutReason(),
    zcx903_suppression_bad_code.SuppressionBadCode(),
    zcx904_suppression_unused.SuppressionUnused(),
)

RULES = tuple(check.rule for check in CHECKS)


def find_rule(code_or_name: str):
    key = code_or_name.strip()
    for rule in RULES:
        if key.upper() == rule.code or key.lower() == rule.name:
            return rule
    return None
