from .web import accounts, master, meters, notices, owner, payments, reports, runs, sharing

app_name = "billing"
urlpatterns = [
    *accounts.urlpatterns,
    *runs.urlpatterns,
    *meters.urlpatterns,
    *sharing.urlpatterns,
    *notices.urlpatterns,
    *payments.urlpatterns,
    *reports.urlpatterns,
    *master.urlpatterns,
    *owner.urlpatterns,
]
