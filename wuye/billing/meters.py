"""Meter readings (抄表): entry one by one in the console or the API, Excel import with a row-by-row error report,
anomaly checks, the meter reader's template, and consumption for the billers of metered and shared utilities.

Readings of a meter are entered in date order; each one's consumption is against the meter's previous reading.
A value lower than the last is refused: meter replacement and rollover are out of scope (a replaced meter is a
new `Meter` with its own code). A reading beyond the bounds of its meter type (`meter_limits`: the largest value the
register shows, the most a unit's or a public meter can use a day) is refused. Anomalies — consumption far above
the meter's own history, or none at all on a unit's meter — are saved on the reading and *held*: billing leaves
the reading out until a person with `billing.review_readings` confirms it or corrects its value.

The import file's columns are named in Chinese whatever the UI language (it is a file format the meter readers
fill in): 表号, 抄表日期, 读数 and an optional 备注; other columns (the template's hints) are ignored.
"""

from __future__ import annotations

import io
import itertools
import re
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, DecimalField, OuterRef, Subquery, Sum, Value, Window
from django.db.models.functions import Coalesce, RowNumber
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from wuye.core import workbooks
from wuye.core.access import Actor, require, scoped
from wuye.core.errors import Conflict, FieldProblem, InvalidInput
from wuye.core.events import compose_event, record_event, record_events

from .models import HELD, Meter, MeterKind, MeterReading, Review

TWO_PLACES = Decimal("0.01")
MAX_VALUE = Decimal("999999999999.99")  # what the column holds (14 digits, 2 decimals)
MAX_NOTE = 200
# Spike rule: consumption more than SPIKE_FACTOR × the usual for the interval's length, where the usual is the
# median daily consumption of the meter's last HISTORY_INTERVALS intervals; judged only with MIN_INTERVALS of them.
SPIKE_FACTOR = 3
HISTORY_INTERVALS = 6
MIN_INTERVALS = 3

# The import file's columns (a file format, so not translated).
COL_CODE, COL_DATE, COL_VALUE, COL_NOTE = "表号", "抄表日期", "读数", "备注"
REQUIRED_COLUMNS = (COL_CODE, COL_DATE, COL_VALUE)
MAX_ROWS = 20_000
MAX_FILE_BYTES = 10 * 1024 * 1024
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SOURCE_IMPORT = "import"

# Bounds of a plausible reading per meter type; settings.WUYE_METER_LIMITS overrides any of them (a dict of the
# same shape, partial entries allowed). max_value: the largest number the register shows (8 digits and 2
# decimals). unit_daily / public_daily: the most a unit's / a public meter can use a day on average since the
# previous reading (so 30 days allow 30× that). Far above anything real, so a reading beyond them is a typo or a
# misread register — refused, unlike a spike, which is held for a person to judge.
DEFAULT_METER_LIMITS = {
    MeterKind.WATER: {"max_value": "99999999.99", "unit_daily": "10", "public_daily": "2000"},  # m³
    MeterKind.ELECTRICITY: {"max_value": "99999999.99", "unit_daily": "1000", "public_daily": "50000"},  # kWh
    MeterKind.GAS: {"max_value": "99999999.99", "unit_daily": "50", "public_daily": "5000"},  # m³
    "default": {"max_value": "99999999.99", "unit_daily": "1000", "public_daily": "50000"},  # a type added later
}
# The Excel import is bounded before any parsing (settings.WUYE_METER_IMPORT_LIMITS overrides): the unpacked
# size of the whole workbook (what the zip members declare; zipfile never inflates beyond it), the rows of the
# sheet read and the shared strings — openpyxl holds every shared string in memory, so a 2 MB file of repeated
# text would otherwise unpack to a gigabyte.
DEFAULT_IMPORT_LIMITS = {"max_unpacked_bytes": 50 * 1024 * 1024, "max_rows": MAX_ROWS,
                         "max_shared_strings": 100_000}


