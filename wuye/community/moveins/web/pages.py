"""Move-in pages: the console's list (move-ins with the batches above them), a new batch, a batch with each unit's
progress, and the desk's page for one unit's move-in with each step's form (the checklist, the key handover with
the signature canvas); the owner portal's "my move-in": open batches to book, my booking, my inspection issues."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wuye.core.access import get_scoped_or_404, scoped
from wuye.core.downloads import attachment
from wuye.core.errors import DomainError, InvalidInput
from wuye.core.events import timeline
from wuye.tenancy.models import Building, Unit
from wuye.web.guards import owner_view, staff_view
from wuye.web.paging import paginate

from .. import services as service
from ..filters import clean_filters, filter_move_ins
from ..models import BatchStatus, MoveInSlot, MoveInStatus

MOVE_INS, BATCHES = "moveins.move_ins", "moveins.batches"
ROOMS = ("客厅", "餐厅", "主卧", "次卧", "厨房", "卫生间", "阳台")
CHECKS = ("门窗", "墙面", "地面", "水电")


def _errors(error: DomainError) -> dict:
    return {problem.field or "form": problem.message for problem in error.problems} or {"form": error.message}


def _rows(actor):
    return service.move_ins(actor).select_related("batch", "unit__building", "slot", "project")


# -- console ---------------------------------------------------------------------------------------------------------
@staff_view(reads=MOVE_INS)
def move_in_list(request):
    actor = request.actor
    filters = clean_filters(request.GET)
    rows = filter_move_ins(actor, filters).select_related("batch", "unit__building", "slot")
    batch_rows = service.batches(actor).select_related("building", "project")[:50]
    return render(request, "moveins/list.html", {
        "page": paginate(request, rows), "filters": filters, "batches": batch_rows,
        "statuses": MoveInStatus.choices, "may_manage": actor.may("moveins.manage")})


@staff_view("moveins.manage", reads=BATCHES)
def batch_new(request):
    actor = request.actor
    buildings = scoped(Building.objects.select_related("project"), actor).order_by("project_id", "number")
    values, errors = request.POST, {}
    if request.method == "POST":
        building = buildings.filter(pk=values.get("building")).first() if values.get("building", "").isdigit() \
            else None
        slots = []
        for starts, ends, capacity in zip(values.getlist("slot_starts"), values.getlist("slot_ends"),
                                          values.getlist("slot_capacity"), strict=False):
            if starts or ends:
                slots.append({"starts": starts, "ends": ends,
                              "capacity": int(capacity) if capacity.isdigit() and len(capacity) < 5 else -1})
        try:
            batch = service.create_batch(actor, building=building, name=values.get("name"),
                                         first_day=values.get("first_day"), last_day=values.get("last_day"),
                                         place=values.get("place"), fees_note=values.get("fees_note", ""),
                                         slots=slots)
        except DomainError as error:
            errors = _errors(error)
        else:
            messages.success(request, _("Batch drafted."))
            return redirect(batch.get_absolute_url())
    return render(request, "moveins/batch_new.html", {
        "buildings": buildings, "values": values, "errors": errors,
        "earliest": service.earliest_first_day(timezone.now()), "notice_days": settings.WUYE_MOVE_IN_NOTICE_DAYS},
        status=422 if errors else 200)


def _batch(request, pk: int):
    batch = service.batches(request.actor).select_related("building", "project").filter(pk=pk).first()
    if batch is None:
        raise Http404
    return batch


def _batch_page(request, batch, errors=None, status=200):
    rows = list(_rows(request.actor).filter(batch=batch))
    booked = {row.unit_id for row in rows if row.status != MoveInStatus.CANCELLED}
    units = Unit.objects.filter(building=batch.building).exclude(pk__in=booked).order_by("entrance", "number")
    return render(request, "moveins/batch.html", {
        "batch": batch, "rows": rows, "slots": service.slots_with_places(batch), "free_units": units,
        "may_manage": request.actor.may("moveins.manage"), "may_desk": request.actor.may("moveins.desk"),
        "earliest": service.earliest_first_day(timezone.now()), "events": list(timeline(batch)),
        "errors": errors or {}}, status=status)


@staff_view(reads=BATCHES)
def batch_detail(request, pk: int):
    return _batch_page(request, _batch(request, pk))


@require_POST
@staff_view(reads=BATCHES)
def batch_action(request, pk: int, action: str):
    actor, batch = request.actor, _batch(request, pk)
    try:
        if action == "notify":
            service.notify_batch(actor, batch)
        elif action == "open":
            service.open_batch(actor, batch)
        elif action == "close":
            service.close_batch(actor, batch)
        elif action == "register":
            unit = Unit.objects.filter(building=batch.building, pk=request.POST.get("unit") or 0).first() \
                if (request.POST.get("unit") or "").isdigit() else None
            slot = MoveInSlot.objects.filter(batch=batch, pk=request.POST.get("slot")).first() \
                if (request.POST.get("slot") or "").isdigit() else None
            move_in = service.book(actor, batch=batch, unit=unit, slot=slot)
            return redirect(move_in.get_absolute_url())
        else:
            raise Http404
    except DomainError as error:
        return _batch_page(request, _batch(request, pk), _errors(error), error.status)
    messages.success(request, _("Done."))
    return redirect(batch.get_absolute_url())


@staff_view(reads=BATCHES)
def notice_pdf(request, pk: int):
    batch = _batch(request, pk)
    return attachment(HttpResponse(service.notice_pdf(batch), content_type="application/pdf"),
                      service.notice_filename(batch), inline=True)


def _detail(request, move_in, errors=None, status=200):
    from wuye.billing.models import MeterKind

    inspection = getattr(move_in, "inspection", None) if move_in.inspected_at else None
    handover = getattr(move_in, "key_handover", None) if move_in.keys_handed_at else None
    return render(request, "moveins/detail.html", {
        "m": move_in, "actions": service.actions_for(request.actor, move_in), "fees": service.fees_of(move_in),
        "issues": service.issues_of(move_in), "inspection": inspection, "handover": handover,
        "lines": inspection.items.all() if inspection else [],
        "blank_lines": [(n, room, check) for n, (room, check) in enumerate((r, c) for r in ROOMS for c in CHECKS)],
        "meter_kinds": [(kind, MeterKind(kind).label) for kind in service.METER_KINDS],
        "agreements": list(service.AGREEMENTS.items()), "events": list(timeline(move_in)),
        "errors": errors or {}, "values": request.POST}, status=status)


@staff_view(reads=MOVE_INS)
def move_in_detail(request, pk: int):
    return _detail(request, get_scoped_or_404(_rows(request.actor), request.actor, pk=pk))


def _int(raw, default=None):
    raw = (raw or "").strip()
    return int(raw) if raw.isdigit() and len(raw) < 6 else default


def _checklist(request) -> tuple[list[dict], dict]:
    """The checklist lines filled in (a row without room and item is skipped) and their photos by line number."""
    post = request.POST
    items, photos = [], {}
    rooms, checks, notes = post.getlist("line_room"), post.getlist("line_item"), post.getlist("line_note")
    issues = set(post.getlist("line_issue"))
    for number, (room, item) in enumerate(zip(rooms[:service.ITEMS_MAX + 1], checks, strict=False)):
        if not (room or "").strip() and not (item or "").strip():
            continue
        note = notes[number] if number < len(notes) else ""
        uploads = request.FILES.getlist(f"line_photos_{number}")
        if uploads:
            photos[len(items)] = uploads
        items.append({"room": room, "item": item, "ok": str(number) not in issues, "note": note})
    return items, photos


@require_POST
@staff_view(reads=MOVE_INS)
def move_in_action(request, pk: int, action: str):
    actor = request.actor
    move_in = get_scoped_or_404(_rows(actor), actor, pk=pk)
    post = request.POST
    try:
        if action == "check_identity":
            service.check_identity(actor, move_in, contract_number=post.get("contract_number", ""),
                                   note=post.get("note", ""))
        elif action == "charge":
            service.charge(actor, move_in, months=_int(post.get("months"), -1))
        elif action == "settle_fees":
            service.settle_fees(actor, move_in, channel=post.get("channel", ""), reference=post.get("reference", ""),
                                payer_name=post.get("payer_name", ""))
        elif action == "inspect":
            items, photos = _checklist(request)
            readings = [{"kind": kind, "value": post.get(f"reading_{kind}")} for kind in service.METER_KINDS
                        if (post.get(f"reading_{kind}") or "").strip()]
            service.inspect(actor, move_in, items=items, readings=readings, owner_present=post.get("owner_present", ""),
                            note=post.get("note", ""), photos=photos)
        elif action == "hand_keys":
            cards = [card for card in (post.get("access_cards") or "").replace("，", ",").split(",") if card.strip()]
            service.hand_keys(actor, move_in, door_keys=_int(post.get("door_keys"), -1), access_cards=cards[:20],
                              mailbox_keys=_int(post.get("mailbox_keys"), 0), other=post.get("other", ""),
                              signature=post.get("signature", ""))
        elif action == "sign_agreements":
            service.sign_agreements(actor, move_in, agreements=post.getlist("agreements"))
        elif action == "return_visit":
            service.record_return_visit(actor, move_in, satisfaction=_int(post.get("satisfaction"), -1),
                                        needs=post.get("needs", ""))
        elif action == "cancel":
            service.cancel(actor, move_in, reason=post.get("reason", ""))
        else:
            raise Http404
    except DomainError as error:
        return _detail(request, _rows(actor).get(pk=pk), _errors(error), error.status)
    messages.success(request, _("Done."))
    return redirect(move_in.get_absolute_url())


@staff_view(reads=MOVE_INS)
def signature(request, pk: int):
    """The owner's signature of the key handover (PNG)."""
    move_in = get_scoped_or_404(_rows(request.actor), request.actor, pk=pk)
    handover = getattr(move_in, "key_handover", None) if move_in.keys_handed_at else None
    if handover is None:
        raise Http404
    with handover.signature.open("rb") as image:
        return HttpResponse(image.read(), content_type="image/png")


