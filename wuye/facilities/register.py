"""The equipment register (设备台账, SPEC §4, seed 001 ch.4): categories (shipped in shipped.py), maintenance
contractors with their qualification, the items themselves, and the documents and photos kept with an item.

Every change is one function taking the acting `Actor` and recording one event with a sentence:
`facilities.equipment.created`, `.changed` (which fields, before → after), `.status_changed` (from → to and why),
`.document_added`, `.photos_added`, `facilities.contractor.created` / `.changed`. Bad input is an `InvalidInput`
naming the field and nothing is written; an item's status follows `TRANSITIONS` (scrapped is final).

Any process that changes an item's status calls `set_status` (faults put an item `faulty` and back `in_service`)."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from wuye.core.access import Actor, get_scoped_or_404, may_read, require, scoped
from wuye.core.errors import Conflict, InvalidInput, NotAllowed, Problems
from wuye.core.events import record_event
from wuye.core.photos import photo_type, reencode
from wuye.core.sentences import changed_sentence, register_sentences, register_terms
from wuye.core.validators import digits
from wuye.quality.evidence import attach_evidence
from wuye.tenancy.models import Building, Company, Project
from wuye.tenancy.ordering import building_order

from .faults import DOWN_STATES as FAULT_DOWN_STATES
from .faults import OPEN_STATES as FAULT_OPEN_STATES
from .models import (
    Contractor,
    Equipment,
    EquipmentCategory,
    EquipmentDocument,
    EquipmentStatus,
    ReadingPoint,
)

MANAGE = "facilities.manage_register"
# Reporting or repairing a fault moves an item between in service and faulty (faults.py calls set_status).
FAULT_PERMISSIONS = ("facilities.report_faults", "facilities.repair", "facilities.start_entrapment")

CODE_MAX, NAME_MAX, LOCATION_MAX, MODEL_MAX, MAKER_MAX, NOTES_MAX = 40, 100, 100, 60, 100, 2000
REASON_MAX, DOCUMENT_TITLE_MAX = 200, 100
SERVICE_MAX, QUALIFICATION_MAX, CONTACT_MAX, PHONE_MAX = 100, 60, 40, 20
DOCUMENT_MAX_BYTES = 10 * 1024 * 1024
# The oldest equipment still on a register (lifts of the 1950s) and the furthest warranty anyone writes.
EARLIEST = date(1950, 1, 1)
LATEST = date(2100, 12, 31)

IN_SERVICE, FAULTY, STOPPED, SCRAPPED = (EquipmentStatus.IN_SERVICE, EquipmentStatus.FAULTY,
                                         EquipmentStatus.STOPPED, EquipmentStatus.SCRAPPED)
# status → the statuses it may change to. Scrapped is final: the record stays for the history.
TRANSITIONS: dict[str, frozenset[str]] = {
    IN_SERVICE: frozenset({FAULTY, STOPPED, SCRAPPED}),
    FAULTY: frozenset({IN_SERVICE, STOPPED, SCRAPPED}),
    STOPPED: frozenset({IN_SERVICE, FAULTY, SCRAPPED}),
    SCRAPPED: frozenset(),
}
# Taking an item out of service on purpose needs a reason on record.
NEEDS_REASON = frozenset({STOPPED, SCRAPPED})

EDITABLE = ("category", "code", "name", "building", "location", "model_number", "maker", "installed_on",
            "contractor", "warranty_ends_on", "notes")
CONTRACTOR_EDITABLE = ("name", "service", "qualification_number", "qualification_expires_on", "contact_name",
                       "phone", "is_active")
PHONE_CHARACTERS = set("0123456789+-() ")


# -- helpers ---------------------------------------------------------------------------------------------------
def _user(actor):
    return getattr(actor, "user", None) if actor is not None else None


def _text(problems: Problems, field: str, value, limit: int, *, required: bool = False) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        problems.add(field, gettext("Enter text."))
        return ""
    value = value.strip()
    if "\x00" in value:
        problems.add(field, gettext("Enter text."))
        return ""
    if required and not value:
        problems.add(field, gettext("This field is required."))
    elif len(value) > limit:
        problems.add(field, gettext("At most %(count)s characters.") % {"count": limit})
    return value


def _day(problems: Problems, field: str, value, earliest: date, latest: date):
    if value in (None, ""):
        return None
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value.strip())
        except ValueError:
            problems.add(field, gettext("Enter a date such as 2024-05-10."))
            return None
    if isinstance(value, datetime) or not isinstance(value, date):
        problems.add(field, gettext("Enter a date such as 2024-05-10."))
        return None
    if not earliest <= value <= latest:
        problems.add(field, gettext("Enter a date between %(earliest)s and %(latest)s.")
                     % {"earliest": earliest.isoformat(), "latest": latest.isoformat()})
        return None
    return value


def _check_project(actor: Actor | None, project) -> None:
    """The project must be one of the actor's (a project outside scope reads as unknown)."""
    if not isinstance(project, Project):
        raise InvalidInput("project", gettext("Choose one of your projects."))
    if actor is None or actor.is_superuser:
        return
    if project.company_id != actor.company_id or not actor.sees_project(project.pk):
        raise InvalidInput("project", gettext("Choose one of your projects."))


