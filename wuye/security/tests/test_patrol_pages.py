"""The patrol pages: a day's rounds per route, a round, the missed list, routes and their form, scope (another
project's round is a 404, kefu2 sees nothing of project 1), and hostile query strings (never a 500)."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from wuye.core.errors import InvalidInput
from wuye.security.web.patrols import parse_checkpoints

from .patrolweb_fixture import build, line

FIXED = date(2026, 10, 14)


@pytest.fixture
def pw(world):
    return build(world, FIXED)


def test_a_days_rounds_per_route_with_their_counts(login, pw):
    response = login("zhixu").get(reverse("security:rounds"), {"day": "2026-10-14"})
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 6  # project 1's rounds of the day, not yesterday's
    routes = {row["route"].name: row for row in response.context["routes"]}
    garage = routes["地下车库"]
    assert [r.pk for r in garage["rounds"]] == [pw.rounds.completed.pk, pw.rounds.incomplete.pk, pw.rounds.open.pk,
                                                 pw.rounds.scheduled.pk]
    assert (garage["scanned"], garage["late"], garage["missed"], garage["total"]) == (5, 1, 2, 12)
    assert (routes["周界"]["missed"], routes["周界"]["scanned"]) == (2, 0)
    html = response.content.decode()
    assert "st-missed" in html and "st-completed" in html and "st-open" in html


def test_the_rounds_filters(login, pw):
    client = login("zhixu")
    by_status = client.get(reverse("security:rounds"), {"day": "2026-10-14", "status": "open"})
    assert by_status.context["page"].paginator.count == 2
    by_route = client.get(reverse("security:rounds"), {"day": "2026-10-14", "route": pw.perimeter.pk})
    assert by_route.context["page"].paginator.count == 2
    yesterday = client.get(reverse("security:rounds"), {"day": "2026-10-13"})
    assert yesterday.context["page"].paginator.count == 1


def test_a_round_lists_its_checkpoints_in_order(login, pw):
    response = login("zhixu").get(reverse("security:round", args=[pw.rounds.incomplete.pk]))
    assert response.status_code == 200
    visits = response.context["visits"]
    assert [v.checkpoint.code for v in visits] == ["CK-01", "CK-02", "CK-03"]
    assert [v.status for v in visits] == ["on_time", "missed", "missed"]
    html = response.content.decode()
    assert "刘军" in html  # who scanned, by name
    assert "CK-01" not in html or "CK-01" in html  # codes may show; no login, id or ISO time:
    assert "zhixu" not in html and "2026-10-14T" not in html


def test_another_projects_round_and_route_are_404(login, pw):
    client = login("zhixu")
    assert client.get(reverse("security:round", args=[pw.rounds.other.pk])).status_code == 404
    assert client.get(reverse("security:route", args=[pw.other.pk])).status_code == 404
    assert client.get(reverse("security:route_labels", args=[pw.other.pk])).status_code == 404


def test_kefu2_sees_nothing_of_project_1(login, pw):
    client = login("kefu2")
    rounds = client.get(reverse("security:rounds"), {"day": "2026-10-14"})
    assert rounds.status_code == 200
    assert [r.pk for r in rounds.context["page"].object_list] == [pw.rounds.other.pk]
    assert client.get(reverse("security:round", args=[pw.rounds.completed.pk])).status_code == 404
    missed = client.get(reverse("security:missed"), {"since": "2026-10-01", "until": "2026-10-14"})
    assert missed.context["page"].paginator.count == 1
    assert missed.context["rounds"] == []
    routes = client.get(reverse("security:routes"))
    assert [r.pk for r in routes.context["page"].object_list] == [pw.other.pk]
    # the front desk reads patrols but does not manage them
    assert client.get(reverse("security:route_new")).status_code == 403


def test_missed_list_of_a_week_and_its_rounds(login, pw):
    client = login("zhixu")
    response = client.get(reverse("security:missed"), {"until": "2026-10-14"})
    assert response.status_code == 200
    # today: two of the 9:00 garage round and both of the perimeter's missed round; yesterday's two; not 10-05's
    assert response.context["page"].paginator.count == 6
    assert [r.pk for r in response.context["rounds"]] == [pw.rounds.missed.pk, pw.rounds.yesterday.pk]
    today = client.get(reverse("security:missed"), {"since": "2026-10-14", "until": "2026-10-14"})
    assert today.context["page"].paginator.count == 4
    reversed_ = client.get(reverse("security:missed"), {"since": "2026-10-14", "until": "2026-10-05"})
    assert reversed_.context["page"].paginator.count == 8  # the two dates swapped: 10-05 to 10-14


def test_routes_list_and_the_route_page(login, pw):
    client = login("zhixu")
    response = client.get(reverse("security:routes"))
    assert response.status_code == 200
    assert {r.name: r.checkpoint_count for r in response.context["page"].object_list} == {"地下车库": 3, "周界": 2}
    page = client.get(reverse("security:route", args=[pw.garage.pk]))
    assert page.status_code == 200
    assert page.context["form"]["checkpoints"].splitlines()[0] == "地下车库1号点 | B1 | CK-01 | 10"
    html = client.get(reverse("security:route_new")).content.decode()
    assert "120" in html and "60" in html  # the project's rule defaults, shown


def test_checkpoint_lines_are_checked_with_their_line_numbers():
    rows = parse_checkpoints("北门 | 北门岗亭 | BM-01 | 0\n\n车库入口 | B1 | CK-01 | 15 | 消防通道畅通\n")
    assert rows == [
        {"name": "北门", "location": "北门岗亭", "code": "BM-01", "minutes_from_start": 0, "checks": ""},
        {"name": "车库入口", "location": "B1", "code": "CK-01", "minutes_from_start": 15, "checks": "消防通道畅通"}]
    with pytest.raises(InvalidInput) as error:
        parse_checkpoints("北门 | 北门岗亭 | BM-01 | 0\n东门 | | DM-01\n | x | Y-1 | 3\n西门 | | XM | ²")
    problem = error.value.problems[0]
    assert problem.field == "checkpoints"
    assert line(2) in problem.message and line(3) in problem.message and line(4) in problem.message
    assert line(1) not in problem.message
    with pytest.raises(InvalidInput):
        parse_checkpoints("\n".join(f"点{n} | | C{n} | {n}" for n in range(61)))


def test_the_phone_hub_lists_my_rounds_under_way_with_the_next_checkpoint(login, pw):
    response = login("zhixu").get(reverse("security:scan"))
    assert response.status_code == 200
    rounds = {r.pk: r for r in response.context["rounds"]}
    assert set(rounds) == {pw.rounds.open.pk, pw.rounds.open_free.pk}  # mine and nobody's yet
    assert rounds[pw.rounds.open.pk].next_visit.checkpoint.code == "CK-02"
    assert rounds[pw.rounds.open_free.pk].next_visit.checkpoint.code == "ZJ-01"


HOSTILE = ("garbage", "²", "١٢", "-1", "9" * 30, "2026-13-45", "0000-01-01", "9999-12-31", "<script>")
PAGES = [
    ("security:rounds", ("day", "route", "status", "project", "page")),
    ("security:missed", ("since", "until", "route", "page")),
    ("security:routes", ("project", "page")),
    ("security:scan", ("code",)),
]


@pytest.mark.parametrize("name, params", PAGES)
def test_hostile_query_strings_never_break_a_patrol_page(login, pw, name, params):
    client = login("zhixu")
    for value in HOSTILE:
        for param in params:
            response = client.get(reverse(name), {param: value})
            assert response.status_code < 500, (name, param, value)


def test_huge_ids_are_404(login, pw):
    client = login("zhixu")
    for name in ("security:round", "security:route", "security:route_labels"):
        assert client.get(f"{reverse(name, args=[1]).replace('/1/', '/' + '9' * 30 + '/')}").status_code == 404
    assert client.get("/console/security/c/00000000-0000-0000-0000-000000000000/").status_code == 404
    assert client.get("/console/security/c/not-a-uuid/").status_code == 404


def test_the_route_form_refuses_bad_lines_naming_them(login, pw):
    response = login("zhixu").post(reverse("security:route_new"), {
        "project": pw.garage.project_id, "name": "新路线", "checkpoints": "北门 | | BM-01 | 0\n坏行"})
    assert response.status_code == 422
    assert line(2) in response.context["errors"]["checkpoints"]
    assert response.context["form"]["name"] == "新路线"
    bad_minutes = login("zhixu").post(reverse("security:route_new"), {
        "project": pw.garage.project_id, "name": "新路线", "every_minutes": "²", "checkpoints": ""})
    assert bad_minutes.status_code == 422 and "every_minutes" in bad_minutes.context["errors"]
    no_project = login("zhixu").post(reverse("security:route_new"), {"project": pw.other.project_id, "name": "x"})
    assert no_project.status_code == 422 and "project" in no_project.context["errors"]


def test_the_day_and_round_pages_do_not_grow_queries_with_rows(login, pw):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from .patrolweb_fixture import at, patrol_round

    client = login("zhixu")

    def queries(url, params=None):
        with CaptureQueriesContext(connection) as seen:
            assert client.get(url, params or {}).status_code == 200
        return len(seen)

    day = reverse("security:rounds"), {"day": "2026-10-14"}
    one = reverse("security:round", args=[pw.rounds.incomplete.pk])
    queries(*day), queries(one)  # content types cached by the first visit
    before = (queries(*day), queries(one))
    for hour in (12, 13, 14, 15):
        patrol_round(pw.garage, pw.garage_points, at(FIXED, hour), "incomplete", ["on_time", "missed", "late"])
    assert (queries(*day), queries(reverse("security:round", args=[pw.rounds.completed.pk]))) == before
