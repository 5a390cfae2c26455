"""Staff assessment (员工考核) in the console: the monthly table per department with its Excel export, the record
form (a phone at 390 px, with photos), the library, one's own assessment, and praise or a substantiated
complaint from a ticket. The rules are `quality.assessments`'."""

from __future__ import annotations

import io
from datetime import date

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wuye.core.access import get_scoped_or_404, scoped
from wuye.core.downloads import attachment, download_name
from wuye.core.errors import DomainError
from wuye.core.photos import photo_type
from wuye.core.spreadsheets import xlsx_row
from wuye.people.models import DEPARTMENTS
from wuye.tenancy.models import Project
from wuye.web.forms import show_problems
from wuye.web.guards import staff_view
from wuye.web.paging import paginate
from wuye.workorders.models import Ticket

from .. import assessments as services
from ..evidence import evidence_for
from ..models import AssessmentKind, AssessmentRecord

READS = "quality.assessments"
TABLE_HEADER = (gettext_lazy("Department"), gettext_lazy("Staff member"), gettext_lazy("Deductions"),
                gettext_lazy("Awards"), gettext_lazy("Owner praise"), gettext_lazy("Substantiated complaints"),
                gettext_lazy("Records"), gettext_lazy("Score"))


def _month_param(request, today: date) -> date:
    """`?month=YYYY-MM` (one of the last 24 months), else the current month."""
    value = request.GET.get("month", "")
    for month in services.months_back(today, 24):
        if services.month_label(month) == value:
            return month
    return services.month_start(today)


def _project_param(request, actor) -> Project | None:
    value = request.GET.get("project", "")
    if not value.isdigit():
        return None
    return scoped(Project.objects.all(), actor).filter(pk=int(value)).first()


def _department_param(request) -> str:
    value = request.GET.get("department", "")
    return value if value in DEPARTMENTS else ""


def _may_record(actor) -> bool:
    return actor.may("quality.assess_staff") and services.sees_everyone(actor)


