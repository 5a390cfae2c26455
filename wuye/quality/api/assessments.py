"""Quality API: staff assessment (员工考核) — records, the monthly table, the library (`quality.assessments`).

Who sees what is the service's rule (`assessments.visible_records`): managers (project manager, quality,
administration) every record of their projects, a supervisor their department's and their own, any other staff
member their own only; owners 403."""

from datetime import date
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from wuye.core.access import get_scoped_or_404, get_scoped_or_invalid, require_read
from wuye.core.api import Mapped, PagePagination
from wuye.core.errors import InvalidInput
from wuye.people.models import DEPARTMENTS
from wuye.tenancy.models import Project

from .. import assessments
from ..models import AssessmentItem, AssessmentKind, AssessmentRecord

router = Router(tags=["staff assessment"])


class AssessmentOut(Schema):
    id: int
    project_id: int
    project: str
    staff_id: int
    staff: str
    department: str
    kind: str
    kind_label: str
    points: Decimal
    reason: str
    month: str = Field(description="YYYY-MM")
    item_id: int | None
    ticket_id: int | None
    recorded_by: str
    recorded_at: str

    @staticmethod
    def resolve_project(record):
        return record.project.name

    @staticmethod
    def resolve_staff(record):
        return assessments._name(record.staff)

    @staticmethod
    def resolve_department(record):
        profile = getattr(record.staff, "staff_profile", None)
        return str(DEPARTMENTS.get(profile.role, "")) if profile else ""

    @staticmethod
    def resolve_kind_label(record):
        return str(record.get_kind_display())

    @staticmethod
    def resolve_month(record):
        return assessments.month_label(record.month)

    @staticmethod
    def resolve_recorded_by(record):
        return assessments._name(record.recorded_by) if record.recorded_by_id else ""

    @staticmethod
    def resolve_recorded_at(record):
        return timezone.localtime(record.recorded_at).isoformat()


class AssessmentFilters(Schema):
    project: int | None = None
    month: str | None = Field(None, description="YYYY-MM")
    staff: int | None = Field(None, description="the staff member's user id")
    department: str | None = Field(None, description="a department (role): customer_service, engineering, …")


def _month(value: str | None, default: date | None = None) -> date | None:
    if not value:
        return default
    from wuye.billing.periods import parse_month

    return parse_month(value, "month")


def _department(value: str | None) -> str | None:
    if value and value not in DEPARTMENTS:
        raise InvalidInput("department", _("Choose one of: %(choices)s.") % {
            "choices": ", ".join(str(role) for role in DEPARTMENTS)})
    return value or None


@router.get("/assessments", response=list[AssessmentOut])
@paginate(PagePagination)
def list_assessments(request, filters: Query[AssessmentFilters]):
    """Assessment records the caller may read, newest month first; filters `project`, `month` (YYYY-MM), `staff`
    (user id), `department`. Staff without the right to assess others see their own records only."""
    actor = request.actor
    require_read(actor, "quality.assessments")
    records = assessments.visible_records(actor).select_related(
        "project", "staff__staff_profile", "recorded_by").order_by("-month", "-recorded_at", "-id")
    if filters.project is not None:
        records = records.filter(project_id=filters.project)
    if (month := _month(filters.month)) is not None:
        records = records.filter(month=month)
    if filters.staff is not None:
        records = records.filter(staff_id=filters.staff)
    if department := _department(filters.department):
        records = records.filter(staff__staff_profile__role=department)
    return records


class AssessmentIn(Schema):
    project_id: int
    staff_id: int = Field(description="the staff member's user id")
    item_id: int | None = Field(None, description="an item of the library (its kind and points)")
    kind: AssessmentKind | None = Field(None, description="without an item: deduction, award, praise, complaint")
    points: Decimal | None = Field(None, description="without an item: negative for a deduction, at most ±20")
    reason: str = Field("", max_length=300, description="what happened (required without an item)")
    month: str | None = Field(None, description="YYYY-MM, the current month or the previous one (default current)")


@router.post("/assessments", response={201: AssessmentOut})
def create_assessment(request, payload: AssessmentIn):
    """Record a deduction or an award (`assessments.record_assessment`): 403 unless the caller manages the project
    or supervises the staff member's department; 422 naming `staff_id`, `item_id`, `kind`, `points`, `reason` or
    `month` (a settled month)."""
    actor = request.actor
    require_read(actor, "quality.assessments")
    project = get_scoped_or_invalid(Project.objects.all(), actor, payload.project_id, "project_id")
    staff = assessments.staff_user(payload.staff_id)
    if staff is None:
        raise InvalidInput("staff_id", _("No such staff member on this project."))
    item = None
    if payload.item_id is not None:
        item = assessments.visible_items(actor).filter(pk=payload.item_id).first()
        if item is None:
            raise InvalidInput("item_id", _("No such item in the assessment library."))
    try:
        record = assessments.record_assessment(
            actor, project=project, staff=staff, item=item, kind=payload.kind.value if payload.kind else None,
            points=payload.points, reason=payload.reason, month=payload.month)
    except InvalidInput as error:
        for problem in error.problems:  # the API's fields are ids
            if problem.field in ("staff", "item"):
                problem.field = f"{problem.field}_id"
        raise InvalidInput(problems=error.problems) from None
    return Status(201, (AssessmentRecord.objects.select_related(
        "project", "staff__staff_profile", "recorded_by").get(pk=record.pk)))