@dataclass(frozen=True)
class MeterLimits:
    max_value: Decimal
    unit_daily: Decimal
    public_daily: Decimal

    def daily(self, meter: Meter) -> Decimal:
        return self.public_daily if meter.is_public else self.unit_daily


def meter_limits(kind: str) -> MeterLimits:
    """The bounds of a reading of a meter of type `kind`: the defaults above, overridden by WUYE_METER_LIMITS."""
    overrides = getattr(settings, "WUYE_METER_LIMITS", {}) or {}
    merged = {**DEFAULT_METER_LIMITS["default"], **DEFAULT_METER_LIMITS.get(kind, {}),
              **overrides.get("default", {}), **overrides.get(kind, {})}
    return MeterLimits(*(Decimal(str(merged[name])) for name in ("max_value", "unit_daily", "public_daily")))


def import_limits() -> dict:
    """The bounds of an import file: DEFAULT_IMPORT_LIMITS overridden by WUYE_METER_IMPORT_LIMITS."""
    return {**DEFAULT_IMPORT_LIMITS, **(getattr(settings, "WUYE_METER_IMPORT_LIMITS", {}) or {})}


class _Refused(Exception):
    """A reading the rules refuse: `field` is read_on, value, meter or note."""

    def __init__(self, field_name: str, message: str):
        super().__init__(message)
        self.field = field_name
        self.message = message


@dataclass(frozen=True)
class _Past:
    read_on: date
    value: Decimal


@dataclass(frozen=True)
class _Assessment:
    consumption: Decimal | None
    anomaly: str
    anomaly_note: str


# -- parsing ----------------------------------------------------------------------------------------------------
def parse_value(raw) -> Decimal:
    """A reading: a number ≥ 0 with at most two decimals (ValueError with the reason otherwise)."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        raise ValueError(_("Enter the meter reading."))
    if isinstance(raw, bool):
        raise ValueError(_("Enter a number, e.g. 1234.56."))
    try:
        value = Decimal(str(raw).strip().replace(",", "")) if not isinstance(raw, Decimal) else raw
    except InvalidOperation:
        raise ValueError(_("Enter a number, e.g. 1234.56.")) from None
    if not value.is_finite():
        raise ValueError(_("Enter a number, e.g. 1234.56."))
    if value < 0:
        raise ValueError(_("A reading cannot be negative."))
    if value != value.quantize(TWO_PLACES):
        raise ValueError(_("A reading has at most two decimals."))
    if value > MAX_VALUE:
        raise ValueError(_("The reading is too large."))
    return value.quantize(TWO_PLACES)


DATE_PATTERN = re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?")


def parse_date(raw) -> date:
    """A reading date from a cell or a field: a date, a datetime or text like 2026-11-30, 2026/11/30, 2026年11月30日."""
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        raise ValueError(_("Enter the date of the reading."))
    if isinstance(raw, str) and (match := DATE_PATTERN.fullmatch(raw.strip())):
        try:
            return date(*(int(part) for part in match.groups()))
        except ValueError:
            pass
    raise ValueError(_("Enter a date like 2026-11-30."))


def _fmt(number: Decimal) -> str:
    return number_format(number.quantize(TWO_PLACES), decimal_pos=2)


# -- the rules, shared by one reading and an import --------------------------------------------------------------
def _kind_name(meter: Meter) -> str:
    return str(dict(MeterKind.choices).get(meter.kind, meter.kind)).lower()


def _consumption_refusal(meter: Meter, consumption: Decimal, days: int) -> str | None:
    """Why `consumption` over `days` is beyond the bounds of the meter's type (None when within them)."""
    limits = meter_limits(meter.kind)
    daily = limits.daily(meter)
    most = daily * max(days, 1)
    if consumption <= most:
        return None
    whose = (_("a public %(kind)s meter") if meter.is_public else _("a unit's %(kind)s meter")) % {
        "kind": _kind_name(meter)}
    return _("%(consumption)s in %(days)s days is more than %(whose)s can use (at most %(daily)s a day, %(most)s "
             "over this interval); check the reading.") % {
        "consumption": _fmt(consumption), "days": days, "whose": whose, "daily": _fmt(daily), "most": _fmt(most)}