def _export(tables, month, project) -> HttpResponse:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = services.month_label(month)
    title = _("Staff assessment %(month)s") % {"month": services.month_label(month)}
    sheet.append([f"{title} {project.name}" if project else title])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([str(text) for text in TABLE_HEADER])
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for table in tables:
        for row in table.rows:
            sheet.append(xlsx_row(sheet, [table.department, row.name, float(row.deductions), float(row.awards),
                                          float(row.praise), float(row.complaints), row.records, float(row.score)]))
    for column, width in zip("ABCDEFGH", (16, 12, 10, 10, 10, 10, 8, 8), strict=True):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A3"
    buffer = io.BytesIO()
    book.save(buffer)
    response = HttpResponse(buffer.getvalue(),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    return attachment(response, download_name(_("Staff assessment"), project.name if project else "",
                                              services.month_label(month), ext="xlsx"))


def _photos_of(records) -> dict[int, list]:
    """The photos of a page of records in one query: record id → photos."""
    from django.contrib.contenttypes.models import ContentType

    from ..models import Evidence

    found: dict[int, list] = {}
    ids = [record.pk for record in records]
    if ids:
        for photo in Evidence.objects.filter(subject_type=ContentType.objects.get_for_model(AssessmentRecord),
                                             subject_id__in=ids).order_by("id"):
            found.setdefault(photo.subject_id, []).append(photo)
    return found


@staff_view(reads=READS)
def monthly(request):
    """The month's table per department (rows: staff, deductions, awards, praise, complaints, score), the month's
    records below it; `?format=xlsx` exports the table."""
    actor, today = request.actor, timezone.localdate()
    month = _month_param(request, today)
    project = _project_param(request, actor)
    department = _department_param(request)
    tables = services.department_tables(actor, month=month, project=project, department=department or None)
    if request.GET.get("format") == "xlsx":
        return _export(tables, month, project)
    records = services.visible_records(actor).filter(month=month).select_related(
        "project", "staff", "recorded_by", "ticket").order_by("-recorded_at", "-id")
    if project is not None:
        records = records.filter(project=project)
    if department:
        records = records.filter(staff__staff_profile__role=department)
    page = paginate(request, records)
    photos = _photos_of(page.object_list)
    for record in page.object_list:
        record.may_withdraw = services.may_withdraw(actor, record, today)
        record.photos = photos.get(record.pk, [])
    query = {"month": services.month_label(month), **({"project": project.pk} if project else {}),
             **({"department": department} if department else {})}
    return render(request, "quality/assessments/monthly.html", {
        "month": month, "months": services.months_back(today, 12), "project": project, "department": department,
        "projects": scoped(Project.objects.active(), actor).only("id", "name"),
        "departments": [(key, label) for key, label in DEPARTMENTS.items()],
        "tables": tables, "page": page, "base": services.base_score(), "sees_everyone": services.sees_everyone(actor),
        "may_record": _may_record(actor), "may_edit_library": actor.may("quality.manage_assessment_items"),
        "export_query": urlencode({**query, "format": "xlsx"}),
    })


# -- recording ---------------------------------------------------------------------------------------------------
class StaffChoice(forms.ModelChoiceField):
    def label_from_instance(self, profile):
        return f"{profile.user.get_full_name() or profile.user.username}（{profile.department}）"


class ItemChoice(forms.ModelChoiceField):
    def label_from_instance(self, item):
        return f"{item.name}  {item.points.normalize():+f}"


class RecordForm(forms.Form):
    project = forms.ModelChoiceField(label=gettext_lazy("Project"), queryset=Project.objects.none())
    staff = StaffChoice(label=gettext_lazy("Staff member"), queryset=None)
    item = ItemChoice(label=gettext_lazy("Item of the library"), queryset=None, required=False,
                      empty_label=gettext_lazy("— another reason (give kind and points) —"))
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), required=False,
                             choices=[(AssessmentKind.DEDUCTION, AssessmentKind.DEDUCTION.label),
                                      (AssessmentKind.AWARD, AssessmentKind.AWARD.label)])
    points = forms.DecimalField(label=gettext_lazy("Points"), required=False, max_digits=4, decimal_places=1,
                                help_text=gettext_lazy("Negative for a deduction, e.g. -1."))
    reason = forms.CharField(label=gettext_lazy("What happened"), max_length=services.MAX_REASON, required=False,
                             widget=forms.Textarea(attrs={"rows": 3}))
    month = forms.ChoiceField(label=gettext_lazy("Counts in"))
    # The photos (at most nine) are read from request.FILES by the view: the template has the file input.

    def __init__(self, *args, actor, project=None, today, **kwargs):
        super().__init__(*args, **kwargs)
        projects = scoped(Project.objects.active(), actor).order_by("code")
        self.fields["project"].queryset = projects
        project = project or (projects.first() if projects.count() == 1 else None)
        if project is not None:
            self.fields["project"].initial = project.pk
            self.fields["staff"].queryset = services.assessable_staff(actor, project)
        else:
            self.fields["staff"].queryset = services.assessable_staff(actor, projects.first()) \
                if projects.exists() else services.StaffProfile.objects.none()
        self.fields["item"].queryset = services.visible_items(actor, active_only=True).filter(
            kind__in=(AssessmentKind.DEDUCTION, AssessmentKind.AWARD))
        first, last = services.open_months(today)
        self.fields["month"].choices = [(services.month_label(last), services.month_label(last)),
                                        (services.month_label(first), services.month_label(first))]


def _record_form_project(request, actor):
    value = request.POST.get("project") or request.GET.get("project", "")
    if not str(value).isdigit():
        return None
    return scoped(Project.objects.active(), actor).filter(pk=int(value)).first()


