"""Staff assessment (员工考核, SPEC §6, issue 12 item 9): a monthly score per staff member from deductions and
awards with reasons, recorded by supervisors with photo evidence, plus owners' praise (+) and substantiated
complaints (−) taken from tickets.

* **The library** (考核细则) is the company's: `AssessmentItem`s with a kind, points (negative for a deduction or
  a complaint, positive for an award or praise, at most `MAX_POINTS` either way) and a department (empty: every
  department). `install_shipped_items` puts in the defaults taken from the seeds' staff conduct rules (seed 003
  金海丽客服考核办法: uniform and badge "缺一扣1分", appearance 0.5–1.5, posture 1 per time; seed 000/002: service
  language and manners) once; quality and administration edit it (`quality.manage_assessment_items`).
* **Who records** for a staff member of a project (`may_assess`): the project manager, the quality department and
  administration (within their scope), and a supervisor (`StaffProfile.is_supervisor`) for staff of their own
  department working on the same project; the company-wide quality department and administration are assessed
  by administration only. Nobody assesses themselves. Praise and complaints from tickets are the
  management's (`quality.assess_tickets`): marking a complaint substantiated *is* recording it.
* **The month** a record counts in is the current month by default; the previous month is still open (the month's
  table is settled at the start of the next), anything older or in the future is refused (422 naming `month`).
* **The score** of a staff member in a month is `WUYE_ASSESSMENT_BASE` (100) plus the sum of the month's points.
* **Who sees what** (`visible_records`): managers (project manager, quality, administration) every record of their
  projects; a supervisor their department's records in their projects and their own; everyone else only their own.

Every change records an event on the staff member's record (`StaffProfile`): `assessment.recorded`,
`assessment.withdrawn`; library changes `assessment_item.created` / `assessment_item.changed`.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wuye.core.access import Actor, Role, require, scoped
from wuye.core.errors import Conflict, InvalidInput, NotAllowed, Problems
from wuye.core.events import record_event
from wuye.core.sentences import register_sentences, register_terms
from wuye.people.models import DEPARTMENTS, StaffProfile
from wuye.tenancy.models import Company, Project
from wuye.workorders.models import Kind as TicketKind
from wuye.workorders.models import Ticket

from .evidence import attach_evidence, evidence_for
from .models import AssessmentItem, AssessmentKind, AssessmentRecord, Evidence

MAX_POINTS = Decimal("20")
MAX_REASON = 300
MAX_NAME = 200
NEGATIVE_KINDS = (AssessmentKind.DEDUCTION, AssessmentKind.COMPLAINT)
MANAGER_ROLES = (Role.PROJECT_MANAGER, Role.QUALITY, Role.COMPANY_ADMIN)
# Points of a praise or a complaint when the library has no active item of that kind.
TICKET_POINTS = {AssessmentKind.PRAISE: Decimal("2"), AssessmentKind.COMPLAINT: Decimal("-3")}
TICKET_KINDS = {AssessmentKind.PRAISE: TicketKind.PRAISE, AssessmentKind.COMPLAINT: TicketKind.COMPLAINT}

# name, kind, points, department ("" = every department). Seed 003 (客服人员考核办法 4.2.1 礼仪) gives the first
# rules and their points; the rest are the usual items of a property company's conduct rules (seed 000/002).
SHIPPED_ITEMS: tuple[tuple[str, str, str, str], ...] = (
    ("未按规定着装或未佩戴工作证", "deduction", "-1", ""),
    ("仪容仪表不整（乱发、长指甲、彩色发）", "deduction", "-1", ""),
    ("坐姿站姿不端（趴桌、倚墙）", "deduction", "-1", ""),
    ("当众整理衣服、化妆或剪指甲", "deduction", "-1", ""),
    ("上班迟到", "deduction", "-1", ""),
    ("上班早退", "deduction", "-1", ""),
    ("工作时间玩手机", "deduction", "-2", ""),
    ("服务用语不规范", "deduction", "-1", ""),
    ("与业主发生争吵", "deduction", "-5", ""),
    ("脱岗、串岗", "deduction", "-2", ""),
    ("前台接待未起身问候", "deduction", "-1", Role.CUSTOMER_SERVICE),
    ("来电三声内未接听", "deduction", "-1", Role.CUSTOMER_SERVICE),
    ("报修未按时上门", "deduction", "-2", Role.ENGINEERING),
    ("维修后未清理现场", "deduction", "-1", Role.ENGINEERING),
    ("巡逻漏签到", "deduction", "-1", Role.SECURITY),
    ("岗亭值班睡岗", "deduction", "-3", Role.SECURITY),
    ("保洁区域检查不合格", "deduction", "-1", Role.ENVIRONMENT),
    ("垃圾未按时清运", "deduction", "-2", Role.ENVIRONMENT),
    ("票据开具差错", "deduction", "-2", Role.FINANCE),
    ("拾金不昧", "award", "2", ""),
    ("业主书面表扬（表扬信、锦旗）", "award", "2", ""),
    ("提出合理化建议被采纳", "award", "1", ""),
    ("突发事件处置得力", "award", "3", ""),
    ("业主表扬", "praise", "2", ""),
    ("有效投诉", "complaint", "-3", ""),
)

register_sentences({
    "assessment.recorded": (gettext_lazy("Assessment for %(staff)s (%(month)s): %(reason)s, %(points)s points"), {
        "people": ("staff",), "details": ("assessment_kind", "photos"),
        "example": {"staff": "李建国", "month": "2026-11", "reason": "工作时间玩手机", "points": "-2",
                    "assessment_kind": "deduction", "photos": 1}}),
    "assessment.withdrawn": (gettext_lazy("Assessment for %(staff)s (%(month)s) withdrawn: %(reason)s, "
                                          "%(points)s points"), {
        "people": ("staff",), "details": ("why",),
        "example": {"staff": "李建国", "month": "2026-11", "reason": "上班迟到", "points": "-1",
                    "why": "当天请假已获批准"}}),
    "assessment_item.created": (gettext_lazy("Assessment item added: %(name)s, %(points)s points"), {
        "details": ("assessment_kind", "for_department"),
        "example": {"name": "工作时间玩手机", "points": "-2", "assessment_kind": "deduction", "for_department": ""}}),
    "assessment_item.changed": (gettext_lazy("Assessment item changed: %(name)s, %(points)s points"), {
        "details": ("assessment_kind", "for_department", "is_active"),
        "example": {"name": "工作时间玩手机", "points": "-3", "assessment_kind": "deduction",
                    "for_department": "engineering", "is_active": True}}),
})
# Keys of their own: VALUE_LABELS is shared, and "kind" is also a ticket's kind in other events.
register_terms(
    details={"assessment_kind": gettext_lazy("kind"), "photos": gettext_lazy("photos"), "why": gettext_lazy("why"),
             "for_department": gettext_lazy("department"), "is_active": gettext_lazy("active")},
    values={"assessment_kind": dict(AssessmentKind.choices),
            "for_department": {"": gettext_lazy("Every department"), **{k.value: v for k, v in DEPARTMENTS.items()}}},
)


# -- months ----------------------------------------------------------------------------------------------------
def month_start(day: date) -> date:
    return day.replace(day=1)


def previous_month(month: date) -> date:
    return (month.replace(day=1) - timedelta(days=1)).replace(day=1)


def next_month(month: date) -> date:
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1)


def open_months(today: date) -> tuple[date, date]:
    """The months a record may still go into or be withdrawn from: the previous one and the current one."""
    current = month_start(today)
    return previous_month(current), current


def check_month(month: date | str | None, today: date, field_name: str = "month") -> date:
    """The first day of `month` (a date or "YYYY-MM"; None: the current month), if it is still open (`open_months`),
    else InvalidInput naming `field_name`."""
    if month is None or month == "":
        return month_start(today)
    if isinstance(month, str):
        from wuye.billing.periods import parse_month

        month = parse_month(month, field_name)
    month = month_start(month)
    first, last = open_months(today)
    if month > last:
        raise InvalidInput(field_name, _("A record counts in the current month or an earlier one, not %(month)s.")
                           % {"month": f"{month:%Y-%m}"})
    if month < first:
        raise InvalidInput(field_name, _("%(month)s is settled: records may go into %(first)s or %(last)s only.")
                           % {"month": f"{month:%Y-%m}", "first": f"{first:%Y-%m}", "last": f"{last:%Y-%m}"})
    return month


# -- the library -----------------------------------------------------------------------------------------------
def _item_data(item: AssessmentItem) -> dict:
    return {"name": item.name, "points": str(item.points), "assessment_kind": item.kind,
            "for_department": item.department, "is_active": item.is_active}


def install_shipped_items(company: Company) -> list[AssessmentItem]:
    """The shipped library (`SHIPPED_ITEMS`) for `company`; items already there (by name) are left as they are."""
    existing = set(AssessmentItem.objects.filter(company=company).values_list("name", flat=True))
    AssessmentItem.objects.bulk_create([
        AssessmentItem(company=company, name=name, kind=kind, points=Decimal(points), department=department)
        for name, kind, points, department in SHIPPED_ITEMS if name not in existing])
    return list(AssessmentItem.objects.filter(company=company))


def visible_items(actor: Actor, *, active_only: bool = False) -> QuerySet[AssessmentItem]:
    """The library of the actor's company (every company's for a superuser), by kind and name."""
    items = AssessmentItem.objects.all()
    if not actor.is_superuser:
        if not actor.is_staff_member or actor.company_id is None:
            return items.none()
        items = items.filter(company_id=actor.company_id)
    if active_only:
        items = items.filter(is_active=True)
    return items.order_by("kind", "department", "name")


def clean_points(value, kind: str, problems: Problems, field_name: str = "points") -> Decimal | None:
    """Points as a Decimal with one place: not zero, at most `MAX_POINTS` either way, negative for a deduction or
    complaint and positive for an award or praise."""
    try:
        points = Decimal(str(value).strip()).quantize(Decimal("0.1"))
    except (InvalidOperation, ValueError, TypeError):
        problems.add(field_name, _("Give the points as a number, e.g. -1 or 2."))
        return None
    if points == 0 or abs(points) > MAX_POINTS:
        problems.add(field_name, _("Points lie between -%(max)s and %(max)s and are not 0.") % {"max": MAX_POINTS})
        return None
    if kind in NEGATIVE_KINDS and points > 0:
        problems.add(field_name, _("A deduction or a complaint takes points off: give a negative number."))
        return None
    if kind not in NEGATIVE_KINDS and points < 0:
        problems.add(field_name, _("An award or praise adds points: give a positive number."))
        return None
    return points


@transaction.atomic
def save_item(actor: Actor, *, item: AssessmentItem | None = None, name: str, kind: str, points,
              department: str = "", is_active: bool = True) -> AssessmentItem:
    """Add a library item (`item` None) or change one of the actor's company; 422 naming the wrong fields."""
    require(actor, "quality.manage_assessment_items")
    problems = Problems()
    name = (name or "").strip()
    if not name:
        problems.add("name", _("Name the item."))
    elif len(name) > MAX_NAME:
        problems.add("name", _("At most %(count)s characters.") % {"count": MAX_NAME})
    if kind not in AssessmentKind.values:
        problems.add("kind", _("Choose one of: %(choices)s.") % {"choices": ", ".join(AssessmentKind.values)})
        value = None
    else:
        value = clean_points(points, kind, problems)
    department = department or ""
    if department and department not in DEPARTMENTS:
        problems.add("department", _("Choose a department, or none for every department."))
    company_id = item.company_id if item else actor.company_id
    if company_id is None:
        problems.add("company", _("Only a company's staff keep an assessment library."))
    elif name and AssessmentItem.objects.filter(company_id=company_id, name=name).exclude(
            pk=item.pk if item else None).exists():
        problems.add("name", _("The library already has an item of this name."))
    problems.raise_if_any()
    created = item is None
    if created:
        item = AssessmentItem(company_id=company_id)
    item.name, item.kind, item.points, item.department, item.is_active = name, kind, value, department, is_active
    item.save()
    record_event(item, "assessment_item.created" if created else "assessment_item.changed", actor=actor.user,
                 data=_item_data(item))
    return item


