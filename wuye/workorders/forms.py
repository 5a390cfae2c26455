"""Forms of the work-order pages. They parse and offer choices from the actor's scope; the rules stay in
services.py, whose errors (InvalidInput naming a field) are put back on the form by `show_problems`."""

from __future__ import annotations

import contextlib
import re

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from wuye.billing.models import Channel as PaymentChannel
from wuye.billing.services import DESK_CHANNELS
from wuye.core.access import Role, scoped
from wuye.core.errors import DomainError
from wuye.core.validators import INT64_MAX, check_integer, validate_plausible_date
from wuye.people.models import DEPARTMENTS
from wuye.people.services import staff_users, staff_with_role
from wuye.tenancy.models import Building, Project, Unit
from wuye.tenancy.ordering import naturally, unit_order
from wuye.web.forms import PlausibleDateField, ScopedFilterForm
from wuye.web.forms import show_problems as web_show_problems

from .models import URGENCIES_BY_KIND, Category, Channel, Kind, PriceItem, Status, Urgency
from .queries import TicketQuery, filter_tickets
from .satisfaction import CHOICES as SATISFACTION_CHOICES
from .services import REPEAT_REASONS, ActionInput, TicketInput

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"
PART_ROWS = 4


def show_problems(form: forms.Form, error: DomainError, fields: dict[str, str] | None = None) -> None:
    """`wuye.web.forms.show_problems`, plus the part rows of the completion form (parts[2].quantity → part_qty_2)."""
    fields = dict(fields or {})
    for problem in error.problems:
        if match := re.fullmatch(r"parts\[(\d+)\]\.(item_id|quantity)", problem.field):
            fields[problem.field] = f"part_{'item' if match[2] == 'item_id' else 'qty'}_{match[1]}"
    web_show_problems(form, error, fields)


class DateTimeLocalField(forms.DateTimeField):
    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL)
    default_validators = [validate_plausible_date]


def department_choices(blank=None):
    choices = [(role.value, DEPARTMENTS[role]) for role in Role if role not in (Role.OWNER, Role.COMPANY_ADMIN)]
    return [("", blank), *choices] if blank else choices


def _sole(queryset):
    ids = list(queryset.values_list("id", flat=True)[:2])
    return ids[0] if len(ids) == 1 else None


def _int(value):
    with contextlib.suppress(TypeError, ValueError):
        return check_integer(int(value))  # an id beyond 64 bits overflowed SQLite's filter (a 500)
    return None


# -- the inbox --------------------------------------------------------------------------------------------------
class CategoryFilterField(forms.ModelChoiceField):
    def label_from_instance(self, category):
        return str(category)  # 给排水 › 漏水渗水


