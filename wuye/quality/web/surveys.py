"""Quality console and portal pages: surveys."""

urlpatterns = []
