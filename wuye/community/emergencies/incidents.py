"""Incidents (应急事件, SPEC §7, seed 001 ch.7): a duty officer starts one from the project's playbook at a level
IV–I; its steps are copied with their deadlines, each an `incident.step` clock whose ladder (EMERGENCY_NOW) tells
the project's emergency command group on the urgent channels the moment a step is late. Staff keep the incident
log (times, what happened, photos); the incident is resolved, then closed by the manager with summary and cause,
and the after-action report (PDF) lists the timeline.

An elevator entrapment started in facilities is a level-IV incident: facilities sends `entrapment_started` and
`start_for_entrapment` opens the incident from the entrapment playbook, once per entrapment. The entrapment keeps
its own three clocks; the incident's steps that stand for them (`mirrors`) take their deadlines and done times
from the entrapment and run no clock of their own, so nothing is counted or escalated twice.

The states are a table (`TRANSITIONS`): action → (from states, to state, permission)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import Case, IntegerField, Value, When
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wuye.core.access import Actor, require, scoped
from wuye.core.errors import Conflict, FieldProblem, InvalidInput, NotAllowed, Problems
from wuye.core.events import record_event
from wuye.core.photos import check_photos, reencode
from wuye.core.sentences import register_sentences, register_terms
from wuye.core.validators import check_plausible_date, clean_text
from wuye.sla.engine import cancel_clocks, clocks_for, start_clock, stop_clock

from .models import (
    LEVEL_RANK,
    CountedFrom,
    Incident,
    IncidentKind,
    IncidentLogEntry,
    IncidentPhoto,
    IncidentStatus,
    IncidentStep,
    Level,
    Playbook,
)

S = IncidentStatus
STEP_CLOCK = "incident.step"
TITLE_MAX, PLACE_MAX, NOTE_MAX, LOG_MAX = 80, 100, 300, 500
SUMMARY_MAX, CAUSE_MAX, LESSONS_MAX = 2000, 1000, 1000
BUILDINGS_MAX = 999
CLOCK_SKEW = timedelta(minutes=1)  # a phone's clock a little ahead still counts as now
BACKDATE_MAX = timedelta(days=30)  # recorded while it happens, or afterwards within the month (a paper log)

# action → (states it leaves, state it reaches, permission)
TRANSITIONS: dict[str, tuple[frozenset, str, str]] = {
    "resolve": (frozenset({S.ACTIVE}), S.RESOLVED, "emergencies.start"),
    "close": (frozenset({S.RESOLVED}), S.CLOSED, "emergencies.close"),
}

# SPEC §7 / seed 001 ch.7 §1 (三): the least level a kind takes for the buildings it affects — an outage across
# more than WUYE_INCIDENT_OUTAGE_BUILDINGS (10) buildings is at least III, a fire across more than
# WUYE_INCIDENT_FIRE_BUILDINGS (3) at least II; an earthquake or an epidemic (the whole community) is I.
# kind → (base level, [(setting naming "more than N buildings", level)]), the first that fits; else the base.
LEVEL_RULES: dict[str, tuple[str, list[tuple[str, str]]]] = {
    IncidentKind.ENTRAPMENT: (Level.IV, []),
    IncidentKind.OUTAGE: (Level.IV, [("WUYE_INCIDENT_OUTAGE_BUILDINGS", Level.III)]),
    IncidentKind.FIRE: (Level.III, [("WUYE_INCIDENT_FIRE_BUILDINGS", Level.II)]),
    IncidentKind.PUBLIC_HEALTH: (Level.I, []),
    IncidentKind.EARTHQUAKE: (Level.I, []),
}

# The entrapment's clocks and the fields holding when each was met (facilities.Entrapment).
ENTRAPMENT_DONE = {"entrapment.staff_arrive": ("staff_arrived_at", "staff_arrived_by"),
                   "entrapment.contractor_arrive": ("contractor_arrived_at", None),
                   "entrapment.rescue": ("freed_at", None)}


def suggest_level(kind: str, buildings_affected: int = 1) -> str:
    """The least level an incident of `kind` across `buildings_affected` buildings takes (the start form's
    suggestion and the floor `start_incident` holds to)."""
    base, rules = LEVEL_RULES.get(kind, (Level.IV, []))
    for setting, level in rules:
        if buildings_affected > int(getattr(settings, setting)):
            return level
    return base


# -- reading ---------------------------------------------------------------------------------------------------------
def incidents(actor: Actor):
    """The incidents in `actor`'s scope: active first, then resolved, then closed; newest first within."""
    rank = Case(When(status=S.ACTIVE, then=Value(0)), When(status=S.RESOLVED, then=Value(1)), default=Value(2),
                output_field=IntegerField())
    return (scoped(Incident.objects.select_related("project", "building", "started_by"), actor)
            .annotate(rank=rank).order_by("rank", "-reported_at", "-id"))


