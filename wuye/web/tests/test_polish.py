"""Documents and lists a person can use (issue 11 §6–7): every download names its file in Chinese (RFC 6266, with
an ASCII fallback), buildings in the order people count them, selects that name what to choose (never
"---------"), the complaint ledger by day, week or month, a favicon, engineers' list of open jobs, labels that
tell emergency from urgent and name each satisfaction score."""

from __future__ import annotations

import re
from collections import deque
from datetime import timedelta
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from django.conf import settings
from django.utils import timezone, translation

from conftest import ApiClient
from wuye.billing.models import BillingNotice, Payment
from wuye.core.downloads import ascii_fallback, content_disposition
from wuye.tenancy.models import Building, Unit
from wuye.workorders.models import Category, Status, Ticket, Urgency

CJK = re.compile(r"[\u4e00-\u9fff]")


def _download_name(response) -> str:
    """The file name a browser saves `response` under, checking both RFC 6266 forms are there and agree."""
    header = response["Content-Disposition"]
    fallback = re.search(r'filename="((?:[^"\\]|\\.)*)"', header)
    encoded = re.search(r"filename\*=UTF-8''([^;\s]+)", header)
    assert fallback and encoded, header
    assert fallback.group(1).isascii()
    name = unquote(encoded.group(1))
    assert name.rsplit(".", 1)[-1] == fallback.group(1).rsplit(".", 1)[-1]  # the same kind of file
    return name


@pytest.fixture
def billed(world):
    from wuye.billing.dunning import issue_payment_notices
    from wuye.billing.models import Bill
    from wuye.demo.billing import build_demo_billing

    build_demo_billing(world.company)
    unit = world.owner_unit("yezhu")
    issue_payment_notices(world.project1, list(Bill.objects.filter(unit=unit)[:2]))
    return {"unit": unit, "notice": BillingNotice.objects.filter(unit=unit).first(),
            "payment": Payment.objects.filter(unit=unit).order_by("-id").first()}


def test_every_download_is_named_in_chinese(world, login, billed):
    project, unit = world.project1, billed["unit"]
    payment, notice = billed["payment"], billed["notice"]
    today = timezone.localdate()
    console = {
        f"/console/billing/payments/{payment.pk}/receipt.pdf": ("收据_", ".pdf"),
        f"/console/billing/notices/{notice.pk}.pdf": ("缴费通知单_锦华苑_", ".pdf"),
        f"/console/billing/units/{unit.pk}/ledger.xlsx": ("分户账_锦华苑_", ".xlsx"),
        f"/console/billing/ledger.xlsx?project={project.pk}&from={today:%Y-%m-01}&to={today}": ("收费台账_锦华苑_",
                                                                                              ".xlsx"),
        f"/console/billing/meters/template/?project={project.pk}": ("抄表模板_锦华苑_", ".xlsx"),
        f"/console/billing/master/export/charge-items.xlsx?project={project.pk}": ("收费项目_锦华苑", ".xlsx"),
        f"/console/billing/master/export/meters.xlsx?project={project.pk}": ("仪表档案_锦华苑", ".xlsx"),
        f"/console/billing/master/export/parking-spaces.xlsx?project={project.pk}": ("车位_锦华苑", ".xlsx"),
        f"/console/catalogue/price-list/?format=xlsx&project={project.pk}": ("有偿服务收费标准_锦华苑", ".xlsx"),
        "/console/onboarding/templates/units.xlsx": ("楼栋房屋_导入模板", ".xlsx"),
        "/console/complaints/ledger/?format=xlsx&period=week": ("", ".xlsx"),
        "/console/complaints/ledger/?format=csv": ("", ".csv"),
    }
    api = {
        f"/api/v1/payments/{payment.pk}/receipt.pdf": ("收据_", ".pdf"),
        f"/api/v1/notices/{notice.pk}/pdf": ("缴费通知单_", ".pdf"),
        f"/api/v1/units/{unit.pk}/ledger.xlsx": ("分户账_", ".xlsx"),
        f"/api/v1/price-list.xlsx?project={project.pk}": ("有偿服务收费标准_", ".xlsx"),
        f"/api/v1/meters.xlsx?project={project.pk}": ("仪表档案_", ".xlsx"),
        "/api/v1/imports/template?kind=owners": ("业主信息_导入模板", ".xlsx"),
    }
    portal = {
        f"/h5/payments/{payment.pk}/receipt.pdf": ("收据_", ".pdf"),
        f"/h5/notices/{notice.pk}.pdf": ("缴费通知单_", ".pdf"),
    }
    admin, token, owner = login("admin"), ApiClient("admin"), login("yezhu")
    names = {}
    for client, routes in ((admin, console), (token, api), (owner, portal)):
        for url, (start, end) in routes.items():
            response = client.get(url) if client is not token else token.client.get(url, **token.headers)
            assert response.status_code == 200, url
            name = names[url] = _download_name(response)
            assert CJK.search(name) and name.startswith(start) and name.endswith(end), (url, name)
    assert names[f"/console/billing/payments/{payment.pk}/receipt.pdf"] == f"收据_{payment.receipt.code}.pdf"
    assert "至" in names["/console/complaints/ledger/?format=xlsx&period=week"]  # a week names its first and last day