# -- who records, who sees --------------------------------------------------------------------------------------
def is_manager(actor: Actor) -> bool:
    return actor.is_superuser or (actor.is_staff_member and actor.role in MANAGER_ROLES)


def works_on(profile: StaffProfile, project: Project) -> bool:
    """Whether the staff member works on `project`: it is one of theirs, or they are company-wide."""
    if profile.company_id != project.company_id:
        return False
    return profile.all_projects or profile.role == Role.COMPANY_ADMIN or \
        profile.projects.filter(pk=project.pk).exists()


def may_assess(actor: Actor, profile: StaffProfile, project: Project) -> bool:
    """Whether `actor` may record a deduction or award for the staff member of `profile` in `project` (see the
    module's docstring): never for themselves; managers within their scope; a supervisor for their department."""
    if not actor.may("quality.assess_staff") or profile.user_id == getattr(actor.user, "pk", None):
        return False
    if not actor.is_superuser and (actor.company_id != project.company_id or not actor.sees_project(project.pk)):
        return False
    if profile.role in (Role.QUALITY, Role.COMPANY_ADMIN) and not (
            actor.is_superuser or actor.role == Role.COMPANY_ADMIN):
        return False  # the company-wide departments are assessed by administration
    if is_manager(actor):
        return True
    return actor.is_supervisor and actor.role == profile.role


