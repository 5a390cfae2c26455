"""The owner portal's decoration pages (装修申请): the tile, my applications each with what comes next, the form (my
own homes only, documents uploaded with it), one application with its documents, deposit and refund; another
owner's application is a 404."""

from __future__ import annotations

from decimal import Decimal

from django.urls import reverse

from wuye.community.decorations import services
from wuye.community.decorations.models import Decoration, DecorationStatus
from wuye.core.money import format_money

from .helpers import actor, apply, carry, documents, fields, pdf


def _form(unit, **overrides):
    values = fields(**overrides)
    data = {key: value for key, value in values.items() if key not in ("works_kinds", "applicant_name")}
    data.update({"unit": unit.pk, "works_kinds": values["works_kinds"]})
    return data


def test_the_tile_and_the_list_open_for_the_owner(world, login):
    client = login("yezhu")
    home = client.get(reverse("web:h5_home")).content.decode()
    assert reverse("decorations:h5_list") in home
    response = client.get(reverse("decorations:h5_list"))
    assert response.status_code == 200 and response.context["rows"] == []
    assert reverse("decorations:h5_new") in response.content.decode()
    staff = login("kefu").get(reverse("decorations:h5_list"))
    assert staff.status_code == 302 and staff.url == reverse("web:console")


def test_the_owner_applies_in_the_portal(world, login):
    unit = world.owner_unit("yezhu")
    client = login("yezhu")
    form = client.get(reverse("decorations:h5_new"))
    assert [home.unit_id for home in form.context["homes"]] == [unit.pk]
    data = _form(unit)
    for kind, upload in documents():
        data[f"doc_{kind}"] = upload
    response = client.post(reverse("decorations:h5_new"), data)
    decoration = Decoration.objects.get()
    assert response.status_code == 302 and response.url == reverse("decorations:h5_detail", args=[decoration.pk])
    assert decoration.applicant == world.user("yezhu") and decoration.unit == unit
    assert decoration.applicant_name and decoration.documents.count() == 3
    page = client.get(response.url)
    assert page.status_code == 200
    assert page.context["next"] == services_next(decoration)
    for document in decoration.documents.all():
        assert reverse("decorations:h5_document", args=[decoration.pk, document.pk]) in page.content.decode()
    file = client.get(reverse("decorations:h5_document", args=[decoration.pk, decoration.documents.first().pk]))
    assert file.status_code == 200 and file["Content-Type"] == "application/pdf"


def services_next(decoration):
    from wuye.community.decorations.web.portal import next_step

    return next_step(decoration, {"outstanding": 0})


def test_bad_input_is_shown_by_field_and_nothing_is_written(world, login):
    unit = world.owner_unit("yezhu")
    client = login("yezhu")
    response = client.post(reverse("decorations:h5_new"), _form(unit, contractor="", planned_start="2020-01-01"))
    assert response.status_code == 422
    assert {"contractor", "planned_start"} <= set(response.context["errors"])
    assert response.context["errors"]["contractor"] in response.content.decode()
    other = world.owner_unit("yezhu2")
    response = client.post(reverse("decorations:h5_new"), _form(other))
    assert response.status_code == 422 and set(response.context["errors"]) == {"unit"}
    data = _form(unit)
    data["doc_plan"] = pdf()
    data["doc_plan"].file.write(b"")  # still a PDF
    from django.core.files.uploadedfile import SimpleUploadedFile

    data["doc_leader_id"] = SimpleUploadedFile("id.pdf", b"not a pdf at all", content_type="application/pdf")
    response = client.post(reverse("decorations:h5_new"), data)
    assert response.status_code == 422 and any(key.startswith("documents[") for key in response.context["errors"])
    assert not Decoration.objects.exists()


def test_another_owner_cannot_open_my_application(world, login):
    decoration = apply(world)
    document = decoration.documents.first()
    client = login("yezhu2")
    assert client.get(reverse("decorations:h5_list")).context["rows"] == []
    assert client.get(reverse("decorations:h5_detail", args=[decoration.pk])).status_code == 404
    assert client.get(reverse("decorations:h5_document", args=[decoration.pk, document.pk])).status_code == 404
    assert client.post(reverse("decorations:h5_action", args=[decoration.pk, "cancel"])).status_code == 404
    assert Decoration.objects.get(pk=decoration.pk).status == DecorationStatus.SUBMITTED


def test_returned_documents_are_added_and_sent_again_from_the_portal(world, login):
    decoration = apply(world, with_documents=False)
    services.return_for_documents(actor(world, "kefu"), decoration, note="请补充施工图纸")
    client = login("yezhu")
    page = client.get(reverse("decorations:h5_detail", args=[decoration.pk]))
    assert "请补充施工图纸" in page.context["next"] and "请补充施工图纸" in page.content.decode()
    assert page.context["actions"] == ["resubmit", "cancel"]
    action = reverse("decorations:h5_action", args=[decoration.pk, "add_document"])
    refused = client.post(action, {"kind": "plan"})
    assert refused.status_code == 422 and "file" in refused.context["errors"]
    for kind, upload in documents():
        assert client.post(action, {"kind": kind, "file": upload}).status_code == 302
    assert client.post(reverse("decorations:h5_action", args=[decoration.pk, "resubmit"])).status_code == 302
    assert Decoration.objects.get(pk=decoration.pk).status == DecorationStatus.SUBMITTED
    assert client.post(reverse("decorations:h5_action", args=[decoration.pk, "approve"])).status_code == 404


def test_the_deposit_to_pay_is_said_with_its_amount(world, login, settings):
    decoration = carry(world, apply(world), "checked")
    response = login("yezhu").get(reverse("decorations:h5_list"))
    (row,) = response.context["rows"]
    amount = format_money(Decimal(settings.WUYE_DECORATION_DEPOSIT))
    assert amount == "¥2,000.00" and amount in row["next"]
    assert amount in response.content.decode()
    detail = login("yezhu").get(reverse("decorations:h5_detail", args=[decoration.pk]))
    assert reverse("billing:h5_bills") in detail.content.decode()


def test_an_accepted_decoration_tells_the_refund_and_its_deadline(world, login):
    decoration = carry(world, apply(world), "in_progress")
    services.add_deduction(actor(world, "gongcheng"), decoration, reason="损坏楼道墙面", amount="300.00")
    decoration = services.accept(actor(world, "gongcheng"), decoration)
    client = login("yezhu")
    page = client.get(reverse("decorations:h5_detail", args=[decoration.pk]))
    assert "¥1,700.00" in page.context["next"]
    text = page.content.decode()
    assert "损坏楼道墙面" in text and "¥300.00" in text
    assert page.context["refund"]["deadline"] is not None
