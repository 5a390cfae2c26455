"""Issue 10's "done when": from an empty database with only the platform's administrator, a project set up
entirely through the API — company, project (with its default catalogue), staff, the units and owners sheets,
a tariff — takes an owner's repair with a paid part, bills its fees for a month and takes a payment. No demo code;
reads through the ORM only to find ids."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model

from conftest import ApiClient
from wuye.billing import jobs
from wuye.onboarding.tests.test_onboarding import OWNERS, filled, unit_rows, upload
from wuye.tenancy.models import Unit


@pytest.fixture
def empty(db):
    from wuye.sla.standards import install_standards

    install_standards()  # the standards come with the migrations; a transactional test's flush drops their rows
    get_user_model().objects.create_superuser("admin", password="wuye-demo")


def ok(response, status=200):
    assert response.status_code == status, response.content[:600]
    return response.json()


def test_a_company_set_up_through_the_api_repairs_bills_and_takes_a_payment(empty):
    admin = ApiClient("admin")
    company = ok(admin.post("/api/v1/companies", {"name": "兰亭物业服务有限公司"}), 201)
    project = ok(admin.post("/api/v1/projects", {
        "code": "lanting", "name": "兰亭苑", "service_level": "level_1", "company_id": company["id"]}), 201)
    for username, role in (("kf", "customer_service"), ("gc", "engineering"), ("cw", "finance")):
        ok(admin.post("/api/v1/staff", {"username": username, "name": username, "role": role,
                                        "project_ids": [project["id"]], "password": "wuye-demo",
                                        "company_id": company["id"]}), 201)
    ok(upload(admin, project["id"], "units", filled("units", unit_rows())))
    ok(upload(admin, project["id"], "owners", filled("owners", OWNERS)))
    kefu, gongcheng, caiwu = ApiClient("kf"), ApiClient("gc"), ApiClient("cw")
    unit = Unit.objects.get(project_id=project["id"], building__number="1", number="1-101")

    # The owner calls: a dripping tap. Customer service takes it, engineering repairs it with a new tap.
    category = next(c for c in ok(kefu.get("/api/v1/categories", project=project["id"], page_size=100))["items"]
                    if c["code"] == "tap")
    ticket = ok(kefu.post("/api/v1/tickets", {
        "kind": "repair", "unit_id": unit.pk, "category_id": category["id"], "description": "厨房水龙头漏水",
        "contact_name": "王芳", "contact_phone": "13912345678"}), 201)
    actions = f"/api/v1/tickets/{ticket['id']}/actions"
    engineer = get_user_model().objects.get(username="gc")
    ok(kefu.post(f"{actions}/dispatch", {"assignee_id": engineer.pk}))
    ok(gongcheng.post(f"{actions}/accept", {}))
    ok(gongcheng.post(f"{actions}/arrive", {}))
    prices = {item["code"]: item for item in ok(gongcheng.get("/api/v1/price-list", project=project["id"],
                                                              page_size=100))["items"]}
    ok(gongcheng.post(f"{actions}/complete", {"work_done": "更换水龙头",
                                              "parts": [{"item_id": prices["tap"]["id"], "quantity": "1"}]}))
    ok(kefu.post(f"{actions}/confirm", {}))
    ok(caiwu.post(f"{actions}/charge_fee", {}))  # on the owner's account

    # Finance prices the property fee and bills November.
    items = {item["code"]: item for item in ok(caiwu.get("/api/v1/charge-items", project=project["id"],
                                                         page_size=100))["items"]}
    ok(caiwu.post("/api/v1/tariffs", {"item_id": items["property-fee"]["id"], "basis": "per_m2_month",
                                      "rate": "2.00", "effective_from": "2026-11-01"}), 201)
    run = ok(caiwu.post("/api/v1/billing/runs", {"project_id": project["id"], "period": "2026-11-01"}), 202)
    jobs.continue_billing_runs()  # the scheduler's job, which bills in the background
    assert ok(caiwu.get(f"/api/v1/billing/runs/{run['id']}"))["status"] == "done"

    ledger = ok(caiwu.get(f"/api/v1/units/{unit.pk}/ledger"))
    # 90.50 m² × 2.00 = 181.00 for November, and the tap (45.00) from the repair.
    assert Decimal(ledger["balance"]) == Decimal("181.00") + Decimal(prices["tap"]["price"])
    payment = caiwu.post("/api/v1/payments", {"unit_id": unit.pk, "amount": ledger["balance"], "channel": "cash"},
                         HTTP_IDEMPOTENCY_KEY="e2e-1")
    ok(payment, 201)
    assert Decimal(ok(caiwu.get(f"/api/v1/units/{unit.pk}/ledger"))["balance"]) == 0
