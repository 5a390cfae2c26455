"""Quality API: satisfaction surveys (`quality.surveys`). Staff list, create, open and close surveys, enter phone
and paper answers and read results; owners list the surveys addressed to their household and answer them.

An answer's reply never carries the response's key: for an anonymous survey nothing a client holds may pair the
household with its answers."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from wuye.core.access import get_scoped_or_404, get_scoped_or_invalid, require_read, scoped
from wuye.core.api import Mapped, PagePagination
from wuye.core.errors import InvalidInput
from wuye.tenancy.models import Project, Unit

from .. import surveys
from ..models import Audience, Survey, SurveyChannel, SurveyStatus

router = Router(tags=["surveys"])


class QuestionIn(Schema):
    text: str = Field(max_length=1000)
    kind: str = Field("scale", description="scale (1–5) | single | multiple | text")
    dimension: str = Field("overall", description="overall | attitude | repair | environment | security | fees | "
                                                  "facilities | other")
    options: list[str] = Field(default_factory=list, max_length=50)
    required: bool = True


class SurveyIn(Schema):
    project_id: int
    title: str = Field(max_length=1000)
    introduction: str = Field("", max_length=10000)
    anonymous: bool = False
    audience: str = Field(Audience.PROJECT, description="project | buildings | repair_owners")
    building_ids: list[int] = Field(default_factory=list, max_length=500)
    repairs_closed_since: date | None = None
    opens_on: date | None = None
    closes_on: date | None = None
    questions: list[QuestionIn] = Field(max_length=100)


class QuestionOut(Schema):
    id: int
    number: int
    text: str
    kind: str
    dimension: str
    dimension_label: str
    options: list[str]
    required: bool


class SurveyOut(Schema):
    id: int
    project_id: int
    project: str
    title: str
    introduction: str
    status: str
    status_label: str
    anonymous: bool
    audience: str
    opens_on: date | None
    closes_on: date | None
    addressed: int | None = Field(None, description="Staff: households addressed (null for owners)")
    answered_count: int | None = Field(None, description="Staff: households that answered")
    response_rate: Decimal | None = Field(None, description="Staff: % of the addressed households that answered")
    answered: bool | None = Field(None, description="Owners: whether their household has answered")
    questions: list[QuestionOut] | None = None


class ResponseIn(Schema):
    unit_id: int | None = Field(None, description="Staff: the household that answered; owners: their unit "
                                                  "(optional when one of theirs is addressed)")
    channel: str | None = Field(None, description="Staff: phone | paper; owners: portal (the default)")
    answers: list[dict] = Field(max_length=100, description="One entry per question in order: {scale: 1–5} | "
                                                            "{choices: [...]} | {text: ...} | {} (unanswered)")


class ResponseOut(Schema):
    survey_id: int
    answered: bool
    answered_count: int | None = None
    addressed: int | None = None


def _questions(survey):
    return [{"id": q.pk, "number": q.number, "text": q.text, "kind": q.kind, "dimension": q.dimension,
             "dimension_label": str(q.get_dimension_display()), "options": list(q.options), "required": q.required}
            for q in survey.questions.order_by("number")]


def _out(survey, *, actor, detail=False) -> dict:
    out = {"id": survey.pk, "project_id": survey.project_id, "project": survey.project.name, "title": survey.title,
           "introduction": survey.introduction, "status": survey.status,
           "status_label": str(survey.get_status_display()), "anonymous": survey.anonymous,
           "audience": survey.audience, "opens_on": survey.opens_on, "closes_on": survey.closes_on}
    if actor.is_owner:
        mine = getattr(survey, "my_invitations", None)
        if mine is None:
            survey = surveys.owner_surveys(actor).get(pk=survey.pk)
        out["answered"] = survey.my_invitations > 0 and survey.my_answered >= survey.my_invitations
    else:
        addressed = getattr(survey, "addressed", None)
        answered = getattr(survey, "answered", None)
        if addressed is None:
            addressed, answered = surveys.response_counts(survey)
        out.update(addressed=addressed, answered_count=answered, response_rate=surveys.percent(answered, addressed))
    if detail:
        out["questions"] = _questions(survey)
    return out


def _survey(actor, survey_id: int) -> Survey:
    require_read(actor, "quality.surveys")
    queryset = Survey.objects.select_related("project")
    if actor.is_owner:
        queryset = queryset.exclude(status=SurveyStatus.DRAFT)
    return get_scoped_or_404(queryset, actor, pk=survey_id)


@router.get("/surveys", response=list[SurveyOut])
@paginate(PagePagination)
def list_surveys(request, project: int | None = None, status: str | None = None):
    """Staff: the surveys of their projects with response rates, newest first. Owners: the surveys addressed to
    their household (open or closed), each with whether they have answered."""
    actor = request.actor
    require_read(actor, "quality.surveys")
    if actor.is_owner:
        rows = surveys.owner_surveys(actor).select_related("project")
    else:
        rows = surveys.with_response_counts(scoped(Survey.objects.select_related("project"), actor))
        rows = rows.order_by("-created_at", "-id")
    if project is not None:
        rows = rows.filter(project_id=project)
    if status:
        if status not in SurveyStatus.values:
            raise InvalidInput("status", _("Choose one of: %(choices)s.") % {"choices": ", ".join(SurveyStatus.values)})
        rows = rows.filter(status=status)
    return Mapped(rows, lambda survey: _out(survey, actor=actor))


@router.post("/surveys", response={201: SurveyOut})
def create_survey(request, data: SurveyIn):
    """A draft survey with its questions (staff with quality.manage_surveys); open it with /open."""
    actor = request.actor
    project = get_scoped_or_invalid(Project.objects.all(), actor, data.project_id, "project_id")
    survey = surveys.create_survey(
        actor, project=project, title=data.title, introduction=data.introduction, anonymous=data.anonymous,
        audience=data.audience, buildings=data.building_ids, repairs_closed_since=data.repairs_closed_since,
        opens_on=data.opens_on, closes_on=data.closes_on,
        questions=[surveys.QuestionInput(q.text, q.kind, q.dimension, q.options, q.required) for q in data.questions])
    return Status(201, _out(survey, actor=actor, detail=True))


@router.get("/surveys/{survey_id}", response=SurveyOut)
def get_survey(request, survey_id: int):
    """One survey with its questions (owners: only one addressed to them, not a draft)."""
    actor = request.actor
    return _out(_survey(actor, survey_id), actor=actor, detail=True)


@router.post("/surveys/{survey_id}/open", response=SurveyOut)
def open_survey(request, survey_id: int):
    """Open a draft: fixes the addressed households and messages their owners."""
    actor = request.actor
    survey = _survey(actor, survey_id)
    if actor.is_owner:
        raise Http404
    return _out(surveys.open_survey(actor, survey), actor=actor, detail=True)


@router.post("/surveys/{survey_id}/close", response=SurveyOut)
def close_survey(request, survey_id: int):
    """Close an open survey."""
    actor = request.actor
    survey = _survey(actor, survey_id)
    if actor.is_owner:
        raise Http404
    return _out(surveys.close_survey(actor, survey), actor=actor, detail=True)


@router.post("/surveys/{survey_id}/responses", response={201: ResponseOut})
def answer_survey(request, survey_id: int, data: ResponseIn):
    """A household's answers: an owner's own (portal), or staff entering a phone or paper answer for a unit. One
    answer per household: a second is 409."""
    actor = request.actor
    survey = _survey(actor, survey_id)
    if actor.is_owner:
        if data.unit_id is None:
            unit = surveys.owner_pending_unit(actor, survey)
            if unit is None:
                raise InvalidInput("unit_id", _("Your household has already answered, or is not addressed."))
        else:
            unit = Unit.objects.filter(pk=data.unit_id, pk__in=actor.unit_ids).first()
            if unit is None:
                raise InvalidInput("unit_id", _("Answer for your own home."))
        channel = data.channel or SurveyChannel.PORTAL
    else:
        if data.unit_id is None:
            raise InvalidInput("unit_id", _("Choose the household that answered."))
        unit = get_scoped_or_invalid(Unit.objects.filter(project_id=survey.project_id), actor, data.unit_id,
                                     "unit_id")
        channel = data.channel or ""
    surveys.answer_survey(actor, survey, unit=unit, answers=data.answers, channel=channel)
    out = {"survey_id": survey.pk, "answered": True}
    if not actor.is_owner:
        out["addressed"], out["answered_count"] = surveys.response_counts(survey)
    return Status(201, out)


class ScoresOut(Schema):
    count: int
    average: Decimal | None
    satisfied_pct: Decimal | None
    distribution: dict[str, int] = Field(description="{'5': n, … '1': n}")


class DimensionOut(Schema):
    dimension: str
    label: str
    scores: ScoresOut


class SurveyBuildingOut(Schema):
    building_id: int | None
    building: str
    scores: ScoresOut = Field(description="The households' overall verdicts (the survey's overall questions)")


class OptionOut(Schema):
    option: str
    count: int
    pct: Decimal | None


class QuestionResultOut(Schema):
    question_id: int
    number: int
    text: str
    kind: str
    dimension: str
    answered: int
    scores: ScoresOut | None
    options: list[OptionOut]


class OpenAnswerOut(Schema):
    question_id: int
    text: str
    unit: str | None = Field(description="Null for an anonymous survey")


class ResultsOut(Schema):
    survey_id: int
    anonymous: bool
    visible: bool = Field(description="False: an anonymous survey still open — only the response rate")
    addressed: int
    answered: int
    response_rate: Decimal | None
    overall: ScoresOut
    dimensions: list[DimensionOut]
    buildings: list[SurveyBuildingOut]
    hidden_buildings: int
    questions: list[QuestionResultOut]
    open_answers: list[OpenAnswerOut]
    open_answer_count: int


def _scores(summary) -> dict:
    return {"count": summary.count, "average": summary.average, "satisfied_pct": summary.satisfied_pct,
            "distribution": {str(k): v for k, v in summary.distribution.items()}}


@router.get("/surveys/{survey_id}/results", response=ResultsOut)
def survey_results(request, survey_id: int):
    """Results (staff): response rate; per dimension, building and question the scale distribution, average
    and % satisfied (4–5); choice counts; the newest open answers (no unit for an anonymous survey)."""
    actor = request.actor
    survey = _survey(actor, survey_id)
    if actor.is_owner:
        raise Http404
    results = surveys.survey_results(survey)
    return {
        "survey_id": survey.pk, "anonymous": survey.anonymous, "visible": results.visible,
        "addressed": results.addressed, "answered": results.answered, "response_rate": results.response_rate,
        "overall": _scores(results.overall),
        "dimensions": [{"dimension": d.dimension, "label": d.label, "scores": _scores(d.scores)}
                       for d in results.dimensions],
        "buildings": [{"building_id": b.building.pk if b.building else None,
                       "building": str(b.building) if b.building else "", "scores": _scores(b.scores)}
                      for b in results.buildings],
        "hidden_buildings": results.hidden_buildings,
        "questions": [{"question_id": q.question.pk, "number": q.question.number, "text": q.question.text,
                       "kind": q.question.kind, "dimension": q.question.dimension, "answered": q.answered,
                       "scores": _scores(q.scores) if q.scores else None,
                       "options": [{"option": o, "count": n, "pct": p} for o, n, p in q.options]}
                      for q in results.questions],
        "open_answers": [{"question_id": a.question.pk, "text": a.text,
                          "unit": a.unit} for a in results.open_answers],
        "open_answer_count": results.open_answer_count,
    }
