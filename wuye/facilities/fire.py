"""Fire safety (消防, seed 001 ch.4 and the order chapter's 消防管理流程): safety-hazard sweeps (安全隐患排查, twice a
month) whose findings each open a rectification tracked to closure, and fire drills (消防演练, 1–2 a year) with
participants and photos. The extinguisher and hydrant checks are maintenance tasks (`plans.py`); a sweep or a
drill recorded against its plan's task completes that task through `plans.complete_task`."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wuye.billing.periods import add_months
from wuye.core.access import Actor, require
from wuye.core.errors import InvalidInput, Problems
from wuye.core.events import record_event
from wuye.core.kpis import bounds
from wuye.core.sentences import register_sentences, register_terms
from wuye.core.validators import check_plausible_date, digits
from wuye.quality.models import Rectification, RectificationStatus, Severity

from .models import (
    STAFF_ROLES,
    Equipment,
    FireDrill,
    HazardFinding,
    HazardSweep,
    MaintenanceTask,
    PlanKind,
    TaskStatus,
)

AREAS_MAX = 300
NOTE_MAX = 2000
FINDINGS_MAX = 50
FINDING_TITLE_MAX = 200
LOCATION_MAX = 100
SCENARIO_MAX = 200
PARTICIPANTS_MAX = 4000
PARTICIPANT_NAMES_MAX = 500
SUMMARY_MAX = 4000
PEOPLE_MAX = 100_000
DEPARTMENTS = {value for value, _label in STAFF_ROLES}


def sweeps_required_per_month() -> int:
    """The seed's "twice a month" (`WUYE_HAZARD_SWEEPS_PER_MONTH`)."""
    return int(settings.WUYE_HAZARD_SWEEPS_PER_MONTH)


def drills_required_per_year() -> int:
    """The seed's "1–2 drills a year": the minimum (`WUYE_FIRE_DRILLS_PER_YEAR`)."""
    return int(settings.WUYE_FIRE_DRILLS_PER_YEAR)


# -- input ----------------------------------------------------------------------------------------------------------
def _text(problems: Problems, field: str, value, limit: int, *, required: bool = False, message=None) -> str:
    text = str(value or "").strip()
    if required and not text:
        problems.add(field, message or _("This field is required."))
    elif len(text) > limit:
        problems.add(field, _("At most %(count)s characters.") % {"count": limit})
    return text


def _count(problems: Problems, field: str, value) -> int:
    try:
        number = int(value or 0)
    except (TypeError, ValueError):
        problems.add(field, _("Give a whole number."))
        return 0
    if not 0 <= number <= PEOPLE_MAX:
        problems.add(field, _("Give a number from 0 to %(max)s.") % {"max": PEOPLE_MAX})
        return 0
    return number