def _check_company(actor: Actor | None, company) -> None:
    if not isinstance(company, Company):
        raise InvalidInput("company", gettext("Choose your company."))
    if actor is not None and not actor.is_superuser and company.pk != actor.company_id:
        raise InvalidInput("company", gettext("Choose your company."))


def _name(obj) -> str:
    return str(obj) if obj is not None else ""


def warning_days() -> int:
    return int(settings.WUYE_CONTRACTOR_WARNING_DAYS)


def qualification_state(contractor: Contractor | None, today: date | None = None) -> str:
    """"expired" (shown red wherever the contractor appears), "expiring" (within the warning days), "valid", or
    "unknown" when no expiry is on record; "" without a contractor."""
    if contractor is None:
        return ""
    if contractor.qualification_expires_on is None:
        return "unknown"
    today = today or timezone.localdate()
    if contractor.qualification_expires_on < today:
        return "expired"
    if contractor.qualification_expires_on <= today + timedelta(days=warning_days()):
        return "expiring"
    return "valid"


# -- reading ---------------------------------------------------------------------------------------------------
def visible_equipment(actor: Actor) -> QuerySet:
    """The items `actor` may see (their projects; nothing for owners or roles without facilities.view)."""
    rows = Equipment.objects.select_related("project", "category", "building", "contractor")
    if actor is None or not may_read(actor, "facilities.equipment"):
        return rows.none()
    return scoped(rows, actor)


def in_register_order(rows: QuerySet) -> QuerySet:
    """Items as the register lists them: by project, buildings in natural order (2号楼 before 10号楼; items of no
    building last), then category and code."""
    buildings = [term.asc(nulls_last=True) for term in building_order("building__")[1:]]
    return rows.order_by("project_id", *buildings, "category__order", "code", "id")


FILTER_TEXT_MAX = 100


def filter_equipment(actor: Actor, *, project=None, category=None, building=None, status=None, q=None) -> QuerySet:
    """The items `actor` sees, narrowed by the register's filters as a request gives them (each optional; None or
    "" is no filter), in register order — the one reading of the filters behind the list page, the API list, the
    label sheet and the export, so they select the same rows. project (id), category (id or code, any case),
    building (id), status (code), q (part of the code or name). A malformed filter is an InvalidInput naming it;
    a project outside the actor's scope is a 404, as its records are."""
    items = visible_equipment(actor)

    def number(field: str, value) -> int:
        written = str(value).strip()
        if not digits(written) or len(written) > 12:
            raise InvalidInput(field, gettext("Choose from the list."))
        return int(written)

    if project not in (None, ""):
        items = items.filter(project=get_scoped_or_404(Project.objects.all(), actor, pk=number("project", project)))
    if category not in (None, ""):
        written = str(category).strip()
        if digits(written):
            items = items.filter(category_id=number("category", written))
        elif 0 < len(written) <= 40:
            items = items.filter(category__code__iexact=written)
        else:
            raise InvalidInput("category", gettext("Choose from the list."))
    if building not in (None, ""):
        items = items.filter(building_id=number("building", building))
    if status not in (None, ""):
        if str(status) not in EquipmentStatus.values:
            raise InvalidInput("status", gettext("Choose from the list."))
        items = items.filter(status=str(status))
    if q not in (None, ""):
        if len(str(q)) > FILTER_TEXT_MAX:
            raise InvalidInput("q", gettext("At most %(count)s characters.") % {"count": FILTER_TEXT_MAX})
        text = str(q).strip()
        if text:
            items = items.filter(Q(code__icontains=text) | Q(name__icontains=text))
    return in_register_order(items)


