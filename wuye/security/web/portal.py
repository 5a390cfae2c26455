"""Security pages: portal (filled by its stream)."""

urlpatterns = []
