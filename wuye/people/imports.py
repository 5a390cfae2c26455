"""The owners-and-residents sheet (业主信息表) and the vehicles sheet (车辆信息表) of a project taking over.

Column names are Chinese whatever the UI language (a file format). Units are written as staff type them
(3-1-1201, 3号楼1单元1201 — `tenancy.search.units_as_typed`). All or nothing: every row is checked first and one
wrong row means nothing is written. Re-uploading is harmless: a person already on record (same ID number, or same
name and phone) in the same unit with the same role is skipped; a changed phone or role is updated, on record.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from wuye.core.access import Actor, require
from wuye.core.events import compose_event, record_event, record_events
from wuye.core.pii import mask_id_number, mask_phone
from wuye.core.validators import check_plausible_date, normalize_id_number, normalize_phone, normalize_plate
from wuye.core.workbooks import ImportReport, RowError, cell, day, text
from wuye.tenancy.models import Project, Unit
from wuye.tenancy.search import units_as_typed

from .models import Relation, Residency, Resident, Vehicle, VehicleKind

COL_UNIT, COL_NAME, COL_PHONE, COL_ID_TYPE, COL_ID, COL_RELATION, COL_SINCE = (
    "房屋", "姓名", "手机号", "证件类型", "证件号码", "身份", "入住日期")
OWNER_COLUMNS = (COL_UNIT, COL_NAME, COL_PHONE, COL_ID_TYPE, COL_ID, COL_RELATION, COL_SINCE)
OWNER_REQUIRED = (COL_UNIT, COL_NAME, COL_PHONE)
OWNER_EXAMPLE = ("1-1-101", "张三", "13800000000", "身份证", "", "业主", "2020-05-01")
RELATION_NAMES = {"业主": Relation.OWNER, "产权人": Relation.OWNER, "共有人": Relation.CO_OWNER,
                  "共同产权人": Relation.CO_OWNER, "租户": Relation.TENANT, "租客": Relation.TENANT,
                  "家属": Relation.FAMILY, "家庭成员": Relation.FAMILY, **{r.value: r for r in Relation}}
# Only the mainland resident ID has a checked form (core.validators); other documents cannot be recorded yet.
ID_TYPES = ("身份证", "居民身份证")

COL_PLATE, COL_OWNER, COL_VEHICLE_KIND, COL_BRAND = "车牌号", "车主姓名", "车辆类型", "品牌颜色"
VEHICLE_COLUMNS = (COL_PLATE, COL_UNIT, COL_OWNER, COL_VEHICLE_KIND, COL_BRAND)
VEHICLE_REQUIRED = (COL_PLATE, COL_UNIT, COL_OWNER)
VEHICLE_EXAMPLE = ("粤B12345", "1-1-101", "张三", "小型汽车", "白色大众")
VEHICLE_KIND_NAMES = {"小型汽车": VehicleKind.CAR, "汽车": VehicleKind.CAR, "轿车": VehicleKind.CAR,
                      "新能源": VehicleKind.NEW_ENERGY, "新能源汽车": VehicleKind.NEW_ENERGY,
                      "摩托车": VehicleKind.MOTORCYCLE, "其他": VehicleKind.OTHER,
                      **{kind.value: kind for kind in VehicleKind}}


def _is_example(row: tuple, columns: dict[str, int], names, example) -> bool:
    return all(text(cell(row, columns, name)) == text(value) for name, value in zip(names, example, strict=True))


def _resolve_units(project: Project, rows, columns) -> dict[str, list[Unit]]:
    return units_as_typed(project, [text(cell(row, columns, COL_UNIT)) for _number, row in rows])


def _unit(number: int, written: str, found: dict[str, list[Unit]], errors: list[RowError]) -> Unit | None:
    units = found.get(written) or []
    if not written:
        errors.append(RowError(number, COL_UNIT, _("Required.")))
    elif not units:
        errors.append(RowError(number, COL_UNIT, _("No unit %(unit)s in this project (import the units first).")
                               % {"unit": written}))
    elif len(units) > 1:
        errors.append(RowError(number, COL_UNIT, _("%(unit)s names several units (%(units)s); write building-"
                                                   "entrance-number, e.g. 3-1-1201.")
                               % {"unit": written, "units": "、".join(unit.label for unit in units[:3])}))
    else:
        return units[0]
    return None


@dataclass
class _Person:
    number: int
    unit: Unit
    name: str
    phone: str
    id_number: str
    relation: str
    since: date | None


def _parse_person(number, row, columns, found, errors) -> _Person | None:
    before = len(errors)
    unit = _unit(number, text(cell(row, columns, COL_UNIT)), found, errors)
    name = text(cell(row, columns, COL_NAME))
    if not name:
        errors.append(RowError(number, COL_NAME, _("Required.")))
    elif len(name) > 50:
        errors.append(RowError(number, COL_NAME, _("At most %(count)s characters.") % {"count": 50}))
    phone = ""
    try:
        phone = normalize_phone(text(cell(row, columns, COL_PHONE)))
    except ValueError as error:
        errors.append(RowError(number, COL_PHONE, str(error)))
    id_number = text(cell(row, columns, COL_ID))
    id_type = text(cell(row, columns, COL_ID_TYPE))
    if id_type and id_type not in ID_TYPES:
        errors.append(RowError(number, COL_ID_TYPE, _(
            "Only a mainland resident ID (身份证) can be recorded; leave 证件类型 and 证件号码 empty for other "
            "documents.")))
    elif id_number:
        try:
            id_number = normalize_id_number(id_number)
        except ValueError as error:
            errors.append(RowError(number, COL_ID, str(error)))
    written = text(cell(row, columns, COL_RELATION)) or "业主"
    relation = RELATION_NAMES.get(written) or RELATION_NAMES.get(written.lower())
    if relation is None:
        errors.append(RowError(number, COL_RELATION, _("One of 业主, 共有人, 租户, 家属.")))
    since = None
    if (raw := cell(row, columns, COL_SINCE)) is not None:
        try:
            since = check_plausible_date(day(raw))
        except ValueError as error:
            errors.append(RowError(number, COL_SINCE, str(error)))
    if len(errors) > before:
        return None
    return _Person(number, unit, name, phone, id_number, relation, since)


def import_residents(actor: Actor, project: Project, columns: dict[str, int], rows: list[tuple[int, tuple]]
                     ) -> ImportReport:
    """Check and write an owners sheet into `project` (see the module's docstring): a person is one record
    however many units they hold (same ID number, or same name and phone), with a residency per row. Events:
    `resident.registered`, `resident.residency_added`, `resident.updated`, and `project.owners_imported` with the
    counts. With any error the report lists them and nothing is written."""
    require(actor, "people.manage_residents")
    report = ImportReport(kind="owners", rows=len(rows))
    found = _resolve_units(project, rows, columns)
    people: list[_Person] = []
    for number, row in rows:
        if _is_example(row, columns, OWNER_COLUMNS, OWNER_EXAMPLE):
            report.examples += 1
        elif (person := _parse_person(number, row, columns, found, report.errors)) is not None:
            people.append(person)

    residents = list(Resident.objects.filter(project=project))
    by_id = {resident.id_number: resident for resident in residents if resident.id_number}
    by_contact = {(resident.name, resident.phone): resident for resident in residents}
    current = {(residency.unit_id, residency.resident_id): residency
               for residency in Residency.objects.current().filter(unit__project=project)}
    seen_unit: dict[tuple, int] = {}
    seen_id: dict[str, _Person] = {}
    for person in people:
        key = (person.unit.pk, person.id_number or (person.name, person.phone))
        if key in seen_unit:
            report.errors.append(RowError(person.number, COL_NAME, _("The same person in the same unit as row "
                                                                     "%(row)s.") % {"row": seen_unit[key]}))
            continue
        seen_unit[key] = person.number
        if person.id_number:
            first = seen_id.setdefault(person.id_number, person)
            if first.name != person.name:
                report.errors.append(RowError(person.number, COL_ID, _("Row %(row)s gives this ID number to "
                                                                       "%(name)s.") % {"row": first.number,
                                                                                       "name": first.name}))
            on_record = by_id.get(person.id_number)
            if on_record is not None and on_record.name != person.name:
                report.errors.append(RowError(person.number, COL_ID, _("This ID number is on record for "
                                                                       "%(name)s.") % {"name": on_record.name}))
            contact = by_contact.get((person.name, person.phone))
            if on_record is None and contact is not None and contact.id_number:
                report.errors.append(RowError(person.number, COL_ID, _(
                    "%(name)s with this phone is on record with another ID number.") % {"name": person.name}))
    report.errors.sort(key=lambda error: (error.row, OWNER_COLUMNS.index(error.column)))
    if report.errors:
        return report

    with transaction.atomic():
        new_residents: dict[object, Resident] = {}
        residencies, events, changed = [], [], {}
        new_people = []
        for person in people:
            key = person.id_number or (person.name, person.phone)
            resident = (by_id.get(person.id_number) if person.id_number else None) \
                or by_contact.get((person.name, person.phone)) or new_residents.get(key)
            row_changed = False
            if resident is None:
                resident = new_residents[key] = Resident(project=project, name=person.name, phone=person.phone,
                                                         id_number=person.id_number)
                new_people.append(resident)
            elif resident.pk and resident.phone != person.phone and person.id_number:
                changed[resident.pk] = (resident, {"phone": [mask_phone(resident.phone), mask_phone(person.phone)]})
                resident.phone = person.phone
                row_changed = True
            elif resident.pk and person.id_number and not resident.id_number:
                # Known by name and phone; the sheet adds the ID number (no other record holds it: by_id missed).
                changed[resident.pk] = (resident, {"id_number": mask_id_number(person.id_number)})
                resident.id_number = person.id_number
                by_id[person.id_number] = resident
                row_changed = True
            residency = current.get((person.unit.pk, resident.pk)) if resident.pk else None
            if residency is None:
                residencies.append((person, resident))
                report.created += 1
            elif residency.relation != person.relation:
                events.append(compose_event(resident, "resident.updated", actor=actor.user, data={
                    "unit": person.unit.label, "relation": [residency.relation, person.relation], "source": "import"}))
                residency.relation = person.relation
                residency.save(update_fields=["relation"])
                report.updated += 1
            elif row_changed:
                report.updated += 1
            else:
                report.skipped += 1
        Resident.objects.bulk_create(new_people, batch_size=500)
        Resident.objects.bulk_update([resident for resident, _changes in changed.values()], ["phone", "id_number"])
        events += [compose_event(resident, "resident.updated", actor=actor.user, data={**changes, "source": "import"})
                   for resident, changes in changed.values()]
        Residency.objects.bulk_create([
            Residency(unit=person.unit, resident=resident, relation=person.relation, started_on=person.since)
            for person, resident in residencies], batch_size=500)
        fresh = {resident.pk for resident in new_people}
        registered = set()
        for person, resident in residencies:
            verb = "resident.registered" if resident.pk in fresh and resident.pk not in registered \
                else "resident.residency_added"
            registered.add(resident.pk)
            events.append(compose_event(resident, verb, actor=actor.user, data={
                "unit": person.unit.label, "relation": person.relation, "phone": mask_phone(person.phone),
                "id_number": mask_id_number(person.id_number), "source": "import"}))
        record_events(events)
        record_event(project, "project.owners_imported", actor=actor.user, data={
            "created": report.created, "updated": report.updated, "skipped": report.skipped})
    return report


def import_vehicles(actor: Actor, project: Project, columns: dict[str, int], rows: list[tuple[int, tuple]]
                    ) -> ImportReport:
    """Check and write a vehicles sheet into `project`: each plate (checked with core.validators) belongs to the
    resident of that name who lives in the unit now (import the owners first). A plate already on record for the
    same person is skipped (type or brand changed: updated); for another person it is an error. With any error
    the report lists them and nothing is written."""
    require(actor, "people.manage_vehicles")
    report = ImportReport(kind="vehicles", rows=len(rows))
    found = _resolve_units(project, rows, columns)
    unit_ids = {units[0].pk for units in found.values() if len(units) == 1}
    living: dict[tuple[int, str], list[Resident]] = {}
    for residency in Residency.objects.current().filter(unit_id__in=unit_ids).select_related("resident"):
        living.setdefault((residency.unit_id, residency.resident.name), []).append(residency.resident)
    vehicles = {vehicle.plate: vehicle for vehicle in Vehicle.objects.filter(project=project)
                .select_related("resident")}
    seen: dict[str, int] = {}
    plan = []
    for number, row in rows:
        if _is_example(row, columns, VEHICLE_COLUMNS, VEHICLE_EXAMPLE):
            report.examples += 1
            continue
        before = len(report.errors)
        plate = None
        try:
            plate = normalize_plate(text(cell(row, columns, COL_PLATE)))
        except ValueError as error:
            report.errors.append(RowError(number, COL_PLATE, str(error)))
        unit = _unit(number, text(cell(row, columns, COL_UNIT)), found, report.errors)
        name = text(cell(row, columns, COL_OWNER))
        owners = living.get((unit.pk, name), []) if unit else []
        if unit and len(owners) != 1:
            message = _("Several residents %(name)s live in unit %(unit)s.") if owners else _(
                "No resident %(name)s of unit %(unit)s on record (import the owners first).")
            report.errors.append(RowError(number, COL_OWNER, message % {"name": name, "unit": unit.label}))
        written = text(cell(row, columns, COL_VEHICLE_KIND)) or "小型汽车"
        kind = VEHICLE_KIND_NAMES.get(written) or VEHICLE_KIND_NAMES.get(written.lower())
        if kind is None:
            report.errors.append(RowError(number, COL_VEHICLE_KIND, _("One of 小型汽车, 新能源, 摩托车, 其他.")))
        brand = text(cell(row, columns, COL_BRAND))
        if len(brand) > 50:
            report.errors.append(RowError(number, COL_BRAND, _("At most %(count)s characters.") % {"count": 50}))
        if plate:
            if plate in seen:
                report.errors.append(RowError(number, COL_PLATE, _("The same plate as row %(row)s.")
                                              % {"row": seen[plate]}))
            seen.setdefault(plate, number)
            if plate in vehicles and owners and vehicles[plate].resident_id != owners[0].pk:
                report.errors.append(RowError(number, COL_PLATE, _(
                    "Plate %(plate)s is registered to another resident in this project.") % {"plate": plate}))
        if len(report.errors) == before:
            plan.append((plate, owners[0], kind, brand))
    report.errors.sort(key=lambda error: (error.row, VEHICLE_COLUMNS.index(error.column)))
    if report.errors:
        return report

    with transaction.atomic():
        new, changed, events = [], [], []
        for plate, resident, kind, brand in plan:
            vehicle = vehicles.get(plate)
            if vehicle is None:
                new.append(Vehicle(project=project, resident=resident, plate=plate, kind=kind, brand=brand))
                events.append(compose_event(resident, "vehicle.added", actor=actor.user,
                                            data={"plate": plate, "kind": kind, "source": "import"}))
            elif (vehicle.kind, vehicle.brand) != (kind, brand):
                events.append(compose_event(resident, "vehicle.updated", actor=actor.user, data={
                    "plate": plate, "kind": [vehicle.kind, kind], "brand": [vehicle.brand, brand],
                    "source": "import"}))
                vehicle.kind, vehicle.brand = kind, brand
                changed.append(vehicle)
            else:
                report.skipped += 1
        Vehicle.objects.bulk_create(new, batch_size=500)
        Vehicle.objects.bulk_update(changed, ["kind", "brand"])
        record_events(events)
        report.created, report.updated = len(new), len(changed)
        record_event(project, "project.vehicles_imported", actor=actor.user, data={
            "created": report.created, "updated": report.updated, "skipped": report.skipped})
    return report
