"""A project's rules (规则设置): the numbers and choices a company may set per project instead of code constants.

`RULE_DEFAULTS` is the one place the seeds' defaults live, with each rule's label, unit, bounds and source;
`rules_for(project)` is the one reader (the processes ask it instead of keeping constants); `update_rules` the one
writer (bounds checked per field, one `project.rules_changed` event with from/to for every change).

Some rules set an SLA policy of the project rather than a number read by a process: the return-visit window is
the target of the return-visit clocks, the dunning days are the rungs of the bills' payment deadline. They are
declared here as `sla` links (policy key, what they set, how the value becomes minutes); the SLA engine applies
them when it reads a policy for the project — one mechanism for every deadline, set by the project's rule.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wuye.core.access import Actor, Role, require
from wuye.core.errors import NotAllowed, Problems
from wuye.core.events import record_event

from .models import Project, ProjectRules

DAY_MINUTES = 24 * 60
APPROVERS = {
    Role.COMPANY_ADMIN.value: gettext_lazy("Company senior management"),
    Role.PROJECT_MANAGER.value: gettext_lazy("The project manager"),
}


@dataclass(frozen=True)
class SlaLink:
    """A rule that sets part of an SLA policy: its target, or the delay of the ladder rung with this `stage`."""

    policy: str
    part: str  # "target" or "rung"
    minutes: object  # value → minutes after the start (target) or after the deadline (rung)
    stage: str = ""


@dataclass(frozen=True)
class Rule:
    name: str
    label: object
    unit: object
    default: object
    source: object
    low: int | None = None
    high: int | None = None
    choices: dict = field(default_factory=dict)
    sla: tuple[SlaLink, ...] = ()
    company_only: bool = False  # set by the company administrator only (not the project's own manager)

    def check(self, value) -> str | None:
        """Why `value` is refused, or None."""
        if self.choices:
            if value not in self.choices:
                return _("Choose one of: %(choices)s.") % {"choices": ", ".join(self.choices)}
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            return _("Enter a whole number.")
        if not self.low <= value <= self.high:
            return _("Enter a number from %(low)s to %(high)s %(unit)s.") % {
                "low": self.low, "high": self.high, "unit": self.unit}
        return None

    def display(self, value) -> str:
        return str(self.choices[value]) if self.choices else f"{value} {self.unit}"


def _overdue_rung(days: int) -> int:
    # Days overdue count the day after the due day as day 1 and the deadline is the end of the due day
    # (billing.models.days_overdue): "30 days overdue" begins 29 days after the deadline.
    return (days - 1) * DAY_MINUTES


# The seeds' defaults, each with where it comes from. Bounds keep a typing error (3000 days) out of the processes.
RULE_DEFAULTS: dict[str, Rule] = {rule.name: rule for rule in (
    Rule("repeat_window_days", gettext_lazy("Repeat-repair window"), gettext_lazy("days"), 30,
         gettext_lazy("SPEC §2.1: the same unit and fault category again within 30 days is a repeat repair"),
         low=1, high=365),
    Rule("return_visit_hours", gettext_lazy("Return-visit window"), gettext_lazy("hours"), 24,
         gettext_lazy("SPEC §2.1, seed 003: return visit within 24 hours of the work being done"),
         low=1, high=24 * 14,
         sla=(SlaLink("repair.return_visit", "target", lambda hours: hours * 60),
              SlaLink("complaint.return_visit", "target", lambda hours: hours * 60))),
    Rule("complaint_approver", gettext_lazy("Approver of a major complaint's resolution"), "",
         Role.COMPANY_ADMIN.value,
         gettext_lazy("Seed 001 ch. 8: company senior management approves major complaints"), choices=APPROVERS,
         company_only=True),
    Rule("notice_lead_days", gettext_lazy("Payment-notice lead"), gettext_lazy("days"), 15,
         gettext_lazy("SPEC §3: the payment notice at least 15 days before the due date"), low=1, high=90),
    Rule("dunning_reminder_days", gettext_lazy("Reminder notice (催缴通知书) at"), gettext_lazy("days overdue"), 30,
         gettext_lazy("SPEC §3: 30 days overdue → reminder notice"), low=1, high=365,
         sla=(SlaLink("billing.payment", "rung", _overdue_rung, stage="reminder"),)),
    Rule("dunning_letter_days", gettext_lazy("Lawyer's letter (律师函) at"), gettext_lazy("days overdue"), 60,
         gettext_lazy("SPEC §3: 60 days overdue → lawyer's letter"), low=2, high=730,
         sla=(SlaLink("billing.payment", "rung", _overdue_rung, stage="lawyer_letter"),)),
    Rule("parking_free_minutes", gettext_lazy("Temporary parking free period"), gettext_lazy("minutes"), 15,
         gettext_lazy("SPEC §5: a temporary car staying up to 15 minutes pays nothing"), low=0, high=120),
    Rule("parking_daily_cap_yuan", gettext_lazy("Temporary parking cap per 24 hours"), gettext_lazy("yuan"), 20,
         gettext_lazy("SPEC §5: the temporary tariff (2 CNY/h, seed 001 ch.6 §3) stops at a daily cap; 0 = no cap"),
         low=0, high=1000),
    Rule("patrol_every_minutes", gettext_lazy("Patrol round every"), gettext_lazy("minutes"), 120,
         gettext_lazy("Seed 001 ch.6 §1: patrols every 2 hours"), low=15, high=720),
    Rule("patrol_key_area_every_minutes", gettext_lazy("Key-area patrol round every"), gettext_lazy("minutes"), 60,
         gettext_lazy("Seed 001 ch.6 §1: key areas (underground garage, playground) every hour"), low=15, high=720),
)}


@dataclass(frozen=True)
class Rules:
    """A project's rules as values (defaults where the project has set nothing)."""

    project_id: int
    values: dict

    def __getattr__(self, name):
        try:
            return self.__dict__["values"][name]
        except KeyError:
            raise AttributeError(name) from None

    @property
    def repeat_window(self) -> timedelta:
        return timedelta(days=self.repeat_window_days)

    @property
    def notice_lead(self) -> timedelta:
        return timedelta(days=self.notice_lead_days)

    def sla_overrides(self) -> dict[str, dict]:
        """{policy key: {"target": minutes} and/or {"rungs": {stage: minutes}}} set by this project's rules."""
        overrides: dict[str, dict] = {}
        for rule in RULE_DEFAULTS.values():
            for link in rule.sla:
                minutes = link.minutes(self.values[rule.name])
                entry = overrides.setdefault(link.policy, {})
                if link.part == "target":
                    entry["target"] = minutes
                else:
                    entry.setdefault("rungs", {})[link.stage] = minutes
        return overrides


