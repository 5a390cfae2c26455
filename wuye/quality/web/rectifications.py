"""Quality console and portal pages: rectifications."""

urlpatterns = []
