"""Security API: goods (filled by its stream)."""

from ninja import Router

router = Router()
