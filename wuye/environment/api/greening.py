"""Environment API: greening (filled by its stream)."""

from ninja import Router

router = Router()