# -- owner portal ----------------------------------------------------------------------------------------------------
def _portal(request, errors=None, status=200):
    actor = request.actor
    mine = list(_rows(actor).exclude(status=MoveInStatus.CANCELLED))
    booked_batches = {m.batch_id for m in mine}
    owned = service.owned_unit_ids(actor)
    open_batches = []
    for batch in service.batches(actor).filter(status=BatchStatus.OPEN).select_related("building"):
        units = [u for u in Unit.objects.filter(building=batch.building, pk__in=owned).order_by("number")
                 if not any(m.unit_id == u.pk and m.batch_id == batch.pk for m in mine)]
        if units:
            open_batches.append({"batch": batch, "units": units, "slots": service.slots_with_places(batch)})
    notified = [b for b in service.batches(actor).select_related("building") if b.pk not in booked_batches]
    return render(request, "moveins/h5_list.html", {
        "mine": mine, "open_batches": open_batches, "notified": notified, "issues": service.issues_of(mine),
        "errors": errors or {}}, status=status)


@owner_view
def h5_list(request):
    return _portal(request)


@require_POST
@owner_view
def h5_book(request):
    actor = request.actor
    post = request.POST
    batch = service.batches(actor).filter(pk=post.get("batch") or 0).first() \
        if (post.get("batch") or "").isdigit() else None
    try:
        if batch is None:
            raise InvalidInput("batch", _("No such move-in batch."))
        unit = Unit.objects.filter(pk=post.get("unit") or 0).first() if (post.get("unit") or "").isdigit() else None
        slot = MoveInSlot.objects.filter(batch=batch, pk=post.get("slot") or 0).first() \
            if (post.get("slot") or "").isdigit() else None
        service.book(actor, batch=batch, unit=unit, slot=slot)
    except DomainError as error:
        return _portal(request, _errors(error), error.status)
    messages.success(request, _("Your move-in time is booked."))
    return redirect(reverse("moveins:h5_list"))


