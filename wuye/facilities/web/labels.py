"""Facilities console pages: labels."""

urlpatterns = []
