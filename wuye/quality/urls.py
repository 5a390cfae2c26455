from .web import assessments, dashboard, inspections, kpis, rectifications, scores, standards, surveys

app_name = "quality"
urlpatterns = [
    *dashboard.urlpatterns,
    *standards.urlpatterns,
    *inspections.urlpatterns,
    *rectifications.urlpatterns,
    *scores.urlpatterns,
    *surveys.urlpatterns,
    *kpis.urlpatterns,
    *assessments.urlpatterns,
]
