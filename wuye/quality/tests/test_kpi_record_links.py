"""A KPI's drill-down links its records only for readers who may open them: the KPI table is for every manager
and department, a patrol round's page only for those who read patrols (no link that answers 403)."""

from decimal import Decimal

from wuye.core import kpis as registry
from wuye.core.kpis import PERCENT, DrillRow, Figure, Kpi
from wuye.people.access import actor_for
from wuye.quality import kpis


def test_drill_down_links_only_for_readers_of_the_kpis_records(world, monkeypatch):
    kpi = Kpi("test_rounds", "巡逻", PERCENT, Decimal(100), lambda ids, start, end: Figure(),
              lambda ids, start, end: [1],
              describe=lambda records: [DrillRow(id=1, kind="巡逻", title="主干道 08:00", counted=True,
                                                 link="/console/security/rounds/1/", at=None)],
              resource="security.patrols")
    monkeypatch.setitem(registry._REGISTRY, kpi.code, kpi)
    (guard_row,) = kpis.describe_records(kpi.code, [1], actor_for(world.user("zhixu")))
    (finance_row,) = kpis.describe_records(kpi.code, [1], actor_for(world.user("caiwu")))
    assert guard_row.link == "/console/security/rounds/1/"
    assert finance_row.link == "" and finance_row.title == "主干道 08:00"  # the row stays, without a dead link
