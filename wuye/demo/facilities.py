"""The facilities part of the demo (issue 13 item 11): for every project of the demo company a register of a few
hundred items (elevators per building entrance, pumps, power cabinets, extinguishers on every floor, hydrants, the
fire alarm panel, clubhouse HVAC, access control and CCTV), its contractors, the default maintenance plans with a
year of task history, two days of operation readings, faults in every state, one past elevator entrapment, hazard
sweeps and a fire drill, and a week of shift handovers.

Built through the facilities services with past `at=` times, so records and their timelines read as history; only
the bulk of the year's task history (thousands of rows) and the routine readings are written in bulk (see
`add_task_history` and `add_readings`). `seed_demo` (and so `make run`) calls `add_demo_facilities` once per
company, after quality, when the company has no equipment yet; the `world` test fixture does not.

Deterministic (seeded). Every part is its own function so one that fails can be found; a part whose service is not
there yet is skipped with a line on stderr (the streams land one by one)."""

from __future__ import annotations

import importlib
import random
import sys
import time as clock_time
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.utils import timezone

from wuye.core.access import Role
from wuye.core.models import Event, Notification
from wuye.demo.builders import demo_projects
from wuye.facilities.models import (
    Equipment,
    EquipmentStatus,
    Fault,
    MaintenanceTask,
    OperationReading,
    PlanKind,
    TaskStatus,
)
from wuye.people.access import actor_for
from wuye.people.services import staff_with_role
from wuye.sla.models import Clock, ClockState
from wuye.tenancy.models import Building, Company, Project, Unit
from wuye.workorders.models import Ticket

SEED = 2026
LATE_SHARE = 0.05  # of the year's past tasks done after their deadline
SKIP_SHARE = 0.02  # skipped with a reason
OVERDUE_LEFT = 4  # past tasks per project left undone on purpose (the overdue list has something to show)
SAMPLE_COMPLETED = 6  # past tasks per project completed through plans.complete_task (full timeline)

# Contractors of the company: (name, service, qualification number, expires in days from today, contact, phone).
# The second elevator contractor's qualification runs out in 20 days, inside the 30-day warning.
CONTRACTORS = (
    ("上海奥的斯电梯维保有限公司", "电梯维保", "TS3131077-2027", 400, "陆志明", "021-62783300"),
    ("日立电梯(中国)上海分公司", "电梯维保", "TS3131235-2026", 20, "何晓峰", "021-64861122"),
    ("上海消安消防工程有限公司", "消防设施维保", "沪消维字2025-0318", 260, "邵建平", "021-54213377"),
)
ELEVATOR_MAKERS = (("奥的斯", "GeN2-MR 1000kg", 0), ("日立", "HGP-1050", 1))
PUMPS = (("格兰富", "CR 32-4"), ("格兰富", "CR 32-4"), ("威乐", "MVI 3204"), ("格兰富", "CR 45-3"))
POWER = (("施耐德", "MNS 进线柜"), ("施耐德", "MNS 出线柜"), ("ABB", "MNS 电容补偿柜"), ("正泰", "GGD 消防专用柜"))
FAULT_STORIES = {
    # category code → [(title, cause, repair done, parts, prevention)]
    "elevator": [("电梯门关不严，运行有异响", "门机皮带老化打滑", "更换门机皮带，调整门刀间隙", "门机皮带 1 条",
                  "门机皮带纳入季度全保养检查清单"),
                 ("电梯按钮失灵，不停本层", "外呼按钮接触不良", "更换外呼按钮板", "外呼按钮板 1 块",
                  "半月保养时逐层试按外呼"),
                 ("电梯平层不准，误差约 3 厘米", "平层感应器移位", "重新调整平层感应器并紧固", "",
                  "保养时复核平层精度")],
    "water_pump": [("生活水泵运行噪音大", "轴承磨损", "更换水泵轴承", "轴承 2 个", "每季度检查轴承温升和噪音"),
                   ("水泵出口压力偏低", "止回阀卡滞", "清洗更换止回阀", "止回阀 1 个", "定期切换主备泵运行")],
    "power": [("配电柜出线回路跳闸", "负载端电缆绝缘破损", "更换破损电缆段，绝缘测试合格", "电缆 6 米",
               "每月红外测温检查接头")],
    "cctv": [("监控摄像头画面无信号", "摄像头电源适配器损坏", "更换电源适配器", "电源适配器 1 个",
              "巡检时核对监控画面")],
    "access_control": [("单元门禁刷卡无反应", "读卡模块损坏", "更换读卡模块，测试正常", "读卡模块 1 个",
                        "每月测试门禁读卡")],
}
SWEEP_AREAS = "地下车库、消防通道、配电房、水泵房、各楼栋楼道"
SWEEP_FINDINGS = [
    {"title": "消防通道堆放杂物", "location": "{b}号楼一层", "severity": "minor", "department": Role.SECURITY},
    {"title": "灭火器压力不足", "location": "{b}号楼 {f} 层", "severity": "minor", "department": Role.SECURITY},
    {"title": "疏散指示灯不亮", "location": "地下车库 B 区", "severity": "major", "department": Role.ENGINEERING},
    {"title": "电缆井门未上锁", "location": "{b}号楼 {f} 层", "severity": "minor", "department": Role.ENGINEERING},
]
POSTS = (("监控中心", Role.SECURITY), ("配电房值班", Role.ENGINEERING), ("东门岗", Role.SECURITY))
SHIFTS = [{"name": "白班", "starts": "08:00"}, {"name": "夜班", "starts": "20:00"}]
SITUATIONS = ["本班运行正常，无异常情况", "夜间巡查一次，设备运行正常", "{b}号楼电梯维保单位上午来做半月保养",
              "外来施工人员已登记，施工结束已离场", "暴雨天气，已检查地下车库排水泵", "快递车辆临停已疏导"]
