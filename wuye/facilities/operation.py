"""Operation logs (运行记录): readings per item on its schedule; out-of-range readings open a fault.

Duty staff read an item's points (电压, 电流, 油温…) every `category.reading_interval_minutes`; each value is checked
against the item's limits (`register.limits_for`: the item's own points win over its category's). A value outside
them is an anomaly: the reading keeps the codes in `anomalies` and `faults.raise_from_reading` opens a fault that
must be reported within 10 minutes (the `fault.report` clock) — one fault per item while it is open, later bad
readings attach to it."""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext

from wuye.core.access import Actor, require
from wuye.core.errors import Conflict, NotAllowed, Problems
from wuye.core.events import record_event
from wuye.core.sentences import register_sentences

from .models import Equipment, EquipmentStatus, OperationReading

NOTE_MAX = 300
MAX_POINTS = 40
# No meter on a duty round reads beyond this (kV, rpm, MPa, °C all fit): larger is a typing slip.
VALUE_LIMIT = Decimal("1000000")
FUTURE_SLACK = timedelta(minutes=5)
OLDEST = timedelta(days=7)


def parse_value(value) -> Decimal:
    """A reading as a Decimal (3 places), or ValueError (its message for people) for text, booleans, NaN,
    infinity and absurd magnitudes (VALUE_LIMIT). Operation logs and maintenance tasks read numbers alike."""
    if isinstance(value, bool) or value is None:
        raise ValueError(gettext("Enter a number."))
    if isinstance(value, str):
        value = value.strip()
        if not value or len(value) > 20:
            raise ValueError(gettext("Enter a number."))
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(gettext("Enter a number."))
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        raise ValueError(gettext("Enter a number.")) from None
    if not number.is_finite():
        raise ValueError(gettext("Enter a number."))
    if abs(number) >= VALUE_LIMIT:
        raise ValueError(gettext("This value is out of any meter's range; check it."))
    return number.quantize(Decimal("0.001")).normalize()


def _stored(number: Decimal):
    """JSON keeps numbers: an int when whole, else a float of at most 3 places."""
    return int(number) if number == number.to_integral_value() else float(number)


def plain(number) -> str:
    """A reading as people write it: 432, 0.85 (no trailing zeros, no exponent)."""
    if number is None:
        return ""
    value = Decimal(str(number)).normalize()
    return format(value, "f") if value != value.to_integral_value() else str(int(value))


def out_of_range(point, value: Decimal) -> bool:
    return (point.low is not None and value < point.low) or (point.high is not None and value > point.high)


def describe(point, value) -> dict:
    """One anomaly as the sentence and the pages show it: label, value, unit and its normal range."""
    return {"code": point.code, "label": point.label, "value": plain(value), "unit": point.unit,
            "low": plain(point.low) if point.low is not None else "",
            "high": plain(point.high) if point.high is not None else ""}


def check_moment(at: datetime | None, now: datetime, problems: Problems, field: str = "at") -> datetime:
    """`at` (default now), refused in the future beyond FUTURE_SLACK or older than OLDEST."""
    if at is None:
        return now
    if timezone.is_naive(at):
        at = timezone.make_aware(at)
    if at > now + FUTURE_SLACK:
        problems.add(field, gettext("This time is in the future."))
    elif at < now - OLDEST:
        problems.add(field, gettext("Readings older than %(days)s days cannot be entered.") % {"days": OLDEST.days})
    return at


