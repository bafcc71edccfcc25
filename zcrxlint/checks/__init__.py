"""The explicit registry of checks: one module each, listed here in code order."""

from . import (
    zcx101_pp_private_field,
    zcx102_pp_alloc_cache_write,
    zcx103_pp_alloc_cache_outside_alloc,
    zcx104_pp_private_helper,
    zcx105_pp_stale_api,
    zcx106_pp_readonly_field_write,
    zcx107_pp_historic_param,
    zcx901_partial_analysis,
)

CHECKS = (
    zcx101_pp_private_field.PrivateField(),
    zcx102_pp_alloc_cache_write.AllocCacheWrite(),
    zcx103_pp_alloc_cache_outside_alloc.AllocCacheOutsideAlloc(),
    zcx104_pp_private_helper.PrivateHelper(),
    zcx105_pp_stale_api.StaleApi(),
    zcx106_pp_readonly_field_write.ReadonlyFieldWrite(),
    zcx107_pp_historic_param.HistoricParam(),
    zcx901_partial_analysis.PartialAnalysis(),
)

RULES = tuple(check.rule for check in CHECKS)


def find_rule(code_or_name: str):
    key = code_or_name.strip()
    for rule in RULES:
        if key.upper() == rule.code or key.lower() == rule.name:
            return rule
    return None