def assessable_staff(actor: Actor, project: Project) -> QuerySet[StaffProfile]:
    """The active staff working on `project` the actor may assess, by department and name."""
    profiles = StaffProfile.objects.filter(company_id=project.company_id, user__is_active=True).filter(
        Q(projects=project) | Q(all_projects=True)).exclude(user_id=getattr(actor.user, "pk", None)).distinct()
    if not actor.may("quality.assess_staff") or not (
            actor.is_superuser or (actor.company_id == project.company_id and actor.sees_project(project.pk))):
        return profiles.none()
    if not (actor.is_superuser or actor.role == Role.COMPANY_ADMIN):
        profiles = profiles.exclude(role__in=(Role.QUALITY, Role.COMPANY_ADMIN))
    if not is_manager(actor):
        profiles = profiles.filter(role=actor.role) if actor.is_supervisor else profiles.none()
    return profiles.select_related("user").order_by("role", "user__first_name", "user__username")


def visible_records(actor: Actor) -> QuerySet[AssessmentRecord]:
    """The records `actor` may read: managers every record of their projects, a supervisor their department's
    and their own, anyone else their own (owners nothing)."""
    records = scoped(AssessmentRecord.objects.all(), actor)
    if actor.is_owner or not actor.is_staff_member:
        return records.none()
    if is_manager(actor):
        return records
    own = Q(staff_id=getattr(actor.user, "pk", None))
    if actor.is_supervisor:
        return records.filter(own | Q(staff__staff_profile__role=actor.role))
    return records.filter(own)


