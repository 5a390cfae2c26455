"""How time-limit events read (wuye.core.sentences), registered from `SlaConfig.ready()`. On a timeline they show
inside the step that started or stopped them ("紧急报修派单：按时完成，提前 16 小时（工作时间）")."""

from __future__ import annotations

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from wuye.core.sentences import (
    format_overrun,
    register_preparer,
    register_sentence,
    register_terms,
    term,
)

from .models import Measure, Policy

STOPPED = ("sla.met", "sla.breached")


def _prepare(events, book) -> None:
    """How each stopped limit was measured and each key's name, for events that do not carry them (older
    events): from the same list's `sla.started`, else from the policies, in one query."""
    measures, missing_keys = {}, set()
    for event in events:
        data = event.data or {}
        if event.verb == "sla.started" and data.get("measure"):
            measures[(event.subject_type_id, event.subject_id, data.get("key"))] = data["measure"]
    for event in events:
        data = event.data or {}
        if not event.verb.startswith("sla.") or not data.get("key"):
            continue
        if (event.verb in STOPPED and not data.get("measure")
                and (event.subject_type_id, event.subject_id, data["key"]) not in measures):
            missing_keys.add(data["key"])
        if term("key", data["key"]) == data["key"]:
            missing_keys.add(data["key"])
    policies = {}
    if missing_keys:
        for key, measure, name in Policy.objects.filter(key__in=missing_keys).values_list("key", "measure", "name"):
            policies.setdefault(key, (measure, name))
    book.extra["sla_measures"] = measures
    book.extra["sla_policies"] = policies


def _limit(fields) -> str:
    key = fields.raw.get("key")
    name = term("key", key)
    if name == key:  # a key no app named: the policy's own name, never the code
        name = fields.book.extra.get("sla_policies", {}).get(key, (None, ""))[1] or gettext("Time limit")
    return name


def _measure(event, fields) -> str | None:
    data = fields.raw
    if data.get("measure"):
        return data["measure"]
    found = fields.book.extra.get("sla_measures", {}).get((event.subject_type_id, event.subject_id, data.get("key")))
    return found or fields.book.extra.get("sla_policies", {}).get(data.get("key"), (None, ""))[0]


def started(event, fields) -> str:
    return gettext("%(limit)s — due by %(due)s") % {"limit": _limit(fields), "due": fields["due_at"]}


def met(event, fields) -> str:
    return gettext("%(limit)s — on time, %(overrun)s") % {
        "limit": _limit(fields), "overrun": format_overrun(fields.raw.get("overrun_minutes"), _measure(event, fields))}


def breached(event, fields) -> str:
    return gettext("%(limit)s — missed, %(overrun)s") % {
        "limit": _limit(fields), "overrun": format_overrun(fields.raw.get("overrun_minutes"), _measure(event, fields))}


def paused(event, fields) -> str:
    return gettext("%(limit)s — clock paused (%(reason)s)") % {"limit": _limit(fields), "reason": fields["reason"]}


def resumed(event, fields) -> str:
    return gettext("%(limit)s — clock running again, due by %(due)s") % {
        "limit": _limit(fields), "due": fields["due_at"]}


def cancelled(event, fields) -> str:
    reason = fields.raw.get("reason")
    if reason:
        return gettext("Time limits cancelled (%(count)s): %(reason)s") % {
            "count": fields["clocks"], "reason": fields["reason"]}
    return gettext("Time limits cancelled (%(count)s)") % {"count": fields["clocks"]}


def overdue(event, fields) -> str:
    if fields["subject"]:
        return gettext("%(limit)s overdue: %(subject)s") % {"limit": _limit(fields), "subject": fields["subject"]}
    return gettext("%(limit)s overdue") % {"limit": _limit(fields)}


def register() -> None:
    register_preparer(_prepare)
    register_terms(values={"measure": dict(Measure.choices)})
    key = "repair.emergency.dispatch"
    register_sentence("sla.started", started,
                      example={"key": key, "due_at": "2026-12-03T17:00+08:00", "measure": "working"})
    register_sentence("sla.met", met, example={"key": key, "overrun_minutes": -960.0, "measure": "working"})
    register_sentence("sla.breached", breached, example={"key": key, "overrun_minutes": 125.4})
    register_sentence("sla.paused", paused, example={"key": key, "reason": "等配件"})
    register_sentence("sla.resumed", resumed, example={"key": key, "due_at": "2026-12-03T17:00+08:00"})
    register_sentence("sla.cancelled", cancelled, example={"clocks": 2, "reason": "reopened"})
    register_sentence("sla.overdue", overdue, example={"key": "billing.payment"})
    register_terms(details={"reason": _("reason")})