def _moment(problems: Problems, field: str, value, now: datetime) -> datetime | None:
    """A past moment (a sweep or drill is recorded after it happened), at most a day ahead for clock drift."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError:
            problems.add(field, _("Give a date and time."))
            return None
    if isinstance(value, date) and not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day, 9, 0, tzinfo=timezone.get_current_timezone())
    if not isinstance(value, datetime):
        problems.add(field, _("Give a date and time."))
        return None
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    try:
        check_plausible_date(value)
    except ValueError as error:
        problems.add(field, error)
        return None
    if value > now + timedelta(days=1):
        problems.add(field, _("Record it after it has taken place."))
        return None
    return value


def _project(actor: Actor, project) -> None:
    if project is None or not actor.sees_project(project.pk) or (
            not actor.is_superuser and project.company_id != actor.company_id):
        raise InvalidInput("project", _("No such project."))


def _plan_task(problems: Problems, task, project, kind: str):
    """The scheduled task of a sweep / drill plan of the same project that this record completes, or None."""
    if task is None or task == "":
        return None
    if not isinstance(task, MaintenanceTask):
        task = MaintenanceTask.objects.select_related("plan").filter(pk=task).first() \
            if digits(str(task)) else None
    if task is None or task.project_id != project.pk or task.plan.kind != kind:
        problems.add("task", _("No such task."))
        return None
    if task.status != TaskStatus.SCHEDULED:
        problems.add("task", _("This task is already %(status)s.") % {"status": task.get_status_display()})
        return None
    return task


def _findings(problems: Problems, project, findings) -> list[dict]:
    if findings is None:
        return []
    if not isinstance(findings, list | tuple):
        problems.add("findings", _("Give the findings as a list."))
        return []
    if len(findings) > FINDINGS_MAX:
        problems.add("findings", _("At most %(count)s findings in one sweep.") % {"count": FINDINGS_MAX})
        return []
    cleaned = []
    for number, finding in enumerate(findings):
        field = f"findings[{number}]"
        if not isinstance(finding, dict):
            problems.add(field, _("Give the hazard, its location, severity and department."))
            continue
        title = _text(problems, f"{field}.title", finding.get("title"), FINDING_TITLE_MAX, required=True,
                      message=_("Say what the hazard is."))
        location = _text(problems, f"{field}.location", finding.get("location"), LOCATION_MAX)
        severity = finding.get("severity") or Severity.MINOR
        if severity not in Severity.values:
            problems.add(f"{field}.severity", _("Choose a severity."))
        department = finding.get("department") or "security"
        if department not in DEPARTMENTS:
            problems.add(f"{field}.department", _("Choose the responsible department."))
        equipment = finding.get("equipment")
        if equipment not in (None, ""):
            if not isinstance(equipment, Equipment):
                equipment = Equipment.objects.filter(project=project, pk=equipment).first() \
                    if digits(str(equipment)) else None
            if equipment is None or equipment.project_id != project.pk:
                problems.add(f"{field}.equipment", _("No such equipment in this project."))
                equipment = None
        else:
            equipment = None
        cleaned.append({"title": title, "location": location, "severity": severity, "department": department,
                        "equipment": equipment})
    return cleaned


def _results_for(task: MaintenanceTask) -> list[dict]:
    """The task's checklist answered "done": the sweep or drill record itself is what was checked."""
    return [{"ok": True, "note": ""} for _step in (task.plan.checklist or ())]


# -- sweeps ---------------------------------------------------------------------------------------------------------
def record_sweep(actor: Actor, *, project, areas, findings, note: str = "", task=None,
                 at: datetime | None = None) -> HazardSweep:
    """Record a safety-hazard sweep of `areas` on `project`: each finding (dict of title, location, severity,
    department, equipment) is kept and opens one rectification for its department, in one transaction; `task`
    (a scheduled hazard-sweep task of the project) is completed by it. Every field is checked first: a 422 names
    each wrong one and nothing is written."""
    require(actor, "facilities.fire_safety")
    _project(actor, project)
    now = timezone.now()
    problems = Problems()
    areas = _text(problems, "areas", areas, AREAS_MAX, required=True, message=_("Say which areas were swept."))
    note = _text(problems, "note", note, NOTE_MAX)
    cleaned = _findings(problems, project, findings)
    at = _moment(problems, "at", at, now) if at is not None else now
    task = _plan_task(problems, task, project, PlanKind.HAZARD_SWEEP)
    problems.raise_if_any()
    from wuye.quality.rectifications import open_rectification

    with transaction.atomic():
        sweep = HazardSweep.objects.create(project=project, conducted_at=at, inspector=actor.user, areas=areas,
                                           note=note)
        for row in cleaned:
            finding = HazardFinding.objects.create(sweep=sweep, **row)
            description = _("Found in the hazard sweep of %(areas)s") % {"areas": areas}
            if row["location"]:
                description = f"{row['location']} · {description}"
            open_rectification(finding, project=project, title=row["title"], department=row["department"],
                               severity=row["severity"], description=description, actor=actor, at=at)
        if task is not None:
            from . import plans

            summary = _("Hazard sweep: %(count)s hazards found") % {"count": len(cleaned)}
            plans.complete_task(actor, task, results=_results_for(task), note=summary, at=at)
            sweep.task = task
            sweep.save(update_fields=["task"])
        record_event(sweep, "facilities.sweep.recorded", actor=actor.user, data={
            "areas": areas, "findings": len(cleaned), "with_task": task is not None})
    return sweep


