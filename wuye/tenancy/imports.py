"""The buildings-and-units sheet (楼栋房屋表) of a company taking over a project: one row per unit.

Columns (a file format, so Chinese whatever the UI language): 楼栋号, 楼栋名称, 单元, 房号, 楼层, 房屋类型, 建筑面积.
All or nothing: every row is checked first, and one wrong row means nothing is written. Re-uploading is harmless:
a unit already there (same building and number) with the same values is skipped, with other values updated
(floor, area, type — each change on record).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from wuye.core.access import Actor, require
from wuye.core.events import compose_event, record_event, record_events
from wuye.core.workbooks import ImportReport, RowError, cell, decimal, integer, text

from .models import Building, Project, Unit, UnitKind

COL_BUILDING, COL_BUILDING_NAME, COL_ENTRANCE, COL_ROOM, COL_FLOOR, COL_KIND, COL_AREA = (
    "楼栋号", "楼栋名称", "单元", "房号", "楼层", "房屋类型", "建筑面积")
COLUMNS = (COL_BUILDING, COL_BUILDING_NAME, COL_ENTRANCE, COL_ROOM, COL_FLOOR, COL_KIND, COL_AREA)
REQUIRED = (COL_BUILDING, COL_ROOM, COL_FLOOR, COL_AREA)
EXAMPLE = ("1", "1号楼", "1", "101", 1, "住宅", 89.5)
# How sheets name the types; the English values are accepted too.
KIND_NAMES = {"住宅": UnitKind.RESIDENTIAL, "商铺": UnitKind.COMMERCIAL, "商业": UnitKind.COMMERCIAL,
              "车位": UnitKind.PARKING, "车库": UnitKind.PARKING, **{kind.value: kind for kind in UnitKind}}
MAX_AREA = Decimal("9999999.99")
ELEVATOR_FROM_FLOORS = 7  # a new building of 7 floors or more is recorded with an elevator (edit it if not)


@dataclass
class _Row:
    number: int
    building: str
    building_name: str
    entrance: str
    room: str
    floor: int
    kind: str
    area: Decimal


def unit_number(entrance: str, room: str) -> str:
    """A unit's number as stored: the flat with its entrance (1-1201), so flats of two entrances never collide."""
    return f"{entrance}-{room}" if entrance and not room.startswith(f"{entrance}-") else room


def _is_example(row: tuple, columns: dict[str, int]) -> bool:
    return all(text(cell(row, columns, name)) == text(value) for name, value in zip(COLUMNS, EXAMPLE, strict=True))


def _parse(number: int, row: tuple, columns: dict[str, int], errors: list[RowError]) -> _Row | None:
    before = len(errors)

    def short(name: str, limit: int, required: bool = False) -> str:
        value = text(cell(row, columns, name))
        if required and not value:
            errors.append(RowError(number, name, _("Required.")))
        elif len(value) > limit:
            errors.append(RowError(number, name, _("At most %(count)s characters.") % {"count": limit}))
        return value

    building = short(COL_BUILDING, 20, required=True)
    building_name = short(COL_BUILDING_NAME, 50)
    entrance = short(COL_ENTRANCE, 10)
    room = short(COL_ROOM, 20 - len(entrance) - 1 if entrance else 20, required=True)
    floor = None
    try:
        floor = integer(cell(row, columns, COL_FLOOR))
        if floor == 0 or not -10 <= floor <= 200:
            raise ValueError(_("A floor from 1 to 200, or -1 to -10 below ground (no floor 0)."))
    except ValueError as error:
        errors.append(RowError(number, COL_FLOOR, str(error)))
    written_kind = text(cell(row, columns, COL_KIND)) or "住宅"
    kind = KIND_NAMES.get(written_kind) or KIND_NAMES.get(written_kind.lower())
    if kind is None:
        errors.append(RowError(number, COL_KIND, _("One of 住宅, 商铺, 车位.")))
    area = None
    try:
        area = decimal(cell(row, columns, COL_AREA))
        if not Decimal(0) < area <= MAX_AREA:
            raise ValueError(_("Floor area must be greater than 0 m²."))
    except ValueError as error:
        errors.append(RowError(number, COL_AREA, str(error)))
    if len(errors) > before:
        return None
    return _Row(number, building, building_name, entrance, room, floor, kind, area)