class TicketFilterForm(ScopedFilterForm):
    """The inbox's filters: parsed here, applied by `queries.filter_tickets` (the API's list uses the same)."""

    kind = forms.ChoiceField(choices=[("", _("All kinds")), *Kind.choices], required=False)
    status = forms.ChoiceField(choices=[("", _("All statuses")), *Status.choices], required=False)
    urgency = forms.ChoiceField(choices=[("", _("Any urgency")), *Urgency.choices], required=False)
    building = forms.ModelChoiceField(queryset=Building.objects.none(), required=False,
                                      empty_label=_("All buildings"))
    category = CategoryFilterField(queryset=Category.objects.none(), required=False, empty_label=_("All categories"))
    # A unit id, for links from a unit's page; one beyond 64 bits is invalid, so the filter is dropped.
    unit = forms.IntegerField(required=False, min_value=1, max_value=INT64_MAX, widget=forms.HiddenInput)
    created_from = PlausibleDateField(required=False, label=_("Received from"))
    created_to = PlausibleDateField(required=False, label=_("Received until"))
    open = forms.BooleanField(required=False, label=_("Open only"))
    overdue = forms.BooleanField(required=False, label=_("Overdue"))
    at_risk = forms.BooleanField(required=False, label=_("At risk"))
    mine = forms.BooleanField(required=False, label=_("Assigned to me"))
    # The workbench's cards link here with these (queries.TicketQuery documents each).
    stage = forms.ChoiceField(choices=[("", _("Any stage")), ("dispatch", _("Waiting for dispatch")),
                                       ("in_progress", _("In progress")), ("return_visit", _("Return visit due")),
                                       ("parts", _("Waiting for parts"))], required=False, label=_("Stage"))
    due_today = forms.BooleanField(required=False, label=_("Due today"))
    department = forms.ChoiceField(choices=[("", _("Any department")), *((role.value, label) for role, label
                                                                          in DEPARTMENTS.items())],
                                   required=False, label=_("Responsible department"))
    sort = forms.ChoiceField(choices=[("new", _("Newest first")), ("due", _("Due soonest"))], required=False)
    field_order = ["project", "kind", "status", "urgency", "building", "category", "q", "created_from", "created_to",
                   "open", "overdue", "at_risk", "mine", "stage", "due_today", "department", "sort"]

    def __init__(self, data, *, actor):
        super().__init__(data, actor=actor)
        self.fields["q"].widget.attrs.update(
            placeholder=_("Number, unit, contact name or full phone, or words of the description"))
        project_id = _int(self.data.get("project"))
        buildings = scoped(Building.objects.all(), actor).only("id", "number", "name", "project_id")
        if project_id is None:
            project_id = _sole(self.fields["project"].queryset)
        self.fields["building"].queryset = naturally(buildings.filter(project_id=project_id) if project_id
                                                      else buildings.none())
        categories = scoped(Category.objects.filter(is_active=True), actor).select_related("parent")
        self.fields["category"].queryset = (categories.filter(project_id=project_id).order_by("kind", "code")
                                            if project_id else categories.none())

    def query(self, *, user) -> TicketQuery:
        """The valid filters as a `TicketQuery`: a stale or foreign id drops just that filter."""
        self.is_valid()
        data = self.cleaned_data
        return TicketQuery(
            project=data["project"].pk if data.get("project") else None,
            kind=data.get("kind") or "", status=data.get("status") or "", urgency=data.get("urgency") or "",
            building=data["building"].pk if data.get("building") else None,
            category=data["category"].pk if data.get("category") else None,
            unit=data.get("unit"),
            open=bool(data.get("open")), overdue=bool(data.get("overdue")), at_risk=bool(data.get("at_risk")),
            assignee=user.pk if data.get("mine") else None,
            department=data.get("department") or "", stage=data.get("stage") or "",
            due_today=bool(data.get("due_today")),
            created_from=data.get("created_from"), created_to=data.get("created_to"), q=data.get("q") or "",
        )

    def filter(self, tickets, *, user, now):
        return filter_tickets(tickets, self.query(user=user), now=now)

    @property
    def is_filtered(self) -> bool:
        return any(self.data.get(name) for name in self.fields if name != "sort")


