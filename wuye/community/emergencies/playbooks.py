"""Playbooks (应急预案): the seed's plans (seed 001 ch.7) installed per project, and the manager's edit of a step's
time limit. A playbook is the project's own copy, so a manager's change applies to that project only.

The shipped steps follow seed 001 ch.7 §2: the entrapment flow (a guard on site in 5 minutes, the maintenance
contractor in 30, the people freed in 30 — the three mirror the facilities entrapment's own clocks, see
`incidents.start_for_entrapment`), the outage flow, the public-health flow; fire from ch.6 §2; the earthquake plan
from ch.7 §1 (evacuate, report, inspect, inform, supply)."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wuye.core.access import Actor, Role, require, scoped
from wuye.core.errors import InvalidInput
from wuye.core.events import record_event
from wuye.core.sentences import register_sentences, register_terms

from .models import CountedFrom, IncidentKind, Level, Playbook, PlaybookStep

SEC, CS, ENG = Role.SECURITY, Role.CUSTOMER_SERVICE, Role.ENGINEERING
ENV, FIN, PM = Role.ENVIRONMENT, Role.FINANCE, Role.PROJECT_MANAGER
START, PREVIOUS = CountedFrom.START, CountedFrom.PREVIOUS
MINUTES_MAX = 7 * 24 * 60  # a step's limit: at most a week

# kind: (name, usual level, [(role, title, instructions, minutes, counted from, mirrors)])
DEFAULTS: dict[str, tuple[str, str, list[tuple]]] = {
    IncidentKind.ENTRAPMENT: ("电梯困人应急预案", Level.IV, [
        (SEC, "秩序员到场安抚被困人员", "通过电梯对讲安抚被困人员，不得强行扒门", 5, START,
         "entrapment.staff_arrive"),
        (CS, "联系维保单位到场", "客服中心立即联系维保单位，要求30分钟内到场，逾时上报应急指挥小组", 30, START,
         "entrapment.contractor_arrive"),
        (ENG, "解救被困人员", "维保人员用三角钥匙开门救援，工程人员配合", 30, START, "entrapment.rescue"),
        (ENG, "检查电梯并恢复运行", "确认无故障、空载运行3次正常后恢复运行", 120, PREVIOUS, ""),
        (CS, "回访被困人员", "了解情况，形成《电梯困人应急处理报告》", 24 * 60, PREVIOUS, ""),
    ]),
    IncidentKind.OUTAGE: ("停水停电应急预案", Level.III, [
        (CS, "通知业主", "突发停水停电立即通过短信、APP、公告栏通知业主", 15, START, ""),
        (SEC, "应急保障", "设置临时取水点并安排秩序员值守，开启楼道应急灯，停电时关闭电梯并设提示牌", 30, START, ""),
        (ENG, "排查故障原因", "排查水管破裂、变压器故障等原因", 60, START, ""),
        (ENG, "恢复供应", "需供水/供电部门配合时立即联系其到场；重大故障48小时内修复", 48 * 60, START, ""),
        (CS, "回访业主", "恢复供应后回访业主满意度", 24 * 60, PREVIOUS, ""),
    ]),
    IncidentKind.FIRE: ("火灾应急预案", Level.II, [
        (SEC, "拨打119报警并上报", "说明火灾地点、火势大小、有无人员被困", 2, START, ""),
        (SEC, "初期扑救", "使用灭火器、消防栓初期扑救，火势较大时等待消防人员", 5, START, ""),
        (SEC, "人员疏散", "引导业主沿消防通道疏散，不得乘坐电梯", 10, START, ""),
        (CS, "通报业主", "通过短信、APP发布信息，避免恐慌", 30, START, ""),
        (PM, "配合调查并恢复秩序", "配合消防部门调查火灾原因，清理现场", 24 * 60, PREVIOUS, ""),
    ]),
    IncidentKind.PUBLIC_HEALTH: ("公共卫生事件应急预案", Level.I, [
        (PM, "上报应急指挥小组与疾控部门", "发现公共卫生事件立即上报", 30, START, ""),
        (CS, "发布信息", "通过APP、短信准确及时发布信息，避免谣言", 60, START, ""),
        (SEC, "封闭管控", "按疾控部门要求封闭小区或单元楼，设置隔离带", 120, START, ""),
        (ENV, "公共区域消毒", "电梯间、楼道等公共区域每天消毒2次", 240, START, ""),
        (CS, "配合调查密切接触者", "做好登记，为隔离业主提供物资配送", 24 * 60, START, ""),
    ]),
    IncidentKind.EARTHQUAKE: ("地震应急预案", Level.I, [
        (SEC, "组织人员疏散", "引导业主到空旷地带，不得乘坐电梯", 10, START, ""),
        (PM, "上报应急指挥小组", "应急指挥小组决策并协调资源", 15, START, ""),
        (CS, "发布信息安抚业主", "通过APP、短信通报情况", 60, START, ""),
        (ENG, "排查建筑与水电燃气设施", "关闭燃气总阀，排查结构与设施损坏", 120, START, ""),
        (FIN, "后勤保障", "发放应急灯、饮用水等物资", 180, START, ""),
    ]),
}


def install_default_playbooks(project) -> int:
    """The seed's five playbooks for `project`, each once (a kind the project already has is left alone, with
    the manager's edits). Returns how many were installed."""
    made = 0
    with transaction.atomic():
        have = set(Playbook.objects.filter(project=project).values_list("kind", flat=True))
        for kind, (name, level, steps) in DEFAULTS.items():
            if kind in have:
                continue
            playbook = Playbook.objects.create(project=project, kind=kind, name=name, level=level)
            PlaybookStep.objects.bulk_create([
                PlaybookStep(playbook=playbook, position=number, role=role, title=title, instructions=instructions,
                             minutes=minutes, counted_from=counted_from, mirrors=mirrors)
                for number, (role, title, instructions, minutes, counted_from, mirrors) in enumerate(steps, 1)])
            made += 1
    return made