@transaction.atomic
def record_reading(actor: Actor, equipment: Equipment, *, values, note: str = "",
                   at: datetime | None = None, now: datetime | None = None) -> OperationReading:
    """Record one duty round's readings of `equipment` ({point code: number}). Unknown codes, non-numbers and
    absurd values are refused naming `values.<code>`; codes outside their limits are kept in `anomalies` and open
    (or join) the item's fault from readings, with its reporting clock (the `fault.report` policy)."""
    from . import faults, register

    require(actor, "facilities.log_readings")
    if not actor.sees_project(equipment.project_id):
        raise NotAllowed(gettext("This item is not in your projects."))
    now = now or timezone.now()
    problems = Problems()
    at = check_moment(at, now, problems)
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        problems.add("note", gettext("At most %(count)s characters.") % {"count": NOTE_MAX})
    limits = register.limits_for(equipment)
    clean: dict[str, Decimal] = {}
    if not isinstance(values, dict) or not values:
        problems.add("values", gettext("Enter at least one reading."))
    elif len(values) > MAX_POINTS:
        problems.add("values", gettext("At most %(count)s readings at once.") % {"count": MAX_POINTS})
    else:
        for code, raw in values.items():
            field = f"values.{str(code)[:30]}"
            if code not in limits:
                problems.add(field, gettext("This item has no such reading."))
                continue
            number = problems.check(field, parse_value, raw)
            if number is not None:
                clean[code] = number
    problems.raise_if_any()
    # One round at a time per item: two bad readings at once must not open two faults.
    equipment = Equipment.objects.select_for_update().select_related("project", "category").get(pk=equipment.pk)
    if equipment.status == EquipmentStatus.SCRAPPED:
        raise Conflict(gettext("This item is scrapped: no readings are logged for it."))
    anomalies = [code for code, number in clean.items() if out_of_range(limits[code], number)]
    reading = OperationReading.objects.create(
        project=equipment.project, equipment=equipment, recorded_at=at, recorded_by=actor.user,
        values={code: _stored(number) for code, number in clean.items()}, anomalies=anomalies, note=note)
    if anomalies:
        items = [describe(limits[code], clean[code]) for code in anomalies]
        reading.fault = faults.raise_from_reading(reading, at=at)
        reading.save(update_fields=["fault"])
        record_event(equipment, "facilities.reading.anomaly", actor=actor.user, data={"items": items})
    return reading


def readings_due(project, now: datetime | None = None) -> list[Equipment]:
    """Items of `project` (in service or faulty) whose category has a reading interval and whose last reading is
    older than it (or that were never read), most overdue first; each carries `last_reading_at` and
    `reading_due_at`."""
    now = now or timezone.now()
    items = (Equipment.objects.filter(project=project, category__reading_interval_minutes__gt=0,
                                      status__in=[EquipmentStatus.IN_SERVICE, EquipmentStatus.FAULTY])
             .select_related("category", "building").annotate(last_reading_at=Max("readings__recorded_at")))
    due = []
    for item in items:
        interval = timedelta(minutes=item.category.reading_interval_minutes)
        item.reading_due_at = item.last_reading_at + interval if item.last_reading_at else None
        if item.reading_due_at is None or item.reading_due_at <= now:
            due.append(item)
    epoch = datetime.min.replace(tzinfo=timezone.get_current_timezone())
    return sorted(due, key=lambda item: (item.reading_due_at or epoch, item.code))


def recent_anomalies(queryset, limit: int = 20):
    """The latest readings with values out of range (for the duty page)."""
    return (queryset.exclude(anomalies=[]).select_related("equipment", "recorded_by", "fault")
            .order_by("-recorded_at", "-id")[:limit])


def reading_rows(reading: OperationReading, limits: dict | None = None) -> list[dict]:
    """A reading's values as rows a person reads: label, value with unit, normal range, out of range or not."""
    from . import register

    limits = limits if limits is not None else register.limits_for(reading.equipment)
    rows = []
    for code, value in reading.values.items():
        point = limits.get(code)
        rows.append({
            "label": point.label if point else gettext("Reading no longer defined"),
            "value": plain(value), "unit": point.unit if point else "",
            "low": plain(point.low) if point and point.low is not None else "",
            "high": plain(point.high) if point and point.high is not None else "",
            "anomaly": code in reading.anomalies})
    return rows


def normal_range(item: dict) -> str:
    unit = item.get("unit") or ""
    low, high = item.get("low") or "", item.get("high") or ""
    if low and high:
        return f"{low}–{high} {unit}".strip()
    if low:
        return f"≥ {low} {unit}".strip()
    if high:
        return f"≤ {high} {unit}".strip()
    return "—"


def anomaly_text(items) -> str:
    """"电压 432 V（正常 360–420 V）；电流 …" — the readings out of range with their limits."""
    parts = [gettext("%(label)s %(value)s %(unit)s (normal %(range)s)") % {
        "label": item.get("label", ""), "value": item.get("value", ""), "unit": item.get("unit", ""),
        "range": normal_range(item)} for item in items or ()]
    return gettext("; ").join(" ".join(part.split()) for part in parts)


def _anomaly_sentence(event, fields) -> str:
    return gettext("Out of range on the operation log: %(readings)s") % {
        "readings": anomaly_text(fields.raw.get("items"))}


register_sentences({
    "facilities.reading.anomaly": (_anomaly_sentence, {"example": {"items": [
        {"code": "voltage", "label": "电压", "value": "432", "unit": "V", "low": "360", "high": "420"}]}}),
})
