"""The community activities API (SPEC §7, §9), mounted under /api/v1: activities (the desk plans them; owners list
the published ones), owners' sign-ups, and check-in at the door."""

from datetime import datetime
from decimal import Decimal

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from wuye.core.access import get_scoped_or_404, get_scoped_or_invalid, require_read
from wuye.core.api import Mapped, PagePagination
from wuye.core.errors import InvalidInput
from wuye.tenancy.models import Project, Unit

from . import services as service
from .models import Activity, ActivitySignup, ActivityStatus

router = Router(tags=["activities"])
ID = {"ge": 1, "le": 2_147_483_647}
ACTIVITIES, SIGNUPS = "activities.activities", "activities.signups"


class ActivityFilters(Schema):
    project: int | None = Field(None, **ID)
    status: str | None = Field(None, max_length=12)


class ActivityIn(Schema):
    project: int = Field(..., **ID)
    title: str = Field(..., max_length=service.TITLE_MAX)
    place: str = Field(..., max_length=service.PLACE_MAX)
    description: str = Field("", max_length=service.DESCRIPTION_MAX)
    starts_at: datetime
    ends_at: datetime
    signup_deadline: datetime
    capacity: int = Field(..., ge=1, le=service.CAPACITY_MAX)
    fee: str = Field("0", max_length=12, description="yuan per person; 0 free")
    publish: bool = True


class ActivityOut(Schema):
    id: int
    project_id: int
    project: str
    title: str
    description: str
    place: str
    starts_at: datetime
    ends_at: datetime
    signup_deadline: datetime
    capacity: int
    taken: int = Field(..., description="places taken (people signed up or checked in)")
    places_left: int
    fee: Decimal
    status: str
    status_label: str
    actions: list[str]


class ActivityActionIn(Schema):
    reason: str = Field("", max_length=service.REASON_MAX)


class SignupIn(Schema):
    unit: int = Field(..., **ID)
    people: int = Field(1, ge=1, le=service.PEOPLE_MAX)


class CheckInIn(Schema):
    code: str = Field("", max_length=40)


class SignupOut(Schema):
    id: int
    activity_id: int
    unit_id: int
    unit: str
    people: int
    status: str
    status_label: str
    code: str = Field(..., description="shown at the door to check in")
    created_at: datetime
    checked_in_at: datetime | None


def _activity_out(actor, activity: Activity) -> dict:
    taken = getattr(activity, "taken", None)
    taken = service.places_taken(activity) if taken is None else taken
    return {"id": activity.pk, "project_id": activity.project_id, "project": activity.project.name,
            "title": activity.title, "description": activity.description, "place": activity.place,
            "starts_at": activity.starts_at, "ends_at": activity.ends_at,
            "signup_deadline": activity.signup_deadline, "capacity": activity.capacity, "taken": taken,
            "places_left": max(activity.capacity - taken, 0), "fee": activity.fee, "status": activity.status,
            "status_label": activity.get_status_display(), "actions": service.actions_for(actor, activity)}


def _signup_out(signup: ActivitySignup) -> dict:
    return {"id": signup.pk, "activity_id": signup.activity_id, "unit_id": signup.unit_id,
            "unit": signup.unit.label, "people": signup.people, "status": signup.status,
            "status_label": signup.get_status_display(), "code": signup.code, "created_at": signup.created_at,
            "checked_in_at": signup.checked_in_at}


def _activity(request, activity_id: int) -> Activity:
    require_read(request.actor, ACTIVITIES)
    return get_scoped_or_404(service.activities(request.actor), request.actor, pk=activity_id)