def playbooks(actor: Actor):
    """The playbooks in `actor`'s scope, by project and kind."""
    return scoped(Playbook.objects.select_related("project"), actor).order_by("project__name", "id")


def set_step_minutes(actor: Actor, step: PlaybookStep, minutes) -> PlaybookStep:
    """The manager changes a step's time limit (1 minute … 7 days); incidents already started keep theirs."""
    require(actor, "emergencies.manage_playbooks")
    if not scoped(PlaybookStep.objects.filter(pk=step.pk), actor).exists():
        raise InvalidInput("step", _("No such step."))
    try:
        value = int(str(minutes).strip()) if str(minutes).strip().isdigit() and len(str(minutes)) <= 6 else -1
    except ValueError:
        value = -1
    if not 1 <= value <= MINUTES_MAX:
        raise InvalidInput("minutes", _("Give whole minutes from 1 to %(max)s.") % {"max": MINUTES_MAX})
    with transaction.atomic():
        step = PlaybookStep.objects.select_for_update().select_related("playbook").get(pk=step.pk)
        before = step.minutes
        if before == value:
            return step
        step.minutes = value
        step.save(update_fields=["minutes"])
        record_event(step.playbook, "emergencies.playbook.step_minutes", actor=actor.user,
                     project_id=step.playbook.project_id,
                     data={"step": step.title, "minutes_before": before, "minutes": value})
    return step


register_terms(details={"minutes_before": gettext_lazy("minutes before")})
register_sentences({
    "emergencies.playbook.step_minutes": (
        gettext_lazy("The time limit of step %(step)s changed from %(minutes_before)s to %(minutes)s minutes"),
        {"example": {"step": "秩序员到场安抚被困人员", "minutes_before": 5, "minutes": 4}}),
})
