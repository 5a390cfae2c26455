"""Security pages: gate (filled by its stream)."""

urlpatterns = []
