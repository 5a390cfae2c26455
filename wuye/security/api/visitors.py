"""Security API: visitors (filled by its stream)."""

from ninja import Router

router = Router()
