"""Satisfaction surveys (满意度调查, SPEC §6): questionnaires addressed to a project's households, answered once per
household in the owner portal or entered by staff from a phone call or a paper form, and their results.

* `create_survey` / `update_survey` write a draft with its questions; `open_survey` fixes the addressees
  (`SurveyInvitation`, one per household) in one insert and messages each owner a link to the questionnaire;
  `close_survey` ends it.
* `answer_survey` validates every answer, settles the household's invitation with a conditional UPDATE (two
  answers at once: one wins, the other is a 409) and writes the response in the same transaction.
* Anonymity: an anonymous survey's response has no unit, is dated with the survey's opening day (the invitation
  and its event carry the real day: a real day on the response would pair the two whenever one household
  answered that day), keeps its building only where the building has at least `ANONYMOUS_GROUP_MIN` addressed
  households, and no event or message names it. Its results are shown once it is closed: live figures of an
  anonymous survey would give away each new answer as the difference from the last look, while the invitation
  says which household just answered. Pages, exports and the admin never show an anonymous response's building
  row by row, only building groups of at least `ANONYMOUS_GROUP_MIN` answers.
* `survey_results` computes everything from a few aggregate queries; `satisfaction_figure` gives the KPI its
  share of satisfied answers; `projects_short_of_surveys` names projects with fewer than
  `WUYE_SURVEYS_PER_YEAR` surveys in the trailing 12 months.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from wuye.core.access import Actor, require, scoped
from wuye.core.errors import Conflict, InvalidInput, NotAllowed, Problems
from wuye.core.events import record_event
from wuye.core.outbox import Links, notify
from wuye.core.validators import check_plausible_date
from wuye.people.services import owning_residencies
from wuye.tenancy.models import Building, Project, Unit
from wuye.tenancy.ordering import natural_key
from wuye.workorders.models import Kind as TicketKind
from wuye.workorders.models import Status as TicketStatus
from wuye.workorders.models import Ticket
from wuye.workorders.satisfaction import SATISFIED_FROM, Satisfaction

from .models import (
    Answer,
    Audience,
    Dimension,
    Question,
    QuestionKind,
    Survey,
    SurveyChannel,
    SurveyInvitation,
    SurveyResponse,
    SurveyStatus,
)

TITLE_LENGTH = 200
INTRO_LENGTH = 2000
QUESTION_LENGTH = 300
OPTION_LENGTH = 100
MAX_QUESTIONS = 40
MAX_OPTIONS = 12
TEXT_ANSWER_LENGTH = 1000
ANONYMOUS_GROUP_MIN = 5  # the fewest households a group of an anonymous survey's answers may stand for
OPEN_ANSWERS_SHOWN = 300  # the newest open answers a results page lists (the export has every one)
STAFF_CHANNELS = (SurveyChannel.PHONE, SurveyChannel.PAPER)
# The scale as the questionnaire offers it, best first: 非常满意 5 … 非常不满意 1 (the repair rating's labels).
SCALE_CHOICES = [(value, label) for value, label in Satisfaction.choices]


def default_questions() -> list[QuestionInput]:
    """The questionnaire a new survey starts from (SPEC §6's dimensions), in the current language."""
    return [
        QuestionInput(_("Overall, how satisfied are you with our property service?"), QuestionKind.SCALE,
                      Dimension.OVERALL),
        QuestionInput(_("How satisfied are you with the attitude of our staff?"), QuestionKind.SCALE,
                      Dimension.ATTITUDE),
        QuestionInput(_("How satisfied are you with how quickly repairs are handled?"), QuestionKind.SCALE,
                      Dimension.REPAIR),
        QuestionInput(_("How satisfied are you with cleaning and greening?"), QuestionKind.SCALE,
                      Dimension.ENVIRONMENT),
        QuestionInput(_("How satisfied are you with order, security and parking?"), QuestionKind.SCALE,
                      Dimension.SECURITY),
        QuestionInput(_("How satisfied are you with how clearly fees are explained?"), QuestionKind.SCALE,
                      Dimension.FEES),
        QuestionInput(_("Which services should we improve first?"), QuestionKind.MULTIPLE, Dimension.OTHER,
                      [_("Cleaning"), _("Greening"), _("Security"), _("Parking"), _("Repairs"), _("Lifts")],
                      required=False),
        QuestionInput(_("Anything else you want to tell us?"), QuestionKind.TEXT, Dimension.OTHER, required=False),
    ]


def surveys_per_year() -> int:
    """How many surveys a project should open in 12 months (setting WUYE_SURVEYS_PER_YEAR, SPEC §6: twice)."""
    return int(settings.WUYE_SURVEYS_PER_YEAR)


# -- writing a draft ------------------------------------------------------------------------------------------
@dataclass
class QuestionInput:
    text: str
    kind: str = QuestionKind.SCALE
    dimension: str = Dimension.OVERALL
    options: list[str] = field(default_factory=list)
    required: bool = True


def _question_inputs(raw) -> list[QuestionInput]:
    return [q if isinstance(q, QuestionInput) else QuestionInput(**q) for q in (raw or [])]


def _check_draft(problems: Problems, project: Project, *, title, introduction, audience, buildings,
                 repairs_closed_since, opens_on, closes_on, questions: list[QuestionInput]) -> list[Building]:
    title = (title or "").strip()
    if not title:
        problems.add("title", _("Give the survey a title."))
    elif len(title) > TITLE_LENGTH:
        problems.add("title", _("Keep it to %(count)s characters.") % {"count": TITLE_LENGTH})
    if len(introduction or "") > INTRO_LENGTH:
        problems.add("introduction", _("Keep it to %(count)s characters.") % {"count": INTRO_LENGTH})
    if audience not in Audience.values:
        problems.add("audience", _("Choose who the survey is addressed to."))
    chosen: list[Building] = []
    if audience == Audience.BUILDINGS:
        try:
            ids = {int(getattr(b, "pk", b)) for b in buildings or []}
        except (TypeError, ValueError):
            ids = set()
        if not ids:
            problems.add("buildings", _("Choose at least one building."))
        else:
            chosen = list(Building.objects.filter(project=project, pk__in=ids))
            if len(chosen) != len(ids):
                problems.add("buildings", _("Choose buildings of the survey's project."))
    if audience == Audience.REPAIR_OWNERS:
        if repairs_closed_since is None:
            problems.add("repairs_closed_since", _("Say since when the repairs were closed."))
        else:
            problems.check("repairs_closed_since", check_plausible_date, repairs_closed_since)
    problems.check("opens_on", check_plausible_date, opens_on)
    problems.check("closes_on", check_plausible_date, closes_on)
    if opens_on and closes_on and closes_on < opens_on:
        problems.add("closes_on", _("The survey cannot close before it opens."))
    if not questions:
        problems.add("questions", _("Add at least one question."))
    elif len(questions) > MAX_QUESTIONS:
        problems.add("questions", _("A survey has at most %(count)s questions.") % {"count": MAX_QUESTIONS})
    for index, question in enumerate(questions[:MAX_QUESTIONS]):
        where = f"questions[{index}]"
        text = (question.text or "").strip()
        if not text:
            problems.add(f"{where}.text", _("Write the question."))
        elif len(text) > QUESTION_LENGTH:
            problems.add(f"{where}.text", _("Keep it to %(count)s characters.") % {"count": QUESTION_LENGTH})
        if question.kind not in QuestionKind.values:
            problems.add(f"{where}.kind", _("Choose the kind of question."))
        if question.dimension not in Dimension.values:
            problems.add(f"{where}.dimension", _("Choose what the question measures."))
        if question.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
            options = [str(o).strip() for o in question.options or []]
            if len(options) < 2 or len(options) > MAX_OPTIONS or not all(options) \
                    or len(set(options)) != len(options) or any(len(o) > OPTION_LENGTH for o in options):
                problems.add(f"{where}.options", _(
                    "Give 2 to %(count)s different options, each at most %(length)s characters.") % {
                    "count": MAX_OPTIONS, "length": OPTION_LENGTH})
    return chosen


def _write_questions(survey: Survey, questions: list[QuestionInput]) -> None:
    Question.objects.bulk_create([
        Question(survey=survey, number=number, text=q.text.strip(), kind=q.kind, dimension=q.dimension,
                 options=[str(o).strip() for o in q.options] if q.kind in (QuestionKind.SINGLE,
                                                                          QuestionKind.MULTIPLE) else [],
                 required=bool(q.required))
        for number, q in enumerate(questions, start=1)])


def create_survey(actor: Actor, *, project: Project, title: str, introduction: str = "", anonymous: bool = False,
                  audience: str = Audience.PROJECT, buildings=(), repairs_closed_since: date | None = None,
                  opens_on: date | None = None, closes_on: date | None = None, questions=()) -> Survey:
    """A draft survey of `project` with its questions (`QuestionInput`s or dicts). Bad input → 422 naming the
    field (`questions[2].options`), nothing written."""
    require(actor, "quality.manage_surveys")
    if not scoped(Project.objects.filter(pk=project.pk), actor).exists():
        raise NotAllowed(_("Your role may not do this."))
    questions = _question_inputs(questions)
    problems = Problems()
    chosen = _check_draft(problems, project, title=title, introduction=introduction, audience=audience,
                          buildings=buildings, repairs_closed_since=repairs_closed_since, opens_on=opens_on,
                          closes_on=closes_on, questions=questions)
    problems.raise_if_any()
    with transaction.atomic():
        survey = Survey.objects.create(
            project=project, title=title.strip(), introduction=(introduction or "").strip(),
            anonymous=bool(anonymous), audience=audience,
            repairs_closed_since=repairs_closed_since if audience == Audience.REPAIR_OWNERS else None,
            opens_on=opens_on, closes_on=closes_on, created_by=actor.user if getattr(actor.user, "pk", None) else None)
        survey.buildings.set(chosen)
        _write_questions(survey, questions)
        record_event(survey, "survey.created", actor=actor.user, data={
            "title": survey.title, "questions": len(questions), "anonymous": survey.anonymous})
    return survey


def update_survey(actor: Actor, survey: Survey, **changes) -> Survey:
    """Change a draft: any of create_survey's fields; `questions`, when given, replace the draft's questions.
    Once opened, a survey's questions are what households answer: editing it then is a 409."""
    require(actor, "quality.manage_surveys")
    current = {
        "title": survey.title, "introduction": survey.introduction, "anonymous": survey.anonymous,
        "audience": survey.audience, "buildings": list(survey.buildings.values_list("pk", flat=True)),
        "repairs_closed_since": survey.repairs_closed_since, "opens_on": survey.opens_on,
        "closes_on": survey.closes_on,
    }
    unknown = set(changes) - set(current) - {"questions"}
    if unknown:
        raise InvalidInput(sorted(unknown)[0], _("This cannot be changed."))
    merged = {**current, **changes}
    questions = _question_inputs(changes["questions"]) if "questions" in changes else [
        QuestionInput(q.text, q.kind, q.dimension, list(q.options), q.required) for q in survey.questions.all()]
    problems = Problems()
    chosen = _check_draft(problems, survey.project, title=merged["title"], introduction=merged["introduction"],
                          audience=merged["audience"], buildings=merged["buildings"],
                          repairs_closed_since=merged["repairs_closed_since"], opens_on=merged["opens_on"],
                          closes_on=merged["closes_on"], questions=questions)
    problems.raise_if_any()
    with transaction.atomic():
        locked = Survey.objects.select_for_update().get(pk=survey.pk)
        if locked.status != SurveyStatus.DRAFT:
            raise Conflict(_("Only a draft survey can be edited."))
        for name in ("title", "introduction"):
            setattr(survey, name, (merged[name] or "").strip())
        survey.anonymous = bool(merged["anonymous"])
        survey.audience = merged["audience"]
        survey.repairs_closed_since = merged["repairs_closed_since"] if survey.audience == Audience.REPAIR_OWNERS \
            else None
        survey.opens_on, survey.closes_on = merged["opens_on"], merged["closes_on"]
        survey.save()
        survey.buildings.set(chosen)
        if "questions" in changes:
            survey.questions.all().delete()
            _write_questions(survey, questions)
        record_event(survey, "survey.edited", actor=actor.user, data={
            "fields": sorted(set(changes) - {"questions"}), "questions": len(questions)})
    return survey


# -- opening and closing --------------------------------------------------------------------------------------
def addressed_units(survey: Survey, *, on: date | None = None):
    """The households `survey` addresses: units of its project with a current owner (or co-owner), narrowed to
    the chosen buildings, or to units with a repair closed since `repairs_closed_since`."""
    owned = owning_residencies().filter(unit__project_id=survey.project_id).values("unit_id")
    units = Unit.objects.filter(project_id=survey.project_id, pk__in=owned)
    if survey.audience == Audience.BUILDINGS:
        units = units.filter(building__in=survey.buildings.all())
    elif survey.audience == Audience.REPAIR_OWNERS:
        since = datetime.combine(survey.repairs_closed_since, time.min, tzinfo=timezone.get_current_timezone())
        # Read-only use of the work orders' table: which units had a repair closed since the day.
        repaired = Ticket.objects.filter(project_id=survey.project_id, kind=TicketKind.REPAIR,
                                         status=TicketStatus.CLOSED, closed_at__gte=since,
                                         unit__isnull=False).values("unit_id")
        units = units.filter(pk__in=repaired)
    return units


def open_survey(actor: Actor, survey: Survey, *, on: date | None = None) -> Survey:
    """Open a draft: its addressees are fixed as invitations (one insert) — the response rate's denominator —
    and each owner with a portal login gets a message linking to the questionnaire. `opens_on` becomes the
    opening day when it was not set. A survey with no household to address is refused (422 `audience`)."""
    require(actor, "quality.manage_surveys")
    today = on or timezone.localdate()
    with transaction.atomic():
        locked = Survey.objects.select_for_update().get(pk=survey.pk)
        if locked.status != SurveyStatus.DRAFT:
            raise Conflict(_("This survey has already been opened."))
        if not survey.questions.exists():
            raise InvalidInput("questions", _("Add at least one question."))
        if survey.closes_on and survey.closes_on < today:
            raise InvalidInput("closes_on", _("The closing day has passed; choose a later one."))
        unit_ids = list(addressed_units(survey).values_list("pk", flat=True))
        if not unit_ids:
            raise InvalidInput("audience", _("No household matches this audience."))
        SurveyInvitation.objects.bulk_create([SurveyInvitation(survey=survey, unit_id=u) for u in unit_ids],
                                             batch_size=2000)
        survey.status = SurveyStatus.OPEN
        survey.opens_on = survey.opens_on or today
        survey.save(update_fields=["status", "opens_on"])
        addressed = SurveyInvitation.objects.filter(survey=survey).values("unit_id")  # a subquery, not 100k ids
        owners = {r.resident.user for r in owning_residencies().filter(unit_id__in=addressed,
                                                                       resident__user__isnull=False)
                  .select_related("resident__user")}
        if owners:
            notify(sorted(owners, key=lambda u: u.pk), _("Satisfaction survey: %(title)s") % {"title": survey.title},
                   survey.introduction[:500] or _("Please tell us how satisfied you are with our service."),
                   link=Links(owner=reverse("quality:h5_survey", args=[survey.pk])), source=survey,
                   dedupe_key=f"survey-opened:{survey.pk}")
        record_event(survey, "survey.opened", actor=actor.user, data={
            "addressees": len(unit_ids), "notified": len(owners)})
    return survey


def close_survey(actor: Actor, survey: Survey, *, on: date | None = None) -> Survey:
    """Close an open survey: no more answers; its response rate is final."""
    require(actor, "quality.manage_surveys")
    today = on or timezone.localdate()
    with transaction.atomic():
        locked = Survey.objects.select_for_update().get(pk=survey.pk)
        if locked.status != SurveyStatus.OPEN:
            raise Conflict(_("Only an open survey can be closed."))
        survey.status = SurveyStatus.CLOSED
        if not survey.closes_on or survey.closes_on > today:
            survey.closes_on = today
        survey.save(update_fields=["status", "closes_on"])
        counts = response_counts(survey)
        record_event(survey, "survey.closed", actor=actor.user, data={
            "answered": counts[1], "addressees": counts[0]})
    return survey


def close_finished_surveys(today: date) -> list[Survey]:
    """Close every open survey whose closing day is before `today` (the hourly job): its response rate becomes
    final and an anonymous survey's results are shown. Each is claimed with a conditional UPDATE, so two runs at
    once close it — and record its event — once."""
    closed = []
    for survey in Survey.objects.filter(status=SurveyStatus.OPEN, closes_on__lt=today).order_by("id"):
        with transaction.atomic():
            if Survey.objects.filter(pk=survey.pk, status=SurveyStatus.OPEN).update(status=SurveyStatus.CLOSED) != 1:
                continue
            survey.status = SurveyStatus.CLOSED
            addressed, answered = response_counts(survey)
            record_event(survey, "survey.closed", data={"answered": answered, "addressees": addressed})
        closed.append(survey)
    return closed


# -- answering ------------------------------------------------------------------------------------------------
def _as_int(value):
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    raise ValueError


def check_answers(survey: Survey, questions: list[Question], answers) -> list[Answer]:
    """Unsaved answers for `answers`: a list with one entry per question, in the questionnaire's order — a dict
    with `scale` (1–5), `choices` (options of a choice question) or `text`; an unanswered optional question is
    `{}`. Every wrong entry is named (`answers[2].scale`); raises InvalidInput."""
    problems = Problems()
    if not isinstance(answers, (list, tuple)) or len(answers) != len(questions):
        raise InvalidInput("answers", _("Give one answer per question (%(count)s).") % {"count": len(questions)})
    rows = []
    for index, (question, given) in enumerate(zip(questions, answers, strict=True)):
        where = f"answers[{index}]"
        if not isinstance(given, dict):
            problems.add(where, _("This answer is unreadable."))
            continue
        if given.get("question") not in (None, question.pk):
            problems.add(f"{where}.question", _("Answers must follow the order of the questions."))
            continue
        if question.kind == QuestionKind.SCALE:
            value = given.get("scale")
            if value in (None, ""):
                if question.required:
                    problems.add(f"{where}.scale", _("Choose a score from 1 to 5."))
                continue
            try:
                score = _as_int(value)
            except ValueError:
                score = 0
            if not 1 <= score <= 5:
                problems.add(f"{where}.scale", _("Choose a score from 1 to 5."))
                continue
            rows.append(Answer(question=question, scale=score))
        elif question.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
            chosen = given.get("choices")
            if isinstance(chosen, str):
                chosen = [chosen]
            if chosen in (None, []):
                if question.required:
                    problems.add(f"{where}.choices", _("Choose an answer."))
                continue
            if not isinstance(chosen, list) or not all(isinstance(c, str) for c in chosen) \
                    or len(set(chosen)) != len(chosen) or not set(chosen) <= set(question.options) \
                    or (question.kind == QuestionKind.SINGLE and len(chosen) != 1):
                problems.add(f"{where}.choices", _("Choose among the question's options.") if question.kind
                             == QuestionKind.MULTIPLE else _("Choose one of the question's options."))
                continue
            order = {option: n for n, option in enumerate(question.options)}
            rows.append(Answer(question=question, choices=sorted(chosen, key=order.get)))
        else:
            text = given.get("text")
            text = text.strip() if isinstance(text, str) else ""
            if not text:
                if question.required:
                    problems.add(f"{where}.text", _("Write an answer."))
                continue
            if len(text) > TEXT_ANSWER_LENGTH:
                problems.add(f"{where}.text", _("Keep it to %(count)s characters.") % {"count": TEXT_ANSWER_LENGTH})
                continue
            rows.append(Answer(question=question, text=text))
    problems.raise_if_any()
    return rows


def answer_survey(actor: Actor, survey: Survey, *, unit: Unit | None, answers, channel: str,
                  on: date | None = None) -> SurveyResponse:
    """One household's answers. An owner answers for their own unit in the portal; staff with
    quality.answer_surveys and quality.manage_surveys enter a phone or paper answer for a unit they pick.

    The household's invitation is settled with `UPDATE … WHERE answered_on IS NULL` in the same transaction as
    the response: of two answers at once exactly one changes the row, the other is a 409. An anonymous survey's
    response keeps no unit (see the module docstring), and the invitation's event says only that it was answered.
    """
    today = on or timezone.localdate()
    if actor.is_owner:
        if channel != SurveyChannel.PORTAL:
            raise InvalidInput("channel", _("Owners answer in the portal."))
        if unit is None or unit.pk not in actor.unit_ids:
            raise InvalidInput("unit", _("Answer for your own home."))
    else:
        require(actor, "quality.answer_surveys")
        require(actor, "quality.manage_surveys")
        if channel not in STAFF_CHANNELS:
            raise InvalidInput("channel", _("Staff enter answers given by phone or on paper."))
        if not scoped(Survey.objects.filter(pk=survey.pk), actor).exists():
            raise NotAllowed(_("Your role may not do this."))
        if unit is None:
            raise InvalidInput("unit", _("Choose the household that answered."))
    if survey.status != SurveyStatus.OPEN:
        raise Conflict(_("This survey is not open for answers."))
    if (survey.opens_on and today < survey.opens_on) or (survey.closes_on and today > survey.closes_on):
        raise Conflict(_("This survey is not open for answers."))
    invitation = SurveyInvitation.objects.filter(survey=survey, unit=unit).first()
    if invitation is None:
        raise InvalidInput("unit", _("This survey is not addressed to this household."))
    questions = list(survey.questions.order_by("number"))
    rows = check_answers(survey, questions, answers)
    if not rows:
        raise InvalidInput("answers", _("Answer at least one question."))
    with transaction.atomic():
        claimed = SurveyInvitation.objects.filter(pk=invitation.pk, answered_on__isnull=True).update(
            answered_on=today)
        if claimed != 1:
            raise Conflict(_("This household has already answered this survey."))
        if survey.anonymous:
            building_id = unit.building_id if _building_is_large(survey, unit.building_id) else None
            response = SurveyResponse.objects.create(survey=survey, unit=None, building_id=building_id,
                                                     channel=channel, answered_on=survey.opens_on or today)
            # Who entered it and how would pair the event with the response: the event says "answered" only.
            record_event(invitation, "survey.answered", actor=None, data={}, project_id=survey.project_id)
        else:
            response = SurveyResponse.objects.create(survey=survey, unit=unit, building_id=unit.building_id,
                                                     channel=channel, answered_on=today)
            record_event(invitation, "survey.answered", actor=actor.user, data={"channel": channel},
                         project_id=survey.project_id)
        for row in rows:
            row.response = response
        Answer.objects.bulk_create(rows)
    return response


def _building_is_large(survey: Survey, building_id: int | None) -> bool:
    """Whether an anonymous response may keep its building: only when the survey addresses at least
    ANONYMOUS_GROUP_MIN households of it, so a small building's answer cannot be singled out."""
    if building_id is None:
        return False
    return SurveyInvitation.objects.filter(survey=survey, unit__building_id=building_id).count() \
        >= ANONYMOUS_GROUP_MIN


# -- reading --------------------------------------------------------------------------------------------------
def response_counts(survey: Survey) -> tuple[int, int]:
    """(addressed households, households that answered) — one query."""
    counts = SurveyInvitation.objects.filter(survey=survey).aggregate(
        addressed=Count("id"), answered=Count("answered_on"))
    return counts["addressed"], counts["answered"]


def percent(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def with_response_counts(surveys):
    """`surveys` annotated with `addressed` and `answered` (for lists: one query for the page)."""
    return surveys.annotate(addressed=Count("invitations", distinct=True),
                            answered=Count("invitations", filter=Q(invitations__answered_on__isnull=False),
                                           distinct=True))


def results_visible(survey: Survey) -> bool:
    """An anonymous survey's answers are shown once it is closed (see the module docstring)."""
    return not survey.anonymous or survey.status == SurveyStatus.CLOSED


@dataclass
class ScoreSummary:
    """Scale answers of a group: how many, the distribution {5: n, … 1: n}, average and % satisfied (4–5)."""

    count: int = 0
    distribution: dict[int, int] = field(default_factory=lambda: dict.fromkeys(range(5, 0, -1), 0))

    def add(self, score: int, n: int) -> None:
        self.distribution[score] += n
        self.count += n

    @property
    def average(self) -> Decimal | None:
        if not self.count:
            return None
        total = sum(score * n for score, n in self.distribution.items())
        return (Decimal(total) / self.count).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)

    @property
    def satisfied(self) -> int:
        return sum(n for score, n in self.distribution.items() if score >= SATISFIED_FROM)

    @property
    def satisfied_pct(self) -> Decimal | None:
        return percent(self.satisfied, self.count)

    def rows(self):
        """(score, label, count, % of the answers), best first."""
        return [(score, Satisfaction(score).label, n, percent(n, self.count))
                for score, n in self.distribution.items()]


@dataclass
class QuestionResult:
    question: Question
    scores: ScoreSummary | None = None
    options: list[tuple[str, int, Decimal | None]] = field(default_factory=list)  # (option, count, % of answers)
    answered: int = 0


@dataclass
class DimensionResult:
    dimension: str
    label: str
    scores: ScoreSummary


@dataclass
class BuildingResult:
    building: Building | None  # None: answers kept without a building
    scores: ScoreSummary  # the households' overall verdicts (see `building_questions`)


@dataclass
class OpenAnswer:
    question: Question
    text: str
    unit: str | None  # the unit's label ("3-1201"); None for an anonymous survey
    answered_on: date | None


@dataclass
class SurveyResults:
    survey: Survey
    addressed: int
    answered: int
    visible: bool  # False: an anonymous survey still open — only the response rate is shown
    overall: ScoreSummary = field(default_factory=ScoreSummary)
    dimensions: list[DimensionResult] = field(default_factory=list)
    buildings: list[BuildingResult] = field(default_factory=list)
    hidden_buildings: int = 0  # building groups of an anonymous survey too small to show
    questions: list[QuestionResult] = field(default_factory=list)
    open_answers: list[OpenAnswer] = field(default_factory=list)
    open_answer_count: int = 0

    @property
    def response_rate(self) -> Decimal | None:
        return percent(self.answered, self.addressed)


def survey_results(survey: Survey) -> SurveyResults:
    """The survey's results from seven queries, whatever the number of responses: the response rate; per
    dimension and per question the scale distribution, average and % satisfied (4–5); per building the same of
    the households' overall verdicts (`building_questions`); choice counts; the newest open answers (with the
    unit, unless anonymous). An anonymous survey's building groups of fewer than ANONYMOUS_GROUP_MIN households
    are left out (counted in `hidden_buildings`)."""
    addressed, answered = response_counts(survey)
    results = SurveyResults(survey, addressed, answered, results_visible(survey))
    questions = list(survey.questions.order_by("number"))
    if not results.visible:
        return results
    by_question = {q.pk: QuestionResult(q, ScoreSummary() if q.kind == QuestionKind.SCALE else None)
                   for q in questions}
    dimensions: dict[str, ScoreSummary] = defaultdict(ScoreSummary)
    buildings: dict[int | None, ScoreSummary] = defaultdict(ScoreSummary)
    # Filtered by the survey's questions, not joined to its responses: the (question, scale) index answers the
    # per-question counts; only the per-building figures join the responses.
    answers = Answer.objects.filter(question_id__in=[q.pk for q in questions])
    dimension_of = {q.pk: q.dimension for q in questions}
    for row in (answers.filter(scale__isnull=False).values("question_id", "scale").annotate(n=Count("*"))
                .order_by()):  # COUNT(*): an index-only scan of (question, scale)
        question_id, score, n = row["question_id"], row["scale"], row["n"]
        by_question[question_id].scores.add(score, n)
        by_question[question_id].answered += n
        dimensions[dimension_of[question_id]].add(score, n)
        results.overall.add(score, n)
    by_building = building_questions(questions)
    for row in (Answer.objects.filter(question_id__in=[q.pk for q in by_building], scale__isnull=False)
                .values("response__building_id", "scale").annotate(n=Count("*")).order_by()):
        buildings[row["response__building_id"]].add(row["scale"], row["n"])
    choice_counts: dict[int, Counter] = defaultdict(Counter)
    for row in (answers.filter(scale__isnull=True).values("question_id", "choices").annotate(n=Count("*"))
                .order_by()):  # choice and open questions (an open answer has no choices: one group)
        by_question[row["question_id"]].answered += row["n"]
        if by_question[row["question_id"]].question.kind == QuestionKind.TEXT:
            results.open_answer_count += row["n"]
        for option in row["choices"] or []:
            choice_counts[row["question_id"]][option] += row["n"]
    for question_id, counts in choice_counts.items():
        result = by_question[question_id]
        result.options = [(option, counts.get(option, 0), percent(counts.get(option, 0), result.answered))
                          for option in result.question.options]
    for question in questions:
        if question.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE) and not by_question[question.pk].options:
            by_question[question.pk].options = [(option, 0, None) for option in question.options]
    texts = answers.filter(question_id__in=[q.pk for q in questions if q.kind == QuestionKind.TEXT]).exclude(text="")
    if survey.anonymous:  # by the random key: no order of arrival, no unit
        shown = texts.order_by("response_id", "question_id").values("question_id", "text")
    else:
        shown = texts.order_by("-response__answered_on", "response_id", "question_id").values(
            "question_id", "text", "response__answered_on", "response__unit__building__number",
            "response__unit__number")
    for row in shown[:OPEN_ANSWERS_SHOWN]:
        number = row.get("response__unit__number")
        results.open_answers.append(OpenAnswer(
            by_question[row["question_id"]].question, row["text"],
            f"{row['response__unit__building__number']}-{number}" if number else None,
            row.get("response__answered_on")))
    results.questions = [by_question[q.pk] for q in questions]
    results.dimensions = [DimensionResult(d, str(Dimension(d).label), dimensions[d])
                          for d in Dimension.values if d in dimensions]
    names = {b.pk: b for b in Building.objects.filter(pk__in=[b for b in buildings if b is not None])}
    rows = []
    for building_id, scores in buildings.items():
        # Each household answers each of those questions at most once: a lower bound of the group's households.
        households = -(-scores.count // max(len(by_building), 1))
        if survey.anonymous and (building_id is None or households < ANONYMOUS_GROUP_MIN):
            results.hidden_buildings += 1
            continue
        rows.append(BuildingResult(names.get(building_id), scores))
    rows.sort(key=lambda r: (r.building is None, natural_key(r.building.number) if r.building else ()))
    results.buildings = rows
    return results


def building_questions(questions: list[Question]) -> list[Question]:
    """The questions a building's figure is read from: the "overall" scale questions — each household's own
    verdict, as the satisfaction KPI counts it — or every scale question when the survey has no overall one.
    (Reading every dimension per building would join every answer to its response: 350,000 rows for a survey of
    50,000 households, past the half second the results page may take.)"""
    scales = [q for q in questions if q.kind == QuestionKind.SCALE]
    return [q for q in scales if q.dimension == Dimension.OVERALL] or scales


def satisfaction_answers(project_ids, start: date, end: date):
    """The answers the satisfaction KPI counts: 1–5 answers to questions of dimension "overall" answered
    `start`…`end` (inclusive) in surveys of `project_ids` (None: every project).

    Only "overall" questions count: each household's overall verdict weighs once however long the questionnaire,
    and the dimension questions are read on the results page. An anonymous survey counts once closed (its
    answers are dated with its opening day), for the reason its results wait (module docstring)."""
    answers = Answer.objects.filter(
        scale__isnull=False, question__dimension=Dimension.OVERALL,
        response__answered_on__gte=start, response__answered_on__lte=end,
    ).filter(Q(response__survey__anonymous=False) | Q(response__survey__status=SurveyStatus.CLOSED))
    if project_ids is not None:
        answers = answers.filter(response__survey__project_id__in=list(project_ids))
    return answers


def satisfaction_figure(project_ids, start: date, end: date) -> tuple[int, int]:
    """(satisfied answers, answers) of `satisfaction_answers` — the survey half of the satisfaction KPI."""
    counts = satisfaction_answers(project_ids, start, end).aggregate(
        answered=Count("id"), satisfied=Count("id", filter=Q(scale__gte=SATISFIED_FROM)))
    return counts["satisfied"], counts["answered"]


def surveys_in_year(project_ids, today: date) -> dict[int, int]:
    """{project id: surveys opened in the 12 months up to `today`} (opened = open or closed, by opening day)."""
    since = today - timedelta(days=365)
    rows = (Survey.objects.filter(project_id__in=list(project_ids), opens_on__gt=since, opens_on__lte=today)
            .exclude(status=SurveyStatus.DRAFT).values("project_id").annotate(n=Count("id")).order_by())
    counts = dict.fromkeys(project_ids, 0)
    counts.update({row["project_id"]: row["n"] for row in rows})
    return counts


def projects_short_of_surveys(actor: Actor, today: date) -> list[tuple[Project, int]]:
    """The actor's projects that opened fewer than WUYE_SURVEYS_PER_YEAR surveys in the 12 months up to
    `today`, with how many they opened (for the surveys page and the quality workbench)."""
    projects = list(scoped(Project.objects.all(), actor).order_by("id"))
    counts = surveys_in_year([p.pk for p in projects], today)
    wanted = surveys_per_year()
    return [(project, counts[project.pk]) for project in projects if counts[project.pk] < wanted]


def owner_surveys(actor: Actor):
    """The surveys addressed to the owner's households that are open or closed, each with `answered` (True when
    every addressed household of theirs has answered)."""
    surveys = scoped(Survey.objects.exclude(status=SurveyStatus.DRAFT), actor)
    mine = SurveyInvitation.objects.filter(unit_id__in=actor.unit_ids)
    return surveys.annotate(
        my_invitations=Count("invitations", filter=Q(invitations__in=mine), distinct=True),
        my_answered=Count("invitations", filter=Q(invitations__in=mine, invitations__answered_on__isnull=False),
                          distinct=True),
    ).order_by("-opens_on", "-id")


def owner_pending_unit(actor: Actor, survey: Survey) -> Unit | None:
    """The owner's household that may still answer `survey` (the first, in unit order), or None."""
    invitation = (SurveyInvitation.objects.filter(survey=survey, unit_id__in=actor.unit_ids, answered_on__isnull=True)
                  .select_related("unit__building").order_by("unit__building_id", "unit__number").first())
    return invitation.unit if invitation else None


def register_survey_sentences() -> None:
    """How survey events read (wuye.core.sentences); called from quality's registry."""
    from django.utils.translation import gettext_lazy

    from wuye.core.sentences import register_sentences

    register_sentences({
        "survey.created": (gettext_lazy("Survey drafted: %(title)s"), {"example": {
            "title": "2026年秋季业主满意度调查", "questions": 8, "anonymous": False}}),
        "survey.edited": (gettext_lazy("Draft survey edited"), {"example": {"fields": ["title"], "questions": 8}}),
        "survey.opened": (gettext_lazy("Survey opened: addressed to %(addressees)s households"), {"example": {
            "addressees": 320, "notified": 41}}),
        "survey.closed": (gettext_lazy("Survey closed: %(answered)s of %(addressees)s households answered"),
                          {"example": {"answered": 130, "addressees": 320}}),
        "survey.answered": (gettext_lazy("Survey answered"), {"example": {}}),
    })
