from .web import pages

app_name = "catalogue"
urlpatterns = [*pages.urlpatterns]
