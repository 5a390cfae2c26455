"""Onboarding a project (接管项目): the project with its service standard and level, the default catalogue it
starts with, and the imports of the company's sheets (units, owners, vehicles).

This app sits above places, engines and work orders on purpose: a project is a place (tenancy), its catalogue is
work orders' and billing's, its standard the SLA engine's — only something above all of them may put them
together, so each floor keeps knowing nothing of the ones above it.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from wuye.billing import master, master_io
from wuye.billing import services as billing
from wuye.core.access import Actor, require
from wuye.core.errors import Conflict, InvalidInput
from wuye.core.events import record_event
from wuye.core.workbooks import ImportReport, Limits, cell, read_upload, template, text
from wuye.people import imports as people_imports
from wuye.sla.engine import DEFAULT_STANDARD
from wuye.sla.models import ProjectStandard, ServiceStandard
from wuye.tenancy import imports as tenancy_imports
from wuye.tenancy import services as tenancy
from wuye.tenancy.models import Company, Project, ServiceLevel
from wuye.workorders.catalogue import install_default_catalogue
from wuye.workorders.models import Category, PriceItem


def standards():
    """The service standards a project may follow, the default first."""
    return sorted(ServiceStandard.objects.all(), key=lambda standard: (standard.code != DEFAULT_STANDARD,
                                                                       standard.code))


@transaction.atomic
def create_project(actor: Actor, *, company: Company, code: str, name: str, address: str = "", phone: str = "",
                   service_level: str = "", service_standard: str = DEFAULT_STANDARD, short_code: str = "") -> Project:
    """A new project of `company`, ready to work: it follows `service_standard` (a ServiceStandard code) at
    `service_level`, and starts with the default catalogue — repair and complaint categories, the paid-service
    price list, the charge items (without prices: finance sets the tariffs) — all of which it can edit. One
    transaction: a wrong field (422 naming it) leaves nothing behind. Events: project.created,
    project.standard_chosen, project.catalogue_installed (with the counts) and one per charge item."""
    require(actor, "tenancy.manage_projects")
    standard = ServiceStandard.objects.filter(code=service_standard or DEFAULT_STANDARD).first()
    if standard is None:
        raise InvalidInput("service_standard", _("Choose one of: %(choices)s.")
                           % {"choices": ", ".join(s.code for s in standards())})
    if service_level and service_level not in ServiceLevel.values:
        raise InvalidInput("service_level", _("Choose one of: %(choices)s.")
                           % {"choices": ", ".join(ServiceLevel.values)})
    project = tenancy.create_project(actor, company=company, code=code, name=name, address=address, phone=phone,
                                     service_level=service_level, short_code=short_code)
    ProjectStandard.objects.create(project=project, standard=standard)
    record_event(project, "project.standard_chosen", actor=actor.user, data={"standard": standard.code})
    install_default_catalogue(project)
    items = billing.install_default_charge_items(project)
    record_event(project, "project.catalogue_installed", actor=actor.user, data={
        "categories": Category.objects.filter(project=project).count(),
        "price_items": PriceItem.objects.filter(project=project).count(),
        "charge_items": len(items)})
    return project


@transaction.atomic
def choose_standard(actor: Actor, project: Project, service_standard: str) -> ProjectStandard:
    """The project follows another service standard from now on (clocks already running keep their deadlines)."""
    require(actor, "tenancy.manage_projects")
    standard = ServiceStandard.objects.filter(code=service_standard).first()
    if standard is None:
        raise InvalidInput("service_standard", _("Choose one of: %(choices)s.")
                           % {"choices": ", ".join(s.code for s in standards())})
    return follow_standard(actor.user, project, standard)


def follow_standard(user, project: Project, standard: ServiceStandard) -> ProjectStandard:
    """The one write of a project's service standard (the caller checked who may: `choose_standard` here, the
    quality department's service packages in quality.standards). Event project.standard_chosen."""
    chosen, _created = ProjectStandard.objects.update_or_create(project=project, defaults={"standard": standard})
    record_event(project, "project.standard_chosen", actor=user, data={"standard": standard.code})
    return chosen


