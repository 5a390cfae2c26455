"""Satisfaction surveys in the console — the list with response rates and the twice-a-year warning, the editor,
results with charts, phone/paper entry, the Excel export — and in the owner portal: my surveys, the
questionnaire and its thank-you page."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from wuye.core.access import get_scoped_or_404, scoped
from wuye.core.errors import DomainError
from wuye.tenancy.models import Building, Project, Unit
from wuye.tenancy.ordering import naturally
from wuye.web.charts import bar_chart
from wuye.web.forms import PlausibleDateField, show_problems
from wuye.web.guards import owner_view, staff_view
from wuye.web.paging import paginate

from .. import surveys
from ..models import Audience, Dimension, QuestionKind, Survey, SurveyChannel, SurveyStatus
from ..survey_exports import results_workbook

STATUS_BADGES = {SurveyStatus.DRAFT: "badge-muted", SurveyStatus.OPEN: "badge-green",
                 SurveyStatus.CLOSED: "badge-blue"}


# -- forms ----------------------------------------------------------------------------------------------------
class SurveyForm(forms.Form):
    project = forms.ModelChoiceField(label=gettext_lazy("Project"), queryset=Project.objects.none(),
                                     empty_label=None)
    title = forms.CharField(label=gettext_lazy("Title"), max_length=surveys.TITLE_LENGTH)
    introduction = forms.CharField(label=gettext_lazy("Introduction"), required=False,
                                   max_length=surveys.INTRO_LENGTH, widget=forms.Textarea(attrs={"rows": 3}))
    anonymous = forms.BooleanField(label=gettext_lazy("Anonymous: answers keep no link to the household"),
                                   required=False)
    audience = forms.ChoiceField(label=gettext_lazy("Addressed to"), choices=Audience.choices,
                                 widget=forms.RadioSelect)
    buildings = forms.ModelMultipleChoiceField(label=gettext_lazy("Buildings"), queryset=Building.objects.none(),
                                               required=False, widget=forms.CheckboxSelectMultiple)
    repairs_closed_since = PlausibleDateField(label=gettext_lazy("Repairs closed since"), required=False)
    opens_on = PlausibleDateField(label=gettext_lazy("Opens"), required=False)
    closes_on = PlausibleDateField(label=gettext_lazy("Closes"), required=False)

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        projects = scoped(Project.objects.all(), actor).order_by("id")
        self.fields["project"].queryset = projects
        self.fields["buildings"].queryset = naturally(Building.objects.filter(project__in=projects)
                                                      .select_related("project"))
        self.fields["buildings"].label_from_instance = lambda b: f"{b.project.name} · {b}"


class QuestionForm(forms.Form):
    text = forms.CharField(label=gettext_lazy("Question"), required=False, max_length=surveys.QUESTION_LENGTH)
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=QuestionKind.choices, initial=QuestionKind.SCALE)
    dimension = forms.ChoiceField(label=gettext_lazy("Measures"), choices=Dimension.choices,
                                  initial=Dimension.OVERALL)
    options = forms.CharField(label=gettext_lazy("Options (one a line)"), required=False,
                              widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)
    required = forms.BooleanField(label=gettext_lazy("Required"), required=False, initial=True)


QuestionFormSet = forms.formset_factory(QuestionForm, extra=3, max_num=surveys.MAX_QUESTIONS,
                                        absolute_max=surveys.MAX_QUESTIONS + 5)


def _question_inputs(formset) -> list[surveys.QuestionInput]:
    """The filled rows of the editor (a row without text is dropped)."""
    rows = []
    for form in formset.forms:
        data = form.cleaned_data if form.is_valid() else {}
        if not (data.get("text") or "").strip():
            continue
        options = [line.strip() for line in (data.get("options") or "").splitlines() if line.strip()]
        rows.append(surveys.QuestionInput(data["text"], data["kind"], data["dimension"], options,
                                          bool(data.get("required"))))
    return rows


class QuestionnaireForm(forms.Form):
    """The questions of a survey as a form: field q<number> per question; `answers()` gives the service's list."""

    def __init__(self, *args, questions, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = questions
        for question in questions:
            label = f"{question.number}. {question.text}"
            name = f"q{question.number}"
            if question.kind == QuestionKind.SCALE:
                field = forms.TypedChoiceField(label=label, coerce=int, choices=surveys.SCALE_CHOICES,
                                               widget=forms.RadioSelect, required=question.required)
            elif question.kind == QuestionKind.SINGLE:
                field = forms.ChoiceField(label=label, choices=[(o, o) for o in question.options],
                                          widget=forms.RadioSelect, required=question.required)
            elif question.kind == QuestionKind.MULTIPLE:
                field = forms.MultipleChoiceField(label=label, choices=[(o, o) for o in question.options],
                                                  widget=forms.CheckboxSelectMultiple, required=question.required)
            else:
                field = forms.CharField(label=label, required=question.required,
                                        max_length=surveys.TEXT_ANSWER_LENGTH,
                                        widget=forms.Textarea(attrs={"rows": 3}))
            self.fields[name] = field

    def answers(self) -> list[dict]:
        out = []
        for question in self.questions:
            value = self.cleaned_data.get(f"q{question.number}")
            if question.kind == QuestionKind.SCALE:
                out.append({"scale": value} if value not in (None, "") else {})
            elif question.kind == QuestionKind.SINGLE:
                out.append({"choices": [value]} if value else {})
            elif question.kind == QuestionKind.MULTIPLE:
                out.append({"choices": list(value)} if value else {})
            else:
                out.append({"text": value} if value else {})
        return out

    def service_fields(self) -> dict[str, str]:
        """The service's names of this form's fields (answers[2].scale → q3)."""
        names = {}
        for index, question in enumerate(self.questions):
            for part in ("", ".scale", ".choices", ".text", ".question"):
                names[f"answers[{index}]{part}"] = f"q{question.number}"
        return names


class EntryForm(forms.Form):
    """Whose answer staff are entering: a building and a room, and how it was given."""

    channel = forms.ChoiceField(label=gettext_lazy("Given by"), widget=forms.RadioSelect,
                                choices=[(c.value, c.label) for c in surveys.STAFF_CHANNELS],
                                initial=SurveyChannel.PHONE)
    building = forms.ModelChoiceField(label=gettext_lazy("Building"), queryset=Building.objects.none())
    room = forms.CharField(label=gettext_lazy("Room"), max_length=20,
                           widget=forms.TextInput(attrs={"placeholder": "1-1201"}))

    def __init__(self, *args, survey, **kwargs):
        super().__init__(*args, **kwargs)
        self.survey = survey
        self.fields["building"].queryset = naturally(Building.objects.filter(project_id=survey.project_id))

    def clean(self):
        data = super().clean()
        building, room = data.get("building"), (data.get("room") or "").strip()
        if building and room:
            prefix = f"{building.number}-"
            number = room[len(prefix):] if room.startswith(prefix) and not Unit.objects.filter(
                building=building, number=room).exists() else room
            unit = Unit.objects.filter(building=building, number=number).first()
            if unit is None:
                self.add_error("room", _("No such room in this building."))
            data["unit"] = unit
        return data


# -- console --------------------------------------------------------------------------------------------------
@staff_view(reads="quality.surveys")
def survey_list(request):
    """The surveys of the projects in scope with status and response rate, and the projects short of surveys."""
    actor = request.actor
    rows = surveys.with_response_counts(scoped(Survey.objects.select_related("project"), actor))
    status = request.GET.get("status", "")
    if status in SurveyStatus.values:
        rows = rows.filter(status=status)
    page = paginate(request, rows.order_by("-created_at", "-id"), per_page=20)
    items = [{"survey": s, "rate": surveys.percent(s.answered, s.addressed),
              "badge": STATUS_BADGES.get(s.status, "badge-muted")} for s in page.object_list]
    today = timezone.localdate()
    return render(request, "quality/surveys/list.html", {
        "page": page, "items": items, "status": status, "statuses": SurveyStatus.choices,
        "short": surveys.projects_short_of_surveys(actor, today), "wanted": surveys.surveys_per_year(),
        "may_manage": actor.may("quality.manage_surveys"),
    })


def _editor(request, *, survey=None):
    actor = request.actor
    if request.method == "POST":
        form = SurveyForm(request.POST, actor=actor)
        formset = QuestionFormSet(request.POST, prefix="q")
        if form.is_valid() and formset.is_valid():
            data = form.cleaned_data
            fields = dict(title=data["title"], introduction=data["introduction"], anonymous=data["anonymous"],
                          audience=data["audience"], buildings=[b.pk for b in data["buildings"]],
                          repairs_closed_since=data["repairs_closed_since"], opens_on=data["opens_on"],
                          closes_on=data["closes_on"], questions=_question_inputs(formset))
            try:
                if survey is None:
                    survey = surveys.create_survey(actor, project=data["project"], **fields)
                else:
                    surveys.update_survey(actor, survey, **fields)
            except DomainError as error:
                show_problems(form, error)
            else:
                messages.success(request, _("Survey saved as a draft."))
                return redirect("quality:survey", pk=survey.pk)
        status = 422
    else:
        if survey is None:
            form = SurveyForm(actor=actor, initial={"audience": Audience.PROJECT})
            questions = surveys.default_questions()
        else:
            form = SurveyForm(actor=actor, initial={
                "project": survey.project_id, "title": survey.title, "introduction": survey.introduction,
                "anonymous": survey.anonymous, "audience": survey.audience, "buildings": list(survey.buildings.all()),
                "repairs_closed_since": survey.repairs_closed_since, "opens_on": survey.opens_on,
                "closes_on": survey.closes_on})
            questions = [surveys.QuestionInput(q.text, q.kind, q.dimension, list(q.options), q.required)
                         for q in survey.questions.order_by("number")]
        formset = QuestionFormSet(prefix="q", initial=[
            {"text": q.text, "kind": q.kind, "dimension": q.dimension, "options": "\n".join(map(str, q.options)),
             "required": q.required} for q in questions])
        status = None
    if survey is not None:
        form.fields["project"].disabled = True
    return render(request, "quality/surveys/editor.html", {"form": form, "formset": formset, "survey": survey},
                  status=status)


@staff_view("quality.manage_surveys")
def survey_new(request):
    return _editor(request)


@staff_view("quality.manage_surveys")
def survey_edit(request, pk: int):
    survey = get_scoped_or_404(Survey.objects.all(), request.actor, pk=pk)
    if survey.status != SurveyStatus.DRAFT:
        messages.error(request, _("Only a draft survey can be edited."))
        return redirect("quality:survey", pk=pk)
    return _editor(request, survey=survey)


def _charts(results):
    charts = {}
    if results.dimensions:
        charts["dimensions"] = bar_chart([(d.label, float(d.scores.satisfied_pct or 0)) for d in results.dimensions],
                                         unit="%", max_value=100)
    if results.buildings:
        charts["buildings"] = bar_chart([(str(b.building) if b.building else _("No building"),
                                          float(b.scores.satisfied_pct or 0)) for b in results.buildings],
                                        unit="%", max_value=100)
    return charts


@staff_view(reads="quality.surveys")
def survey_detail(request, pk: int):
    """One survey: its questions and state, the actions, and its results with charts."""
    actor = request.actor
    survey = get_scoped_or_404(Survey.objects.select_related("project", "created_by"), actor, pk=pk)
    results = surveys.survey_results(survey)
    return render(request, "quality/surveys/detail.html", {
        "survey": survey, "results": results, "charts": _charts(results) if results.visible else {},
        "questions": list(survey.questions.order_by("number")), "badge": STATUS_BADGES.get(survey.status),
        "may_manage": actor.may("quality.manage_surveys"),
        "may_enter": actor.may("quality.manage_surveys") and actor.may("quality.answer_surveys"),
        "buildings": list(survey.buildings.all()),
    })


@require_POST
@staff_view("quality.manage_surveys")
def survey_action(request, pk: int, action: str):
    """Open or close a survey (POST)."""
    survey = get_scoped_or_404(Survey.objects.all(), request.actor, pk=pk)
    act = {"open": surveys.open_survey, "close": surveys.close_survey}.get(action)
    if act is None:
        raise Http404
    try:
        act(request.actor, survey)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Survey opened: its households have been sent the questionnaire.")
                         if action == "open" else _("Survey closed."))
    return redirect("quality:survey", pk=pk)


