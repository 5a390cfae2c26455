from .web import console, portal

app_name = "decorations"
urlpatterns = [*console.urlpatterns, *portal.urlpatterns]