HANDOVER_ITEMS = [{"name": "对讲机", "count": 2}, {"name": "钥匙串", "count": 1}, {"name": "手电筒", "count": 1}]


# -- plumbing ---------------------------------------------------------------------------------------------------
def _service(module: str, *names: str):
    """The facilities service module, or None (with a line on stderr) while one of `names` is not in it yet."""
    found = importlib.import_module(f"wuye.facilities.{module}")
    missing = [name for name in names if not hasattr(found, name)]
    if missing:
        print(f"Demo facilities: wuye.facilities.{module} has no {', '.join(missing)} yet — part skipped.",
              file=sys.stderr)
        return None
    return found


class _Cast:
    """Who does what in one project: the first staff member of a role (project members before company-wide
    staff), else the company's administrator (the small test world has no engineer in project 2)."""

    def __init__(self, project: Project):
        self.project = project
        self._cache: dict[str, list] = {}
        self.admin = get_user_model().objects.filter(is_superuser=True).order_by("id").first()

    def users(self, role: str) -> list:
        if role not in self._cache:
            users = staff_with_role(role, self.project, include_company_wide=False) \
                or staff_with_role(role, self.project)
            self._cache[role] = users or ([self.admin] if self.admin else [])
        return self._cache[role]

    def user(self, role: str):
        return self.users(role)[0]

    def actor(self, role: str):
        return actor_for(self.user(role))

    def pair(self, role: str) -> tuple:
        """Two different users of the department for a handover (outgoing, incoming); the administrator stands in
        for a missing second (add_duty_staff sees that there is none)."""
        pool = []
        for candidate in (*self.users(role), self.admin):
            if candidate is not None and candidate not in pool:
                pool.append(candidate)
        return pool[0], pool[1] if len(pool) > 1 else pool[0]


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), timezone.get_current_timezone())


def _restamp(since: datetime, moment: datetime) -> None:
    """Give the events and messages a service wrote since `since` (stamped with the wall clock) the moment the
    demo says it happened, so timelines read as history (as demo.tickets does; plain SQL)."""
    adapt = connection.ops.adapt_datetimefield_value
    at_value, since_value = adapt(moment), adapt(since)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {Event._meta.db_table} SET created_at = %s WHERE created_at >= %s",
                       [at_value, since_value])
        cursor.execute(f"UPDATE {Notification._meta.db_table} SET created_at = %s, next_attempt_at = %s,"
                       " sent_at = CASE WHEN sent_at IS NULL THEN NULL ELSE %s END WHERE created_at >= %s",
                       [at_value, at_value, at_value, since_value])


def _past(service):
    """`service` called with a past `at=` (or `held_at=`): what it records is stamped at that moment."""
    def call(*args, **kwargs):
        moment = kwargs.get("at") or kwargs.get("held_at")
        since = timezone.now()
        result = service(*args, **kwargs)
        if moment is not None:
            _restamp(since, moment)
        return result

    return call


# -- parts ------------------------------------------------------------------------------------------------------
def add_contractors(company: Company, today: date, ctx: dict) -> dict:
    """The company's categories (shipped) and its three maintenance contractors."""
    shipped = _service("shipped", "install_categories")
    register = _service("register", "create_contractor")
    if shipped is None or register is None:
        return {}
    ctx["categories"] = shipped.install_categories(company)
    admin = actor_for(get_user_model().objects.filter(is_superuser=True).order_by("id").first())
    ctx["contractors"] = [
        register.create_contractor(admin, company=company, name=name, service=service, qualification_number=number,
                                   qualification_expires_on=today + timedelta(days=days), contact_name=contact,
                                   phone=phone)
        for name, service, number, days, contact, phone in CONTRACTORS]
    return {"categories": len(ctx["categories"]), "contractors": len(ctx["contractors"])}


# Duty staff the demo adds where a project has fewer than two of the department (a handover needs a second
# person of the post's department to confirm it): username stem, names per project.
DUTY_STAFF = {Role.SECURITY: ("baoan", ["何卫国", "许文斌", "彭海军"]),
              Role.ENGINEERING: ("diangong", ["罗志勇", "蒋建新", "唐立平"])}


