"""A month of demo work orders (§2), made through the real service functions.

Every ticket is received with `create_ticket` and moved with `perform`, as the people of the demo would do it, at
moments in the past (`now=`), so its events, SLA clocks (met, breached, still running, overdue, at risk), charge
lines and return visits are what the product itself would have recorded. The SLA sweep runs every 15 simulated
minutes in between, so warnings and escalations arrive when they would have. Plans are drawn from a seeded random
generator (same seed, same tickets and flows; the calendar dates follow today), then played in time order.

The service functions stamp their events and messages with the wall clock; each step re-stamps what it wrote with
its simulated moment (and a cancellation's clocks with their stop time), so timelines read as they happened.

`build_demo_tickets(company)` is called by `seed_demo` (see builders.build_demo_company(tickets=…)); tests create
their own tickets instead.
"""

from __future__ import annotations

import heapq
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from wuye.core.access import Actor, Role
from wuye.core.calendar import calendar_for
from wuye.core.models import Event, Notification
from wuye.demo.builders import demo_projects
from wuye.people.access import actor_for
from wuye.people.models import Relation, Residency, StaffProfile
from wuye.sla import engine as sla
from wuye.sla.models import Clock
from wuye.tenancy.models import Project, UnitKind
from wuye.tenancy.rules import update_rules
from wuye.workorders.models import Category, Kind, PriceItem, Ticket, Urgency, WarrantyTerm
from wuye.workorders.services import ActionInput, TicketInput, create_ticket, perform

DEMO_TICKETS = 250
DEMO_DAYS = 30
SWEEP_EVERY = timedelta(minutes=15)
MIN = timedelta(minutes=1)
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)

# Engineers the demo needs beyond the §10 logins (project 2 has no engineer there); password as the others.
EXTRA_STAFF = (
    # username, name, role, project index, supervisor
    ("weixiu", "李建国", Role.ENGINEERING, 0, False),
    ("gongcheng2", "马涛", Role.ENGINEERING, 1, True),
)
WARRANTY_CONTRACTOR = ("华建集团住宅维保中心", "021-63218800")

# category code → (what people say, what the engineer did, parts from the price list)
REPAIR_TEXTS = {
    "burst-pipe": (["厨房水管爆裂，水喷了一地，已关进户总阀", "卫生间进水管接头爆开，楼下已经渗水"],
                   "更换爆裂管段及接头，试压无渗漏", [("angle-valve", "1"), ("labour-hour", "2")]),
    "leak": (["卫生间天花板渗水，怀疑楼上漏水", "厨房水槽下方管道滴水"],
             "更换老化密封圈和角阀，观察半小时无渗漏", [("angle-valve", "1"), ("labour-basic", "1")]),
    "blockage": (["厨房下水堵塞，水排不下去", "卫生间地漏返味、排水很慢"],
                 "疏通下水管道，清出油污杂物", [("drain-clear", "1")]),
    "tap": (["洗手盆龙头关不紧，一直滴水", "厨房龙头把手断了"], "更换水龙头", [("tap", "1"), ("labour-basic", "1")]),
    "power-loss": (["家里突然全屋停电，总闸合不上", "厨房回路跳闸，冰箱没电"],
                   "排查为厨房插座短路，隔离故障回路后恢复供电", [("labour-hour", "1.5")]),
    "socket": (["客厅插座松动，插头插上有火花", "卧室开关面板按不动"], "更换插座面板",
               [("socket", "2"), ("labour-basic", "1")]),
    "lighting": (["卫生间吸顶灯不亮", "走廊灯闪烁"], "更换灯泡并紧固接线", [("led-bulb", "2"), ("labour-basic", "1")]),
    "lock": (["入户门锁芯卡住，钥匙拧不动", "防盗门反锁后打不开"], "更换门锁锁芯",
             [("lock-cylinder", "1"), ("labour-basic", "1")]),
    "window": (["卧室纱窗脱轨", "客厅窗户关不严，漏风"], "调整滑轨和合页，更换密封条", [("labour-basic", "1")]),
    "waterproofing": (["阳台外墙雨后渗水，墙面发霉", "卫生间与卧室相邻墙面返潮"],
                      "重做阳台外墙防水层，淋水试验合格", []),
    "wall-crack": (["客厅墙面出现细长裂缝", "卧室吊顶与墙面交接处开裂"], "裂缝处理并修补粉刷", []),
    "entrapment": (["电梯困人，轿厢内两人", "电梯停在两层之间，里面有老人"],
                   "会同维保单位盘车放人，排查为门锁回路故障并修复", []),
    "elevator-fault": (["电梯门关不严，运行有异响", "电梯按钮失灵，不停本层"], "通知维保单位检修，更换门机皮带", []),
    "public-lighting": (["地下车库B区照明灯不亮", "楼道声控灯不亮"], "更换公共照明灯具", []),
    "access-control": (["单元门禁刷卡无反应", "可视对讲没有声音"], "更换门禁读卡模块，测试正常", []),
    "public-plumbing": (["小区主干道井盖冒水", "地下车库排水沟堵塞积水"], "清理疏通公共排水管道", []),
}
EMERGENCY_REPAIRS = ("burst-pipe", "power-loss", "entrapment")
PUBLIC_REPAIRS = ("entrapment", "elevator-fault", "public-lighting", "access-control", "public-plumbing")
GENERAL_REPAIR_WEIGHTS = {
    "leak": 14, "blockage": 12, "tap": 12, "socket": 8, "lighting": 10, "lock": 7, "window": 6, "wall-crack": 3,
    "waterproofing": 3, "public-lighting": 6, "access-control": 6, "public-plumbing": 3, "elevator-fault": 4,
}
PUBLIC_PLACES = ("{b}号楼{e}单元电梯", "{b}号楼{e}单元大堂", "地下车库{b}号楼出口", "{b}号楼{e}单元楼道")

