"""Security pages: parking (filled by its stream)."""

urlpatterns = []
