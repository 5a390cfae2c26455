"""The staff page of the console (员工): the company administration lists its staff, creates accounts, changes role
and projects, resets passwords and deactivates leavers. Rules and events live in wuye.people.staff; a generated
password is rendered once in the answer to the POST that made it — never put in a URL, the session or a message."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from wuye.core.access import scoped
from wuye.core.errors import DomainError
from wuye.people.staff import (
    STAFF_ROLE_CHOICES,
    create_staff_member,
    deactivate_staff_member,
    filter_staff,
    get_staff,
    reactivate_staff_member,
    reset_staff_password,
    staff_in_scope,
    update_staff_member,
)
from wuye.tenancy.models import Project

from .forms import show_problems
from .guards import staff_view
from .htmx import render_page
from .paging import paginate
from .search import redirect_posted_search, search_data

# The service's field names → the form's.
FORM_FIELDS = {"project_ids": "projects"}
STATUS_CHOICES = [("", gettext_lazy("Active and deactivated")), ("active", gettext_lazy("Active")),
                  ("inactive", gettext_lazy("Deactivated"))]


class StaffFilterForm(forms.Form):
    role = forms.ChoiceField(choices=[("", gettext_lazy("All roles")), *STAFF_ROLE_CHOICES], required=False)
    project = forms.ModelChoiceField(queryset=Project.objects.none(), required=False,
                                     empty_label=gettext_lazy("All projects"))
    status = forms.ChoiceField(choices=STATUS_CHOICES, required=False)
    q = forms.CharField(required=False, max_length=50)

    def __init__(self, data, *, actor):
        super().__init__(data)
        self.fields["project"].queryset = scoped(Project.objects.all(), actor).only("id", "name")
        self.fields["q"].widget.attrs.update(placeholder=_("Name, username or full phone number"))

    def filter(self, profiles):
        self.is_valid()
        data = self.cleaned_data  # only the valid filters: a stale or foreign id drops just that filter
        active = {"active": True, "inactive": False}.get(data.get("status") or "")
        return filter_staff(profiles, role=data.get("role") or None,
                            project=data["project"].pk if data.get("project") else None,
                            active=active, q=data.get("q"))


class StaffForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=150)
    role = forms.ChoiceField(label=gettext_lazy("Role"), choices=STAFF_ROLE_CHOICES)
    all_projects = forms.BooleanField(label=gettext_lazy("All projects of the company"), required=False,
                                      help_text=gettext_lazy("Company administrators always work on all projects."))
    projects = forms.ModelMultipleChoiceField(label=gettext_lazy("Projects"), queryset=Project.objects.none(),
                                              required=False, widget=forms.CheckboxSelectMultiple)
    is_supervisor = forms.BooleanField(label=gettext_lazy("Supervisor (first level of escalation)"),
                                       required=False)
    in_emergency_group = forms.BooleanField(
        label=gettext_lazy("Emergency command group"), required=False,
        help_text=gettext_lazy("Told at once, also by SMS, when an emergency runs late (people trapped in a lift "
                               "and the contractor not there in 30 minutes)."))
    phone = forms.CharField(label=gettext_lazy("Phone"), max_length=20, required=False)
    email = forms.CharField(label=gettext_lazy("E-mail"), max_length=254, required=False)
    employee_number = forms.CharField(label=gettext_lazy("Employee number"), max_length=20, required=False)

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["projects"].queryset = scoped(Project.objects.all(), actor).order_by("code")

    def values(self) -> dict:
        data = dict(self.cleaned_data)
        data["project_ids"] = [project.pk for project in data.pop("projects")]
        return data


class NewStaffForm(StaffForm):
    username = forms.CharField(label=gettext_lazy("Username"), max_length=150)
    password = forms.CharField(
        label=gettext_lazy("Password"), max_length=128, required=False, strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=gettext_lazy("Leave empty to generate a one-time password, shown once on the next page."))
    field_order = ["username", "name", "role", "all_projects", "projects", "is_supervisor", "in_emergency_group",
                   "phone", "email", "employee_number", "password"]

    def values(self) -> dict:
        data = super().values()
        data["password"] = data["password"] or None
        return data


class PasswordForm(forms.Form):
    password = forms.CharField(
        label=gettext_lazy("New password"), max_length=128, required=False, strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=gettext_lazy("Leave empty to generate a one-time password."))


def _initial(profile) -> dict:
    return {"name": profile.user.get_full_name() or profile.user.username, "role": profile.role,
            "all_projects": profile.all_projects, "projects": list(profile.projects.all()),
            "is_supervisor": profile.is_supervisor, "in_emergency_group": profile.in_emergency_group,
            "phone": profile.phone, "email": profile.user.email,
            "employee_number": profile.employee_number}


def _detail(request, profile, *, form=None, password_form=None, one_time_password=None, status=None):
    return render(request, "web/console/staff_detail.html", {
        "profile": profile, "member": profile.user,
        "form": form or StaffForm(initial=_initial(profile), actor=request.actor),
        "password_form": password_form or PasswordForm(),
        "one_time_password": one_time_password,
        "is_self": profile.user_id == request.user.pk,
    }, status=status)


@staff_view(reads="people.staff")
def staff_list(request):
    if request.method == "POST":  # the search may be a phone number: kept out of the URL (web.search)
        return redirect_posted_search(request)
    form = StaffFilterForm(search_data(request), actor=request.actor)
    page = paginate(request, form.filter(staff_in_scope(request.actor)))
    return render_page(request, "web/console/staff.html", "web/partials/staff_table.html",
                       {"form": form, "page": page, "rows": page.object_list})


@staff_view(reads="people.staff")
def staff_new(request):
    actor = request.actor
    status = None
    if request.method == "POST":
        form = NewStaffForm(request.POST, actor=actor)
        status = 422
        if form.is_valid():
            try:
                profile, generated = create_staff_member(actor, **form.values())
            except DomainError as error:
                show_problems(form, error, FORM_FIELDS)
                status = error.status
            else:
                messages.success(request, _("The account %(username)s is created.") % {
                    "username": profile.user.username})
                if generated is None:
                    return redirect("web:staff_detail", pk=profile.user_id)
                return _detail(request, get_staff(actor, profile.user_id), one_time_password=generated, status=201)
    else:
        form = NewStaffForm(actor=actor)
    return render(request, "web/console/staff_new.html", {"form": form}, status=status)


@staff_view(reads="people.staff")
def staff_detail(request, pk):
    actor = request.actor
    profile = get_staff(actor, pk)
    if request.method != "POST":
        return _detail(request, profile)
    form, status = StaffForm(request.POST, actor=actor), 422
    if form.is_valid():
        try:
            update_staff_member(actor, profile, **form.values())
        except DomainError as error:
            show_problems(form, error, FORM_FIELDS)
            status = error.status  # 409: the company's last administrator
        else:
            messages.success(request, _("Saved. The changes apply from the staff member's next page."))
            return redirect("web:staff_detail", pk=pk)
    return _detail(request, profile, form=form, status=status)


@require_POST
@staff_view("people.manage_staff")
def staff_action(request, pk, action):
    """Deactivate, reactivate or reset the password (POST buttons of the detail page)."""
    actor = request.actor
    profile = get_staff(actor, pk)
    if action == "reset-password":
        password_form = PasswordForm(request.POST)
        if password_form.is_valid():
            try:
                generated = reset_staff_password(actor, profile, password_form.cleaned_data["password"] or None)
            except DomainError as error:
                show_problems(password_form, error)
            else:
                if generated is not None:
                    return _detail(request, get_staff(actor, pk), one_time_password=generated)
                messages.success(request, _("The password is changed; the account's sign-ins have ended."))
                return redirect("web:staff_detail", pk=pk)
        return _detail(request, profile, password_form=password_form, status=422)
    steps = {"deactivate": (deactivate_staff_member, _("Deactivated: the account's sign-ins have ended.")),
             "reactivate": (reactivate_staff_member, _("Reactivated: the account can sign in again."))}
    if action not in steps:
        raise Http404
    step, done = steps[action]
    try:
        step(actor, profile)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, done)
    return redirect("web:staff_detail", pk=pk)
