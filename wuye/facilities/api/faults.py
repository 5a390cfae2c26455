"""Facilities API: faults (故障) — the list with deadlines, one fault with its timeline and the steps the caller
may take, reporting a fault, the steps themselves, and linking an owner's repair request to an item."""

from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from wuye.core.access import get_scoped_or_404, get_scoped_or_invalid, require, require_read, scoped
from wuye.core.api import Mapped, PagePagination
from wuye.core.errors import InvalidInput
from wuye.core.events import timeline
from wuye.core.sentences import event_sentence, prepare_events

from .. import faults as service
from ..models import Contractor, Equipment, Fault, FaultSeverity, FaultStatus

router = Router(tags=["facilities"])


class FaultFilters(Schema):
    project: int | None = None
    equipment: int | None = None
    status: str | None = Field(None, description="raised, reported, in_repair, testing, resolved, closed, cancelled")
    severity: str | None = Field(None, description="general or major")
    raised_after: datetime | None = None
    raised_before: datetime | None = None


class FaultIn(Schema):
    equipment: int
    title: str = Field(..., max_length=service.TITLE_MAX)
    severity: str = Field("general", description="general or major")
    description: str = Field("", max_length=service.TEXT_MAX)


class FaultActionIn(Schema):
    severity: str | None = None
    description: str | None = Field(None, max_length=service.TEXT_MAX)
    assignee: int | None = None
    contractor: int | None = None
    cause: str | None = Field(None, max_length=service.TEXT_MAX)
    repair_action: str | None = Field(None, max_length=service.TEXT_MAX)
    parts: str | None = Field(None, max_length=service.PARTS_MAX)
    runs: list[Any] | None = Field(None, max_length=service.MAX_TEST_RUNS,
                                   description="post-repair test runs in order, true = passed")
    note: str | None = Field(None, max_length=service.TEXT_MAX)
    prevention: str | None = Field(None, max_length=service.TEXT_MAX)
    reason: str | None = Field(None, max_length=service.REASON_MAX)


class TicketFaultIn(Schema):
    equipment: int
    severity: str = "general"


class FaultClockOut(Schema):
    name: str
    state: str
    due_at: datetime
    stopped_at: datetime | None


class FaultTestRunOut(Schema):
    attempt: int
    run: int
    ok: bool


class FaultListOut(Schema):
    id: int
    project_id: int
    project: str
    equipment_id: int
    equipment: str
    category: str
    title: str
    severity: str
    severity_label: str
    status: str
    status_label: str
    source: str
    source_label: str
    raised_at: datetime
    reported_at: datetime | None
    back_in_service_at: datetime | None
    downtime_minutes: int | None
    ticket_id: int | None


class FaultOut(FaultListOut):
    description: str
    assignee: str
    contractor: str
    cause: str
    repair_action: str
    parts: str
    prevention: str
    cancel_reason: str
    test_runs: list[FaultTestRunOut]
    test_runs_required: int
    clocks: list[FaultClockOut]
    timeline: list[str]
    actions: list[str]


def _name(user) -> str:
    return (user.get_full_name() or "").strip() if user else ""


def _row(fault: Fault) -> dict:
    return {
        "id": fault.pk, "project_id": fault.project_id, "project": fault.project.name,
        "equipment_id": fault.equipment_id, "equipment": fault.equipment.name,
        "category": fault.equipment.category.name, "title": fault.title, "severity": fault.severity,
        "severity_label": fault.get_severity_display(), "status": fault.status,
        "status_label": fault.get_status_display(), "source": fault.source, "source_label": fault.get_source_display(),
        "raised_at": fault.raised_at, "reported_at": fault.reported_at, "back_in_service_at": fault.back_in_service_at,
        "downtime_minutes": fault.downtime_minutes, "ticket_id": fault.ticket_id,
    }


def _rows():
    return Fault.objects.select_related("project", "equipment__category")


def detail(actor, fault: Fault) -> dict:
    fault = _rows().select_related("assignee", "contractor").get(pk=fault.pk)
    events = prepare_events(timeline(fault))
    return {
        **_row(fault), "description": fault.description, "assignee": _name(fault.assignee),
        "contractor": fault.contractor.name if fault.contractor_id else "", "cause": fault.cause,
        "repair_action": fault.repair_action, "parts": fault.parts, "prevention": fault.prevention,
        "cancel_reason": fault.cancel_reason,
        "test_runs": [{"attempt": run.get("attempt", 1), "run": run.get("run", 0), "ok": bool(run.get("ok"))}
                      for run in fault.test_runs],
        "test_runs_required": service.runs_required(fault),
        "clocks": [{"name": clock.policy.name, "state": clock.state, "due_at": clock.due_at,
                    "stopped_at": clock.stopped_at} for clock in service.current_clocks(fault)],
        "timeline": [event_sentence(event) for event in events],
        "actions": [action for action in service.actions_from(fault.status) if service.may_act(actor, fault, action)],
    }


