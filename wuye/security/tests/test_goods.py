"""Goods release (物品放行): apply, the owner's consent for a tenant, approval with a slip code, the gate's one
verification on the slip's day, expiry — through the services and the API, on fixed dates."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from wuye.core.errors import Conflict, InvalidInput, NotAllowed
from wuye.core.models import Event, Notification
from wuye.people.access import actor_for
from wuye.people.models import Relation, Residency, Resident
from wuye.security import goods
from wuye.security.models import GoodsRelease

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 2, 10, 0, tzinfo=SH)
TODAY = date(2026, 12, 2)
ITEMS = [{"name": "冰箱", "quantity": 1}, {"name": "纸箱", "quantity": 6}]


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def people(world):
    """yezhu owns a unit of project 1; zuke rents it (a portal login with a tenancy)."""
    from django.contrib.auth import get_user_model

    unit = world.owner_unit("yezhu")
    user = get_user_model().objects.create_user("zuke", password="wuye-demo", first_name="租客李")
    tenant = Resident.objects.create(project=world.project1, name="李租客", phone="13900001111", user=user)
    Residency.objects.create(unit=unit, resident=tenant, relation=Relation.TENANT)
    return unit


def actor(world, username):
    return actor_for(world.user(username))


def tenant_application(world, unit, day=TODAY):
    return goods.apply(actor(world, "zuke"), project=None, unit=unit, applicant_name="", applicant_kind="owner",
                       items=ITEMS, carry_out_on=day, plate="沪a 12345", at=NOW)


def test_a_tenants_release_is_refused_without_the_owners_consent_and_approved_with_it(world, people, frozen):
    release = tenant_application(world, people)
    assert release.applicant_kind == "tenant"  # from the residency, whatever was asked
    assert release.plate == "沪A12345" and release.status == "applied"
    # The owner is asked for consent in the portal.
    assert Notification.objects.filter(recipient=world.user("yezhu"), source_id=release.pk).exists()
    kefu = actor(world, "kefu")
    with pytest.raises(Conflict) as refused:
        goods.approve(kefu, release, at=NOW)
    assert refused.value.problems[0].field == "consent"
    assert GoodsRelease.objects.get(pk=release.pk).code == ""
    goods.give_consent(actor(world, "yezhu"), release, at=NOW)
    release = goods.approve(kefu, release, at=NOW)
    assert release.status == "approved" and len(release.code) == 8
    assert set(release.code) <= set(goods.CODE_ALPHABET)
    verbs = list(Event.objects.for_subject(release).values_list("verb", flat=True))
    assert verbs == ["security.goods.applied", "security.goods.consented", "security.goods.approved"]


def test_the_desks_call_on_record_names_who_answered(world, people, frozen):
    release = tenant_application(world, people)
    kefu = actor(world, "kefu")
    with pytest.raises(InvalidInput) as missing:
        goods.give_consent(kefu, release, call_note="  ", at=NOW)
    assert missing.value.problems[0].field == "call_note"
    goods.give_consent(kefu, release, call_note="业主王先生接听，同意", at=NOW)
    release.refresh_from_db()
    assert release.consent == "call" and release.consent_note == "业主王先生接听，同意"
    assert goods.approve(kefu, release, at=NOW).status == "approved"


def test_an_owner_declines_and_the_application_is_rejected(world, people, frozen):
    release = tenant_application(world, people)
    goods.decline_consent(actor(world, "yezhu"), release, at=NOW)
    release.refresh_from_db()
    assert release.status == "rejected" and release.consent == "declined"
    with pytest.raises(Conflict):
        goods.approve(actor(world, "kefu"), release, at=NOW)


def test_an_owners_own_release_needs_no_consent(world, people, frozen):
    release = goods.apply(actor(world, "yezhu"), project=None, unit=people, applicant_name="", applicant_kind="tenant",
                          items=ITEMS, carry_out_on=TODAY, at=NOW)
    assert release.applicant_kind == "owner" and not goods.needs_consent(release)
    assert goods.approve(actor(world, "kefu"), release, at=NOW).status == "approved"


def approved(world, unit, day=TODAY):
    release = goods.apply(actor(world, "kefu"), project=world.project1, unit=unit, applicant_name="王先生",
                          applicant_kind="owner", items=ITEMS, carry_out_on=day, phone="13800001234", at=NOW)
    return goods.approve(actor(world, "kefu"), release, at=NOW)


def test_the_gate_verifies_a_slip_once(world, people, frozen):
    release = approved(world, people)
    zhixu = actor(world, "zhixu")
    done = goods.verify_slip(zhixu, project=world.project1, code=release.code.lower()[:4] + " " + release.code[4:],
                             at=NOW)
    assert done.status == "verified" and done.verified_by == world.user("zhixu")
    with pytest.raises(Conflict) as again:
        goods.verify_slip(zhixu, project=world.project1, code=release.code, at=NOW)
    assert again.value.problems[0].field == "code"
    assert Event.objects.for_subject(release).filter(verb="security.goods.verified").count() == 1


def test_a_slip_for_another_day_is_refused_with_the_reason(world, people, frozen):
    release = approved(world, people, day=TODAY + timedelta(days=1))
    with pytest.raises(Conflict) as refused:
        goods.verify_slip(actor(world, "zhixu"), project=world.project1, code=release.code, at=NOW)
    assert refused.value.problems[0].field == "code" and "2026-12-03" in refused.value.message
    assert GoodsRelease.objects.get(pk=release.pk).status == "approved"


def test_finance_may_not_verify_and_an_unknown_code_names_the_field(world, people, frozen):
    release = approved(world, people)
    with pytest.raises(NotAllowed):
        goods.verify_slip(actor(world, "caiwu"), project=world.project1, code=release.code, at=NOW)
    with pytest.raises(InvalidInput) as unknown:
        goods.verify_slip(actor(world, "zhixu"), project=world.project1, code="WXYZ3467", at=NOW)
    assert unknown.value.problems[0].field == "code"


def test_the_carry_out_day_is_today_up_to_thirty_days_ahead(world, people, frozen):
    kefu = actor(world, "kefu")

    def day(value):
        return goods.apply(kefu, project=world.project1, unit=people, applicant_name="王", applicant_kind="owner",
                           items=ITEMS, carry_out_on=value, phone="13800001234", at=NOW)

    assert day(TODAY + timedelta(days=goods.DAYS_AHEAD)).carry_out_on == date(2027, 1, 1)
    for wrong in (TODAY - timedelta(days=1), TODAY + timedelta(days=goods.DAYS_AHEAD + 1)):
        with pytest.raises(InvalidInput) as refused:
            day(wrong)
        assert refused.value.problems[0].field == "carry_out_on"


def test_malformed_input_names_every_field_and_writes_nothing(world, people, frozen):
    before = GoodsRelease.objects.count(), Event.objects.count()
    with pytest.raises(InvalidInput) as refused:
        goods.apply(actor(world, "kefu"), project=world.project1, unit=people, applicant_name="x" * 41,
                    applicant_kind="landlord", items=[{"name": "", "quantity": 1}, {"name": "床", "quantity": 1000}],
                    carry_out_on="2026-13-01", phone="12", plate="ABC")
    fields = {problem.field for problem in refused.value.problems}
    assert fields == {"applicant_name", "applicant_kind", "items[0].name", "items[1].quantity", "carry_out_on",
                      "phone", "plate"}
    with pytest.raises(InvalidInput) as many:
        goods.apply(actor(world, "kefu"), project=world.project1, unit=people, applicant_name="王",
                    applicant_kind="owner", items=[{"name": "箱", "quantity": 1}] * 31, carry_out_on=TODAY,
                    phone="13800001234")
    assert many.value.problems[0].field == "items"
    with pytest.raises(InvalidInput):
        goods.apply(actor(world, "kefu"), project=world.project1, unit=people, applicant_name="王",
                    applicant_kind="owner", items=[], carry_out_on=TODAY, phone="13800001234")
    assert (GoodsRelease.objects.count(), Event.objects.count()) == before


def test_the_expiry_job_expires_each_once(world, people, frozen):
    slip = approved(world, people)
    waiting = tenant_application(world, people)
    later = approved(world, people, day=TODAY + timedelta(days=1))
    assert goods.expire_releases(NOW) == 0  # their day has not passed
    tomorrow = NOW + timedelta(days=1)
    assert goods.expire_releases(tomorrow) == 2
    assert goods.expire_releases(tomorrow) == 0
    statuses = dict(GoodsRelease.objects.values_list("pk", "status"))
    assert statuses[slip.pk] == statuses[waiting.pk] == "expired" and statuses[later.pk] == "approved"
    assert Event.objects.filter(verb="security.goods.expired").count() == 2


def test_cancel_by_the_applicant_or_the_desk_not_by_another_household(world, people, frozen):
    release = tenant_application(world, people)
    with pytest.raises(NotAllowed):
        goods.cancel(actor(world, "yezhu"), release)  # the owner consents or declines; the applicant withdraws
    assert goods.cancel(actor(world, "zuke"), release).status == "cancelled"
    other = approved(world, people)
    assert goods.cancel(actor(world, "kefu"), other).status == "cancelled"
    with pytest.raises(Conflict):
        goods.verify_slip(actor(world, "zhixu"), project=world.project1, code=other.code, at=NOW)


def test_the_slip_pdf_carries_the_code(world, people, frozen):
    release = approved(world, people)
    content = goods.slip_pdf(release)
    assert content.startswith(b"%PDF") and len(content) < 200_000
    with pytest.raises(Conflict):
        goods.slip_pdf(tenant_application(world, people))


# -- API ---------------------------------------------------------------------------------------------------------------
def test_api_apply_consent_approve_verify(world, people, api, frozen):
    zuke, yezhu, kefu, zhixu = api("zuke"), api("yezhu"), api("kefu"), api("zhixu")
    body = {"unit": people.pk, "items": ITEMS, "carry_out_on": "2026-12-02", "reason": "搬家"}
    created = zuke.post("/api/v1/goods-releases", body)
    assert created.status_code == 201, created.content
    release = created.json()
    assert release["applicant_kind"] == "tenant" and release["needs_consent"] and release["code"] == ""
    path = f"/api/v1/goods-releases/{release['id']}"
    refused = kefu.post(f"{path}/actions/approve")
    assert refused.status_code == 409 and refused.json()["errors"][0]["field"] == "consent"
    assert "consent" in yezhu.get(path).json()["actions"]
    assert yezhu.post(f"{path}/actions/consent").status_code == 200
    answer = kefu.post(f"{path}/actions/approve")
    assert answer.status_code == 200 and answer.json()["status"] == "approved"
    code = answer.json()["code"]
    assert kefu.get(f"{path}/slip.pdf").content.startswith(b"%PDF")
    assert zuke.get(f"{path}/slip.pdf").status_code == 200
    caiwu = api("caiwu").post("/api/v1/goods-releases/verify", {"project": world.project1.pk, "code": code})
    assert caiwu.status_code == 403
    unknown = zhixu.post("/api/v1/goods-releases/verify", {"project": world.project1.pk, "code": "AAAA3333"})
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "code"
    first = zhixu.post("/api/v1/goods-releases/verify", {"project": world.project1.pk, "code": code})
    assert first.status_code == 200 and first.json()["status"] == "verified"
    second = zhixu.post("/api/v1/goods-releases/verify", {"project": world.project1.pk, "code": code})
    assert second.status_code == 409 and second.json()["errors"][0]["field"] == "code"


def test_api_scope_kefu2_sees_nothing_of_project_one_and_owners_only_their_own(world, people, api, frozen):
    release = approved(world, people)
    kefu2 = api("kefu2")
    assert kefu2.get(f"/api/v1/goods-releases/{release.pk}").status_code == 404
    assert kefu2.post(f"/api/v1/goods-releases/{release.pk}/actions/cancel").status_code == 404
    assert kefu2.get(f"/api/v1/goods-releases/{release.pk}/slip.pdf").status_code == 404
    assert kefu2.get("/api/v1/goods-releases").json()["count"] == 0
    assert kefu2.post("/api/v1/goods-releases/verify", {"project": world.project1.pk,
                                                        "code": release.code}).status_code in (403, 422)
    yezhu2 = api("yezhu2")
    assert yezhu2.get(f"/api/v1/goods-releases/{release.pk}").status_code == 404
    assert yezhu2.get("/api/v1/goods-releases").json()["count"] == 0
    assert api("yezhu").get("/api/v1/goods-releases").json()["count"] == 1  # the owner of the unit
    # The tenant sees only their own applications, not the owner's.
    assert api("zuke").get(f"/api/v1/goods-releases/{release.pk}").status_code == 404
    other = world.owner_unit("yezhu2")
    foreign = api("yezhu").post("/api/v1/goods-releases", {"unit": other.pk, "items": ITEMS,
                                                           "carry_out_on": "2026-12-02"})
    assert foreign.status_code == 422 and foreign.json()["errors"][0]["field"] == "unit"


def test_api_malformed_input_names_the_field_and_writes_nothing(world, people, api, frozen):
    kefu = api("kefu")
    before = GoodsRelease.objects.count()
    cases = [
        ({"project": world.project1.pk, "unit": people.pk, "items": [], "carry_out_on": "2026-12-02",
          "applicant_name": "王", "phone": "13800001234"}, "items"),
        ({"project": world.project1.pk, "unit": people.pk, "items": [{"name": "床", "quantity": 0}],
          "carry_out_on": "2026-12-02", "applicant_name": "王", "phone": "13800001234"}, "items[0].quantity"),
        ({"project": world.project1.pk, "unit": people.pk, "items": ITEMS, "carry_out_on": "2027-02-01",
          "applicant_name": "王", "phone": "13800001234"}, "carry_out_on"),
        ({"project": world.project1.pk, "unit": people.pk, "items": ITEMS, "carry_out_on": "2026-12-02",
          "applicant_name": "王", "phone": "13800001234", "plate": "X1"}, "plate"),
        ({"project": world.project2.pk, "unit": people.pk, "items": ITEMS, "carry_out_on": "2026-12-02",
          "applicant_name": "王", "phone": "13800001234"}, "project"),
        ({"project": world.project1.pk, "unit": people.pk, "items": [{"name": "x" * 41, "quantity": 1}],
          "carry_out_on": "2026-12-02", "applicant_name": "王", "phone": "13800001234"}, "items[0].name"),
    ]
    for body, field in cases:
        answer = kefu.post("/api/v1/goods-releases", body)
        assert answer.status_code == 422, (field, answer.content)
        assert field in {error["field"] for error in answer.json()["errors"]}, (field, answer.json())
    assert kefu.post("/api/v1/goods-releases/1/actions/explode").status_code in (404, 422)
    assert GoodsRelease.objects.count() == before


@pytest.mark.django_db(transaction=True)
def test_two_gates_verifying_at_once_release_once(world):
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writers; the race is exercised on PostgreSQL")
    from wuye.core.testing import run_concurrently

    unit = world.owner_unit("yezhu")
    release = goods.apply(actor(world, "kefu"), project=world.project1, unit=unit, applicant_name="王",
                          applicant_kind="owner", items=ITEMS, carry_out_on=timezone.localdate(), phone="13800001234")
    release = goods.approve(actor(world, "kefu"), release)
    zhixu = actor(world, "zhixu")

    def one():
        try:
            goods.verify_slip(zhixu, project=world.project1, code=release.code)
            return "ok"
        except Conflict:
            return "conflict"

    assert sorted(run_concurrently(one, 4)) == ["conflict", "conflict", "conflict", "ok"]
    assert Event.objects.filter(verb="security.goods.verified").count() == 1


def test_the_demo_has_each_state_in_both_projects_and_a_rerun_adds_nothing(world, frozen):
    from collections import Counter

    from wuye.demo.security_goods import add_demo_goods

    assert add_demo_goods(world.company) == {"goods_releases": 16}
    assert add_demo_goods(world.company) == {"goods_releases": 0}
    for project in (world.project1, world.project2):
        states = Counter(GoodsRelease.objects.filter(project=project).values_list("status", flat=True))
        assert set(states) == {"applied", "approved", "verified", "rejected", "cancelled", "expired"}, states
    today = GoodsRelease.objects.get(project=world.project1, status="approved", carry_out_on=TODAY)
    assert today.code
    waiting = goods.releases(actor(world, "yezhu")).get(applicant_kind="tenant", status="applied")
    assert waiting.applicant_kind == "tenant" and goods.may(actor(world, "yezhu"), waiting, "consent")


def test_api_verify_from_the_release_checks_the_code(world, people, api, frozen):
    release = approved(world, people)
    path = f"/api/v1/goods-releases/{release.pk}/actions/verify"
    assert api("caiwu").post(path, {"code": release.code}).status_code == 403
    wrong = api("zhixu").post(path, {"code": "AAAA3333"})
    assert wrong.status_code == 422 and wrong.json()["errors"][0]["field"] == "code"
    assert api("zhixu").post(path, {"code": release.code}).json()["status"] == "verified"
    again = api("zhixu").post(path)
    assert again.status_code == 409 and again.json()["errors"][0]["field"] == "code"
    unapproved = tenant_application(world, people)
    answer = api("zhixu").post(f"/api/v1/goods-releases/{unapproved.pk}/actions/verify")
    assert answer.status_code == 409 and answer.json()["errors"][0]["field"] == "code"


@pytest.mark.parametrize("username", ["kefu", "yezhu"])
def test_the_list_costs_the_same_queries_for_one_row_or_six(world, people, api, frozen, username):
    from django.test.utils import CaptureQueriesContext

    client = api(username)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/api/v1/goods-releases").status_code == 200
        return len(queries)

    tenant_application(world, people)
    count()  # the token's first use of the minute is noted once
    one = count()
    for _n in range(5):
        tenant_application(world, people)
    assert count() == one


def test_the_bounds_of_an_application_are_thirty_kinds_999_each_names_of_forty(world, people, frozen):
    def attempt(items):
        return goods.apply(actor(world, "kefu"), project=world.project1, unit=people, applicant_name="王",
                           applicant_kind="owner", items=items, carry_out_on=TODAY, phone="13800001234", at=NOW)

    widest = [{"name": "箱" * 40, "quantity": 999}] * 30
    assert len(attempt(widest).items) == 30
    for wrong, field in (([{"name": "箱", "quantity": 1}] * 31, "items"),
                         ([{"name": "箱" * 41, "quantity": 1}], "items[0].name"),
                         ([{"name": "箱", "quantity": 1000}], "items[0].quantity"),
                         ([{"name": "箱", "quantity": 0}], "items[0].quantity")):
        with pytest.raises(InvalidInput) as refused:
            attempt(wrong)
        assert refused.value.problems[0].field == field