def _assess(meter: Meter, history: list[_Past], read_on: date, value: Decimal, today: date) -> _Assessment:
    """Check a new reading against the bounds of its meter type and the meter's earlier readings (`history`,
    oldest first, at least the last HISTORY_INTERVALS + 1), and work out its consumption and anomaly. The one
    validation of a reading, whether it is typed in, sent to the API, imported or corrected. Raises _Refused."""
    if read_on > today:
        raise _Refused("read_on", _("The reading date cannot be in the future."))
    limits = meter_limits(meter.kind)
    if value > limits.max_value:
        raise _Refused("value", _("%(value)s is more than a %(kind)s meter's register can show (at most "
                                  "%(max)s); check the reading.")
                       % {"value": _fmt(value), "kind": _kind_name(meter), "max": _fmt(limits.max_value)})
    if not history:
        return _Assessment(None, "", "")
    last = history[-1]
    if read_on <= last.read_on:
        raise _Refused("read_on", _("Readings are entered in date order: the last one is of %(date)s, so the "
                                    "date must be later.") % {"date": last.read_on.isoformat()})
    if value < last.value:
        raise _Refused("value", _("The reading %(value)s is lower than the last reading %(last)s of %(date)s "
                                  "(a replaced or rolled-over meter is not supported).")
                       % {"value": _fmt(value), "last": _fmt(last.value), "date": last.read_on.isoformat()})
    consumption = value - last.value
    days = (read_on - last.read_on).days
    if (refusal := _consumption_refusal(meter, consumption, days)) is not None:
        raise _Refused("value", refusal)
    intervals = [(later.value - earlier.value, (later.read_on - earlier.read_on).days)
                 for earlier, later in itertools.pairwise(history)][-HISTORY_INTERVALS:]
    if len(intervals) >= MIN_INTERVALS:
        daily = statistics.median(used / length for used, length in intervals)
        usual = daily * days
        if consumption > 0 and consumption > SPIKE_FACTOR * usual:
            note = _("%(consumption)s in %(days)s days; usual %(usual)s (median %(daily)s a day over the last "
                     "%(count)s intervals); flagged above %(factor)s× the usual.") % {
                "consumption": _fmt(consumption), "days": days, "usual": _fmt(usual),
                "daily": _fmt(daily), "count": len(intervals), "factor": SPIKE_FACTOR}
            return _Assessment(consumption, MeterReading.Anomaly.SPIKE, note[:200])
    if consumption == 0 and not meter.is_public:
        note = _("No consumption since the reading of %(date)s.") % {"date": last.read_on.isoformat()}
        return _Assessment(consumption, MeterReading.Anomaly.ZERO, note)
    return _Assessment(consumption, "", "")


def _recent_history(meter_ids, keep: int = HISTORY_INTERVALS + 1) -> dict[int, list[_Past]]:
    """The last `keep` readings of each meter, oldest first (one query)."""
    rows = (MeterReading.objects.filter(meter_id__in=meter_ids)
            .annotate(recency=Window(RowNumber(), partition_by="meter_id", order_by="-read_on"))
            .filter(recency__lte=keep).values_list("meter_id", "read_on", "value"))
    history = defaultdict(list)
    for meter_id, read_on, value in rows:
        history[meter_id].append(_Past(read_on, value))
    for readings in history.values():
        readings.sort(key=lambda past: past.read_on)
    return history


def _event_data(reading: MeterReading, note: str) -> dict:
    data = {"read_on": reading.read_on.isoformat(), "reading": str(reading.value),
            "consumption": None if reading.consumption is None else str(reading.consumption)}
    if reading.anomaly:
        data["anomaly"] = reading.anomaly_note
        data["held"] = reading.is_held
    if note:
        data["note"] = note  # MeterReading has no note column: the note lives on the event (the meter's timeline)
    return data


