"""Facilities API: operation."""

from ninja import Router

router = Router()
