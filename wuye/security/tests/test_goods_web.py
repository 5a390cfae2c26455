"""Goods release pages: the desk's form, the detail with its timeline and actions, the gate's verify page, the
owner portal (apply, consent, the slip with its QR), and scope (another project's desk and another household 404)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from wuye.people.access import actor_for
from wuye.people.models import Relation, Residency, Resident
from wuye.security import goods
from wuye.security.models import GoodsRelease

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 2, 10, 0, tzinfo=SH)
ITEMS = [{"name": "冰箱", "quantity": 1}]


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def unit(world):
    from django.contrib.auth import get_user_model

    unit = world.owner_unit("yezhu")
    user = get_user_model().objects.create_user("zuke", password="wuye-demo", first_name="租客李")
    tenant = Resident.objects.create(project=world.project1, name="李租客", phone="13900001111", user=user)
    Residency.objects.create(unit=unit, resident=tenant, relation=Relation.TENANT)
    return unit


def _approved(world, unit):
    kefu = actor_for(world.user("kefu"))
    release = goods.apply(kefu, project=world.project1, unit=unit, applicant_name="王先生", applicant_kind="owner",
                          items=ITEMS, carry_out_on=NOW.date(), phone="13800001234", at=NOW)
    return goods.approve(kefu, release, at=NOW)


def test_the_desk_records_a_walk_in_and_errors_name_the_fields(world, unit, login, frozen):
    browser = login("kefu")
    assert browser.get("/console/security/goods/new/").status_code == 200
    form = {"project": world.project1.pk, "unit": unit.label, "applicant_name": "王先生", "applicant_kind": "owner",
            "phone": "13800001234", "item_name": ["沙发", ""], "item_quantity": ["1", ""],
            "carry_out_on": "2026-12-03", "plate": ""}
    bad = browser.post("/console/security/goods/new/", {**form, "unit": "99-9-999", "item_quantity": ["0", ""]})
    assert bad.status_code == 422 and GoodsRelease.objects.count() == 0
    answer = browser.post("/console/security/goods/new/", form)
    assert answer.status_code == 302
    release = GoodsRelease.objects.get()
    assert release.items == [{"name": "沙发", "quantity": 1}] and release.carry_out_on.isoformat() == "2026-12-03"
    page = browser.get(answer["Location"])
    assert page.status_code == 200 and "沙发" in page.content.decode()
    approve = browser.post(f"/console/security/goods/{release.pk}/approve/")
    assert approve.status_code == 302
    release.refresh_from_db()
    assert release.status == "approved"
    pdf = browser.get(f"/console/security/goods/{release.pk}/slip.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert "attachment" not in pdf["Content-Disposition"] and "filename*=UTF-8''" in pdf["Content-Disposition"]


def test_the_gate_looks_up_a_code_and_releases_once(world, unit, login, frozen):
    release = _approved(world, unit)
    gate = login("zhixu")
    look = gate.get("/console/security/goods/verify/", {"code": release.code.lower()})
    assert look.status_code == 200 and "冰箱" in look.content.decode()
    done = gate.post("/console/security/goods/verify/", {"project": world.project1.pk, "code": release.code})
    assert done.status_code == 302
    again = gate.post("/console/security/goods/verify/", {"project": world.project1.pk, "code": release.code})
    assert again.status_code == 409
    assert gate.get("/console/security/goods/verify/", {"code": "ZZZZ9999"}).status_code == 422
    assert login("caiwu").get("/console/security/goods/verify/").status_code == 403
    assert GoodsRelease.objects.get(pk=release.pk).status == "verified"


def test_lists_filter_and_odd_input_never_breaks_a_page(world, unit, login, frozen):
    _approved(world, unit)
    browser = login("kefu")
    for params in ({}, {"status": "approved"}, {"status": "nonsense"}, {"day": "2026-12-02"}, {"day": "²"},
                   {"q": unit.label}, {"q": "王"}, {"q": "x" * 500}, {"page": "9" * 30}):
        assert browser.get("/console/security/goods/", params).status_code == 200, params
    assert unit.label in browser.get("/console/security/goods/", {"status": "approved"}).content.decode()
    for value in ("²", "-", "9" * 30):
        assert browser.post("/console/security/goods/new/", {"project": value, "unit": value}).status_code == 422
        assert login("zhixu").get("/console/security/goods/verify/", {"project": value, "code": value}
                                  ).status_code < 500


def test_another_projects_desk_and_another_household_get_404(world, unit, login, frozen):
    release = _approved(world, unit)
    kefu2 = login("kefu2")
    assert kefu2.get(f"/console/security/goods/{release.pk}/").status_code == 404
    assert kefu2.post(f"/console/security/goods/{release.pk}/cancel/").status_code == 404
    assert kefu2.get(f"/console/security/goods/{release.pk}/slip.pdf").status_code == 404
    assert unit.label not in kefu2.get("/console/security/goods/").content.decode()
    yezhu2 = login("yezhu2")
    assert yezhu2.get(f"/h5/goods/{release.pk}/").status_code == 404
    assert yezhu2.get(f"/h5/goods/{release.pk}/slip.pdf").status_code == 404
    assert login("yezhu").get("/console/security/goods/").status_code == 302  # owners go to the portal


def test_the_portal_applies_consents_and_shows_the_slip(world, unit, login, frozen):
    tenant = login("zuke")
    assert tenant.get("/h5/goods/new/").status_code == 200
    sent = tenant.post("/h5/goods/new/", {"unit": unit.pk, "item_name": ["电视"], "item_quantity": ["1"],
                                          "carry_out_on": "2026-12-02"})
    assert sent.status_code == 302
    release = GoodsRelease.objects.get()
    assert release.applicant_kind == "tenant" and release.applicant == world.user("zuke")
    owner = login("yezhu")
    listing = owner.get("/h5/goods/").content.decode()
    assert "电视" in listing and f"/h5/goods/{release.pk}/" in listing
    assert owner.post(f"/h5/goods/{release.pk}/consent/").status_code == 302
    goods.approve(actor_for(world.user("kefu")), release, at=NOW)
    page = tenant.get(f"/h5/goods/{release.pk}/").content.decode()
    release.refresh_from_db()
    assert "<svg" in page and release.code in page
    assert tenant.get(f"/h5/goods/{release.pk}/slip.pdf").content.startswith(b"%PDF")
    bad = tenant.post("/h5/goods/new/", {"unit": unit.pk, "item_name": [""], "carry_out_on": "2026-11-01"})
    assert bad.status_code == 422 and GoodsRelease.objects.count() == 1


def test_the_portal_has_a_goods_release_tile(world, login):
    from wuye.web.context import H5_TILES

    assert H5_TILES["goods"].url_name == "security:h5_goods"
    assert "/h5/goods/" in login("yezhu").get("/h5/").content.decode()
