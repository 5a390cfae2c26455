"""Security console pages: patrols. A day's rounds per route (`rounds`), one round with its checkpoints, clocks
and timeline (`round`), the missed checkpoints of a week (`missed`), routes with their checkpoints (`routes`,
`route_new`, `route`, the QR label sheet `route_labels`), and the guard's phone: the hub with my rounds under way
and a code box (`scan`), and the page a checkpoint's QR code opens (`checkpoint_scan`), where one tap checks in.

Views parse and bound the input, call `security.patrols`, and render; the rules (which round is open, on time or
late, already scanned) are the service's, and its refusals come back as the page's message with its 4xx."""

from __future__ import annotations

import re
from datetime import date, time

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from wuye.core.access import get_scoped_or_404, scoped
from wuye.core.downloads import attachment, download_name
from wuye.core.errors import DomainError, InvalidInput
from wuye.core.validators import digits
from wuye.tenancy.models import Project
from wuye.web.guards import staff_view
from wuye.web.paging import paginate

from .. import reports
from ..models import (
    CheckpointVisit,
    FindingAction,
    PatrolCheckpoint,
    PatrolRound,
    PatrolRoute,
    RoundStatus,
    VisitStatus,
)

RESOURCE = "security.patrols"
CODE_MAX = 200  # the code box: a checkpoint code (16) or a pasted label URL
NOTE_MAX, FINDING_MAX = 300, 300
MAX_PHOTOS = 9
LINES_MAX, LINE_MAX = 60, 400  # a route's checkpoint lines: how many, how long each
NAME_MAX = 60


def _id(value) -> int | None:
    value = (value or "").strip()
    return int(value) if digits(value) and len(value) < 12 else None


def _day(value) -> date | None:
    try:
        day = date.fromisoformat((value or "").strip()[:10])
    except ValueError:
        return None
    return day if reports.EARLIEST <= day <= reports.LATEST else None


def _patrols():
    from .. import patrols

    return patrols


def _problem_dict(error: DomainError) -> dict:
    return {problem.field: problem.message for problem in error.problems} or {"form": error.message}


# -- a day's rounds ---------------------------------------------------------------------------------------------
def round_filters(get) -> dict:
    """The rounds list's filters from its query string; values out of range are ignored (a page, not an API)."""
    return reports.round_filters(
        day=_day(get.get("day")) or "", route=_id(get.get("route")) or "", project=_id(get.get("project")) or "",
        status=get.get("status") if get.get("status") in RoundStatus.values else "")


@staff_view(reads=RESOURCE)
def round_list(request):
    """A day's rounds: per route a timeline of its rounds coloured by status, with the route's scanned, late and
    missed checkpoints; the rows are `reports.round_rows` (the cards count the same)."""
    actor, today = request.actor, timezone.localdate()
    filters = round_filters(request.GET)
    day = filters["day"] or today
    rows = reports.round_rows(actor, filters)
    page = paginate(request, rows, per_page=200)
    return render(request, "security/patrols/rounds.html", {
        "page": page, "routes": reports.timeline_by_route(page.object_list), "filters": filters, "day": day,
        "previous": reports.rounds_url({**filters, "day": day.fromordinal(day.toordinal() - 1)}),
        "next": reports.rounds_url({**filters, "day": day.fromordinal(day.toordinal() + 1)}),
        "statuses": RoundStatus.choices,
        "route_choices": scoped(PatrolRoute.objects.all(), actor).select_related("project").order_by("name"),
        "projects": scoped(Project.objects.active(), actor).only("id", "name"),
    })


