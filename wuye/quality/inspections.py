"""Inspections (SPEC §6): plans (日检/周检/月检/季检) that a job turns into dated inspections, special inspections
and a department's self-inspection (自查) made by hand; scoring item by item (saved half-finished, in any order,
with notes and photos); submitting, which locks the inspection, computes its score (`scoring.py`) and opens a
rectification (整改) for every failed item through `rectifications.open_rectification`.

Who may do what: planning and inspecting is the quality department's, the project manager's and the
administrator's (`quality.inspect`); any staff member inspects their own department's work (`quality.self_inspect`,
kind "self" only). Everyone works within the projects they see."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from wuye.core.access import Actor, require, scoped
from wuye.core.errors import Conflict, InvalidInput, NotAllowed, Problems
from wuye.core.events import compose_event
from wuye.core.validators import check_plausible_date
from wuye.tenancy.models import Project

from .evidence import attach_evidence, evidence_for
from .models import (
    STAFF_ROLES,
    Frequency,
    Inspection,
    InspectionKind,
    InspectionPlan,
    InspectionScore,
    InspectionStatus,
    ItemResult,
    Standard,
    StandardItem,
)
from .scoring import inspection_score, item_points

MAX_FAILURES = 99
MAX_NOTE = 500
MAX_PLACE = 200
MAX_TITLE = 200
OPEN_STATUSES = (InspectionStatus.PLANNED, InspectionStatus.IN_PROGRESS)
PLANNED_KINDS = {Frequency.DAILY: InspectionKind.DAILY, Frequency.WEEKLY: InspectionKind.WEEKLY,
                 Frequency.MONTHLY: InspectionKind.MONTHLY, Frequency.QUARTERLY: InspectionKind.QUARTERLY}
DEPARTMENTS = {value for value, _label in STAFF_ROLES}


def _record(subject, verb: str, *, actor=None, data=None, at: datetime | None = None):
    """An event in the caller's transaction, dated `at` when the step happened earlier (demo data, imports)."""
    event = compose_event(subject, verb, actor=getattr(actor, "user", actor), data=data)
    if at is not None:
        event.created_at = at
    event.save()
    return event


def _check_project(actor: Actor, project: Project, field: str = "project") -> None:
    """A project the actor works in, else 422 naming `field` (an invisible project is an unknown one)."""
    if project is None or not scoped(Project.objects.filter(pk=project.pk), actor).exists():
        raise InvalidInput(field, _("No such project."))


def may_inspect(actor: Actor, inspection: Inspection) -> bool:
    """Whether `actor` may score, submit or cancel `inspection` (its project already in their scope)."""
    if actor.may("quality.inspect"):
        return True
    # The inspector a plan names carries out its rounds (the environment supervisor's daily round, 每日巡查).
    if (inspection.plan_id is not None and inspection.inspector_id is not None and actor.may("quality.self_inspect")
            and inspection.inspector_id == getattr(actor.user, "pk", None)):
        return True
    return (inspection.kind == InspectionKind.SELF and actor.may("quality.self_inspect")
            and inspection.department == actor.role)


def _require_inspector(actor: Actor, inspection: Inspection) -> None:
    if not may_inspect(actor, inspection):
        raise NotAllowed(_("Only the quality department, the project manager or the department itself "
                           "(for its self-inspection) may do this."))


def visible_inspections(actor: Actor):
    """The inspections of the projects `actor` sees, with what a list shows."""
    return scoped(Inspection.objects.select_related("project", "version__standard", "inspector", "plan"), actor)


def due_inspections(actor: Actor, today: date):
    """The actor's projects' inspections due today or earlier and not yet submitted (nor cancelled): the list's
    "due today" tab and the workbench card count the same rows."""
    return visible_inspections(actor).filter(scheduled_for__lte=today, status__in=OPEN_STATUSES)


def visible_plans(actor: Actor):
    return scoped(InspectionPlan.objects.select_related("project", "standard", "inspector"), actor)


def _current_version(standard: Standard, field: str = "standard"):
    from .standards import current_version

    version = current_version(standard)
    if version is None:
        raise InvalidInput(field, _("The standard has no items yet."))
    return version


# -- plans ----------------------------------------------------------------------------------------------------
def plan_due_on(plan: InspectionPlan, day: date) -> bool:
    """Whether `plan` has an inspection on `day`: every day, Mondays, the 1st of a month, the 1st of a quarter."""
    if not plan.is_active or day < plan.starts_on:
        return False
    if plan.frequency == Frequency.DAILY:
        return True
    if plan.frequency == Frequency.WEEKLY:
        return day.weekday() == 0
    if plan.frequency == Frequency.MONTHLY:
        return day.day == 1
    if plan.frequency == Frequency.QUARTERLY:
        return day.day == 1 and day.month in (1, 4, 7, 10)
    return False


