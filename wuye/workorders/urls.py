from .web import analysis, catalogue, dispatch, h5, ledger, photos, tickets

app_name = "workorders"
urlpatterns = [
    # staff console
    *tickets.urlpatterns,
    *dispatch.urlpatterns,
    *ledger.urlpatterns,
    *analysis.urlpatterns,
    *catalogue.urlpatterns,
    # owner portal (H5)
    *h5.urlpatterns,
    # both faces
    *photos.urlpatterns,
]