def _choice(value, allowed, field: str):
    if value is not None and value not in allowed:
        raise InvalidInput(field, _("Choose one of: %(values)s.") % {"values": ", ".join(allowed)})
    return value



@router.get("/faults", response=list[FaultListOut])
@paginate(PagePagination)
def list_faults(request, filters: Query[FaultFilters]):
    """Faults in scope, newest first: filters `project`, `equipment`, `status`, `severity`, `raised_after`,
    `raised_before`."""
    require_read(request.actor, "facilities.faults")
    rows = scoped(_rows(), request.actor)
    if filters.project is not None:
        rows = rows.filter(project_id=filters.project)
    if filters.equipment is not None:
        rows = rows.filter(equipment_id=filters.equipment)
    if _choice(filters.status, FaultStatus.values, "status"):
        rows = rows.filter(status=filters.status)
    if _choice(filters.severity, FaultSeverity.values, "severity"):
        rows = rows.filter(severity=filters.severity)
    # core.api.check_inputs already refused dates outside validators.date_window(), naming the field.
    if filters.raised_after is not None:
        rows = rows.filter(raised_at__gte=filters.raised_after)
    if filters.raised_before is not None:
        rows = rows.filter(raised_at__lt=filters.raised_before)
    return Mapped(rows.order_by("-raised_at", "-id"), _row)


@router.post("/faults", response={201: FaultOut})
def report_fault(request, payload: FaultIn):
    """Report a fault of an item: status `reported`, its repair limit starts (general 24 h, major 48 h) and the
    item becomes faulty."""
    require(request.actor, "facilities.report_faults")
    equipment = get_scoped_or_invalid(Equipment.objects.all(), request.actor, payload.equipment, "equipment")
    fault = service.report_fault(request.actor, equipment, title=payload.title, severity=payload.severity,
                                 description=payload.description)
    return Status(201, detail(request.actor, fault))


@router.get("/faults/{fault_id}", response=FaultOut)
def get_fault(request, fault_id: int):
    """One fault with its repair record, post-repair test runs, time limits, timeline and the `actions` the
    caller may take now."""
    require_read(request.actor, "facilities.faults")
    fault = get_scoped_or_404(Fault.objects.all(), request.actor, pk=fault_id)
    return detail(request.actor, fault)


@router.post("/faults/{fault_id}/actions/{action}", response=FaultOut)
def act_on_fault(request, fault_id: int, action: str, payload: FaultActionIn):
    """Take one step: `report` (a fault raised by a reading; `severity`), `start_repair` (`assignee`,
    `contractor`), `record_repair` (`cause`, `repair_action` required, `parts`), `record_test` (`runs`: each
    run true/false — all the category's runs must pass before the item returns to service; a failed run sends
    it back to repair), `close` (the fault report: `cause` and `prevention` required), `cancel` (`reason`).
    An unknown action is a 422 naming `action`; a step not allowed now is a 409."""
    require_read(request.actor, "facilities.faults")
    fault = get_scoped_or_404(Fault.objects.select_related("project"), request.actor, pk=fault_id)
    fields = {key: value for key, value in payload.dict().items() if value is not None}
    if "assignee" in fields:
        # People are not project records: the service refuses anyone who does not work on the fault's project.
        fields["assignee"] = get_user_model().objects.filter(pk=fields["assignee"], is_active=True).first()
        if fields["assignee"] is None:
            raise InvalidInput("assignee", _("Choose a colleague who works on this project."))
    if "contractor" in fields:
        fields["contractor"] = get_scoped_or_invalid(Contractor.objects.all(), request.actor,
                                                     fields["contractor"], "contractor")
    fault = service.act(request.actor, fault, action, **fields)
    return detail(request.actor, fault)


@router.post("/tickets/{ticket_id}/equipment-fault", response={201: FaultOut})
def link_ticket(request, ticket_id: int, payload: TicketFaultIn):
    """An owner's repair request about public equipment becomes a fault of that item (idempotent: a request
    already linked answers its fault)."""
    from wuye.workorders.models import Ticket

    require(request.actor, "facilities.report_faults")
    ticket = get_scoped_or_404(Ticket.objects.all(), request.actor, pk=ticket_id)
    equipment = get_scoped_or_invalid(Equipment.objects.all(), request.actor, payload.equipment, "equipment")
    fault = service.fault_from_ticket(request.actor, ticket, equipment, severity=payload.severity)
    return Status(201, detail(request.actor, fault))
