"""Emergencies — 应急: incidents IV–I, playbooks whose steps are clocks, the incident log and the after-action
report (SPEC §7)."""
