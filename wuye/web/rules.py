"""The rules page of a project (规则设置): each rule with its value, the seed's default and where that comes from;
the project manager and the company administrator change them with a reason (tenancy.rules.update_rules)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wuye.core.access import Role, get_scoped_or_404
from wuye.core.errors import InvalidInput
from wuye.core.events import timeline
from wuye.core.sentences import register_sentence
from wuye.core.templatetags.timeline import register_event_labels
from wuye.tenancy.models import Project
from wuye.tenancy.rules import RULE_DEFAULTS, describe, update_rules

from .guards import staff_view


def _changes_sentence(event) -> str:
    """"Rules changed: Repeat-repair window 30 days → 45 days" — the labels and units of today's table."""
    parts = []
    for name, change in (event.data or {}).get("changes", {}).items():
        rule = RULE_DEFAULTS.get(name)
        if rule is None:
            parts.append(f"{name}: {change.get('from')} → {change.get('to')}")
            continue
        parts.append(f"{rule.label} {_display(rule, change.get('from'))} → {_display(rule, change.get('to'))}")
    return _("Rules changed: %(changes)s") % {"changes": "; ".join(parts)}


def _display(rule, value) -> str:
    try:
        return rule.display(value)
    except KeyError:  # a choice that no longer exists
        return str(value)


register_sentence("project.rules_changed", lambda event, fields: _changes_sentence(event), details=("reason",),
                  example={"changes": {"repeat_window_days": {"from": 30, "to": 45}}, "reason": "业委会要求"})
register_event_labels(details={"changes": gettext_lazy("changes"), "reason": gettext_lazy("reason")})


def may_change(actor, rule) -> bool:
    if rule.company_only:
        return actor.is_superuser or actor.role == Role.COMPANY_ADMIN
    return actor.may("tenancy.manage_rules")


class RulesForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason for the change"), max_length=500)

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        fields = {}
        for rule in RULE_DEFAULTS.values():
            if not may_change(actor, rule):
                continue
            if rule.choices:
                fields[rule.name] = forms.ChoiceField(label=rule.label, choices=list(rule.choices.items()))
            else:
                fields[rule.name] = forms.IntegerField(label=f"{rule.label} ({rule.unit})", min_value=rule.low,
                                                       max_value=rule.high)
        # The rules first, the reason last.
        self.fields = {**fields, "reason": self.fields["reason"]}


@staff_view(reads="tenancy.rules")
def project_rules(request, project_id: int):
    project = get_scoped_or_404(Project.objects, request.actor, pk=project_id)
    actor = request.actor
    editable = actor.may("tenancy.manage_rules")
    form = None
    if editable:
        current = {row["name"]: row["value"] for row in describe(project)}
        if request.method == "POST":
            form = RulesForm(request.POST, actor=actor)
            if form.is_valid():
                data = dict(form.cleaned_data)
                reason = data.pop("reason")
                try:
                    update_rules(actor, project, {k: v for k, v in data.items() if current.get(k) != v},
                                 reason=reason)
                except InvalidInput as error:
                    for problem in error.problems:
                        form.add_error(problem.field if problem.field in form.fields else None, problem.message)
                else:
                    messages.success(request, _("The rules of %(project)s are saved.") % {"project": project.name})
                    return redirect(reverse("web:project_rules", args=[project.pk]))
        else:
            form = RulesForm(initial=current, actor=actor)
    history = [event for event in timeline(project) if event.verb == "project.rules_changed"][::-1][:20]
    return render(request, "web/console/rules.html", {
        "project": project, "rules": describe(project), "form": form, "history": history})
