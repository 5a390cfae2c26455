"""Move-in (入伙): the batch notice ≥ 7 days ahead, booking a slot (capacity under a lock), the desk's steps —
identity, fees through billing, the joint inspection (rectifications with 7 working days, meter readings in
billing), keys signed for on the screen (the return visit due 3 days later), agreements, the return visit — on
fixed dates, through the services, the API and the pages."""

from __future__ import annotations

import base64
import io
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from wuye.community.moveins import services
from wuye.community.moveins.models import HouseInspection, MoveIn, MoveInBatch
from wuye.core.errors import Conflict, InvalidInput, NotAllowed
from wuye.core.models import Notification
from wuye.people.access import actor_for
from wuye.people.models import Relation, Residency, Resident

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 2, 10, 0, tzinfo=SH)  # a Wednesday
SLOTS = [{"starts": "09:00", "ends": "11:00", "capacity": 2}, {"starts": "14:00", "ends": "16:00", "capacity": 1}]
CHECKLIST = [{"room": "客厅", "item": "墙面", "ok": False, "note": "墙面有裂缝"},
             {"room": "厨房", "item": "水电", "ok": True, "note": ""}]


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def actor(world, username):
    return actor_for(world.user(username))


def png_data_url() -> str:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (120, 40), "white")
    ImageDraw.Draw(image).line((5, 30, 60, 8, 115, 30), fill="black", width=3)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def second_owner(world, username="yezhu3"):
    """Another owner-portal login owning another home of yezhu's building."""
    from django.contrib.auth import get_user_model

    unit = world.owner_unit("yezhu")
    other = unit.building.units.exclude(pk=unit.pk).order_by("id").first()
    user = get_user_model().objects.create_user(username, password="wuye-demo", first_name="业主赵")
    resident = Resident.objects.create(project=world.project1, name="赵业主", phone="13900002222", user=user)
    Residency.objects.create(unit=other, resident=resident, relation=Relation.OWNER)
    return other


def draft(world, first_day=date(2026, 12, 9), slots=SLOTS):
    unit = world.owner_unit("yezhu")
    return services.create_batch(actor(world, "kefu"), building=unit.building, name="1号楼第一批",
                                 first_day=first_day, last_day=first_day, place="会所一楼入伙大厅",
                                 fees_note="物业服务费预交三个月", slots=slots, at=NOW)


def open_batch(world, **kwargs):
    kefu = actor(world, "kefu")
    batch = draft(world, **kwargs)
    services.notify_batch(kefu, batch, at=NOW)
    return services.open_batch(kefu, batch, at=NOW)


def with_fees(world):
    """A property-fee price and a water meter for yezhu's home, as billing's master data holds them."""
    from wuye.billing.models import ChargeItem, ChargeKind, Meter, Tariff

    item, _created = ChargeItem.objects.get_or_create(project=world.project1, code="property-fee", defaults={
        "name": "物业服务费", "kind": ChargeKind.PROPERTY_FEE})
    Tariff.objects.create(item=item, basis="per_unit_month", rate=Decimal("235.00"), effective_from=date(2026, 1, 1))
    unit = world.owner_unit("yezhu")
    Meter.objects.create(project=world.project1, unit=unit, kind="water", code="W-MI-1")
    return unit


# -- the notice ------------------------------------------------------------------------------------------------------
def test_the_notice_goes_out_seven_days_ahead_and_not_six(world, frozen):
    kefu = actor(world, "kefu")
    late = draft(world, first_day=date(2026, 12, 8))  # 6 days away
    with pytest.raises(InvalidInput) as refused:
        services.notify_batch(kefu, late, at=NOW)
    assert refused.value.problems[0].field == "first_day"
    assert "2026年12月9日" in refused.value.problems[0].message
    late.refresh_from_db()
    assert late.status == "draft" and late.notice_sent_at is None
    assert not Notification.objects.filter(recipient=world.user("yezhu"), subject_line__contains=late.name).exists()

    batch = draft(world, first_day=date(2026, 12, 9))  # 7 days away
    services.notify_batch(kefu, batch, at=NOW)
    batch.refresh_from_db()
    assert batch.status == "notified" and batch.notice_sent_at == NOW
    sent = Notification.objects.filter(recipient=world.user("yezhu"), source_id=batch.pk)
    assert {n.channel for n in sent} == {"inapp", "sms"}
    with pytest.raises(Conflict):
        services.notify_batch(kefu, batch, at=NOW)  # once
    pdf = services.notice_pdf(batch)
    assert pdf.startswith(b"%PDF")