@transaction.atomic
def record_reading(actor: Actor, meter: Meter, read_on, value, *, source: str = "console",
                   note: str = "") -> MeterReading:
    """Record one reading of `meter`.

    Refused (InvalidInput, nothing written): an inactive meter ("meter"); a value below 0, with more than two
    decimals or lower than the meter's last reading ("value" — the message names the last reading and its date;
    meter replacement and rollover are out of scope); a value beyond the bounds of the meter type — more than its
    register shows, or more consumption a day than such a meter can use (`meter_limits`, "value"); a date in the
    future, or not after the last reading's date ("read_on" — readings are entered in order, one a day).

    Consumption is value − the previous value (None for a meter's first reading). Flagged and held for review
    (not billed until confirmed or corrected): "spike" when the consumption is more than 3× the meter's usual
    for this interval — the median daily consumption of its last 6 intervals × this interval's days, judged only
    once there are ≥ 3 earlier intervals (the note gives the figures); "zero" when a unit's meter used nothing.
    """
    require(actor, "billing.read_meters")
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise InvalidInput("note", _("At most %(count)s characters.") % {"count": MAX_NOTE})
    try:
        read_on = parse_date(read_on)
    except ValueError as error:
        raise InvalidInput("read_on", str(error)) from None
    try:
        value = parse_value(value)
    except ValueError as error:
        raise InvalidInput("value", str(error)) from None
    # The meter's row lock serialises two people reading the same meter at once (the check below sees the other's).
    meter = Meter.objects.select_for_update().get(pk=meter.pk)
    if not meter.is_active:
        raise InvalidInput("meter", _("This meter is no longer in use."))
    history = _recent_history([meter.pk])[meter.pk]
    try:
        assessment = _assess(meter, history, read_on, value, timezone.localdate())
    except _Refused as refusal:
        raise InvalidInput(refusal.field, refusal.message) from None
    try:
        with transaction.atomic():
            reading = MeterReading.objects.create(
                meter=meter, read_on=read_on, value=value, consumption=assessment.consumption,
                anomaly=assessment.anomaly, anomaly_note=assessment.anomaly_note,
                entered_by=actor.user if getattr(actor.user, "pk", None) else None, source=source)
    except IntegrityError:  # only where the row lock is a no-op (SQLite): someone read the meter that day meanwhile
        raise Conflict(_("This meter was read meanwhile; reload and check.")) from None
    record_event(meter, "billing.meter_read", actor=actor.user, data=_event_data(reading, note))
    return reading


# -- review of held readings ------------------------------------------------------------------------------------
def held_readings(actor: Actor, project=None):
    """The flagged readings waiting for review that `actor` may see (of `project`), oldest first."""
    readings = scoped(MeterReading.objects.filter(HELD), actor)
    if project is not None:
        readings = readings.filter(meter__project=project)
    return readings.select_related("meter__unit__building", "meter__building", "meter__project",
                                   "entered_by").order_by("read_on", "meter__code", "id")


def _lock_held(reading: MeterReading) -> tuple[Meter, MeterReading]:
    """The meter's row lock (the lock order of record_reading), then the reading; Conflict unless still held."""
    meter = Meter.objects.select_for_update().get(pk=reading.meter_id)
    reading = MeterReading.objects.select_for_update().get(pk=reading.pk)
    if not reading.is_held:
        raise Conflict(_("This reading is not waiting for review (it was confirmed or corrected meanwhile)."))
    reading.meter = meter
    return meter, reading


def _check_note(note: str) -> str:
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise InvalidInput("note", _("At most %(count)s characters.") % {"count": MAX_NOTE})
    return note


