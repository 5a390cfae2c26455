"""Quality console and portal pages: kpis."""

urlpatterns = []
