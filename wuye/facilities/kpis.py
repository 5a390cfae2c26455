"""Facilities KPIs for the KPI registry (wuye.core.kpis)."""


def register() -> None:
    """Register the facilities KPIs (filled by the KPI stream)."""
