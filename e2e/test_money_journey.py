"""Money through the pages: finance runs a month's billing and takes a payment at the desk; the owner pays a bill
online on their phone and opens the receipt."""

from django.urls import reverse

from wuye.billing.jobs import continue_billing_runs
from wuye.billing.services import balance
from wuye.tenancy.models import Unit


def test_finance_bills_the_month_and_takes_a_desk_payment(person, world):
    from wuye.demo.billing import build_demo_billing

    build_demo_billing(world.company)
    finance = person("caiwu")
    finance.goto("/console/billing/runs/")
    form = finance.locator("form.form-card")
    form.locator("select[name=project]").select_option(index=1)
    form.locator("input[name=period]").fill("2026-12")
    form.locator("button[type=submit]").click()
    finance.wait_for_load_state()
    assert "批量出账已开始" in finance.locator(".flash-success").inner_text()
    continue_billing_runs()  # what the scheduler (or a Celery worker) does in the background
    finance.reload()
    progress = finance.inner_text("body")
    assert "已完成" in progress and "12 / 12 (100%)" in progress and "物业服务费" in progress

    # A neighbour pays everything they owe at the desk, in cash.
    neighbours = Unit.objects.filter(project=world.project1).exclude(pk=world.owner_unit("yezhu").pk).order_by("id")
    unit = next(unit for unit in neighbours if balance(unit) > 0)
    finance.goto(reverse("billing:unit_account", kwargs={"unit_id": unit.pk}))
    form = finance.locator("form[action$='/payments/']")
    owed = form.locator("input[name=amount]").input_value()
    assert float(owed) > 0
    form.locator("select[name=channel]").select_option(label="现金")
    form.locator("input[name=payer_name]").fill("邻居")
    form.locator("button[type=submit]").click()
    finance.wait_for_load_state()
    assert f"已登记收款 ¥{owed}" in finance.locator(".flash-success").inner_text()
    account = finance.inner_text("body")
    assert "已结清" in account and "无欠费" in account


def test_owner_pays_online_on_the_phone_and_opens_the_receipt(person, world):
    from wuye.demo.billing import build_demo_billing

    build_demo_billing(world.company)  # the demo owner still owes last month
    owner = person("yezhu", phone=True)
    owner.goto("/h5/bills/")
    pay_all = owner.locator("button:has-text('全部缴纳')")
    total = pay_all.inner_text().split("¥")[1]
    pay_all.click()
    owner.wait_for_load_state()
    assert "模拟支付网关" in owner.inner_text("body") and f"¥{total}" in owner.inner_text("body")
    owner.click("button[value=pay]")
    owner.wait_for_load_state()
    result = owner.inner_text("body")
    assert "缴费成功" in result and f"¥{total}" in result and "已缴" in result
    number = result.split("收据号")[1].split()[0]
    pdf_link = owner.locator("a:has-text('收据（PDF）')").get_attribute("href")

    owner.click("a:has-text('电子收据')")
    owner.wait_for_load_state()
    receipt = owner.inner_text("body")
    assert number in receipt and f"{total}" in receipt
    pdf = owner.request.get(pdf_link)  # the download, with the owner's session
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf" and pdf.body()[:5] == b"%PDF-"

    owner.goto("/h5/bills/")
    assert owner.locator("button:has-text('全部缴纳')").count() == 0  # nothing left to pay
