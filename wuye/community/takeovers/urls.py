from .web import pages

app_name = "takeovers"
urlpatterns = [*pages.urlpatterns]