def sees_everyone(actor: Actor) -> bool:
    """Whether the actor's tables list other staff members at all (managers and supervisors)."""
    return is_manager(actor) or actor.is_supervisor


# -- recording --------------------------------------------------------------------------------------------------
def _profile(staff) -> StaffProfile | None:
    if isinstance(staff, StaffProfile):
        return staff
    return StaffProfile.objects.select_related("user").filter(user=staff).first()


def _record_data(record: AssessmentRecord, **extra) -> dict:
    return {"staff": record.staff.username, "month": f"{record.month:%Y-%m}", "reason": record.reason,
            "points": str(record.points), "assessment_kind": record.kind, **extra}


@transaction.atomic
def record_assessment(actor: Actor, *, project: Project, staff, item: AssessmentItem | None = None,
                      kind: str | None = None, points=None, reason: str = "", month: date | str | None = None,
                      photos=(), ticket: Ticket | None = None, today: date | None = None,
                      at=None) -> AssessmentRecord:
    """Record a deduction or award for `staff` (a user or their StaffProfile) in `project`.

    From a library `item` (its kind and points; `reason` adds the circumstances) or free (`kind`, `points` and
    `reason` required). `month`: None for the current month, else a still open one (`check_month`). `photos`: up
    to nine photos as evidence (checked before anything is written). 403 if the actor may not assess this staff
    member (`may_assess`); 422 naming `staff`, `item`, `kind`, `points`, `reason`, `month` or `photos`."""
    today = today or timezone.localdate()
    problems = Problems()
    profile = _profile(staff)
    if profile is None or not profile.user.is_active or not works_on(profile, project):
        raise InvalidInput("staff", _("No such staff member on this project."))
    if not may_assess(actor, profile, project):
        raise NotAllowed(_("Only the project's management or the supervisor of this staff member's department "
                           "may assess them."))
    reason = (reason or "").strip()
    if item is not None:
        if item.company_id != project.company_id or not item.is_active:
            problems.add("item", _("No such item in the assessment library."))
        elif item.department and item.department != profile.role:
            problems.add("item", _("This item is for another department."))
        else:
            kind, points = item.kind, item.points
            reason = f"{item.name}：{reason}" if reason and reason != item.name else item.name
    if item is None:
        if kind not in AssessmentKind.values:
            problems.add("kind", _("Choose one of: %(choices)s.") % {"choices": ", ".join(AssessmentKind.values)})
        elif points is None or points == "":
            problems.add("points", _("Give the points, or choose an item of the library."))
        else:
            points = clean_points(points, kind, problems)
        if not reason:
            problems.add("reason", _("Say what happened."))
    if len(reason) > MAX_REASON:
        problems.add("reason", _("At most %(count)s characters.") % {"count": MAX_REASON})
    try:
        month = check_month(month, today)
    except InvalidInput as error:
        problems.items.extend(error.problems)
    problems.raise_if_any()
    record = AssessmentRecord.objects.create(
        project=project, staff=profile.user, item=item, kind=kind, points=points, reason=reason, month=month,
        ticket=ticket, recorded_by=actor.user if getattr(actor.user, "pk", None) else None,
        recorded_at=at or timezone.now())
    kept = attach_evidence(actor, record, list(photos or ()), project=project, at=at)
    record_event(profile, "assessment.recorded", actor=actor.user, project_id=project.pk,
                 data=_record_data(record, photos=len(kept), **({"ticket": ticket.number} if ticket else {})))
    return record


