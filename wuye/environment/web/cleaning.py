"""Environment console pages: cleaning zones (list, new, the zone's page with its edit form and tasks), the task list
(a day's tasks with filters), the task page (photos, clock, timeline as sentences, the done form) and the cleaner's
phone page (my tasks now and next, one tap done with a photo)."""

from __future__ import annotations

from datetime import date, timedelta
from urllib.parse import urlencode

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from wuye.core.access import Role, get_scoped_or_404, scoped
from wuye.core.errors import DomainError, InvalidInput
from wuye.core.photos import MAX_PHOTOS
from wuye.core.validators import digits
from wuye.tenancy.models import Building, Project
from wuye.web.guards import staff_view
from wuye.web.paging import paginate

from .. import cleaning as service
from .. import reports
from ..models import CleaningTask, CleaningZone, TaskStatus, ZoneKind

RESOURCE = "environment.cleaning"
EARLIEST, LATEST = date(2000, 1, 1), date(2100, 12, 31)


def _id(value) -> int | None:
    value = (value or "").strip()
    return int(value) if value.isascii() and digits(value) and len(value) < 12 else None


def _int(value) -> int | str | None:
    """A whole number from a form, None when blank, "bad" when not a number (the service names the field)."""
    value = (value or "").strip()
    if not value:
        return None
    return int(value) if value.isascii() and digits(value) and len(value) < 7 else "bad"


def _day(value) -> date | None:
    try:
        day = date.fromisoformat((value or "")[:10])
    except ValueError:
        return None
    return day if EARLIEST <= day <= LATEST else None


def _errors(error: DomainError) -> dict:
    return {problem.field: problem.message for problem in error.problems} or {"form": error.message}


# -- zones ---------------------------------------------------------------------------------------------------------
@staff_view(reads=RESOURCE)
def zone_list(request):
    actor = request.actor
    project = _id(request.GET.get("project"))
    rows = scoped(CleaningZone.objects.all(), actor).select_related("project", "cleaner", "building")
    if project:
        rows = rows.filter(project_id=project)
    page = paginate(request, rows.order_by("project_id", "-is_active", "name"))
    return render(request, "environment/cleaning/zones.html", {
        "page": page, "projects": scoped(Project.objects.active(), actor).only("id", "name"), "project": project,
        "may_manage": actor.may("environment.manage"), "query": urlencode({"project": project} if project else {}),
    })


def _form_choices(actor) -> dict:
    from wuye.people.services import staff_with_role

    projects = list(scoped(Project.objects.active(), actor).only("id", "name", "company_id"))
    return {
        "projects": projects, "kinds": ZoneKind.choices,
        "buildings": Building.objects.filter(project__in=projects).select_related("project").order_by(
            "project_id", "name") if projects else [],
        "cleaners": staff_with_role(Role.ENVIRONMENT, projects, include_company_wide=False) if projects else [],
        "defaults": [(label, "、".join(service.default_times(value))) for value, label in ZoneKind.choices],
    }


FORM_KEYS = ("project", "kind", "name", "times", "task_minutes", "building", "cleaner", "standard", "disinfection")


def _values(post=None, zone: CleaningZone | None = None) -> dict:
    """What the zone form shows: what was posted, else the zone's own values, else blanks (every key present)."""
    if post:
        return {key: post.get(key, "") for key in FORM_KEYS}
    if zone is not None:
        return {"project": str(zone.project_id), "kind": zone.kind, "name": zone.name,
                "times": ", ".join(zone.times or ()), "task_minutes": str(zone.task_minutes),
                "building": str(zone.building_id or ""), "cleaner": str(zone.cleaner_id or ""),
                "standard": zone.standard, "disinfection": "1" if zone.disinfection else "0"}
    return dict.fromkeys(FORM_KEYS, "")


def _zone_input(post, project) -> dict:
    """The zone form's fields as the service takes them (bounded before parsing)."""
    from django.contrib.auth import get_user_model

    minutes = _int(post.get("task_minutes"))
    building = Building.objects.filter(pk=_id(post.get("building")), project=project).first() \
        if _id(post.get("building")) else None
    cleaner = get_user_model().objects.filter(pk=_id(post.get("cleaner"))).first() \
        if _id(post.get("cleaner")) else None
    return {
        "name": post.get("name", "")[:service.NAME_MAX + 1],
        "times": post.get("times", "")[:service.TIMES_MAX * 7] or None,
        "task_minutes": -1 if minutes == "bad" else minutes,
        "building": building, "standard": post.get("standard", "")[:service.STANDARD_MAX + 1], "cleaner": cleaner,
    }


