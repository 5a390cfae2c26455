"""The environment API (§5, §9): one router per topic, mounted together under /api/v1."""

from ninja import Router

from . import cleaning, greening

router = Router(tags=["environment"])
for module in (cleaning, greening):
    router.add_router("", module.router)