# -- receiving a ticket at the console -----------------------------------------------------------------------
class NewTicketForm(forms.Form):
    """What the front desk records on receiving (§2: who, unit, contact, description, preferred time)."""

    project = forms.ModelChoiceField(queryset=Project.objects.none(), label=_("Project"))
    kind = forms.ChoiceField(choices=Kind.choices, initial=Kind.REPAIR, label=_("Kind"))
    channel = forms.ChoiceField(choices=[c for c in Channel.choices if c[0] != Channel.PORTAL],
                                initial=Channel.PHONE, label=_("Channel"))
    building = forms.ModelChoiceField(queryset=Building.objects.none(), required=False, label=_("Building"),
                                      empty_label=_("Choose a building"))
    unit = forms.ModelChoiceField(queryset=Unit.objects.none(), required=False, label=_("Unit"),
                                  empty_label=_("Choose a unit"))
    is_public_area = forms.BooleanField(required=False, label=_("Public area (no unit)"))
    location = forms.CharField(required=False, max_length=200, label=_("Location"))
    category = forms.ModelChoiceField(queryset=Category.objects.none(), required=False, label=_("Category"),
                                      empty_label=_("Not classified yet"))
    urgency = forms.ChoiceField(choices=Urgency.choices, initial=Urgency.GENERAL, label=_("Urgency"))
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), max_length=4000,
                                  label=_("Description (as the person said it)"))
    contact_name = forms.CharField(required=False, max_length=50, label=_("Contact"))
    contact_phone = forms.CharField(required=False, max_length=20, label=_("Contact phone"))
    preferred_time = DateTimeLocalField(required=False, label=_("Preferred time"))
    is_major = forms.BooleanField(required=False, label=_("Major complaint (resolution needs manager approval)"))
    # The resident picked from the caller lookup (a current residency in scope): their name and phone become the
    # contact unless typed otherwise — the phone is taken from their record, so a clerk who may not read it in full
    # never has it on the page.
    caller = forms.CharField(required=False, widget=forms.HiddenInput)  # read (or ignored) by `caller_residency`

    # Changing these re-renders the dependent choices and the unit's panel (POST: a typed phone stays out of URLs).
    REFRESH = ("project", "kind", "building", "unit", "category")

    def __init__(self, data=None, *, actor, initial=None, refresh_url=""):
        from .frontdesk import caller_residency

        super().__init__(data, initial=initial)
        self.actor = actor
        values = data if data is not None else (initial or {})
        self.show_phone = actor.may("people.view_pii")
        self.caller = caller_residency(actor, values.get("caller"))
        if self.caller is not None and str(self.caller.unit_id) != str(values.get("unit") or ""):
            self.caller = None  # another unit was chosen since: the pick no longer applies
        if self.caller is not None and not self.is_bound:
            self.initial["contact_name"] = self.initial.get("contact_name") or self.caller.resident.name
            if self.show_phone:
                self.initial["contact_phone"] = self.initial.get("contact_phone") or self.caller.resident.phone
        if self.caller is not None and not self.show_phone:
            self.fields["contact_phone"].widget.attrs["placeholder"] = self.caller.resident.masked_phone
        projects = scoped(Project.objects.active(), actor).only("id", "name")
        self.fields["project"].queryset = projects
        project_id = _int(values.get("project")) or _sole(projects)
        if project_id and not self.is_bound:
            self.initial.setdefault("project", project_id)
        kind = values.get("kind") or Kind.REPAIR
        building_id = _int(values.get("building"))
        buildings = Building.objects.none()
        if project_id:
            buildings = scoped(Building.objects.filter(project_id=project_id), actor).only("id", "number", "name")
        self.fields["building"].queryset = naturally(buildings)
        units = Unit.objects.none()
        if project_id and building_id:
            units = scoped(Unit.objects.filter(project_id=project_id, building_id=building_id), actor).with_places(
                ).order_by(*unit_order())
        self.fields["unit"].queryset = units
        self.fields["unit"].label_from_instance = lambda unit: unit.label
        categories = Category.objects.none()
        if project_id:
            categories = Category.objects.filter(project_id=project_id, kind=kind, is_active=True).select_related(
                "parent").order_by("parent__code", "code")
        self.fields["category"].queryset = categories
        urgencies = URGENCIES_BY_KIND.get(kind, (Urgency.GENERAL,))
        self.fields["urgency"].choices = [(u.value, u.label) for u in urgencies]
        if kind != Kind.COMPLAINT:
            del self.fields["is_major"]
        if kind != Kind.REPAIR:
            del self.fields["is_public_area"]
        for name in self.REFRESH:
            self.fields[name].widget.attrs.update({
                "hx-post": refresh_url, "hx-include": "closest form", "hx-target": "#ticket-desk",
                "hx-select": "#ticket-desk", "hx-swap": "outerHTML", "hx-vals": '{"refresh": "1"}',
            })

    def chosen(self, name: str):
        """The project, unit or category the form holds now (bound or not), from its choices — or None."""
        value = self.cleaned_data.get(name) if self.is_bound and hasattr(self, "cleaned_data") else None
        if value is None:
            pk = _int(self.data.get(name) if self.is_bound else self.initial.get(name))
            value = self.fields[name].queryset.filter(pk=pk).first() if pk else None
        return value

    def clean(self):
        data = super().clean()
        unit, project = data.get("unit"), data.get("project")
        if unit is not None and project is not None and unit.project_id != project.pk:
            self.add_error("unit", _("The unit is not in this project."))
        if self.caller is not None and unit is not None and self.caller.unit_id == unit.pk:
            data["contact_name"] = data.get("contact_name") or self.caller.resident.name
            data["contact_phone"] = data.get("contact_phone") or self.caller.resident.phone
        return data

    def ticket_input(self) -> tuple[Project, TicketInput]:
        data = self.cleaned_data
        public = bool(data.get("is_public_area"))
        return data["project"], TicketInput(
            kind=data["kind"], channel=data["channel"], description=data["description"],
            unit=None if public else data.get("unit"), location=data.get("location", ""),
            category=data.get("category"), urgency=data["urgency"], contact_name=data.get("contact_name", ""),
            contact_phone=data.get("contact_phone", ""), preferred_time=data.get("preferred_time"),
            is_public_area=public, is_major=bool(data.get("is_major")),
        )

    SERVICE_FIELDS = {"unit_id": "unit", "category_id": "category"}


