"""Builds the demo company of SPEC §10 and, for benchmarks, large projects.

Demo rows are written in bulk (a seed is not a user action, so no per-row events); one event records the seed.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction

from wuye.core.access import Role
from wuye.core.events import record_event
from wuye.core.models import WorkCalendar
from wuye.core.outbox import notify
from wuye.people.models import Relation, Residency, Resident, StaffProfile, Vehicle, VehicleKind
from wuye.tenancy.models import Building, Company, Project, Unit, UnitKind
from wuye.workorders.catalogue import install_default_catalogue

from .generators import PeopleGenerator

DEMO_PASSWORD = "wuye-demo"
COMPANY_NAME = "锦华物业服务有限公司"


@dataclass(frozen=True)
class ProjectPlan:
    code: str
    name: str
    address: str
    buildings: int
    floors: int
    entrances: int
    flats_per_floor: int  # per entrance
    short_code: str = ""  # the number prefix of its receipts and notices; empty: DEMO_SHORT_CODES, else derived


# 锦华苑 and 翠湖湾 as their clerks say them: receipts JH-2026-000123, CH-2026-000045.
DEMO_SHORT_CODES = {"jinhua-garden": "JH", "cuihu-bay": "CH"}

DEMO_PROJECTS = (
    ProjectPlan("jinhua-garden", "锦华苑", "上海市浦东新区锦绣路 1888 弄", 12, 16, 2, 3),
    ProjectPlan("cuihu-bay", "翠湖湾", "上海市闵行区虹梅南路 2500 弄", 8, 18, 2, 3),
)

STAFF = (
    # username, name, role, project index (None = all projects), supervisor
    ("kefu", "陈静", Role.CUSTOMER_SERVICE, 0, True),
    ("gongcheng", "王强", Role.ENGINEERING, 0, True),
    ("zhixu", "刘军", Role.SECURITY, 0, True),
    ("huanjing", "赵丽", Role.ENVIRONMENT, 0, True),
    ("caiwu", "孙敏", Role.FINANCE, 0, False),
    ("jingli", "周建华", Role.PROJECT_MANAGER, 0, False),
    ("pinzhi", "吴晓燕", Role.QUALITY, None, False),
    ("kefu2", "郑欣怡", Role.CUSTOMER_SERVICE, 1, True),
)

LOGINS = (
    ("admin", "company administrator (superuser)"),
    ("kefu", "customer service, project 1 (锦华苑)"),
    ("gongcheng", "engineering, project 1"),
    ("zhixu", "order/security, project 1"),
    ("huanjing", "environment, project 1"),
    ("caiwu", "finance, project 1"),
    ("jingli", "project manager, project 1"),
    ("pinzhi", "company quality department, all projects"),
    ("kefu2", "customer service, project 2 (翠湖湾) only"),
    ("yezhu", "owner of 1-1-101 in project 1"),
    ("yezhu2", "owner of 1-1-101 in project 2"),
)


class Progress:
    """A one-line progress bar on stderr (only when it is a terminal or asked for)."""

    def __init__(self, total: int, label: str, enabled: bool = True):
        self.total, self.label, self.done = max(total, 1), label, 0
        self.enabled = enabled

    def advance(self, count: int) -> None:
        self.done += count
        if self.enabled:
            filled = int(30 * self.done / self.total)
            sys.stderr.write(f"\r{self.label} [{'#' * filled}{'.' * (30 - filled)}] {self.done:,}/{self.total:,}")
            if self.done >= self.total:
                sys.stderr.write("\n")
            sys.stderr.flush()


def demo_exists() -> bool:
    return Company.objects.filter(name=COMPANY_NAME).exists()


def _user(username: str, name: str, password: str = "", **extra):
    """A demo login; `password` is a ready hash of DEMO_PASSWORD (hashed once per demo: PBKDF2 costs ~0.25 s)."""
    user_model = get_user_model()
    user = user_model(username=username, first_name=name, email=f"{username}@demo.wuye.local", **extra)
    user.password = password or make_password(DEMO_PASSWORD)
    user.save()
    return user


def populate_project(project: Project, plan: ProjectPlan, people: PeopleGenerator, *, chunk: int = 5000,
                     progress: Progress | None = None, occupancy: float = 0.92) -> int:
    """Buildings, units, residents, residencies and vehicles of one project, in bulk. Returns units created."""
    rng = people.rng
    buildings = Building.objects.bulk_create(
        Building(project=project, number=str(b), name=f"{b}号楼", floors=plan.floors, has_elevator=plan.floors > 6)
        for b in range(1, plan.buildings + 1)
    )
    areas = (Decimal("89.50"), Decimal("96.32"), Decimal("118.76"), Decimal("128.40"), Decimal("143.05"))
    pending_units: list[Unit] = []
    created = 0

    def flush():
        nonlocal created
        if not pending_units:
            return
        units = Unit.objects.bulk_create(pending_units)
        _populate_households(project, units, people, occupancy)
        created += len(units)
        if progress:
            progress.advance(len(units))
        pending_units.clear()

    for building in buildings:
        for entrance in range(1, plan.entrances + 1):
            for floor in range(1, plan.floors + 1):
                for flat in range(1, plan.flats_per_floor + 1):
                    pending_units.append(Unit(
                        project=project, building=building, entrance=str(entrance), number=f"{floor}{flat:02d}"
                        if plan.entrances == 1 else f"{entrance}-{floor}{flat:02d}",
                        floor=floor, area=areas[(flat + floor) % len(areas)],
                        kind=UnitKind.COMMERCIAL if floor == 1 and flat == 1 and entrance == 1 and rng.random() < 0.2
                        else UnitKind.RESIDENTIAL,
                    ))
                    if len(pending_units) >= chunk:
                        flush()
    flush()
    return created


def _populate_households(project, units, people: PeopleGenerator, occupancy: float) -> None:
    rng = people.rng
    residents, links = [], []
    for unit in units:
        if rng.random() > occupancy:
            continue  # unsold or vacant
        moved_in = date(2019, 6, 1) + timedelta(days=rng.randrange(2000))
        household = [(Relation.OWNER, True)]
        if rng.random() < 0.35:
            household.append((Relation.CO_OWNER, True))
        household += [(Relation.FAMILY, False)] * rng.choice((0, 0, 1, 2))
        if rng.random() < 0.08:
            household.append((Relation.TENANT, True))
        for relation, with_id in household:
            resident = Resident(project=project, name=people.name(), phone=people.phone(),
                                id_number=people.id_number() if with_id else "")
            residents.append(resident)
            links.append((unit, resident, relation, moved_in))
    Resident.objects.bulk_create(residents)
    Residency.objects.bulk_create(
        Residency(unit=unit, resident=resident, relation=relation, started_on=since)
        for unit, resident, relation, since in links
    )
    Vehicle.objects.bulk_create(
        Vehicle(project=project, resident=resident, plate=plate,
                kind=VehicleKind.NEW_ENERGY if len(plate) == 8 else VehicleKind.CAR)
        for _, resident, relation, _ in links
        if relation == Relation.OWNER and rng.random() < 0.45
        for plate in [people.plate()]
    )


@transaction.atomic
def build_demo_company(progress: bool = False, plans: tuple[ProjectPlan, ...] = DEMO_PROJECTS,
                       tickets: int = 0, billing: bool = False) -> Company:
    """The §10 demo: one company, two projects, ~2,000 units with households, staff and owner logins.

    Tests pass smaller `plans` to get the same people and logins over a handful of units. `tickets` adds about
    that many work orders of the last 30 days through the real services (demo.tickets; `seed_demo` and so
    `make run` ask for DEMO_TICKETS); the default is none, so fixtures stay fast and make their own tickets.
    `billing` adds four months of fees, meters, payments and arrears (demo.billing; `seed_demo` asks for it).
    """
    people = PeopleGenerator(seed=2026)
    calendar, _ = WorkCalendar.objects.get_or_create(name="标准工作时间")
    company = Company.objects.create(name=COMPANY_NAME, credit_code="91310115MA1K4ABC2X")
    total = sum(p.buildings * p.floors * p.entrances * p.flats_per_floor for p in plans)
    bar = Progress(total, "Demo units", enabled=progress)
    projects = []
    for plan in plans:
        project = Project.objects.create(company=company, code=plan.code, name=plan.name, address=plan.address,
                                         short_code=plan.short_code or DEMO_SHORT_CODES.get(plan.code, ""),
                                         phone="021-5888" + str(len(projects) + 1).zfill(4), work_calendar=calendar)
        populate_project(project, plan, people, progress=bar)
        install_default_catalogue(project)
        projects.append(project)

    password = make_password(DEMO_PASSWORD)  # one hash for every demo login: the password is public anyway
    admin = _user("admin", "系统管理员", password, is_staff=True, is_superuser=True)
    for username, name, role, project_index, supervisor in STAFF:
        user = _user(username, name, password, is_staff=role in (Role.COMPANY_ADMIN,))
        profile = StaffProfile.objects.create(user=user, company=company, role=role, is_supervisor=supervisor,
                                              all_projects=project_index is None, phone=people.phone())
        if project_index is not None:
            profile.projects.set([projects[project_index]])

    for username, project in (("yezhu", projects[0]), ("yezhu2", projects[1])):
        homes = Unit.objects.filter(project=project, kind=UnitKind.RESIDENTIAL)
        unit = homes.order_by("building_id", "entrance", "floor", "number").first()
        owner = (Resident.objects.filter(residencies__unit=unit, residencies__relation=Relation.OWNER).first())
        if owner is None:
            owner = Resident.objects.create(project=project, name=people.name(), phone=people.phone(),
                                            id_number=people.id_number())
            Residency.objects.create(unit=unit, resident=owner, relation=Relation.OWNER)
        owner.user = _user(username, owner.name, password)
        owner.save(update_fields=["user"])
        notify(owner.user, f"欢迎使用{project.name}业主服务", f"您的房屋 {unit.label} 已关联到本账号。", link="/h5/")

    record_event(company, "demo.seeded", actor=admin,
                 data={"projects": [p.code for p in projects], "units": Unit.objects.count()})
    if tickets:
        add_demo_tickets(company, tickets, progress=progress)
    if billing:
        add_demo_billing(company)
    return company


def add_demo_billing(company: Company) -> dict:
    """Charge items, tariffs, meters and four months of bills and payments (see wuye.demo.billing)."""
    from .billing import build_demo_billing

    return build_demo_billing(company)


def add_demo_tickets(company: Company, count: int, progress: bool = False):
    """About `count` demo work orders of the last 30 days (see wuye.demo.tickets); returns its summary."""
    from .tickets import build_demo_tickets

    bar = Progress(1, "Demo tickets", enabled=False)

    def total(steps: int) -> None:
        nonlocal bar
        bar = Progress(steps, "Demo ticket steps", enabled=progress)

    with transaction.atomic():
        return build_demo_tickets(company, count, total=total, progress=lambda count: bar.advance(count))


SCALE_CODE_PREFIX = "bench"  # the codes of the benchmark's projects (bench, bench-billing)


def demo_projects(company):
    """The demo community's own projects of `company`: a benchmark project (`build_scale_project`) shares the
    company but is no part of the demo — a later `seed_demo` (the billing bench seeds again) must not hand over its
    481 buildings or post notices to its 200,000 residents."""
    return Project.objects.filter(company=company).exclude(code__startswith=SCALE_CODE_PREFIX).order_by("id")


def build_scale_project(units: int, progress: bool = True, code: str = "bench") -> Project:
    """A benchmark project with about `units` units (26 floors × 2 entrances × 4 flats per building)."""
    if not code.startswith(SCALE_CODE_PREFIX):
        raise ValueError(f"a benchmark project's code starts with {SCALE_CODE_PREFIX!r}: demo_projects() leaves it out")
    company = Company.objects.filter(name=COMPANY_NAME).first() or Company.objects.create(name=COMPANY_NAME)
    per_building = 26 * 2 * 4
    plan = ProjectPlan(code, f"压测小区 {units:,}", "上海市", max(1, -(-units // per_building)), 26, 2, 4)
    if (existing := Project.objects.filter(company=company, code=code).first()) is not None:
        return existing
    project = Project.objects.create(company=company, code=code, name=plan.name, address=plan.address)
    bar = Progress(plan.buildings * per_building, "Scale units", enabled=progress)
    populate_project(project, plan, PeopleGenerator(seed=units), progress=bar)
    return project