@staff_view("quality.manage_surveys")
def survey_entry(request, pk: int):
    """Staff enter an answer given by phone or on a paper form, for the household they pick."""
    actor = request.actor
    if not actor.may("quality.answer_surveys"):
        raise PermissionDenied
    survey = get_scoped_or_404(Survey.objects.select_related("project"), actor, pk=pk)
    questions = list(survey.questions.order_by("number"))
    status = None
    if request.method == "POST":
        entry = EntryForm(request.POST, survey=survey)
        form = QuestionnaireForm(request.POST, questions=questions)
        if entry.is_valid() and form.is_valid():
            try:
                surveys.answer_survey(actor, survey, unit=entry.cleaned_data["unit"], answers=form.answers(),
                                      channel=entry.cleaned_data["channel"])
            except DomainError as error:
                if any(p.field in ("unit", "channel") for p in error.problems):
                    show_problems(entry, error, {"unit": "room"})
                else:
                    show_problems(form, error, form.service_fields())
                status = error.status
            else:
                messages.success(request, _("Answer recorded for %(unit)s.") % {
                    "unit": entry.cleaned_data["unit"].label})
                return redirect("quality:survey_entry", pk=pk)
        status = status or 422
    else:
        entry, form = EntryForm(survey=survey), QuestionnaireForm(questions=questions)
    addressed, answered = surveys.response_counts(survey)
    return render(request, "quality/surveys/entry.html", {
        "survey": survey, "entry": entry, "form": form, "addressed": addressed, "answered": answered,
        "rate": surveys.percent(answered, addressed),
    }, status=status)


