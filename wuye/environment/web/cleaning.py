"""Environment pages: cleaning (filled by its stream)."""

urlpatterns = []