def active_incidents(actor: Actor):
    return incidents(actor).filter(status=S.ACTIVE)


def late_steps(actor: Actor, now: datetime | None = None):
    """Steps of active incidents in scope past their deadline and not done (mirrored ones are the entrapment's)."""
    now = now or timezone.now()
    return (scoped(IncidentStep.objects.select_related("incident__project"), actor)
            .filter(incident__status=S.ACTIVE, done_at__isnull=True, mirrors="", due_at__lte=now)
            .order_by("due_at", "id"))


def source_entrapment(incident: Incident):
    """The facilities entrapment the incident came from, or None."""
    if incident.source_type_id is None:
        return None
    from wuye.facilities.models import Entrapment

    if incident.source_type_id != ContentType.objects.get_for_model(Entrapment).pk:
        return None
    return Entrapment.objects.filter(pk=incident.source_id).first()


def step_rows(incident: Incident, now: datetime | None = None) -> list[dict]:
    """The steps as the page and the report show them: due, done (a mirrored step's from the entrapment), who,
    and whether it was (or is) late."""
    now = incident.resolved_at or now or timezone.now()  # after resolution nothing more becomes late
    entrapment = source_entrapment(incident)
    rows = []
    for step in incident.steps.select_related("done_by").order_by("position"):
        done_at, done_by = step.done_at, step.done_by
        if step.mirrors and entrapment is not None and step.mirrors in ENTRAPMENT_DONE:
            at_field, by_field = ENTRAPMENT_DONE[step.mirrors]
            done_at = getattr(entrapment, at_field)
            done_by = getattr(entrapment, by_field) if by_field else None
        late = done_at > step.due_at if done_at else now > step.due_at
        rows.append({"step": step, "done_at": done_at, "done_by": done_by, "late": late,
                     "open": done_at is None, "mirrored": bool(step.mirrors and entrapment is not None)})
    return rows


def may(actor: Actor, incident: Incident, action: str) -> bool:
    """Whether `actor` may take `action` now (the buttons a page shows)."""
    if action in TRANSITIONS:
        leaves, _target, permission = TRANSITIONS[action]
        return incident.status in leaves and actor.may(permission)
    if action == "log":
        return incident.status != S.CLOSED and actor.may("emergencies.log")
    if action == "report":
        return actor.may("emergencies.close")
    return False


def may_complete(actor: Actor, step: IncidentStep) -> bool:
    """The step's own role, or a duty officer (whoever may start an incident)."""
    return actor.may("emergencies.log") and (str(actor.role or "") == step.role or actor.may("emergencies.start"))


def _check_may(actor: Actor, incident: Incident) -> None:
    if not scoped(Incident.objects.filter(pk=incident.pk), actor).exists():
        raise Http404


# -- input -----------------------------------------------------------------------------------------------------------
def _text(problems: Problems, field: str, value, limit: int, *, required_message=None) -> str:
    """core.validators.clean_text with this module's way of naming what is required."""
    return clean_text(problems, field, value, limit, required=required_message or False)


