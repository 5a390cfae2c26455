from .web import checks, cleaning, greening, home

app_name = "environment"
urlpatterns = [
    *home.urlpatterns,
    *cleaning.urlpatterns,
    *greening.urlpatterns,
    *checks.urlpatterns,
]
