"""Demo inspections (SPEC §6): plans for both projects and a year of inspections done through the services, so
every score, event and rectification is what the product itself would have recorded.

- Both projects checked weekly (Mondays) by the daily-check standard until three months ago, then daily: the
  weekly plan paused and a daily plan started that day (周检改日检; it also keeps `make run`'s demo quick).
- 锦华苑 (project 1): the daily check (住宅项目日常检查表) by the project manager 周建华; a steady project with a
  weaker second quarter (the summer staff turnover).
- 翠湖湾 (project 2): the daily check by the quality department's 吴晓燕; it drifts down over the year, with a bad
  third quarter (a fire lane blocked twice: a critical item, the check scores 0).
- Both: the monthly window-service check (物业窗口服务标准) by 吴晓燕, last December's year-end review, a
  special fire-safety inspection before the Spring Festival, the security team's quarterly self-inspection.
- Submitted through yesterday; today's daily checks are in progress (half scored), one special inspection too.

`add_demo_inspections(company, today)` returns counts and the seconds it took."""

from __future__ import annotations

import random
import time
from datetime import date, datetime, timedelta
from datetime import time as clock
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from wuye.people.access import actor_for
from wuye.quality import inspections as services
from wuye.quality.models import Frequency, Inspection, InspectionStatus, Rectification, StandardItem
from wuye.quality.standards import install_shipped_standards

SHANGHAI = ZoneInfo("Asia/Shanghai")

# What an inspector writes when an item fails, by the item's category.
FAILURE_NOTES = {
    "安全秩序": ["东门岗交接班记录缺两班", "巡逻签到漏签，晚班22:00—02:00无记录", "门岗值班员脱岗约十分钟",
              "外来人员未登记直接放行"],
    "车辆停放": ["地面车位外停放三辆私家车", "电动车在楼道内充电", "消防车道旁有车辆临时停放未劝离",
             "地库车位线磨损不清"],
    "清洁卫生": ["2号楼电梯轿厢地面有污渍", "垃圾分类投放点满溢未及时清运", "楼道扶手积灰",
             "中心花园水景有漂浮垃圾", "地库入口坡道有油渍"],
    "绿化养护": ["南侧绿篱未修剪，枝条伸入人行道", "草坪有黄斑及杂草", "树木支撑杆松脱"],
    "共用设施设备": ["3号楼单元门闭门器损坏", "地库两盏照明灯不亮", "消火栓箱玻璃破损",
               "健身器材螺丝松动", "电梯五方对讲无应答"],
    "服务结果": ["业主报修回访记录不全", "公告栏通知已过期未撤下", "投诉处理超时未回复业主"],
    "人行出入口": ["安全员未佩戴工牌", "访客登记字迹潦草、缺联系电话", "岗亭内物品摆放杂乱",
              "安全员坐姿不端、玩手机"],
    "车行出入口": ["道闸起落杆反应迟缓", "临停收费未开具票据", "岗亭值班员未敬礼示意", "车辆出入登记缺项"],
    "道路、广场": ["主干道有积水未清理", "广场地砖松动两块", "路灯一盏不亮"],
}
OTHER_NOTES = ["现场检查不符合标准要求", "资料不全，需补充", "整改不到位"]
PLACES = {
    "daily": ["1号楼大堂", "地下车库B1", "中心花园", "2号楼电梯厅", "东门岗亭", "小区主干道", "垃圾分类投放点",
              "3号楼楼道", "南门车行出入口"],
    "window": ["东门人行出入口", "南门车行出入口", "中心广场", "北门岗亭"],
    "year_end": ["物业服务中心会议室"],
}


def _moment(day: date, hour: int, minute: int = 0) -> datetime:
    """That day at that time in Shanghai, never later than now (today's inspections)."""
    return min(datetime.combine(day, clock(hour, minute), tzinfo=SHANGHAI), timezone.now())


