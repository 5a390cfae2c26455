"""Demo staff assessment (员工考核): a year of records per project — mostly small deductions (late, uniform,
phone at work), some awards, and the owners' praise and a few substantiated complaints linked to the demo's
praise and complaint tickets. Deterministic (seeded per project).

The services refuse months older than the previous one (a settled month), so the past year is written as rows,
each with the `assessment.recorded` event it would have had, stamped with the time it was recorded."""

from __future__ import annotations

import random
import zlib
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from wuye.core.access import Role
from wuye.core.events import compose_event, record_events
from wuye.people.models import StaffProfile
from wuye.quality import assessments
from wuye.quality.models import AssessmentItem, AssessmentKind, AssessmentRecord
from wuye.tenancy.models import Company
from wuye.workorders.models import Kind, Status, Ticket

# What happened, per library item (the reason reads "<item>：<circumstance>").
CIRCUMSTANCES = {
    "未按规定着装或未佩戴工作证": ["早班未佩戴工作证", "工服未扣好，领带未系", "巡查时发现未穿工服"],
    "仪容仪表不整（乱发、长指甲、彩色发）": ["头发凌乱，未按要求盘发", "留长指甲"],
    "坐姿站姿不端（趴桌、倚墙）": ["前台趴桌休息", "岗亭内倚墙站立"],
    "上班迟到": ["迟到 10 分钟", "迟到 25 分钟，未提前报备", "早班迟到 15 分钟"],
    "上班早退": ["提前 20 分钟离岗"],
    "工作时间玩手机": ["前台值班时玩手机游戏", "巡逻途中长时间看短视频", "维修等待期间刷手机被业主拍到"],
    "服务用语不规范": ["接听电话未使用标准问候语", "回复业主时语气生硬"],
    "脱岗、串岗": ["值班时间到其他岗位聊天", "午间脱岗 30 分钟"],
    "前台接待未起身问候": ["业主来访未起身问候"],
    "来电三声内未接听": ["服务热线响铃六声才接听"],
    "报修未按时上门": ["约定 14:00 上门，15:10 才到", "报修超时 2 小时未响应"],
    "维修后未清理现场": ["更换角阀后未清理地面积水", "楼道灯维修后留下包装垃圾"],
    "巡逻漏签到": ["夜间 2 点巡更点漏签", "地库巡更点漏签两处"],
    "岗亭值班睡岗": ["凌晨 3 点岗亭睡岗"],
    "保洁区域检查不合格": ["3 号楼电梯轿厢有污渍", "地库出入口垃圾未清理", "大堂玻璃门有手印"],
    "垃圾未按时清运": ["周末垃圾房未按时清运，有异味"],
    "票据开具差错": ["收据户号填错，已作废重开"],
    "拾金不昧": ["拾到业主钱包并归还", "拾到手机交还失主", "在地库捡到车钥匙归还业主"],
    "业主书面表扬（表扬信、锦旗）": ["业主送来锦旗", "业主写表扬信感谢及时维修"],
    "提出合理化建议被采纳": ["建议调整垃圾清运时间，已采纳"],
    "突发事件处置得力": ["暴雨夜及时疏通地库排水", "电梯困人 10 分钟内到场救援"],
}
MONTHS = 12


def _seed(text: str) -> int:
    return zlib.crc32(text.encode())


def _months(today: date) -> list[date]:
    return list(reversed(assessments.months_back(today, MONTHS)))


def _moment(rng: random.Random, month: date, today: date) -> datetime:
    """A working hour of a day of `month` (not after `today`)."""
    last = min(assessments.last_day(month), today)
    day = month + timedelta(days=rng.randrange((last - month).days + 1))
    moment = timezone.make_aware(datetime.combine(day, time(rng.randint(8, 17), rng.choice((0, 10, 20, 30, 40, 50)))))
    return min(moment, timezone.now() - timedelta(minutes=rng.randint(5, 90)))  # never later than now


def _staff_of(company: Company, project) -> list[StaffProfile]:
    """The project's own staff (company-wide quality and administration are not assessed in the demo)."""
    return list(StaffProfile.objects.filter(company=company, projects=project, user__is_active=True).exclude(
        role__in=(Role.COMPANY_ADMIN, Role.QUALITY)).select_related("user").order_by("user__username"))


def _recorder(profile: StaffProfile, staff: list[StaffProfile], quality):
    """Who records for `profile`: their department's supervisor, else the project manager, else quality."""
    for other in staff:
        if other.role == profile.role and other.is_supervisor and other.pk != profile.pk:
            return other.user
    for other in staff:
        if other.role == Role.PROJECT_MANAGER and other.pk != profile.pk:
            return other.user
    return quality


