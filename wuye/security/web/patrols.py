"""Security pages: patrols (filled by its stream)."""

urlpatterns = []
