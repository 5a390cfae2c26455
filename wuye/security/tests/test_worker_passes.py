"""Decoration worker passes: the identity checked and masked, the photo re-encoded, a bounded period, the pass deposit
billed to the unit in the one ledger (WUYE_WORKER_PASS_DEPOSIT, ¥50.00), the gate's check by code, the card's
return sending the deposit back through billing's refund or write-off flow, revocation, and the daily expiry.
Fixed dates: 2026-12-02 in Shanghai."""

import io
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from wuye.billing.models import Bill, LedgerEntry, WriteOffRequest
from wuye.billing.services import pay_bills
from wuye.core.errors import Conflict, InvalidInput
from wuye.core.models import Event, Notification
from wuye.core.validators import id_check_character
from wuye.people.access import actor_for
from wuye.security import worker_passes
from wuye.security.models import WorkerPass, WorkerPassStatus

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 2, 10, 0, tzinfo=SH)
TODAY = date(2026, 12, 2)


def id_number(serial: str = "013") -> str:
    first17 = f"44030519900101{serial}"
    return first17 + id_check_character(first17)


@pytest.fixture
def site(world):
    return {"unit": world.owner_unit("yezhu"), "kefu": actor_for(world.user("kefu")),
            "zhixu": actor_for(world.user("zhixu")), "jingli": actor_for(world.user("jingli"))}


def issue(actor, unit, **fields):
    values = {"worker_name": "王师傅", "id_type": "resident_id", "id_number": id_number(), "valid_from": TODAY,
              "valid_until": TODAY + timedelta(days=59), "works": "厨卫改造", "employer": "家美装饰"}
    values.update(fields)
    return worker_passes.issue_worker_pass(actor, project=unit.project, unit=unit, **values)


