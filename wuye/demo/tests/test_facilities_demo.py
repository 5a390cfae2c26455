"""The facilities demo (wuye.demo.facilities) on the small test world: every state a technician or manager should
find is there, a rerun adds nothing, and every facilities page of a demo record opens for the engineer."""

from datetime import date, timedelta

import pytest
import time_machine
from django.urls import NoReverseMatch, reverse

from wuye.demo.facilities import add_demo_facilities
from wuye.facilities.models import (
    Contractor,
    DutyPost,
    Entrapment,
    Equipment,
    Fault,
    FireDrill,
    Handover,
    HazardFinding,
    HazardSweep,
    MaintenancePlan,
    MaintenanceTask,
    OperationReading,
)
from wuye.quality.models import Rectification
from wuye.sla.models import Clock

TODAY = date(2026, 11, 20)
NOW = "2026-11-20 18:30 +0800"  # the seed runs in the evening of TODAY: its history ends at 18:00

MODELS = (Contractor, Equipment, MaintenancePlan, MaintenanceTask, OperationReading, Fault, Entrapment, HazardSweep,
          HazardFinding, FireDrill, DutyPost, Handover, Rectification, Clock)


@pytest.fixture
def demo(world):
    with time_machine.travel(NOW, tick=False):
        results = add_demo_facilities(world.company, TODAY)
    return results


def test_the_register_has_every_kind_of_item_with_codes_a_technician_reads(world, demo):
    # Project 1: 2 low-rise blocks of 3 floors (one elevator all the same, in block 1), 3 pumps, 4 power cabinets,
    # the alarm panel, 2 HVAC units, 3 access points, 6 cameras, 2 extinguishers a floor, 2 hydrants a block;
    # project 2: 1 block, 2 pumps.
    assert Equipment.objects.filter(project=world.project1).count() == 1 + 3 + 4 + 1 + 2 + 3 + 6 + 12 + 4 == 36
    assert Equipment.objects.filter(project=world.project2).count() == 1 + 2 + 4 + 1 + 2 + 3 + 6 + 6 + 2 == 27
    assert demo["equipment"] == 63
    codes = set(Equipment.objects.filter(project=world.project1).values_list("code", flat=True))
    assert {"DT-1-1", "MHQ-2-3-2", "XHS-1-2", "SB-B1-3", "PD-4", "XF-1", "KT-HS-2", "MJ-3", "JK-6"} <= codes
    elevator = Equipment.objects.get(project=world.project1, code="DT-1-1")
    assert elevator.maker in ("奥的斯", "日立") and elevator.contractor.service == "电梯维保"
    # Three contractors; the second elevator contractor's qualification runs out in 20 days (the warning shows).
    assert Contractor.objects.filter(company=world.company).count() == demo["contractors"] == 3
    expiring = Contractor.objects.get(company=world.company, name__startswith="日立")
    assert expiring.qualification_expires_on == TODAY + timedelta(days=20) and expiring.qualification_number


def test_a_year_of_maintenance_mostly_on_time_a_few_late_skipped_and_overdue(world, demo):
    tasks = MaintenanceTask.objects.filter(project=world.project1)
    past = tasks.filter(due_on__lt=TODAY)
    done, late = past.filter(status="done", late=False).count(), past.filter(status="done", late=True).count()
    skipped = past.filter(status="skipped").count()
    overdue = past.filter(status="scheduled")
    assert past.count() > 200 and past.filter(due_on__lt=TODAY - timedelta(days=300)).exists()
    assert late > 0 and skipped > 0 and done > 10 * late
    assert overdue.count() == 4 and overdue.filter(due_on__gte=TODAY - timedelta(days=35)).count() == 4
    assert tasks.filter(due_on__gte=TODAY, status="scheduled").exists()  # the month ahead, to do
    # Every closed task's clock agrees with it: met on time, breached when late, cancelled when skipped.
    task_clocks = Clock.objects.filter(key="maintenance.task", project=world.project1)
    assert task_clocks.filter(state="met").count() == done
    assert task_clocks.filter(state="breached").count() == late
    assert task_clocks.filter(state="cancelled").count() == skipped
    # A task's clock starts on its due day: the scheduled ones whose day has come run, the month ahead has none.
    assert task_clocks.filter(state="running").count() == tasks.filter(status="scheduled", due_on__lte=TODAY).count()
    for task in past.filter(status="done").order_by("?")[:30]:
        clock = task_clocks.get(subject_id=task.pk)
        assert clock.stopped_at == task.completed_at and (clock.state == "breached") == task.late
        assert task.completed_by_id and len(task.results) == len(task.plan.checklist)