@staff_view("environment.manage", reads=RESOURCE)
def zone_new(request):
    actor = request.actor
    errors = {}
    if request.method == "POST":
        post = request.POST
        try:
            project = scoped(Project.objects.all(), actor).filter(pk=_id(post.get("project"))).first()
            if project is None:
                raise InvalidInput("project", _("Choose a project."))
            fields = _zone_input(post, project)
            disinfection = {"1": True, "0": False}.get(post.get("disinfection", ""))
            zone = service.create_zone(actor, project=project, kind=post.get("kind", "")[:20],
                                       disinfection=disinfection, **fields)
        except DomainError as error:
            errors = _errors(error)
        else:
            messages.success(request, _("Zone saved; its tasks are made."))
            return redirect(reverse("environment:zone", args=[zone.pk]))
    return render(request, "environment/cleaning/zone_form.html", {
        **_form_choices(actor), "errors": errors, "values": _values(request.POST if errors else None),
        "zone": None,
    }, status=422 if errors else 200)


def _task_rows(tasks, now) -> list[dict]:
    rows = []
    for task in tasks:
        state = service.task_state(task, now)
        rows.append({"task": task, "state": state, "label": service.STATE_LABELS[state]})
    return rows


@staff_view(reads=RESOURCE)
def zone_detail(request, pk: int):
    """The zone: what it is, its edit form (managers), today's and the coming tasks, the last days' record."""
    actor, now = request.actor, timezone.now()
    zone = get_scoped_or_404(CleaningZone.objects.select_related("project", "cleaner", "building"), actor, pk=pk)
    errors, posted = {}, None
    may_manage = actor.may("environment.manage")
    if request.method == "POST" and may_manage:
        post = request.POST
        try:
            if post.get("action") == "toggle":
                service.set_zone_active(actor, zone, not zone.is_active)
                messages.success(request, _("Zone resumed.") if not zone.is_active else _("Zone paused."))
            else:
                fields = _zone_input(post, zone.project)
                fields["times"] = fields["times"] or ""
                fields["task_minutes"] = -1 if fields["task_minutes"] is None else fields["task_minutes"]
                fields["disinfection"] = post.get("disinfection") == "1"
                service.update_zone(actor, zone, **fields)
                messages.success(request, _("Zone saved."))
        except DomainError as error:
            errors, posted = _errors(error), post
            zone.refresh_from_db()
        else:
            return redirect(reverse("environment:zone", args=[zone.pk]))
    elif request.method == "POST":
        errors = {"form": _("Your role may not do this.")}
    today = timezone.localdate(now)
    low, _high = service.day_bounds(today)
    tasks = CleaningTask.objects.filter(zone=zone).select_related("zone", "done_by")
    coming = tasks.filter(starts_at__gte=low).order_by("starts_at", "pk")[:30]
    past = tasks.filter(starts_at__lt=low, starts_at__gte=low - timedelta(days=7)).order_by("-starts_at", "-pk")[:60]
    return render(request, "environment/cleaning/zone.html", {
        "zone": zone, "coming": _task_rows(coming, now), "past": _task_rows(past, now), "may_manage": may_manage,
        "errors": errors, "values": _values(posted, zone), **(_form_choices(actor) if may_manage else {}),
        # A spot check is the environment department's self-inspection (or quality's): offered only to those
        # quality lets start one (create_inspection's rule), as a POST button.
        "check_url": reports.url_or_none("environment:zone_check", zone.pk)
        if actor.may("quality.inspect") or (actor.may("quality.self_inspect") and actor.role == "environment")
        else None,
        "tasks_url": reports.tasks_url(reports.task_filters(zone=zone.pk, day=today)),
    }, status=422 if errors else 200)


