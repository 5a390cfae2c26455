"""Facilities console pages: handovers."""

urlpatterns = []