def add_duty_staff(project: Project, today: date, ctx: dict) -> dict:
    """Security and engineering staff until the project has two of each (the demo logins, same password)."""
    from wuye.people.models import StaffProfile

    index = ctx["projects"].index(project.pk)
    template = get_user_model().objects.filter(username="kefu").first()
    added = 0
    for role, (stem, names) in DUTY_STAFF.items():
        have = len(staff_with_role(role, project, include_company_wide=False))
        for number in range(have, 2):
            username = f"{stem}{index * 2 + number + 1}"  # baoan1, baoan2 in the first project, …
            if get_user_model().objects.filter(username=username).exists():
                continue
            user = get_user_model().objects.create(username=username, first_name=names[(index + number) % len(names)],
                                                   email=f"{username}@demo.wuye.local",
                                                   password=template.password if template else "!")
            profile = StaffProfile.objects.create(user=user, company=project.company, role=role,
                                                  is_supervisor=False)
            profile.projects.set([project])
            added += 1
    return {"staff_added": added}


def add_register(project: Project, today: date, ctx: dict) -> dict:
    """The project's items. The headline items (elevators, pumps, power, fire alarm, HVAC, access control, CCTV)
    go through `register.create_equipment` so their pages show how they came; the hundreds of extinguishers and
    hydrants are written in bulk (a seed is not a user action: no per-row event), as the register import would
    land them."""
    register = _service("register", "create_equipment")
    if register is None or "categories" not in ctx:
        return {}
    categories, (otis, hitachi, fire_contractor) = ctx["categories"], ctx["contractors"]
    cast = _Cast(project)
    engineer = cast.actor(Role.ENGINEERING)
    rng = random.Random(f"{SEED}-{project.code}")
    buildings = list(Building.objects.filter(project=project).order_by("id"))
    entrances: dict[int, list[str]] = {}
    for building_id, entrance in Unit.objects.filter(project=project).values_list("building_id", "entrance") \
            .distinct().order_by("building_id", "entrance"):
        entrances.setdefault(building_id, []).append(entrance or "1")
    made: list[Equipment] = []

    def create(category: str, code: str, name: str, **fields) -> Equipment:
        item = register.create_equipment(engineer, project=project, category=categories[category], code=code,
                                         name=name, **fields)
        made.append(item)
        return item

    # Elevators: one per entrance of a building that has them; a project with none (the small test world's
    # low-rise blocks) still gets one in its first building, so the demo's elevator stories have an elevator.
    lifted = [b for b in buildings if b.has_elevator] or buildings[:1]
    for building in lifted:
        for index, entrance in enumerate(entrances.get(building.pk, ["1"]), start=1):
            maker, model, which = ELEVATOR_MAKERS[(int(building.number or 1) + index) % 2]
            create("elevator", f"DT-{building.number}-{index}", f"{building.name}{entrance}单元电梯",
                   building=building, location=f"{building.name}{entrance}单元", maker=maker, model_number=model,
                   installed_on=date(2016 + int(building.number or 1) % 4, 5, 10),
                   contractor=(otis, hitachi)[which], warranty_ends_on=date(2021, 5, 10))
    # Three pumps in the first project, two in the others (the register differs a little between projects).
    for number, (maker, model) in enumerate(PUMPS[:3 if ctx["first"] == project.pk else 2], start=1):
        create("water_pump", f"SB-B1-{number}", f"{number}号生活水泵", location="B1 水泵房", maker=maker,
               model_number=model, installed_on=date(2016, 3, 1))
    for number, (maker, model) in enumerate(POWER, start=1):
        create("power", f"PD-{number}", model.split()[-1].replace("柜", "") + f"配电柜 {number}", location="配电房",
               maker=maker, model_number=model.split()[0], installed_on=date(2016, 3, 1))
    create("fire_alarm", "XF-1", "火灾报警控制器", location="消防控制室", maker="海湾", model_number="JB-QB-GST200",
           installed_on=date(2016, 4, 1), contractor=fire_contractor)
    for number in (1, 2):
        create("hvac", f"KT-HS-{number}", f"会所空调机组 {number}", location="会所", maker="大金",
               model_number="VRV-X 28HP", installed_on=date(2018, 6, 1), warranty_ends_on=date(2024, 6, 1))
    for number, place in enumerate(("东门", "西门", "地下车库入口"), start=1):
        create("access_control", f"MJ-{number}", f"{place}门禁", location=place, maker="海康威视",
               model_number="DS-K1T671", installed_on=date(2021, 9, 1))
    for number, place in enumerate(("东门岗", "西门岗", "地下车库 A 区", "地下车库 B 区", "中心花园", "会所大堂"),
                                   start=1):
        create("cctv", f"JK-{number}", f"{place}摄像机", location=place, maker="海康威视",
               model_number="DS-2CD3T46", installed_on=date(2021, 9, 1))
    bulk = []
    for building in buildings:
        for floor in range(1, (building.floors or 1) + 1):
            for number in (1, 2):
                bulk.append(Equipment(
                    project=project, category=categories["fire_extinguisher"],
                    code=f"MHQ-{building.number}-{floor}-{number}", name="手提式干粉灭火器 4kg",
                    building=building, location=f"{building.name} {floor}层 {('东', '西')[number - 1]}侧",
                    maker="淮海消防", model_number="MFZ/ABC4",
                    installed_on=date(2024, 3, 1) + timedelta(days=rng.randrange(60)),
                    warranty_ends_on=date(2029, 3, 1)))
        for number in (1, 2):
            bulk.append(Equipment(
                project=project, category=categories["hydrant"], code=f"XHS-{building.number}-{number}",
                name="室内消火栓箱", building=building, location=f"{building.name} 一层" if number == 1
                else f"{building.name} 屋顶试验消火栓", maker="上海消防器材厂", model_number="SG24A65-J",
                installed_on=date(2016, 4, 1), contractor=fire_contractor))
    made += Equipment.objects.bulk_create(bulk, batch_size=500)
    ctx.setdefault("items", {})[project.pk] = made
    return {"equipment": len(made)}


