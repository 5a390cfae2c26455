"""The announcements part of the demo (公告/公示, issue 15): for every project of the company, through the real
services — a planned water outage published more than 48 hours ahead (by SMS too), last month's shared-fee
disclosure (pinned, with the figures billing holds), a community activity notice, one notice awaiting the manager's
approval, one approved and scheduled, one expired; the owner logins have read some. Idempotent: a project with
announcements already is left alone."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from wuye.community.announcements import services
from wuye.community.announcements.models import Announcement
from wuye.core.access import Role
from wuye.demo.builders import demo_projects
from wuye.people.access import actor_for
from wuye.people.models import StaffProfile


def _staff(project, role):
    """A staff member of `role` who sees `project` (the supervisor first), else the administrator."""
    from django.contrib.auth import get_user_model

    profiles = StaffProfile.objects.filter(company_id=project.company_id, role=role).select_related("user").order_by(
        "-is_supervisor", "id")
    for profile in profiles:
        if profile.all_projects or profile.projects.filter(pk=project.pk).exists():
            return actor_for(profile.user)
    return actor_for(get_user_model().objects.filter(is_superuser=True).order_by("id").first())


def _at(day, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _disclosure_text(project, period) -> str:
    """Last month's shared costs as billing holds them (公摊费用公示, seed 001 ch.3 §3)."""
    from wuye.billing.models import SharedCost

    rows = (SharedCost.objects.filter(project=project, period=period).values("item__name")
            .annotate(total=Sum("amount")).order_by("item__name"))
    lines = [f"{row['item__name']}：¥{row['total']:,.2f}" for row in rows]
    head = f"{period.year}年{period.month}月公共区域水电等公摊费用已核算完毕，现予公示。"
    if not lines:
        return head + "明细请在“公摊费用公示”中查看，如有疑问请联系客服中心。"
    return head + "\n" + "\n".join(lines) + "\n分摊方式及各户分摊金额请在“公摊费用公示”中查看，如有疑问请联系客服中心。"


def add_demo_announcements(company, now: datetime | None = None) -> dict:
    """Announcements in every state for each project of `company`; returns {"announcements": n, "reads": n}."""
    now = now or timezone.now()
    made = {"announcements": 0, "reads": 0}
    for project in demo_projects(company):
        if Announcement.objects.filter(project=project).exists():
            continue
        with transaction.atomic():
            counts = _add_for_project(project, now)
        made["announcements"] += counts["announcements"]
        made["reads"] += counts["reads"]
    services.expire_due(now)
    return made


def _add_for_project(project, now: datetime) -> dict:
    desk, manager = _staff(project, Role.CUSTOMER_SERVICE), _staff(project, Role.PROJECT_MANAGER)
    if manager.user == desk.user:  # the author never approves their own
        manager = _staff(project, Role.COMPANY_ADMIN)
    today = timezone.localdate(now)
    made = []

    def published(at: datetime, **values) -> Announcement:
        one = services.create(desk, project=project, at=at, **values)
        services.submit(desk, one, at=at + timedelta(minutes=20))
        one = services.approve(manager, one, at=at + timedelta(hours=1))
        made.append(one)
        return one

    from wuye.billing.periods import add_months

    first_of_month = today.replace(day=1)
    last_month = add_months(first_of_month, -1)
    water_day = today + timedelta(days=3)
    water = published(
        now - timedelta(hours=20), kind="outage_water", title=f"{water_day.month}月{water_day.day}日计划停水通知",
        body="因二次供水水箱年度清洗消毒，届时小区将暂停供水。给您带来的不便，敬请谅解。",
        precautions="请提前储存生活用水；停水期间请关闭家中水龙头，以免恢复供水时跑水。",
        outage_start=_at(water_day, 9), outage_end=_at(water_day, 15))
    disclosure = published(
        now - timedelta(days=3), kind="disclosure", title=f"{last_month.year}年{last_month.month}月公摊费用公示",
        body=_disclosure_text(project, last_month), pinned=True,
        expires_at=_at(add_months(first_of_month, 1), 0))
    published(now - timedelta(days=2), kind="event", title="邻里节亲子手工活动通知",
              body="本周六下午两点在会所多功能厅举办亲子手工活动，名额有限，请在“社区活动”中报名。")
    pending = services.create(
        desk, project=project, at=now - timedelta(hours=3), kind="notice", title="电梯年度检验通知",
        body="特种设备检验机构将于下周对小区电梯进行年度检验，检验期间电梯将分批短时停用。")
    made.append(services.submit(desk, pending, at=now - timedelta(hours=2)))
    scheduled = services.create(
        desk, project=project, at=now - timedelta(hours=5), kind="notice", title="冬季消防安全提示",
        body="冬季用火用电增多，请勿在楼道内堆放杂物，勿私拉电线为电动车充电。", publish_at=now + timedelta(days=2))
    services.submit(desk, scheduled, at=now - timedelta(hours=4))
    made.append(services.approve(manager, scheduled, at=now - timedelta(hours=3)))
    published(now - timedelta(days=20), kind="notice", title="国庆假期客服中心值班安排",
              body="假期期间客服中心 9:00–17:00 值班，紧急报修请拨打 24 小时服务热线。",
              expires_at=now - timedelta(days=5))
    reads = 0
    from wuye.people.models import Residency

    readers = (Residency.objects.current().filter(unit__project=project, resident__user__isnull=False)
               .select_related("resident__user").order_by("unit_id", "id")[:4])
    for number, residency in enumerate(readers):
        owner = actor_for(residency.resident.user)
        for one in (water, disclosure)[: 2 if number % 2 == 0 else 1]:
            reads += services.mark_read(owner, one, at=now - timedelta(hours=number + 1))
    return {"announcements": len(made), "reads": reads}
