"""Emergencies tables (SPEC §7); the rules live in the service modules."""

from django.db import models  # noqa: F401