def add_plans(project: Project, today: date, ctx: dict) -> dict:
    """The default plans, started a year ago, and every task they give through today's look-ahead."""
    plans = _service("plans", "install_default_plans", "generate_tasks")
    if plans is None or "categories" not in ctx:
        return {}
    made = plans.install_default_plans(project, ctx["categories"], starts_on=today - timedelta(days=365))
    generated = plans.generate_tasks(today=today, plans=made)
    return {"plans": len(made), "tasks": generated}


def add_fire_safety(project: Project, today: date, ctx: dict) -> dict:
    """Every past task of the sweep plan (twice a month) done as a hazard sweep — with a few findings in the last
    three months, each opening a rectification — and each past task of the drill plan (June's 安全生产月,
    November's 消防日) done as a fire drill with its participants. `fire.record_sweep` / `record_drill` complete
    the tasks, so the plan's history and the sweep and drill lists agree."""
    fire = _service("fire", "record_sweep", "record_drill")
    if fire is None:
        return {}
    cast = _Cast(project)
    security = cast.actor(Role.SECURITY)
    rng = random.Random(f"{SEED}-fire-{project.code}")
    buildings = list(Building.objects.filter(project=project).order_by("id"))
    extinguishers = list(Equipment.objects.filter(project=project, category__code="fire_extinguisher")
                         .order_by("id")[:20])
    horizon = _horizon(today)
    sweep_tasks = list(MaintenanceTask.objects.filter(
        project=project, plan__kind=PlanKind.HAZARD_SWEEP, status=TaskStatus.SCHEDULED, due_on__lt=today)
        .select_related("plan").order_by("due_on"))
    recent_from = today - timedelta(days=92)
    sweeps = findings = recent = 0
    for task in sweep_tasks:
        found = []
        if task.due_on >= recent_from:
            recent += 1
            if recent % 2 == 0:  # every other sweep of the last three months finds something
                for template in rng.sample(SWEEP_FINDINGS, 1 + (recent % 4 == 2)):
                    building = rng.choice(buildings)
                    floor = rng.randint(1, building.floors or 1)
                    finding = {**template, "location": template["location"].format(b=building.number, f=floor),
                               "department": str(template["department"])}
                    if template["title"] == "灭火器压力不足" and extinguishers:
                        finding["equipment"] = rng.choice(extinguishers)
                    found.append(finding)
        _past(fire.record_sweep)(security, project=project, areas=SWEEP_AREAS, findings=found,
                          note="" if found else "未发现隐患", task=task,
                          at=min(_at(task.due_on, 14, 30), horizon))
        sweeps += 1
        findings += len(found)
    drills = 0
    staff = [cast.user(role) for role in (Role.SECURITY, Role.ENGINEERING, Role.CUSTOMER_SERVICE,
                                          Role.PROJECT_MANAGER)]
    names = list(dict.fromkeys(user.get_full_name() or user.first_name or user.username for user in staff))
    names += ["张志刚", "李卫东", "黄国平", "周小兵", "陈海涛", "杨春生"]  # the volunteer fire team (义务消防队)
    for task in MaintenanceTask.objects.filter(project=project, plan__kind=PlanKind.FIRE_DRILL,
                                               status=TaskStatus.SCHEDULED, due_on__lt=today
                                               ).select_related("plan").order_by("due_on"):
        held_on = min(task.due_on.replace(day=9 if task.due_on.month == 11 else 16), today - timedelta(days=1))
        _past(fire.record_drill)(security, project=project, held_at=_at(max(held_on, task.due_on), 15, 0),
                          scenario="地下车库电动车起火，疏散与初期灭火" if task.due_on.month >= 7
                          else "高层住宅厨房起火，楼内疏散演练",
                          participants="\n".join(names), participant_count=len(names) + 8 + 23, owners_count=23,
                          summary="报警后 3 分钟内义务消防队到场，5 分钟完成初期灭火；疏散引导到位。"
                                  "不足：地下车库 B 区广播音量偏小，已报工程部调整。", task=task)
        drills += 1
    return {"sweeps": sweeps, "findings": findings, "drills": drills}


