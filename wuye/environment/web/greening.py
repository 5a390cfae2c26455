"""Environment pages: greening (filled by its stream)."""

urlpatterns = []