@staff_view(reads="quality.surveys")
def survey_export(request, pk: int):
    """The results and the answers as an Excel workbook (no household column for an anonymous survey)."""
    survey = get_scoped_or_404(Survey.objects.select_related("project"), request.actor, pk=pk)
    return results_workbook(survey)


# -- owner portal ---------------------------------------------------------------------------------------------
@owner_view
def h5_surveys(request):
    """满意度调查: the surveys addressed to the owner's household, open ones first."""
    rows = list(surveys.owner_surveys(request.actor).select_related("project"))
    today = timezone.localdate()
    for row in rows:
        row.done = row.my_invitations > 0 and row.my_answered >= row.my_invitations
        row.can_answer = (not row.done and row.status == SurveyStatus.OPEN
                          and (not row.closes_on or row.closes_on >= today)
                          and (not row.opens_on or row.opens_on <= today))
    rows.sort(key=lambda r: (not r.can_answer,))
    return render(request, "quality/surveys/h5_list.html", {"rows": rows})


@owner_view
def h5_survey(request, pk: int):
    """The questionnaire (one answer per household); after answering, the thank-you page."""
    actor = request.actor
    survey = get_scoped_or_404(Survey.objects.exclude(status=SurveyStatus.DRAFT).select_related("project"),
                               actor, pk=pk)
    unit = surveys.owner_pending_unit(actor, survey)
    if unit is None or survey.status != SurveyStatus.OPEN:
        return redirect("quality:h5_survey_thanks", pk=pk)
    questions = list(survey.questions.order_by("number"))
    status = None
    if request.method == "POST":
        form = QuestionnaireForm(request.POST, questions=questions)
        if form.is_valid():
            try:
                surveys.answer_survey(actor, survey, unit=unit, answers=form.answers(),
                                      channel=SurveyChannel.PORTAL)
            except DomainError as error:
                show_problems(form, error, form.service_fields())
                status = error.status
            else:
                return redirect("quality:h5_survey_thanks", pk=pk)
        status = status or 422
    else:
        form = QuestionnaireForm(questions=questions)
    return render(request, "quality/surveys/h5_form.html", {"survey": survey, "form": form, "unit": unit},
                  status=status)


