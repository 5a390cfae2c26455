"""The environment checks (SPEC §5, seed 001 ch.5 §1–2): the supervisor's daily round (每日巡查), the weekly spot
check (每周抽检) and the weekly greening check (每周检查) are quality inspections — one mechanism — on the
environment check sheets this module ships into each company's standards library. Scoring, submitting and the
rectification of every failed item are quality's (`wuye.quality.inspections`); this module only installs the
sheets and plans, starts a zone's spot check, and reads the environment department's inspections."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wuye.core.access import Actor, Role, may_read, require_read
from wuye.tenancy.models import Company, Project

CLEANING_SHEET = "environment-cleaning"
GREENING_SHEET = "environment-greening"
SHEETS = (CLEANING_SHEET, GREENING_SHEET)


def _item(number: int, text: str, points: str = "10", deduction: str = "2", *, severity: str = "minor") -> dict:
    return {"number": number, "text": text, "points": points, "deduction": deduction, "critical": False,
            "severity": severity, "department": Role.ENVIRONMENT.value}


# The check sheets (《清洁卫生检查记录表》《绿化养护检查记录表》, seed 001 ch.5 §1–2), in the shape
# `quality.standards.create_standard` takes. Ten points an item, two off per failure: a sheet is out of 100.
ENVIRONMENT_STANDARDS = (
    {"code": CLEANING_SHEET, "name": "清洁卫生检查", "purpose": "daily",
     "description": "环境管理部每日巡查、每周抽检公共区域清洁卫生（主干道、公共卫生间、电梯轿厢、楼道、垃圾桶）。",
     "categories": [
         {"number": 1, "name": "道路与广场", "items": [
             _item(1, "路面无垃圾杂物、无积水，雨后及时清扫。"),
             _item(2, "广场、儿童乐园地面干净，座椅、设施无污渍。"),
         ]},
         {"number": 2, "name": "公共卫生间", "items": [
             _item(3, "卫生间无异味、无积水，每2小时清洁一次，记录齐全。"),
             _item(4, "洗手台、便池洁净，卫生间每天消毒一次。", severity="major"),
         ]},
         {"number": 3, "name": "电梯与楼道", "items": [
             _item(5, "电梯轿厢已消毒（每天一次），有消毒记录。", severity="major"),
             _item(6, "楼道无堆放杂物，地面、扶手无积灰、无小广告。"),
             _item(7, "大堂地面、门窗玻璃干净明亮。"),
         ]},
         {"number": 4, "name": "垃圾收集", "items": [
             _item(8, "垃圾桶清洁、无满溢，垃圾日产日清。"),
             _item(9, "垃圾分类投放点整洁，无异味、无散落垃圾。"),
             _item(10, "清洁人员佩戴防护用品，清洁用品定点存放。"),
         ]},
     ]},
    {"code": GREENING_SHEET, "name": "绿化养护检查", "purpose": "daily",
     "description": "环境管理部每周检查绿化养护（《绿化养护检查记录表》），不符合要求的区域要求整改。",
     "categories": [
         {"number": 1, "name": "草坪", "items": [
             _item(1, "草坪平整、无杂草，修剪整齐。"),
             _item(2, "无黄土裸露、无积水。"),
         ]},
         {"number": 2, "name": "乔灌木", "items": [
             _item(3, "灌木、绿篱修剪整齐，树形美观。"),
             _item(4, "无枯死苗木、无枯枝黄叶。"),
             _item(5, "树木支撑完好，冬季防寒措施到位。"),
         ]},
         {"number": 3, "name": "病虫害与养护", "items": [
             _item(6, "无病虫害（如蚜虫），防治以生物防治为主。", severity="major"),
             _item(7, "按季节浇水、施肥，苗木无干旱、长势良好。"),
             _item(8, "肥料、农药符合环保要求，存放安全。"),
         ]},
         {"number": 4, "name": "绿地环境", "items": [
             _item(9, "绿地内无垃圾、落叶及时清理。"),
             _item(10, "绿化标识牌完好清晰。"),
         ]},
     ]},
)

# (sheet, frequency, what it is) of the plans `install_environment_checks` makes.
CHECK_PLANS = ((CLEANING_SHEET, "daily"), (CLEANING_SHEET, "weekly"), (GREENING_SHEET, "weekly"))


@transaction.atomic
def install_environment_standards(company: Company) -> dict:
    """The environment check sheets (清洁卫生检查, 绿化养护检查) in `company`'s standards library. Idempotent: a sheet
    already there (by code), even one the quality department revised, is left as it is. Returns {code: Standard}."""
    from wuye.quality.models import Standard
    from wuye.quality.standards import create_standard

    installed = {}
    for sheet in ENVIRONMENT_STANDARDS:
        standard = Standard.objects.filter(company=company, code=sheet["code"]).first()
        if standard is None:
            standard = create_standard(None, company, code=sheet["code"], name=sheet["name"],
                                       purpose=sheet["purpose"], description=sheet["description"],
                                       categories=sheet["categories"], note=_("Shipped with the product"))
        installed[sheet["code"]] = standard
    return installed


def _system_actor(project: Project) -> Actor:
    """The product itself installing a project's check plans: the company's administration, nobody signed in."""
    return Actor(user=None, role=Role.COMPANY_ADMIN, company_id=project.company_id, project_ids=None)


@transaction.atomic
def install_environment_checks(project: Project, supervisor, *, actor: Actor | None = None,
                               starts_on: date | None = None) -> list:
    """The environment department's regular checks of `project` as quality inspection plans with `supervisor` (an
    environment supervisor of the project) as inspector: the daily round and the weekly spot check on the cleaning
    sheet, the weekly greening check on the greening sheet (weekly: Mondays). Made through
    `quality.inspections.create_plan` by `actor` (the product when None). Idempotent: a plan the project already
    has for a sheet and frequency is kept. Returns the three plans."""
    from wuye.quality.inspections import create_plan
    from wuye.quality.models import InspectionPlan

    standards = install_environment_standards(project.company)
    actor = actor or _system_actor(project)
    starts_on = starts_on or timezone.localdate()
    plans = []
    for code, frequency in CHECK_PLANS:
        plan = (InspectionPlan.objects.filter(project=project, standard=standards[code], frequency=frequency)
                .order_by("id").first())
        if plan is None:
            plan = create_plan(actor, project=project, standard=standards[code], frequency=frequency,
                               starts_on=starts_on, inspector=supervisor)
        plans.append(plan)
    return plans


# -- reading -----------------------------------------------------------------------------------------------------------
def environment_inspections(actor: Actor):
    """The environment department's inspections (on the environment check sheets) in the actor's projects; none
    for whoever may not read the environment."""
    from wuye.quality.inspections import visible_inspections

    rows = visible_inspections(actor).filter(version__standard__code__in=SHEETS)
    return rows if may_read(actor, "environment.cleaning") else rows.none()


def checks_on(actor: Actor, day: date):
    """The environment department's inspections of `day` (home page, the checks page)."""
    return environment_inspections(actor).filter(scheduled_for=day).order_by("project_id", "version__standard__code",
                                                                             "id")