def test_the_notice_days_are_the_setting(world, frozen, settings):
    settings.WUYE_MOVE_IN_NOTICE_DAYS = 8
    with pytest.raises(InvalidInput) as refused:
        services.notify_batch(actor(world, "kefu"), draft(world, first_day=date(2026, 12, 9)), at=NOW)
    assert "2026年12月10日" in refused.value.problems[0].message


def test_a_batch_with_bad_input_names_every_field_and_writes_nothing(world, frozen):
    unit = world.owner_unit("yezhu")
    with pytest.raises(InvalidInput) as refused:
        services.create_batch(actor(world, "kefu"), building=unit.building, name="", first_day="2026-11-30",
                              last_day="2027-03-01", place="", slots=[{"starts": "10:00", "ends": "09:00",
                                                                        "capacity": 0}], at=NOW)
    fields = {p.field for p in refused.value.problems}
    assert {"name", "place", "first_day", "last_day", "slots[0].ends"} <= fields
    assert not MoveInBatch.objects.exists()


# -- booking ---------------------------------------------------------------------------------------------------------
def test_two_owners_booking_the_last_place_one_gets_it_the_other_a_409(world, api, frozen):
    other = second_owner(world)
    batch = open_batch(world)
    afternoon = batch.slots.get(starts="14:00")  # one place
    first = api("yezhu").post("/api/v1/move-ins", {"batch": batch.pk, "unit": world.owner_unit("yezhu").pk,
                                                   "slot": afternoon.pk})
    second = api("yezhu3").post("/api/v1/move-ins", {"batch": batch.pk, "unit": other.pk, "slot": afternoon.pk})
    assert first.status_code == 201, first.content
    assert second.status_code == 409
    assert second.json()["errors"][0]["field"] == "slot"
    assert MoveIn.objects.filter(slot=afternoon).count() == 1


def test_an_owner_books_only_an_open_batch_for_their_own_home(world, api, frozen):
    batch = draft(world)
    unit = world.owner_unit("yezhu")
    slot = batch.slots.first()
    hidden = api("yezhu").post("/api/v1/move-ins", {"batch": batch.pk, "unit": unit.pk, "slot": slot.pk})
    assert hidden.status_code == 422 and hidden.json()["errors"][0]["field"] == "batch"  # a draft is not shown
    services.notify_batch(actor(world, "kefu"), batch, at=NOW)
    not_open = api("yezhu").post("/api/v1/move-ins", {"batch": batch.pk, "unit": unit.pk, "slot": slot.pk})
    assert not_open.status_code == 409
    services.open_batch(actor(world, "kefu"), batch, at=NOW)
    other = unit.building.units.exclude(pk=unit.pk).first()
    theirs = api("yezhu").post("/api/v1/move-ins", {"batch": batch.pk, "unit": other.pk, "slot": slot.pk})
    assert theirs.status_code == 422 and theirs.json()["errors"][0]["field"] == "unit"
    assert not MoveIn.objects.exists()
    ok = api("yezhu").post("/api/v1/move-ins", {"batch": batch.pk, "unit": unit.pk, "slot": slot.pk})
    assert ok.status_code == 201 and ok.json()["status"] == "booked"
    again = api("yezhu").post("/api/v1/move-ins", {"batch": batch.pk, "unit": unit.pk, "slot": slot.pk})
    assert again.status_code == 409 and again.json()["errors"][0]["field"] == "unit"


# -- the desk's steps ------------------------------------------------------------------------------------------------
def walk_to_inspection(world):
    unit = with_fees(world)
    batch = open_batch(world)
    kefu = actor(world, "kefu")
    move_in = services.book(actor(world, "yezhu"), batch=batch, unit=unit, slot=batch.slots.first(), at=NOW)
    services.check_identity(kefu, move_in, contract_number="HT-2026-0101", at=NOW)
    bills = services.charge(kefu, move_in, months=3, at=NOW)
    assert len(bills) == 3 and all(b.amount == Decimal("235.00") for b in bills)
    assert services.charge(kefu, move_in, months=3, at=NOW) == []  # a repeat posts nothing new
    return move_in


def test_fees_go_through_billing_and_are_settled_when_billing_says_paid(world, frozen):
    move_in = walk_to_inspection(world)
    kefu = actor(world, "kefu")
    fees = services.fees_of(move_in)
    assert fees.amount == Decimal("705.00") and fees.outstanding == Decimal("705.00")
    with pytest.raises(Conflict) as unpaid:
        services.settle_fees(kefu, move_in, at=NOW)
    assert unpaid.value.problems[0].field == "fees"
    services.settle_fees(kefu, move_in, channel="cash", payer_name="王业主", at=NOW)
    move_in.refresh_from_db()
    assert move_in.status == "fees_settled" and services.fees_of(move_in).outstanding == 0
    assert services.fees_of(move_in).receipts