COMPLAINT_TEXTS = {
    "attitude": ["前台工作人员态度冷淡，反映的问题没人跟进", "打客服电话多次无人接听"],
    "engineering-quality": ["上周刚修好的水管又漏了，维修质量太差", "维修后墙面没有清理，留下一地垃圾"],
    "fees": ["物业费账单面积与房产证不符", "车位月卡到期未提醒就被收了临时停车费"],
    "management": ["外来车辆随意进出小区，管理松散", "快递柜前堆放杂物长期无人清理"],
    "facilities": ["儿童游乐区滑梯损坏一个月无人修", "健身器材螺丝松动存在安全隐患"],
    "neighbour": ["楼上装修晚上十点后还在施工，噪音很大", "邻居在楼道堆放杂物，占用消防通道"],
    "other": ["小区流浪猫太多，夜里叫声影响休息", "垃圾分类点气味大，希望增加清运次数"],
}
RESOLUTIONS = {
    Role.CUSTOMER_SERVICE: "已约谈相关人员，完善来电登记与跟进流程",
    Role.ENGINEERING: "安排工程主管复查返修，确认问题已彻底解决",
    Role.FINANCE: "核对账单并更正，差额已退回业主预存款",
    Role.PROJECT_MANAGER: "调整管理措施并在小区公告栏公示",
    Role.SECURITY: "秩序部上门协调，并加强该区域巡查",
    Role.ENVIRONMENT: "环境部已清理并增加保洁频次",
}
FEEDBACK_TEXTS = {
    Kind.INQUIRY: [("物业费可以按年缴纳吗？有没有优惠", "可按年缴纳，一次缴清全年享受九八折。"),
                   ("装修申请需要准备哪些材料", "需提供装修图纸、施工单位资质和装修押金，详见前台《装修须知》。"),
                   ("停车月卡怎么办理", "携带行驶证和房产证明到客服中心办理，月卡 300 元/月。"),
                   ("下周停水的具体时间是几点", "停水时间为周三 9:00–15:00，请提前储水。")],
    Kind.SUGGESTION: [("建议在儿童游乐区增加遮阳棚", "感谢建议，已列入下季度改造计划。"),
                      ("建议增加电动车充电桩", "已与供电公司对接，拟在地下车库增设 20 个充电位。"),
                      ("建议在大门口增加快递暂存点", "感谢建议，将与业委会协商选址。")],
    Kind.PRAISE: [("感谢工程部师傅及时修好水管，服务很专业", "感谢您的肯定，已转达并纳入员工月度表扬。"),
                  ("保安夜间巡逻很认真，点赞", "谢谢您的鼓励，我们会继续做好。"),
                  ("保洁阿姨每天把楼道打扫得很干净", "感谢表扬，已转达环境部。")],
}
VISIT_COMMENTS = {5: "服务及时，师傅很专业", 4: "比较满意", 3: "一般，等待时间有点长", 2: "上门比约定时间晚",
                  1: "问题没有彻底解决"}


@dataclass
class Step:
    at: datetime
    action: str  # "create" or a perform() action
    actor: Actor
    change: ActionInput | None = None


@dataclass
class Plan:
    project: Project
    data: TicketInput
    steps: list[Step]
    ticket: Ticket | None = None


@dataclass
class Cast:
    """Who does what in one project, and what they work on."""

    project: Project
    receiver: Actor  # customer service: receives, dispatches, replies, visits, closes
    engineers: list[Actor]
    lead_engineer: Actor
    finance: Actor
    manager: Actor | None
    patrol: Actor
    owner: Actor
    owner_unit: object
    departments: dict[str, Actor]
    homes: list[tuple[object, str, str]]  # (unit, owner name, owner phone)
    buildings: list[tuple[str, int]]  # (number, entrances)
    categories: dict[str, Category]
    complaint_categories: list[Category]
    prices: dict[str, PriceItem]
    warranty: set[str] = field(default_factory=set)  # repair categories under the developer's warranty


@dataclass
class Summary:
    tickets: int = 0
    steps: int = 0
    sweeps: int = 0
    statuses: dict[str, int] = field(default_factory=dict)


