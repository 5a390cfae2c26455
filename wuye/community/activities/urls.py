from .web import pages

app_name = "activities"
urlpatterns = [*pages.urlpatterns]
