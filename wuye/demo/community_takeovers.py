"""The takeover part of the demo (接管验收, issue 15): for every project of the company, through the real services,
an earlier phase taken over and accepted (one finding fixed at the re-inspection, one accepted as is by the
manager, the confirmation signed, every document received) and a later phase under way — inspected, three
findings on a rectification notice to the developer whose 15-working-day clock is running, most documents
received and one missing. Idempotent: a project with takeovers already is left alone."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from wuye.community.takeovers import services
from wuye.community.takeovers.models import DocumentCategory, Takeover
from wuye.core.access import Role
from wuye.demo.builders import demo_projects
from wuye.people.access import actor_for
from wuye.people.models import StaffProfile
from wuye.quality import rectifications

DEVELOPER, CONTACT = "华景置业有限公司", "李建国 13800000000"
TEAM = "工程部主管（组长）、工程部电梯/水电技术员、客服中心主管、秩序部主管"
REPRESENTATIVES = "业主代表 陈女士、王先生"
FINDINGS = {  # item → what was found (the later phase's notice)
    "电梯空载运行3次无异常": "2号楼1号梯第二次空载运行时有异响",
    "墙面平整，无空鼓、开裂、渗水": "3号楼3层走廊墙面开裂约1.2米",
    "消防通道畅通，疏散标识齐全": "地下车库B区疏散指示灯2处不亮",
}


def _staff(project, role):
    """A staff member of `role` who sees `project` (the supervisor first), else the administrator."""
    from django.contrib.auth import get_user_model

    profiles = StaffProfile.objects.filter(company_id=project.company_id, role=role).select_related("user").order_by(
        "-is_supervisor", "id")
    for profile in profiles:
        if profile.all_projects or profile.projects.filter(pk=project.pk).exists():
            return actor_for(profile.user)
    return actor_for(get_user_model().objects.filter(is_superuser=True).order_by("id").first())


def add_demo_takeovers(company, now: datetime | None = None) -> dict:
    """An accepted takeover and one under way for each project of `company`; returns {"takeovers": n}."""
    now = now or timezone.now()
    made = 0
    for project in demo_projects(company):
        if not Takeover.objects.filter(project=project).exists():
            with transaction.atomic():
                made += _add_for_project(project, now)
    return {"takeovers": made}


def _at(now: datetime, days_ago: int, hour: int = 9) -> datetime:
    return timezone.make_aware(datetime.combine(timezone.localdate(now) - timedelta(days=days_ago), time(hour, 0)))


def _receive_documents(engineer, takeover, at, *, missing: str | None = None) -> None:
    day = timezone.localdate(at)
    for n, doc in enumerate(takeover.documents.order_by("number")):
        if doc.name == missing:
            services.update_document(engineer, doc, {"status": "missing", "note": "开发商称月底前补交"}, at=at)
            continue
        data = {"status": "received", "received_on": day, "copies": 2 if doc.category == DocumentCategory.DRAWING
                else 1, "filed_at": "工程部资料室 A-%s" % (n + 1)}
        if doc.category == DocumentCategory.WARRANTY:
            firm = {"电梯保修卡": "迅达电梯有限公司", "消防设备保修卡": "安泰消防工程有限公司"}.get(doc.name, DEVELOPER)
            data |= {"warranty_ends_on": day + timedelta(days=730), "responsible_firm": firm}
        services.update_document(engineer, doc, data, at=at)


def _add_for_project(project, now: datetime) -> int:
    engineer, manager = _staff(project, Role.ENGINEERING), _staff(project, Role.PROJECT_MANAGER)
    buildings = list(project.buildings.order_by("number"))
    half = max(len(buildings) // 2, 1)
    # 1. The first phase, accepted about four months ago.
    start = _at(now, 120)
    first = services.create_takeover(
        engineer, project=project, buildings=buildings[:half], title="一期住宅楼栋", developer=DEVELOPER,
        developer_contact=CONTACT, planned_on=timezone.localdate(start), members=TEAM,
        owner_representatives=REPRESENTATIVES, at=start)
    services.start_inspection(engineer, first, at=start)
    lift = first.checks.get(item="电梯空载运行3次无异常")
    green = first.checks.get(item="绿化景观完好，无缺苗、枯死")
    for check in first.checks.order_by("number"):
        if check.pk == lift.pk:
            services.record_check(engineer, check, result="finding", note="1号楼2号梯平层误差偏大", at=start)
        elif check.pk == green.pk:
            services.record_check(engineer, check, result="finding", note="中心花园缺苗约20株", at=start)
        elif check.system == "hvac":
            services.record_check(engineer, check, result="not_applicable", note="住宅楼栋无集中空调", at=start)
        else:
            services.record_check(engineer, check, result="ok", at=start)
    services.issue_notice(engineer, first, at=_at(now, 119))
    notice = first.notices.get()
    services.start_reinspection(engineer, first, at=_at(now, 102))
    services.waive(manager, first.checks.get(pk=green.pk), note="开发商书面承诺春季补种，列入保修",
                   at=_at(now, 102))
    # The engineer's re-inspection resolves the last finding: the notice closes and engineering reports its
    # rectification done; the manager verifies it on the quality side.
    services.reinspect(engineer, first.checks.get(pk=lift.pk), fixed=True, note="维保单位已调整，复测正常",
                       at=_at(now, 101))
    rect = services.rectification_of(notice)
    if rect is not None and rectifications.may_act(manager, rect, "accept"):
        rectifications.verify(manager, rect, accepted=True, note="复查合格", at=_at(now, 101))
    _receive_documents(engineer, first, _at(now, 101))
    services.accept(manager, first, signed_on=timezone.localdate(_at(now, 100)), developer_signatory="李建国",
                    note="接管验收通过，可向业主交付", at=_at(now, 100))
    # 2. The second phase under way: a notice with three findings, its clock running.
    start = _at(now, 6)
    second = services.create_takeover(
        engineer, project=project, buildings=buildings[half:], title="二期楼栋及地下车库", developer=DEVELOPER,
        developer_contact=CONTACT, planned_on=timezone.localdate(start), members=TEAM,
        owner_representatives=REPRESENTATIVES, at=start)
    services.start_inspection(engineer, second, at=start)
    for check in second.checks.order_by("number"):
        if check.item in FINDINGS:
            services.record_check(engineer, check, result="finding", note=FINDINGS[check.item], at=start)
        else:
            services.record_check(engineer, check, result="ok", at=start)
    services.issue_notice(engineer, second, note="请于期限内整改完毕并书面通知我司复查", at=_at(now, 5))
    _receive_documents(engineer, second, _at(now, 5), missing="隐蔽工程验收记录及影像资料")
    return 2