def defaults() -> dict:
    return {name: rule.default for name, rule in RULE_DEFAULTS.items()}


_CACHE_ATTR = "_wuye_rules"


def rules_for(project) -> Rules:
    """The project's rules (a `Project` or its id). One query; kept on the `Project` instance for the rest of the
    request (a changed rule replaces it there). Loops over many projects' records keep their own dict by id."""
    if isinstance(project, Project) and _CACHE_ATTR in project.__dict__:
        return project.__dict__[_CACHE_ATTR]
    project_id = project.pk if isinstance(project, Project) else project
    row = ProjectRules.objects.filter(project_id=project_id).values(*RULE_DEFAULTS).first()
    rules = Rules(project_id, {**defaults(), **(row or {})})
    if isinstance(project, Project):
        project.__dict__[_CACHE_ATTR] = rules
    return rules


# Floors above register what must follow a change (the SLA engine moves open clocks' next check); called in the
# change's transaction with (project, {name: (old, new)}).
_ON_CHANGE: list = []


def on_change(handler):
    """Decorator: call `handler(project, changes)` after a project's rules changed, in the same transaction."""
    _ON_CHANGE.append(handler)
    return handler


@transaction.atomic
def update_rules(actor: Actor, project: Project, changes: dict, *, reason: str) -> Rules:
    """Set some of the project's rules. The project manager or the company administrator; every field is checked
    against its bounds (422 naming the field, nothing written), a reason is required, and each change is on record
    as one `project.rules_changed` event with from/to per rule. Unchanged values write nothing."""
    require(actor, "tenancy.manage_rules")
    problems = Problems()
    for name, value in changes.items():
        rule = RULE_DEFAULTS.get(name)
        if rule is None:
            problems.add(name, _("Not a project rule."))
        elif rule.company_only and actor.role != Role.COMPANY_ADMIN and not actor.is_superuser:
            raise NotAllowed(_("Only the company administrator sets %(rule)s.") % {"rule": rule.label})
        elif (message := rule.check(value)) is not None:
            problems.add(name, message)
    if not (reason or "").strip():
        problems.add("reason", _("Say why the rules change."))
    row = ProjectRules.objects.select_for_update().filter(project=project).first()
    current = {**defaults(), **({name: getattr(row, name) for name in RULE_DEFAULTS} if row else {})}
    after = {**current, **{name: value for name, value in changes.items() if name in RULE_DEFAULTS}}
    if not problems.items and after["dunning_letter_days"] <= after["dunning_reminder_days"]:
        problems.add("dunning_letter_days", _("The lawyer's letter comes after the reminder notice (more days)."))
    problems.raise_if_any()
    changed = {name: (current[name], after[name]) for name in RULE_DEFAULTS if current[name] != after[name]}
    rules = Rules(project.pk, after)
    project.__dict__[_CACHE_ATTR] = rules  # before the handlers: they read the new rules through this project
    if changed:
        if row is None:
            row = ProjectRules(project=project)
        for name, value in after.items():
            setattr(row, name, value)
        row.save()
        record_event(project, "project.rules_changed", actor=actor.user, data={
            "changes": {name: {"from": old, "to": new} for name, (old, new) in changed.items()},
            "reason": reason.strip()[:500]})
        for handler in _ON_CHANGE:
            handler(project, changed)
    return rules


def describe(project) -> list[dict]:
    """Each rule with its value, default, unit, bounds and source — the rules page and the API show this."""
    rules = rules_for(project)
    return [{"name": rule.name, "label": str(rule.label), "unit": str(rule.unit), "value": rules.values[rule.name],
             "default": rule.default, "display": rule.display(rules.values[rule.name]),
             "default_display": rule.display(rule.default), "is_default": rules.values[rule.name] == rule.default,
             "min": rule.low, "max": rule.high,
             "choices": [{"value": key, "label": str(label)} for key, label in rule.choices.items()],
             "source": str(rule.source), "company_only": rule.company_only} for rule in RULE_DEFAULTS.values()]