# -- actions on the ticket page --------------------------------------------------------------------------------
class ActionForm(forms.Form):
    """An action without details (accept, arrive, resume, verify, confirm, charge_fee, approve, close). Every action
    form carries the version of the ticket the page showed, so a stale page gets 409."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    danger = False
    SERVICE_FIELDS = {"assignee_id": "assignee"}

    def __init__(self, data=None, *, ticket, actor, action):
        super().__init__(data, initial={"version": ticket.version}, auto_id=f"id_{action}_%s")
        self.ticket, self.actor, self.action = ticket, actor, action
        self.setup()

    def setup(self):
        pass

    @property
    def has_fields(self) -> bool:
        return any(not field.is_hidden for field in self)

    def action_input(self) -> ActionInput:
        data = {name: value for name, value in self.cleaned_data.items() if value not in (None, "")}
        return ActionInput(**data)


def _textarea(label, required=True, max_length=2000, rows=3):
    return forms.CharField(label=label, required=required, max_length=max_length,
                           widget=forms.Textarea(attrs={"rows": rows}))


class ReasonForm(ActionForm):
    reason = forms.CharField(label=_("Reason"), max_length=200)


class PauseForm(ActionForm):
    """Pausing a job: waiting for parts (待料, counted on the engineers' workbench) or something else, said."""

    waiting_for = forms.ChoiceField(choices=[("", _("Something else (say what)")), ("parts", _("Waiting for parts"))],
                                    required=False, label=_("Waiting for"))
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)

    def clean(self):
        data = super().clean()
        if not data.get("waiting_for") and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Say what the repair is waiting for."))
        return data


class ApproveForm(ActionForm):
    comment = _textarea(_("Approval comment"), required=False, max_length=200, rows=2)


class RejectForm(ActionForm):
    comment = _textarea(_("Approval comment"), max_length=200, rows=2)
    SERVICE_FIELDS = {"comment": "comment", "reason": "comment"}


class CancelForm(ReasonForm):
    danger = True


class EngineerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user):
        return user.get_full_name() or user.username


def _engineers(ticket):
    ids = [user.pk for user in staff_users(ticket.project_id, Role.ENGINEERING)]
    return get_user_model().objects.filter(pk__in=ids).order_by("first_name", "username")


class DispatchForm(ActionForm):
    assignee = EngineerChoiceField(queryset=None, label=_("Engineer"), empty_label=_("Choose an engineer"))
    agreed_time = DateTimeLocalField(required=False, label=_("Time agreed with the owner"))

    def setup(self):
        self.fields["assignee"].queryset = _engineers(self.ticket)
        if self.ticket.under_warranty:
            self.fields["assignee"].required = False
            self.fields["assignee"].empty_label = _("The warranty contractor repairs")
        if self.ticket.urgency != Urgency.GENERAL:
            del self.fields["agreed_time"]


