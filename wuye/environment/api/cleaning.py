"""Environment API: cleaning (filled by its stream)."""

from ninja import Router

router = Router()
