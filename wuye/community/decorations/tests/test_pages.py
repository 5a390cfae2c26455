"""The console's decoration pages: who may open the list and an application, what they read there (each row a
sentence, the deposit as billing has it, documents served through a scoped view), the desk's form on an owner's
behalf, and the actions as forms — a wrong field shown by name with nothing written, other projects' records 404."""

from __future__ import annotations

import pytest
from django.urls import reverse

from wuye.billing.models import Bill
from wuye.community.decorations import services
from wuye.community.decorations.models import Decoration, DecorationDeduction, DecorationStatus

from .helpers import actor, apply, carry, documents, fields


def _list(client, **params):
    return client.get(reverse("decorations:list"), params)


@pytest.mark.parametrize("username", ["kefu", "gongcheng", "zhixu", "caiwu", "jingli", "pinzhi", "admin"])
def test_the_list_opens_for_the_roles_that_read_decoration(world, login, username):
    decoration = apply(world)
    response = _list(login(username))
    assert response.status_code == 200
    assert [row["d"].pk for row in response.context["rows"]] == [decoration.pk]


def test_other_roles_and_owners_do_not_get_the_console(world, login):
    apply(world)
    assert _list(login("huanjing")).status_code == 403
    owner = _list(login("yezhu"))
    assert owner.status_code == 302 and owner.url == reverse("web:h5_home")


def test_each_row_reads_as_a_sentence_with_its_deposit(world, login):
    decoration = carry(world, apply(world), "checked")
    page = _list(login("kefu")).content.decode()
    assert f"{decoration.unit.label}" in page and "家美装饰有限公司" in page
    assert "¥2,000.00" in page  # the deposit billed and not yet paid, as billing has it
    assert decoration.get_status_display() in page
    assert "202" in page and "年" in page  # dates as the locale writes them (2026年…), never ISO


def test_filters_and_the_counts_per_status(world, login):
    submitted = apply(world)
    checked = carry(world, apply(world, contractor="美家装饰"), "checked")
    client = login("kefu")
    response = _list(client, status="checked")
    assert [row["d"].pk for row in response.context["rows"]] == [checked.pk]
    counts = {s["value"]: s["count"] for s in response.context["statuses"]}
    assert counts["submitted"] == 1 and counts["checked"] == 1 and response.context["total"] == 2
    assert [row["d"].pk for row in _list(client, q="美家").context["rows"]] == [checked.pk]
    assert [row["d"].pk for row in _list(client, q=submitted.unit.label).context["rows"]] == [checked.pk, submitted.pk]
    other = world.project1.buildings.exclude(pk=submitted.unit.building_id).first()
    assert list(_list(client, building=other.pk).context["rows"]) == []
    assert _list(client, status="nonsense", building="x" * 50).status_code == 200  # a wrong filter is dropped


def test_kefu2_sees_nothing_of_project_1(world, login):
    decoration = apply(world)
    document = decoration.documents.first()
    client = login("kefu2")
    assert list(_list(client).context["rows"]) == []
    assert client.get(reverse("decorations:detail", args=[decoration.pk])).status_code == 404
    assert client.get(reverse("decorations:document", args=[decoration.pk, document.pk])).status_code == 404
    response = client.post(reverse("decorations:action", args=[decoration.pk, "check_documents"]))
    assert response.status_code == 404
    assert Decoration.objects.get(pk=decoration.pk).status == DecorationStatus.SUBMITTED