def may_withdraw(actor: Actor, record: AssessmentRecord, today: date | None = None) -> bool:
    """The one who recorded it, or a manager, while its month is still open."""
    first, _last = open_months(today or timezone.localdate())
    if record.month < first:
        return False
    if is_manager(actor) and (actor.is_superuser or actor.sees_project(record.project_id)):
        return True
    return record.recorded_by_id is not None and record.recorded_by_id == getattr(actor.user, "pk", None)


@transaction.atomic
def withdraw_assessment(actor: Actor, record: AssessmentRecord, *, why: str, today: date | None = None) -> None:
    """Take a record back (a wrong person, a deduction excused): it and its photos go; the event keeps what it
    was and why. 403 for others than its recorder and the management, 409 once its month is settled, 422 naming
    `why` when no reason is given."""
    today = today or timezone.localdate()
    why = (why or "").strip()
    first, _last = open_months(today)
    if record.month < first:
        raise Conflict(_("%(month)s is settled; its records stay.") % {"month": f"{record.month:%Y-%m}"})
    if not may_withdraw(actor, record, today):
        raise NotAllowed(_("Only the one who recorded it or the project's management may withdraw it."))
    if not why:
        raise InvalidInput("why", _("Say why it is withdrawn."))
    if len(why) > MAX_REASON:
        raise InvalidInput("why", _("At most %(count)s characters.") % {"count": MAX_REASON})
    profile = _profile(record.staff)
    data = _record_data(record, why=why)
    for photo in evidence_for(record):
        photo.image.delete(save=False)
    Evidence.objects.filter(pk__in=[photo.pk for photo in evidence_for(record)]).delete()
    project_id = record.project_id
    record.delete()
    record_event(profile, "assessment.withdrawn", actor=actor.user, project_id=project_id, data=data)


def ticket_staff(ticket: Ticket) -> QuerySet[StaffProfile]:
    """The staff a ticket's praise or complaint may be about: the active staff working on its project (the
    assignee and first receiver first in the form)."""
    return StaffProfile.objects.filter(company_id=ticket.project.company_id, user__is_active=True).filter(
        Q(projects=ticket.project_id) | Q(all_projects=True)).exclude(
        role__in=(Role.COMPANY_ADMIN, Role.QUALITY)).distinct().select_related("user").order_by(
        "role", "user__first_name")


