"""Quality console and portal pages: standards."""

urlpatterns = []
