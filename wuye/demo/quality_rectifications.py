"""Demo rectifications (整改): the rectifications the demo inspections opened (wuye/demo/quality_inspections.py)
moved through the services with past times into every state — most rectified on time and verified, some late,
some sent back once and then closed, some reported and waiting for verification, some still open, some overdue.
Deterministic (seeded); run after `add_demo_inspections`."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from wuye.core.access import Role
from wuye.people.access import actor_for
from wuye.people.services import staff_with_role
from wuye.quality import rectifications as service
from wuye.quality.models import Rectification, RectificationStatus

NOTES = {
    Role.ENGINEERING: ["已更换损坏灯具，照明恢复正常", "管道渗漏处已重新密封", "门禁读卡器已检修，测试正常",
                       "消防栓箱玻璃已更换", "电梯轿厢按钮已修复"],
    Role.ENVIRONMENT: ["垃圾已清运，桶身已冲洗", "绿化带杂草已清除", "大堂地面已重新清洁打蜡", "楼道蛛网已清理",
                       "化粪池周边已消杀"],
    Role.SECURITY: ["消防通道杂物已清走，通道畅通", "已对岗亭人员重新培训并考核", "巡更点已补签并加密巡查",
                    "违停车辆已劝离并张贴告示", "监控死角已调整摄像头角度"],
    Role.CUSTOMER_SERVICE: ["前台已补充服务指南", "公告栏过期通知已撤换", "已对接待人员进行礼仪培训",
                            "来访登记本已规范填写"],
}
REJECT_NOTES = ["复查时仍有杂物，请彻底清理", "照片与现场不符，请重新处理", "只处理了一处，其余未整改",
                "问题仍然存在，请重新整改"]
ACCEPT_NOTES = ["现场复查合格", "已复查，符合标准", "整改到位", ""]


def _working_moment(moment: datetime) -> datetime:
    """`moment` moved into working hours (09:00–17:00 local) of the same or the next day."""
    local = timezone.localtime(moment)
    if local.hour < 9:
        return local.replace(hour=9, minute=local.minute % 60)
    if local.hour >= 17:
        return (local + timedelta(days=1)).replace(hour=9, minute=local.minute % 60)
    return local


@transaction.atomic  # one commit (the services' own transactions become savepoints): quick on SQLite
def add_demo_rectifications(company, today: date, seed: int = 2026) -> dict:
    """Move the open demo rectifications of `company` into every state, with times before `today`'s evening."""
    rng = random.Random(seed)
    tz = timezone.get_current_timezone()
    horizon = min(timezone.now(), datetime.combine(today, time(18, 0), tz))
    admin = get_user_model().objects.filter(is_superuser=True).order_by("id").first()
    people: dict[tuple[int, str], object] = {}

    def doer(rect):
        key = (rect.project_id, rect.department)
        if key not in people:
            staff = staff_with_role(rect.department, rect.project, include_company_wide=False) \
                or staff_with_role(rect.department, rect.project)
            people[key] = actor_for(staff[0] if staff else admin)
        return people[key]

    def verifier(rect):
        key = (rect.project_id, "verify")
        if key not in people:
            staff = staff_with_role(Role.QUALITY, rect.project) or staff_with_role(Role.PROJECT_MANAGER, rect.project)
            people[key] = actor_for(staff[0] if staff else admin)
        return people[key]

    counts = {"closed_on_time": 0, "closed_late": 0, "rejected_then_closed": 0, "awaiting_verification": 0,
              "open": 0, "overdue": 0, "cancelled": 0}
    rows = service.with_deadlines(Rectification.objects.filter(project__company=company,
                                                               status=RectificationStatus.OPEN))
    for rect in rows.order_by("opened_at", "id"):
        deadline = rect.deadline or rect.opened_at + timedelta(days=3)
        span = deadline - rect.opened_at
        note = rng.choice(NOTES.get(rect.department, NOTES[Role.ENGINEERING]))
        roll = rng.random()
        recent = deadline > horizon  # still within its time limit today
        if recent:
            if roll < 0.5:
                counts["open"] += 1
                continue
            reported = _working_moment(rect.opened_at + span * rng.uniform(0.2, 0.6))
            if reported >= horizon:
                counts["open"] += 1
                continue
            service.report_rectified(doer(rect), rect, note=note, at=reported)
            counts["awaiting_verification"] += 1
            continue
        if roll < 0.04:
            counts["overdue"] += 1  # never reported: its clock is past the deadline
            continue
        if roll < 0.06:
            service.cancel_rectification(verifier(rect), rect, reason="同一问题已在专项检查中登记",
                                         at=_working_moment(rect.opened_at + timedelta(hours=2)))
            counts["cancelled"] += 1
            continue
        late = 0.06 <= roll < 0.18
        reported = _working_moment(deadline + timedelta(hours=rng.randint(4, 60)) if late
                                   else rect.opened_at + span * rng.uniform(0.3, 0.9))
        checked = _working_moment(reported + timedelta(hours=rng.randint(18, 30)))
        if checked >= horizon:
            if reported < horizon:
                service.report_rectified(doer(rect), rect, note=note, at=reported)
                counts["awaiting_verification"] += 1
            else:
                counts["overdue" if late else "open"] += 1
            continue
        rect = service.report_rectified(doer(rect), rect, note=note, at=reported)
        if 0.18 <= roll < 0.28:  # sent back once, then done right
            rect = service.verify(verifier(rect), rect, accepted=False, note=rng.choice(REJECT_NOTES), at=checked)
            again = _working_moment(checked + timedelta(hours=rng.randint(5, 20)))
            final = _working_moment(again + timedelta(hours=rng.randint(18, 30)))
            if again >= horizon:
                counts["open"] += 1
                continue
            rect = service.report_rectified(doer(rect), rect, note=note + "（已返工）", at=again)
            if final >= horizon:
                counts["awaiting_verification"] += 1
                continue
            service.verify(verifier(rect), rect, accepted=True, note=rng.choice(ACCEPT_NOTES), at=final)
            counts["rejected_then_closed"] += 1
            continue
        service.verify(verifier(rect), rect, accepted=True, note=rng.choice(ACCEPT_NOTES), at=checked)
        counts["closed_late" if late else "closed_on_time"] += 1
    return counts