def checks_between(actor: Actor, since: date, until: date):
    """The environment department's inspections from `since` to `until`, newest first."""
    return environment_inspections(actor).filter(scheduled_for__gte=since, scheduled_for__lte=until) \
        .order_by("-scheduled_for", "project_id", "id")


@dataclass
class CheckRow:
    inspection: object
    rectifications: list = field(default_factory=list)

    @property
    def open_rectifications(self) -> int:
        return sum(1 for rect in self.rectifications if rect.status in ("open", "submitted"))


def with_rectifications(inspections) -> list[CheckRow]:
    """Each inspection with the rectifications its failed items opened (two queries whatever the count)."""
    from django.contrib.contenttypes.models import ContentType

    from wuye.quality.models import InspectionScore, Rectification

    inspections = list(inspections)
    scores = dict(InspectionScore.objects.filter(inspection__in=inspections).values_list("pk", "inspection_id"))
    by_inspection: dict[int, list] = {}
    if scores:
        rects = Rectification.objects.filter(source_type=ContentType.objects.get_for_model(InspectionScore),
                                             source_id__in=list(scores)).order_by("opened_at", "id")
        for rect in rects:
            by_inspection.setdefault(scores[rect.source_id], []).append(rect)
    return [CheckRow(inspection, by_inspection.get(inspection.pk, [])) for inspection in inspections]


def zone_scores(actor: Actor, zones) -> dict:
    """{zone id: its latest submitted check} — a zone's score is an inspection whose place is the zone's name."""
    from wuye.quality.models import InspectionStatus

    zones = list(zones)
    if not zones:
        return {}
    rows = environment_inspections(actor).filter(
        status=InspectionStatus.SUBMITTED, place__in=[zone.name for zone in zones],
        project_id__in={zone.project_id for zone in zones}).order_by("-submitted_at", "-id")
    latest = {}
    for row in rows:
        latest.setdefault((row.project_id, row.place), row)
    return {zone.pk: latest[(zone.project_id, zone.name)] for zone in zones
            if (zone.project_id, zone.name) in latest}


@transaction.atomic
def start_zone_check(actor: Actor, zone, *, day: date | None = None):
    """Start a spot check (抽检) of a cleaning zone on the cleaning sheet: the environment department's own
    inspection (kind self-inspection), its place the zone's name, to be scored and submitted on quality's page.
    The zone must be in the actor's scope (the caller found it with `get_scoped_or_404`)."""
    from wuye.quality.inspections import create_inspection

    require_read(actor, "environment.cleaning")
    standards = install_environment_standards(zone.project.company)
    day = day or timezone.localdate()
    return create_inspection(actor, project=zone.project, standard=standards[CLEANING_SHEET], kind="self",
                             department=Role.ENVIRONMENT.value, scheduled_for=day,
                             title=_("Spot check: %(zone)s") % {"zone": zone.name}, place=zone.name)