def import_units(actor: Actor, project: Project, columns: dict[str, int], rows: list[tuple[int, tuple]]
                 ) -> ImportReport:
    """Check and write the rows of a units sheet (see the module's docstring) into `project`: buildings created
    as needed (their floors the highest in the sheet), units created or updated; every change an event, plus one
    `project.units_imported` with the counts. With any error, the report lists them and nothing is written."""
    require(actor, "tenancy.manage_places")
    report = ImportReport(kind="units", rows=len(rows))
    parsed: list[_Row] = []
    for number, row in rows:
        if _is_example(row, columns):
            report.examples += 1
            continue
        if (item := _parse(number, row, columns, report.errors)) is not None:
            parsed.append(item)

    buildings = {building.number.lower(): building for building in Building.objects.filter(project=project)}
    existing: dict[tuple[int, str], Unit] = {}
    for unit in Unit.objects.filter(project=project):
        existing[(unit.building_id, unit.number.lower())] = unit
        if unit.entrance:  # a flat stored without its entrance (1 entrance: "101") is the same flat as "1-101"
            existing.setdefault((unit.building_id, f"{unit.entrance}-{unit.number}".lower()), unit)
    seen: dict[tuple[str, str], int] = {}
    top_floor: dict[str, int] = defaultdict(lambda: 1)
    for item in parsed:
        key = (item.building.lower(), unit_number(item.entrance, item.room).lower())
        if key in seen:
            report.errors.append(RowError(item.number, COL_ROOM, _("The same unit as row %(row)s.")
                                          % {"row": seen[key]}))
            continue
        seen[key] = item.number
        top_floor[item.building.lower()] = max(top_floor[item.building.lower()], item.floor)
    report.errors.sort(key=lambda error: (error.row, COLUMNS.index(error.column)))
    if report.errors:
        return report

    with transaction.atomic():
        events = []
        for item in parsed:  # buildings first, in the sheet's order
            key = item.building.lower()
            building = buildings.get(key)
            if building is None:
                floors = max(top_floor[key], 1)
                building = buildings[key] = Building.objects.create(
                    project=project, number=item.building, name=item.building_name, floors=floors,
                    has_elevator=floors >= ELEVATOR_FROM_FLOORS)
                record_event(building, "building.created", actor=actor.user,
                             data={"number": building.number, "source": "import"})
                continue
            changes = {}
            if top_floor[key] > building.floors:
                changes["floors"] = [building.floors, top_floor[key]]
                building.floors = top_floor[key]
            if item.building_name and item.building_name != building.name:
                changes["name"] = [building.name, item.building_name]
                building.name = item.building_name
            if changes:
                building.save(update_fields=list(changes))
                record_event(building, "building.updated", actor=actor.user, data={**changes, "source": "import"})

        new_units, changed_units = [], []
        for item in parsed:
            building = buildings[item.building.lower()]
            number = unit_number(item.entrance, item.room)
            unit = existing.get((building.pk, number.lower()))
            values = {"floor": item.floor, "area": item.area, "kind": item.kind}
            if unit is None:
                new_units.append(Unit(project=project, building=building, entrance=item.entrance, number=number,
                                      **values))
                continue
            changes = {name: [str(getattr(unit, name)), str(value)] for name, value in values.items()
                       if getattr(unit, name) != value}
            if not changes:
                report.skipped += 1
                continue
            for name in changes:
                setattr(unit, name, values[name])
            changed_units.append(unit)
            events.append(compose_event(unit, "unit.updated", actor=actor.user,
                                        data={**changes, "source": "import"}))
        Unit.objects.bulk_create(new_units, batch_size=500)
        Unit.objects.bulk_update(changed_units, ["floor", "area", "kind"], batch_size=500)
        events += [compose_event(unit, "unit.created", actor=actor.user, data={
            "number": unit.number, "area": str(unit.area), "kind": unit.kind, "source": "import"})
            for unit in new_units]
        record_events(events)
        report.created, report.updated = len(new_units), len(changed_units)
        record_event(project, "project.units_imported", actor=actor.user, data={
            "created": report.created, "updated": report.updated, "skipped": report.skipped})
    return report
