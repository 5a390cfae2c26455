"""Satisfaction surveys: a draft opened to the project's households (invitations, messages), one answer per
household (two at once: one accepted), validation naming the answer, anonymity through every face, results,
the satisfaction figure, the twice-a-year warning, scope, and the console and portal pages."""

from __future__ import annotations

import io
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.urls import reverse
from openpyxl import load_workbook

from wuye.core.errors import Conflict, InvalidInput
from wuye.core.models import Event, Notification
from wuye.people.access import actor_for
from wuye.people.models import Residency
from wuye.quality import surveys
from wuye.quality.models import Answer, SurveyInvitation, SurveyResponse, SurveyStatus
from wuye.tenancy.models import Unit

SHANGHAI = ZoneInfo("Asia/Shanghai")
OPENS = date(2026, 11, 2)
QUESTIONS = [
    {"text": "总体满意度", "kind": "scale", "dimension": "overall"},
    {"text": "客服人员服务态度", "kind": "scale", "dimension": "attitude"},
    {"text": "保洁绿化", "kind": "scale", "dimension": "environment"},
    {"text": "您希望优先改进哪些方面", "kind": "multiple", "dimension": "other", "options": ["保洁", "停车", "电梯"],
     "required": False},
    {"text": "其他意见", "kind": "text", "dimension": "other", "required": False},
]


def answers(overall=5, attitude=4, environment=3, choices=(), text=""):
    return [{"scale": overall}, {"scale": attitude}, {"scale": environment},
            {"choices": list(choices)} if choices else {}, {"text": text} if text else {}]


def households(project):
    return list(Unit.objects.filter(project=project, residencies__ended_on__isnull=True,
                                    residencies__relation__in=("owner", "co_owner")).distinct().order_by("id"))


@pytest.fixture
def jingli(world):
    return actor_for(world.user("jingli"))


def make_survey(world, actor, *, anonymous=False, open_on=OPENS, **fields):
    survey = surveys.create_survey(actor, project=world.project1, title="2026年秋季满意度调查",
                                   introduction="感谢您抽空填写。", anonymous=anonymous, opens_on=OPENS,
                                   closes_on=date(2026, 12, 31), questions=QUESTIONS, **fields)
    if open_on:
        surveys.open_survey(actor, survey, on=open_on)
    return survey


# -- opening ----------------------------------------------------------------------------------------------------
def test_opening_addresses_every_household_and_messages_the_owners(world, jingli):
    survey = make_survey(world, jingli)
    homes = households(world.project1)
    assert len(homes) == 10  # 12 flats, two unsold in the small demo world (1-301, 1-302)
    assert survey.status == SurveyStatus.OPEN
    assert set(SurveyInvitation.objects.filter(survey=survey).values_list("unit_id", flat=True)) == {
        u.pk for u in homes}
    message = Notification.objects.get(recipient=world.user("yezhu"), source_id=survey.pk)
    assert message.link == f"/h5/surveys/{survey.pk}/"
    assert "2026年秋季满意度调查" in message.subject_line
    assert Event.objects.filter(verb="survey.opened", subject_id=survey.pk).get().data == {
        "addressees": 10, "notified": 1}
    with pytest.raises(Conflict):
        surveys.update_survey(jingli, survey, title="改个名字")
    with pytest.raises(Conflict):
        surveys.open_survey(jingli, survey)


def test_buildings_and_repair_owners_audiences(world, jingli):
    building = world.project1.buildings.order_by("number").first()
    survey = make_survey(world, jingli, audience="buildings", buildings=[building.pk])
    assert SurveyInvitation.objects.filter(survey=survey).count() == 4
    assert not SurveyInvitation.objects.filter(survey=survey).exclude(unit__building=building).exists()

    unit = world.owner_unit("yezhu")
    ticket = world.ticket(world.project1, unit=unit)
    type(ticket).objects.filter(pk=ticket.pk).update(status="closed",
                                                     closed_at=datetime(2026, 10, 20, 10, tzinfo=SHANGHAI))
    old = world.ticket(world.project1, unit=households(world.project1)[5])
    type(old).objects.filter(pk=old.pk).update(status="closed", closed_at=datetime(2026, 9, 1, 10, tzinfo=SHANGHAI))
    repairs = make_survey(world, jingli, audience="repair_owners", repairs_closed_since=date(2026, 10, 1))
    assert list(SurveyInvitation.objects.filter(survey=repairs).values_list("unit_id", flat=True)) == [unit.pk]


