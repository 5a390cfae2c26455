"""Bulk paths commit their event: a batch of payment notices records one event with its counts; withdrawing shared
costs records what went on the project's timeline (the rows themselves are deleted)."""

from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from wuye.billing import dunning
from wuye.billing.models import Bill, ChargeItem, ChargeKind, Meter, MeterReading, SharedCost, SharingMethod, Tariff
from wuye.billing.sharing import allocate_shared_costs
from wuye.core.events import timeline
from wuye.core.models import Event
from wuye.people.access import actor_for
from wuye.tenancy.models import Building, Unit

NOTICE_LEAD = timedelta(days=15)  # the payment-notice lead's default (project rule; SPEC §3)

NOVEMBER = date(2026, 11, 1)


def test_a_batch_of_payment_notices_records_one_event_with_its_counts(world):
    item = ChargeItem.objects.create(project=world.project1, code="fee", name="物业费", kind="property_fee")
    units = list(Unit.objects.filter(project=world.project1).order_by("id"))
    bills = Bill.objects.bulk_create([Bill(project=world.project1, unit=unit, item=item, amount=Decimal("100.00"),
                                           due_on=timezone.localdate() + NOTICE_LEAD, period=NOVEMBER)
                                      for unit in units])
    notices = dunning.issue_payment_notices(world.project1, bills, timezone.now())
    assert len(notices) == len(units) > 1
    event = timeline(world.project1).get(verb="billing.notices_issued")
    assert event.project_id == world.project1.pk
    assert event.data == {"stage": "payment_notice", "issued_on": timezone.localdate().isoformat(),
                          "notices": len(units), "bills": len(units), "total": f"{100 * len(units)}.00"}
    # A second call the same day issues nothing, and records nothing.
    assert dunning.issue_payment_notices(world.project1, bills, timezone.now()) == []
    assert Event.objects.filter(verb="billing.notices_issued").count() == 1


def test_withdrawing_a_shared_cost_is_recorded_on_the_project(world):
    project = world.project1
    power = ChargeItem.objects.create(project=project, code="shared-power", name="公共用电分摊",
                                      kind=ChargeKind.SHARED_UTILITY, meter_kind="electricity",
                                      sharing=SharingMethod.BY_AREA)
    Tariff.objects.create(item=power, basis="per_consumption", rate=Decimal("0.62"), effective_from=date(2026, 1, 1))
    building = Building.objects.filter(project=project).order_by("id").first()
    lift = Meter.objects.create(project=project, building=building, kind="electricity", code="E-1", label="1号楼电梯")
    MeterReading.objects.create(meter=lift, read_on=date(2026, 10, 31), value=Decimal("1000.00"))
    MeterReading.objects.create(meter=lift, read_on=date(2026, 11, 30), value=Decimal("2000.00"),
                                consumption=Decimal("1000.00"))
    caiwu = actor_for(world.user("caiwu"))
    [cost] = allocate_shared_costs(caiwu, project, NOVEMBER)
    assert cost.amount == Decimal("620.00")

    lift.is_active = False  # the lift's meter is taken out of service: its cost for the month is withdrawn
    lift.save()
    assert allocate_shared_costs(caiwu, project, NOVEMBER) == []
    assert not SharedCost.objects.exists()
    event = timeline(project).get(verb="billing.shared_costs_withdrawn")
    assert event.actor == world.user("caiwu") and event.project_id == project.pk
    assert event.data == {"period": "2026-11", "item": "公共用电分摊",
                          "withdrawn": [{"building": str(building), "amount": "620.00"}]}