class ReassignForm(ActionForm):
    assignee = EngineerChoiceField(queryset=None, label=_("Engineer"), empty_label=_("Choose an engineer"))
    department = forms.ChoiceField(label=_("Responsible department"))
    reason = forms.CharField(label=_("Reason"), max_length=200)

    def setup(self):
        if self.ticket.kind == Kind.COMPLAINT:
            del self.fields["assignee"]
            self.fields["department"].choices = department_choices(_("Choose the department"))
            self.fields["reason"].required = False
        else:
            del self.fields["department"]
            self.fields["assignee"].queryset = _engineers(self.ticket).exclude(pk=self.ticket.assignee_id)


class AssignForm(ActionForm):
    department = forms.ChoiceField(label=_("Responsible department"))

    def setup(self):
        self.fields["department"].choices = department_choices(_("Choose the department"))
        self.initial.setdefault("department", self.ticket.responsible_role)


class CompleteForm(ActionForm):
    work_done = _textarea(_("Work done"))
    repeat_reason = forms.ChoiceField(label=_("Cause of the repeat repair"), required=False)

    def setup(self):
        if self.ticket.is_repeat:
            self.fields["repeat_reason"].choices = [("", _("Workmanship (counts as a repeat repair)")),
                                                    *REPEAT_REASONS.items()]
        else:
            del self.fields["repeat_reason"]
        items = PriceItem.objects.filter(project_id=self.ticket.project_id, is_active=True).order_by(
            "-is_labour", "code")
        for index in range(PART_ROWS):
            self.fields[f"part_item_{index}"] = forms.ModelChoiceField(
                queryset=items, required=False, label=_("Item"), empty_label="—")
            self.fields[f"part_qty_{index}"] = forms.DecimalField(
                required=False, min_value=0.01, max_digits=9, decimal_places=2, label=_("Quantity"),
                widget=forms.NumberInput(attrs={"step": "0.01", "min": "0.01", "class": "qty"}))

    def part_rows(self):
        return [(self[f"part_item_{i}"], self[f"part_qty_{i}"]) for i in range(PART_ROWS)]

    def clean(self):
        data = super().clean()
        for index in range(PART_ROWS):
            item, quantity = data.get(f"part_item_{index}"), data.get(f"part_qty_{index}")
            if item is not None and quantity is None and f"part_qty_{index}" not in self.errors:
                self.add_error(f"part_qty_{index}", _("Enter the quantity."))
            if item is None and quantity is not None and f"part_item_{index}" not in self.errors:
                self.add_error(f"part_item_{index}", _("Choose the item."))
        return data

    def action_input(self) -> ActionInput:
        data = self.cleaned_data
        parts = [(data[f"part_item_{i}"], data[f"part_qty_{i}"]) for i in range(PART_ROWS)
                 if data.get(f"part_item_{i}") is not None and data.get(f"part_qty_{i}") is not None]
        return ActionInput(version=data["version"], work_done=data["work_done"], parts=parts,
                           repeat_reason=data.get("repeat_reason") or "")


class ReturnVisitForm(ActionForm):
    score = forms.TypedChoiceField(label=_("Satisfaction"), coerce=int, widget=forms.RadioSelect,
                                   choices=SATISFACTION_CHOICES)  # 非常满意 … 非常不满意, the owner's own labels
    comment = _textarea(_("What the person said"), required=False)


class CollectFeeForm(ActionForm):
    """The fee paid now (the other choice is charging it to the owner's account): the money is recorded in the
    ledger and the owner gets a receipt."""

    payment_channel = forms.ChoiceField(label=_("Paid by"))

    def setup(self):
        self.fields["payment_channel"].choices = [(code, PaymentChannel(code).label) for code in DESK_CHANNELS]
        self.initial.setdefault("payment_channel", PaymentChannel.CASH)


class ResolveForm(ActionForm):
    resolution = _textarea(_("How it was handled"), max_length=4000)


