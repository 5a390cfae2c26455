"""JSON API for work orders (§9): create, list (inbox), detail with deadlines and timeline, actions, my tickets."""

from datetime import date
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import OuterRef, Subquery
from django.http import FileResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, File, Query, Router, Schema, Status, UploadedFile
from ninja.pagination import paginate

from wuye.core.access import get_scoped_or_404, get_scoped_or_invalid, require_read, scoped
from wuye.core.api import PagePagination
from wuye.core.errors import InvalidInput
from wuye.core.events import timeline
from wuye.core.sentences import prepare_events
from wuye.sla.engine import clocks_for
from wuye.sla.models import Clock
from wuye.tenancy.models import Project, Unit

from . import progress, reports, services
from .models import Category, PriceItem, Ticket
from .queries import TicketQuery, filter_tickets
from .schemas import (
    ActionIn,
    TicketCreatedOut,
    TicketIn,
    TicketKind,
    TicketListOut,
    TicketOut,
    TicketStatus,
    TicketUrgency,
)

router = Router(tags=["work orders"])


class TicketFilters(Schema):
    """The inbox's filters; their meanings are `queries.TicketQuery`'s, the same as the console's."""

    project: int | None = None
    kind: TicketKind | None = None
    status: TicketStatus | None = None
    urgency: TicketUrgency | None = None
    category: int | None = None
    building: int | None = None
    unit: int | None = None
    open: bool | None = None
    overdue: bool | None = None
    at_risk: bool | None = None
    assignee: int | None = None
    created_from: date | None = None
    created_to: date | None = None
    q: str | None = None

    def query(self) -> TicketQuery:
        values = self.dict(exclude_none=True)
        for name in ("kind", "status", "urgency"):
            if name in values:
                values[name] = getattr(values[name], "value", values[name])
        return TicketQuery(**values)


def _detail(request, ticket: Ticket) -> dict:
    actor = request.actor
    ticket.deadlines = list(clocks_for(ticket))  # what was promised when: owners see it too
    if actor.is_owner:
        # The owner's view, the portal's: steps and progress in plain words; the staff timeline stays in.
        ticket.timeline = []
        ticket.steps = [{**row, "label": str(row["label"])} for row in progress.owner_steps(ticket)]
        ticket.progress = [{**row, "label": str(row["label"])} for row in progress.owner_progress(ticket, request.user)]
    else:
        ticket.timeline = prepare_events(timeline(ticket))  # names resolved once for every sentence
    ticket.actions = services.allowed_actions(actor, ticket)
    ticket.fee = services.fee_status(ticket)  # the bills' state read from billing now
    return ticket


def _with_next_due(tickets):
    """Each ticket's earliest open deadline, for the inbox's at-risk / overdue colours."""
    ticket_type = ContentType.objects.get_for_model(Ticket)
    next_due = Clock.objects.open().filter(subject_type=ticket_type, subject_id=OuterRef("pk")).order_by("due_at")
    return tickets.annotate(next_due_at=Subquery(next_due.values("due_at")[:1]))


@router.get("/tickets", response=list[TicketListOut])
@paginate(PagePagination)
def list_tickets(request, filters: Query[TicketFilters]):
    """The work-order inbox in scope, newest first. Filters as in the console (`workorders.queries.TicketQuery`):
    `overdue` / `at_risk` on open SLA clocks, `category` with its sub-categories, `created_from`/`created_to` local
    days (both included), `q` a ticket number, a unit as typed ("3-1201", "3号楼1单元1201"), the contact's full
    phone, or words of the contact's name, the description or the location."""
    require_read(request.actor, "workorders.tickets")
    tickets = scoped(Ticket.objects.for_listing(), request.actor)
    return _with_next_due(filter_tickets(tickets, filters.query()))


@router.get("/me/tickets", response=list[TicketListOut])
@paginate(PagePagination)
def my_tickets(request):
    """An owner's tickets for their units (or a staff member's own reports)."""
    require_read(request.actor, "workorders.tickets")
    tickets = Ticket.objects.for_listing()
    if request.actor.is_owner:
        return _with_next_due(scoped(tickets, request.actor))
    return _with_next_due(scoped(tickets, request.actor).filter(reporter=request.user))


