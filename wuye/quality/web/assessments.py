"""Quality console and portal pages: assessments."""

urlpatterns = []