@staff_view("quality.assess_staff", reads=READS)
def record_new(request):
    """Record a deduction or award (a phone's form: pick the person, the item, take a photo)."""
    actor, today = request.actor, timezone.localdate()
    if not services.sees_everyone(actor):
        raise PermissionDenied
    project = _record_form_project(request, actor)
    if request.method == "POST":
        form = RecordForm(request.POST, request.FILES, actor=actor, project=project, today=today)
        if form.is_valid():
            data = form.cleaned_data
            try:
                record = services.record_assessment(
                    actor, project=data["project"], staff=data["staff"], item=data["item"],
                    kind=data["kind"] if not data["item"] else None, points=data["points"], reason=data["reason"],
                    month=data["month"], photos=request.FILES.getlist("photos"), today=today)
            except DomainError as error:
                if error.status == 403:
                    raise PermissionDenied from None
                show_problems(form, error)
            else:
                messages.success(request, _("Recorded for %(name)s: %(reason)s, %(points)s points.") % {
                    "name": record.staff.get_full_name() or record.staff.username, "reason": record.reason,
                    "points": f"{record.points.normalize():+f}"})
                return redirect(f"{reverse('quality:assessment_new')}?project={record.project_id}")
    else:
        form = RecordForm(actor=actor, project=project, today=today)
    return render(request, "quality/assessments/new.html", {"form": form})


@staff_view(reads=READS)
def record_withdraw(request, pk: int):
    """Withdraw a record (POST, with why)."""
    if request.method != "POST":
        return redirect("quality:assessments")
    actor = request.actor
    record = get_scoped_or_404(services.visible_records(actor).select_related("staff"), actor, pk=pk)
    month = services.month_label(record.month)
    try:
        services.withdraw_assessment(actor, record, why=request.POST.get("why", ""))
    except DomainError as error:
        if error.status == 403:
            raise PermissionDenied from None
        messages.error(request, error.message)
    else:
        messages.success(request, _("Withdrawn."))
    return redirect(f"{reverse('quality:assessments')}?{urlencode({'month': month})}")


@staff_view(reads=READS)
def record_photo(request, pk: int, photo_id: int):
    """One photo of a record the reader may see."""
    actor = request.actor
    record = get_scoped_or_404(services.visible_records(actor), actor, pk=pk)
    photo = evidence_for(record).filter(pk=photo_id).first()
    if photo is None:
        raise Http404
    try:
        handle = photo.image.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    head = handle.read(16)
    handle.seek(0)
    return FileResponse(handle, content_type=photo_type(head) or "application/octet-stream")


# -- the library -------------------------------------------------------------------------------------------------
class ItemForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Assessment item"), max_length=services.MAX_NAME)
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=AssessmentKind.choices)
    points = forms.DecimalField(label=gettext_lazy("Points"), max_digits=4, decimal_places=1)
    department = forms.ChoiceField(label=gettext_lazy("Department"), required=False, choices=[
        ("", gettext_lazy("Every department")), *DEPARTMENTS.items()])
    is_active = forms.BooleanField(label=gettext_lazy("In use"), required=False, initial=True)


@staff_view(reads=READS)
def library(request):
    """The company's assessment library (考核细则); quality and administration add and change items."""
    actor = request.actor
    may_edit = actor.may("quality.manage_assessment_items")
    form = ItemForm()
    if request.method == "POST":
        if not may_edit:
            raise PermissionDenied
        item = None
        if (item_id := request.POST.get("item", "")).isdigit():
            item = services.visible_items(actor).filter(pk=int(item_id)).first()
            if item is None:
                raise Http404
        form = ItemForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                saved = services.save_item(actor, item=item, name=data["name"], kind=data["kind"],
                                           points=data["points"], department=data["department"],
                                           is_active=data["is_active"])
            except DomainError as error:
                show_problems(form, error)
            else:
                messages.success(request, _("Saved: %(name)s.") % {"name": saved.name})
                return redirect("quality:assessment_items")
        if item is not None:
            messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
            return redirect("quality:assessment_items")
    items = list(services.visible_items(actor))
    for item in items:
        item.department_label = DEPARTMENTS.get(item.department, "") if item.department else ""
    groups = []
    for kind, label in AssessmentKind.choices:
        rows = [item for item in items if item.kind == kind]
        if rows:
            groups.append({"label": label, "items": rows})
    return render(request, "quality/assessments/library.html", {
        "groups": groups, "form": form, "may_edit": may_edit, "sees_everyone": services.sees_everyone(actor),
        "kinds": AssessmentKind.choices, "departments": list(DEPARTMENTS.items()),
    })


