"""Security API: patrols (filled by its stream)."""

from ninja import Router

router = Router()