def visible_contractors(actor: Actor) -> QuerySet:
    """The contractors of the actor's company (company-wide records)."""
    if actor is None or not may_read(actor, "facilities.equipment"):
        return Contractor.objects.none()
    rows = Contractor.objects.all()
    return rows if actor.is_superuser else rows.filter(company_id=actor.company_id)


def visible_categories(actor: Actor) -> QuerySet:
    if actor is None or not may_read(actor, "facilities.equipment"):
        return EquipmentCategory.objects.none()
    rows = EquipmentCategory.objects.all()
    return rows if actor.is_superuser else rows.filter(company_id=actor.company_id)


def limits_for(equipment: Equipment) -> dict[str, ReadingPoint]:
    """The item's reading points by code, in order: its category's, with the item's own points winning over the
    category's of the same code (and added when the category has none of that code)."""
    points = ReadingPoint.objects.filter(category_id=equipment.category_id, equipment__isnull=True)
    own = ReadingPoint.objects.filter(equipment_id=equipment.pk) if equipment.pk else ReadingPoint.objects.none()
    merged = {point.code: point for point in points.order_by("order", "code")}
    for point in own.order_by("order", "code"):
        merged[point.code] = point
    return dict(sorted(merged.items(), key=lambda pair: (pair[1].order, pair[0])))


def allowed_statuses(equipment: Equipment) -> list[str]:
    """The statuses the item may change to now (in the order of the choices)."""
    allowed = TRANSITIONS.get(equipment.status, frozenset())
    return [value for value in EquipmentStatus.values if value in allowed]


# -- items -----------------------------------------------------------------------------------------------------
def _clean(problems: Problems, project: Project, values: dict, *, equipment: Equipment | None = None) -> dict:
    """The values of an item's fields, checked; problems noted by field. `values` holds only the fields to check."""
    cleaned: dict = {}
    limits = {"code": CODE_MAX, "name": NAME_MAX, "location": LOCATION_MAX, "model_number": MODEL_MAX,
              "maker": MAKER_MAX, "notes": NOTES_MAX}
    for name, limit in limits.items():
        if name in values:
            cleaned[name] = _text(problems, name, values[name], limit, required=name in ("code", "name"))
    if "category" in values:
        category = values["category"]
        if not isinstance(category, EquipmentCategory) or category.company_id != project.company_id:
            problems.add("category", gettext("Choose one of the company's categories."))
        cleaned["category"] = category
    if "building" in values:
        building = values["building"]
        if building is not None and (not isinstance(building, Building) or building.project_id != project.pk):
            problems.add("building", gettext("Choose a building of this project."))
        cleaned["building"] = building
    if "contractor" in values:
        contractor = values["contractor"]
        if contractor is not None and (not isinstance(contractor, Contractor)
                                       or contractor.company_id != project.company_id):
            problems.add("contractor", gettext("Choose one of the company's contractors."))
        cleaned["contractor"] = contractor
    if "installed_on" in values:
        cleaned["installed_on"] = _day(problems, "installed_on", values["installed_on"], EARLIEST,
                                       timezone.localdate())
    if "warranty_ends_on" in values:
        cleaned["warranty_ends_on"] = _day(problems, "warranty_ends_on", values["warranty_ends_on"], EARLIEST, LATEST)
    installed = cleaned.get("installed_on", equipment.installed_on if equipment else None)
    warranty = cleaned.get("warranty_ends_on", equipment.warranty_ends_on if equipment else None)
    if installed and warranty and warranty < installed and "warranty_ends_on" not in {p.field for p in problems.items}:
        problems.add("warranty_ends_on", gettext("The warranty cannot end before the item was installed."))
    code = cleaned.get("code")
    if code and len(code) <= CODE_MAX:
        taken = Equipment.objects.filter(project=project, code__iexact=code)
        if equipment is not None:
            taken = taken.exclude(pk=equipment.pk)
        if taken.exists():
            problems.add("code", gettext("Another item of this project has the code %(code)s.") % {"code": code})
    return cleaned


