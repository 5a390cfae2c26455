"""Project scores (seed 004's district method): the annual score is exactly 60 % of the daily-check average + 40 % of
the year-end review, rounded once at the end; the quarterly ranking is deterministic; a project under 60 fails with
its open rectifications. Inspection rows are built directly with their scores (fixed dates, no items)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, localcontext
from zoneinfo import ZoneInfo

import pytest
from django.contrib.contenttypes.models import ContentType
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from wuye.quality import scores
from wuye.quality.models import Inspection, Rectification, Standard, StandardVersion
from wuye.tenancy.models import Project

YEAR = 2025
SHANGHAI = ZoneInfo("Asia/Shanghai")


def standard(company, code="score-daily", weight="1", purpose="daily"):
    found, _ = Standard.objects.get_or_create(company=company, code=code,
                                              defaults={"name": f"检查标准 {code}", "weight": Decimal(weight),
                                                        "purpose": purpose})
    return StandardVersion.objects.get_or_create(standard=found, number=1)[0]


def inspect(project, version, day: date, score, kind="daily", status="submitted"):
    return Inspection.objects.create(
        project=project, version=version, kind=kind, scheduled_for=day, status=status,
        score=None if score is None else Decimal(score),
        submitted_at=datetime(day.year, day.month, day.day, 16, 0, tzinfo=SHANGHAI) if status == "submitted" else None)


def rectify(inspection, title, status="open"):
    return Rectification.objects.create(
        project=inspection.project, source_type=ContentType.objects.get_for_model(Inspection),
        source_id=inspection.pk * 100 + Rectification.objects.count(), title=title, department="environment",
        status=status)


def row_for(rows, project):
    return next(row for row in rows if row.project.pk == project.pk)


def expected_annual(daily: list[Decimal], year_end: Decimal, weights=(60, 40)) -> Decimal:
    """The rule written out independently of the service: plain Decimal with ample precision, rounded at the end."""
    with localcontext() as context:
        context.prec = 60
        mean = sum(daily, Decimal(0)) / len(daily)
        exact = mean * weights[0] / 100 + year_end * weights[1] / 100
        return exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


# -- the annual score -----------------------------------------------------------------------------------------
@hypothesis_settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(daily=st.lists(st.tuples(st.integers(min_value=0, max_value=364),
                                st.decimals(min_value=0, max_value=100, places=2)), min_size=1, max_size=30),
       year_end=st.decimals(min_value=0, max_value=100, places=2))
def test_annual_score_is_exactly_60_percent_daily_plus_40_percent_year_end(world, daily, year_end):
    Inspection.objects.filter(project=world.project1).delete()
    version = standard(world.company)
    review = standard(world.company, "score-year-end", purpose="year_end")
    start = date(YEAR, 1, 1).toordinal()
    for offset, score in daily:
        inspect(world.project1, version, date.fromordinal(start + offset), score)
    inspect(world.project1, review, date(YEAR, 12, 20), year_end, kind="year_end")

    row = row_for(scores.annual_scores(world.company, YEAR), world.project1)

    assert row.annual == expected_annual([score for _, score in daily], year_end)
    assert row.year_end == year_end
    assert row.failing == (row.annual < 60)


def test_the_weights_come_from_the_settings_at_call_time_and_rounding_is_once_at_the_end(world, settings):
    version = standard(world.company)
    review = standard(world.company, "score-year-end", purpose="year_end")
    inspect(world.project1, version, date(YEAR, 3, 2), "85.00")
    inspect(world.project1, version, date(YEAR, 8, 9), "85.01")
    inspect(world.project1, review, date(YEAR, 12, 20), "50.00", kind="year_end")

    row = row_for(scores.annual_scores(world.company, YEAR), world.project1)
    # mean 85.005 is shown as 85.01 (half up), but the annual score uses 85.005: 51.003 + 20 = 71.003 → 71.00
    # (from the rounded mean it would have been 71.01).
    assert (row.daily_average, row.year_end, row.annual) == (Decimal("85.01"), Decimal("50.00"), Decimal("71.00"))

    settings.WUYE_QUALITY_DAILY_WEIGHT, settings.WUYE_QUALITY_YEAR_END_WEIGHT = 70, 30
    row = row_for(scores.annual_scores(world.company, YEAR), world.project1)
    assert row.annual == Decimal("74.50")  # 0.7 × 85.005 + 0.3 × 50 = 59.5035 + 15 = 74.5035


def test_only_the_company_checks_of_the_year_count_and_a_year_without_review_is_pending(world):
    version = standard(world.company)
    inspect(world.project1, version, date(YEAR, 2, 1), "90.00")
    inspect(world.project1, version, date(YEAR, 5, 1), "80.00", kind="special")
    inspect(world.project1, version, date(YEAR, 6, 1), "10.00", kind="self")  # the project's own check: not counted
    inspect(world.project1, version, date(YEAR, 7, 1), "0.00", status="in_progress")  # not submitted
    inspect(world.project1, version, date(YEAR, 7, 2), None, status="planned")
    inspect(world.project1, version, date(YEAR - 1, 12, 31), "20.00")  # last year
    inspect(world.project1, version, date(YEAR + 1, 1, 1), "20.00")  # next year

    row = row_for(scores.annual_scores(world.company, YEAR), world.project1)

    assert (row.daily_average, row.year_end, row.annual, row.pending, row.failing, row.rank) == (
        Decimal("85.00"), None, None, True, False, None)
    assert [(q.quarter, q.score) for q in row.quarters] == [
        (1, Decimal("90.00")), (2, Decimal("80.00")), (3, None), (4, None)]


def test_a_period_score_is_weighted_by_standard(world):
    heavy = standard(world.company, "score-heavy", weight="2")
    light = standard(world.company, "score-light", weight="1")
    inspect(world.project1, heavy, date(YEAR, 4, 1), "88.00")
    inspect(world.project1, heavy, date(YEAR, 4, 8), "92.00")  # mean 90
    inspect(world.project1, light, date(YEAR, 5, 1), "60.00")
    inspect(world.project1, light, date(YEAR, 7, 1), "10.00")  # outside the quarter

    assert scores.period_score(world.project1, date(YEAR, 4, 1), date(YEAR, 6, 30)) == Decimal("80.00")  # (180+60)/3
    assert scores.period_score(world.project1, date(YEAR, 1, 1), date(YEAR, 3, 31)) is None
    assert scores.period_score(world.project2, date(YEAR, 4, 1), date(YEAR, 6, 30)) is None


# -- ranking and failing --------------------------------------------------------------------------------------
def test_the_quarterly_ranking_is_deterministic_under_ties(world):
    third = Project.objects.create(company=world.company, code="aaa-court", name="安安苑")
    empty = Project.objects.create(company=world.company, code="bbb-court", name="宝宝苑")
    version = standard(world.company)
    inspect(world.project1, version, date(YEAR, 4, 10), "85.50")  # jinhua-garden
    inspect(world.project2, version, date(YEAR, 5, 10), "85.50")  # cuihu-bay: same score
    inspect(third, version, date(YEAR, 6, 10), "85.49")
    inspect(third, version, date(YEAR, 6, 11), "85.51")  # aaa-court: also 85.50

    for _ in range(3):
        ranking = scores.quarterly_ranking(world.company, YEAR, 2)
        assert [(r.rank, r.project.code, r.score) for r in ranking] == [
            (1, "aaa-court", Decimal("85.50")), (2, "cuihu-bay", Decimal("85.50")),
            (3, "jinhua-garden", Decimal("85.50")), (None, empty.code, None)]


def test_a_project_under_the_pass_mark_fails_and_lists_its_open_rectifications(world, settings):
    version = standard(world.company)
    review = standard(world.company, "score-year-end", purpose="year_end")
    low = inspect(world.project2, version, date(YEAR, 8, 3), "58.00")
    inspect(world.project2, version, date(YEAR, 9, 3), "61.97")  # Q3: 59.985 → 59.99: fails
    inspect(world.project1, version, date(YEAR, 8, 3), "60.00")  # exactly the mark: passes
    inspect(world.project2, review, date(YEAR, 12, 15), "55.00", kind="year_end")
    inspect(world.project1, review, date(YEAR, 12, 15), "95.00", kind="year_end")
    rectify(low, "垃圾桶满溢未清运")
    rectify(low, "消防通道堆放杂物")
    rectify(low, "绿化带枯枝未修剪", status="submitted")
    rectify(low, "电梯轿厢广告未清理", status="closed")

    ranking = scores.quarterly_ranking(world.company, YEAR, 3)
    assert [(r.project.code, r.score, r.rank, r.failing, r.open_rectifications) for r in ranking] == [
        ("jinhua-garden", Decimal("60.00"), 1, False, 0), ("cuihu-bay", Decimal("59.99"), 2, True, 3)]

    rows = scores.annual_scores(world.company, YEAR)
    assert [(r.project.code, r.annual, r.rank, r.failing, r.open_rectifications) for r in rows] == [
        ("jinhua-garden", Decimal("74.00"), 1, False, 0),  # 0.6 × 60 + 0.4 × 95
        ("cuihu-bay", Decimal("57.99"), 2, True, 3)]  # 0.6 × 59.985 + 0.4 × 55 = 35.991 + 22

    settings.WUYE_QUALITY_PASS_MARK = 55
    assert not row_for(scores.annual_scores(world.company, YEAR), world.project2).failing


def test_the_published_score_decides_failing(world):
    version = standard(world.company)
    inspect(world.project2, version, date(YEAR, 8, 3), "58.00")
    inspect(world.project2, version, date(YEAR, 9, 3), "61.99")  # 59.995 is published as 60.00: passes

    [ranked, _unscored] = scores.quarterly_ranking(world.company, YEAR, 3)
    assert (ranked.project.code, ranked.score, ranked.failing) == ("cuihu-bay", Decimal("60.00"), False)


def test_history_gives_each_past_year_and_quarter(world):
    version = standard(world.company)
    review = standard(world.company, "score-year-end", purpose="year_end")
    inspect(world.project1, version, date(2024, 2, 1), "70.00")
    inspect(world.project1, review, date(2024, 12, 20), "80.00", kind="year_end")
    inspect(world.project1, version, date(2025, 11, 1), "90.00")
    inspect(world.project2, version, date(2025, 11, 2), "95.00")

    history = scores.score_history(world.project1, years=3, until=2025)

    assert [(h.year, h.daily_average, h.year_end, h.annual) for h in history] == [
        (2023, None, None, None), (2024, Decimal("70.00"), Decimal("80.00"), Decimal("74.00")),
        (2025, Decimal("90.00"), None, None)]
    assert [(q.quarter, q.score, q.rank) for q in history[2].quarters] == [
        (1, None, None), (2, None, None), (3, None, None), (4, Decimal("90.00"), 2)]


@pytest.mark.parametrize("year", [1999, 2101])
def test_a_year_out_of_bounds_is_refused_naming_year(world, year):
    from wuye.core.errors import InvalidInput

    with pytest.raises(InvalidInput) as refused:
        scores.annual_scores(world.company, year)
    assert refused.value.problems[0].field == "year"


# -- the API --------------------------------------------------------------------------------------------------
@pytest.fixture
def scored(world):
    version = standard(world.company)
    review = standard(world.company, "score-year-end", purpose="year_end")
    low = inspect(world.project2, version, date(YEAR, 2, 3), "50.00")
    inspect(world.project2, version, date(YEAR, 5, 3), "70.00")
    inspect(world.project1, version, date(YEAR, 2, 4), "90.00")
    inspect(world.project1, version, date(YEAR, 5, 4), "80.00")
    inspect(world.project1, review, date(YEAR, 12, 15), "85.00", kind="year_end")
    rectify(low, "楼道照明损坏未修复")
    return world


def test_the_api_gives_each_visible_project_its_year(scored, api):
    body = api("pinzhi").get("/api/v1/reports/project-scores", year=YEAR).json()

    assert (body["year"], body["quarter"], body["daily_weight"], body["year_end_weight"], body["pass_mark"]) == (
        YEAR, None, 60, 40, "60")
    assert body["items"] == [
        {"project_id": scored.project1.pk, "project": "锦华苑", "daily_average": "85.00", "year_end": "85.00",
         "annual": "85.00", "pending": False, "rank": 1, "failing": False, "open_rectifications": 0,
         "quarters": [{"quarter": 1, "score": "90.00", "rank": 1, "failing": False},
                      {"quarter": 2, "score": "80.00", "rank": 1, "failing": False},
                      {"quarter": 3, "score": None, "rank": None, "failing": False},
                      {"quarter": 4, "score": None, "rank": None, "failing": False}]},
        {"project_id": scored.project2.pk, "project": "翠湖湾", "daily_average": "60.00", "year_end": None,
         "annual": None, "pending": True, "rank": None, "failing": False, "open_rectifications": 1,
         "quarters": [{"quarter": 1, "score": "50.00", "rank": 2, "failing": True},
                      {"quarter": 2, "score": "70.00", "rank": 2, "failing": False},
                      {"quarter": 3, "score": None, "rank": None, "failing": False},
                      {"quarter": 4, "score": None, "rank": None, "failing": False}]},
    ]

    quarter = api("pinzhi").get("/api/v1/reports/project-scores", year=YEAR, quarter=1).json()
    assert [(i["project"], i["rank"], i["failing"]) for i in quarter["items"]] == [
        ("锦华苑", 1, False), ("翠湖湾", 2, True)]
    only = api("pinzhi").get("/api/v1/reports/project-scores", year=YEAR, project=scored.project2.pk).json()
    assert [i["project"] for i in only["items"]] == ["翠湖湾"]


def test_the_api_answers_each_role_within_its_scope(scored, api):
    path = "/api/v1/reports/project-scores"
    manager = api("jingli")
    assert [i["project"] for i in manager.get(path, year=YEAR).json()["items"]] == ["锦华苑"]
    assert manager.get(path, year=YEAR, quarter=1).json()["items"][0]["rank"] == 1  # rank among the company's
    assert manager.get(path, year=YEAR, project=scored.project2.pk).status_code == 404
    # The front desk (project 2's kefu2 too) and owners do not read the score report at all.
    for username in ("kefu2", "kefu", "gongcheng", "yezhu"):
        assert api(username).get(path, year=YEAR).status_code == 403, username


@pytest.mark.parametrize("query,field", [({"year": 1999}, "year"), ({"year": 2101}, "year"), ({"year": "abc"}, "year"),
                                         ({}, "year"), ({"year": YEAR, "quarter": 5}, "quarter"),
                                         ({"year": YEAR, "quarter": 0}, "quarter")])
def test_the_api_refuses_bad_input_naming_the_field(scored, api, query, field):
    response = api("pinzhi").get("/api/v1/reports/project-scores", **query)
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == [field]


# -- the console ----------------------------------------------------------------------------------------------
def test_the_scores_page_marks_failing_projects_and_links_their_history(scored, login):
    page = login("pinzhi").get("/console/quality/scores/", {"year": YEAR, "quarter": 1})
    text = page.content.decode()

    assert page.status_code == 200
    ranking = text.split('class="card score-ranking"')[1].split("</section>")[0]
    assert ranking.index("锦华苑") < ranking.index("翠湖湾")
    failing_row = ranking.split('class="row-due-breached"')[1].split("</tr>")[0]
    assert "翠湖湾" in failing_row and "50.00" in failing_row and "badge-red" in failing_row
    assert f'href="/console/quality/rectifications/?project={scored.project2.pk}">1</a>' in failing_row
    assert "<svg" in ranking  # the bar chart
    annual = text.split('class="card score-annual"')[1].split("</section>")[0]
    assert "85.00" in annual and f"/console/quality/scores/{scored.project2.pk}/" in annual

    assert login("jingli").get("/console/quality/scores/", {"year": YEAR}).content.decode().count("翠湖湾") == 0
    assert login("kefu2").get("/console/quality/scores/").status_code == 403
    bad = login("pinzhi").get("/console/quality/scores/", {"year": "1999"})
    assert bad.status_code == 200 and "flash-error" in bad.content.decode()


def test_the_history_page_shows_the_years_and_a_chart(scored, login):
    browser = login("jingli")
    page = browser.get(f"/console/quality/scores/{scored.project1.pk}/", {"year": YEAR})
    text = page.content.decode()

    assert page.status_code == 200
    assert "<svg" in text and "<polyline" in text
    row = text.split("<td>2025</td>")[1].split("</tr>")[0]
    assert "90.00" in row and "80.00" in row and "85.00" in row
    assert "<td>2021</td>" in text and "<td>2026</td>" not in text  # five years up to 2025
    assert browser.get(f"/console/quality/scores/{scored.project2.pk}/").status_code == 404