def add_task_history(project: Project, today: date, ctx: dict) -> dict:
    """A year of maintenance done: the past tasks still scheduled, most done on their due day, ~5 % late, ~2 %
    skipped, a few of the last days left overdue on purpose.

    A handful go through `plans.complete_task` / `plans.skip_task` (their pages show the full timeline, events
    and all). The thousands of others are written in bulk with the same fields those functions write — status,
    done at/by, late, checklist results; skip reason — and their `maintenance.task` clocks closed as the SLA
    engine closes them: stopped at the moment done, met when by the deadline (else breached at the deadline, with
    the overrun), cancelled for a skipped task. Per task through the services this part would take minutes."""
    plans = _service("plans", "complete_task", "skip_task")
    if plans is None:
        return {}
    cast = _Cast(project)
    rng = random.Random(f"{SEED}-tasks-{project.code}")
    horizon = _horizon(today)
    past = list(MaintenanceTask.objects.filter(project=project, status=TaskStatus.SCHEDULED, due_on__lt=today)
                .select_related("plan").order_by("due_on", "id"))
    # Left undone on purpose: the latest few of the last five weeks whose deadline has passed (the overdue list
    # and the technician's phone have something to show); sweeps and drills are the fire part's.
    overdue = [task for task in past if task.due_on >= today - timedelta(days=35)
               and task.plan.kind not in (PlanKind.HAZARD_SWEEP, PlanKind.FIRE_DRILL)
               and _at(task.due_on + timedelta(days=1 + task.plan.grace_days), 0) < horizon][-OVERDUE_LEFT:]
    past = [task for task in past if task not in overdue]
    done_by = {role: cast.users(role) for role in (Role.ENGINEERING, Role.SECURITY)}

    def doer(task):
        users = done_by.get(task.plan.responsible_role) or done_by[Role.ENGINEERING]
        return users[task.pk % len(users)]

    def results(task, ok=True):
        return [{"step": step, "ok": ok or index > 0, "note": "" if ok or index > 0 else "已现场处理"}
                for index, step in enumerate(task.plan.checklist or [])]

    counts = {"tasks_done": 0, "tasks_late": 0, "tasks_skipped": 0, "tasks_overdue": len(overdue)}
    # The sample through the services: the latest few of the past, so the newest history reads fully.
    for task in past[-SAMPLE_COMPLETED:]:
        _past(plans.complete_task)(actor_for(doer(task)), task, results=results(task), note="按计划完成",
                            at=min(_at(task.due_on, 10, 30), horizon))
        counts["tasks_done"] += 1
    past = past[:-SAMPLE_COMPLETED]
    skipped_sample = [task for task in past if task.plan.kind == PlanKind.ROUTINE][-1:]
    for task in skipped_sample:
        _past(plans.skip_task)(actor_for(doer(task)), task, reason="电梯停用改造，本次保养顺延",
                               at=_at(task.due_on, 9, 0))
        counts["tasks_skipped"] += 1
    past = [task for task in past if task not in skipped_sample]

    task_type = ContentType.objects.get_for_model(MaintenanceTask)
    clocks = {subject_id: (pk, due_at) for pk, subject_id, due_at in Clock.objects.open().filter(
        subject_type=task_type, key="maintenance.task", subject_id__in=[t.pk for t in past])
        .values_list("pk", "subject_id", "due_at")}
    changed_clocks = []
    for task in past:
        roll = rng.random()
        clock_pk, due_at = clocks.get(task.pk, (None, _at(task.due_on + timedelta(days=1), 0)))
        if roll < SKIP_SHARE:
            task.status, task.skip_reason = TaskStatus.SKIPPED, rng.choice(
                ["设备停用检修，本次顺延", "维保单位改期，下次一并保养", "台风停工"])
            task.completed_at, task.completed_by = _at(task.due_on, 9, 0), doer(task)
            counts["tasks_skipped"] += 1
            if clock_pk:
                changed_clocks.append(Clock(pk=clock_pk, state=ClockState.CANCELLED, stopped_at=task.completed_at,
                                            breached_at=None, overrun=None, next_check_at=None))
            continue
        done_at = _at(task.due_on, rng.choice((9, 10, 13, 14, 15, 16)), rng.randrange(60))
        if roll < SKIP_SHARE + LATE_SHARE:
            late_at = due_at + timedelta(days=rng.randint(1, 4), hours=rng.randint(1, 8))
            if late_at < horizon:
                done_at = late_at
        elif done_at > due_at:  # a deadline earlier than the afternoon of the due day: done in the morning
            done_at = due_at - timedelta(minutes=30)
        late = done_at > due_at
        task.status, task.completed_at, task.completed_by, task.late = TaskStatus.DONE, done_at, doer(task), late
        task.results = results(task, ok=rng.random() > 0.08)
        counts["tasks_late" if late else "tasks_done"] += 1
        if clock_pk:
            changed_clocks.append(Clock(pk=clock_pk, state=ClockState.BREACHED if late else ClockState.MET,
                                        stopped_at=done_at, breached_at=due_at if late else None,
                                        overrun=done_at - due_at, next_check_at=None))
    _update_rows(MaintenanceTask, past, ["status", "completed_at", "completed_by", "late", "results", "skip_reason"])
    _update_rows(Clock, changed_clocks, ["state", "stopped_at", "breached_at", "overrun", "next_check_at"],
                 extra="version = version + 1")
    return counts