def _code_taken(code: str) -> InvalidInput:
    return InvalidInput("code", gettext("Another item of this project has the code %(code)s.") % {"code": code})


@transaction.atomic
def create_equipment(actor: Actor, *, project: Project, category: EquipmentCategory, code: str, name: str,
                     building: Building | None = None, location: str = "", model_number: str = "", maker: str = "",
                     installed_on: date | None = None, contractor: Contractor | None = None,
                     warranty_ends_on: date | None = None, notes: str = "") -> Equipment:
    """Put an item on the register of `project`. Codes are unique per project (case does not count); the
    building must be the project's, category and contractor the company's; installed 1950–today, warranty to
    2100 and not before installation. Records `facilities.equipment.created`."""
    if actor is not None:
        require(actor, MANAGE)
    _check_project(actor, project)
    problems = Problems()
    fields = _clean(problems, project, {
        "category": category, "code": code, "name": name, "building": building, "location": location,
        "model_number": model_number, "maker": maker, "installed_on": installed_on, "contractor": contractor,
        "warranty_ends_on": warranty_ends_on, "notes": notes})
    problems.raise_if_any()
    try:
        with transaction.atomic():
            item = Equipment.objects.create(project=project, **fields)
    except IntegrityError:  # the same code written at the same moment by someone else
        raise _code_taken(fields["code"]) from None
    record_event(item, "facilities.equipment.created", actor=_user(actor), data={
        "name": item.name, "category": item.category.name, "building": _name(item.building),
        "location": item.location, "contractor": _name(item.contractor)})
    return item


def _shown(name: str, value) -> object:
    """A field's value as the change event keeps it: names for related records, days as text, short notes."""
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    if name in ("category", "building", "contractor"):
        return str(value)
    if name == "notes" and len(value) > 60:
        return value[:60] + "…"
    return value


@transaction.atomic
def update_equipment(actor: Actor, equipment: Equipment, **changes) -> Equipment:
    """Change some of an item's fields (`EDITABLE`; the status changes through `set_status`). Only the fields
    whose value differs are written, and `facilities.equipment.changed` records them before → after; nothing
    changed records nothing. A scrapped item is not edited (409)."""
    if actor is not None:
        require(actor, MANAGE)
    unknown = [name for name in changes if name not in EDITABLE]
    if unknown:
        field = unknown[0]
        message = gettext("Change the status with its own form.") if field == "status" \
            else gettext("This field cannot be changed.")
        raise InvalidInput(field, message)
    item = Equipment.objects.select_for_update(of=("self",)) \
        .select_related("project", "category", "building", "contractor").get(pk=equipment.pk)
    _check_project(actor, item.project)
    if item.status == SCRAPPED:
        raise Conflict(gettext("This item is scrapped; its record is kept as it was."))
    problems = Problems()
    cleaned = _clean(problems, item.project, changes, equipment=item)
    problems.raise_if_any()
    diff = _apply(item, cleaned)
    if not diff:
        return item
    try:
        with transaction.atomic():
            item.save(update_fields=[*diff.keys()])
    except IntegrityError:
        raise _code_taken(cleaned.get("code", item.code)) from None
    record_event(item, "facilities.equipment.changed", actor=_user(actor), data=diff)
    for name in diff:  # the caller's copy reads as the row now does
        setattr(equipment, name, getattr(item, name))
    return item


def _apply(row, cleaned: dict) -> dict:
    """Set the cleaned values that differ on `row`; {field: [before, after] as shown}, for the `changed` event."""
    diff = {}
    for name, value in cleaned.items():
        before = getattr(row, name)
        if before != value:
            diff[name] = [_shown(name, before), _shown(name, value)]
            setattr(row, name, value)
    return diff


