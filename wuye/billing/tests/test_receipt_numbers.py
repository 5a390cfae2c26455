"""Receipt numbers a clerk can read aloud: the project's prefix, the year and a sequence without gaps per project
and year (JH-2026-000123); issued numbers never change; the prefix is the project's, set at onboarding."""

import json
import re
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from wuye.billing.models import ChargeItem, Payment, Receipt
from wuye.billing.receipts import receipt_number
from wuye.billing.services import pay, post_charge
from wuye.core.errors import InvalidInput
from wuye.core.testing import run_concurrently
from wuye.people.access import actor_for
from wuye.tenancy.models import Project, Unit, derive_short_code
from wuye.tenancy.services import set_short_code

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _pay(world, unit, key, when=None):
    payment, _ = pay(actor_for(world.user("caiwu")), unit, "10.00", channel="cash", idempotency_key=key,
                     allow_prepayment=True, now=when)
    return Payment.objects.select_related("receipt", "project").get(pk=payment.pk)


def test_numbers_read_prefix_year_and_sequence_per_project(world):
    jh = Unit.objects.filter(project=world.project1).first()
    ch = Unit.objects.filter(project=world.project2).first()
    when = datetime(2026, 12, 2, 10, 0, tzinfo=SHANGHAI)
    numbers = [receipt_number(_pay(world, unit, f"k{i}", when)) for i, unit in enumerate([jh, jh, ch, jh])]
    assert numbers == ["JH-2026-000001", "JH-2026-000002", "CH-2026-000001", "JH-2026-000003"]
    assert all(re.fullmatch(r"[A-Z0-9]{2,6}-\d{4}-\d{6}", number) for number in numbers)


def test_a_new_year_starts_at_one_by_shanghai_time(world):
    unit = Unit.objects.filter(project=world.project1).first()
    # 2026-12-31 23:30 in Shanghai is still 2026 (15:30 UTC); 00:10 on 1 January is 2027.
    last = _pay(world, unit, "a", datetime(2026, 12, 31, 23, 30, tzinfo=SHANGHAI))
    first = _pay(world, unit, "b", datetime(2027, 1, 1, 0, 10, tzinfo=SHANGHAI))
    assert (receipt_number(last), receipt_number(first)) == ("JH-2026-000001", "JH-2027-000001")


def test_issued_numbers_keep_their_prefix_when_it_changes(world):
    unit = Unit.objects.filter(project=world.project1).first()
    before = _pay(world, unit, "a")
    set_short_code(actor_for(world.user("admin")), world.project1, "jhy")
    after = _pay(world, unit, "b")
    year = before.receipt.year
    assert receipt_number(Payment.objects.select_related("receipt").get(pk=before.pk)) == f"JH-{year}-000001"
    assert receipt_number(after) == f"JHY-{year}-000002"  # the year's sequence goes on


def test_the_prefix_is_checked_and_unique_in_the_company(world):
    admin = actor_for(world.user("admin"))
    for bad in ("J", "JHABCDE", "锦华", "J-H"):
        with pytest.raises(InvalidInput) as error:
            set_short_code(admin, world.project1, bad)
        assert error.value.problems[0].field == "short_code"
    with pytest.raises(InvalidInput):
        set_short_code(admin, world.project1, "CH")  # 翠湖湾's


def test_existing_projects_get_a_prefix_from_their_code():
    assert derive_short_code("jinhua-garden") == "JG"
    assert derive_short_code("cuihu-bay") == "CB"
    assert derive_short_code("bench") == "BE"
    assert derive_short_code("jinhua-garden", ["JG"]) == "JG2"
    assert re.fullmatch(r"[A-Z0-9]{2,6}", derive_short_code("a"))


def test_onboarding_sets_and_changes_the_prefix(world, api):
    created = api("admin").post("/api/v1/projects", {"code": "lanting-yuan", "name": "兰亭苑",
                                                     "company_id": world.company.pk})
    assert created.status_code == 201, created.content
    assert created.json()["short_code"] == "LY"
    project = Project.objects.get(code="lanting-yuan")
    admin = api("admin")

    def patch(short_code):
        return admin.client.patch(f"/api/v1/projects/{project.pk}", json.dumps({"short_code": short_code}),
                                  content_type="application/json", **admin.headers)

    taken = patch("JH")  # 锦华苑's
    assert taken.status_code == 422 and taken.json()["errors"][0]["field"] == "short_code"
    assert patch("lt").status_code == 200 and Project.objects.get(pk=project.pk).short_code == "LT"
    named = api("admin").post("/api/v1/projects", {"code": "xinyuan", "name": "馨苑", "short_code": "xy",
                                                   "company_id": world.company.pk})
    assert named.status_code == 201 and named.json()["short_code"] == "XY"


@pytest.mark.django_db(transaction=True)
def test_thirty_payments_at_once_get_thirty_numbers_without_gaps(world):
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writers; the race is exercised on PostgreSQL")
    units = list(Unit.objects.filter(project=world.project1).order_by("id"))
    item = ChargeItem.objects.create(project=world.project1, code="fee", name="物业费", kind="property_fee")
    for unit in units:
        post_charge(None, unit, item, "10.00", period=date(2026, 11, 1), due_on=date(2026, 11, 15))
    caiwu = actor_for(world.user("caiwu"))
    jobs = iter(range(30))

    def one():
        i = next(jobs)
        return pay(caiwu, units[i % len(units)], "10.00", channel="cash", idempotency_key=f"c{i}",
                   allow_prepayment=True)

    results = run_concurrently(one, 30)
    assert len(results) == 30
    numbers = sorted(Receipt.objects.filter(project=world.project1).values_list("number", flat=True))
    assert numbers == list(range(1, 31))
    codes = set(Receipt.objects.values_list("code", flat=True))
    assert len(codes) == 30 and all(code.startswith("JH-") for code in codes)
    assert sum(Payment.objects.values_list("amount", flat=True), Decimal(0)) == Decimal("300.00")


def test_notices_carry_the_same_prefix(world):
    from wuye.billing.documents import notice_number
    from wuye.billing.models import BillingNotice

    notice = BillingNotice(pk=45, project=world.project1, stage="reminder", issued_on=date(2026, 12, 2))
    assert notice_number(notice) == "JH-CJ-20261202-000045"