def _update_rows(model, objects: list, fields: list[str], *, extra: str = "") -> None:
    """Write `fields` of many rows, each its own values, as one prepared UPDATE run over all of them (Django's
    bulk_update builds a CASE per field and row: minutes for ten thousand tasks). Values go through each field's
    own database preparation, so JSON, durations and times are stored as the ORM stores them."""
    if not objects:
        return
    quote = connection.ops.quote_name
    columns = [model._meta.get_field(name) for name in fields]
    assignments = [f"{quote(column.column)} = %s" for column in columns] + ([extra] if extra else [])
    sql = (f"UPDATE {quote(model._meta.db_table)} SET {', '.join(assignments)} "
           f"WHERE {quote(model._meta.pk.column)} = %s")
    rows = [[column.get_db_prep_save(getattr(obj, column.attname), connection) for column in columns] + [obj.pk]
            for obj in objects]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _horizon(today: date) -> datetime:
    """The latest moment demo history may carry: now, or today's evening for a `today` in the past (tests)."""
    return min(timezone.now(), _at(today, 18, 0))


def _values(limits: dict, rng: random.Random, *, outside: str | None = None) -> dict:
    """A reading within every point's limits (near the middle), or above the highest normal for `outside`."""
    values = {}
    for code, point in limits.items():
        low = point.low if point.low is not None else (point.high * Decimal("0.5") if point.high else Decimal(0))
        high = point.high if point.high is not None else low * 2 + 10
        if code == outside:
            values[code] = float(high + (high - low) * Decimal("0.25") + 1)
            continue
        middle, spread = (low + high) / 2, (high - low) / 2
        values[code] = round(float(middle + spread * Decimal(str(rng.uniform(-0.6, 0.6)))), 1)
    return values


def add_readings(project: Project, today: date, ctx: dict) -> dict:
    """Hourly readings of the last 48 hours for two elevators, the pumps and a power cabinet. The routine ones are
    written in bulk (all within limits: nothing to act on); the latest round of each item goes through
    `operation.record_reading`, and one pump's pressure above its limit there opened a fault (awaiting report)."""
    operation = _service("operation", "record_reading")
    register = _service("register", "limits_for")
    if operation is None or register is None:
        return {}
    rng = random.Random(f"{SEED}-readings-{project.code}")
    items = list(Equipment.objects.filter(project=project, category__code="elevator").order_by("id")[:2]) \
        + list(Equipment.objects.filter(project=project, category__code="water_pump").order_by("id")) \
        + list(Equipment.objects.filter(project=project, category__code="power").order_by("id")[:1])
    engineer = Role.ENGINEERING
    cast = _Cast(project)
    latest = _horizon(today).replace(minute=0, second=0, microsecond=0)
    rows, anomalies = [], 0
    for item in items:
        limits = register.limits_for(item)
        if not limits:
            continue
        recorder = cast.user(engineer)
        for hours_back in range(47, 0, -1):
            rows.append(OperationReading(project=project, equipment=item, recorded_by=recorder,
                                         recorded_at=latest - timedelta(hours=hours_back),
                                         values=_values(limits, rng)))
    OperationReading.objects.bulk_create(rows, batch_size=500)
    live = 0
    for item in items:
        limits = register.limits_for(item)
        if not limits:
            continue
        outside = next(iter(limits)) if item.category.code == "water_pump" and anomalies == 0 else None
        reading = _past(operation.record_reading)(
            cast.actor(engineer), item, values=_values(limits, rng, outside=outside),
            note="出口压力偏高，已复核" if outside else "",
            at=latest - timedelta(minutes=5 if outside else 0), now=latest)
        anomalies += bool(reading.anomalies)
        live += 1
    return {"readings": len(rows) + live, "anomalies": anomalies}