def test_faults_in_every_state_one_from_an_owners_request_and_a_closed_entrapment(world, demo):
    faults = Fault.objects.filter(project=world.project1)
    assert set(faults.values_list("status", flat=True)) == {
        "raised", "reported", "in_repair", "testing", "resolved", "closed", "cancelled"}
    assert faults.filter(status="closed").exclude(prevention="").count() == faults.filter(status="closed").count()
    assert faults.filter(source="ticket", ticket__isnull=False, equipment__category__code="elevator").count() == 1
    raised = faults.get(status="raised")
    assert raised.source == "operation_log" and raised.readings.exclude(anomalies=[]).count() == 1
    # Two days of readings for a few items; the last round through the service.
    readings = OperationReading.objects.filter(project=world.project1)
    assert readings.count() == (1 + 3 + 1) * 48 and readings.exclude(anomalies=[]).count() == 1
    entrapment = Entrapment.objects.get(project=world.project1)
    assert entrapment.status == "closed" and not Entrapment.objects.filter(status="active").exists()
    assert entrapment.staff_arrived_at and entrapment.contractor_arrived_at and entrapment.freed_at
    limits = dict(Clock.objects.filter(key__startswith="entrapment.", subject_id=entrapment.pk)
                  .values_list("key", "state"))
    assert limits == {"entrapment.staff_arrive": "met", "entrapment.contractor_arrive": "breached",
                      "entrapment.rescue": "met"}
    assert entrapment.fault.status == "closed"


def test_fire_safety_and_a_week_of_handovers(world, demo):
    # The sweep plan (every 15 days from a year ago): 25 sweeps, 6 in the last three months, 3 of those with
    # findings (5 hazards, one rectification each); every sweep task done by its sweep.
    sweeps = HazardSweep.objects.filter(project=world.project1)
    assert sweeps.count() == 25 == sweeps.filter(task__status="done").count()
    assert sweeps.filter(conducted_at__date__gte=TODAY - timedelta(days=92)).count() == 6
    assert HazardFinding.objects.filter(sweep__project=world.project1).count() == 5
    assert Rectification.objects.filter(project=world.project1).count() == 5
    # This year's two drills (June, and November's 消防日), each with its participants, each its task done.
    drills = FireDrill.objects.filter(project=world.project1, held_at__year=2026).order_by("held_at")
    assert [drill.held_at.date() for drill in drills] == [date(2026, 6, 16), date(2026, 11, 9)]
    assert all(drill.participant_count > len(drill.participants.splitlines()) > 5 for drill in drills)
    assert all(drill.task.status == "done" for drill in drills)
    posts = DutyPost.objects.filter(project=world.project1)
    assert sorted(posts.values_list("name", flat=True)) == sorted(["监控中心", "配电房值班", "东门岗"])
    handovers = Handover.objects.filter(project=world.project1)
    assert handovers.count() == 3 * 7 * 2
    pending = handovers.filter(status="pending")
    assert pending.count() == 1 and pending.get().handed_at == handovers.order_by("-handed_at").first().handed_at
    for handover in handovers.filter(status="confirmed"):
        assert handover.incoming_user_id and handover.incoming_user_id != handover.outgoing_user_id


def test_rerun_adds_nothing(world, demo):
    before = {model.__name__: model.objects.count() for model in MODELS}
    with time_machine.travel(NOW, tick=False):
        again = add_demo_facilities(world.company, TODAY)
    assert again["skipped"] is True
    assert {model.__name__: model.objects.count() for model in MODELS} == before


def _url(name, *args, query=""):
    try:
        return reverse(f"facilities:{name}", args=args) + query
    except NoReverseMatch:
        return None


def test_every_facilities_page_of_a_demo_record_opens_for_the_engineer(world, demo, login):
    client = login("gongcheng")
    p1 = world.project1
    elevator = Equipment.objects.get(project=p1, code="DT-1-1")
    pages = {
        "home": (), "my_day": (), "equipment_list": (), "equipment": (elevator.pk,), "contractors": (),
        "plans": (), "plan": (MaintenancePlan.objects.filter(project=p1).first().pk,), "tasks": (),
        "task": (MaintenanceTask.objects.filter(project=p1, status="done").first().pk,),
        "readings": (), "reading_new": (elevator.pk,), "faults": (), "fault_stats": (),
        "entrapments": (), "entrapment": (Entrapment.objects.get(project=p1).pk,),
        "sweeps": (), "sweep": (HazardSweep.objects.filter(project=p1, findings__isnull=False).first().pk,),
        "drills": (), "drill": (FireDrill.objects.filter(project=p1).first().pk,),
        "posts": (), "handovers": (), "handover": (Handover.objects.filter(project=p1).first().pk,),
        "handover_book": (DutyPost.objects.filter(project=p1).first().pk,),
    }
    for fault in Fault.objects.filter(project=p1):
        pages[f"fault {fault.status}"] = (fault.pk,)
    failed, missing = [], []
    with time_machine.travel(NOW, tick=False):
        for label, args in pages.items():
            url = _url(label.split()[0], *args)
            if url is None:
                missing.append(label)
                continue
            response = client.get(url)
            if response.status_code != 200:
                failed.append((label, url, response.status_code))
    assert not failed, failed
    assert not missing, f"URL names not there yet: {missing}"


def test_seed_demo_adds_the_facilities_once_and_says_so(world):
    from io import StringIO

    from django.core.management import call_command

    def seed(*flags):
        out = StringIO()
        with time_machine.travel(NOW, tick=False):
            call_command("seed_demo", "--tickets", "0", "--no-billing", "--no-quality", "--quiet-logins", *flags,
                         stdout=out)
        return out.getvalue()

    assert "Demo facilities" not in seed("--no-facilities") and not Equipment.objects.exists()
    first = seed()
    assert "Demo facilities added" in first and "63 items" in first
    assert "Demo facilities" not in seed() and Equipment.objects.count() == 63
