"""Facilities console pages: maintenance."""

urlpatterns = []