def ticket_month(ticket: Ticket, today: date) -> date:
    """The month a ticket's praise or complaint counts in: the month it was received, if still open, else the
    current month."""
    received = month_start(timezone.localtime(ticket.created_at).date())
    first, last = open_months(today)
    return received if first <= received <= last else last


@transaction.atomic
def record_from_ticket(actor: Actor, ticket: Ticket, *, staff, kind: str, today: date | None = None,
                       at=None) -> AssessmentRecord:
    """An owner's praise (`kind` "praise", a praise ticket) or a complaint the management finds substantiated
    (`kind` "complaint", a complaint ticket) as an assessment record of `staff`: the library's active item of that
    kind gives the points (else +2 / −3). Once per (ticket, staff, kind): asking again returns the record made
    the first time. 403 for roles other than the management (`quality.assess_tickets`), 422 naming `kind` when it
    does not fit the ticket, `staff` when they do not work on its project."""
    require(actor, "quality.assess_tickets")
    today = today or timezone.localdate()
    if kind not in TICKET_KINDS:
        raise InvalidInput("kind", _("Choose praise or complaint."))
    if ticket.kind != TICKET_KINDS[kind]:
        raise InvalidInput("kind", _("Only a praise ticket gives praise, and only a complaint ticket a complaint."))
    profile = _profile(staff)
    if profile is None or not profile.user.is_active or not works_on(profile, ticket.project):
        raise InvalidInput("staff", _("No such staff member on this project."))
    existing = AssessmentRecord.objects.filter(ticket=ticket, staff=profile.user, kind=kind).first()
    if existing is not None:
        return existing
    item = AssessmentItem.objects.filter(company_id=ticket.project.company_id, kind=kind, is_active=True).filter(
        Q(department="") | Q(department=profile.role)).order_by("-department", "name").first()
    points = item.points if item else TICKET_POINTS[kind]
    name = item.name if item else AssessmentKind(kind).label
    reason = _("%(item)s (ticket %(number)s)") % {"item": name, "number": ticket.number}
    if not may_assess(actor, profile, ticket.project):
        raise NotAllowed(_("Only the project's management or the supervisor of this staff member's department "
                           "may assess them."))
    try:
        with transaction.atomic():
            record = AssessmentRecord.objects.create(
                project=ticket.project, staff=profile.user, item=item, kind=kind, points=points,
                reason=reason[:MAX_REASON], month=ticket_month(ticket, today), ticket=ticket,
                recorded_by=actor.user if getattr(actor.user, "pk", None) else None,
                recorded_at=at or timezone.now())
    except IntegrityError:  # recorded at the same moment by someone else
        return AssessmentRecord.objects.get(ticket=ticket, staff=profile.user, kind=kind)
    record_event(profile, "assessment.recorded", actor=actor.user, project_id=ticket.project_id,
                 data=_record_data(record, ticket=ticket.number, photos=0))
    return record


# -- scores -----------------------------------------------------------------------------------------------------
def base_score() -> Decimal:
    return Decimal(settings.WUYE_ASSESSMENT_BASE)


@dataclass
class StaffScore:
    """One staff member's month: points by kind, the number of records and the score (base + all points)."""

    staff: object
    name: str
    role: str
    department: str
    deductions: Decimal = Decimal("0")
    awards: Decimal = Decimal("0")
    praise: Decimal = Decimal("0")
    complaints: Decimal = Decimal("0")
    records: int = 0
    base: Decimal = field(default_factory=base_score)

    @property
    def total(self) -> Decimal:
        return self.deductions + self.awards + self.praise + self.complaints

    @property
    def score(self) -> Decimal:
        return self.base + self.total


@dataclass
class DepartmentTable:
    role: str
    department: str
    rows: list[StaffScore]

    @property
    def average(self) -> Decimal | None:
        if not self.rows:
            return None
        return (sum((row.score for row in self.rows), Decimal("0")) / len(self.rows)).quantize(Decimal("0.1"))


_KIND_FIELD = {AssessmentKind.DEDUCTION: "deductions", AssessmentKind.AWARD: "awards",
               AssessmentKind.PRAISE: "praise", AssessmentKind.COMPLAINT: "complaints"}


