"""Facilities console pages: operation."""

urlpatterns = []
