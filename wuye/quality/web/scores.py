"""Quality console and portal pages: scores."""

urlpatterns = []