@router.post("/tickets", response={201: TicketCreatedOut})
def create_ticket(request, payload: TicketIn):
    """Receive a ticket. The answer is lean: the ticket with its running deadline (`deadlines`) and `actions`;
    its timeline, charges and fee are on GET /tickets/{id}."""
    actor = request.actor
    unit = get_scoped_or_invalid(Unit.objects.with_places(), actor, payload.unit_id, "unit_id") \
        if payload.unit_id is not None else None
    project_id = payload.project_id or (unit.project_id if unit else None)
    if project_id is None:
        raise InvalidInput("project_id", _("Choose the project (or a unit)."))
    if unit is not None and unit.project_id == project_id:
        project = unit.project  # already read, in scope, with the unit
    else:
        project = get_scoped_or_invalid(Project.objects, actor, project_id, "project_id")
    # Categories are the project's catalogue, readable by everyone in the project (owners pick one too).
    category = None
    if payload.category_id is not None:
        category = Category.objects.filter(pk=payload.category_id, project=project, is_active=True).first()
        if category is None:
            raise InvalidInput("category_id", _("No such category."))
    data = services.TicketInput(
        **payload.dict(exclude={"project_id", "unit_id", "category_id"}), unit=unit, category=category)
    if actor.is_owner:
        data.channel = "portal"
    ticket = services.create_ticket(actor, project=project, data=data)
    # Unit, category and project are already loaded; the one deadline is the clock just started.
    ticket.deadlines = [ticket.first_clock]
    ticket.actions = services.allowed_actions(actor, ticket)
    return Status(201, ticket)


@router.get("/tickets/{ticket_id}", response=TicketOut)
def get_ticket(request, ticket_id: int):
    """One ticket with its `deadlines` (SLA clocks), `timeline` and the `actions` the caller may take."""
    require_read(request.actor, "workorders.tickets")
    return _detail(request, get_scoped_or_404(Ticket.objects.with_people(), request.actor, pk=ticket_id))


@router.post("/tickets/{ticket_id}/actions/{action}", response=TicketOut)
def act_on_ticket(request, ticket_id: int, action: str, payload: ActionIn):
    """Take one workflow action (classify (`kind` while new, `category_id`, `urgency`, `is_major`: the time limits
    restart under the new policy), dispatch, accept, arrive, pause, resume, complete, verify, confirm, collect_fee
    (paid now: `payment_channel` cash or bank_transfer, with a receipt), charge_fee (to the owner's account),
    return_visit, close, reopen, cancel, assign, reassign, resolve, approve, reject, reply)."""
    actor = request.actor
    ticket = get_scoped_or_404(Ticket.objects.all(), actor, pk=ticket_id)
    assignee = None
    if payload.assignee_id is not None:
        assignee = get_user_model().objects.filter(pk=payload.assignee_id, is_active=True).first()
        if assignee is None:
            raise InvalidInput("assignee_id", _("No such staff member."))
    parts = []
    for index, part in enumerate(payload.parts):
        item = PriceItem.objects.filter(pk=part.item_id, project_id=ticket.project_id).first()
        if item is None:
            raise InvalidInput(f"parts[{index}].item_id", _("Not on this project's price list."))
        parts.append((item, part.quantity))
    category = None
    if payload.category_id is not None:  # classify: a category of the ticket's project (its kind is checked there)
        category = Category.objects.filter(pk=payload.category_id, project_id=ticket.project_id).first()
        if category is None:
            raise InvalidInput("category_id", _("No such category."))
    values = payload.dict(exclude={"assignee_id", "parts", "category_id", "kind", "urgency"})
    change = services.ActionInput(**values, assignee=assignee, parts=parts, category=category,
                                  kind=payload.kind.value if payload.kind else "",
                                  urgency=payload.urgency.value if payload.urgency else "")
    ticket = services.perform(actor, ticket, action, change)
    return _detail(request, Ticket.objects.with_people().get(pk=ticket.pk))