def test_the_header_survives_odd_names():
    header = content_disposition('欠费账龄_锦华苑 "3/1"_2026-12-02.xlsx', inline=True)
    assert header.startswith('inline; filename="') and "/" not in unquote(header.split("''", 1)[1])
    assert ascii_fallback("收据_JH-2026-000123.pdf") == "JH-2026-000123.pdf"
    assert ascii_fallback("欠费账龄.xlsx") == "download.xlsx"


def test_no_view_writes_its_own_content_disposition():
    """One helper names downloads: a view setting the header itself would lose the Chinese name again."""
    root = Path(__file__).resolve().parents[2]
    offenders = [str(path.relative_to(root)) for path in root.rglob("*.py")
                 if "tests" not in path.parts and path.name != "downloads.py"
                 and re.search(r"Content-Disposition|as_attachment", path.read_text(encoding="utf-8"))]
    assert not offenders


# -- buildings in natural order -------------------------------------------------------------------------------------
def test_buildings_and_units_come_in_natural_order(world, login):
    project = world.project1
    template = Unit.objects.filter(project=project).first()
    for number in ("10", "9"):
        building = Building.objects.create(project=project, number=number, name=f"{number}号楼")
        Unit.objects.create(project=project, building=building, number="101", floor=1, area=template.area)
    names = list(Building.objects.filter(project=project).values_list("name", flat=True))
    expected = sorted(names, key=lambda name: int(name.removesuffix("号楼")))
    assert expected[-2:] == ["9号楼", "10号楼"]

    def offered(html, field):
        select = re.search(rf'<select name="{field}".*?</select>', html, re.S).group(0)
        return [name for name in re.findall(r"<option[^>]*>([^<]+)</option>", select) if name in names]

    kefu = login("kefu")
    assert offered(kefu.get("/console/units/", {"project": project.pk}).content.decode(), "building") == expected
    assert offered(kefu.get("/console/tickets/", {"project": project.pk}).content.decode(), "building") == expected
    assert offered(kefu.get("/console/tickets/new/", {"project": project.pk}).content.decode(), "building") == expected
    units = kefu.get("/console/units/", {"project": project.pk}).content.decode()
    assert units.index("9号楼") < units.index("10号楼")
    api = ApiClient("kefu")
    listed = [row["number"] for row in api.get("/api/v1/buildings", project=project.pk).json()["items"]]
    assert listed.index("9") < listed.index("10") and listed.index("2") < listed.index("9")


# -- selects name what to choose ------------------------------------------------------------------------------------
HREF = re.compile(r'href="(/console/[^"#]*)"')
DASHES = re.compile(r"<option[^>]*>\s*-{9}\s*</option>")


@pytest.mark.parametrize("username", ["kefu", "caiwu", "admin"])
def test_no_select_offers_dashes(world, login, username):
    """Every console form page a role reaches (a crawl from its home page, two pages of each kind) names the empty
    choice of its selects."""
    from wuye.demo.billing import build_demo_billing

    build_demo_billing(world.company)
    world.ticket(world.project1, unit=world.owner_unit("yezhu"))
    client = login(username)
    seen, queue, per_kind, pages, offenders = set(), deque(["/console/", "/console/tickets/new/"]), {}, 0, []
    while queue and pages < 120:
        url = queue.popleft()
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        pages += 1
        body = response.content.decode()
        if DASHES.search(body):
            offenders.append(url)
        for href in HREF.findall(body):
            href = href.replace("&amp;", "&")
            if any(part in href for part in ("format=", ".pdf", ".xlsx", "/logout")):
                continue
            kind = re.sub(r"\d+", "N", urlsplit(href).path)
            if per_kind.get(kind, 0) < 2:
                per_kind[kind] = per_kind.get(kind, 0) + 1
                queue.append(href)
    assert pages > 15 and not offenders, offenders