def _moment(problems: Problems, at, *, earliest: datetime | None = None, field: str = "at") -> datetime | None:
    """`at` (default now): an aware moment, not in the future, not before `earliest` nor more than a week ago."""
    now = timezone.now()
    if at is None or at == "":
        return now
    if isinstance(at, str):
        try:
            at = datetime.fromisoformat(at.strip()) if len(at) <= 40 else None
        except ValueError:
            at = None
    if not isinstance(at, datetime):
        problems.add(field, _("Give a date and time."))
        return None
    if timezone.is_naive(at):
        at = timezone.make_aware(at)
    if problems.check(field, check_plausible_date, at) is None:
        return None
    if at > now + CLOCK_SKEW:
        problems.add(field, _("The time cannot be in the future."))
        return None
    if at < (earliest or now - BACKDATE_MAX):
        problems.add(field, _("The time cannot be before %(time)s.") % {
            "time": timezone.localtime(earliest or now - BACKDATE_MAX).strftime("%Y-%m-%d %H:%M")})
        return None
    return at


def _buildings(problems: Problems, value) -> int:
    if isinstance(value, bool) or value in (None, ""):
        return 1 if value in (None, "") else -1
    if isinstance(value, str):
        value = int(value) if value.strip().isdigit() and len(value.strip()) <= 4 else -1
    if not isinstance(value, int) or not 1 <= value <= BUILDINGS_MAX:
        problems.add("buildings_affected", _("Give a number from 1 to %(max)s.") % {"max": BUILDINGS_MAX})
        return 1
    return value


# -- actions ---------------------------------------------------------------------------------------------------------
def start_incident(actor: Actor, project, playbook: Playbook, level: str | None = None, *, title: str = "",
                   building=None, place: str = "", buildings_affected=1, reported_at=None,
                   source=None, _system: bool = False) -> Incident:
    """The duty officer starts an incident from `playbook` (the project's) at `level` (default: the suggested
    one; a level below what the kind and buildings affected require is refused, naming `level`). The steps are
    copied with their deadlines — minutes from the start, or from the previous step's deadline — and each starts
    an `incident.step` clock with that deadline. Every wrong field is named at once; nothing is written then."""
    if not _system:
        require(actor, "emergencies.start")
        if project is None or not actor.sees_project(project.pk):
            raise InvalidInput("project", _("Choose one of your projects."))
    problems = Problems()
    if not isinstance(playbook, Playbook) or playbook.project_id != project.pk:
        raise InvalidInput("playbook", _("Choose a playbook of the project."))
    kind = playbook.kind
    buildings_affected = _buildings(problems, buildings_affected)
    if building is not None and building.project_id != project.pk:
        problems.add("building", _("Choose a building of the project."))
    least = suggest_level(kind, buildings_affected)
    level = level or least
    if level not in Level.values:
        problems.add("level", _("Choose one of: %(values)s.") % {"values": ", ".join(Level.values)})
    elif LEVEL_RANK[level] < LEVEL_RANK[least]:
        problems.add("level", _("%(kind)s across %(count)s buildings is at least %(level)s.") % {
            "kind": IncidentKind(kind).label, "count": buildings_affected, "level": Level(least).label})
    title = _text(problems, "title", title or playbook.get_kind_display(), TITLE_MAX)
    place = _text(problems, "place", place, PLACE_MAX)
    # An entrapment's incident starts when the entrapment did, however long ago it was recorded.
    earliest = reported_at if _system and isinstance(reported_at, datetime) else None
    at = _moment(problems, reported_at, field="reported_at", earliest=earliest)
    problems.raise_if_any()

    steps = list(playbook.steps.order_by("position"))
    mirror_due = {}
    if source is not None:
        mirror_due = {clock.key: clock.due_at for clock in clocks_for(source)}
    with transaction.atomic():
        incident = Incident(
            project=project, playbook=playbook, kind=kind, level=level, title=title, building=building, place=place,
            buildings_affected=buildings_affected, reported_at=at, started_by=getattr(actor, "user", None))
        if source is not None:
            incident.source = source
        incident.save()
        previous_due = at
        for step in steps:
            mirrored = step.mirrors if step.mirrors in mirror_due else ""
            if mirrored:
                due_at = mirror_due[mirrored]
            else:
                base = previous_due if step.counted_from == CountedFrom.PREVIOUS else at
                due_at = base + timedelta(minutes=step.minutes)
            copied = IncidentStep.objects.create(
                incident=incident, position=step.position, role=step.role, title=step.title,
                instructions=step.instructions, minutes=step.minutes, due_at=due_at, mirrors=mirrored)
            if not mirrored:
                start_clock(copied, STEP_CLOCK, project=project, at=at, due_at=due_at, actor=incident.started_by)
            previous_due = due_at
        record_event(incident, "emergencies.incident.started", actor=incident.started_by, project_id=project.pk, data={
            "incident_kind": kind, "incident_level": level, "title": title, "steps": len(steps),
            "from_entrapment": source is not None})
    return incident