class ReplyForm(ActionForm):
    reply = _textarea(_("Reply to the person (with apology where due)"), max_length=4000)
    improvement = _textarea(_("Improvement measure"))

    def setup(self):
        if self.ticket.kind != Kind.COMPLAINT:
            del self.fields["improvement"]
            self.fields["reply"].label = _("Reply to the person")


class ClassifyForm(ActionForm):
    """Set or change kind (while new), category and urgency; the time limits restart under the new policy."""

    SERVICE_FIELDS = {"category_id": "category"}

    kind = forms.ChoiceField(label=_("Kind"), choices=Kind.choices)
    category = forms.ModelChoiceField(queryset=Category.objects.none(), required=False, label=_("Category"),
                                      empty_label=_("Not classified"))
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices)
    is_major = forms.BooleanField(label=_("Major complaint (its resolution is approved)"), required=False)

    def setup(self):
        ticket = self.ticket
        self.initial.update(kind=ticket.kind, category=ticket.category_id, urgency=ticket.urgency,
                            is_major=ticket.is_major)
        if ticket.status != Status.NEW:
            del self.fields["kind"]
        categories = Category.objects.filter(project_id=ticket.project_id, is_active=True)
        if ticket.status != Status.NEW:
            categories = categories.filter(kind=ticket.kind)
        self.fields["category"].queryset = categories.select_related("parent").order_by("kind", "parent__code",
                                                                                          "code")
        self.fields["category"].label_from_instance = lambda c: f"{c.get_kind_display()} · {c}"
        if ticket.kind != Kind.COMPLAINT:
            del self.fields["is_major"]

    def action_input(self) -> ActionInput:
        data = self.cleaned_data
        return ActionInput(version=data["version"], kind=data.get("kind", ""), category=data.get("category"),
                           urgency=data["urgency"], is_major=data.get("is_major"))


ACTION_FORMS: dict[str, type[ActionForm]] = {
    "classify": ClassifyForm,
    "dispatch": DispatchForm, "reassign": ReassignForm, "assign": AssignForm, "complete": CompleteForm,
    "return_visit": ReturnVisitForm, "resolve": ResolveForm, "reply": ReplyForm, "collect_fee": CollectFeeForm,
    "pause": PauseForm, "reopen": ReasonForm, "approve": ApproveForm, "reject": RejectForm, "cancel": CancelForm,
}


def action_form(action: str, ticket, actor, data=None) -> ActionForm:
    return ACTION_FORMS.get(action, ActionForm)(data, ticket=ticket, actor=actor, action=action)