def test_an_inspection_issue_is_a_rectification_with_seven_working_days_and_the_reading_is_billings(world, frozen):
    from wuye.billing.models import MeterReading
    from wuye.quality.models import Rectification

    move_in = walk_to_inspection(world)
    kefu, gongcheng = actor(world, "kefu"), actor(world, "gongcheng")
    services.settle_fees(kefu, move_in, channel="cash", at=NOW)
    services.inspect(gongcheng, move_in, items=CHECKLIST, readings=[{"kind": "water", "value": "3.50"}],
                     owner_present="王业主", at=NOW)
    move_in.refresh_from_db()
    assert move_in.status == "inspected" and move_in.inspected_by == world.user("gongcheng")
    rect = Rectification.objects.get()
    assert rect.department == "engineering" and rect.unit == move_in.unit
    issues = services.issues_of(move_in)
    # Wednesday 2026-12-02 10:00 + 7 working days → Friday 2026-12-11 10:00
    assert timezone.localtime(issues[0]["due_at"]) == datetime(2026, 12, 11, 10, 0, tzinfo=SH)
    reading = MeterReading.objects.get(meter__code="W-MI-1")
    assert reading.value == Decimal("3.50") and reading.read_on == date(2026, 12, 2)


def test_a_refused_meter_reading_writes_nothing(world, frozen):
    from wuye.quality.models import Rectification

    move_in = walk_to_inspection(world)
    services.settle_fees(actor(world, "kefu"), move_in, channel="cash", at=NOW)
    with pytest.raises(InvalidInput) as refused:
        services.inspect(actor(world, "gongcheng"), move_in, items=CHECKLIST,
                         readings=[{"kind": "water", "value": "-1"}], at=NOW)
    assert refused.value.problems[0].field.startswith("readings")
    with pytest.raises(InvalidInput) as no_meter:
        services.inspect(actor(world, "gongcheng"), move_in, items=CHECKLIST,
                         readings=[{"kind": "gas", "value": "1"}], at=NOW)
    assert no_meter.value.problems[0].field == "readings[0].kind"
    with pytest.raises(InvalidInput) as no_note:
        services.inspect(actor(world, "gongcheng"), move_in, items=[{"room": "客厅", "item": "墙面", "ok": False}],
                         at=NOW)
    assert no_note.value.problems[0].field == "items[0].note"
    assert not HouseInspection.objects.exists() and not Rectification.objects.exists()
    move_in.refresh_from_db()
    assert move_in.status == "fees_settled"


def test_keys_signed_start_the_return_visit_due_three_days_later_and_the_visit_stops_it(world, frozen):
    from wuye.sla.models import Clock

    move_in = walk_to_inspection(world)
    kefu = actor(world, "kefu")
    services.settle_fees(kefu, move_in, channel="cash", at=NOW)
    services.inspect(actor(world, "gongcheng"), move_in, items=CHECKLIST[1:], at=NOW)
    with pytest.raises(InvalidInput) as unsigned:
        services.hand_keys(kefu, move_in, door_keys=3, access_cards=["A001"], signature="", at=NOW)
    assert unsigned.value.problems[0].field == "signature"
    handover = services.hand_keys(kefu, move_in, door_keys=3, access_cards=["A001", "A002"], mailbox_keys=1,
                                  signature=png_data_url(), at=NOW)
    assert handover.signature.read().startswith(b"\x89PNG") and handover.access_cards == ["A001", "A002"]
    clock = Clock.objects.for_subject(move_in).get(key="movein.return_visit")
    assert timezone.localtime(clock.due_at) == datetime(2026, 12, 5, 10, 0, tzinfo=SH)
    assert list(services.return_visits_due(kefu)) == [move_in]
    with pytest.raises(Conflict) as early:
        services.record_return_visit(kefu, move_in, satisfaction=5, at=NOW)
    assert early.value.problems[0].field == "agreements"
    with pytest.raises(InvalidInput) as missing:
        services.sign_agreements(kefu, move_in, agreements=["management_agreement"], at=NOW)
    assert missing.value.problems[0].field == "agreements"
    services.sign_agreements(kefu, move_in, agreements=["management_agreement", "decoration_rules",
                                                        "interim_covenant"], at=NOW)
    later = datetime(2026, 12, 4, 15, 0, tzinfo=SH)
    services.record_return_visit(kefu, move_in, satisfaction=5, needs="希望尽快开通燃气", at=later)
    clock.refresh_from_db()
    move_in.refresh_from_db()
    assert move_in.status == "completed" and clock.stopped_at == later and clock.state == "met"
    assert [a["code"] for a in move_in.agreements] == ["management_agreement", "decoration_rules",
                                                       "interim_covenant"]


