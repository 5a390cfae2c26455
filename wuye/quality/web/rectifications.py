"""Quality console pages: rectifications — the list (by department, status, overdue first) and one page per
rectification with its source, deadline, steps and photos, and the report / verify forms."""

from __future__ import annotations

from django.shortcuts import render
from django.urls import path

from wuye.core.access import get_scoped_or_404, scoped
from wuye.web.guards import staff_view

from ..models import Rectification


@staff_view(reads="quality.rectifications")
def rectification_list(request):
    rows = scoped(Rectification.objects.all(), request.actor).select_related("project")[:50]
    return render(request, "quality/rectifications/list.html", {"rows": rows})


@staff_view(reads="quality.rectifications")
def rectification_detail(request, pk: int):
    rect = get_scoped_or_404(Rectification.objects.select_related("project"), request.actor, pk=pk)
    return render(request, "quality/rectifications/detail.html", {"rect": rect})


urlpatterns = [
    path("console/quality/rectifications/", rectification_list, name="rectifications"),
    path("console/quality/rectifications/<int:pk>/", rectification_detail, name="rectification"),
]
