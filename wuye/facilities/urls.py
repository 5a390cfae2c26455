from .web import entrapments, equipment, faults, fire, handovers, home, labels, maintenance, operation

app_name = "facilities"
urlpatterns = [
    *home.urlpatterns,
    *equipment.urlpatterns,
    *labels.urlpatterns,
    *maintenance.urlpatterns,
    *operation.urlpatterns,
    *faults.urlpatterns,
    *entrapments.urlpatterns,
    *fire.urlpatterns,
    *handovers.urlpatterns,
]
