"""Facilities console pages: equipment."""

urlpatterns = []
