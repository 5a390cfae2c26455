from .web import console, portal

app_name = "bookings"
urlpatterns = [*console.urlpatterns, *portal.urlpatterns]