# -- the owner portal ------------------------------------------------------------------------------------------
class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class OwnerTicketForm(forms.Form):
    """An owner reports a repair, complains, suggests or praises — for one of their current homes."""

    unit = forms.ModelChoiceField(queryset=Unit.objects.none(), label=_("Your home"), empty_label=None)
    category = forms.ModelChoiceField(queryset=Category.objects.none(), required=False, label=_("Category"),
                                      empty_label=_("Not sure"))
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}), label=_("Description"), max_length=2000)
    preferred_time = DateTimeLocalField(required=False, label=_("Preferred visiting time"))
    contact_name = forms.CharField(required=False, max_length=50, label=_("Contact"))
    contact_phone = forms.CharField(required=False, max_length=20, label=_("Contact phone"))
    owner_says_urgent = forms.BooleanField(required=False, label=_("It is urgent (e.g. water pouring, no power)"))
    photos = MultipleFileField(required=False, label=_("Photos (optional, JPEG, PNG or WebP, up to 5 MB each)"))

    def __init__(self, data=None, files=None, *, actor, kind, resident=None):
        initial = {"contact_name": resident.name, "contact_phone": resident.phone} if resident else {}
        super().__init__(data, files, initial=initial)
        self.kind = kind
        units = scoped(Unit.objects.filter(pk__in=actor.unit_ids), actor).with_places().order_by("project_id", "id")
        self.fields["unit"].queryset = units
        self.fields["unit"].label_from_instance = lambda unit: f"{unit.project.name} {unit.label}"
        if kind in (Kind.REPAIR, Kind.COMPLAINT):
            project_ids = sorted(actor.project_ids or ())
            self.fields["category"].queryset = Category.objects.filter(
                project_id__in=project_ids, kind=kind, is_active=True).select_related("parent").order_by(
                "parent__code", "code")
            if kind == Kind.REPAIR:
                self.fields["category"].label_from_instance = str
        else:
            del self.fields["category"]
        if kind != Kind.REPAIR:
            del self.fields["preferred_time"]
        if kind not in (Kind.REPAIR, Kind.COMPLAINT):
            del self.fields["photos"]
            del self.fields["owner_says_urgent"]
        self.fields["description"].widget.attrs["placeholder"] = {
            Kind.REPAIR: _("What is broken, and where?"),
            Kind.COMPLAINT: _("What happened? We record your words as you write them."),
            Kind.SUGGESTION: _("What could we do better?"),
            Kind.PRAISE: _("Whom or what would you like to praise?"),
        }.get(kind, "")

    def clean(self):
        data = super().clean()
        unit, category = data.get("unit"), data.get("category")
        if unit is not None and category is not None and category.project_id != unit.project_id:
            self.add_error("category", _("The category does not belong to this project and kind."))
        return data

    def ticket_input(self) -> tuple[Project, TicketInput]:
        data = self.cleaned_data
        unit = data["unit"]
        return unit.project, TicketInput(
            kind=self.kind, channel=Channel.PORTAL, description=data["description"], unit=unit,
            category=data.get("category"), contact_name=data.get("contact_name", ""),
            contact_phone=data.get("contact_phone", ""), preferred_time=data.get("preferred_time"),
            owner_says_urgent=bool(data.get("owner_says_urgent")),
        )

    SERVICE_FIELDS = {"unit_id": "unit", "category_id": "category"}


class OwnerActionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)

    def __init__(self, data=None, *, ticket, action):
        super().__init__(data, initial={"version": ticket.version}, auto_id=f"id_{action}_%s")
        self.action = action
        if action == "confirm":
            del self.fields["reason"]
        else:
            self.fields["reason"].required = True

    def action_input(self) -> ActionInput:
        return ActionInput(version=self.cleaned_data["version"], reason=self.cleaned_data.get("reason", ""))

    SERVICE_FIELDS: dict[str, str] = {}


# -- weekly analysis: improvement actions ----------------------------------------------------------------------
class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user):
        return user.get_full_name() or user.username


class CategoryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, category):
        return f"{category.project.name} · {category.name}" if self.several_projects else category.name

    several_projects = False


class ImprovementForm(forms.Form):
    project = forms.ModelChoiceField(queryset=Project.objects.none(), label=_("Project"))
    category = CategoryChoiceField(queryset=Category.objects.none(), required=False, label=_("Category"),
                                   empty_label="—")
    title = forms.CharField(max_length=200, label=_("Improvement action"))
    owner = StaffChoiceField(queryset=None, required=False, label=_("Person responsible"), empty_label="—")
    due_on = PlausibleDateField(required=False, label=_("Due"))

    SERVICE_FIELDS = {"category_id": "category", "owner_id": "owner"}

    def __init__(self, data=None, *, actor, project=None):
        super().__init__(data, initial={"project": project.pk} if project else None, auto_id="id_improvement_%s")
        projects = scoped(Project.objects.active(), actor).only("id", "name", "company_id")
        self.fields["project"].queryset = projects
        if project is None and (sole := _sole(projects)):
            self.initial["project"] = sole
        categories = scoped(Category.objects.filter(kind=Kind.COMPLAINT, is_active=True, parent__isnull=True),
                            actor).select_related("project").order_by("project_id", "code")
        self.fields["category"].queryset = categories
        self.fields["category"].several_projects = _sole(projects) is None
        # Anyone on the staff of the projects offered (the service checks the chosen project's).
        staff = staff_with_role(None, list(projects.values_list("id", flat=True)))
        self.fields["owner"].queryset = get_user_model().objects.filter(
            pk__in=[user.pk for user in staff]).order_by("first_name", "username")
