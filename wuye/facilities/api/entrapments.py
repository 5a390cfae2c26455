"""Facilities API: entrapments."""

from ninja import Router

router = Router()
