"""The fees API (§3, §9): one router per topic, mounted together under /api/v1."""

from ninja import Router

from . import ledger, master, meters, notices, payments, reports, sharing

router = Router(tags=["fees"])
for module in (ledger, meters, master, sharing, notices, payments, reports):
    router.add_router("", module.router)
