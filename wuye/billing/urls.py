from .web import accounts, meters, notices, owner, payments, reports, runs, sharing

app_name = "billing"
urlpatterns = [
    *accounts.urlpatterns,
    *runs.urlpatterns,
    *meters.urlpatterns,
    *sharing.urlpatterns,
    *notices.urlpatterns,
    *payments.urlpatterns,
    *reports.urlpatterns,
    *owner.urlpatterns,
]