def start_for_entrapment(entrapment, actor: Actor | None = None) -> Incident | None:
    """The level-IV incident of an elevator entrapment (once per entrapment; a rerun returns the same one). The
    project gets the shipped playbooks if it has none of this kind."""
    from .playbooks import install_default_playbooks

    content_type = ContentType.objects.get_for_model(type(entrapment))
    existing = Incident.objects.filter(source_type=content_type, source_id=entrapment.pk).first()
    if existing is not None:
        return existing
    project = entrapment.project
    install_default_playbooks(project)
    playbook = Playbook.objects.get(project=project, kind=IncidentKind.ENTRAPMENT)
    place = " ".join(part for part in (entrapment.equipment.location, entrapment.floor) if part)[:PLACE_MAX]
    try:
        with transaction.atomic():
            return start_incident(actor, project, playbook, Level.IV, title=f"电梯困人：{entrapment.equipment.name}"[
                :TITLE_MAX], place=place, reported_at=entrapment.started_at, source=entrapment, _system=True)
    except IntegrityError:  # started meanwhile by another call
        return Incident.objects.get(source_type=content_type, source_id=entrapment.pk)


def on_entrapment_started(sender, entrapment, actor, **kwargs) -> None:
    """The facilities signal's receiver (connected in `registry`)."""
    start_for_entrapment(entrapment, actor)


def complete_step(actor: Actor, incident: Incident, step: IncidentStep, note: str = "", *,
                  at=None) -> IncidentStep:
    """A step is done: its clock stops (met or late by its deadline). Done twice → 409 naming `step`; a step
    mirrored from the entrapment is recorded on the entrapment's page (409); a role that neither owns the step
    nor starts incidents → 403."""
    require(actor, "emergencies.log")
    _check_may(actor, incident)
    if step.incident_id != incident.pk:
        raise Http404
    if not may_complete(actor, step):
        raise NotAllowed(_("This step is for %(role)s or the duty officer.") % {"role": step.get_role_display()})
    problems = Problems()
    note = _text(problems, "note", note, NOTE_MAX)
    at = _moment(problems, at, earliest=incident.reported_at)
    problems.raise_if_any()
    with transaction.atomic():
        incident = Incident.objects.select_for_update().get(pk=incident.pk)
        step = IncidentStep.objects.select_for_update().get(pk=step.pk)
        if incident.status != S.ACTIVE:
            message = _("The incident is %(status)s; its steps are no longer recorded.") % {
                "status": incident.get_status_display()}
            raise Conflict(message, [FieldProblem("status", message)])
        if step.mirrors:
            message = _("This step is recorded on the entrapment's page.")
            raise Conflict(message, [FieldProblem("step", message)])
        if step.done_at is not None:
            message = _("This step was already done at %(time)s.") % {
                "time": timezone.localtime(step.done_at).strftime("%m-%d %H:%M")}
            raise Conflict(message, [FieldProblem("step", message)])
        step.done_at, step.done_by, step.note = at, actor.user, note
        step.save(update_fields=["done_at", "done_by", "note"])
        stop_clock(step, STEP_CLOCK, at=at, actor=actor.user)
        record_event(incident, "emergencies.step.done", actor=actor.user, project_id=incident.project_id, data={
            "step": step.title, "note": note, "late": at > step.due_at})
    return step


