"""Paid services: the catalogue with prices, an owner's order → the desk accepts (a work order) → done (a bill
through billing) → paid; refusals name the field and write nothing; scope."""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from wuye.billing.models import Bill
from wuye.community.catalogue import services
from wuye.community.catalogue.models import ServiceItem, ServiceOrder
from wuye.people.access import actor_for
from wuye.workorders.catalogue import install_default_catalogue as install_price_list

NOW = datetime(2026, 12, 2, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def shop(world):
    for project in (world.project1, world.project2):
        install_price_list(project)
        services.install_default_catalogue(project)
    return world


def item(project, code):
    return ServiceItem.objects.get(project=project, code=code)


def test_catalogue_lists_prices_by_category_for_the_owner(shop, api):
    owner = api("yezhu")
    response = owner.get("/api/v1/services", page_size=200)
    assert response.status_code == 200
    rows = response.json()["items"]
    lamp = next(row for row in rows if row["name"] == "安装灯具")
    assert lamp["price"] == "40.00" and lamp["pricing"] == "per_item" and lamp["category"] == "paid_repair"
    drain = next(row for row in rows if row["name"] == "疏通下水管道")
    assert drain["price"] == "80.00" and drain["from_price_list"]  # the work orders' price list's line
    assert next(row for row in rows if row["name"] == "室内绿化租摆")["price"] is None  # quoted on site
    assert {row["project_id"] for row in rows} == {shop.project1.pk}


def test_order_accept_done_bill_paid(shop, api):
    unit = shop.owner_unit("yezhu")
    lamp = item(shop.project1, "lamp")
    with time_machine.travel(NOW, tick=False):
        response = api("yezhu").post("/api/v1/service-orders", {"item": lamp.pk, "unit": unit.pk, "quantity": 2,
                                                                "note": "客厅两盏"})
        assert response.status_code == 201, response.content
        body = response.json()
        assert body["estimate"] == "80.00" and body["status"] == "ordered"
        order_id = body["id"]
        desk = api("kefu")
        accepted = desk.post(f"/api/v1/service-orders/{order_id}/actions/accept")
        assert accepted.status_code == 200, accepted.content
        assert accepted.json()["status"] == "accepted" and accepted.json()["ticket"]
        order = ServiceOrder.objects.get(pk=order_id)
        assert order.ticket.unit_id == unit.pk and order.ticket.channel == "portal" and order.ticket.kind == "repair"
        done = api("gongcheng").post(f"/api/v1/service-orders/{order_id}/actions/complete")
        assert done.status_code == 200, done.content
        assert done.json()["amount"] == "80.00" and done.json()["bill_state"] == "unpaid"
    bill = Bill.objects.get(source_id=order_id, unit=unit)
    assert bill.amount == Decimal("80.00") and bill.item.code == "paid-service"
    assert api("yezhu").get(f"/api/v1/service-orders/{order_id}").json()["bill_state"] == "unpaid"
    from wuye.billing.services import pay_bills

    pay_bills(None, [bill], channel="cash", idempotency_key="svc-test")
    assert services.settle_paid_orders() == 1
    assert ServiceOrder.objects.get(pk=order_id).status == "paid"
    assert services.settle_paid_orders() == 0


def test_price_change_keeps_the_price_an_order_was_taken_at(shop):
    unit = shop.owner_unit("yezhu")
    lamp = item(shop.project1, "lamp")
    owner, finance = actor_for(shop.user("yezhu")), actor_for(shop.user("caiwu"))
    order = services.place_order(owner, item=lamp, unit=unit, quantity=1)
    services.update_item(finance, lamp, price="45.00")
    assert item(shop.project1, "lamp").current_price == Decimal("45.00")
    assert ServiceOrder.objects.get(pk=order.pk).unit_price == Decimal("40.00")


def test_quoted_service_needs_the_agreed_amount(shop, api):
    unit = shop.owner_unit("yezhu")
    plants = item(shop.project1, "plants")
    order_id = api("yezhu").post("/api/v1/service-orders", {"item": plants.pk, "unit": unit.pk}).json()["id"]
    api("kefu").post(f"/api/v1/service-orders/{order_id}/actions/accept")
    refused = api("kefu").post(f"/api/v1/service-orders/{order_id}/actions/complete", {})
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "amount"
    assert not Bill.objects.filter(source_id=order_id).exists()
    done = api("kefu").post(f"/api/v1/service-orders/{order_id}/actions/complete", {"amount": "150.00"})
    assert done.status_code == 200 and done.json()["amount"] == "150.00"


def test_refusals_name_the_field_and_write_nothing(shop, api):
    unit = shop.owner_unit("yezhu")
    other = shop.owner_unit("yezhu2")
    lamp, drain = item(shop.project1, "lamp"), item(shop.project1, "drain")
    owner = api("yezhu")
    cases = [
        ({"item": lamp.pk, "unit": unit.pk, "quantity": 0}, "quantity"),
        ({"item": lamp.pk, "unit": unit.pk, "quantity": 100}, "quantity"),
        ({"item": drain.pk, "unit": unit.pk, "quantity": 2}, "quantity"),
        ({"item": lamp.pk, "unit": unit.pk, "note": "长" * 201}, "note"),
        ({"item": lamp.pk, "unit": unit.pk, "preferred_time": "2020-01-01T10:00:00+08:00"}, "preferred_time"),
        ({"item": item(shop.project2, "lamp").pk, "unit": unit.pk}, "item"),
    ]
    if other.pk != unit.pk:
        cases.append(({"item": lamp.pk, "unit": other.pk}, "unit"))
    for payload, field in cases:
        response = owner.post("/api/v1/service-orders", payload)
        assert response.status_code == 422, (payload, response.content)
        assert field in [error["field"] for error in response.json()["errors"]], (payload, response.json())
    assert ServiceOrder.objects.count() == 0
    lamp.is_active = False
    lamp.save()
    assert owner.post("/api/v1/service-orders", {"item": lamp.pk, "unit": unit.pk}).status_code == 422


def test_state_and_role_refusals(shop, api):
    unit = shop.owner_unit("yezhu")
    order_id = api("yezhu").post("/api/v1/service-orders", {"item": item(shop.project1, "lamp").pk,
                                                            "unit": unit.pk}).json()["id"]
    assert api("gongcheng").post(f"/api/v1/service-orders/{order_id}/actions/accept").status_code == 403
    assert api("kefu").post(f"/api/v1/service-orders/{order_id}/actions/complete").status_code == 409
    assert api("kefu").post(f"/api/v1/service-orders/{order_id}/actions/accept").status_code == 200
    assert api("kefu").post(f"/api/v1/service-orders/{order_id}/actions/accept").status_code == 409
    refused = api("yezhu").post(f"/api/v1/service-orders/{order_id}/actions/cancel")
    assert refused.status_code == 409  # the desk accepted it
    assert api("kefu").post(f"/api/v1/service-orders/{order_id}/actions/cancel", {}).status_code == 422
    cancelled = api("kefu").post(f"/api/v1/service-orders/{order_id}/actions/cancel", {"reason": "业主改期"})
    assert cancelled.json()["status"] == "cancelled"
    assert ServiceOrder.objects.get(pk=order_id).ticket.status == "cancelled"  # the work order with it
    response = api("caiwu").client.patch(f"/api/v1/services/{item(shop.project1, 'drain').pk}",
                                         '{"price": "90.00"}', content_type="application/json",
                                         **api("caiwu").headers)
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "price"


def test_scope(shop, api):
    unit = shop.owner_unit("yezhu")
    order_id = api("yezhu").post("/api/v1/service-orders", {"item": item(shop.project1, "lamp").pk,
                                                            "unit": unit.pk}).json()["id"]
    assert api("kefu2").get(f"/api/v1/service-orders/{order_id}").status_code == 404
    assert api("kefu2").post(f"/api/v1/service-orders/{order_id}/actions/accept").status_code == 404
    assert api("kefu2").get("/api/v1/service-orders").json()["count"] == 0
    assert api("yezhu2").get(f"/api/v1/service-orders/{order_id}").status_code == 404
    assert api("yezhu2").get("/api/v1/service-orders").json()["count"] == 0
    assert api("kefu").get("/api/v1/service-orders").json()["count"] == 1


def test_pages(shop, login):
    unit = shop.owner_unit("yezhu")
    owner = actor_for(shop.user("yezhu"))
    order = services.place_order(owner, item=item(shop.project1, "lamp"), unit=unit, quantity=2)
    page = login("yezhu").get("/h5/services/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "安装灯具" in text and "¥40.00" in text and "室内绿化租摆" in text
    assert login("yezhu").get(f"/h5/services/orders/{order.pk}/").status_code == 200
    assert login("yezhu2").get(f"/h5/services/orders/{order.pk}/").status_code == 404
    form = login("yezhu").get(f"/h5/services/{item(shop.project1, 'lamp').pk}/order")
    assert form.status_code == 200
    posted = login("yezhu").post(f"/h5/services/{item(shop.project1, 'lamp').pk}/order",
                                 {"unit": unit.pk, "quantity": "1", "note": "卧室"})
    assert posted.status_code == 302
    console = login("kefu").get("/console/community/catalogue/orders/?status=ordered")
    assert console.status_code == 200 and "安装灯具" in console.content.decode()
    assert login("caiwu").get("/console/community/catalogue/").status_code == 200
    accepted = login("kefu").post(f"/console/community/catalogue/orders/{order.pk}/accept")
    assert accepted.status_code == 302
    assert ServiceOrder.objects.get(pk=order.pk).status == "accepted"
