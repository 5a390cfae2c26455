"""Facilities console pages: fire."""

urlpatterns = []
