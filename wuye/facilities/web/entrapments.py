"""Facilities console pages: entrapments."""

urlpatterns = []