@transaction.atomic
def create_plan(actor: Actor, *, project: Project, standard: Standard, frequency: str, starts_on: date,
                inspector=None) -> InspectionPlan:
    """Plan a project's regular inspection by `standard` (daily, weekly on Mondays, monthly on the 1st,
    quarterly on the 1st of January, April, July and October) from `starts_on`, done by `inspector`."""
    require(actor, "quality.inspect")
    problems = Problems()
    _check_project(actor, project)
    if standard is None or standard.company_id != project.company_id or not standard.is_active:
        problems.add("standard", _("No such standard."))
    if frequency not in Frequency.values:
        problems.add("frequency", _("Choose daily, weekly, monthly or quarterly."))
    try:
        check_plausible_date(starts_on)
        if starts_on is None:
            problems.add("starts_on", _("Give the first day."))
    except ValueError as error:
        problems.add("starts_on", error)
    if inspector is not None and not _works_in(inspector, project):
        problems.add("inspector", _("The inspector does not work in this project."))
    problems.raise_if_any()
    plan = InspectionPlan.objects.create(project=project, standard=standard, frequency=frequency,
                                         starts_on=starts_on, inspector=inspector)
    _record(plan, "inspection.plan_created", actor=actor, data={
        "standard": standard.name, "frequency": frequency, "starts_on": starts_on.isoformat()})
    return plan


def _works_in(user, project: Project) -> bool:
    from wuye.people.access import actor_for

    other = actor_for(user)
    return (other.is_staff_member and (other.is_superuser or other.company_id == project.company_id)
            and other.sees_project(project.pk)
            and (other.may("quality.inspect") or other.may("quality.self_inspect")))


@transaction.atomic
def set_plan_active(actor: Actor, plan: InspectionPlan, *, active: bool,
                    at: datetime | None = None) -> InspectionPlan:
    """Pause a plan (no more inspections are generated from it) or resume it; `at` dates the event when it
    happened earlier (demo data)."""
    require(actor, "quality.inspect")
    plan = InspectionPlan.objects.select_for_update().get(pk=plan.pk)
    if plan.is_active == active:
        return plan
    plan.is_active = active
    plan.save(update_fields=["is_active"])
    _record(plan, "inspection.plan_resumed" if active else "inspection.plan_paused", actor=actor, at=at,
            data={"standard": plan.standard.name, "frequency": plan.frequency})
    return plan


def generate_planned_inspections(today: date, *, at: datetime | None = None) -> list[Inspection]:
    """The inspections due `today` from the active plans, with the plan standard's current version. Running it
    again the same day creates nothing more (one inspection per plan and day). `at` dates the records when a
    past day is generated (demo data)."""
    created = []
    plans = InspectionPlan.objects.filter(is_active=True, starts_on__lte=today).select_related("standard", "project")
    done = set(Inspection.objects.filter(plan__in=plans, scheduled_for=today).values_list("plan_id", flat=True))
    for plan in plans:
        if plan.pk in done or not plan_due_on(plan, today) or not plan.standard.is_active:
            continue
        try:
            with transaction.atomic():
                version = _current_version(plan.standard)
                inspection = Inspection.objects.create(
                    project=plan.project, plan=plan, version=version, kind=PLANNED_KINDS[plan.frequency],
                    scheduled_for=today, inspector=plan.inspector, title=plan.standard.name,
                    created_at=at or timezone.now())
                _record(inspection, "inspection.created", at=at, data={
                    "kind": inspection.kind, "standard": plan.standard.name, "on": today.isoformat()})
        except (IntegrityError, InvalidInput):
            continue  # made meanwhile by another run, or the standard has no items yet
        created.append(inspection)
    return created