def _failure_rate(project_index: int, day: date, today: date) -> float:
    """How likely an item fails that day: project 1 steady with a weaker second quarter, project 2 drifting
    down over the year with a bad third quarter."""
    progress = max(0.0, 1 - (today - day).days / 365)  # 0 a year ago → 1 yesterday
    quarter = (day.month - 1) // 3 + 1
    if project_index == 0:
        return 0.05 + (0.03 if quarter == 2 else 0)
    return 0.06 + 0.06 * progress + (0.05 if quarter == 3 else 0)


def _findings(rng: random.Random, items, rate: float, *, critical_ok: bool, na_rate: float = 0.02):
    critical_item = min((item.number for item in items if item.critical), default=None)
    rows = []
    for item in items:
        # A critical item fails only on the days the story says (the fire lane found blocked).
        failed = critical_ok and item.number == critical_item if item.critical else rng.random() < rate
        if failed:
            notes = FAILURE_NOTES.get(item.category.name, OTHER_NOTES)
            rows.append({"item": item.pk, "result": "fail", "failures": rng.choice((1, 2, 2, 3, 3, 4)),
                         "note": rng.choice(notes)})
        elif not item.critical and rng.random() < na_rate:
            rows.append({"item": item.pk, "result": "na"})
        else:
            rows.append({"item": item.pk, "result": "pass"})
    return rows


