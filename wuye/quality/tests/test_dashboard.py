"""The quality home (品质) and the KPI cards on the workbench: pinzhi sees every project, jingli only project 1;
open rectifications by age with their overdue counts; the KPI cards' figures equal the drill-down pages' figures;
the nav's 品质 entry is a real page, no more 即将上线."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from wuye.core.kpis import PERCENT
from wuye.people.access import actor_for
from wuye.quality import reports
from wuye.quality.models import Rectification, RectificationStatus
from wuye.sla.engine import policy_for
from wuye.sla.models import Clock, ClockState
from wuye.tenancy.models import Unit
from wuye.workorders.models import Kind, Status, Ticket

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 20, 10, 0, tzinfo=SH)


def _complaint(project, *, created, closed=None):
    unit = Unit.objects.filter(project=project).order_by("id").first()
    return Ticket.objects.create(project=project, kind=Kind.COMPLAINT, channel="phone", description="夜间噪音扰民",
                                 unit=unit, created_at=created, status=Status.CLOSED if closed else Status.NEW,
                                 closed_at=closed)


def _rect(project, *, days_old: int, title="消防通道堆放杂物", status=RectificationStatus.OPEN, due=None):
    source = _complaint(project, created=NOW - timedelta(days=days_old))
    rect = Rectification.objects.create(
        project=project, source_type=ContentType.objects.get_for_model(Ticket), source_id=source.pk, title=title,
        department="environment", status=status, opened_at=NOW - timedelta(days=days_old, hours=1))
    if due is not None:
        Clock.objects.create(
            subject_type=ContentType.objects.get_for_model(rect), subject_id=rect.pk, project=project,
            policy=policy_for(project, "rectification.minor"), key="rectification.minor", state=ClockState.RUNNING,
            started_at=rect.opened_at, due_at=due, warn_at=due)
    return rect


@pytest.fixture
def rects(world):
    p1, p2 = world.project1, world.project2
    _rect(p1, days_old=0, due=NOW + timedelta(days=2))
    _rect(p1, days_old=3, due=NOW - timedelta(hours=2))  # ≤3 d, overdue
    _rect(p1, days_old=5, due=NOW - timedelta(days=1))  # 4–7 d, overdue
    _rect(p1, days_old=20, status=RectificationStatus.SUBMITTED, due=NOW - timedelta(days=10))  # waits for checking
    _rect(p1, days_old=45, due=NOW - timedelta(days=40))
    _rect(p1, days_old=9, status=RectificationStatus.CLOSED)  # closed: in no bucket
    _rect(p2, days_old=2, title="翠湖居二号楼垃圾桶满溢", due=NOW + timedelta(days=1))
    return world


@time_machine.travel(NOW, tick=False)
def test_open_rectifications_by_age_and_overdue(rects):
    pinzhi = actor_for(rects.user("pinzhi"))
    jingli = actor_for(rects.user("jingli"))
    assert [(b.key, b.count, b.overdue) for b in reports.rectification_ages(pinzhi)] == [
        ("0-3", 3, 1), ("4-7", 1, 1), ("8-30", 1, 0), ("31-", 1, 1)]
    assert [(b.key, b.count, b.overdue) for b in reports.rectification_ages(jingli)] == [
        ("0-3", 2, 1), ("4-7", 1, 1), ("8-30", 1, 0), ("31-", 1, 1)]
    bucket = reports.rectification_ages(jingli)[2]
    assert bucket.url == reverse("quality:rectifications") + "?age=8-30"
    rows = reports.by_age(Rectification.objects.all(), "8-30")
    assert [r.title for r in rows] == ["消防通道堆放杂物"] and rows[0].status == RectificationStatus.SUBMITTED
    assert not reports.by_age(Rectification.objects.all(), "bogus").exists()


@time_machine.travel(NOW, tick=False)
def test_quality_home_for_pinzhi_shows_every_project(rects, login):
    _complaint(rects.project1, created=NOW - timedelta(days=3), closed=NOW - timedelta(days=2))
    response = login("pinzhi").get(reverse("quality:home"))
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count("<svg") >= 2 and 'role="img"' in page
    ages = {b.key: b.count for b in response.context["ages"]}
    assert ages == {"0-3": 3, "4-7": 1, "8-30": 1, "31-": 1}
    assert "翠湖居二号楼垃圾桶满溢" not in page  # counts, not rows
    # the project selector offers both projects
    assert [p.pk for p in response.context["projects"]] == [rects.project1.pk, rects.project2.pk]
    # each project is short of the two surveys a year
    assert [p.pk for p, _n in response.context["short"]] == [rects.project1.pk, rects.project2.pk]
    cards = {card.key: card for card in response.context["cards"]}
    assert "quality.kpi.complaints_on_time" in cards
    assert cards["quality.kpi.complaints_on_time"].url.startswith(
        reverse("quality:kpi_records", args=["complaints_on_time"]))
    assert 'href="/console/quality/" class="nav-item current"' in page  # the nav's 品质 entry, current


@time_machine.travel(NOW, tick=False)
def test_quality_home_for_jingli_has_no_project_2_data(rects, login):
    client = login("jingli")
    response = client.get(reverse("quality:home"))
    assert response.status_code == 200
    page = response.content.decode()
    assert rects.project2.name not in page
    assert [p.pk for p in response.context["projects"]] == [rects.project1.pk]
    assert {b.key: b.count for b in response.context["ages"]} == {"0-3": 2, "4-7": 1, "8-30": 1, "31-": 1}
    # asking for project 2 by hand shows the pooled view of their own projects only
    response = client.get(reverse("quality:home"), {"project": rects.project2.pk})
    assert rects.project2.name not in response.content.decode()


@time_machine.travel(NOW, tick=False)
def test_the_nav_entry_is_the_quality_home(world, login):
    response = login("pinzhi").get(reverse("web:console"))
    assert reverse("quality:home") in response.content.decode()
    assert reverse("web:console_soon", args=["quality"]) not in response.content.decode()


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("username, codes", [
    ("pinzhi", {"complaints_on_time", "satisfaction", "rectifications_on_time", "collection_rate"}),
    ("jingli", {"complaints_on_time", "satisfaction", "rectifications_on_time", "collection_rate"}),
    ("kefu", {"dispatch_on_time", "return_visits", "complaints_on_time"}),
    ("gongcheng", {"arrival_on_time", "completion_on_time", "first_time_fix"}),
    ("caiwu", {"collection_rate"}),
    ("huanjing", {"rectifications_on_time"}),
])
def test_workbench_kpi_cards_match_the_pages_they_open(rects, login, username, codes):
    _complaint(rects.project1, created=NOW - timedelta(days=3), closed=NOW - timedelta(days=2))
    client = login(username)
    response = client.get(reverse("web:console"))
    cards = {card.key: card for group in response.context["card_groups"] for card in group["cards"]
             if card.key.startswith("quality.kpi.")}
    assert {key.removeprefix("quality.kpi.") for key in cards} >= codes, sorted(cards)
    assert set(cards) == {f"quality.kpi.{code}" for code in codes}
    for card in cards.values():
        page = client.get(card.url)
        assert page.status_code == 200, card.url
        figure = page.context["figure"]
        assert card.figure == reports.figure(figure.value, reports.unit_suffix(figure)), card.key
        listed = figure.denominator if figure.unit == PERCENT else figure.numerator  # complaints per 100 households
        assert page.context["page"].paginator.count == (listed or 0), card.key
        assert card.tone == {"amber": "amber", "red": "red"}.get(figure.status, "")


def test_month_of_the_home_page_is_chosen_and_bad_input_is_said(world, login):
    response = login("pinzhi").get(reverse("quality:home"), {"period": "2026-13"})
    assert response.status_code == 200 and response.context["problem"]
    response = login("pinzhi").get(reverse("quality:home"), {"period": "2026-10"})
    assert response.context["month"] == date(2026, 10, 1)
    assert timezone.localdate() >= date(2026, 1, 1)


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("username", ["pinzhi", "jingli"])
def test_each_age_bucket_opens_the_list_of_exactly_its_rectifications(rects, login, username):
    client = login(username)
    response = client.get(reverse("quality:home"))
    for bucket in response.context["ages"]:
        listed = client.get(bucket.url)
        assert listed.status_code == 200
        assert listed.context["page"].paginator.count == bucket.count, bucket.key
        assert sum(1 for row in listed.context["rows"] if row["overdue"]) == bucket.overdue, bucket.key


def test_the_home_links_only_to_pages_the_role_may_open(world, login):
    for username in ("kefu", "pinzhi"):
        client = login(username)
        for _label, url in client.get(reverse("quality:home")).context["links"]:
            assert client.get(url).status_code == 200, (username, url)