def add_log(actor: Actor, incident: Incident, text: str, photos=(), *, at=None) -> IncidentLogEntry:
    """A line of the incident log: when (default now), what happened (required, ≤ 500 characters), up to nine
    photos (checked and re-encoded before anything is written)."""
    require(actor, "emergencies.log")
    _check_may(actor, incident)
    problems = Problems()
    text = _text(problems, "text", text, LOG_MAX, required_message=_("Write what happened."))
    at = _moment(problems, at, earliest=incident.reported_at)
    problems.raise_if_any()
    uploads = check_photos(photos, "photos")
    images = [reencode(upload, "photos") for upload in uploads]
    with transaction.atomic():
        incident = Incident.objects.select_for_update().get(pk=incident.pk)
        if incident.status == S.CLOSED:
            message = _("The incident is closed; its log is final.")
            raise Conflict(message, [FieldProblem("status", message)])
        entry = IncidentLogEntry.objects.create(incident=incident, at=at, author=actor.user, text=text)
        for number, (image, content_type) in enumerate(images, start=1):
            image.name = f"incident-{incident.pk}-{entry.pk}-{number}.{content_type.split('/')[1]}"
            IncidentPhoto.objects.create(entry=entry, image=image, content_type=content_type)
        record_event(incident, "emergencies.log.added", actor=actor.user, project_id=incident.project_id,
                     data={"text": text, "photos": len(images)})
    return entry


def _transition(actor: Actor, incident: Incident, action: str) -> tuple[Incident, str]:
    leaves, target, permission = TRANSITIONS[action]
    require(actor, permission)
    _check_may(actor, incident)
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    if incident.status not in leaves:
        message = _("The incident is %(status)s; it cannot be changed this way.") % {
            "status": incident.get_status_display()}
        raise Conflict(message, [FieldProblem("status", message)])
    return incident, target


def resolve(actor: Actor, incident: Incident, *, at=None) -> Incident:
    """The emergency is over (active → resolved): the clocks of steps not done are cancelled (they count
    neither way)."""
    problems = Problems()
    at = _moment(problems, at, earliest=incident.reported_at)
    problems.raise_if_any()
    with transaction.atomic():
        incident, target = _transition(actor, incident, "resolve")
        open_steps = list(incident.steps.filter(done_at__isnull=True, mirrors=""))
        for step in open_steps:
            cancel_clocks(step, actor=actor.user, reason=_("the incident was resolved"))
        incident.status, incident.resolved_at, incident.resolved_by = target, at, actor.user
        incident.save(update_fields=["status", "resolved_at", "resolved_by"])
        record_event(incident, "emergencies.incident.resolved", actor=actor.user, project_id=incident.project_id,
                     data={"steps_open": len(open_steps)})
    return incident


def close(actor: Actor, incident: Incident, *, summary: str, cause: str, lessons: str = "", at=None) -> Incident:
    """The manager closes a resolved incident with the after-action account: summary and cause required,
    lessons learnt optional."""
    problems = Problems()
    summary = _text(problems, "summary", summary, SUMMARY_MAX, required_message=_("Write what happened and what "
                                                                                  "was done."))
    cause = _text(problems, "cause", cause, CAUSE_MAX, required_message=_("Write the cause."))
    lessons = _text(problems, "lessons", lessons, LESSONS_MAX)
    at = _moment(problems, at, earliest=incident.reported_at)
    problems.raise_if_any()
    with transaction.atomic():
        incident, target = _transition(actor, incident, "close")
        incident.status, incident.closed_at, incident.closed_by = target, at, actor.user
        incident.summary, incident.cause, incident.lessons = summary, cause, lessons
        incident.save(update_fields=["status", "closed_at", "closed_by", "summary", "cause", "lessons"])
        record_event(incident, "emergencies.incident.closed", actor=actor.user, project_id=incident.project_id,
                     data={"cause": cause})
    return incident