@staff_view(reads=RESOURCE)
def round_detail(request, pk: int):
    """One round: its checkpoints in walking order (due, scanned, by whom, on time / late / missed, note, photos,
    findings), its clocks and its timeline."""
    from django.contrib.contenttypes.models import ContentType

    from wuye.quality.models import Evidence
    from wuye.sla.engine import clocks_for

    patrol_round = get_scoped_or_404(PatrolRound.objects.select_related("route", "project", "guard"),
                                     request.actor, pk=pk)
    visits = list(CheckpointVisit.objects.filter(round=patrol_round)
                  .select_related("checkpoint", "scanned_by").prefetch_related("findings").order_by("order", "id"))
    # The photos of every checkpoint in one query (evidence_for's rows, for up to 50 subjects at once).
    photos: dict[int, list] = {}
    for photo in Evidence.objects.filter(subject_type=ContentType.objects.get_for_model(CheckpointVisit),
                                         subject_id__in=[v.pk for v in visits]).order_by("created_at", "id"):
        photos.setdefault(photo.subject_id, []).append(photo)
    for visit in visits:
        visit.photos = photos.get(visit.pk, [])
    return render(request, "security/patrols/round.html", {
        "round": patrol_round, "visits": visits, "clocks": list(clocks_for(patrol_round)),
        "day_url": reports.rounds_url(reports.round_filters(day=timezone.localdate(patrol_round.starts_at))),
    })


# -- missed checkpoints -----------------------------------------------------------------------------------------
def missed_filters(get) -> dict:
    return reports.missed_filters(since=_day(get.get("since")) or "", until=_day(get.get("until")) or "",
                                  route=_id(get.get("route")) or "")


@staff_view(reads=RESOURCE)
def missed_list(request):
    """Missed checkpoints (and rounds nobody walked) of the last week or `?since=&until=`, newest first."""
    actor, today = request.actor, timezone.localdate()
    filters = missed_filters(request.GET)
    since, until = reports.missed_window(filters, today)
    page = paginate(request, reports.missed_rows(actor, filters, today))
    return render(request, "security/patrols/missed.html", {
        "page": page, "filters": filters, "since": since, "until": until,
        "rounds": list(reports.missed_rounds(actor, filters, today)[:50]),
        "route_choices": scoped(PatrolRoute.objects.all(), actor).order_by("name"),
    })


# -- routes -----------------------------------------------------------------------------------------------------
@staff_view(reads=RESOURCE)
def route_list(request):
    actor = request.actor
    project = _id(request.GET.get("project"))
    rows = scoped(PatrolRoute.objects.all(), actor).select_related("project")
    if project:
        rows = rows.filter(project_id=project)
    from django.db.models import Count, Q

    rows = rows.annotate(checkpoint_count=Count("checkpoints", filter=Q(checkpoints__is_active=True)))
    return render(request, "security/patrols/routes.html", {
        "page": paginate(request, rows.order_by("project_id", "-is_active", "name")), "project": project,
        "projects": scoped(Project.objects.active(), actor).only("id", "name"),
        "may_manage": actor.may("security.manage_patrols"),
    })


def parse_checkpoints(text: str) -> list[dict]:
    """The route form's checkpoint lines, one a line: "name | location | code | minutes" with an optional fifth
    column of what to check; blank minutes leave the checkpoint's time to the service (an even share of the round).
    Every wrong line is named by its number (InvalidInput on `checkpoints`)."""
    lines = [line.strip() for line in (text or "").splitlines()]
    numbered = [(number, line) for number, line in enumerate(lines, start=1) if line]
    if len(numbered) > LINES_MAX:
        raise InvalidInput("checkpoints", _("At most %(count)s checkpoints on a route.") % {"count": LINES_MAX})
    rows, problems = [], []
    for number, line in numbered:
        parts = [part.strip() for part in line[:LINE_MAX + 1].split("|")]
        if len(line) > LINE_MAX or len(parts) not in (4, 5):
            problems.append(_("line %(n)s: write name | location | code | minutes (and what to check)")
                            % {"n": number})
            continue
        name, location, code, minutes = parts[:4]
        if not name or not code:
            problems.append(_("line %(n)s: the name and the code are needed") % {"n": number})
            continue
        if minutes and not (digits(minutes) and len(minutes) <= 4):
            problems.append(_("line %(n)s: the minutes are a whole number") % {"n": number})
            continue
        rows.append({"name": name, "location": location, "code": code,
                     "minutes_from_start": int(minutes) if minutes else None,
                     "checks": parts[4] if len(parts) == 5 else ""})
    if problems:
        raise InvalidInput("checkpoints", "; ".join(problems))
    return rows


