"""KPIs (§6): one test per KPI — a small fixture with fixed dates in October 2026, the value equal to a hand count,
and the drill-down listing exactly the records counted (ids, and which are in the numerator). Then the company
figure (pooled), targets (project → company → default), status, scope, the API and the console pages."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.contrib.contenttypes.models import ContentType
from django.http import Http404
from django.utils.translation import gettext as _

from wuye.core.kpis import Chain, Figure
from wuye.core.models import Event
from wuye.people.access import actor_for
from wuye.quality import kpis
from wuye.quality.models import (
    Answer,
    Dimension,
    KpiTarget,
    Question,
    Rectification,
    RectificationStatus,
    Survey,
    SurveyResponse,
    SurveyStatus,
)
from wuye.sla.engine import policy_for
from wuye.sla.models import Clock, ClockState
from wuye.tenancy.models import Unit
from wuye.workorders.models import Kind, Status, Ticket

SH = ZoneInfo("Asia/Shanghai")
OCT = date(2026, 10, 1)
SEP = date(2026, 9, 1)


def at(month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=SH)


def ticket(project, *, kind=Kind.REPAIR, created=None, status=Status.NEW, closed=None, unit=None, **fields):
    unit = unit or Unit.objects.filter(project=project).order_by("id").first()
    return Ticket.objects.create(project=project, kind=kind, channel="phone", description="厨房水龙头漏水",
                                 unit=unit, created_at=created or at(10, 3), status=status, closed_at=closed,
                                 **fields)


def clock(subject, key, state, stopped):
    start = stopped - timedelta(hours=1)
    return Clock.objects.create(
        subject_type=ContentType.objects.get_for_model(subject), subject_id=subject.pk, project=subject.project,
        policy=policy_for(subject.project, key), key=key, state=state, started_at=start, due_at=start,
        warn_at=start, stopped_at=stopped if state != ClockState.RUNNING else None,
        breached_at=stopped if state == ClockState.BREACHED else None)


def figure_and_drill(world, code, project, month=OCT, months=1, username="pinzhi"):
    """(the row of the report, {record id: counted in the numerator} of the whole drill-down)."""
    row, rows = figure_and_rows(world, code, project, month, months, username)
    return row, {r.id: r.counted for r in rows}


def figure_and_rows(world, code, project, month=OCT, months=1, username="pinzhi"):
    actor = actor_for(world.user(username))
    row = kpis.kpi_figure(actor, code=code, project=project, month=month, months=months)
    records = kpis.kpi_records(actor, code=code, project=project, month=month, months=months)
    rows = kpis.describe_records(code, list(records))
    assert len(rows) == records.count()
    return row, rows


def dispatch_fixture(world):
    p1 = world.project1
    t1, t2, t3, t4, t5, t6, t7 = (ticket(p1) for _ in range(7))
    clock(t1, "repair.general.dispatch", ClockState.MET, at(10, 5))
    clock(t2, "repair.emergency.dispatch", ClockState.MET, at(10, 31, 23, 30))  # 23:30 in Shanghai: October
    clock(t3, "repair.general.dispatch", ClockState.BREACHED, at(10, 20))
    clock(t4, "repair.general.dispatch", ClockState.MET, at(9, 30))  # September
    clock(t5, "repair.general.dispatch", ClockState.CANCELLED, at(10, 6))  # reopened/cancelled: not decided
    clock(t6, "repair.general.dispatch", ClockState.RUNNING, at(10, 7))  # still running
    clock(t7, "repair.general.arrive", ClockState.MET, at(10, 8))  # another KPI's clock
    clock(ticket(p1), "repair.general.dispatch", ClockState.BREACHED, at(11, 1, 0, 10))  # November (Shanghai)
    other = ticket(world.project2)
    clock(other, "repair.general.dispatch", ClockState.MET, at(10, 9))
    return t1, t2, t3, other


def test_dispatch_on_time_counts_the_clocks_decided_in_the_month(world):
    t1, t2, t3, _other = dispatch_fixture(world)
    row, drill = figure_and_drill(world, "dispatch_on_time", world.project1)
    assert (row.numerator, row.denominator, row.value) == (2, 3, Decimal("66.67"))
    assert drill == {t1.pk: True, t2.pk: True, t3.pk: False}
    assert row.previous == Decimal("100.00")  # September: t4 met
    assert row.unit == "percent" and row.target == Decimal(95) and row.status == "red"


def test_arrival_on_time(world):
    p1 = world.project1
    a, b, c = ticket(p1), ticket(p1), ticket(p1)
    clock(a, "repair.emergency.arrive", ClockState.MET, at(10, 2))
    clock(b, "repair.general.arrive", ClockState.BREACHED, at(10, 12))
    clock(c, "repair.general.complete", ClockState.BREACHED, at(10, 12))
    row, drill = figure_and_drill(world, "arrival_on_time", p1)
    assert (row.numerator, row.denominator, row.value) == (1, 2, Decimal("50.00"))
    assert drill == {a.pk: True, b.pk: False}


def test_completion_on_time(world):
    p1 = world.project1
    done = [ticket(p1) for _ in range(4)]
    for t, state in zip(done, (ClockState.MET, ClockState.MET, ClockState.MET, ClockState.BREACHED), strict=True):
        clock(t, "repair.general.complete", state, at(10, 15))
    clock(ticket(p1), "repair.general.complete", ClockState.MET, at(11, 2))
    row, drill = figure_and_drill(world, "completion_on_time", p1)
    assert (row.numerator, row.denominator, row.value) == (3, 4, Decimal("75.00"))
    assert drill == {done[0].pk: True, done[1].pk: True, done[2].pk: True, done[3].pk: False}


def test_complaints_handled_on_time(world):
    p1 = world.project1
    urgent, general, important = (ticket(p1, kind=Kind.COMPLAINT) for _ in range(3))
    clock(urgent, "complaint.urgent.handle", ClockState.MET, at(10, 4))
    clock(general, "complaint.general.handle", ClockState.BREACHED, at(10, 5))
    clock(important, "complaint.important.handle", ClockState.MET, at(10, 6))
    clock(important, "complaint.reply", ClockState.BREACHED, at(10, 7))  # replying is not handling
    row, drill = figure_and_drill(world, "complaints_on_time", p1)
    assert (row.numerator, row.denominator, row.value) == (2, 3, Decimal("66.67"))
    assert drill == {urgent.pk: True, general.pk: False, important.pk: True}


def test_first_time_fix(world):
    p1 = world.project1
    closed = {"status": Status.CLOSED, "closed": at(10, 10)}
    clean, reopened, repeated, part = (ticket(p1, **closed) for _ in range(4))
    Event.objects.create(subject_type=ContentType.objects.get_for_model(Ticket), subject_id=reopened.pk,
                         project_id=p1.pk, verb="ticket.reopen", data={"reason": "仍然漏水"})
    ticket(p1, created=at(11, 3), repeat_of=repeated)  # the same fault again: not fixed the first time
    ticket(p1, created=at(11, 4), repeat_of=part, repeat_reason="part_quality")  # the part's fault, not the work
    ticket(p1, created=at(11, 5), repeat_of=clean, status=Status.CANCELLED)  # a cancelled report is no repeat
    ticket(p1, status=Status.CLOSED, closed=at(11, 1, 9))  # closed in November
    ticket(p1, kind=Kind.COMPLAINT, status=Status.CLOSED, closed=at(10, 11))  # not a repair
    row, drill = figure_and_drill(world, "first_time_fix", p1)
    assert (row.numerator, row.denominator, row.value) == (2, 4, Decimal("50.00"))
    assert drill == {clean.pk: True, reopened.pk: False, repeated.pk: False, part.pk: True}


def test_repeat_repairs_rate_lower_is_better(world):
    p1 = world.project1
    first = ticket(p1, created=at(10, 2))
    repeat = ticket(p1, created=at(10, 9), repeat_of=first)
    excused = ticket(p1, created=at(10, 12), repeat_of=first, repeat_reason="part_quality")
    ticket(p1, created=at(10, 14), repeat_of=first, status=Status.CANCELLED)
    ticket(p1, kind=Kind.COMPLAINT, created=at(10, 14))
    row, drill = figure_and_drill(world, "repeat_repairs", p1)
    assert (row.numerator, row.denominator, row.value) == (1, 3, Decimal("33.33"))
    assert drill == {first.pk: False, repeat.pk: True, excused.pk: False}
    assert row.higher_is_better is False and row.target == Decimal(5) and row.status == "red"


def test_return_visit_coverage(world):
    p1 = world.project1
    closed = {"status": Status.CLOSED, "closed": at(10, 20)}
    visited, rated, missed = ticket(p1, satisfaction=4, **closed), ticket(p1, satisfaction=2, **closed), \
        ticket(p1, **closed)
    ticket(p1, status=Status.COMPLETED)  # not closed yet
    row, drill = figure_and_drill(world, "return_visits", p1)
    assert (row.numerator, row.denominator, row.value) == (2, 3, Decimal("66.67"))
    assert drill == {visited.pk: True, rated.pk: True, missed.pk: False}


def test_complaints_per_100_households(world):
    p1 = world.project1
    assert Unit.objects.filter(project=p1).count() == 12
    complaints = [ticket(p1, kind=Kind.COMPLAINT, created=at(10, day)) for day in (3, 13, 23)]
    ticket(p1, kind=Kind.COMPLAINT, created=at(10, 24), status=Status.CANCELLED)
    ticket(p1, kind=Kind.COMPLAINT, created=at(9, 24))
    ticket(p1, created=at(10, 24))  # a repair
    row, drill = figure_and_drill(world, "complaint_rate", p1)
    assert (row.numerator, row.denominator, row.value) == (3, 12, Decimal("25.00"))  # 3 / 12 × 100
    assert drill == {c.pk: True for c in complaints}
    assert row.unit == "per_100_households" and row.higher_is_better is False


def _survey(project, *, anonymous=False, status=SurveyStatus.OPEN):
    survey = Survey.objects.create(project=project, title="2026年下半年满意度调查", status=status,
                                   anonymous=anonymous, opens_on=date(2026, 10, 1))
    overall = Question.objects.create(survey=survey, number=1, text="总体满意度", dimension=Dimension.OVERALL)
    attitude = Question.objects.create(survey=survey, number=2, text="服务态度", dimension=Dimension.ATTITUDE)
    return survey, overall, attitude


def test_satisfaction_pools_repair_ratings_and_survey_answers(world):
    from wuye.quality.surveys import satisfaction_figure

    p1 = world.project1
    units = list(Unit.objects.filter(project=p1).order_by("id"))
    closed = {"status": Status.CLOSED, "closed": at(10, 8)}
    happy, pleased, unhappy = (ticket(p1, satisfaction=score, **closed) for score in (5, 4, 2))
    ticket(p1, **closed)  # not rated: no rating to count
    survey, overall, attitude = _survey(p1)
    answers = {}
    for unit, score, day in ((units[0], 5, date(2026, 10, 10)), (units[1], 3, date(2026, 10, 31)),
                             (units[2], 5, date(2026, 11, 1))):
        response = SurveyResponse.objects.create(survey=survey, unit=unit, channel="phone", answered_on=day)
        answers[unit.pk] = Answer.objects.create(response=response, question=overall, scale=score)
        Answer.objects.create(response=response, question=attitude, scale=1)  # a dimension, not the verdict
    anonymous, anon_overall, _attitude = _survey(p1, anonymous=True)  # open and anonymous: counted once closed
    response = SurveyResponse.objects.create(survey=anonymous, channel="paper", answered_on=date(2026, 10, 12))
    Answer.objects.create(response=response, question=anon_overall, scale=5)

    row, rows = figure_and_rows(world, "satisfaction", p1)
    # ratings 5, 4 of (5, 4, 2) satisfied; survey answers 5 of (5, 3): 3 of 5
    assert (row.numerator, row.denominator, row.value) == (3, 5, Decimal("60.00"))
    repair, answer = str(Kind.REPAIR.label), str(_("Survey answer"))
    assert [(r.kind, r.id, r.counted) for r in rows] == [
        (repair, happy.pk, True), (repair, pleased.pk, True), (repair, unhappy.pk, False),
        (answer, answers[units[0].pk].pk, True), (answer, answers[units[1].pk].pk, False)]
    # the drill-down's survey half is exactly what surveys.satisfaction_figure counts
    assert satisfaction_figure([p1.pk], OCT, date(2026, 10, 31)) == (1, 2)


def test_collection_rate_sums_the_billing_report(world):
    from wuye.billing.models import Bill
    from wuye.billing.reports import collection_rate

    p1 = world.project1
    units = list(Unit.objects.filter(project=p1).order_by("id"))
    paid, open_bill, written = (world.bill(units[i], amount, period=OCT) for i, amount in
                                enumerate(("300.00", "200.00", "100.00")))
    world.bill(units[3], "500.00", period=SEP)
    Bill.objects.filter(pk=paid.pk).update(paid=Decimal("300.00"))
    Bill.objects.filter(pk=written.pk).update(written_off=Decimal("100.00"))
    row, drill = figure_and_drill(world, "collection_rate", p1)
    assert (row.numerator, row.denominator, row.value) == (Decimal("300.00"), Decimal("500.00"), Decimal("60.00"))
    assert row.value == collection_rate(None, p1, [OCT])[0].rate  # one formula
    assert drill == {paid.pk: True, open_bill.pk: False, written.pk: False}
    # The drill-down links each bill to its unit's account — for those who read accounts; engineering reads the KPI
    # table but no account, so its rows carry no link (a link never leads to a refusal).
    records = list(kpis.kpi_records(actor_for(world.user("caiwu")), code="collection_rate", project=p1, month=OCT))
    assert all(row.link for row in kpis.describe_records("collection_rate", records, actor_for(world.user("caiwu"))))
    engineer = actor_for(world.user("gongcheng"))
    assert not any(row.link for row in kpis.describe_records("collection_rate", records, engineer))


def _rectification(world, *, status=RectificationStatus.CLOSED, closed=None):
    source = ticket(world.project1, kind=Kind.COMPLAINT)
    return Rectification.objects.create(
        project=world.project1, source_type=ContentType.objects.get_for_model(Ticket), source_id=source.pk,
        title="电梯厅地面有污渍", department="environment", status=status, closed_at=closed, opened_at=at(10, 1))


def test_rectifications_closed_on_time(world):
    on_time = _rectification(world, closed=at(10, 9))
    clock(on_time, "rectification.minor", ClockState.MET, at(10, 3))
    sent_back = _rectification(world, closed=at(10, 19))
    clock(sent_back, "rectification.minor", ClockState.BREACHED, at(10, 5))  # late the first time
    clock(sent_back, "rectification.minor", ClockState.MET, at(10, 15))
    _rectification(world, closed=at(11, 2))
    _rectification(world, status=RectificationStatus.OPEN)
    row, drill = figure_and_drill(world, "rectifications_on_time", world.project1)
    assert (row.numerator, row.denominator, row.value) == (1, 2, Decimal("50.00"))
    assert drill == {on_time.pk: True, sent_back.pk: False}


@pytest.mark.parametrize("code", ["maintenance_plan_completion", "patrol_completion"])
def test_maintenance_and_patrol_completion_are_counted_by_their_apps(world, code):
    actor = actor_for(world.user("pinzhi"))
    row = kpis.kpi_figure(actor, code=code, project=world.project1, month=OCT)
    assert row.available  # registered by facilities / security with their records, no placeholder left


# -- pooled figures, targets, status, trend -----------------------------------------------------------------------

def test_company_figure_pools_numerators_and_denominators(world):
    dispatch_fixture(world)
    actor = actor_for(world.user("pinzhi"))
    row = kpis.kpi_figure(actor, code="dispatch_on_time", month=OCT)
    # project 1: 2 of 3, project 2: 1 of 1 → 3 of 4 = 75 % (not the mean of 66.67 % and 100 %)
    assert (row.numerator, row.denominator, row.value) == (3, 4, Decimal("75.00"))
    trailing = kpis.kpi_figure(actor, code="dispatch_on_time", project=world.project1, month=OCT, months=12)
    assert (trailing.numerator, trailing.denominator) == (3, 4)  # September's met clock joins


def test_targets_resolve_project_then_company_then_default(world):
    dispatch_fixture(world)
    actor = actor_for(world.user("pinzhi"))
    KpiTarget.objects.create(company=world.company, code="dispatch_on_time", target=Decimal("60"))
    KpiTarget.objects.create(company=world.company, project=world.project1, code="dispatch_on_time",
                             target=Decimal("70"))
    p1 = kpis.kpi_figure(actor, code="dispatch_on_time", project=world.project1, month=OCT)
    p2 = kpis.kpi_figure(actor, code="dispatch_on_time", project=world.project2, month=OCT)
    company = kpis.kpi_figure(actor, code="dispatch_on_time", month=OCT)
    other = kpis.kpi_figure(actor, code="completion_on_time", project=world.project1, month=OCT)
    assert (p1.target, p2.target, company.target, other.target) == (70, 60, 60, 90)
    assert p1.status == "amber"  # 66.67 is 3.33 points short of 70
    assert (p2.status, company.status) == ("green", "green")
    assert other.status == "na"  # nothing to count


def test_status_rules():
    from wuye.core.kpis import get_kpi

    dispatch, repeats = get_kpi("dispatch_on_time"), get_kpi("repeat_repairs")
    assert kpis.status_of(dispatch, Decimal("95"), Decimal("95")) == "green"
    assert kpis.status_of(dispatch, Decimal("90"), Decimal("95")) == "amber"
    assert kpis.status_of(dispatch, Decimal("89.99"), Decimal("95")) == "red"
    assert kpis.status_of(repeats, Decimal("4"), Decimal("5")) == "green"
    assert kpis.status_of(repeats, Decimal("10.01"), Decimal("5")) == "red"
    assert kpis.status_of(repeats, None, Decimal("5")) == "na"
    assert Figure(Decimal(1), Decimal(3)).value() == Decimal("33.33")
    assert Figure(Decimal(1), Decimal(0)).value() is None


def test_trend_is_monthly_oldest_first(world):
    dispatch_fixture(world)
    actor = actor_for(world.user("jingli"))
    trend = kpis.kpi_trend(actor, code="dispatch_on_time", months=3, end_month=OCT)
    assert trend == [(date(2026, 8, 1), None), (SEP, Decimal("100.00")), (OCT, Decimal("66.67"))]


def test_chain_pages_across_its_parts(world):
    a = [ticket(world.project1) for _ in range(3)]
    b = [ticket(world.project2) for _ in range(2)]
    chain = Chain(Ticket.objects.filter(project=world.project1).order_by("id"),
                  Ticket.objects.filter(project=world.project2).order_by("id"))
    assert chain.count() == 5
    assert [t.pk for t in chain[2:4]] == [a[2].pk, b[0].pk]
    assert [t.pk for t in chain[4:10]] == [b[1].pk]
    assert chain[0].pk == a[0].pk


# -- scope --------------------------------------------------------------------------------------------------------

def test_scope_jingli_sees_project_1_only(world):
    dispatch_fixture(world)
    jingli = actor_for(world.user("jingli"))
    row = kpis.kpi_figure(jingli, code="dispatch_on_time", month=OCT)
    assert (row.numerator, row.denominator) == (2, 3)  # project 1's alone
    with pytest.raises(Http404):
        kpis.kpi_report(jingli, project=world.project2, month=OCT)


def test_api_kpis(world, api):
    t1, t2, t3, _other = dispatch_fixture(world)
    client = api("pinzhi")
    response = client.get("/api/v1/kpis", project=world.project1.pk, period="2026-10")
    assert response.status_code == 200
    body = response.json()
    item = next(i for i in body["items"] if i["code"] == "dispatch_on_time")
    assert item["value"] == "66.67" and item["numerator"] == "2" and item["denominator"] == "3"
    assert (item["target"], item["previous"], item["status"], item["unit"]) == ("95", "100.00", "red", "percent")
    assert next(i for i in body["items"] if i["code"] == "patrol_completion")["value"] is None
    assert body["count"] == len(body["items"]) >= 13

    records = client.get("/api/v1/kpis/dispatch_on_time/records", project=world.project1.pk, period="2026-10")
    assert records.status_code == 200
    got = {r["id"]: r["counted_in_numerator"] for r in records.json()["items"]}
    assert got == {str(t1.pk): True, str(t2.pk): True, str(t3.pk): False}
    assert records.json()["count"] == 3
    assert records.json()["items"][0]["link"] == t1.get_absolute_url()

    paged = client.get("/api/v1/kpis/dispatch_on_time/records", period="2026-10", page=2, page_size=2)
    assert paged.json()["count"] == 4 and len(paged.json()["items"]) == 2
    assert client.get("/api/v1/kpis/no_such_kpi/records", period="2026-10").status_code == 404


@pytest.mark.parametrize("period", ["2026-13", "1999-12", "2101-01", "october", "2026-1x"])
def test_api_bad_period_is_422_naming_period(world, api, period):
    response = api("pinzhi").get("/api/v1/kpis", period=period)
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["period"]


def test_api_scope(world, api):
    dispatch_fixture(world)
    assert api("kefu2").get("/api/v1/kpis", project=world.project1.pk, period="2026-10").status_code == 404
    assert api("jingli").get("/api/v1/kpis/dispatch_on_time/records", project=world.project2.pk,
                             period="2026-10").status_code == 404
    mine = api("kefu2").get("/api/v1/kpis", period="2026-10").json()
    dispatch = next(i for i in mine["items"] if i["code"] == "dispatch_on_time")
    assert (dispatch["numerator"], dispatch["denominator"]) == ("1", "1")  # project 2's only
    assert api("yezhu").get("/api/v1/kpis", period="2026-10").status_code == 403
    assert api("yezhu").get("/api/v1/kpis/dispatch_on_time/records", period="2026-10").status_code == 403


def test_api_period_defaults_to_last_month(world, api):
    body = api("pinzhi").get("/api/v1/kpis").json()
    assert body["period"] == f"{kpis.last_month():%Y-%m}"


# -- console ------------------------------------------------------------------------------------------------------

def test_console_table_and_drill_down(world, login):
    t1, t2, t3, _other = dispatch_fixture(world)
    browser = login("jingli")
    page = browser.get("/console/quality/kpis/", {"project": world.project1.pk, "period": "2026-10"})
    assert page.status_code == 200
    text = page.content.decode()
    assert "66.7 %" in text and "2 / 3" in text
    drill = browser.get(f"/console/quality/kpis/dispatch_on_time/?project={world.project1.pk}&period=2026-10")
    assert drill.status_code == 200
    body = drill.content.decode()
    for t in (t1, t2, t3):
        assert t.number in body
    assert login("yezhu").get("/console/quality/kpis/").status_code == 302  # owners go to their portal
    assert browser.get("/console/quality/kpis/no_such/").status_code == 404
    bad = browser.get("/console/quality/kpis/", {"period": "2026-13"})
    assert bad.status_code == 200 and "YYYY-MM" in bad.content.decode()
