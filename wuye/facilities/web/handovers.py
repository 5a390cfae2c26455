"""Facilities console pages: duty posts and shift handovers (交接班) — the posts with their shifts, the phone form
the outgoing shift fills (三清), one handover with the incoming shift's confirm button, the list with unconfirmed
ones in red, and a post's handover book by day."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from wuye.core.access import get_scoped_or_404, scoped
from wuye.core.errors import DomainError, InvalidInput
from wuye.core.validators import digits
from wuye.tenancy.models import Project
from wuye.web.guards import staff_view
from wuye.web.paging import paginate

from .. import handovers as service
from ..models import STAFF_ROLES, DutyPost, Handover

ITEM_ROWS = 4  # empty item rows the form starts with; "add a row" adds one more


def _errors(error: DomainError) -> dict:
    return {problem.field or "form": problem.message for problem in error.problems} or {"form": error.message}


def _posts(actor):
    return scoped(DutyPost.objects.select_related("project"), actor)


# -- posts ----------------------------------------------------------------------------------------------------------
def _post_context(request, errors=None, values=None) -> dict:
    actor = request.actor
    return {"posts": _posts(actor).order_by("project__name", "name"),
            "projects": scoped(Project.objects.active(), actor).only("id", "name").order_by("name"),
            "departments": STAFF_ROLES, "may_manage": actor.may("facilities.manage_posts"),
            "errors": errors or {}, "values": values or {"shifts": "白班 08:00\n夜班 20:00"}}


@staff_view(reads="facilities.handovers")
def post_list(request):
    return render(request, "facilities/handovers/posts.html", _post_context(request))


@require_POST
@staff_view("facilities.manage_posts", reads="facilities.handovers")
def post_new(request):
    post = request.POST
    project = scoped(Project.objects.active(), request.actor).filter(
        pk=int(post["project"]) if digits(post.get("project") or "") else 0).first()
    try:
        service.create_post(request.actor, project=project, name=post.get("name", ""),
                            department=post.get("department", ""), shifts=post.get("shifts", "")[:400])
    except DomainError as error:
        return render(request, "facilities/handovers/posts.html", _post_context(request, _errors(error), post),
                      status=error.status)
    messages.success(request, str(_("Duty post created.")))
    return redirect(reverse("facilities:posts"))


# -- handovers ------------------------------------------------------------------------------------------------------
def _rows(actor):
    return service.with_confirm_due(scoped(Handover.objects.all(), actor)).select_related(
        "post__project", "outgoing_user", "incoming_user")


@staff_view(reads="facilities.handovers")
def handover_list(request):
    actor, now = request.actor, timezone.now()
    rows = _rows(actor)
    unconfirmed = request.GET.get("unconfirmed") in ("on", "1", "true")
    if unconfirmed:
        rows = service.unconfirmed(rows, now)
    posts = list(_posts(actor).order_by("name"))
    raw = request.GET.get("post") or ""
    post = int(raw) if digits(raw) and int(raw) in {one.pk for one in posts} else None
    if post:
        rows = rows.filter(post_id=post)
    page = paginate(request, rows)
    listed = [{"handover": one, "unconfirmed": service.is_unconfirmed(one, now),
               "may_confirm": service.may_confirm(actor, one)} for one in page.object_list]
    return render(request, "facilities/handovers/list.html", {
        "page": page, "rows": listed, "posts": posts, "post": post, "unconfirmed": unconfirmed,
        "may_hand_over": actor.may("facilities.handover")})


def _detail(request, handover, errors=None, status=200):
    return render(request, "facilities/handovers/detail.html", {
        "handover": handover, "unconfirmed": service.is_unconfirmed(handover),
        "may_confirm": service.may_confirm(request.actor, handover), "errors": errors or {},
        "same_user": request.user.pk == handover.outgoing_user_id}, status=status)


@staff_view(reads="facilities.handovers")
def handover_detail(request, pk: int):
    return _detail(request, get_scoped_or_404(_rows(request.actor), request.actor, pk=pk))


@require_POST
@staff_view(reads="facilities.handovers")
def handover_confirm(request, pk: int):
    handover = get_scoped_or_404(_rows(request.actor), request.actor, pk=pk)
    try:
        service.confirm(request.actor, handover, note=request.POST.get("note", ""))
    except DomainError as error:
        return _detail(request, handover, _errors(error), error.status)
    messages.success(request, str(_("Handover confirmed: your shift has taken over.")))
    return redirect(reverse("facilities:handover", args=[handover.pk]))


def _item_rows(post) -> list[dict]:
    names = post.getlist("item_name")[:service.ITEMS_MAX + 1]
    counts = post.getlist("item_count")
    return [{"name": name, "count": counts[number] if number < len(counts) else ""}
            for number, name in enumerate(names)]


def _form(request, *, posts, values, rows, errors=None, status=200):
    chosen = next((one for one in posts if str(one.pk) == str(values.get("post") or "")), posts[0] if posts else None)
    return render(request, "facilities/handovers/new.html", {
        "posts": posts, "chosen": chosen, "values": values, "rows": rows, "errors": errors or {},
        "today": timezone.localdate().isoformat()}, status=status)


@staff_view("facilities.handover", reads="facilities.handovers")
def handover_new(request):
    actor = request.actor
    # Only the posts of the actor's own department: the outgoing shift hands over its own post.
    posts = [one for one in _posts(actor).filter(is_active=True).order_by("name") if service.of_department(actor, one)]
    blank = {"name": "", "count": ""}
    if request.method != "POST":
        return _form(request, posts=posts, values={"post": request.GET.get("post", "")},
                     rows=[dict(blank) for _n in range(ITEM_ROWS)])
    post = request.POST
    rows = _item_rows(post)
    if "add_row" in post:
        return _form(request, posts=posts, values=post, rows=[*rows, dict(blank)])
    items = []
    for row in rows:
        if not (row["name"] or "").strip():
            continue
        count = (row["count"] or "1").strip()
        items.append({"name": row["name"], "count": int(count) if digits(count) else -1})
    duty_post = next((one for one in posts if str(one.pk) == (post.get("post") or "")), None)
    try:
        if duty_post is None:
            raise InvalidInput("post", _("Choose your duty post."))
        handover = service.hand_over(
            actor, post=duty_post, shift_date=post.get("shift_date", ""), outgoing_shift=post.get("outgoing_shift", ""),
            incoming_shift=post.get("incoming_shift", ""), situation=post.get("situation", ""), items=items,
            open_matters=post.get("open_matters", ""))
    except DomainError as error:
        problems = _errors(error)
        filled = [row for row in rows if (row["name"] or "").strip()]
        for number, row in enumerate(filled):
            row["errors"] = [message for field, message in problems.items() if field.startswith(f"items[{number}]")]
        spare = [row for row in rows if not (row["name"] or "").strip()]
        return _form(request, posts=posts, values=post, rows=[*filled, *spare], errors=problems, status=error.status)
    messages.success(request, str(_("Handed over; the incoming shift confirms it.")))
    return redirect(reverse("facilities:handover", args=[handover.pk]))


@staff_view(reads="facilities.handovers")
def handover_book(request, pk: int):
    post = get_scoped_or_404(DutyPost.objects.select_related("project"), request.actor, pk=pk)
    try:
        day = date.fromisoformat(request.GET.get("date") or "")
    except ValueError:
        day = timezone.localdate()
    if not 2000 <= day.year <= 2100:
        raise Http404
    now = timezone.now()
    rows = [{"handover": one, "unconfirmed": service.is_unconfirmed(one, now),
             "may_confirm": service.may_confirm(request.actor, one)} for one in service.book(post, day)]
    return render(request, "facilities/handovers/book.html", {"post": post, "day": day, "rows": rows})


urlpatterns = [
    path("console/facilities/posts/", post_list, name="posts"),
    path("console/facilities/posts/new/", post_new, name="post_new"),
    path("console/facilities/posts/<int:pk>/book/", handover_book, name="handover_book"),
    path("console/facilities/handovers/", handover_list, name="handovers"),
    path("console/facilities/handovers/new/", handover_new, name="handover_new"),
    path("console/facilities/handovers/<int:pk>/", handover_detail, name="handover"),
    path("console/facilities/handovers/<int:pk>/confirm/", handover_confirm, name="handover_confirm"),
]