def test_the_detail_shows_the_application_its_documents_and_its_timeline(world, login):
    decoration = apply(world)
    client = login("kefu")
    response = client.get(reverse("decorations:detail", args=[decoration.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    for document in decoration.documents.all():
        assert reverse("decorations:document", args=[decoration.pk, document.pk]) in page
        assert "/media/" not in page
    assert set(response.context["actions"]) == {"check_documents", "return_for_documents", "reject", "cancel"}
    assert response.context["events"]  # the application is on record
    file = client.get(reverse("decorations:document", args=[decoration.pk, decoration.documents.first().pk]))
    assert file.status_code == 200 and file["Content-Type"] == "application/pdf"
    assert b"".join(file.streaming_content).startswith(b"%PDF-")
    assert client.get(reverse("decorations:document", args=[decoration.pk, 999999])).status_code == 404


def test_the_detail_offers_each_role_its_own_actions(world, login):
    decoration = carry(world, apply(world), "checked")
    url = reverse("decorations:detail", args=[decoration.pk])
    assert login("gongcheng").get(url).context["actions"] == ["approve_engineering", "reject"]
    assert login("jingli").get(url).context["actions"] == []
    assert login("caiwu").get(url).context["actions"] == []
    assert login("huanjing").get(url).status_code == 403


def test_the_desk_applies_for_an_owner(world, login):
    unit = world.owner_unit("yezhu")
    values = fields()
    data = {**{key: value for key, value in values.items() if key != "works_kinds"},
            "works_kinds": values["works_kinds"], "project": world.project1.pk, "unit": unit.label,
            "doc_plan": documents()[0][1]}
    client = login("kefu")
    assert client.get(reverse("decorations:new")).status_code == 200
    response = client.post(reverse("decorations:new"), data)
    decoration = Decoration.objects.get()
    assert response.status_code == 302 and response.url == reverse("decorations:detail", args=[decoration.pk])
    assert decoration.unit == unit and decoration.applicant is None and decoration.documents.count() == 1
    assert decoration.works_kinds == ["walls_floors", "waterproofing"]


def test_the_desk_form_names_the_wrong_field_and_writes_nothing(world, login):
    values = fields()
    data = {**{key: value for key, value in values.items() if key != "works_kinds"},
            "works_kinds": values["works_kinds"], "project": world.project1.pk, "unit": "99-99-999"}
    client = login("kefu")
    response = client.post(reverse("decorations:new"), data)
    assert response.status_code == 422 and "unit" in response.context["errors"]
    data["unit"] = world.owner_unit("yezhu").label
    data["contractor_phone"] = "12"
    data["workers_planned"] = "lots"
    response = client.post(reverse("decorations:new"), data)
    assert response.status_code == 422
    assert set(response.context["errors"]) == {"contractor_phone", "workers_planned"}
    assert response.context["errors"]["workers_planned"] in response.content.decode()
    assert not Decoration.objects.exists()
    assert login("gongcheng").get(reverse("decorations:new")).status_code == 403
    assert login("kefu2").post(reverse("decorations:new"), {**data, "contractor_phone": "13900139000",
                                                            "workers_planned": "4"}).status_code == 422
    assert not Decoration.objects.exists()


def test_a_refused_action_names_the_field_and_changes_nothing(world, login):
    decoration = apply(world)
    client = login("kefu")
    url = reverse("decorations:action", args=[decoration.pk, "return_for_documents"])
    response = client.post(url, {"note": "  "})
    assert response.status_code == 422 and "note" in response.context["errors"]
    assert response.context["errors"]["note"] in response.content.decode()
    assert Decoration.objects.get(pk=decoration.pk).status == DecorationStatus.SUBMITTED
    assert client.post(reverse("decorations:action", args=[decoration.pk, "fly"])).status_code == 404
    assert client.get(url).status_code == 405
    forbidden = login("caiwu").post(reverse("decorations:action", args=[decoration.pk, "check_documents"]))
    assert forbidden.status_code == 403
    assert not Bill.objects.exists()


def test_the_whole_way_through_the_pages(world, login, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    decoration = apply(world)
    desk, eng, manager, finance = login("kefu"), login("gongcheng"), login("jingli"), login("caiwu")

    def act(client, action, data=None, status=302):
        response = client.post(reverse("decorations:action", args=[decoration.pk, action]), data or {})
        assert response.status_code == status, (action, getattr(response, "context", None)
                                                and response.context.get("errors"))
        return response

    act(desk, "check_documents", {"note": "资料齐全"})
    detail = desk.get(reverse("decorations:detail", args=[decoration.pk]))
    assert detail.context["bills"].outstanding > 0
    act(eng, "approve_engineering", {"note": "不涉及承重结构"})
    from .helpers import pay_deposit

    pay_deposit(world, Decoration.objects.get(pk=decoration.pk))
    act(manager, "approve")
    page = desk.get(reverse("decorations:detail", args=[decoration.pk]))
    assert page.context["bills"].receipts  # the receipt billing issued for the deposit
    act(desk, "start_works")
    refused = act(eng, "inspect", {"result": "findings", "findings": ""}, status=422)
    assert "findings" in refused.context["errors"]
    act(eng, "inspect", {"result": "findings", "findings": "楼道未做成品保护"})
    act(eng, "add_deduction", {"reason": "损坏楼道墙面", "amount": "300.00"})
    act(eng, "add_deduction", {"reason": "x", "amount": "abc"}, status=422)
    assert DecorationDeduction.objects.filter(decoration=decoration).count() == 1
    act(eng, "accept", {"findings": ""})
    act(finance, "request_deposit_refund")
    final = finance.get(reverse("decorations:detail", args=[decoration.pk]))
    refund = final.context["refund"]
    assert refund["refund"] == refund["paid"] - 300 and refund["deadline"] is not None
    assert refund["request_status"] == "requested"
    assert "损坏楼道墙面" in final.content.decode()
    assert Decoration.objects.get(pk=decoration.pk).status == DecorationStatus.ACCEPTED


def test_worker_passes_are_issued_from_the_decoration(world, login):
    decoration = carry(world, apply(world), "approved")
    desk = login("kefu")
    url = reverse("decorations:action", args=[decoration.pk, "worker_pass"])
    bad = desk.post(url, {"worker_name": "李工", "id_number": "123", "valid_from": "", "valid_until": ""})
    assert bad.status_code == 422 and "id_number" in bad.context["errors"]
    assert not decoration.worker_passes.exists()
    good = desk.post(url, {"worker_name": "李工", "id_type": "resident_id", "id_number": "11010519491231002X",
                           "phone": "13700137000", "valid_from": decoration.planned_start.isoformat(),
                           "valid_until": decoration.planned_end.isoformat()})
    assert good.status_code == 302, good.context and good.context["errors"]
    worker_pass = decoration.worker_passes.get()
    page = desk.get(reverse("decorations:detail", args=[decoration.pk]))
    assert reverse("security:worker_pass", args=[worker_pass.pk]) in page.content.decode()
    assert services.decorations(actor(world, "kefu")).filter(pk=decoration.pk).exists()


def _png():
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(out, format="PNG")
    return SimpleUploadedFile("site.png", out.getvalue(), content_type="image/png")


def test_inspection_photos_are_served_to_those_who_see_the_decoration(world, login, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    decoration = carry(world, apply(world), "in_progress")
    eng = login("gongcheng")
    response = eng.post(reverse("decorations:action", args=[decoration.pk, "inspect"]),
                        {"result": "violation", "violation": "夜间施工，已责令停工", "photos": [_png()]})
    assert response.status_code == 302
    inspection = decoration.inspections.get()
    assert len(inspection.photos) == 1
    url = reverse("decorations:inspection_photo", args=[decoration.pk, inspection.pk, 0])
    assert url in eng.get(reverse("decorations:detail", args=[decoration.pk])).content.decode()
    photo = eng.get(url)
    assert photo.status_code == 200 and photo["Content-Type"] == "image/png"
    assert eng.get(reverse("decorations:inspection_photo", args=[decoration.pk, inspection.pk, 1])).status_code == 404
    assert login("kefu2").get(url).status_code == 404
    owner = login("yezhu")
    mine = reverse("decorations:h5_inspection_photo", args=[decoration.pk, inspection.pk, 0])
    assert mine in owner.get(reverse("decorations:h5_detail", args=[decoration.pk])).content.decode()
    assert owner.get(mine).status_code == 200
    assert login("yezhu2").get(mine).status_code == 404


def test_the_list_reads_the_same_number_of_queries_for_more_rows(world, login, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    carry(world, apply(world), "checked")
    client = login("kefu")
    with CaptureQueriesContext(connection) as one:
        assert _list(client).status_code == 200
    for _n in range(3):
        carry(world, apply(world), "checked")
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert len(_list(client).context["rows"]) == 4
