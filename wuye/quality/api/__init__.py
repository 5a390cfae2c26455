"""The quality API (§6, §9): one router per topic, mounted together under /api/v1."""

from ninja import Router

from . import assessments, dashboard, inspections, kpis, rectifications, scores, standards, surveys

router = Router(tags=["quality"])
for module in (standards, inspections, rectifications, scores, surveys, kpis, dashboard, assessments):
    router.add_router("", module.router)