# -- inspections ----------------------------------------------------------------------------------------------
@transaction.atomic
def create_inspection(actor: Actor, *, project: Project, standard: Standard, kind: str, scheduled_for: date,
                      department: str = "", title: str = "", inspector=None, plan: InspectionPlan | None = None,
                      at: datetime | None = None, place: str = "") -> Inspection:
    """An inspection made by hand: a special inspection, a planned round outside the job, a year-end review
    (`quality.inspect`), or a department's self-inspection (kind "self", `quality.self_inspect`: the actor's own
    department). It uses the standard's current version."""
    problems = Problems()
    if kind not in InspectionKind.values:
        raise InvalidInput("kind", _("Choose a kind of inspection."))
    if kind == InspectionKind.SELF:
        require(actor, "quality.self_inspect")
        department = department or (actor.role or "")
        if department != actor.role and not actor.may("quality.inspect"):
            raise NotAllowed(_("A self-inspection checks your own department's work."))
        if department not in DEPARTMENTS:
            problems.add("department", _("Choose a department."))
    else:
        require(actor, "quality.inspect")
        if department and department not in DEPARTMENTS:
            problems.add("department", _("Choose a department."))
    _check_project(actor, project)
    if standard is None or standard.company_id != project.company_id or not standard.is_active:
        raise InvalidInput("standard", _("No such standard."))
    if scheduled_for is None:
        problems.add("scheduled_for", _("Give the date."))
    else:
        problems.check("scheduled_for", check_plausible_date, scheduled_for)
    title = (title or "").strip()
    if len(title) > MAX_TITLE:
        problems.add("title", _("At most %(count)s characters.") % {"count": MAX_TITLE})
    place = " ".join(str(place or "").split())  # where it will be done (a zone's spot check); kept when submitted
    if len(place) > MAX_PLACE:
        problems.add("place", _("At most %(count)s characters.") % {"count": MAX_PLACE})
    if plan is not None and (plan.project_id != project.pk or plan.standard_id != standard.pk):
        problems.add("plan", _("The plan is for another project or standard."))
    if inspector is not None and not _works_in(inspector, project):
        problems.add("inspector", _("The inspector does not work in this project."))
    problems.raise_if_any()
    version = _current_version(standard)
    if plan is not None and Inspection.objects.filter(plan=plan, scheduled_for=scheduled_for).exists():
        raise Conflict(_("This plan already has its inspection on that day."))
    when = at or timezone.now()
    inspection = Inspection.objects.create(
        project=project, plan=plan, version=version, kind=kind, department=department, title=title or standard.name,
        scheduled_for=scheduled_for, inspector=inspector or getattr(actor, "user", None), created_by=actor.user,
        created_at=when, place=place)
    _record(inspection, "inspection.created", actor=actor, at=at, data={
        "kind": kind, "standard": standard.name, "on": scheduled_for.isoformat(), "department": department})
    return inspection


@dataclass
class ScoreInput:
    """One finding as given: the item (its id), pass/fail/na, how many failures, a note."""

    item: object
    result: str
    failures: int | None = 0
    note: str = ""


def _as_input(row) -> ScoreInput:
    if isinstance(row, ScoreInput):
        return row
    if isinstance(row, Mapping):
        return ScoreInput(item=row.get("item"), result=row.get("result"), failures=row.get("failures") or 0,
                          note=row.get("note") or "")
    return ScoreInput(item=row.item, result=row.result, failures=getattr(row, "failures", 0) or 0,
                      note=getattr(row, "note", "") or "")


def _lock_open(inspection: Inspection) -> Inspection:
    locked = Inspection.objects.select_for_update().select_related("project", "version__standard").get(
        pk=inspection.pk)
    if locked.status == InspectionStatus.SUBMITTED:
        raise Conflict(_("The inspection has been submitted; it can no longer be changed."))
    if locked.status == InspectionStatus.CANCELLED:
        raise Conflict(_("The inspection has been cancelled."))
    return locked


