"""Facilities jobs (wuye.core.scheduling.periodic)."""