class RatingIn(Schema):
    """The owner's own rating of a signed-off repair: `score` 1–5 (5 非常满意 … 1 非常不满意)."""

    score: int | None = Field(None, description="1 (very dissatisfied) to 5 (very satisfied)")
    comment: str = Field("", max_length=500, description="what the owner wants to say (optional)")
    version: int | None = Field(None, description="The version you read; a stale one gets 409 with the current state")


@router.post("/tickets/{ticket_id}/rate", response=TicketOut)
def rate_ticket(request, ticket_id: int, payload: RatingIn):
    """The owner rates their repair after signing it off (业主评价), once: it counts as the return visit (the same
    satisfaction figures; no return-visit call is due). 404 outside the owner's tickets, 403 for staff (they
    record a return visit), 409 before sign-off or when the repair was rated already, 422 naming `score` outside
    1–5."""
    actor = request.actor
    ticket = get_scoped_or_404(Ticket.objects.all(), actor, pk=ticket_id)
    change = services.ActionInput(score=payload.score, comment=payload.comment, version=payload.version)
    ticket = services.perform(actor, ticket, "rate", change)
    return _detail(request, Ticket.objects.with_people().get(pk=ticket.pk))


class SatisfactionQuery(Schema):
    project: int
    kind: TicketKind = Field(TicketKind("repair"), description="repair (default) or complaint")
    from_: date | None = Field(None, alias="from", description="first day received (default: the month's first)")
    to: date | None = Field(None, description="last day received (default: today)")


class SatisfactionRowOut(Schema):
    score: int
    label: str
    count: int


class SatisfactionOut(Schema):
    project_id: int
    project: str
    kind: str
    first_day: date
    last_day: date
    rated: int
    average: Decimal | None
    satisfied: int
    satisfied_rate: Decimal | None = Field(description="percent rated 满意 or 非常满意")
    owner_rated: int = Field(description="of the rated, how many the owners rated themselves in the portal")
    rows: list[SatisfactionRowOut]


@router.get("/reports/satisfaction", response=SatisfactionOut)
def satisfaction_report(request, filters: Query[SatisfactionQuery]):
    """Satisfaction (满意度) of the tickets received from `from` to `to` (local days, both included): a return
    visit's score and an owner's own rating count the same, one per ticket. 404 for a project outside scope."""
    actor = request.actor
    require_read(actor, "workorders.complaint_reports")
    project = get_scoped_or_404(Project.objects, actor, pk=filters.project)
    today = timezone.localdate()
    last = filters.to or today
    first = filters.from_ or last.replace(day=1)
    if first > last:
        raise InvalidInput("from", _("The first day must not be after the last day."))
    kind = filters.kind.value
    tickets = reports.tickets_between(actor, reports.day_bounds(first)[0], reports.day_bounds(last)[1], project,
                                      kind=kind)
    summary = reports.satisfaction_of(tickets)
    return {"project_id": project.pk, "project": project.name, "kind": kind, "first_day": first, "last_day": last,
            **vars(summary), "rows": [vars(row) for row in summary.rows]}


class PhotoOut(Schema):
    id: int
    content_type: str
    size: int
    url: str

    @staticmethod
    def resolve_url(photo):
        return reverse("api:ticket_photo", args=[photo.ticket_id, photo.pk])


@router.post("/tickets/{ticket_id}/photos", response={201: PhotoOut})
def add_photo(request, ticket_id: int, image: File[UploadedFile]):
    """Attach a photo (multipart field `image`: JPEG, PNG or WebP, at most 5 MB)."""
    ticket = get_scoped_or_404(Ticket.objects.all(), request.actor, pk=ticket_id)
    return Status(201, services.attach_photo(request.actor, ticket, image))


@router.get("/tickets/{ticket_id}/photos/{photo_id}", url_name="ticket_photo", response={200: None})
def get_photo(request, ticket_id: int, photo_id: int):
    """The photo itself, for whoever may see the ticket (media files are never served publicly)."""
    require_read(request.actor, "workorders.tickets")
    ticket = get_scoped_or_404(Ticket.objects.all(), request.actor, pk=ticket_id)
    photo = get_object_or_404(ticket.photos, pk=photo_id)
    return FileResponse(photo.image.open("rb"), content_type=photo.content_type)


from . import catalogue_api  # noqa: E402, F401  (the catalogue's routes on this router)
