"""Payment notices, reminder notices and lawyer's letters: the console's list with counts per stage and each notice's
PDF; the owner portal's list of their own notices (issue 4)."""

from __future__ import annotations

from datetime import date

from django.db.models import Count, Sum
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext_lazy as _

from wuye.core.access import get_scoped_or_404, scoped
from wuye.core.errors import InvalidInput
from wuye.tenancy.models import Project
from wuye.tenancy.search import unit_search_q
from wuye.web.guards import owner_view, staff_view
from wuye.web.htmx import render_page
from wuye.web.paging import paginate

from ..documents import notice_filename, notice_pdf
from ..models import BillingNotice, NoticeStage
from ..periods import parse_month

EVENT_VERBS = {"billing.notice_issued": _("Notice issued"), "billing.notices_issued": _("Payment notices issued")}


def _month(value: str) -> date | None:
    """The month filter: `2026-11` → 2026-11-01; empty or anything else → None (no month filter)."""
    try:
        return parse_month(value, "month") if value else None
    except InvalidInput:
        return None


def _notices_for(actor):
    return scoped(BillingNotice.objects.all(), actor).select_related("unit__building", "project")


@staff_view(reads="billing.notices")
def notices(request):
    actor = request.actor
    projects = scoped(Project.objects.active(), actor).only("id", "name")
    filtered = _notices_for(actor)
    project_id = request.GET.get("project", "")
    project = projects.filter(pk=int(project_id)).first() if project_id.isdigit() else None
    if project is not None:
        filtered = filtered.filter(project=project)
    month = _month(request.GET.get("month", ""))
    if month is not None:
        filtered = filtered.filter(issued_on__year=month.year, issued_on__month=month.month)
    unit = request.GET.get("unit", "").strip()
    if unit:
        filtered = filtered.filter(unit_search_q(unit, "unit__"))
    counts = {row["stage"]: row for row in filtered.order_by().values("stage").annotate(
        count=Count("id"), total=Sum("total"))}
    stage = request.GET.get("stage", "")
    if stage in NoticeStage.values:
        filtered = filtered.filter(stage=stage)
    page = paginate(request, filtered.order_by("-issued_on", "-id"))
    return render_page(request, "billing/notices/list.html", "billing/notices/_results.html", {
        "page": page, "rows": page.object_list, "projects": projects, "project": project, "stage": stage,
        "month": month, "unit": unit,
        "stages": [{"value": value, "label": label, "count": counts.get(value, {}).get("count", 0),
                    "total": counts.get(value, {}).get("total") or 0} for value, label in NoticeStage.choices],
    })


@staff_view(reads="billing.notices")
def notice_pdf_view(request, notice_id: int):
    notice = get_scoped_or_404(_notices_for(request.actor).select_related("project__company"), request.actor,
                               pk=notice_id)
    return notice_pdf(notice).response(filename=notice_filename(notice))


@owner_view
def h5_notices(request):
    page = paginate(request, _notices_for(request.actor).order_by("-issued_on", "-id"), per_page=20)
    return render(request, "billing/notices/h5_list.html", {"page": page, "rows": page.object_list})


@owner_view
def h5_notice_pdf(request, notice_id: int):
    """An owner's own notice (units they live in now); anyone else's answers 404."""
    notice = get_scoped_or_404(_notices_for(request.actor).select_related("project__company"), request.actor,
                               pk=notice_id)
    return notice_pdf(notice).response(filename=notice_filename(notice))


urlpatterns = [
    path("console/billing/notices/", notices, name="notices"),
    path("console/billing/notices/<int:notice_id>.pdf", notice_pdf_view, name="notice_pdf"),
    path("h5/notices/bills/", h5_notices, name="h5_notices"),
    path("h5/notices/<int:notice_id>.pdf", h5_notice_pdf, name="h5_notice_pdf"),
]
