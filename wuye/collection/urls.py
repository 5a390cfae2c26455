from django.urls import path

from .web import notices, worklist

app_name = "collection"

urlpatterns = [
    path("console/collection/", worklist.worklist_page, name="worklist"),
    path("console/collection/reports.xlsx", worklist.reports_xlsx, name="reports_xlsx"),
    path("console/collection/units/<int:unit_id>/", worklist.household, name="household"),
    path("console/collection/units/<int:unit_id>/contacts/", worklist.log_contact, name="log_contact"),
    path("console/collection/buildings/<int:building_id>/notices/", notices.issue_building_notices,
         name="building_notices"),
    path("console/collection/buildings/<int:building_id>/notices.pdf", notices.building_notices_pdf,
         name="building_notices_pdf"),
]
