from .web import pages

app_name = "emergencies"
urlpatterns = [*pages.urlpatterns]