@transaction.atomic
def confirm_reading(actor: Actor, reading: MeterReading, *, note: str = "") -> MeterReading:
    """Confirm a held reading as read: from now on billing uses its consumption (a rerun of its month bills what
    the run skipped). Needs `billing.review_readings`; a reading not held is a Conflict."""
    require(actor, "billing.review_readings")
    note = _check_note(note)
    meter, reading = _lock_held(reading)
    reading.review, reading.reviewed_at = Review.CONFIRMED, timezone.now()
    reading.reviewed_by = actor.user if getattr(actor.user, "pk", None) else None
    reading.save(update_fields=["review", "reviewed_at", "reviewed_by"])
    data = {"read_on": reading.read_on.isoformat(), "reading": str(reading.value), "anomaly": reading.anomaly_note}
    if note:
        data["note"] = note
    record_event(meter, "billing.reading_confirmed", actor=actor.user, data=data)
    return reading


@transaction.atomic
def correct_reading(actor: Actor, reading: MeterReading, value, *, note: str = "") -> MeterReading:
    """Replace the value of a held reading (a misread register) and release it for billing.

    The new value is checked by the rules of `record_reading` against the readings before it (InvalidInput
    "value": lower than the previous reading, beyond the bounds of the meter type) and must not exceed the next
    reading, if any, whose consumption is then recomputed within the same bounds. Its consumption and anomaly
    flag are worked out again and kept for the record; the reading is no longer held — the reviewer entered it.
    The event keeps the old and the new value. Needs `billing.review_readings`.
    """
    require(actor, "billing.review_readings")
    note = _check_note(note)
    try:
        value = parse_value(value)
    except ValueError as error:
        raise InvalidInput("value", str(error)) from None
    meter, reading = _lock_held(reading)
    earlier = list(meter.readings.filter(read_on__lt=reading.read_on).order_by("-read_on")
                   .values_list("read_on", "value")[:HISTORY_INTERVALS + 1])
    history = [_Past(read_on, past_value) for read_on, past_value in reversed(earlier)]
    try:
        assessment = _assess(meter, history, reading.read_on, value, max(reading.read_on, timezone.localdate()))
    except _Refused as refusal:
        raise InvalidInput(refusal.field, refusal.message) from None
    following = meter.readings.filter(read_on__gt=reading.read_on).order_by("read_on").first()
    if following is not None:
        if value > following.value:
            raise InvalidInput("value", _("The corrected reading %(value)s is higher than the next reading %(next)s "
                                          "of %(date)s.") % {"value": _fmt(value), "next": _fmt(following.value),
                                                             "date": following.read_on.isoformat()})
        used = following.value - value
        refusal = _consumption_refusal(meter, used, (following.read_on - reading.read_on).days)
        if refusal is not None:
            raise InvalidInput("value", _("With this value, the next reading of %(date)s would show: %(refusal)s")
                               % {"date": following.read_on.isoformat(), "refusal": refusal})
        following.consumption = used
        following.save(update_fields=["consumption"])
    before = reading.value
    reading.value, reading.consumption = value, assessment.consumption
    reading.anomaly, reading.anomaly_note = assessment.anomaly, assessment.anomaly_note
    reading.review, reading.reviewed_at = Review.CORRECTED, timezone.now()
    reading.reviewed_by = actor.user if getattr(actor.user, "pk", None) else None
    reading.save(update_fields=["value", "consumption", "anomaly", "anomaly_note", "review", "reviewed_at",
                                "reviewed_by"])
    data = {"read_on": reading.read_on.isoformat(), "corrected_from": str(before), "reading": str(value),
            "consumption": None if reading.consumption is None else str(reading.consumption)}
    if note:
        data["note"] = note
    record_event(meter, "billing.reading_corrected", actor=actor.user, data=data)
    if meter.unit_id is None:  # a public meter: the month's shared cost built from it is computed again
        from .sharing import recompute_for_readings

        recompute_for_readings([reading] + ([following] if following is not None else []),
                               user=getattr(actor.user, "pk", None) and actor.user)
    return reading