def month_bounds(year: int, month: int) -> tuple[datetime, datetime]:
    """The local (Asia/Shanghai) month as [start, end): the KPI registry's day bounds, one rule for every count."""
    first = date(year, month, 1)
    return bounds(first, add_months(first, 1))


def year_bounds(year: int) -> tuple[datetime, datetime]:
    """The local year as [start, end)."""
    return month_bounds(year, 1)[0], month_bounds(year + 1, 1)[0]


def _target(count: int, required: int) -> dict:
    return {"count": count, "required": required, "short": max(required - count, 0), "met": count >= required}


def sweep_target(sweeps, year: int, month: int) -> dict:
    """The month's sweeps (of `sweeps`, a queryset already in scope, of ONE project — the requirement is per
    project) against the seed's twice a month: {"count", "required", "short", "met"}."""
    start, end = month_bounds(year, month)
    return _target(sweeps.filter(conducted_at__gte=start, conducted_at__lt=end).count(), sweeps_required_per_month())


def drill_target(drills, year: int) -> dict:
    """The year's drills (of `drills`, a queryset in scope, of ONE project) against the seed's at least one a
    year."""
    start, end = year_bounds(year)
    return _target(drills.filter(held_at__gte=start, held_at__lt=end).count(), drills_required_per_year())


def _per_project(records, projects, required: int) -> list[dict]:
    # One grouped COUNT for all projects (a COUNT per project was one query each on the list pages).
    counts = dict(records.order_by().values_list("project").annotate(n=Count("pk")))
    return [{"project": project, **_target(counts.get(project.pk, 0), required)} for project in projects]


def sweep_targets(sweeps, projects, year: int, month: int) -> list[dict]:
    """`sweep_target` for each of `projects` in one query: [{"project", "count", "required", "short", "met"}]."""
    start, end = month_bounds(year, month)
    return _per_project(sweeps.filter(conducted_at__gte=start, conducted_at__lt=end), projects,
                        sweeps_required_per_month())


def drill_targets(drills, projects, year: int) -> list[dict]:
    """`drill_target` for each of `projects` in one query."""
    start, end = year_bounds(year)
    return _per_project(drills.filter(held_at__gte=start, held_at__lt=end), projects, drills_required_per_year())


FINDING_STATES = {
    "closed": gettext_lazy("Closed"),
    "cancelled": gettext_lazy("Cancelled"),
    "submitted": gettext_lazy("Awaiting verification"),
    "open": gettext_lazy("Still to rectify"),
    "overdue": gettext_lazy("Overdue"),
}


def findings_with_status(findings, now: datetime | None = None) -> list[dict]:
    """Each finding with its rectification and where that stands — `closed`, `cancelled`, `submitted`
    (reported, awaiting verification), `open`, or `overdue` (still to rectify past its deadline) — in two
    queries for the whole list."""
    from wuye.quality.rectifications import is_overdue, with_deadlines

    now = now or timezone.now()
    findings = list(findings)
    rects = with_deadlines(Rectification.objects.filter(
        source_type=ContentType.objects.get_for_model(HazardFinding),
        source_id__in=[finding.pk for finding in findings]))
    by_source = {rect.source_id: rect for rect in rects}
    rows = []
    for finding in findings:
        rect = by_source.get(finding.pk)
        if rect is None:
            state = "open"
        elif rect.status == RectificationStatus.CLOSED:
            state = "closed"
        elif rect.status == RectificationStatus.CANCELLED:
            state = "cancelled"
        elif is_overdue(rect, now):
            state = "overdue"
        elif rect.status == RectificationStatus.SUBMITTED:
            state = "submitted"
        else:
            state = "open"
        rows.append({"finding": finding, "rectification": rect, "state": state,
                     "state_label": FINDING_STATES[state], "deadline": getattr(rect, "deadline", None)})
    return rows


