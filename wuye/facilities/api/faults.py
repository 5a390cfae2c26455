"""Facilities API: faults."""

from ninja import Router

router = Router()