CHECKPOINT_FIELD = re.compile(r"^checkpoints\[(\d+)\]")


def _route_problems(error: DomainError, text: str) -> dict:
    """The service's refusal as the form's errors: a checkpoint's problem (`checkpoints[n].code`, n counting the
    checkpoints) is said under the textarea with the number of the line it came from."""
    lines = [number for number, line in enumerate((text or "").splitlines(), start=1) if line.strip()]
    errors, rows = {}, []
    for problem in error.problems:
        found = CHECKPOINT_FIELD.match(problem.field)
        if found:
            index = int(found.group(1))
            line = lines[index - 1] if 0 < index <= len(lines) else index
            rows.append(_("line %(n)s: %(problem)s") % {"n": line, "problem": problem.message})
        else:
            errors.setdefault(problem.field, problem.message)
    if rows:
        errors["checkpoints"] = "; ".join(([errors["checkpoints"]] if "checkpoints" in errors else []) + rows)
    return errors or {"form": error.message}


def checkpoint_lines(route: PatrolRoute) -> str:
    """A route's active checkpoints as the form's lines."""
    return "\n".join(" | ".join([c.name, c.location, c.code, str(c.minutes_from_start)] + ([c.checks] if c.checks
                                                                                             else []))
                     for c in route.checkpoints.filter(is_active=True).order_by("order", "id"))


def _time(value, field: str) -> time | None:
    value = (value or "").strip()[:8]
    if not value:
        return None
    try:
        return time.fromisoformat(value)
    except ValueError:
        raise InvalidInput(field, _("Write a time as HH:MM.")) from None


def _minutes(value, field: str) -> int | None:
    value = (value or "").strip()
    if not value:
        return None
    if not (digits(value) and len(value) <= 4):
        raise InvalidInput(field, _("Write a whole number of minutes."))
    return int(value)


def _route_fields(post) -> dict:
    """The route form's values for create_route / update_route (blank interval: the project's rule)."""
    fields = {"name": post.get("name", "").strip()[:NAME_MAX + 1], "is_key_area": post.get("is_key_area") == "on",
              "every_minutes": _minutes(post.get("every_minutes"), "every_minutes"),
              "round_minutes": _minutes(post.get("round_minutes"), "round_minutes"),
              "checkpoints": parse_checkpoints(post.get("checkpoints", "")[:LINES_MAX * (LINE_MAX + 2)])}
    for name in ("first_round_at", "last_round_at"):
        value = _time(post.get(name), name)
        if value is not None:
            fields[name] = value
    if fields["round_minutes"] is None:
        fields.pop("round_minutes")
    return fields


def _rule_defaults(actor) -> list[tuple]:
    """(project, every minutes, key-area every minutes) of the actor's projects: the form's shown defaults."""
    from wuye.tenancy.rules import rules_for

    return [(project, rules_for(project).patrol_every_minutes, rules_for(project).patrol_key_area_every_minutes)
            for project in scoped(Project.objects.active(), actor).only("id", "name")]


@staff_view("security.manage_patrols", reads=RESOURCE)
def route_new(request):
    actor = request.actor
    errors, form, status = {}, request.POST if request.method == "POST" else {}, 200
    if request.method == "POST":
        try:
            project = scoped(Project.objects.all(), actor).filter(pk=_id(request.POST.get("project"))).first()
            if project is None:
                raise InvalidInput("project", _("Choose a project."))
            fields = _route_fields(request.POST)  # the lines are checked before the service is asked
            route = _patrols().create_route(actor, project=project, **fields)
        except DomainError as error:
            errors, status = _route_problems(error, request.POST.get("checkpoints", "")), error.status
        else:
            messages.success(request, _("Route saved."))
            return redirect(reverse("security:route", args=[route.pk]))
    return render(request, "security/patrols/route_form.html", {
        "errors": errors, "form": form, "route": None, "defaults": _rule_defaults(actor),
        "projects": scoped(Project.objects.active(), actor).only("id", "name"),
    }, status=status)


