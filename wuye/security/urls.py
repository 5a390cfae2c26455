from .web import gate, goods, home, parking, patrols, portal

app_name = "security"
urlpatterns = [
    *home.urlpatterns,
    *gate.urlpatterns,
    *portal.urlpatterns,
    *goods.urlpatterns,
    *patrols.urlpatterns,
    *parking.urlpatterns,
]
