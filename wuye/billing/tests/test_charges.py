"""Paid services: a repair's charge lines, once the fee is settled, become one bill each on the unit's account —
through the periodic job, once however often it runs."""

import logging
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from wuye.billing import jobs, services
from wuye.billing.charges import bill_charge_lines, paid_service_item
from wuye.billing.models import Bill, ChargeItem, ChargeKind
from wuye.billing.runs import NOTICE_LEAD
from wuye.core.models import Event
from wuye.people.access import actor_for
from wuye.workorders.models import ChargeLine, PriceItem, Ticket
from wuye.workorders.services import ActionInput, perform


def repaired(world, unit, parts):
    """A repair of `unit` done with `parts` [(price item code, quantity)], signed off, fee not yet settled."""
    kefu, gongcheng = actor_for(world.user("kefu")), actor_for(world.user("gongcheng"))
    ticket = world.ticket(world.project1, unit=unit)
    ticket = perform(kefu, ticket, "dispatch", ActionInput(assignee=world.user("gongcheng")))
    ticket = perform(gongcheng, ticket, "accept")
    ticket = perform(gongcheng, ticket, "arrive")
    items = [(PriceItem.objects.get(project=world.project1, code=code), Decimal(qty)) for code, qty in parts]
    ticket = perform(gongcheng, ticket, "complete", ActionInput(work_done="更换水龙头", parts=items))
    return perform(kefu, ticket, "confirm")


def settle(world, ticket):
    return perform(actor_for(world.user("caiwu")), ticket, "settle")


@pytest.fixture
def unit(world):
    return world.owner_unit("yezhu")


def test_settled_charge_lines_become_one_bill_each_once(world, unit):
    ticket = repaired(world, unit, [("tap", "1"), ("labour-basic", "2")])
    assert jobs.bill_paid_services() == 0  # not settled yet: nothing to bill
    settle(world, ticket)
    lines = list(ChargeLine.objects.filter(ticket=ticket).order_by("id"))
    assert jobs.bill_paid_services() == len(lines) == 2
    line_type = ContentType.objects.get_for_model(ChargeLine)
    bills = {bill.source_id: bill for bill in Bill.objects.filter(source_type=line_type).select_related("item")}
    assert set(bills) == {line.pk for line in lines}
    for line in lines:
        bill = bills[line.pk]
        assert bill.unit == unit and bill.amount == line.amount and bill.period is None
        assert bill.item.kind == ChargeKind.PAID_SERVICE and bill.item.code == "paid-service"
        assert bill.due_on >= timezone.localdate() + NOTICE_LEAD
        assert ticket.number in bill.description
    assert all(line.billed_at for line in ChargeLine.objects.filter(ticket=ticket))
    assert services.balance(unit) == sum((line.amount for line in lines), Decimal("0.00"))

    assert jobs.bill_paid_services() == 0  # a rerun bills nothing more
    assert Bill.objects.count() == 2 and ChargeItem.objects.filter(kind=ChargeKind.PAID_SERVICE).count() == 1
    assert Event.objects.for_subject(ticket).filter(verb="billing.service_billed").count() == 2  # on the ticket


def test_a_line_billed_before_its_stamp_is_stamped_not_billed_again(world, unit):
    ticket = settle(world, repaired(world, unit, [("tap", "1")]))
    line = ChargeLine.objects.get(ticket=ticket)
    # The job died after posting the bill and before stamping the line.
    services.post_charge(None, unit, paid_service_item(unit.project_id), line.amount,
                         due_on=timezone.localdate() + NOTICE_LEAD, source=line)
    assert bill_charge_lines() == []
    assert Bill.objects.count() == 1 and ChargeLine.objects.get(pk=line.pk).billed_at is not None


def test_lines_of_tickets_without_a_unit_are_skipped_and_logged(world, unit, caplog):
    ticket = settle(world, repaired(world, unit, [("tap", "1")]))
    Ticket.objects.filter(pk=ticket.pk).update(unit=None)  # a public-area repair
    with caplog.at_level(logging.WARNING, logger="wuye.billing.charges"):
        assert bill_charge_lines() == []
    assert not Bill.objects.exists() and ChargeLine.objects.get(ticket=ticket).billed_at is None
    assert "without a unit" in caplog.text


def test_a_projects_own_paid_service_item_is_used(world, unit):
    own = ChargeItem.objects.create(project=world.project1, code="repair-fee", name="维修费",
                                    kind=ChargeKind.PAID_SERVICE)
    settle(world, repaired(world, unit, [("tap", "1")]))
    bill_charge_lines()
    assert Bill.objects.get().item == own