@staff_view(reads=RESOURCE)
def route_detail(request, pk: int):
    """A route: its settings and checkpoints; managers edit them in the same form (and switch it on or off)."""
    actor = request.actor
    route = get_scoped_or_404(PatrolRoute.objects.select_related("project"), actor, pk=pk)
    may_manage = actor.may("security.manage_patrols")
    errors, form, status = {}, {}, 200
    if request.method == "POST":
        if not may_manage:
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        try:
            if request.POST.get("action") == "toggle":
                _patrols().set_route_active(actor, route, not route.is_active)
                messages.success(request, _("Route switched on.") if not route.is_active else
                                 _("Route switched off."))
            else:
                fields = _route_fields(request.POST)
                _patrols().update_route(actor, route, **fields)
                messages.success(request, _("Route saved."))
        except DomainError as error:
            errors, form = _route_problems(error, request.POST.get("checkpoints", "")), request.POST
            status = error.status
        else:
            return redirect(reverse("security:route", args=[route.pk]))
        route.refresh_from_db()
    from wuye.tenancy.rules import rules_for

    rules = rules_for(route.project)
    return render(request, "security/patrols/route_form.html", {
        "errors": errors, "form": form or {
            "name": route.name, "every_minutes": route.every_minutes, "round_minutes": route.round_minutes,
            "first_round_at": route.first_round_at.strftime("%H:%M") if route.first_round_at else "",
            "last_round_at": route.last_round_at.strftime("%H:%M") if route.last_round_at else "",
            "is_key_area": "on" if route.is_key_area else "", "checkpoints": checkpoint_lines(route)},
        "route": route, "may_manage": may_manage,
        "defaults": [(route.project, rules.patrol_every_minutes, rules.patrol_key_area_every_minutes)],
        "checkpoints": route.checkpoints.filter(is_active=True).order_by("order", "id"),
        "rounds_url": reports.rounds_url(reports.round_filters(route=route.pk)),
    }, status=status)


@staff_view(reads=RESOURCE)
def route_labels(request, pk: int):
    """The route's checkpoint QR labels (A4 PDF): each QR opens `security:checkpoint_scan`."""
    route = get_scoped_or_404(PatrolRoute.objects.select_related("project"), request.actor, pk=pk)
    from .. import labels

    checkpoints = route.checkpoints.filter(is_active=True).order_by("order", "id")
    try:
        content = labels.checkpoint_sheet(checkpoints, base_url=request.build_absolute_uri("/"))
    except DomainError as error:  # a route without checkpoints: nothing to print
        messages.error(request, error.problems[0].message if error.problems else error.message)
        return redirect(reverse("security:route", args=[route.pk]))
    response = HttpResponse(content, content_type="application/pdf")
    return attachment(response, download_name("巡更点标签", route.project.name, route.name, ext="pdf"))


# -- the guard's phone ------------------------------------------------------------------------------------------
@staff_view(reads=RESOURCE)
def scan(request):
    """The guard's hub: my rounds under way now with their next checkpoint, and the code box (a typed code or a
    pasted label URL) that opens the checkpoint's page."""
    actor = request.actor
    code = (request.GET.get("code") or "").strip()[:CODE_MAX]
    problem = ""
    if code:
        try:
            checkpoint = _patrols().find_checkpoint(actor, code)
        except DomainError as error:
            problem = error.problems[0].message if error.problems else error.message
        else:
            return redirect(reverse("security:checkpoint_scan", args=[checkpoint.label_token]))
    return render(request, "security/patrols/scan.html", {
        "rounds": reports.my_open_rounds(actor), "code": code, "problem": problem,
        "may_patrol": actor.may("security.patrol"),
    }, status=422 if problem else 200)