@transaction.atomic
def set_status(actor: Actor | None, equipment: Equipment, status: str, *, reason: str = "",
               at: datetime | None = None) -> Equipment:
    """Move an item to `status` along `TRANSITIONS`; stopping or scrapping it needs a `reason`. The same status
    again changes nothing (no event); a scrapped item stays scrapped (409). Faults (report / repair permission)
    move items between in service and faulty; anything else is the register's keepers'. Records
    `facilities.equipment.status_changed` with from → to and the reason."""
    reason = str(reason or "")
    if status not in EquipmentStatus.values:
        raise InvalidInput("status", gettext("Choose one of: %(values)s.")
                           % {"values": "、".join(str(label) for label in EquipmentStatus.labels)})
    fault_move = status in (IN_SERVICE, FAULTY) and actor is not None \
        and any(actor.may(permission) for permission in FAULT_PERMISSIONS)
    if actor is not None and not actor.may(MANAGE) and not fault_move:
        raise NotAllowed(gettext("Your role may not do this."))
    item = Equipment.objects.select_for_update(of=("self",)).get(pk=equipment.pk)
    _check_project(actor, item.project)
    if item.status == status:
        return item
    if status not in TRANSITIONS.get(item.status, frozenset()):
        raise Conflict(gettext("This item is scrapped; its status does not change any more.")
                       if item.status == SCRAPPED else gettext("This status change is not allowed."))
    problems = Problems()
    reason = _text(problems, "reason", reason, REASON_MAX, required=status in NEEDS_REASON)
    if at is not None and (not isinstance(at, datetime) or timezone.is_naive(at)):
        problems.add("at", gettext("Enter a time with its zone."))
    problems.raise_if_any()
    if status == IN_SERVICE and kept_down(item):
        # Checked here, on the locked row, for every caller: a fault that keeps the item down sends it back
        # through the fault's repair and test (faults.py brings it back once no such fault is left).
        raise InvalidInput("status", gettext("An open fault keeps this item down; it returns to service when the "
                                             "fault is repaired and tested."))
    if status == SCRAPPED:
        _retire(item, reason)
    before = item.status
    item.status = status
    item.save(update_fields=["status"])
    data = {"status_from": before, "status_to": status, "reason": reason}
    if at is not None:
        data["at"] = at.isoformat()
    record_event(item, "facilities.equipment.status_changed", actor=_user(actor), data=data)
    equipment.status = status
    return item


def _has_fault(item: Equipment, states) -> bool:
    """Whether a fault of `item` is in one of `states` — faults.py's own sets: FAULT_DOWN_STATES (reported, in
    repair, testing: the item is out of service for it; a raised fault has not taken it down yet, its report does)
    and FAULT_OPEN_STATES (those and raised: work is still open on it)."""
    from .models import Fault

    return Fault.objects.filter(equipment=item, status__in=states).exists()


def kept_down(item: Equipment) -> bool:
    """Whether a fault keeps `item` out of service: set_status refuses to put it back in service by hand (pages
    leave that choice out)."""
    return _has_fault(item, FAULT_DOWN_STATES)


def _retire(item: Equipment, reason: str) -> None:
    """A scrapped item has no work left: refused while a fault of it is open (close or cancel it first); its
    scheduled maintenance tasks are cancelled with their clocks, so they neither escalate nor count as missed."""
    from wuye.sla.engine import cancel_clocks

    from .models import MaintenanceTask, TaskStatus

    if _has_fault(item, FAULT_OPEN_STATES):
        raise Conflict(gettext("This item has an open fault: close or cancel it before scrapping the item."))
    tasks = list(MaintenanceTask.objects.filter(equipment=item, status=TaskStatus.SCHEDULED))
    for task in tasks:
        cancel_clocks(task, reason=reason, keys=["maintenance.task"])
    MaintenanceTask.objects.filter(pk__in=[task.pk for task in tasks]).update(
        status=TaskStatus.CANCELLED, skip_reason=reason[:200])


# -- documents and photos --------------------------------------------------------------------------------------
def document_type(head: bytes) -> str | None:
    """"application/pdf" or an image type from the first bytes (never from the name); None for anything else."""
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    return photo_type(head)


