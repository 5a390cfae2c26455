"""Facilities console pages: faults."""

urlpatterns = []