# -- the after-action report -----------------------------------------------------------------------------------------
def _person(user) -> str:
    if user is None:
        return "—"
    return user.get_full_name() or user.get_username()


def _when(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else "—"


def _fresh(incident: Incident) -> Incident:
    return Incident.objects.select_related("project", "building", "started_by", "resolved_by", "closed_by").get(
        pk=incident.pk)


def timeline_lines(incident: Incident) -> list[tuple[datetime, str]]:
    """The report's timeline in time order: the start, each step's due and done (with 逾期 marks), each log
    line, resolution and closing — (moment, Chinese line)."""
    incident = _fresh(incident)
    lines = [(incident.reported_at, f"{_when(incident.reported_at)} 启动{incident.get_level_display()}事件"
                                    f"「{incident.title}」（值班：{_person(incident.started_by)}）")]
    for row in step_rows(incident):
        step = row["step"]
        if row["done_at"]:
            mark = "（逾期）" if row["late"] else "（按时）"
            lines.append((row["done_at"], f"{_when(row['done_at'])} 完成步骤{step.position}「{step.title}」{mark}"
                                          f" 时限 {_when(step.due_at)}，执行：{_person(row['done_by'])}"
                                          + (f"；{step.note}" if step.note else "")))
        else:
            mark = "（逾期未完成）" if row["late"] else ("（进行中）" if incident.status == S.ACTIVE else "（未完成）")
            lines.append((step.due_at, f"{_when(step.due_at)} 步骤{step.position}「{step.title}」时限{mark}"))
    for entry in incident.log.select_related("author").prefetch_related("photos"):
        photos = entry.photos.count()
        lines.append((entry.at, f"{_when(entry.at)} 记录（{_person(entry.author)}）：{entry.text}"
                                + (f"（照片 {photos} 张）" if photos else "")))
    if incident.resolved_at:
        lines.append((incident.resolved_at,
                      f"{_when(incident.resolved_at)} 处置完毕（{_person(incident.resolved_by)}）"))
    if incident.closed_at:
        lines.append((incident.closed_at, f"{_when(incident.closed_at)} 结案（{_person(incident.closed_by)}）"))
    return sorted(lines, key=lambda pair: pair[0])


def report_pdf(actor: Actor, incident: Incident) -> bytes:
    """The after-action report (应急事件处置报告; for an entrapment the 《电梯困人应急处理报告》) in Chinese: the
    incident, the timeline, the steps with due/done and late marks, who acted, summary, cause and lessons."""
    from wuye.core.pdf import Document

    require(actor, "emergencies.close")
    _check_may(actor, incident)
    incident = _fresh(incident)
    name = "电梯困人应急处理报告" if incident.kind == IncidentKind.ENTRAPMENT else "应急事件处置报告"
    doc = Document(title=f"{name} {incident.project.name}")
    doc.heading(name)
    if incident.status != S.CLOSED:
        doc.paragraph("（草稿：事件尚未结案）", size=9)
    doc.fields([
        ("项目", incident.project.name),
        ("事件", incident.title),
        ("类型与级别", f"{incident.get_kind_display()} · {incident.get_level_display()}"),
        ("地点", " ".join(p for p in ((f"{incident.building.number}号楼" if incident.building else ""),
                                     incident.place) if p) or "—"),
        ("影响楼栋", f"{incident.buildings_affected} 栋"),
        ("启动时间", _when(incident.reported_at)),
        ("值班负责人", _person(incident.started_by)),
        ("状态", incident.get_status_display()),
    ])
    doc.paragraph("一、处置时间线", size=12)
    for _moment_at, line in timeline_lines(incident):
        doc.paragraph(line, size=10)
    doc.paragraph("二、处置步骤", size=12)
    rows = []
    for row in step_rows(incident):
        step = row["step"]
        state = ("逾期" if row["late"] else "按时") if row["done_at"] else ("逾期未完成" if row["late"] else "未完成")
        rows.append([str(step.position), step.title, step.get_role_display(), _when(step.due_at),
                     _when(row["done_at"]), _person(row["done_by"]) if row["done_at"] else "—", state])
    doc.table(["序号", "步骤", "责任", "时限", "完成", "执行人", "结果"], rows,
              widths=[10, 46, 22, 26, 26, 20, 20])
    actors = sorted({_person(u) for u in [incident.started_by, incident.resolved_by, incident.closed_by,
                                         *[r["done_by"] for r in step_rows(incident)],
                                         *[e.author for e in incident.log.select_related("author")]] if u})
    doc.paragraph("三、参与处置人员：" + ("、".join(actors) or "—"), size=11)
    doc.paragraph(f"四、事件经过：{incident.summary or '—'}")
    doc.paragraph(f"五、原因分析：{incident.cause or '—'}")
    doc.paragraph(f"六、经验教训与改进措施：{incident.lessons or '—'}")
    doc.signature([f"结案人：{_person(incident.closed_by)}", f"结案时间：{_when(incident.closed_at)}"])
    return doc.render()


def report_filename(incident: Incident) -> str:
    from wuye.core.downloads import download_name

    name = "电梯困人应急处理报告" if incident.kind == IncidentKind.ENTRAPMENT else "应急事件处置报告"
    return download_name(name, incident.project.name, timezone.localtime(incident.reported_at).date().isoformat(),
                         ext="pdf")


# -- sentences -------------------------------------------------------------------------------------------------------
register_terms(details={"incident_kind": gettext_lazy("kind of incident"),
                        "incident_level": gettext_lazy("level"), "steps_open": gettext_lazy("steps not done"),
                        "photos": gettext_lazy("photos")},
               values={"incident_kind": dict(IncidentKind.choices), "incident_level": dict(Level.choices)})


def _started(event, fields) -> str:
    if fields.raw.get("from_entrapment"):
        return _("The elevator entrapment started %(incident_level)s incident %(title)s (%(steps)s steps)") % fields
    return _("Started %(incident_level)s incident %(title)s (%(steps)s steps)") % fields


def _step_done(event, fields) -> str:
    text = (_("Step %(step)s done, past its time limit") if fields.raw.get("late")
            else _("Step %(step)s done in time")) % fields
    if fields.raw.get("note"):
        text = _("%(text)s: %(note)s") % {"text": text, "note": fields["note"]}
    return text


def _logged(event, fields) -> str:
    if fields.raw.get("photos"):
        return _("Log: %(text)s (%(photos)s photos)") % fields
    return _("Log: %(text)s") % fields


def _resolved(event, fields) -> str:
    if fields.raw.get("steps_open"):
        return _("The incident is resolved; %(steps_open)s steps were not done") % fields
    return _("The incident is resolved")


register_sentences({
    "emergencies.incident.started": (_started, {"example": {
        "incident_kind": "entrapment", "incident_level": "iv", "title": "电梯困人：3号楼1号客梯", "steps": 5,
        "from_entrapment": True}}),
    "emergencies.step.done": (_step_done, {"example": {"step": "秩序员到场安抚被困人员", "note": "已安抚",
                                                       "late": False}}),
    "emergencies.log.added": (_logged, {"example": {"text": "维保人员已到场", "photos": 2}}),
    "emergencies.incident.resolved": (_resolved, {"example": {"steps_open": 1}}),
    "emergencies.incident.closed": (gettext_lazy("Closed with the report; cause: %(cause)s"), {
        "example": {"cause": "门区传感器积灰"}}),
})