def test_a_bad_draft_names_the_field_and_writes_nothing(world, jingli):
    bad = [*QUESTIONS[:3], {"text": "选一个", "kind": "single", "dimension": "other", "options": ["只有一个"]}]
    with pytest.raises(InvalidInput) as error:
        surveys.create_survey(jingli, project=world.project1, title="", questions=bad)
    assert [p.field for p in error.value.problems] == ["title", "questions[3].options"]
    assert not world.project1.surveys.exists()


# -- answering --------------------------------------------------------------------------------------------------
def test_owner_answers_once_through_the_api(world, jingli, api):
    survey = make_survey(world, jingli)
    owner = api("yezhu")
    listed = owner.get("/api/v1/surveys").json()["items"]
    assert [(s["id"], s["answered"]) for s in listed] == [(survey.pk, False)]
    response = owner.post(f"/api/v1/surveys/{survey.pk}/responses", {"answers": answers(text="电梯经常坏")})
    assert response.status_code == 201, response.content
    assert "id" not in response.json()
    again = owner.post(f"/api/v1/surveys/{survey.pk}/responses", {"answers": answers()})
    assert again.status_code == 422 and again.json()["errors"][0]["field"] == "unit_id"
    unit = world.owner_unit("yezhu")
    twice = owner.post(f"/api/v1/surveys/{survey.pk}/responses", {"unit_id": unit.pk, "answers": answers()})
    assert twice.status_code == 409
    assert [(s["id"], s["answered"]) for s in owner.get("/api/v1/surveys").json()["items"]] == [(survey.pk, True)]
    stored = SurveyResponse.objects.get(survey=survey)
    assert (stored.unit_id, stored.channel, stored.building_id) == (unit.pk, "portal", unit.building_id)
    assert SurveyInvitation.objects.get(survey=survey, unit=unit).answered_on is not None
    assert Answer.objects.filter(response=stored).count() == 4  # the multiple-choice question left out


def test_second_answer_for_a_household_is_a_conflict(world, jingli):
    survey = make_survey(world, jingli)
    kefu, unit = actor_for(world.user("kefu")), households(world.project1)[2]
    surveys.answer_survey(kefu, survey, unit=unit, answers=answers(), channel="phone", on=OPENS)
    with pytest.raises(Conflict):
        surveys.answer_survey(kefu, survey, unit=unit, answers=answers(1, 1, 1), channel="paper", on=OPENS)
    assert SurveyResponse.objects.filter(survey=survey).count() == 1
    assert Answer.objects.filter(response__survey=survey, scale=1).count() == 0


