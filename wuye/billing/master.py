"""Master data (基础资料) of fees: charge items, effective-dated tariffs, meters and their units, parking spaces and
monthly passes — created and changed here only, each change an event naming what changed.

* A tariff is never rewritten once it has billed (409): a price change is a new tariff from a later date, so a
  billed month keeps the price it was billed at and a rerun of it finds the same tariff.
* Deleting is deactivating (`is_active`) where bills, readings or passes refer to the row.
* Scope: callers pass records they looked up through `scoped` (a foreign id is a 404 or a 422 naming the field);
  these functions check the role (`billing.manage_master`) and that related records share the project.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from wuye.core.access import Actor, require
from wuye.core.errors import Conflict, Problems
from wuye.core.events import record_event
from wuye.core.validators import check_plausible_date, normalize_plate
from wuye.tenancy.models import Building, Project, Unit, UnitKind

from .models import (
    Basis,
    Bill,
    ChargeItem,
    ChargeKind,
    Meter,
    MeterKind,
    ParkingPass,
    ParkingSpace,
    ParkingSpaceKind,
    SharingMethod,
    Tariff,
)

PERMISSION = "billing.manage_master"
CODE_PATTERN = re.compile(r"^[-a-zA-Z0-9_]+$")
MAX_RATE = Decimal("999999.99")  # what Tariff.rate holds (10 digits, 4 decimals), kept to fen
FEN = Decimal("0.01")
# Kinds whose items read meters: they need the meter type; shared utilities also how the cost is divided.
METERED_KINDS = {ChargeKind.METERED, ChargeKind.SHARED_UTILITY}


# -- shared checks --------------------------------------------------------------------------------------------------
def _text(problems: Problems, field: str, value, *, max_length: int, required: bool = True) -> str:
    value = ("" if value is None else str(value)).strip()
    if required and not value:
        problems.add(field, _("This field is required."))
    elif len(value) > max_length:
        problems.add(field, _("At most %(count)s characters.") % {"count": max_length})
    return value


def _choice(problems: Problems, field: str, value, choices, *, required: bool = True) -> str:
    value = ("" if value is None else str(value)).strip()
    if not value and not required:
        return ""
    if value not in {choice for choice, _label in choices}:
        problems.add(field, _("Choose one of: %(choices)s.") % {"choices": ", ".join(str(c) for c, _l in choices)})
    return value


def _date(problems: Problems, field: str, value, *, required: bool = True) -> date | None:
    if value in (None, ""):
        if required:
            problems.add(field, _("This field is required."))
        return None
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value.strip())
        except ValueError:
            problems.add(field, _("Enter a date as YYYY-MM-DD."))
            return None
    try:
        return check_plausible_date(value)
    except ValueError as error:
        problems.add(field, error)
        return None


def parse_rate(value) -> Decimal:
    """A rate in yuan: ≥ 0, at most two decimals (fen), at most MAX_RATE; ValueError naming what is wrong."""
    try:
        rate = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValueError(_("Enter a number such as 2.35.")) from None
    if not rate.is_finite():
        raise ValueError(_("Enter a number such as 2.35."))
    if rate < 0:
        raise ValueError(_("A rate cannot be negative."))
    if rate != rate.quantize(FEN):
        raise ValueError(_("A rate is in yuan with at most two decimals (fen)."))
    if rate > MAX_RATE:
        raise ValueError(_("At most %(max)s.") % {"max": MAX_RATE})
    return rate.quantize(FEN)


def _same_project(problems: Problems, field: str, record, project: Project):
    if record is not None and record.project_id != project.pk:
        problems.add(field, _("No such %(thing)s in %(project)s.") % {"thing": record._meta.verbose_name,
                                                                       "project": project.name})
        return None
    return record


def _changes(record, values: dict) -> dict:
    """Set `values` on `record`; {field: [old, new]} of those that differ (as text, for the event)."""
    changed = {}
    for field, new in values.items():
        old = getattr(record, field)
        if old != new:
            setattr(record, field, new)
            changed[field.removesuffix("_id")] = [_shown(old), _shown(new)]
    return changed


def _shown(value):
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, Decimal):  # rates are kept to four places: 2.3500 reads as 2.35
        return str(value.quantize(FEN) if value == value.quantize(FEN) else value.normalize())
    return str(value)


# -- charge items ---------------------------------------------------------------------------------------------------
def _check_item(problems: Problems, kind: str, meter_kind: str, sharing: str) -> None:
    if kind in METERED_KINDS and not meter_kind:
        problems.add("meter_kind", _("A metered or shared-utility item needs the meter type it reads."))
    if kind == ChargeKind.SHARED_UTILITY and not sharing:
        problems.add("sharing", _("A shared utility needs the way its cost is divided."))
    if kind not in METERED_KINDS and meter_kind:
        problems.add("meter_kind", _("Only metered and shared-utility items read meters."))
    if kind != ChargeKind.SHARED_UTILITY and sharing:
        problems.add("sharing", _("Only shared utilities are divided among units."))


def create_charge_item(actor: Actor, project: Project, *, code, name, kind, meter_kind="", sharing="") -> ChargeItem:
    """A new charge item of `project` (code unique in the project → else 422 naming `code`); records
    `billing.charge_item_created`."""
    require(actor, PERMISSION)
    problems = Problems()
    code = _text(problems, "code", code, max_length=40)
    if code and not CODE_PATTERN.match(code):
        problems.add("code", _("Use letters, digits, - and _ only (e.g. property-fee)."))
    name = _text(problems, "name", name, max_length=100)
    kind = _choice(problems, "kind", kind, ChargeKind.choices)
    meter_kind = _choice(problems, "meter_kind", meter_kind, MeterKind.choices, required=False)
    sharing = _choice(problems, "sharing", sharing, SharingMethod.choices, required=False)
    _check_item(problems, kind, meter_kind, sharing)
    if code and ChargeItem.objects.filter(project=project, code=code).exists():
        problems.add("code", _("This project already has a charge item %(code)s.") % {"code": code})
    problems.raise_if_any()
    with transaction.atomic():
        item = ChargeItem.objects.create(project=project, code=code, name=name, kind=kind, meter_kind=meter_kind,
                                         sharing=sharing)
        record_event(item, "billing.charge_item_created", actor=actor.user, project_id=project.pk,
                     data={"code": code, "name": name, "kind": kind})
    return item


def update_charge_item(actor: Actor, item: ChargeItem, *, name=None, is_active=None) -> ChargeItem:
    """Rename or (de)activate a charge item (deleting is deactivating: bills refer to it); records
    `billing.charge_item_changed` with what changed, nothing when nothing did."""
    require(actor, PERMISSION)
    problems = Problems()
    values = {}
    if name is not None:
        values["name"] = _text(problems, "name", name, max_length=100)
    if is_active is not None:
        values["is_active"] = bool(is_active)
    problems.raise_if_any()
    with transaction.atomic():
        item = ChargeItem.objects.select_for_update().get(pk=item.pk)
        if changed := _changes(item, values):
            item.save(update_fields=list(values))
            record_event(item, "billing.charge_item_changed", actor=actor.user, project_id=item.project_id,
                         data={"code": item.code, "changed": changed})
    return item


def install_default_charge_items(project: Project) -> list[ChargeItem]:
    """The charge items a new project starts with (no prices: each company sets its own tariffs): property fee per
    m², parking pass, water, electricity, shared utilities, paid service, decoration deposit. Idempotent: an item
    whose code exists is left as the project keeps it."""
    from .charges import PAID_SERVICE_CODE, PAID_SERVICE_NAME

    # Stored names are the project's own words (Chinese), like the price list's — not UI text.
    defaults = (
        ("property-fee", "物业服务费", ChargeKind.PROPERTY_FEE, "", ""),
        ("parking-pass", "机动车月卡", ChargeKind.PARKING_PASS, "", ""),
        ("parking-temporary", "临时停车费", ChargeKind.PARKING_TEMPORARY, "", ""),
        ("water", "水费", ChargeKind.METERED, MeterKind.WATER, ""),
        ("electricity", "电费", ChargeKind.METERED, MeterKind.ELECTRICITY, ""),
        ("shared-electricity", "公共照明及电梯用电分摊", ChargeKind.SHARED_UTILITY, MeterKind.ELECTRICITY,
         SharingMethod.BY_AREA),
        ("shared-water", "公共用水分摊", ChargeKind.SHARED_UTILITY, MeterKind.WATER, SharingMethod.PER_HOUSEHOLD),
        (PAID_SERVICE_CODE, PAID_SERVICE_NAME, ChargeKind.PAID_SERVICE, "", ""),
        ("decoration-deposit", "装修保证金", ChargeKind.ONE_OFF, "", ""),
    )
    items = []
    with transaction.atomic():
        for code, name, kind, meter_kind, sharing in defaults:
            item, created = ChargeItem.objects.get_or_create(
                project=project, code=code,
                defaults={"name": name, "kind": kind, "meter_kind": meter_kind, "sharing": sharing})
            if created:
                record_event(item, "billing.charge_item_created", project_id=project.pk,
                             data={"code": code, "name": name, "kind": kind})
            items.append(item)
    return items


# -- tariffs --------------------------------------------------------------------------------------------------------
def _billed(item: ChargeItem, since: date, until: date | None = None):
    """Bills of `item` for periods (or, one-off bills, issued on days) from `since` on, before `until`."""
    periodic = Q(period__gte=since)
    once = Q(period__isnull=True, issued_at__date__gte=since)
    if until is not None:
        periodic &= Q(period__lt=until)
        once &= Q(issued_at__date__lt=until)
    return Bill.objects.filter(item=item).filter(periodic | once)


def next_tariff(tariff: Tariff) -> Tariff | None:
    return (Tariff.objects.filter(item_id=tariff.item_id, unit_kind=tariff.unit_kind,
                                  effective_from__gt=tariff.effective_from).order_by("effective_from").first())


def tariff_has_billed(tariff: Tariff) -> bool:
    """Whether any bill of the item falls in the tariff's time (from its date to the next tariff of the same unit
    type): such a tariff is history and is never edited."""
    following = next_tariff(tariff)
    return _billed(tariff.item, tariff.effective_from, following.effective_from if following else None).exists()


def _check_tariff_date(problems: Problems, item: ChargeItem, unit_kind: str, effective_from: date | None,
                       exclude: int | None = None) -> None:
    if effective_from is None:
        return
    same_day = Tariff.objects.filter(item=item, unit_kind=unit_kind, effective_from=effective_from)
    if exclude:
        same_day = same_day.exclude(pk=exclude)
    if same_day.exists():
        problems.add("effective_from", _("This item already has a tariff from %(date)s for this unit type; add the "
                                         "change from a later date.") % {"date": effective_from})
    if _billed(item, effective_from).exists():
        problems.add("effective_from", _(
            "Bills of this item from %(date)s on exist already at the price then in force; a new price can only "
            "start after the last billed month.") % {"date": effective_from})


def add_tariff(actor: Actor, item: ChargeItem, *, basis, rate, effective_from, unit_kind="") -> Tariff:
    """A new price of `item` from `effective_from` on (a price change is always a new row; billed months keep
    theirs). 422 naming `rate` (≥ 0, fen), `effective_from` (in the date window, not a date already billed or
    already priced), `basis` or `unit_kind`; records `billing.tariff_added`."""
    require(actor, PERMISSION)
    problems = Problems()
    basis = _choice(problems, "basis", basis, Basis.choices)
    rate = problems.check("rate", parse_rate, rate)
    unit_kind = _choice(problems, "unit_kind", unit_kind, UnitKind.choices, required=False)
    effective_from = _date(problems, "effective_from", effective_from)
    with transaction.atomic():
        # One price change at a time per item: the check against billed months holds until the row is in.
        item = ChargeItem.objects.select_for_update().get(pk=item.pk)
        _check_tariff_date(problems, item, unit_kind, effective_from)
        problems.raise_if_any()
        tariff = Tariff.objects.create(item=item, basis=basis, rate=rate, effective_from=effective_from,
                                       unit_kind=unit_kind)
        record_event(item, "billing.tariff_added", actor=actor.user, project_id=item.project_id,
                     data={"code": item.code, "rate": str(rate), "basis": basis, "unit_kind": unit_kind,
                           "effective_from": str(effective_from)})
    return tariff


def update_tariff(actor: Actor, tariff: Tariff, *, rate=None, basis=None, effective_from=None) -> Tariff:
    """Correct a tariff that has not billed yet (a typo in a price announced for next month). Once a bill falls in
    its time it is history: 409 — add a new tariff from a later date instead."""
    require(actor, PERMISSION)
    problems = Problems()
    values = {}
    if rate is not None:
        values["rate"] = problems.check("rate", parse_rate, rate)
    if basis is not None:
        values["basis"] = _choice(problems, "basis", basis, Basis.choices)
    if effective_from is not None:
        values["effective_from"] = _date(problems, "effective_from", effective_from)
    with transaction.atomic():
        item = ChargeItem.objects.select_for_update().get(pk=tariff.item_id)
        tariff = Tariff.objects.select_for_update().get(pk=tariff.pk)
        if tariff_has_billed(tariff):
            raise Conflict(_("This tariff has billed already and stays as it is; add a new tariff from the date the "
                             "new price starts."))
        if values.get("effective_from"):
            _check_tariff_date(problems, item, tariff.unit_kind, values["effective_from"], exclude=tariff.pk)
        problems.raise_if_any()
        if changed := _changes(tariff, values):
            tariff.save(update_fields=list(values))
            record_event(item, "billing.tariff_changed", actor=actor.user, project_id=item.project_id,
                         data={"code": item.code, "tariff": tariff.pk, "changed": changed})
    return tariff


# -- meters ---------------------------------------------------------------------------------------------------------
def create_meter(actor: Actor, project: Project, *, code, kind, unit: Unit | None = None,
                 building: Building | None = None, label="") -> Meter:
    """A unit's own meter (`unit`) or a public one (no unit; `building`, or none for the whole estate). 422 naming
    `unit_id`/`building_id` for a record of another project, `code` when the number is taken."""
    require(actor, PERMISSION)
    problems = Problems()
    code = _text(problems, "code", code, max_length=40)
    kind = _choice(problems, "kind", kind, MeterKind.choices)
    label = _text(problems, "label", label, max_length=100, required=False)
    unit = _same_project(problems, "unit_id", unit, project)
    building = _same_project(problems, "building_id", building, project)
    if unit is not None and building is not None and building.pk != unit.building_id:
        problems.add("building_id", _("A unit's meter belongs to the unit's building; leave the building empty."))
    if code and Meter.objects.filter(project=project, code=code).exists():
        problems.add("code", _("This project already has a meter %(code)s.") % {"code": code})
    problems.raise_if_any()
    with transaction.atomic():
        meter = Meter.objects.create(project=project, code=code, kind=kind, unit=unit,
                                     building=None if unit else building, label=label)
        record_event(meter, "billing.meter_created", actor=actor.user, project_id=project.pk,
                     data={"code": code, "kind": kind, "unit": str(unit) if unit else "",
                           "building": str(building) if building and not unit else ""})
    return meter


def update_meter(actor: Actor, meter: Meter, *, label=None, is_active=None) -> Meter:
    """Rename or (de)activate a meter (a replaced meter is deactivated and the new one gets its own number: the
    readings stay with the meter they were read from)."""
    require(actor, PERMISSION)
    problems = Problems()
    values = {}
    if label is not None:
        values["label"] = _text(problems, "label", label, max_length=100, required=False)
    if is_active is not None:
        values["is_active"] = bool(is_active)
    problems.raise_if_any()
    with transaction.atomic():
        meter = Meter.objects.select_for_update().get(pk=meter.pk)
        if changed := _changes(meter, values):
            meter.save(update_fields=list(values))
            record_event(meter, "billing.meter_changed", actor=actor.user, project_id=meter.project_id,
                         data={"code": meter.code, "changed": changed})
    return meter


# -- parking spaces and passes --------------------------------------------------------------------------------------
def _check_space(problems: Problems, kind: str, unit) -> None:
    if kind == ParkingSpaceKind.TEMPORARY and unit is not None:
        problems.add("unit_id", _("A temporary space belongs to no unit."))


def create_parking_space(actor: Actor, project: Project, *, code, kind, zone="", unit: Unit | None = None,
                         vehicle=None) -> ParkingSpace:
    """A parking space of `project` (number unique in the project → else 422 naming `code`); the owning or renting
    unit and the usual vehicle must be of the project (422 naming `unit_id` / `vehicle_id`)."""
    require(actor, PERMISSION)
    problems = Problems()
    code = _text(problems, "code", code, max_length=20)
    zone = _text(problems, "zone", zone, max_length=40, required=False)
    kind = _choice(problems, "kind", kind, ParkingSpaceKind.choices)
    unit = _same_project(problems, "unit_id", unit, project)
    vehicle = _same_project(problems, "vehicle_id", vehicle, project)
    _check_space(problems, kind, unit)
    if code and ParkingSpace.objects.filter(project=project, code=code).exists():
        problems.add("code", _("This project already has a parking space %(code)s.") % {"code": code})
    problems.raise_if_any()
    with transaction.atomic():
        space = ParkingSpace.objects.create(project=project, code=code, zone=zone, kind=kind, unit=unit,
                                            vehicle=vehicle)
        record_event(space, "billing.parking_space_created", actor=actor.user, project_id=project.pk,
                     data={"code": code, "zone": zone, "kind": kind, "unit": str(unit) if unit else ""})
    return space


UNSET = object()


def update_parking_space(actor: Actor, space: ParkingSpace, *, zone=None, kind=None, unit=UNSET, vehicle=UNSET,
                         is_active=None) -> ParkingSpace:
    """Change a space's zone, kind, unit or vehicle, or (de)activate it (passes refer to it, so it is never
    deleted); records `billing.parking_space_changed` with what changed."""
    require(actor, PERMISSION)
    problems = Problems()
    project = space.project
    values = {}
    if zone is not None:
        values["zone"] = _text(problems, "zone", zone, max_length=40, required=False)
    if kind is not None:
        values["kind"] = _choice(problems, "kind", kind, ParkingSpaceKind.choices)
    if unit is not UNSET:
        values["unit_id"] = getattr(_same_project(problems, "unit_id", unit, project), "pk", None)
    if vehicle is not UNSET:
        values["vehicle_id"] = getattr(_same_project(problems, "vehicle_id", vehicle, project), "pk", None)
    if is_active is not None:
        values["is_active"] = bool(is_active)
    _check_space(problems, values.get("kind", space.kind), values.get("unit_id", space.unit_id))
    problems.raise_if_any()
    with transaction.atomic():
        space = ParkingSpace.objects.select_for_update().get(pk=space.pk)
        before = {"unit": space.unit, "vehicle": space.vehicle}
        if changed := _changes(space, values):
            space.save(update_fields=list(values))
            # The event names the unit and vehicle as staff know them, not by id.
            for field in ("unit", "vehicle") & changed.keys():
                after = getattr(space, field)
                changed[field] = [str(before[field]) if before[field] else "", str(after) if after else ""]
            record_event(space, "billing.parking_space_changed", actor=actor.user, project_id=space.project_id,
                         data={"code": space.code, "changed": changed})
    return space


def _last_billed_period(parking_pass: ParkingPass) -> date | None:
    from django.contrib.contenttypes.models import ContentType

    return (Bill.objects.filter(source_type=ContentType.objects.get_for_model(ParkingPass), source_id=parking_pass.pk)
            .order_by("-period").values_list("period", flat=True).first())


def create_parking_pass(actor: Actor, project: Project, *, unit: Unit, item: ChargeItem, plate, starts_on,
                        ends_on=None, space: ParkingSpace | None = None) -> ParkingPass:
    """A monthly pass (月卡) of `unit` under a parking-pass item, billed by the runs from `starts_on` (pro-rated by
    days). 422 naming `unit_id`, `item_id`, `space_id` (another project, inactive), `plate`, `starts_on`/`ends_on`."""
    require(actor, PERMISSION)
    problems = Problems()
    unit = _same_project(problems, "unit_id", unit, project)
    item = _same_project(problems, "item_id", item, project)
    if item is not None and (item.kind != ChargeKind.PARKING_PASS or not item.is_active):
        problems.add("item_id", _("Choose an active parking-pass charge item."))
    space = _same_project(problems, "space_id", space, project)
    if space is not None and not space.is_active:
        problems.add("space_id", _("This parking space is no longer in use."))
    plate = problems.check("plate", normalize_plate, plate or "")
    starts_on = _date(problems, "starts_on", starts_on)
    ends_on = _date(problems, "ends_on", ends_on, required=False)
    if starts_on and ends_on and ends_on < starts_on:
        problems.add("ends_on", _("The pass cannot end before it starts."))
    problems.raise_if_any()
    with transaction.atomic():
        parking_pass = ParkingPass.objects.create(
            project=project, unit=unit, item=item, plate=plate, starts_on=starts_on, ends_on=ends_on,
            parking_space=space, space=space.code if space else "")
        record_event(parking_pass, "billing.parking_pass_created", actor=actor.user, project_id=project.pk,
                     data={"unit": str(unit), "plate": plate, "space": parking_pass.space,
                           "starts_on": str(starts_on), "ends_on": str(ends_on or "")})
    return parking_pass


def update_parking_pass(actor: Actor, parking_pass: ParkingPass, *, ends_on=UNSET, plate=None) -> ParkingPass:
    """End a pass (or move its end), or change its plate. A pass is not ended before a month it was billed for
    (422 naming `ends_on`: the bill stays as billed, so the register would disagree with it)."""
    require(actor, PERMISSION)
    problems = Problems()
    values = {}
    if plate is not None:
        values["plate"] = problems.check("plate", normalize_plate, plate)
    if ends_on is not UNSET:
        values["ends_on"] = _date(problems, "ends_on", ends_on, required=False)
    with transaction.atomic():
        parking_pass = ParkingPass.objects.select_for_update().get(pk=parking_pass.pk)
        new_end = values.get("ends_on")
        if new_end is not None:
            if new_end < parking_pass.starts_on:
                problems.add("ends_on", _("The pass cannot end before it starts."))
            last = _last_billed_period(parking_pass)
            if last is not None and new_end < last:
                problems.add("ends_on", _("The pass is billed for %(month)s already; it can end on %(day)s at the "
                                          "earliest.") % {"month": f"{last:%Y-%m}", "day": last})
        problems.raise_if_any()
        if changed := _changes(parking_pass, values):
            parking_pass.save(update_fields=list(values))
            record_event(parking_pass, "billing.parking_pass_changed", actor=actor.user,
                         project_id=parking_pass.project_id, data={"plate": parking_pass.plate, "changed": changed})
    return parking_pass
