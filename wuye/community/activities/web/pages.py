"""Community activity pages: the console's list (with the form to plan one), one activity with its sign-up list and
check-in (by code or from the list); the owner portal's activities, sign-up and "my sign-up" with its code."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from wuye.core.access import get_scoped_or_404, scoped
from wuye.core.errors import DomainError
from wuye.core.events import timeline
from wuye.tenancy.models import Project, Unit
from wuye.web.guards import owner_view, staff_view
from wuye.web.paging import paginate

from .. import services as service
from ..models import ActivityStatus, SignupStatus

ACTIVITIES = "activities.activities"


def _errors(error: DomainError) -> dict:
    return {problem.field or "form": problem.message for problem in error.problems} or {"form": error.message}


def _projects(actor):
    return list(scoped(Project.objects.active(), actor).only("id", "name").order_by("name"))


# -- console -----------------------------------------------------------------------------------------------------------
@staff_view(reads=ACTIVITIES)
def activity_list(request):
    actor = request.actor
    rows = service.activities(actor)
    status = request.GET.get("status") or ""
    if status in ActivityStatus.values:
        rows = rows.filter(status=status)
    else:
        status = ""
    page = paginate(request, rows)
    context = {"page": page, "rows": page.object_list, "statuses": ActivityStatus.choices, "status": status,
               "may_manage": actor.may("activities.manage"), "projects": _projects(actor), "values": {},
               "errors": {}}
    if request.method == "POST" and actor.may("activities.manage"):
        post = request.POST
        project = next((p for p in context["projects"] if str(p.pk) == post.get("project")), None)
        try:
            activity = service.create_activity(
                actor, project=project, title=post.get("title", ""), place=post.get("place", ""),
                description=post.get("description", ""), starts_at=post.get("starts_at", ""),
                ends_at=post.get("ends_at", ""), signup_deadline=post.get("signup_deadline", ""),
                capacity=post.get("capacity", ""), fee=post.get("fee", ""), publish=post.get("publish") == "on")
        except DomainError as error:
            return render(request, "activities/list.html", {**context, "values": post, "errors": _errors(error)},
                          status=error.status)
        messages.success(request, str(_("Activity planned.")))
        return redirect("activities:detail", activity.pk)
    return render(request, "activities/list.html", context)


@staff_view(reads=ACTIVITIES)
def activity_detail(request, pk):
    actor = request.actor
    activity = get_scoped_or_404(service.activities(actor), actor, pk=pk)
    rows = list(service.signups(actor).filter(activity=activity).order_by("status", "created_at", "id"))
    now = timezone.now()
    return render(request, "activities/detail.html", {
        "activity": activity, "signups": rows, "actions": service.actions_for(actor, activity),
        "may_check_in": actor.may("activities.check_in") and activity.starts_at <= now <= activity.ends_at,
        "events": timeline(activity)})


@require_POST
@staff_view(reads=ACTIVITIES)
def activity_action(request, pk, action):
    actor = request.actor
    activity = get_scoped_or_404(service.activities(actor), actor, pk=pk)
    try:
        if action == "check_in_code":
            signup = service.check_in_by_code(actor, activity, request.POST.get("code", ""))
            messages.success(request, str(_("%(unit)s checked in.") % {"unit": signup.unit.label}))
        elif action == "check_in":
            signup = get_scoped_or_404(service.signups(actor).filter(activity=activity), actor,
                                       pk=request.POST.get("signup") or 0)
            service.check_in(actor, signup)
            messages.success(request, str(_("%(unit)s checked in.") % {"unit": signup.unit.label}))
        else:
            service.transition(actor, activity, action, reason=request.POST.get("reason", ""))
            messages.success(request, str(_("Saved.")))
    except DomainError as error:
        messages.error(request, "；".join(_errors(error).values()))
    return redirect("activities:detail", activity.pk)


# -- owner portal ------------------------------------------------------------------------------------------------------
@owner_view
def h5_list(request):
    actor = request.actor
    rows = list(service.activities(actor).filter(status__in=[ActivityStatus.OPEN, ActivityStatus.CLOSED,
                                                             ActivityStatus.DONE])[:30])
    mine = {signup.activity_id: signup for signup in service.signups(actor).filter(
        activity__in=[row.pk for row in rows], user=actor.user)}
    for row in rows:
        row.mine = mine.get(row.pk)
    return render(request, "activities/h5_list.html", {"rows": rows})


@owner_view
def h5_detail(request, pk):
    actor = request.actor
    activity = get_scoped_or_404(service.activities(actor), actor, pk=pk)
    mine = service.signups(actor).filter(activity=activity, user=actor.user).first()
    homes = list(Unit.objects.filter(pk__in=actor.unit_ids, project_id=activity.project_id)
                 .select_related("building").order_by("id"))
    errors, status = {}, 200
    if request.method == "POST":
        try:
            if request.POST.get("cancel") and mine is not None:
                service.cancel_signup(actor, mine)
                messages.success(request, str(_("Your sign-up is cancelled.")))
            else:
                unit = next((home for home in homes if str(home.pk) == request.POST.get("unit")), None)
                service.sign_up(actor, activity, unit=unit, people=(request.POST.get("people") or "1").strip())
                messages.success(request, str(_("Signed up. Show your code at the door.")))
            return redirect("activities:h5_detail", activity.pk)
        except DomainError as error:
            errors, status = _errors(error), error.status
    return render(request, "activities/h5_detail.html", {
        "activity": activity, "mine": mine, "homes": homes, "errors": errors,
        "places_left": max(activity.capacity - activity.taken, 0),
        "may_sign_up": service.may_sign_up(actor, activity)
        and (mine is None or mine.status == SignupStatus.CANCELLED),
        "may_cancel": mine is not None and mine.status == SignupStatus.SIGNED_UP
        and timezone.now() < activity.starts_at}, status=status)


urlpatterns = [
    path("console/community/activities/", activity_list, name="list"),
    path("console/community/activities/<int:pk>/", activity_detail, name="detail"),
    path("console/community/activities/<int:pk>/<slug:action>", activity_action, name="action"),
    path("h5/activities/", h5_list, name="h5_list"),
    path("h5/activities/<int:pk>/", h5_detail, name="h5_detail"),
]