@owner_view
def h5_notice(request, pk: int):
    batch = service.batches(request.actor).filter(pk=pk).select_related("building", "project").first()
    if batch is None:
        raise Http404
    return attachment(HttpResponse(service.notice_pdf(batch), content_type="application/pdf"),
                      service.notice_filename(batch), inline=True)


urlpatterns = [
    path("console/community/moveins/", move_in_list, name="list"),
    path("console/community/moveins/batches/new/", batch_new, name="batch_new"),
    path("console/community/moveins/batches/<int:pk>/", batch_detail, name="batch"),
    path("console/community/moveins/batches/<int:pk>/notice.pdf", notice_pdf, name="notice_pdf"),
    path("console/community/moveins/batches/<int:pk>/actions/<str:action>/", batch_action, name="batch_action"),
    path("console/community/moveins/<int:pk>/", move_in_detail, name="detail"),
    path("console/community/moveins/<int:pk>/actions/<str:action>/", move_in_action, name="action"),
    path("console/community/moveins/<int:pk>/signature.png", signature, name="signature"),
    path("h5/move-in/", h5_list, name="h5_list"),
    path("h5/move-in/book/", h5_book, name="h5_book"),
    path("h5/move-in/batches/<int:pk>/notice.pdf", h5_notice, name="h5_notice"),
]