def add_faults(project: Project, today: date, ctx: dict) -> dict:
    """Faults in every state: a year of closed ones with their reports (the fault rate and repair times have
    months to show), one cancelled, and — recent — one reported, one in repair, one awaiting its test, one back
    in service awaiting its report; the operation log's anomaly (add_readings) is the one awaiting report. An
    owner's elevator repair request becomes one of the faults (`faults.fault_from_ticket`)."""
    faults = _service("faults", "report_fault", "act", "fault_from_ticket")
    if faults is None:
        return {}
    cast = _Cast(project)
    rng = random.Random(f"{SEED}-faults-{project.code}")
    engineer = cast.actor(Role.ENGINEERING)
    horizon = _horizon(today)
    by_category = {}
    for item in Equipment.objects.filter(project=project, category__code__in=FAULT_STORIES).select_related(
            "category").order_by("id"):
        by_category.setdefault(item.category.code, []).append(item)
    counts = {"faults": 0}

    def story(code=None):
        code = code or rng.choice([c for c in FAULT_STORIES if c in by_category])
        return by_category[code][rng.randrange(len(by_category[code]))], rng.choice(FAULT_STORIES[code])

    def report(item, tale, at, severity="general"):
        counts["faults"] += 1
        return _past(faults.report_fault)(engineer, item, title=tale[0], severity=severity, at=at,
                                   description="巡检发现" if rng.random() < 0.5 else "值班人员报告")

    def repair(fault, item, tale, *, until="closed", hours=(2, 26)):
        """Carry `fault` from reported as far as `until`, each step a little after the last; the repair takes
        `hours` (drawn), so a few of the year's general faults overran their 24 hours."""
        at = fault.reported_at + timedelta(minutes=rng.randint(15, 50))
        fault = _past(faults.act)(engineer, fault, "start_repair", at=at, contractor=item.contractor)
        if until == "in_repair":
            return fault
        at += timedelta(hours=rng.randint(*hours), minutes=rng.randrange(60))
        fault = _past(faults.act)(engineer, fault, "record_repair", at=at, cause=tale[1], repair_action=tale[2],
                           parts=tale[3])
        if until == "testing":
            return fault
        at += timedelta(minutes=30)
        fault = _past(faults.act)(engineer, fault, "record_test", at=at,
                           runs=[True] * max(item.category.post_repair_test_runs or 1, 1))
        if until == "resolved":
            return fault
        at += timedelta(hours=rng.randint(2, 30))
        return _past(faults.act)(engineer, fault, "close", at=min(at, horizon), prevention=tale[4], cause=tale[1])

    # A year of closed faults, about one a month.
    for month_back in range(11, 0, -1):
        day = today - timedelta(days=30 * month_back + rng.randrange(10))
        item, tale = story()
        repair(report(item, tale, _at(day, rng.randint(8, 17), rng.randrange(60))), item, tale, until="closed")
    cancelled = report(*story("cctv"), _at(today - timedelta(days=9), 10, 5))
    _past(faults.act)(engineer, cancelled, "cancel", at=_at(today - timedelta(days=9), 10, 40),
               reason="复查为网络交换机临时断电，已恢复，非设备故障")
    # Recent: one in each open state, at times within their limits.
    for until, hours_back in (("resolved", 30), ("testing", 12), ("in_repair", 6)):
        item, tale = story("elevator" if until == "testing" else None)
        repair(report(item, tale, horizon - timedelta(hours=hours_back)), item, tale, until=until, hours=(2, 5))
    item, tale = story("power")
    report(item, tale, horizon - timedelta(hours=2))
    # The owner's repair request about an elevator (an existing demo ticket, else one taken now by the front desk).
    elevator = by_category.get("elevator", [None])[0]
    ticket = _elevator_ticket(project, cast)
    if elevator is not None and ticket is not None:
        faults.fault_from_ticket(cast.actor(Role.CUSTOMER_SERVICE), ticket, elevator)
        counts["faults"] += 1
        counts["faults_from_ticket"] = 1
    counts["faults_open"] = Fault.objects.filter(project=project).exclude(status__in=("closed", "cancelled")).count()
    return counts


def _elevator_ticket(project: Project, cast: _Cast):
    """A demo owner's request about an elevator not linked to a fault yet; the small test world has no demo
    tickets, so the front desk takes one by phone."""
    from wuye.workorders.models import Category

    tickets = Ticket.objects.filter(project=project, equipment_fault__isnull=True)
    found = tickets.filter(category__code="elevator-fault").order_by("-created_at").first() \
        or tickets.filter(description__contains="电梯").exclude(category__code="entrapment") \
        .order_by("-created_at").first()
    if found is not None:
        return found
    from wuye.workorders.services import TicketInput, create_ticket

    category = Category.objects.filter(project=project, code="elevator-fault").first()
    unit = Unit.objects.filter(project=project).order_by("building_id", "entrance", "floor", "number").first()
    data = TicketInput(kind="repair", channel="phone", description="电梯门关不严，运行有异响", unit=unit,
                       location=f"{unit.building.name}电梯" if unit else "", category=category,
                       is_public_area=True)
    return create_ticket(cast.actor(Role.CUSTOMER_SERVICE), project=project, data=data)


def add_entrapment(project: Project, today: date, ctx: dict) -> dict:
    """One past elevator entrapment, closed, with every time: our staff on site in 4 minutes, people freed in
    26, the contractor on site in 34 — past its 30-minute limit (the one breach). Its fault was repaired, passed
    its three empty runs and closed with the report. None is left active (it would alarm on every page)."""
    entrapments = _service("entrapments", "start_entrapment", "act")
    faults = _service("faults", "act")
    if entrapments is None or faults is None:
        return {}
    elevator = Equipment.objects.filter(project=project, category__code="elevator").order_by("-id").first()
    if elevator is None:
        return {}
    cast = _Cast(project)
    started = _at(today - timedelta(days=40), 19, 12)
    entrapment = _past(entrapments.start_entrapment)(cast.actor(Role.CUSTOMER_SERVICE), elevator, floor="7",
                                              trapped_count=2, caller="业主来电（轿厢内紧急呼叫）", at=started)
    security = cast.actor(Role.SECURITY)
    engineer = cast.actor(Role.ENGINEERING)
    colleagues = staff_with_role(None, project)
    on_site = cast.user(Role.SECURITY) if cast.user(Role.SECURITY) in colleagues else colleagues[0]
    _past(entrapments.act)(security, entrapment, "staff_arrived", at=started + timedelta(minutes=4), staff=on_site)
    _past(entrapments.act)(engineer, entrapment, "freed", at=started + timedelta(minutes=26), injuries="无人受伤")
    _past(entrapments.act)(engineer, entrapment, "contractor_arrived", at=started + timedelta(minutes=34))
    entrapment.refresh_from_db()
    _past(entrapments.act)(engineer, entrapment, "close", at=started + timedelta(hours=1, minutes=10),
                    summary="轿厢停在 7–8 层之间，持证电梯安全管理员盘车放人，两人无恙。维保单位晚到 4 分钟，已约谈。")
    entrapment.refresh_from_db()
    if entrapment.fault_id:
        fault = entrapment.fault
        at = started + timedelta(hours=1, minutes=30)
        if fault.status == "reported":
            fault = _past(faults.act)(engineer, fault, "start_repair", at=at, contractor=elevator.contractor)
        fault = _past(faults.act)(engineer, fault, "record_repair", at=at + timedelta(hours=3),
                                  cause="门锁回路触点氧化",
                           repair_action="清洁并更换层门门锁触点", parts="门锁触点 2 个")
        fault = _past(faults.act)(engineer, fault, "record_test", at=at + timedelta(hours=3, minutes=30),
                           runs=[True] * max(elevator.category.post_repair_test_runs or 1, 1))
        _past(faults.act)(engineer, fault, "close", at=at + timedelta(days=1), cause="门锁回路触点氧化",
                   prevention="半月保养增加层门门锁触点检查")
    return {"entrapments": 1}


