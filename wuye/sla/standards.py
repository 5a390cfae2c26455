"""The two service standards shipped with the product (§2.1–§2.3): SPEC defaults and the five-star set (seed 000:
emergency repairs answered on site within 15 minutes, general repairs within 2 hours, complaints replied to within
24 hours). `install_standards()` creates or updates them; projects pick one (default: spec-default)."""

from datetime import timedelta

from django.db import transaction

from wuye.core.access import Role

M = timedelta(minutes=1)
H = timedelta(hours=1)


def ladder(first_role: str, *minutes: int) -> list[dict]:
    """Supervisor of the responsible department → project manager → company quality, after these minutes."""
    steps = [(first_role, True), (Role.PROJECT_MANAGER.value, False), (Role.QUALITY.value, False)]
    return [{"after_minutes": after, "role": role, "supervisor": supervisor}
            for after, (role, supervisor) in zip(minutes, steps, strict=False)]


ENG, CS, FIN = Role.ENGINEERING.value, Role.CUSTOMER_SERVICE.value, Role.FINANCE.value
DAY = 24 * 60  # minutes

# A bill's payment deadline (§3): started with the bill's due date; 30 days overdue → reminder notice, 60 days →
# lawyer's letter. "quiet" rungs send no staff message per bill; billing's handler issues the owner's letter.
# Days overdue count the day after the due day as day 1 (billing.models.days_overdue), and the deadline is the end
# of the due day: day 30 begins 29 days after it. These are the seed's days: a project's rules
# (dunning_reminder_days, dunning_letter_days in tenancy.rules) set the rung of each `stage` for its clocks, as
# return_visit_hours sets the return-visit targets (sla.engine.effective_policy).
BILL_LADDER = [
    {"after_minutes": 29 * DAY, "role": FIN, "supervisor": True, "quiet": True, "stage": "reminder"},
    {"after_minutes": 59 * DAY, "role": Role.PROJECT_MANAGER.value, "supervisor": False, "quiet": True,
     "stage": "lawyer_letter"},
]

# A rectification's limit (quality, §6) is counted in working days of the project's calendar (core.calendar: a
# working day is its day length, 8 h). Its department differs per row: the first rung names no role, so the engine
# tells the supervisors of the subject's own department (`sla_responsible_role`); then the project manager one day
# later and company quality two days later (rungs are counted in calendar time past the deadline).
QA = Role.QUALITY.value
WORKING_DAY = 8 * H
RECTIFICATION_LADDER = [
    {"after_minutes": 0, "supervisor": True},
    {"after_minutes": DAY, "role": Role.PROJECT_MANAGER.value, "supervisor": False},
    {"after_minutes": 2 * DAY, "role": QA, "supervisor": False},
]

# Facilities (§4). A maintenance task's deadline is the end of its due day (plus the plan's grace), set per task;
# the target here only serves a task started without one. Operation-log anomalies are reported within 10 minutes;
# general faults fixed within 24 h, major within 48 h (seed 001 ch.4 §3).
SEC = Role.SECURITY.value
# The project's emergency command group (应急指挥小组, people.services.emergency_group), told through the urgent
# channel (in-app and SMS) — an elevator entrapment whose contractor or rescue is late (seed 001 ch.7 §2.1).
EMERGENCY_GROUP = "emergency_group"  # a rung's role naming the group, read by the engine's audience
EMERGENCY_NOW = [{"after_minutes": 0, "role": EMERGENCY_GROUP, "supervisor": False, "urgent": True}]
MAINTENANCE_LADDER = [
    {"after_minutes": 0, "supervisor": True},
    {"after_minutes": DAY, "role": Role.PROJECT_MANAGER.value, "supervisor": False},
    {"after_minutes": 3 * DAY, "role": QA, "supervisor": False},
]
FACILITIES = {
    "maintenance.task": ("维护保养任务", 24 * H, "calendar", ENG, MAINTENANCE_LADDER),
    "fault.report": ("运行异常上报", 10 * M, "calendar", ENG, ladder(ENG, 0, 10, 30)),
    "fault.general.repair": ("一般故障修复", 24 * H, "calendar", ENG, ladder(ENG, 0, 120, 480)),
    "fault.major.repair": ("重大故障修复", 48 * H, "calendar", ENG, ladder(ENG, 0, 120, 480)),
    "entrapment.staff_arrive": ("困人员工到场", 5 * M, "calendar", SEC,
                                [{"after_minutes": 0, "supervisor": True},
                                 {"after_minutes": 5, "role": Role.PROJECT_MANAGER.value, "supervisor": False}]),
    "entrapment.contractor_arrive": ("困人维保单位到场", 30 * M, "calendar", ENG, EMERGENCY_NOW),
    "entrapment.rescue": ("困人解救", 30 * M, "calendar", SEC, EMERGENCY_NOW),
    "handover.confirm": ("交接班确认", 30 * M, "calendar", ENG,
                         [{"after_minutes": 0, "supervisor": True},
                          {"after_minutes": 60, "role": Role.PROJECT_MANAGER.value, "supervisor": False}]),
}

# Order, security and environment (§5). A patrol checkpoint is due `minutes_from_start` into its round (its deadline
# is set per clock): no warning, and its one rung is quiet — the patrol handler (security.patrols) marks the
# checkpoint missed and tells the security supervisors once per round, not once per checkpoint. A round must be
# completed within its route's round time (set per clock); a missed round climbs the ladder. Cleaning tasks are
# due at the end of their slot, greening tasks at the end of their day (both set per clock).
ENV = Role.ENVIRONMENT.value
SECURITY_ENVIRONMENT = {
    "patrol.checkpoint": ("巡更点打卡", 10 * M, "calendar", SEC,
                          [{"after_minutes": 0, "role": SEC, "supervisor": True, "quiet": True}]),
    "patrol.round": ("巡逻轮次完成", 40 * M, "calendar", SEC, ladder(SEC, 0, 60, 240)),
    "cleaning.task": ("保洁任务", 60 * M, "calendar", ENV, ladder(ENV, 0, 120, 480)),
    "greening.task": ("绿化养护任务", 24 * H, "calendar", ENV, MAINTENANCE_LADDER),
}