def _visit_of(patrol_round, checkpoint) -> CheckpointVisit | None:
    if patrol_round is None:
        return None
    return CheckpointVisit.objects.filter(round=patrol_round, checkpoint=checkpoint).select_related(
        "scanned_by").first()


def _scan_context(request, checkpoint, *, errors=None, post=None) -> dict:
    now = timezone.now()
    current = _patrols().current_round_for(request.actor, checkpoint, at=now)
    visit = _visit_of(current, checkpoint)
    state = "no_round" if current is None else "no_visit" if visit is None else \
        "scanned" if visit.status in (VisitStatus.ON_TIME, VisitStatus.LATE) else \
        "missed" if visit.status == VisitStatus.MISSED else "open"
    return {"checkpoint": checkpoint, "round": current, "visit": visit, "state": state, "now": now,
            "errors": errors or {}, "post": post or {}, "may_patrol": request.actor.may("security.patrol"),
            "actions": FindingAction.choices, "max_photos": MAX_PHOTOS}


@staff_view(reads=RESOURCE)
def checkpoint_scan(request, token):
    """Where a checkpoint's QR code lands: the checkpoint, the round open now, and one tap to check in (a note,
    photos and a finding that opens a work order or a rectification, all optional). Says on time or late, or
    why not: no round open now, outside the window, already scanned."""
    actor = request.actor
    checkpoint = get_scoped_or_404(PatrolCheckpoint.objects.select_related("route", "project"), actor,
                                   label_token=token)
    if request.method != "POST":
        return render(request, "security/patrols/checkpoint.html", _scan_context(request, checkpoint))
    post = request.POST
    patrols = _patrols()
    try:
        if not actor.may("security.patrol"):
            from wuye.core.errors import NotAllowed

            raise NotAllowed(_("Your role may not do this."))
        current = patrols.current_round_for(actor, checkpoint, at=timezone.now())
        if current is None:
            raise InvalidInput("round", _("No round of this route is open now."))
        description = post.get("finding", "").strip()[:FINDING_MAX + 1]
        from django.db import transaction

        with transaction.atomic():  # a refused finding leaves no check-in behind
            visit = patrols.check_in(actor, current, token=checkpoint.label_token,
                                     note=post.get("note", "").strip()[:NOTE_MAX + 1],
                                     photos=request.FILES.getlist("photos")[:MAX_PHOTOS + 1])
            if description:
                patrols.report_finding(actor, visit, description=description, action=post.get("action", "")[:20],
                                       department=post.get("department", "")[:32])
    except DomainError as error:
        context = _scan_context(request, checkpoint, errors=_problem_dict(error), post=post)
        return render(request, "security/patrols/checkpoint.html", context, status=error.status)
    if visit.status == VisitStatus.LATE:
        messages.warning(request, _("Checked in late at %(place)s.") % {"place": checkpoint.name})
    else:
        messages.success(request, _("Checked in on time at %(place)s.") % {"place": checkpoint.name})
    return redirect(reverse("security:checkpoint_scan", args=[checkpoint.label_token]))


urlpatterns = [
    path("console/security/rounds/", round_list, name="rounds"),
    path("console/security/rounds/<int:pk>/", round_detail, name="round"),
    path("console/security/missed/", missed_list, name="missed"),
    path("console/security/routes/", route_list, name="routes"),
    path("console/security/routes/new/", route_new, name="route_new"),
    path("console/security/routes/<int:pk>/", route_detail, name="route"),
    path("console/security/routes/<int:pk>/labels.pdf", route_labels, name="route_labels"),
    path("console/security/scan/", scan, name="scan"),
    path("console/security/c/<uuid:token>/", checkpoint_scan, name="checkpoint_scan"),
]