def add_handovers(project: Project, today: date, ctx: dict) -> dict:
    """Three duty posts with day and night handovers for the last seven days, each confirmed ten minutes later by
    a different user — except the latest one, still awaiting confirmation."""
    handovers = _service("handovers", "create_post", "hand_over", "confirm")
    if handovers is None:
        return {}
    cast = _Cast(project)
    rng = random.Random(f"{SEED}-handovers-{project.code}")
    horizon = _horizon(today)
    buildings = list(Building.objects.filter(project=project).values_list("number", flat=True))
    manager = cast.actor(Role.SECURITY)
    written = confirmed = 0
    pending = []
    for name, department in POSTS:
        post = handovers.create_post(manager, project=project, name=name, department=str(department),
                                     shifts=SHIFTS)
        first, second = cast.pair(department)
        for days_back in range(7, -1, -1):
            day = today - timedelta(days=days_back)
            for index, shift in enumerate(SHIFTS):
                # The outgoing shift hands over when the next one starts: the day shift at 20:00, the night shift
                # at 08:00 the next morning.
                handed = _at(day, 20) if index == 0 else _at(day + timedelta(days=1), 8)
                if handed > horizon:
                    continue
                outgoing, incoming = (first, second) if (days_back + index) % 2 else (second, first)
                record = _past(handovers.hand_over)(
                    actor_for(outgoing), post=post, shift_date=day, outgoing_shift=shift["name"],
                    incoming_shift=SHIFTS[1 - index]["name"], at=handed,
                    situation=rng.choice(SITUATIONS).format(b=rng.choice(buildings or ["1"])),
                    items=HANDOVER_ITEMS, open_matters="" if rng.random() < 0.7 else "东门道闸抬杆偶有延迟，已报工程部")
                written += 1
                pending.append((record, incoming, handed))
    pending.sort(key=lambda row: row[2])
    for record, incoming, handed in pending[:-1]:
        _past(handovers.confirm)(actor_for(incoming), record, note="已清点，无误", at=handed + timedelta(minutes=10))
        confirmed += 1
    return {"posts": len(POSTS), "handovers": written, "confirmed": confirmed}


# Per project, in order: the plans' tasks need the register; sweeps and the drill are done on their tasks before
# the rest of the year's tasks are closed in bulk; readings and the entrapment add faults after the history.
PROJECT_PARTS = (add_duty_staff, add_register, add_plans, add_fire_safety, add_task_history, add_readings, add_faults,
                 add_entrapment, add_handovers)


def add_demo_facilities(company: Company, today: date | None = None) -> dict:
    """The facilities demo for every project of `company`, once (a company with equipment already has it: returns
    {"skipped": True}). Returns counts per part (summed over the projects) and "seconds" per part."""
    today = today or timezone.localdate()
    if Equipment.objects.filter(project__company=company).exists():
        return {"skipped": True, "seconds": {}}
    results: dict = {"seconds": {}}
    ctx: dict = {}

    def run(part, *args):
        started = clock_time.monotonic()
        with transaction.atomic():  # one commit per part: quick on SQLite, and a failing part leaves nothing half
            counts = part(*args, today, ctx) or {}
        name = part.__name__
        results["seconds"][name] = round(results["seconds"].get(name, 0) + clock_time.monotonic() - started, 2)
        for key, value in counts.items():
            results[key] = results.get(key, 0) + value

    run(add_contractors, company)
    projects = list(demo_projects(company))
    ctx["first"] = projects[0].pk if projects else None
    ctx["projects"] = [project.pk for project in projects]
    for project in projects:
        for part in PROJECT_PARTS:
            run(part, project)
    results["equipment_faulty"] = Equipment.objects.filter(project__company=company,
                                                           status=EquipmentStatus.FAULTY).count()
    return results