def _name(user) -> str:
    return user.get_full_name() or user.first_name or user.username


def monthly_scores(actor: Actor, *, month: date, project: Project | None = None,
                   department: str | None = None) -> list[StaffScore]:
    """Every staff member the actor may see with their month's points and score, by department and name.
    Managers and supervisors also get the staff without a record (score = base) of the projects they see;
    everyone else gets their own row only."""
    month = month_start(month)
    records = visible_records(actor).filter(month=month)
    if project is not None:
        records = records.filter(project=project)
    if department:
        records = records.filter(staff__staff_profile__role=department)
    rows: dict[int, StaffScore] = {}
    profiles = StaffProfile.objects.select_related("user").exclude(role=Role.COMPANY_ADMIN)
    if sees_everyone(actor):
        projects = scoped(Project.objects.all(), actor)
        if project is not None:
            projects = projects.filter(pk=project.pk)
        profiles = profiles.filter(user__is_active=True).filter(
            Q(projects__in=projects) | Q(all_projects=True, company__projects__in=projects)).distinct()
        if not is_manager(actor):
            profiles = profiles.filter(role=actor.role)
    else:
        profiles = profiles.filter(user_id=getattr(actor.user, "pk", None))
    if department:
        profiles = profiles.filter(role=department)
    totals: dict[int, dict] = defaultdict(lambda: defaultdict(lambda: Decimal("0")))
    counts: dict[int, int] = defaultdict(int)
    for staff_id, kind, points in records.values_list("staff_id", "kind", "points"):
        totals[staff_id][kind] += points
        counts[staff_id] += 1
    wanted = set(totals) | set(profiles.values_list("user_id", flat=True))
    for profile in StaffProfile.objects.select_related("user").filter(user_id__in=wanted):
        row = StaffScore(staff=profile.user, name=_name(profile.user), role=profile.role,
                         department=str(DEPARTMENTS.get(profile.role, "")), records=counts.get(profile.user_id, 0))
        for kind, amount in totals.get(profile.user_id, {}).items():
            setattr(row, _KIND_FIELD[kind], getattr(row, _KIND_FIELD[kind]) + amount)
        rows[profile.user_id] = row
    order = {role: index for index, role in enumerate(DEPARTMENTS)}
    return sorted(rows.values(), key=lambda row: (order.get(row.role, 99), row.name))


def department_tables(actor: Actor, *, month: date, project: Project | None = None,
                      department: str | None = None) -> list[DepartmentTable]:
    """`monthly_scores` grouped per department (the monthly table per department)."""
    tables: dict[str, DepartmentTable] = {}
    for row in monthly_scores(actor, month=month, project=project, department=department):
        tables.setdefault(row.role, DepartmentTable(row.role, row.department, [])).rows.append(row)
    return list(tables.values())


def staff_month(user, month: date) -> tuple[StaffScore, list[AssessmentRecord]]:
    """A staff member's own month: their score and their records (every project), newest first."""
    month = month_start(month)
    profile = _profile(user)
    records = list(AssessmentRecord.objects.filter(staff=user, month=month).select_related(
        "project", "recorded_by", "ticket").order_by("-recorded_at", "-id"))
    row = StaffScore(staff=user, name=_name(user), role=profile.role if profile else "",
                     department=str(DEPARTMENTS.get(profile.role, "")) if profile else "", records=len(records))
    for record in records:
        setattr(row, _KIND_FIELD[record.kind], getattr(row, _KIND_FIELD[record.kind]) + record.points)
    return row, records


def score_of(user, month: date) -> Decimal:
    """The staff member's score in `month`: base + the sum of the month's points."""
    return staff_month(user, month)[0].score


def month_label(month: date) -> str:
    return f"{month:%Y-%m}"


def months_back(today: date, count: int = 12) -> list[date]:
    """The current month and the `count` − 1 before it, newest first (the month pickers)."""
    months, month = [], month_start(today)
    for _index in range(count):
        months.append(month)
        month = previous_month(month)
    return months


def last_day(month: date) -> date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def staff_user(user_id) -> object | None:
    try:
        return get_user_model().objects.filter(pk=int(user_id)).first()
    except (TypeError, ValueError):
        return None