def standard_code(project: Project) -> str:
    """The code of the service standard `project` follows (the default when it chose none)."""
    try:
        return project.sla_standard.standard.code
    except ProjectStandard.DoesNotExist:
        return DEFAULT_STANDARD


# -- imports -------------------------------------------------------------------------------------------------
def _import_meters(actor: Actor, project: Project, columns: dict[str, int], rows) -> ImportReport:
    """The meter register (billing's importer), with the template's example row passed over as in the others."""
    example = tuple(text(value) for value in master_io.METER_EXAMPLE)
    kept = [(number, row) for number, row in rows
            if tuple(text(cell(row, columns, name)) for name in master_io.METER_COLUMNS) != example]
    report = master_io.import_meter_rows(actor, project, columns, kept)
    report.rows, report.examples = len(rows), len(rows) - len(kept)
    return report


# kind → (columns, required columns, example row, sheet title, the importer, the permission it needs)
SHEETS = {
    "units": (tenancy_imports.COLUMNS, tenancy_imports.REQUIRED, tenancy_imports.EXAMPLE, "楼栋房屋",
              tenancy_imports.import_units, "tenancy.manage_places"),
    "owners": (people_imports.OWNER_COLUMNS, people_imports.OWNER_REQUIRED, people_imports.OWNER_EXAMPLE,
               "业主信息", people_imports.import_residents, "people.manage_residents"),
    "vehicles": (people_imports.VEHICLE_COLUMNS, people_imports.VEHICLE_REQUIRED, people_imports.VEHICLE_EXAMPLE,
                 "车辆信息", people_imports.import_vehicles, "people.manage_vehicles"),
    # The meter register (not readings: those have their own import, POST /meter-readings/import).
    "meters": (master_io.METER_COLUMNS, master_io.METER_REQUIRED, master_io.METER_EXAMPLE, "仪表",
               _import_meters, master.PERMISSION),
}
KINDS = tuple(SHEETS)
# Bounds checked before the file is parsed (size, unpacked size, rows, shared strings): 20,000 rows is ten
# times a large project's units.
LIMITS = Limits(max_file_bytes=10 * 1024 * 1024, max_unpacked_bytes=50 * 1024 * 1024, max_rows=20_000,
                max_shared_strings=100_000)


def check_kind(kind: str) -> str:
    if kind not in SHEETS:
        raise InvalidInput("kind", _("Choose one of: %(choices)s.") % {"choices": ", ".join(KINDS)})
    return kind


def import_sheet(actor: Actor, project: Project, kind: str, upload) -> ImportReport:
    """Import the company's `kind` sheet (units, owners, vehicles or meters; the template's columns) into
    `project`.
    All or nothing: the report lists every wrong row as (row, column, message) and then nothing was written;
    otherwise the counts of rows created, updated and skipped (already there: uploading again is harmless). A file
    that is not an .xlsx, lacks a required column or is beyond `LIMITS` is refused whole (InvalidInput "file").
    Meters are billing's importer (`billing.master_io.import_meter_rows`); meter readings have their own import
    (`billing.meters.import_readings`)."""
    _columns, required, _example, _title, importer, permission = SHEETS[check_kind(kind)]
    require(actor, permission)
    header, rows = read_upload(upload, required, LIMITS)
    try:
        return importer(actor, project, header, rows)
    except IntegrityError:  # the same rows written meanwhile by another upload: this one's transaction rolled back
        raise Conflict(_("Some of these rows were recorded meanwhile; upload the file again.")) from None


def sheet_template(kind: str) -> bytes:
    """The .xlsx template of a `kind` sheet: the Chinese column headers and one example row (an example row
    left in the file is passed over by the import)."""
    columns, _required, example, title, _importer, _permission = SHEETS[check_kind(kind)]
    return template(title, columns, example, widths=tuple(max(12, 4 * len(name)) for name in columns))