def test_steps_out_of_order_and_roles_without_the_right_are_refused(world, frozen):
    move_in = walk_to_inspection(world)
    with pytest.raises(Conflict) as wrong_state:
        services.hand_keys(actor(world, "kefu"), move_in, door_keys=2, signature=png_data_url(), at=NOW)
    assert wrong_state.value.problems[0].field == "status"
    with pytest.raises(NotAllowed):
        services.settle_fees(actor(world, "gongcheng"), move_in, channel="cash", at=NOW)
    with pytest.raises(InvalidInput) as months:
        services.charge(actor(world, "kefu"), move_in, months=13, at=NOW)
    assert months.value.problems[0].field == "months"


# -- scope, API, pages -----------------------------------------------------------------------------------------------
def test_scope_kefu2_sees_nothing_of_project_1_and_yezhu2_not_yezhus(world, api, frozen):
    move_in = walk_to_inspection(world)
    assert api("kefu2").get(f"/api/v1/move-ins/{move_in.pk}").status_code == 404
    assert api("kefu2").get("/api/v1/move-ins").json()["count"] == 0
    assert api("kefu2").get(f"/api/v1/move-in-batches/{move_in.batch_id}").status_code == 404
    assert api("yezhu2").get(f"/api/v1/move-ins/{move_in.pk}").status_code == 404
    assert api("yezhu2").get("/api/v1/move-ins").json()["count"] == 0
    assert api("kefu2").post(f"/api/v1/move-ins/{move_in.pk}/actions/cancel", {}).status_code == 404
    mine = api("yezhu").get(f"/api/v1/move-ins/{move_in.pk}")
    assert mine.status_code == 200 and mine.json()["fees_amount"] == "705.00"


def test_the_api_walks_a_move_in(world, api, frozen):
    with_fees(world)
    unit = world.owner_unit("yezhu")
    kefu = api("kefu")
    created = kefu.post("/api/v1/move-in-batches", {
        "building": unit.building_id, "name": "1号楼第一批", "first_day": "2026-12-09", "last_day": "2026-12-10",
        "place": "会所", "slots": [{"starts": "09:00", "ends": "11:00", "capacity": 5}]})
    assert created.status_code == 201, created.content
    batch = created.json()
    assert len(batch["slots"]) == 2
    early = kefu.post("/api/v1/move-in-batches", {
        "building": unit.building_id, "name": "早", "first_day": "2026-12-08", "last_day": "2026-12-08",
        "place": "会所", "slots": [{"starts": "09:00", "ends": "11:00", "capacity": 5}]}).json()
    refused = kefu.post(f"/api/v1/move-in-batches/{early['id']}/actions/notify")
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "first_day"
    assert kefu.post(f"/api/v1/move-in-batches/{batch['id']}/actions/notify").status_code == 200
    booked = kefu.post("/api/v1/move-ins", {"batch": batch["id"], "unit": unit.pk, "slot": batch["slots"][0]["id"]})
    assert booked.status_code == 201, booked.content
    pk = booked.json()["id"]
    path = f"/api/v1/move-ins/{pk}/actions/"
    assert kefu.post(path + "check_identity", {"contract_number": ""}).json()["errors"][0]["field"] == \
        "contract_number"
    assert kefu.post(path + "check_identity", {"contract_number": "HT-1"}).status_code == 200
    assert kefu.post(path + "charge", {"months": 2}).status_code == 200
    assert kefu.post(path + "settle_fees", {"channel": "cash"}).json()["status"] == "fees_settled"
    inspected = api("gongcheng").post(path + "inspect", {"items": CHECKLIST})
    assert inspected.status_code == 200, inspected.content
    assert inspected.json()["issues"][0]["status"] == "open"
    keys = kefu.post(path + "hand_keys", {"door_keys": 2, "access_cards": ["C1"], "signature": png_data_url()})
    assert keys.json()["status"] == "keys_handed"
    assert kefu.post(path + "sign_agreements", {"agreements": ["management_agreement", "decoration_rules"]}) \
        .json()["status"] == "agreements_signed"
    done = kefu.post(path + "return_visit", {"satisfaction": 4})
    assert done.json()["status"] == "completed"
    assert kefu.get("/api/v1/move-ins", status="completed").json()["count"] == 1
    assert kefu.post(path + "fly", {}).status_code == 422


