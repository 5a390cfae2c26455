from .web import console, portal

app_name = "announcements"
urlpatterns = [*console.urlpatterns, *portal.urlpatterns]
