"""The survey side of `make bench`: the results of one satisfaction survey with 50,000 responses, timed in-process.

    python -m bench.quality_surveys prepare   # the bench project's survey, its invitations, responses and answers
    python -m bench.quality_surveys measure   # time wuye.quality.surveys.survey_results over it (median)

`bench.run` starts these with its environment (bench.settings, the bench database) after the bench project exists.
Progress goes to stderr; the last line on stdout is one JSON object with the results.

The survey (a closed, named questionnaire of nine questions: seven 1–5 scales over the dimensions, one multiple
choice, one open answer) is addressed to every unit of the bench project; BENCH_SURVEY_RESPONSES of them (default
50,000, at most the project's units) answered, each every scale question, two in five the multiple choice and one
in ten the open question. Written with INSERT … SELECT (bench.schema), not through the services: a seed is not a
user action. Scores lean to 4 (mean about 3.8), differing by dimension. Idempotent: a survey already holding its
responses is kept.

`measure` times `survey_results(survey)` BENCH_SURVEY_REPEATS times (default 5) after a warm-up and reports the
median as `survey.results.seconds` (goal < 0.5 s).
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from datetime import date

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
django.setup()

from django.db import connection, transaction  # noqa: E402

from bench.schema import insert_select  # noqa: E402
from wuye.quality import surveys  # noqa: E402
from wuye.quality.models import Answer, Question, Survey, SurveyInvitation, SurveyResponse  # noqa: E402
from wuye.tenancy.models import Project, Unit  # noqa: E402

PROJECT_CODE = "bench"
TITLE = "压测满意度调查"
DAY = date(2026, 11, 1)
QUESTIONS = [
    ("总体满意度", "scale", "overall"), ("服务态度", "scale", "attitude"), ("报修响应", "scale", "repair"),
    ("保洁绿化", "scale", "environment"), ("秩序维护", "scale", "security"), ("收费透明", "scale", "fees"),
    ("公共设施", "scale", "facilities"), ("优先改进", "multiple", "other"), ("意见建议", "text", "other"),
]
OPTIONS = ["保洁", "绿化", "安保", "停车", "维修", "电梯"]


def log(message: str) -> None:
    print(f"bench.quality_surveys: {message}", file=sys.stderr, flush=True)


def _project() -> Project:
    project = Project.objects.filter(code=PROJECT_CODE).order_by("id").first()
    if project is None:
        raise SystemExit("bench.quality_surveys: no bench project (run bench.tickets prepare first)")
    return project


def prepare() -> dict:
    project = _project()
    wanted = min(int(os.environ.get("BENCH_SURVEY_RESPONSES") or 50_000), Unit.objects.filter(project=project).count())
    survey = Survey.objects.filter(project=project, title=TITLE).first()
    if survey is not None and SurveyResponse.objects.filter(survey=survey).count() == wanted:
        return {"survey_id": survey.pk, "responses": wanted, "generated": False}
    started = time.monotonic()
    with transaction.atomic():
        if survey is not None:
            survey.delete()  # a different size asked for: generate again
        survey = Survey.objects.create(project=project, title=TITLE, status="closed", opens_on=DAY,
                                       closes_on=date(2026, 11, 30))
        Question.objects.bulk_create([
            Question(survey=survey, number=n, text=text, kind=kind, dimension=dimension,
                     options=OPTIONS if kind == "multiple" else [], required=kind == "scale")
            for n, (text, kind, dimension) in enumerate(QUESTIONS, start=1)])
        params = {"survey": survey.pk, "project": project.pk, "wanted": wanted, "day": DAY}
        with connection.cursor() as cursor:
            invited = insert_select(cursor, SurveyInvitation, {
                "survey_id": "%(survey)s", "unit_id": "u.id",
                "answered_on": "CASE WHEN u.rn <= %(wanted)s THEN %(day)s::date END"},
                "FROM (SELECT id, row_number() OVER (ORDER BY id) AS rn FROM tenancy_unit "
                "WHERE project_id = %(project)s) u", params)
            responses = insert_select(cursor, SurveyResponse, {
                "id": "gen_random_uuid()", "survey_id": "%(survey)s", "unit_id": "i.unit_id",
                "building_id": "u.building_id", "channel": "CASE WHEN i.id %% 3 = 0 THEN 'paper' ELSE 'phone' END",
                "answered_on": "%(day)s::date"},
                "FROM quality_surveyinvitation i JOIN tenancy_unit u ON u.id = i.unit_id "
                "WHERE i.survey_id = %(survey)s AND i.answered_on IS NOT NULL", params)
            # Scales: a per-dimension lean (question number) plus noise, clamped to 1–5.
            answers = insert_select(cursor, Answer, {
                "response_id": "r.id", "question_id": "q.id",
                "scale": "least(5, greatest(1, round(3.1 + (q.number %% 4) * 0.3 + random() * 1.6 - 0.3)))::int",
                "choices": "'[]'::jsonb", "text": "''"},
                "FROM quality_surveyresponse r JOIN quality_question q ON q.survey_id = r.survey_id "
                "WHERE r.survey_id = %(survey)s AND q.kind = 'scale'", params)
            answers += insert_select(cursor, Answer, {
                "response_id": "r.id", "question_id": "q.id",
                "choices": "jsonb_build_array((ARRAY['保洁','绿化','安保','停车','维修','电梯'])"
                           "[1 + floor(random() * 6)::int])", "text": "''"},
                "FROM quality_surveyresponse r JOIN quality_question q ON q.survey_id = r.survey_id "
                "WHERE r.survey_id = %(survey)s AND q.kind = 'multiple' AND random() < 0.4", params)
            answers += insert_select(cursor, Answer, {
                "response_id": "r.id", "question_id": "q.id", "choices": "'[]'::jsonb",
                "text": "(ARRAY['电梯经常出故障','地下车库灯光太暗','保安很负责','希望公示更详细'])"
                        "[1 + floor(random() * 4)::int]"},
                "FROM quality_surveyresponse r JOIN quality_question q ON q.survey_id = r.survey_id "
                "WHERE r.survey_id = %(survey)s AND q.kind = 'text' AND random() < 0.1", params)
    with connection.cursor() as cursor:  # statistics and the visibility map (index-only counts) for fresh rows
        for table in ("quality_surveyinvitation", "quality_surveyresponse", "quality_answer"):
            cursor.execute(f"VACUUM ANALYZE {table}")
    seconds = round(time.monotonic() - started, 1)
    log(f"survey {survey.pk}: {invited:,} households, {responses:,} responses, {answers:,} answers in {seconds} s")
    return {"survey_id": survey.pk, "invitations": invited, "responses": responses, "answers": answers,
            "generated": True, "generation_seconds": seconds}


def measure() -> dict:
    survey = Survey.objects.get(project=_project(), title=TITLE)
    repeats = int(os.environ.get("BENCH_SURVEY_REPEATS") or 5)
    results = surveys.survey_results(survey)  # warm-up
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        results = surveys.survey_results(survey)
        timings.append(time.perf_counter() - started)
    return {"seconds": round(statistics.median(timings), 4), "timings": [round(t, 4) for t in timings],
            "responses": results.answered, "addressed": results.addressed,
            "scale_answers": results.overall.count, "satisfied_pct": str(results.overall.satisfied_pct)}


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    if command not in ("prepare", "measure"):
        raise SystemExit("usage: python -m bench.quality_surveys prepare | measure")
    print(json.dumps(prepare() if command == "prepare" else measure()), flush=True)
