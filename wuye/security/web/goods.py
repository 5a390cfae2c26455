"""Security pages: goods (filled by its stream)."""

urlpatterns = []
