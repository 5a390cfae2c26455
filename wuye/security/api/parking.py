"""Security API: parking (filled by its stream)."""

from ninja import Router

router = Router()
