"""The emergencies part of the demo (应急, issue 15 item 5): for every project of the company the shipped
playbooks, a past level-IV elevator entrapment incident closed with its log and report (the incident the
facilities demo's past entrapment opened, when there is one; else one recorded afterwards), and a past level-III
outage across 12 buildings, resolved and closed. All through the real services, stamped at the moments the demo
says they happened. Idempotent: a project with the outage incident already is left alone."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from wuye.community.emergencies import incidents
from wuye.community.emergencies.models import Incident, IncidentKind, IncidentStatus, Playbook
from wuye.community.emergencies.playbooks import install_default_playbooks
from wuye.core.access import Role
from wuye.demo.builders import demo_projects
from wuye.demo.facilities import _past
from wuye.demo.security_goods import _staff


def _start(*args, at: datetime, **fields):
    """`incidents.start_incident` with the `at=` that `_past` stamps its events with."""
    return incidents.start_incident(*args, **fields)


def add_demo_emergencies(company, now: datetime | None = None) -> dict:
    """Playbooks and two past incidents per project; returns {"playbooks": n, "incidents": n}."""
    now = now or timezone.now()
    counts = {"playbooks": 0, "incidents": 0}
    for project in demo_projects(company):
        counts["playbooks"] += install_default_playbooks(project)
        if Incident.objects.filter(project=project, kind=IncidentKind.OUTAGE).exists():
            continue
        with transaction.atomic():
            counts["incidents"] += _entrapment_incident(project, now) + _outage_incident(project, now)
    return counts


def _close(incident, steps_done: list[tuple[int, int, str]], log: list[tuple[int, str]], *, resolved_after: int,
           summary: str, cause: str, lessons: str) -> None:
    """Complete steps (position, minutes after the start, note), write the log (minutes after, text), resolve and
    close, each at its moment."""
    start = incident.reported_at
    duty = _staff(incident.project, Role.SECURITY)
    manager = _staff(incident.project, Role.PROJECT_MANAGER)
    for position, minutes, note in steps_done:
        step = incident.steps.get(position=position)
        if step.done_at is None and not step.mirrors:
            _past(incidents.complete_step)(duty, incident, step, note, at=start + timedelta(minutes=minutes))
    for minutes, text in log:
        _past(incidents.add_log)(duty, incident, text, at=start + timedelta(minutes=minutes))
    _past(incidents.resolve)(duty, incident, at=start + timedelta(minutes=resolved_after))
    _past(incidents.close)(manager, incident, summary=summary, cause=cause, lessons=lessons,
                           at=start + timedelta(minutes=resolved_after + 24 * 60))


def _entrapment_incident(project, now: datetime) -> int:
    incident = Incident.objects.filter(project=project, kind=IncidentKind.ENTRAPMENT,
                                       status=IncidentStatus.ACTIVE).exclude(source_id=None).order_by("id").first()
    made = 0
    if incident is None:
        playbook = Playbook.objects.get(project=project, kind=IncidentKind.ENTRAPMENT)
        started = (now - timedelta(days=21)).replace(hour=8, minute=40, second=0, microsecond=0)
        incident = _past(_start)(
            _staff(project, Role.CUSTOMER_SERVICE), project, playbook, "iv", title="电梯困人：2号楼客梯",
            place="2号楼 大堂 停在5层", at=started, reported_at=started)
        made = 1
        mirrored = [(1, 4, "对讲安抚，被困1人情绪稳定"), (2, 12, "维保单位已接单"), (3, 25, "三角钥匙开门救出")]
    else:
        mirrored = []
    _close(incident, [*mirrored, (4, 150, "空载运行3次正常，恢复运行"), (5, 20 * 60, "回访被困业主，无不适")],
           [(2, "客服中心接警，通知秩序部、工程部"), (15, "秩序员在轿厢外持续安抚"), (30, "被困人员已解救，无人受伤")],
           resolved_after=21 * 60, summary="轿厢停在两层之间，秩序员到场安抚，维保单位到场后盘车放人，无人受伤。",
           cause="层门门锁回路触点氧化导致停梯", lessons="半月保养增加层门门锁触点检查；维保单位迟到已约谈")
    return made or 1


def _outage_incident(project, now: datetime) -> int:
    playbook = Playbook.objects.get(project=project, kind=IncidentKind.OUTAGE)
    started = (now - timedelta(days=12)).replace(hour=19, minute=5, second=0, microsecond=0)
    incident = _past(_start)(
        _staff(project, Role.ENGINEERING), project, playbook, None, title="突发停电（12栋楼）",
        place="1–12号楼", buildings_affected=12, reported_at=started, at=started)
    _close(incident, [(1, 10, "短信、APP、公告栏已通知"), (2, 25, "楼道应急灯开启，电梯已停用并设提示牌"),
                      (3, 55, "10kV进线开关跳闸"), (4, 200, "供电局抢修后恢复供电"), (5, 23 * 60, "抽样回访20户")],
           [(5, "配电房报警，工程部到场"), (40, "联系供电局抢修"), (200, "全部楼栋恢复供电，电梯逐台试运行")],
           resolved_after=210, summary="进线开关跳闸致12栋楼停电3小时20分，供电局抢修后恢复。",
           cause="进线电缆接头老化发热", lessons="每季度红外测温检查配电接头；备用发电机每月试机")
    return 1