def png(name="worker.png") -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (40, 50), (200, 120, 80)).save(out, format="PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


@time_machine.travel(NOW, tick=False)
def test_the_deposit_is_a_bill_in_the_units_ledger(world, site):
    worker_pass = issue(site["kefu"], site["unit"])
    bill = worker_pass.deposit_bill
    assert bill.amount == Decimal("50.00") and bill.unit_id == site["unit"].pk
    assert (bill.source_type.model, bill.source_id) == ("workerpass", worker_pass.pk)
    entry = LedgerEntry.objects.get(bill=bill)
    assert (entry.unit_id, entry.amount, entry.kind) == (site["unit"].pk, Decimal("50.00"), "charge")
    assert worker_pass.id_masked == id_number()[:6] + "********" + id_number()[-4:]
    assert worker_pass.status == WorkerPassStatus.ACTIVE and len(worker_pass.pass_code) == 6


@time_machine.travel(NOW, tick=False)
def test_deposit_follows_the_setting(world, site, settings):
    settings.WUYE_WORKER_PASS_DEPOSIT = Decimal("51.00")
    assert issue(site["kefu"], site["unit"]).deposit_bill.amount == Decimal("51.00")
    del settings.WUYE_WORKER_PASS_DEPOSIT
    assert worker_passes.deposit_default() == Decimal("50.00")


@time_machine.travel(NOW, tick=False)
def test_a_guard_issues_with_the_standard_deposit_only(world, site):
    by_guard = issue(site["zhixu"], site["unit"])
    assert by_guard.deposit_bill.amount == Decimal("50.00")
    with pytest.raises(InvalidInput) as changed:
        issue(site["zhixu"], site["unit"], deposit="20.00")
    assert [p.field for p in changed.value.problems] == ["deposit"]
    assert issue(site["kefu"], site["unit"], deposit="20.00").deposit_bill.amount == Decimal("20.00")
    assert issue(site["kefu"], site["unit"], deposit="0").deposit_bill is None


@time_machine.travel(NOW, tick=False)
def test_period_bounds_and_identity_are_checked_before_anything_is_written(world, site):
    assert issue(site["kefu"], site["unit"], valid_until=TODAY + timedelta(days=179)).pk  # 180 days in all
    assert issue(site["kefu"], site["unit"], valid_from=TODAY + timedelta(days=30),
                 valid_until=TODAY + timedelta(days=40)).pk
    passes, bills = WorkerPass.objects.count(), Bill.objects.count()
    for fields, field in (({"valid_until": TODAY + timedelta(days=180)}, "valid_until"),
                          ({"valid_from": TODAY + timedelta(days=31), "valid_until": TODAY + timedelta(days=40)},
                           "valid_from"),
                          ({"valid_from": TODAY - timedelta(days=1)}, "valid_from"),
                          ({"valid_until": TODAY - timedelta(days=1)}, "valid_until"),
                          ({"id_number": id_number()[:17] + ("1" if id_number()[17] != "1" else "2")}, "id_number"),
                          ({"id_type": "passport", "id_number": "E12"}, "id_number"),
                          ({"deposit": "12.345"}, "deposit")):
        with pytest.raises(InvalidInput) as wrong:
            issue(site["kefu"], site["unit"], **fields)
        assert [p.field for p in wrong.value.problems] == [field]
    assert (WorkerPass.objects.count(), Bill.objects.count()) == (passes, bills)


@time_machine.travel(NOW, tick=False)
def test_the_gate_checks_a_pass_by_code_with_the_photo(world, site, login):
    worker_pass = issue(site["kefu"], site["unit"], photo=png())
    assert worker_pass.photo.name.endswith(".png")
    found, valid = worker_passes.check_pass(site["zhixu"], worker_pass.pass_code.lower())
    assert found == worker_pass and valid is True
    later = issue(site["kefu"], site["unit"], valid_from=TODAY + timedelta(days=3), valid_until=TODAY + timedelta(9))
    assert worker_passes.check_pass(site["zhixu"], later.pass_code)[1] is False
    with pytest.raises(InvalidInput) as wrong:
        worker_passes.check_pass(site["zhixu"], "ZZZZZZ" if worker_pass.pass_code != "ZZZZZZ" else "YYYYYY")
    assert [p.field for p in wrong.value.problems] == ["code"]
    client = login("zhixu")
    page = client.get(reverse("security:worker_passes"), {"code": worker_pass.pass_code})
    assert page.status_code == 200
    assert reverse("security:worker_pass_photo", args=[worker_pass.pk]) in page.content.decode()
    photo = client.get(reverse("security:worker_pass_photo", args=[worker_pass.pk]))
    assert photo.status_code == 200 and photo["Content-Type"] == "image/png"
    assert login("kefu2").get(reverse("security:worker_pass_photo", args=[worker_pass.pk])).status_code == 404


@time_machine.travel(NOW, tick=False)
def test_returning_an_unpaid_pass_asks_finance_to_write_the_deposit_off(world, site):
    by_guard = issue(site["zhixu"], site["unit"])
    returned = worker_passes.return_worker_pass(site["zhixu"], by_guard)
    assert returned.status == WorkerPassStatus.RETURNED
    told = Notification.objects.filter(recipient=world.user("caiwu"),
                                       dedupe_key__startswith=f"worker-pass:{by_guard.pk}:")
    assert told.get().link == reverse("billing:unit_account", args=[site["unit"].pk])
    # The project manager may write off: the request is approved at once and the bill owes nothing.
    by_manager = issue(site["kefu"], site["unit"])
    worker_passes.return_worker_pass(site["jingli"], by_manager)
    bill = Bill.objects.get(pk=by_manager.deposit_bill_id)
    assert bill.written_off == Decimal("50.00") and bill.outstanding == Decimal("0.00")
    assert WriteOffRequest.objects.get(bill=bill).state == WriteOffRequest.State.APPROVED
    with pytest.raises(Conflict):
        worker_passes.return_worker_pass(site["zhixu"], returned)


@time_machine.travel(NOW, tick=False)
def test_returning_a_paid_pass_sends_finance_to_the_refund_request(world, site):
    worker_pass = issue(site["kefu"], site["unit"])
    payment, _created = pay_bills(actor_for(world.user("caiwu")), [worker_pass.deposit_bill], channel="cash",
                                  idempotency_key="deposit-1")
    worker_passes.return_worker_pass(site["zhixu"], worker_pass)
    told = Notification.objects.get(recipient=world.user("caiwu"),
                                    dedupe_key__startswith=f"worker-pass:{worker_pass.pk}:")
    assert told.link == f"{reverse('billing:refunds')}?payment={payment.pk}"
    event = Event.objects.get(verb="security.worker_pass.returned", subject_id=worker_pass.pk)
    assert event.data["money"] == "refund_to_finance"


@time_machine.travel(NOW, tick=False)
def test_revoking_needs_a_reason_and_keeps_the_deposit(world, site):
    worker_pass = issue(site["kefu"], site["unit"])
    with pytest.raises(InvalidInput):
        worker_passes.revoke_worker_pass(site["zhixu"], worker_pass, reason=" ")
    revoked = worker_passes.revoke_worker_pass(site["zhixu"], worker_pass, reason="违规动火作业")
    assert revoked.status == WorkerPassStatus.REVOKED
    assert Bill.objects.get(pk=worker_pass.deposit_bill_id).outstanding == Decimal("50.00")
    assert worker_passes.check_pass(site["zhixu"], worker_pass.pass_code)[1] is False


def test_the_expiry_job_expires_passes_after_their_last_day_once(world, site):
    with time_machine.travel(NOW, tick=False):
        ending = issue(site["kefu"], site["unit"], valid_until=TODAY)
        running = issue(site["kefu"], site["unit"], valid_until=TODAY + timedelta(days=1))
        assert worker_passes.expire_worker_passes() == 0
    with time_machine.travel(NOW + timedelta(days=1), tick=False):
        assert worker_passes.expire_worker_passes() == 1
        events = Event.objects.count()
        assert worker_passes.expire_worker_passes() == 0
        assert Event.objects.count() == events
    ending.refresh_from_db(), running.refresh_from_db()
    assert (ending.status, running.status) == (WorkerPassStatus.EXPIRED, WorkerPassStatus.ACTIVE)
    # The card of an expired pass still comes back.
    with time_machine.travel(NOW + timedelta(days=2), tick=False):
        assert worker_passes.return_worker_pass(site["kefu"], ending).status == WorkerPassStatus.RETURNED


@time_machine.travel(NOW, tick=False)
def test_api_and_console_pages(world, site, api, login):
    client = api("kefu")
    made = client.post("/api/v1/worker-passes", {
        "unit_id": site["unit"].pk, "worker_name": "张工", "id_number": id_number("021"),
        "valid_from": "2026-12-02", "valid_until": "2027-01-31", "employer": "家美装饰"})
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["deposit"] == "50.00" and body["valid_today"] is True and id_number("021") not in made.content.decode()
    bad = client.post("/api/v1/worker-passes", {
        "unit_id": site["unit"].pk, "worker_name": "张工", "id_number": "110105199001011230",
        "valid_from": "2026-12-02", "valid_until": "2027-01-31"})
    assert bad.status_code == 422 and "id_number" in bad.content.decode()
    assert client.get("/api/v1/worker-passes", code=body["pass_code"]).json()["count"] == 1
    assert api("kefu2").post(f"/api/v1/worker-passes/{body['id']}/return").status_code == 404
    assert api("kefu2").get("/api/v1/worker-passes").json()["count"] == 0
    back = client.post(f"/api/v1/worker-passes/{body['id']}/return")
    assert back.status_code == 200 and back.json()["status"] == "returned"
    console = login("zhixu")
    assert console.get(reverse("security:worker_passes")).status_code == 200
    assert console.get(reverse("security:worker_pass_new")).status_code == 200
    assert console.get(reverse("security:worker_pass", args=[body["id"]])).status_code == 200
    issued = console.post(reverse("security:worker_pass_new"), {
        "unit": site["unit"].label, "worker_name": "李工", "id_type": "resident_id", "id_number": id_number("031"),
        "valid_from": "2026-12-02", "valid_until": "2026-12-31", "photo": png()})
    assert issued.status_code == 302, issued.content.decode()[:2000]
    assert login("kefu2").get(reverse("security:worker_pass", args=[body["id"]])).status_code == 404
