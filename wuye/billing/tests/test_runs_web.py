"""Billing runs in the console: started from a form, billed by the background job, followed on a page that polls
while the run works and then shows what was billed per charge item."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from wuye.billing import jobs
from wuye.billing.models import Bill, BillingRun, ChargeItem, Tariff
from wuye.core.money import format_money
from wuye.tenancy.models import Unit


@pytest.fixture
def property_fee(world):
    item = ChargeItem.objects.create(project=world.project1, code="property-fee", name="物业费", kind="property_fee")
    Tariff.objects.create(item=item, basis="per_m2_month", rate=Decimal("2.35"), effective_from=date(2026, 1, 1))
    return item


def test_a_run_started_in_the_console_bills_in_the_background_and_shows_its_summary(world, login, property_fee):
    caiwu = login("caiwu")
    started = caiwu.post(reverse("billing:runs"), {"project": world.project1.pk, "period": "2026-11"})
    run = BillingRun.objects.get()
    assert started.status_code == 302 and started.url == reverse("billing:run", args=[run.pk])
    assert run.status == "running" and run.started_by == world.user("caiwu") and not Bill.objects.exists()

    page = caiwu.get(started.url).content.decode()
    assert 'hx-trigger="every 2s"' in page and 'data-status="running"' in page

    jobs.continue_billing_runs()
    progress = caiwu.get(started.url, HTTP_HX_REQUEST="true").content.decode()
    assert "every 2s" not in progress and 'data-status="done"' in progress  # polling stops once done
    assert "<html" not in progress  # the partial only
    units = Unit.objects.filter(project=world.project1)
    billed = sum(Bill.objects.values_list("amount", flat=True), Decimal("0.00"))
    summary = re.search(r'<table class="table run-summary">.*?</table>', progress, re.S).group(0)
    cells = [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", summary, re.S)]
    assert cells[3:6] == ["物业费", str(units.count()), format_money(billed)]

    full = caiwu.get(started.url).content.decode()
    for unit in units.select_related("building"):
        assert reverse("billing:unit_account", args=[unit.pk]) in full  # each bill links to its unit's account
    listing = caiwu.get(reverse("billing:runs")).content.decode()
    assert reverse("billing:run", args=[run.pk]) in listing and format_money(billed) in listing


def test_a_bad_month_names_the_field_and_starts_nothing(world, login, property_fee):
    response = login("caiwu").post(reverse("billing:runs"), {"project": world.project1.pk, "period": "2026-13"})
    assert response.status_code == 422 and 'class="field-error"' in response.content.decode()
    assert not BillingRun.objects.exists()


def test_only_staff_who_charge_start_runs_and_only_in_scope(world, login, property_fee):
    quality = login("pinzhi")  # reads billing, does not charge
    assert 'name="period"' not in quality.get(reverse("billing:runs")).content.decode()
    assert quality.post(reverse("billing:runs"), {"project": world.project1.pk, "period": "2026-11"}).status_code == 403
    kefu2 = login("kefu2")
    refused = kefu2.post(reverse("billing:runs"), {"project": world.project1.pk, "period": "2026-11"})
    assert refused.status_code == 422 and not BillingRun.objects.exists()  # project 1 is not a choice for kefu2
    login("caiwu").post(reverse("billing:runs"), {"project": world.project1.pk, "period": "2026-11"})
    run = BillingRun.objects.get()
    assert kefu2.get(reverse("billing:run", args=[run.pk])).status_code == 404
    assert reverse("billing:run", args=[run.pk]) not in kefu2.get(reverse("billing:runs")).content.decode()
    assert login("gongcheng").get(reverse("billing:runs")).status_code == 403