def held_by_meter(meter_ids, start: date, end: date) -> dict[int, MeterReading]:
    """{meter id: its earliest held reading} among the readings with read_on in [start, end] (one query): the
    meters whose consumption in the window is not settled yet."""
    held = {}
    for reading in (MeterReading.objects.filter(HELD, meter_id__in=list(meter_ids), read_on__gte=start,
                                                read_on__lte=end).order_by("meter_id", "read_on")):
        held.setdefault(reading.meter_id, reading)
    return held


# -- Excel import ------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str


@dataclass(frozen=True)
class FlaggedRow:
    row: int
    code: str
    anomaly: str
    note: str


@dataclass
class ImportReport:
    """What an import did: the rows without errors were recorded (`created`); `errors` lists every row that was
    not, with its column and the reason."""

    rows: int = 0
    created: int = 0
    skipped: int = 0  # identical to a reading already recorded (re-uploading a file is harmless)
    unfilled: int = 0  # rows with neither date nor reading (the template's rows of meters not read)
    flagged: list[FlaggedRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def anomalies(self) -> int:
        return len(self.flagged)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def rows_with_errors(self) -> int:
        return len({error.row for error in self.errors})

    def problems(self) -> list[FieldProblem]:
        """The errors as fields of the standard error answer: "row 5: 读数"."""
        return [FieldProblem(f"row {error.row}: {error.column}", error.message) for error in self.errors]


def workbook_limits() -> workbooks.Limits:
    """This import's bounds for `core.workbooks` (one guard for every workbook upload): `import_limits()`, and
    never more rows than MAX_ROWS."""
    limits = import_limits()
    return workbooks.Limits(max_file_bytes=MAX_FILE_BYTES, max_unpacked_bytes=limits["max_unpacked_bytes"],
                            max_rows=min(MAX_ROWS, limits["max_rows"]),
                            max_shared_strings=limits["max_shared_strings"])


def _cell(row: tuple, columns: dict[str, int], name: str):
    position = columns.get(name)
    if position is None or position >= len(row):
        return None
    value = row[position]
    return value.strip() if isinstance(value, str) else value


def import_readings(actor: Actor, project, file) -> ImportReport:
    """Import the readings of an .xlsx file (columns 表号, 抄表日期, 读数, optional 备注) into `project`.

    Every row is checked with the rules of `record_reading` (bounds of the meter type included), rows of one
    meter in file order after its recorded readings; a row with neither date nor reading (a template row left
    empty) is passed over. The rows without errors are recorded; each row with an error is not, and the report
    lists it as (row number, column, message) — so are the later rows of a meter with a bad row, which would
    otherwise be judged against the wrong previous reading. A row identical to a recorded reading (meter, date and
    value) is skipped, so uploading the corrected file again records just the rows that were refused. A file that
    is not an .xlsx, lacks a header column or is beyond `import_limits()` (unpacked size, rows, shared strings —
    checked before it is parsed) is refused as a whole (InvalidInput "file"), nothing written.
    """
    require(actor, "billing.read_meters")
    columns, rows = workbooks.read_upload(file, REQUIRED_COLUMNS, workbook_limits())
    report = ImportReport(rows=len(rows))
    today = timezone.localdate()
    meters = {meter.code: meter for meter in Meter.objects.filter(project=project)}

    parsed = []  # (row number, meter, read_on, value, note) of the rows whose cells are each valid
    first_bad_row = {}  # meter code → its first refused row: the meter's later rows wait for it
    for number, row in rows:
        if _cell(row, columns, COL_DATE) in (None, "") and _cell(row, columns, COL_VALUE) in (None, ""):
            report.unfilled += 1  # a template row of a meter the reader did not read: not an error
            continue
        errors_before = len(report.errors)
        code = _code_of(row, columns)
        meter = meters.get(code)
        if not code:
            report.errors.append(RowError(number, COL_CODE, _("Enter the meter number.")))
        elif meter is None:
            report.errors.append(RowError(number, COL_CODE, _("No meter %(code)s in %(project)s.")
                                          % {"code": code, "project": project.name}))
        elif not meter.is_active:
            report.errors.append(RowError(number, COL_CODE, _("This meter is no longer in use.")))
        read_on = value = None
        try:
            read_on = parse_date(_cell(row, columns, COL_DATE))
        except ValueError as error:
            report.errors.append(RowError(number, COL_DATE, str(error)))
        try:
            value = parse_value(_cell(row, columns, COL_VALUE))
        except ValueError as error:
            report.errors.append(RowError(number, COL_VALUE, str(error)))
        note = str(_cell(row, columns, COL_NOTE) or "")
        if len(note) > MAX_NOTE:
            report.errors.append(RowError(number, COL_NOTE, _("At most %(count)s characters.") % {"count": MAX_NOTE}))
        if len(report.errors) == errors_before:
            parsed.append((number, meter, read_on, value, note))
        elif code:
            first_bad_row.setdefault(code, number)

    with transaction.atomic():
        meter_ids = sorted({meter.pk for _number, meter, *_rest in parsed})
        # Locked as in record_reading, so a reading entered meanwhile is seen (and one import at a time per meter).
        list(Meter.objects.select_for_update().filter(pk__in=meter_ids).order_by("pk").values_list("pk"))
        history = _recent_history(meter_ids)
        dates = [read_on for _number, _meter, read_on, *_rest in parsed]
        recorded = {}
        if dates:
            recorded = {(meter_id, read_on): value for meter_id, read_on, value in MeterReading.objects.filter(
                meter_id__in=meter_ids, read_on__gte=min(dates), read_on__lte=max(dates),
            ).values_list("meter_id", "read_on", "value")}
        readings, notes = [], []
        for number, meter, read_on, value, note in parsed:
            if recorded.get((meter.pk, read_on)) == value:
                report.skipped += 1
                continue
            if meter.code in first_bad_row and first_bad_row[meter.code] < number:
                report.errors.append(RowError(number, COL_CODE, _(
                    "Not recorded: row %(row)s of meter %(code)s, before this one, has an error; correct it and "
                    "upload the file again.") % {"row": first_bad_row[meter.code], "code": meter.code}))
                continue
            if (meter.pk, read_on) in recorded:
                report.errors.append(RowError(number, COL_DATE, _(
                    "Meter %(code)s already has the reading %(value)s on this date.")
                    % {"code": meter.code, "value": _fmt(recorded[(meter.pk, read_on)])}))
                first_bad_row.setdefault(meter.code, number)
                continue
            try:
                assessment = _assess(meter, history[meter.pk], read_on, value, today)
            except _Refused as refusal:
                report.errors.append(RowError(number, {"read_on": COL_DATE, "value": COL_VALUE}.get(
                    refusal.field, COL_CODE), refusal.message))
                first_bad_row.setdefault(meter.code, number)
                continue
            history[meter.pk].append(_Past(read_on, value))
            recorded[(meter.pk, read_on)] = value
            readings.append(MeterReading(
                meter=meter, read_on=read_on, value=value, consumption=assessment.consumption,
                anomaly=assessment.anomaly, anomaly_note=assessment.anomaly_note, source=SOURCE_IMPORT,
                entered_by=actor.user if getattr(actor.user, "pk", None) else None))
            notes.append(note)
            if assessment.anomaly:
                report.flagged.append(FlaggedRow(number, meter.code, assessment.anomaly, assessment.anomaly_note))
        report.errors.sort(key=lambda error: error.row)
        try:
            with transaction.atomic():
                MeterReading.objects.bulk_create(readings, batch_size=1000)
        except IntegrityError:  # as in record_reading: only where row locks are a no-op
            raise Conflict(_("Some of these meters were read meanwhile; upload the file again.")) from None
        record_events([compose_event(reading.meter, "billing.meter_read", actor=actor.user,
                                     data=_event_data(reading, note))
                       for reading, note in zip(readings, notes, strict=True)])
        report.created = len(readings)
    return report


def _code_of(row: tuple, columns: dict[str, int]) -> str:
    code = _cell(row, columns, COL_CODE)
    return str(int(code)) if isinstance(code, float) and code.is_integer() else ("" if code is None else str(code))


# -- the meter reader's template ----------------------------------------------------------------------------------
TEMPLATE_COLUMNS = (COL_CODE, "位置", "类型", "上次抄表日期", "上次读数", COL_DATE, COL_VALUE, COL_NOTE)


def with_last_reading(meters):
    """`meters` annotated with their latest reading: last_read_on, last_value, last_consumption, last_anomaly,
    last_anomaly_note (subqueries on the (meter, read_on) index, so a list page stays one query). On SQLite the
    decimals of a subquery come back unrounded (11979.7200000000): pages format them with two places."""
    latest = MeterReading.objects.filter(meter=OuterRef("pk")).order_by("-read_on")
    return meters.annotate(**{f"last_{name}": Subquery(latest.values(name)[:1])
                              for name in ("read_on", "value", "consumption", "anomaly", "anomaly_note")})


def meter_place(meter: Meter) -> str:
    """Where a meter is: its unit (3-1201) or, for a public meter, its name."""
    if meter.unit_id:
        return f"{meter.unit.label} {meter.label}".strip()
    return meter.label or (str(meter.building) if meter.building_id else "")


def reading_template(project) -> bytes:
    """An .xlsx for the meter reader: the import's header and one row per active meter of `project` (number,
    place, type, last reading date and value as hints; the date, reading and note columns left to fill in)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    from wuye.core.spreadsheets import xlsx_row  # meter names are typed by people: a leading "=" stays text

    meters = with_last_reading(Meter.objects.filter(project=project, is_active=True)
                               .select_related("unit__building", "building")).order_by("code")
    kinds = dict(Meter._meta.get_field("kind").choices)
    book = Workbook()
    sheet = book.active
    sheet.title = "抄表"
    sheet.append(TEMPLATE_COLUMNS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    hint = PatternFill("solid", fgColor="EEEEEE")
    for row, meter in enumerate(meters, start=2):
        sheet.append(xlsx_row(sheet, [meter.code, meter_place(meter), str(kinds.get(meter.kind, meter.kind)),
                                      meter.last_read_on, meter.last_value, None, None, None]))
        for column in range(2, 6):  # the hint columns, shaded (by position: max_row would rescan the sheet)
            sheet.cell(row, column).fill = hint
        sheet.cell(row, 4).number_format = "yyyy-mm-dd"
    for column, width in zip("ABCDEFGH", (16, 24, 8, 14, 14, 14, 14, 24), strict=True):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# -- for the billers ----------------------------------------------------------------------------------------------
def consumption_between(meter_ids, start: date, end: date, *, held: set | None = None) -> dict[int, Decimal]:
    """{meter id: consumption} summed over the readings with read_on in [start, end] (one query). A meter without
    a reading in the window is absent, so a caller can tell "not read" from "used nothing"; a meter's first
    reading has no consumption and adds 0. Pass a set as `held` to have it filled, in the same query, with the
    meters that have a reading in the window held for review."""
    totals = (MeterReading.objects.filter(meter_id__in=list(meter_ids), read_on__gte=start, read_on__lte=end)
              .values("meter_id")
              .annotate(total=Coalesce(Sum("consumption"), Value(Decimal("0.00")),
                                       output_field=DecimalField(max_digits=16, decimal_places=2)),
                        held=Count("pk", filter=HELD))
              .order_by())
    used = {}
    for row in totals:
        # SQLite sums decimals in binary floating point; two places are exact.
        used[row["meter_id"]] = Decimal(row["total"]).quantize(TWO_PLACES)
        if held is not None and row["held"]:
            held.add(row["meter_id"])
    return used