def sweeps_with_findings(sweeps, now: datetime | None = None) -> list[tuple[HazardSweep, list[dict]]]:
    """Each sweep of `sweeps` (a page) with `findings_with_status` of its findings: three queries for the page,
    whatever its length."""
    sweeps = list(sweeps)
    findings = HazardFinding.objects.filter(sweep__in=[sweep.pk for sweep in sweeps]).select_related("equipment")
    rows = findings_with_status(findings, now)
    by_sweep: dict[int, list[dict]] = {sweep.pk: [] for sweep in sweeps}
    for row in rows:
        by_sweep[row["finding"].sweep_id].append(row)
    return [(sweep, by_sweep[sweep.pk]) for sweep in sweeps]


# -- drills ---------------------------------------------------------------------------------------------------------
def participant_names(text: str) -> list[str]:
    """The names written one per line (blank lines and surrounding spaces dropped)."""
    return [line.strip() for line in str(text or "").splitlines() if line.strip()]


def record_drill(actor: Actor, *, project, held_at, scenario, participants: str = "", participant_count: int = 0,
                 owners_count: int = 0, summary: str = "", photos=(), task=None) -> FireDrill:
    """Record a fire drill held on `project`: scenario, participants (names one per line; the count, when not
    given, is the number of names), owners taking part, summary and photos (checked by `attach_evidence`);
    `task` (a scheduled fire-drill task) is completed by it. Nothing is written when a field is wrong (422)."""
    require(actor, "facilities.fire_safety")
    _project(actor, project)
    now = timezone.now()
    problems = Problems()
    if held_at in (None, ""):
        problems.add("held_at", _("Say when the drill was held."))
    else:
        held_at = _moment(problems, "held_at", held_at, now)
    scenario = _text(problems, "scenario", scenario, SCENARIO_MAX, required=True,
                     message=_("Say what the drill practised."))
    participants = _text(problems, "participants", participants, PARTICIPANTS_MAX)
    names = participant_names(participants)
    if len(names) > PARTICIPANT_NAMES_MAX:
        problems.add("participants", _("At most %(count)s names.") % {"count": PARTICIPANT_NAMES_MAX})
    participant_count = _count(problems, "participant_count", participant_count) or len(names)
    if participant_count < len(names):
        problems.add("participant_count", _("Fewer than the %(count)s names listed.") % {"count": len(names)})
    owners_count = _count(problems, "owners_count", owners_count)
    if owners_count > participant_count:
        problems.add("owners_count", _("More owners than participants."))
    summary = _text(problems, "summary", summary, SUMMARY_MAX)
    task = _plan_task(problems, task, project, PlanKind.FIRE_DRILL)
    problems.raise_if_any()
    photos = list(photos or ())
    with transaction.atomic():
        drill = FireDrill.objects.create(
            project=project, held_at=held_at, scenario=scenario, participants="\n".join(names),
            participant_count=participant_count, owners_count=owners_count, summary=summary,
            recorded_by=actor.user)
        kept = []
        if photos:
            from wuye.quality.evidence import attach_evidence

            kept = attach_evidence(actor, drill, photos, project=project, field="photos", at=held_at)
        if task is not None:
            from . import plans

            plans.complete_task(actor, task, results=_results_for(task), note=scenario, at=held_at)
            drill.task = task
            drill.save(update_fields=["task"])
        record_event(drill, "facilities.drill.recorded", actor=actor.user, data={
            "scenario": scenario, "participants": participant_count, "owners": owners_count,
            "photos": len(kept)})
    return drill


register_terms(details={"areas": gettext_lazy("areas swept"), "findings": gettext_lazy("hazards found"),
                        "participants": gettext_lazy("participants"), "owners": gettext_lazy("owners taking part"),
                        "scenario": gettext_lazy("scenario")})
register_sentences({
    "facilities.sweep.recorded": (gettext_lazy("Hazard sweep recorded: %(areas)s; %(findings)s hazards found"), {
        "example": {"areas": "地下车库、3号楼消防通道", "findings": 2, "with_task": True}}),
    "facilities.drill.recorded": (gettext_lazy("Fire drill recorded: %(scenario)s (%(participants)s people)"), {
        "details": ("owners",), "example": {"scenario": "高层住宅火灾疏散演练", "participants": 46, "owners": 30,
                                            "photos": 3}}),
})