@owner_view
def h5_survey_thanks(request, pk: int):
    survey = get_scoped_or_404(Survey.objects.exclude(status=SurveyStatus.DRAFT), request.actor, pk=pk)
    pending = surveys.owner_pending_unit(request.actor, survey)
    return render(request, "quality/surveys/h5_thanks.html", {
        "survey": survey, "answered": pending is None, "open": survey.status == SurveyStatus.OPEN})


urlpatterns = [
    path("console/quality/surveys/", survey_list, name="surveys"),
    path("console/quality/surveys/new/", survey_new, name="survey_new"),
    path("console/quality/surveys/<int:pk>/", survey_detail, name="survey"),
    path("console/quality/surveys/<int:pk>/edit/", survey_edit, name="survey_edit"),
    path("console/quality/surveys/<int:pk>/entry/", survey_entry, name="survey_entry"),
    path("console/quality/surveys/<int:pk>/export.xlsx", survey_export, name="survey_export"),
    path("console/quality/surveys/<int:pk>/<slug:action>/", survey_action, name="survey_action"),
    path("h5/surveys/", h5_surveys, name="h5_surveys"),
    path("h5/surveys/<int:pk>/", h5_survey, name="h5_survey"),
    path("h5/surveys/<int:pk>/thanks/", h5_survey_thanks, name="h5_survey_thanks"),
]