# Community operations (§7, seed 001 ch.2–3, seed 003). Issues found at a move-in's joint house inspection are
# rectified within 7 working days, a takeover's rectification notice gives the developer 15 working days (both are
# rectifications: quality.open_rectification(policy_key=…)); the move-in return visit is made within 3 days of the
# keys; the decoration deposit is refunded within 7 working days of acceptance. An incident's playbook step has the
# playbook's own limit (set per clock, the target here only serves a step without one) and escalates straight to
# the project's emergency command group.
COMMUNITY = {
    "rectification.move_in": ("入伙验房问题整改", 7 * WORKING_DAY, "working", ENG, RECTIFICATION_LADDER),
    "rectification.takeover": ("接管验收整改通知", 15 * WORKING_DAY, "working", ENG, RECTIFICATION_LADDER),
    "movein.return_visit": ("入伙回访", 3 * 24 * H, "calendar", CS, ladder(CS, 0, DAY, 2 * DAY)),
    "decoration.refund": ("装修保证金退还", 7 * WORKING_DAY, "working", FIN, ladder(FIN, 0, DAY, 3 * DAY)),
    "incident.step": ("应急处置步骤", 30 * M, "calendar", SEC, EMERGENCY_NOW),
}

# key: (name, target, measure, responsible role, ladder)
SPEC_DEFAULT = {
    "repair.emergency.dispatch": ("紧急报修派单", 5 * M, "calendar", CS, ladder(CS, 0, 10, 30)),
    "repair.emergency.arrive": ("紧急报修到场", 30 * M, "calendar", ENG, ladder(ENG, 0, 15, 60)),
    "repair.emergency.complete": ("紧急报修完成", 24 * H, "calendar", ENG, ladder(ENG, 0, 120, 480)),
    "repair.general.dispatch": ("一般报修派单", 1 * H, "calendar", CS, ladder(CS, 0, 60, 240)),
    "repair.general.arrive": ("一般报修按约到场", 24 * H, "calendar", ENG, ladder(ENG, 0, 60, 240)),
    "repair.general.complete": ("一般报修完成", 24 * H, "calendar", ENG, ladder(ENG, 0, 240, 1440)),
    "repair.return_visit": ("维修回访", 24 * H, "calendar", CS, ladder(CS, 0, 480)),
    "complaint.assign": ("投诉分派责任部门", 1 * H, "calendar", CS, ladder(CS, 0, 60, 240)),
    "complaint.urgent.handle": ("紧急投诉处理", 8 * H, "working", CS, ladder(CS, 0, 120, 480)),
    "complaint.important.handle": ("重要投诉处理", 16 * H, "working", CS, ladder(CS, 0, 240, 960)),
    "complaint.general.handle": ("一般投诉处理", 24 * H, "working", CS, ladder(CS, 0, 480, 1440)),
    "complaint.reply": ("投诉答复业主", 24 * H, "calendar", CS, ladder(CS, 0, 240, 1440)),
    "complaint.return_visit": ("投诉回访", 24 * H, "calendar", CS, ladder(CS, 0, 480)),
    "feedback.reply": ("咨询建议答复", 24 * H, "calendar", CS, ladder(CS, 0, 480)),
    "billing.payment": ("费用缴纳期限", 30 * 24 * H, "calendar", FIN, BILL_LADDER),
    "rectification.critical": ("严重问题整改", 1 * WORKING_DAY, "working", QA, RECTIFICATION_LADDER),
    "rectification.major": ("较重问题整改", 2 * WORKING_DAY, "working", QA, RECTIFICATION_LADDER),
    "rectification.minor": ("一般问题整改", 3 * WORKING_DAY, "working", QA, RECTIFICATION_LADDER),
    **FACILITIES,
    **SECURITY_ENVIRONMENT,
    **COMMUNITY,
}
# No warning before a payment deadline: the payment notice (≥ 15 days ahead) is the owner's warning.
NO_WARNING = {"billing.payment", "patrol.checkpoint"}
FIVE_STAR = {
    **SPEC_DEFAULT,
    "repair.emergency.arrive": ("紧急报修15分钟到场", 15 * M, "calendar", ENG, ladder(ENG, 0, 10, 30)),
    "repair.general.arrive": ("一般报修2小时响应", 2 * H, "calendar", ENG, ladder(ENG, 0, 60, 240)),
}
STANDARDS = {
    "spec-default": ("物业服务标准（默认）", "SPEC §2.1/§2.2 time limits.", SPEC_DEFAULT),
    "five-star": ("五星级服务标准", "Seed 000: emergency 15 min, general 2 h, complaint reply 24 h.", FIVE_STAR),
}


@transaction.atomic
def install_standards(standard_model=None, policy_model=None) -> None:
    """Create or update the shipped standards (also called from a data migration with historical models)."""
    if standard_model is None:
        from .models import Policy as policy_model
        from .models import ServiceStandard as standard_model
    for code, (name, description, policies) in STANDARDS.items():
        standard, _ = standard_model.objects.update_or_create(
            code=code, defaults={"name": name, "description": description})
        for key, (label, target, measure, role, steps) in policies.items():
            policy_model.objects.update_or_create(standard=standard, key=key, defaults={
                "name": label, "target": target, "measure": measure, "responsible_role": role, "escalation": steps,
                "warn_percent": 100 if key in NO_WARNING else 80})
