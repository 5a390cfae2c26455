"""Facilities API: maintenance."""

from ninja import Router

router = Router()
