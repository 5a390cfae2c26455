from .web import home

app_name = "community"
urlpatterns = [*home.urlpatterns]