# -- one's own ---------------------------------------------------------------------------------------------------
@staff_view(reads=READS)
def mine(request):
    """My assessment: my score and records of a month, and the last twelve months' scores."""
    actor, today = request.actor, timezone.localdate()
    month = _month_param(request, today)
    row, records = services.staff_month(request.user, month)
    for record in records:
        record.photos = list(evidence_for(record))
    history = [(m, services.score_of(request.user, m)) for m in services.months_back(today, 6)]
    return render(request, "quality/assessments/mine.html", {
        "month": month, "months": services.months_back(today, 12), "row": row, "records": records,
        "history": history, "base": services.base_score(), "sees_everyone": services.sees_everyone(actor),
    })


# -- from a ticket -----------------------------------------------------------------------------------------------
@staff_view("quality.assess_tickets", reads=READS)
def from_ticket(request, ticket_id: int):
    """Praise (a praise ticket) or a substantiated complaint (a complaint ticket) for a staff member: the
    management's decision, recorded once per ticket and person."""
    actor, today = request.actor, timezone.localdate()
    ticket = get_scoped_or_404(Ticket.objects.select_related("project", "assignee", "first_receiver"), actor,
                               pk=ticket_id)
    kind = {"praise": AssessmentKind.PRAISE, "complaint": AssessmentKind.COMPLAINT}.get(ticket.kind)
    if kind is None:
        raise Http404
    staff = services.ticket_staff(ticket).exclude(user_id=request.user.pk)
    error = ""
    if request.method == "POST":
        chosen = staff.filter(user_id=request.POST.get("staff") or 0).first() \
            if str(request.POST.get("staff", "")).isdigit() else None
        if chosen is None:
            error = _("Choose the staff member.")
        else:
            try:
                record = services.record_from_ticket(actor, ticket, staff=chosen, kind=kind, today=today)
            except DomainError as failure:
                if failure.status == 403:
                    raise PermissionDenied from None
                error = failure.message
            else:
                messages.success(request, _("Recorded for %(name)s: %(reason)s, %(points)s points.") % {
                    "name": record.staff.get_full_name() or record.staff.username, "reason": record.reason,
                    "points": f"{record.points.normalize():+f}"})
                return redirect("quality:assessment_ticket", ticket_id=ticket.pk)
    existing = list(AssessmentRecord.objects.filter(ticket=ticket).select_related("staff", "recorded_by"))
    first_choice = ticket.assignee_id or (ticket.first_receiver_id if kind == AssessmentKind.PRAISE else None)
    return render(request, "quality/assessments/ticket.html", {
        "ticket": ticket, "kind": kind, "kind_label": AssessmentKind(kind).label, "staff": staff,
        "existing": existing, "chosen": first_choice, "error": error,
    }, status=422 if error else 200)


urlpatterns = [
    path("console/quality/assessments/", monthly, name="assessments"),
    path("console/quality/assessments/new/", record_new, name="assessment_new"),
    path("console/quality/assessments/mine/", mine, name="my_assessment"),
    path("console/quality/assessments/library/", library, name="assessment_items"),
    path("console/quality/assessments/<int:pk>/withdraw/", record_withdraw, name="assessment_withdraw"),
    path("console/quality/assessments/<int:pk>/photos/<int:photo_id>/", record_photo, name="assessment_photo"),
    path("console/quality/assessments/ticket/<int:ticket_id>/", from_ticket, name="assessment_ticket"),
]
