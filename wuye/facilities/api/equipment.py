"""Facilities API: equipment."""

from ninja import Router

router = Router()
