"""Quality API: assessments (owned by its feature; mounted by api/__init__.py)."""

from ninja import Router

router = Router()
