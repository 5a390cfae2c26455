from .web import pages

app_name = "moveins"
urlpatterns = [*pages.urlpatterns]