class DemoTickets:
    def __init__(self, company, *, now: datetime | None = None, seed: int = 2026, days: int = DEMO_DAYS):
        self.company, self.rng = company, random.Random(seed)
        self.now = timezone.localtime(now or timezone.now())  # local times read better in the events
        self.days = days
        self.started = timezone.now()  # rows stamped at or after this are re-stamped to their simulated moment
        self.plans: list[Plan] = []
        projects = list(demo_projects(company))
        self.casts = [self._cast(project, index) for index, project in enumerate(projects[:2])]

    # -- the people ----------------------------------------------------------------------------------------
    def _cast(self, project, index: int) -> Cast:
        users = {u.username: u for u in get_user_model().objects.filter(
            staff_profile__company=self.company) | get_user_model().objects.filter(resident__project=project)}
        template = users.get("kefu")
        for username, name, role, project_index, supervisor in EXTRA_STAFF:
            if project_index != index or username in users:
                continue
            user = get_user_model().objects.create(username=username, first_name=name,
                                                   email=f"{username}@demo.wuye.local",
                                                   password=template.password if template else "!")
            profile = StaffProfile.objects.create(user=user, company=self.company, role=role,
                                                  is_supervisor=supervisor)
            profile.projects.set([project])
            users[username] = user

        def actor(username):
            return actor_for(users[username]) if username in users else None

        engineers = [a for a in (actor("gongcheng"), actor("weixiu")) if a] if index == 0 \
            else [a for a in (actor("gongcheng2"),) if a]
        receiver = actor("kefu") if index == 0 else actor("kefu2")
        owner = actor("yezhu") if index == 0 else actor("yezhu2")
        departments = {Role.CUSTOMER_SERVICE: receiver, Role.ENGINEERING: engineers[0]}
        if index == 0:
            departments.update({Role.SECURITY: actor("zhixu"), Role.ENVIRONMENT: actor("huanjing"),
                                Role.FINANCE: actor("caiwu"), Role.PROJECT_MANAGER: actor("jingli")})
        owners: dict[int, tuple] = {}  # unit id → (unit, owner name, phone) of its first owner on record
        for residency in Residency.objects.current().filter(
                unit__project=project, unit__kind=UnitKind.RESIDENTIAL, relation=Relation.OWNER,
        ).select_related("unit__building", "resident").order_by("unit_id", "id"):
            owners.setdefault(residency.unit_id, (residency.unit, residency.resident.name, residency.resident.phone))
        homes = list(owners.values())
        owner_unit = next((unit for unit, *_ in homes if owner and unit.pk in owner.unit_ids), None)
        categories = {c.code: c for c in Category.objects.filter(project=project, kind=Kind.REPAIR)}
        admin = get_user_model().objects.filter(username="admin", is_superuser=True).first()
        if index == 0 and admin is not None:
            # The demo's first project lets its manager approve major complaints (a project rule; by default
            # company senior management does, seed 001).
            update_rules(actor_for(admin), project, {"complaint_approver": Role.PROJECT_MANAGER.value},
                         reason="项目经理审批重大投诉处理结果")
        cast = Cast(
            project=project, receiver=receiver, engineers=engineers, lead_engineer=engineers[0],
            finance=actor("caiwu") if index == 0 else receiver, manager=actor("jingli") if index == 0 else None,
            patrol=actor("zhixu") if index == 0 else engineers[0], owner=owner, owner_unit=owner_unit,
            departments=departments, homes=homes,
            buildings=[(b.number, 2) for b in project.buildings.order_by("id")],
            categories=categories,
            complaint_categories=list(Category.objects.filter(project=project, kind=Kind.COMPLAINT).order_by("code")),
            prices={p.code: p for p in PriceItem.objects.filter(project=project)},
        )
        if index == 0 and "waterproofing" in categories:
            WarrantyTerm.objects.get_or_create(
                project=project, category=categories["waterproofing"],
                defaults={"until": timezone.localdate(self.now) + timedelta(days=400),
                          "contractor": WARRANTY_CONTRACTOR[0], "contractor_phone": WARRANTY_CONTRACTOR[1]})
            cast.warranty.add("waterproofing")
        return cast

    # -- plans -----------------------------------------------------------------------------------------------
    def _minutes(self, low: float, high: float) -> timedelta:
        return timedelta(minutes=self.rng.uniform(low, high))

    def _hours(self, low: float, high: float) -> timedelta:
        return timedelta(hours=self.rng.uniform(low, high))

    def _received_at(self) -> datetime:
        """A moment in the last `days` days, mostly in the day and evening (local time)."""
        day = timezone.localdate(self.now) - timedelta(days=self.rng.randrange(self.days))
        hour = self.rng.choices(range(24), weights=[1, 1, 1, 1, 1, 1, 2, 5, 9, 10, 10, 9, 7, 8, 9, 9, 9, 8, 8, 8,
                                                     7, 5, 3, 2])[0]
        moment = timezone.make_aware(datetime.combine(day, time(hour, self.rng.randrange(60))))
        return moment if moment < self.now - 2 * HOUR else self.now - self._hours(2, 30)

    def _daytime(self, moment: datetime, opens: int = 8, closes: int = 20) -> datetime:
        """`moment`, or the next morning's start of work when it falls outside opens–closes (local hours)."""
        local = timezone.localtime(moment)
        if opens <= local.hour < closes:
            return moment
        day = local.date() + timedelta(days=1 if local.hour >= closes else 0)
        return timezone.make_aware(datetime.combine(day, time(opens))) + self._minutes(0, 150)

    def _score(self, kind: str) -> int:
        weights = (2, 4, 9, 28, 57) if kind == Kind.REPAIR else (6, 9, 20, 30, 35)
        return self.rng.choices((1, 2, 3, 4, 5), weights=weights)[0]

    def _visit(self, kind: str) -> ActionInput:
        score = self._score(kind)
        return ActionInput(score=score, comment=VISIT_COMMENTS[score])

    def _public_place(self, cast: Cast) -> str:
        number, entrances = self.rng.choice(cast.buildings)
        return self.rng.choice(PUBLIC_PLACES).format(b=number, e=self.rng.randint(1, entrances))

    def _repair_input(self, cast: Cast, code: str, *, home=None, by_owner=False, channel=None) -> TicketInput:
        texts, _, _ = REPAIR_TEXTS[code]
        category = cast.categories[code]
        urgency = Urgency.EMERGENCY if code in EMERGENCY_REPAIRS else Urgency.GENERAL
        if code in PUBLIC_REPAIRS:
            return TicketInput(kind=Kind.REPAIR, channel=channel or self.rng.choice(("phone", "patrol", "patrol")),
                               description=self.rng.choice(texts), is_public_area=True,
                               location=self._public_place(cast), category=category, urgency=urgency)
        unit, name, phone = home or self.rng.choice(cast.homes)
        return TicketInput(kind=Kind.REPAIR, channel=channel or ("portal" if by_owner else self.rng.choice(
            ("phone", "phone", "phone", "front_desk", "email"))), description=self.rng.choice(texts), unit=unit,
            category=category, urgency=urgency, contact_name=name, contact_phone=phone)

    def _repair_flow(self, cast: Cast, data: TicketInput, t: datetime, *, by_owner: bool,
                     repeat: bool = False, rework: bool = False) -> list[Step]:
        """dispatch → accept → arrive → (pause/resume) → complete → (verify) → confirm → (fee: paid on the spot or
        charged to the owner's account) → visit → close.

        `rework` (after a reopen) charges nothing: the redo of a repair is free.
        """
        rng, steps, day = self.rng, [], self._daytime
        emergency = data.urgency == Urgency.EMERGENCY
        code = data.category.code
        warranty = code in cast.warranty and not data.is_public_area
        late = rng.random() < 0.1
        t += (self._minutes(1, 4.5) if not late else self._minutes(6, 15)) if emergency else \
            (self._minutes(5, 50) if not late else self._minutes(65, 180))
        engineer = rng.choice(cast.engineers)
        agreed = None
        if not emergency and not data.is_public_area and rng.random() < 0.5:
            agreed = self._daytime(t + self._hours(2, 26)).replace(minute=0, second=0, microsecond=0) + HOUR
        steps.append(Step(t, "dispatch", cast.receiver,
                          ActionInput(assignee=None if warranty else engineer.user, agreed_time=agreed)))
        doer = cast.lead_engineer if warranty else engineer
        if len(cast.engineers) > 1 and not warranty and rng.random() < 0.06:
            t += self._minutes(5, 40)
            doer = next(e for e in cast.engineers if e.user != engineer.user)
            steps.append(Step(t, "reassign", cast.receiver,
                              ActionInput(assignee=doer.user, reason="原维修人员在处理紧急报修，改派")))
        t += self._minutes(1, 15)
        steps.append(Step(t, "accept", doer))
        late = rng.random() < 0.1
        if emergency:
            t += self._minutes(8, 24) if not late else self._minutes(35, 80)
        elif agreed or (data.preferred_time and data.preferred_time > t):
            target = agreed or data.preferred_time
            t = max(t + 10 * MIN, target + (self._minutes(-25, 5) if not late else self._minutes(40, 180)))
        else:
            t = day(t + (self._hours(0.5, 20) if not late else self._hours(25, 40)))
        steps.append(Step(t, "arrive", doer))
        if not emergency and rng.random() < 0.08:
            t += self._minutes(10, 40)
            steps.append(Step(t, "pause", doer, ActionInput(reason="等待配件到货")))
            t = day(t + self._hours(4, 30))
            steps.append(Step(t, "resume", doer))
        t += self._minutes(20, 150) if rng.random() > 0.03 else self._hours(25, 40)
        t = t if emergency else day(t)
        _, work_done, parts = REPAIR_TEXTS[code]
        charged = [(cast.prices[c], Decimal(q)) for c, q in parts if c in cast.prices] \
            if parts and not (warranty or rework or data.is_public_area) and rng.random() < 0.65 else []
        steps.append(Step(t, "complete", doer, ActionInput(
            work_done=work_done, parts=charged,
            repeat_reason="part_quality" if repeat and rng.random() < 0.4 else "")))
        completed = t
        if warranty:
            t = day(t + self._hours(1, 5))
            steps.append(Step(t, "verify", cast.lead_engineer))
        if by_owner and rng.random() < 0.8:
            t = day(t + self._hours(0.3, 18), 7, 23)
            steps.append(Step(t, "confirm", cast.owner))
        elif rng.random() < 0.6:
            t += self._minutes(3, 20)
            steps.append(Step(t, "confirm", doer))  # the owner signs the engineer's sheet on site
        else:
            t = day(t + self._hours(1, 20))
            steps.append(Step(t, "confirm", cast.receiver))
        if charged:
            t = day(t + self._hours(0.5, 6))
            steps.append(self._fee_step(t, cast))
        visit_at = completed + (self._hours(2, 20) if rng.random() > 0.1 else self._hours(26, 48))
        t = day(max(t + 20 * MIN, visit_at))
        steps.append(Step(t, "return_visit", cast.receiver, self._visit(Kind.REPAIR)))
        t += self._minutes(2, 90)
        steps.append(Step(t, "close", cast.receiver))
        return steps

    def _fee_step(self, t: datetime, cast: Cast) -> Step:
        """About half the fees are paid at once (cash, some by transfer), the rest go on the owner's account."""
        if self.rng.random() < 0.5:
            channel = "cash" if self.rng.random() < 0.8 else "bank_transfer"
            return Step(t, "collect_fee", cast.finance, ActionInput(payment_channel=channel))
        return Step(t, "charge_fee", cast.finance)

    def _complaint_flow(self, cast: Cast, data: TicketInput, t: datetime, *, reopened=False) -> list[Step]:
        """assign → resolve (→ approve/reject for major) → reply → return visit → close."""
        rng, steps, day = self.rng, [], self._daytime
        role = data.category.responsible_role or Role.CUSTOMER_SERVICE
        department = role if role in cast.departments else Role.CUSTOMER_SERVICE
        handler = cast.departments[department]
        if not reopened:
            t += self._minutes(8, 50) if rng.random() > 0.12 else self._minutes(70, 160)
            steps.append(Step(t, "assign", cast.receiver, ActionInput(department=department)))
        low, high = {Urgency.URGENT: (1, 7), Urgency.IMPORTANT: (2, 20)}.get(data.urgency, (3, 40))
        t = day(t + (self._hours(low, high) if rng.random() > 0.12 else self._hours(high * 1.5, high * 3)))
        resolution = RESOLUTIONS.get(department, RESOLUTIONS[Role.CUSTOMER_SERVICE])
        steps.append(Step(t, "resolve", handler, ActionInput(resolution=resolution)))
        if data.is_major and cast.manager:
            t = day(t + self._hours(1, 6))
            if rng.random() < 0.3:
                steps.append(Step(t, "reject", cast.manager, ActionInput(reason="整改措施不具体，请补充时间节点")))
                t = day(t + self._hours(2, 8))
                steps.append(Step(t, "resolve", handler, ActionInput(resolution=resolution + "，一周内完成并复查")))
                t = day(t + self._hours(1, 4))
            steps.append(Step(t, "approve", cast.manager))
        t = day(t + (self._hours(1, 16) if rng.random() > 0.1 else self._hours(26, 40)))
        steps.append(Step(t, "reply", cast.receiver, ActionInput(
            reply="非常抱歉给您带来不便，" + resolution + "。", improvement="纳入周例会分析，相关岗位再培训")))
        t = day(t + (self._hours(4, 20) if rng.random() > 0.1 else self._hours(26, 50)))
        steps.append(Step(t, "return_visit", cast.receiver, self._visit(Kind.COMPLAINT)))
        t += self._minutes(2, 120)
        steps.append(Step(t, "close", cast.receiver))
        return steps

    def _feedback_flow(self, cast: Cast, kind: str, reply: str, t: datetime) -> list[Step]:
        t = self._daytime(t + self._minutes(10, 300))
        steps = [Step(t, "reply", cast.receiver, ActionInput(reply=reply))]
        t = self._daytime(t + self._minutes(5, 600))
        steps.append(Step(t, "close", cast.receiver))
        return steps

    def _random_plan(self, cast: Cast, t0: datetime, by_owner: bool) -> Plan:
        rng = self.rng
        receiver = cast.owner if by_owner else cast.receiver
        kind = rng.choices((Kind.REPAIR, Kind.COMPLAINT, Kind.INQUIRY, Kind.SUGGESTION, Kind.PRAISE),
                           weights=(55, 18, 14, 7, 6))[0]
        if kind == Kind.REPAIR:
            repeat_of = self._earlier_repair(cast, t0) if not by_owner and rng.random() < 0.1 else None
            if repeat_of is not None:
                code, home = repeat_of.data.category.code, self._home_of(cast, repeat_of.data.unit)
            elif rng.random() < (0.1 if not by_owner else 0.05):
                code, home = rng.choice(EMERGENCY_REPAIRS[:2] if by_owner else EMERGENCY_REPAIRS), None
            else:
                pool = {c: w for c, w in GENERAL_REPAIR_WEIGHTS.items()
                        if c not in cast.warranty and not (by_owner and c in PUBLIC_REPAIRS)}
                code, home = rng.choices(list(pool), weights=list(pool.values()))[0], None
            if by_owner:
                home = self._home_of(cast, cast.owner_unit)
            data = self._repair_input(cast, code, home=home, by_owner=by_owner)
            if data.is_public_area and data.channel == "patrol":
                receiver = cast.patrol
            if not data.is_public_area and data.urgency == Urgency.GENERAL and rng.random() < 0.3:
                data.preferred_time = (t0 + self._hours(3, 30)).replace(minute=0, second=0, microsecond=0)
            steps = self._repair_flow(cast, data, t0, by_owner=by_owner, repeat=repeat_of is not None)
            if rng.random() < 0.04:  # solved before anyone came, or a duplicate call
                steps = [Step(t0 + self._minutes(5, 50), "cancel", receiver if by_owner else cast.receiver,
                              ActionInput(reason="业主已自行解决" if by_owner else "重复报修，已合并处理"))]
            elif rng.random() < 0.04:
                steps += self._reopen_repair(cast, data, steps[-1].at, by_owner)
        elif kind == Kind.COMPLAINT:
            category = rng.choice(cast.complaint_categories)
            unit, name, phone = self._home_of(cast, cast.owner_unit) if by_owner else rng.choice(cast.homes)
            data = TicketInput(
                kind=kind, channel="portal" if by_owner else rng.choice(("phone", "phone", "front_desk", "email")),
                description=rng.choice(COMPLAINT_TEXTS.get(category.code, COMPLAINT_TEXTS["other"])), unit=unit,
                category=category, contact_name=name, contact_phone=phone,
                urgency=rng.choices((Urgency.URGENT, Urgency.IMPORTANT, Urgency.GENERAL), weights=(15, 30, 55))[0],
                is_major=not by_owner and cast.manager is not None and rng.random() < 0.1)
            steps = self._complaint_flow(cast, data, t0)
            if rng.random() < 0.03:
                steps = [Step(t0 + self._minutes(20, 120), "cancel", cast.receiver,
                              ActionInput(reason="投诉人来电撤回投诉"))]
            elif rng.random() < 0.04:
                at = steps[-1].at + self._hours(20, 80)
                steps += [Step(at, "reopen", cast.receiver, ActionInput(reason="投诉人对处理结果不满意，要求重新处理"))]
                steps += self._complaint_flow(cast, data, at, reopened=True)
        else:
            text, reply = rng.choice(FEEDBACK_TEXTS[kind])
            unit, name, phone = self._home_of(cast, cast.owner_unit) if by_owner else rng.choice(cast.homes)
            data = TicketInput(kind=kind, channel="portal" if by_owner else rng.choice(("phone", "front_desk")),
                               description=text, unit=unit, contact_name=name, contact_phone=phone)
            steps = self._feedback_flow(cast, kind, reply, t0)
        create = Step(t0, "create", receiver)
        # Recent work is still in hand: a share of the last days' tickets stops part-way (some of them overdue).
        if t0 > self.now - 4 * DAY and len(steps) > 1 and rng.random() < 0.35:
            steps = steps[:rng.randrange(0, len(steps))]
        return Plan(cast.project, data, [create, *steps])

    def _reopen_repair(self, cast: Cast, data: TicketInput, closed_at: datetime, by_owner: bool) -> list[Step]:
        at = closed_at + self._hours(20, 96)
        actor = cast.owner if by_owner else cast.receiver
        return [Step(at, "reopen", actor, ActionInput(reason="维修后问题复发，业主要求重新处理")),
                *self._repair_flow(cast, data, at, by_owner=by_owner, rework=True)]

    def _home_of(self, cast: Cast, unit):
        for home in cast.homes:
            if unit is not None and home[0].pk == unit.pk:
                return home
        return self.rng.choice(cast.homes)

    def _earlier_repair(self, cast: Cast, t0: datetime) -> Plan | None:
        candidates = [p for p in self.plans if p.project == cast.project and p.data.kind == Kind.REPAIR
                      and p.data.unit is not None and t0 - 25 * DAY < p.steps[0].at < t0 - DAY]
        return self.rng.choice(candidates) if candidates else None

    def _pinned(self) -> list[Plan]:
        """Situations the console should always show, placed relative to now."""
        now, one, two = self.now, self.casts[0], self.casts[-1]
        plans = []

        def plan(cast, data, *steps):
            plans.append(Plan(cast.project, data, [Step(now - steps[0][0], "create", steps[0][1]),
                                                   *(Step(now - ago, action, actor, change)
                                                     for ago, action, actor, change in steps[1:])]))

        def home(cast, n):
            return cast.homes[(n * 37) % len(cast.homes)]

        engineer = one.lead_engineer
        # Not dispatched yet, the one-hour dispatch limit nearly used up (at risk).
        plan(one, self._repair_input(one, "tap", home=home(one, 1), channel="phone"), (50 * MIN, one.receiver))
        # Emergency on its way: the 30-minute arrival limit nearly used up.
        plan(one, self._repair_input(one, "burst-pipe", home=home(one, 2), channel="phone"),
             (27 * MIN, one.receiver), (25 * MIN, "dispatch", one.receiver, ActionInput(assignee=engineer.user)),
             (23 * MIN, "accept", engineer, None))
        # Accepted yesterday and nobody went: arrival overdue and escalated.
        plan(one, self._repair_input(one, "lock", home=home(one, 3), channel="front_desk"),
             (31 * HOUR, one.receiver), (30 * HOUR, "dispatch", one.receiver, ActionInput(assignee=engineer.user)),
             (29 * HOUR, "accept", engineer, None))
        # The engineer is on site now.
        plan(one, self._repair_input(one, "window", home=home(one, 11), channel="front_desk"),
             (3 * HOUR, one.receiver), (2.8 * HOUR, "dispatch", one.receiver, ActionInput(assignee=engineer.user)),
             (2.7 * HOUR, "accept", engineer, None), (35 * MIN, "arrive", engineer, None))
        # Waiting for parts: clocks paused.
        plan(one, self._repair_input(one, "socket", home=home(one, 4), channel="phone"),
             (28 * HOUR, one.receiver), (27 * HOUR, "dispatch", one.receiver, ActionInput(assignee=engineer.user)),
             (26.5 * HOUR, "accept", engineer, None), (26 * HOUR, "arrive", engineer, None),
             (25 * HOUR, "pause", engineer, ActionInput(reason="原厂面板缺货，等待配件")))
        # Done and signed off yesterday; the 24-hour return visit is due in three hours (at risk).
        plan(one, self._repair_input(one, "blockage", home=home(one, 5), channel="phone"),
             (24 * HOUR, one.receiver), (23.5 * HOUR, "dispatch", one.receiver, ActionInput(assignee=engineer.user)),
             (23.3 * HOUR, "accept", engineer, None), (22.5 * HOUR, "arrive", engineer, None),
             (21 * HOUR, "complete", engineer, ActionInput(work_done=REPAIR_TEXTS["blockage"][1])),
             (20.5 * HOUR, "confirm", engineer, None))
        # The owner's own reports from the portal: a warranty repair done by the developer's contractor …
        if one.owner and one.owner_unit and one.warranty:
            owner_home = self._home_of(one, one.owner_unit)
            plan(one, self._repair_input(one, "waterproofing", home=owner_home, by_owner=True),
                 (12 * DAY + 3 * HOUR, one.owner),
                 (12 * DAY + 2 * HOUR, "dispatch", one.receiver, ActionInput()),
                 (12 * DAY + HOUR, "accept", engineer, None), (11 * DAY + 20 * HOUR, "arrive", engineer, None),
                 (11 * DAY + 4 * HOUR, "complete", engineer, ActionInput(work_done=REPAIR_TEXTS["waterproofing"][1])),
                 (11 * DAY + HOUR, "verify", engineer, None), (10 * DAY + 22 * HOUR, "confirm", one.owner, None),
                 (10 * DAY + 6 * HOUR, "return_visit", one.receiver,
                  ActionInput(score=5, comment="开发商维保处理得很彻底")),
                 (10 * DAY + 5 * HOUR, "close", one.receiver, None))
            # … a repair this morning, not yet dispatched, and a question answered.
            plan(one, self._repair_input(one, "lighting", home=owner_home, by_owner=True), (40 * MIN, one.owner))
            text, reply = FEEDBACK_TEXTS[Kind.INQUIRY][2]
            plan(one, TicketInput(kind=Kind.INQUIRY, channel="portal", description=text, unit=one.owner_unit,
                                  contact_name=owner_home[1], contact_phone=owner_home[2]),
                 (3 * DAY, one.owner), (3 * DAY - 2 * HOUR, "reply", one.receiver, ActionInput(reply=reply)))
        # A warranty repair on another home: the contractor finished, engineering has not verified yet.
        if one.warranty:
            plan(one, self._repair_input(one, "waterproofing", home=home(one, 6), channel="phone"),
                 (2 * DAY, one.receiver), (2 * DAY - HOUR, "dispatch", one.receiver, ActionInput()),
                 (2 * DAY - 2 * HOUR, "accept", engineer, None), (30 * HOUR, "arrive", engineer, None),
                 (5 * HOUR, "complete", engineer, ActionInput(work_done=REPAIR_TEXTS["waterproofing"][1])))
        # The same leak twice within 30 days: a repeat repair.
        leak_home = home(one, 7)
        for ago in (24 * DAY, 3 * DAY):
            plan(one, self._repair_input(one, "leak", home=leak_home, channel="phone"), (ago, one.receiver),
                 (ago - 30 * MIN, "dispatch", one.receiver, ActionInput(assignee=engineer.user)),
                 (ago - 40 * MIN, "accept", engineer, None), (ago - 3 * HOUR, "arrive", engineer, None),
                 (ago - 4 * HOUR, "complete", engineer, ActionInput(
                     work_done=REPAIR_TEXTS["leak"][1], parts=[(one.prices["angle-valve"], Decimal("1"))])),
                 (ago - 4.2 * HOUR, "confirm", engineer, None),
                 # The first visit's fee paid in cash at the desk, the second's charged to the owner's account.
                 (ago - 6 * HOUR, "collect_fee" if ago > DAY * 5 else "charge_fee", one.finance,
                  ActionInput(payment_channel="cash") if ago > DAY * 5 else None),
                 (ago - 20 * HOUR, "return_visit", one.receiver, ActionInput(score=3 if ago < DAY * 5 else 4,
                                                                               comment="又漏了，希望彻底解决")),
                 (ago - 20.2 * HOUR, "close", one.receiver, None))
        # Complaints: an urgent one whose handling limit (1 working day) has passed …
        complaints = {c.code: c for c in one.complaint_categories}
        if "management" in complaints:
            ago = self._working_morning_before(one.project, 8 * HOUR)
            unit, name, phone = home(one, 8)
            plan(one, TicketInput(kind=Kind.COMPLAINT, channel="phone", description=COMPLAINT_TEXTS["management"][0],
                                  unit=unit, category=complaints["management"], urgency=Urgency.URGENT,
                                  contact_name=name, contact_phone=phone),
                 (ago, one.receiver), (ago - 30 * MIN, "assign", one.receiver, ActionInput(department=Role.SECURITY)))
        # … one handled 20 hours ago, the reply due within 24 hours (at risk) …
        if "fees" in complaints:
            unit, name, phone = home(one, 9)
            plan(one, TicketInput(kind=Kind.COMPLAINT, channel="front_desk", description=COMPLAINT_TEXTS["fees"][0],
                                  unit=unit, category=complaints["fees"], urgency=Urgency.IMPORTANT,
                                  contact_name=name, contact_phone=phone),
                 (2 * DAY, one.receiver),
                 (2 * DAY - 30 * MIN, "assign", one.receiver, ActionInput(department=Role.FINANCE)),
                 (20 * HOUR, "resolve", one.departments.get(Role.FINANCE, one.receiver),
                  ActionInput(resolution=RESOLUTIONS[Role.FINANCE])))
        # … and a major one whose resolution waits for the project manager.
        if "engineering-quality" in complaints and one.manager:
            unit, name, phone = home(one, 10)
            plan(one, TicketInput(kind=Kind.COMPLAINT, channel="phone", is_major=True,
                                  description=COMPLAINT_TEXTS["engineering-quality"][0], unit=unit,
                                  category=complaints["engineering-quality"], urgency=Urgency.IMPORTANT,
                                  contact_name=name, contact_phone=phone),
                 (26 * HOUR, one.receiver),
                 (25 * HOUR, "assign", one.receiver, ActionInput(department=Role.ENGINEERING)),
                 (3 * HOUR, "resolve", engineer, ActionInput(resolution=RESOLUTIONS[Role.ENGINEERING])))
        # Project 2: a repair received three hours ago that nobody dispatched (overdue), and one sent out an hour
        # ago that the engineer has not accepted yet.
        if two is not one:
            plan(two, self._repair_input(two, "blockage", home=home(two, 1), channel="phone"),
                 (3 * HOUR, two.receiver))
            plan(two, self._repair_input(two, "lighting", home=home(two, 2), channel="phone"),
                 (80 * MIN, two.receiver),
                 (65 * MIN, "dispatch", two.receiver, ActionInput(assignee=two.lead_engineer.user)))
        return plans

    def _working_morning_before(self, project, span: timedelta) -> timedelta:
        """How long ago a working morning was whose `span` of working time has fully passed (for overdue)."""
        calendar = calendar_for(project)
        day = timezone.localdate(self.now) - timedelta(days=1)
        while True:
            start = timezone.make_aware(datetime.combine(day, time(9, 10)))
            if calendar.is_working_day(day) and calendar.add(start + 30 * MIN, span) + HOUR < self.now:
                return self.now - start
            day -= timedelta(days=1)

    def plan(self, count: int) -> list[Plan]:
        pinned = self._pinned() if count >= 40 else []
        moments = sorted(self._received_at() for _ in range(max(count - len(pinned), 0)))
        owner_turns = set(self.rng.sample(range(len(moments)), k=min(len(moments), max(2, count // 40))))
        for index, t0 in enumerate(moments):
            cast = self.casts[0] if len(self.casts) == 1 or self.rng.random() < 0.72 else self.casts[1]
            by_owner = index in owner_turns and cast.owner is not None and cast.owner_unit is not None
            self.plans.append(self._random_plan(cast, t0, by_owner))
        self.plans.extend(pinned)
        return self.plans

    # -- playing them ----------------------------------------------------------------------------------------
    def _restamp(self, at: datetime, *, clocks: bool = False) -> None:
        """Give the rows a step wrote with the wall clock its simulated moment (plain SQL: thousands of steps)."""
        adapt = connection.ops.adapt_datetimefield_value
        at_value, since = adapt(at), adapt(self.started)
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {Event._meta.db_table} SET created_at = %s WHERE created_at >= %s",
                           [at_value, since])
            cursor.execute(f"UPDATE {Notification._meta.db_table} SET created_at = %s, next_attempt_at = %s,"
                           " sent_at = CASE WHEN sent_at IS NULL THEN NULL ELSE %s END WHERE created_at >= %s",
                           [at_value, at_value, at_value, since])
            if clocks:
                cursor.execute(f"UPDATE {Clock._meta.db_table} SET stopped_at = %s WHERE stopped_at >= %s",
                               [at_value, since])

    def _sweep_until(self, moment: datetime, summary: Summary) -> None:
        """Run the sweep every SWEEP_EVERY up to `moment`, skipping the ticks at which no clock is due."""
        while self.next_sweep <= moment:
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT MIN(next_check_at) FROM {Clock._meta.db_table}")
                earliest = cursor.fetchone()[0]
            if earliest is None:
                self.next_sweep = moment + SWEEP_EVERY
                return
            if isinstance(earliest, str):  # SQLite hands back text from an aggregate
                earliest = parse_datetime(earliest)
            if timezone.is_naive(earliest):
                earliest = timezone.make_aware(earliest, UTC)
            if earliest > self.next_sweep:  # jump to the first tick at or after the earliest check
                ticks = -(-(earliest - self.next_sweep) // SWEEP_EVERY)
                self.next_sweep += ticks * SWEEP_EVERY
                continue
            summary.sweeps += 1
            if sla.sweep(now=self.next_sweep).actions:
                self._restamp(self.next_sweep)
            self.next_sweep += SWEEP_EVERY

    def play(self, progress: Callable[[int], None] | None = None) -> Summary:
        summary = Summary()
        queue: list[tuple[datetime, int, int]] = []
        for index, plan in enumerate(self.plans):
            plan.steps = _past_prefix(plan.steps, self.now)
            if plan.steps:
                heapq.heappush(queue, (plan.steps[0].at, index, 0))
        self.next_sweep = min((entry[0] for entry in queue), default=self.now)
        last_at: dict[int, datetime] = {}
        while queue:
            at, index, position = heapq.heappop(queue)
            self._sweep_until(at, summary)
            plan, step = self.plans[index], self.plans[index].steps[position]
            if step.action == "create":
                plan.ticket = create_ticket(step.actor, project=plan.project, data=plan.data, now=at)
                summary.tickets += 1
            else:
                plan.ticket = perform(step.actor, plan.ticket, step.action, step.change, now=at)
            self._restamp(at, clocks=step.action in ("cancel", "reopen"))
            last_at[index] = at
            summary.steps += 1
            if progress and summary.steps % 50 == 0:
                progress(50)
            if position + 1 < len(plan.steps):
                heapq.heappush(queue, (plan.steps[position + 1].at, index, position + 1))
        self._sweep_until(self.now, summary)
        if progress and summary.steps % 50:
            progress(summary.steps % 50)
        tickets = []
        for index, at in last_at.items():
            ticket = self.plans[index].ticket
            ticket.updated_at = at
            tickets.append(ticket)
        Ticket.objects.bulk_update(tickets, ["updated_at"], batch_size=200)
        for plan in self.plans:
            if plan.ticket is not None:
                summary.statuses[plan.ticket.status] = summary.statuses.get(plan.ticket.status, 0) + 1
        return summary


def _past_prefix(steps: list[Step], now: datetime) -> list[Step]:
    """The steps that have happened by `now`, in order (a plan stops at its first step still to come)."""
    kept: list[Step] = []
    for step in steps:
        if step.at >= now - MIN or (kept and step.at <= kept[-1].at):
            break
        kept.append(step)
    return kept


def build_demo_tickets(company, count: int = DEMO_TICKETS, *, now: datetime | None = None, seed: int = 2026,
                       progress: Callable[[int], None] | None = None, total: Callable[[int], None] | None = None,
                       ) -> Summary:
    """About `count` tickets over the last 30 days in the demo company's projects (call inside a transaction).

    `total` is told the number of steps before they are played, `progress` once per step.
    """
    demo = DemoTickets(company, now=now, seed=seed)
    if not demo.casts:
        return Summary()
    plans = demo.plan(count)
    if total:
        total(sum(len(_past_prefix(p.steps, demo.now)) for p in plans))
    return demo.play(progress)