class WithdrawIn(Schema):
    why: str = Field("", max_length=300)


@router.post("/assessments/{record_id}/withdraw", response={204: None})
def withdraw_assessment(request, record_id: int, payload: WithdrawIn):
    """Take a record back with a reason (`why`): its recorder or the management, while its month is open
    (409 after)."""
    actor = request.actor
    require_read(actor, "quality.assessments")
    record = get_scoped_or_404(assessments.visible_records(actor).select_related("staff"), actor, pk=record_id)
    assessments.withdraw_assessment(actor, record, why=payload.why)
    return Status(204, None)


class StaffScoreOut(Schema):
    staff_id: int
    staff: str
    department: str
    deductions: Decimal
    awards: Decimal
    praise: Decimal
    complaints: Decimal
    records: int
    score: Decimal


class MonthlyOut(Schema):
    month: str
    base: Decimal
    rows: list[StaffScoreOut]


class MonthlyQuery(Schema):
    month: str | None = Field(None, description="YYYY-MM (default: the current month)")
    department: str | None = None
    project: int | None = None


@router.get("/assessments/monthly", response=MonthlyOut)
def monthly_table(request, query: Query[MonthlyQuery]):
    """The month's score per staff member (base `WUYE_ASSESSMENT_BASE` + points), by department and name: the
    staff the caller may see (their own row only for staff who assess nobody)."""
    actor = request.actor
    require_read(actor, "quality.assessments")
    month = _month(query.month, assessments.month_start(timezone.localdate()))
    project = get_scoped_or_404(Project.objects.all(), actor, pk=query.project) if query.project else None
    rows = assessments.monthly_scores(actor, month=month, project=project, department=_department(query.department))
    return {"month": assessments.month_label(month), "base": assessments.base_score(), "rows": [
        {"staff_id": row.staff.pk, "staff": row.name, "department": row.department, "deductions": row.deductions,
         "awards": row.awards, "praise": row.praise, "complaints": row.complaints, "records": row.records,
         "score": row.score} for row in rows]}


class AssessmentItemOut(Schema):
    id: int
    name: str
    kind: str
    kind_label: str
    points: Decimal
    department: str
    department_label: str
    is_active: bool
    used: int = 0


def _item_out(item: AssessmentItem) -> dict:
    return {"id": item.pk, "name": item.name, "kind": item.kind, "kind_label": str(item.get_kind_display()),
            "points": item.points, "department": item.department,
            "department_label": str(DEPARTMENTS.get(item.department, "")) if item.department else "",
            "is_active": item.is_active, "used": getattr(item, "used", 0)}


@router.get("/assessment-items", response=list[AssessmentItemOut])
@paginate(PagePagination)
def list_items(request, active: bool | None = None):
    """The company's assessment library (考核细则), by kind and name."""
    actor = request.actor
    require_read(actor, "quality.assessments")
    items = assessments.visible_items(actor)
    if active is not None:
        items = items.filter(is_active=active)
    return Mapped(items, _item_out)


class AssessmentItemIn(Schema):
    id: int | None = Field(None, description="an existing item to change; none to add one")
    name: str = Field(max_length=200)
    kind: AssessmentKind = AssessmentKind.DEDUCTION
    points: Decimal
    department: str = Field("", description="a department (role); empty for every department")
    is_active: bool = True


@router.post("/assessment-items", response={201: AssessmentItemOut, 200: AssessmentItemOut})
def save_item(request, payload: AssessmentItemIn):
    """Add an item to the library, or change one (`id`): quality and administration (403 otherwise); 422 naming
    `name`, `kind`, `points` (not 0, at most ±20, negative for a deduction or complaint) or `department`."""
    actor = request.actor
    require_read(actor, "quality.assessments")
    item = None
    if payload.id is not None:
        item = assessments.visible_items(actor).filter(pk=payload.id).first()
        if item is None:
            raise InvalidInput("id", _("No such item in the assessment library."))
    saved = assessments.save_item(actor, item=item, name=payload.name, kind=payload.kind.value,
                                  points=payload.points, department=payload.department, is_active=payload.is_active)
    return Status(200 if item else 201, _item_out(saved))
