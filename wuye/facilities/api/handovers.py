"""Facilities API: handovers."""

from ninja import Router

router = Router()