def test_a_required_select_prompts_with_its_field_name(world, login):
    client = login("kefu")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the language switch
    html = client.get("/console/tickets/new/").content.decode()
    project = re.search(r'<select name="project".*?</select>', html, re.S).group(0)
    assert re.search(r'<option value=""[^>]*>Choose project</option>', project)


# -- the complaint ledger by day, week or month ---------------------------------------------------------------------
def test_the_complaint_ledger_by_day_week_or_month(world, login):
    category = Category.objects.get(project=world.project1, kind="complaint", code="attitude")
    today = timezone.localdate()
    recent = world.ticket(world.project1, kind="complaint", category=category, description="客服态度差")
    earlier = world.ticket(world.project1, kind="complaint", category=category, description="保安态度差")
    first_of_month = today.replace(day=1)
    # One complaint came in on the first of the month (or the last day of the previous one, on the 1st).
    moved = first_of_month if today.day > 1 else today - timedelta(days=1)
    Ticket.objects.filter(pk=earlier.pk).update(created_at=timezone.make_aware(
        timezone.datetime.combine(moved, timezone.datetime.min.time())) + timedelta(hours=9))
    client = login("kefu")

    def total(**params):
        html = client.get("/console/complaints/ledger/", params).content.decode()
        return int(re.search(r'data-stat="total">(\d+)<', html).group(1)), html

    assert total(date=today.isoformat())[0] == 1
    in_month = 2 if moved.month == today.month else 1
    count, html = total(date=today.isoformat(), period="month")
    assert count == in_month and f"{first_of_month:%Y-%m-%d}" in html
    assert recent.number in html
    monday = today - timedelta(days=today.weekday())
    count, html = total(date=today.isoformat(), period="week")
    assert count == (2 if moved >= monday else 1)
    assert f"{monday:%Y-%m-%d}～{monday + timedelta(days=6):%Y-%m-%d}" in html
    assert 'class="current" aria-current="page"' in html  # the switch shows the period chosen
    assert total(date=today.isoformat(), period="nonsense")[0] == 1  # an unknown period reads as a day


# -- favicon --------------------------------------------------------------------------------------------------------
def test_a_favicon_is_linked_and_answers(world, login):
    response = login("kefu").get("/favicon.ico")
    assert response.status_code == 200 and response["Content-Type"] == "image/x-icon"
    assert b"".join(response.streaming_content)[:4] == b"\x00\x00\x01\x00"  # an ICO file
    page = login("kefu").get("/console/").content.decode()
    assert re.search(r'<link rel="icon" href="[^"]+favicon\.svg"', page)
    assert re.search(r'<link rel="icon" href="[^"]+favicon\.ico"', login("yezhu").get("/h5/").content.decode())


# -- engineers start with open jobs ---------------------------------------------------------------------------------
def test_engineers_default_list_shows_open_jobs(world, login):
    unit = world.owner_unit("yezhu")
    open_job = world.ticket(world.project1, unit=unit, description="卫生间漏水")
    closed_job = world.ticket(world.project1, unit=unit, description="门锁已修好")
    Ticket.objects.filter(pk=closed_job.pk).update(status=Status.CLOSED)
    engineer = login("gongcheng")
    for params in ({}, {"page": "1"}):  # the menu, and a page link of the default list
        html = engineer.get("/console/tickets/", params).content.decode()
        assert open_job.number in html and closed_job.number not in html
    # Asking for everything (the filter form sent with "open" unticked) shows the closed job too.
    everything = engineer.get("/console/tickets/", {"kind": "", "status": "", "q": ""}).content.decode()
    assert closed_job.number in everything
    # Customer service keeps the whole inbox.
    assert closed_job.number in login("kefu").get("/console/tickets/").content.decode()


# -- labels ---------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_emergency_and_urgent_read_differently(language):
    with translation.override(language):
        labels = [str(label) for _value, label in Urgency.choices]
    assert len(set(labels)) == len(labels), labels


def test_the_return_visit_offers_labelled_scores():
    from wuye.workorders.forms import ReturnVisitForm

    with translation.override("en"):
        choices = [(value, str(label)) for value, label in ReturnVisitForm.base_fields["score"].choices]
    assert choices == [(5, "Very satisfied"), (4, "Satisfied"), (3, "Neutral"), (2, "Dissatisfied"),
                       (1, "Very dissatisfied")]