@transaction.atomic
def record_scores(actor: Actor, inspection: Inspection, results: Iterable, photos: Mapping | None = None,
                  *, at: datetime | None = None) -> Inspection:
    """Save findings (a half-finished inspection is fine; items in any order; a finding given again replaces the
    one saved). `results` are ScoreInput-like rows; `photos` maps an item id to its uploads. A failed item needs
    a note or a photo. Any wrong row is a 422 naming it (`scores[3].result`) and nothing is written; a submitted
    inspection is a 409."""
    inspection = _lock_open(inspection)
    _require_inspector(actor, inspection)
    rows = [_as_input(row) for row in (results or [])]
    photos = {int(key): list(value) for key, value in (photos or {}).items() if value}
    items = {item.pk: item for item in StandardItem.objects.filter(version=inspection.version)}
    if len(rows) > len(items):
        raise InvalidInput("scores", _("More findings than the standard has items."))
    saved = {row.item_id: row for row in inspection.scores.all()}
    problems = Problems()
    clean: list[tuple[StandardItem, str, int, str]] = []
    seen = set()
    for index, row in enumerate(rows):
        field = f"scores[{index}]"
        item_id = getattr(row.item, "pk", row.item)
        try:
            item = items.get(int(item_id))
        except (TypeError, ValueError):
            item = None
        if item is None:
            problems.add(f"{field}.item", _("No such item in this standard."))
            continue
        if item.pk in seen:
            problems.add(f"{field}.item", _("Item %(number)s is given twice.") % {"number": item.number})
            continue
        seen.add(item.pk)
        if row.result not in ItemResult.values:
            problems.add(f"{field}.result", _("Choose pass, fail or not applicable."))
            continue
        try:
            failures = int(row.failures or 0)
        except (TypeError, ValueError):
            failures = -1
        if not 0 <= failures <= MAX_FAILURES:
            problems.add(f"{field}.failures", _("Give a number from 0 to %(max)s.") % {"max": MAX_FAILURES})
            continue
        note = str(row.note or "").strip()
        if len(note) > MAX_NOTE:
            problems.add(f"{field}.note", _("At most %(count)s characters.") % {"count": MAX_NOTE})
            continue
        if row.result == ItemResult.FAIL:
            failures = max(failures, 1)
            has_photo = bool(photos.get(item.pk)) or (item.pk in saved and evidence_for(saved[item.pk]).exists())
            if not note and not has_photo:
                problems.add(f"{field}.note", _("Item %(number)s failed: say what was wrong or add a photo.")
                             % {"number": item.number})
                continue
        else:
            failures = 0
        clean.append((item, row.result, failures, note))
    for item_id in photos:
        if item_id not in items:
            problems.add(f"photos[{item_id}]", _("No such item in this standard."))
        elif item_id not in seen and item_id not in saved:
            problems.add(f"photos[{item_id}]", _("Score item %(number)s before adding its photos.")
                         % {"number": items[item_id].number})
    problems.raise_if_any()

    when = at or timezone.now()
    new, changed = [], []
    for item, result, failures, note in clean:
        points = item_points(item, result, failures) or 0
        row = saved.get(item.pk)
        if row is None:
            new.append(InspectionScore(inspection=inspection, item=item, result=result, failures=failures,
                                       points=points, note=note, scored_at=when))
        else:
            row.result, row.failures, row.points, row.note, row.scored_at = result, failures, points, note, when
            changed.append(row)
    InspectionScore.objects.bulk_create(new)
    if changed:
        InspectionScore.objects.bulk_update(changed, ["result", "failures", "points", "note", "scored_at"])
    rows_by_item = {**saved, **{row.item_id: row for row in new}}
    if new and any(row.pk is None for row in new):  # a backend that does not return keys from bulk_create
        fresh = inspection.scores.filter(item_id__in=[row.item_id for row in new])
        rows_by_item.update({row.item_id: row for row in fresh})
    photo_count = 0
    for item_id, uploads in photos.items():
        index = next((i for i, row in enumerate(rows) if str(getattr(row.item, "pk", row.item)) == str(item_id)),
                     None)
        field = f"scores[{index}].photos" if index is not None else f"photos[{item_id}]"
        photo_count += len(attach_evidence(actor, rows_by_item[item_id], uploads, project=inspection.project,
                                           field=field, at=at))
    update = []
    if inspection.status == InspectionStatus.PLANNED:
        inspection.status = InspectionStatus.IN_PROGRESS
        inspection.started_at = when
        update += ["status", "started_at"]
    if inspection.inspector_id is None and getattr(actor, "user", None) is not None:
        inspection.inspector = actor.user
        update.append("inspector")
    if update:
        inspection.save(update_fields=update)
    _record(inspection, "inspection.scored", actor=actor, at=at, data={
        "scored": len(clean), "failed": sum(1 for _item, result, _f, _n in clean if result == ItemResult.FAIL),
        "photos": photo_count, "done": len(rows_by_item), "items": len(items)})
    return inspection


def shortened_title(item: StandardItem, place: str) -> str:
    """A rectification's title: the item's requirement shortened, and where it was found."""
    suffix = f"（{place}）" if place else ""
    return Truncator(" ".join(item.text.split())).chars(200 - len(suffix)) + suffix