@pytest.mark.django_db(transaction=True)
def test_two_answers_at_once_one_is_accepted(world, jingli):
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writers; the race is exercised on PostgreSQL")
    import threading

    survey = make_survey(world, jingli)
    kefu, unit = actor_for(world.user("kefu")), households(world.project1)[3]
    outcomes, barrier = [], threading.Barrier(2)

    def answer(score):
        try:
            barrier.wait()
            surveys.answer_survey(kefu, survey, unit=unit, answers=answers(score, score, score), channel="phone")
            outcomes.append("accepted")
        except Conflict:
            outcomes.append("conflict")
        finally:
            connection.close()

    threads = [threading.Thread(target=answer, args=(score,)) for score in (5, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["accepted", "conflict"]
    assert SurveyResponse.objects.filter(survey=survey).count() == 1
    assert Answer.objects.filter(response__survey=survey).count() == 3


def test_bad_answers_name_the_answer_and_write_nothing(world, jingli, api):
    survey = make_survey(world, jingli)
    bad = answers()
    bad[2] = {"scale": 6}
    bad[3] = {"choices": ["游泳池"]}
    response = api("yezhu").post(f"/api/v1/surveys/{survey.pk}/responses", {"answers": bad})
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["answers[2].scale", "answers[3].choices"]
    missing = answers()
    missing[0] = {}
    response = api("yezhu").post(f"/api/v1/surveys/{survey.pk}/responses", {"answers": missing})
    assert [e["field"] for e in response.json()["errors"]] == ["answers[0].scale"]
    assert not SurveyResponse.objects.exists()
    assert not SurveyInvitation.objects.filter(answered_on__isnull=False).exists()


def test_staff_enter_phone_answers_owners_only_their_own(world, jingli):
    survey = make_survey(world, jingli)
    yezhu = actor_for(world.user("yezhu"))
    other = households(world.project1)[4]
    with pytest.raises(InvalidInput) as error:
        surveys.answer_survey(yezhu, survey, unit=other, answers=answers(), channel="portal")
    assert error.value.problems[0].field == "unit"
    with pytest.raises(InvalidInput) as error:
        surveys.answer_survey(actor_for(world.user("kefu")), survey, unit=other, answers=answers(), channel="portal")
    assert error.value.problems[0].field == "channel"


# -- anonymity --------------------------------------------------------------------------------------------------
def test_an_anonymous_answer_cannot_be_traced_to_its_household(world, jingli, api, login):
    survey = make_survey(world, jingli, anonymous=True)
    owner = api("yezhu")
    unit = world.owner_unit("yezhu")
    messages_before = Notification.objects.count()
    assert owner.post(f"/api/v1/surveys/{survey.pk}/responses",
                      {"answers": answers(2, 2, 2, text="物业费太贵")}).status_code == 201
    kefu = actor_for(world.user("kefu"))
    others = [home for home in households(world.project1) if home.building_id != unit.building_id]
    others.append(households(world.project1)[0])  # 1-101, a neighbour of yezhu's 1-102
    for home in others:
        surveys.answer_survey(kefu, survey, unit=home, answers=answers(4, 5, 4, text="挺好"), channel="paper")

    # The rows: no unit; the building only where the survey addresses at least 5 households of it: building 2
    # (6 households) kept, building 1 (4 households) not.
    responses = list(SurveyResponse.objects.filter(survey=survey))
    assert len(responses) == 8 and all(r.unit_id is None for r in responses)
    assert sorted(str(r.building) for r in responses) == ["2号楼"] * 6 + ["None"] * 2
    assert {r.answered_on for r in responses} == {OPENS}  # the opening day, not the day of answering
    # No event names a response, and the invitation's event says only "answered" (no actor, no channel).
    ids = {str(r.pk) for r in responses}
    for event in Event.objects.all():
        assert not ids & {str(v) for v in (event.data or {}).values()} and str(event.subject_id) not in ids
    answered = Event.objects.filter(verb="survey.answered")
    assert answered.count() == 8 and {(e.actor_id, tuple(e.data)) for e in answered} == {(None, ())}
    # No message about the answers: the outbox holds only the opening's message to yezhu.
    assert Notification.objects.count() == messages_before

    staff = api("jingli")
    # While open: the response rate only.
    results = staff.get(f"/api/v1/surveys/{survey.pk}/results").json()
    assert (results["visible"], results["answered"], results["addressed"], results["open_answers"]) == (
        False, 8, 10, [])
    surveys.close_survey(jingli, survey, on=date(2026, 11, 30))
    results = staff.get(f"/api/v1/surveys/{survey.pk}/results").json()
    assert results["visible"] and results["open_answer_count"] == 8
    assert {a["unit"] for a in results["open_answers"]} == {None}
    assert "物业费太贵" in {a["text"] for a in results["open_answers"]}
    # Building groups of at least 5 households only: building 2 (6); the 2 without a building hidden.
    assert [(b["building"], b["scores"]["count"]) for b in results["buildings"]] == [("2号楼", 6)]
    assert results["hidden_buildings"] == 1

    # The export: no household, building or date column.
    book = load_workbook(io.BytesIO(b"".join(login("jingli").get(
        reverse("quality:survey_export", args=[survey.pk])).streaming_content)))
    sheet = book.worksheets[1]
    header = [c.value for c in next(sheet.iter_rows(max_row=1))]
    assert len(header) == 1 + len(QUESTIONS)  # how it was given, then the answers: no household, building, date
    cells = {str(c.value) for row in sheet.iter_rows(min_row=2) for c in row}
    assert unit.label not in cells and f"{unit.building.number}-{unit.number}" not in cells

    # The pages: the results page and the admin show no household.
    page = login("jingli").get(reverse("quality:survey", args=[survey.pk])).content.decode()
    assert unit.label not in page and "物业费太贵" in page
    admin = login("admin")
    listing = admin.get(reverse("admin:quality_surveyresponse_changelist")).content.decode()
    detail = admin.get(reverse("admin:quality_surveyresponse_change", args=[responses[0].pk])).content.decode()
    for html in (listing, detail):
        assert ("匿名" in html or "Anonymous" in html) and unit.label not in html
        assert str(unit.building) not in html


# -- results ----------------------------------------------------------------------------------------------------
def test_results_by_dimension_building_and_question(world, jingli, api):
    survey = make_survey(world, jingli)
    kefu = actor_for(world.user("kefu"))
    homes = households(world.project1)
    given = [(5, 4, 2, ["保洁"], "电梯太旧"), (4, 4, 3, ["保洁", "停车"], ""), (3, 5, 1, [], ""),
             (2, 2, 4, ["停车"], "停车难")]
    for home, (o, a, e, c, t) in zip(homes, given, strict=False):
        surveys.answer_survey(kefu, survey, unit=home, answers=answers(o, a, e, c, t), channel="phone", on=OPENS)
    results = surveys.survey_results(survey)
    assert (results.addressed, results.answered, results.response_rate) == (10, 4, Decimal("40.0"))
    by_dimension = {d.dimension: (d.scores.count, d.scores.average, d.scores.satisfied_pct) for d in results.dimensions}
    assert by_dimension == {"overall": (4, Decimal("3.50"), Decimal("50.0")),
                            "attitude": (4, Decimal("3.75"), Decimal("75.0")),
                            "environment": (4, Decimal("2.50"), Decimal("25.0"))}
    assert results.questions[0].scores.distribution == {5: 1, 4: 1, 3: 1, 2: 1, 1: 0}
    assert results.questions[3].options == [("保洁", 2, Decimal("66.7")), ("停车", 2, Decimal("66.7")),
                                            ("电梯", 0, Decimal("0.0"))]
    assert sorted((a.text, a.unit) for a in results.open_answers) == [("停车难", "1-202"), ("电梯太旧", "1-101")]
    # A building's figure: its households' overall verdicts.
    assert [(str(b.building), b.scores.count, b.scores.average) for b in results.buildings] == [
        (str(homes[0].building), 4, Decimal("3.50"))]
    body = api("pinzhi").get(f"/api/v1/surveys/{survey.pk}/results").json()
    assert body["dimensions"][0]["scores"] == {"count": 4, "average": "3.50", "satisfied_pct": "50.0",
                                               "distribution": {"5": 1, "4": 1, "3": 1, "2": 1, "1": 0}}
    # The KPI's survey half: overall questions only (2 of 4 satisfied), in the days asked.
    assert surveys.satisfaction_figure([world.project1.pk], date(2026, 11, 1), date(2026, 11, 30)) == (2, 4)
    assert surveys.satisfaction_figure([world.project2.pk], date(2026, 11, 1), date(2026, 11, 30)) == (0, 0)
    assert surveys.satisfaction_figure(None, date(2026, 12, 1), date(2026, 12, 31)) == (0, 0)


def test_results_take_a_fixed_number_of_queries(world, jingli, django_assert_max_num_queries):
    survey = make_survey(world, jingli)
    kefu = actor_for(world.user("kefu"))
    for home in households(world.project1)[:8]:
        surveys.answer_survey(kefu, survey, unit=home, answers=answers(text="好"), channel="phone", on=OPENS)
    with django_assert_max_num_queries(7):
        results = surveys.survey_results(survey)
        [a.unit for a in results.open_answers]
    assert results.answered == 8


# -- the twice-a-year warning, scope ----------------------------------------------------------------------------
def test_projects_short_of_surveys(world, jingli, login, settings):
    pinzhi = actor_for(world.user("pinzhi"))
    today = date(2026, 12, 1)
    make_survey(world, jingli)
    assert [(p.pk, n) for p, n in surveys.projects_short_of_surveys(pinzhi, today)] == [
        (world.project1.pk, 1), (world.project2.pk, 0)]
    surveys.create_survey(jingli, project=world.project1, title="春季", opens_on=date(2026, 3, 1),
                          questions=QUESTIONS)  # a draft does not count
    spring = surveys.create_survey(jingli, project=world.project1, title="春季", questions=QUESTIONS)
    surveys.open_survey(jingli, spring, on=date(2026, 3, 2))
    assert [p.pk for p, _n in surveys.projects_short_of_surveys(pinzhi, today)] == [world.project2.pk]
    assert [p.pk for p, _n in surveys.projects_short_of_surveys(pinzhi, date(2027, 3, 2))] == [
        world.project1.pk, world.project2.pk]  # the spring one is 12 months old by then
    settings.WUYE_SURVEYS_PER_YEAR = 3
    assert len(surveys.projects_short_of_surveys(jingli, today)) == 1  # jingli: project 1 only, 2 < 3
    page = login("pinzhi").get(reverse("quality:surveys"))
    assert page.status_code == 200
    assert b"data-short-of-surveys" in page.content and "翠湖湾".encode() in page.content


def test_scope_owners_see_only_their_surveys_kefu2_nothing_of_project_1(world, jingli, api):
    survey = make_survey(world, jingli)
    assert api("kefu2").get(f"/api/v1/surveys/{survey.pk}").status_code == 404
    assert api("kefu2").get(f"/api/v1/surveys/{survey.pk}/results").status_code == 404
    assert api("kefu2").get("/api/v1/surveys").json() == {"items": [], "count": 0}
    assert api("yezhu2").get("/api/v1/surveys").json() == {"items": [], "count": 0}
    assert api("yezhu2").get(f"/api/v1/surveys/{survey.pk}").status_code == 404
    assert api("yezhu").get(f"/api/v1/surveys/{survey.pk}/results").status_code == 404
    assert [s["id"] for s in api("pinzhi").get("/api/v1/surveys").json()["items"]] == [survey.pk]
    draft = make_survey(world, jingli, open_on=None)
    assert api("yezhu").get(f"/api/v1/surveys/{draft.pk}").status_code == 404
    unit = households(world.project1)[1]
    response = api("kefu2").post(f"/api/v1/surveys/{survey.pk}/responses",
                                 {"unit_id": unit.pk, "channel": "phone", "answers": answers()})
    assert response.status_code == 404
    assert api("yezhu").post(f"/api/v1/surveys/{survey.pk}/open").status_code == 404


def test_api_create_open_answer_close(world, api):
    staff = api("jingli")
    created = staff.post("/api/v1/surveys", {"project_id": world.project1.pk, "title": "维修回访专项调查",
                                              "audience": "project", "questions": QUESTIONS})
    assert created.status_code == 201, created.content
    survey_id = created.json()["id"]
    assert [q["number"] for q in created.json()["questions"]] == [1, 2, 3, 4, 5]
    assert staff.post(f"/api/v1/surveys/{survey_id}/open").json()["status"] == "open"
    unit = households(world.project1)[6]
    entered = staff.post(f"/api/v1/surveys/{survey_id}/responses",
                         {"unit_id": unit.pk, "channel": "phone", "answers": answers()})
    assert entered.status_code == 201 and entered.json()["answered_count"] == 1
    listed = staff.get("/api/v1/surveys").json()["items"][0]
    assert (listed["answered_count"], listed["addressed"], listed["response_rate"]) == (1, 10, "10.0")
    assert staff.post(f"/api/v1/surveys/{survey_id}/close").json()["status"] == "closed"
    late = staff.post(f"/api/v1/surveys/{survey_id}/responses",
                      {"unit_id": households(world.project1)[7].pk, "channel": "phone", "answers": answers()})
    assert late.status_code == 409
    bad = staff.post("/api/v1/surveys", {"project_id": world.project1.pk, "title": "x", "questions": [
        {"text": "好吗", "kind": "scale", "dimension": "mood"}]})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "questions[0].dimension"
    assert api("huanjing").post("/api/v1/surveys", {"project_id": world.project1.pk, "title": "x",
                                                     "questions": QUESTIONS}).status_code == 403


# -- pages ------------------------------------------------------------------------------------------------------
def test_console_pages_editor_entry_and_results(world, login):
    browser = login("jingli")
    form = browser.get(reverse("quality:survey_new"))
    assert form.status_code == 200 and 'name="q-7-text"' in form.content.decode()  # 8 questions to start from
    data = {"project": world.project1.pk, "title": "冬季满意度调查", "audience": "project",
            "q-TOTAL_FORMS": "2", "q-INITIAL_FORMS": "0", "q-MIN_NUM_FORMS": "0", "q-MAX_NUM_FORMS": "40",
            "q-0-text": "总体满意度", "q-0-kind": "scale", "q-0-dimension": "overall", "q-0-required": "on",
            "q-1-text": "建议", "q-1-kind": "text", "q-1-dimension": "other"}
    saved = browser.post(reverse("quality:survey_new"), data)
    assert saved.status_code == 302
    survey = world.project1.surveys.get()
    assert list(survey.questions.values_list("kind", flat=True)) == ["scale", "text"]
    assert browser.post(reverse("quality:survey_action", args=[survey.pk, "open"])).status_code == 302
    survey.refresh_from_db()
    assert survey.status == "open"
    unit = households(world.project1)[2]
    entry = reverse("quality:survey_entry", args=[survey.pk])
    assert browser.get(entry).status_code == 200
    wrong = browser.post(entry, {"channel": "paper", "building": unit.building_id, "room": "9-999", "q1": "5"})
    assert wrong.status_code == 422 and not SurveyResponse.objects.exists()
    done = browser.post(entry, {"channel": "paper", "building": unit.building_id, "room": unit.number, "q1": "4",
                                "q2": "绿化不错"})
    assert done.status_code == 302
    assert SurveyResponse.objects.get(survey=survey).unit_id == unit.pk
    again = browser.post(entry, {"channel": "phone", "building": unit.building_id, "room": unit.label, "q1": "1"})
    assert again.status_code == 409 and SurveyResponse.objects.filter(survey=survey).count() == 1
    page = browser.get(reverse("quality:survey", args=[survey.pk]))
    assert page.status_code == 200 and "<svg" in page.content.decode() and "绿化不错" in page.content.decode()
    listing = browser.get(reverse("quality:surveys")).content.decode()
    assert "冬季满意度调查" in listing and "10.0%" in listing
    assert login("huanjing").get(reverse("quality:survey_new")).status_code == 403


def test_owner_portal_list_questionnaire_and_thanks(world, jingli, login):
    survey = make_survey(world, jingli, open_on=None)
    surveys.open_survey(jingli, survey)
    browser = login("yezhu")
    listing = browser.get(reverse("quality:h5_surveys"))
    assert listing.status_code == 200 and "2026年秋季满意度调查" in listing.content.decode()
    form = browser.get(reverse("quality:h5_survey", args=[survey.pk]))
    assert form.status_code == 200 and "非常满意" in form.content.decode()
    missing = browser.post(reverse("quality:h5_survey", args=[survey.pk]), {"q1": "5"})
    assert missing.status_code == 422
    sent = browser.post(reverse("quality:h5_survey", args=[survey.pk]), {"q1": "5", "q2": "4", "q3": "4",
                                                                         "q4": ["保洁", "电梯"], "q5": "谢谢"})
    assert sent.status_code == 302 and sent["Location"].endswith("/thanks/")
    assert Answer.objects.get(response__survey=survey, question__number=4).choices == ["保洁", "电梯"]
    assert browser.get(reverse("quality:h5_survey", args=[survey.pk])).status_code == 302  # answered: thanks
    assert login("yezhu2").get(reverse("quality:h5_survey", args=[survey.pk])).status_code == 404


def test_owner_without_a_home_in_the_audience_sees_nothing(world, jingli):
    building = world.project1.buildings.order_by("number").last()
    make_survey(world, jingli, audience="buildings", buildings=[building.pk])
    yezhu = actor_for(world.user("yezhu"))
    assert world.owner_unit("yezhu").building_id != building.pk
    assert list(surveys.owner_surveys(yezhu)) == []
    assert Residency.objects.current().filter(resident__user__username="yezhu").exists()


def test_the_hourly_job_closes_surveys_past_their_closing_day_once(world, jingli):
    survey = make_survey(world, jingli)  # closes 2026-12-31
    assert surveys.close_finished_surveys(date(2026, 12, 31)) == []
    assert [s.pk for s in surveys.close_finished_surveys(date(2027, 1, 1))] == [survey.pk]
    assert surveys.close_finished_surveys(date(2027, 1, 2)) == []
    survey.refresh_from_db()
    assert survey.status == SurveyStatus.CLOSED
    assert Event.objects.get(verb="survey.closed", subject_id=survey.pk).data == {"answered": 0, "addressees": 10}