# -- tasks ---------------------------------------------------------------------------------------------------------
def task_filters(get, today: date) -> dict:
    """The task list's filters from a query string; values out of range are ignored (a page, not an API). No day
    given: today."""
    status = get.get("status", "")
    return reports.task_filters(
        day=_day(get.get("day")) or (None if get.get("day") == "all" else today),
        status=status if status in service.STATES else "", zone=_id(get.get("zone")),
        project=_id(get.get("project")), mine=get.get("mine") in ("on", "1", "true"))


@staff_view(reads=RESOURCE)
def task_list(request):
    actor, now = request.actor, timezone.now()
    today = timezone.localdate(now)
    filters = task_filters(request.GET, today)
    page = paginate(request, reports.filter_tasks(actor, filters, now))
    query = urlencode({key: ("on" if value is True else value.isoformat() if isinstance(value, date) else value)
                       for key, value in filters.items() if value not in ("", None, False)})
    return render(request, "environment/cleaning/tasks.html", {
        "page": page, "rows": _task_rows(page.object_list, now), "filters": filters, "query": query,
        "statuses": [(key, service.STATE_LABELS[key]) for key in service.STATES],
        "projects": scoped(Project.objects.active(), actor).only("id", "name"),
        "zones": scoped(CleaningZone.objects.all(), actor).only("id", "name", "project_id").order_by(
            "project_id", "name"),
        "previous": (filters["day"] or today) - timedelta(days=1), "following": (filters["day"] or today)
        + timedelta(days=1),
    })


def _task_context(request, task: CleaningTask, errors: dict | None = None) -> dict:
    from wuye.quality.evidence import evidence_for
    from wuye.sla.engine import clocks_for

    now = timezone.now()
    state = service.task_state(task, now)
    return {
        "task": task, "state": state, "state_label": service.STATE_LABELS[state], "photos": evidence_for(task),
        "clocks": list(clocks_for(task)), "errors": errors or {}, "post": request.POST if errors else {},
        "may_do": task.status == TaskStatus.SCHEDULED and service.may_do(request.actor, task),
        "max_photos": MAX_PHOTOS,
    }


@staff_view(reads=RESOURCE)
def task_detail(request, pk: int):
    """The task: zone, times, state, photos, clock and timeline; the done form for the environment staff."""
    actor = request.actor
    task = get_scoped_or_404(CleaningTask.objects.select_related("zone", "project", "done_by"), actor, pk=pk)
    if request.method != "POST":
        return render(request, "environment/cleaning/task.html", _task_context(request, task))
    post = request.POST
    try:
        service.complete_task(actor, task, note=post.get("note", "")[:service.NOTE_MAX + 1],
                              photos=request.FILES.getlist("photos")[:MAX_PHOTOS + 1])
    except DomainError as error:
        if post.get("back") == "my":
            messages.error(request, f"{task.zone.name}: {error.message}")
            return redirect(reverse("environment:my_tasks"))
        task.refresh_from_db()
        return render(request, "environment/cleaning/task.html", _task_context(request, task, _errors(error)),
                      status=error.status)
    messages.success(request, _("%(zone)s recorded as cleaned.") % {"zone": task.zone.name})
    if post.get("back") == "my":
        return redirect(reverse("environment:my_tasks"))
    return redirect(reverse("environment:task", args=[task.pk]))


@staff_view(reads=RESOURCE)
def my_tasks(request):
    """The cleaner's phone: my tasks begun or starting within four hours, each done with one tap (and a photo)."""
    actor, now = request.actor, timezone.now()
    rows = _task_rows(service.my_tasks(actor, now)[:100], now)
    return render(request, "environment/cleaning/my_tasks.html", {
        "now_rows": [row for row in rows if row["state"] != "upcoming"],
        "next_rows": [row for row in rows if row["state"] == "upcoming"],
        "may_do": actor.may("environment.do_tasks"), "today": timezone.localdate(now),
        "all_url": reports.tasks_url(reports.task_filters(day=timezone.localdate(now), mine=True)),
    })


urlpatterns = [
    path("console/environment/zones/", zone_list, name="zones"),
    path("console/environment/zones/new/", zone_new, name="zone_new"),
    path("console/environment/zones/<int:pk>/", zone_detail, name="zone"),
    path("console/environment/cleaning/", task_list, name="tasks"),
    path("console/environment/cleaning/<int:pk>/", task_detail, name="task"),
    path("console/environment/my/", my_tasks, name="my_tasks"),
]
