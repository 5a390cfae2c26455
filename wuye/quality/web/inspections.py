"""Quality console and portal pages: inspections."""

urlpatterns = []
