"""Takeover from the developer — 接管验收: checklists by system, rectification notices to the developer, the
document handover list, the report (SPEC §7)."""