def _do(inspection, actor, rng, items, rate, *, day, place_kind, critical_ok=False, finish=True, na_rate=0.02):
    """Score and submit, dated that morning; an unfinished one has half its items saved."""
    rows = _findings(rng, items, rate, critical_ok=critical_ok, na_rate=na_rate)
    hour, minute = rng.choice((8, 9, 9, 10)), rng.choice((0, 10, 20, 30, 40))
    if not finish:
        services.record_scores(actor, inspection, rows[:len(rows) // 2], at=_moment(day, hour, minute + 5))
        return inspection
    services.record_scores(actor, inspection, rows, at=_moment(day, hour, minute + 15))
    services.submit_inspection(actor, inspection, place=rng.choice(PLACES[place_kind]),
                               at=_moment(day, hour, minute + 19))
    return inspection


@transaction.atomic  # one commit (the services' own transactions become savepoints): quick on SQLite
def add_demo_inspections(company, today: date, seed: int = 2026, days: int = 365, daily_days: int = 92) -> dict:
    """Plans and a year (`days`) of inspections for `company`'s two demo projects, ending yesterday: weekly
    rounds, then daily ones over the last `daily_days` (see the module)."""
    started = time.monotonic()
    rng = random.Random(seed)
    users = {user.username: user for user in get_user_model().objects.filter(
        username__in=("pinzhi", "jingli", "zhixu"))}
    pinzhi, jingli = actor_for(users["pinzhi"]), actor_for(users["jingli"])
    zhixu = actor_for(users["zhixu"]) if "zhixu" in users else None
    standards = {standard.code: standard for standard in install_shipped_standards(company)}
    daily, window, year_end = (standards["daily-residential"], standards["window-service"],
                               standards["year-end-review"])
    projects = list(company.projects.order_by("id"))[:2]
    first_day = today - timedelta(days=days)
    daily_from = max(first_day, today - timedelta(days=daily_days))
    inspector_of = {}

    plans, weekly_plans = [], []
    for index, project in enumerate(projects):
        daily_by = jingli if index == 0 else pinzhi
        if daily_from > first_day:
            plan = services.create_plan(pinzhi, project=project, standard=daily, frequency=Frequency.WEEKLY,
                                        starts_on=first_day, inspector=daily_by.user)
            inspector_of[plan.pk] = daily_by
            plans.append(plan)
            weekly_plans.append(plan)
        plan = services.create_plan(pinzhi, project=project, standard=daily, frequency=Frequency.DAILY,
                                    starts_on=daily_from, inspector=daily_by.user)
        inspector_of[plan.pk] = daily_by
        plans.append(plan)
        plan = services.create_plan(pinzhi, project=project, standard=window, frequency=Frequency.MONTHLY,
                                    starts_on=first_day, inspector=pinzhi.user)
        inspector_of[plan.pk] = pinzhi
        plans.append(plan)
    items = {standard.pk: list(StandardItem.objects.filter(version=services._current_version(standard))
                               .select_related("category").order_by("number"))
             for standard in (daily, window, year_end)}
    project_index = {project.pk: index for index, project in enumerate(projects)}

    # Last December's year-end review of both projects.
    review_day = date(today.year - 1, 12, 18)
    if review_day >= first_day:
        for project, rate in zip(projects, (0.15, 0.3), strict=False):
            review = services.create_inspection(pinzhi, project=project, standard=year_end, kind="year_end",
                                                scheduled_for=review_day, title=f"{review_day.year}年度年终考核",
                                                at=_moment(review_day - timedelta(days=7), 9))
            _do(review, pinzhi, rng, items[year_end.pk], rate, day=review_day, place_kind="year_end", na_rate=0)

    third_quarter = [first_day + timedelta(days=n) for n in range(days)
                     if (first_day + timedelta(days=n)).month in (7, 8, 9)]
    # On days with a check of the daily-check standard (Mondays while the checks were weekly).
    checked = [day for day in third_quarter if day >= daily_from or day.weekday() == 0]
    if daily_from > first_day:
        blocked_days = set(checked[1:2] + checked[6:7])
    else:
        blocked_days = set(third_quarter[10:11] + third_quarter[40:41])
    special_days = {first_day + timedelta(days=offset) for offset in (60, 200)}
    self_days = {first_day + timedelta(days=offset) for offset in (45, 136, 227, 318)}
    day = first_day
    while day <= today:
        if day == daily_from:
            for plan in weekly_plans:
                services.set_plan_active(pinzhi, plan, active=False, at=_moment(day, 6))
        for inspection in services.generate_planned_inspections(day, at=_moment(day, 6)):
            index = project_index[inspection.project_id]
            actor = inspector_of[inspection.plan_id]
            rate = _failure_rate(index, day, today)
            place_kind = "window" if inspection.version.standard_id == window.pk else "daily"
            # Project 2's bad quarter: the fire lane found blocked twice, a critical failure.
            critical_ok = index == 1 and day in blocked_days and inspection.version.standard_id == daily.pk
            if day == today:
                if inspection.kind == "daily":
                    _do(inspection, actor, rng, items[inspection.version.standard_id], rate, day=day,
                        place_kind=place_kind, finish=False)
                continue
            _do(inspection, actor, rng, items[inspection.version.standard_id], rate, day=day,
                place_kind=place_kind, critical_ok=critical_ok)
        if day in special_days:
            for project in projects:
                special = services.create_inspection(
                    pinzhi, project=project, standard=daily, kind="special", scheduled_for=day,
                    title="节前消防安全专项检查", at=_moment(day - timedelta(days=2), 15))
                _do(special, pinzhi, rng, items[daily.pk], _failure_rate(project_index[project.pk], day, today) * 1.5,
                    day=day, place_kind="daily")
        if day in self_days and zhixu is not None:
            own = services.create_inspection(zhixu, project=projects[0], standard=window, kind="self",
                                             scheduled_for=day, title="秩序部门岗自查", at=_moment(day, 8))
            _do(own, zhixu, rng, items[window.pk], 0.05, day=day, place_kind="window")
        day += timedelta(days=1)

    # One special inspection started today and not finished.
    special = services.create_inspection(pinzhi, project=projects[-1], standard=window, kind="special",
                                         scheduled_for=today, title="窗口服务暗访",
                                         at=_moment(today, 8))
    _do(special, pinzhi, rng, items[window.pk], 0.1, day=today, place_kind="window", finish=False)

    inspections = Inspection.objects.filter(project__in=projects)
    return {
        "plans": len(plans),
        "inspections": inspections.count(),
        "submitted": inspections.filter(status=InspectionStatus.SUBMITTED).count(),
        "in_progress": inspections.filter(status=InspectionStatus.IN_PROGRESS).count(),
        "rectifications": Rectification.objects.filter(project__in=projects).count(),
        "seconds": round(time.monotonic() - started, 1),
    }