def test_the_console_pages_and_the_portal_render(world, login, frozen):
    move_in = walk_to_inspection(world)
    kefu = login("kefu")
    assert kefu.get("/console/community/moveins/").status_code == 200
    page = kefu.get(f"/console/community/moveins/{move_in.pk}/")
    assert page.status_code == 200 and "signature" not in page.content.decode()[:0]
    assert kefu.get(f"/console/community/moveins/batches/{move_in.batch_id}/").status_code == 200
    assert kefu.get("/console/community/moveins/batches/new/").status_code == 200
    assert kefu.get(f"/console/community/moveins/batches/{move_in.batch_id}/notice.pdf").status_code == 200
    assert login("kefu2").get(f"/console/community/moveins/{move_in.pk}/").status_code == 404
    settled = kefu.post(f"/console/community/moveins/{move_in.pk}/actions/settle_fees/", {"channel": "cash"})
    assert settled.status_code == 302
    portal = login("yezhu").get("/h5/move-in/")
    assert portal.status_code == 200 and move_in.unit.label in portal.content.decode()
    assert "1-1-101" not in login("yezhu2").get("/h5/move-in/").content.decode() or \
        not MoveIn.objects.filter(unit__project=world.project2).exists()


def test_the_portal_books_a_slot(world, login, frozen):
    batch = open_batch(world)
    unit = world.owner_unit("yezhu")
    client = login("yezhu")
    page = client.get("/h5/move-in/")
    assert batch.name in page.content.decode()
    response = client.post("/h5/move-in/book/", {"batch": batch.pk, "unit": unit.pk, "slot": batch.slots.first().pk})
    assert response.status_code == 302
    assert MoveIn.objects.get().booked_by == world.user("yezhu")


def test_the_workbench_counts_equal_the_lists(world, login, frozen):
    from wuye.community.moveins.workbench import move_in_cards

    move_in = walk_to_inspection(world)
    cards = {card.key: card for card in move_in_cards(actor(world, "kefu"), NOW)}
    assert cards["moveins.today"].count == 0  # booked for 12-09
    with time_machine.travel(datetime(2026, 12, 9, 9, 0, tzinfo=SH), tick=False):
        cards = {card.key: card for card in move_in_cards(actor(world, "kefu"), timezone.now())}
        assert cards["moveins.today"].count == 1
        listed = login("kefu").get(cards["moveins.today"].url)
        assert move_in.unit.label in listed.content.decode()


def test_the_demo_runs_through_the_services_and_a_rerun_adds_nothing(world, frozen):
    from wuye.demo.community_moveins import add_demo_moveins

    made = add_demo_moveins(world.company, now=NOW)
    assert made["move_in_batches"] == 2 and made["move_ins"] >= 8
    statuses = set(MoveIn.objects.filter(project=world.project1).values_list("status", flat=True))
    # The small world's building has five homes besides the owner login's: every step but the identity check.
    assert {"completed", "agreements_signed", "keys_handed", "inspected", "booked"} <= statuses
    assert MoveIn.objects.filter(unit=world.owner_unit("yezhu"), booked_by=world.user("yezhu")).exists()
    assert add_demo_moveins(world.company, now=NOW) == {"move_in_batches": 0, "move_ins": 0}


def test_a_batch_day_outside_the_projects_date_window_names_the_field(world):
    """The move-in's dates keep to core.validators' one window (WUYE_DATE_YEARS_AHEAD), not a window of their own."""
    from datetime import date as _date

    from wuye.community.moveins import services as moveins
    from wuye.community.moveins.models import MoveInBatch
    from wuye.core.errors import InvalidInput
    from wuye.people.access import actor_for

    kefu = actor_for(world.user("kefu"))
    building = world.owner_unit("yezhu").building
    for far in (_date(2099, 1, 5), _date(1899, 1, 5)):
        with pytest.raises(InvalidInput) as refused:
            moveins.create_batch(kefu, building=building, name="远期", first_day=far, last_day=far, place="会所",
                                 slots=[{"starts": "09:00", "ends": "10:00", "capacity": 1}])
        assert "first_day" in {problem.field for problem in refused.value.problems}
    assert not MoveInBatch.objects.filter(name="远期").exists()
