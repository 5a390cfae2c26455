"""The security API (§5, §9): one router per topic, mounted together under /api/v1."""

from ninja import Router

from . import goods, parking, patrols, visitors

router = Router(tags=["security"])
for module in (visitors, goods, patrols, parking):
    router.add_router("", module.router)
