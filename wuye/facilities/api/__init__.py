"""The facilities API (§4, §9): one router per topic, mounted together under /api/v1."""

from ninja import Router

from . import entrapments, equipment, faults, fire, handovers, labels, maintenance, operation

router = Router(tags=["facilities"])
for module in (labels, equipment, maintenance, operation, faults, entrapments, fire, handovers):
    router.add_router("", module.router)
