"""A survey's results and answers as an Excel workbook: sheet 1 the results (response rate, dimensions,
buildings, questions), sheet 2 one row per household's answers.

An anonymous survey's answers sheet has no household, building or date column, and its rows are in the order of
the responses' random keys — so neither a column nor the row order pairs a row with an invitation. Written with
openpyxl's write-only mode; text people typed goes through `core.spreadsheets.xlsx_row` (never a formula)."""

from __future__ import annotations

import tempfile
from itertools import groupby

from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from wuye.core.downloads import attachment, download_name
from wuye.core.spreadsheets import xlsx_row

from . import surveys
from .models import Answer, QuestionKind, Survey, SurveyChannel

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _pct(value):
    return float(value) if value is not None else None


def _results_rows(survey: Survey, results: surveys.SurveyResults):
    yield [survey.title]
    yield [_("Project"), survey.project.name]
    yield [_("Households addressed"), results.addressed]
    yield [_("Households answered"), results.answered]
    yield [_("Response rate (%)"), _pct(results.response_rate)]
    if not results.visible:
        yield [_("The answers of an anonymous survey are shown once it is closed.")]
        return
    yield []
    yield [_("Dimension"), _("Scores"), _("Average (1–5)"), _("Satisfied (%)")]
    for row in results.dimensions:
        yield [row.label, row.scores.count, _pct(row.scores.average), _pct(row.scores.satisfied_pct)]
    yield [_("All scores"), results.overall.count, _pct(results.overall.average),
           _pct(results.overall.satisfied_pct)]
    if results.buildings:
        yield []
        yield [_("Building"), _("Scores"), _("Average (1–5)"), _("Satisfied (%)")]
        for row in results.buildings:
            yield [str(row.building) if row.building else _("No building"), row.scores.count,
                   _pct(row.scores.average), _pct(row.scores.satisfied_pct)]
    yield []
    yield [_("Question"), _("Answers"), *[str(label) for _score, label in surveys.SCALE_CHOICES],
           _("Average (1–5)"), _("Satisfied (%)")]
    for row in results.questions:
        title = f"{row.question.number}. {row.question.text}"
        if row.scores is not None:
            yield [title, row.answered, *row.scores.distribution.values(), _pct(row.scores.average),
                   _pct(row.scores.satisfied_pct)]
        elif row.options:
            yield [title, row.answered]
            for option, count, pct in row.options:
                yield [f"  {option}", count, _pct(pct)]
        else:
            yield [title, row.answered]


def _answer_value(question, row) -> object:
    if question.kind == QuestionKind.SCALE:
        return row["scale"]
    if question.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        return "、".join(row["choices"] or [])
    return row["text"]


def _answer_rows(survey: Survey, questions):
    position = {q.pk: n for n, q in enumerate(questions)}
    by_id = {q.pk: q for q in questions}
    channels = dict(SurveyChannel.choices)
    fields = ["response_id", "question_id", "scale", "choices", "text", "response__channel"]
    if not survey.anonymous:
        fields += ["response__answered_on", "response__unit__building__number", "response__unit__number"]
    answers = (Answer.objects.filter(response__survey=survey).order_by("response_id", "question__number")
               .values(*fields).iterator(chunk_size=5000))
    for _response, rows in groupby(answers, key=lambda r: r["response_id"]):
        rows = list(rows)
        cells = [None] * len(questions)
        for row in rows:
            cells[position[row["question_id"]]] = _answer_value(by_id[row["question_id"]], row)
        first = rows[0]
        head = [str(channels.get(first["response__channel"], ""))]
        if not survey.anonymous:
            unit = f"{first['response__unit__building__number']}-{first['response__unit__number']}" \
                if first["response__unit__number"] else ""
            head = [unit, first["response__answered_on"], *head]
        yield [*head, *cells]


def results_workbook(survey: Survey) -> FileResponse:
    """The workbook as a download (see the module docstring)."""
    results = surveys.survey_results(survey)
    questions = list(survey.questions.order_by("number"))
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Results"))
    sheet.column_dimensions["A"].width = 48
    for row in _results_rows(survey, results):
        sheet.append(xlsx_row(sheet, row))
    answers = book.create_sheet(_("Answers"))
    head = [_("Given by")]
    if not survey.anonymous:
        head = [_("Unit"), _("Answered"), *head]
    answers.append([*head, *[f"{q.number}. {q.text}" for q in questions]])
    if results.visible:
        for row in _answer_rows(survey, questions):
            answers.append(xlsx_row(answers, row))
    output = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it once sent)
    book.save(output)
    output.seek(0)
    name = download_name(survey.project.name, survey.title, timezone.localdate().isoformat(), ext="xlsx")
    return attachment(FileResponse(output, content_type=XLSX), name)
