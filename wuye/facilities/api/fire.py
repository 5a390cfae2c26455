"""Facilities API: fire."""

from ninja import Router

router = Router()
