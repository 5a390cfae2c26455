"""The takeover console pages: engineering plans a takeover, checks items (with photos), issues a notice,
re-inspects and keeps the document list; the manager signs the confirmation; customer service reads without
forms; project 2 staff get 404 for project 1's takeover; owners are sent to their portal."""

from __future__ import annotations

import io
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from wuye.community.takeovers import services
from wuye.community.takeovers.models import Takeover
from wuye.people.access import actor_for

NOW = datetime(2026, 9, 21, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def _png() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, "PNG")
    return SimpleUploadedFile("crack.png", buffer.getvalue(), content_type="image/png")


def test_engineering_plans_checks_and_issues_a_notice(world, login):
    client = login("gongcheng")
    page = client.get(reverse("takeovers:new"))
    assert page.status_code == 200
    response = client.post(reverse("takeovers:new"), {"project": world.project1.pk, "title": "", "developer": "",
                                                      "planned_on": "2026-09-22"})
    assert response.status_code == 422 and not Takeover.objects.exists()
    assert "field-error" in response.content.decode()
    response = client.post(reverse("takeovers:new"), {
        "project": world.project1.pk, "title": "一期1-3号楼", "developer": "华景置业", "planned_on": "2026-09-22",
        "owner_representatives": "业主代表 陈女士"})
    takeover = Takeover.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("takeovers:detail", args=[takeover.pk])
    client.post(reverse("takeovers:action", args=[takeover.pk, "start"]))
    check = takeover.checks.get(item="电梯空载运行3次无异常")
    response = client.post(reverse("takeovers:check_action", args=[takeover.pk, check.pk, "check"]), {
        "result": "finding", "note": "第二次运行有异响", "system": "elevators", "photos": [_png()]})
    assert response.status_code == 302
    page = client.get(reverse("takeovers:detail", args=[takeover.pk]) + "?system=elevators").content.decode()
    assert "第二次运行有异响" in page and "photo-strip" in page and "业主代表 陈女士" in page
    response = client.post(reverse("takeovers:action", args=[takeover.pk, "notice"]), {"findings": [check.pk]})
    assert response.status_code == 302
    takeover.refresh_from_db()
    assert takeover.status == "rectifying"
    page = client.get(reverse("takeovers:detail", args=[takeover.pk])).content.decode()
    assert reverse("takeovers:notice_pdf", args=[takeover.pk, 1]) in page
    assert "2026年10月19日" in page  # 15 working days from Monday 09-21 10:00 (the holidays skipped)
    pdf = client.get(reverse("takeovers:notice_pdf", args=[takeover.pk, 1]))
    assert pdf.status_code == 200 and pdf.content[:4] == b"%PDF"
    report = client.get(reverse("takeovers:report_pdf", args=[takeover.pk]))
    assert report.status_code == 200 and report.content[:4] == b"%PDF"


def test_refusals_show_on_the_page_and_write_nothing(world, login):
    actor = actor_for(world.user("gongcheng"))
    takeover = services.create_takeover(actor, project=world.project1, title="一期", developer="华景置业",
                                        planned_on="2026-09-22")
    services.start_inspection(actor, takeover)
    check = takeover.checks.first()
    response = login("gongcheng").post(reverse("takeovers:check_action", args=[takeover.pk, check.pk, "check"]),
                                       {"result": "finding", "note": ""})
    assert response.status_code == 422 and "field-error" in response.content.decode()
    check.refresh_from_db()
    assert check.result == "pending"
    response = login("jingli").post(reverse("takeovers:action", args=[takeover.pk, "accept"]),
                                    {"signed_on": "2026-09-21", "developer_signatory": "李建国"})
    assert response.status_code == 422 and "房屋本体无结构性裂缝" in response.content.decode()


def test_documents_page(world, login):
    actor = actor_for(world.user("gongcheng"))
    takeover = services.create_takeover(actor, project=world.project1, title="一期", developer="华景置业",
                                        planned_on="2026-09-22")
    card = takeover.documents.get(name="电梯保修卡")
    client = login("gongcheng")
    url = reverse("takeovers:document_save", args=[takeover.pk, card.pk])
    response = client.post(url, {"status": "received", "received_on": "2026-09-20", "copies": "1"})
    assert response.status_code == 422
    response = client.post(url, {"status": "received", "received_on": "2026-09-20", "copies": "1",
                                 "warranty_ends_on": "2028-09-20", "responsible_firm": "迅达电梯",
                                 "filed_at": "档案室"})
    assert response.status_code == 302
    page = client.get(reverse("takeovers:documents", args=[takeover.pk])).content.decode()
    assert "2028年9月20日" in page and "迅达电梯" in page
    response = client.post(reverse("takeovers:document_add", args=[takeover.pk]),
                           {"category": "other", "name": "人防工程验收资料", "status": "expected"})
    assert response.status_code == 302 and takeover.documents.filter(name="人防工程验收资料").exists()


def test_who_sees_what(world, login):
    actor = actor_for(world.user("gongcheng"))
    takeover = services.create_takeover(actor, project=world.project1, title="一期", developer="华景置业",
                                        planned_on="2026-09-22")
    services.start_inspection(actor, takeover)
    for name in ("list", "findings", "missing_documents"):
        assert login("kefu").get(reverse(f"takeovers:{name}")).status_code == 200
    page = login("kefu").get(reverse("takeovers:detail", args=[takeover.pk])).content.decode()
    assert "一期" in page and 'name="result"' not in page and 'name="signed_on"' not in page
    assert login("kefu").get(reverse("takeovers:new")).status_code == 403
    assert login("kefu2").get(reverse("takeovers:detail", args=[takeover.pk])).status_code == 404
    assert login("kefu2").get(reverse("takeovers:documents", args=[takeover.pk])).status_code == 404
    assert "一期" not in login("kefu2").get(reverse("takeovers:list")).content.decode()
    assert login("caiwu").get(reverse("takeovers:list")).status_code == 403
    response = login("yezhu").get(reverse("takeovers:list"))
    assert response.status_code == 302 and response["Location"] == reverse("web:h5_home")
    page = login("jingli").get(reverse("takeovers:detail", args=[takeover.pk])).content.decode()
    assert 'name="signed_on"' in page and 'name="reason"' in page
