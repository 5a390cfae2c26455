"""Console forms share the API's plausible-date window (issue 9, point 8): a due date in year 9999 or a billing
month in year 0103 is refused naming the field, and nothing is written."""

from __future__ import annotations

from django.urls import reverse

from wuye.billing.models import Bill, BillingRun, ChargeItem
from wuye.billing.periods import parse_month


def test_a_one_off_charge_due_in_year_9999_is_refused_naming_due_on(world, login):
    unit = world.owner_unit("yezhu")
    deposit = ChargeItem.objects.create(project=world.project1, code="deposit", name="装修保证金", kind="one_off")
    url = reverse("billing:add_charge", args=[unit.pk])
    response = login("caiwu").post(url, {"item": deposit.pk, "amount": "3000.00", "due_on": "9999-12-31"})
    assert response.status_code == 422
    assert "due_on" in response.context["charge_form"].errors
    assert not Bill.objects.exists()


def test_months_typed_outside_the_window_are_refused_naming_the_field():
    import pytest

    from wuye.core.errors import InvalidInput

    for typed in ("0103-01", "9999-12", "1899-05"):
        with pytest.raises(InvalidInput) as refused:
            parse_month(typed, "month")
        assert refused.value.problems[0].field == "month"
    assert parse_month("2026-11", "month").isoformat() == "2026-11-01"


def test_a_billing_run_for_year_0103_is_refused(world, login):
    from datetime import date

    import pytest

    from wuye.billing.runs import start_run
    from wuye.core.errors import InvalidInput
    from wuye.people.access import actor_for

    with pytest.raises(InvalidInput) as refused:
        start_run(actor_for(world.user("caiwu")), world.project1, date(103, 1, 1))
    assert refused.value.problems[0].field == "period"
    assert not BillingRun.objects.exists()


def test_days_typed_into_page_links_outside_the_window_show_the_default_day(world, login):
    """`?date=`, `?week=` and `?as_of=` are read by one `web.forms.date_param`: year 1 or 9999 shows today's page."""
    from datetime import date

    from wuye.web.forms import date_param

    today = date(2026, 12, 1)
    assert date_param("9999-12-31", today) == today and date_param("0001-01-01", today) == today
    assert date_param("2026-11-30", today) == date(2026, 11, 30) and date_param("", today) == today
    jingli = login("jingli")
    for url in ("/console/complaints/ledger/?date=9999-12-31", "/console/complaints/ledger/?date=0001-01-01",
                "/console/billing/reports/?as_of=9999-12-31"):
        assert jingli.get(url).status_code == 200, url
