"""Maintenance plans (维护保养计划): due dates, the task generator, completing and skipping tasks."""
