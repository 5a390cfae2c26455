"""Environment pages: checks (filled by its stream)."""

urlpatterns = []