@transaction.atomic
def add_document(actor: Actor, equipment: Equipment, *, title: str, upload) -> EquipmentDocument:
    """Keep a document (manual, certificate, inspection report, warranty card) with an item: a PDF or a picture
    (JPEG, PNG, WebP; re-encoded without EXIF) of at most 10 MB, its type read from its first bytes. Records
    `facilities.equipment.document_added`."""
    require(actor, MANAGE)
    _check_project(actor, equipment.project)
    problems = Problems()
    title = _text(problems, "title", title, DOCUMENT_TITLE_MAX, required=True)
    content_type = None
    if upload is None:
        problems.add("file", gettext("Choose a file."))
    elif upload.size > DOCUMENT_MAX_BYTES:
        problems.add("file", gettext("The file is larger than 10 MB."))
    else:
        upload.seek(0)
        content_type = document_type(upload.read(16))
        upload.seek(0)
        if content_type is None:
            problems.add("file", gettext("Upload a PDF or a JPEG, PNG or WebP picture."))
    problems.raise_if_any()
    if content_type == "application/pdf":
        content, extension = ContentFile(upload.read()), "pdf"
    else:
        content, content_type = reencode(upload, "file")
        extension = content_type.split("/")[1].replace("jpeg", "jpg")
    content.name = f"equipment-{equipment.pk}-{uuid.uuid4().hex[:12]}.{extension}"
    document = EquipmentDocument.objects.create(equipment=equipment, title=title, file=content,
                                                uploaded_by=_user(actor))
    record_event(equipment, "facilities.equipment.document_added", actor=_user(actor), data={"title": title})
    return document


@transaction.atomic
def add_photos(actor: Actor, equipment: Equipment, uploads, *, caption: str = "") -> list:
    """Photos of an item (nameplate, location), through the shared evidence store (checked, EXIF stripped, at
    most nine per item). Records `facilities.equipment.photos_added`."""
    require(actor, MANAGE)
    _check_project(actor, equipment.project)
    rows = attach_evidence(actor, equipment, uploads, project=equipment.project, field="photos",
                           caption=caption or "")
    if rows:
        record_event(equipment, "facilities.equipment.photos_added", actor=_user(actor), data={"photos": len(rows)})
    return rows


# -- contractors -----------------------------------------------------------------------------------------------
def _clean_contractor(problems: Problems, company: Company, values: dict, *,
                      contractor: Contractor | None = None) -> dict:
    cleaned: dict = {}
    limits = {"name": NAME_MAX, "service": SERVICE_MAX, "qualification_number": QUALIFICATION_MAX,
              "contact_name": CONTACT_MAX, "phone": PHONE_MAX}
    for name, limit in limits.items():
        if name in values:
            cleaned[name] = _text(problems, name, values[name], limit, required=name == "name")
    if cleaned.get("phone") and not set(cleaned["phone"]) <= PHONE_CHARACTERS:
        problems.add("phone", gettext("Enter a phone number (digits, spaces, + - and brackets)."))
    if "qualification_expires_on" in values:
        cleaned["qualification_expires_on"] = _day(problems, "qualification_expires_on",
                                                   values["qualification_expires_on"], EARLIEST, LATEST)
    if "is_active" in values:
        if not isinstance(values["is_active"], bool):
            problems.add("is_active", gettext("Choose yes or no."))
        cleaned["is_active"] = bool(values["is_active"])
    name = cleaned.get("name")
    if name and len(name) <= NAME_MAX:
        taken = Contractor.objects.filter(company=company, name__iexact=name)
        if contractor is not None:
            taken = taken.exclude(pk=contractor.pk)
        if taken.exists():
            problems.add("name", gettext("A contractor of this name is already on record."))
    return cleaned


@transaction.atomic
def create_contractor(actor: Actor, *, company: Company, name: str, service: str = "",
                      qualification_number: str = "", qualification_expires_on: date | None = None,
                      contact_name: str = "", phone: str = "") -> Contractor:
    """A maintenance contractor of `company` (维保单位) with its qualification number and expiry; names are
    unique per company. Records `facilities.contractor.created`."""
    if actor is not None:
        require(actor, MANAGE)
    _check_company(actor, company)
    problems = Problems()
    fields = _clean_contractor(problems, company, {
        "name": name, "service": service, "qualification_number": qualification_number,
        "qualification_expires_on": qualification_expires_on, "contact_name": contact_name, "phone": phone})
    problems.raise_if_any()
    try:
        with transaction.atomic():
            contractor = Contractor.objects.create(company=company, **fields)
    except IntegrityError:
        raise InvalidInput("name", gettext("A contractor of this name is already on record.")) from None
    record_event(contractor, "facilities.contractor.created", actor=_user(actor), data={
        "name": contractor.name, "service": contractor.service,
        "qualification_expires_on": _shown("qualification_expires_on", contractor.qualification_expires_on)})
    return contractor