@router.get("/activities", response=list[ActivityOut])
@paginate(PagePagination)
def list_activities(request, filters: Query[ActivityFilters]):
    """Activities in scope, latest start first (owners: the published ones of their communities)."""
    require_read(request.actor, ACTIVITIES)
    rows = service.activities(request.actor)
    if filters.project is not None:
        rows = rows.filter(project_id=filters.project)
    if filters.status is not None:
        if filters.status not in ActivityStatus.values:
            raise InvalidInput("status", _("Choose one of: %(choices)s.") % {
                "choices": ", ".join(ActivityStatus.values)})
        rows = rows.filter(status=filters.status)
    return Mapped(rows, lambda activity: _activity_out(request.actor, activity))


@router.post("/activities", response={201: ActivityOut})
def create_activity(request, payload: ActivityIn):
    """Plan an activity (the desk, the manager); published at once unless `publish` is false."""
    actor = request.actor
    require_read(actor, ACTIVITIES)
    project = get_scoped_or_invalid(Project.objects.all(), actor, payload.project, "project")
    activity = service.create_activity(
        actor, project=project, title=payload.title, place=payload.place, description=payload.description,
        starts_at=payload.starts_at, ends_at=payload.ends_at, signup_deadline=payload.signup_deadline,
        capacity=payload.capacity, fee=payload.fee, publish=payload.publish)
    return Status(201, _activity_out(actor, service.activities(actor).get(pk=activity.pk)))


@router.get("/activities/{activity_id}", response=ActivityOut)
def get_activity(request, activity_id: int):
    return _activity_out(request.actor, _activity(request, activity_id))


@router.post("/activities/{activity_id}/actions/{action}", response=ActivityOut)
def act_on_activity(request, activity_id: int, action: str, payload: ActivityActionIn | None = None):
    """`publish`, `close` (sign-up), `cancel` (`reason` required), `finish` (held, from its end)."""
    activity = _activity(request, activity_id)
    service.transition(request.actor, activity, action, reason=(payload or ActivityActionIn()).reason)
    return _activity_out(request.actor, service.activities(request.actor).get(pk=activity.pk))


@router.get("/activities/{activity_id}/signups", response=list[SignupOut])
@paginate(PagePagination)
def list_signups(request, activity_id: int):
    """The activity's sign-ups (owners: their own household's)."""
    activity = _activity(request, activity_id)
    require_read(request.actor, SIGNUPS)
    return Mapped(service.signups(request.actor).filter(activity=activity), _signup_out)


@router.post("/activities/{activity_id}/signups", response={201: SignupOut})
def sign_up(request, activity_id: int, payload: SignupIn):
    """Sign the household up (owners): until the deadline, while places remain (409 naming `people` when full)."""
    activity = _activity(request, activity_id)
    unit = get_scoped_or_invalid(Unit.objects.select_related("building"), request.actor, payload.unit, "unit")
    signup = service.sign_up(request.actor, activity, unit=unit, people=payload.people)
    return Status(201, _signup_out(signup))


@router.post("/activities/{activity_id}/signups/{signup_id}/cancel", response=SignupOut)
def cancel_signup(request, activity_id: int, signup_id: int):
    """Cancel a sign-up before the start: its places are free again."""
    activity = _activity(request, activity_id)
    signup = get_scoped_or_404(service.signups(request.actor).filter(activity=activity), request.actor, pk=signup_id)
    return _signup_out(service.cancel_signup(request.actor, signup))


@router.post("/activities/{activity_id}/signups/{signup_id}/check-in", response=SignupOut)
def check_in(request, activity_id: int, signup_id: int):
    """Staff check a sign-up in, from the start to the end of the activity (a fee is billed then)."""
    activity = _activity(request, activity_id)
    signup = get_scoped_or_404(service.signups(request.actor).filter(activity=activity), request.actor, pk=signup_id)
    return _signup_out(service.check_in(request.actor, signup))


@router.post("/activities/{activity_id}/check-in", response=SignupOut)
def check_in_by_code(request, activity_id: int, payload: CheckInIn):
    """Staff check in the sign-up whose code the owner shows (422 naming `code` when no sign-up has it)."""
    activity = _activity(request, activity_id)
    return _signup_out(service.check_in_by_code(request.actor, activity, payload.code))