@transaction.atomic
def submit_inspection(actor: Actor, inspection: Inspection, *, place: str, at: datetime | None = None) -> Inspection:
    """Lock a fully scored inspection: keep who submitted it, when and where, compute its score, and open a
    rectification for every failed item, all at once (or nothing: 422 naming what is missing, 409 when it was
    already submitted or cancelled)."""
    from .rectifications import open_rectification

    inspection = _lock_open(inspection)
    _require_inspector(actor, inspection)
    place = " ".join(str(place or "").split())
    if not place:
        raise InvalidInput("place", _("Say where the inspection was done."))
    if len(place) > MAX_PLACE:
        raise InvalidInput("place", _("At most %(count)s characters.") % {"count": MAX_PLACE})
    rows = list(inspection.scores.select_related("item").order_by("item__number"))
    scored = {row.item_id for row in rows}
    missing = list(StandardItem.objects.filter(version=inspection.version).exclude(pk__in=scored)
                   .order_by("number").values_list("number", flat=True))
    if missing:
        shown = "、".join(str(number) for number in missing[:10]) + ("…" if len(missing) > 10 else "")
        raise InvalidInput("scores", _("%(count)s items are not scored yet: %(items)s.")
                           % {"count": len(missing), "items": shown})
    failed = [row for row in rows if row.result == ItemResult.FAIL]
    for row in failed:
        if not row.note and not evidence_for(row).exists():
            raise InvalidInput("scores", _("Item %(number)s failed: say what was wrong or add a photo.")
                               % {"number": row.item.number})
    score, failed_critical = inspection_score(inspection.version, rows)
    when = at or timezone.now()
    inspection.status = InspectionStatus.SUBMITTED
    inspection.inspector = actor.user
    inspection.submitted_at = when
    inspection.started_at = inspection.started_at or when
    inspection.place = place
    inspection.score = score
    inspection.failed_critical = failed_critical
    inspection.save(update_fields=["status", "inspector", "submitted_at", "started_at", "place", "score",
                                   "failed_critical"])
    _record(inspection, "inspection.submitted", actor=actor, at=at, data={
        "score": str(score) if score is not None else "", "failed": len(failed), "place": place,
        "critical": failed_critical})
    for row in failed:
        open_rectification(row, project=inspection.project, title=shortened_title(row.item, place),
                           department=row.item.department, severity=row.item.severity, actor=actor, at=when,
                           description=row.note)
    return inspection


@transaction.atomic
def cancel_inspection(actor: Actor, inspection: Inspection, *, reason: str, at: datetime | None = None) -> Inspection:
    """Call off an inspection not yet submitted (the day's round was replaced, the plan was wrong), with why."""
    inspection = _lock_open(inspection)
    _require_inspector(actor, inspection)
    reason = " ".join(str(reason or "").split())
    if not reason:
        raise InvalidInput("reason", _("Say why the inspection is cancelled."))
    if len(reason) > MAX_TITLE:
        raise InvalidInput("reason", _("At most %(count)s characters.") % {"count": MAX_TITLE})
    inspection.status = InspectionStatus.CANCELLED
    inspection.save(update_fields=["status"])
    _record(inspection, "inspection.cancelled", actor=actor, at=at, data={"reason": reason})
    return inspection


# -- reading ----------------------------------------------------------------------------------------------------
@dataclass
class SheetItem:
    item: StandardItem
    score: InspectionScore | None = None
    photos: list = field(default_factory=list)
    rectification: object = None


@dataclass
class SheetCategory:
    category: object
    items: list[SheetItem]


def inspection_sheet(inspection: Inspection) -> list[SheetCategory]:
    """The inspection's checklist as the inspector fills it in: each category with its items, the finding saved
    for each (or None), its photos and — once submitted — the rectification a failed item opened. A fixed number
    of queries whatever the size of the standard."""
    from django.contrib.contenttypes.models import ContentType

    from .models import Evidence, Rectification, StandardCategory

    categories = list(StandardCategory.objects.filter(version=inspection.version).order_by("number"))
    items = list(StandardItem.objects.filter(version=inspection.version).order_by("number"))
    scores = {row.item_id: row for row in inspection.scores.all()}
    score_type = ContentType.objects.get_for_model(InspectionScore)
    score_ids = [row.pk for row in scores.values()]
    photos: dict[int, list] = {}
    for photo in Evidence.objects.filter(subject_type=score_type, subject_id__in=score_ids).order_by("created_at",
                                                                                                   "id"):
        photos.setdefault(photo.subject_id, []).append(photo)
    rectifications = {}
    if inspection.status == InspectionStatus.SUBMITTED:
        rectifications = {rect.source_id: rect for rect in Rectification.objects.filter(
            source_type=score_type, source_id__in=score_ids)}
    by_category: dict[int, list[SheetItem]] = {}
    for item in items:
        score = scores.get(item.pk)
        by_category.setdefault(item.category_id, []).append(SheetItem(
            item, score, photos.get(score.pk, []) if score else [], rectifications.get(score.pk) if score else None))
    return [SheetCategory(category, by_category.get(category.pk, [])) for category in categories]


def progress(inspection: Inspection) -> tuple[int, int]:
    """(items scored, items of the standard)."""
    return inspection.scores.count(), StandardItem.objects.filter(version=inspection.version).count()