@transaction.atomic
def update_contractor(actor: Actor, contractor: Contractor, **changes) -> Contractor:
    """Change a contractor's fields (`CONTRACTOR_EDITABLE`); records `facilities.contractor.changed` with the
    fields that differ, nothing when none does."""
    if actor is not None:
        require(actor, MANAGE)
    unknown = [name for name in changes if name not in CONTRACTOR_EDITABLE]
    if unknown:
        raise InvalidInput(unknown[0], gettext("This field cannot be changed."))
    row = Contractor.objects.select_for_update(of=("self",)).select_related("company").get(pk=contractor.pk)
    _check_company(actor, row.company)
    problems = Problems()
    cleaned = _clean_contractor(problems, row.company, changes, contractor=row)
    problems.raise_if_any()
    diff = _apply(row, cleaned)
    if not diff:
        return row
    try:
        with transaction.atomic():
            row.save(update_fields=[*diff.keys()])
    except IntegrityError:
        raise InvalidInput("name", gettext("A contractor of this name is already on record.")) from None
    record_event(row, "facilities.contractor.changed", actor=_user(actor), data=diff)
    return row


# -- how the events read ---------------------------------------------------------------------------------------
def _status_changed(event, fields) -> str:
    text = gettext("Status changed from %(status_from)s to %(status_to)s") % fields
    if fields.raw.get("reason"):
        text = gettext("%(text)s: %(reason)s") % {"text": text, "reason": fields["reason"]}
    return text


def _created(event, fields) -> str:
    data = fields.raw
    text = gettext("Put on the register: %(name)s (%(category)s)") % fields
    where = "".join(part for part in (data.get("building"), data.get("location")) if part)
    if where:
        text = gettext("%(text)s at %(where)s") % {"text": text, "where": where}
    if data.get("contractor"):
        text = gettext("%(text)s; maintained by %(contractor)s") % {"text": text, "contractor": fields["contractor"]}
    return text


register_terms(
    details={"reason": _("reason"), "title": _("title"), "service": _("service"),
             "qualification_expires_on": _("qualification expires")},
    values={
        "status_from": dict(EquipmentStatus.choices), "status_to": dict(EquipmentStatus.choices),
        "field": {"code": _("equipment code"), "category": _("category"), "building": _("building"),
                  "location": _("location"), "model_number": _("model"), "maker": _("maker"),
                  "installed_on": _("installed"), "contractor": _("maintenance contractor"),
                  "warranty_ends_on": _("warranty ends"), "notes": _("notes"), "service": _("service"),
                  "qualification_number": _("qualification number"),
                  "qualification_expires_on": _("qualification expires"), "contact_name": _("contact"),
                  "phone": _("phone")},
    })

register_sentences({
    "facilities.equipment.created": (_created, {"example": {
        "name": "1号楼1单元电梯", "category": "电梯", "building": "1号楼", "location": "1单元",
        "contractor": "上海奥的斯电梯维保有限公司"}}),
    "facilities.equipment.changed": (changed_sentence(_("Equipment record changed")), {"example": {
        "location": ["B1 水泵房", "B2 水泵房"], "warranty_ends_on": ["2025-05-10", "2027-05-10"],
        "contractor": ["上海奥的斯电梯维保有限公司", "日立电梯维保中心"]}}),
    "facilities.equipment.status_changed": (_status_changed, {"example": {
        "status_from": "in_service", "status_to": "stopped", "reason": "更换主板，停用两天"}}),
    "facilities.equipment.document_added": (_("Document added: %(title)s"), {"example": {"title": "年度检验报告"}}),
    "facilities.equipment.photos_added": (_("%(photos)s photos added"), {"example": {"photos": 2}}),
    "facilities.contractor.created": (_("Maintenance contractor added: %(name)s"), {
        "details": ("service", "qualification_expires_on"), "example": {
            "name": "上海奥的斯电梯维保有限公司", "service": "电梯维保",
            "qualification_expires_on": "2027-06-30"}}),
    "facilities.contractor.changed": (changed_sentence(_("Maintenance contractor changed")), {"example": {
        "qualification_number": ["TS3431001-2022", "TS3431001-2026"],
        "qualification_expires_on": ["2026-06-30", "2030-06-30"]}}),
})
