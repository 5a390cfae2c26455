"""The move-in API (SPEC §7, §9), mounted under /api/v1."""

from ninja import Router

router = Router(tags=["moveins"])
