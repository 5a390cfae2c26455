"""Quality console pages: rectifications — the list (by department and status, overdue first, with age) and one
page per rectification with its source, deadline, steps and photos, and the report / verify / cancel forms."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.db.models import Case, IntegerField, Value, When
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from wuye.core.access import get_scoped_or_404, scoped
from wuye.core.errors import DomainError
from wuye.tenancy.models import Project
from wuye.web.guards import staff_view
from wuye.web.paging import paginate

from .. import flows
from .. import rectifications as service
from ..models import Rectification, RectificationStatus, Severity
from ..reports import AGE_BUCKETS, by_age

MAX_PHOTOS = 9
AGE_KEYS = {bucket[0] for bucket in AGE_BUCKETS}


def _filters(request) -> dict:
    """The list's filters from the query string; unknown values are ignored (a page, not an API)."""
    get = request.GET
    departments = dict(Rectification._meta.get_field("department").choices)
    return {
        "project": get.get("project") if (get.get("project") or "").isdigit() else "",
        "status": get.get("status") if get.get("status") in RectificationStatus.values else "",
        "department": get.get("department") if get.get("department") in departments else "",
        "severity": get.get("severity") if get.get("severity") in Severity.values else "",
        "overdue": get.get("overdue") in ("on", "true", "1"),
        "age": get.get("age") if get.get("age") in AGE_KEYS else "",  # the quality home's age buckets
    }


def list_rows(actor, filters: dict, now):
    rows = service.with_deadlines(scoped(Rectification.objects.all(), actor))
    if filters["project"]:
        rows = rows.filter(project_id=int(filters["project"]))
    for name in ("status", "department", "severity"):
        if filters[name]:
            rows = rows.filter(**{name: filters[name]})
    if filters["overdue"]:
        rows = service.overdue(rows, now)
    if filters["age"]:
        rows = by_age(rows, filters["age"], now)
    # Overdue first, then what is still to do or to verify, then the rest; oldest first within open ones.
    return rows.annotate(rank=Case(
        When(status=RectificationStatus.OPEN, deadline__lt=now, then=Value(0)),
        When(status=RectificationStatus.OPEN, then=Value(1)),
        When(status=RectificationStatus.SUBMITTED, then=Value(2)),
        default=Value(3), output_field=IntegerField())).order_by("rank", "deadline", "-opened_at", "-id")


@staff_view(reads="quality.rectifications")
def rectification_list(request):
    actor, now = request.actor, timezone.now()
    filters = _filters(request)
    page = paginate(request, list_rows(actor, filters, now))
    rows = [{"rect": rect, "overdue": service.is_overdue(rect, now), "age": service.age_days(rect, now),
             "source": service.describe_source(rect)} for rect in page.object_list]
    query = urlencode({key: ("on" if value is True else value) for key, value in filters.items() if value})
    return render(request, "quality/rectifications/list.html", {
        "page": page, "rows": rows, "filters": filters, "query": query,
        "projects": scoped(Project.objects.active(), actor).only("id", "name"),
        "statuses": RectificationStatus.choices, "severities": Severity.choices,
        "departments": Rectification._meta.get_field("department").choices,
    })


def _detail_context(request, rect: Rectification, errors: dict | None = None) -> dict:
    actor, now = request.actor, timezone.now()
    rect = service.with_deadlines(Rectification.objects.filter(pk=rect.pk)).select_related(
        "building", "unit", "opened_by").get()
    clock = service.current_clock(rect)
    return {
        "rect": rect, "clock": clock, "overdue": service.is_overdue(rect, now), "age": service.age_days(rect, now),
        "source": service.describe_source(rect), "source_url": service.source_url(rect),
        "steps": service.steps_with_photos(rect),
        "actions": [action for action in flows.actions_from(rect.status) if service.may_act(actor, rect, action)],
        "errors": errors or {}, "max_photos": MAX_PHOTOS,
    }


@staff_view(reads="quality.rectifications")
def rectification_detail(request, pk: int):
    rect = get_scoped_or_404(Rectification.objects.all(), request.actor, pk=pk)
    return render(request, "quality/rectifications/detail.html", _detail_context(request, rect))


DONE = {"report": _("Reported; the inspector will verify it."), "accept": _("Verified and closed."),
        "reject": _("Sent back with a new time limit."), "cancel": _("Cancelled.")}


@require_POST
@staff_view(reads="quality.rectifications")
def rectification_action(request, pk: int, action: str):
    rect = get_scoped_or_404(Rectification.objects.all(), request.actor, pk=pk)
    data = {"note": request.POST.get("note", ""), "reason": request.POST.get("reason", ""),
            "photos": request.FILES.getlist("photos")[:MAX_PHOTOS + 1]}
    try:
        service.act(request.actor, rect, action, data)
    except DomainError as error:
        errors = {problem.field or "note": problem.message for problem in getattr(error, "problems", [])} \
            or {"form": error.message}
        context = {**_detail_context(request, rect, errors), "failed_action": action}
        return render(request, "quality/rectifications/detail.html", context, status=error.status)
    messages.success(request, str(DONE.get(action, "")))
    return redirect(reverse("quality:rectification", args=[rect.pk]))


urlpatterns = [
    path("console/quality/rectifications/", rectification_list, name="rectifications"),
    path("console/quality/rectifications/<int:pk>/", rectification_detail, name="rectification"),
    path("console/quality/rectifications/<int:pk>/<str:action>/", rectification_action,
         name="rectification_action"),
]
