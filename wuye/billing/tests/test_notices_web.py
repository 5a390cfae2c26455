"""Notices in the console, on the owner portal and through the API: each in scope, each PDF only for who may see it."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone

from wuye.billing.dunning import issue_payment_notices
from wuye.billing.models import Bill, BillingNotice, ChargeItem, NoticeStage, Tariff
from wuye.billing.runs import run_billing
from wuye.tenancy.models import Unit


@pytest.fixture
def noticed(world):
    """Both projects billed this month: one payment notice per unit."""
    for project in (world.project1, world.project2):
        item = ChargeItem.objects.create(project=project, code="property-fee", name="物业费", kind="property_fee")
        Tariff.objects.create(item=item, basis="per_m2_month", rate=Decimal("2.35"), effective_from=date(2020, 1, 1))
        run_billing(None, project, timezone.localdate().replace(day=1))
    return BillingNotice.objects.all()


def other_units_notice(world):
    return BillingNotice.objects.filter(project=world.project1).exclude(unit=world.owner_unit("yezhu")).first()


def test_yezhu_opens_only_own_notice_pdfs(world, login, noticed):
    yezhu = login("yezhu")
    own = noticed.get(unit=world.owner_unit("yezhu"))
    response = yezhu.get(f"/h5/notices/{own.pk}.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert yezhu.get(f"/h5/notices/{other_units_notice(world).pk}.pdf").status_code == 404
    page = yezhu.get("/h5/notices/bills/")
    assert f"/h5/notices/{own.pk}.pdf" in page.content.decode()
    assert f"/h5/notices/{other_units_notice(world).pk}.pdf" not in page.content.decode()
    # The console's copy is for staff: an owner is sent to the portal.
    assert yezhu.get(f"/console/billing/notices/{own.pk}.pdf").status_code == 302


def test_console_lists_notices_in_scope_with_counts_per_stage(world, login, noticed):
    page = login("caiwu").get("/console/billing/notices/", {"project": world.project1.pk})
    assert page.status_code == 200
    project1 = noticed.filter(project=world.project1)
    for notice in project1:
        assert f"/console/billing/notices/{notice.pk}.pdf" in page.content.decode()
    assert f'data-count="payment_notice">{project1.count()}<' in page.content.decode()
    assert 'data-count="reminder">0<' in page.content.decode()
    # A unit label narrows the list; the PDF opens for staff in scope.
    unit = Unit.objects.filter(project=world.project1).select_related("building").first()
    narrowed = login("caiwu").get("/console/billing/notices/", {"unit": unit.label, "project": world.project1.pk})
    expected = noticed.get(unit=unit)
    assert re.findall(r"/console/billing/notices/(\d+)\.pdf", narrowed.content.decode()) == [str(expected.pk)]
    response = login("caiwu").get(f"/console/billing/notices/{expected.pk}.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    fragment = login("caiwu").get("/console/billing/notices/", {"stage": "reminder"}, HTTP_HX_REQUEST="true")
    assert "<html" not in fragment.content.decode() and "notice-results" in fragment.content.decode()
    # Another month shows nothing.
    empty = login("caiwu").get("/console/billing/notices/", {"month": "2020-01"}).content.decode()
    assert f"/console/billing/notices/{expected.pk}.pdf" not in empty


def test_kefu2_sees_no_project_1_notices(world, login, api, noticed):
    page = login("kefu2").get("/console/billing/notices/").content.decode()
    for notice in noticed:
        shown = f"/console/billing/notices/{notice.pk}.pdf" in page
        assert shown == (notice.project_id == world.project2.pk)
    foreign = noticed.filter(project=world.project1).first()
    assert login("kefu2").get(f"/console/billing/notices/{foreign.pk}.pdf").status_code == 404
    items = api("kefu2").get("/api/v1/notices", page_size=200).json()["items"]
    assert items and {item["project_id"] for item in items} == {world.project2.pk}
    assert api("kefu2").get(f"/api/v1/notices/{foreign.pk}/pdf").status_code == 404


def test_roles_without_billing_view_are_refused(world, login, api, noticed):
    assert login("gongcheng").get("/console/billing/notices/").status_code == 403
    assert api("gongcheng").get("/api/v1/notices").status_code == 403


def test_api_lists_an_owners_notices_with_lines_and_serves_the_pdf(world, api, noticed):
    unit = world.owner_unit("yezhu")
    body = api("yezhu").get("/api/v1/notices").json()
    own = noticed.get(unit=unit)
    assert [item["id"] for item in body["items"]] == [own.pk]
    item = body["items"][0]
    assert item["unit"] == unit.label and Decimal(item["total"]) == own.total
    assert [line["bill"] for line in item["lines"]] == list(Bill.objects.filter(unit=unit).values_list("pk", flat=True))
    response = api("yezhu").get(item["pdf_url"])
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert api("yezhu").get(f"/api/v1/notices/{other_units_notice(world).pk}/pdf").status_code == 404


def test_api_filters_by_unit_and_stage(world, api, noticed):
    unit = Unit.objects.filter(project=world.project1).first()
    caiwu = api("caiwu")
    assert [item["unit_id"] for item in caiwu.get("/api/v1/notices", unit=unit.pk).json()["items"]] == [unit.pk]
    assert caiwu.get("/api/v1/notices", stage="reminder").json() == {"items": [], "count": 0}
    assert caiwu.get("/api/v1/notices", stage="payment_notice").json()["count"] == noticed.filter(
        project=world.project1).count()
    assert caiwu.get("/api/v1/notices", stage="nonsense").status_code == 422


def test_issuing_for_bills_of_one_project_links_nothing_else(world, noticed):
    """A notice's bills are its unit's own (the M2M rows written in bulk)."""
    for notice in noticed.prefetch_related("bills"):
        assert {bill.unit_id for bill in notice.bills.all()} == {notice.unit_id}
    bill = Bill.objects.filter(project=world.project2).first()
    assert issue_payment_notices(world.project2, [bill], timezone.now()) == []  # already noticed today
    assert noticed.filter(stage=NoticeStage.PAYMENT_NOTICE).count() == Unit.objects.count()
