"""Quality console and portal pages: dashboard."""

urlpatterns = []