def add_demo_assessments(company: Company, today: date | None = None) -> dict:
    """The library and a year of records per project (see the module's docstring); returns the counts."""
    today = today or timezone.localdate()
    with transaction.atomic():
        items = assessments.install_shipped_items(company)
        if AssessmentRecord.objects.filter(project__company=company).exists():
            return {"items": len(items), "records": 0, "praise": 0, "complaints": 0}
        by_kind: dict[str, list[AssessmentItem]] = {}
        for item in items:
            if item.is_active:
                by_kind.setdefault(item.kind, []).append(item)
        quality = StaffProfile.objects.filter(company=company, role=Role.QUALITY).select_related("user").first()
        quality = quality.user if quality else None
        rows: list[tuple[AssessmentRecord, StaffProfile]] = []
        counts = {"items": len(items), "records": 0, "praise": 0, "complaints": 0}
        for project in company.projects.order_by("id"):
            rng = random.Random(_seed(f"assessments-{project.code}"))
            staff = _staff_of(company, project)
            if not staff:
                continue
            for month in _months(today):
                for profile in staff:
                    fitting = [i for i in by_kind.get(AssessmentKind.DEDUCTION, [])
                               if not i.department or i.department == profile.role]
                    awards = [i for i in by_kind.get(AssessmentKind.AWARD, [])
                              if not i.department or i.department == profile.role]
                    chosen = [rng.choice(fitting) for _n in range(rng.choice((0, 0, 0, 1, 1, 1, 2, 3)))]
                    if awards and rng.random() < 0.12:
                        chosen.append(rng.choice(awards))
                    for item in chosen:
                        detail = rng.choice(CIRCUMSTANCES.get(item.name, [""]))
                        rows.append((AssessmentRecord(
                            project=project, staff=profile.user, item=item, kind=item.kind, points=item.points,
                            reason=f"{item.name}：{detail}" if detail else item.name, month=month,
                            recorded_by=_recorder(profile, staff, quality),
                            recorded_at=_moment(rng, month, today)), profile))
            rows.extend(_from_tickets(project, staff, by_kind, quality, rng, today, counts))
        AssessmentRecord.objects.bulk_create([record for record, _profile in rows], batch_size=1000)
        events = []
        for record, profile in rows:
            event = compose_event(profile, "assessment.recorded", actor=record.recorded_by,
                                  project_id=record.project_id, data={
                                      "staff": profile.user.username, "month": f"{record.month:%Y-%m}",
                                      "reason": record.reason, "points": str(record.points),
                                      "assessment_kind": record.kind,
                                      "photos": 0, **({"ticket": record.ticket.number} if record.ticket_id else {})})
            event.created_at = record.recorded_at
            events.append(event)
        record_events(events)
        counts["records"] = len(rows)
        return counts


def _from_tickets(project, staff, by_kind, quality, rng, today, counts):
    """Praise tickets → praise for the staff member who served (the assignee or the front desk); about a third of
    the closed complaints found substantiated → a complaint for someone of the responsible department."""
    first_month = _months(today)[0]
    since = timezone.make_aware(datetime.combine(first_month, time()))
    manager = next((p.user for p in staff if p.role == Role.PROJECT_MANAGER), quality)
    by_role: dict[str, list[StaffProfile]] = {}
    for profile in staff:
        by_role.setdefault(profile.role, []).append(profile)
    by_user = {profile.user_id: profile for profile in staff}
    until = timezone.make_aware(datetime.combine(today + timedelta(days=1), time()))
    tickets = Ticket.objects.filter(project=project, created_at__gte=since, created_at__lt=until).filter(
        Q(kind=Kind.PRAISE) | Q(kind=Kind.COMPLAINT, status=Status.CLOSED)).order_by("created_at", "id")
    found = []
    for ticket in tickets:
        kind = AssessmentKind.PRAISE if ticket.kind == Kind.PRAISE else AssessmentKind.COMPLAINT
        if kind == AssessmentKind.COMPLAINT and rng.random() > 0.33:
            continue
        profile = by_user.get(ticket.assignee_id) or (by_user.get(ticket.first_receiver_id)
                                                      if kind == AssessmentKind.PRAISE else None)
        if profile is None:
            candidates = by_role.get(ticket.responsible_role or Role.CUSTOMER_SERVICE) or \
                by_role.get(Role.CUSTOMER_SERVICE) or staff
            profile = rng.choice(candidates)
        item = next((i for i in by_kind.get(kind, []) if not i.department or i.department == profile.role), None)
        points = item.points if item else assessments.TICKET_POINTS[kind]
        received = timezone.localtime(ticket.created_at)
        at = min(received + timedelta(days=rng.randint(1, 4)), timezone.now())
        found.append((AssessmentRecord(
            project=project, staff=profile.user, item=item, kind=kind, points=Decimal(points),
            reason=f"{item.name if item else AssessmentKind(kind).label}（工单 {ticket.number}）", ticket=ticket,
            month=received.date().replace(day=1), recorded_by=manager if manager != profile.user else quality,
            recorded_at=at), profile))
        counts["praise" if kind == AssessmentKind.PRAISE else "complaints"] += 1
    return found
